// Tests of block_option (RFC 7959 §2.2) and the Observe helpers (RFC 7641 §2, §3.4, §4.4).
// Expected values come from the RFC text and its examples.
// doctest, no main here: link with a translation unit defining DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN.

#include <lwm2m/coap/block.hpp>
#include <lwm2m/coap/observe.hpp>

#include <doctest/doctest.h>

#include <lwm2m/errc.hpp>

#include <chrono>
#include <cstdint>

namespace {

using lwm2m::errc;
using lwm2m::coap::block_option;
using lwm2m::coap::is_newer_notification;
using lwm2m::coap::observe_sequence;
using namespace std::chrono_literals;

constexpr std::uint32_t two_23 = 1u << 23;
constexpr std::uint32_t two_24 = 1u << 24;

} // namespace

// ---- block_option ---------------------------------------------------------------------------------

TEST_CASE("RFC 7959 §3: the notation examples, Block2 value 33 = 2:2/0/32 and Block1 value 59 = 1:3/1/128") {
    const auto b33 = block_option::decode(33);
    REQUIRE(b33.has_value());
    CHECK(b33->num == 2);
    CHECK_FALSE(b33->more);
    CHECK(b33->szx == 1);
    CHECK(b33->size() == 32);
    CHECK(b33->encode() == 33);

    const auto b59 = block_option::decode(59);
    REQUIRE(b59.has_value());
    CHECK(b59->num == 3);
    CHECK(b59->more);
    CHECK(b59->szx == 3);
    CHECK(b59->size() == 128);
    CHECK(b59->encode() == 59);
}

TEST_CASE("RFC 7959 §3.1 Figure 2: the three blocks of a 128-byte block-wise GET") {
    // 2:0/1/128, 2:1/1/128, 2:2/0/128 in the responses; 2:1/0/128, 2:2/0/128 in the requests
    const block_option first{0, true, 3}, second{1, true, 3}, last{2, false, 3};
    CHECK(first.encode() == 0x0B);
    CHECK(second.encode() == 0x1B);
    CHECK(last.encode() == 0x23);
    CHECK(first.offset() == 0);
    CHECK(second.offset() == 128);
    CHECK(last.offset() == 256);
    CHECK(block_option::decode(0x1B).value() == second);
    CHECK(block_option::decode(0x13).value() == block_option{1, false, 3});  // the request 2:1/0/128
}

TEST_CASE("RFC 7959 §2.2: size = 2**(SZX+4) from 16 to 1024; SZX 7 is reserved") {
    constexpr std::uint32_t sizes[] = {16, 32, 64, 128, 256, 512, 1024};
    for (std::uint8_t szx = 0; szx <= 6; ++szx) {
        CAPTURE(static_cast<int>(szx));
        const block_option b{0, false, szx};
        CHECK(b.size() == sizes[szx]);
        CHECK(block_option::szx_for_size(sizes[szx]).value() == szx);
        const auto d = block_option::decode(szx);
        REQUIRE(d.has_value());
        CHECK(d->szx == szx);
    }
    for (std::uint32_t v : {7u, 0x0Fu, 0x17u, 0xFFFFFFu, 0xFFFFF7u}) {
        CAPTURE(v);
        const auto d = block_option::decode(v);
        REQUIRE_FALSE(d.has_value());
        CHECK(d.error().code == errc::invalid_block_option);
    }
}

TEST_CASE("RFC 7959 §2.2: szx_for_size accepts only the seven power-of-two sizes") {
    for (std::uint32_t s : {0u, 1u, 8u, 15u, 17u, 48u, 100u, 1000u, 1023u, 1025u, 2048u, 4096u, 0xFFFFFFFFu}) {
        CAPTURE(s);
        const auto r = block_option::szx_for_size(s);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == errc::invalid_argument);
    }
}

TEST_CASE("RFC 7959 §2.2: the block starts at byte NUM << (SZX + 4), i.e. (val & ~0xF) << (val & 7)") {
    for (std::uint32_t val : {0x00u, 0x16u, 0x2Eu, 0x10u, 0x3Bu, 0xFFFFF6u, 0x12345u, 0x80000u}) {
        CAPTURE(val);
        const auto b = block_option::decode(val);
        REQUIRE(b.has_value());
        const std::uint64_t via_note = static_cast<std::uint64_t>(val & ~0xFu) << (val & 7u);
        CHECK(b->offset() == via_note);
        CHECK(b->offset() == static_cast<std::uint64_t>(b->num) * b->size());
    }
    // the largest offset: NUM 2^20-1 with 1024-byte blocks, beyond 32 bits
    const block_option last{block_option::max_num, false, 6};
    CHECK(last.offset() == (std::uint64_t{(1u << 20) - 1} << 10));
}

TEST_CASE("RFC 7959 §2.2: NUM uses the bits above M and SZX, up to 20 bits in 3 bytes") {
    CHECK(block_option::max_num == 0xFFFFF);
    for (std::uint32_t num : {0u, 1u, 15u, 16u, 4095u, 4096u, 0xFFFFFu}) {
        for (bool more : {false, true}) {
            for (std::uint8_t szx = 0; szx <= 6; ++szx) {
                const block_option b{num, more, szx};
                const std::uint32_t v = b.encode();
                CHECK(v == (num << 4 | (more ? 8u : 0u) | szx));
                CHECK(v <= 0xFFFFFFu);  // fits the 0-3 byte uint
                CHECK(block_option::decode(v).value() == b);
            }
        }
    }
    // wider than 3 bytes: not a Block value
    const auto wide = block_option::decode(0x1000000);
    REQUIRE_FALSE(wide.has_value());
    CHECK(wide.error().code == errc::invalid_block_option);
}

TEST_CASE("RFC 7959 §2.2: value 0 (a zero-length option) is NUM 0, M 0, SZX 0") {
    const auto b = block_option::decode(0);
    REQUIRE(b.has_value());
    CHECK(*b == block_option{0, false, 0});
    CHECK(b->size() == 16);
    CHECK(b->offset() == 0);
}

// ---- Observe -------------------------------------------------------------------------------------

TEST_CASE("RFC 7641 §2/§3.6: Observe 0 registers, 1 deregisters; sequence numbers are 24-bit") {
    CHECK(lwm2m::coap::observe_register == 0);
    CHECK(lwm2m::coap::observe_deregister == 1);
    CHECK(lwm2m::coap::observe_sequence_modulus == two_24);
}

TEST_CASE("RFC 7641 §3.4: V2 is newer when V1 < V2 < V1 + 2^23") {
    CHECK(is_newer_notification(1, 2, 0s));
    CHECK(is_newer_notification(100, 12345, 0s));
    CHECK(is_newer_notification(0, two_23 - 1, 0s));
    CHECK_FALSE(is_newer_notification(0, two_23, 0s));       // exactly half the space: not newer
    CHECK_FALSE(is_newer_notification(0, two_23 + 1, 0s));
    CHECK_FALSE(is_newer_notification(5, 5, 0s));            // the same value is not newer
    CHECK_FALSE(is_newer_notification(12345, 100, 0s));      // older
    CHECK_FALSE(is_newer_notification(two_23, 0, 0s));       // V1 - V2 == 2^23 is not > 2^23
}

TEST_CASE("RFC 7641 §3.4: wrap-around, V1 > V2 and V1 - V2 > 2^23") {
    CHECK(is_newer_notification(two_24 - 1, 0, 0s));         // the counter wrapped
    CHECK(is_newer_notification(two_24 - 1, 5, 0s));
    CHECK(is_newer_notification(two_23 + 1, 0, 0s));         // V1 - V2 = 2^23 + 1
    CHECK(is_newer_notification(two_24 - 10, two_23 - 20, 0s));
    CHECK_FALSE(is_newer_notification(0, two_24 - 1, 0s));   // the other way round: older
    CHECK_FALSE(is_newer_notification(5, two_24 - 1, 0s));
}

TEST_CASE("RFC 7641 §3.4: after more than 128 seconds any notification is newer") {
    CHECK_FALSE(is_newer_notification(10, 9, 128s));          // T2 > T1 + 128 s is strict
    CHECK(is_newer_notification(10, 9, 129s));
    CHECK_FALSE(is_newer_notification(10, 9, 128000ms));
    CHECK(is_newer_notification(10, 9, 128001ms));
    CHECK(is_newer_notification(10, 10, 3min));
    CHECK(is_newer_notification(0, two_24 - 1, std::chrono::hours(24)));
    CHECK_FALSE(is_newer_notification(10, 9, 127s));
    CHECK_FALSE(is_newer_notification(10, 9, -200s));         // time went backwards: no help
    CHECK(is_newer_notification(9, 10, 0s));                  // a newer value needs no time at all
    // any duration type
    CHECK(is_newer_notification(10, 9, std::chrono::duration<double>(128.5)));
    CHECK_FALSE(is_newer_notification(10, 9, std::chrono::duration<double>(127.9)));
}

TEST_CASE("RFC 7641 §4.4: observe_sequence increases by one and wraps at 2^24") {
    observe_sequence seq;  // starts after the (de)registration values 0 and 1
    const std::uint32_t first = seq.next();
    CHECK(first == 2);
    CHECK(seq.next() == 3);
    CHECK(is_newer_notification(first, 3, 0s));

    observe_sequence near_end{two_24 - 2};
    CHECK(near_end.next() == two_24 - 2);
    CHECK(near_end.next() == two_24 - 1);
    const std::uint32_t wrapped = near_end.next();
    CHECK(wrapped == 0);
    CHECK(near_end.next() == 1);
    CHECK(is_newer_notification(two_24 - 1, wrapped, 0s));  // the receiver sees it as newer

    observe_sequence reduced{two_24 + 7};  // a start beyond 24 bits is taken mod 2^24
    CHECK(reduced.next() == 7);

    // every value a long-running sequence produces fits the 3-byte Observe option and is newer
    observe_sequence long_run{two_24 - 1000};
    std::uint32_t previous = long_run.next();
    for (int i = 0; i < 3000; ++i) {
        const std::uint32_t v = long_run.next();
        REQUIRE(v < two_24);
        REQUIRE(is_newer_notification(previous, v, 0s));
        previous = v;
    }
}
