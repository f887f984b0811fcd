// Engine test harness: a client engine (node 0) and a scripted LwM2M server (node 1, built on
// the exchange endpoint) joined by a sim_network under a virtual clock. Test-only.
#pragma once

#include <lwm2m/client.hpp>
#include <lwm2m/coap/message_builder.hpp>
#include <lwm2m/coap/parse.hpp>
#include <lwm2m/exchange/endpoint.hpp>
#include <lwm2m/model/objects/light_control.hpp>

#include "../support/byte_text.hpp"  // hex("...")
#include "../support/test_lights.hpp"
#include "sim_network.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lwm2m::test {

// The client tests' network lives in its own namespace: tests/exchange has a different
// sim_network, and both are linked into one test program (one definition rule).
using client_net::sim_conditions;
using client_net::sim_network;
using client_net::sim_random;


using namespace std::chrono_literals;

inline std::string text_of(const std::vector<std::byte>& b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }
inline std::vector<std::byte> bytes_of(std::string_view s) {
    std::vector<std::byte> v;
    for (char c : s) v.push_back(static_cast<std::byte>(c));
    return v;
}

/** A response (or notification) the scripted server received. */
struct sim_response {
    bool failed = false;
    errc error{};
    coap::code code = coap::code::empty;
    std::vector<std::byte> payload;
    std::optional<std::uint16_t> content_format;
    std::optional<std::uint32_t> observe;
    std::vector<std::string> location;
    std::optional<coap::block_option> block1;
    std::optional<coap::block_option> block2;
    std::optional<std::uint32_t> size1;
    time_point at{};
    std::string text() const { return text_of(payload); }
};

/** A request the scripted server received from the client. */
struct sim_request {
    coap::code method = coap::code::empty;
    std::string path;  // "/rd/abc"
    std::vector<std::string> query;
    std::optional<std::uint16_t> content_format;
    std::string payload;
    time_point at{};
    bool has_query(std::string_view q) const {
        for (const auto& x : query)
            if (x == q) return true;
        return false;
    }
};

/** The scripted LwM2M server. */
class sim_server {
public:
    using limits = exchange::endpoint_limits<1152, 16, 32, 32, 8, 8>;
    explicit sim_server(std::uint32_t seed) : ep_(sim_random{seed}) {}

    coap::code register_answer = coap::code::created;
    coap::code update_answer = coap::code::changed;
    coap::code bootstrap_answer = coap::code::changed;  // to a Bootstrap-Request (POST /bs)
    bool answer_registration = true;  // false: ignore Register/Update (no ACK at all)
    /// when set: the answer to a Register, from the request (e.g. by its lt), else register_answer
    std::function<coap::code(const sim_request&)> register_policy;
    std::vector<sim_request> requests;
    std::map<std::uint32_t, std::vector<sim_response>> responses;

    exchange::endpoint<limits, sim_random>& endpoint() { return ep_; }

    void on_request(exchange::peer_id, const coap::message_view& m, exchange::response& r) {
        sim_request q;
        q.method = m.code();
        for (std::string_view s : m.uri_path()) q.path += "/" + std::string(s);
        for (std::string_view s : m.uri_query()) q.query.emplace_back(s);
        q.content_format = m.content_format();
        q.payload = std::string(as_chars(m.payload()));
        q.at = now;
        requests.push_back(q);
        if (q.method == coap::code::post && q.path == "/rd") {
            const coap::code answer = register_policy ? register_policy(q) : register_answer;
            r.code(answer);
            if (answer == coap::code::created) {
                r.options().location_path("rd");
                r.options().location_path("abc");
            }
        } else if (q.method == coap::code::post && q.path == "/bs") {
            r.code(bootstrap_answer);
        } else if (q.method == coap::code::post && q.path == "/rd/abc") {
            r.code(update_answer);
        } else if (q.method == coap::code::delete_) {
            r.code(coap::code::deleted);
        } else {
            r.code(coap::code::not_found);
        }
    }
    void on_response(exchange::request_handle h, exchange::peer_id, const result<coap::message_view>& res) {
        sim_response s;
        s.at = now;
        if (!res) {
            s.failed = true;
            s.error = res.error().code;
        } else {
            s.code = res->code();
            s.payload.assign(res->payload().begin(), res->payload().end());
            s.content_format = res->content_format();
            s.observe = res->observe();
            for (std::string_view l : res->location_path()) s.location.emplace_back(l);
            if (auto b = res->block1(); b && *b) s.block1 = **b;
            if (auto b = res->block2(); b && *b) s.block2 = **b;
            s.size1 = res->size1();
        }
        responses[h.value].push_back(s);
    }

    /** Sends a request to the client; `extra` adds options. Returns the handle value. */
    std::uint32_t send(coap::code method, std::string_view path, std::function<void(coap::message_builder_base&)> extra = {},
                       bytes_view payload = {}, bool confirmable = true) {
        coap::message_builder<24> b;
        b.type(confirmable ? coap::message_type::confirmable : coap::message_type::non_confirmable).code(method);
        path_text_ = std::string(path);
        b.uri_path_segments(path_text_);
        if (extra) extra(b);
        if (!payload.empty()) b.payload(payload);
        auto h = ep_.send_request(exchange::peer_id{1}, b, now);
        REQUIRE(h.has_value());
        return h->value;
    }

    time_point now{};

private:
    exchange::endpoint<limits, sim_random> ep_;
    std::string path_text_;
};

using test_limits = client::client_limits<1152, 2, 8, 8, 16, 64, 2048>;

/** Client + server + network under one virtual clock. */
template <class Limits = test_limits>
class basic_sim_world {
public:
    explicit basic_sim_world(std::uint32_t seed = 1, sim_conditions c = {}, client::client_config cfg = default_config(),
                             std::uint32_t lifetime = 300, bool with_server = true)
        : net(seed, c), server(seed + 7), client(cfg, sim_random{seed * 2654435761u + 1}) {
        client::server_account a;
        a.ssid = 101;
        a.peer = exchange::peer_id{1};
        a.lifetime = lifetime;
        if (with_server) REQUIRE(client.add_server(a).has_value());
        device.manufacturer = "Open Mobile Alliance";
        device.model_number = "Lightweight M2M Client";
        device.firmware_version = "1.0";
        device.reboot = {[](void* c) { ++*static_cast<int*>(c); }, &reboots};
        device.add_power_source({1, 3800, 125});
        device.add_power_source({5, 5000, 900});
        REQUIRE(client.add_object(device).has_value());
        REQUIRE(client.add_object(lights).has_value());
    }

    static client::client_config default_config() {
        client::client_config c;
        c.endpoint_name = "sim-client";
        c.retry_initial = 10s;
        c.retry_max = 80s;
        return c;
    }

    void pump() {
        std::array<std::byte, 1500> buf{};
        while (auto d = client.poll_datagram()) net.send(0, 1, d->bytes, now);  // lent, copied by the network
        while (auto t = server.endpoint().poll_transmit(buf)) net.send(1, 0, bytes_view{buf.data(), t->size}, now);
    }

    /** Advances the virtual clock to `until`, delivering datagrams and firing timeouts. */
    void run_until(time_point until) {
        pump();
        for (;;) {
            std::optional<time_point> next = net.next_arrival();
            const auto consider = [&](std::optional<time_point> t) {
                if (t && (!next || *t < *next)) next = t;
            };
            consider(client.next_deadline());
            consider(server.endpoint().next_deadline());
            if (!next || *next > until) break;
            now = std::max(now, *next);
            server.now = now;
            while (auto d = net.pop_due(now)) {
                if (d->to == 0) client.on_datagram(exchange::peer_id{1}, d->bytes, now);
                else server.endpoint().on_datagram(exchange::peer_id{1}, d->bytes, now, server);
                pump();
            }
            if (auto d = client.next_deadline(); d && *d <= now) client.on_timeout(now);
            if (auto d = server.endpoint().next_deadline(); d && *d <= now) server.endpoint().on_timeout(now, server);
            pump();
        }
        now = until;
        server.now = now;
    }
    void run_for(duration d) { run_until(now + d); }

    /** Runs until `h` got at least `count` responses (or `limit` passes); returns a copy of the count-th. */
    std::optional<sim_response> wait(std::uint32_t h, std::size_t count = 1, duration limit = 300s) {
        const time_point end = now + limit;
        while (server.responses[h].size() < count && now < end) run_until(std::min(end, now + 100ms));
        auto& v = server.responses[h];
        if (v.size() < count) return std::nullopt;
        return v[count - 1];
    }

    /** Starts the client and runs until it is registered. */
    void register_client() {
        client.start(now);
        const time_point end = now + 600s;
        while (client.state(101) != client::registration_state::registered && now < end) run_for(100ms);
        REQUIRE(client.state(101) == client::registration_state::registered);
    }

    /** Sends a request and waits for its response. */
    sim_response request(coap::code method, std::string_view path, std::function<void(coap::message_builder_base&)> extra = {},
                         bytes_view payload = {}) {
        const auto h = server.send(method, path, std::move(extra), payload);
        const auto r = wait(h);
        REQUIRE(r.has_value());
        return *r;
    }

    time_point now{};
    sim_network net;
    sim_server server;
    int reboots = 0;
    client::device_object device;
    test_lights lights;
    client::engine<Limits, sim_random> client;
};

using sim_world = basic_sim_world<>;

/** The client's events, in order (client_config::on_event through `logging_config`). */
struct event_log {
    std::vector<client::client_event> events;
    std::size_t count(client::client_event_kind k) const {
        std::size_t n = 0;
        for (const auto& e : events) n += e.kind == k ? 1 : 0;
        return n;
    }
};

/** sim_world's default configuration, its events recorded in `log`. */
inline client::client_config logging_config(event_log& log) {
    client::client_config c = sim_world::default_config();
    c.on_event = [](void* ctx, const client::client_event& e) { static_cast<event_log*>(ctx)->events.push_back(e); };
    c.event_context = &log;
    return c;
}

/** When (ms since the start) the scripted server received each request on `path` [with query `q`]. */
template <class World>
std::vector<std::int64_t> request_instants_ms(const World& w, std::string_view path, std::string_view q = {}) {
    std::vector<std::int64_t> at;
    for (const auto& r : w.server.requests)
        if (r.path == path && (q.empty() || r.has_query(q)))
            at.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(r.at - time_point{}).count());
    return at;
}

} // namespace lwm2m::test

// Generated once, in sim_world.cpp: each client test would otherwise compile the whole engine again.
extern template class lwm2m::client::engine<lwm2m::test::test_limits, lwm2m::test::sim_random>;
