// The client engine over a lossy, duplicating, reordering network (RFC 7252 §4.2, §4.5):
// every confirmable exchange completes exactly once or reports a timeout, and a duplicated
// Execute is never executed twice.
#include <lwm2m/client/client.hpp>

#include <doctest/doctest.h>

#include "sim_world.hpp"

using namespace lwm2m;
using namespace lwm2m::test;

TEST_CASE("RFC 7252 §4.5 every datagram duplicated: each Execute runs exactly once") {
    sim_conditions c;
    c.duplication = 1.0;
    c.min_delay = 5ms;
    c.max_delay = 400ms;  // reordering
    sim_world w{3, c};
    w.register_client();
    for (int i = 0; i < 20; ++i) {
        const auto r = w.request(coap::code::post, "/3/0/4");
        CHECK(r.code == coap::code::changed);
    }
    w.run_for(10s);
    CHECK(w.reboots == 20);
    CHECK(w.net.duplicated() > 0);
}

TEST_CASE("RFC 7252 §4.2 30% loss with duplication and reordering: exactly one outcome per exchange") {
    for (std::uint32_t seed : {11u, 12u, 13u}) {
        CAPTURE(seed);
        sim_conditions c;
        c.loss = 0.3;
        c.duplication = 0.1;
        c.min_delay = 5ms;
        c.max_delay = 600ms;
        sim_world w{seed, c};
        w.register_client();  // Register itself survives the loss (retransmission, retry)
        int ok = 0, timeouts = 0;
        std::vector<std::uint32_t> handles;
        for (int i = 0; i < 30; ++i) {
            const auto h = w.server.send(coap::code::post, "/3/0/4");
            handles.push_back(h);
            const std::optional<sim_response> r = w.wait(h, 1, 400s);
            REQUIRE(r.has_value());
            if (r->failed) {
                CHECK(r->error == errc::timeout);
                ++timeouts;
            } else {
                CHECK(r->code == coap::code::changed);
                ++ok;
            }
        }
        w.run_for(300s);
        for (std::uint32_t h : handles) CHECK(w.server.responses[h].size() == 1);  // never twice
        // Executed at most once per request, and at least once per acknowledged one.
        CHECK(w.reboots >= ok);
        CHECK(w.reboots <= 30);
        CHECK(ok + timeouts == 30);
        CHECK(ok > 20);
        CHECK(w.net.lost() > 0);
    }
}

TEST_CASE("RFC 7252 §4.2 30% loss: registration, updates and reads complete") {
    sim_conditions c;
    c.loss = 0.3;
    c.min_delay = 5ms;
    c.max_delay = 200ms;
    sim_world w{21, c, sim_world::default_config(), 120};
    w.register_client();
    w.run_for(1000s);  // several Updates (every 60 s)
    CHECK(w.client.state(101) == client::registration_state::registered);
    std::size_t updates = 0;
    for (const auto& r : w.server.requests)
        if (r.path == "/rd/abc") ++updates;
    CHECK(updates >= 10);
    int reads = 0;
    for (int i = 0; i < 20; ++i) {
        const auto h = w.server.send(coap::code::get, "/3/0/0");
        const std::optional<sim_response> r = w.wait(h, 1, 400s);
        REQUIRE(r.has_value());
        if (!r->failed) {
            CHECK(r->text() == "Open Mobile Alliance");
            ++reads;
        }
    }
    CHECK(reads > 15);
}
