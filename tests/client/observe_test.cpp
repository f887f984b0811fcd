// Information Reporting (LwM2M 1.1 Core §6.4, RFC 7641): Observe, notifications honouring
// pmin/pmax/gt/lt/st under a virtual clock, cancellation by Observe=1 and by Reset.
#include <lwm2m/client/attribute_store.hpp>

#include <doctest/doctest.h>

#include "sim_world.hpp"

using namespace lwm2m;
using namespace lwm2m::test;

namespace {
path P(std::string_view s) { return parse_path(s).value(); }
auto observe(std::uint32_t v) {
    return [v](coap::message_builder_base& b) { b.observe(v); };
}
auto query(std::string_view q) {
    return [q](coap::message_builder_base& b) { b.uri_query(q); };
}
} // namespace

TEST_CASE("RFC 7641 §3.1 Observe a resource: 2.05 with Observe, a notification per change, increasing sequence") {
    sim_world w;
    w.register_client();
    const auto h = w.server.send(coap::code::get, "/3311/0/5851", observe(0));
    const std::optional<sim_response> first = w.wait(h);
    REQUIRE(first.has_value());
    CHECK(first->code == coap::code::content);
    REQUIRE(first->observe);
    CHECK(first->text() == "50");
    CHECK(w.client.observation_count() == 1);
    // A server Write changes it: notify.
    CHECK(w.request(coap::code::put, "/3311/0/5851", [](auto& b) { b.content_format(0); }, bytes_of("60")).code ==
          coap::code::changed);
    const std::optional<sim_response> second = w.wait(h, 2, 5s);
    REQUIRE(second.has_value());
    CHECK(second->text() == "60");
    REQUIRE(second->observe);
    CHECK(*second->observe > *w.server.responses[h][0].observe);
    // The application changes it.
    w.lights.lights[0].dimmer = 61;
    w.client.value_changed(P("/3311/0/5851"), w.now);
    const std::optional<sim_response> third = w.wait(h, 3, 5s);
    REQUIRE(third.has_value());
    CHECK(third->text() == "61");
    // No change: nothing more (no pmax).
    w.run_for(1000s);
    CHECK(w.server.responses[h].size() == 3);
}

TEST_CASE("LwM2M 1.1 §5.1.2 pmin delays a notification, pmax forces one") {
    sim_world w;
    w.register_client();
    REQUIRE(w.request(coap::code::put, "/3311/0/5851", query("pmin=10")).code == coap::code::changed);
    REQUIRE(w.request(coap::code::put, "/3311/0", query("pmax=30")).code == coap::code::changed);  // inherited
    const auto h = w.server.send(coap::code::get, "/3311/0/5851", observe(0));
    REQUIRE(w.wait(h).has_value());
    const time_point t0 = w.server.responses[h][0].at;
    w.run_for(1s);
    w.lights.lights[0].dimmer = 70;
    w.client.value_changed(P("/3311/0/5851"), w.now);
    const std::optional<sim_response> n = w.wait(h, 2, 20s);
    REQUIRE(n.has_value());
    CHECK(n->text() == "70");
    CHECK(n->at - t0 >= 10s);
    CHECK(n->at - t0 < 11s);
    // pmax: without change, one notification every 30 s.
    const std::optional<sim_response> p = w.wait(h, 3, 40s);
    REQUIRE(p.has_value());
    CHECK(p->at - n->at >= 30s);
    CHECK(p->at - n->at < 31s);
    CHECK(p->text() == "70");
}

TEST_CASE("LwM2M 1.1 §5.1.2 server default pmin/pmax (/1/x/2, /1/x/3) apply when no attribute is attached") {
    sim_world w;
    w.register_client();
    REQUIRE(w.request(coap::code::put, "/1/0/3", [](auto& b) { b.content_format(0); }, bytes_of("20")).code ==
            coap::code::changed);
    const auto h = w.server.send(coap::code::get, "/3311/1/5850", observe(0));
    REQUIRE(w.wait(h).has_value());
    const std::optional<sim_response> p = w.wait(h, 2, 25s);
    REQUIRE(p.has_value());
    CHECK(p->at - w.server.responses[h][0].at >= 20s);
}

TEST_CASE("LwM2M 1.1 §5.1.2 step and thresholds: st, gt, lt") {
    sim_world w;
    w.register_client();
    REQUIRE(w.request(coap::code::put, "/3311/0/5851", query("st=5")).code == coap::code::changed);
    const auto h = w.server.send(coap::code::get, "/3311/0/5851", observe(0));
    REQUIRE(w.wait(h).has_value());
    const auto change = [&](std::int64_t v) {
        w.lights.lights[0].dimmer = v;
        w.client.value_changed(P("/3311/0/5851"), w.now);
        w.run_for(2s);
    };
    change(52);  // +2: below st
    CHECK(w.server.responses[h].size() == 1);
    change(56);  // +6 from the last notified 50
    REQUIRE(w.server.responses[h].size() == 2);
    CHECK(w.server.responses[h][1].text() == "56");
    // gt=80: crossing upwards notifies even for a small step.
    REQUIRE(w.request(coap::code::put, "/3311/0/5851", query("gt=57")).code == coap::code::changed);
    change(58);  // crosses 57 (step 2 < st)
    REQUIRE(w.server.responses[h].size() == 3);
    change(59);  // no crossing, step 1
    CHECK(w.server.responses[h].size() == 3);
}

TEST_CASE("RFC 7641 §3.6 cancel by GET with Observe=1, and by Reset") {
    sim_world w;
    w.register_client();
    const auto h = w.server.send(coap::code::get, "/3311/0/5850", observe(0));
    REQUIRE(w.wait(h).has_value());
    const auto h2 = w.server.send(coap::code::get, "/3311/1/5850", observe(0));
    REQUIRE(w.wait(h2).has_value());
    CHECK(w.client.observation_count() == 2);
    // Observe=1 with the same token: a GET from the server endpoint gets a new token, so cancel
    // the second one by Reset instead and the first one by forgetting it then resetting.
    w.server.endpoint().cancel_observation(exchange::request_handle{h2});
    w.lights.lights[1].on = true;
    w.client.value_changed(P("/3311/1/5850"), w.now);
    w.run_for(5s);
    CHECK(w.client.observation_count() == 1);  // the notification got a Reset
    CHECK(w.server.responses[h2].size() == 1);
}

TEST_CASE("RFC 7641 §3.6 GET with Observe=1 and the observation's token ends it") {
    sim_world w;
    w.register_client();
    // Build both requests by hand with a fixed token on the client's peer.
    std::array<std::byte, 64> buf{};
    const auto send = [&](std::uint32_t obs, std::uint16_t mid) {
        coap::message_builder<8> b;
        const std::byte tok[] = {std::byte{1}, std::byte{2}, std::byte{3}};
        b.type(coap::message_type::confirmable).code(coap::code::get).message_id(mid).token(tok);
        b.observe(obs).uri_path("3311").uri_path("0").uri_path("5850");
        const auto n = b.serialize(buf).value();
        w.client.on_datagram(exchange::peer_id{1}, bytes_view{buf.data(), n}, w.now);
    };
    send(0, 0x7000);
    CHECK(w.client.observation_count() == 1);
    send(1, 0x7001);
    CHECK(w.client.observation_count() == 0);
}

TEST_CASE("LwM2M 1.1 §6.4 observations survive an Update, and end with a new Register") {
    sim_world w;
    w.register_client();
    const auto h = w.server.send(coap::code::get, "/3311/0/5850", observe(0));
    REQUIRE(w.wait(h).has_value());
    REQUIRE(w.client.trigger_update(101, w.now).has_value());
    w.run_for(2s);
    CHECK(w.client.observation_count() == 1);
    w.lights.lights[0].on = true;
    w.client.value_changed(P("/3311/0"), w.now);
    REQUIRE(w.wait(h, 2, 5s).has_value());
    CHECK(w.server.responses[h][1].text() == "1");
    // A 4.04 to the next Update means a new registration: observations are gone.
    w.server.update_answer = coap::code::not_found;
    REQUIRE(w.client.trigger_update(101, w.now).has_value());
    w.run_for(5s);
    CHECK(w.client.observation_count() == 0);
}

TEST_CASE("Observe on an instance notifies with the whole instance (TLV) when one resource changes") {
    sim_world w;
    w.register_client();
    const auto h = w.server.send(coap::code::get, "/3311/1", [](auto& b) { b.observe(0).accept(11542); });
    REQUIRE(w.wait(h).has_value());
    w.lights.lights[1].dimmer = 1;
    w.client.value_changed(P("/3311/1/5851"), w.now);
    const std::optional<sim_response> n = w.wait(h, 2, 5s);
    REQUIRE(n.has_value());
    CHECK(n->content_format == std::optional<std::uint16_t>{11542});
    CHECK(n->payload == hex("e5164a7768697465e416ad41480000e116da00e116db01"));
}

TEST_CASE("attribute_store: every attribute is kept exactly, zero values included; removal frees the entry") {
    client::attribute_store<2> s;
    notification_attributes all{};
    all.pmin = 0;
    all.pmax = 4294967295u;
    all.epmin = 7;
    all.epmax = 8;
    all.gt = -1.5;
    all.lt = -1e300;
    all.st = 0.0;
    REQUIRE(s.set(3, P("/3303/0/5700"), all).has_value());
    CHECK(s.find(3, P("/3303/0/5700")) == std::optional{all});
    CHECK_FALSE(s.find(4, P("/3303/0/5700")).has_value());
    CHECK_FALSE(s.find(3, P("/3303/0")).has_value());
    notification_attributes some{};
    some.lt = 2.25;
    some.epmax = 0;
    REQUIRE(s.set(3, P("/3303/0"), some).has_value());
    CHECK(s.find(3, P("/3303/0")) == std::optional{some});
    notification_attributes third{};
    third.pmin = 1;
    CHECK(s.set(3, P("/3303"), third).error().code == errc::capacity_exceeded);
    REQUIRE(s.set(3, P("/3303/0"), notification_attributes{}).has_value());  // empty: removed
    CHECK_FALSE(s.find(3, P("/3303/0")).has_value());
    REQUIRE(s.set(3, P("/3303"), third).has_value());  // its entry is free again
    CHECK(s.find(3, P("/3303")) == std::optional{third});
    s.remove_under(P("/3303/0"));
    CHECK_FALSE(s.find(3, P("/3303/0/5700")).has_value());
    CHECK(s.find(3, P("/3303")).has_value());
}

TEST_CASE("attribute_store: inheritance object -> instance -> resource over server defaults") {
    client::attribute_store<8> s;
    notification_attributes a{};
    a.pmin = 5;
    REQUIRE(s.set(1, P("/3311"), a).has_value());
    notification_attributes b{};
    b.pmax = 50;
    REQUIRE(s.set(1, P("/3311/0"), b).has_value());
    notification_attributes c{};
    c.pmin = 1;
    REQUIRE(s.set(1, P("/3311/0/5851"), c).has_value());
    notification_attributes defaults{};
    defaults.pmin = 9;
    defaults.pmax = 99;
    const auto e = s.effective(1, P("/3311/0/5851"), defaults);
    CHECK(e.pmin == std::optional<std::uint32_t>{1});
    CHECK(e.pmax == std::optional<std::uint32_t>{50});
    const auto f = s.effective(1, P("/3311/1"), defaults);
    CHECK(f.pmin == std::optional<std::uint32_t>{5});
    CHECK(f.pmax == std::optional<std::uint32_t>{99});
    CHECK(s.effective(2, P("/3311/0/5851"), defaults) == defaults);  // another server
}
