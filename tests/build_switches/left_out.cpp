// What a build gets from the switches of config.hpp that leave a decoder out of firmware
// (LWM2M_CBOR_INDEFINITE_STRINGS, LWM2M_JSON_ESCAPED_VALUES): run.sh compiles this file twice,
// with every switch at its default and with every switch 0, and the checks below say what
// each build must do. Not part of lwm2m_tests: a switch changes inline functions, so a
// program must see one setting in every translation unit.

#include <lwm2m/client/response_code.hpp>
#include <lwm2m/format/cbor/reader.hpp>
#include <lwm2m/format/codec.hpp>
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

std::string from_hex(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
    return out;
}
lwm2m::bytes_view bytes(const std::string& s) { return lwm2m::as_bytes(std::string_view{s}); }

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
