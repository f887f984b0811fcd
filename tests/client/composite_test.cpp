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
