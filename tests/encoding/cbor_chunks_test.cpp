// encoding/cbor_chunks.hpp and `text_encoding::cbor_chunks` values (RFC 8949 §3.2.3): the chunks
// joined whatever their head sizes, the decoded length, range checks by it, and views that no
// reader checked (malformed heads) reported, not read past.
#include <lwm2m/encoding/cbor_chunks.hpp>

#include <doctest/doctest.h>

#include <lwm2m/model/coerce.hpp>
#include <lwm2m/model/value_bytes.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "../support/test_schema.hpp"

namespace {

using lwm2m::errc;
using lwm2m::text_encoding;
using lwm2m::value;

std::string joined(const value& v) {
    std::string s;
    const auto n = lwm2m::for_each_value_byte(v, [&](std::byte b) { s.push_back(static_cast<char>(b)); });
    REQUIRE(n.has_value());
    CHECK(*n == s.size());
    return s;
}

TEST_CASE("CBOR chunks: every head size (RFC 8949 §3.1) joined, and the decoded length") {
    // "ab" (one-byte head), "" (empty chunk), "c" with a 1-byte length, "de" with 2, "f" with 4 and 8.
    const std::string chunks = std::string("\x62" "ab" "\x60" "\x78\x01" "c" "\x79\x00\x02" "de", 12) +
                               std::string("\x7a\x00\x00\x00\x01" "f" "\x7b\x00\x00\x00\x00\x00\x00\x00\x01" "g", 16);
    const value v = value::of_string(chunks, text_encoding::cbor_chunks);
    CHECK(joined(v) == "abcdefg");
    CHECK(lwm2m::value_byte_size(v).value() == 7);
    std::array<std::byte, 7> out{};
    CHECK(lwm2m::copy_value_bytes(v, out).value() == 7);
    std::array<std::byte, 6> small{};
    CHECK(lwm2m::copy_value_bytes(v, small).error() == lwm2m::error{errc::buffer_too_small, 7});
    // No chunk at all: empty.
    CHECK(joined(value::of_opaque({}, text_encoding::cbor_chunks)).empty());
}

TEST_CASE("CBOR chunks: a view no reader checked fails with invalid_cbor at the bad chunk") {
    const auto error_of = [](std::string_view chunks) {
        const value v = value::of_string(chunks, text_encoding::cbor_chunks);
        const auto size = lwm2m::value_byte_size(v);
        REQUIRE(!size.has_value());
        const auto walked = lwm2m::for_each_value_byte(v, [](std::byte) {});
        REQUIRE(!walked.has_value());
        CHECK(walked.error() == size.error());
        return size.error();
    };
    CHECK(error_of("\x61" "a" "\x63" "ab") == lwm2m::error{errc::invalid_cbor, 2});  // runs past the view
    CHECK(error_of("\x61" "a" "\x79\x00") == lwm2m::error{errc::invalid_cbor, 2});   // a truncated head
    CHECK(error_of("\x7f") == lwm2m::error{errc::invalid_cbor, 0});                  // not a definite length
    CHECK(error_of("\x7c") == lwm2m::error{errc::invalid_cbor, 0});                  // reserved (28)
}

TEST_CASE("check_range_decoded: a chunked string or opaque value by its joined length") {
    constexpr auto short_text = lwm2m::test::res(0, lwm2m::data_type::string, false, lwm2m::test::range(0, 3));
    // (_ "ab", "c") is 3 bytes (its view 5); (_ "ab", "cd") is 4.
    CHECK(lwm2m::check_range_decoded(value::of_string("\x62" "ab" "\x61" "c", text_encoding::cbor_chunks), short_text));
    CHECK(lwm2m::check_range_decoded(value::of_string("\x62" "ab" "\x62" "cd", text_encoding::cbor_chunks), short_text).error().code ==
          errc::number_out_of_range);
    CHECK(lwm2m::check_range_decoded(value::of_string("\x63" "ab", text_encoding::cbor_chunks), short_text).error().code ==
          errc::invalid_cbor);
    // JSON-escaped text too: "\u0061bc" is 3 bytes (check_range leaves encoded values to its callers).
    CHECK(lwm2m::check_range_decoded(value::of_string("\\u0061bc", text_encoding::json_escaped), short_text));
    CHECK(!lwm2m::check_range_decoded(value::of_string("\\u0061bcd", text_encoding::json_escaped), short_text));
}

} // namespace
