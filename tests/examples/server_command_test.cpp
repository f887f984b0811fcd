// Tests of the lwm2m-server example's command protocol (examples/lwm2m-server/command.hpp):
// every operation parsed, every error reason; and of its output lines
// (examples/lwm2m-server/output.hpp): replies, errors and events byte-exact, SenML JSON values
// of every kind, JSON escaping of strings and of bytes that are not UTF-8.

#include "../../examples/lwm2m-server/command.hpp"
#include "../../examples/lwm2m-server/output.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

namespace server_command_test {

using lwm2m_server::op;
using lwm2m_server::parse_command;

lwm2m::path P(std::string_view text) { return lwm2m::parse_path(text).value(); }

/** The command of a line that must parse. */
lwm2m_server::command ok(std::string line) {
    auto r = parse_command(line);
    INFO("line: ", line);
    REQUIRE_MESSAGE(r.ok(), "error: ", r.error);
    return std::move(r.cmd);
}

/** The reason a line is rejected. */
std::string bad(std::string line) {
    auto r = parse_command(line);
    INFO("line: ", line);
    REQUIRE_MESSAGE(!r.ok(), "parsed although invalid");
    return r.error;
}

std::string decoded(const lwm2m::value& v) {
    std::string s;
    REQUIRE(lwm2m::for_each_value_byte(v, [&](std::byte b) { s += static_cast<char>(b); }).has_value());
    return s;
}

} // namespace server_command_test

using namespace server_command_test;

TEST_CASE("server command: every op parses") {
    auto c = ok(R"({"id":1,"op":"list"})");
    CHECK(c.operation == op::list);
    CHECK(c.id == "1");

    c = ok(R"({"id":"r1","op":"read","ep":"light-1","path":"/3/0","format":"senml-json"})");
    CHECK(c.operation == op::read);
    CHECK(c.id == R"("r1")");
    CHECK(c.ep == "light-1");
    CHECK_FALSE(c.is_group());
    CHECK(c.path == P("/3/0"));
    CHECK(c.format == lwm2m::format::content_format::senml_json);

    c = ok(R"({"id":2,"op":"write","group":["a","b"],"path":"/3311/0/5850","value":false})");
    CHECK(c.operation == op::write);
    CHECK(c.is_group());
    CHECK(c.group == std::vector<std::string>{"a", "b"});
    REQUIRE(c.value.has_value());
    CHECK(*c.value == lwm2m::value::of_boolean(false));
    CHECK_FALSE(c.partial);

    c = ok(R"({"id":3,"op":"write","ep":"a","path":"/3311/0","partial":true,"format":"tlv",)"
           R"("content":[{"bn":"/3311/0/","n":"5850","vb":true},{"n":"5851","v":50},{"n":"5750","vs":"a \"b\""}]})");
    CHECK(c.partial);
    CHECK(c.has_content);
    CHECK(c.format == lwm2m::format::content_format::tlv);
    REQUIRE(c.content.size() == 3);
    CHECK(c.content[0].path == P("/3311/0/5850"));
    CHECK(c.content[0].value == lwm2m::value::of_boolean(true));
    CHECK(c.content[1].path == P("/3311/0/5851"));
    CHECK(c.content[1].value == lwm2m::value::of_integer(50));
    CHECK(decoded(c.content[2].value) == "a \"b\"");
    // The views survive moving the command.
    lwm2m_server::command moved = std::move(c);
    CHECK(decoded(moved.content[2].value) == "a \"b\"");

    c = ok(R"({"id":4,"op":"execute","ep":"a","path":"/3/0/4","args":"0='x'"})");
    CHECK(c.operation == op::execute);
    CHECK(c.args == std::optional<std::string>{"0='x'"});
    c = ok(R"({"id":5,"op":"execute","ep":"a","path":"/3/0/4"})");
    CHECK_FALSE(c.args.has_value());

    c = ok(R"({"id":6,"op":"discover","ep":"a","path":"/3"})");
    CHECK(c.operation == op::discover);

    c = ok(R"({"id":7,"op":"write-attributes","ep":"a","path":"/3/0/9","attributes":{"pmin":10,"pmax":60,"gt":20.5,"lt":null,"st":1,"epmin":1,"epmax":30}})");
    CHECK(c.operation == op::write_attributes);
    REQUIRE(c.attributes.size() == 7);
    CHECK(c.attributes[0].name == lwm2m::attribute_name::pmin);
    CHECK(c.attributes[0].value == 10);
    CHECK(c.attributes[2].name == lwm2m::attribute_name::gt);
    CHECK(c.attributes[2].value == 20.5);
    CHECK(c.attributes[3].name == lwm2m::attribute_name::lt);
    CHECK(c.attributes[3].remove);
    CHECK(c.attributes[6].name == lwm2m::attribute_name::epmax);

    c = ok(R"({"id":8,"op":"observe","ep":"a","path":"/3/0/9","format":"senml-cbor"})");
    CHECK(c.operation == op::observe);
    c = ok(R"({"id":9,"op":"cancel-observe","ep":"a","path":"/3/0/9"})");
    CHECK(c.operation == op::cancel_observe);
    c = ok(R"({"id":10,"op":"cancel-observe","ep":"a","paths":["/3/0/9","/3/0/13"]})");
    CHECK(c.paths.size() == 2);

    c = ok(R"({"id":11,"op":"create","ep":"a","path":"/3311","content":[{"n":"/3311/1/5850","vb":true}]})");
    CHECK(c.operation == op::create);
    CHECK(c.content.size() == 1);
    c = ok(R"({"id":12,"op":"create","ep":"a","path":"/3311","content":[]})");
    CHECK(c.has_content);
    CHECK(c.content.empty());
    c = ok(R"({"id":13,"op":"create","ep":"a","path":"/3311"})");
    CHECK_FALSE(c.has_content);

    c = ok(R"({"id":14,"op":"delete","ep":"a","path":"/3311/1"})");
    CHECK(c.operation == op::delete_);

    c = ok(R"({"id":15,"op":"read-composite","ep":"a","paths":["/3/0/0","/3311/0","/"],"format":"lwm2m-cbor"})");
    CHECK(c.operation == op::read_composite);
    REQUIRE(c.paths.size() == 3);
    CHECK(c.paths[0] == P("/3/0/0"));
    CHECK(c.paths[2] == lwm2m::path::root());

    c = ok(R"({"id":16,"op":"write-composite","ep":"a","content":[{"n":"/3311/0/5850","vb":false},{"n":"/1/0/1","v":300}]})");
    CHECK(c.operation == op::write_composite);
    REQUIRE(c.content.size() == 2);
    CHECK(c.content[1].path == P("/1/0/1"));

    c = ok(R"({"id":17,"op":"observe-composite","group":["x"],"paths":["/3/0/9"]})");
    CHECK(c.operation == op::observe_composite);

    // Whitespace, member order, escaped keys and names, no id.
    c = ok(" { \"op\" : \"read\" ,\n\"path\":\"/3/0/0\", \"e\\u0070\":\"caf\\u00e9\" } \r\n");
    CHECK(c.id.empty());
    CHECK(c.ep == "caf\xc3\xa9");

    for (std::size_t i = 0; i < std::size(lwm2m_server::detail::op_names); ++i)
        CHECK(lwm2m_server::op_from_name(lwm2m_server::name(static_cast<op>(i))) == static_cast<op>(i));
}

TEST_CASE("server command: values of a single-resource write") {
    // Numbers and booleans are held by value.
    const auto value_of = [](std::string json) {
        return *ok(R"({"op":"write","ep":"a","path":"/1/0/1","value":)" + json + "}").value;
    };
    CHECK(value_of("300") == lwm2m::value::of_integer(300));
    CHECK(value_of("-5") == lwm2m::value::of_integer(-5));
    CHECK(value_of("18446744073709551615") == lwm2m::value::of_unsigned(18446744073709551615ull));
    CHECK(value_of("2.5") == lwm2m::value::of_float(2.5));
    CHECK(value_of("1e3") == lwm2m::value::of_float(1000.0));
    CHECK(value_of("99999999999999999999") == lwm2m::value::of_float(1e20));
    CHECK(value_of("true") == lwm2m::value::of_boolean(true));
    // String values view the command's line: keep the command alive while using them.
    const auto plain = ok(R"({"op":"write","ep":"a","path":"/3/0/14","value":"plain"})");
    CHECK(decoded(*plain.value) == "plain");
    CHECK(plain.value->encoding() == lwm2m::text_encoding::raw);
    const auto escaped = ok(R"({"op":"write","ep":"a","path":"/3/0/14","value":"tab\there"})");
    CHECK(decoded(*escaped.value) == "tab\there");
    CHECK(escaped.value->encoding() == lwm2m::text_encoding::json_escaped);
}

TEST_CASE("server command: every error reason") {
    // Line-level JSON.
    CHECK(bad("") == "empty command");
    CHECK(bad("  \t") == "empty command");
    CHECK(bad(R"({"id":1,"op":"read",})") == "invalid JSON at byte 20");
    CHECK(bad(R"({"id":1,"op":"read","ep":"a","path":"/3/0"} x)") == "invalid JSON at byte 44");
    CHECK(bad(R"({"id":1,"op":"re)") == "invalid JSON at byte 13");  // the unterminated string
    CHECK(bad("{\"id\":1,\"op\":\"\xff\"}") == "invalid UTF-8 at byte 14");
    CHECK(bad(R"([1,2])") == "command is not a JSON object");
    CHECK(bad(R"("read")") == "command is not a JSON object");
    CHECK(bad(R"({"id":1,"op":"read","oops":1})") == R"(unknown member "oops")");
    CHECK(bad(R"({"id":1,"op":"read","op":"list"})") == R"(duplicate member "op")");

    // id and op.
    CHECK(bad(R"({"id":null,"op":"list"})") == R"("id" must be a number or a string)");
    CHECK(bad(R"({"id":[1],"op":"list"})") == R"("id" must be a number or a string)");
    CHECK(bad(R"({"id":1})") == R"(missing "op")");
    CHECK(bad(R"({"id":1,"op":5})") == R"("op" must be a string)");
    CHECK(bad(R"({"id":1,"op":"reed","ep":"a","path":"/3"})") == R"(unknown op "reed")");

    // Members an op does not take.
    CHECK(bad(R"({"op":"list","ep":"a"})") == R"("ep" is not allowed for list)");
    CHECK(bad(R"({"op":"read","ep":"a","path":"/3","value":1})") == R"("value" is not allowed for read)");
    CHECK(bad(R"({"op":"read-composite","ep":"a","path":"/3"})") == R"("path" is not allowed for read-composite)");
    CHECK(bad(R"({"op":"read","ep":"a","paths":["/3"]})") == R"("paths" is not allowed for read)");
    CHECK(bad(R"({"op":"discover","ep":"a","path":"/3","format":"tlv"})") == R"("format" is not allowed for discover)");
    CHECK(bad(R"({"op":"read","ep":"a","path":"/3","args":""})") == R"("args" is not allowed for read)");
    CHECK(bad(R"({"op":"read","ep":"a","path":"/3","partial":true})") == R"("partial" is not allowed for read)");
    CHECK(bad(R"({"op":"observe","ep":"a","path":"/3","attributes":{"pmin":1}})") == R"("attributes" is not allowed for observe)");
    CHECK(bad(R"({"op":"delete","ep":"a","path":"/3/0","content":[]})") == R"("content" is not allowed for delete)");

    // Target.
    CHECK(bad(R"({"id":1,"op":"read","path":"/3/0"})") == R"(missing "ep" or "group")");
    CHECK(bad(R"({"op":"read","ep":"a","group":["b"],"path":"/3"})") == R"(both "ep" and "group" given)");
    CHECK(bad(R"({"op":"read","ep":1,"path":"/3"})") == R"("ep" must be a string)");
    CHECK(bad(R"({"op":"read","ep":"","path":"/3"})") == R"("ep" must not be empty)");
    CHECK(bad(R"({"op":"read","group":[],"path":"/3"})") == R"("group" must be a non-empty array of non-empty strings)");
    CHECK(bad(R"({"op":"read","group":"a","path":"/3"})") == R"("group" must be a non-empty array of non-empty strings)");
    CHECK(bad(R"({"op":"read","group":["a",2],"path":"/3"})") == R"("group" must be a non-empty array of non-empty strings)");
    CHECK(bad(R"({"op":"read","group":["a",""],"path":"/3"})") == R"("group" must be a non-empty array of non-empty strings)");
    CHECK(bad(R"({"op":"read","group":["a","a"],"path":"/3"})") == R"(duplicate endpoint "a" in "group")");

    // Paths.
    CHECK(bad(R"({"op":"read","ep":"a"})") == R"(missing "path")");
    CHECK(bad(R"({"op":"read","ep":"a","path":3})") == R"("path" must be a string)");
    CHECK(bad(R"({"op":"read","ep":"a","path":"/3/x"})") == R"(bad path "/3/x")");
    CHECK(bad(R"({"op":"read","ep":"a","path":"3/0"})") == R"(bad path "3/0")");
    CHECK(bad(R"({"op":"read","ep":"a","path":"/65535"})") == R"(bad path "/65535")");
    CHECK(bad(R"({"op":"read","ep":"a","path":"/1/2/3/4/5"})") == R"(bad path "/1/2/3/4/5")");
    CHECK(bad(R"({"op":"read-composite","ep":"a"})") == R"(missing "paths")");
    CHECK(bad(R"({"op":"read-composite","ep":"a","paths":[]})") == R"("paths" must be a non-empty array of path strings)");
    CHECK(bad(R"({"op":"read-composite","ep":"a","paths":"/3"})") == R"("paths" must be a non-empty array of path strings)");
    CHECK(bad(R"({"op":"read-composite","ep":"a","paths":["/3",4]})") == R"("paths" must be a non-empty array of path strings)");
    CHECK(bad(R"({"op":"observe-composite","ep":"a","paths":["/3","/3/"]})") == R"(bad path "/3/" in "paths")");
    CHECK(bad(R"({"op":"cancel-observe","ep":"a"})") == R"(cancel-observe needs "path" or "paths")");
    CHECK(bad(R"({"op":"cancel-observe","ep":"a","path":"/3","paths":["/3"]})") == R"(cancel-observe needs "path" or "paths")");

    // Levels.
    CHECK(bad(R"({"op":"read","ep":"a","path":"/"})") == R"(path "/" must name at least an object for read)");
    CHECK(bad(R"({"op":"observe","ep":"a","path":"/"})") == R"(path "/" must name at least an object for observe)");
    CHECK(bad(R"({"op":"execute","ep":"a","path":"/3/0"})") == R"(path "/3/0" must name a resource for execute)");
    CHECK(bad(R"({"op":"discover","ep":"a","path":"/3/0/7/0"})") == R"(path "/3/0/7/0" must name an object, instance or resource for discover)");
    CHECK(bad(R"({"op":"create","ep":"a","path":"/3311/0"})") == R"(path "/3311/0" must name an object for create)");
    CHECK(bad(R"({"op":"delete","ep":"a","path":"/3311"})") == R"(path "/3311" must name an instance or resource instance for delete)");
    CHECK(bad(R"({"op":"write","ep":"a","path":"/3311","content":[{"n":"/3311/0/5850","vb":true}]})") == R"(path "/3311" must name an instance, resource or resource instance for write)");
    CHECK(bad(R"({"op":"write","ep":"a","path":"/3311/0","value":1})") == R"(path "/3311/0" must name a resource or resource instance for a "value")");
    CHECK(bad(R"({"op":"write-attributes","ep":"a","path":"/","attributes":{"pmin":1}})") == R"(path "/" must name at least an object for write-attributes)");

    // Format.
    CHECK(bad(R"({"op":"read","ep":"a","path":"/3","format":"xml"})") == R"(unknown format "xml")");
    CHECK(bad(R"({"op":"read","ep":"a","path":"/3","format":110})") == R"("format" must be a string)");
    CHECK(bad(R"({"op":"read","ep":"a","path":"/3","format":"link"})") == R"(unknown format "link")");
    CHECK(bad(R"({"op":"read-composite","ep":"a","paths":["/3"],"format":"tlv"})") == R"(format "tlv" cannot carry read-composite)");
    CHECK(bad(R"({"op":"write-composite","ep":"a","format":"oma-json","content":[{"n":"/3/0/1","vs":"x"}]})") == R"(format "oma-json" cannot carry write-composite)");
    CHECK(bad(R"({"op":"write","ep":"a","path":"/3/0/1","format":"text","content":[{"n":"/3/0/1","vs":"x"}]})") == R"(format "text" cannot carry "content"; use "value")");

    // Write: value and content.
    CHECK(bad(R"({"op":"write","ep":"a","path":"/3/0/1"})") == R"(write needs "value" or "content")");
    CHECK(bad(R"({"op":"write","ep":"a","path":"/3/0/1","value":1,"content":[{"n":"/3/0/1","v":1}]})") == R"(both "value" and "content" given)");
    CHECK(bad(R"({"op":"write","ep":"a","path":"/3/0/1","value":null})") == R"("value" must be a string, number or boolean)");
    CHECK(bad(R"({"op":"write","ep":"a","path":"/3/0/1","value":[1]})") == R"("value" must be a string, number or boolean)");
    CHECK(bad(R"({"op":"write","ep":"a","path":"/3/0/1","value":1e999})") == R"("value" 1e999 is out of range)");
    CHECK(bad(R"({"op":"write","ep":"a","path":"/3/0/1","value":1,"partial":1})") == R"("partial" must be true or false)");
    CHECK(bad(R"({"op":"write-composite","ep":"a"})") == R"(missing "content")");
    CHECK(bad(R"({"op":"write-composite","ep":"a","content":[]})") == R"(empty "content")");
    CHECK(bad(R"({"op":"write","ep":"a","path":"/3/0","content":{"n":"/3/0/1"}})") == R"("content" must be an array of SenML records)");
    CHECK(bad(R"({"op":"write","ep":"a","path":"/3/0","content":[{"n":"/3/0/1"}]})") ==
          R"(bad "content" at byte 48: a SenML record breaks RFC 8428 (no name, no value, bad label type))");
    CHECK(bad(R"({"op":"write","ep":"a","path":"/3/0","content":[{"n":"/4/0/1","v":1}]})") ==
          R"(bad "content" at byte 53: record name is not under "/3/0")");
    CHECK(bad(R"({"op":"write-composite","ep":"a","content":[{"n":"/3/0","v":1}]})") ==
          R"(bad "content" at byte 49: a record must name a resource or resource instance)");
    CHECK(bad(R"({"op":"write-composite","ep":"a","content":[{"n":"/3/0/1","vd":"!!"}]})") ==
          R"(bad "content" at byte 64: bad base64 / base64url text)");
    CHECK(bad(R"({"op":"write-composite","ep":"a","content":[{"n":"/3/0/1","vb":1}]})") ==
          R"(bad "content" at byte 63: a SenML record breaks RFC 8428 (no name, no value, bad label type))");

    // Execute and attributes.
    CHECK(bad(R"({"op":"execute","ep":"a","path":"/3/0/4","args":5})") == R"("args" must be a string)");
    CHECK(bad(R"({"op":"write-attributes","ep":"a","path":"/3/0/9"})") == R"(missing "attributes")");
    CHECK(bad(R"({"op":"write-attributes","ep":"a","path":"/3/0/9","attributes":{}})") == R"("attributes" must be a non-empty object)");
    CHECK(bad(R"({"op":"write-attributes","ep":"a","path":"/3/0/9","attributes":[1]})") == R"("attributes" must be a non-empty object)");
    CHECK(bad(R"({"op":"write-attributes","ep":"a","path":"/3/0/9","attributes":{"pmn":1}})") == R"(unknown attribute "pmn")");
    CHECK(bad(R"({"op":"write-attributes","ep":"a","path":"/3/0/9","attributes":{"pmin":1,"pmin":2}})") == R"(duplicate attribute "pmin")");
    CHECK(bad(R"({"op":"write-attributes","ep":"a","path":"/3/0/9","attributes":{"pmin":"1"}})") == R"(attribute "pmin" must be a number or null)");
    CHECK(bad(R"({"op":"write-attributes","ep":"a","path":"/3/0/9","attributes":{"pmin":1.5}})") == R"(attribute "pmin" must be a whole number of seconds (0..4294967295))");
    CHECK(bad(R"({"op":"write-attributes","ep":"a","path":"/3/0/9","attributes":{"pmax":-1}})") == R"(attribute "pmax" must be a whole number of seconds (0..4294967295))");
    CHECK(bad(R"({"op":"write-attributes","ep":"a","path":"/3/0/9","attributes":{"epmax":4294967296}})") == R"(attribute "epmax" must be a whole number of seconds (0..4294967295))");
    CHECK(bad(R"({"op":"write-attributes","ep":"a","path":"/3/0/9","attributes":{"st":-1}})") == R"(attribute "st" must not be negative)");
    CHECK(bad(R"({"op":"write-attributes","ep":"a","path":"/3/0/9","attributes":{"gt":1e999}})") == R"(attribute "gt" is out of range)");
    CHECK(bad(R"({"op":"write-attributes","ep":"a","path":"/3/0/9","attributes":{"gt":1,"lt":5}})") ==
          R"(inconsistent attributes (LwM2M 1.1 §5.1.2 needs lt < gt, lt + 2*st < gt, epmin <= epmax))");
    CHECK(bad(R"({"op":"write-attributes","ep":"a","path":"/3/0/9","attributes":{"epmin":10,"epmax":5}})") ==
          R"(inconsistent attributes (LwM2M 1.1 §5.1.2 needs lt < gt, lt + 2*st < gt, epmin <= epmax))");
}

TEST_CASE("server command: the id is echoed with the error whenever it was read") {
    auto r = parse_command(R"({"id":"x\"y","op":"reed"})");
    CHECK_FALSE(r.ok());
    CHECK(r.cmd.id == R"("x\"y")");
    CHECK(lwm2m_server::format_error(r.cmd.id, "", r.error) == R"({"id":"x\"y","error":"unknown op \"reed\""})");
    r = parse_command(R"({"id":42,"op":"read",)");
    CHECK(r.cmd.id == "42");
    CHECK(lwm2m_server::format_error(r.cmd.id, "", r.error) == R"({"id":42,"error":"invalid JSON at byte 21"})");
    r = parse_command(R"(nonsense)");
    CHECK(r.cmd.id.empty());
    CHECK(lwm2m_server::format_error(r.cmd.id, "", r.error) == R"({"error":"invalid JSON at byte 0"})");
}

TEST_CASE("server output: replies, errors and events byte-exact") {
    using lwm2m::format::record;
    const std::vector<record> recs = {
        {P("/3/0/0"), lwm2m::value::of_string("Open Mobile Alliance"), std::nullopt},
        {P("/3/0/9"), lwm2m::value::of_integer(95), std::nullopt},
        {P("/3311/0/5850"), lwm2m::value::of_boolean(false), std::nullopt},
    };
    lwm2m_server::reply rep;
    rep.id = "2";
    rep.ep = "light-1";
    rep.status = "2.05";
    rep.content = std::span<const record>(recs);
    CHECK(lwm2m_server::format_reply(rep) ==
          R"({"id":2,"ep":"light-1","status":"2.05","content":[{"n":"/3/0/0","vs":"Open Mobile Alliance"},{"n":"/3/0/9","v":95},{"n":"/3311/0/5850","vb":false}]})");

    lwm2m_server::reply created;
    created.id = R"("c")";
    created.ep = "a";
    created.status = "2.01";
    created.location = "/3311/1";
    CHECK(lwm2m_server::format_reply(created) == R"({"id":"c","ep":"a","status":"2.01","location":"/3311/1"})");
    lwm2m_server::reply disc;
    disc.ep = "a";
    disc.status = "2.05";
    disc.links = R"(</3/0>,</3/0/1>;dim="2")";
    CHECK(lwm2m_server::format_reply(disc) == R"({"ep":"a","status":"2.05","links":"</3/0>,</3/0/1>;dim=\"2\""})");

    CHECK(lwm2m_server::format_error("7", "light-1", "timeout") == R"({"id":7,"ep":"light-1","error":"timeout"})");

    const std::vector<lwm2m::path> objects = {P("/1/0"), P("/3/0"), P("/3311/0")};
    lwm2m_server::registration_info info{"light-1", 300, "U", "1.1", objects};
    CHECK(lwm2m_server::format_registration(lwm2m_server::registration_event::registered, info) ==
          R"({"event":"registered","ep":"light-1","lifetime":300,"binding":"U","version":"1.1","objects":["/1/0","/3/0","/3311/0"]})");
    info.lifetime = 60;
    info.objects = {};
    CHECK(lwm2m_server::format_registration(lwm2m_server::registration_event::updated, info) ==
          R"({"event":"updated","ep":"light-1","lifetime":60,"binding":"U","version":"1.1","objects":[]})");
    CHECK(lwm2m_server::format_gone("light-1", false) == R"({"event":"deregistered","ep":"light-1"})");
    CHECK(lwm2m_server::format_gone("light-1", true) == R"({"event":"expired","ep":"light-1"})");

    const lwm2m::path observed[] = {P("/3311/0/5850")};
    const record one[] = {{P("/3311/0/5850"), lwm2m::value::of_boolean(true), 1700000000.0}};
    CHECK(lwm2m_server::format_notify({"light-1", "9", observed, one}) ==
          R"({"event":"notify","ep":"light-1","id":9,"path":"/3311/0/5850","content":[{"n":"/3311/0/5850","t":1700000000,"vb":true}]})");
    const lwm2m::path two[] = {P("/3/0/9"), P("/3311/0")};
    CHECK(lwm2m_server::format_notify({"light-1", "", two, {}}) ==
          R"({"event":"notify","ep":"light-1","paths":["/3/0/9","/3311/0"],"content":[]})");
    CHECK(lwm2m_server::format_send("light-1", one) ==
          R"({"event":"send","ep":"light-1","content":[{"n":"/3311/0/5850","t":1700000000,"vb":true}]})");
}

TEST_CASE("server output: every value kind as SenML JSON") {
    using lwm2m::format::record;
    const auto line = [](const record& r) {
        lwm2m_server::json_line w;
        lwm2m_server::write_record(w, r);
        return w.str();
    };
    const std::byte raw[] = {std::byte{0xDE}, std::byte{0xAD}, std::byte{0xBE}, std::byte{0xEF}};
    CHECK(line({P("/1/0/1"), lwm2m::value::of_integer(-300), {}}) == R"({"n":"/1/0/1","v":-300})");
    CHECK(line({P("/1/0/1"), lwm2m::value::of_unsigned(18446744073709551615ull), {}}) == R"({"n":"/1/0/1","v":18446744073709551615})");
    CHECK(line({P("/3/0/13"), lwm2m::value::of_time(1700000000), {}}) == R"({"n":"/3/0/13","v":1700000000})");
    CHECK(line({P("/3303/0/5700"), lwm2m::value::of_float(22.0), {}}) == R"({"n":"/3303/0/5700","v":22.0})");
    CHECK(line({P("/3303/0/5700"), lwm2m::value::of_float(22.5), {}}) == R"({"n":"/3303/0/5700","v":22.5})");
    CHECK(line({P("/3303/0/5700"), lwm2m::value::of_float(1e300), {}}) == R"({"n":"/3303/0/5700","v":1e+300})");
    CHECK(line({P("/3303/0/5700"), lwm2m::value::of_float(1.0 / 0.0), {}}) == R"({"n":"/3303/0/5700","v":null})");
    CHECK(line({P("/3/0/3"), lwm2m::value::of_opaque(raw), {}}) == R"({"n":"/3/0/3","vd":"3q2-7w"})");
    CHECK(line({P("/3/0/3"), lwm2m::value::of_untyped(raw), {}}) == R"({"n":"/3/0/3","vd":"3q2-7w"})");
    CHECK(line({P("/3/0/3"), lwm2m::value::of_opaque(lwm2m::as_bytes(std::string_view("3q2-7w")), lwm2m::text_encoding::base64url), {}}) ==
          R"({"n":"/3/0/3","vd":"3q2-7w"})");
    CHECK(line({P("/3/0/3"), lwm2m::value::of_opaque(lwm2m::as_bytes(std::string_view("!!")), lwm2m::text_encoding::base64url), {}}) ==
          R"({"n":"/3/0/3","vd":null})");
    CHECK(line({P("/2/0/0"), lwm2m::value::of_objlnk({3, 0}), {}}) == R"({"n":"/2/0/0","vlo":"3:0"})");
    CHECK(line({P("/3/0/11/0"), lwm2m::value::of_corelnk("</3/0>"), {}}) == R"({"n":"/3/0/11/0","vs":"</3/0>"})");
    CHECK(line({P("/3/0"), lwm2m::value{}, {}}) == R"({"n":"/3/0"})");
    CHECK(line({P("/3/0/13"), lwm2m::value::of_boolean(true), -5.25}) == R"({"n":"/3/0/13","t":-5.25,"vb":true})");
    // A string read from JSON with escapes is decoded, then escaped again for output.
    CHECK(line({P("/3/0/0"), lwm2m::value::of_string(R"(a\u0041\n)", lwm2m::text_encoding::json_escaped), {}}) ==
          R"({"n":"/3/0/0","vs":"aA\n"})");
}

TEST_CASE("server output: JSON escaping of strings") {
    CHECK(lwm2m_server::format_error("", "quote\"back\\slash", "tab\there\nnl\x01\x1f") ==
          R"({"ep":"quote\"back\\slash","error":"tab\there\nnl\u0001\u001f"})");
    // UTF-8 passes through; bytes that are not UTF-8 become U+FFFD.
    CHECK(lwm2m_server::format_gone("caf\xc3\xa9", false) == "{\"event\":\"deregistered\",\"ep\":\"caf\xc3\xa9\"}");
    CHECK(lwm2m_server::format_gone("a\xff" "b\xc3", true) == R"({"event":"expired","ep":"a\ufffdb\ufffd"})");
    const lwm2m::format::record r{P("/3/0/0"), lwm2m::value::of_string("\x80z"), {}};
    CHECK(lwm2m_server::format_send("e", std::span<const lwm2m::format::record>(&r, 1)) ==
          R"({"event":"send","ep":"e","content":[{"n":"/3/0/0","vs":"\ufffdz"}]})");
}
