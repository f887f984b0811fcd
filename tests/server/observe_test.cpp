// LwM2M 1.1 Core §6.4 Information Reporting through the server engine: Observe with
// pmin/pmax and gt/lt producing notifications from a real client, cancellation (passive and
// active), observations ending with the registration, RFC 7641 §3.4 freshness with hand-built
// notifications, Observe-Composite, and Send (POST /dp).
#include <doctest/doctest.h>

#include "server_world.hpp"

using namespace lwm2m;
using namespace lwm2m::test::server_tests;
using server::request_spec;

namespace {
format::record R(std::string_view p, value v) { return format::record{P(p), v, std::nullopt}; }

/** Sets light 0's colour to 1500 letters (a notification of several blocks), runs 2 s, returns it. */
/** A 1500-byte colour name (more than one block): the alphabet from `from` ('A' or 'a'), repeated. */
std::string long_colour(char from) {
    std::string colour;
    for (int i = 0; i < 1500; ++i) colour += static_cast<char>(from + i % 26);
    return colour;
}

std::string change_to_long_colour(world& w, device& d) {
    const std::string colour = long_colour('A');
    d.lamps.lights[0].colour = colour;
    d.engine->value_changed(P("/3311/0/5706"), w.now);
    w.run_for(2s);
    return colour;
}

/** Observes the colour of light 0 of `ep` in text; the first result, with its request id. */
std::pair<server::request_id, result_copy> observe_colour(world& w, std::string_view ep) {
    auto spec = request_spec::observe(P("/3311/0/5706"));
    spec.format = format::content_format::text;
    auto id = w.srv.engine->submit(ep, spec, w.now);
    REQUIRE(id.has_value());
    return {*id, w.wait_result(*id)};
}

void set_dimmer(world& w, std::string_view name, std::int64_t v) {
    device& d = w.dev(name);
    d.lamps.lights[0].dimmer = v;
    d.engine->value_changed(P("/3311/0/5851"), w.now);
}
} // namespace

TEST_CASE("RFC 7641 / Core §6.4.1 Observe: first result, then a decoded notification per change") {
    world w;
    w.add_client("obs");
    w.register_all();
    auto id = w.srv.engine->submit("obs", request_spec::observe(P("/3311/0/5851")), w.now);
    REQUIRE(id.has_value());
    const result_copy first = w.wait_result(*id);
    CHECK(first.observing);
    CHECK(first.code == coap::code::content);
    REQUIRE(first.records.size() == 1);
    CHECK(first.records[0].number == 50);
    CHECK(w.srv.engine->observation_count() == 1);
    w.run_for(1s);
    set_dimmer(w, "obs", 61);
    w.run_for(1s);
    auto ns = w.srv.rec.notifications_of(*id);
    REQUIRE(ns.size() == 1);
    CHECK(ns[0]->endpoint == "obs");
    CHECK(ns[0]->target == P("/3311/0/5851"));
    CHECK(!ns[0]->ended);
    REQUIRE(ns[0]->records.size() == 1);
    CHECK(ns[0]->records[0].number == 61);
    // A server Write triggers one too.
    const std::array<format::record, 1> v{R("/3311/0/5851", value::of_integer(62))};
    CHECK(w.request("obs", request_spec::write(P("/3311/0/5851"), v)).code == coap::code::changed);
    w.run_for(1s);
    ns = w.srv.rec.notifications_of(*id);
    REQUIRE(ns.size() == 2);
    CHECK(ns[1]->records.at(0).number == 62);
    CHECK(ns[1]->sequence > ns[0]->sequence);
}

TEST_CASE("Core §5.1.2 pmin delays and pmax forces notifications set through Write-Attributes") {
    world w;
    w.add_client("pm");
    w.register_all();
    notification_attributes a;
    a.pmin = 10;
    a.pmax = 30;
    REQUIRE(w.request("pm", request_spec::write_attributes(P("/3311/0/5851"), a)).code == coap::code::changed);
    auto id = w.srv.engine->submit("pm", request_spec::observe(P("/3311/0/5851")), w.now);
    REQUIRE(id.has_value());
    const time_point t0 = w.wait_result(*id).at;
    w.run_for(1s);
    set_dimmer(w, "pm", 70);
    w.run_for(15s);
    auto ns = w.srv.rec.notifications_of(*id);
    REQUIRE(ns.size() == 1);
    CHECK(ns[0]->records.at(0).number == 70);
    CHECK(ns[0]->at - t0 >= 10s);
    CHECK(ns[0]->at - t0 < 11s);
    w.run_for(40s);  // no change: pmax forces one 30 s later
    ns = w.srv.rec.notifications_of(*id);
    REQUIRE(ns.size() == 2);
    CHECK(ns[1]->at - ns[0]->at >= 30s);
    CHECK(ns[1]->at - ns[0]->at < 31s);
    CHECK(ns[1]->records.at(0).number == 70);
}

TEST_CASE("Core §5.1.2 gt/lt: only crossings of the thresholds notify") {
    world w;
    w.add_client("thr");
    w.register_all();
    notification_attributes a;
    a.gt = 70;
    a.lt = 30;
    REQUIRE(w.request("thr", request_spec::write_attributes(P("/3311/0/5851"), a)).code == coap::code::changed);
    auto id = w.srv.engine->submit("thr", request_spec::observe(P("/3311/0/5851")), w.now);
    REQUIRE(id.has_value());
    (void)w.wait_result(*id);
    w.run_for(1s);
    set_dimmer(w, "thr", 60);  // 50 -> 60: no crossing
    w.run_for(2s);
    CHECK(w.srv.rec.notifications_of(*id).empty());
    set_dimmer(w, "thr", 75);  // crosses gt
    w.run_for(2s);
    auto ns = w.srv.rec.notifications_of(*id);
    REQUIRE(ns.size() == 1);
    CHECK(ns[0]->records.at(0).number == 75);
    set_dimmer(w, "thr", 80);  // stays above: nothing
    w.run_for(2s);
    CHECK(w.srv.rec.notifications_of(*id).size() == 1);
    set_dimmer(w, "thr", 20);  // crosses both downwards
    w.run_for(2s);
    ns = w.srv.rec.notifications_of(*id);
    REQUIRE(ns.size() == 2);
    CHECK(ns[1]->records.at(0).number == 20);
}

TEST_CASE("RFC 7641 §3.6 cancel: passive (Reset to the next notification) and active (GET Observe=1)") {
    world w;
    device& d = w.add_client("cx");
    w.register_all();
    auto o1 = w.srv.engine->submit("cx", request_spec::observe(P("/3311/0/5851")), w.now);
    auto o2 = w.srv.engine->submit("cx", request_spec::observe(P("/3311/1/5850")), w.now);
    REQUIRE(o1.has_value());
    REQUIRE(o2.has_value());
    (void)w.wait_result(*o1);
    (void)w.wait_result(*o2);
    CHECK(d.engine->observation_count() == 2);
    // Passive.
    auto c1 = w.srv.engine->cancel_observation(*o1, server_engine::cancel_mode::passive, w.now);
    REQUIRE(c1.has_value());
    CHECK(*c1 == *o1);
    set_dimmer(w, "cx", 90);
    w.run_for(3s);
    CHECK(w.srv.rec.notifications_of(*o1).empty());
    CHECK(d.engine->observation_count() == 1);  // the client got a Reset and dropped it
    // Active.
    auto c2 = w.srv.engine->cancel_observation(*o2, server_engine::cancel_mode::active, w.now);
    REQUIRE(c2.has_value());
    CHECK(!(*c2 == *o2));
    const result_copy r = w.wait_result(*c2);
    CHECK(r.op == server::operation::cancel_observe);
    CHECK(r.code == coap::code::content);
    CHECK(d.engine->observation_count() == 0);
    CHECK(w.srv.engine->observation_count() == 0);
    CHECK(w.srv.engine->cancel_observation(*o2, server_engine::cancel_mode::passive, w.now).error().code == errc::not_found);
}

TEST_CASE("observations end with the registration (De-register): an ended notification, not_registered") {
    world w;
    device& d = w.add_client("bye");
    w.register_all();
    auto id = w.srv.engine->submit("bye", request_spec::observe(P("/3311/0/5851")), w.now);
    REQUIRE(id.has_value());
    (void)w.wait_result(*id);
    d.engine->deregister(w.now);
    w.run_for(2s);
    auto ns = w.srv.rec.notifications_of(*id);
    REQUIRE(ns.size() == 1);
    CHECK(ns[0]->ended);
    CHECK(ns[0]->failure == errc::not_registered);
    CHECK(ns[0]->endpoint == "bye");
    CHECK(w.srv.engine->observation_count() == 0);
    CHECK(w.srv.rec.events.back().kind == server::registration_event_kind::deregistered);
}

namespace {
/** Registers peer 5 as "raw" by hand and returns the server. */
void register_raw(server_box& s, std::string q = "lwm2m=1.1") {
    dgram d;
    d.query = {"ep=raw", q};
    d.payload = R"(</>;rt="oma.lwm2m";ct="110 112",</3311/0>)";
    REQUIRE(single_answer(s.feed(5, d.build(), time_point{})).code == coap::code::created);
}
/** Builds a response/notification datagram. */
std::vector<std::byte> response(coap::message_type t, std::uint16_t mid, bytes_view token, coap::code c,
                                std::optional<std::uint32_t> observe, std::string_view payload, std::uint16_t cf = 0) {
    coap::message_builder<8> b;
    b.type(t).code(c).message_id(mid).token(token);
    if (observe) b.observe(*observe);
    b.content_format(cf);
    b.payload(as_bytes(payload));
    std::vector<std::byte> out(512);
    auto n = b.serialize(mutable_bytes{out});
    REQUIRE(n.has_value());
    out.resize(*n);
    return out;
}
} // namespace

TEST_CASE("RFC 7641 §3.4 freshness: a notification older than the last one is dropped") {
    server_box s{4};
    register_raw(s);
    auto id = s.engine->submit("raw", request_spec::observe(P("/3311/0/5851")), time_point{});
    REQUIRE(id.has_value());
    auto out = s.drain();
    REQUIRE(out.size() == 1);
    auto req = coap::parse(out[0]);
    REQUIRE(req.has_value());
    CHECK(req->code() == coap::code::get);
    CHECK(req->observe() == std::optional<std::uint32_t>{0});
    CHECK(req->accept() == std::optional<std::uint16_t>{112});  // SenML CBOR announced
    const std::vector<std::byte> token(req->token().begin(), req->token().end());
    (void)s.feed(5, response(coap::message_type::acknowledgement, req->message_id(), token, coap::code::content, 10, "50"),
                 time_point{1s});
    REQUIRE(s.rec.result_of(*id) != nullptr);
    CHECK(s.rec.result_of(*id)->observing);
    CHECK(s.rec.result_of(*id)->records.at(0).number == 50);
    (void)s.feed(5, response(coap::message_type::non_confirmable, 900, token, coap::code::content, 12, "52"), time_point{2s});
    (void)s.feed(5, response(coap::message_type::non_confirmable, 901, token, coap::code::content, 11, "51"), time_point{3s});
    const auto acks = s.feed(5, response(coap::message_type::confirmable, 902, token, coap::code::content, 13, "53"), time_point{4s});
    REQUIRE(acks.size() == 1);  // the CON notification is acknowledged
    CHECK(coap::parse(acks[0])->type() == coap::message_type::acknowledgement);
    auto ns = s.rec.notifications_of(*id);
    REQUIRE(ns.size() == 2);
    CHECK(ns[0]->records.at(0).number == 52);
    CHECK(ns[1]->records.at(0).number == 53);
    CHECK(s.engine->stale_notifications() == 1);
    // After more than 128 s an older number counts as newer (§3.4, it may have wrapped).
    (void)s.feed(5, response(coap::message_type::non_confirmable, 903, token, coap::code::content, 5, "55"), time_point{200s});
    CHECK(s.rec.notifications_of(*id).size() == 3);
    // An error code ends the observation.
    (void)s.feed(5, response(coap::message_type::non_confirmable, 904, token, coap::code::not_found, std::nullopt, ""),
                 time_point{201s});
    ns = s.rec.notifications_of(*id);
    REQUIRE(ns.size() == 4);
    CHECK(ns[3]->ended);
    CHECK(ns[3]->code == coap::code::not_found);
    CHECK(s.engine->observation_count() == 0);
    // Further ones are answered with Reset.
    const auto rst = s.feed(5, response(coap::message_type::confirmable, 905, token, coap::code::content, 20, "1"), time_point{202s});
    REQUIRE(rst.size() == 1);
    CHECK(coap::parse(rst[0])->type() == coap::message_type::reset);
}

TEST_CASE("RFC 7641 §3.6 active cancel repeats the Observe's options: same token, path and Accept") {
    // Found against lwm2m-node-lib (tests/interop/node_lwm2m_test.cpp): an Observe asked for
    // text/plain was cancelled with Accept set to the client's default format (SenML CBOR here).
    server_box s{4};
    register_raw(s);
    request_spec spec = request_spec::observe(P("/3311/0/5851"));
    spec.format = format::content_format::text;
    auto id = s.engine->submit("raw", spec, time_point{});
    REQUIRE(id.has_value());
    auto out = s.drain();
    REQUIRE(out.size() == 1);
    auto req = coap::parse(out[0]);
    REQUIRE(req.has_value());
    CHECK(req->accept() == std::optional<std::uint16_t>{0});
    const std::vector<std::byte> token(req->token().begin(), req->token().end());
    (void)s.feed(5, response(coap::message_type::acknowledgement, req->message_id(), token, coap::code::content, 10, "50"),
                 time_point{1s});
    REQUIRE(s.rec.result_of(*id) != nullptr);
    REQUIRE(s.rec.result_of(*id)->observing);

    auto c = s.engine->cancel_observation(*id, server_engine::cancel_mode::active, time_point{2s});
    REQUIRE(c.has_value());
    out = s.drain();
    REQUIRE(out.size() == 1);
    auto cancel = coap::parse(out[0]);
    REQUIRE(cancel.has_value());
    CHECK(cancel->code() == coap::code::get);
    CHECK(cancel->observe() == std::optional<std::uint32_t>{1});
    CHECK(std::vector<std::byte>(cancel->token().begin(), cancel->token().end()) == token);
    CHECK(cancel->accept() == std::optional<std::uint16_t>{0});
    std::string uri;
    for (std::string_view seg : cancel->uri_path()) (uri += "/") += seg;
    CHECK(uri == "/3311/0/5851");
}

TEST_CASE("Core §6.4.1 Observe-Composite: FETCH with Observe=0 and a SenML path list; notifications decoded") {
    server_box s{4};
    register_raw(s);
    const std::array<path, 2> paths{P("/3311/0/5851"), P("/3/0/0")};
    auto id = s.engine->submit("raw", request_spec::observe_composite(paths), time_point{});
    REQUIRE(id.has_value());
    auto out = s.drain();
    REQUIRE(out.size() == 1);
    auto req = coap::parse(out[0]);
    REQUIRE(req.has_value());
    CHECK(req->code() == coap::code::fetch);
    CHECK(req->observe() == std::optional<std::uint32_t>{0});
    CHECK(req->content_format() == std::optional<std::uint16_t>{112});
    // The path list reads back.
    std::array<format::record, 4> back{};
    format::senml_cbor_reader rd{req->payload(), path{}, format::senml_cbor_reader::path_list_mode};
    std::size_t n = 0;
    for (;;) {
        auto x = rd.next();
        REQUIRE(x.has_value());
        if (!x->has_value()) break;
        back[n++] = **x;
    }
    REQUIRE(n == 2);
    CHECK(back[0].path == paths[0]);
    CHECK(back[1].path == paths[1]);
    const std::vector<std::byte> token(req->token().begin(), req->token().end());
    const std::string json = R"([{"bn":"/3311/0/","n":"5851","v":40},{"bn":"/3/0/","n":"0","vs":"ACME"}])";
    (void)s.feed(5, response(coap::message_type::acknowledgement, req->message_id(), token, coap::code::content, 2, json, 110),
                 time_point{1s});
    REQUIRE(s.rec.result_of(*id) != nullptr);
    CHECK(s.rec.result_of(*id)->observing);
    CHECK(s.rec.result_of(*id)->records.size() == 2);
    const std::string json2 = R"([{"bn":"/3311/0/","n":"5851","v":41}])";
    (void)s.feed(5, response(coap::message_type::non_confirmable, 700, token, coap::code::content, 3, json2, 110), time_point{2s});
    auto ns = s.rec.notifications_of(*id);
    REQUIRE(ns.size() == 1);
    CHECK(ns[0]->target.is_root());
    REQUIRE(ns[0]->records.size() == 1);
    CHECK(ns[0]->records[0].p == P("/3311/0/5851"));
    CHECK(ns[0]->records[0].number == 41);
}

TEST_CASE("Core §6.4.3 Send from a registered client: event with records, 2.04 to the client") {
    world w;
    client::client_config cfg = world::default_config();
    std::vector<client::client_event_kind> seen;
    cfg.event_context = &seen;
    cfg.on_event = [](void* c, const client::client_event& e) {
        static_cast<std::vector<client::client_event_kind>*>(c)->push_back(e.kind);
    };
    device& d = w.add_client("sender", cfg);
    w.register_all();
    d.lamps.lights[1].dimmer = 42;
    const std::array<path, 2> paths{P("/3311/1/5851"), P("/3/0/0")};
    REQUIRE(d.engine->send(1, paths, w.now).has_value());
    w.run_for(1s);
    REQUIRE(w.srv.rec.sends.size() == 1);
    const send_copy& s = w.srv.rec.sends[0];
    CHECK(s.endpoint == "sender");
    CHECK(s.cf == format::content_format::senml_cbor);
    REQUIRE(find_rec(s.records, "/3311/1/5851") != nullptr);
    CHECK(find_rec(s.records, "/3311/1/5851")->number == 42);
    CHECK(find_rec(s.records, "/3/0/0")->text == "ACME");
    CHECK(std::find(seen.begin(), seen.end(), client::client_event_kind::send_acknowledged) != seen.end());
    REQUIRE(d.engine->send(1, paths, w.now, format::content_format::senml_json).has_value());
    w.run_for(1s);
    REQUIRE(w.srv.rec.sends.size() == 2);
    CHECK(w.srv.rec.sends[1].cf == format::content_format::senml_json);
}

TEST_CASE("Core §6.4.3 Send refused: unknown peer 4.04, wrong format 4.15, undecodable 4.00") {
    server_box s{4};
    register_raw(s);
    dgram d;
    d.path = "/dp";
    d.cf = 110;
    d.payload = R"([{"n":"/3311/0/5851","v":3}])";
    const answer unknown = single_answer(s.feed(77, d.build(), time_point{}));
    CHECK(unknown.code == coap::code::not_found);
    CHECK(unknown.payload == "not registered");
    d.mid = 2;
    CHECK(single_answer(s.feed(5, d.build(), time_point{})).code == coap::code::changed);
    REQUIRE(s.rec.sends.size() == 1);
    CHECK(s.rec.sends[0].endpoint == "raw");
    CHECK(s.rec.sends[0].records.at(0).number == 3);
    d.mid = 3;
    d.cf = 0;
    CHECK(single_answer(s.feed(5, d.build(), time_point{})).code == coap::code::unsupported_content_format);
    d.mid = 4;
    d.cf = 110;
    d.payload = "[{";
    CHECK(single_answer(s.feed(5, d.build(), time_point{})).code == coap::code::bad_request);
    d.mid = 5;
    d.method = coap::code::get;
    CHECK(single_answer(s.feed(5, d.build(), time_point{})).code == coap::code::method_not_allowed);
    CHECK(s.rec.sends.size() == 1);
}

TEST_CASE("RFC 7641 §4.2 / Core §6.4.2 notifications are decoded in whatever format each one carries") {
    // A 1.0 client (Wakaama) may answer the Observe in TLV and notify in text, in OMA JSON under
    // its old number 1543 or 11543, or with no Content-Format at all (text).
    server_box s{4};
    register_raw(s, "lwm2m=1.0");
    auto id = s.engine->submit("raw", request_spec::observe(P("/3311/0/5851")), time_point{});
    REQUIRE(id.has_value());
    const auto out = s.drain();
    REQUIRE(out.size() == 1);
    auto req = coap::parse(out[0]);
    REQUIRE(req.has_value());
    CHECK(req->accept() == std::optional<std::uint16_t>{11542});
    const std::vector<std::byte> token(req->token().begin(), req->token().end());
    const std::array<char, 4> tlv{'\xE1', '\x16', '\xDB', '\x32'};  // /3311/0/5851 = 50
    (void)s.feed(5, response(coap::message_type::acknowledgement, req->message_id(), token, coap::code::content, 2,
                             std::string_view{tlv.data(), tlv.size()}, 11542),
                 time_point{1s});
    REQUIRE(s.rec.result_of(*id) != nullptr);
    CHECK(s.rec.result_of(*id)->records.at(0).number == 50);
    (void)s.feed(5, response(coap::message_type::non_confirmable, 800, token, coap::code::content, 3, "51", 0), time_point{2s});
    (void)s.feed(5, response(coap::message_type::non_confirmable, 801, token, coap::code::content, 4, R"({"e":[{"n":"","v":52}]})", 1543),
                 time_point{3s});
    (void)s.feed(5, response(coap::message_type::non_confirmable, 802, token, coap::code::content, 5,
                             R"({"bn":"/3311/0/5851","e":[{"v":53}]})", 11543),
                 time_point{4s});
    coap::message_builder<8> bare;  // no Content-Format: text (RFC 7252 §5.10.3 leaves it to the application)
    bare.type(coap::message_type::non_confirmable).code(coap::code::content).message_id(803).token(token).observe(6);
    bare.payload(as_bytes(std::string_view{"54"}));
    std::vector<std::byte> d(64);
    d.resize(bare.serialize(mutable_bytes{d}).value());
    (void)s.feed(5, d, time_point{5s});
    const auto ns = s.rec.notifications_of(*id);
    REQUIRE(ns.size() == 4);
    for (std::size_t i = 0; i < ns.size(); ++i) {
        CAPTURE(i);
        REQUIRE(ns[i]->records.size() == 1);
        CHECK(ns[i]->records[0].number == static_cast<double>(51 + i));
    }
}

TEST_CASE("Core §6.4.3 Send as the clients write it: LwM2M CBOR (1.2), SenML time series, names under bn \"/\"") {
    server_box s{4};
    dgram r;
    r.query = {"ep=sender", "lwm2m=1.2"};
    r.payload = R"(</>;rt="oma.lwm2m";ct="110 112 11544",</3/0>,</3311/0>)";
    REQUIRE(single_answer(s.feed(5, r.build(), time_point{})).code == coap::code::created);
    struct send_case {
        std::uint16_t cf;
        std::vector<std::byte> payload;
        std::size_t records;
    };
    // {3311: {0: {5851: 3, 5850: true}}}
    const std::vector<std::byte> lwm2m_cbor{std::byte{0xA1}, std::byte{0x19}, std::byte{0x0C}, std::byte{0xEF}, std::byte{0xA1},
                                            std::byte{0x00}, std::byte{0xA2}, std::byte{0x19}, std::byte{0x16}, std::byte{0xDB},
                                            std::byte{0x03}, std::byte{0x19}, std::byte{0x16}, std::byte{0xDA}, std::byte{0xF5}};
    const std::vector<send_case> cases = {
        {11544, lwm2m_cbor, 2},
        {110, bytes_of(R"([{"bn":"/3311/0/5851","bt":1700000000,"v":3},{"t":10,"v":4},{"t":20,"v":5}])"), 3},
        {110, bytes_of(R"([{"bn":"/","n":"3/0/0","vs":"ACME"},{"n":"3311/0/5851","v":3}])"), 2},
    };
    std::uint16_t mid = 10;
    for (const send_case& c : cases) {
        CAPTURE(c.cf);
        dgram d;
        d.path = "/dp";
        d.cf = c.cf;
        d.mid = mid++;
        d.payload.assign(reinterpret_cast<const char*>(c.payload.data()), c.payload.size());
        CHECK(single_answer(s.feed(5, d.build(), time_point{})).code == coap::code::changed);
        REQUIRE(!s.rec.sends.empty());
        CHECK(s.rec.sends.back().cf == static_cast<format::content_format>(c.cf));
        CHECK(s.rec.sends.back().records.size() == c.records);
    }
    CHECK(s.rec.sends.size() == cases.size());
    CHECK(find_rec(s.rec.sends[0].records, "/3311/0/5850")->boolean);
    CHECK(s.rec.sends[1].records.at(2).number == 5);
}

TEST_CASE("RFC 7959 §3.4 a notification larger than one block: the server fetches the rest with GETs and delivers it whole") {
    world w;
    device& d = w.add_client("bigobs");
    w.register_all();
    const auto [id, first] = observe_colour(w, "bigobs");
    CHECK(first.observing);
    CHECK(first.payload == "white");
    const std::string colour = change_to_long_colour(w, d);
    auto ns = w.srv.rec.notifications_of(id);
    REQUIRE(ns.size() == 1);
    CHECK(!ns[0]->failure);
    CHECK(!ns[0]->ended);
    REQUIRE(ns[0]->records.size() == 1);
    CHECK(ns[0]->records[0].text == colour);
    // A short value again: one block, delivered as it comes; the observation goes on.
    d.lamps.lights[0].colour = "red";
    d.engine->value_changed(P("/3311/0/5706"), w.now);
    w.run_for(2s);
    ns = w.srv.rec.notifications_of(id);
    REQUIRE(ns.size() == 2);
    REQUIRE(ns[1]->records.size() == 1);
    CHECK(ns[1]->records[0].text == "red");
    CHECK(ns[1]->sequence > ns[0]->sequence);
    CHECK(w.srv.engine->observation_count() == 1);
}

TEST_CASE("RFC 7959 §2.4 a value changing between the blocks of a notification: the new body is fetched whole, never spliced") {
    world w;
    device& d = w.add_client("splice");
    w.register_all();
    const auto [id, first_result] = observe_colour(w, "splice");
    CHECK(first_result.observing);
    const std::string first = long_colour('A');
    const std::string second = long_colour('a');
    d.lamps.lights[0].colour = first;
    d.engine->value_changed(P("/3311/0/5706"), w.now);
    // The first block is on its way (10 ms each way): the value changes before the GET for
    // the next block reaches the client, which renders the new representation.
    w.run_for(5ms);
    d.lamps.lights[0].colour = second;
    w.run_for(2s);
    // Block 1 came with another ETag: the server fetched the new body from block 0.
    auto changed = w.srv.rec.notifications_of(id);
    REQUIRE(changed.size() == 1);
    CHECK(!changed[0]->failure);
    REQUIRE(changed[0]->records.size() == 1);
    CHECK(changed[0]->records[0].text == second);
    // The next change is delivered whole again.
    d.lamps.lights[0].colour = first;
    d.engine->value_changed(P("/3311/0/5706"), w.now);
    w.run_for(2s);
    const auto ns = w.srv.rec.notifications_of(id);
    REQUIRE(!ns.empty());
    REQUIRE(!ns.back()->failure);
    REQUIRE(ns.back()->records.size() == 1);
    CHECK(ns.back()->records[0].text == first);
}

TEST_CASE("RFC 7959 §3.4 / RFC 8132 §2 an Observe-Composite notification larger than one block: completed with FETCHes of the same path list") {
    world w;
    device& d = w.add_client("bigcomp");
    w.register_all();
    const std::array<path, 2> paths{P("/3311/0/5706"), P("/3311/0/5851")};
    auto id = w.srv.engine->submit("bigcomp", request_spec::observe_composite(paths), w.now);
    REQUIRE(id.has_value());
    const result_copy first = w.wait_result(*id);
    CHECK(first.observing);
    REQUIRE(first.records.size() == 2);
    const std::string colour = change_to_long_colour(w, d);
    auto ns = w.srv.rec.notifications_of(*id);
    REQUIRE(ns.size() == 1);
    CHECK(!ns[0]->failure);
    CHECK(!ns[0]->ended);
    CHECK(ns[0]->target.is_root());
    REQUIRE(ns[0]->records.size() == 2);
    CHECK(ns[0]->records[0].p == P("/3311/0/5706"));
    CHECK(ns[0]->records[0].text == colour);
    CHECK(ns[0]->records[1].p == P("/3311/0/5851"));
    CHECK(w.srv.engine->observation_count() == 1);
    // A one-block notification afterwards is delivered as it comes.
    d.lamps.lights[0].colour = "red";
    d.engine->value_changed(P("/3311/0/5706"), w.now);
    w.run_for(2s);
    ns = w.srv.rec.notifications_of(*id);
    REQUIRE(ns.size() == 2);
    REQUIRE(ns[1]->records.size() == 2);
    CHECK(ns[1]->records[0].text == "red");
}
