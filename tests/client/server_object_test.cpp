// The built-in Server object (1) of the client engine (LwM2M 1.1.1 Core Appendix E.2): the
// LwM2M 1.1 resources 9-23 as object 1 v1.1 defines them (readable and writable by a DM
// server or not, present or not), in TLV and SenML, Mute Send, and the 1.0 object a client
// registering as 1.0 keeps.
#include <lwm2m/client/client.hpp>

#include <doctest/doctest.h>

#include "sim_world.hpp"

using namespace lwm2m;
using namespace lwm2m::test;

namespace {
constexpr std::uint16_t text_plain = 0;
constexpr std::uint16_t link_format = 40;
constexpr std::uint16_t senml_json = 110;
constexpr std::uint16_t tlv = 11542;

sim_response read(sim_world& w, std::string_view target, std::uint16_t accept) {
    return w.request(coap::code::get, target, [accept](coap::message_builder_base& b) { b.accept(accept); });
}
sim_response write(sim_world& w, coap::code method, std::string_view target, std::uint16_t cf, std::vector<std::byte> body) {
    return w.request(method, target, [cf](coap::message_builder_base& b) { b.content_format(cf); }, body);
}
} // namespace

TEST_CASE("LwM2M 1.1.1 E.2 Read /1/0 lists what is present and readable: 13-20 have no DM operation, 21 and 22 appear once written") {
    sim_world w;
    w.register_client();
    // Short Server ID 101, Lifetime 300, Disable Timeout 86400, Notification Storing true,
    // Binding "U", Mute Send false; no pmin/pmax (2, 3), no Last Bootstrapped (12).
    const auto before = read(w, "/1/0", senml_json);
    CHECK(before.code == coap::code::content);
    CHECK(before.text() == R"([{"bn":"/1/0/","n":"0","v":101},{"n":"1","v":300},{"n":"5","v":86400},)"
                           R"({"n":"6","vb":true},{"n":"7","vs":"U"},{"n":"23","vb":false}])");
    // Trigger (21) and Preferred Transport (22) by a Write partial update in SenML JSON.
    CHECK(write(w, coap::code::post, "/1/0", senml_json, bytes_of(R"([{"bn":"/1/0/","n":"21","vb":true},{"n":"22","vs":"T"}])"))
              .code == coap::code::changed);
    const auto after = read(w, "/1/0", tlv);
    CHECK(after.code == coap::code::content);
    // TLV resources 0 (1 byte), 1 (2), 5 (4), 6, 7 "U", 21 true, 22 "T", 23 false.
    CHECK(after.payload == hex("c10065 c201012c c40500015180 c10601 c10755 c11501 c11654 c11700"));
    const auto account = w.client.account(101);
    CHECK(account->trigger == std::optional<bool>{true});
    CHECK(account->preferred_transport == 'T');
    // A Write-replace of the instance drops them again (they are optional).
    CHECK(write(w, coap::code::put, "/1/0", senml_json,
                bytes_of(R"([{"bn":"/1/0/","n":"1","v":300},{"n":"6","vb":true},{"n":"7","vs":"U"}])"))
              .code == coap::code::changed);
    CHECK(read(w, "/1/0", senml_json).text() == before.text());
}

TEST_CASE("LwM2M 1.1.1 E.2 Discover /1/0 lists the resources present, 14-20 and 23 always, 13, 21, 22 once set") {
    sim_world w;
    w.register_client();
    const auto d = read(w, "/1/0", link_format);
    CHECK(d.code == coap::code::content);
    CHECK(d.text() == "</1/0>,</1/0/0>,</1/0/1>,</1/0/4>,</1/0/5>,</1/0/6>,</1/0/7>,</1/0/8>,</1/0/14>,</1/0/15>,"
                      "</1/0/16>,</1/0/17>,</1/0/18>,</1/0/19>,</1/0/20>,</1/0/23>");
    CHECK(read(w, "/1/0/21", text_plain).code == coap::code::not_found);
    CHECK(read(w, "/1/0/13", text_plain).code == coap::code::method_not_allowed);  // exists, no DM operation
}

TEST_CASE("LwM2M 1.1.1 E.2 Preferred Transport /1/x/22: one transport of U S T N") {
    sim_world w;
    w.register_client();
    CHECK(write(w, coap::code::put, "/1/0/22", text_plain, bytes_of("UQ")).code == coap::code::bad_request);
    CHECK(write(w, coap::code::put, "/1/0/22", text_plain, bytes_of("Q")).code == coap::code::bad_request);
    CHECK(read(w, "/1/0/22", text_plain).code == coap::code::not_found);
    CHECK(write(w, coap::code::put, "/1/0/22", text_plain, bytes_of("N")).code == coap::code::changed);
    const auto r = read(w, "/1/0/22", text_plain);
    CHECK(r.code == coap::code::content);
    CHECK(r.text() == "N");
}

TEST_CASE("LwM2M 1.1.1 E.2 Mute Send /1/x/23: true refuses the Send (errc::send_muted) and nothing is sent") {
    sim_world w;
    w.register_client();
    const path paths[] = {parse_path("/3311/0/5851").value()};
    // TLV: resource 23, 1 byte, true.
    CHECK(write(w, coap::code::put, "/1/0/23", tlv, hex("c11701")).code == coap::code::changed);
    CHECK(read(w, "/1/0/23", text_plain).text() == "1");
    const auto muted = w.client.send(101, paths, w.now);
    REQUIRE(!muted.has_value());
    CHECK(muted.error().code == errc::send_muted);
    w.run_for(5s);
    for (const auto& q : w.server.requests) CHECK(q.path != "/dp");
    CHECK(write(w, coap::code::put, "/1/0/23", text_plain, bytes_of("0")).code == coap::code::changed);
    REQUIRE(w.client.send(101, paths, w.now).has_value());
    w.run_for(2s);
    CHECK(w.server.requests.back().path == "/dp");
}

TEST_CASE("LwM2M 1.0 client: object 1 v1.0, resources 0-8 only, whatever the engine compiles in") {
    client::client_config c = sim_world::default_config();
    c.lwm2m_version = "1.0";
    sim_world w{1, {}, c};
    w.register_client();
    CHECK(read(w, "/1/0/23", text_plain).code == coap::code::not_found);
    CHECK(write(w, coap::code::put, "/1/0/23", text_plain, bytes_of("1")).code == coap::code::not_found);
    CHECK(read(w, "/1/0", link_format).text() ==
          "</1/0>,</1/0/0>,</1/0/1>,</1/0/4>,</1/0/5>,</1/0/6>,</1/0/7>,</1/0/8>");
    // Its registration procedure takes the 1.1 defaults all the same.
    CHECK(w.client.account(101)->retry_count == 5);
    CHECK(w.client.account(101)->bootstrap_on_failure);
}
