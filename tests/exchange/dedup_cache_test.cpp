// exchange::dedup_cache (RFC 7252 §4.5): the scanned (<= 32 entries) and the hashed (> 32)
// layouts against a reference model under random remember/forget/find/expire with colliding keys.
#include <lwm2m/exchange/dedup_cache.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <array>
#include <memory>
#include <optional>
#include <map>
#include <random>
#include <utility>
#include <vector>

namespace dedup_cache_test {

using namespace std::chrono_literals;
using lwm2m::time_point;
using lwm2m::exchange::peer_id;

/**
 * What the cache must answer: a ring of `Entries` positions filled in turn (a new key takes
 * the oldest position, whatever it holds); a key already there is updated in place;
 * `expire` empties the positions of expired keys.
 */
template <std::size_t Entries>
struct model {
    using key = std::pair<std::uint32_t, std::uint16_t>;
    struct value {
        time_point expires;
        std::vector<std::byte> answer;
    };
    std::map<key, value> live;
    std::array<std::optional<key>, Entries> ring{};
    std::size_t oldest = 0;

    void remember(std::uint32_t p, std::uint16_t mid, time_point expires, std::vector<std::byte> answer) {
        const key k{p, mid};
        if (auto it = live.find(k); it != live.end()) {
            it->second = value{expires, std::move(answer)};
            return;
        }
        if (ring[oldest]) live.erase(*ring[oldest]);
        ring[oldest] = k;
        oldest = (oldest + 1) % Entries;
        live.emplace(k, value{expires, std::move(answer)});
    }
    void forget(std::uint32_t p, std::uint16_t mid) {
        const key k{p, mid};
        for (auto& r : ring)
            if (r == k) r.reset();
        live.erase(k);
    }
    void expire(time_point now) {
        for (auto& r : ring)
            if (r && live.at(*r).expires <= now) {
                live.erase(*r);
                r.reset();
            }
    }
};

template <std::size_t Entries>
void run(std::uint32_t seed, std::uint32_t peers) {
    auto cache = std::make_unique<lwm2m::exchange::dedup_cache<Entries, 16>>();
    model<Entries> ref;
    std::mt19937 rng(seed);
    time_point now{};
    for (int step = 0; step < 6000; ++step) {
        const std::uint32_t p = rng() % peers;
        const auto mid = static_cast<std::uint16_t>(rng() % 64);
        if (rng() % 3 == 0) {
            std::vector<std::byte> answer(rng() % 20, static_cast<std::byte>(step));
            const time_point expires = now + std::chrono::seconds(1 + rng() % 50);
            cache->remember(peer_id{p}, mid, expires, lwm2m::bytes_view{answer.data(), answer.size()});
            if (answer.size() > 16) answer.clear();  // not cached: "processed, no answer"
            ref.remember(p, mid, expires, answer);
        } else if (rng() % 8 == 0) {
            // A large answer to a safe request: claimed, then forgotten (processed again).
            const time_point expires = now + std::chrono::seconds(1 + rng() % 50);
            cache->forget(cache->claim(peer_id{p}, mid, expires));
            ref.remember(p, mid, expires, {});
            ref.forget(p, mid);
        } else if (rng() % 50 == 0) {
            cache->expire(now);
            ref.expire(now);
        } else {
            now += std::chrono::milliseconds(rng() % 200);
        }
        // Check a few keys, present or not.
        for (int k = 0; k < 4; ++k) {
            const std::uint32_t q = rng() % peers;
            const auto m = static_cast<std::uint16_t>(rng() % 64);
            const auto* e = cache->find(peer_id{q}, m, now);
            const auto it = ref.live.find({q, m});
            const bool expect = it != ref.live.end() && it->second.expires > now;
            REQUIRE((e != nullptr) == expect);
            if (e != nullptr) {
                CHECK(e->peer == peer_id{q});
                CHECK(e->message_id == m);
                const auto got = e->answer_bytes();
                CHECK(std::vector<std::byte>(got.begin(), got.end()) == it->second.answer);
            }
        }
    }
}

TEST_CASE("dedup_cache: scanned layout (16 entries) matches the model") {
    run<16>(1, 3);
    run<16>(2, 40);
}

TEST_CASE("dedup_cache: hashed layout (33, 100 and 1000 entries) matches the model, collisions and wrap-around included") {
    run<33>(3, 5);
    run<100>(4, 7);
    run<100>(5, 500);
    run<1000>(6, 1000);
}

} // namespace dedup_cache_test
