// Test harness for the LwM2M server engine: a recording handler, a tiny lossless simulated
// network under a virtual clock, real client engines (lwm2m::client::engine) as peers, and
// helpers to build datagrams by hand. Test-only; uses the standard library freely.
// Everything lives in lwm2m::test::server_tests (all test files link into one program).
#pragma once

#include <lwm2m/client.hpp>
#include <lwm2m/coap/message_builder.hpp>
#include <lwm2m/coap/parse.hpp>
#include <lwm2m/model/objects/light_control.hpp>
#include <lwm2m/server.hpp>

#include <doctest/doctest.h>

#include "../support/test_lights.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lwm2m::test::server_tests {

using namespace std::chrono_literals;

inline path P(std::string_view s) { return parse_path(s).value(); }
inline std::string str(bytes_view b) { return std::string(as_chars(b)); }
inline std::vector<std::byte> bytes_of(std::string_view s) {
    std::vector<std::byte> v;
    for (char c : s) v.push_back(static_cast<std::byte>(c));
    return v;
}

struct xorshift {
    std::uint32_t state = 2463534242u;
    std::uint32_t operator()() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        return state;
    }
};

/** A decoded value copied out of a callback. */
struct rec {
    path p;
    value_kind kind = value_kind::none;
    double number = 0;
    bool boolean = false;
    std::string text;
};
inline rec copy_record(const format::record& r) {
    rec x;
    x.p = r.path;
    x.kind = r.value.kind();
    switch (r.value.kind()) {
    case value_kind::integer:
    case value_kind::time: x.number = static_cast<double>(r.value.as_integer()); break;
    case value_kind::unsigned_integer: x.number = static_cast<double>(r.value.as_unsigned()); break;
    case value_kind::float_: x.number = r.value.as_float(); break;
    case value_kind::boolean: x.boolean = r.value.as_boolean(); break;
    default:
        if (r.value.is_bytes()) x.text = std::string(as_chars(r.value.encoded_bytes()));
        break;
    }
    return x;
}
inline std::vector<rec> copy_records(std::span<const format::record> rs) {
    std::vector<rec> v;
    for (const auto& r : rs) v.push_back(copy_record(r));
    return v;
}
inline const rec* find_rec(const std::vector<rec>& v, std::string_view p) {
    for (const rec& r : v)
        if (r.p == P(p)) return &r;
    return nullptr;
}

struct reg_event {
    server::registration_event_kind kind{};
    std::string endpoint;
    std::uint32_t location = 0;
    std::uint32_t lifetime = 0;
    server::lwm2m_version version{};
    server::binding_mode binding{};
    bool queue = false;
    std::string sms;
    std::vector<server::object_link> links;
    server::announced_formats formats{};
    bool replaced = false;
    std::optional<exchange::peer_id> previous_peer;
    std::uint32_t previous_location = 0;
    bool links_changed = false;
};
struct result_copy {
    server::request_id id{};
    server::operation op{};
    std::string endpoint;
    path target;
    std::optional<errc> failure;
    coap::code code = coap::code::empty;
    std::optional<format::content_format> cf;
    std::string payload;
    std::vector<rec> records;
    std::optional<error> decode_error;
    std::optional<path> location;
    bool observing = false;
    time_point at{};
};
struct notification_copy {
    server::request_id observation{};
    std::string endpoint;
    path target;
    std::uint32_t sequence = 0;
    coap::code code = coap::code::empty;
    std::vector<rec> records;
    std::optional<errc> failure;
    bool ended = false;
    time_point at{};
};
struct send_copy {
    std::string endpoint;
    format::content_format cf{};
    std::vector<rec> records;
};

/** The application side of the server: records everything. */
struct recorder {
    std::vector<reg_event> events;
    std::vector<result_copy> results;
    std::vector<notification_copy> notifications;
    std::vector<send_copy> sends;
    time_point now{};
    std::function<void(const server::request_result&)> on_result_hook;

    void on_registration(const server::registration_event& e) {
        reg_event x;
        x.kind = e.kind;
        x.endpoint = std::string(e.registration.endpoint);
        x.location = e.registration.location;
        x.lifetime = e.registration.lifetime;
        x.version = e.registration.version;
        x.binding = e.registration.binding;
        x.queue = e.registration.queue;
        x.sms = std::string(e.registration.sms);
        x.links.assign(e.registration.links.begin(), e.registration.links.end());
        x.formats = e.registration.formats;
        x.replaced = e.replaced;
        x.previous_peer = e.previous_peer;
        x.previous_location = e.previous_location;
        x.links_changed = e.links_changed;
        events.push_back(x);
    }
    void on_result(const server::request_result& r) {
        result_copy x;
        x.id = r.id;
        x.op = r.op;
        x.endpoint = std::string(r.endpoint);
        x.target = r.target;
        x.failure = r.failure;
        x.code = r.code;
        x.cf = r.content_format;
        x.payload = str(r.payload);
        x.records = copy_records(r.records);
        x.decode_error = r.decode_error;
        x.location = r.location;
        x.observing = r.observing;
        x.at = now;
        results.push_back(x);
        if (on_result_hook) on_result_hook(r);
    }
    void on_notification(const server::notification& n) {
        notification_copy x;
        x.observation = n.observation;
        x.endpoint = std::string(n.endpoint);
        x.target = n.target;
        x.sequence = n.sequence;
        x.code = n.code;
        x.records = copy_records(n.records);
        x.failure = n.failure;
        x.ended = n.ended;
        x.at = now;
        notifications.push_back(x);
    }
    void on_send(const server::send_report& s) { sends.push_back(send_copy{std::string(s.endpoint), s.content_format, copy_records(s.records)}); }

    const result_copy* result_of(server::request_id id) const {
        for (const auto& r : results)
            if (r.id == id) return &r;
        return nullptr;
    }
    std::vector<const notification_copy*> notifications_of(server::request_id id) const {
        std::vector<const notification_copy*> v;
        for (const auto& n : notifications)
            if (n.observation == id) v.push_back(&n);
        return v;
    }
};

static_assert(server::server_handler<recorder>);

using limits = server::server_limits<1152, 160, 32, 64, 32, 512, 4>;
using server_engine = server::engine<limits, xorshift, recorder>;
using slot = limits::slot;

/** A server over `capacity` registration slots, with its storage. */
struct server_box {
    explicit server_box(std::size_t capacity, server::server_config cfg = {}, std::uint32_t seed = 99)
        : slots(capacity), index(server_engine::index_words(capacity)),
          engine(std::make_unique<server_engine>(rec, std::span<slot>{slots}, std::span<std::uint32_t>{index},
                                                 xorshift{seed}, cfg)) {}
    recorder rec;
    std::vector<slot> slots;
    std::vector<std::uint32_t> index;
    std::unique_ptr<server_engine> engine;

    /** Feeds a datagram and returns the answers the server sends back (to any peer). */
    std::vector<std::vector<std::byte>> feed(std::uint32_t peer, const std::vector<std::byte>& d, time_point now) {
        rec.now = now;
        engine->on_datagram(exchange::peer_id{peer}, d, now);
        return drain();
    }
    std::vector<std::vector<std::byte>> drain() {
        std::vector<std::vector<std::byte>> out;
        while (auto d = engine->poll_datagram()) out.emplace_back(d->bytes.begin(), d->bytes.end());  // lent: copied before the next call
        return out;
    }
};

/** The datagram `b` describes. */
inline std::vector<std::byte> serialized(const coap::message_builder_base& b) {
    std::vector<std::byte> out(1500);
    auto n = b.serialize(mutable_bytes{out});
    REQUIRE(n.has_value());
    out.resize(*n);
    return out;
}

/** Builds a request datagram by hand. */
struct dgram {
    coap::code method = coap::code::post;
    std::string path = "/rd";
    std::vector<std::string> query;
    std::string payload;
    std::optional<std::uint16_t> cf = 40;
    std::uint16_t mid = 1;
    std::vector<std::byte> build() const {
        coap::message_builder<24> b;
        b.type(coap::message_type::confirmable).code(method).message_id(mid);
        const std::array<std::byte, 2> tok{std::byte{0xAB}, static_cast<std::byte>(mid & 0xFF)};
        b.token(bytes_view{tok});
        b.uri_path_segments(path);
        for (const auto& q : query) b.uri_query(q);
        if (cf) b.content_format(*cf);
        if (!payload.empty()) b.payload(as_bytes(payload));
        return serialized(b);
    }
};

/** The one answer to a request datagram, parsed (kept alive by `raw`). */
struct answer {
    std::vector<std::byte> raw;
    coap::code code = coap::code::empty;
    std::vector<std::string> location;
    std::string payload;
};
inline answer single_answer(const std::vector<std::vector<std::byte>>& out) {
    REQUIRE(out.size() == 1);
    answer a;
    a.raw = out[0];
    auto m = coap::parse(a.raw);
    REQUIRE(m.has_value());
    a.code = m->code();
    for (std::string_view l : m->location_path()) a.location.emplace_back(l);
    a.payload = str(m->payload());
    return a;
}

// ---- real clients ------------------------------------------------------------------------------

/** IPSO Light Control (3311), the application object of every simulated client. */
using lights = lwm2m::test::test_lights;

using client_limits = client::client_limits<1152, 1, 8, 8, 16, 64, 2048>;
using client_engine = client::engine<client_limits, xorshift>;

/** One simulated client device. */
struct device {
    explicit device(std::string name_, std::uint32_t peer_, client::client_config cfg, std::uint32_t lifetime)
        : name(std::move(name_)), peer(peer_) {
        cfg.endpoint_name = name;
        engine = std::make_unique<client_engine>(cfg, xorshift{peer_ * 2654435761u + 7});
        client::server_account a;
        a.ssid = 1;
        a.peer = exchange::peer_id{1};
        a.lifetime = lifetime;
        REQUIRE(engine->add_server(a).has_value());
        dev.manufacturer = "ACME";
        dev.model_number = "Lamp";
        dev.reboot = {[](void* c) { ++*static_cast<int*>(c); }, &reboots};
        REQUIRE(engine->add_object(dev).has_value());
        REQUIRE(engine->add_object(lamps).has_value());
    }
    std::string name;
    std::uint32_t peer;
    int reboots = 0;
    client::device_object dev;
    lights lamps;
    std::unique_ptr<client_engine> engine;
};

/** Server + clients on a lossless network with a 10 ms delay, under one virtual clock. */
class world {
public:
    explicit world(std::size_t capacity = 256, server::server_config cfg = {}) : srv(capacity, cfg) {}

    static client::client_config default_config(std::string_view version = "1.1") {
        client::client_config c;
        c.lwm2m_version = version;
        c.retry_initial = 10s;
        c.retry_max = 80s;
        return c;
    }

    device& add_client(std::string name, client::client_config cfg = default_config(), std::uint32_t lifetime = 300) {
        const auto peer = static_cast<std::uint32_t>(devices.size() + 100);
        devices.push_back(std::make_unique<device>(std::move(name), peer, cfg, lifetime));
        return *devices.back();
    }
    device& dev(std::string_view name) {
        for (auto& d : devices)
            if (d->name == name) return *d;
        FAIL("no device");
        return *devices.front();
    }

    struct in_flight {
        std::uint32_t to_peer;  // 0 = server
        std::uint32_t from_peer;
        std::vector<std::byte> bytes;
        time_point at;
    };

    void pump() {
        std::array<std::byte, 1500> buf{};
        for (auto& d : devices)  // the clients lend their datagrams (poll_datagram), the server copies
            while (auto t = d->engine->poll_datagram())
                net.push_back({0, d->peer, std::vector<std::byte>(t->bytes.begin(), t->bytes.end()), now + 10ms});
        while (auto t = srv.engine->poll_transmit(buf)) {
            if (drop_to_clients) continue;
            net.push_back({t->peer.value, 0, std::vector<std::byte>(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(t->size)), now + 10ms});
        }
    }

    void run_until(time_point until) {
        pump();
        for (;;) {
            std::optional<time_point> next;
            const auto consider = [&](std::optional<time_point> t) {
                if (t && (!next || *t < *next)) next = t;
            };
            for (const auto& d : net) consider(d.at);
            for (auto& d : devices) consider(d->engine->next_deadline());
            consider(srv.engine->next_deadline());
            if (!next || *next > until) break;
            now = std::max(now, *next);
            srv.rec.now = now;
            while (!net.empty()) {
                auto it = std::find_if(net.begin(), net.end(), [&](const in_flight& d) { return d.at <= now; });
                if (it == net.end()) break;
                in_flight d = std::move(*it);
                net.erase(it);
                if (d.to_peer == 0) srv.engine->on_datagram(exchange::peer_id{d.from_peer}, d.bytes, now);
                else
                    for (auto& dv : devices)
                        if (dv->peer == d.to_peer) dv->engine->on_datagram(exchange::peer_id{1}, d.bytes, now);
                pump();
            }
            for (auto& d : devices)
                if (auto t = d->engine->next_deadline(); t && *t <= now) d->engine->on_timeout(now);
            if (auto t = srv.engine->next_deadline(); t && *t <= now) srv.engine->on_timeout(now);
            pump();
        }
        now = until;
        srv.rec.now = now;
    }
    void run_for(duration d) { run_until(now + d); }

    /** Starts every client not yet started and runs until all are registered. */
    void register_all() {
        for (auto& d : devices)
            if (d->engine->state(1) == client::registration_state::idle) d->engine->start(now);
        const time_point end = now + 120s;
        while (now < end) {
            bool all = true;
            for (auto& d : devices) all = all && d->engine->state(1) == client::registration_state::registered;
            if (all) return;
            run_for(100ms);
        }
        FAIL("clients did not register");
    }

    /** Submits and runs until the result arrives. */
    result_copy request(std::string_view ep, const server::request_spec& spec, duration limit = 60s) {
        auto id = srv.engine->submit(ep, spec, now);
        REQUIRE(id.has_value());
        return wait_result(*id, limit);
    }
    result_copy wait_result(server::request_id id, duration limit = 60s) {
        const time_point end = now + limit;
        while (srv.rec.result_of(id) == nullptr && now < end) run_for(50ms);
        const result_copy* r = srv.rec.result_of(id);
        REQUIRE(r != nullptr);
        return *r;
    }

    time_point now{};
    server_box srv;
    std::vector<std::unique_ptr<device>> devices;
    std::deque<in_flight> net;
    bool drop_to_clients = false;
};

} // namespace lwm2m::test::server_tests

// Instantiated once, in server_world.cpp: each server test TU would otherwise generate both engines.
extern template class lwm2m::server::engine<lwm2m::test::server_tests::limits, lwm2m::test::server_tests::xorshift,
                                            lwm2m::test::server_tests::recorder>;
extern template class lwm2m::client::engine<lwm2m::test::server_tests::client_limits, lwm2m::test::server_tests::xorshift>;

