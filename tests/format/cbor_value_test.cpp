// Single-value CBOR (application/cbor, Content-Format 60; LwM2M 1.1 Core §7.4): one CBOR data item,
// the value of one Resource or Resource Instance, with the value model of LwM2M CBOR leaves (the
// one Leshan's CBOR encoder and decoder use: Time as tag 1 on an integer, Objlnk as "O:I" text,
// Opaque as a byte string, null as no value).

#include <lwm2m/format/cbor_value.hpp>

#include <doctest/doctest.h>

#include <lwm2m/format/codec.hpp>
#include <lwm2m/format/content_format.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>
#include "../support/error_value.hpp"
#include "../support/test_schema.hpp"

namespace {

using lwm2m::data_type;
using lwm2m::errc;
using lwm2m::multiplicity;
using lwm2m::objlnk;
using lwm2m::path;
using lwm2m::text_encoding;
using lwm2m::value;
using lwm2m::value_kind;
using lwm2m::format::content_format;
using lwm2m::format::record;
using bytes = std::vector<std::byte>;

using lwm2m::test::E;

using lwm2m::test::range;
using lwm2m::test::res;

constexpr auto device = lwm2m::make_object(
    lwm2m::object_info{3, "Device", {1, 0}, multiplicity::single, lwm2m::presence::mandatory, {}},
    res(0, data_type::string), res(4, data_type::none), res(7, data_type::integer, true),
    res(9, data_type::integer, false, range(0, 100)), res(13, data_type::time));

constexpr auto all_types = lwm2m::make_object(
    lwm2m::object_info{9000, "AllTypes", {1, 0}, multiplicity::multiple, lwm2m::presence::optional, {}},
    res(0, data_type::string), res(1, data_type::integer), res(2, data_type::unsigned_integer),
    res(3, data_type::float_), res(4, data_type::boolean), res(5, data_type::opaque), res(6, data_type::time),
    res(7, data_type::objlnk), res(8, data_type::corelnk), res(17, data_type::objlnk, true));

constexpr lwm2m::object_view schema_views[] = {device, all_types};
const lwm2m::schema_registry schemas{schema_views};

path P(std::string_view t) { return lwm2m::parse_path(t).value(); }

bytes B(std::initializer_list<int> list) {
    bytes out;
    for (int b : list) out.push_back(static_cast<std::byte>(b));
    return out;
}

bytes B(std::initializer_list<int> head, std::string_view tail) {
    bytes out = B(head);
    for (char c : tail) out.push_back(static_cast<std::byte>(c));
    return out;
}

value read(const bytes& payload, const path& base, const lwm2m::schema_registry* reg = &schemas) {
    lwm2m::format::cbor_value_reader reader(payload, base, reg);
    auto r = reader.next();
    REQUIRE(r.has_value());
    REQUIRE(r->has_value());
    CHECK((*r)->path == base);
    CHECK(!(*r)->time.has_value());
    auto end = reader.next();
    REQUIRE(end.has_value());
    CHECK(!end->has_value());
    return (*r)->value;
}

E read_error(const bytes& payload, const path& base, const lwm2m::schema_registry* reg = &schemas) {
    lwm2m::format::cbor_value_reader reader(payload, base, reg);
    auto r = reader.next();
    REQUIRE(!r.has_value());
    auto again = reader.next();  // errors stay
    REQUIRE(!again.has_value());
    CHECK(E{again.error()} == E{r.error()});
    return r.error();
}

std::string text_of(const value& v) { return std::string(lwm2m::as_chars(v.encoded_bytes())); }

bytes write(std::span<const record> records, const path& base) {
    const auto size = lwm2m::format::cbor_value_size(records, base);
    REQUIRE(size.has_value());
    bytes out(*size);
    lwm2m::format::output_window w(out);
    REQUIRE(lwm2m::format::write_cbor_value(records, base, w).has_value());
    CHECK(w.finish().value() == *size);
    return out;
}

bytes write_one(const value& v, const path& base) {
    const record r{base, v, std::nullopt};
    return write(std::span<const record>{&r, 1}, base);
}

E write_error(std::span<const record> records, const path& base) {
    std::array<std::byte, 32> buf{};
    lwm2m::format::output_window w(buf);
    const auto r = lwm2m::format::write_cbor_value(records, base, w);
    REQUIRE(!r.has_value());
    CHECK(w.total() == 0);  // nothing written
    const auto s = lwm2m::format::cbor_value_size(records, base);
    REQUIRE(!s.has_value());
    CHECK(E{s.error()} == E{r.error()});
    return r.error();
}

} // namespace

TEST_CASE("CBOR (Content-Format 60): the name and record-format status of the content format") {
    CHECK(lwm2m::format::name(content_format::cbor) == "cbor");
    CHECK(lwm2m::format::is_record_format(content_format::cbor));
}

TEST_CASE("CBOR (Content-Format 60) read: one value of every data type, typed by the item (no schema)") {
    const path r = P("/3/0/0");
    // Read /3/0/0 of the Device object: a text string.
    const bytes manufacturer = B({0x74}, "Open Mobile Alliance");  // values view the payload: keep it
    const value s = read(manufacturer, r, nullptr);
    CHECK(s.kind() == value_kind::string);
    CHECK(text_of(s) == "Open Mobile Alliance");
    CHECK(read(B({0x18, 0x64}), r, nullptr) == value::of_integer(100));
    CHECK(read(B({0x38, 0x63}), r, nullptr) == value::of_integer(-100));
    CHECK(read(B({0x1B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}), r, nullptr) ==
          value::of_unsigned(std::numeric_limits<std::uint64_t>::max()));
    CHECK(read(B({0x3B, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}), r, nullptr) ==
          value::of_integer(std::numeric_limits<std::int64_t>::min()));
    // Floats in the three widths, and a decimal fraction (tag 4): 27315 x 10^-2.
    CHECK(read(B({0xF9, 0x4D, 0xA0}), r, nullptr) == value::of_float(22.5));
    CHECK(read(B({0xFA, 0x41, 0xB4, 0x00, 0x00}), r, nullptr) == value::of_float(22.5));
    CHECK(read(B({0xFB, 0x40, 0x36, 0x80, 0, 0, 0, 0, 0}), r, nullptr) == value::of_float(22.5));
    CHECK(read(B({0xC4, 0x82, 0x21, 0x19, 0x6A, 0xB3}), r, nullptr) == value::of_float(273.15));
    CHECK(read(B({0xF5}), r, nullptr) == value::of_boolean(true));
    CHECK(read(B({0xF4}), r, nullptr) == value::of_boolean(false));
    // Time as Leshan writes it: tag 1 (epoch-based date/time, RFC 8949 §3.4.2) on an integer.
    CHECK(read(B({0xC1, 0x1A, 0x51, 0x82, 0x42, 0x8F}), r, nullptr) == value::of_time(1367491215));
    const bytes opaque = B({0x43, 0x01, 0x02, 0x03});
    const value o = read(opaque, r, nullptr);
    CHECK(o.kind() == value_kind::opaque);
    CHECK(o.encoding() == text_encoding::raw);
    CHECK(o.encoded_bytes().size() == 3);
    CHECK(read(B({0xF6}), r, nullptr).kind() == value_kind::none);  // null: no value (Leshan)
    // Without a schema an Objlnk is its text.
    const bytes link = B({0x64}, "66:0");
    CHECK(text_of(read(link, r, nullptr)) == "66:0");
}

TEST_CASE("CBOR (Content-Format 60) read: non-shortest heads are accepted (RFC 8949 §3)") {
    const path r = P("/3/0/9");
    for (const bytes& hundred : {B({0x18, 0x64}), B({0x19, 0x00, 0x64}), B({0x1A, 0, 0, 0, 0x64}),
                                 B({0x1B, 0, 0, 0, 0, 0, 0, 0, 0x64})})
        CHECK(read(hundred, r) == value::of_integer(100));
    const bytes x = B({0x79, 0x00, 0x01}, "x");
    CHECK(text_of(read(x, P("/3/0/0"))) == "x");
}

TEST_CASE("CBOR (Content-Format 60) read: the schema types the value") {
    CHECK(read(B({0x18, 0x64}), P("/3/0/9")) == value::of_integer(100));
    CHECK(read(B({0x13}), P("/3/0/7/1")) == value::of_integer(19));  // a Resource Instance
    // Time: tagged, or a plain integer typed by the schema.
    CHECK(read(B({0xC1, 0x1A, 0x51, 0x82, 0x42, 0x8F}), P("/3/0/13")) == value::of_time(1367491215));
    CHECK(read(B({0x1A, 0x51, 0x82, 0x42, 0x8F}), P("/3/0/13")) == value::of_time(1367491215));
    CHECK(read(B({0x16}), P("/9000/0/3")) == value::of_float(22.0));
    CHECK(read(B({0x05}), P("/9000/0/2")) == value::of_unsigned(5));
    CHECK(read(B({0x64}, "66:0"), P("/9000/0/7")) == value::of_objlnk(objlnk{66, 0}));
    CHECK(read(B({0x63}, "3:0"), P("/9000/0/17/2")) == value::of_objlnk(objlnk{3, 0}));
    CHECK(read(B({0x68}, "</3/0/1>"), P("/9000/0/8")).kind() == value_kind::corelnk);
    CHECK(read(B({0xF6}), P("/3/0/9")).kind() == value_kind::none);
    // An object the registry does not know is read untyped.
    CHECK(read(B({0x18, 0x64}), P("/4242/0/1")) == value::of_integer(100));
}

TEST_CASE("CBOR (Content-Format 60): chunked strings and the self-described tag 55799 (RFC 8949 §3.2.3, §3.4.6)") {
    // (_ "ab", "c"): the chunks joined; 55799(100); 55799((_ h'01', h'02')).
    const bytes chunks = B({0x7F, 0x62, 0x61, 0x62, 0x61, 0x63, 0xFF});  // (the values read view it)
    const value text = read(chunks, P("/3/0/0"));
    CHECK(text.encoding() == lwm2m::text_encoding::cbor_chunks);
    CHECK(lwm2m::value_byte_size(text).value() == 3);
    std::array<std::byte, 3> joined{};
    REQUIRE(lwm2m::copy_value_bytes(text, joined).value() == 3);
    CHECK(std::string(lwm2m::as_chars(joined)) == "abc");
    CHECK(read(B({0xD9, 0xD9, 0xF7, 0x18, 0x64}), P("/3/0/9")) == value::of_integer(100));
    const bytes tagged = B({0xD9, 0xD9, 0xF7, 0x5F, 0x41, 0x01, 0x41, 0x02, 0xFF});
    const value opaque = read(tagged, P("/4242/0/1"));
    CHECK(opaque.kind() == value_kind::opaque);
    CHECK(lwm2m::value_byte_size(opaque).value() == 2);
}

TEST_CASE("CBOR (Content-Format 60) read errors, with their offsets") {
    // The request path must name a Resource or a Resource Instance.
    CHECK(read_error(B({0x01}), P("/3/0")) == E{errc::path_wrong_level, 0});
    CHECK(read_error(B({0x01}), path{}) == E{errc::path_wrong_level, 0});
    // CBOR syntax: empty, truncated, reserved.
    CHECK(read_error(B({}), P("/3/0/9")) == E{errc::truncated_value, 0});
    CHECK(read_error(B({0x19, 0x00}), P("/3/0/9")) == E{errc::truncated_value, 0});
    CHECK(read_error(B({0x1C}), P("/3/0/9")) == E{errc::invalid_cbor, 0});
    // One item only: bytes after it are an error at their offset.
    CHECK(read_error(B({0x01, 0x02}), P("/3/0/9")) == E{errc::invalid_cbor, 1});
    CHECK(read_error(B({0x18, 0x64, 0xFF}), P("/3/0/9")) == E{errc::invalid_cbor, 2});
    // Items that are not a value of one resource.
    CHECK(read_error(B({0xA0}), P("/4242/0/1")) == E{errc::invalid_cbor, 0});
    CHECK(read_error(B({0x82, 0x01, 0x02}), P("/4242/0/1")) == E{errc::invalid_cbor, 0});
    CHECK(read_error(B({0xF7}), P("/4242/0/1")) == E{errc::invalid_cbor, 0});
    CHECK(read_error(B({0xF8, 0x20}), P("/4242/0/1")) == E{errc::invalid_cbor, 0});
    CHECK(read_error(B({0xC0, 0x61, 0x78}), P("/4242/0/1")) == E{errc::invalid_cbor, 0});  // tag 0
    CHECK(read_error(B({0x7F, 0x41, 0x61, 0xFF}), P("/4242/0/1")) == E{errc::invalid_cbor, 1});  // a byte chunk
    CHECK(read_error(B({0x7F, 0x61, 0xC3, 0x61, 0xA9, 0xFF}), P("/4242/0/1")) == E{errc::invalid_utf8, 2});
    CHECK(read_error(B({0xD9, 0xD9, 0xF7, 0x01, 0x02}), P("/3/0/9")) == E{errc::invalid_cbor, 4});
    CHECK(read_error(B({0x63, 0x61, 0xFF, 0x62}), P("/4242/0/1")) == E{errc::invalid_utf8, 2});
    CHECK(read_error(B({0x3B, 0x80, 0, 0, 0, 0, 0, 0, 0}), P("/4242/0/1")) == E{errc::number_out_of_range, 0});
    CHECK(read_error(B({0xC1, 0x61, 0x78}), P("/4242/0/1")) == E{errc::invalid_cbor, 1});
    // The schema: unknown resource, multiplicity, type, range, object link.
    CHECK(read_error(B({0x01}), P("/3/0/99")) == E{errc::resource_not_in_schema, 0});
    CHECK(read_error(B({0x01}), P("/3/0/7")) == E{errc::invalid_nesting, 0});
    CHECK(read_error(B({0x01}), P("/3/0/9/0")) == E{errc::invalid_nesting, 0});
    // The path's errors come before the payload's, as in plain text and opaque.
    CHECK(read_error(B({0xFF}), P("/3/0/99")) == E{errc::resource_not_in_schema, 0});
    CHECK(read_error(B({}), P("/3/0/7")) == E{errc::invalid_nesting, 0});
    CHECK(read_error(B({0x61, 0x78}), P("/3/0/9")) == E{errc::type_mismatch, 0});
    CHECK(read_error(B({0x18, 0x65}), P("/3/0/9")) == E{errc::number_out_of_range, 0});
    CHECK(read_error(B({0x62}, "66"), P("/9000/0/7")) == E{errc::invalid_objlnk, 0});
    CHECK(read_error(B({0xC1, 0x01}), P("/9000/0/4")) == E{errc::type_mismatch, 0});
}

TEST_CASE("CBOR (Content-Format 60) write: every value kind, and it reads back") {
    const path r = P("/9000/0/1");
    CHECK(write_one(value::of_integer(100), r) == B({0x18, 0x64}));
    CHECK(write_one(value::of_integer(-100), r) == B({0x38, 0x63}));
    CHECK(write_one(value::of_unsigned(std::numeric_limits<std::uint64_t>::max()), r) ==
          B({0x1B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}));
    CHECK(write_one(value::of_float(22.5), r) == B({0xF9, 0x4D, 0xA0}));  // the shortest float that keeps it
    CHECK(write_one(value::of_float(0.1), r) == B({0xFB, 0x3F, 0xB9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9A}));
    CHECK(write_one(value::of_boolean(true), r) == B({0xF5}));
    CHECK(write_one(value::of_time(1367491215), r) == B({0xC1, 0x1A, 0x51, 0x82, 0x42, 0x8F}));
    CHECK(write_one(value::of_objlnk(objlnk{66, 0}), r) == B({0x64}, "66:0"));
    CHECK(write_one(value::of_string("Open Mobile Alliance"), r) == B({0x74}, "Open Mobile Alliance"));
    CHECK(write_one(value::of_corelnk("</3/0>"), r) == B({0x66}, "</3/0>"));
    CHECK(write_one(value::of_none(), r) == B({0xF6}));
    const std::array<std::byte, 3> raw{std::byte{1}, std::byte{2}, std::byte{3}};
    CHECK(write_one(value::of_opaque(raw), r) == B({0x43, 0x01, 0x02, 0x03}));
    // Values kept encoded by other readers are decoded: base64 (plain text), JSON escapes.
    CHECK(write_one(value::of_opaque(lwm2m::as_bytes("AQID"), text_encoding::base64), r) == B({0x43, 0x01, 0x02, 0x03}));
    CHECK(write_one(value::of_string("a\\\"b", text_encoding::json_escaped), r) == B({0x63}, "a\"b"));

    // What the writer gives, the reader gives back (the schema types Time and Objlnk again).
    for (const value& v : {value::of_integer(-7), value::of_float(-0.0), value::of_float(1e300), value::of_boolean(false),
                           value::of_time(-1), value::of_unsigned(std::uint64_t{1} << 63)}) {
        CAPTURE(v.kind());
        CHECK(read(write_one(v, r), r, nullptr) == v);
    }
    CHECK(read(write_one(value::of_objlnk(objlnk{3, 1}), P("/9000/0/7")), P("/9000/0/7")) == value::of_objlnk(objlnk{3, 1}));
    // An Unsigned Integer that fits int64 reads back as one with the schema.
    CHECK(read(write_one(value::of_unsigned(5), P("/9000/0/2")), P("/9000/0/2")) == value::of_unsigned(5));
}

TEST_CASE("CBOR (Content-Format 60) write errors: nothing is written") {
    const record one{P("/9000/0/1"), value::of_integer(1), std::nullopt};
    CHECK(write_error(std::span<const record>{&one, 1}, P("/9000/0")) == E{errc::path_wrong_level, 0});
    CHECK(write_error(std::span<const record>{}, P("/9000/0/1")) == E{errc::invalid_argument, 0});
    const record two[] = {one, one};
    CHECK(write_error(two, P("/9000/0/1")) == E{errc::invalid_argument, 1});
    CHECK(write_error(std::span<const record>{&one, 1}, P("/9000/0/2")) == E{errc::invalid_argument, 0});
    const record untyped{P("/9000/0/1"), value::of_untyped(lwm2m::as_bytes("x")), std::nullopt};
    CHECK(write_error(std::span<const record>{&untyped, 1}, P("/9000/0/1")) == E{errc::type_mismatch, 0});
    const record bad_text{P("/9000/0/1"), value::of_string("a\xFF"), std::nullopt};
    CHECK(write_error(std::span<const record>{&bad_text, 1}, P("/9000/0/1")) == E{errc::invalid_utf8, 0});
    const record bad_base64{P("/9000/0/1"), value::of_opaque(lwm2m::as_bytes("AQI"), text_encoding::base64), std::nullopt};
    CHECK(write_error(std::span<const record>{&bad_base64, 1}, P("/9000/0/1")) == E{errc::invalid_base64, 0});
}

TEST_CASE("CBOR (Content-Format 60) through the codec: read_records, any_reader, write_records, convert") {
    const bytes payload = B({0xC1, 0x1A, 0x51, 0x82, 0x42, 0x8F});
    std::array<record, 2> out{};
    const auto n = lwm2m::format::read_records(content_format::cbor, payload, P("/3/0/13"), &schemas, out);
    REQUIRE(n.has_value());
    REQUIRE(*n == 1);
    CHECK(out[0].value == value::of_time(1367491215));
    auto reader = lwm2m::format::any_reader::open(content_format::cbor, payload, P("/3/0/13"), &schemas);
    REQUIRE(reader.has_value());
    auto first = reader->next();
    REQUIRE(first.has_value());
    REQUIRE(first->has_value());
    CHECK((*first)->value == value::of_time(1367491215));

    std::array<std::byte, 16> buf{};
    lwm2m::format::output_window w(buf);
    REQUIRE(lwm2m::format::write_records(content_format::cbor, std::span<const record>{out.data(), 1}, P("/3/0/13"), w));
    CHECK(bytes(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(w.finish().value())) == payload);

    // Plain text "100" for /3/0/9 to CBOR, and back.
    lwm2m::format::output_window c(buf);
    REQUIRE(lwm2m::format::convert(content_format::text, lwm2m::as_bytes("100"), content_format::cbor, P("/3/0/9"),
                                   &schemas, out, c));
    CHECK(bytes(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(c.finish().value())) == B({0x18, 0x64}));
    std::array<std::byte, 16> text{};
    lwm2m::format::output_window t(text);
    REQUIRE(lwm2m::format::convert(content_format::cbor, B({0x18, 0x64}), content_format::text, P("/3/0/9"), &schemas,
                                   out, t));
    CHECK(std::string(reinterpret_cast<const char*>(text.data()), t.finish().value()) == "100");
}

TEST_CASE("CBOR (Content-Format 60) write: Block2 windows of a long value are slices of the body") {
    const std::string long_text(300, 'x');
    const path r = P("/9000/0/0");
    const record rec{r, value::of_string(long_text), std::nullopt};
    const bytes whole = write(std::span<const record>{&rec, 1}, r);
    REQUIRE(whole.size() == 303);  // 0x79 0x01 0x2C, then the text
    CHECK(whole[0] == std::byte{0x79});
    for (std::size_t block : {16u, 32u, 64u}) {
        for (std::size_t skip = 0; skip < whole.size(); skip += block) {
            bytes window(block);
            lwm2m::format::output_window w(window, skip);
            REQUIRE(lwm2m::format::write_cbor_value(std::span<const record>{&rec, 1}, r, w));
            const std::size_t n = std::min(block, whole.size() - skip);
            CHECK(bytes(window.begin(), window.begin() + static_cast<std::ptrdiff_t>(n)) ==
                  bytes(whole.begin() + static_cast<std::ptrdiff_t>(skip),
                        whole.begin() + static_cast<std::ptrdiff_t>(skip + n)));
        }
    }
}
