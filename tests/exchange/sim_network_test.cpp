// Tests of the test network simulator itself (sim_network.hpp): determinism, the loss /
// duplication / reordering model, filters, the clock and deadline handling.
// doctest, no main here: link with a translation unit defining DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN.

#include "sim_network.hpp"

#include <doctest/doctest.h>

#include "endpoint_support.hpp"

#include <lwm2m/exchange/endpoint.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using namespace lwm2m::test;
using lwm2m::bytes_view;
using lwm2m::mutable_bytes;
using lwm2m::time_point;

/** A scripted node: sends what is pushed into `outbox`, records what it receives, and has
 *  an optional deadline at which it sends one "tick" datagram to `tick_to`. */
struct script_node {
    std::deque<std::pair<ex::peer_id, std::string>> outbox;
    std::vector<std::pair<time_point, std::string>> inbox;
    std::vector<ex::peer_id> from;
    std::optional<time_point> deadline;
    std::vector<time_point> timeouts;
    ex::peer_id tick_to{};

    node_ops ops() {
        return node_ops{
            [this](ex::peer_id f, bytes_view d, time_point now) {
                inbox.emplace_back(now, std::string{lwm2m::as_chars(d)});
                from.push_back(f);
            },
            [this](time_point now) {
                timeouts.push_back(now);
                deadline.reset();
                outbox.emplace_back(tick_to, "tick");
            },
            [this] { return deadline; },
            [this](mutable_bytes out) -> std::optional<ex::transmit> {
                if (outbox.empty()) return std::nullopt;
                const auto [to, text] = outbox.front();
                outbox.pop_front();
                std::copy_n(reinterpret_cast<const std::byte*>(text.data()), text.size(), out.data());
                return ex::transmit{to, text.size()};
            },
        };
    }
};

std::vector<std::string> run_once(std::uint64_t seed, const link_model& m) {
    sim_network net{seed, m};
    script_node a, b;
    const auto pa = net.add_node(a.ops());
    const auto pb = net.add_node(b.ops());
    (void)pa;
    for (int i = 0; i < 200; ++i) a.outbox.emplace_back(pb, "m" + std::to_string(i));
    net.run_until(time_point{10s});
    std::vector<std::string> got;
    for (const auto& [t, text] : b.inbox) got.push_back(text);
    return got;
}

} // namespace

TEST_CASE("sim_network: lossless delivery in order, with the sender's address and the link delay") {
    link_model m;
    m.min_delay = m.max_delay = 25ms;
    sim_network net{1, m, time_point{5s}};
    script_node a, b;
    const auto pa = net.add_node(a.ops());
    const auto pb = net.add_node(b.ops());
    CHECK_FALSE(pa == pb);
    a.outbox.emplace_back(pb, "one");
    a.outbox.emplace_back(pb, "two");
    net.run_until(time_point{6s});
    REQUIRE(b.inbox.size() == 2);
    CHECK(b.inbox[0] == std::pair{time_point{5s + 25ms}, std::string{"one"}});
    CHECK(b.inbox[1].second == "two");
    CHECK(b.from[0] == pa);
    CHECK(net.now() == time_point{6s});
    REQUIRE(net.trace().size() == 2);
    CHECK(net.trace()[0].delivered);
    CHECK(net.trace()[0].sent == time_point{5s});
}

TEST_CASE("sim_network: the same seed gives the same run; another seed another run") {
    const link_model m = [] {
        link_model x;
        x.loss = 0.3;
        x.duplicate = 0.2;
        x.reorder = 0.3;
        x.min_delay = 1ms;
        x.max_delay = 50ms;
        return x;
    }();
    CHECK(run_once(42, m) == run_once(42, m));
    CHECK(run_once(42, m) != run_once(43, m));
}

TEST_CASE("sim_network: loss, duplication and reordering happen at about the configured rates") {
    link_model m;
    m.loss = 0.3;
    m.duplicate = 0.1;
    m.reorder = 0.2;
    m.min_delay = 10ms;
    m.max_delay = 10ms;
    m.reorder_delay = 1s;
    sim_network net{9, m};
    script_node a, b;
    net.add_node(a.ops());
    const auto pb = net.add_node(b.ops());
    for (int i = 0; i < 2000; ++i) a.outbox.emplace_back(pb, std::to_string(i));
    net.run_until(time_point{100s});
    std::size_t dropped = 0, duplicates = 0;
    for (const auto& t : net.trace()) {
        dropped += t.dropped ? 1 : 0;
        duplicates += t.duplicate ? 1 : 0;
    }
    CHECK(dropped > 500);
    CHECK(dropped < 800);
    CHECK(duplicates > 120);
    CHECK(duplicates < 290);
    // Everything sent at the same instant: out-of-order arrival only comes from reordering.
    std::size_t inversions = 0;
    for (std::size_t i = 1; i < b.inbox.size(); ++i)
        if (std::stoi(b.inbox[i].second) < std::stoi(b.inbox[i - 1].second)) ++inversions;
    CHECK(inversions > 50);
    CHECK(b.inbox.size() == net.trace().size() - dropped);
}

TEST_CASE("sim_network: a filter decides the fate of chosen datagrams; per-link models") {
    sim_network net{3};
    script_node a, b, c;
    const auto pa = net.add_node(a.ops());
    const auto pb = net.add_node(b.ops());
    const auto pc = net.add_node(c.ops());
    link_model dead;
    dead.loss = 1.0;
    net.set_link(pa, pc, dead);
    net.set_filter([](const sim_datagram& d) { return lwm2m::as_chars(d.view()) == "drop" ? fate::drop : fate::model; });
    a.outbox.emplace_back(pb, "drop");
    a.outbox.emplace_back(pb, "keep");
    a.outbox.emplace_back(pc, "lost");
    a.outbox.emplace_back(ex::peer_id{77}, "nobody");
    net.run_until(time_point{1s});
    REQUIRE(b.inbox.size() == 1);
    CHECK(b.inbox[0].second == "keep");
    CHECK(c.inbox.empty());
    CHECK(net.trace().back().undeliverable);
}

TEST_CASE("sim_network: deadlines are honoured and time advances to them exactly") {
    sim_network net{1};
    script_node a, b;
    const auto pa = net.add_node(a.ops());
    const auto pb = net.add_node(b.ops());
    (void)pa;
    a.deadline = time_point{3s};
    a.tick_to = pb;
    net.run_until(time_point{2s});
    CHECK(a.timeouts.empty());
    net.run_until(time_point{10s});
    REQUIRE(a.timeouts.size() == 1);
    CHECK(a.timeouts[0] == time_point{3s});
    REQUIRE(b.inbox.size() == 1);
    CHECK(b.inbox[0].first == time_point{3s + 1ms});
}

TEST_CASE("sim_network: a node whose deadline never advances is reported as stalled") {
    sim_network net{1};
    bool called = false;
    net.add_node(node_ops{
        [](ex::peer_id, bytes_view, time_point) {},
        [&](time_point) { called = true; },
        [] { return std::optional<time_point>{time_point{1s}}; },
        [](mutable_bytes) { return std::optional<ex::transmit>{}; },
    });
    net.run_until(time_point{2s});
    CHECK(called);
    CHECK(net.stalled());
}

TEST_CASE("sim_network: two endpoints exchange a request and its piggybacked response") {
    sim_network net{11};
    ex::endpoint<ex::endpoint_limits<>, seeded_random> a{seeded_random{1}}, b{seeded_random{2}};
    recorder ha, hb;
    net.add_endpoint(a, ha);
    const auto pb = net.add_endpoint(b, hb);
    coap::message_builder<4> req;
    req.type(coap::message_type::confirmable).code(coap::code::get).uri_path("x");
    REQUIRE(a.send_request(pb, req, net.now()));
    net.run_until(net.now() + 1s);
    REQUIRE(hb.requests.size() == 1);
    REQUIRE(ha.responses.size() == 1);
    CHECK(ha.responses[0].message->payload() == "ok");
    CHECK(net.trace().size() == 2);
}

namespace {
/** An engine that owns its handler (the shape of the LwM2M client engine), for add_engine. */
struct echo_engine {
    ex::endpoint<ex::endpoint_limits<>, seeded_random> ep{seeded_random{3}};
    recorder h;
    void on_datagram(ex::peer_id p, bytes_view d, time_point now) noexcept { ep.on_datagram(p, d, now, h); }
    void on_timeout(time_point now) noexcept { ep.on_timeout(now, h); }
    [[nodiscard]] std::optional<ex::transmit> poll_transmit(mutable_bytes out) noexcept { return ep.poll_transmit(out); }
    [[nodiscard]] std::optional<time_point> next_deadline() const noexcept { return ep.next_deadline(); }
};
} // namespace

TEST_CASE("sim_network: add_engine drives an engine that owns its handler; retransmission through a dropped datagram") {
    sim_network net{5};
    echo_engine client, server;
    const auto pc = net.add_engine(client);
    const auto ps = net.add_engine(server);
    // Drop the first transmission of the request: the client retransmits after 2-3 s.
    bool dropped_one = false;
    net.set_filter([&](const sim_datagram& d) {
        if (d.from == pc && !dropped_one) {
            dropped_one = true;
            return fate::drop;
        }
        return fate::model;
    });
    coap::message_builder<4> req;
    req.type(coap::message_type::confirmable).code(coap::code::get).uri_path("x");
    REQUIRE(client.ep.send_request(ps, req, net.now()));
    const bool done = net.run_while_not([&] { return !client.h.responses.empty(); }, net.now() + 100s);
    CHECK(done);
    REQUIRE(client.h.responses.size() == 1);
    CHECK(client.h.responses[0].ok());
    CHECK(server.h.requests.size() == 1);
    REQUIRE(net.trace().size() == 3);  // dropped request, retransmission, ACK
    CHECK(net.trace()[0].dropped);
    CHECK(net.trace()[1].sent - net.trace()[0].sent >= 2s);
    CHECK(net.trace()[1].sent - net.trace()[0].sent <= 3s);
    CHECK(net.trace()[1].bytes == net.trace()[0].bytes);
}
