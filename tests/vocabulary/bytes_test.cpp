#include <lwm2m/bytes.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

using lwm2m::errc;

template <class... T>
constexpr std::array<std::byte, sizeof...(T)> bytes(T... v) {
    return {static_cast<std::byte>(v)...};
}

} // namespace

TEST_CASE("from_hex: decodes upper and lower case") {
    std::array<std::byte, 8> out{};
    const auto n = lwm2m::from_hex("00ff10Ab", out);
    REQUIRE(n.has_value());
    CHECK(*n == 4);
    CHECK(out[0] == std::byte{0x00});
    CHECK(out[1] == std::byte{0xff});
    CHECK(out[2] == std::byte{0x10});
    CHECK(out[3] == std::byte{0xab});
    CHECK(out[4] == std::byte{0x00});  // untouched
}

TEST_CASE("from_hex: empty input writes nothing") {
    const auto n = lwm2m::from_hex("", lwm2m::mutable_bytes{});
    REQUIRE(n.has_value());
    CHECK(*n == 0);
}

TEST_CASE("from_hex: odd length is invalid_argument at the end") {
    std::array<std::byte, 8> out{};
    const auto n = lwm2m::from_hex("abc", out);
    REQUIRE_FALSE(n.has_value());
    CHECK(n.error() == lwm2m::error{errc::invalid_argument, 3});
}

TEST_CASE("from_hex: a bad digit is reported at its offset") {
    std::array<std::byte, 8> out{};
    CHECK(lwm2m::from_hex("g0", out).error() == lwm2m::error{errc::invalid_argument, 0});
    CHECK(lwm2m::from_hex("0g", out).error() == lwm2m::error{errc::invalid_argument, 1});
    CHECK(lwm2m::from_hex("00zz", out).error() == lwm2m::error{errc::invalid_argument, 2});
    CHECK(lwm2m::from_hex("000 ", out).error() == lwm2m::error{errc::invalid_argument, 3});
    CHECK(lwm2m::from_hex("0x10", out).error() == lwm2m::error{errc::invalid_argument, 1});
}

TEST_CASE("from_hex: a small buffer is buffer_too_small with the size needed") {
    std::array<std::byte, 2> out{};
    const auto n = lwm2m::from_hex("00112233", out);
    REQUIRE_FALSE(n.has_value());
    CHECK(n.error() == lwm2m::error{errc::buffer_too_small, 4});
    CHECK(lwm2m::from_hex("0011", out).value() == 2);  // exactly fits
}

TEST_CASE("to_hex: lowercase, two chars per byte") {
    constexpr auto in = bytes(0xde, 0xad, 0xBE, 0x0f);
    std::array<char, 8> out{};
    const auto n = lwm2m::to_hex(in, out);
    REQUIRE(n.has_value());
    CHECK(*n == 8);
    CHECK(std::string_view(out.data(), *n) == "deadbe0f");
}

TEST_CASE("to_hex: a small buffer is buffer_too_small with the chars needed") {
    constexpr auto in = bytes(1, 2, 3, 4);
    std::array<char, 7> out{};
    CHECK(lwm2m::to_hex(in, out).error() == lwm2m::error{errc::buffer_too_small, 8});
    CHECK(lwm2m::to_hex(lwm2m::bytes_view{}, std::span<char>{}).value() == 0);
}

TEST_CASE("from_hex and to_hex round-trip every byte value") {
    std::array<std::byte, 256> all{};
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::byte>(i);
    std::array<char, 512> text{};
    REQUIRE(lwm2m::to_hex(all, text).value() == 512);
    std::array<std::byte, 256> back{};
    REQUIRE(lwm2m::from_hex(std::string_view(text.data(), text.size()), back).value() == 256);
    CHECK(back == all);
}

TEST_CASE("load_be: big-endian, 0 to 8 bytes") {
    CHECK(lwm2m::load_be({}) == 0);
    constexpr auto two = bytes(0x01, 0x02);
    CHECK(lwm2m::load_be(two) == 0x0102);
    constexpr auto eight = bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    CHECK(lwm2m::load_be(eight) == UINT64_MAX);
    constexpr auto mixed = bytes(0x12, 0x34, 0x56, 0x78, 0x9a);
    CHECK(lwm2m::load_be(mixed) == 0x123456789aULL);
}

TEST_CASE("store_be: writes the low bytes big-endian") {
    std::array<std::byte, 4> four{};
    lwm2m::store_be(0x01020304, four);
    CHECK(four == bytes(0x01, 0x02, 0x03, 0x04));

    std::array<std::byte, 2> two{};
    lwm2m::store_be(0x01020304, two);
    CHECK(two == bytes(0x03, 0x04));

    std::array<std::byte, 8> eight{};
    lwm2m::store_be(0x0123456789abcdefULL, eight);
    CHECK(lwm2m::load_be(eight) == 0x0123456789abcdefULL);

    lwm2m::store_be(0xff, lwm2m::mutable_bytes{});  // nothing to write
}

TEST_CASE("uint_length: shortest big-endian length (RFC 7252 section 3.2 uint)") {
    CHECK(lwm2m::uint_length(0) == 0);
    CHECK(lwm2m::uint_length(1) == 1);
    CHECK(lwm2m::uint_length(0xff) == 1);
    CHECK(lwm2m::uint_length(0x100) == 2);
    CHECK(lwm2m::uint_length(0xffff) == 2);
    CHECK(lwm2m::uint_length(0x10000) == 3);
    CHECK(lwm2m::uint_length(0xffffffff) == 4);
    CHECK(lwm2m::uint_length(0x100000000ULL) == 5);
    CHECK(lwm2m::uint_length(UINT64_MAX) == 8);
}

TEST_CASE("as_bytes and as_chars view the same memory") {
    constexpr std::string_view text = "coap";
    const auto b = lwm2m::as_bytes(text);
    CHECK(b.size() == 4);
    CHECK(b[0] == std::byte{'c'});
    CHECK(static_cast<const void*>(b.data()) == static_cast<const void*>(text.data()));
    CHECK(lwm2m::as_chars(b) == text);
}

TEST_CASE("bytes helpers are usable in constant expressions") {
    static_assert(lwm2m::uint_length(0x1234) == 2);
    static_assert(lwm2m::load_be(bytes(0xca, 0xfe)) == 0xcafe);
    static_assert([] {
        std::array<std::byte, 2> out{};
        const auto n = lwm2m::from_hex("cafe", out);
        return n.has_value() && *n == 2 && lwm2m::load_be(out) == 0xcafe;
    }());
    static_assert([] {
        std::array<char, 4> out{};
        const auto n = lwm2m::to_hex(bytes(0xbe, 0xef), out);
        return n.has_value() && std::string_view(out.data(), 4) == "beef";
    }());
    static_assert(lwm2m::from_hex("zz", lwm2m::mutable_bytes{}).error().code == errc::buffer_too_small);
    CHECK(true);
}
