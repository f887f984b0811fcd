// LwM2M 1.1.1 Core §6.1 Bootstrap Interface, Bootstrap-Server side (1.0 §5.2): the
// Client-Initiated Bootstrap request and its refusals, the configuration's operations sent
// one at a time (Delete, Write, Discover, Read, then Finish), each answer checked and
// reported, failures (error codes, 4.06 to Finish, timeouts, Reset, bodies too large),
// replacement of a session, several clients at once, duplicates and malformed requests.
#include <doctest/doctest.h>

#include <lwm2m/bootstrap.hpp>
#include <lwm2m/format/codec.hpp>

#include "../server/server_world.hpp"

#include <map>
#include <string>
#include <vector>

using namespace lwm2m;
using namespace lwm2m::test::server_tests;
namespace bs = lwm2m::bootstrap;

namespace {

struct recorded_operation {
    std::uint32_t session = 0;
    std::string endpoint;
    std::size_t index = 0;
    bs::operation op{};
    std::string target;
    coap::code code{};
    std::optional<errc> failure;
    std::optional<std::uint16_t> cf;
    std::string payload;
};
struct recorded_end {
    std::uint32_t session = 0;
    std::string endpoint;
    bool success = false;
    std::optional<errc> failure;
    coap::code code{};
    bs::operation op{};
    std::size_t index = 0;
};

struct recorder {
    std::map<std::string, const bs::configuration*> configs;
    std::vector<std::string> requests;  // "peer:ep:pct"
    std::vector<recorded_operation> ops;
    std::vector<recorded_end> ends;
    const bs::configuration* configuration_for(const bs::bootstrap_request& q) {
        requests.push_back(std::to_string(q.peer.value) + ":" + std::string(q.endpoint) + ":" +
                           (q.preferred_format ? std::to_string(static_cast<unsigned>(*q.preferred_format)) : "-"));
        const auto it = configs.find(std::string(q.endpoint));
        return it == configs.end() ? nullptr : it->second;
    }
    void on_operation(const bs::operation_result& r) {
        ops.push_back({r.session.value, std::string(r.endpoint), r.index, r.op, std::string(r.target.text().view()), r.code,
                       r.failure, r.content_format, str(r.payload)});
    }
    void on_session_end(const bs::session_end& e) {
        ends.push_back({e.session.value, std::string(e.endpoint), e.success, e.failure, e.code, e.op, e.index});
    }
};

template <std::size_t Sessions = 4, class Limits = bs::bootstrap_limits<1152, Sessions, 32, 32>>
struct box {
    using engine_type = bs::server<Limits, xorshift, recorder>;
    recorder rec;
    engine_type engine{rec, xorshift{}};
    std::vector<std::vector<std::byte>> feed(std::uint32_t peer, const std::vector<std::byte>& d, time_point now) {
        engine.on_datagram(exchange::peer_id{peer}, d, now);
        return drain();
    }
    std::vector<std::vector<std::byte>> tick(time_point now) {
        engine.on_timeout(now);
        return drain();
    }
    std::vector<std::vector<std::byte>> drain() {
        std::vector<std::vector<std::byte>> out;
        while (auto d = engine.poll_datagram()) out.emplace_back(d->bytes.begin(), d->bytes.end());
        return out;
    }
};

dgram bs_request(std::vector<std::string> query, std::uint16_t mid = 0x100) {
    dgram d;
    d.path = "/bs";
    d.query = std::move(query);
    d.cf = std::nullopt;
    d.mid = mid;
    return d;
}

/** A request the engine sent, parsed (kept alive by `raw`). */
struct sent {
    std::vector<std::byte> raw;
    coap::message_view m;
    std::string path;  // "/a/b", "/" for no Uri-Path
};
sent parse_sent(const std::vector<std::byte>& raw) {
    sent s{raw, {}, ""};
    auto m = coap::parse(s.raw);
    REQUIRE(m.has_value());
    s.m = *m;
    for (std::string_view x : s.m.uri_path()) s.path += "/" + std::string(x);
    if (s.path.empty()) s.path = "/";
    return s;
}

/** The piggybacked answer (ACK) to request `req`. */
std::vector<std::byte> ack(const sent& req, coap::code c, std::string payload = {}, std::optional<std::uint16_t> cf = {}) {
    coap::message_builder<4> b;
    b.type(coap::message_type::acknowledgement).code(c).message_id(req.m.message_id()).token(req.m.token());
    if (cf) b.content_format(*cf);
    if (!payload.empty()) b.payload(as_bytes(payload));
    return serialized(b);
}

std::vector<std::byte> reset_to(const sent& req) {
    const auto mid = req.m.message_id();
    return {std::byte{0x70}, std::byte{0}, static_cast<std::byte>(mid >> 8), static_cast<std::byte>(mid & 0xFF)};
}

const bs::dm_server_account nosec_account{"coap://127.0.0.1:5683", bs::security_mode::no_sec, {}, {}, 7, 300, "U", 1, 0};

/** A box whose "dev-1" gets the usual NoSec configuration. */
struct usual_box : box<> {
    const bs::dm_server_configuration cfg{nosec_account};
    const bs::configuration view = cfg.view();
    usual_box() { rec.configs["dev-1"] = &view; }
};

/** Feeds the Bootstrap-Request; checks the 2.04 and returns the first operation. */
template <class Box>
sent start(Box& b, std::uint32_t peer, std::vector<std::string> query, time_point now, std::uint16_t mid = 0x100) {
    const auto out = b.feed(peer, bs_request(std::move(query), mid).build(), now);
    REQUIRE(out.size() == 2);
    const answer a = single_answer({out[0]});
    CHECK(a.code == coap::code::changed);
    return parse_sent(out[1]);
}

/** Answers `req` and returns the one request that follows. */
template <class Box>
sent step(Box& b, std::uint32_t peer, const sent& req, coap::code c, time_point now) {
    const auto out = b.feed(peer, ack(req, c), now);
    REQUIRE(out.size() == 1);
    return parse_sent(out[0]);
}

std::vector<format::record> decode(const sent& s, const path& base) {
    std::vector<format::record> r(32);
    const auto cf = s.m.content_format();
    REQUIRE(cf.has_value());
    auto n = format::read_records(static_cast<format::content_format>(*cf), s.m.payload(), base, &objects::registry, r);
    REQUIRE(n.has_value());
    r.resize(*n);
    return r;
}
const format::record* at(const std::vector<format::record>& rs, std::string_view p) {
    for (const auto& r : rs)
        if (r.path == P(p)) return &r;
    return nullptr;
}

} // namespace

TEST_CASE("Core §6.1 Client-Initiated Bootstrap: 2.04, then Delete /, Write /0/1 and /1/0 in TLV, Finish; each reported") {
    usual_box b;
    const time_point t0{1000ms};
    const sent del = start(b, 9, {"ep=dev-1"}, t0);
    REQUIRE(b.rec.requests == std::vector<std::string>{"9:dev-1:-"});
    CHECK(del.m.code() == coap::code::delete_);
    CHECK(del.m.type() == coap::message_type::confirmable);
    CHECK(del.path == "/");
    CHECK(b.engine.session_count() == 1);

    const sent w0 = step(b, 9, del, coap::code::deleted, t0);
    CHECK(w0.m.code() == coap::code::put);
    CHECK(w0.path == "/0/1");
    CHECK(w0.m.content_format() == std::optional<std::uint16_t>{11542});  // 1.0 client: TLV
    const auto sec = decode(w0, P("/0/1"));
    REQUIRE(at(sec, "/0/1/0") != nullptr);
    CHECK(str(at(sec, "/0/1/0")->value.encoded_bytes()) == "coap://127.0.0.1:5683");
    REQUIRE(at(sec, "/0/1/1") != nullptr);
    CHECK(at(sec, "/0/1/1")->value.as_boolean() == false);
    REQUIRE(at(sec, "/0/1/2") != nullptr);
    CHECK(at(sec, "/0/1/2")->value.as_integer() == 3);  // NoSec
    REQUIRE(at(sec, "/0/1/10") != nullptr);
    CHECK(at(sec, "/0/1/10")->value.as_integer() == 7);

    const sent w1 = step(b, 9, w0, coap::code::changed, t0);
    CHECK(w1.m.code() == coap::code::put);
    CHECK(w1.path == "/1/0");
    const auto srv = decode(w1, P("/1/0"));
    REQUIRE(at(srv, "/1/0/0") != nullptr);
    CHECK(at(srv, "/1/0/0")->value.as_integer() == 7);
    REQUIRE(at(srv, "/1/0/1") != nullptr);
    CHECK(at(srv, "/1/0/1")->value.as_integer() == 300);
    REQUIRE(at(srv, "/1/0/7") != nullptr);
    CHECK(str(at(srv, "/1/0/7")->value.encoded_bytes()) == "U");

    const sent fin = step(b, 9, w1, coap::code::changed, t0);
    CHECK(fin.m.code() == coap::code::post);
    CHECK(fin.path == "/bs");
    CHECK(b.rec.ends.empty());
    CHECK(b.feed(9, ack(fin, coap::code::changed), t0).empty());

    REQUIRE(b.rec.ops.size() == 4);
    CHECK(b.rec.ops[0].op == bs::operation::remove);
    CHECK(b.rec.ops[0].target == "/");
    CHECK(b.rec.ops[0].code == coap::code::deleted);
    CHECK(b.rec.ops[1].op == bs::operation::write);
    CHECK(b.rec.ops[1].target == "/0/1");
    CHECK(b.rec.ops[2].target == "/1/0");
    CHECK(b.rec.ops[3].op == bs::operation::finish);
    CHECK(b.rec.ops[3].index == 3);
    for (const auto& o : b.rec.ops) {
        CHECK(!o.failure);
        CHECK(o.endpoint == "dev-1");
        CHECK(o.session == b.rec.ops[0].session);
    }
    REQUIRE(b.rec.ends.size() == 1);
    CHECK(b.rec.ends[0].success);
    CHECK(!b.rec.ends[0].failure);
    CHECK(b.rec.ends[0].endpoint == "dev-1");
    CHECK(b.engine.session_count() == 0);
    CHECK(!b.engine.next_deadline());
}

TEST_CASE("Core §6.1.3 pct: a 1.1 client's preferred format is used for Bootstrap-Write; one we cannot write is 4.15") {
    usual_box b;
    const time_point t0{1000ms};
    const sent del = start(b, 9, {"ep=dev-1", "pct=110"}, t0);
    CHECK(b.rec.requests.back() == "9:dev-1:110");
    const sent w0 = step(b, 9, del, coap::code::deleted, t0);
    CHECK(w0.m.content_format() == std::optional<std::uint16_t>{110});
    const auto sec = decode(w0, P("/0/1"));
    REQUIRE(at(sec, "/0/1/0") != nullptr);
    CHECK(str(at(sec, "/0/1/0")->value.encoded_bytes()) == "coap://127.0.0.1:5683");

    usual_box c;
    for (const char* pct : {"pct=0", "pct=40", "pct=42"}) {
        const answer a = single_answer(c.feed(9, bs_request({"ep=dev-1", pct}).build(), t0));
        CHECK(a.code == coap::code::unsupported_content_format);
    }
    for (const char* pct : {"pct=", "pct=x1", "pct=70000", "pct=123456"}) {
        const answer a = single_answer(c.feed(9, bs_request({"ep=dev-1", pct}, 0x200).build(), t0));
        CHECK(a.code == coap::code::bad_request);
    }
    CHECK(c.rec.requests.empty());  // refused before the handler is asked
    CHECK(c.engine.session_count() == 0);
}

TEST_CASE("Core §6.1.3 malformed Bootstrap-Requests: 4.00 without ep, for an unknown endpoint, a repeated parameter; 4.04 / 4.05 elsewhere") {
    usual_box b;
    const time_point t0{1000ms};
    std::uint16_t mid = 1;
    const auto code_of = [&](dgram d) {
        d.mid = mid++;
        return single_answer(b.feed(9, d.build(), t0)).code;
    };
    CHECK(code_of(bs_request({})) == coap::code::bad_request);
    CHECK(code_of(bs_request({"ep="})) == coap::code::bad_request);
    CHECK(code_of(bs_request({"ep"})) == coap::code::bad_request);
    CHECK(code_of(bs_request({"ep=dev-1", "ep=dev-1"})) == coap::code::bad_request);
    CHECK(code_of(bs_request({"ep=" + std::string(33, 'x')})) == coap::code::bad_request);  // MaxName 32
    CHECK(code_of(bs_request({"ep=stranger"})) == coap::code::bad_request);
    CHECK(b.rec.requests == std::vector<std::string>{"9:stranger:-"});
    dgram get = bs_request({"ep=dev-1"});
    get.method = coap::code::get;
    CHECK(code_of(get) == coap::code::method_not_allowed);
    dgram rd = bs_request({"ep=dev-1"});
    rd.path = "/rd";
    CHECK(code_of(rd) == coap::code::not_found);
    dgram deep = bs_request({"ep=dev-1"});
    deep.path = "/bs/x";
    CHECK(code_of(deep) == coap::code::not_found);
    CHECK(b.engine.session_count() == 0);
    CHECK(b.rec.ops.empty());
    CHECK(b.rec.ends.empty());
    // Unparseable CON: a Reset, nothing else.
    const std::vector<std::byte> junk{std::byte{0x40}, std::byte{0x02}, std::byte{0x12}, std::byte{0x34}, std::byte{0xF1}};
    const auto out = b.feed(9, junk, t0);
    REQUIRE(out.size() == 1);
    CHECK(out[0].size() == 4);
    CHECK((static_cast<unsigned>(out[0][0]) >> 4) == 0x7);
    // An unknown parameter is ignored, as in Register.
    const sent del = start(b, 9, {"ep=dev-1", "foo=bar"}, t0, 0x300);
    CHECK(del.m.code() == coap::code::delete_);
}

TEST_CASE("Core §6.1.8.1 Bootstrap-Finish answered 4.06 Not Acceptable: the session fails at Finish with that code") {
    usual_box b;
    const time_point t0{1000ms};
    sent s = start(b, 9, {"ep=dev-1"}, t0);
    s = step(b, 9, s, coap::code::deleted, t0);
    s = step(b, 9, s, coap::code::changed, t0);
    s = step(b, 9, s, coap::code::changed, t0);
    REQUIRE(s.path == "/bs");
    CHECK(b.feed(9, ack(s, coap::code::not_acceptable), t0).empty());
    REQUIRE(b.rec.ends.size() == 1);
    const recorded_end& e = b.rec.ends[0];
    CHECK(!e.success);
    CHECK(e.failure == std::optional<errc>{errc::rejected_by_peer});
    CHECK(e.code == coap::code::not_acceptable);
    CHECK(e.op == bs::operation::finish);
    CHECK(e.index == 3);
    CHECK(b.rec.ops.back().failure == std::optional<errc>{errc::rejected_by_peer});
    CHECK(b.engine.session_count() == 0);
}

TEST_CASE("Core §6.1.7 an operation answered with an error, or another success code, ends the session there") {
    const time_point t0{1000ms};
    SUBCASE("Delete answered 4.00") {
        usual_box b;
        const sent del = start(b, 9, {"ep=dev-1"}, t0);
        CHECK(b.feed(9, ack(del, coap::code::bad_request), t0).empty());  // no Write follows
        REQUIRE(b.rec.ends.size() == 1);
        CHECK(b.rec.ends[0].failure == std::optional<errc>{errc::rejected_by_peer});
        CHECK(b.rec.ends[0].code == coap::code::bad_request);
        CHECK(b.rec.ends[0].op == bs::operation::remove);
        CHECK(b.rec.ends[0].index == 0);
        REQUIRE(b.rec.ops.size() == 1);
        CHECK(b.rec.ops[0].code == coap::code::bad_request);
    }
    SUBCASE("Write answered 2.01 (not 2.04)") {
        usual_box b;
        const sent del = start(b, 9, {"ep=dev-1"}, t0);
        const sent w0 = step(b, 9, del, coap::code::deleted, t0);
        CHECK(b.feed(9, ack(w0, coap::code::created), t0).empty());
        REQUIRE(b.rec.ends.size() == 1);
        CHECK(b.rec.ends[0].failure == std::optional<errc>{errc::rejected_by_peer});
        CHECK(b.rec.ends[0].code == coap::code::created);
        CHECK(b.rec.ends[0].op == bs::operation::write);
        CHECK(b.rec.ends[0].index == 1);
    }
}

TEST_CASE("RFC 7252 §4.2 an unanswered operation is retransmitted, then fails its session with timeout; a Reset fails it at once") {
    time_point t{1000ms};
    SUBCASE("timeout") {
        usual_box b;
        const sent del = start(b, 9, {"ep=dev-1"}, t);
        int retransmissions = 0;
        while (auto d = b.engine.next_deadline()) {
            t = *d;
            for (const auto& raw : b.tick(t)) {
                const sent again = parse_sent(raw);
                CHECK(again.m.message_id() == del.m.message_id());
                CHECK(again.m.code() == coap::code::delete_);
                ++retransmissions;
            }
            if (t > time_point{1000ms} + 600s) break;
        }
        CHECK(retransmissions == 4);  // MAX_RETRANSMIT
        REQUIRE(b.rec.ends.size() == 1);
        CHECK(b.rec.ends[0].failure == std::optional<errc>{errc::timeout});
        CHECK(b.rec.ends[0].op == bs::operation::remove);
        CHECK(b.rec.ops.back().failure == std::optional<errc>{errc::timeout});
        CHECK(b.engine.session_count() == 0);
    }
    SUBCASE("a lost answer: the retransmitted Write is answered and the session goes on") {
        usual_box b;
        const sent del = start(b, 9, {"ep=dev-1"}, t);
        const sent w0 = step(b, 9, del, coap::code::deleted, t);
        const auto again = b.tick(*b.engine.next_deadline());
        REQUIRE(again.size() == 1);
        CHECK(again[0] == w0.raw);
        const sent w1 = step(b, 9, w0, coap::code::changed, *b.engine.next_deadline());
        CHECK(w1.path == "/1/0");
        CHECK(b.rec.ends.empty());
    }
    SUBCASE("Reset") {
        usual_box b;
        const sent del = start(b, 9, {"ep=dev-1"}, t);
        CHECK(b.feed(9, reset_to(del), t).empty());
        REQUIRE(b.rec.ends.size() == 1);
        CHECK(b.rec.ends[0].failure == std::optional<errc>{errc::reset_received});
    }
}

TEST_CASE("Core §6.1.7 two clients bootstrapped at once, their answers interleaved, each in its own order") {
    box<> b;
    const bs::dm_server_configuration cfg_a{nosec_account};
    bs::dm_server_account other = nosec_account;
    other.server_uri = "coap://10.0.0.2:5683";
    other.short_server_id = 9;
    const bs::dm_server_configuration cfg_b{other};
    const bs::configuration va = cfg_a.view(), vb = cfg_b.view();
    b.rec.configs["a"] = &va;
    b.rec.configs["b"] = &vb;
    const time_point t0{1000ms};
    sent sa = start(b, 1, {"ep=a"}, t0, 0x10);
    sent sb = start(b, 2, {"ep=b"}, t0, 0x10);  // same Message ID, another peer: not a duplicate
    CHECK(b.engine.session_count() == 2);
    sa = step(b, 1, sa, coap::code::deleted, t0);
    sb = step(b, 2, sb, coap::code::deleted, t0);
    CHECK(sa.path == "/0/1");
    CHECK(sb.path == "/0/1");
    CHECK(str(at(decode(sb, P("/0/1")), "/0/1/0")->value.encoded_bytes()) == "coap://10.0.0.2:5683");
    CHECK(str(at(decode(sa, P("/0/1")), "/0/1/0")->value.encoded_bytes()) == "coap://127.0.0.1:5683");
    // An answer from the wrong peer matches nothing.
    CHECK(b.feed(2, ack(sa, coap::code::changed), t0).empty());
    sb = step(b, 2, sb, coap::code::changed, t0);
    sb = step(b, 2, sb, coap::code::changed, t0);
    sa = step(b, 1, sa, coap::code::changed, t0);
    CHECK(sb.path == "/bs");
    CHECK(sa.path == "/1/0");
    CHECK(b.feed(2, ack(sb, coap::code::changed), t0).empty());
    REQUIRE(b.rec.ends.size() == 1);
    CHECK(b.rec.ends[0].endpoint == "b");
    CHECK(b.rec.ends[0].success);
    sa = step(b, 1, sa, coap::code::changed, t0);
    CHECK(b.feed(1, ack(sa, coap::code::changed), t0).empty());
    REQUIRE(b.rec.ends.size() == 2);
    CHECK(b.rec.ends[1].endpoint == "a");
    CHECK(b.rec.ends[1].success);
    CHECK(b.rec.ends[0].session != b.rec.ends[1].session);
}

TEST_CASE("Core §6.1.3 a new Bootstrap-Request of a running session's endpoint replaces it; a duplicate does not; 5.03 when full") {
    const bs::dm_server_configuration cfg{nosec_account};
    const bs::configuration view = cfg.view();
    const time_point t0{1000ms};
    box<1> b;
    b.rec.configs["dev-1"] = &view;
    b.rec.configs["dev-2"] = &view;
    const sent del = start(b, 9, {"ep=dev-1"}, t0, 0x40);
    const sent w0 = step(b, 9, del, coap::code::deleted, t0);
    // The same datagram again (RFC 7252 §4.5): the same 2.04, no new session, nothing sent.
    const auto dup = b.feed(9, bs_request({"ep=dev-1"}, 0x40).build(), t0);
    REQUIRE(dup.size() == 1);
    CHECK(single_answer(dup).code == coap::code::changed);
    CHECK(b.rec.requests.size() == 1);
    // Full: another endpoint waits.
    CHECK(single_answer(b.feed(5, bs_request({"ep=dev-2"}, 0x41).build(), t0)).code == coap::code::service_unavailable);
    // A new request of dev-1 (it restarted): the old session ends cancelled, a new one begins.
    const sent del2 = start(b, 9, {"ep=dev-1"}, t0, 0x42);
    CHECK(del2.m.code() == coap::code::delete_);
    REQUIRE(b.rec.ends.size() == 1);
    CHECK(b.rec.ends[0].failure == std::optional<errc>{errc::cancelled});
    CHECK(b.rec.ends[0].op == bs::operation::write);
    // The old Write's answer now matches nothing, and it is no longer retransmitted.
    const std::size_t ops = b.rec.ops.size();
    CHECK(b.feed(9, ack(w0, coap::code::changed), t0).empty());  // an ACK that matches nothing is ignored
    CHECK(b.rec.ops.size() == ops);
    const auto again = b.tick(*b.engine.next_deadline());
    REQUIRE(again.size() == 1);
    CHECK(parse_sent(again[0]).m.message_id() == del2.m.message_id());
    CHECK(b.rec.ends.size() == 1);
}

TEST_CASE("Core §6.1.7.3/§6.1.7.2 Bootstrap-Discover (Accept 40) and Bootstrap-Read report their content") {
    box<> b;
    const std::array<bs::step, 2> steps{{bs::step::discover(), bs::step::read(P("/1"))}};
    const bs::configuration view{steps};
    b.rec.configs["dev-1"] = &view;
    const time_point t0{1000ms};
    const sent disc = start(b, 9, {"ep=dev-1", "pct=112"}, t0);
    CHECK(disc.m.code() == coap::code::get);
    CHECK(disc.path == "/");
    CHECK(disc.m.accept() == std::optional<std::uint16_t>{40});
    const std::string links = R"(</>;lwm2m=1.1,</0/0>;ssid=101;uri="coap://bs:5683",</1>,</3/0>)";
    auto out = b.feed(9, ack(disc, coap::code::content, links, 40), t0);
    REQUIRE(out.size() == 1);
    const sent rd = parse_sent(out[0]);
    CHECK(rd.m.code() == coap::code::get);
    CHECK(rd.path == "/1");
    CHECK(rd.m.accept() == std::optional<std::uint16_t>{112});  // the client's pct
    out = b.feed(9, ack(rd, coap::code::content, "\x81", 112), t0);
    REQUIRE(out.size() == 1);
    CHECK(parse_sent(out[0]).path == "/bs");
    REQUIRE(b.rec.ops.size() == 2);
    CHECK(b.rec.ops[0].op == bs::operation::discover);
    CHECK(b.rec.ops[0].payload == links);
    CHECK(b.rec.ops[0].cf == std::optional<std::uint16_t>{40});
    CHECK(b.rec.ops[1].op == bs::operation::read);
    CHECK(b.rec.ops[1].payload == "\x81");
    CHECK(b.rec.ops[1].cf == std::optional<std::uint16_t>{112});
}

namespace {
/** Block `num` (16-byte blocks) of `body` as the piggybacked answer to `req`, with ETag `tag`. */
std::vector<std::byte> block_of(const sent& req, const std::string& body, std::uint32_t num, std::uint16_t cf,
                                std::byte tag = std::byte{0x5A}) {
    const std::size_t at = num * 16u;
    const bool more = at + 16u < body.size();
    coap::message_builder<6> b;
    b.type(coap::message_type::acknowledgement).code(coap::code::content).message_id(req.m.message_id()).token(req.m.token());
    const std::array<std::byte, 1> etag{tag};
    b.etag(bytes_view{etag}).content_format(cf).block2(coap::block_option{num, more, 0});
    const std::string part = body.substr(at, 16);
    b.payload(as_bytes(std::string_view{part}));
    return serialized(b);
}
} // namespace

TEST_CASE("RFC 7959 §2.4 a Bootstrap-Discover answered block-wise is fetched block by block and reported whole") {
    box<> b;
    const std::array<bs::step, 1> steps{{bs::step::discover()}};
    const bs::configuration view{steps};
    b.rec.configs["dev-1"] = &view;
    const time_point t0{1000ms};
    const std::string links = R"(</>;lwm2m=1.1,</0/0>;ssid=101;uri="coap://bs:5683",</1/0>;ssid=101,</3/0>,</3311/0>,</3311/1>)";
    REQUIRE(links.size() > 64);
    sent req = start(b, 9, {"ep=dev-1"}, t0);
    std::uint32_t num = 0;
    for (; (num + 1) * 16u < links.size(); ++num) {
        const auto out = b.feed(9, block_of(req, links, num, 40), t0);
        REQUIRE(out.size() == 1);
        req = parse_sent(out[0]);
        // The same Discover again, asking for the next block at the client's size.
        CHECK(req.m.code() == coap::code::get);
        CHECK(req.path == "/");
        CHECK(req.m.accept() == std::optional<std::uint16_t>{40});
        const auto b2 = req.m.block2();
        REQUIRE((b2 && *b2));
        CHECK((**b2).num == num + 1);
        CHECK((**b2).szx == 0);
        CHECK(b.rec.ops.empty());  // nothing reported before the body is whole
    }
    const auto out = b.feed(9, block_of(req, links, num, 40), t0);
    REQUIRE(out.size() == 1);
    CHECK(parse_sent(out[0]).path == "/bs");  // Finish follows
    REQUIRE(b.rec.ops.size() == 1);
    CHECK(b.rec.ops[0].op == bs::operation::discover);
    CHECK(!b.rec.ops[0].failure);
    CHECK(b.rec.ops[0].payload == links);
    CHECK(b.rec.ops[0].cf == std::optional<std::uint16_t>{40});
}

TEST_CASE("RFC 7959 §2.4 a block-wise Bootstrap-Read whose blocks come out of order, or exceed MaxResponseBody, fails its session") {
    const std::string body(80, 'r');
    // MaxResponseBody 48: three 16-byte blocks fit, the fourth does not.
    box<4, bs::bootstrap_limits<1152, 4, 32, 32, 48, 1>> b;
    const std::array<bs::step, 1> steps{{bs::step::read(P("/1"))}};
    const bs::configuration view{steps};
    b.rec.configs["dev-1"] = &view;
    const time_point t0{1000ms};
    const sent rd = start(b, 9, {"ep=dev-1"}, t0);
    auto out = b.feed(9, block_of(rd, body, 0, 11542), t0);
    REQUIRE(out.size() == 1);
    sent next = parse_sent(out[0]);
    errc expected = errc::request_entity_too_large;
    SUBCASE("a block out of order") {
        expected = errc::request_entity_incomplete;
        CHECK(b.feed(9, block_of(next, body, 2, 11542), t0).empty());
    }
    SUBCASE("more than MaxResponseBody") {
        for (std::uint32_t num = 1; num < 3; ++num) {
            out = b.feed(9, block_of(next, body, num, 11542), t0);
            REQUIRE(out.size() == 1);
            next = parse_sent(out[0]);
        }
        CHECK(b.feed(9, block_of(next, body, 3, 11542), t0).empty());
    }
    REQUIRE(b.rec.ends.size() == 1);
    CHECK(b.rec.ends[0].failure == std::optional<errc>{expected});
    CHECK(b.rec.ends[0].op == bs::operation::read);
    REQUIRE(b.rec.ops.size() == 1);
    CHECK(b.rec.ops[0].failure == std::optional<errc>{expected});
    CHECK(b.engine.session_count() == 0);
}

TEST_CASE("Core §6.1.7.4 a Write body that does not fit one datagram fails the session before anything is sent") {
    box<> b;
    const std::string big(1200, 'x');
    const std::array<format::record, 1> recs{{{P("/0/1/0"), value::of_string(big), {}}}};
    const std::array<bs::step, 2> steps{{bs::step::remove(P("/0")), bs::step::write(P("/0/1"), recs)}};
    const bs::configuration view{steps};
    b.rec.configs["dev-1"] = &view;
    const time_point t0{1000ms};
    const sent del = start(b, 9, {"ep=dev-1"}, t0);
    CHECK(del.path == "/0");
    CHECK(b.feed(9, ack(del, coap::code::deleted), t0).empty());
    REQUIRE(b.rec.ends.size() == 1);
    CHECK(b.rec.ends[0].failure == std::optional<errc>{errc::request_entity_too_large});
    CHECK(b.rec.ends[0].op == bs::operation::write);
    CHECK(b.engine.session_count() == 0);
}

TEST_CASE("dm_server_configuration with PSK: mode 0, identity and key in the Security instance; steps and instances as given") {
    const std::string id = "dev-psk", key = "\x01\x02\x03\x04";
    bs::dm_server_account a;
    a.server_uri = "coaps://srv:5684";
    a.mode = bs::security_mode::psk;
    a.psk_identity = as_bytes(std::string_view{id});
    a.psk_key = as_bytes(std::string_view{key});
    a.short_server_id = 3;
    a.security_instance = 4;
    a.server_instance = 2;
    a.binding = "UQ";
    const bs::dm_server_configuration cfg{a};
    const auto steps = cfg.view().steps;
    REQUIRE(steps.size() == 3);
    CHECK(steps[0].op == bs::operation::remove);
    CHECK(steps[0].target.is_root());
    CHECK(steps[1].target == P("/0/4"));
    CHECK(steps[2].target == P("/1/2"));
    std::vector<format::record> sec(cfg.security_records().begin(), cfg.security_records().end());
    CHECK(at(sec, "/0/4/2")->value.as_integer() == 0);
    CHECK(str(at(sec, "/0/4/3")->value.encoded_bytes()) == id);
    CHECK(str(at(sec, "/0/4/5")->value.encoded_bytes()) == key);
    CHECK(at(sec, "/0/4/10")->value.as_integer() == 3);
    std::vector<format::record> srv(cfg.server_records().begin(), cfg.server_records().end());
    CHECK(str(at(srv, "/1/2/7")->value.encoded_bytes()) == "UQ");
    // The records encode (sorted, valid) in TLV.
    std::array<std::byte, 256> buf{};
    format::output_window out{buf};
    CHECK(format::write_records(format::content_format::tlv, cfg.security_records(), P("/0/4"), out).has_value());
    CHECK(!out.overflowed());
}
