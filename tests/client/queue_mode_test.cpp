// Queue Mode (LwM2M 1.1 Core §6.5, Transport §6): the client sleeps after MAX_TRANSMIT_WAIT
// (or the configured awake time) without exchanges, holds notifications that become due
// while asleep, and on waking sends a Registration Update before the held notifications.
#include <doctest/doctest.h>

#include "sim_world.hpp"

#include <vector>

using namespace lwm2m;
using namespace lwm2m::test;

namespace queue_mode_test {

path P(std::string_view s) { return parse_path(s).value(); }

client::client_config queue_config(event_log& log, duration awake = duration::zero()) {
    client::client_config c = logging_config(log);
    c.queue_mode = true;
    c.queue_awake_time = awake;
    return c;
}

/** Index of the first request to /rd/abc (an Update) at or after `from`, or -1. */
int first_update_after(const sim_world& w, time_point from) {
    for (std::size_t i = 0; i < w.server.requests.size(); ++i)
        if (w.server.requests[i].path == "/rd/abc" && w.server.requests[i].method == coap::code::post &&
            w.server.requests[i].at >= from)
            return static_cast<int>(i);
    return -1;
}

} // namespace queue_mode_test

using namespace queue_mode_test;

TEST_CASE("LwM2M 1.1 §6.5 queue mode: Register carries Q; asleep after MAX_TRANSMIT_WAIT (93 s) without exchanges") {
    event_log log;
    sim_world w{1, {}, queue_config(log), 3600};
    w.register_client();
    REQUIRE(!w.server.requests.empty());
    CHECK(w.server.requests[0].has_query("Q"));
    const time_point registered_at = w.server.requests[0].at;
    w.run_until(registered_at + 92s);
    CHECK_FALSE(w.client.sleeping());
    CHECK(log.count(client::client_event_kind::sleeping) == 0);
    w.run_until(registered_at + 94s);
    CHECK(w.client.sleeping());
    CHECK(log.count(client::client_event_kind::sleeping) == 1);
    CHECK(log.events.back().kind == client::client_event_kind::sleeping);
    // Asleep, nothing is sent until the Update timer (lifetime 3600 - 93 s).
    const std::size_t sent = w.net.sent();
    w.run_for(3000s);
    CHECK(w.net.sent() == sent);
    CHECK(w.client.sleeping());
}

TEST_CASE("LwM2M 1.1 §6.5 queue mode: the awake time is configurable; without queue mode the client never sleeps") {
    event_log log;
    sim_world w{2, {}, queue_config(log, 30s), 3600};
    w.register_client();
    const time_point t0 = w.now;
    w.run_for(29s);
    CHECK_FALSE(w.client.sleeping());
    w.run_for(2s);
    CHECK(w.client.sleeping());
    CHECK(w.now - t0 >= 30s);

    event_log log2;
    client::client_config plain = queue_config(log2);
    plain.queue_mode = false;
    sim_world v{3, {}, plain, 3600};
    v.register_client();
    CHECK_FALSE(v.server.requests[0].has_query("Q"));
    v.run_for(500s);
    CHECK_FALSE(v.client.sleeping());
    CHECK(log2.count(client::client_event_kind::sleeping) == 0);
}

TEST_CASE("LwM2M 1.1 §6.5 queue mode: a notification due while asleep is held, sent after an Update, with the latest value") {
    event_log log;
    sim_world w{4, {}, queue_config(log), 3600};
    w.register_client();
    REQUIRE(w.request(coap::code::put, "/3311/0/5851", [](auto& b) { b.uri_query("pmin=200"); }).code == coap::code::changed);
    const auto h = w.server.send(coap::code::get, "/3311/0/5851", [](auto& b) { b.observe(0); });
    REQUIRE(w.wait(h).has_value());
    const time_point observed_at = w.server.responses[h][0].at;
    w.run_for(100s);
    REQUIRE(w.client.sleeping());
    const time_point slept_at = w.now;
    // Three changes while asleep and inside pmin: nothing is sent yet.
    const std::size_t sent = w.net.sent();
    for (std::int64_t v : {61, 62, 63}) {
        w.lights.lights[0].dimmer = v;
        w.client.value_changed(P("/3311/0/5851"), w.now);
        w.run_for(10s);
    }
    CHECK(w.client.sleeping());
    CHECK(w.net.sent() == sent);
    CHECK(w.server.responses[h].size() == 1);
    // At pmin the notification is due: the client wakes, sends an Update, then the notification.
    w.run_until(observed_at + 205s);
    CHECK(log.count(client::client_event_kind::woke_up) == 1);
    const int u = first_update_after(w, slept_at);
    REQUIRE(u >= 0);
    const time_point update_at = w.server.requests[static_cast<std::size_t>(u)].at;
    CHECK(update_at >= observed_at + 200s);
    REQUIRE(w.server.responses[h].size() == 2);  // one notification for three changes
    CHECK(w.server.responses[h][1].text() == "63");
    CHECK(w.server.responses[h][1].at > update_at);
    CHECK_FALSE(w.client.sleeping());
    // And asleep again MAX_TRANSMIT_WAIT later.
    w.run_for(100s);
    CHECK(w.client.sleeping());
    CHECK(log.count(client::client_event_kind::sleeping) == 2);
}

TEST_CASE("LwM2M 1.1 §6.5 queue mode: wake() sends an Update only when asleep") {
    event_log log;
    sim_world w{5, {}, queue_config(log, 20s), 3600};
    w.register_client();
    const std::size_t before = w.server.requests.size();
    w.client.wake(w.now);  // awake: nothing to do
    w.run_for(1s);
    CHECK(w.server.requests.size() == before);
    w.run_for(25s);
    REQUIRE(w.client.sleeping());
    const time_point t = w.now;
    w.client.wake(w.now);
    CHECK_FALSE(w.client.sleeping());
    w.run_for(2s);
    REQUIRE(w.server.requests.size() == before + 1);
    CHECK(w.server.requests.back().path == "/rd/abc");
    CHECK(w.server.requests.back().at >= t);
    CHECK(log.count(client::client_event_kind::updated) >= 1);
}

TEST_CASE("LwM2M 1.1 §6.5 queue mode: a datagram delivered while asleep is still processed") {
    event_log log;
    sim_world w{6, {}, queue_config(log, 20s), 3600};
    w.register_client();
    w.run_for(25s);
    REQUIRE(w.client.sleeping());
    const auto r = w.request(coap::code::get, "/3311/0/5851");
    CHECK(r.code == coap::code::content);
    CHECK(r.text() == "50");
    CHECK_FALSE(w.client.sleeping());
    // It woke up: an Update went out too.
    CHECK(first_update_after(w, w.now - 5s) >= 0);
}

TEST_CASE("LwM2M 1.1 §6.5 queue mode: pmax due while asleep wakes the client with an Update first") {
    event_log log;
    sim_world w{7, {}, queue_config(log, 10s), 3600};
    w.register_client();
    REQUIRE(w.request(coap::code::put, "/3311/0/5851", [](auto& b) { b.uri_query("pmax=60"); }).code == coap::code::changed);
    const auto h = w.server.send(coap::code::get, "/3311/0/5851", [](auto& b) { b.observe(0); });
    REQUIRE(w.wait(h).has_value());
    const time_point t0 = w.server.responses[h][0].at;
    w.run_for(20s);
    REQUIRE(w.client.sleeping());
    w.run_until(t0 + 65s);
    REQUIRE(w.server.responses[h].size() == 2);
    const int u = first_update_after(w, t0 + 20s);
    REQUIRE(u >= 0);
    CHECK(w.server.requests[static_cast<std::size_t>(u)].at >= t0 + 60s);
    CHECK(w.server.responses[h][1].at > w.server.requests[static_cast<std::size_t>(u)].at);
}
