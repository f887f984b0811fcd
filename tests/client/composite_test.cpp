// Composite operations and Send (LwM2M 1.1 Core §6.3.8, §6.3.9, §6.4.3) with SenML.
#include <lwm2m/client/client.hpp>

#include <doctest/doctest.h>

#include "sim_world.hpp"

using namespace lwm2m;
using namespace lwm2m::test;

TEST_CASE("LwM2M 1.1 §6.3.8 Read-Composite: FETCH / with a SenML JSON path list") {
    sim_world w;
    w.register_client();
    const auto r = w.request(coap::code::fetch, "/", [](auto& b) { b.content_format(110); },
                             bytes_of(R"([{"n":"/3/0/0"},{"n":"/3311/1/5851"},{"n":"/3311/9"}])"));
    CHECK(r.code == coap::code::content);
    CHECK(r.content_format == std::optional<std::uint16_t>{110});
    CHECK(r.text() == R"([{"bn":"/","n":"3/0/0","vs":"Open Mobile Alliance"},{"n":"3311/1/5851","v":50}])");
    CHECK(w.request(coap::code::fetch, "/", [](auto& b) { b.content_format(110); }, bytes_of(R"([{"n":"/3311/9"}])")).code ==
          coap::code::not_found);
    CHECK(w.request(coap::code::fetch, "/", [](auto& b) { b.content_format(0); }, bytes_of("x")).code ==
          coap::code::unsupported_content_format);
    CHECK(w.request(coap::code::fetch, "/3", [](auto& b) { b.content_format(110); }, bytes_of("[]")).code ==
          coap::code::method_not_allowed);
}

TEST_CASE("LwM2M 1.1 §6.3.9 Write-Composite: iPATCH / with SenML records, all or nothing") {
    sim_world w;
    w.register_client();
    const auto r = w.request(coap::code::ipatch, "/", [](auto& b) { b.content_format(110); },
                             bytes_of(R"([{"n":"/3311/0/5851","v":9},{"n":"/3311/1/5850","vb":true}])"));
    CHECK(r.code == coap::code::changed);
    CHECK(w.lights.lights[0].dimmer == 9);
    CHECK(w.lights.lights[1].on);
    const auto bad = w.request(coap::code::ipatch, "/", [](auto& b) { b.content_format(110); },
                               bytes_of(R"([{"n":"/3311/0/5851","v":10},{"n":"/3/0/0","vs":"x"}])"));
    CHECK(bad.code == coap::code::method_not_allowed);
    CHECK(w.lights.lights[0].dimmer == 9);
}

TEST_CASE("LwM2M 1.1 §6.4.3 Send: POST /dp with SenML CBOR, acknowledged") {
    sim_world w;
    w.register_client();
    const path paths[] = {parse_path("/3311/0/5851").value()};
    auto h = w.client.send(101, paths, w.now);
    REQUIRE(h.has_value());
    w.run_for(2s);
    REQUIRE(w.server.requests.size() == 2);
    const sim_request& q = w.server.requests[1];
    CHECK(q.method == coap::code::post);
    CHECK(q.path == "/dp");
    CHECK(q.content_format == std::optional<std::uint16_t>{112});
    // [{-2: "/", 0: "3311/0/5851", 2: 50}]
    CHECK(q.payload == test::text_of(hex("81a321612f006b333331312f302f35383531021832")));
}

TEST_CASE("LwM2M 1.1 §6.4.3 Observe-Composite: FETCH / with Observe 0 notifies all listed values when one changes") {
    sim_world w;
    w.register_client();
    const auto h = w.server.send(coap::code::fetch, "/",
                                 [](auto& b) { b.observe(0).content_format(110); },
                                 bytes_of(R"([{"n":"/3311/0/5851"},{"n":"/3311/1/5850"}])"));
    const auto first = w.wait(h);
    REQUIRE(first.has_value());
    CHECK(first->code == coap::code::content);
    REQUIRE(first->observe.has_value());
    CHECK(first->text() == R"([{"bn":"/","n":"3311/0/5851","v":50},{"n":"3311/1/5850","vb":false}])");
    CHECK(w.client.observation_count() == 1);

    // A change of one listed resource: a notification with every listed value.
    CHECK(w.request(coap::code::put, "/3311/1/5850", [](auto& b) { b.content_format(0); }, bytes_of("1")).code ==
          coap::code::changed);
    const auto second = w.wait(h, 2, 5s);
    REQUIRE(second.has_value());
    REQUIRE(second->observe.has_value());
    CHECK(*second->observe > *first->observe);
    CHECK(second->content_format == std::optional<std::uint16_t>{110});
    CHECK(second->text() == R"([{"bn":"/","n":"3311/0/5851","v":50},{"n":"3311/1/5850","vb":true}])");
    // A change elsewhere (not listed): nothing.
    CHECK(w.request(coap::code::put, "/3311/0/5850", [](auto& b) { b.content_format(0); }, bytes_of("1")).code ==
          coap::code::changed);
    w.run_for(30s);
    CHECK(w.server.responses[h].size() == 2);
    // The application changes a listed value.
    w.lights.lights[0].dimmer = 77;
    w.client.value_changed(parse_path("/3311/0/5851").value(), w.now);
    const auto third = w.wait(h, 3, 5s);
    REQUIRE(third.has_value());
    CHECK(third->text() == R"([{"bn":"/","n":"3311/0/5851","v":77},{"n":"3311/1/5850","vb":true}])");

    // Forgetting it on the server side: the next notification gets a Reset and ends it.
    w.server.endpoint().cancel_observation(exchange::request_handle{h});
    w.lights.lights[0].dimmer = 78;
    w.client.value_changed(parse_path("/3311/0/5851").value(), w.now);
    w.run_for(5s);
    CHECK(w.client.observation_count() == 0);
}

TEST_CASE("LwM2M 1.1 §6.4.3 Observe-Composite: SenML CBOR answer on Accept, Observe=1 cancels, too many paths is a plain read") {
    sim_world w;
    w.register_client();
    // Fixed token so that Observe=1 can name the observation.
    std::array<std::byte, 256> buf{};
    const auto fetch = [&](std::uint32_t obs, std::uint16_t mid, std::string_view list) {
        coap::message_builder<8> b;
        const std::byte tok[] = {std::byte{7}, std::byte{7}};
        b.type(coap::message_type::confirmable).code(coap::code::fetch).message_id(mid).token(tok);
        b.observe(obs).content_format(110).accept(112);
        const auto body = bytes_of(list);  // the builder keeps a view: it must outlive serialize
        b.payload(body);
        const auto n = b.serialize(buf).value();
        w.client.on_datagram(exchange::peer_id{1}, bytes_view{buf.data(), n}, w.now);
        std::array<std::byte, 1500> out{};
        std::vector<std::byte> kept;
        while (auto t = w.client.poll_transmit(out)) {
            kept.assign(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(t->size));
            if (auto m = coap::parse(kept); m && m->message_id() == mid) return kept;
        }
        return std::vector<std::byte>{};
    };
    const auto a = fetch(0, 0x7100, R"([{"n":"/3311/0/5851"},{"n":"/3311/1/5851"}])");
    REQUIRE(!a.empty());
    const auto am = coap::parse(a);
    REQUIRE(am.has_value());
    CHECK(am->code() == coap::code::content);
    CHECK(am->content_format() == std::optional<std::uint16_t>{112});
    CHECK(am->observe().has_value());
    CHECK(w.client.observation_count() == 1);
    fetch(1, 0x7101, R"([{"n":"/3311/0/5851"},{"n":"/3311/1/5851"}])");
    CHECK(w.client.observation_count() == 0);
    // test_limits keep 4 paths per observation: 5 paths are read, not observed.
    const auto many = fetch(0, 0x7102,
                            R"([{"n":"/3311/0/5851"},{"n":"/3311/1/5851"},{"n":"/3311/0/5850"},{"n":"/3311/1/5850"},{"n":"/3/0/0"}])");
    const auto mm = coap::parse(many);
    REQUIRE(mm.has_value());
    CHECK(mm->code() == coap::code::content);
    CHECK_FALSE(mm->observe().has_value());
    CHECK(w.client.observation_count() == 0);
}
