// LwM2M 1.1 Core §6.5 / Transport §6 Queue Mode, server side: requests to a sleeping client are
// held (bounded), listed, sent when it sends Update/Register, and fail precisely when its
// registration ends first.
#include <doctest/doctest.h>

#include "server_world.hpp"

#include <set>
#include <string>

using namespace lwm2m;
using namespace lwm2m::test::server_tests;
using server::request_spec;

namespace {
server::server_config queue_config() {
    server::server_config c;
    c.queue_awake_time = 20s;
    return c;
}
/** Registers `ep` (1.1, Q) from peer 7 at time 0; the answer carries its location. */
answer register_in_queue_mode(server_box& s, const std::string& ep) {
    dgram d;
    d.query = {"ep=" + ep, "lwm2m=1.1", "Q", "lt=3600"};
    d.payload = "</3/0>";
    answer a = single_answer(s.feed(7, d.build(), time_point{}));
    REQUIRE(a.code == coap::code::created);
    return a;
}
} // namespace

TEST_CASE("Core §6.5 a request to a sleeping queue-mode client is held and sent after its Update") {
    world w{16, queue_config()};
    client::client_config cfg = world::default_config();
    cfg.queue_mode = true;
    cfg.queue_awake_time = 20s;
    device& d = w.add_client("sleepy", cfg, 3600);
    w.register_all();
    CHECK(w.srv.engine->find("sleepy")->queue);
    // Awake right after registering: sent at once.
    CHECK(w.request("sleepy", request_spec::read(P("/3/0/0"))).records.at(0).text == "ACME");
    w.run_for(30s);
    REQUIRE(d.engine->sleeping());
    auto id = w.srv.engine->submit("sleepy", request_spec::read(P("/3311/0/5851")), w.now);
    REQUIRE(id.has_value());
    std::array<server::pending_request, 4> list{};
    REQUIRE(w.srv.engine->pending("sleepy", list) == 1);
    CHECK(list[0].held);
    CHECK(list[0].id == *id);
    CHECK(list[0].op == server::operation::read);
    CHECK(list[0].target == P("/3311/0/5851"));
    w.run_for(60s);
    CHECK(w.srv.rec.result_of(*id) == nullptr);  // still held: nothing was sent
    d.lamps.lights[0].dimmer = 9;
    d.engine->wake(w.now);  // Update
    const result_copy r = w.wait_result(*id, 10s);
    CHECK(r.code == coap::code::content);
    CHECK(r.records.at(0).number == 9);
    CHECK(w.srv.engine->pending("sleepy", list) == 0);
}

TEST_CASE("Core §6.5 held requests are bounded and fail with not_registered when the client de-registers") {
    world w{16, queue_config()};
    client::client_config cfg = world::default_config();
    cfg.queue_mode = true;
    cfg.queue_awake_time = 20s;
    device& d = w.add_client("q2", cfg, 3600);
    w.register_all();
    w.run_for(30s);
    std::vector<server::request_id> ids;
    for (std::size_t i = 0; i < limits::max_held; ++i) {
        auto id = w.srv.engine->submit("q2", request_spec::read(P("/3/0")), w.now);
        REQUIRE(id.has_value());
        ids.push_back(*id);
    }
    auto over = w.srv.engine->submit("q2", request_spec::read(P("/3/0")), w.now);
    REQUIRE(!over.has_value());
    CHECK(over.error().code == errc::held_queue_full);
    std::array<server::pending_request, 8> list{};
    CHECK(w.srv.engine->pending("q2", list) == limits::max_held);
    d.engine->deregister(w.now);
    w.run_for(2s);
    for (auto id : ids) {
        const result_copy* r = w.srv.rec.result_of(id);
        REQUIRE(r != nullptr);
        CHECK(r->failure == errc::not_registered);
        CHECK(r->endpoint == "q2");
    }
}

TEST_CASE("Core §6.5 held requests fail with not_registered when the registration expires") {
    server_box s{4, queue_config()};
    dgram d;
    d.query = {"ep=exp", "lwm2m=1.1", "lt=60", "Q"};
    d.payload = "</3/0>";
    REQUIRE(single_answer(s.feed(3, d.build(), time_point{})).code == coap::code::created);
    auto early = s.engine->submit("exp", request_spec::read(P("/3/0")), time_point{1s});
    REQUIRE(early.has_value());
    CHECK(s.drain().size() == 1);  // awake: sent
    auto id = s.engine->submit("exp", request_spec::read(P("/3/0")), time_point{30s});
    REQUIRE(id.has_value());
    CHECK(s.drain().empty());  // asleep: held
    s.engine->on_timeout(time_point{60s});
    const result_copy* r = s.rec.result_of(*id);
    REQUIRE(r != nullptr);
    CHECK(r->failure == errc::not_registered);
    CHECK(s.rec.events.back().kind == server::registration_event_kind::expired);
    // A queued request to a 1.0 "UQ" client is held the same way, and an Update releases it.
    dgram d10;
    d10.query = {"ep=old", "b=UQ"};
    d10.payload = "</3/0>";
    d10.mid = 2;
    const answer a = single_answer(s.feed(4, d10.build(), time_point{100s}));
    REQUIRE(a.code == coap::code::created);
    auto held = s.engine->submit("old", request_spec::read(P("/3/0")), time_point{200s});
    REQUIRE(held.has_value());
    CHECK(s.drain().empty());
    dgram up;
    up.path = "/rd/" + a.location[1];
    up.cf.reset();
    up.mid = 3;
    const auto out = s.feed(4, up.build(), time_point{201s});
    REQUIRE(out.size() == 2);  // the 2.04 and the held Read
    auto m0 = coap::parse(out[0]);
    auto m1 = coap::parse(out[1]);
    REQUIRE(m0.has_value());
    REQUIRE(m1.has_value());
    CHECK(m0->code() == coap::code::changed);
    CHECK(m1->code() == coap::code::get);
    CHECK(m1->accept() == std::optional<std::uint16_t>{11542});  // 1.0: TLV
}

TEST_CASE("Core §6.5 held requests go out in the order they were submitted, whichever request slots they took") {
    server_box s{4, queue_config()};
    // Fill most request slots with requests to an ordinary client, then let its De-register
    // free them all: the next requests take the last slots and wrap around to the first.
    dgram a;
    a.query = {"ep=busy", "lwm2m=1.1"};
    a.payload = "</3/0>";
    const answer reg_a = single_answer(s.feed(3, a.build(), time_point{}));
    REQUIRE(reg_a.code == coap::code::created);
    for (std::size_t i = 0; i + 3 < limits::max_requests; ++i)
        REQUIRE(s.engine->submit("busy", request_spec::read(P("/3/0")), time_point{}).has_value());
    (void)s.drain();
    dgram bye;
    bye.method = coap::code::delete_;
    bye.path = "/rd/" + reg_a.location[1];
    bye.cf.reset();
    bye.payload.clear();
    bye.mid = 2;
    REQUIRE(single_answer(s.feed(3, bye.build(), time_point{1s})).code == coap::code::deleted);

    dgram q;
    q.query = {"ep=sleepy", "lwm2m=1.1", "Q"};
    q.payload = "</3/0>";
    q.mid = 3;
    const answer reg_q = single_answer(s.feed(4, q.build(), time_point{2s}));
    REQUIRE(reg_q.code == coap::code::created);
    REQUIRE(limits::max_held >= 4);
    for (std::uint16_t r = 0; r < 4; ++r)  // asleep (20 s awake window): held
        REQUIRE(s.engine->submit("sleepy", request_spec::read(*path::make(3, 0, r)), time_point{30s}).has_value());
    CHECK(s.drain().empty());

    dgram up;
    up.path = "/rd/" + reg_q.location[1];
    up.cf.reset();
    up.payload.clear();
    up.mid = 4;
    auto out = s.feed(4, up.build(), time_point{31s});
    REQUIRE(out.size() == 2);  // the 2.04, then the first held Read (NSTART 1)
    for (std::uint16_t r = 0; r < 4; ++r) {
        REQUIRE(!out.empty());
        auto m = coap::parse(out.back());
        REQUIRE(m.has_value());
        REQUIRE(m->code() == coap::code::get);
        std::vector<std::string> segs;
        for (std::string_view seg : m->uri_path()) segs.emplace_back(seg);
        REQUIRE(segs.size() == 3);
        CHECK(segs[2] == std::to_string(r));
        // Answer it; the next held one follows.
        coap::message_builder<4> ack;
        ack.type(coap::message_type::acknowledgement).code(coap::code::content).message_id(m->message_id()).token(m->token());
        std::vector<std::byte> d(64);
        auto n = ack.serialize(mutable_bytes{d});
        REQUIRE(n.has_value());
        d.resize(*n);
        out = s.feed(4, d, time_point{32s});
    }
    CHECK(out.empty());
}

TEST_CASE("Transport §6 any message from a queue-mode client wakes it: a notification releases the held requests") {
    // Anjay Lite wakes to Notify (or Send) without an Update first, and a client stays awake
    // after each message it sends: the server must not keep its requests until the next Update.
    server_box s{4, queue_config()};
    dgram d;
    d.query = {"ep=notifier", "lwm2m=1.1", "Q"};
    d.payload = R"(</>;rt="oma.lwm2m";ct=110,</3311/0>)";
    REQUIRE(single_answer(s.feed(6, d.build(), time_point{})).code == coap::code::created);
    auto obs = s.engine->submit("notifier", request_spec::observe(P("/3311/0/5851")), time_point{1s});
    REQUIRE(obs.has_value());
    const auto sent = s.drain();
    REQUIRE(sent.size() == 1);
    auto req = coap::parse(sent[0]);
    REQUIRE(req.has_value());
    const std::vector<std::byte> token(req->token().begin(), req->token().end());
    const auto message = [&](coap::message_type t, std::uint16_t mid, std::uint32_t seq, std::string_view v) {
        coap::message_builder<8> b;
        b.type(t).code(coap::code::content).message_id(mid).token(token).observe(seq).content_format(0);
        b.payload(as_bytes(v));
        std::vector<std::byte> out(128);
        out.resize(b.serialize(mutable_bytes{out}).value());
        return out;
    };
    (void)s.feed(6, message(coap::message_type::acknowledgement, req->message_id(), 2, "50"), time_point{1s});
    REQUIRE(s.rec.result_of(*obs) != nullptr);
    CHECK(s.rec.result_of(*obs)->observing);
    // 20 s awake window: asleep at 40 s, the Read is held.
    auto held = s.engine->submit("notifier", request_spec::read(P("/3311/0/5850")), time_point{40s});
    REQUIRE(held.has_value());
    CHECK(s.drain().empty());
    // A NON notification at 100 s: the client is awake, the Read goes out with it.
    const auto out = s.feed(6, message(coap::message_type::non_confirmable, 700, 3, "51"), time_point{100s});
    REQUIRE(s.rec.notifications_of(*obs).size() == 1);
    REQUIRE(out.size() == 1);
    auto m = coap::parse(out[0]);
    REQUIRE(m.has_value());
    CHECK(m->code() == coap::code::get);
    std::array<server::pending_request, 2> list{};
    REQUIRE(s.engine->pending("notifier", list) == 1);
    CHECK(!list[0].held);
    // And it stays awake for the window after its last message: a request at 110 s goes out.
    auto later = s.engine->submit("notifier", request_spec::read(P("/3311/0/5851")), time_point{110s});
    REQUIRE(later.has_value());
    REQUIRE(s.engine->pending("notifier", list) == 2);
    CHECK(!list[0].held);
    CHECK(!list[1].held);
}

TEST_CASE("Transport §6 a request a queue-mode client does not answer (it slept early) is held again for its next Update, not failed") {
    // A Zephyr client with a short CONFIG_LWM2M_QUEUE_MODE_UPTIME sleeps before the awake
    // window the server assumes: "the server keeps the request for the next time the client
    // is online".
    server_box s{4, queue_config()};
    const answer a = register_in_queue_mode(s, "napper");
    auto id = s.engine->submit("napper", request_spec::read(P("/3/0/0")), time_point{1s});
    REQUIRE(id.has_value());
    CHECK(s.drain().size() == 1);  // awake as far as we know: sent, and never answered
    time_point t{1s};
    while (t < time_point{400s}) {
        t += 1s;
        s.rec.now = t;
        s.engine->on_timeout(t);
        (void)s.drain();  // retransmissions
    }
    CHECK(s.rec.result_of(*id) == nullptr);  // not failed
    std::array<server::pending_request, 2> list{};
    REQUIRE(s.engine->pending("napper", list) == 1);
    CHECK(list[0].held);
    CHECK(list[0].id == *id);
    // Its next Update: the Read goes out again, and its answer completes the request.
    dgram up;
    up.path = "/rd/" + a.location.at(1);
    up.cf.reset();
    up.mid = 2;
    const auto out = s.feed(7, up.build(), time_point{500s});
    REQUIRE(out.size() == 2);
    auto m = coap::parse(out[1]);
    REQUIRE(m.has_value());
    CHECK(m->code() == coap::code::get);
    coap::message_builder<8> b;
    b.type(coap::message_type::acknowledgement).code(coap::code::content).message_id(m->message_id()).token(m->token());
    b.content_format(0).payload(as_bytes(std::string_view{"ACME"}));
    std::vector<std::byte> ack(64);
    ack.resize(b.serialize(mutable_bytes{ack}).value());
    (void)s.feed(7, ack, time_point{501s});
    const result_copy* r = s.rec.result_of(*id);
    REQUIRE(r != nullptr);
    CHECK(!r->failure);
    CHECK(r->records.at(0).text == "ACME");
    // A client not in queue mode gets the timeout as before.
    dgram plain;
    plain.query = {"ep=plain", "lwm2m=1.1"};
    plain.payload = "</3/0>";
    plain.mid = 3;
    REQUIRE(single_answer(s.feed(8, plain.build(), time_point{502s})).code == coap::code::created);
    auto lost = s.engine->submit("plain", request_spec::read(P("/3/0/0")), time_point{502s});
    REQUIRE(lost.has_value());
    for (t = time_point{502s}; t < time_point{800s}; t += 1s) {
        s.rec.now = t;
        s.engine->on_timeout(t);
        (void)s.drain();
    }
    REQUIRE(s.rec.result_of(*lost) != nullptr);
    CHECK(s.rec.result_of(*lost)->failure == errc::timeout);
}

TEST_CASE("Transport §6 a request a queue-mode client never answers is held again three times, then fails with timeout") {
    // A client that is heard from (an Update every 100 s) but never answers one Read: without
    // a bound it would keep its request slot and get it again at every wake, the application
    // never hearing of it.
    server_box s{4, queue_config()};
    const answer a = register_in_queue_mode(s, "deaf");
    auto id = s.engine->submit("deaf", request_spec::read(P("/3/0/0")), time_point{1s});
    REQUIRE(id.has_value());
    std::set<std::uint16_t> sent;  // Message IDs of the Read's transmissions (retransmissions share one)
    const auto count = [&sent](const std::vector<std::vector<std::byte>>& out) {
        for (const auto& o : out)
            if (auto m = coap::parse(o); m && m->code() == coap::code::get) sent.insert(m->message_id());
    };
    count(s.drain());
    std::uint16_t mid = 2;
    for (time_point t{2s}; t < time_point{1000s} && s.rec.result_of(*id) == nullptr; t += 1s) {
        s.rec.now = t;
        if (t.time_since_epoch() % 100s == 0s) {
            dgram up;
            up.path = "/rd/" + a.location.at(1);
            up.cf.reset();
            up.mid = mid++;
            count(s.feed(7, up.build(), t));
        }
        s.engine->on_timeout(t);
        count(s.drain());
    }
    const result_copy* r = s.rec.result_of(*id);
    REQUIRE(r != nullptr);
    CHECK(r->failure == errc::timeout);
    CHECK(sent.size() == 4);  // sent, then held again and sent at three wakes
    std::array<server::pending_request, 2> list{};
    CHECK(s.engine->pending("deaf", list) == 0);  // its slot is free
}

TEST_CASE("Transport §6 an Execute a queue-mode client does not answer is not sent again: it fails with timeout") {
    // A timeout also ends a request the client acknowledged and then lost the answer of: a
    // POST sent again could act twice (RFC 7252 §5.1), so only idempotent requests are held again.
    server_box s{4, queue_config()};
    (void)register_in_queue_mode(s, "runner");
    auto id = s.engine->submit("runner", request_spec::execute(P("/3/0/4")), time_point{1s});
    REQUIRE(id.has_value());
    CHECK(s.drain().size() == 1);
    for (time_point t{2s}; t < time_point{400s}; t += 1s) {
        s.rec.now = t;
        s.engine->on_timeout(t);
        (void)s.drain();
    }
    const result_copy* r = s.rec.result_of(*id);
    REQUIRE(r != nullptr);
    CHECK(r->failure == errc::timeout);
    std::array<server::pending_request, 2> list{};
    CHECK(s.engine->pending("runner", list) == 0);
}
