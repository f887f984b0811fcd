#pragma once
// A deterministic network simulator for the sans-I/O engines (tests only; uses the heap).
//
// - A virtual clock (`lwm2m::time_point`, starting at `start`).
// - N nodes, each an engine driven through four operations: deliver a datagram, on_timeout,
//   next_deadline and poll_transmit. `add_endpoint(ep, handler)` adapts an
//   `exchange::endpoint` (on_datagram/on_timeout take a handler); `add_engine(e)` adapts an
//   engine that owns its handler (on_datagram(peer, bytes, now), on_timeout(now), e.g. the
//   LwM2M client); `add_node(ops)` takes any four callables. Every node gets a `peer_id`: the
//   address the others send to, and the source address its datagrams arrive from.
// - A seeded random model per datagram: loss, duplication, reordering (extra delay) and a
//   uniform delay, set network-wide or per directed link; plus an optional `filter` that
//   decides the fate of individual datagrams (for scripted drops in tests).
// - `run_until(t)`: collects what the nodes want to send, delivers datagrams in time order,
//   calls on_timeout when a node's next_deadline() is reached, until the clock reaches `t`.
//   Events at the same instant run in a fixed order (deliveries by send order, then
//   timeouts by node index), so a run is a pure function of the seed and the inputs.
// - `trace()` records every datagram (sent, dropped, duplicated, delivered) for assertions.

#include <lwm2m/bytes.hpp>
#include <lwm2m/exchange/clock.hpp>
#include <lwm2m/exchange/peer.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <utility>
#include <vector>

namespace lwm2m::test {

using exchange::peer_id;

/** How the network treats each datagram on a link. Probabilities are in [0, 1]. */
struct link_model {
    double loss = 0.0;         ///< probability a datagram (and each of its copies) is lost
    double duplicate = 0.0;    ///< probability a datagram is delivered twice
    double reorder = 0.0;      ///< probability a copy gets `reorder_delay` extra (so later ones overtake it)
    duration min_delay = std::chrono::milliseconds(1);
    duration max_delay = std::chrono::milliseconds(1);
    duration reorder_delay = std::chrono::milliseconds(500);  ///< extra delay, uniform in [0, this]
};

/** One datagram in the trace. */
struct sim_datagram {
    std::uint64_t seq = 0;       ///< send order
    time_point sent{};
    time_point arrives{};        ///< when the copy is (or would have been) delivered
    peer_id from{};
    peer_id to{};
    std::vector<std::byte> bytes;
    bool dropped = false;        ///< lost by the model or the filter
    bool duplicate = false;      ///< this is the second copy of a duplicated datagram
    bool delivered = false;      ///< handed to the destination node
    bool undeliverable = false;  ///< no node has the destination address

    [[nodiscard]] bytes_view view() const noexcept { return {bytes.data(), bytes.size()}; }
};

/** What a filter can decide for one datagram (before the random model is applied). */
enum class fate { model, drop, deliver };

/** The four operations the simulator needs from a node. */
struct node_ops {
    std::function<void(peer_id from, bytes_view datagram, time_point now)> deliver;
    std::function<void(time_point now)> timeout;
    std::function<std::optional<time_point>()> deadline;
    std::function<std::optional<exchange::transmit>(mutable_bytes out)> poll;
};

class sim_network {
public:
    explicit sim_network(std::uint64_t seed, link_model model = {}, time_point start = time_point{})
        : rng_(seed), model_(model), now_(start) {}

    sim_network(const sim_network&) = delete;
    sim_network& operator=(const sim_network&) = delete;

    /** Adds a node with custom operations; returns its address. */
    peer_id add_node(node_ops ops) {
        const peer_id id{static_cast<std::uint32_t>(nodes_.size() + 1)};
        nodes_.push_back(node{id, std::move(ops)});
        return id;
    }

    /** Adds an `exchange::endpoint`-like node: on_datagram(peer, bytes, now, handler) etc. */
    template <class Endpoint, class Handler>
    peer_id add_endpoint(Endpoint& ep, Handler& handler) {
        return add_node(node_ops{
            [&ep, &handler](peer_id from, bytes_view d, time_point now) { ep.on_datagram(from, d, now, handler); },
            [&ep, &handler](time_point now) { ep.on_timeout(now, handler); },
            [&ep] { return ep.next_deadline(); },
            [&ep](mutable_bytes out) { return ep.poll_transmit(out); },
        });
    }

    /** Adds an engine that owns its handler: on_datagram(peer, bytes, now), on_timeout(now). */
    template <class Engine>
    peer_id add_engine(Engine& e) {
        return add_node(node_ops{
            [&e](peer_id from, bytes_view d, time_point now) { e.on_datagram(from, d, now); },
            [&e](time_point now) { e.on_timeout(now); },
            [&e] { return e.next_deadline(); },
            [&e](mutable_bytes out) { return e.poll_transmit(out); },
        });
    }

    /** The model for every link without its own. */
    void set_model(const link_model& m) { model_ = m; }
    /** The model for datagrams from `from` to `to` only. */
    void set_link(peer_id from, peer_id to, const link_model& m) { links_[{from.value, to.value}] = m; }
    /** Decides the fate of individual datagrams; `fate::model` leaves it to the random model. */
    void set_filter(std::function<fate(const sim_datagram&)> f) { filter_ = std::move(f); }

    [[nodiscard]] time_point now() const noexcept { return now_; }
    [[nodiscard]] const std::vector<sim_datagram>& trace() const noexcept { return trace_; }
    /** Datagrams still travelling. */
    [[nodiscard]] std::size_t in_transit() const noexcept { return transit_.size(); }
    /** True if the last run stopped because events at one instant did not settle. */
    [[nodiscard]] bool stalled() const noexcept { return stalled_; }
    /** Buffer size handed to poll_transmit (default 2048). */
    void set_poll_buffer_size(std::size_t n) { buffer_.assign(n, std::byte{}); }

    /** Injects a datagram as if `from` had sent it now (it goes through the model and filter). */
    void inject(peer_id from, peer_id to, bytes_view datagram) {
        schedule(from, to, std::vector<std::byte>(datagram.begin(), datagram.end()));
    }

    /** Collects what the nodes want to send now, without advancing the clock. */
    void flush() {
        for (node& n : nodes_) collect(n);
    }

    /** Runs events until the clock reaches `until` (events at exactly `until` run too). */
    void run_until(time_point until) {
        stalled_ = false;
        std::size_t same_instant = 0;
        time_point last = now_;
        for (;;) {
            flush();
            std::optional<time_point> next;
            if (!transit_.empty()) next = transit_.begin()->first.first;
            for (const node& n : nodes_)
                if (const auto d = n.ops.deadline(); d && (!next || *d < *next)) next = d;
            if (!next || *next > until) break;
            now_ = std::max(now_, *next);
            same_instant = now_ == last ? same_instant + 1 : 0;
            last = now_;
            if (same_instant > max_events_per_instant) {
                stalled_ = true;
                break;
            }
            step();
        }
        now_ = std::max(now_, until);
        flush();
    }
    void run_for(duration d) { run_until(now_ + d); }

    /** Runs until `done()` holds (checked between events) or the clock passes `limit`. */
    template <class Pred>
    bool run_while_not(Pred done, time_point limit) {
        while (!done()) {
            flush();
            std::optional<time_point> next;
            if (!transit_.empty()) next = transit_.begin()->first.first;
            for (const node& n : nodes_)
                if (const auto d = n.ops.deadline(); d && (!next || *d < *next)) next = d;
            if (!next || *next > limit) return done();
            run_until(*next);
            if (stalled_) return false;
        }
        return true;
    }

    /** Uniform random integer in [lo, hi] from the network's generator (handy for drivers). */
    std::uint64_t uniform(std::uint64_t lo, std::uint64_t hi) {
        return std::uniform_int_distribution<std::uint64_t>{lo, hi}(rng_);
    }

    static constexpr std::size_t max_events_per_instant = 100000;

private:
    struct node {
        peer_id id;
        node_ops ops;
    };
    using key = std::pair<time_point, std::uint64_t>;  // (arrival, trace index): deterministic order

    void collect(node& n) {
        if (buffer_.empty()) buffer_.assign(2048, std::byte{});
        while (auto t = n.ops.poll(mutable_bytes{buffer_.data(), buffer_.size()}))
            schedule(n.id, t->peer, std::vector<std::byte>(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(t->size)));
    }

    bool chance(double p) { return p > 0.0 && std::uniform_real_distribution<double>{0.0, 1.0}(rng_) < p; }
    duration delay(const link_model& m) {
        const auto lo = m.min_delay.count(), hi = std::max(m.max_delay.count(), lo);
        duration d{std::uniform_int_distribution<clock::rep>{lo, hi}(rng_)};
        if (chance(m.reorder)) d += duration{std::uniform_int_distribution<clock::rep>{0, m.reorder_delay.count()}(rng_)};
        return d;
    }

    void schedule(peer_id from, peer_id to, std::vector<std::byte> bytes) {
        const auto it = links_.find({from.value, to.value});
        const link_model& m = it == links_.end() ? model_ : it->second;
        sim_datagram d;
        d.seq = next_seq_++;
        d.sent = now_;
        d.from = from;
        d.to = to;
        d.bytes = std::move(bytes);
        const fate f = filter_ ? filter_(d) : fate::model;
        const bool dup = f == fate::model && chance(m.duplicate);
        d.dropped = f == fate::drop || (f == fate::model && chance(m.loss));
        d.arrives = now_ + delay(m);
        push(d);
        if (dup) {
            sim_datagram copy = d;
            copy.duplicate = true;
            copy.dropped = chance(m.loss);
            copy.arrives = now_ + delay(m);
            push(copy);
        }
    }
    void push(sim_datagram d) {
        const std::size_t index = trace_.size();
        const bool dropped = d.dropped;
        const time_point at = d.arrives;
        trace_.push_back(std::move(d));
        if (!dropped) transit_.emplace(key{at, index}, index);
    }

    // One instant: deliver the datagrams due, then call on_timeout on the nodes due.
    void step() {
        while (!transit_.empty() && transit_.begin()->first.first <= now_) {
            const std::size_t index = transit_.begin()->second;
            transit_.erase(transit_.begin());
            node* dest = find(trace_[index].to);
            if (dest == nullptr) {
                trace_[index].undeliverable = true;
                continue;
            }
            trace_[index].delivered = true;
            // Copy: the node may send (and so grow trace_) while it looks at the bytes.
            const std::vector<std::byte> bytes = trace_[index].bytes;
            dest->ops.deliver(trace_[index].from, bytes_view{bytes.data(), bytes.size()}, now_);
            collect(*dest);
        }
        for (node& n : nodes_)
            if (const auto d = n.ops.deadline(); d && *d <= now_) {
                n.ops.timeout(now_);
                collect(n);
            }
    }
    node* find(peer_id id) {
        for (node& n : nodes_)
            if (n.id == id) return &n;
        return nullptr;
    }

    std::mt19937_64 rng_;
    link_model model_;
    std::map<std::pair<std::uint32_t, std::uint32_t>, link_model> links_;
    std::function<fate(const sim_datagram&)> filter_;
    time_point now_;
    std::vector<node> nodes_;
    std::vector<sim_datagram> trace_;
    std::map<key, std::size_t> transit_;
    std::vector<std::byte> buffer_;
    std::uint64_t next_seq_ = 0;
    bool stalled_ = false;
};

} // namespace lwm2m::test
