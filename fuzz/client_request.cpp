// libFuzzer target: one datagram into the LwM2M client engine, the answer out.
//
// The engine (accepting requests from any peer, with the Server, Device and a Light Control
// object bound) gets the input as a datagram. Checks:
//  * whatever comes out parses as CoAP (coap::parse);
//  * a confirmable request is answered by an ACK (or a Reset) with its Message ID and, for a
//    piggybacked response, its token;
//  * the same datagram again (a duplicate, RFC 7252 §4.5) gets byte-identical output (but for
//    the Observe value of an Observe GET answered again: see same_answer) and runs no handler
//    twice (the Reboot counter does not move).
// The same datagram then goes to a second engine, bootstrapping (operation_set::bootstrap):
// no DM server account, its Bootstrap-Request answered 2.04 by the fuzzer's peer, whose
// datagram is then a Bootstrap-Server operation (Write, Delete, Discover, Read, Finish, or
// anything else), with the same checks; after Finish the new accounts register.
//
// Build: clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude fuzz/client_request.cpp
// Replay: link with fuzz/replay_main.cpp (any compiler).

#include <lwm2m/client.hpp>
#include <lwm2m/coap/parse.hpp>
#include <lwm2m/model/objects/light_control.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

struct fuzz_random {
    std::uint32_t s = 0x9E3779B9u;
    std::uint32_t operator()() {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        return s;
    }
};

struct lamp {
    static constexpr const auto& schema = lwm2m::objects::light_control::object;
    std::array<bool, 4> present{true, true, false, false};
    std::array<std::int64_t, 4> dimmer{};
    std::array<bool, 4> on{};
    std::size_t instance_count() const {
        std::size_t n = 0;
        for (bool p : present) n += p ? 1 : 0;
        return n;
    }
    std::uint16_t instance_id(std::size_t i) const {
        for (std::uint16_t k = 0; k < present.size(); ++k)
            if (present[k] && i-- == 0) return k;
        return 0;
    }
    lwm2m::result<void> read(const lwm2m::path& p, lwm2m::client::resource_output& out) {
        const auto i = p.instance_id();
        if (i >= present.size() || !present[i]) return lwm2m::fail(lwm2m::errc::not_found);
        switch (p.resource_id()) {
        case 5850: return out.value(on[i]);
        case 5851: return out.value(dimmer[i]);
        case 5706: return out.value(std::string_view{"white"});
        default: return lwm2m::fail(lwm2m::errc::not_found);
        }
    }
    lwm2m::result<void> write(const lwm2m::path& p, const lwm2m::value& v) {
        const auto i = p.instance_id();
        if (i >= present.size() || !present[i]) return lwm2m::fail(lwm2m::errc::not_found);
        if (p.resource_id() == 5850) on[i] = v.as_boolean();
        else if (p.resource_id() == 5851) dimmer[i] = v.as_integer();
        return {};
    }
    lwm2m::result<void> create(std::uint16_t id) {
        if (id >= present.size()) return lwm2m::fail(lwm2m::errc::capacity_exceeded);
        present[id] = true;
        return {};
    }
    lwm2m::result<void> remove(std::uint16_t id) {
        if (id >= present.size()) return lwm2m::fail(lwm2m::errc::not_found);
        present[id] = false;
        return {};
    }
};

using limits = lwm2m::client::client_limits<1152, 1, 6, 4, 8, 64, 1024>;

std::vector<std::vector<std::byte>> drain(lwm2m::client::engine<limits, fuzz_random>& e) {
    std::vector<std::vector<std::byte>> out;
    std::array<std::byte, 1152> buf{};
    while (auto t = e.poll_transmit(buf)) out.emplace_back(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(t->size));
    return out;
}

/**
 * The answers to a request and to its duplicate are the same; a large answer to a GET is
 * produced again (endpoint_limits::cached_answer, RFC 7252 §4.5), and for an Observe GET that
 * is a re-registration with the same token (RFC 7641 §4.1) whose answer takes the next
 * Observe value: there only the Observe value may differ.
 */
bool same_answer(const std::vector<std::byte>& a, const std::vector<std::byte>& b) {
    if (a == b) return true;
    const auto x = lwm2m::coap::parse(a), y = lwm2m::coap::parse(b);
    const auto same = [](lwm2m::bytes_view u, lwm2m::bytes_view v) { return std::equal(u.begin(), u.end(), v.begin(), v.end()); };
    if (!x || !y || x->type() != y->type() || x->code() != y->code() || x->message_id() != y->message_id() ||
        !same(x->token(), y->token()) || !same(x->payload(), y->payload()) || !x->observe() || !y->observe())
        return false;
    const auto ox = x->options(), oy = y->options();
    return std::equal(ox.begin(), ox.end(), oy.begin(), oy.end(),
                      [&same](const lwm2m::coap::option_view& o, const lwm2m::coap::option_view& p) {
                          return o.number == p.number &&
                                 (o.number == lwm2m::coap::option_number::observe || same(o.value, p.value));
                      });
}

/** Feeds `in` from peer 2 to `engine` (and again, a duplicate) and checks what comes out. */
void check_request(lwm2m::client::engine<limits, fuzz_random>& engine, lwm2m::bytes_view in, const int& reboots,
                   lwm2m::time_point t0) {
    const lwm2m::exchange::peer_id peer{2};
    engine.on_datagram(peer, in, t0);
    const auto first = drain(engine);
    const int reboots_after_first = reboots;
    for (const auto& d : first) {
        auto m = lwm2m::coap::parse(d);
        if (!m) std::abort();  // the engine never sends a malformed message
    }
    auto req = lwm2m::coap::parse(in);
    if (req && req->type() == lwm2m::coap::message_type::confirmable && req->code() != lwm2m::coap::code::empty &&
        lwm2m::coap::is_request(req->code())) {
        if (first.empty()) std::abort();  // a CON request is always answered
        auto ack = lwm2m::coap::parse(first.front());
        if (!ack || ack->message_id() != req->message_id()) std::abort();
        if (ack->type() != lwm2m::coap::message_type::acknowledgement) std::abort();
        const auto rt = ack->token(), qt = req->token();
        if (ack->code() != lwm2m::coap::code::empty &&
            (rt.size() != qt.size() || !std::equal(rt.begin(), rt.end(), qt.begin())))
            std::abort();
    }
    // The duplicate: same answer, no second execution.
    engine.on_datagram(peer, in, t0 + std::chrono::seconds(1));
    const auto second = drain(engine);
    if (reboots != reboots_after_first) std::abort();
    if (req && req->type() == lwm2m::coap::message_type::confirmable && lwm2m::coap::is_request(req->code())) {
        if (second.empty() || !same_answer(first.front(), second.front())) std::abort();
    }
    // Time passes: notifications, retransmissions (and a bootstrap's timeout) must still be well-formed.
    for (int s : {100, 400}) {
        engine.on_timeout(t0 + std::chrono::seconds(s));
        for (const auto& d : drain(engine))
            if (!lwm2m::coap::parse(d)) std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const lwm2m::bytes_view in{reinterpret_cast<const std::byte*>(data), size};
    int reboots = 0;
    lwm2m::client::device_object device;
    device.manufacturer = "fuzz";
    device.reboot = {[](void* c) { ++*static_cast<int*>(c); }, &reboots};
    device.add_power_source({1, 3800, 100});
    {
        lwm2m::client::client_config cfg;
        cfg.endpoint_name = "fuzz";
        cfg.accept_unknown_peers = true;
        lwm2m::client::engine<limits, fuzz_random> engine{cfg, fuzz_random{}};
        lwm2m::client::server_account server;
        server.ssid = 1;
        server.peer = lwm2m::exchange::peer_id{1};
        if (!engine.add_server(server)) std::abort();
        lamp light;
        if (!engine.add_object(device) || !engine.add_object(light)) std::abort();
        check_request(engine, in, reboots, lwm2m::time_point{});
    }
    {
        lwm2m::client::client_config cfg;
        cfg.endpoint_name = "fuzz";
        lwm2m::client::engine<limits, fuzz_random> engine{cfg, fuzz_random{}};
        lwm2m::client::bootstrap_config bs;
        bs.peer = lwm2m::exchange::peer_id{2};
        bs.uri = "coap://bs";
        bs.resolve_peer = [](void*, const lwm2m::client::security_instance&) -> std::optional<lwm2m::exchange::peer_id> {
            return lwm2m::exchange::peer_id{3};
        };
        if (!engine.set_bootstrap_server(bs)) std::abort();
        lamp light;
        if (!engine.add_object(device) || !engine.add_object(light)) std::abort();
        const lwm2m::time_point t0{};
        engine.start(t0);
        const auto request = drain(engine);
        if (request.size() != 1) std::abort();  // the Bootstrap-Request
        const auto q = lwm2m::coap::parse(request.front());
        if (!q || q->code() != lwm2m::coap::code::post) std::abort();
        lwm2m::coap::message_builder<2> ack;
        ack.type(lwm2m::coap::message_type::acknowledgement).code(lwm2m::coap::code::changed).message_id(q->message_id()).token(q->token());
        std::array<std::byte, 64> buf{};
        const auto n = ack.serialize(buf);
        if (!n) std::abort();
        engine.on_datagram(lwm2m::exchange::peer_id{2}, lwm2m::bytes_view{buf.data(), *n}, t0);
        if (engine.bootstrap_progress() != lwm2m::client::bootstrap_phase::bootstrapping) std::abort();
        check_request(engine, in, reboots, t0);
    }
    return 0;
}
