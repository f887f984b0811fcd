// Client Registration Interface (LwM2M 1.1 Core §6.2, 1.0 §5.3) through the engine and a
// scripted server over a simulated network.
#include <lwm2m/client/client.hpp>

#include <doctest/doctest.h>

#include "sim_world.hpp"

using namespace lwm2m;
using namespace lwm2m::test;
using client::registration_state;

TEST_CASE("LwM2M 1.1 §6.2.1 Register: POST /rd?ep&lt&lwm2m&b, link-format payload without /0, 2.01 location kept") {
    sim_world w;
    w.register_client();
    REQUIRE(w.server.requests.size() == 1);
    const sim_request& r = w.server.requests[0];
    CHECK(r.method == coap::code::post);
    CHECK(r.path == "/rd");
    CHECK(r.query == std::vector<std::string>{"ep=sim-client", "lt=300", "lwm2m=1.1", "b=U"});
    CHECK(r.content_format == std::optional<std::uint16_t>{40});
    // The Server object is LwM2M 1.1's (a client with operation_set::bootstrap), the Device
    // object the 1.0 one: as core objects of a 1.1 client both carry ver (LwM2M 1.1.1 Core
    // §7.2.3; without it a server assumes their 1.1 version).
    CHECK(r.payload ==
          "</>;rt=\"oma.lwm2m\";ct=\"0 42 60 110 112 11542\",</1>;ver=1.1,</1/0>,</3>;ver=1.0,</3/0>,</3311/0>,</3311/1>");
    CHECK(w.client.location(101) == "/rd/abc");
}

TEST_CASE("LwM2M 1.0 §5.3.1 Register of a 1.0 client: no root link, and core objects of version 1.0 without ver") {
    client::client_config c = sim_world::default_config();
    c.lwm2m_version = "1.0";
    sim_world w{1, {}, c};
    w.register_client();
    REQUIRE(w.server.requests.size() == 1);
    CHECK(w.server.requests[0].has_query("lwm2m=1.0"));
    CHECK(w.server.requests[0].payload == "</1/0>,</3/0>,</3311/0>,</3311/1>");
}

TEST_CASE("LwM2M 1.1 §6.2.2 Update at lifetime - MAX_TRANSMIT_WAIT, POST /rd/abc without parameters") {
    sim_world w;
    w.register_client();
    const time_point registered = w.now;
    w.run_for(300s);
    REQUIRE(w.server.requests.size() >= 2);
    const sim_request& u = w.server.requests[1];
    CHECK(u.method == coap::code::post);
    CHECK(u.path == "/rd/abc");
    CHECK(u.query.empty());
    CHECK(u.payload.empty());
    // 300 s lifetime > 2 * 93 s: the Update is due 207 s after registering (network delay 10 ms).
    CHECK(u.at - registered >= 206s);
    CHECK(u.at - registered <= 208s);
    CHECK(w.client.state(101) == registration_state::registered);
}

TEST_CASE("LwM2M 1.1 §6.2.2 a short lifetime updates at half the lifetime") {
    sim_world w{1, {}, sim_world::default_config(), 60};
    w.register_client();
    const time_point registered = w.now;
    w.run_for(31s);
    REQUIRE(w.server.requests.size() == 2);
    CHECK(w.server.requests[1].at - registered >= 29s);
}

TEST_CASE("LwM2M 1.1 §6.2.2 Update answered 4.04 makes the client register again") {
    sim_world w;
    w.register_client();
    w.server.update_answer = coap::code::not_found;
    REQUIRE(w.client.trigger_update(101, w.now).has_value());
    w.run_for(5s);
    REQUIRE(w.server.requests.size() == 3);
    CHECK(w.server.requests[1].path == "/rd/abc");
    CHECK(w.server.requests[2].path == "/rd");
    CHECK(w.client.state(101) == registration_state::registered);
}

namespace {

client::server_account account(std::uint16_t ssid, std::uint32_t lifetime) {
    client::server_account a;
    a.ssid = ssid;
    a.peer = exchange::peer_id{1};
    a.lifetime = lifetime;
    return a;
}

/** The instants (ms since the start) at which the scripted server received a Register [with `lt`]. */
template <class World>
std::vector<std::int64_t> register_instants(const World& w, std::string_view lt = {}) {
    return request_instants_ms(w, "/rd", lt);
}

} // namespace

TEST_CASE("LwM2M 1.1.1 §6.2.1.1 a failed Register: Retry Timer x 2^(n-1) within a sequence, Sequence Delay Timer x 2^(s-1) between sequences, then given up") {
    event_log log;
    sim_world w{1, {}, logging_config(log), 300, false};
    client::server_account a = account(101, 300);
    a.retry_count = 3;           // /1/x/17
    a.retry_timer = 10;          // /1/x/18
    a.sequence_delay = 100;      // /1/x/19
    a.sequence_retry_count = 3;  // /1/x/20
    a.bootstrap_on_failure = false;
    REQUIRE(w.client.add_server(a).has_value());
    w.server.register_answer = coap::code::forbidden;
    w.client.start(w.now);
    w.run_for(1000s);
    // Each Register is received 10 ms after it is sent and its 4.03 reaches the client 10 ms
    // later: attempt n+1 goes out 10 s x 2^(n-1) after the answer to attempt n, a new sequence
    // 100 s x 2^(s-1) after the answer ending sequence s.
    const std::vector<std::int64_t> expected{10,     10'030,  30'050,            // sequence 1: +10 s, +20 s
                                             130'070, 140'090, 160'110,          // 100 s later; sequence 2
                                             360'130, 370'150, 390'170};         // 200 s later; sequence 3
    CHECK(register_instants(w) == expected);
    CHECK(w.client.state(101) == registration_state::failed);
    CHECK(log.count(client::client_event_kind::register_failed) == 9);
    REQUIRE(log.count(client::client_event_kind::registration_failed) == 1);
    CHECK(log.events.back().kind == client::client_event_kind::registration_failed);
    CHECK(log.events.back().code == coap::code::forbidden);
    // Given up: nothing more, until the application starts the client again.
    w.run_for(std::chrono::hours(24 * 30));
    CHECK(register_instants(w).size() == 9);
    w.server.register_answer = coap::code::created;
    w.client.start(w.now);
    w.run_for(1s);
    CHECK(register_instants(w).size() == 10);
    CHECK(w.client.state(101) == registration_state::registered);
}

TEST_CASE("LwM2M 1.1.1 §6.2.1.1 the defaults: 5 attempts a sequence, one sequence (the Retry Timer from client_config::retry_initial)") {
    event_log log;
    client::client_config c = logging_config(log);
    c.retry_initial = 10s;
    sim_world w{1, {}, c, 300, false};
    client::server_account a = account(101, 300);
    a.bootstrap_on_failure = false;
    REQUIRE(w.client.add_server(a).has_value());
    CHECK(w.client.account(101)->retry_timer == std::optional<std::uint32_t>{10});
    w.server.register_answer = coap::code::bad_request;
    w.client.start(w.now);
    w.run_for(std::chrono::hours(48));
    const std::vector<std::int64_t> expected{10, 10'030, 30'050, 70'070, 150'090};  // +10, +20, +40, +80 s
    CHECK(register_instants(w) == expected);
    CHECK(w.client.state(101) == registration_state::failed);
    CHECK(log.count(client::client_event_kind::registration_failed) == 1);
}

TEST_CASE("LwM2M 1.1.1 §6.2.1.1 a Register that times out counts as a failed attempt") {
    event_log log;
    sim_conditions lost;
    lost.loss = 1.0;  // no Register reaches the server
    sim_world w{1, lost, logging_config(log), 300, false};
    client::server_account a = account(101, 300);
    a.retry_count = 2;
    a.retry_timer = 5;
    a.bootstrap_on_failure = false;
    REQUIRE(w.client.add_server(a).has_value());
    w.client.start(w.now);
    w.run_for(1000s);
    CHECK(w.client.state(101) == registration_state::failed);
    REQUIRE(log.count(client::client_event_kind::registration_failed) == 1);
    CHECK(log.events.back().code == coap::code::empty);
    CHECK(log.count(client::client_event_kind::register_failed) == 2);
}

TEST_CASE("LwM2M 1.1.1 §6.2.1.1 Initial Registration Delay Timer: before the first Register only") {
    sim_world w{1, {}, sim_world::default_config(), 300, false};
    client::server_account a = account(101, 300);
    a.initial_delay = 30;  // /1/x/14
    REQUIRE(w.client.add_server(a).has_value());
    w.client.start(w.now);
    w.run_for(29s);
    CHECK(w.server.requests.empty());
    CHECK(w.client.state(101) == registration_state::retry_wait);
    w.run_for(2s);
    CHECK(register_instants(w) == std::vector<std::int64_t>{30'010});
    CHECK(w.client.state(101) == registration_state::registered);
    // The server lost the registration: a new Register at once, no delay.
    w.server.update_answer = coap::code::not_found;
    REQUIRE(w.client.trigger_update(101, w.now).has_value());
    w.run_for(1s);
    REQUIRE(register_instants(w).size() == 2);
    CHECK(register_instants(w)[1] - std::chrono::duration_cast<std::chrono::milliseconds>(w.server.requests[1].at - time_point{}).count() == 20);
}

TEST_CASE("LwM2M 1.1.1 §6.2.1.1 Registration Priority Order: in increasing order, each after the one before it completed") {
    event_log log;
    using three_servers = client::client_limits<1152, 3, 8, 8, 16, 64, 2048>;
    basic_sim_world<three_servers> w{1, {}, logging_config(log), 300, false};
    client::server_account first = account(101, 301);
    first.priority_order = 1;
    first.retry_count = 2;
    first.retry_timer = 10;
    first.bootstrap_on_failure = false;
    client::server_account second = account(102, 302);
    second.priority_order = 2;
    second.initial_delay = 5;
    client::server_account free = account(103, 303);  // no order: not held by the others
    // The first refused twice (given up at 10.040 s), the second added before it on purpose.
    const auto first_refused = [&] {
        REQUIRE(w.client.add_server(second).has_value());
        REQUIRE(w.client.add_server(first).has_value());
        w.server.register_policy = [](const sim_request& q) {
            return q.has_query("lt=301") ? coap::code::forbidden : coap::code::created;
        };
        w.client.start(w.now);
        w.run_for(std::chrono::hours(1));
        CHECK(register_instants(w, "lt=301") == std::vector<std::int64_t>{10, 10'030});
    };
    SUBCASE("Registration Failure Block true: the first given up blocks the second") {
        first.failure_block = true;
        first_refused();
        CHECK(w.client.state(101) == registration_state::failed);
        CHECK(register_instants(w, "lt=302").empty());
        CHECK(w.client.state(102) == registration_state::idle);
    }
    SUBCASE("Registration Failure Block false: the second follows the first given up, after its Initial Registration Delay") {
        first_refused();
        // The first was given up when its second 4.03 arrived (10.040 s); then 5 s.
        CHECK(register_instants(w, "lt=302") == std::vector<std::int64_t>{15'050});
        CHECK(w.client.state(102) == registration_state::registered);
    }
    SUBCASE("the second waits while the first retries, and follows its success") {
        REQUIRE(w.client.add_server(first).has_value());
        REQUIRE(w.client.add_server(second).has_value());
        REQUIRE(w.client.add_server(free).has_value());
        int answered = 0;
        w.server.register_policy = [&answered](const sim_request& q) {
            if (!q.has_query("lt=301")) return coap::code::created;
            return ++answered == 1 ? coap::code::service_unavailable : coap::code::created;
        };
        w.client.start(w.now);
        w.run_for(60s);
        // Not held by the first's retry (the three share one peer here, so NSTART 1 queues
        // its Register behind the first's: RFC 7252 §4.7).
        REQUIRE(register_instants(w, "lt=303").size() == 1);
        CHECK(register_instants(w, "lt=303")[0] < 10'030);
        CHECK(register_instants(w, "lt=301") == std::vector<std::int64_t>{10, 10'030});
        CHECK(register_instants(w, "lt=302") == std::vector<std::int64_t>{15'050});  // 10.040 s + 5 s
        CHECK(w.client.state(101) == registration_state::registered);
        CHECK(w.client.state(102) == registration_state::registered);
        CHECK(w.client.state(103) == registration_state::registered);
    }
}

TEST_CASE("LwM2M 1.1 §6.2.3 De-register: DELETE /rd/abc, then silence") {
    sim_world w;
    w.register_client();
    w.client.deregister(w.now);
    CHECK_FALSE(w.client.deregistration_done());
    w.run_for(5s);
    CHECK(w.client.deregistration_done());
    REQUIRE(w.server.requests.size() == 2);
    CHECK(w.server.requests[1].method == coap::code::delete_);
    CHECK(w.server.requests[1].path == "/rd/abc");
    CHECK(w.client.state(101) == registration_state::deregistered);
    w.run_for(1000s);
    CHECK(w.server.requests.size() == 2);
}

TEST_CASE("LwM2M 1.1 E.2 /1/x/8 Registration Update Trigger sends an Update after the 2.04") {
    sim_world w;
    w.register_client();
    const auto r = w.request(coap::code::post, "/1/0/8");
    CHECK(r.code == coap::code::changed);
    w.run_for(2s);
    REQUIRE(w.server.requests.size() == 2);
    CHECK(w.server.requests[1].path == "/rd/abc");
}

TEST_CASE("LwM2M 1.1 E.2 writing the Lifetime /1/0/1 sends an Update with lt") {
    sim_world w;
    w.register_client();
    const auto payload = bytes_of("600");
    const auto r = w.request(coap::code::put, "/1/0/1", [](auto& b) { b.content_format(0); }, payload);
    CHECK(r.code == coap::code::changed);
    w.run_for(2s);
    REQUIRE(w.server.requests.size() == 2);
    CHECK(w.server.requests[1].query == std::vector<std::string>{"lt=600"});
    CHECK(w.client.account(101)->lifetime == 600);
}

TEST_CASE("LwM2M 1.1 E.2 writing the Binding /1/0/7 as chunked SenML CBOR text sends an Update with the joined b") {
    sim_world w;
    w.register_client();
    // [{-2: "/1/0/7", 3: (_ "U", "Q")}] (RFC 8949 §3.2.3): the binding is "UQ".
    const auto payload = concat({hex("81 a2 21 66"), bytes_of("/1/0/7"), hex("03 7f 61 55 61 51 ff")});
    const auto r = w.request(coap::code::put, "/1/0/7", [](auto& b) { b.content_format(112); }, payload);
    CHECK(r.code == coap::code::changed);
    w.run_for(2s);
    REQUIRE(w.server.requests.size() == 2);
    CHECK(w.server.requests[1].query == std::vector<std::string>{"b=UQ"});
}

TEST_CASE("LwM2M 1.1 E.2 /1/x/4 Disable: 2.04, De-register, silence for the Disable Timeout, then Register") {
    sim_world w;
    w.register_client();
    const auto t = w.request(coap::code::put, "/1/0/5", [](auto& b) { b.content_format(0); }, bytes_of("120"));
    CHECK(t.code == coap::code::changed);
    const auto r = w.request(coap::code::post, "/1/0/4");
    CHECK(r.code == coap::code::changed);
    w.run_for(2s);
    REQUIRE(w.server.requests.size() == 2);
    CHECK(w.server.requests[1].method == coap::code::delete_);
    CHECK(w.client.state(101) == registration_state::disabled);
    // Requests from the server are ignored while disabled.
    const auto h = w.server.send(coap::code::get, "/3/0/0");
    w.run_for(100s);
    REQUIRE(!w.server.responses[h].empty());
    CHECK(w.server.responses[h][0].failed);
    CHECK(w.server.requests.size() == 2);
    w.run_for(30s);
    REQUIRE(w.server.requests.size() == 3);
    CHECK(w.server.requests[2].path == "/rd");
    CHECK(w.server.requests[2].at - w.server.requests[1].at >= 119s);
    CHECK(w.client.state(101) == registration_state::registered);
}

TEST_CASE("LwM2M 1.1 §6.2.2 Create and Delete cause an Update carrying the new object list") {
    sim_world w;
    w.register_client();
    // TLV: Object Instance 5 (08 05 04) { Resource 5850, 16-bit id, 1 byte (e1 16 da): true }
    const auto payload = hex("080504e116da01");
    const auto r = w.request(coap::code::post, "/3311", [](auto& b) { b.content_format(11542); }, payload);
    CHECK(r.code == coap::code::created);
    CHECK(r.location == std::vector<std::string>{"3311", "5"});
    w.run_for(2s);
    REQUIRE(w.server.requests.size() == 2);
    CHECK(w.server.requests[1].path == "/rd/abc");
    CHECK(w.server.requests[1].payload.find("</3311/5>") != std::string::npos);
    const auto d = w.request(coap::code::delete_, "/3311/0");
    CHECK(d.code == coap::code::deleted);
    w.run_for(2s);
    REQUIRE(w.server.requests.size() == 3);
    CHECK(w.server.requests[2].payload.find("</3311/0>") == std::string::npos);
}
