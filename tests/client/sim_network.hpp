// A simulated datagram network for engine tests: seeded random loss, duplication and
// reordering (random per-datagram delay) under a virtual clock. Test-only; uses the standard
// library freely.
#pragma once

#include <lwm2m/bytes.hpp>
#include <lwm2m/exchange/clock.hpp>
#include <lwm2m/exchange/peer.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <vector>

namespace lwm2m::test::client_net {

/** Network behaviour. Probabilities in [0, 1]; delays drawn uniformly in [min_delay, max_delay]. */
struct sim_conditions {
    double loss = 0.0;
    double duplication = 0.0;
    duration min_delay = std::chrono::milliseconds(10);
    duration max_delay = std::chrono::milliseconds(10);
};

/** Nodes are numbered 0, 1, ...; a datagram goes from one node to another. */
class sim_network {
public:
    struct datagram {
        std::size_t from = 0;
        std::size_t to = 0;
        std::vector<std::byte> bytes;
        time_point deliver_at{};
        std::uint64_t order = 0;
    };

    explicit sim_network(std::uint32_t seed, sim_conditions c = {}) : rng_(seed), conditions_(c) {}

    void set_conditions(const sim_conditions& c) { conditions_ = c; }

    /** Sends `bytes` from `from` to `to` at `now`: maybe lost, maybe duplicated, delayed. */
    void send(std::size_t from, std::size_t to, bytes_view bytes, time_point now) {
        ++sent_;
        if (chance(conditions_.loss)) {
            ++lost_;
            return;
        }
        enqueue(from, to, bytes, now);
        if (chance(conditions_.duplication)) {
            ++duplicated_;
            enqueue(from, to, bytes, now);
        }
    }

    /** When the next datagram arrives, if any is in flight. */
    [[nodiscard]] std::optional<time_point> next_arrival() const {
        std::optional<time_point> t;
        for (const datagram& d : in_flight_)
            if (!t || d.deliver_at < *t) t = d.deliver_at;
        return t;
    }

    /** Removes and returns the earliest datagram due at `now`, if any. */
    std::optional<datagram> pop_due(time_point now) {
        auto best = in_flight_.end();
        for (auto it = in_flight_.begin(); it != in_flight_.end(); ++it)
            if (it->deliver_at <= now &&
                (best == in_flight_.end() || it->deliver_at < best->deliver_at ||
                 (it->deliver_at == best->deliver_at && it->order < best->order)))
                best = it;
        if (best == in_flight_.end()) return std::nullopt;
        datagram d = std::move(*best);
        in_flight_.erase(best);
        return d;
    }

    [[nodiscard]] std::size_t sent() const { return sent_; }
    [[nodiscard]] std::size_t lost() const { return lost_; }
    [[nodiscard]] std::size_t duplicated() const { return duplicated_; }

private:
    bool chance(double p) { return p > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
    void enqueue(std::size_t from, std::size_t to, bytes_view bytes, time_point now) {
        const auto lo = conditions_.min_delay.count();
        const auto hi = std::max(conditions_.max_delay.count(), lo);
        const duration delay{std::uniform_int_distribution<clock::rep>(lo, hi)(rng_)};
        in_flight_.push_back(datagram{from, to, std::vector<std::byte>(bytes.begin(), bytes.end()), now + delay, order_++});
    }

    std::mt19937 rng_;
    sim_conditions conditions_;
    std::vector<datagram> in_flight_;
    std::uint64_t order_ = 0;
    std::size_t sent_ = 0, lost_ = 0, duplicated_ = 0;
};

/** A seeded 32-bit random source for engines. */
struct sim_random {
    std::uint32_t state = 12345;
    std::uint32_t operator()() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        return state;
    }
};

} // namespace lwm2m::test::client_net
