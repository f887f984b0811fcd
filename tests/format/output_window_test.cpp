#include <lwm2m/format/output_window.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace {

using lwm2m::bytes_view;
using lwm2m::mutable_bytes;
using lwm2m::format::direct_cursor;
using lwm2m::format::output_window;

std::vector<std::byte> random_body(std::mt19937& rng, std::size_t size) {
    std::vector<std::byte> b(size);
    for (auto& x : b) x = static_cast<std::byte>(rng() & 0xff);
    return b;
}

/**
 * Writes `body` into `w` in pieces of random length, through every way a writer has:
 * put(byte), put(bytes) and direct writes through `direct_cursor`.
 */
void write_in_pieces(output_window& w, const std::vector<std::byte>& body, std::mt19937& rng) {
    std::size_t at = 0;
    while (at < body.size()) {
        const std::size_t n = std::min<std::size_t>(body.size() - at, 1 + rng() % 40);
        switch (rng() % 3) {
        case 0:
            for (std::size_t i = 0; i < n; ++i) w.put(body[at + i]);
            break;
        case 1: w.put(bytes_view{body.data() + at, n}); break;
        default: {
            direct_cursor c{w};
            for (std::size_t i = 0; i < n; ++i) {
                if (std::byte* p = c.room(1)) {
                    *p = body[at + i];
                    c.wrote(p + 1);
                } else {
                    c.through_window([&](output_window& o) { o.put(body[at + i]); });
                }
            }
            c.flush();
        }
        }
        at += n;
    }
}

} // namespace

TEST_CASE("output_window: the fingerprint is the same for every window position and size (a Block2 ETag)") {
    std::mt19937 rng{20261126};
    for (int round = 0; round < 300; ++round) {
        CAPTURE(round);
        const auto body = random_body(rng, rng() % 700);
        std::vector<std::byte> whole_buffer(body.size() + 1);
        output_window whole{mutable_bytes{whole_buffer}};
        write_in_pieces(whole, body, rng);
        REQUIRE(whole.total() == body.size());
        const std::uint64_t expected = whole.fingerprint();

        for (const std::size_t block : {std::size_t{16}, std::size_t{64}, std::size_t{256}}) {
            std::vector<std::byte> buf(block);
            for (std::size_t skip = 0; skip <= body.size() + block; skip += block) {
                output_window w{mutable_bytes{buf}, skip};
                write_in_pieces(w, body, rng);
                CHECK(w.total() == body.size());
                CHECK(w.fingerprint() == expected);
            }
        }
    }
}

TEST_CASE("output_window: the fingerprint tells bodies apart: one byte changed, moved, added or a zero appended") {
    std::mt19937 rng{7};
    for (int round = 0; round < 200; ++round) {
        auto body = random_body(rng, 1 + rng() % 300);
        const auto print = [&](const std::vector<std::byte>& b, std::size_t skip) {
            std::array<std::byte, 32> buf{};
            output_window w{mutable_bytes{buf}, skip};
            w.put(bytes_view{b});
            return w.fingerprint();
        };
        const std::uint64_t original = print(body, 32);
        auto changed = body;
        changed[rng() % changed.size()] ^= std::byte{1};
        CHECK(print(changed, 32) != original);
        auto longer = body;
        longer.push_back(std::byte{0});
        CHECK(print(longer, 0) != original);
        if (body.size() >= 2 && body.front() != body.back()) {
            auto swapped = body;
            std::swap(swapped.front(), swapped.back());
            CHECK(print(swapped, 64) != original);
        }
    }
    // Bodies of zeros of different lengths differ (zeros are counted).
    std::array<std::byte, 8> zeros{};
    output_window a{mutable_bytes{zeros}, 0};
    a.put(bytes_view{zeros.data(), 3});
    std::array<std::byte, 8> zeros2{};
    output_window b{mutable_bytes{zeros2}, 0};
    b.put(bytes_view{zeros2.data(), 4});
    CHECK(a.fingerprint() != b.fingerprint());
}
