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
    // The Server and Device objects are the 1.0 ones: as core objects of a 1.1 client they
    // carry ver=1.0 (LwM2M 1.1.1 Core §7.2.3; without it a server assumes their 1.1 version).
    CHECK(r.payload ==
          "</>;rt=\"oma.lwm2m\";ct=\"0 42 60 110 112 11542\",</1>;ver=1.0,</1/0>,</3>;ver=1.0,</3/0>,</3311/0>,</3311/1>");
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

TEST_CASE("LwM2M 1.1 §6.2.1 a failed Register is retried with exponential back-off") {
    sim_world w;
    w.server.register_answer = coap::code::forbidden;
    w.client.start(w.now);
    w.run_for(200s);
    // Attempts at 0, +10 s, +20 s, +40 s, +80 s, +80 s (cap).
    std::vector<std::int64_t> at;
    for (const auto& r : w.server.requests) at.push_back(std::chrono::duration_cast<std::chrono::seconds>(r.at - time_point{}).count());
    REQUIRE(at.size() >= 5);
    CHECK(at[1] - at[0] == 10);
    CHECK(at[2] - at[1] == 20);
    CHECK(at[3] - at[2] == 40);
    CHECK(at[4] - at[3] == 80);
    CHECK(w.client.state(101) == registration_state::retry_wait);
    w.server.register_answer = coap::code::created;
    w.run_for(100s);
    CHECK(w.client.state(101) == registration_state::registered);
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
