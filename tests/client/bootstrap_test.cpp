// LwM2M 1.1.1 Core §6.1 Bootstrap Interface, client side (1.0 §5.2): the Client-Initiated
// Bootstrap (Bootstrap-Request after the Client Hold Off Time, its retries, the bootstrap
// that never finishes), the operations the Bootstrap-Server may send while bootstrapping
// (Bootstrap-Write creating instances and writing read-only resources, -Delete, -Discover,
// -Read, -Finish and its consistency check) with the codes of the spec's tables, then the
// Register with the accounts written; and end to end against our Bootstrap-Server engine.
#include <lwm2m/bootstrap.hpp>

#include "sim_world.hpp"

#include <lwm2m/model/objects/device_v1_0.hpp>

#include <algorithm>
#include <array>
#include <deque>
#include <string>
#include <vector>

using namespace lwm2m;
using namespace lwm2m::test;

namespace {

constexpr std::uint16_t senml_json = 110;
constexpr std::uint16_t link_format = 40;

std::optional<exchange::peer_id> resolve_to_peer_1(void*, const client::security_instance& account) {
    if (account.uri.text() == "coap://dm.example:5683") return exchange::peer_id{1};
    return std::nullopt;
}

struct recorded_events {
    std::vector<client::client_event> events;
    std::size_t count(client::client_event_kind k) const {
        std::size_t n = 0;
        for (const auto& e : events) n += e.kind == k ? 1 : 0;
        return n;
    }
};

client::client_config bootstrap_config(recorded_events& ev) {
    client::client_config c = sim_world::default_config();
    c.on_event = [](void* ctx, const client::client_event& e) { static_cast<recorded_events*>(ctx)->events.push_back(e); };
    c.event_context = &ev;
    return c;
}

/** A client with only a Bootstrap-Server account (peer 1, the scripted server). */
struct bs_world {
    recorded_events ev;
    sim_world w{1, {}, bootstrap_config(ev), 300, false};
    explicit bs_world(std::uint32_t hold_off = 0, bool resolvable = true) {
        client::bootstrap_config b;
        b.peer = exchange::peer_id{1};
        b.uri = "coap://bs.example:5693";
        b.instance = 0;
        b.hold_off = hold_off;
        if (resolvable) b.resolve_peer = resolve_to_peer_1;
        REQUIRE(w.client.set_bootstrap_server(b).has_value());
    }
    /** Starts and runs until the Bootstrap-Request was answered. */
    void bootstrap() {
        w.client.start(w.now);
        for (int i = 0; i < 200 && w.client.bootstrap_progress() != client::bootstrap_phase::bootstrapping; ++i)
            w.run_for(100ms);
        REQUIRE(w.client.bootstrap_progress() == client::bootstrap_phase::bootstrapping);
    }
    sim_response write(std::string_view target, std::string_view senml, std::uint16_t cf = senml_json) {
        return w.request(coap::code::put, target, [cf](coap::message_builder_base& b) { b.content_format(cf); },
                         as_bytes(senml));
    }
    sim_response discover(std::string_view target) {
        return w.request(coap::code::get, target, [](coap::message_builder_base& b) { b.accept(link_format); });
    }
    sim_response finish() { return w.request(coap::code::post, "/bs"); }
    /** The usual DM account: Security /0/1 (ssid 7, NoSec) and Server /1/0. */
    void write_dm_account() {
        CHECK(write("/0/1", R"([{"bn":"/0/1/","n":"0","vs":"coap://dm.example:5683"},{"n":"1","vb":false},)"
                            R"({"n":"2","v":3},{"n":"3","vd":""},{"n":"5","vd":""},{"n":"10","v":7}])")
                  .code == coap::code::changed);
        CHECK(write("/1/0", R"([{"bn":"/1/0/","n":"0","v":7},{"n":"1","v":120},{"n":"7","vs":"U"}])").code ==
              coap::code::changed);
    }
    std::size_t requests_to(std::string_view path) const {
        std::size_t n = 0;
        for (const auto& q : w.server.requests) n += q.path == path ? 1 : 0;
        return n;
    }
};

} // namespace

TEST_CASE("Client-Initiated Bootstrap: POST /bs?ep= after the Client Hold Off Time, then Register with the accounts written") {
    bs_world b{30};
    b.w.client.start(b.w.now);
    b.w.run_for(29s);
    CHECK(b.requests_to("/bs") == 0);  // Security /0/x/11: not before the hold-off time
    b.w.run_for(2s);
    REQUIRE(b.requests_to("/bs") == 1);
    const sim_request& q = b.w.server.requests.front();
    CHECK(q.method == coap::code::post);
    CHECK(q.query == std::vector<std::string>{"ep=sim-client"});
    CHECK(q.at >= time_point{} + 30s);
    REQUIRE(b.w.client.bootstrap_progress() == client::bootstrap_phase::bootstrapping);
    CHECK(b.requests_to("/rd") == 0);

    b.write_dm_account();
    CHECK(b.finish().code == coap::code::changed);
    b.w.run_for(1s);
    CHECK(b.w.client.bootstrap_progress() == client::bootstrap_phase::finished);
    CHECK(b.ev.count(client::client_event_kind::bootstrap_finished) == 1);
    REQUIRE(b.requests_to("/rd") == 1);
    CHECK(b.w.client.state(7) == client::registration_state::registered);
    const client::server_account* a = b.w.client.account(7);
    REQUIRE(a != nullptr);
    CHECK(a->lifetime == 120);
    CHECK(a->uri == "coap://dm.example:5683");
    for (const auto& r : b.w.server.requests)
        if (r.path == "/rd") CHECK(r.has_query("lt=120"));
}

TEST_CASE("Bootstrap-Request: pct with the preferred format (1.1), retried with back-off after an error, never while DM servers exist") {
    SUBCASE("pct") {
        recorded_events ev;
        sim_world w{1, {}, bootstrap_config(ev), 300, false};
        client::bootstrap_config c;
        c.peer = exchange::peer_id{1};
        c.preferred_format = format::content_format::senml_cbor;
        REQUIRE(w.client.set_bootstrap_server(c).has_value());
        w.client.start(w.now);
        w.run_for(1s);
        REQUIRE(!w.server.requests.empty());
        CHECK(w.server.requests[0].query == std::vector<std::string>{"ep=sim-client", "pct=112"});
    }
    SUBCASE("4.00 then a retry after retry_initial") {
        bs_world b;
        b.w.server.bootstrap_answer = coap::code::bad_request;
        b.w.client.start(b.w.now);
        b.w.run_for(1s);
        CHECK(b.requests_to("/bs") == 1);
        REQUIRE(b.ev.count(client::client_event_kind::bootstrap_failed) == 1);
        CHECK(b.ev.events.back().code == coap::code::bad_request);
        CHECK(b.w.client.bootstrap_progress() == client::bootstrap_phase::retry_wait);
        b.w.run_for(8s);
        CHECK(b.requests_to("/bs") == 1);
        b.w.server.bootstrap_answer = coap::code::changed;
        b.w.run_for(3s);  // retry_initial is 10 s
        CHECK(b.requests_to("/bs") == 2);
        CHECK(b.w.client.bootstrap_progress() == client::bootstrap_phase::bootstrapping);
    }
    SUBCASE("a DM server account: no bootstrap") {
        recorded_events ev;
        sim_world w{1, {}, bootstrap_config(ev)};
        client::bootstrap_config c;
        c.peer = exchange::peer_id{1};
        REQUIRE(w.client.set_bootstrap_server(c).has_value());
        w.register_client();
        for (const auto& r : w.server.requests) CHECK(r.path != "/bs");
        CHECK(w.client.bootstrap_progress() == client::bootstrap_phase::none);
    }
}

TEST_CASE("A bootstrap without Bootstrap-Finish fails EXCHANGE_LIFETIME after the last operation, and is tried again") {
    bs_world b;
    b.bootstrap();
    b.w.run_for(200s);
    CHECK(b.discover("/").code == coap::code::content);  // the deadline runs from the last operation
    b.w.run_for(200s);
    CHECK(b.ev.count(client::client_event_kind::bootstrap_failed) == 0);
    b.w.run_for(60s);  // 247 s after the Discover
    CHECK(b.ev.count(client::client_event_kind::bootstrap_failed) == 1);
    b.w.run_for(11s);
    CHECK(b.requests_to("/bs") == 2);
}

TEST_CASE("Bootstrap-Discover: lwm2m version, object versions as in Register, the Security instances' ssid and uri, the Server instances' ssid") {
    bs_world b;
    b.bootstrap();
    auto r = b.discover("/");
    CHECK(r.code == coap::code::content);
    CHECK(r.content_format == link_format);
    CHECK(r.text() == R"(</>;lwm2m=1.1,</0>;ver=1.1,</0/0>;uri="coap://bs.example:5693",</1>;ver=1.0,</3>;ver=1.0,</3/0>,</3311/0>,</3311/1>)");
    b.write_dm_account();
    r = b.discover("/0");
    CHECK(r.text() == R"(</>;lwm2m=1.1,</0>;ver=1.1,</0/0>;uri="coap://bs.example:5693",</0/1>;ssid=7;uri="coap://dm.example:5683")");
    CHECK(b.discover("/1").text() == "</>;lwm2m=1.1,</1>;ver=1.0,</1/0>;ssid=7");
    CHECK(b.discover("/1/0").code == coap::code::bad_request);
    CHECK(b.discover("/42").code == coap::code::not_found);
}

TEST_CASE("Bootstrap-Write: creates instances, writes read-only resources; 4.00 for what cannot be written, 4.15 for an unknown format") {
    bs_world b;
    b.bootstrap();
    b.write_dm_account();
    const auto* sec = [&]() -> const client::security_instance* {
        for (const auto& s : b.w.client.security_instances())
            if (s.id == 1) return &s;
        return nullptr;
    }();
    REQUIRE(sec != nullptr);
    CHECK(sec->uri.text() == "coap://dm.example:5683");
    CHECK(sec->ssid == 7);
    CHECK(sec->mode == 3);
    CHECK(!sec->bootstrap_server);
    // Overwrites a single resource of an existing instance; /1/0/0 (Short Server ID) is read-only for DM servers.
    CHECK(b.write("/1/0/0", "9", 0).code == coap::code::changed);
    CHECK(b.discover("/1").text() == "</>;lwm2m=1.1,</1>;ver=1.0,</1/0>;ssid=9");
    CHECK(b.write("/3/0", R"([{"bn":"/3/0/","n":"4","vb":true}])").code == coap::code::bad_request);  // Reboot: executable
    CHECK(b.write("/1/0", R"([{"bn":"/1/0/","n":"99","v":1}])").code == coap::code::bad_request);     // no such resource
    CHECK(b.write("/1/0", "x", 9999).code == coap::code::unsupported_content_format);
    CHECK(b.write("/", R"([{"bn":"/1/0/","n":"1","v":1}])").code == coap::code::bad_request);
    // A Server instance past the client's capacity (2).
    CHECK(b.write("/1/1", R"([{"bn":"/1/1/","n":"0","v":8}])").code == coap::code::changed);
    CHECK(b.write("/1/2", R"([{"bn":"/1/2/","n":"0","v":9}])").code == coap::code::bad_request);
}

TEST_CASE("Bootstrap-Write of a Security instance with the resources of LwM2M 1.1/1.2 (Matching Type, SNI, Ciphersuites, ...): taken") {
    // Leshan's and other 1.1 Bootstrap-Servers may write /0/x/13-17; a client must not refuse
    // the account for them (they are checked against the object's definition and dropped).
    bs_world b;
    b.bootstrap();
    CHECK(b.write("/0/1", R"([{"bn":"/0/1/","n":"0","vs":"coap://dm.example:5683"},{"n":"1","vb":false},)"
                          R"({"n":"2","v":3},{"n":"10","v":7},{"n":"13","v":0},{"n":"14","vs":"dm.example"},)"
                          R"({"n":"15","v":3},{"n":"16/0","v":49320},{"n":"16/1","v":49326}])")
              .code == coap::code::changed);
    CHECK(b.write("/0/1", R"([{"bn":"/0/1/","n":"99","v":1}])").code == coap::code::bad_request);  // no such resource
    CHECK(b.write("/0/1", R"([{"bn":"/0/1/","n":"14","v":1}])").code == coap::code::bad_request);  // SNI is a String
    CHECK(b.write("/1/0", R"([{"bn":"/1/0/","n":"0","v":7},{"n":"1","v":120},{"n":"7","vs":"U"}])").code ==
          coap::code::changed);
    CHECK(b.finish().code == coap::code::changed);
    b.w.run_for(1s);
    CHECK(b.w.client.state(7) == client::registration_state::registered);
}

TEST_CASE("Bootstrap-Delete: / keeps the Bootstrap-Server account and the Device object; 4.00 on them and on a resource") {
    bs_world b;
    b.bootstrap();
    b.write_dm_account();
    CHECK(b.w.request(coap::code::delete_, "/0/0").code == coap::code::bad_request);
    CHECK(b.w.request(coap::code::delete_, "/3/0").code == coap::code::bad_request);
    CHECK(b.w.request(coap::code::delete_, "/1/0/1").code == coap::code::bad_request);
    CHECK(b.w.request(coap::code::delete_, "/").code == coap::code::deleted);
    // The lights (3311) have a remove hook: their instances go too.
    CHECK(b.discover("/").text() == R"(</>;lwm2m=1.1,</0>;ver=1.1,</0/0>;uri="coap://bs.example:5693",</1>;ver=1.0,</3>;ver=1.0,</3/0>,</3311>)");
    b.write_dm_account();
    CHECK(b.w.request(coap::code::delete_, "/1/0").code == coap::code::deleted);
    CHECK(b.discover("/1").text() == "</>;lwm2m=1.1,</1>;ver=1.0");
    CHECK(b.w.request(coap::code::delete_, "/0").code == coap::code::deleted);
    CHECK(b.discover("/0").text() == R"(</>;lwm2m=1.1,</0>;ver=1.1,</0/0>;uri="coap://bs.example:5693")");
}

namespace {
/** A Device object (3) that could lose its instance: Bootstrap-Delete must not take it. */
struct removable_device {
    static constexpr const auto& schema = objects::device_v1_0::object;
    bool present = true;
    std::size_t instance_count() const { return present ? 1 : 0; }
    std::uint16_t instance_id(std::size_t) const { return 0; }
    result<void> read(const path&, client::resource_output&) { return fail(errc::not_found); }
    result<void> create(std::uint16_t) { return fail(errc::operation_not_allowed); }
    result<void> remove(std::uint16_t) {
        present = false;
        return {};
    }
};

std::vector<std::byte> bootstrap_datagram(coap::message_type t, coap::code c, std::uint16_t mid, bytes_view token,
                                          std::string_view path) {
    coap::message_builder<4> b;
    b.type(t).code(c).message_id(mid).token(token);
    const std::string p{path};
    if (!p.empty()) b.uri_path_segments(p);
    std::vector<std::byte> out(256);
    const auto n = b.serialize(out);
    REQUIRE(n.has_value());
    out.resize(*n);
    return out;
}
} // namespace

TEST_CASE("Bootstrap-Delete of / or /3 leaves the Device object's instance, even one that can be removed") {
    client::engine<test_limits, sim_random> e{sim_world::default_config(), sim_random{5}};
    removable_device dev;
    REQUIRE(e.add_object(dev).has_value());
    client::bootstrap_config c;
    c.peer = exchange::peer_id{1};
    REQUIRE(e.set_bootstrap_server(c).has_value());
    e.start(time_point{});
    auto q = e.poll_datagram();
    REQUIRE(q.has_value());
    const auto request = coap::parse(q->bytes);
    REQUIRE(request.has_value());
    const std::vector<std::byte> token(request->token().begin(), request->token().end());
    const std::uint16_t mid = request->message_id();
    e.on_datagram(exchange::peer_id{1},
                  bootstrap_datagram(coap::message_type::acknowledgement, coap::code::changed, mid, token, ""), time_point{});
    REQUIRE(e.bootstrap_progress() == client::bootstrap_phase::bootstrapping);
    std::uint16_t next_mid = 0x400;
    for (std::string_view target : {"", "3"}) {
        e.on_datagram(exchange::peer_id{1},
                      bootstrap_datagram(coap::message_type::confirmable, coap::code::delete_, next_mid++, token, target),
                      time_point{});
        auto a = e.poll_datagram();
        REQUIRE(a.has_value());
        const auto answer = coap::parse(a->bytes);
        REQUIRE(answer.has_value());
        CHECK(answer->code() == coap::code::deleted);
        CHECK(dev.present);
    }
}

TEST_CASE("Bootstrap-Read (1.1): /1 and /2 only; other requests 4.05") {
    bs_world b;
    b.bootstrap();
    b.write_dm_account();
    auto r = b.w.request(coap::code::get, "/1/0/1", [](coap::message_builder_base& m) { m.accept(0); });
    CHECK(r.code == coap::code::content);
    CHECK(r.text() == "120");
    CHECK(b.w.request(coap::code::get, "/0/1").code == coap::code::method_not_allowed);
    CHECK(b.w.request(coap::code::get, "/3/0").code == coap::code::method_not_allowed);
    CHECK(b.w.request(coap::code::post, "/1/0/8").code == coap::code::method_not_allowed);
    CHECK(b.w.request(coap::code::fetch, "/").code == coap::code::method_not_allowed);
    CHECK(b.w.request(coap::code::get, "/bs").code == coap::code::method_not_allowed);
}

TEST_CASE("Bootstrap-Finish: 4.06 while the configuration is inconsistent, the client keeps bootstrapping") {
    SUBCASE("no account") {
        bs_world b;
        b.bootstrap();
        CHECK(b.finish().code == coap::code::not_acceptable);
    }
    SUBCASE("a Server instance without its Security instance") {
        bs_world b;
        b.bootstrap();
        CHECK(b.write("/1/0", R"([{"bn":"/1/0/","n":"0","v":7},{"n":"1","v":120}])").code == coap::code::changed);
        CHECK(b.finish().code == coap::code::not_acceptable);
        CHECK(b.write("/0/1", R"([{"bn":"/0/1/","n":"0","vs":"coap://elsewhere:5683"},{"n":"10","v":7}])").code ==
              coap::code::changed);
        CHECK(b.finish().code == coap::code::not_acceptable);  // a URI the adapter cannot reach
        CHECK(b.write("/0/1/0", "coap://dm.example:5683", 0).code == coap::code::changed);
        CHECK(b.write("/1/1", R"([{"bn":"/1/1/","n":"0","v":7}])").code == coap::code::changed);
        CHECK(b.finish().code == coap::code::not_acceptable);  // two Server instances with ssid 7
        CHECK(b.w.request(coap::code::delete_, "/1/1").code == coap::code::deleted);
        CHECK(b.finish().code == coap::code::changed);
    }
    SUBCASE("no resolver") {
        bs_world b{0, false};
        b.bootstrap();
        b.write_dm_account();
        CHECK(b.finish().code == coap::code::not_acceptable);
        CHECK(b.w.client.bootstrap_progress() == client::bootstrap_phase::bootstrapping);
    }
}

namespace {
/** Takes only a coaps:// account in PSK mode (0) with identity "dev-7" and key 01 02 03 04. */
std::optional<exchange::peer_id> resolve_psk_only(void*, const client::security_instance& a) {
    const std::array<std::byte, 4> key{std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4}};
    if (a.uri.text() != "coaps://dm.example:5684" || a.mode != 0 || a.identity.text() != "dev-7" ||
        !std::ranges::equal(a.secret_key.bytes(), key))
        return std::nullopt;
    return exchange::peer_id{1};
}
} // namespace

TEST_CASE("Bootstrap-Finish hands the adapter the whole DM account (URI, Security Mode, PSK identity and key) to set up its DTLS session") {
    recorded_events ev;
    sim_world w{1, {}, bootstrap_config(ev), 300, false};
    client::bootstrap_config c;
    c.peer = exchange::peer_id{1};
    c.resolve_peer = resolve_psk_only;
    REQUIRE(w.client.set_bootstrap_server(c).has_value());
    w.client.start(w.now);
    for (int i = 0; i < 200 && w.client.bootstrap_progress() != client::bootstrap_phase::bootstrapping; ++i) w.run_for(100ms);
    REQUIRE(w.client.bootstrap_progress() == client::bootstrap_phase::bootstrapping);
    const auto put = [&](std::string_view target, std::string_view senml) {
        return w.request(coap::code::put, target, [](coap::message_builder_base& b) { b.content_format(senml_json); },
                         as_bytes(senml)).code;
    };
    // "ZGV2LTc" is base64url of "dev-7", "AQIDBA" of 01 02 03 04 (SenML vd, RFC 8428 §4.3).
    CHECK(put("/1/0", R"([{"bn":"/1/0/","n":"0","v":7},{"n":"1","v":120}])") == coap::code::changed);
    CHECK(put("/0/1", R"([{"bn":"/0/1/","n":"0","vs":"coaps://dm.example:5684"},{"n":"1","vb":false},)"
                      R"({"n":"2","v":0},{"n":"3","vd":"ZGV2LTc"},{"n":"5","vd":"AQIDBQ"},{"n":"10","v":7}])") ==
          coap::code::changed);
    CHECK(w.request(coap::code::post, "/bs").code == coap::code::not_acceptable);  // another key
    CHECK(put("/0/1/5", R"([{"n":"/0/1/5","vd":"AQIDBA"}])") == coap::code::changed);
    CHECK(w.request(coap::code::post, "/bs").code == coap::code::changed);
    w.run_for(1s);
    CHECK(w.client.state(7) == client::registration_state::registered);
}

template <class E>
concept can_bootstrap = requires(E& e, const client::bootstrap_config& c) { e.set_bootstrap_server(c); };

TEST_CASE("Bootstrap-Server Account Timeout (/0/x/12): the account is purged that long after a finished bootstrap") {
    bs_world b;
    b.bootstrap();
    b.write_dm_account();
    CHECK(b.write("/0/0/12", "100", 0).code == coap::code::changed);
    CHECK(b.finish().code == coap::code::changed);
    const auto has_bootstrap_account = [&] {
        for (const auto& s : b.w.client.security_instances())
            if (s.bootstrap_server) return true;
        return false;
    };
    b.w.run_for(99s);
    CHECK(has_bootstrap_account());
    b.w.run_for(2s);
    CHECK(!has_bootstrap_account());
    CHECK(b.w.client.security_instances().size() == 1);  // the DM server's stays
    CHECK(b.w.client.state(7) == client::registration_state::registered);
}

TEST_CASE("Bootstrap compiled out: no Security object, no Bootstrap-Request") {
    using limits = client::client_limits<512, 1, 4, 4, 4, 0, 0, client::format_set::all, 3, 2, 4, 0, 0, 64,
                                         client::operation_set::none>;
    using engine = client::engine<limits, sim_random>;
    static_assert(!can_bootstrap<engine>);
    static_assert(can_bootstrap<client::engine<test_limits, sim_random>>);
    engine e{sim_world::default_config(), sim_random{1}};
    CHECK(e.bootstrap_progress() == client::bootstrap_phase::none);
}

// ---- end to end: our client against our Bootstrap-Server engine --------------------------

namespace {

struct bs_handler {
    const bootstrap::configuration* config = nullptr;
    std::vector<bootstrap::session_end> ends;
    const bootstrap::configuration* configuration_for(const bootstrap::bootstrap_request& q) {
        asked = q.preferred_format;
        return config;
    }
    std::optional<format::content_format> asked;  // the pct of the Bootstrap-Request (the Writes' format)
    void on_operation(const bootstrap::operation_result&) {}
    void on_session_end(const bootstrap::session_end& e) { ends.push_back(e); }
};

} // namespace

TEST_CASE("End to end: the client bootstraps from bootstrap::server (Delete, Write /0, Write /1, Finish) in SenML CBOR (pct) and in TLV, then registers") {
    for (const bool with_pct : {true, false}) {
        CAPTURE(with_pct);
        // Peers as the client sees them: 1 the DM server (sim_server), 9 the Bootstrap-Server.
        recorded_events ev;
        sim_world w{3, {}, bootstrap_config(ev), 300, false};
        const bootstrap::dm_server_account account{"coap://dm.example:5683", bootstrap::security_mode::no_sec, {}, {}, 7, 600, "U", 1, 0};
        const bootstrap::dm_server_configuration cfg{account};
        const bootstrap::configuration view = cfg.view();
        bs_handler h;
        h.config = &view;
        bootstrap::server<bootstrap::bootstrap_limits<1152, 2, 32, 32>, sim_random, bs_handler> bss{h, sim_random{11}};
        client::bootstrap_config c;
        c.peer = exchange::peer_id{9};
        c.uri = "coap://bs.example:5693";
        c.resolve_peer = resolve_to_peer_1;
        if (with_pct) c.preferred_format = format::content_format::senml_cbor;
        REQUIRE(w.client.set_bootstrap_server(c).has_value());

        w.client.start(w.now);
        for (int step = 0; step < 4000 && w.client.state(7) != client::registration_state::registered; ++step) {
            bool moved = false;
            while (auto d = w.client.poll_datagram()) {
                moved = true;
                if (d->peer == exchange::peer_id{9}) {
                    const std::vector<std::byte> copy(d->bytes.begin(), d->bytes.end());
                    bss.on_datagram(exchange::peer_id{50}, copy, w.now);
                } else {
                    w.net.send(0, 1, d->bytes, w.now);
                }
            }
            while (auto d = bss.poll_datagram()) {
                moved = true;
                const std::vector<std::byte> copy(d->bytes.begin(), d->bytes.end());
                w.client.on_datagram(exchange::peer_id{9}, copy, w.now);
            }
            if (auto d = bss.next_deadline(); d && *d <= w.now) {
                bss.on_timeout(w.now);
                moved = true;
            }
            if (!moved) w.run_for(100ms);  // the DM server's side, the client's timeouts
        }
        CHECK(w.client.state(7) == client::registration_state::registered);
        REQUIRE(h.ends.size() == 1);
        CHECK(h.ends[0].success);
        CHECK(ev.count(client::client_event_kind::bootstrap_finished) == 1);
        CHECK(h.asked == (with_pct ? std::optional{format::content_format::senml_cbor} : std::nullopt));
        const client::server_account* a = w.client.account(7);
        REQUIRE(a != nullptr);
        CHECK(a->lifetime == 600);
        bool registered_with_lt = false;
        for (const auto& r : w.server.requests)
            if (r.path == "/rd") registered_with_lt = r.has_query("lt=600") && r.has_query("ep=sim-client");
        CHECK(registered_with_lt);
    }
}
