// What a build gets from the switches of config.hpp that leave a decoder out of firmware
// (LWM2M_CBOR_INDEFINITE_STRINGS, LWM2M_JSON_ESCAPED_VALUES, LWM2M_FLOAT_VALUES,
// LWM2M_BASE64_VALUES, LWM2M_SCHEMA_NAMES): run.sh compiles this file twice,
// with every switch at its default and with every switch 0, and the checks below say what
// each build must do. Not part of lwm2m_tests: a switch changes inline functions, so a
// program must see one setting in every translation unit.

#include <lwm2m/client/objects/device.hpp>
#include <lwm2m/client/response_code.hpp>
#include <lwm2m/format/cbor/reader.hpp>
#include <lwm2m/format/codec.hpp>
#include <lwm2m/format/text.hpp>
#include <lwm2m/model/coerce.hpp>
#include <lwm2m/model/objects/lwm2m_server_v1_0.hpp>
#include <lwm2m/model/schema_registry.hpp>
#include <lwm2m/model/value_bytes.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace {

using lwm2m::errc;

constexpr bool chunked = LWM2M_CBOR_INDEFINITE_STRINGS != 0;
constexpr bool escaped = LWM2M_JSON_ESCAPED_VALUES != 0;
constexpr bool floats = LWM2M_FLOAT_VALUES != 0;
constexpr bool base64 = LWM2M_BASE64_VALUES != 0;

std::string from_hex(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
    return out;
}
lwm2m::bytes_view bytes(const std::string& s) { return lwm2m::as_bytes(std::string_view{s}); }

/** The one record of a SenML CBOR payload, read at / with the Server object's schema when `typed`. */
lwm2m::result<lwm2m::format::record> senml_cbor_record(const std::string& payload, bool typed) {
    static constexpr lwm2m::object_view server[] = {lwm2m::objects::lwm2m_server_v1_0::object.view()};
    static constexpr lwm2m::schema_registry registry{server};
    std::array<lwm2m::format::record, 2> out{};
    const auto n = lwm2m::format::read_records(lwm2m::format::content_format::senml_cbor, bytes(payload), lwm2m::path{},
                                               typed ? &registry : nullptr, out);
    if (!n) return lwm2m::unexpected{n.error()};
    REQUIRE(*n == 1);
    return out[0];
}

/** What a writer of `cf` makes of one record at /1/0/1 (a hex dump), or its error. */
lwm2m::result<std::string> written(lwm2m::format::content_format cf, const lwm2m::format::record& r) {
    std::array<std::byte, 64> buf{};
    lwm2m::format::output_window out{buf};
    const auto p = *lwm2m::path::make(1, 0, 1);
    if (auto ok = lwm2m::format::write_records(cf, std::span{&r, 1}, p, out); !ok) return lwm2m::unexpected{ok.error()};
    std::string hex;
    for (std::size_t i = 0; i < *out.finish(); ++i) {
        constexpr char digits[] = "0123456789abcdef";
        hex += digits[static_cast<unsigned>(buf[i]) >> 4];
        hex += digits[static_cast<unsigned>(buf[i]) & 15];
    }
    return hex;
}

std::string decoded(const lwm2m::value& v) {
    std::array<std::byte, 32> buf{};
    const auto n = lwm2m::copy_value_bytes(v, buf);
    REQUIRE(n.has_value());
    return std::string(reinterpret_cast<const char*>(buf.data()), *n);
}

} // namespace

TEST_CASE("RFC 8949 §3.2.3: an indefinite-length string head is read, or refused at the head when left out") {
    // [0, 0x7F "ab" "c" break]: the string's head at offset 2.
    const std::string in = from_hex("82007f6261626163ff");
    lwm2m::format::cbor::reader r{bytes(in)};
    REQUIRE(r.next().has_value());  // the array
    REQUIRE(r.next().has_value());  // 0
    const auto head = r.next();
    if (chunked) {
        REQUIRE(head.has_value());
        CHECK(head->kind == lwm2m::format::cbor::item_kind::text_string_start);
        const auto s = r.chunks(*head);
        REQUIRE(s.has_value());
        CHECK_FALSE(s->joined);
    } else {
        REQUIRE_FALSE(head.has_value());
        CHECK(head.error() == lwm2m::error{errc::indefinite_string_not_supported, 2});
    }
    std::size_t pos = 2;
    const auto item = lwm2m::format::cbor::decode_item(bytes(in), pos);
    CHECK(item.has_value() == chunked);
}

TEST_CASE("SenML CBOR (RFC 8428 §6): a chunked \"vs\" is read, or refused with a precise error (4.00 to a Write)") {
    // [{0: "/3/0/15", 3: 0x7F "Europe/" "Paris" break}]
    const std::string name = "/3/0/15";
    const std::string in = from_hex("81a20067") + name + from_hex("037f67") + "Europe/" + from_hex("65") + "Paris" + from_hex("ff");
    std::array<lwm2m::format::record, 2> out{};
    const auto n = lwm2m::format::read_records(lwm2m::format::content_format::senml_cbor, bytes(in), lwm2m::path{}, nullptr, out);
    if (chunked) {
        REQUIRE(n.has_value());
        REQUIRE(*n == 1);
        CHECK(out[0].value.encoding() == lwm2m::text_encoding::cbor_chunks);
        CHECK(decoded(out[0].value) == "Europe/Paris");
    } else {
        REQUIRE_FALSE(n.has_value());
        CHECK(n.error() == lwm2m::error{errc::indefinite_string_not_supported, 12});
        CHECK(lwm2m::client::response_code(n.error().code) == lwm2m::coap::code::bad_request);
    }
}

TEST_CASE("a value viewing CBOR chunks or JSON escapes is decoded, or fails with its precise error when left out") {
    const std::string chunks = from_hex("6261626163");  // "ab" "c"
    const auto v = lwm2m::value::of_string(std::string_view{chunks}, lwm2m::text_encoding::cbor_chunks);
    const auto c = lwm2m::value_byte_size(v);
    if (chunked) {
        CHECK(decoded(v) == "abc");
    } else {
        REQUIRE_FALSE(c.has_value());
        CHECK(c.error().code == errc::indefinite_string_not_supported);
    }

    const auto j = lwm2m::value::of_string(std::string_view{"a\\nb"}, lwm2m::text_encoding::json_escaped);
    const auto s = lwm2m::value_byte_size(j);
    if (escaped) {
        CHECK(decoded(j) == "a\nb");
    } else {
        REQUIRE_FALSE(s.has_value());
        CHECK(s.error().code == errc::json_escapes_not_supported);
    }
    // A raw value is decoded in every build.
    CHECK(decoded(lwm2m::value::of_string(std::string_view{"raw"})) == "raw");
}

TEST_CASE("plain text (LwM2M 1.1 Core §7.4.1): a Float is read and written, or refused when Float values are left out") {
    const auto v = lwm2m::format::text::parse_value(bytes(std::string{"22.5"}), lwm2m::data_type::float_);
    std::array<std::byte, 16> buf{};
    lwm2m::format::output_window out{buf};
    const auto w = lwm2m::format::text::write_value(lwm2m::value::of_float(22.5), out);
    if (floats) {
        REQUIRE(v.has_value());
        CHECK(v->as_float() == 22.5);
        REQUIRE(w.has_value());
        CHECK(std::string(reinterpret_cast<const char*>(buf.data()), *out.finish()) == "22.5");
    } else {
        REQUIRE_FALSE(v.has_value());
        CHECK(v.error() == lwm2m::error{errc::float_not_supported, 0});
        REQUIRE_FALSE(w.has_value());
        CHECK(w.error().code == errc::float_not_supported);
    }
    // Integers are read and written alike; an Integer in float notation is refused alike.
    CHECK(lwm2m::format::text::parse_value(bytes(std::string{"-12"}), lwm2m::data_type::integer)->as_integer() == -12);
    CHECK(lwm2m::format::text::parse_value(bytes(std::string{"1.0"}), lwm2m::data_type::integer).error().code ==
          errc::invalid_number);
    // A Float schema's number from an Integer: converted, or refused.
    CHECK(lwm2m::coerce(lwm2m::value::of_integer(5), lwm2m::data_type::float_).has_value() == floats);
}

TEST_CASE("SenML CBOR (RFC 8428 §6): floats for an Integer resource are read alike; decimal fractions as their integer") {
    // [{0: "/1/0/1", 2: 300.0 as a half}] and [{0: "/1/0/1", 2: 22.5}] for Lifetime (Integer).
    const std::string head = from_hex("81a20066") + "/1/0/1" + from_hex("02");
    const auto whole = senml_cbor_record(head + from_hex("f95cb0"), true);
    REQUIRE(whole.has_value());
    CHECK(whole->value == lwm2m::value::of_integer(300));
    const auto half = senml_cbor_record(head + from_hex("f94da0"), true);
    REQUIRE_FALSE(half.has_value());
    CHECK(half.error().code == errc::type_mismatch);
    const auto single = senml_cbor_record(head + from_hex("fa43960000"), true);  // 300.0f
    REQUIRE(single.has_value());
    CHECK(single->value == lwm2m::value::of_integer(300));

    // Decimal fractions (RFC 8949 §3.4.4), tag 4 at offset 11: 4([1, 30]) = 300, 4([-1, 225]) = 22.5.
    const auto fraction = senml_cbor_record(head + from_hex("c48201181e"), true);
    REQUIRE(fraction.has_value());
    CHECK(fraction->value == lwm2m::value::of_integer(300));
    const auto untyped = senml_cbor_record(head + from_hex("c48201181e"), false);
    REQUIRE(untyped.has_value());
    CHECK(untyped->value == (floats ? lwm2m::value::of_float(300) : lwm2m::value::of_integer(300)));
    const auto negative = senml_cbor_record(head + from_hex("c4822038df"), false);  // 4([-1, -224]) = -22.4
    const auto exact = senml_cbor_record(head + from_hex("c48220390bb7"), false);  // 4([-1, -3000]) = -300
    REQUIRE(exact.has_value());
    CHECK(exact->value == (floats ? lwm2m::value::of_float(-300) : lwm2m::value::of_integer(-300)));
    const auto big = senml_cbor_record(head + from_hex("c482131b7fffffffffffffff"), false);  // 2^63 - 1 times 10^19
    const auto huge = senml_cbor_record(head + from_hex("c48200") + from_hex("1bffffffffffffffff"), false);  // 2^64 - 1
    REQUIRE(huge.has_value());
    if (floats) {
        REQUIRE(negative.has_value());
        CHECK(negative->value == lwm2m::value::of_float(-22.4));
        REQUIRE(big.has_value());
        CHECK(huge->value == lwm2m::value::of_float(18446744073709551616.0));
    } else {
        REQUIRE_FALSE(negative.has_value());
        CHECK(negative.error() == lwm2m::error{errc::float_not_supported, 11});
        REQUIRE_FALSE(big.has_value());
        CHECK(big.error() == lwm2m::error{errc::number_out_of_range, 11});
        CHECK(huge->value == lwm2m::value::of_unsigned(18446744073709551615u));
    }
    const auto fractional = senml_cbor_record(head + from_hex("c4822018e1"), true);  // 4([-1, 225]) = 22.5 for Integer
    REQUIRE_FALSE(fractional.has_value());
    CHECK(fractional.error().code == (floats ? errc::type_mismatch : errc::float_not_supported));
}

TEST_CASE("the TLV and SenML CBOR writers write a Float, or refuse it when Float values are left out") {
    const lwm2m::format::record r{*lwm2m::path::make(1, 0, 1), lwm2m::value::of_float(22.5), std::nullopt};
    const auto tlv = written(lwm2m::format::content_format::tlv, r);
    const auto senml = written(lwm2m::format::content_format::senml_cbor, r);
    if (floats) {
        REQUIRE(tlv.has_value());
        CHECK(*tlv == "c40141b40000");  // 22.5 as a binary32 (LwM2M 1.1 Core §7.4.3)
        REQUIRE(senml.has_value());
        CHECK(*senml == "81a221662f312f302f3102f94da0");
    } else {
        REQUIRE_FALSE(tlv.has_value());
        CHECK(tlv.error() == lwm2m::error{errc::float_not_supported, 0});
        REQUIRE_FALSE(senml.has_value());
        CHECK(senml.error() == lwm2m::error{errc::float_not_supported, 0});
    }
    // A time that is not a whole second is still written: the shortest float, or a double.
    const lwm2m::format::record timed{*lwm2m::path::make(1, 0, 1), lwm2m::value::of_integer(7), 1.5};
    const auto t = written(lwm2m::format::content_format::senml_cbor, timed);
    REQUIRE(t.has_value());
    CHECK(*t == (floats ? "81a321662f312f302f3106f93e000207" : "81a321662f312f302f3106fb3ff80000000000000207"));
}

TEST_CASE("plain text (LwM2M 1.1 Core §7.4.1): an Opaque is read and written in base64, or refused when base64 is left out") {
    const std::string text = "AQI=";  // (the values view it)
    const auto v = lwm2m::format::text::parse_value(bytes(text), lwm2m::data_type::opaque);
    const std::string raw = from_hex("0102");
    std::array<std::byte, 16> buf{};
    lwm2m::format::output_window out{buf};
    const auto w = lwm2m::format::text::write_value(lwm2m::value::of_opaque(bytes(raw)), out);
    const auto b = lwm2m::value_byte_size(lwm2m::value::of_opaque(bytes(text), lwm2m::text_encoding::base64));
    if (base64) {
        REQUIRE(v.has_value());
        CHECK(decoded(*v) == raw);
        REQUIRE(w.has_value());
        CHECK(std::string(reinterpret_cast<const char*>(buf.data()), *out.finish()) == "AQI=");
        CHECK(b.value() == 2);
    } else {
        REQUIRE_FALSE(v.has_value());
        CHECK(v.error() == lwm2m::error{errc::base64_not_supported, 0});
        REQUIRE_FALSE(w.has_value());
        CHECK(w.error().code == errc::base64_not_supported);
        REQUIRE_FALSE(b.has_value());
        CHECK(b.error().code == errc::base64_not_supported);
    }
    // Raw Opaque bytes are read and written alike (TLV: LwM2M 1.1 Core §7.4.3).
    const lwm2m::format::record r{*lwm2m::path::make(1, 0, 1), lwm2m::value::of_opaque(bytes(raw)), std::nullopt};
    CHECK(written(lwm2m::format::content_format::tlv, r).value() == "c2010102");
}

TEST_CASE("SenML (RFC 8428 §4.5.3, §4.5.4): bt + t and bv + v, added as doubles, or in integers without Float values") {
    // [{-2: "/1/0/1", -3: bt, 6: t, 2: 7}] and [{-2: "/1/0/1", -5: bv, 2: v}]: the record's time / value.
    const auto timed = [](std::string_view bt, std::string_view t) {
        return senml_cbor_record(from_hex("81a42166") + "/1/0/1" + from_hex("22") + from_hex(bt) + from_hex("06") +
                                     from_hex(t) + from_hex("0207"),
                                 false);
    };
    const auto whole = timed("1a6553f100", "24");  // 1700000000 + -5
    REQUIRE(whole.has_value());
    REQUIRE(whole->time.has_value());
    CHECK(*whole->time == 1699999995.0);
    const auto zero = timed("f98000", "f98000");  // -0.0 + -0.0 = -0.0 (and +0 for 0 + -0)
    REQUIRE(zero.has_value());
    CHECK(std::bit_cast<std::uint64_t>(*zero->time) == std::bit_cast<std::uint64_t>(-0.0));
    const auto mixed = timed("00", "f98000");
    REQUIRE(mixed.has_value());
    CHECK(std::bit_cast<std::uint64_t>(*mixed->time) == 0);
    const auto huge = timed("fb7e37e43c8800759c", "00");  // 1e300 + 0: whole, but beyond 2^53 (t at 21)
    if (floats) {
        REQUIRE(huge.has_value());
        CHECK(*huge->time == 1e300);
    } else {
        REQUIRE_FALSE(huge.has_value());
        CHECK(huge.error() == lwm2m::error{errc::float_not_supported, 21});
    }
    const auto fraction = timed("1a6553f100", "f93e00");  // + 1.5 (t at 17)
    if (floats) {
        REQUIRE(fraction.has_value());
        CHECK(*fraction->time == 1700000001.5);
    } else {
        REQUIRE_FALSE(fraction.has_value());
        CHECK(fraction.error() == lwm2m::error{errc::float_not_supported, 17});
    }

    const auto based = [](std::string_view bv, std::string_view v) {
        return senml_cbor_record(from_hex("81a32166") + "/1/0/1" + from_hex("24") + from_hex(bv) + from_hex("02") + from_hex(v), true);
    };
    const auto sum = based("f95640", "0a");  // 100.0 + 10: 110 for Lifetime (Integer)
    REQUIRE(sum.has_value());
    CHECK(sum->value == lwm2m::value::of_integer(110));
    const auto half = based("f93e00", "0a");  // 1.5 + 10: no Integer either way (at v's value, 15)
    REQUIRE_FALSE(half.has_value());
    CHECK(half.error() == lwm2m::error{floats ? errc::type_mismatch : errc::float_not_supported, 15});

    // A negative integer below INT64_MIN (major 1, 2^64 - 1) is a double either way, as rounded.
    const auto low = senml_cbor_record(from_hex("81a20066") + "/1/0/1" + from_hex("023bfffffffffffffffe"), false);
    REQUIRE(low.has_value());
    CHECK(low->value == lwm2m::value::of_float(-18446744073709551615.0));
}

TEST_CASE("a client binds the object's schema, or with LWM2M_SCHEMA_NAMES 0 the same schema without its text") {
    constexpr bool names = LWM2M_SCHEMA_NAMES != 0;
    lwm2m::client::basic_device_object<1, 1> device;
    const lwm2m::client::object_binding b = lwm2m::client::bind(device);
    const lwm2m::object_view original = lwm2m::client::basic_device_object<1, 1>::schema.view();
    REQUIRE(b.schema.resources().size() == original.resources().size());
    CHECK(b.schema.id() == 3);
    CHECK(b.schema.info().version == original.info().version);
    CHECK(b.schema.info().instances == original.info().instances);
    CHECK(b.schema.info().name == (names ? original.info().name : std::string_view{}));
    for (std::size_t i = 0; i < original.resources().size(); ++i) {
        const lwm2m::resource_def& got = b.schema.resources()[i];
        const lwm2m::resource_def& want = original.resources()[i];
        CAPTURE(want.id);
        CHECK(got.id == want.id);
        CHECK(got.type == want.type);
        CHECK(got.ops == want.ops);
        CHECK(got.instances == want.instances);
        CHECK(got.required == want.required);
        CHECK(got.range == want.range);
        CHECK(got.name == (names ? want.name : std::string_view{}));
        CHECK(got.units == (names ? want.units : std::string_view{}));
    }
    CHECK(original.find(0)->name == "Manufacturer");  // the object's own schema keeps its text
}
