#include <lwm2m/format/tlv.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <limits>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>
#include "../support/error_value.hpp"
#include "../support/byte_text.hpp"
#include "../support/sanitized.hpp"
#include "../support/test_schema.hpp"
#include "../support/tlv_generator.hpp"

namespace {

using lwm2m::bytes_view;
using lwm2m::data_type;
using lwm2m::errc;
using lwm2m::multiplicity;
using lwm2m::object_view;
using lwm2m::operations;
using lwm2m::path;
using lwm2m::resource_def;
using lwm2m::value;
using lwm2m::value_kind;
using lwm2m::value_range;
using lwm2m::format::record;
namespace tlv = lwm2m::format::tlv;

// ---- schemas (local: the generated OMA schemas live elsewhere) ----------------------------

using lwm2m::test::E;

using lwm2m::test::res;

using lwm2m::test::range;

// Device (3) with the resources the spec example uses (LwM2M 1.0 Appendix E.4).
constexpr auto device = lwm2m::make_object(
    lwm2m::object_info{3, "Device", {1, 0}, multiplicity::single, lwm2m::presence::mandatory, {}},
    res(0, data_type::string), res(1, data_type::string), res(2, data_type::string), res(3, data_type::string),
    res(4, data_type::none), res(5, data_type::none), res(6, data_type::integer, true, range(0, 7)),
    res(7, data_type::integer, true), res(8, data_type::integer, true), res(9, data_type::integer, false, range(0, 100)),
    res(10, data_type::integer), res(11, data_type::integer, true, range(0, 32)), res(12, data_type::none),
    res(13, data_type::time), res(14, data_type::string), res(15, data_type::string), res(16, data_type::string),
    res(17, data_type::string), res(18, data_type::string), res(19, data_type::string),
    res(20, data_type::integer, false, range(0, 6)), res(21, data_type::integer), res(22, data_type::objlnk, true));

// Access Control (2) (LwM2M 1.0 Appendix E.3).
constexpr auto acl = lwm2m::make_object(lwm2m::object_info{2, "Access Control", {1, 0}, multiplicity::multiple, {}, {}},
                                        res(0, data_type::integer, false, range(1, 65534)),
                                        res(1, data_type::integer, false, range(0, 65535)),
                                        res(2, data_type::integer, true, range(0, 65535)),
                                        res(3, data_type::integer, false, range(0, 65535)));

// Object with one resource of every type, single and multiple, 8- and 16-bit ids.
constexpr auto everything = lwm2m::make_object(
    lwm2m::object_info{9999, "Everything", {1, 0}, multiplicity::multiple, {}, {}}, res(0, data_type::string),
    res(1, data_type::integer), res(2, data_type::unsigned_integer), res(3, data_type::float_),
    res(4, data_type::boolean), res(5, data_type::opaque), res(6, data_type::time), res(7, data_type::objlnk),
    res(8, data_type::corelnk), res(9, data_type::none), res(20, data_type::integer, false, range(-10, 10)),
    res(300, data_type::integer, true), res(301, data_type::string, true), res(302, data_type::float_, true),
    res(303, data_type::opaque, true), res(304, data_type::unsigned_integer, true), res(305, data_type::boolean, true),
    res(306, data_type::objlnk, true), res(307, data_type::time, true), res(1000, data_type::string),
    res(5700, data_type::float_));

constexpr object_view schema_views[] = {device, acl, everything};
const lwm2m::schema_registry schemas{schema_views};

// ---- helpers ---------------------------------------------------------------------------------

using lwm2m::test::concat;  // support/byte_text.hpp
using lwm2m::test::hex;
using lwm2m::test::text_bytes;

path P(std::string_view text) { return lwm2m::parse_path(text).value(); }

struct decoded {
    std::vector<record> records;
    std::optional<E> error;
};

decoded read_all(bytes_view payload, const path& base, const lwm2m::schema_registry* reg = nullptr) {
    decoded d;
    lwm2m::format::tlv_reader reader(payload, base, reg);
    for (int guard = 0; guard < 1000000; ++guard) {
        auto r = reader.next();
        if (!r) {
            d.error = r.error();
            // sticky error
            auto again = reader.next();
            CHECK(!again.has_value());
            if (!again.has_value()) CHECK(again.error() == r.error());
            return d;
        }
        if (!*r) {
            CHECK(!reader.next().value().has_value()); // stays at the end
            return d;
        }
        d.records.push_back(**r);
    }
    FAIL("reader does not end");
    return d;
}

std::vector<record> read_ok(bytes_view payload, const path& base, const lwm2m::schema_registry* reg = nullptr) {
    auto d = read_all(payload, base, reg);
    if (d.error) FAIL_CHECK("unexpected error " << lwm2m::name(d.error->code) << " at " << d.error->offset);
    return d.records;
}

E read_error(bytes_view payload, const path& base, const lwm2m::schema_registry* reg = nullptr) {
    auto d = read_all(payload, base, reg);
    REQUIRE(d.error.has_value());
    return *d.error;
}

std::vector<std::byte> encode(std::span<const record> records, const path& base) {
    const auto size = lwm2m::format::tlv_size(records, base);
    REQUIRE(size.has_value());
    std::vector<std::byte> out(*size + 3);
    lwm2m::format::output_window w(out);
    REQUIRE(lwm2m::format::write_tlv(records, base, w).has_value());
    REQUIRE(w.finish().value() == *size);
    out.resize(*size);
    return out;
}

E encode_error(std::span<const record> records, const path& base) {
    std::array<std::byte, 64> buf{};
    lwm2m::format::output_window w(buf);
    const auto r = lwm2m::format::write_tlv(records, base, w);
    REQUIRE(!r.has_value());
    CHECK(w.total() == 0); // nothing written on error
    const auto s = lwm2m::format::tlv_size(records, base);
    REQUIRE(!s.has_value());
    CHECK(s.error() == r.error());
    return r.error();
}

std::string as_string(const value& v) {
    const auto b = v.encoded_bytes();
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

record rec(std::string_view p, value v) { return record{P(p), v, std::nullopt}; }

} // namespace

// ---- header -----------------------------------------------------------------------------------

// Header and value encodings are constexpr.
static_assert(tlv::header_size(310, 1) == 3);
static_assert(tlv::encode_header(tlv::entry_type::resource_instance, 310, 1).bytes[0] == std::byte{0x61});
static_assert(tlv::decode_header(tlv::encode_header(tlv::entry_type::resource, 5, 300).view()).error().code ==
              errc::length_exceeds_payload);
static_assert(tlv::encode_integer(-129).size == 2);
static_assert(tlv::encode_unsigned(200).size == 2);
static_assert(tlv::encode_float(22.5).size == 4 && tlv::encode_float(0.1).size == 8);
static_assert(tlv::decode_value(tlv::encode_integer(3800).view(), data_type::integer).value().as_integer() == 3800);

TEST_CASE("tlv header: every identifier and length form (LwM2M 1.0 §6.4.3)") {
    struct form {
        const char* hex;
        tlv::entry_type type;
        std::uint16_t id;
        std::size_t length;
        std::size_t size;
    };
    const form forms[] = {
        {"C3 03", tlv::entry_type::resource, 3, 3, 2},
        {"C8 00 14", tlv::entry_type::resource, 0, 20, 3},
        {"D0 2A 03 E8", tlv::entry_type::resource, 42, 1000, 4},
        {"D8 45 01 86 A0", tlv::entry_type::resource, 69, 100000, 5},
        {"E7 A4 10", tlv::entry_type::resource, 42000, 7, 3},
        {"F8 01 02 01 86 A0", tlv::entry_type::resource, 258, 100000, 6},
        {"61 01 36", tlv::entry_type::resource_instance, 310, 1, 3},
        {"88 07 08", tlv::entry_type::multiple_resource, 7, 8, 3},
        {"08 00 79", tlv::entry_type::object_instance, 0, 121, 3},
        {"20 00 05", tlv::entry_type::object_instance, 5, 0, 3},  // 16-bit form of a small id
        {"CF 01 02", tlv::entry_type::resource, 1, 2, 3},         // bits 2-0 ignored with a length field
        {"D7 01 00 02", tlv::entry_type::resource, 1, 2, 4},
        {"DF 01 00 00 02", tlv::entry_type::resource, 1, 2, 5},
    };
    for (const auto& f : forms) {
        CAPTURE(f.hex);
        auto bytes = hex(f.hex);
        bytes.resize(bytes.size() + f.length);
        const auto h = tlv::decode_header(bytes);
        REQUIRE(h.has_value());
        CHECK(h->type == f.type);
        CHECK(h->id == f.id);
        CHECK(h->length == f.length);
        CHECK(h->size == f.size);
    }
}

TEST_CASE("tlv header: truncation and over-long lengths") {
    CHECK(tlv::decode_header({}).error() == E{errc::truncated_value, 0});
    CHECK(tlv::decode_header(hex("C8")).error().code == errc::truncated_value);
    CHECK(tlv::decode_header(hex("C8 00")).error().code == errc::truncated_value);
    CHECK(tlv::decode_header(hex("E1 00")).error().code == errc::truncated_value);
    CHECK(tlv::decode_header(hex("F8 00 01 00 00")).error().code == errc::truncated_value);
    CHECK(tlv::decode_header(hex("C1 00")).error() == E{errc::length_exceeds_payload, 0});
    CHECK(tlv::decode_header(hex("C8 00 02 41")).error().code == errc::length_exceeds_payload);
    CHECK(tlv::decode_header(hex("C0 00")).has_value()); // empty value
}

TEST_CASE("tlv header: encoder picks the shortest form and decodes back") {
    CHECK(tlv::header_size(0, 0) == 2);
    CHECK(tlv::header_size(0, 7) == 2);
    CHECK(tlv::header_size(0, 8) == 3);
    CHECK(tlv::header_size(255, 255) == 3);
    CHECK(tlv::header_size(256, 256) == 5);
    CHECK(tlv::header_size(65534, 65536) == 6);
    const std::uint16_t ids[] = {0, 1, 7, 255, 256, 310, 4095, 65534, 65535};
    const std::size_t lengths[] = {0, 1, 7, 8, 255, 256, 65535, 65536, 0xFFFFFF};
    const tlv::entry_type types[] = {tlv::entry_type::object_instance, tlv::entry_type::resource_instance,
                                     tlv::entry_type::multiple_resource, tlv::entry_type::resource};
    for (auto t : types)
        for (auto id : ids)
            for (auto len : lengths) {
                const auto h = tlv::encode_header(t, id, len);
                CHECK(h.size == tlv::header_size(id, len));
                std::vector<std::byte> buf(std::size_t{h.size} + len);
                std::copy(h.view().begin(), h.view().end(), buf.begin());
                const auto d = tlv::decode_header(buf);
                REQUIRE(d.has_value());
                CHECK(d->type == t);
                CHECK(d->id == id);
                CHECK(d->length == len);
                CHECK(d->size == h.size);
            }
    const auto manufacturer = tlv::encode_header(tlv::entry_type::resource, 0, 20);
    CHECK(std::vector<std::byte>(manufacturer.view().begin(), manufacturer.view().end()) == hex("C8 00 14"));
    const auto h = tlv::encode_header(tlv::entry_type::resource_instance, 310, 1);
    CHECK(std::vector<std::byte>(h.view().begin(), h.view().end()) == hex("61 01 36"));
}

// ---- value encodings --------------------------------------------------------------------------

TEST_CASE("tlv values: integers of every width, negative, and the int64 limits") {
    struct tc {
        std::int64_t v;
        const char* hex;
    };
    const tc cases[] = {
        {0, "00"},
        {1, "01"},
        {127, "7F"},
        {-1, "FF"},
        {-128, "80"},
        {128, "00 80"},
        {-129, "FF 7F"},
        {3800, "0E D8"},
        {32767, "7F FF"},
        {-32768, "80 00"},
        {32768, "00 00 80 00"},
        {1367491215, "51 82 42 8F"},
        {2147483647, "7F FF FF FF"},
        {-2147483648LL, "80 00 00 00"},
        {2147483648LL, "00 00 00 00 80 00 00 00"},
        {-2147483649LL, "FF FF FF FF 7F FF FF FF"},
        {std::numeric_limits<std::int64_t>::max(), "7F FF FF FF FF FF FF FF"},
        {std::numeric_limits<std::int64_t>::min(), "80 00 00 00 00 00 00 00"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.v);
        const auto e = tlv::encode_integer(c.v);
        CHECK(std::vector<std::byte>(e.view().begin(), e.view().end()) == hex(c.hex));
        const auto d = tlv::decode_value(e.view(), data_type::integer);
        REQUIRE(d.has_value());
        CHECK(d->as_integer() == c.v);
        const auto t = tlv::decode_value(e.view(), data_type::time);
        REQUIRE(t.has_value());
        CHECK(t->kind() == value_kind::time);
        CHECK(t->as_time() == c.v);
    }
    // lengths other than 1, 2, 4, 8
    CHECK(tlv::decode_value(hex("00 00 01"), data_type::integer).error().code == errc::invalid_integer_length);
    CHECK(tlv::decode_value({}, data_type::integer).error().code == errc::invalid_integer_length);
    CHECK(tlv::decode_value(hex("00 00 00 00 00 00 00 00 01"), data_type::integer).error().code ==
          errc::invalid_integer_length);
}

TEST_CASE("tlv values: unsigned integers keep the top bit clear when they can") {
    struct tc {
        std::uint64_t v;
        const char* hex;
    };
    const tc cases[] = {
        {0, "00"},
        {127, "7F"},
        {200, "00 C8"},
        {65535, "00 00 FF FF"},
        {4294967295ULL, "00 00 00 00 FF FF FF FF"},
        {9223372036854775807ULL, "7F FF FF FF FF FF FF FF"},
        {18446744073709551615ULL, "FF FF FF FF FF FF FF FF"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.v);
        const auto e = tlv::encode_unsigned(c.v);
        CHECK(std::vector<std::byte>(e.view().begin(), e.view().end()) == hex(c.hex));
        CHECK(tlv::decode_value(e.view(), data_type::unsigned_integer)->as_unsigned() == c.v);
        if (c.v <= 9223372036854775807ULL)
            CHECK(tlv::decode_value(e.view(), data_type::integer)->as_integer() == static_cast<std::int64_t>(c.v));
    }
    // a peer's shortest unsigned form still reads as unsigned
    CHECK(tlv::decode_value(hex("FF FF FF FF"), data_type::unsigned_integer)->as_unsigned() == 4294967295ULL);
}

TEST_CASE("tlv values: floats take 4 bytes when exact, else 8") {
    const auto f = tlv::encode_float(22.5);
    CHECK(std::vector<std::byte>(f.view().begin(), f.view().end()) == hex("41 B4 00 00"));
    CHECK(tlv::decode_value(f.view(), data_type::float_)->as_float() == 22.5);
    const auto one = tlv::encode_float(1.0);
    CHECK(std::vector<std::byte>(one.view().begin(), one.view().end()) == hex("3F 80 00 00"));
    const auto d = tlv::encode_float(1.1);
    CHECK(std::vector<std::byte>(d.view().begin(), d.view().end()) == hex("3F F1 99 99 99 99 99 9A"));
    CHECK(tlv::decode_value(d.view(), data_type::float_)->as_float() == 1.1);
    CHECK(tlv::encode_float(-42.0e3).size == 4);
    CHECK(tlv::encode_float(1e300).size == 8);
    CHECK(tlv::encode_float(std::numeric_limits<double>::infinity()).size == 4);
    // A NaN keeps its payload: 4 bytes when binary32 can carry it, else 8.
    const auto nan = tlv::encode_float(std::numeric_limits<double>::quiet_NaN());
    CHECK(std::vector<std::byte>(nan.view().begin(), nan.view().end()) == hex("7F C0 00 00"));
    const auto nan_in = tlv::decode_value(hex("FF FF FF 4B"), data_type::float_);
    const auto nan_out = tlv::encode_float(nan_in->as_float());
    CHECK(std::vector<std::byte>(nan_out.view().begin(), nan_out.view().end()) == hex("FF FF FF 4B"));
    CHECK(tlv::encode_float(std::bit_cast<double>(std::uint64_t{0x7FF8000000000001})).size == 8);
    CHECK(tlv::encode_float(std::numeric_limits<double>::denorm_min()).size == 8);
    CHECK(tlv::encode_float(static_cast<double>(std::numeric_limits<float>::denorm_min())).size == 4);
    const auto neg_zero = tlv::encode_float(-0.0);
    CHECK(neg_zero.size == 4);
    CHECK(std::signbit(tlv::decode_value(neg_zero.view(), data_type::float_)->as_float()));
    CHECK(tlv::decode_value(hex("3F 80 00"), data_type::float_).error().code == errc::invalid_float_length);
}

TEST_CASE("tlv values: booleans, object links, strings, none") {
    CHECK(tlv::encode_boolean(true).view()[0] == std::byte{1});
    CHECK(tlv::encode_boolean(false).size == 1);
    CHECK(tlv::decode_value(hex("01"), data_type::boolean)->as_boolean());
    CHECK(tlv::decode_value(hex("02"), data_type::boolean).error().code == errc::invalid_boolean);
    CHECK(tlv::decode_value(hex("00 00"), data_type::boolean).error().code == errc::invalid_boolean);
    const auto l = tlv::encode_objlnk(lwm2m::objlnk{66, 0});
    CHECK(std::vector<std::byte>(l.view().begin(), l.view().end()) == hex("00 42 00 00"));
    const auto null = tlv::decode_value(hex("FF FF FF FF"), data_type::objlnk);
    CHECK(null->as_objlnk().is_null());
    CHECK(tlv::decode_value(hex("00 42 00"), data_type::objlnk).error().code == errc::invalid_objlnk);
    CHECK(tlv::decode_value(hex("C3 28"), data_type::string).error().code == errc::invalid_utf8);
    CHECK(as_string(*tlv::decode_value(text_bytes("h\xC3\xA9"), data_type::string)) == "h\xC3\xA9");
    CHECK(tlv::decode_value({}, data_type::none)->kind() == value_kind::none);
    CHECK(tlv::decode_value(hex("00"), data_type::none).error().code == errc::type_mismatch);
    CHECK(tlv::encoded_value_size(value::of_none()).value() == 0);
    CHECK(tlv::encoded_value_size(value::of_string("abc")).value() == 3);
    CHECK(tlv::encoded_value_size(value::of_string("a\\u0042", lwm2m::text_encoding::json_escaped)).value() == 2);
    CHECK(tlv::encoded_value_size(value::of_string("a\\x", lwm2m::text_encoding::json_escaped)).error().code ==
          errc::invalid_json);
}

// ---- the hand-checked examples of SPEC-NOTES §2 -----------------------------------------------

TEST_CASE("tlv example 1: a single resource, Manufacturer (LwM2M 1.0 §6.4.3)") {
    const auto payload = concat({hex("C8 00 14"), text_bytes("Open Mobile Alliance")});
    REQUIRE(payload.size() == 23);
    for (const auto* reg : {static_cast<const lwm2m::schema_registry*>(nullptr), &schemas}) {
        const auto rs = read_ok(payload, P("/3/0"), reg);
        REQUIRE(rs.size() == 1);
        CHECK(rs[0].path == P("/3/0/0"));
        CHECK(as_string(rs[0].value) == "Open Mobile Alliance");
        CHECK(rs[0].value.kind() == (reg ? value_kind::string : value_kind::untyped));
        CHECK(!rs[0].time.has_value());
        // the same payload for a Read of the resource itself
        const auto single = read_ok(payload, P("/3/0/0"), reg);
        REQUIRE(single.size() == 1);
        CHECK(single[0] == rs[0]);
    }
    const record r = rec("/3/0/0", value::of_string("Open Mobile Alliance"));
    CHECK(encode({&r, 1}, P("/3/0")) == payload);
    CHECK(encode({&r, 1}, P("/3/0/0")) == payload);
}

TEST_CASE("tlv example 2: multiple resource Power Source Voltage {0: 3800, 1: 5000}") {
    const auto payload = hex("88 07 08 42 00 0E D8 42 01 13 88");
    for (const auto& base : {P("/3/0"), P("/3/0/7")}) {
        const auto rs = read_ok(payload, base, &schemas);
        REQUIRE(rs.size() == 2);
        CHECK(rs[0].path == P("/3/0/7/0"));
        CHECK(rs[0].value == value::of_integer(3800));
        CHECK(rs[1].path == P("/3/0/7/1"));
        CHECK(rs[1].value == value::of_integer(5000));
        CHECK(encode(rs, base) == payload);
        // without a schema the bytes are kept for a later coerce
        const auto raw = read_ok(payload, base);
        REQUIRE(raw.size() == 2);
        CHECK(raw[0].value.kind() == value_kind::untyped);
        CHECK(lwm2m::coerce(raw[1].value, data_type::integer).value() == value::of_integer(5000));
    }
    // one instance is still a Multiple Resource TLV
    const record one = rec("/3/0/7/1", value::of_integer(5000));
    CHECK(encode({&one, 1}, P("/3/0")) == hex("84 07 42 01 13 88"));
    CHECK(encode({&one, 1}, P("/3/0/7")) == hex("84 07 42 01 13 88"));
    // a Read of one resource instance
    CHECK(encode({&one, 1}, P("/3/0/7/1")) == hex("42 01 13 88"));
    const auto ri = read_ok(hex("42 01 13 88"), P("/3/0/7/1"), &schemas);
    REQUIRE(ri.size() == 1);
    CHECK(ri[0] == one);
}

TEST_CASE("tlv example 3: 16-bit resource instance id (ACL 310 = 1)") {
    const auto payload = hex("61 01 36 01");
    const auto rs = read_ok(payload, P("/2/0/2/310"), &schemas);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].path == P("/2/0/2/310"));
    CHECK(rs[0].value == value::of_integer(1));
    const record r = rec("/2/0/2/310", value::of_integer(1));
    CHECK(encode({&r, 1}, P("/2/0/2/310")) == payload);
    CHECK(encode({&r, 1}, P("/2/0/2")) == hex("84 02 61 01 36 01"));
    // bare resource instances at /O/I/R, as Leshan and Anjay accept
    const auto bare = read_ok(hex("41 7F 07 61 01 36 01"), P("/2/0/2"), &schemas);
    REQUIRE(bare.size() == 2);
    CHECK(bare[0] == rec("/2/0/2/127", value::of_integer(7)));
    CHECK(bare[1] == r);
}

// ---- the full Device example -------------------------------------------------------------------

namespace {

std::vector<std::byte> device_payload() {
    return concat({hex("C8 00 14"), text_bytes("Open Mobile Alliance"), hex("C8 01 16"),
                   text_bytes("Lightweight M2M Client"), hex("C8 02 09"), text_bytes("345000123"), hex("C3 03"),
                   text_bytes("1.0"), hex("86 06 41 00 01 41 01 05"), hex("88 07 08 42 00 0E D8 42 01 13 88"),
                   hex("87 08 41 00 7D 42 01 03 84"), hex("C1 09 64"), hex("C1 0A 0F"), hex("83 0B 41 00 00"),
                   hex("C4 0D 51 82 42 8F"), hex("C6 0E"), text_bytes("+02:00"), hex("C1 10 55")});
}

std::vector<record> device_records() {
    return {
        rec("/3/0/0", value::of_string("Open Mobile Alliance")),
        rec("/3/0/1", value::of_string("Lightweight M2M Client")),
        rec("/3/0/2", value::of_string("345000123")),
        rec("/3/0/3", value::of_string("1.0")),
        rec("/3/0/6/0", value::of_integer(1)),
        rec("/3/0/6/1", value::of_integer(5)),
        rec("/3/0/7/0", value::of_integer(3800)),
        rec("/3/0/7/1", value::of_integer(5000)),
        rec("/3/0/8/0", value::of_integer(125)),
        rec("/3/0/8/1", value::of_integer(900)),
        rec("/3/0/9", value::of_integer(100)),
        rec("/3/0/10", value::of_integer(15)),
        rec("/3/0/11/0", value::of_integer(0)),
        rec("/3/0/13", value::of_time(1367491215)),
        rec("/3/0/14", value::of_string("+02:00")),
        rec("/3/0/16", value::of_string("U")),
    };
}

} // namespace

TEST_CASE("tlv Device GET /3/0: the 121-byte example of LwM2M 1.0 §6.4.3.1, every value") {
    const auto payload = device_payload();
    REQUIRE(payload.size() == 121);
    const auto rs = read_ok(payload, P("/3/0"), &schemas);
    const auto expected = device_records();
    REQUIRE(rs.size() == expected.size());
    for (std::size_t i = 0; i < rs.size(); ++i) {
        CAPTURE(rs[i].path.text().view());
        CHECK(rs[i] == expected[i]);
    }
    CHECK(as_string(rs[1].value) == "Lightweight M2M Client");
    CHECK(rs[10].value.as_integer() == 100);
    CHECK(rs[13].value.kind() == value_kind::time);
    CHECK(rs[13].value.as_time() == 1367491215);
    CHECK(as_string(rs[15].value) == "U");
    // values view the payload
    CHECK(rs[0].value.encoded_bytes().data() == payload.data() + 3);

    // encoding the same records gives the same 121 bytes
    CHECK(encode(expected, P("/3/0")) == payload);
    // GET /3 wraps them in one Object Instance TLV: 08 00 79
    const auto wrapped = concat({hex("08 00 79"), payload});
    CHECK(encode(expected, P("/3")) == wrapped);
    CHECK(read_ok(wrapped, P("/3"), &schemas) == expected);
    // Leshan also accepts the wrapped form for /3/0
    CHECK(read_ok(wrapped, P("/3/0"), &schemas) == expected);

    // without a schema every value is untyped and coerces to the schema type
    const auto raw = read_ok(payload, P("/3/0"));
    REQUIRE(raw.size() == expected.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        CHECK(raw[i].path == expected[i].path);
        CHECK(raw[i].value.kind() == value_kind::untyped);
        const auto* def = schemas.find_resource(raw[i].path);
        REQUIRE(def != nullptr);
        CHECK(lwm2m::coerce(raw[i].value, def->type).value() == expected[i].value);
    }
}

TEST_CASE("tlv Device example in Block2 windows of every size") {
    const auto expected = device_records();
    const auto whole = encode(expected, P("/3"));
    for (std::size_t block : {16u, 32u, 64u, 1024u}) {
        std::vector<std::byte> joined;
        for (std::size_t num = 0;; ++num) {
            std::vector<std::byte> buf(block);
            lwm2m::format::output_window w(buf, num * block);
            REQUIRE(lwm2m::format::write_tlv(expected, P("/3"), w).has_value());
            CHECK(w.total() == whole.size());
            const auto n = w.written();
            joined.insert(joined.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
            if (!w.overflowed()) break;
        }
        CHECK(joined == whole);
    }
    // a whole-body buffer too small reports the size needed
    std::array<std::byte, 10> small{};
    lwm2m::format::output_window w(small);
    REQUIRE(lwm2m::format::write_tlv(expected, P("/3/0"), w).has_value());
    CHECK(w.finish().error() == E{errc::buffer_too_small, 121});
}

TEST_CASE("tlv GET /2: two Access Control instances, 16-bit resource instance id (LwM2M 1.0 §6.4.3.2)") {
    const auto payload = hex("08 00 0E C1 00 01 C1 01 00 83 02 41 7F 07 C1 03 7F "
                             "08 02 12 C1 00 03 C1 01 00 87 02 41 7F 07 61 01 36 01 C1 03 7F");
    const std::vector<record> expected = {
        rec("/2/0/0", value::of_integer(1)),     rec("/2/0/1", value::of_integer(0)),
        rec("/2/0/2/127", value::of_integer(7)), rec("/2/0/3", value::of_integer(127)),
        rec("/2/2/0", value::of_integer(3)),     rec("/2/2/1", value::of_integer(0)),
        rec("/2/2/2/127", value::of_integer(7)), rec("/2/2/2/310", value::of_integer(1)),
        rec("/2/2/3", value::of_integer(127)),
    };
    CHECK(read_ok(payload, P("/2"), &schemas) == expected);
    CHECK(encode(expected, P("/2")) == payload);
    // one instance of a multi-instance object read at /2 still gets its Object Instance TLV
    const auto first = std::span<const record>(expected).first(4);
    CHECK(encode(first, P("/2")) == hex("08 00 0E C1 00 01 C1 01 00 83 02 41 7F 07 C1 03 7F"));
}

TEST_CASE("tlv object links, single and multiple (Objlnk, LwM2M 1.0 Appendix C)") {
    lwm2m::schema_registry reg{schema_views};
    const auto rs = read_ok(hex("88 16 0C 44 00 00 42 00 00 44 01 00 42 00 01"), P("/3/0"), &reg);
    REQUIRE(rs.size() == 2);
    CHECK(rs[0] == rec("/3/0/22/0", value::of_objlnk({66, 0})));
    CHECK(rs[1] == rec("/3/0/22/1", value::of_objlnk({66, 1})));
    CHECK(encode(rs, P("/3/0")) == hex("88 16 0C 44 00 00 42 00 00 44 01 00 42 00 01"));
    const auto null = read_ok(hex("C4 07 FF FF FF FF"), P("/9999/0"), &reg);
    REQUIRE(null.size() == 1);
    CHECK(null[0].value.as_objlnk().is_null());
    CHECK(encode(null, P("/9999/0")) == hex("C4 07 FF FF FF FF"));
}

// ---- structure ---------------------------------------------------------------------------------

TEST_CASE("tlv structure: empty payloads, empty containers") {
    CHECK(read_ok({}, P("/3/0")).empty());
    CHECK(read_ok({}, P("/3/0"), &schemas).empty());
    CHECK(read_ok({}, P("/2")).empty());
    CHECK(read_ok({}, P("/3/0/7"), &schemas).empty());  // a multiple resource: no instances
    CHECK(read_ok({}, P("/3/0/7")).empty());            // unknown: same
    CHECK(read_ok(hex("80 07"), P("/3/0"), &schemas).empty());  // Multiple Resource with 0 instances
    CHECK(read_ok(hex("80 07"), P("/3/0/7"), &schemas).empty());
    CHECK(read_ok(hex("00 00"), P("/3/0")).empty());  // empty wrapping instance
    // an empty Object Instance TLV at /O is an instance record
    const auto instances = hex("00 01 00 02 03 04 C1 00 01");
    const auto rs = read_ok(instances, P("/2")); // untyped values view `instances`
    REQUIRE(rs.size() == 3);
    CHECK(rs[0] == rec("/2/1", value::of_none()));
    CHECK(rs[1] == rec("/2/2", value::of_none()));
    CHECK(rs[2].path == P("/2/4/0"));
    CHECK(encode(rs, P("/2")) == hex("00 01 00 02 03 04 C1 00 01"));
    // an instance record followed by its resources is just the instance
    const std::vector<record> with_resources = {rec("/2/4", value::of_none()), rec("/2/4/0", value::of_integer(1))};
    CHECK(encode(with_resources, P("/2")) == hex("03 04 C1 00 01"));
    // nothing to write at /O/I for the instance itself
    const record inst = rec("/2/4", value::of_none());
    CHECK(encode({&inst, 1}, P("/2/4")).empty());
    CHECK(encode({}, P("/2")).empty());
}

TEST_CASE("tlv structure: all header forms are read, records keep payload order") {
    // 16-bit id form of small ids, over-long length forms, ignored bits 2-0
    const auto payload = hex("E1 00 05 01 CF 06 01 02 D7 01 00 01 2A");
    const auto rs = read_ok(payload, P("/9999/0"), &schemas);
    REQUIRE(rs.size() == 3);
    CHECK(rs[0] == rec("/9999/0/5", value::of_opaque(bytes_view{payload.data() + 3, 1})));
    CHECK(rs[1] == rec("/9999/0/6", value::of_time(2)));
    CHECK(rs[2] == rec("/9999/0/1", value::of_integer(42)));
    // ids out of order are fine
    const auto unordered = read_ok(hex("C1 0A 0F C1 09 64"), P("/3/0"), &schemas);
    REQUIRE(unordered.size() == 2);
    CHECK(unordered[0].path == P("/3/0/10"));
    CHECK(unordered[1].path == P("/3/0/9"));
    // 16-bit resource ids and 24-bit lengths
    std::vector<std::byte> big = hex("F8 03 E8 01 00 00");
    big.resize(big.size() + 65536, std::byte{'x'});
    const auto b = read_ok(big, P("/9999/1"), &schemas);
    REQUIRE(b.size() == 1);
    CHECK(b[0].path == P("/9999/1/1000"));
    CHECK(b[0].value.encoded_bytes().size() == 65536);
    CHECK(encode(b, P("/9999/1")) == big);
}

// ---- errors ------------------------------------------------------------------------------------

TEST_CASE("tlv errors: truncated headers and lengths beyond the payload or the container") {
        CHECK(read_error(hex("C8 00"), P("/3/0")) == E{errc::truncated_value, 0});
    CHECK(read_error(hex("C1 00 01 E1 00"), P("/3/0")) == E{errc::truncated_value, 3});
    CHECK(read_error(hex("08 00 01 C1"), P("/3")) == E{errc::truncated_value, 3});
    CHECK(read_error(hex("C8 00 05 41 42"), P("/3/0")) == E{errc::length_exceeds_payload, 0});
    CHECK(read_error(hex("C1 00 01 C2 01 05"), P("/3/0")) == E{errc::length_exceeds_payload, 3});
    CHECK(read_error(hex("08 00 02 C1 00 05 C1 01 01"), P("/3")) == E{errc::length_exceeds_payload, 3});
    CHECK(read_error(hex("82 06 41 00 01"), P("/3/0")) == E{errc::length_exceeds_payload, 2});
    CHECK(read_error(hex("08 00 09 C1 00 01"), P("/3")) == E{errc::length_exceeds_payload, 0});
    // a value is required
    CHECK(read_error({}, P("/3/0/7/0")) == E{errc::truncated_value, 0});
    CHECK(read_error({}, P("/3/0/9"), &schemas) == E{errc::truncated_value, 0});
}

TEST_CASE("tlv errors: nesting against the base path and the format") {
        const auto nesting = [](std::size_t at) { return E{errc::invalid_nesting, at}; };
    CHECK(read_error(hex("41 00 01"), P("/3/0")) == nesting(0));             // resource instance outside MR
    CHECK(read_error(hex("C1 00 01"), P("/3")) == nesting(0));               // resource at object level
    CHECK(read_error(hex("02 00 00 01"), P("/3")) == nesting(2));            // instance inside instance
    CHECK(read_error(hex("86 06 C1 00 01 41 01 05"), P("/3/0")) == nesting(2)); // resource inside MR
    CHECK(read_error(hex("85 06 80 00 41 01 05"), P("/3/0")) == nesting(2));    // MR inside MR
    CHECK(read_error(hex("03 01 C1 00 01"), P("/3/0")) == nesting(0));       // instance id differs from base
    CHECK(read_error(hex("03 00 C1 00 01 C1 01 01"), P("/3/0")) == nesting(0)); // wrapper not alone
    CHECK(read_error(hex("C1 01 01 03 00 C1 00 01"), P("/3/0")) == nesting(3)); // wrapper after a resource
    CHECK(read_error(hex("C1 00 01"), P("/3/0/1")) == nesting(0));           // resource id differs
    CHECK(read_error(hex("83 06 41 00 01"), P("/3/0/7")) == nesting(0));     // MR id differs
    CHECK(read_error(hex("C1 00 01 C1 00 01"), P("/3/0/0")) == nesting(3));  // two resources
    CHECK(read_error(hex("03 00 C1 00 01"), P("/3/0/0")) == nesting(0));     // instance at resource level
    CHECK(read_error(hex("41 00 01 C1 07 01"), P("/3/0/7")) == nesting(3));  // bare instances then a resource
    CHECK(read_error(hex("84 07 42 01 13 88 41 00 01"), P("/3/0/7")) == nesting(6));
    CHECK(read_error(hex("41 01 05"), P("/3/0/7/0")) == nesting(0));         // instance id differs
    CHECK(read_error(hex("C1 07 05"), P("/3/0/7/0")) == nesting(0));         // not a resource instance
    CHECK(read_error(hex("41 00 01 41 01 05"), P("/3/0/7/0")) == nesting(3)); // two instances
    // with a schema: single vs multiple
    CHECK(read_error(hex("80 00"), P("/3/0"), &schemas) == nesting(0));      // MR for a single resource
    CHECK(read_ok(hex("80 00"), P("/3/0")).empty());                         // fine without schema
    CHECK(read_error(hex("C1 06 01"), P("/3/0"), &schemas) == nesting(0));   // resource for a multiple one
    CHECK(read_error(hex("C1 06 01"), P("/3/0/6"), &schemas) == nesting(0));
    CHECK(read_error(hex("41 00 01"), P("/3/0/9"), &schemas) == nesting(0)); // bare instance, single resource
    CHECK(read_error(hex("80 09"), P("/3/0/9"), &schemas) == nesting(0));
    CHECK(read_error(hex("41 00 01"), P("/3/0/9/0"), &schemas) == nesting(0)); // base RI of a single resource
    CHECK(read_error({}, P("/3/0/9/0"), &schemas) == nesting(0));
    // the root cannot be read as TLV
    CHECK(read_error(hex("C1 00 01"), path{}) == E{errc::path_wrong_level, 0});
}

TEST_CASE("tlv errors: duplicate ids in one container, reserved id 65535") {
        CHECK(read_error(hex("C1 00 01 C1 00 02"), P("/3/0")) == E{errc::duplicate_entry, 3});
    CHECK(read_error(hex("C1 01 01 C1 00 01 C1 01 02"), P("/3/0")) == E{errc::duplicate_entry, 6});
    CHECK(read_error(hex("00 00 00 00"), P("/3")) == E{errc::duplicate_entry, 2});
    CHECK(read_error(hex("86 07 41 00 01 41 00 02"), P("/3/0")) == E{errc::duplicate_entry, 5});
    CHECK(read_error(hex("41 00 01 41 00 02"), P("/3/0/7")) == E{errc::duplicate_entry, 3});
    CHECK(read_error(hex("83 07 41 00 01 80 07"), P("/3/0")) == E{errc::duplicate_entry, 5});
    // the same ids in different containers are fine
    CHECK(read_ok(hex("03 00 C1 00 01 03 01 C1 00 01"), P("/2")).size() == 2);
    CHECK(read_ok(hex("86 06 41 00 01 41 01 05 86 07 41 00 01 41 01 05"), P("/3/0")).size() == 4);
    CHECK(read_ok(hex("C1 02 01 C1 00 01 C1 01 01"), P("/3/0")).size() == 3);
    // 65535 is reserved at every level
    CHECK(read_error(hex("E1 FF FF 01"), P("/3/0")) == E{errc::path_id_out_of_range, 0});
    CHECK(read_error(hex("20 FF FF 00"), P("/3")) == E{errc::path_id_out_of_range, 0});
    CHECK(read_error(hex("84 07 61 FF FF 01"), P("/3/0")) == E{errc::path_id_out_of_range, 2});
    CHECK(read_ok(hex("E1 FF FE 01"), P("/3/0")).at(0).path == P("/3/0/65534"));
}

TEST_CASE("tlv duplicate check: complete for ordered ids, linear for any order") {
    const auto entry = [](std::vector<std::byte>& p, unsigned id) {
        p.push_back(std::byte{0xE0}); // resource, 16-bit id, empty value
        p.push_back(static_cast<std::byte>(id >> 8));
        p.push_back(static_cast<std::byte>(id & 0xFF));
    };
    // descending ids, then a duplicate from the middle: found
    std::vector<std::byte> descending;
    for (unsigned id = 3000; id-- > 0;) entry(descending, id);
    CHECK(read_ok(descending, P("/3/0")).size() == 3000);
    entry(descending, 1500);
    CHECK(read_error(descending, P("/3/0")) == E{errc::duplicate_entry, 3 * 3000});
    // ids that alternate low/high defeat the min/max shortcut; the rescans stay within budget
    std::vector<std::byte> alternating;
    for (unsigned i = 0; i < 65534 / 2; ++i) {
        entry(alternating, i);
        entry(alternating, 65534 - i);
    }
    CHECK(read_ok(alternating, P("/3/0")).size() == 65534);
    // a small unordered payload is fully checked
    std::vector<std::byte> small;
    for (unsigned id : {5u, 1u, 9u, 3u, 7u, 4u, 8u, 3u}) entry(small, id);
    CHECK(read_error(small, P("/3/0")) == E{errc::duplicate_entry, 21});
}

TEST_CASE("tlv errors: schema lookups and values, at the value offset") {
        CHECK(read_error(hex("C1 63 01"), P("/3/0"), &schemas) == E{errc::resource_not_in_schema, 0});
    CHECK(read_error(hex("C1 63 01"), P("/3/0/99"), &schemas) == E{errc::resource_not_in_schema, 0});
    CHECK(read_error(hex("C1 00 01 C1 63 01"), P("/3/0"), &schemas) == E{errc::resource_not_in_schema, 3});
    CHECK(read_ok(hex("C1 63 01"), P("/3/0")).size() == 1);        // no schema: no check
    CHECK(read_ok(hex("C1 63 01"), P("/4/0"), &schemas).size() == 1); // unknown object: untyped
    CHECK(read_error(hex("C3 09 00 00 01"), P("/3/0"), &schemas) == E{errc::invalid_integer_length, 2});
    CHECK(read_error(hex("C1 09 65"), P("/3/0"), &schemas) == E{errc::number_out_of_range, 2});
    CHECK(read_error(hex("86 0B 41 00 21 41 01 00"), P("/3/0"), &schemas) == E{errc::number_out_of_range, 4});
    CHECK(read_error(hex("E3 16 44 00 00 00"), P("/9999/0"), &schemas) == E{errc::invalid_float_length, 3});
    CHECK(read_error(hex("C1 04 02"), P("/9999/0"), &schemas) == E{errc::invalid_boolean, 2});
    CHECK(read_error(hex("C3 07 00 00 00"), P("/9999/0"), &schemas) == E{errc::invalid_objlnk, 2});
    CHECK(read_error(hex("C3 00 41 FF 42"), P("/9999/0"), &schemas) == E{errc::invalid_utf8, 3});
    CHECK(read_error(hex("C1 09 00"), P("/9999/0"), &schemas) == E{errc::type_mismatch, 2});
    CHECK(read_error(hex("C1 14 0B"), P("/9999/0"), &schemas) == E{errc::number_out_of_range, 2});
    const auto exec = read_ok(hex("C0 09"), P("/9999/0"), &schemas);
    REQUIRE(exec.size() == 1);
    CHECK(exec[0] == rec("/9999/0/9", value::of_none()));
}

// The reader decodes Integer, Time and String values inline and checks their ranges itself;
// every other type goes through tlv::decode_value. Both must agree with the general rule,
// `coerce` of the untyped bytes then `check_range`, value for value and error for error.
namespace {
constexpr auto ranged = lwm2m::make_object(
    lwm2m::object_info{9998, "Ranged", {1, 0}, multiplicity::multiple, {}, {}}, res(0, data_type::string),
    res(1, data_type::string, false, range(2, 5)), res(2, data_type::integer), res(3, data_type::integer, false, range(-100, 300)),
    res(4, data_type::time), res(5, data_type::time, false, range(0, 1e9)), res(6, data_type::unsigned_integer, false, range(0, 1000)),
    res(7, data_type::float_, false, range(-1, 1)), res(8, data_type::boolean), res(9, data_type::objlnk),
    res(10, data_type::opaque, false, range(1, 3)), res(11, data_type::corelnk), res(12, data_type::none),
    res(13, data_type::integer, true, range(0, 7)), res(14, data_type::string, true));
constexpr object_view ranged_views[] = {ranged};
const lwm2m::schema_registry ranged_schemas{ranged_views};
} // namespace

TEST_CASE("tlv reader: inline value decoding agrees with coerce and check_range (differential)") {
    std::mt19937_64 rng{0x7e57u};
    const auto below = [&](std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng); };
    const char* const utf8_pieces[] = {"a", "Z", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xC0\xAF", "\xED\xA0\x80",
                                       "\xF4\x90\x80\x80", "\x80", "\xC3", "\xFF", "\x7F", "\xE2\x82"};
    int typed_ok = 0, typed_errors = 0;
    for (int iteration = 0; iteration < 20000; ++iteration) {
        const auto& def = ranged.resources[below(ranged.resources.size())];
        CAPTURE(def.id);
        std::vector<std::byte> value_bytes;
        if (below(2) == 0) {  // text-like: ASCII mostly, with valid and invalid UTF-8 pieces
            const std::size_t pieces = below(14);
            for (std::size_t k = 0; k < pieces; ++k) {
                const std::string_view piece = below(4) == 0 ? utf8_pieces[below(std::size(utf8_pieces))] : "x";
                for (char c : piece) value_bytes.push_back(static_cast<std::byte>(c));
            }
        } else {  // binary: every length up to 9, lengths 1/2/4/8 often
            const std::size_t lengths[] = {0, 1, 2, 3, 4, 5, 8, 9, 1, 2, 4, 8};
            const std::size_t n = lengths[below(std::size(lengths))];
            for (std::size_t k = 0; k < n; ++k)
                value_bytes.push_back(static_cast<std::byte>(below(4) == 0 ? below(256) : below(3) == 0 ? 0xFF : below(2)));
        }
        if (value_bytes.size() > 255) continue;
        std::vector<std::byte> payload;
        std::size_t value_at = 0;
        if (def.is_multiple()) {  // one instance inside a Multiple Resource TLV
            const std::size_t inner = 3 + value_bytes.size();
            payload = {std::byte{0x88}, static_cast<std::byte>(def.id), static_cast<std::byte>(inner), std::byte{0x48}, std::byte{0x00},
                       static_cast<std::byte>(value_bytes.size())};
            value_at = 6;
        } else {
            payload = {std::byte{0xC8}, static_cast<std::byte>(def.id), static_cast<std::byte>(value_bytes.size())};
            value_at = 3;
        }
        payload.insert(payload.end(), value_bytes.begin(), value_bytes.end());
        const path base = P("/9998/0");

        // the general rule
        std::optional<value> expected;
        std::optional<E> expected_error;
        const auto coerced = lwm2m::coerce(value::of_untyped(value_bytes), def.type);
        if (!coerced) {
            expected_error = E{coerced.error().code, value_at + coerced.error().offset};
        } else if (auto in_range = lwm2m::check_range(*coerced, def); !in_range) {
            expected_error = E{in_range.error().code, value_at};
        } else {
            expected = *coerced;
        }
        // tlv::decode_value is the same rule
        const auto decoded_value = tlv::decode_value(value_bytes, def.type);
        CHECK(decoded_value.has_value() == coerced.has_value());
        if (decoded_value && coerced) CHECK(*decoded_value == *coerced);

        const auto typed = read_all(payload, base, &ranged_schemas);
        if (expected_error) {
            ++typed_errors;
            REQUIRE(typed.error.has_value());
            CHECK(*typed.error == *expected_error);
        } else {
            ++typed_ok;
            REQUIRE(!typed.error.has_value());
            REQUIRE(typed.records.size() == 1);
            CHECK(typed.records[0].value == *expected);
            CHECK(typed.records[0].value.kind() == lwm2m::kind_of(def.type));
            CHECK(typed.records[0].path == (def.is_multiple() ? P("/9998/0").child(def.id)->child(0).value()
                                                              : P("/9998/0").child(def.id).value()));
        }
        // untyped (no schema): the bytes as they are
        const auto raw = read_ok(payload, base);
        REQUIRE(raw.size() == 1);
        CHECK(raw[0].value == value::of_untyped(value_bytes));
    }
    CHECK(typed_ok > 3000);
    CHECK(typed_errors > 3000);
}

TEST_CASE("tlv header: decode_header agrees with a byte-by-byte reference on every type byte") {
    // The reference: LwM2M 1.0 §6.4.3 read field by field.
    const auto reference = [](bytes_view in) -> std::optional<tlv::header> {
        if (in.empty()) return std::nullopt;
        const auto t = static_cast<unsigned>(in[0]);
        std::size_t pos = 1;
        tlv::header h;
        h.type = static_cast<tlv::entry_type>(t >> 6);
        const std::size_t id_size = (t & 0x20) != 0 ? 2 : 1;
        const std::size_t length_size = (t >> 3) & 3;
        if (in.size() < 1 + id_size + length_size) return std::nullopt;
        unsigned id = 0;
        for (std::size_t k = 0; k < id_size; ++k) id = id << 8 | static_cast<unsigned>(in[pos++]);
        h.id = static_cast<std::uint16_t>(id);
        std::size_t length = t & 7;
        if (length_size != 0) {
            length = 0;
            for (std::size_t k = 0; k < length_size; ++k) length = length << 8 | static_cast<unsigned>(in[pos++]);
        }
        h.length = length;
        h.size = pos;
        return h;
    };
    std::mt19937_64 rng{0x11542u};
    for (unsigned t = 0; t < 256; ++t) {
        for (int round = 0; round < 40; ++round) {
            std::vector<std::byte> in{static_cast<std::byte>(t)};
            const std::size_t extra = rng() % 9;
            for (std::size_t k = 0; k < extra; ++k) in.push_back(static_cast<std::byte>(round % 2 == 0 ? rng() % 4 : rng() % 256));
            for (std::size_t n = 0; n <= in.size(); ++n) {
                const bytes_view view{in.data(), n};
                CAPTURE(t);
                CAPTURE(n);
                const auto got = tlv::decode_header(view);
                const auto want = reference(view);
                if (!want) {
                    REQUIRE(!got.has_value());
                    CHECK(E{got.error()} == E{errc::truncated_value, 0});
                } else if (want->length > n - want->size) {
                    REQUIRE(!got.has_value());
                    CHECK(E{got.error()} == E{errc::length_exceeds_payload, 0});
                } else {
                    REQUIRE(got.has_value());
                    CHECK(*got == *want);
                }
            }
        }
    }
}

TEST_CASE("tlv duplicate check: min/max shortcut and rescans agree with a set of seen ids") {
    std::mt19937_64 rng{0xd0bu};
    for (int iteration = 0; iteration < 3000; ++iteration) {
        std::vector<std::byte> payload;
        std::vector<unsigned> seen;
        std::optional<E> expected;
        const std::size_t n = 1 + rng() % 12;
        const unsigned span = 1 + static_cast<unsigned>(rng() % 20);
        for (std::size_t k = 0; k < n; ++k) {
            const unsigned id = static_cast<unsigned>(rng() % span) * (iteration % 3 == 0 ? 300u : 1u);
            if (!expected && std::find(seen.begin(), seen.end(), id) != seen.end()) expected = E{errc::duplicate_entry, payload.size()};
            seen.push_back(id);
            payload.push_back(std::byte{0xE0});  // resource, 16-bit id, empty value
            payload.push_back(static_cast<std::byte>(id >> 8));
            payload.push_back(static_cast<std::byte>(id & 0xFF));
        }
        const auto d = read_all(payload, P("/3/0"));
        if (expected) {
            REQUIRE(d.error.has_value());
            CHECK(*d.error == *expected);
        } else {
            CHECK(!d.error.has_value());
            CHECK(d.records.size() == n);
        }
    }
}

// The reader's fast path (`fast_record`, `fast_container`: common TLVs read inline) against
// the general code alone (`basic_tlv_reader<false>`, what -Os builds use): on seeded random
// payloads, valid and corrupted, both must give the same records in the same order, or the
// same error at the same offset after the same records.
namespace {
template <bool FastPath>
decoded read_all_with(bytes_view payload, const path& base, const lwm2m::schema_registry* reg) {
    decoded d;
    lwm2m::format::detail::basic_tlv_reader<FastPath> reader(payload, base, reg);
    for (int guard = 0; guard < 100000; ++guard) {
        auto r = reader.next();
        if (!r) {
            d.error = r.error();
            auto again = reader.next();  // sticky
            if (again.has_value() || E{again.error()} != *d.error) d.error = E{errc::invalid_argument, 999999};
            return d;
        }
        if (!*r) {
            if (reader.next().value().has_value()) d.error = E{errc::invalid_argument, 999998};
            return d;
        }
        d.records.push_back(**r);
    }
    d.error = E{errc::invalid_argument, 999997};
    return d;
}

/** Checks that the fast path and the general code read `payload` alike; counts an error in
 *  `errors`; returns the records read. */
int fast_agrees_with_general(bytes_view payload, const path& base, const lwm2m::schema_registry* reg, int& errors) {
    const auto fast = read_all_with<true>(payload, base, reg);
    const auto general = read_all_with<false>(payload, base, reg);
    REQUIRE(fast.records.size() == general.records.size());
    for (std::size_t k = 0; k < fast.records.size(); ++k) CHECK(fast.records[k] == general.records[k]);
    CHECK(fast.error.has_value() == general.error.has_value());
    if (fast.error && general.error) CHECK(*fast.error == *general.error);
    if (general.error) ++errors;
    return static_cast<int>(general.records.size());
}

using lwm2m::test::tlv_generator;  // support/tlv_generator.hpp
} // namespace

TEST_CASE("tlv reader: the fast path agrees with the general code on random payloads (differential)") {
    tlv_generator gen{std::mt19937_64{0xfa57u}};
    const lwm2m::schema_registry* const registries[] = {nullptr, &schemas, &ranged_schemas};
    const path bases[] = {P("/3/0"), P("/9999/1"), P("/9998/0"), P("/2/5"), P("/3"), P("/9999"), P("/3/0/7"), P("/9998/0/13")};
    int fast_records = 0, errors = 0, corrupted = 0;
    for (int iteration = 0; iteration < lwm2m::test::scaled(30000); ++iteration) {  // support/sanitized.hpp
        const path& base = bases[gen.below(std::size(bases))];
        std::vector<std::byte> payload = gen.resources(8);
        if (base.level() == lwm2m::path_level::object || gen.below(10) == 0) {  // inside Object Instance TLVs
            std::vector<std::byte> wrapped;
            const unsigned n = base.level() == lwm2m::path_level::object ? 1 + gen.below(3) : 1;
            for (unsigned k = 0; k < n; ++k) {
                auto inner = k == 0 ? payload : gen.resources(8);
                gen.header(wrapped, 0, base.level() == lwm2m::path_level::object ? k : base.instance_id(), inner.size());
                wrapped.insert(wrapped.end(), inner.begin(), inner.end());
            }
            payload = wrapped;
        }
        if (gen.below(3) == 0) {
            gen.corrupt(payload);
            ++corrupted;
        }
        const auto* reg = registries[gen.below(std::size(registries))];
        CAPTURE(iteration);
        fast_records += fast_agrees_with_general(payload, base, reg, errors);
    }
    CHECK(fast_records > lwm2m::test::scaled(50000));
    CHECK(errors > lwm2m::test::scaled(5000));
    CHECK(corrupted > lwm2m::test::scaled(5000));
}

TEST_CASE("tlv reader: Multiple Resource containers closing at every level, fast path against the general code (differential)") {
    // Also: the reader starts in its constructor on the fast path, in `next()` on the general code.
    // A Multiple Resource that ends at the end of the payload (base /O/I/R: reading then leaves
    // the fast path), of an Object Instance TLV (base /O, or /O/I wrapped) or of the payload
    // (base /O/I), then more TLVs or none; valid and mutated. Same records, same errors and offsets.
    tlv_generator gen{std::mt19937_64{0xc105eu}};
    const lwm2m::schema_registry* const registries[] = {nullptr, &schemas, &ranged_schemas};
    // The last four: errors of the base itself (root; with schemas, a resource not in the schema,
    // or an instance of a single resource) and a resource-instance base.
    const path bases[] = {P("/3/0/6"), P("/3/0/7"), P("/3/0/11"), P("/9998/0/13"), P("/9998/0/14"), P("/3/0"), P("/9998/0"),
                          P("/3"), path{}, P("/3/0/99"), P("/3/0/9/0"), P("/3/0/7/1")};
    const unsigned multiple_ids[] = {6, 7, 8, 11, 13, 14};
    int records = 0, errors = 0, top_level_multiples = 0;
    for (int iteration = 0; iteration < lwm2m::test::scaled(20000); ++iteration) {
        const path& base = bases[gen.below(std::size(bases))];
        const auto multiple = [&](std::vector<std::byte>& out, unsigned id) {
            std::vector<std::byte> inner;
            unsigned last_ri = gen.below(2);
            const unsigned m = gen.below(5);
            for (unsigned j = 0; j < m; ++j) {
                const auto v = gen.value_bytes();
                gen.header(inner, gen.below(16) == 0 ? 3 : 1, gen.below(8) == 0 ? gen.below(4) : last_ri++, v.size());
                inner.insert(inner.end(), v.begin(), v.end());
            }
            gen.header(out, 2, id, inner.size());
            out.insert(out.end(), inner.begin(), inner.end());
        };
        const auto instance_body = [&]() {
            std::vector<std::byte> body;
            unsigned id = gen.below(3);
            const unsigned n = 1 + gen.below(4);
            for (unsigned k = 0; k < n; ++k) {
                id += 1 + gen.below(4);
                if (gen.below(2) == 0) {
                    multiple(body, gen.below(2) == 0 ? multiple_ids[gen.below(std::size(multiple_ids))] : id);
                } else {
                    const auto v = gen.value_bytes();
                    gen.header(body, 3, id, v.size());
                    body.insert(body.end(), v.begin(), v.end());
                }
            }
            return body;
        };
        std::vector<std::byte> payload;
        switch (base.level()) {
        case lwm2m::path_level::resource:
            multiple(payload, gen.below(8) == 0 ? gen.below(16) : base.resource_id());
            ++top_level_multiples;
            if (gen.below(6) == 0) {  // something after the container: not allowed at /O/I/R
                const auto v = gen.value_bytes();
                gen.header(payload, gen.below(2) == 0 ? 1 : 3, gen.below(16), v.size());
                payload.insert(payload.end(), v.begin(), v.end());
            }
            break;
        case lwm2m::path_level::instance:
            payload = instance_body();
            if (gen.below(4) == 0) {
                std::vector<std::byte> wrapped;
                gen.header(wrapped, 0, base.instance_id(), payload.size());
                wrapped.insert(wrapped.end(), payload.begin(), payload.end());
                payload = wrapped;
            }
            break;
        default:
            for (unsigned k = 0, n = 1 + gen.below(3); k < n; ++k) {
                const auto body = instance_body();
                gen.header(payload, 0, k, body.size());
                payload.insert(payload.end(), body.begin(), body.end());
            }
            break;
        }
        if (gen.below(3) == 0) gen.corrupt(payload);
        const auto* reg = registries[gen.below(std::size(registries))];
        CAPTURE(iteration);
        records += fast_agrees_with_general(payload, base, reg, errors);
    }
    CHECK(records > lwm2m::test::scaled(12000));
    CHECK(errors > lwm2m::test::scaled(2000));
    CHECK(top_level_multiples > lwm2m::test::scaled(5000));
}

// ---- writer ------------------------------------------------------------------------------------

TEST_CASE("tlv writer: invalid record sets write nothing") {
        const std::vector<record> one = {rec("/3/0/0", value::of_integer(1))};
    CHECK(encode_error(one, path{}) == E{errc::path_wrong_level, 0});
    CHECK(encode_error(one, P("/3/1")) == E{errc::invalid_argument, 0});
    CHECK(encode_error(one, P("/3/0/1")) == E{errc::invalid_argument, 0});
    const std::vector<record> unsorted = {rec("/3/0/1", value::of_integer(1)), rec("/3/0/0", value::of_integer(1))};
    CHECK(encode_error(unsorted, P("/3/0")) == E{errc::invalid_argument, 1});
    const std::vector<record> twice = {rec("/3/0/1", value::of_integer(1)), rec("/3/0/1", value::of_integer(2))};
    CHECK(encode_error(twice, P("/3/0")) == E{errc::invalid_argument, 1});
    const std::vector<record> both = {rec("/3/0/7", value::of_integer(1)), rec("/3/0/7/0", value::of_integer(2))};
    CHECK(encode_error(both, P("/3/0")) == E{errc::invalid_argument, 1});
    const std::vector<record> instance_value = {rec("/3/0", value::of_integer(1))};
    CHECK(encode_error(instance_value, P("/3")) == E{errc::invalid_argument, 0});
    const std::vector<record> object_level = {rec("/3", value::of_none())};
    CHECK(encode_error(object_level, P("/3")) == E{errc::invalid_argument, 0});
    const std::vector<record> bad_text = {rec("/3/0/0", value::of_string("ok")),
                                          rec("/3/0/1", value::of_string("\\q", lwm2m::text_encoding::json_escaped))};
    CHECK(encode_error(bad_text, P("/3/0")) == E{errc::invalid_json, 1});
    const std::vector<record> bad_utf8 = {rec("/3/0/0", value::of_string("a\xC3")),
                                          rec("/3/0/1", value::of_string("b"))};
    CHECK(encode_error(bad_utf8, P("/3/0")) == E{errc::invalid_utf8, 0});
    // A Corelnk is text too (checked where the in-place writer takes it, apart from strings).
    const std::vector<record> bad_link = {rec("/3/0/0", value::of_string("a")),
                                          rec("/3/0/1", value::of_corelnk("</1>\xC3"))};
    CHECK(encode_error(bad_link, P("/3/0")) == E{errc::invalid_utf8, 1});
    const std::vector<record> good_link = {rec("/3/0/1", value::of_corelnk("<\xC3\xA9>"))};
    CHECK(encode(good_link, P("/3/0")) == hex("C4 01 3C C3 A9 3E"));
    const std::vector<record> opaque_any = {rec("/3/0/0", value::of_opaque(lwm2m::as_bytes("a\xC3")))};
    CHECK(encode(opaque_any, P("/3/0")) == hex("C2 00 61 C3"));
    std::vector<std::byte> huge(0x1000000);
    const std::vector<record> too_long = {rec("/9999/0/5", value::of_opaque(huge))};
    CHECK(encode_error(too_long, P("/9999/0")) == E{errc::invalid_argument, 0});
    std::vector<std::byte> largest(0xFFFFFF);
    const std::vector<record> fits = {rec("/9999/0/5", value::of_opaque(largest))};
    CHECK(lwm2m::format::tlv_size(fits, P("/9999/0")).value() == 0xFFFFFF + 5);
    const std::vector<record> container_too_long = {rec("/9999/0/5", value::of_opaque(largest))};
    CHECK(encode_error(container_too_long, P("/9999")) == E{errc::invalid_argument, 0});
}

namespace {
/// Record sets for base /O/I of the writer fast path's shapes, now and then broken.
struct writer_generator {
    std::mt19937_64 rng;
    std::deque<std::string> strings;  // stable storage for the values' bytes

    std::uint64_t below(std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng); }
    bool chance(int percent) { return below(100) < static_cast<std::uint64_t>(percent); }

    std::uint16_t small_id() { return static_cast<std::uint16_t>(chance(98) ? below(20) : chance(50) ? 250 + below(10) : below(65535)); }
    std::int64_t integer() {
        const int bits = static_cast<int>(below(64));
        const auto x = static_cast<std::int64_t>(rng() >> (63 - bits));
        return chance(50) ? x : -x - static_cast<std::int64_t>(below(2));
    }
    std::string_view text() {
        std::size_t n = below(24);
        if (chance(4)) n = 240 + below(30);
        std::string s;
        for (std::size_t i = 0; i < n; ++i) {
            if (chance(3)) s += "\xC3\xA9";
            else s.push_back(static_cast<char>(0x20 + below(95)));
        }
        if (chance(3)) s.insert(below(s.size() + 1), "\xC3");  // not UTF-8 (as bytes: fine)
        strings.push_back(std::move(s));
        return strings.back();
    }
    value any_value() {
        switch (below(14)) {
        case 0: case 1: case 2: return value::of_integer(integer());
        case 3: return value::of_time(integer());
        case 4: case 5: case 6: return value::of_string(text());
        case 7: return value::of_boolean(chance(50));
        case 8: return value::of_unsigned(static_cast<std::uint64_t>(integer()));
        case 9: return value::of_float(chance(50) ? 22.5 : static_cast<double>(integer()) / 3.0);
        case 10: return value::of_opaque(lwm2m::as_bytes(text()));
        case 11: return value::of_objlnk({static_cast<std::uint16_t>(below(65536)), static_cast<std::uint16_t>(below(65536))});
        case 12: return chance(50) ? value::of_none() : value::of_corelnk(text());
        default:
            if (chance(50)) return value::of_string("A\\u00e9", lwm2m::text_encoding::json_escaped);
            return value::of_untyped(lwm2m::as_bytes(text()));
        }
    }
    std::vector<std::uint16_t> ids(std::size_t n) {
        std::vector<std::uint16_t> v;
        for (std::size_t i = 0; i < n; ++i) v.push_back(small_id());
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
        return v;
    }
    std::vector<record> records(const path& base) {
        std::vector<record> out;
        // The records of one instance: base's, or /O/0 for base /O.
        const path instance = base.level() == lwm2m::path_level::object ? base.child(0).value() : base.prefix(lwm2m::path_level::instance);
        for (const auto id : ids(below(16))) {
            const path rp = instance.child(id).value();
            if (chance(70)) {
                out.push_back(record{rp, any_value(), std::nullopt});
                continue;
            }
            for (const auto ri : ids(1 + below(5))) out.push_back(record{rp.child(ri).value(), any_value(), std::nullopt});
        }
        if (chance(15) && !out.empty()) {  // break a rule now and then
            const std::size_t i = below(out.size());
            switch (below(7)) {
            case 0: std::swap(out[i], out[below(out.size())]); break;
            case 1: out.insert(out.begin() + static_cast<std::ptrdiff_t>(i), out[i]); break;
            case 2: out.insert(out.begin() + static_cast<std::ptrdiff_t>(i), record{instance, value::of_none(), std::nullopt}); break;
            case 3: out[i].path = P("/3/1/0"); break;
            case 4: if (out[i].path.level() == lwm2m::path_level::resource_instance) out.insert(out.begin() + static_cast<std::ptrdiff_t>(i), record{out[i].path.parent(), value::of_integer(1), std::nullopt}); break;
            case 5:  // a resource's value record after one of its instances (out of order): the fast path must not take
                     // the id of a Multiple Resource it just closed for the next Resource record's
                if (out[i].path.level() == lwm2m::path_level::resource_instance) out.insert(out.begin() + static_cast<std::ptrdiff_t>(i) + 1, record{out[i].path.parent(), value::of_integer(1), std::nullopt});
                break;
            default: out[i].path = instance; break;
            }
        }
        return out;
    }
};

struct written {
    std::optional<E> error;
    std::size_t total = 0;
    std::vector<std::byte> bytes;
    std::uint64_t fingerprint = 0;
    friend bool operator==(const written&, const written&) = default;
};

template <class Write>
written write_with(Write write, std::size_t size, std::size_t skip) {
    std::vector<std::byte> buffer(size, std::byte{0xAA});
    lwm2m::format::output_window w(buffer, skip);
    written out;
    if (auto ok = write(w); !ok) out.error = E{ok.error()};
    out.total = w.total();
    const auto b = w.bytes();
    out.bytes.assign(b.begin(), b.end());
    out.fingerprint = w.fingerprint();
    return out;
}
} // namespace

TEST_CASE("tlv writer: the fast path agrees with the general code on random records (differential)") {
    writer_generator gen{std::mt19937_64{0x7e57u}, {}};
    const path bases[] = {P("/3/0"), P("/3/0"), P("/3/0"), P("/9999/7"), P("/3"), P("/3/0/7")};
    [[maybe_unused]] int fast = 0;  // counted when the fast path is compiled in
    int errors = 0;
    for (int iteration = 0; iteration < lwm2m::test::scaled(40000); ++iteration) {  // support/sanitized.hpp
        const path& base = bases[gen.below(std::size(bases))];
        const std::vector<record> rs = gen.records(base);
        const std::size_t sizes[] = {1024, 4096, 0, 1 + gen.below(300)};
        const std::size_t size = sizes[gen.below(std::size(sizes))];
        const std::size_t skip = gen.chance(80) ? 0 : gen.below(100);
        CAPTURE(iteration);
        const auto general = write_with([&](auto& w) { return lwm2m::format::detail::tlv_writer::write_checked(rs, base, w); }, size, skip);
        const auto public_api = write_with([&](auto& w) { return lwm2m::format::write_tlv(rs, base, w); }, size, skip);
        CHECK(public_api == general);
#if LWM2M_TLV_FAST_PATH
        const auto in_place = write_with([&](auto& w) -> lwm2m::result<void> {
            if (lwm2m::format::detail::tlv_writer::write_in_place(rs, base, w)) return {};
            CHECK(w.total() == 0);  // nothing counted when it gives up
            return lwm2m::fail(errc::invalid_argument, 12345);
        }, size, skip);
        if (!in_place.error) {
            ++fast;
            CHECK(in_place == general);
        }
#endif
        if (general.error) ++errors;
    }
#if LWM2M_TLV_FAST_PATH
    CHECK(fast > lwm2m::test::scaled(6000));
#endif
    CHECK(errors > lwm2m::test::scaled(4000));
}

TEST_CASE("tlv writer: values in any text encoding are decoded") {
    const std::vector<record> rs = {
        rec("/9999/0/0", value::of_string("A\\u00e9\\n", lwm2m::text_encoding::json_escaped)),
        rec("/9999/0/5", value::of_opaque(lwm2m::as_bytes("AQID"), lwm2m::text_encoding::base64)),
        rec("/9999/0/303/0", value::of_opaque(lwm2m::as_bytes("_-8"), lwm2m::text_encoding::base64url)),
        rec("/9999/0/304/7", value::of_unsigned(200)),
    };
    CHECK(encode(rs, P("/9999/0")) ==
          hex("C4 00 41 C3 A9 0A  C3 05 01 02 03  A4 01 2F 42 00 FF EF  A4 01 30 42 07 00 C8"));
}

// ---- seeded random round trip ------------------------------------------------------------------

namespace {

struct generator {
    std::mt19937_64 rng{0x1542u};
    std::deque<std::string> strings; // stable storage for the values' bytes

    std::uint64_t below(std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng); }
    bool chance(int percent) { return below(100) < static_cast<std::uint64_t>(percent); }

    std::int64_t any_int() {
        switch (below(6)) {
        case 0: return static_cast<std::int8_t>(below(256));
        case 1: return static_cast<std::int16_t>(below(65536));
        case 2: return static_cast<std::int32_t>(below(1ULL << 32));
        case 3: return std::numeric_limits<std::int64_t>::min() + static_cast<std::int64_t>(below(3));
        case 4: return std::numeric_limits<std::int64_t>::max() - static_cast<std::int64_t>(below(3));
        default: return static_cast<std::int64_t>(rng());
        }
    }
    std::uint16_t id() { return static_cast<std::uint16_t>(chance(70) ? below(300) : below(65535)); }

    std::string_view text(bool binary) {
        std::size_t n = below(20);
        if (chance(20)) n = below(300);
        if (chance(1)) n = 65536 + below(100);
        std::string s;
        for (std::size_t i = 0; i < n; ++i) {
            if (binary) s.push_back(static_cast<char>(below(256)));
            else if (chance(5)) s += "\xC3\xA9";
            else s.push_back(static_cast<char>(0x20 + below(95)));
        }
        strings.push_back(std::move(s));
        return strings.back();
    }

    value make(const resource_def& def) {
        switch (def.type) {
        case data_type::none: return value::of_none();
        case data_type::string: return value::of_string(text(false));
        case data_type::corelnk: return value::of_corelnk(text(false));
        case data_type::opaque: return value::of_opaque(lwm2m::as_bytes(text(true)));
        case data_type::integer:
            if (def.range.present)
                return value::of_integer(static_cast<std::int64_t>(def.range.min) +
                                         static_cast<std::int64_t>(below(static_cast<std::uint64_t>(def.range.max - def.range.min + 1))));
            return value::of_integer(any_int());
        case data_type::time: return value::of_time(any_int());
        case data_type::unsigned_integer:
            return value::of_unsigned(chance(50) ? static_cast<std::uint64_t>(any_int()) : rng());
        case data_type::float_: {
            switch (below(4)) {
            case 0: return value::of_float(static_cast<double>(static_cast<float>(any_int()) / 7.0f));
            case 1: return value::of_float(std::bit_cast<double>(rng()));
            case 2: return value::of_float(static_cast<double>(any_int()) / 3.0);
            default: return value::of_float(chance(50) ? 22.5 : -std::numeric_limits<double>::infinity());
            }
        }
        case data_type::boolean: return value::of_boolean(chance(50));
        case data_type::objlnk:
            return value::of_objlnk({static_cast<std::uint16_t>(below(65536)), static_cast<std::uint16_t>(below(65536))});
        }
        return value::of_none();
    }

    // Sorted unique ids, count in [lo, hi].
    std::vector<std::uint16_t> ids(std::size_t lo, std::size_t hi) {
        const std::size_t n = lo + below(hi - lo + 1);
        std::vector<std::uint16_t> v;
        while (v.size() < n) {
            const auto x = id();
            if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
        }
        std::sort(v.begin(), v.end());
        return v;
    }

    void resource(std::vector<record>& out, const path& instance, const resource_def& def) {
        const path rp = instance.child(def.id).value();
        if (!def.is_multiple()) {
            out.push_back(record{rp, make(def), std::nullopt});
            return;
        }
        for (auto ri : ids(1, 4)) out.push_back(record{rp.child(ri).value(), make(def), std::nullopt});
    }

    void instance(std::vector<record>& out, const path& ip, bool mark_empty) {
        const std::size_t before = out.size();
        const int percent = static_cast<int>(below(60));
        for (const auto& def : everything.resources)
            if (chance(percent)) resource(out, ip, def);
        if (mark_empty && out.size() == before) out.push_back(record{ip, value::of_none(), std::nullopt});
    }

    // A random record set and the base path it is written for.
    std::pair<path, std::vector<record>> records() {
        std::vector<record> out;
        const path object = P("/9999");
        switch (below(4)) {
        case 0: {
            for (auto i : ids(0, 3)) instance(out, object.child(i).value(), true);
            return {object, out};
        }
        case 1: {
            const path ip = object.child(id()).value();
            instance(out, ip, false);
            return {ip, out};
        }
        case 2: {
            const auto& def = everything.resources[below(everything.resources.size())];
            const path ip = object.child(id()).value();
            resource(out, ip, def);
            return {ip.child(def.id).value(), out};
        }
        default: {
            const resource_def* def = nullptr;
            while (def == nullptr || !def->is_multiple()) def = &everything.resources[below(everything.resources.size())];
            const path rip = object.child(id()).value().child(def->id).value().child(id()).value();
            out.push_back(record{rip, make(*def), std::nullopt});
            return {rip, out};
        }
        }
    }
};

} // namespace

TEST_CASE("tlv random round trip: decode(encode(x)) == x, with and without a schema") {
    generator g;
    std::size_t total_records = 0;
    for (int iteration = 0; iteration < lwm2m::test::scaled(1500); ++iteration) {  // support/sanitized.hpp
        CAPTURE(iteration);
        g.strings.clear();
        const auto generated = g.records();
        const path& base = generated.first;
        const std::vector<record>& records = generated.second;
        total_records += records.size();
        const auto bytes = encode(records, base);

        // with the schema: the same records
        const auto typed = read_ok(bytes, base, &schemas);
        REQUIRE(typed.size() == records.size());
        for (std::size_t i = 0; i < records.size(); ++i) {
            CAPTURE(records[i].path.text().view());
            CHECK(typed[i] == records[i]);
        }

        // without: untyped bytes that coerce to the same values
        const auto raw = read_ok(bytes, base);
        REQUIRE(raw.size() == records.size());
        for (std::size_t i = 0; i < records.size(); ++i) {
            CHECK(raw[i].path == records[i].path);
            if (records[i].path.level() == lwm2m::path_level::instance) {
                CHECK(raw[i].value.kind() == value_kind::none);
                continue;
            }
            CHECK(raw[i].value.kind() == value_kind::untyped);
            const auto* def = schemas.find_resource(records[i].path);
            REQUIRE(def != nullptr);
            CHECK(lwm2m::coerce(raw[i].value, def->type).value() == records[i].value);
        }

        // a Block2-style window gives the same bytes
        if (g.chance(20) && !bytes.empty()) {
            const std::size_t block = std::size_t{16} << g.below(7);
            std::vector<std::byte> joined;
            for (std::size_t num = 0; num * block < bytes.size(); ++num) {
                std::vector<std::byte> buf(block);
                lwm2m::format::output_window w(buf, num * block);
                REQUIRE(lwm2m::format::write_tlv(records, base, w).has_value());
                joined.insert(joined.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(w.written()));
            }
            CHECK(joined == bytes);
        }
    }
    CHECK(total_records > lwm2m::test::scaled<std::size_t>(3000));
}

// ---- worst-case instance size ------------------------------------------------------------------

namespace {

constexpr auto bounded_device = lwm2m::make_object(
    lwm2m::object_info{3, "Device", {1, 0}, multiplicity::single, lwm2m::presence::mandatory, {}},
    res(0, data_type::string, false, range(0, 32)), res(4, data_type::none),
    res(9, data_type::integer, false, range(0, 100)), res(13, data_type::time),
    res(16, data_type::string, false, range(0, 3)), res(6, data_type::integer, true, range(0, 7)),
    res(22, data_type::objlnk, true), res(30, data_type::boolean), res(300, data_type::float_));

static_assert(tlv::max_instance_size(bounded_device.view(), 2) == 121); // usable at compile time

} // namespace

TEST_CASE("tlv::max_instance_size: bounded schemas, and what makes a schema unbounded") {
    // Device strings have no range: unbounded
    CHECK(!tlv::max_instance_size(device.view(), 4).has_value());
    // multiple resources need a bound on their instances
    CHECK(!tlv::max_instance_size(bounded_device.view()).has_value());
    // 0: 3+32, 9: 3+8, 13: 3+8, 16: 2+3, 6: 3 + 2*(4+8), 22: 3 + 2*(3+4), 30: 2+1, 300: 4+8; 4 (execute) none
    const auto n = tlv::max_instance_size(bounded_device.view(), 2);
    REQUIRE(n.has_value());
    CHECK(*n == 35 + 11 + 11 + 5 + 27 + 17 + 3 + 12);
    CHECK(*n == 121);
    CHECK(tlv::max_instance_size(bounded_device.view(), 0).value() == 35 + 11 + 11 + 5 + 2 + 2 + 3 + 12);
    CHECK(tlv::max_instance_size(acl.view(), 3).value() == 3 * 11 + 3 + 3 * 12);

    // the largest values of the schema reach the bound exactly
    constexpr auto min = std::numeric_limits<std::int64_t>::min();
    const std::vector<record> worst = {
        rec("/3/0/0", value::of_string("0123456789abcdef0123456789abcdef")),
        rec("/3/0/6/1000", value::of_integer(min)),
        rec("/3/0/6/1001", value::of_integer(min)),
        rec("/3/0/9", value::of_integer(min)),
        rec("/3/0/13", value::of_time(min)),
        rec("/3/0/16", value::of_string("UQS")),
        rec("/3/0/22/1000", value::of_objlnk({1, 2})),
        rec("/3/0/22/1001", value::of_objlnk({1, 2})),
        rec("/3/0/30", value::of_boolean(true)),
        rec("/3/0/300", value::of_float(1.1)),
    };
    CHECK(encode(worst, P("/3/0")).size() == *n);
}
