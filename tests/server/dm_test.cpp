// LwM2M 1.1 Core §6.3 Device Management through the server engine, against real client
// engines in-process: every operation with its decoded result, per-client default formats,
// the group helper over 120 clients, failures (timeout, not registered, de-registered meanwhile).
#include <doctest/doctest.h>

#include "server_world.hpp"

using namespace lwm2m;
using namespace lwm2m::test::server_tests;
using server::request_spec;

namespace {
format::record R(std::string_view p, value v) { return format::record{P(p), v, std::nullopt}; }

std::vector<std::byte> hex_bytes(std::string_view h) {
    std::vector<std::byte> v;
    for (std::size_t i = 0; i + 1 < h.size(); i += 2)
        v.push_back(static_cast<std::byte>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
    return v;
}
/** A response (ACK or CON) with `token`, a Content-Format and a payload. */
std::vector<std::byte> response_to(coap::message_type t, std::uint16_t mid, bytes_view token, std::uint16_t cf,
                                   bytes_view payload) {
    coap::message_builder<8> b;
    b.type(t).code(coap::code::content).message_id(mid).token(token).content_format(cf).payload(payload);
    std::vector<std::byte> out(512);
    out.resize(b.serialize(mutable_bytes{out}).value());
    return out;
}
/** Submits a Read of `target` to `ep`, answers it with `payload` in `cf`; the result. */
const result_copy* read_answered(server_box& s, std::string_view ep, std::string_view target, std::uint16_t cf,
                                 std::string_view payload) {
    auto id = s.engine->submit(ep, request_spec::read(P(target)), time_point{});
    REQUIRE(id.has_value());
    const auto out = s.drain();
    REQUIRE(out.size() == 1);
    auto req = coap::parse(out[0]);
    REQUIRE(req.has_value());
    (void)s.feed(5, response_to(coap::message_type::acknowledgement, req->message_id(), req->token(), cf, bytes_of(payload)),
                 time_point{});
    return s.rec.result_of(*id);
}
} // namespace

TEST_CASE("Core §6.3.1 a Read answered in the format the client chose, not the Accept, is decoded (each client's shape)") {
    // Clients answer in what they have: Wakaama 1.0 in OMA JSON or TLV, Zephyr single values in
    // text, 1.2 clients in LwM2M CBOR, the single-value CBOR of 1.1, opaque for opaque resources.
    server_box s{4};
    dgram d;
    d.query = {"ep=any", "lwm2m=1.2"};
    d.payload = R"(</>;rt="oma.lwm2m";ct="60 110 112 11542 11543 11544",</3/0>,</5/0>,</3311/0>)";
    REQUIRE(single_answer(s.feed(5, d.build(), time_point{})).code == coap::code::created);
    struct answer_case {
        std::string path;
        std::uint16_t cf;
        std::vector<std::byte> payload;
        std::size_t records;
    };
    const std::vector<answer_case> cases = {
        {"/3/0", 11543, bytes_of(R"({"bn":"/3/0/","e":[{"n":"0","sv":"OMA"},{"n":"6/0","v":1},{"n":"6/1","v":5},{"n":"13","v":1367491215}]})"), 4},
        {"/3/0/0", 1543, bytes_of(R"({"e":[{"n":"","sv":"OMA"}]})"), 1},  // the pre-1.0 number
        {"/3/0", 110, bytes_of(R"([{"bn":"/3/0/","n":"0","vs":"OMA"},{"n":"6/0","v":1},{"n":"13","v":1367491215}])"), 3},
        {"/3", 110, bytes_of(R"([{"bn":"/3/","n":"0/0","vs":"OMA"},{"n":"0/9","v":87}])"), 2},
        {"/3/0/9", 0, bytes_of("87"), 1},
        {"/3311/0/5850", 0, bytes_of("1"), 1},
        {"/3311/0/5851", 60, hex_bytes("1832"), 1},
        {"/5/0/0", 42, hex_bytes("0102030405"), 1},
        {"/3/0/0", 11542, hex_bytes("C800034F4D41"), 1},
        {"/3/0", 11544, hex_bytes("A103A100A200634F4D41091857"), 2},  // {3: {0: {0: "OMA", 9: 87}}}
        {"/3/0", 112, hex_bytes("82A321652F332F302F00613003634F4D41A2006139021857"), 2},
    };
    for (const answer_case& c : cases) {
        CAPTURE(c.path);
        CAPTURE(c.cf);
        auto id = s.engine->submit("any", request_spec::read(P(c.path)), time_point{});
        REQUIRE(id.has_value());
        const auto out = s.drain();
        REQUIRE(out.size() == 1);
        auto req = coap::parse(out[0]);
        REQUIRE(req.has_value());
        CHECK(req->accept() == std::optional<std::uint16_t>{11544});  // 1.2 with LwM2M CBOR announced
        (void)s.feed(5, response_to(coap::message_type::acknowledgement, req->message_id(), req->token(), c.cf, c.payload),
                     time_point{});
        const result_copy* r = s.rec.result_of(*id);
        REQUIRE(r != nullptr);
        CHECK(!r->failure);
        CHECK(!r->decode_error);
        CHECK(r->records.size() == c.records);
        CHECK(r->cf == std::optional<format::content_format>{static_cast<format::content_format>(c.cf)});
    }
    // A separate response (RFC 7252 §5.2.2: an empty ACK, then the answer in a CON) is taken and acknowledged.
    auto id = s.engine->submit("any", request_spec::read(P("/3/0/9")), time_point{});
    REQUIRE(id.has_value());
    const auto out = s.drain();
    REQUIRE(out.size() == 1);
    auto req = coap::parse(out[0]);
    REQUIRE(req.has_value());
    coap::message_builder<2> empty;
    empty.type(coap::message_type::acknowledgement).code(coap::code::empty).message_id(req->message_id());
    std::vector<std::byte> ack(8);
    ack.resize(empty.serialize(mutable_bytes{ack}).value());
    CHECK(s.feed(5, ack, time_point{}).empty());
    CHECK(s.rec.result_of(*id) == nullptr);
    const auto acked = s.feed(5, response_to(coap::message_type::confirmable, 4000, req->token(), 0, as_bytes(std::string_view{"87"})),
                              time_point{1s});
    REQUIRE(acked.size() == 1);
    CHECK(coap::parse(acked[0])->type() == coap::message_type::acknowledgement);
    REQUIRE(s.rec.result_of(*id) != nullptr);
    CHECK(s.rec.result_of(*id)->records.at(0).number == 87);
}

// LwM2M 1.0 Wakaama answers a Read of a single resource /O/I/R in OMA JSON naming the value
// /O/I/R/0 ("bn":"/3/0/0/","n":"0"), where 1.0 §6.4.4 names it /O/I/R. Taken as /O/I/R for a
// Read of a single-instance resource (the schema says so) when it is the one record; anything
// else keeps the schema's invalid_nesting.
TEST_CASE("1.0 §6.4.4 a Read of /O/I/R answered in OMA JSON as /O/I/R/0 (Wakaama) is the value of /O/I/R, narrowly") {
    server_box s{4};
    dgram d;
    d.query = {"ep=waka", "lt=300"};
    d.payload = R"(</>;rt="oma.lwm2m";ct=11543,</3/0>,</31024/10>)";
    REQUIRE(single_answer(s.feed(5, d.build(), time_point{})).code == coap::code::created);
    struct answer_case {
        std::string path;
        std::uint16_t cf;
        std::string payload;
        std::optional<errc> decode_error;  // else one record at `path`
    };
    const std::vector<answer_case> cases = {
        {"/3/0/0", 11543, R"({"bn":"/3/0/0/","e":[{"n":"0","sv":"Open Mobile Alliance"}]})", std::nullopt},
        {"/3/0/9", 11543, R"({"bn":"/3/0/9/0","e":[{"v":87}]})", std::nullopt},  // named by "bn"; typed: Integer
        {"/3/0/13", 11543, R"({"bn":"/3/0/13/","e":[{"n":"0","v":1367491215}]})", std::nullopt},  // Time
        {"/3/0/0", 11543, R"({"bn":"/3/0/0/","e":[{"n":"0","sv":"A"},{"n":"0","sv":"B"}]})", errc::invalid_nesting},
        {"/3/0/0", 11543, R"({"bn":"/3/0/0/","e":[{"n":"1","sv":"A"}]})", errc::invalid_nesting},
        {"/3/0/0", 11543, R"({"bn":"/3/0/1/","e":[{"n":"0","sv":"A"}]})", errc::invalid_nesting},  // another resource
        {"/3/0/0", 11543, R"({"bn":"/3/0/0/","e":[{"n":"0","v":5}]})", errc::invalid_nesting},  // a String as a number: no quirk
        {"/3/0", 11543, R"({"bn":"/3/0/","e":[{"n":"0/0","sv":"A"}]})", errc::invalid_nesting},  // not a Read of /O/I/R
        {"/3/0/0", 110, R"([{"bn":"/3/0/0/","n":"0","vs":"A"}])", errc::invalid_nesting},        // not OMA JSON
    };
    for (const answer_case& c : cases) {
        CAPTURE(c.path);
        CAPTURE(c.payload);
        const result_copy* r = read_answered(s, "waka", c.path, c.cf, c.payload);
        REQUIRE(r != nullptr);
        CHECK(!r->failure);
        if (c.decode_error) {
            REQUIRE(r->decode_error);
            CHECK(r->decode_error->code == *c.decode_error);
            continue;
        }
        CHECK(!r->decode_error);
        REQUIRE(r->records.size() == 1);
        CHECK(r->records[0].p == P(c.path));
        if (c.path == "/3/0/0") CHECK(r->records[0].text == "Open Mobile Alliance");
        if (c.path == "/3/0/9") CHECK((r->records[0].kind == value_kind::integer && r->records[0].number == 87));
        if (c.path == "/3/0/13") CHECK((r->records[0].kind == value_kind::time && r->records[0].number == 1367491215));
    }
    // A multiple resource's instance 0 is what it says.
    const result_copy* r = read_answered(s, "waka", "/3/0/6", 11543, R"({"bn":"/3/0/6/","e":[{"n":"0","v":1}]})");
    REQUIRE(r != nullptr);
    CHECK(!r->decode_error);
    REQUIRE(r->records.size() == 1);
    CHECK(r->records[0].p == P("/3/0/6/0"));
}

TEST_CASE("1.0 §6.4.4 an Observe of /O/I/R answered and notified in OMA JSON as /O/I/R/0 (Wakaama) carries the value of /O/I/R") {
    server_box s{4};
    dgram d;
    d.query = {"ep=waka", "lt=300"};
    d.payload = R"(</>;rt="oma.lwm2m";ct=11543,</3/0>)";
    REQUIRE(single_answer(s.feed(5, d.build(), time_point{})).code == coap::code::created);
    auto spec = request_spec::observe(P("/3/0/9"));
    spec.format = format::content_format::oma_json;
    auto id = s.engine->submit("waka", spec, time_point{});
    REQUIRE(id.has_value());
    const auto out = s.drain();
    REQUIRE(out.size() == 1);
    auto req = coap::parse(out[0]);
    REQUIRE(req.has_value());
    const std::vector<std::byte> token(req->token().begin(), req->token().end());
    const auto answer = [&](coap::message_type t, std::uint16_t mid, std::uint32_t seq, std::string_view body) {
        coap::message_builder<8> b;
        b.type(t).code(coap::code::content).message_id(mid).token(bytes_view{token}).observe(seq).content_format(11543);
        const std::vector<std::byte> payload = bytes_of(body);  // the builder views it
        b.payload(bytes_view{payload});
        std::vector<std::byte> dgram(512);
        dgram.resize(b.serialize(mutable_bytes{dgram}).value());
        return dgram;
    };
    (void)s.feed(5, answer(coap::message_type::acknowledgement, req->message_id(), 1, R"({"bn":"/3/0/9/","e":[{"n":"0","v":87}]})"),
                 time_point{});
    const result_copy* r = s.rec.result_of(*id);
    REQUIRE(r != nullptr);
    CHECK(r->observing);
    CHECK(!r->decode_error);
    REQUIRE(r->records.size() == 1);
    CHECK(r->records[0].p == P("/3/0/9"));
    CHECK(r->records[0].number == 87);
    (void)s.feed(5, answer(coap::message_type::confirmable, 0x7001, 2, R"({"bn":"/3/0/9/","e":[{"n":"0","v":86}]})"),
                 time_point{} + 1s);
    auto ns = s.rec.notifications_of(*id);
    REQUIRE(ns.size() == 1);
    REQUIRE(ns[0]->records.size() == 1);
    CHECK(ns[0]->records[0].p == P("/3/0/9"));
    CHECK(ns[0]->records[0].number == 86);
}

TEST_CASE("Core §6.3.1 Read against a 1.1 client: SenML CBOR by default, values decoded with the schema") {
    world w;
    w.add_client("lamp-1");
    w.register_all();
    auto reg = w.srv.engine->find("lamp-1");
    REQUIRE(reg.has_value());
    CHECK(reg->version == server::lwm2m_version::v1_1);
    CHECK(reg->formats.has(format::content_format::senml_cbor));
    const result_copy r = w.request("lamp-1", request_spec::read(P("/3311/0")));
    CHECK(!r.failure);
    CHECK(r.code == coap::code::content);
    CHECK(r.endpoint == "lamp-1");
    CHECK(r.cf == format::content_format::senml_cbor);
    CHECK(!r.decode_error);
    const rec* dim = find_rec(r.records, "/3311/0/5851");
    REQUIRE(dim != nullptr);
    CHECK(dim->kind == value_kind::integer);
    CHECK(dim->number == 50);
    const rec* on = find_rec(r.records, "/3311/0/5850");
    REQUIRE(on != nullptr);
    CHECK(on->kind == value_kind::boolean);
    CHECK(on->boolean == false);
    const rec* colour = find_rec(r.records, "/3311/0/5706");
    REQUIRE(colour != nullptr);
    CHECK(colour->text == "white");
    // Device object: strings.
    const result_copy d = w.request("lamp-1", request_spec::read(P("/3/0/0")));
    REQUIRE(d.records.size() == 1);
    CHECK(d.records[0].text == "ACME");
    // Missing instance: the client's 4.04 comes back as the code.
    const result_copy nf = w.request("lamp-1", request_spec::read(P("/3311/9")));
    CHECK(!nf.failure);
    CHECK(nf.code == coap::code::not_found);
    CHECK(nf.records.empty());
}

TEST_CASE("Core §6.3 default format of a 1.0 client is TLV; a request may override the format") {
    world w;
    w.add_client("old", world::default_config("1.0"));
    w.register_all();
    CHECK(w.srv.engine->find("old")->version == server::lwm2m_version::v1_0);
    const result_copy r = w.request("old", request_spec::read(P("/3311/1")));
    CHECK(r.code == coap::code::content);
    CHECK(r.cf == format::content_format::tlv);
    const rec* dim = find_rec(r.records, "/3311/1/5851");
    REQUIRE(dim != nullptr);
    CHECK(dim->kind == value_kind::integer);  // TLV typed through the schema
    CHECK(dim->number == 50);
    request_spec json = request_spec::read(P("/3311/1"));
    json.format = format::content_format::senml_json;
    const result_copy j = w.request("old", json);
    CHECK(j.cf == format::content_format::senml_json);
    CHECK(j.payload.find("5851") != std::string::npos);
    CHECK(find_rec(j.records, "/3311/1/5851") != nullptr);
}

TEST_CASE("Core §6.3.2 Discover returns the link-format text") {
    world w;
    w.add_client("disc");
    w.register_all();
    const result_copy r = w.request("disc", request_spec::discover(P("/3311/0")));
    CHECK(r.code == coap::code::content);
    CHECK(r.cf == format::content_format::link_format);
    CHECK(r.payload.find("</3311/0/5851>") != std::string::npos);
    CHECK(r.records.empty());
}

TEST_CASE("Core §6.3.3 Write replace and partial update change the client's values") {
    world w;
    device& d = w.add_client("wr");
    w.register_all();
    const std::array<format::record, 1> one{R("/3311/0/5851", value::of_integer(77))};
    const result_copy r1 = w.request("wr", request_spec::write(P("/3311/0/5851"), one));
    CHECK(r1.code == coap::code::changed);
    CHECK(d.lamps.lights[0].dimmer == 77);
    const std::array<format::record, 2> two{R("/3311/1/5850", value::of_boolean(true)), R("/3311/1/5851", value::of_integer(5))};
    const result_copy r2 = w.request("wr", request_spec::write(P("/3311/1"), two, false));
    CHECK(r2.op == server::operation::write_partial);
    CHECK(r2.code == coap::code::changed);
    CHECK(d.lamps.lights[1].on);
    CHECK(d.lamps.lights[1].dimmer == 5);
    CHECK(d.lamps.lights[1].colour == "white");  // untouched by a partial update
    // Read-only resource: 4.05 from the client.
    const std::array<format::record, 1> ro{R("/3/0/0", value::of_string("x"))};
    CHECK(w.request("wr", request_spec::write(P("/3/0/0"), ro)).code == coap::code::method_not_allowed);
    // Argument checks are synchronous.
    CHECK(w.srv.engine->submit("wr", request_spec::write(P("/3311"), one), w.now).error().code == errc::invalid_argument);
    CHECK(w.srv.engine->submit("wr", request_spec::execute(P("/3/0")), w.now).error().code == errc::invalid_argument);
    CHECK(w.srv.engine->submit("wr", request_spec::create(P("/3311/0"), one), w.now).error().code == errc::invalid_argument);
}

TEST_CASE("Core §6.3.4 Write-Attributes sends pmin/pmax/gt/lt/st as queries; the client stores them") {
    world w;
    w.add_client("wa");
    w.register_all();
    notification_attributes a;
    a.pmin = 10;
    a.pmax = 60;
    a.gt = 80.5;
    a.lt = 20;
    const result_copy r = w.request("wa", request_spec::write_attributes(P("/3311/0/5851"), a));
    CHECK(r.code == coap::code::changed);
    const result_copy disc = w.request("wa", request_spec::discover(P("/3311/0/5851")));
    CHECK(disc.payload.find("pmin=10") != std::string::npos);
    CHECK(disc.payload.find("pmax=60") != std::string::npos);
    CHECK(disc.payload.find("gt=80.5") != std::string::npos);
    CHECK(disc.payload.find("lt=20") != std::string::npos);
    // Removal ("?pmax" without value).
    const result_copy rm = w.request(
        "wa", request_spec::write_attributes(P("/3311/0/5851"), {}, 1u << static_cast<unsigned>(attribute_name::pmax)));
    CHECK(rm.code == coap::code::changed);
    const result_copy disc2 = w.request("wa", request_spec::discover(P("/3311/0/5851")));
    CHECK(disc2.payload.find("pmax") == std::string::npos);
    CHECK(disc2.payload.find("pmin=10") != std::string::npos);
    // Inconsistent set (lt >= gt): the client refuses.
    notification_attributes bad;
    bad.gt = 1;
    bad.lt = 5;
    CHECK(w.request("wa", request_spec::write_attributes(P("/3311/0/5851"), bad)).code == coap::code::bad_request);
}

TEST_CASE("Core §6.3.5 Execute runs the client's hook") {
    world w;
    device& d = w.add_client("ex");
    w.register_all();
    const result_copy r = w.request("ex", request_spec::execute(P("/3/0/4"), "0='now'"));
    CHECK(r.code == coap::code::changed);
    w.run_for(1s);
    CHECK(d.reboots == 1);
    CHECK(w.request("ex", request_spec::execute(P("/3/0/0"))).code == coap::code::method_not_allowed);
}

TEST_CASE("Core §6.3.6 Create reports the new instance from the Location-Path; §6.3.7 Delete removes it") {
    world w;
    device& d = w.add_client("cr");
    w.register_all();
    const std::array<format::record, 2> vals{R("/3311/7/5850", value::of_boolean(true)), R("/3311/7/5851", value::of_integer(33))};
    const result_copy r = w.request("cr", request_spec::create(P("/3311"), vals));
    CHECK(r.code == coap::code::created);
    REQUIRE(r.location.has_value());
    CHECK(*r.location == P("/3311/7"));
    REQUIRE(d.lamps.find(7) != nullptr);
    CHECK(d.lamps.find(7)->dimmer == 33);
    // The client updates its registration with the new instance.
    w.run_for(2s);
    bool listed = false;
    const auto view = w.srv.engine->find("cr");
    REQUIRE(view.has_value());
    for (const auto& l : view->links) listed = listed || (l.object_id == 3311 && l.instance_id == 7);
    CHECK(listed);
    const result_copy del = w.request("cr", request_spec::remove(P("/3311/7")));
    CHECK(del.op == server::operation::remove);
    CHECK(del.code == coap::code::deleted);
    CHECK(d.lamps.find(7) == nullptr);
    CHECK(w.request("cr", request_spec::remove(P("/3311/7"))).code == coap::code::not_found);
}

TEST_CASE("Core §6.3.8/§6.3.9 Read-Composite (FETCH) and Write-Composite (iPATCH)") {
    world w;
    device& d = w.add_client("comp");
    w.register_all();
    const std::array<path, 3> paths{P("/3311/0/5851"), P("/3311/1/5850"), P("/3/0/1")};
    const result_copy r = w.request("comp", request_spec::read_composite(paths));
    CHECK(r.code == coap::code::content);
    CHECK(r.cf == format::content_format::senml_cbor);
    REQUIRE(r.records.size() == 3);
    CHECK(find_rec(r.records, "/3311/0/5851")->number == 50);
    CHECK(find_rec(r.records, "/3/0/1")->text == "Lamp");
    const std::array<format::record, 2> vals{R("/3311/0/5851", value::of_integer(11)), R("/3311/1/5706", value::of_string("red"))};
    const result_copy wc = w.request("comp", request_spec::write_composite(vals));
    CHECK(wc.code == coap::code::changed);
    CHECK(d.lamps.lights[0].dimmer == 11);
    CHECK(d.lamps.lights[1].colour == "red");
    // SenML JSON on request.
    request_spec js = request_spec::read_composite(paths);
    js.format = format::content_format::senml_json;
    const result_copy rj = w.request("comp", js);
    CHECK(rj.cf == format::content_format::senml_json);
    CHECK(find_rec(rj.records, "/3311/0/5851")->number == 11);
}

TEST_CASE("group helper: the same Read to 120 clients, each result tagged with its endpoint") {
    world w{200};
    std::vector<std::string> names;
    for (int i = 0; i < 120; ++i) {
        names.push_back("grp-" + std::to_string(i));
        device& d = w.add_client(names.back());
        d.lamps.lights[0].dimmer = i % 100;  // the schema's range is 0..100
    }
    w.register_all();
    CHECK(w.srv.engine->registration_count() == 120);
    std::vector<std::string_view> views(names.begin(), names.end());
    views.push_back("nobody");
    std::vector<result<server::request_id>> ids(views.size(), fail(errc::invalid_argument));
    const std::size_t issued = w.srv.engine->submit_group(views, request_spec::read(P("/3311/0/5851")), w.now, ids);
    CHECK(issued == 120);
    CHECK(!ids.back().has_value());
    CHECK(ids.back().error().code == errc::not_registered);
    w.run_for(10s);
    int matched = 0;
    for (std::size_t i = 0; i < names.size(); ++i) {
        REQUIRE(ids[i].has_value());
        const result_copy* r = w.srv.rec.result_of(*ids[i]);
        REQUIRE(r != nullptr);
        CHECK(r->endpoint == names[i]);
        CHECK(r->code == coap::code::content);
        REQUIRE(r->records.size() == 1);
        if (r->records[0].number == static_cast<double>(i % 100)) ++matched;
    }
    CHECK(matched == 120);
}

TEST_CASE("request failures: unknown endpoint, timeout, registration ended meanwhile, capacity") {
    world w;
    w.add_client("gone");
    w.add_client("silent");
    w.register_all();
    CHECK(w.srv.engine->submit("nobody", request_spec::read(P("/3/0")), w.now).error().code == errc::not_registered);
    // Timeout: the server's datagrams never arrive.
    w.drop_to_clients = true;
    auto id = w.srv.engine->submit("silent", request_spec::read(P("/3/0")), w.now);
    REQUIRE(id.has_value());
    w.run_for(100s);
    const result_copy* t = w.srv.rec.result_of(*id);
    REQUIRE(t != nullptr);
    CHECK(t->failure == errc::timeout);
    CHECK(t->endpoint == "silent");
    w.drop_to_clients = false;
    // De-registered before the answer.
    auto id2 = w.srv.engine->submit("gone", request_spec::read(P("/3/0")), w.now);
    REQUIRE(id2.has_value());
    w.dev("gone").engine->deregister(w.now);
    w.drop_to_clients = true;  // the Read never reaches it; the De-register reaches the server
    w.run_for(1s);
    w.drop_to_clients = false;
    const result_copy* g = w.srv.rec.result_of(*id2);
    REQUIRE(g != nullptr);
    CHECK(g->failure == errc::not_registered);
    CHECK(g->endpoint == "gone");
    // Capacity: more requests than slots.
    std::size_t ok = 0, full = 0;
    for (int i = 0; i < 200; ++i) {
        auto r = w.srv.engine->submit("silent", request_spec::read(P("/3/0")), w.now);
        if (r) ++ok;
        else if (r.error().code == errc::no_request_slot) ++full;
    }
    CHECK(ok == limits::max_requests);
    CHECK(full == 200 - limits::max_requests);
    std::array<server::pending_request, 4> list{};
    CHECK(w.srv.engine->pending("silent", list) == limits::max_requests);
}

TEST_CASE("Core §6.3 per-client default format from the registration: Accept and payload Content-Format") {
    struct format_case {
        std::vector<std::string> query;
        std::string links;
        std::uint16_t expected;
    };
    const std::vector<format_case> cases = {
        {{"ep=f", "lwm2m=1.0"}, "</3/0>", 11542},
        {{"ep=f", "lwm2m=1.1"}, "</3/0>", 11542},
        {{"ep=f", "lwm2m=1.1"}, R"(</>;rt="oma.lwm2m";ct=110,</3/0>)", 110},
        {{"ep=f", "lwm2m=1.1"}, R"(</>;rt="oma.lwm2m";ct="110 112",</3/0>)", 112},
        {{"ep=f", "lwm2m=1.1"}, R"(</>;rt="oma.lwm2m";ct="112 11544",</3/0>)", 112},  // LwM2M CBOR is 1.2
        {{"ep=f", "lwm2m=1.2"}, R"(</>;rt="oma.lwm2m";ct="112 11544",</3/0>)", 11544},
        {{"ep=f", "lwm2m=1.2"}, R"(</>;rt="oma.lwm2m";ct=110,</3/0>)", 110},
        // Only the 1.0 JSON among the multi-value formats: that one; TLV when listed too, or
        // when nothing else is.
        {{"ep=f", "lwm2m=1.1"}, R"(</>;rt="oma.lwm2m";ct="0 42 11543",</3/0>)", 11543},
        {{"ep=f", "lwm2m=1.1"}, R"(</>;rt="oma.lwm2m";ct="11542 11543",</3/0>)", 11542},
        {{"ep=f", "lwm2m=1.1"}, R"(</>;rt="oma.lwm2m";ct="0 42",</3/0>)", 11542},
    };
    for (const format_case& c : cases) {
        CAPTURE(c.links);
        server_box s{2};
        dgram d;
        d.query = c.query;
        d.payload = c.links;
        REQUIRE(single_answer(s.feed(1, d.build(), time_point{})).code == coap::code::created);
        REQUIRE(s.engine->submit("f", request_spec::read(P("/3/0")), time_point{}).has_value());
        const std::array<format::record, 1> v{R("/3/0/14", value::of_string("+01"))};
        REQUIRE(s.engine->submit("f", request_spec::write(P("/3/0/14"), v), time_point{}).has_value());
        const auto out = s.drain();
        REQUIRE(out.size() == 1);  // NSTART 1: the Write waits for the Read
        auto m = coap::parse(out[0]);
        REQUIRE(m.has_value());
        CHECK(m->accept() == std::optional<std::uint16_t>{c.expected});
        // Answer the Read; the Write follows with its payload in the same format.
        coap::message_builder<4> b;
        b.type(coap::message_type::acknowledgement).code(coap::code::content).message_id(m->message_id()).token(m->token());
        std::array<std::byte, 64> ack{};
        const auto n = b.serialize(mutable_bytes{ack});
        REQUIRE(n.has_value());
        const auto next = s.feed(1, std::vector<std::byte>(ack.begin(), ack.begin() + static_cast<std::ptrdiff_t>(*n)), time_point{1s});
        REQUIRE(next.size() == 1);
        auto w = coap::parse(next[0]);
        REQUIRE(w.has_value());
        CHECK(w->code() == coap::code::put);
        CHECK(w->content_format() == std::optional<std::uint16_t>{c.expected});
        REQUIRE(s.rec.results.size() == 1);
        CHECK(s.rec.results[0].code == coap::code::content);
    }
}

TEST_CASE("RFC 7959 §2.4 a Read answered block-wise (Block2 M=1) is completed block by block; the result holds the whole body") {
    world w;
    device& d = w.add_client("big");
    w.register_all();
    std::string colour;
    for (int i = 0; i < 2500; ++i) colour += static_cast<char>('a' + i % 26);
    d.lamps.lights[0].colour = colour.substr(0, 1500);  // the client's arena holds 2048 bytes
    // text/plain of one resource: 1500 bytes = a 1024-byte block and a 476-byte one.
    auto spec = request_spec::read(P("/3311/0/5706"));
    spec.format = format::content_format::text;
    const result_copy text = w.request("big", spec);
    CHECK(text.code == coap::code::content);
    CHECK(!text.failure);
    CHECK(text.payload == colour.substr(0, 1500));
    REQUIRE(text.records.size() == 1);
    CHECK(text.records[0].text == colour.substr(0, 1500));
    // The instance in the client's default format (SenML CBOR here): decoded whole.
    const result_copy inst = w.request("big", request_spec::read(P("/3311/0")));
    CHECK(inst.code == coap::code::content);
    CHECK(!inst.decode_error);
    const rec* c = find_rec(inst.records, "/3311/0/5706");
    REQUIRE(c != nullptr);
    CHECK(c->text == colour.substr(0, 1500));
    CHECK(find_rec(inst.records, "/3311/0/5851") != nullptr);  // after the long value: from the second block
}

namespace {
/** A hand-made client answering the server's requests with chosen Block2 responses. */
struct scripted_blocks {
    server_box s{4};
    time_point now{};
    scripted_blocks() {
        dgram r;
        r.query = {"ep=raw", "lt=300", "lwm2m=1.1"};
        r.payload = "</3/0>";
        REQUIRE(single_answer(s.feed(5, r.build(), now)).code == coap::code::created);
    }
    /** The one request the server sent (parsed; kept alive in `last`). */
    coap::message_view take_request(const std::vector<std::vector<std::byte>>& out) {
        REQUIRE(out.size() == 1);
        last = out[0];
        auto m = coap::parse(last);
        REQUIRE(m.has_value());
        return *m;
    }
    /** Answers `req` (piggybacked) with a 2.05 block. */
    std::vector<std::vector<std::byte>> answer_block(const coap::message_view& req, coap::block_option b, std::string_view etag,
                                                     std::string_view body, std::optional<std::uint32_t> size2 = {}) {
        coap::message_builder<8> m;
        m.type(coap::message_type::acknowledgement).code(coap::code::content).message_id(req.message_id()).token(req.token());
        m.content_format(0).block2(b);
        if (!etag.empty()) m.etag(as_bytes(etag));
        if (size2) m.size2(*size2);
        m.payload(as_bytes(body));
        std::vector<std::byte> d(1500);
        d.resize(m.serialize(mutable_bytes{d}).value());
        now += 10ms;
        return s.feed(5, d, now);
    }
    server::request_id read(std::string_view p) {
        auto spec = request_spec::read(P(p));
        spec.format = format::content_format::text;
        auto id = s.engine->submit("raw", spec, now);
        REQUIRE(id.has_value());
        return *id;
    }
    std::vector<std::byte> last;
};
} // namespace

TEST_CASE("RFC 7959 §2.4 a body that changes while it is fetched block-wise is fetched again from block 0") {
    scripted_blocks c;
    const auto id = c.read("/3/0/0");
    auto req = c.take_request(c.s.drain());
    auto next = c.take_request(c.answer_block(req, {0, true, 0}, "v1", std::string(16, 'a')));
    REQUIRE(next.block2().value().has_value());
    CHECK(next.block2().value()->num == 1);
    CHECK(next.block2().value()->szx == 0);
    CHECK_FALSE(next.observe().has_value());
    // Block 1 belongs to another representation: block 0 is asked again, same size.
    auto again = c.take_request(c.answer_block(next, {1, true, 0}, "v2", std::string(16, 'B')));
    REQUIRE(again.block2().value().has_value());
    CHECK(again.block2().value()->num == 0);
    CHECK(again.block2().value()->szx == 0);
    CHECK(c.s.rec.result_of(id) == nullptr);
    auto b1 = c.take_request(c.answer_block(again, {0, true, 0}, "v2", std::string(16, 'A')));
    CHECK(b1.block2().value()->num == 1);
    c.answer_block(b1, {1, false, 0}, "v2", "tail");
    const result_copy* r = c.s.rec.result_of(id);
    REQUIRE(r != nullptr);
    CHECK(!r->failure);
    CHECK(r->payload == std::string(16, 'A') + "tail");  // only blocks of v2
}

TEST_CASE("RFC 7959 §2.4 block-wise results that cannot complete: a body that keeps changing, a gap, Size2 too large, a short M=1 block") {
    const std::string b16(16, 'x');
    SUBCASE("the ETag changes again after every restart: request_entity_incomplete after two restarts") {
        scripted_blocks c;
        const auto id = c.read("/3/0/0");
        auto req = c.take_request(c.s.drain());
        int restarts = 0;
        for (int version = 0; version < 10 && c.s.rec.result_of(id) == nullptr; ++version) {
            auto next = c.take_request(c.answer_block(req, {0, true, 0}, "v" + std::to_string(version), b16));
            REQUIRE(next.block2().value()->num == 1);
            auto out = c.answer_block(next, {1, true, 0}, "w" + std::to_string(version), b16);
            if (out.empty()) break;
            req = c.take_request(out);
            REQUIRE(req.block2().value()->num == 0);
            ++restarts;
        }
        CHECK(restarts == 2);
        const result_copy* r = c.s.rec.result_of(id);
        REQUIRE(r != nullptr);
        CHECK(r->failure == std::optional<errc>{errc::request_entity_incomplete});
    }
    SUBCASE("a block that does not continue the body: request_entity_incomplete") {
        scripted_blocks c;
        const auto id = c.read("/3/0/0");
        auto req = c.take_request(c.s.drain());
        auto next = c.take_request(c.answer_block(req, {0, true, 0}, "", b16));
        c.answer_block(next, {2, false, 0}, "", "tail");
        REQUIRE(c.s.rec.result_of(id) != nullptr);
        CHECK(c.s.rec.result_of(id)->failure == std::optional<errc>{errc::request_entity_incomplete});
    }
    SUBCASE("Size2 above MaxResponseBody: request_entity_too_large at once") {
        scripted_blocks c;
        const auto id = c.read("/3/0/0");
        auto req = c.take_request(c.s.drain());
        CHECK(c.answer_block(req, {0, true, 0}, "", b16, 100000).empty());
        REQUIRE(c.s.rec.result_of(id) != nullptr);
        CHECK(c.s.rec.result_of(id)->failure == std::optional<errc>{errc::request_entity_too_large});
    }
    SUBCASE("M=1 with less than a block: request_entity_incomplete") {
        scripted_blocks c;
        const auto id = c.read("/3/0/0");
        auto req = c.take_request(c.s.drain());
        CHECK(c.answer_block(req, {0, true, 1}, "", b16).empty());  // SZX 1 = 32 bytes, 16 sent
        REQUIRE(c.s.rec.result_of(id) != nullptr);
        CHECK(c.s.rec.result_of(id)->failure == std::optional<errc>{errc::request_entity_incomplete});
    }
    SUBCASE("three blocks with the same ETag: the whole body") {
        scripted_blocks c;
        const auto id = c.read("/3/0/0");
        auto req = c.take_request(c.s.drain());
        auto b1 = c.take_request(c.answer_block(req, {0, true, 0}, "e", std::string(16, 'a')));
        auto b2 = c.take_request(c.answer_block(b1, {1, true, 0}, "e", std::string(16, 'b')));
        CHECK(b2.block2().value()->num == 2);
        c.answer_block(b2, {2, false, 0}, "e", "cc");
        REQUIRE(c.s.rec.result_of(id) != nullptr);
        CHECK(!c.s.rec.result_of(id)->failure);
        CHECK(c.s.rec.result_of(id)->payload == std::string(16, 'a') + std::string(16, 'b') + "cc");
    }
}
