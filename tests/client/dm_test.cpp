// Device Management and Service Enablement (LwM2M 1.1 Core §6.3, 1.0 §5.4): exact response
// codes and payload bytes, through the engine and a scripted server.
#include <lwm2m/client/dm.hpp>
#include <lwm2m/client/objects/connectivity_monitoring.hpp>

#include <doctest/doctest.h>

#include "sim_world.hpp"

using namespace lwm2m;
using namespace lwm2m::test;

namespace {
auto accept(std::uint16_t cf) {
    return [cf](coap::message_builder_base& b) { b.accept(cf); };
}
auto content(std::uint16_t cf) {
    return [cf](coap::message_builder_base& b) { b.content_format(cf); };
}
} // namespace

TEST_CASE("LwM2M 1.1 §6.3.1 Read of a single resource without Accept is text/plain") {
    sim_world w;
    w.register_client();
    const auto r = w.request(coap::code::get, "/3/0/0");
    CHECK(r.code == coap::code::content);
    CHECK(r.content_format == std::optional<std::uint16_t>{0});
    CHECK(r.text() == "Open Mobile Alliance");
    const auto d = w.request(coap::code::get, "/3311/1/5851");
    CHECK(d.text() == "50");
}

TEST_CASE("LwM2M 1.0 §6.4.3 Read /3/0/0 as TLV (spec worked example bytes) and /3/0/7 as a Multiple Resource TLV") {
    sim_world w;
    w.register_client();
    const auto r = w.request(coap::code::get, "/3/0/0", accept(11542));
    CHECK(r.content_format == std::optional<std::uint16_t>{11542});
    CHECK(r.payload == hex("c800144f70656e204d6f62696c6520416c6c69616e6365"));
    const auto v = w.request(coap::code::get, "/3/0/7", accept(11542));
    CHECK(v.payload == hex("88070842000ed842011388"));  // {0: 3800, 1: 5000}
    const auto ri = w.request(coap::code::get, "/3/0/7/1", accept(0));
    CHECK(ri.text() == "5000");
}

TEST_CASE("LwM2M 1.1 §6.3.1 Read of an instance defaults to TLV; SenML JSON on Accept 110") {
    sim_world w;
    w.register_client();
    const auto r = w.request(coap::code::get, "/3311/0");
    CHECK(r.code == coap::code::content);
    CHECK(r.content_format == std::optional<std::uint16_t>{11542});
    // 5706 "white", 5805 12.5 (float32), 5850 false, 5851 50
    CHECK(r.payload == hex("e5" "164a" "7768697465" "e4" "16ad" "41480000" "e1" "16da" "00" "e1" "16db" "32"));
    const auto j = w.request(coap::code::get, "/3311/0", accept(110));
    CHECK(j.content_format == std::optional<std::uint16_t>{110});
    CHECK(j.text() ==
          R"([{"bn":"/3311/0/","n":"5706","vs":"white"},{"n":"5805","v":12.5},{"n":"5850","vb":false},{"n":"5851","v":50}])");
}

TEST_CASE("LwM2M 1.1 §6.3.1 error codes: 4.04 absent, 4.05 not readable, 4.06 unsupported Accept, 4.01 Security") {
    sim_world w;
    w.register_client();
    CHECK(w.request(coap::code::get, "/3311/7").code == coap::code::not_found);
    CHECK(w.request(coap::code::get, "/3311/0/5852").code == coap::code::not_found);  // not implemented
    CHECK(w.request(coap::code::get, "/3311/0/9999").code == coap::code::not_found);  // not in schema
    CHECK(w.request(coap::code::get, "/42").code == coap::code::not_found);
    CHECK(w.request(coap::code::get, "/3/0/4").code == coap::code::method_not_allowed);  // Reboot is E
    CHECK(w.request(coap::code::get, "/3/0", accept(0)).code == coap::code::not_acceptable);
    CHECK(w.request(coap::code::get, "/3/0/0", accept(50)).code == coap::code::not_acceptable);
    CHECK(w.request(coap::code::get, "/0/0/0").code == coap::code::unauthorized);
    CHECK(w.request(coap::code::get, "/0").code == coap::code::unauthorized);
    CHECK(w.request(coap::code::get, "/abc").code == coap::code::not_found);
    CHECK(w.request(coap::code::get, "/65535").code == coap::code::bad_request);
    CHECK(w.request(coap::code::get, "/").code == coap::code::method_not_allowed);
}

TEST_CASE("LwM2M 1.1 §6.3.4 Write: text and TLV, replace and partial update, and their errors") {
    sim_world w;
    w.register_client();
    CHECK(w.request(coap::code::put, "/3311/0/5850", content(0), bytes_of("1")).code == coap::code::changed);
    CHECK(w.lights.lights[0].on);
    CHECK(w.request(coap::code::put, "/3311/0/5851", content(0), bytes_of("101")).code == coap::code::bad_request);  // range 0..100
    CHECK(w.request(coap::code::put, "/3311/0/5851", content(0), bytes_of("x")).code == coap::code::bad_request);
    CHECK(w.request(coap::code::put, "/3311/0/5805", content(0), bytes_of("1.5")).code == coap::code::method_not_allowed);
    CHECK(w.request(coap::code::put, "/3/0/0", content(0), bytes_of("X")).code == coap::code::method_not_allowed);
    CHECK(w.request(coap::code::put, "/3311/0/5850", content(1234), bytes_of("1")).code ==
          coap::code::unsupported_content_format);
    CHECK(w.request(coap::code::put, "/3311/9/5850", content(0), bytes_of("1")).code == coap::code::not_found);
    CHECK(w.request(coap::code::put, "/3311", content(11542), hex("e116da01")).code == coap::code::method_not_allowed);
    // Partial update of instance 1: 5851 = 7 (TLV e1 16 db 07), colour unchanged.
    CHECK(w.request(coap::code::post, "/3311/1", content(11542), hex("e116db07")).code == coap::code::changed);
    CHECK(w.lights.lights[1].dimmer == 7);
    CHECK(w.lights.lights[1].colour == "white");
    // A payload naming a read-only resource is refused whole: nothing is written.
    const int before = w.lights.writes;
    CHECK(w.request(coap::code::post, "/3311/1", content(11542), hex("e116db08" "e416ad41480000")).code ==
          coap::code::method_not_allowed);
    CHECK(w.lights.writes == before);
    // SenML JSON write.
    CHECK(w.request(coap::code::put, "/3311/1/5706", content(110), bytes_of(R"([{"bn":"/3311/1/5706","vs":"red"}])")).code ==
          coap::code::changed);
    CHECK(w.lights.lights[1].colour == "red");
    // SenML CBOR write of a string in chunks (RFC 8949 §3.2.3): the joined string is written.
    // [{-2: "/3311/1/5706", 3: (_ "gr", "een")}]
    CHECK(w.request(coap::code::put, "/3311/1/5706", content(112),
                    concat({hex("81 a2 21 6c"), bytes_of("/3311/1/5706"), hex("03 7f 62"), bytes_of("gr"), hex("63"),
                            bytes_of("een"), hex("ff")}))
              .code == coap::code::changed);
    CHECK(w.lights.lights[1].colour == "green");
    // The Device object's own strings too.
    CHECK(w.request(coap::code::put, "/3/0/15", content(112),
                    concat({hex("81 a2 21 67"), bytes_of("/3/0/15"), hex("03 7f 67"), bytes_of("Europe/"), hex("65"),
                            bytes_of("Paris"), hex("ff")}))
              .code == coap::code::changed);
    CHECK(w.device.timezone() == "Europe/Paris");
    CHECK(w.request(coap::code::put, "/3/0/14", content(112),
                    concat({hex("81 a2 21 67"), bytes_of("/3/0/14"), hex("03 7f 63"), bytes_of("+01"), hex("63"),
                            bytes_of(":00"), hex("ff")}))
              .code == coap::code::changed);
    CHECK(w.device.utc_offset() == "+01:00");
    // Single-value CBOR null (read as no value): nothing to write, 4.00, the hook not called.
    const int before_null = w.lights.writes;
    CHECK(w.request(coap::code::put, "/3311/1/5706", content(60), hex("f6")).code == coap::code::bad_request);
    CHECK(w.lights.writes == before_null);
    CHECK(w.lights.lights[1].colour == "green");
    // Block1 that does not come whole: 4.13.
    const auto big = w.request(coap::code::put, "/3311/1/5706",
                               [](auto& b) { b.content_format(0).block1(coap::block_option{0, true, 2}); }, bytes_of("abc"));
    CHECK(big.code == coap::code::request_entity_too_large);
}

TEST_CASE("RFC 7959 §2.3 Block1 Write into a client with max_body: 2.31 per block, then one write of the whole value") {
    // test_limits plus MaxBody 512 (the endpoint reassembles; the object sees one Write).
    using block1_limits = client::client_limits<1152, 2, 8, 8, 16, 64, 2048, client::format_set::all, 16, 16, 16, 512>;
    basic_sim_world<block1_limits> w;
    w.register_client();
    std::string colour;
    for (int i = 0; i < 150; ++i) colour += static_cast<char>('a' + i % 26);
    const auto put_block = [&](std::uint32_t num, bool more, std::size_t from, std::size_t n) {
        return w.request(coap::code::put, "/3311/1/5706",
                         [&](coap::message_builder_base& b) { b.content_format(0).block1(coap::block_option{num, more, 2}); },
                         bytes_of(std::string_view{colour}.substr(from, n)));
    };
    const int writes_before = w.lights.writes;
    // 150 bytes in 64-byte blocks (SZX 2): 64 + 64 + 22.
    const auto b0 = put_block(0, true, 0, 64);
    CHECK(b0.code == coap::code::continue_);
    REQUIRE(b0.block1.has_value());
    CHECK(b0.block1->num == 0);
    CHECK(b0.block1->more);
    CHECK(w.lights.lights[1].colour == "white");  // nothing written before the last block
    CHECK(put_block(1, true, 64, 64).code == coap::code::continue_);
    const auto last = put_block(2, false, 128, 22);
    CHECK(last.code == coap::code::changed);
    REQUIRE(last.block1.has_value());
    CHECK(last.block1->num == 2);
    CHECK_FALSE(last.block1->more);
    CHECK(w.lights.lights[1].colour == colour);
    CHECK(w.lights.writes == writes_before + 1);
    CHECK(w.request(coap::code::get, "/3311/1/5706").text() == colour);  // read back (Block2 on the way out)

    // A block that does not continue the body: 4.08 (§2.9.2); nothing written.
    CHECK(put_block(0, true, 0, 64).code == coap::code::continue_);
    CHECK(put_block(2, false, 128, 22).code == coap::code::request_entity_incomplete);
    CHECK(w.lights.writes == writes_before + 1);
    // More than max_body: 4.13 with Size1 = 512 (§2.9.3).
    const auto big = w.request(coap::code::put, "/3311/1/5706",
                               [](coap::message_builder_base& b) { b.content_format(0).block1(coap::block_option{0, true, 2}).size1(4000); },
                               bytes_of(std::string(64, 'z')));
    CHECK(big.code == coap::code::request_entity_too_large);
    CHECK(big.size1 == std::optional<std::uint32_t>{512});
    CHECK(w.lights.lights[1].colour == colour);
}

TEST_CASE("LwM2M 1.1 §6.3.5 Execute: 2.04, 4.05 on a value resource, 4.00 on bad arguments, 4.04 absent") {
    sim_world w;
    w.register_client();
    CHECK(w.request(coap::code::post, "/3/0/4").code == coap::code::changed);
    CHECK(w.reboots == 1);
    CHECK(w.request(coap::code::post, "/3/0/4", {}, bytes_of("0='now',1")).code == coap::code::changed);
    CHECK(w.reboots == 2);
    CHECK(w.request(coap::code::post, "/3/0/4", {}, bytes_of("now")).code == coap::code::bad_request);
    CHECK(w.request(coap::code::post, "/3/0/0").code == coap::code::method_not_allowed);
    CHECK(w.request(coap::code::post, "/3/0/5").code == coap::code::not_found);  // no factory reset hook
    CHECK(w.request(coap::code::post, "/3/1/4").code == coap::code::not_found);
    CHECK(w.reboots == 2);
    CHECK(w.request(coap::code::post, "/3/0/12").code == coap::code::changed);  // Reset Error Code
}

TEST_CASE("LwM2M 1.1 §6.3.6/§6.3.7 Create and Delete") {
    sim_world w;
    w.register_client();
    // Client-chosen id: bare resources in TLV.
    const auto c = w.request(coap::code::post, "/3311", content(11542), hex("e116da01"));
    CHECK(c.code == coap::code::created);
    CHECK(c.location == std::vector<std::string>{"3311", "2"});
    REQUIRE(w.lights.find(2) != nullptr);
    CHECK(w.lights.find(2)->on);
    // Existing id: 4.00; mandatory On/Off missing: 4.00; executable in payload: none here.
    CHECK(w.request(coap::code::post, "/3311", content(11542), hex("080204e116da01")).code == coap::code::bad_request);
    CHECK(w.request(coap::code::post, "/3311", content(11542), hex("080904e116db01")).code == coap::code::bad_request);
    CHECK(w.lights.find(9) == nullptr);
    // Device has no create hook; and is single-instance.
    CHECK(w.request(coap::code::post, "/3", content(11542), hex("c10001")).code == coap::code::method_not_allowed);
    CHECK(w.request(coap::code::delete_, "/3311/2").code == coap::code::deleted);
    CHECK(w.lights.find(2) == nullptr);
    CHECK(w.request(coap::code::delete_, "/3311/2").code == coap::code::not_found);
    CHECK(w.request(coap::code::delete_, "/3/0").code == coap::code::method_not_allowed);
    CHECK(w.request(coap::code::delete_, "/3311").code == coap::code::method_not_allowed);
}

TEST_CASE("client::operation_set: operations left out are answered 4.05 (Discover 4.06); the others still work") {
    using lean = client::client_limits<1152, 2, 8, 8, 16, 64, 2048, client::format_set::all, 26, 32, 32, 0, 4, 64,
                                       client::operation_set::none>;
    static_assert(!client::contains(lean::operations, client::operation_set::discover));
    static_assert(client::contains(client::operation_set::all, client::operation_set::create_delete | client::operation_set::composite));
    basic_sim_world<lean> w;
    w.register_client();
    CHECK(w.request(coap::code::post, "/3311", content(11542), hex("e116da01")).code == coap::code::method_not_allowed);
    CHECK(w.lights.find(2) == nullptr);
    CHECK(w.request(coap::code::delete_, "/3311/0").code == coap::code::method_not_allowed);
    CHECK(w.lights.find(0) != nullptr);
    CHECK(w.request(coap::code::get, "/3/0", accept(40)).code == coap::code::not_acceptable);
    const auto paths = hex("81a100662f332f302f30");  // SenML CBOR [{0: "/3/0/0"}]
    CHECK(w.request(coap::code::fetch, "/", [](auto& b) { b.content_format(112).accept(112); }, paths).code ==
          coap::code::method_not_allowed);
    CHECK(w.request(coap::code::ipatch, "/", content(112), paths).code == coap::code::method_not_allowed);
    // What is always there: Read, Write, Execute, Write-Attributes.
    CHECK(w.request(coap::code::get, "/3/0/0").code == coap::code::content);
    CHECK(w.request(coap::code::put, "/3311/0/5851", content(0), bytes_of("40")).code == coap::code::changed);
    CHECK(w.request(coap::code::put, "/3311/0/5851", [](auto& b) { b.uri_query("pmin=5"); }).code == coap::code::changed);
    CHECK(w.request(coap::code::post, "/3/0/4").code == coap::code::changed);

    // The same requests to a client with every operation: Create and Read-Composite work.
    sim_world all;
    all.register_client();
    CHECK(all.request(coap::code::get, "/3/0", accept(40)).code == coap::code::content);
    CHECK(all.request(coap::code::fetch, "/", [](auto& b) { b.content_format(112).accept(112); }, paths).code ==
          coap::code::content);
    CHECK(all.request(coap::code::post, "/3311", content(11542), hex("e116da01")).code == coap::code::created);
}

TEST_CASE("LwM2M 1.1 §6.3.3 Discover with dim, and §6.3.4 Write-Attributes attached to it") {
    sim_world w;
    w.register_client();
    const auto d = w.request(coap::code::get, "/3/0", accept(40));
    CHECK(d.content_format == std::optional<std::uint16_t>{40});
    CHECK(d.text() ==
          "</3/0>,</3/0/0>,</3/0/1>,</3/0/3>,</3/0/4>,</3/0/6>;dim=2,</3/0/7>;dim=2,</3/0/8>;dim=2,</3/0/11>;dim=1,"
          "</3/0/12>,</3/0/14>,</3/0/15>,</3/0/16>");
    const auto wa = w.request(coap::code::put, "/3311/0/5851", [](auto& b) { b.uri_query("pmin=5").uri_query("gt=50"); });
    CHECK(wa.code == coap::code::changed);
    CHECK(w.request(coap::code::put, "/3311/0", [](auto& b) { b.uri_query("pmax=60"); }).code == coap::code::changed);
    const auto r = w.request(coap::code::get, "/3311/0", accept(40));
    CHECK(r.text() == "</3311/0>;pmax=60,</3311/0/5706>,</3311/0/5805>,</3311/0/5850>,</3311/0/5851>;pmin=5;gt=50");
    const auto res = w.request(coap::code::get, "/3/0/7", accept(40));
    CHECK(res.text() == "</3/0/7>;dim=2,</3/0/7/0>,</3/0/7/1>");
    // Errors: gt on instance level, on a non-numeric resource, lt >= gt, unknown attribute, bad value.
    CHECK(w.request(coap::code::put, "/3311/0", [](auto& b) { b.uri_query("gt=5"); }).code == coap::code::bad_request);
    CHECK(w.request(coap::code::put, "/3311/0/5706", [](auto& b) { b.uri_query("st=1"); }).code == coap::code::bad_request);
    CHECK(w.request(coap::code::put, "/3311/0/5851", [](auto& b) { b.uri_query("lt=60"); }).code == coap::code::bad_request);
    CHECK(w.request(coap::code::put, "/3311/0/5851", [](auto& b) { b.uri_query("foo=1"); }).code == coap::code::bad_request);
    CHECK(w.request(coap::code::put, "/3311/0/5851", [](auto& b) { b.uri_query("pmin=-1"); }).code == coap::code::bad_request);
    CHECK(w.request(coap::code::put, "/3311/8", [](auto& b) { b.uri_query("pmin=1"); }).code == coap::code::not_found);
    // Removing an attribute: "?pmin".
    CHECK(w.request(coap::code::put, "/3311/0/5851", [](auto& b) { b.uri_query("pmin"); }).code == coap::code::changed);
    // (A Resource target carries what it inherits too: pmax from /3311/0, LwM2M 1.1 Core §6.3.2.)
    CHECK(w.request(coap::code::get, "/3311/0/5851", accept(40)).text() == "</3311/0/5851>;pmax=60;gt=50");
}

TEST_CASE("LwM2M 1.1 §6.3.4 removing gt/lt/st where they cannot be set is accepted (a server's clear-all)") {
    // gt/lt/st apply to numeric resources only (Core §5.1.2): setting one elsewhere is 4.00, but
    // removing one that cannot be there changes nothing. Servers clear every attribute in one
    // request whatever the target (Wakaama's `clear`: ?pmin&pmax&gt&lt&st), so that is 2.04.
    sim_world w;
    w.register_client();
    REQUIRE(w.request(coap::code::put, "/3311/0", [](auto& b) { b.uri_query("pmax=60"); }).code == coap::code::changed);
    REQUIRE(w.request(coap::code::put, "/3311/0/5850", [](auto& b) { b.uri_query("pmin=2"); }).code == coap::code::changed);
    const auto clear_all = [](auto& b) { b.uri_query("pmin").uri_query("pmax").uri_query("gt").uri_query("lt").uri_query("st"); };
    CHECK(w.request(coap::code::put, "/3311/0/5850", clear_all).code == coap::code::changed);  // Boolean
    CHECK(w.request(coap::code::put, "/3311/0", clear_all).code == coap::code::changed);       // instance
    CHECK(w.request(coap::code::get, "/3311/0", accept(40)).text() ==
          "</3311/0>,</3311/0/5706>,</3311/0/5805>,</3311/0/5850>,</3311/0/5851>");
    // Setting them there is still refused, and nothing changes.
    CHECK(w.request(coap::code::put, "/3311/0/5850", [](auto& b) { b.uri_query("pmin=3").uri_query("gt=1"); }).code ==
          coap::code::bad_request);
    CHECK(w.request(coap::code::get, "/3311/0/5850", accept(40)).text() == "</3311/0/5850>");
}

TEST_CASE("RFC 7959 §2.4 a Read larger than one block is served block-wise") {
    sim_world w;
    w.register_client();
    // Ask for 16-byte blocks of /3/0 in TLV and reassemble.
    std::vector<std::byte> whole;
    for (std::uint32_t num = 0; num < 64; ++num) {
        const auto r = w.request(coap::code::get, "/3/0", [num](auto& b) { b.accept(11542).block2(coap::block_option{num, false, 0}); });
        REQUIRE(r.code == coap::code::content);
        REQUIRE(r.block2.has_value());
        CHECK(r.block2->num == num);
        whole.insert(whole.end(), r.payload.begin(), r.payload.end());
        if (!r.block2->more) break;
    }
    const auto all = w.request(coap::code::get, "/3/0", accept(11542));
    CHECK(whole == all.payload);
    CHECK(whole.size() > 64);
}

TEST_CASE("LwM2M 1.0 §6.4.3.1 a Multiple Resource with no instances reads as its TLV header with length 0") {
    sim_world w;
    client::connectivity_monitoring_object conn;  // /4/0/4 IP Addresses: mandatory, none yet
    REQUIRE(w.client.add_object(conn).has_value());
    w.register_client();
    const auto tlv = w.request(coap::code::get, "/4/0/4", accept(11542));
    REQUIRE(tlv.code == coap::code::content);
    CHECK(tlv.payload == hex("8004"));  // type 10 (Multiple Resource), 8-bit id 4, length 0
    const auto senml = w.request(coap::code::get, "/4/0/4", accept(110));
    REQUIRE(senml.code == coap::code::content);
    CHECK(senml.text() == "[]");
    // With one address it is an ordinary Multiple Resource TLV.
    conn.ip_addresses[0] = "10.0.0.7";
    conn.ip_address_count = 1;
    CHECK(w.request(coap::code::get, "/4/0/4", accept(11542)).payload == hex("88040b48000831302e302e302e37"));
}

TEST_CASE("Execute arguments (LwM2M 1.1 §6.3.5 syntax)") {
    using client::execute_args;
    CHECK(execute_args{""}.valid());
    CHECK(execute_args{"0"}.valid());
    CHECK(execute_args{"0='a b',1,9='x'"}.valid());
    CHECK_FALSE(execute_args{"0="}.valid());
    CHECK_FALSE(execute_args{"0='a"}.valid());
    CHECK_FALSE(execute_args{"a"}.valid());
    CHECK_FALSE(execute_args{"0,"}.valid());
    CHECK_FALSE(execute_args{"01"}.valid());
    const auto a = execute_args{"0='a b',1"}.find(0);
    REQUIRE(a);
    CHECK(a->value == std::optional<std::string_view>{"a b"});
    CHECK(execute_args{"0='a b',1"}.find(1)->value == std::nullopt);
    CHECK_FALSE(execute_args{"0='a b',1"}.find(2));
}

namespace {
// The leanest client with thresholds: no record list, no other optional operation, no room for
// the instances of a multi-instance resource's thresholds (threshold_instances 0).
using no_records = client::client_limits<1152, 2, 8, 8, 16, 0, 0, client::format_set::all, 26, 32, 32, 0, 0, 64,
                                         client::operation_set::thresholds, 0>;
// The same without gt/lt/st (operation_set::none).
using no_thresholds = client::client_limits<1152, 2, 8, 8, 16, 0, 0, client::format_set::all, 26, 32, 32, 0, 0, 64,
                                            client::operation_set::none, 0>;
} // namespace

TEST_CASE("A client with no record list (0 records, 0 arena bytes) still reads objects of any size, in every format") {
    // Reads are encoded straight from the objects (client/streamed_read.hpp): the record list
    // is only for the composite operations and Send, left out here.
    basic_sim_world<no_records> lean;
    sim_world full;
    for (std::uint16_t id = 2; id < 40; ++id) {  // 40 lamps: 160 values, more than a datagram holds
        lean.lights.lights.push_back({id});
        full.lights.lights.push_back({id});
    }
    lean.register_client();
    full.register_client();
    for (const char* target : {"/3", "/3/0", "/3/0/7", "/3/0/7/1", "/3311/5", "/3311"})
        for (std::uint16_t cf : {11542, 110, 112}) {
            CAPTURE(target);
            CAPTURE(cf);
            const auto got = lean.request(coap::code::get, target, accept(cf));
            const auto want = full.request(coap::code::get, target, accept(cf));
            CHECK(got.code == coap::code::content);
            CHECK(got.payload == want.payload);
            CHECK(!got.payload.empty());
        }
    CHECK(lean.request(coap::code::get, "/3/0/0").text() == "Open Mobile Alliance");
}

TEST_CASE("LwM2M 1.2 §5.1.2 a client with threshold_instances 0 refuses gt/lt/st on a whole Multiple-Instance Resource only") {
    basic_sim_world<no_records> w;
    w.register_client();
    const auto q = [](std::string_view a) { return [a](coap::message_builder_base& b) { b.uri_query(a); }; };
    CHECK(w.request(coap::code::put, "/3/0/7", q("gt=4000")).code == coap::code::bad_request);
    CHECK(w.request(coap::code::put, "/3/0/7", q("st=100")).code == coap::code::bad_request);
    CHECK(w.request(coap::code::put, "/3/0/7", q("pmin=10")).code == coap::code::changed);
    CHECK(w.request(coap::code::put, "/3/0/7/1", q("gt=4000")).code == coap::code::changed);  // one instance: a single value
    CHECK(w.request(coap::code::put, "/3/0/7", q("gt")).code == coap::code::changed);          // removing: a no-op
}

TEST_CASE("LwM2M 1.1 Core §5.1.2 a client built without operation_set::thresholds refuses gt/lt/st (4.00), keeps pmin/pmax") {
    static_assert(client::contains(client::operation_set::all, client::operation_set::thresholds));
    basic_sim_world<no_thresholds> w;
    w.register_client();
    const auto q = [](std::string_view a) { return [a](coap::message_builder_base& b) { b.uri_query(a); }; };
    for (const char* t : {"gt=4000", "lt=1", "st=0.5"}) {
        CAPTURE(t);
        CHECK(w.request(coap::code::put, "/3/0/7/1", q(t)).code == coap::code::bad_request);
        CHECK(w.request(coap::code::put, "/3311/0/5851", q(t)).code == coap::code::bad_request);
    }
    CHECK(w.request(coap::code::put, "/3311/0/5851", [](auto& b) { b.uri_query("pmin=5").uri_query("gt=50"); }).code ==
          coap::code::bad_request);  // nothing of that request is kept
    CHECK(w.request(coap::code::put, "/3311/0/5851", q("pmin=5")).code == coap::code::changed);
    CHECK(w.request(coap::code::put, "/3311/0/5851", q("pmax=60")).code == coap::code::changed);
    CHECK(w.request(coap::code::put, "/3311/0/5851", q("gt")).code == coap::code::changed);  // removing: a no-op
    // With thresholds (the same limits otherwise), gt on a single value is taken.
    basic_sim_world<no_records> with;
    with.register_client();
    CHECK(with.request(coap::code::put, "/3311/0/5851", q("gt=50")).code == coap::code::changed);
}
