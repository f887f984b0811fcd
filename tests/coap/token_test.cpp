// Tests of tokens and Message IDs drawn from an injected random source (RFC 7252 §5.3.1, §4.4),
// with deterministic fake sources.
// doctest, no main here: link with a translation unit defining DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN.

#include <lwm2m/coap/token.hpp>

#include <doctest/doctest.h>

#include <lwm2m/bytes.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <set>
#include <vector>

namespace {

using lwm2m::coap::make_token;
using lwm2m::coap::message_id_sequence;
using lwm2m::coap::token;

/// Returns the given words in turn (then repeats them) and counts the calls.
struct scripted_random {
    std::vector<std::uint32_t> words;
    std::size_t calls = 0;
    std::uint32_t operator()() { return words[calls++ % words.size()]; }
};

/// A deterministic counter: 0x01010101, 0x02020202, ...
struct counting_random {
    std::uint32_t n = 0;
    std::uint32_t operator()() {
        ++n;
        return n * 0x01010101u;
    }
};

/// splitmix64 as a 32-bit source.
struct splitmix_random {
    std::uint64_t state;
    std::uint32_t operator()() {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return static_cast<std::uint32_t>((z ^ (z >> 31)) >> 32);
    }
};

static_assert(lwm2m::coap::random_source<scripted_random>);
static_assert(lwm2m::coap::random_source<counting_random>);
static_assert(!lwm2m::coap::random_source<int>);

std::vector<std::byte> bytes_of(const token& t) { return {t.view().begin(), t.view().end()}; }

} // namespace

TEST_CASE("RFC 7252 §5.3.1: a token is 0 to 8 bytes and keeps the bytes it was given") {
    const token empty;
    CHECK(empty.empty());
    CHECK(empty.size() == 0);
    CHECK(empty.view().empty());

    const std::array<std::byte, 8> eight{std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4},
                                         std::byte{5}, std::byte{6}, std::byte{7}, std::byte{8}};
    for (std::size_t n = 0; n <= 8; ++n) {
        CAPTURE(n);
        const token t{lwm2m::bytes_view{eight.data(), n}};
        CHECK(t.size() == n);
        CHECK(t.empty() == (n == 0));
        CHECK(bytes_of(t) == std::vector<std::byte>(eight.begin(), eight.begin() + static_cast<std::ptrdiff_t>(n)));
    }
}

TEST_CASE("RFC 7252 §5.3.1: tokens compare by length and content (the empty token is a value too)") {
    const std::array<std::byte, 3> abc{std::byte{0xA}, std::byte{0xB}, std::byte{0xC}};
    const std::array<std::byte, 3> abd{std::byte{0xA}, std::byte{0xB}, std::byte{0xD}};
    const token t1{abc}, t2{abc}, t3{abd};
    const token prefix{lwm2m::bytes_view{abc.data(), 2}};
    CHECK(t1 == t2);
    CHECK_FALSE(t1 == t3);
    CHECK_FALSE(t1 == prefix);
    CHECK(token{} == token{lwm2m::bytes_view{}});
    CHECK_FALSE(token{} == prefix);
    // zero bytes are content, not padding
    const std::array<std::byte, 2> zeros{};
    CHECK_FALSE(token{} == token{zeros});
    CHECK_FALSE(token{lwm2m::bytes_view{zeros.data(), 1}} == token{zeros});
}

TEST_CASE("RFC 7252 §5.3.1: make_token takes every byte from the random source (32 bits per draw)") {
    scripted_random r{{0xAAAAAAAAu}};
    const token t = make_token(r);
    CHECK(t.size() == 8);  // the default: the full 8 bytes against spoofing
    CHECK(r.calls == 2);   // 64 bits need two 32-bit draws, no more
    for (std::byte b : t.view()) CHECK(b == std::byte{0xAA});

    // with two different words, each word supplies four of the bytes
    scripted_random two{{0x11111111u, 0x22222222u}};
    const auto v = bytes_of(make_token(two));
    CHECK(std::count(v.begin(), v.end(), std::byte{0x11}) == 4);
    CHECK(std::count(v.begin(), v.end(), std::byte{0x22}) == 4);

    // a 4-byte token (the "at least 32 bits of randomness" of §5.3.1) uses one draw
    scripted_random one{{0x01020304u}};
    const auto four = bytes_of(make_token(one, 4));
    CHECK(one.calls == 1);
    CHECK(four.size() == 4);
    const std::set<std::byte> got(four.begin(), four.end());
    CHECK(got == std::set<std::byte>{std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4}});
}

TEST_CASE("RFC 7252 §5.3.1: make_token lengths 1..8 and successive tokens differ") {
    for (std::size_t len = 1; len <= 8; ++len) {
        CAPTURE(len);
        scripted_random r{{0xDEADBEEFu, 0xCAFEF00Du}};
        const token t = make_token(r, len);
        CHECK(t.size() == len);
        CHECK(r.calls == (len + 3) / 4);
    }
    counting_random c;
    const token a = make_token(c), b = make_token(c), d = make_token(c, 2);
    CHECK_FALSE(a == b);
    CHECK(d.size() == 2);

    splitmix_random s{42};
    std::set<std::vector<std::byte>> seen;
    for (int i = 0; i < 1000; ++i) seen.insert(bytes_of(make_token(s)));
    CHECK(seen.size() == 1000);  // 64 random bits: no collision in 1000 draws
}

TEST_CASE("RFC 7252 §4.4: Message IDs are 16-bit, increase by one and wrap 65535 -> 0") {
    message_id_sequence ids{65534};
    CHECK(ids.next() == 65534);
    CHECK(ids.next() == 65535);
    CHECK(ids.next() == 0);
    CHECK(ids.next() == 1);

    message_id_sequence from0{0};
    std::uint32_t mismatches = 0;
    for (std::uint32_t i = 0; i < 70000; ++i) mismatches += from0.next() != static_cast<std::uint16_t>(i);
    CHECK(mismatches == 0);
}

TEST_CASE("RFC 7252 §4.4: a seeded Message ID sequence starts at a value from the random source") {
    scripted_random r{{0x1234ABCDu}};
    auto ids = message_id_sequence::seeded(r);
    CHECK(r.calls == 1);
    const std::uint16_t first = ids.next();
    CHECK((first == 0xABCD || first == 0x1234));  // 16 of the 32 random bits
    CHECK(ids.next() == static_cast<std::uint16_t>(first + 1));

    // different random values give different starts
    scripted_random other{{0x00000001u}};
    scripted_random another{{0x00020002u}};
    CHECK(message_id_sequence::seeded(other).next() != message_id_sequence::seeded(another).next());
}
