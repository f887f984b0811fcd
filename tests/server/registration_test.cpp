// LwM2M 1.1/1.2 Core §6.2 Client Registration Interface, server side: Register, Update,
// De-register, expiry, replacement, validation of every parameter, 5.03 when the store is
// full; and the registration store's hash tables and expiry heap.
#include <doctest/doctest.h>

#include "server_world.hpp"

#include <map>
#include <random>
#include <set>

using namespace lwm2m;
using namespace lwm2m::test::server_tests;

namespace {

const std::string default_links = R"(</>;rt="oma.lwm2m";ct="110 112 11542",</1/0>,</3/0>,</3311/0>,</3311/1>,</5>;ver=1.2)";

dgram reg(std::vector<std::string> q, std::string payload = default_links, std::uint16_t mid = 1) {
    dgram d;
    d.query = std::move(q);
    d.payload = std::move(payload);
    d.mid = mid;
    return d;
}

} // namespace

TEST_CASE("Core §6.2.1 Register: 2.01 with Location-Path rd/<id>, parameters and links stored, event raised") {
    server_box s{8};
    const answer a = single_answer(
        s.feed(7, reg({"ep=dev-1", "lt=120", "lwm2m=1.1", "b=U", "sms=+3312345", "Q"}).build(), time_point{1000ms}));
    CHECK(a.code == coap::code::created);
    REQUIRE(a.location.size() == 2);
    CHECK(a.location[0] == "rd");
    CHECK(!a.location[1].empty());
    REQUIRE(s.rec.events.size() == 1);
    const reg_event& e = s.rec.events[0];
    CHECK(e.kind == server::registration_event_kind::registered);
    CHECK(e.endpoint == "dev-1");
    CHECK(e.lifetime == 120);
    CHECK(e.version == server::lwm2m_version::v1_1);
    CHECK(e.binding.has('U'));
    CHECK(!e.binding.has('S'));
    CHECK(e.queue);
    CHECK(e.sms == "+3312345");
    CHECK(!e.replaced);
    CHECK(e.formats.has(format::content_format::senml_cbor));
    CHECK(e.formats.has(format::content_format::senml_json));
    CHECK(e.formats.has(format::content_format::tlv));
    CHECK(!e.formats.has(format::content_format::lwm2m_cbor));
    REQUIRE(e.links.size() == 5);
    CHECK(e.links[0] == server::object_link{1, 0, 0, 0});
    CHECK(e.links[2] == server::object_link{3311, 0, 0, 0});
    CHECK(e.links[4] == server::object_link{5, server::object_link::no_instance, 1, 2});
    // Lookups by name, location and peer.
    auto v = s.engine->find("dev-1");
    REQUIRE(v.has_value());
    CHECK(v->peer == exchange::peer_id{7});
    char hex[16];
    std::snprintf(hex, sizeof hex, "%x", v->location);
    CHECK(a.location[1] == hex);
    CHECK(s.engine->find_location(v->location).has_value());
    CHECK(s.engine->find(exchange::peer_id{7})->endpoint == "dev-1");
    CHECK(s.engine->registration_count() == 1);
    // Expiry is a deadline.
    REQUIRE(s.engine->next_deadline().has_value());
    CHECK(*s.engine->next_deadline() == time_point{1000ms} + 120s);
}

TEST_CASE("Core §6.2.1 Register defaults: lt 86400, lwm2m 1.0, binding U, no queue") {
    server_box s{4};
    CHECK(single_answer(s.feed(1, reg({"ep=plain"}, "</1/0>,</3/0>").build(), time_point{})).code == coap::code::created);
    const reg_event& e = s.rec.events.at(0);
    CHECK(e.lifetime == 86400);
    CHECK(e.version == server::lwm2m_version::v1_0);
    CHECK(e.binding == server::binding_mode{1});
    CHECK(!e.queue);
    CHECK(e.sms.empty());
    CHECK(e.links.size() == 2);
}

TEST_CASE("Core §6.2.1 Register validation: each bad parameter is refused with its code and a diagnostic") {
    struct bad_case {
        std::vector<std::string> query;
        coap::code code;
        std::string reason;
    };
    const std::vector<bad_case> cases = {
        {{"lt=60"}, coap::code::bad_request, "missing ep"},
        {{"ep="}, coap::code::bad_request, "missing ep"},
        {{"ep=a", "lt=0"}, coap::code::bad_request, "invalid lt"},
        {{"ep=a", "lt=-5"}, coap::code::bad_request, "invalid lt"},
        {{"ep=a", "lt=abc"}, coap::code::bad_request, "invalid lt"},
        {{"ep=a", "lt=4294967296"}, coap::code::bad_request, "invalid lt"},
        {{"ep=a", "lwm2m=1.3"}, coap::code::precondition_failed, "unsupported lwm2m version"},
        {{"ep=a", "lwm2m=2.0"}, coap::code::precondition_failed, "unsupported lwm2m version"},
        {{"ep=a", "lwm2m=banana"}, coap::code::precondition_failed, "unsupported lwm2m version"},
        {{"ep=a", "lwm2m=1.0", "b=T"}, coap::code::bad_request, "invalid b"},
        {{"ep=a", "lwm2m=1.0", "b=QU"}, coap::code::bad_request, "invalid b"},
        {{"ep=a", "b=SU"}, coap::code::bad_request, "invalid b"},  // 1.0 (absent): only the six values
        {{"ep=a", "lwm2m=1.1", "b=UQ"}, coap::code::bad_request, "invalid b"},
        {{"ep=a", "lwm2m=1.1", "b=UU"}, coap::code::bad_request, "invalid b"},
        {{"ep=a", "lwm2m=1.1", "b=X"}, coap::code::bad_request, "invalid b"},
        {{"ep=a", "lwm2m=1.1", "b="}, coap::code::bad_request, "invalid b"},
        {{"ep=a", "lwm2m=1.1", "Q=1"}, coap::code::bad_request, "Q takes no value"},
        {{"ep=a", "lwm2m=1.1", "Q", "Q"}, coap::code::bad_request, "duplicate Q"},
        {{"ep=a", "Q"}, coap::code::bad_request, "Q needs lwm2m 1.1"},
        {{"ep=a", "ep=b"}, coap::code::bad_request, "duplicate parameter"},
        {{"ep=a", "sms"}, coap::code::bad_request, "parameter without value"},
        {{"ep=a", "sms="}, coap::code::bad_request, "invalid sms"},
        {{"ep=" + std::string(65, 'x')}, coap::code::bad_request, "ep too long"},
    };
    for (const bad_case& c : cases) {
        server_box s{4};
        std::string q;
        for (const auto& x : c.query) q += x + "&";
        CAPTURE(q);
        const answer a = single_answer(s.feed(1, reg(c.query).build(), time_point{}));
        CHECK(a.code == c.code);
        CHECK(a.payload == c.reason);
        CHECK(s.rec.events.empty());
        CHECK(s.engine->registration_count() == 0);
    }
}

TEST_CASE("Core §6.2.1/§6.2.2 parameters we do not know are ignored, in any order; Q in a 1.1 Update turns queue mode on") {
    // Leshan's client sends its configured "additional attributes", Pelion's `mccv=`/`iep=`;
    // Leshan's and Wakaama's servers accept them. Known parameters keep their checks.
    server_box s{4};
    const answer a = single_answer(
        s.feed(1, reg({"mccv=1.2.1-lite", "b=U", "lt=300", "custom=x=y", "lwm2m=1.1", "flag", "ep=extra"}).build(), time_point{}));
    CHECK(a.code == coap::code::created);
    REQUIRE(s.rec.events.size() == 1);
    CHECK(s.rec.events[0].endpoint == "extra");
    CHECK(s.rec.events[0].lifetime == 300);
    CHECK(s.rec.events[0].version == server::lwm2m_version::v1_1);
    CHECK(!s.rec.events[0].queue);
    dgram up;
    up.path = "/rd/" + a.location.at(1);
    up.cf.reset();
    up.query = {"iep=1", "lt=400"};
    up.mid = 2;
    CHECK(single_answer(s.feed(1, up.build(), time_point{1s})).code == coap::code::changed);
    CHECK(s.engine->find("extra")->lifetime == 400);
    CHECK(!s.engine->find("extra")->queue);
    up.query = {"Q"};
    up.mid = 3;
    CHECK(single_answer(s.feed(1, up.build(), time_point{2s})).code == coap::code::changed);
    CHECK(s.engine->find("extra")->queue);
    up.query = {"b=U"};  // an Update carries only what changes: queue mode stays
    up.mid = 4;
    CHECK(single_answer(s.feed(1, up.build(), time_point{3s})).code == coap::code::changed);
    CHECK(s.engine->find("extra")->queue);
    up.query = {"Q=1"};
    up.mid = 5;
    CHECK(single_answer(s.feed(1, up.build(), time_point{4s})).payload == "Q takes no value");
}

TEST_CASE("Core §6.2.1 Register: bindings valid for the version are accepted") {
    const std::vector<std::pair<std::vector<std::string>, std::pair<std::string, bool>>> ok = {
        {{"lwm2m=1.0", "b=U"}, {"U", false}},   {{"lwm2m=1.0", "b=UQ"}, {"U", true}},
        {{"lwm2m=1.0", "b=S"}, {"S", false}},   {{"lwm2m=1.0", "b=SQ"}, {"S", true}},
        {{"lwm2m=1.0", "b=US"}, {"US", false}}, {{"lwm2m=1.0", "b=UQS"}, {"US", true}},
        {{"lwm2m=1.1", "b=UT"}, {"UT", false}}, {{"lwm2m=1.2", "b=NSUTHM"}, {"UMHTSN", false}},
        {{"lwm2m=1.2", "b=M", "Q"}, {"M", true}},
    };
    for (const auto& item : ok) {
        const auto& expect = item.second;
        server_box s{4};
        auto query = item.first;
        query.insert(query.begin(), "ep=x");
        CHECK(single_answer(s.feed(1, reg(query).build(), time_point{})).code == coap::code::created);
        REQUIRE(s.rec.events.size() == 1);
        char letters[8];
        const std::size_t n = s.rec.events[0].binding.format_to(letters);
        CHECK(std::string(letters, n) == expect.first);
        CHECK(s.rec.events[0].queue == expect.second);
    }
}

TEST_CASE("Core §6.2.1 Register: malformed links, wrong levels and wrong content format are refused") {
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"</1/0>,", "malformed link"},
        {"</1/0", "malformed link"},
        {"1/0", "malformed link"},
        {"</1/0/1>", "link is not an object or instance"},
        {"</abc>", "invalid link"},
        {"</3>;ver=x", "invalid ver"},
        {"</3>;ver=1.", "invalid ver"},
        {"</>;rt=\"oma.lwm2m\",</>;rt=\"oma.lwm2m\"", "invalid root link"},
        {"</3>;ct=abc", "invalid link"},
    };
    for (const auto& item : bad) {
        const std::string& payload = item.first;
        const std::string& reason = item.second;
        CAPTURE(payload);
        server_box s{4};
        const answer a = single_answer(s.feed(1, reg({"ep=a"}, payload).build(), time_point{}));
        CHECK(a.code == coap::code::bad_request);
        CHECK(a.payload == reason);
        CHECK(s.engine->registration_count() == 0);
    }
    server_box s{4};
    dgram d = reg({"ep=a"});
    d.cf = 50;  // application/json
    CHECK(single_answer(s.feed(1, d.build(), time_point{})).code == coap::code::unsupported_content_format);
}

TEST_CASE("Core §6.2.1 Register payloads as the clients in the field write them are read") {
    struct form {
        std::string who;
        std::vector<std::string> query;
        std::string payload;
        std::optional<std::uint16_t> cf;
        std::vector<server::object_link> links;
        std::vector<format::content_format> formats;
    };
    using server::object_link;
    constexpr std::uint16_t none = object_link::no_instance;
    const std::vector<form> forms = {
        {"Wakaama 1.0 with OMA JSON", {"ep=w", "lt=300", "lwm2m=1.0", "b=U"}, R"(</>;rt="oma.lwm2m";ct=11543,</1/0>,</3/0>)", 40,
         {{1, 0, 0, 0}, {3, 0, 0, 0}}, {format::content_format::oma_json}},
        {"Wakaama 1.1 with SenML CBOR", {"ep=w", "lwm2m=1.1"}, R"(</>;rt="oma.lwm2m";ct=112,</1/0>,</3/0>)", 40,
         {{1, 0, 0, 0}, {3, 0, 0, 0}}, {format::content_format::senml_cbor}},
        {"Leshan 2.0", {"lwm2m=1.1", "ep=l", "lt=300", "b=U"},
         R"(</>;rt="oma.lwm2m";ct="60 110 112 1542 1543 11542 11543",</1>;ver=1.1,</1/0>,</2>,</3>;ver=1.1,</3/0>,</3442/0>)", 40,
         {{1, none, 1, 1}, {1, 0, 0, 0}, {2, none, 0, 0}, {3, none, 1, 1}, {3, 0, 0, 0}, {3442, 0, 0, 0}},
         {format::content_format::senml_cbor, format::content_format::tlv, format::content_format::oma_json}},
        {"Zephyr with JSON", {"lwm2m=1.1", "ep=z", "lt=30", "b=U", "Q"}, R"(</>;rt="oma.lwm2m";ct=11543,</1/0>,</3>;ver=1.1,</3/0>)",
         40, {{1, 0, 0, 0}, {3, none, 1, 1}, {3, 0, 0, 0}}, {format::content_format::oma_json}},
        {"Zephyr without JSON", {"lwm2m=1.1", "ep=z"}, "</1/0>,</3/0>", 40, {{1, 0, 0, 0}, {3, 0, 0, 0}}, {}},
        {"quoted ver, spaces after commas", {"ep=a", "lwm2m=1.1"}, R"(</>;rt="oma.lwm2m";ct="110 112", </1>;ver="1.1", </1/0>)", 40,
         {{1, none, 1, 1}, {1, 0, 0, 0}}, {format::content_format::senml_json}},
        {"NB-IoT module: relative links, text/plain", {"lwm2m=1.0", "ep=n", "b=U", "lt=300"}, R"(</>;rt="oma.lwm2m";ct=11543,<3/0>,<19/0>)",
         0, {{3, 0, 0, 0}, {19, 0, 0, 0}}, {format::content_format::oma_json}},
        {"no Content-Format", {"ep=x"}, "</3/0>", std::nullopt, {{3, 0, 0, 0}}, {}},
    };
    for (const form& f : forms) {
        CAPTURE(f.who);
        server_box s{4};
        dgram d = reg(f.query, f.payload);
        d.cf = f.cf;
        const answer a = single_answer(s.feed(1, d.build(), time_point{}));
        CHECK(a.code == coap::code::created);
        CHECK(a.payload.empty());
        REQUIRE(s.rec.events.size() == 1);
        CHECK(s.rec.events[0].links == f.links);
        for (format::content_format cf : f.formats) CHECK(s.rec.events[0].formats.has(cf));
    }
}

TEST_CASE("Core §6.2.1 Register with an alternate root path: links below it (or from /) are read, requests carry the root") {
    server_box s{4};
    CHECK(single_answer(s.feed(1, reg({"ep=alt", "lwm2m=1.1"}, R"(</lwm2m>;rt="oma.lwm2m";ct=112,</lwm2m/3/0>,</lwm2m/1/0>)").build(),
                               time_point{}))
              .code == coap::code::created);
    auto v = s.engine->find("alt");
    REQUIRE(v.has_value());
    CHECK(v->alternate_root == "/lwm2m");
    REQUIRE(v->links.size() == 2);
    CHECK(v->links[0].object_id == 3);
    // Every request to it carries the root's segments before /O/I/R, and a Create's
    // Location-Path is read below it.
    const std::array<format::record, 1> values{format::record{P("/3311/0/5851"), value::of_integer(3), std::nullopt}};
    auto id = s.engine->submit("alt", server::request_spec::create(P("/3311"), values), time_point{});
    REQUIRE(id.has_value());
    auto out = s.drain();
    REQUIRE(out.size() == 1);
    auto req = coap::parse(out[0]);
    REQUIRE(req.has_value());
    std::vector<std::string> segments;
    for (std::string_view x : req->uri_path()) segments.emplace_back(x);
    CHECK(segments == std::vector<std::string>{"lwm2m", "3311"});
    coap::message_builder<8> created;
    created.type(coap::message_type::acknowledgement).code(coap::code::created).message_id(req->message_id()).token(req->token());
    for (std::string_view x : {"lwm2m", "3311", "4"}) created.location_path(x);
    std::vector<std::byte> ack(64);
    ack.resize(created.serialize(mutable_bytes{ack}).value());
    (void)s.feed(1, ack, time_point{});
    REQUIRE(s.rec.result_of(*id) != nullptr);
    CHECK(s.rec.result_of(*id)->location == std::optional<path>{P("/3311/4")});
    // Wakaama's client writes the root on its root link only, its object links from "/"
    // (and expects requests under the root all the same): those links are read as they stand.
    server_box s2{4};
    CHECK(single_answer(s2.feed(1, reg({"ep=waka"}, R"(</lwm2m>;rt="oma.lwm2m",</1/0>,</3/0>)").build(), time_point{})).code ==
          coap::code::created);
    REQUIRE(s2.engine->find("waka").has_value());
    CHECK(s2.engine->find("waka")->alternate_root == "/lwm2m");
    REQUIRE(s2.engine->find("waka")->links.size() == 2);
    CHECK(s2.engine->find("waka")->links[1].object_id == 3);
    // A link that is neither below the root nor a path is still refused.
    server_box s3{4};
    CHECK(single_answer(s3.feed(1, reg({"ep=bad"}, R"(</lwm2m>;rt="oma.lwm2m",</other/3/0>)").build(), time_point{})).code ==
          coap::code::bad_request);
}

namespace {
/** Block `num` (SZX 2: 64 bytes) of `body`, POSTed to `path` with `query`. */
std::vector<std::byte> block1_post(std::string_view path, std::vector<std::string> query, std::uint16_t cf,
                                   std::string_view body, std::uint32_t num, std::uint16_t mid) {
    const std::size_t off = std::size_t{num} * 64;
    const std::string_view part = body.substr(off, 64);
    coap::message_builder<24> b;
    b.type(coap::message_type::confirmable).code(coap::code::post).message_id(mid);
    const std::array<std::byte, 2> tok{std::byte{0xB1}, static_cast<std::byte>(mid & 0xFF)};
    b.token(bytes_view{tok});
    b.uri_path_segments(path);
    for (const auto& q : query) b.uri_query(q);
    b.content_format(cf);
    b.block1(coap::block_option{num, off + part.size() < body.size(), 2});
    b.payload(as_bytes(part));
    std::vector<std::byte> out(1500);
    out.resize(b.serialize(mutable_bytes{out}).value());
    return out;
}
} // namespace

TEST_CASE("RFC 7959 §2.3 Register and Send bodies sent in Block1 blocks are reassembled, not read block by block") {
    // Californium-based clients (Leshan's) send bodies over 1024 bytes block-wise: each block
    // was read as a whole Register ("malformed link"), or a cut at a comma registered part of
    // the objects.
    server_box s{4};
    std::string links = R"(</>;rt="oma.lwm2m";ct="110 112",)";
    for (int i = 0; i < 12; ++i) links += "</" + std::to_string(3300 + i) + "/0>,";
    links += "</3/0>";
    REQUIRE(links.size() > 128);
    const std::uint32_t blocks = static_cast<std::uint32_t>((links.size() + 63) / 64);
    for (std::uint32_t n = 0; n + 1 < blocks; ++n) {
        auto out = s.feed(5, block1_post("/rd", {"ep=big", "lwm2m=1.1"}, 40, links, n, static_cast<std::uint16_t>(n + 1)), time_point{});
        REQUIRE(out.size() == 1);
        auto m = coap::parse(out[0]);
        REQUIRE(m.has_value());
        CHECK(m->code() == coap::code::continue_);
        CHECK(s.rec.events.empty());
    }
    auto out = s.feed(5, block1_post("/rd", {"ep=big", "lwm2m=1.1"}, 40, links, blocks - 1, 50), time_point{});
    REQUIRE(out.size() == 1);
    auto m = coap::parse(out[0]);
    REQUIRE(m.has_value());
    CHECK(m->code() == coap::code::created);
    REQUIRE(m->block1().has_value());
    REQUIRE(m->block1()->has_value());
    CHECK((*m->block1())->num == blocks - 1);  // §2.3: the final response echoes the last block
    REQUIRE(s.rec.events.size() == 1);
    CHECK(s.rec.events[0].links.size() == 13);
    CHECK(s.rec.events[0].formats.has(format::content_format::senml_cbor));
    // A Send (POST /dp) of several blocks: one report with every record.
    std::string pack = R"([{"bn":"/3311/0/","n":"5851","v":1})";
    for (int i = 0; i < 6; ++i) pack += R"(,{"n":"5850","vb":true},{"n":"5706","vs":"red"})";
    pack += "]";
    const std::uint32_t send_blocks = static_cast<std::uint32_t>((pack.size() + 63) / 64);
    REQUIRE(send_blocks > 2);
    for (std::uint32_t n = 0; n < send_blocks; ++n)
        out = s.feed(5, block1_post("/dp", {}, 110, pack, n, static_cast<std::uint16_t>(100 + n)), time_point{});
    REQUIRE(out.size() == 1);
    CHECK(coap::parse(out[0])->code() == coap::code::changed);
    REQUIRE(s.rec.sends.size() == 1);
    CHECK(s.rec.sends[0].records.size() == 13);
}

TEST_CASE("RFC 7959 §2.3 clients registering together in Block1 blocks, interleaved, all register (server_limits MaxUplinkTransfers)") {
    // After a server restart a fleet registers at once: with one reassembly slot each
    // client's first block abandoned the other's body, and neither could ever finish.
    server_box s{4};
    std::vector<std::string> bodies;
    for (int c = 0; c < 3; ++c) {
        std::string links = R"(</>;rt="oma.lwm2m",)";
        for (int i = 0; i < 20 + c; ++i) links += "</" + std::to_string(3300 + i) + "/0>,";
        bodies.push_back(links + "</3/0>");
    }
    const std::uint32_t blocks = static_cast<std::uint32_t>((bodies[0].size() + 63) / 64);
    REQUIRE(blocks > 2);
    std::uint16_t mid = 1;
    for (std::uint32_t n = 0; n <= blocks; ++n) {
        for (std::size_t c = 0; c < bodies.size(); ++c) {
            const std::uint32_t last = static_cast<std::uint32_t>((bodies[c].size() + 63) / 64) - 1;
            if (n > last) continue;
            const std::string ep = "ep=fleet" + std::to_string(c);
            auto out = s.feed(static_cast<std::uint32_t>(10 + c), block1_post("/rd", {ep, "lwm2m=1.1"}, 40, bodies[c], n, mid++), time_point{});
            REQUIRE(out.size() == 1);
            auto m = coap::parse(out[0]);
            REQUIRE(m.has_value());
            CHECK(m->code() == (n < last ? coap::code::continue_ : coap::code::created));
        }
    }
    CHECK(s.engine->registration_count() == 3);
    for (std::size_t c = 0; c < bodies.size(); ++c) {
        const auto r = s.engine->find("fleet" + std::to_string(c));
        REQUIRE(r.has_value());
        CHECK(r->links.size() == 21 + c);
    }
    static_assert(server::server_limits<>::max_uplink_transfers == 4);
}

TEST_CASE("RFC 7959 §2.9.3 with MaxUplinkBody 0 a block-wise request body is answered 4.13 with Size1, never read in part") {
    using no_block1 = server::server_limits<1152, 8, 4, 16, 16, 256, 4, 1024, 1, 16, 2, 0>;
    recorder rec;
    std::vector<no_block1::slot> slots(2);
    std::vector<std::uint32_t> index(server::engine<no_block1, xorshift, recorder>::index_words(2));
    server::engine<no_block1, xorshift, recorder> e{rec, slots, index, xorshift{}};
    const std::string links = "</1/0>,</3/0>,</3303/0>,</3303/1>,</3304/0>,</3305/0>,</3306/0>,</3311/0>,</3311/1>";
    e.on_datagram(exchange::peer_id{5}, block1_post("/rd", {"ep=small"}, 40, links, 0, 1), time_point{});
    auto d = e.poll_datagram();
    REQUIRE(d.has_value());
    auto m = coap::parse(d->bytes);
    REQUIRE(m.has_value());
    CHECK(m->code() == coap::code::request_entity_too_large);
    CHECK(m->size1() == std::optional<std::uint32_t>{1152 - 64});
    CHECK(rec.events.empty());
    CHECK(e.registration_count() == 0);
}

TEST_CASE("Core §6.2.2 Update: lifetime, binding, sms and links change; expiry moves; unknown id is 4.04") {
    server_box s{4};
    const answer a = single_answer(s.feed(1, reg({"ep=u1", "lt=100", "lwm2m=1.1"}).build(), time_point{0ms}));
    const std::string loc = "/rd/" + a.location[1];
    dgram up;
    up.path = loc;
    up.query = {"lt=500", "b=UT", "sms=123"};
    up.payload = "</1/0>,</3/0>,</3303/0>";
    up.mid = 2;
    CHECK(single_answer(s.feed(9, up.build(), time_point{50s})).code == coap::code::changed);
    REQUIRE(s.rec.events.size() == 2);
    const reg_event& e = s.rec.events[1];
    CHECK(e.kind == server::registration_event_kind::updated);
    CHECK(e.links_changed);
    CHECK(e.lifetime == 500);
    CHECK(e.binding.has('T'));
    CHECK(e.sms == "123");
    REQUIRE(e.links.size() == 3);
    CHECK(e.links[2].object_id == 3303);
    CHECK(*s.engine->next_deadline() == time_point{50s} + 500s);
    // The peer moved (NAT rebinding): lookups by the new peer work.
    CHECK(s.engine->find(exchange::peer_id{9}).has_value());
    CHECK(!s.engine->find(exchange::peer_id{1}).has_value());
    // An empty Update keeps everything and only refreshes the lifetime.
    dgram empty;
    empty.path = loc;
    empty.cf.reset();
    empty.mid = 3;
    CHECK(single_answer(s.feed(9, empty.build(), time_point{60s})).code == coap::code::changed);
    CHECK(!s.rec.events.back().links_changed);
    CHECK(s.rec.events.back().links.size() == 3);
    CHECK(*s.engine->next_deadline() == time_point{60s} + 500s);
    // A bad parameter changes nothing.
    dgram bad = empty;
    bad.query = {"lt=0"};
    bad.mid = 4;
    const answer b = single_answer(s.feed(9, bad.build(), time_point{70s}));
    CHECK(b.code == coap::code::bad_request);
    CHECK(b.payload == "invalid lt");
    bad.query = {"ep=x"};
    bad.mid = 5;
    const answer named = single_answer(s.feed(9, bad.build(), time_point{70s}));
    CHECK(named.code == coap::code::bad_request);
    CHECK(named.payload == "ep in an Update");
    bad.query = {"b=UQ"};  // 1.1 client: Q is not a binding letter
    bad.mid = 6;
    CHECK(single_answer(s.feed(9, bad.build(), time_point{70s})).code == coap::code::bad_request);
    // `lwm2m` is not an Update parameter: the registered version repeated is tolerated (some
    // 1.0 clients send it), another version or a second one is refused.
    bad.query = {"lwm2m=1.0"};
    bad.mid = 7;
    const answer other = single_answer(s.feed(9, bad.build(), time_point{70s}));
    CHECK(other.code == coap::code::bad_request);
    CHECK(other.payload == "lwm2m differs from the registration");
    bad.query = {"lwm2m=1.1", "lwm2m=1.1"};
    bad.mid = 8;
    CHECK(single_answer(s.feed(9, bad.build(), time_point{70s})).code == coap::code::bad_request);
    CHECK(s.engine->find("u1")->lifetime == 500);
    dgram same = empty;
    same.query = {"lwm2m=1.1", "lt=600"};
    same.mid = 9;
    CHECK(single_answer(s.feed(9, same.build(), time_point{70s})).code == coap::code::changed);
    CHECK(s.engine->find("u1")->lifetime == 600);
    // Unknown or malformed location.
    for (std::string p : {"/rd/ffffffff", "/rd/zz", "/rd/0", "/rd/"}) {
        dgram x = empty;
        x.path = p;
        x.mid = static_cast<std::uint16_t>(x.mid + 10);
        CAPTURE(p);
        CHECK(single_answer(s.feed(9, x.build(), time_point{70s})).code == coap::code::not_found);
    }
}

TEST_CASE("Core §6.2.2 an Update's links without a root link are read under the registration's root; root and formats stay") {
    server_box s{4};
    const answer a = single_answer(
        s.feed(1, reg({"ep=rooted", "lwm2m=1.1"}, R"(</lwm2m>;rt="oma.lwm2m";ct=112,</lwm2m/3/0>)").build(), time_point{}));
    REQUIRE(a.code == coap::code::created);
    dgram up;
    up.path = "/rd/" + a.location.at(1);
    up.payload = "</lwm2m/3/0>,</lwm2m/3311/0>";
    up.mid = 2;
    CHECK(single_answer(s.feed(1, up.build(), time_point{1s})).code == coap::code::changed);
    auto v = s.engine->find("rooted");
    REQUIRE(v.has_value());
    CHECK(v->alternate_root == "/lwm2m");
    CHECK(v->formats.has(format::content_format::senml_cbor));
    REQUIRE(v->links.size() == 2);
    CHECK(v->links[1].object_id == 3311);
    // Requests still default to the announced SenML CBOR, under the root.
    REQUIRE(s.engine->submit("rooted", server::request_spec::read(P("/3311/0")), time_point{1s}).has_value());
    const auto out = s.drain();
    REQUIRE(out.size() == 1);
    auto req = coap::parse(out[0]);
    REQUIRE(req.has_value());
    CHECK(req->accept() == std::optional<std::uint16_t>{112});
    CHECK(*req->uri_path().begin() == "lwm2m");
    // A root link in an Update replaces both.
    up.payload = R"(</>;rt="oma.lwm2m";ct=110,</3/0>)";
    up.mid = 3;
    CHECK(single_answer(s.feed(1, up.build(), time_point{2s})).code == coap::code::changed);
    v = s.engine->find("rooted");
    CHECK(v->alternate_root.empty());
    CHECK(v->formats.has(format::content_format::senml_json));
    CHECK(!v->formats.has(format::content_format::senml_cbor));
}

TEST_CASE("Core §6.2.3 De-register: 2.02 and event; the location is gone; a second one is 4.04") {
    server_box s{4};
    const answer a = single_answer(s.feed(1, reg({"ep=d1"}).build(), time_point{}));
    dgram del;
    del.method = coap::code::delete_;
    del.path = "/rd/" + a.location[1];
    del.cf.reset();
    del.mid = 2;
    CHECK(single_answer(s.feed(1, del.build(), time_point{1s})).code == coap::code::deleted);
    REQUIRE(s.rec.events.size() == 2);
    CHECK(s.rec.events[1].kind == server::registration_event_kind::deregistered);
    CHECK(s.rec.events[1].endpoint == "d1");
    CHECK(s.engine->registration_count() == 0);
    CHECK(!s.engine->find("d1").has_value());
    CHECK(!s.engine->next_deadline().has_value());
    del.mid = 3;
    CHECK(single_answer(s.feed(1, del.build(), time_point{2s})).code == coap::code::not_found);
    // Wrong methods.
    dgram get = del;
    get.method = coap::code::get;
    get.mid = 4;
    CHECK(single_answer(s.feed(1, get.build(), time_point{2s})).code == coap::code::method_not_allowed);
    get.path = "/rd";
    get.mid = 5;
    CHECK(single_answer(s.feed(1, get.build(), time_point{2s})).code == coap::code::method_not_allowed);
    get.path = "/other";
    get.mid = 6;
    CHECK(single_answer(s.feed(1, get.build(), time_point{2s})).code == coap::code::not_found);
}

TEST_CASE("for_each_registration lists every registration once, with its parameters; ended ones are gone") {
    server_box s{8};
    std::vector<std::string> locations;
    for (int i = 0; i < 5; ++i) {
        const answer a = single_answer(s.feed(static_cast<std::uint32_t>(10 + i),
                                              reg({"ep=list-" + std::to_string(i), "lt=" + std::to_string(100 + i)}, default_links,
                                                  static_cast<std::uint16_t>(i + 1))
                                                  .build(),
                                              time_point{}));
        REQUIRE(a.code == coap::code::created);
        locations.push_back(a.location[1]);
    }
    dgram del;
    del.method = coap::code::delete_;
    del.path = "/rd/" + locations[2];
    del.cf.reset();
    del.mid = 50;
    CHECK(single_answer(s.feed(12, del.build(), time_point{1s})).code == coap::code::deleted);
    std::map<std::string, std::uint32_t> seen;
    s.engine->for_each_registration([&](const server::registration_view& v) {
        CHECK(seen.emplace(std::string(v.endpoint), v.lifetime).second);
    });
    CHECK(seen == std::map<std::string, std::uint32_t>{{"list-0", 100}, {"list-1", 101}, {"list-3", 103}, {"list-4", 104}});
}

TEST_CASE("Core §6.2.2 expiry: a registration whose lifetime passes is removed and reported, in expiry order") {
    server_box s{8};
    (void)s.feed(1, reg({"ep=short", "lt=30"}, "</3/0>", 1).build(), time_point{0s});
    (void)s.feed(2, reg({"ep=long", "lt=90"}, "</3/0>", 2).build(), time_point{0s});
    (void)s.feed(3, reg({"ep=mid", "lt=60"}, "</3/0>", 3).build(), time_point{0s});
    CHECK(*s.engine->next_deadline() == time_point{30s});
    s.engine->on_timeout(time_point{29s});
    CHECK(s.engine->registration_count() == 3);
    s.engine->on_timeout(time_point{30s});
    CHECK(s.engine->registration_count() == 2);
    REQUIRE(s.rec.events.back().kind == server::registration_event_kind::expired);
    CHECK(s.rec.events.back().endpoint == "short");
    CHECK(*s.engine->next_deadline() == time_point{60s});
    s.engine->on_timeout(time_point{100s});
    CHECK(s.engine->registration_count() == 0);
    REQUIRE(s.rec.events.size() == 6);
    CHECK(s.rec.events[4].endpoint == "mid");
    CHECK(s.rec.events[5].endpoint == "long");
    CHECK(!s.engine->next_deadline().has_value());
}

// Core §6.2.2 has the client update "before the lifetime expires"; server_config::expiry_grace
// keeps a registration that long past it, for clients whose last-moment Update arrives late.
TEST_CASE("Core §6.2.2 expiry_grace: a registration is kept, and updated, that long after its lifetime") {
    server::server_config cfg;
    cfg.expiry_grace = 5s;
    server_box s{4, cfg};
    const answer a = single_answer(s.feed(1, reg({"ep=late", "lt=30"}, "</3/0>", 1).build(), time_point{0s}));
    REQUIRE(a.code == coap::code::created);
    REQUIRE(single_answer(s.feed(2, reg({"ep=gone", "lt=30"}, "</3/0>", 2).build(), time_point{0s})).code ==
            coap::code::created);
    CHECK(*s.engine->next_deadline() == time_point{35s});
    s.engine->on_timeout(time_point{34s});
    CHECK(s.engine->registration_count() == 2);
    CHECK(s.engine->find("late")->expires == time_point{30s});  // what the client was given
    dgram up;
    up.path = "/rd/" + a.location.at(1);
    up.cf.reset();
    up.mid = 3;
    CHECK(single_answer(s.feed(1, up.build(), time_point{34s})).code == coap::code::changed);
    s.engine->on_timeout(time_point{35s});
    CHECK(s.engine->registration_count() == 1);
    REQUIRE(s.rec.events.back().kind == server::registration_event_kind::expired);
    CHECK(s.rec.events.back().endpoint == "gone");
    CHECK(*s.engine->next_deadline() == time_point{69s});
    s.engine->on_timeout(time_point{68999ms});
    CHECK(s.engine->registration_count() == 1);
    s.engine->on_timeout(time_point{69s});
    CHECK(s.engine->registration_count() == 0);
}

TEST_CASE("Core §6.2.1 a new Register of a registered endpoint name replaces the old registration") {
    server_box s{2};
    const answer a1 = single_answer(s.feed(1, reg({"ep=same", "lt=100"}, "</3/0>", 1).build(), time_point{}));
    const answer a2 = single_answer(s.feed(2, reg({"ep=same", "lt=200"}, "</3/0>,</4/0>", 2).build(), time_point{1s}));
    CHECK(a2.code == coap::code::created);
    CHECK(a1.location[1] != a2.location[1]);
    CHECK(s.engine->registration_count() == 1);
    REQUIRE(s.rec.events.size() == 2);
    CHECK(s.rec.events[1].replaced);
    CHECK(s.rec.events[1].previous_peer == std::optional<exchange::peer_id>{exchange::peer_id{1}});
    CHECK(s.rec.events[1].previous_location == s.rec.events[0].location);
    CHECK_FALSE(s.rec.events[0].previous_peer.has_value());
    CHECK(s.rec.events[1].links.size() == 2);
    CHECK(s.engine->find("same")->lifetime == 200);
    CHECK(s.engine->find("same")->peer == exchange::peer_id{2});
    // The old location is gone.
    dgram up;
    up.path = "/rd/" + a1.location[1];
    up.cf.reset();
    up.mid = 3;
    CHECK(single_answer(s.feed(1, up.build(), time_point{2s})).code == coap::code::not_found);
    CHECK(*s.engine->next_deadline() == time_point{1s} + 200s);
}

TEST_CASE("Core §6.2.1 a full store answers 5.03 Service Unavailable; room comes back after De-register") {
    server_box s{3};
    std::vector<answer> as;
    for (std::uint16_t i = 0; i < 3; ++i)
        as.push_back(single_answer(s.feed(i + 1, reg({"ep=n" + std::to_string(i)}, "</3/0>", i + 1).build(), time_point{})));
    const answer full = single_answer(s.feed(9, reg({"ep=n9"}, "</3/0>", 9).build(), time_point{}));
    CHECK(full.code == coap::code::service_unavailable);
    CHECK(full.payload == "registration store full");
    CHECK(s.engine->registration_count() == 3);
    // Replacing an existing name still works when full.
    CHECK(single_answer(s.feed(1, reg({"ep=n0"}, "</3/0>", 10).build(), time_point{})).code == coap::code::created);
    dgram del;
    del.method = coap::code::delete_;
    del.path = "/rd/" + as[1].location[1];
    del.cf.reset();
    del.mid = 11;
    CHECK(single_answer(s.feed(2, del.build(), time_point{})).code == coap::code::deleted);
    CHECK(single_answer(s.feed(9, reg({"ep=n9"}, "</3/0>", 12).build(), time_point{})).code == coap::code::created);
}

TEST_CASE("Core §6.2.1 links beyond the slot capacity are cut and flagged, the registration stands") {
    server_box s{2};
    std::string links;
    for (int i = 0; i < 40; ++i) links += (i ? "," : "") + std::string("</3303/") + std::to_string(i) + ">";
    CHECK(single_answer(s.feed(1, reg({"ep=many"}, links).build(), time_point{})).code == coap::code::created);
    auto v = s.engine->find("many");
    REQUIRE(v.has_value());
    CHECK(v->links.size() == slot::max_links);
    CHECK(v->links_truncated);
    CHECK(v->links.back().instance_id == slot::max_links - 1);
}

TEST_CASE("registration_store: slot size, O(1) lookups under churn match a reference model") {
    static_assert(sizeof(server::registration_slot<64>) <= 1024);
    static_assert(sizeof(slot) <= 1024);
    using S = server::registration_slot<4>;
    constexpr std::size_t cap = 500;
    std::vector<S> slots(cap);
    std::vector<std::uint32_t> index(server::registration_store<S>::index_words(cap));
    server::registration_store<S> store{slots, index};
    CHECK(store.capacity() == cap);
    std::mt19937 rng(5);
    std::map<std::string, std::pair<std::uint32_t, std::int64_t>> model;  // name -> (location, expiry s)
    std::uint32_t next_loc = 1;
    for (int step = 0; step < 20000; ++step) {
        const std::string name = "ep" + std::to_string(rng() % 700);
        if (S* s = store.find_name(name)) {
            REQUIRE(model.count(name) == 1);
            CHECK(s->location == model[name].first);
            if (rng() % 2) {
                store.remove(*s);
                model.erase(name);
            } else {
                const std::int64_t exp = rng() % 100000;
                store.set_expiry(*s, time_point{std::chrono::seconds(exp)});
                store.set_peer(*s, exchange::peer_id{static_cast<std::uint32_t>(rng() % 50)});
                model[name].second = exp;
            }
        } else {
            CHECK(model.count(name) == 0);
            S* fresh = store.acquire();
            if (model.size() == cap) {
                CHECK(fresh == nullptr);
                continue;
            }
            REQUIRE(fresh != nullptr);
            fresh->name_size = static_cast<std::uint8_t>(name.size());
            std::copy(name.begin(), name.end(), fresh->name_text.begin());
            fresh->location = next_loc++;
            fresh->peer = exchange::peer_id{static_cast<std::uint32_t>(rng() % 50)};
            const std::int64_t exp = rng() % 100000;
            fresh->expires = time_point{std::chrono::seconds(exp)};
            store.insert(*fresh);
            model[name] = {fresh->location, exp};
        }
        if (step % 1000 == 0) {
            CHECK(store.size() == model.size());
            std::int64_t min = -1;
            for (auto& [n, v] : model) {
                const S* s = store.find_name(n);
                REQUIRE(s != nullptr);
                CHECK(store.find_location(v.first) == s);
                if (min < 0 || v.second < min) min = v.second;
            }
            if (!model.empty()) CHECK(store.earliest()->expires == time_point{std::chrono::seconds(min)});
        }
    }
    // Peer lookup: every registration found by peer has that peer.
    for (std::uint32_t p = 0; p < 50; ++p)
        if (const S* s = store.find_peer(exchange::peer_id{p})) CHECK(s->peer == exchange::peer_id{p});
}

TEST_CASE("registration_store: a too small index reduces the capacity instead of overflowing") {
    using S = server::registration_slot<4>;
    std::vector<S> slots(100);
    std::vector<std::uint32_t> index(server::registration_store<S>::index_words(10));
    server::registration_store<S> store{slots, index};
    CHECK(store.capacity() <= 10);
    CHECK(store.capacity() >= 5);
    CHECK(server::registration_store<S>::index_words(store.capacity()) <= index.size());
}

TEST_CASE("registration_store: 100000 registrations are looked up by name, location and peer") {
    using S = server::registration_slot<8>;
    constexpr std::size_t n = 100000;
    std::vector<S> slots(n);
    std::vector<std::uint32_t> index(server::registration_store<S>::index_words(n));
    server::registration_store<S> store{slots, index};
    for (std::size_t i = 0; i < n; ++i) {
        S* s = store.acquire();
        REQUIRE(s != nullptr);
        const std::string name = "urn:dev:" + std::to_string(i);
        s->name_size = static_cast<std::uint8_t>(name.size());
        std::copy(name.begin(), name.end(), s->name_text.begin());
        s->location = static_cast<std::uint32_t>(i * 7919 + 1);
        s->peer = exchange::peer_id{static_cast<std::uint32_t>(i + 1)};
        s->expires = time_point{std::chrono::seconds(n - i)};
        store.insert(*s);
    }
    CHECK(store.full());
    CHECK(store.acquire() == nullptr);
    CHECK(store.earliest()->name() == "urn:dev:99999");
    for (std::size_t i = 0; i < n; i += 997) {
        const S* s = store.find_name("urn:dev:" + std::to_string(i));
        REQUIRE(s != nullptr);
        CHECK(store.find_location(static_cast<std::uint32_t>(i * 7919 + 1)) == s);
        CHECK(store.find_peer(exchange::peer_id{static_cast<std::uint32_t>(i + 1)}) == s);
    }
    CHECK(store.find_name("urn:dev:x") == nullptr);
}

namespace lwm2m::test::server_tests {
/** A handler that only counts (allocates nothing). */
struct counting_handler {
    std::size_t events = 0, results = 0, notifications = 0, sends = 0, records = 0;
    void on_registration(const server::registration_event&) { ++events; }
    void on_result(const server::request_result& r) {
        ++results;
        records += r.records.size();
    }
    void on_notification(const server::notification&) { ++notifications; }
    void on_send(const server::send_report&) { ++sends; }
};
} // namespace lwm2m::test::server_tests

#include "../support/allocation_counter.hpp"

TEST_CASE("server engine: Register, a Read and its decoded answer, Update, expiry allocate nothing") {
    using counting_engine = server::engine<limits, xorshift, counting_handler>;
    counting_handler h;
    std::vector<slot> slots(4);
    std::vector<std::uint32_t> index(counting_engine::index_words(slots.size()));
    auto e = std::make_unique<counting_engine>(h, std::span<slot>{slots}, std::span<std::uint32_t>{index}, xorshift{});
    const std::vector<std::byte> r = reg({"ep=na", "lt=60", "lwm2m=1.1"}).build();
    std::array<std::byte, 1500> buf{};
    std::array<std::byte, 1500> answer_buf{};
    std::size_t allocations = 0;
    std::size_t sent = 0;
    bool parsed = false;
    {
        lwm2m::test::allocation_scope scope;
        e->on_datagram(exchange::peer_id{1}, r, time_point{});
        while (auto t = e->poll_transmit(buf)) ++sent;
        auto id = e->submit("na", server::request_spec::read(*path::make(3311, 0, 5851)), time_point{1s});
        if (auto t = e->poll_transmit(buf)) {
            ++sent;
            if (auto m = coap::parse(bytes_view{buf.data(), t->size})) {
                parsed = true;
                coap::message_builder<4> b;
                b.type(coap::message_type::acknowledgement).code(coap::code::content).message_id(m->message_id()).token(m->token());
                b.content_format(0).payload(std::string_view{"42"});
                if (auto n = b.serialize(mutable_bytes{answer_buf})) e->on_datagram(exchange::peer_id{1}, bytes_view{answer_buf.data(), *n}, time_point{2s});
            }
        }
        (void)id;
        e->on_timeout(time_point{100s});
        allocations = scope.count();
    }
    CHECK(allocations == 0);
    CHECK(parsed);
    CHECK(sent == 2);
    CHECK(h.events == 2);  // registered, expired
    CHECK(h.results == 1);
    CHECK(h.records == 1);
}

namespace {

/** A recorder that lets each peer hold only the endpoints its credentials name (as a DTLS identity would). */
struct guarded_recorder : recorder {
    std::multimap<std::uint32_t, std::string> allowed;  // peer -> endpoint
    std::vector<std::pair<std::uint32_t, std::string>> asked;
    bool may_register(exchange::peer_id p, std::string_view endpoint) {
        asked.emplace_back(p.value, std::string(endpoint));
        for (auto [it, end] = allowed.equal_range(p.value); it != end; ++it)
            if (it->second == endpoint) return true;
        return false;
    }
};
static_assert(server::registration_authorizer<guarded_recorder>);
static_assert(!server::registration_authorizer<recorder>);

} // namespace

TEST_CASE("Core §7.1 endpoint names bound to credentials (registration_authorizer): 4.03 to Register, 4.04 to a foreign Update/De-register") {
    guarded_recorder rec;
    rec.allowed = {{1, "light-1"}, {2, "light-2"}, {3, "light-1"}};  // peer 3: light-1 from a new address
    std::vector<slot> slots(4);
    std::vector<std::uint32_t> index(server::engine<limits, xorshift, guarded_recorder>::index_words(slots.size()));
    server::engine<limits, xorshift, guarded_recorder> engine{rec, slots, index, xorshift{}};
    const auto feed = [&](std::uint32_t peer, const dgram& d) {
        engine.on_datagram(exchange::peer_id{peer}, d.build(), time_point{});
        std::vector<std::vector<std::byte>> out;
        std::array<std::byte, 1500> buf{};
        while (auto t = engine.poll_transmit(buf)) out.emplace_back(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(t->size));
        return single_answer(out);
    };

    // Peer 2 may not take light-1's name: 4.03 Forbidden, nothing registered.
    CHECK(feed(2, reg({"ep=light-1"}, "</3/0>", 10)).code == coap::code::forbidden);
    CHECK(engine.registration_count() == 0);
    CHECK(rec.events.empty());
    // Its own name and peer 1's: 2.01.
    const answer two = feed(2, reg({"ep=light-2"}, "</3/0>", 11));
    CHECK(two.code == coap::code::created);
    const answer one = feed(1, reg({"ep=light-1"}, "</3/0>", 12));
    REQUIRE(one.code == coap::code::created);
    REQUIRE(one.location.size() == 2);
    const std::string light1 = "/rd/" + one.location[1];

    // Peer 2 knows light-1's location: its Update and De-register get 4.04 and change nothing.
    dgram update{coap::code::post, light1, {"lt=999"}, "", std::nullopt, 13};
    CHECK(feed(2, update).code == coap::code::not_found);
    dgram remove{coap::code::delete_, light1, {}, "", std::nullopt, 14};
    CHECK(feed(2, remove).code == coap::code::not_found);
    REQUIRE(engine.find("light-1").has_value());
    CHECK(engine.find("light-1")->lifetime == 86400);
    CHECK(engine.find("light-1")->peer == exchange::peer_id{1});

    // light-1's own credentials from a new address (peer 3, e.g. after a NAT rebinding): allowed, the peer moves.
    update.mid = 15;
    CHECK(feed(3, update).code == coap::code::changed);
    CHECK(engine.find("light-1")->lifetime == 999);
    CHECK(engine.find("light-1")->peer == exchange::peer_id{3});
    // The registration's own peer is not asked again.
    const std::size_t asked = rec.asked.size();
    remove.mid = 16;
    CHECK(feed(3, remove).code == coap::code::deleted);
    CHECK(rec.asked.size() == asked);
    CHECK(!engine.find("light-1").has_value());
}
