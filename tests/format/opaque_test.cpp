#include <lwm2m/format/opaque.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>
#include "../support/error_value.hpp"
#include "../support/test_schema.hpp"

namespace {

using lwm2m::as_bytes;
using lwm2m::bytes_view;
using lwm2m::data_type;
using lwm2m::errc;
using lwm2m::multiplicity;
using lwm2m::path;
using lwm2m::resource_def;
using lwm2m::value;
using lwm2m::value_kind;
using lwm2m::value_range;
using lwm2m::format::record;

using lwm2m::test::E;

using lwm2m::test::res;

// Firmware Update (5) with Package (opaque) and Package URI (string 0..255), plus test resources.
constexpr auto firmware =
    lwm2m::make_object(lwm2m::object_info{5, "Firmware Update", {1, 0}, multiplicity::single, {}, {}},
                       res(0, data_type::opaque), res(1, data_type::string, false, value_range{true, 0, 255}),
                       res(2, data_type::none), res(50, data_type::opaque, true),
                       res(51, data_type::opaque, false, value_range{true, 1, 4}));

constexpr lwm2m::object_view schema_views[] = {firmware};
const lwm2m::schema_registry schemas{schema_views};

path P(std::string_view t) { return lwm2m::parse_path(t).value(); }

std::optional<E> read_error(bytes_view payload, const path& base, const lwm2m::schema_registry* reg = &schemas) {
    lwm2m::format::opaque_reader reader(payload, base, reg);
    auto r = reader.next();
    if (r) return std::nullopt;
    auto again = reader.next();
    REQUIRE(!again.has_value());
    CHECK(again.error() == r.error());
    return r.error();
}

std::vector<std::byte> write(std::span<const record> records, const path& base) {
    const auto size = lwm2m::format::opaque_size(records, base);
    REQUIRE(size.has_value());
    std::vector<std::byte> out(*size);
    lwm2m::format::output_window w(out);
    REQUIRE(lwm2m::format::write_opaque(records, base, w).has_value());
    CHECK(w.finish().value() == *size);
    return out;
}

E write_error(std::span<const record> records, const path& base) {
    std::array<std::byte, 16> buf{};
    lwm2m::format::output_window w(buf);
    const auto r = lwm2m::format::write_opaque(records, base, w);
    REQUIRE(!r.has_value());
    CHECK(w.total() == 0);
    const auto s = lwm2m::format::opaque_size(records, base);
    REQUIRE(!s.has_value());
    CHECK(s.error() == r.error());
    return r.error();
}

} // namespace

TEST_CASE("opaque_reader: the whole payload is one Opaque value (LwM2M 1.1 Core §7.4.2)") {
    const std::array<std::byte, 4> payload{std::byte{0xDE}, std::byte{0xAD}, std::byte{0}, std::byte{0xFF}};
    for (const auto* reg : {static_cast<const lwm2m::schema_registry*>(nullptr), &schemas}) {
        lwm2m::format::opaque_reader reader(payload, P("/5/0/0"), reg);
        const auto r = reader.next();
        REQUIRE(r.has_value());
        REQUIRE(r->has_value());
        CHECK((*r)->path == P("/5/0/0"));
        CHECK((*r)->value.kind() == value_kind::opaque);
        CHECK((*r)->value.encoded_bytes().data() == payload.data()); // zero-copy
        CHECK((*r)->value.encoded_bytes().size() == 4);
        CHECK(!reader.next().value().has_value());
        CHECK(!reader.next().value().has_value());
    }
    // an empty payload is an empty value (e.g. the firmware reset write)
    lwm2m::format::opaque_reader empty({}, P("/5/0/0"), &schemas);
    CHECK(empty.next().value()->value == value::of_opaque({}));
    // a resource instance
    lwm2m::format::opaque_reader ri(payload, P("/5/0/50/3"), &schemas);
    CHECK(ri.next().value()->path == P("/5/0/50/3"));
}

TEST_CASE("opaque_reader: errors") {
    const auto payload = as_bytes("abc");
    CHECK(read_error(payload, P("/5/0")) == E{errc::path_wrong_level, 0});
    CHECK(read_error(payload, P("/5/0"), nullptr) == E{errc::path_wrong_level, 0});
    CHECK(read_error(payload, path{}) == E{errc::path_wrong_level, 0});
    CHECK(read_error(payload, P("/5/0/99")) == E{errc::resource_not_in_schema, 0});
    CHECK(read_error(payload, P("/5/0/1")) == E{errc::type_mismatch, 0});
    CHECK(read_error(payload, P("/5/0/2")) == E{errc::type_mismatch, 0});
    CHECK(read_error(payload, P("/5/0/50")) == E{errc::invalid_nesting, 0});
    CHECK(read_error(payload, P("/5/0/0/1")) == E{errc::invalid_nesting, 0});
    CHECK(read_error({}, P("/5/0/51")) == E{errc::number_out_of_range, 0});
    CHECK(read_error(as_bytes("abcde"), P("/5/0/51")) == E{errc::number_out_of_range, 0});
    CHECK(!read_error(as_bytes("abcd"), P("/5/0/51")).has_value());
    CHECK(!read_error(payload, P("/5/0/1"), nullptr).has_value()); // no schema: no type check
    CHECK(!read_error(payload, P("/4/0/1")).has_value());          // unknown object
}

TEST_CASE("opaque writer: bytes as they are, or decoded") {
    const std::array<std::byte, 3> bytes{std::byte{1}, std::byte{2}, std::byte{3}};
    const record raw{P("/5/0/0"), value::of_opaque(bytes), std::nullopt};
    CHECK(write({&raw, 1}, P("/5/0/0")) == std::vector<std::byte>(bytes.begin(), bytes.end()));
    const record untyped{P("/5/0/0"), value::of_untyped(bytes), std::nullopt};
    CHECK(write({&untyped, 1}, P("/5/0/0")) == std::vector<std::byte>(bytes.begin(), bytes.end()));
    const record b64{P("/5/0/0"), value::of_opaque(as_bytes("AQID"), lwm2m::text_encoding::base64), std::nullopt};
    CHECK(write({&b64, 1}, P("/5/0/0")) == std::vector<std::byte>(bytes.begin(), bytes.end()));
    const record b64url{P("/5/0/50/1"), value::of_opaque(as_bytes("AQID"), lwm2m::text_encoding::base64url),
                        std::nullopt};
    CHECK(write({&b64url, 1}, P("/5/0/50/1")) == std::vector<std::byte>(bytes.begin(), bytes.end()));
    const record empty{P("/5/0/0"), value::of_opaque({}), std::nullopt};
    CHECK(write({&empty, 1}, P("/5/0/0")).empty());

    // round trip through the reader
    const auto written = write({&b64, 1}, P("/5/0/0"));
    lwm2m::format::opaque_reader reader(written, P("/5/0/0"), &schemas);
    CHECK(reader.next().value()->value == value::of_opaque(bytes));

    // Block2 windows
    std::vector<std::byte> big(1000);
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::byte>(i);
    const record large{P("/5/0/0"), value::of_opaque(big), std::nullopt};
    std::vector<std::byte> joined;
    for (std::size_t num = 0;; ++num) {
        std::array<std::byte, 256> buf{};
        lwm2m::format::output_window w(buf, num * buf.size());
        REQUIRE(lwm2m::format::write_opaque({&large, 1}, P("/5/0/0"), w).has_value());
        joined.insert(joined.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(w.written()));
        if (!w.overflowed()) break;
    }
    CHECK(joined == big);
}

TEST_CASE("opaque writer: errors write nothing") {
    const std::array<std::byte, 1> one{std::byte{1}};
    const record r{P("/5/0/0"), value::of_opaque(one), std::nullopt};
    CHECK(write_error({&r, 1}, P("/5/0")) == E{errc::path_wrong_level, 0});
    CHECK(write_error({&r, 1}, P("/5/0/1")) == E{errc::invalid_argument, 0});
    CHECK(write_error({}, P("/5/0/0")) == E{errc::invalid_argument, 0});
    const record two[] = {r, r};
    CHECK(write_error(two, P("/5/0/0")) == E{errc::invalid_argument, 1});
    const record str{P("/5/0/1"), value::of_string("coap://x"), std::nullopt};
    CHECK(write_error({&str, 1}, P("/5/0/1")) == E{errc::type_mismatch, 0});
    const record num{P("/5/0/1"), value::of_integer(1), std::nullopt};
    CHECK(write_error({&num, 1}, P("/5/0/1")) == E{errc::type_mismatch, 0});
    const record bad{P("/5/0/0"), value::of_opaque(as_bytes("AQI"), lwm2m::text_encoding::base64), std::nullopt};
    CHECK(write_error({&bad, 1}, P("/5/0/0")).code == errc::invalid_base64);
}
