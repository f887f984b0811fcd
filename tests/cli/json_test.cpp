// Tests of the lwm2m-cli JSON value parser and writer (examples/lwm2m-cli/json.hpp).
// doctest, no main here: link with a translation unit defining DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN.

#include "../../examples/lwm2m-cli/json.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

namespace json = lwm2m_cli::json;
using lwm2m::errc;

namespace {

// The error of a parse that must fail.
lwm2m::error parse_error(std::string_view text, const json::parse_options& o = {}) {
    const auto r = json::parse(text, o);
    REQUIRE_MESSAGE(!r.has_value(), "parsed although invalid: ", std::string(text));
    return r.error();
}

// parse + write; the text must be valid.
std::string roundtrip(std::string_view text, const json::write_options& w = {}) {
    const auto r = json::parse(text);
    REQUIRE_MESSAGE(r.has_value(), "failed to parse: ", std::string(text));
    return json::to_string(*r, w);
}

std::string parsed_string(std::string_view text) {
    const auto r = json::parse(text);
    REQUIRE_MESSAGE(r.has_value(), "failed to parse: ", std::string(text));
    REQUIRE(r->is_string());
    return r->as_string();
}

lwm2m::error err(errc c, std::size_t offset) { return lwm2m::error{c, offset}; }

} // namespace

namespace doctest {
template <>
struct StringMaker<lwm2m::error> {
    static String convert(const lwm2m::error& e) {
        const std::string s = std::string(lwm2m::name(e.code)) + " at " + std::to_string(e.offset);
        return String(s.c_str());
    }
};
} // namespace doctest

TEST_CASE("json: scalars") {
    CHECK(json::parse("null")->is_null());
    CHECK(json::parse("true")->as_bool() == true);
    CHECK(json::parse("false")->as_bool() == false);
    CHECK(json::parse("0")->is_number());
    CHECK(json::parse("\"\"")->as_string().empty());
    CHECK(json::parse(" \t\r\n 42 \n")->number_literal() == "42");
}

TEST_CASE("json: number grammar of RFC 8259 section 6") {
    for (const char* ok : {"0", "-0", "1", "-1", "10", "1.5", "-0.25", "1e3", "1E3", "1e+3", "1e-3", "0.0e0", "123456789012345678901234567890"}) {
        CAPTURE(ok);
        const auto r = json::parse(ok);
        REQUIRE(r.has_value());
        CHECK(r->number_literal() == ok);
    }
    CHECK(parse_error("01") == err(errc::invalid_json, 1));
    CHECK(parse_error("-") == err(errc::invalid_json, 1));
    CHECK(parse_error("-a") == err(errc::invalid_json, 1));
    CHECK(parse_error("+1") == err(errc::invalid_json, 0));
    CHECK(parse_error(".5") == err(errc::invalid_json, 0));
    CHECK(parse_error("1.") == err(errc::invalid_json, 2));
    CHECK(parse_error("1.e3") == err(errc::invalid_json, 2));
    CHECK(parse_error("1e") == err(errc::invalid_json, 2));
    CHECK(parse_error("1e+") == err(errc::invalid_json, 3));
    CHECK(parse_error("0x10") == err(errc::invalid_json, 1));
    CHECK(parse_error("NaN") == err(errc::invalid_json, 0));
    CHECK(parse_error("Infinity") == err(errc::invalid_json, 0));
    CHECK(parse_error("-Infinity") == err(errc::invalid_json, 1));
}

TEST_CASE("json: exact integer conversion") {
    const auto u = [](std::string_view t) { return json::parse(t)->as_uint64(); };
    const auto i = [](std::string_view t) { return json::parse(t)->as_int64(); };
    CHECK(u("0") == 0u);
    CHECK(u("-0") == 0u);
    CHECK(u("40") == 40u);
    CHECK(u("40.0") == 40u);
    CHECK(u("4e1") == 40u);
    CHECK(u("400e-1") == 40u);
    CHECK(u("0.4e2") == 40u);
    CHECK(u("18446744073709551615") == UINT64_MAX);
    CHECK_FALSE(u("18446744073709551616").has_value());
    CHECK_FALSE(u("1e20").has_value());
    CHECK(u("1e19") == 10000000000000000000u);
    CHECK_FALSE(u("1.5").has_value());
    CHECK_FALSE(u("-1").has_value());
    CHECK_FALSE(u("1e-1").has_value());
    CHECK_FALSE(u("1e999999999999999999").has_value());
    CHECK(u("0e999999999999999999") == 0u);
    CHECK(i("-1") == -1);
    CHECK(i("-9223372036854775808") == INT64_MIN);
    CHECK_FALSE(i("-9223372036854775809").has_value());
    CHECK(i("9223372036854775807") == INT64_MAX);
    CHECK_FALSE(i("9223372036854775808").has_value());
    CHECK_FALSE(json::parse("\"1\"")->as_uint64().has_value());
}

TEST_CASE("json: as_double") {
    CHECK(json::parse("22.5")->as_double() == 22.5);
    CHECK(json::parse("-1e2")->as_double() == -100.0);
    CHECK(std::isinf(*json::parse("1e400")->as_double()));
    CHECK(*json::parse("-1e400")->as_double() < 0);
    CHECK(*json::parse("1e-400")->as_double() == 0.0);
    CHECK(std::isinf(*json::parse("0.00001e400")->as_double()));
    CHECK(*json::parse("100000e-400")->as_double() == 0.0);
}

TEST_CASE("json: literals must be exact") {
    CHECK(parse_error("tru") == err(errc::invalid_json, 3));
    CHECK(parse_error("trUe") == err(errc::invalid_json, 2));
    CHECK(parse_error("nul") == err(errc::invalid_json, 3));
    CHECK(parse_error("falsey") == err(errc::invalid_json, 5));
    CHECK(parse_error("True") == err(errc::invalid_json, 0));
}

TEST_CASE("json: document structure") {
    CHECK(parse_error("") == err(errc::invalid_json, 0));
    CHECK(parse_error("   ") == err(errc::invalid_json, 3));
    CHECK(parse_error("1 2") == err(errc::invalid_json, 2));
    CHECK(parse_error("{} x") == err(errc::invalid_json, 3));
    CHECK(parse_error("\xEF\xBB\xBF{}") == err(errc::invalid_json, 0));  // no BOM
    CHECK(parse_error("[1,]") == err(errc::invalid_json, 3));
    CHECK(parse_error("[1 2]") == err(errc::invalid_json, 3));
    CHECK(parse_error("[") == err(errc::invalid_json, 1));
    CHECK(parse_error("[1") == err(errc::invalid_json, 2));
    CHECK(parse_error("{\"a\":1,}") == err(errc::invalid_json, 7));
    CHECK(parse_error("{\"a\" 1}") == err(errc::invalid_json, 5));
    CHECK(parse_error("{a:1}") == err(errc::invalid_json, 1));
    CHECK(parse_error("{'a':1}") == err(errc::invalid_json, 1));
    CHECK(parse_error("{\"a\":}") == err(errc::invalid_json, 5));
    CHECK(parse_error("{\"a\":1") == err(errc::invalid_json, 6));
    CHECK(parse_error("/* c */ 1") == err(errc::invalid_json, 0));
    CHECK(parse_error("\f1") == err(errc::invalid_json, 0));  // only space, tab, CR, LF
    CHECK(parse_error("\xC3\xA9") == err(errc::invalid_json, 0));
}

TEST_CASE("json: arrays and objects keep order and offsets") {
    const auto r = json::parse(R"( {"b": [1, "x", null], "a" : {"c": true}, "e": {}} )");
    REQUIRE(r.has_value());
    const json::value& v = *r;
    REQUIRE(v.is_object());
    CHECK(v.offset() == 1);
    REQUIRE(v.size() == 3);
    CHECK(v.key(0) == "b");
    CHECK(v.key(1) == "a");
    CHECK(v.key(2) == "e");
    CHECK(v.key_offset(0) == 2);
    CHECK(v.key_offset(1) == 23);
    CHECK(v[0].offset() == 7);
    CHECK(v[0].is_array());
    CHECK(v[0].size() == 3);
    CHECK(v[0][1].as_string() == "x");
    CHECK(v[0][1].offset() == 11);
    CHECK(v[0][2].is_null());
    CHECK(v.find("a")->find("c")->as_bool());
    CHECK(v.find("zz") == nullptr);
    CHECK(v[0].find("b") == nullptr);  // not an object
    CHECK(v.find("e")->size() == 0);
    CHECK(roundtrip(R"( {"b": [1, "x", null], "a" : {"c": true}, "e": {}} )") ==
          R"({"b":[1,"x",null],"a":{"c":true},"e":{}})");
    CHECK(roundtrip("[]") == "[]");
    CHECK(roundtrip("[[],[[]]]") == "[[],[[]]]");
}

TEST_CASE("json: duplicate keys") {
    CHECK(parse_error(R"({"a":1,"b":2,"a":3})") == err(errc::duplicate_entry, 13));
    // A large object (hash-set path) reports the same way.
    std::string big = "{";
    for (int k = 0; k < 40; ++k) big += "\"k" + std::to_string(k) + "\":0,";
    const std::size_t dup_at = big.size();
    big += "\"k7\":1}";
    CHECK(parse_error(big) == err(errc::duplicate_entry, dup_at));
    big.replace(dup_at, 4, "\"k99\"");
    CHECK(json::parse(big).has_value());
    // Keys are compared after unescaping.
    CHECK(parse_error(R"({"a":1,"\u0061":2})") == err(errc::duplicate_entry, 7));
    // Same key in different objects is fine.
    CHECK(json::parse(R"({"a":{"a":1},"b":{"a":2}})").has_value());
    json::parse_options o;
    o.allow_duplicate_keys = true;
    const auto r = json::parse(R"({"a":1,"a":2})", o);
    REQUIRE(r.has_value());
    CHECK(r->size() == 2);
    CHECK(r->find("a")->number_literal() == "1");
}

TEST_CASE("json: nesting limit") {
    json::parse_options o;
    o.max_depth = 3;
    CHECK(json::parse("[[[1]]]", o).has_value());
    CHECK(parse_error("[[[[1]]]]", o) == err(errc::capacity_exceeded, 3));
    CHECK(parse_error(R"({"a":{"b":{"c":{}}}})", o) == err(errc::capacity_exceeded, 15));
    // The default limit stops deep input without exhausting the stack.
    const std::string deep(100000, '[');
    CHECK(parse_error(deep) == err(errc::capacity_exceeded, 256));
}

TEST_CASE("json: string escapes") {
    CHECK(parsed_string(R"("a\"b\\c\/d")") == "a\"b\\c/d");
    CHECK(parsed_string(R"("\b\f\n\r\t")") == "\b\f\n\r\t");
    CHECK(parsed_string(R"("\u0041\u00e9\u20AC")") == "A\xC3\xA9\xE2\x82\xAC");
    CHECK(parsed_string(R"("\u0000")") == std::string("\0", 1));
    CHECK(parsed_string(R"("\ud83d\ude00")") == "\xF0\x9F\x98\x80");  // U+1F600 from a surrogate pair
    CHECK(parsed_string(R"("\uD800\uDC00")") == "\xF0\x90\x80\x80");  // U+10000
    CHECK(parsed_string(R"("\uDBFF\uDFFF")") == "\xF4\x8F\xBF\xBF");  // U+10FFFF
    CHECK(parse_error(R"("\x")") == err(errc::invalid_json, 2));
    CHECK(parse_error(R"("\U0041")") == err(errc::invalid_json, 2));
    CHECK(parse_error(R"("\u12")") == err(errc::invalid_json, 5));
    CHECK(parse_error(R"("\u12g4")") == err(errc::invalid_json, 5));
    CHECK(parse_error("\"\\") == err(errc::invalid_json, 2));
    // Unpaired surrogates are rejected at the escape that starts them.
    CHECK(parse_error(R"("ab\ud83d")") == err(errc::invalid_json, 3));
    CHECK(parse_error(R"("ab\ud83dx")") == err(errc::invalid_json, 3));
    CHECK(parse_error(R"("ab\ud83d\n")") == err(errc::invalid_json, 3));
    CHECK(parse_error(R"("ab\ud83d\u0041")") == err(errc::invalid_json, 3));
    CHECK(parse_error(R"("ab\ud83d\ud83d")") == err(errc::invalid_json, 3));
    CHECK(parse_error(R"("ab\ude00")") == err(errc::invalid_json, 3));
    CHECK(parse_error(R"("\ud83d\u12")") == err(errc::invalid_json, 11));
}

TEST_CASE("json: raw characters in strings") {
    CHECK(parsed_string("\"caf\xC3\xA9 \xF0\x9F\x98\x80\"") == "caf\xC3\xA9 \xF0\x9F\x98\x80");
    CHECK(parsed_string("\"\x7F\"") == "\x7F");
    CHECK(parse_error("\"a\nb\"") == err(errc::invalid_json, 2));  // control characters must be escaped
    CHECK(parse_error(std::string_view("\"\0\"", 3)) == err(errc::invalid_json, 1));
    CHECK(parse_error("\"\x1F\"") == err(errc::invalid_json, 1));
    CHECK(parse_error("\"abc") == err(errc::invalid_json, 4));
    // Ill-formed UTF-8 (RFC 3629): offset of the sequence's first byte.
    CHECK(parse_error("\"a\x80\"") == err(errc::invalid_utf8, 2));          // lone continuation
    CHECK(parse_error("\"a\xC0\x80\"") == err(errc::invalid_utf8, 2));      // overlong NUL
    CHECK(parse_error("\"a\xC1\xBF\"") == err(errc::invalid_utf8, 2));      // overlong
    CHECK(parse_error("\"a\xE0\x80\xAF\"") == err(errc::invalid_utf8, 2));  // overlong '/'
    CHECK(parse_error("\"a\xED\xA0\x80\"") == err(errc::invalid_utf8, 2));  // encoded surrogate
    CHECK(parse_error("\"a\xF4\x90\x80\x80\"") == err(errc::invalid_utf8, 2));  // above U+10FFFF
    CHECK(parse_error("\"a\xF5\x80\x80\x80\"") == err(errc::invalid_utf8, 2));
    CHECK(parse_error("\"a\xC3\"") == err(errc::invalid_utf8, 2));          // truncated
    CHECK(parse_error("\"a\xE2\x82\"") == err(errc::invalid_utf8, 2));
    CHECK(parse_error("\"a\xC3") == err(errc::invalid_utf8, 2));            // truncated at end of text
    CHECK(parse_error("\"a\xFF\"") == err(errc::invalid_utf8, 2));
}

TEST_CASE("json: UTF-8 helpers") {
    CHECK(json::is_valid_utf8(""));
    CHECK(json::is_valid_utf8("abc\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));
    CHECK(json::is_valid_utf8("\xEF\xBF\xBF"));  // U+FFFF is a valid scalar value
    CHECK(json::find_invalid_utf8("ab\xC3") == 2u);
    CHECK(json::find_invalid_utf8("\xED\x9F\xBF\xED\xA0\x80") == 3u);  // U+D7FF ok, then a surrogate
    char32_t cp = 0;
    CHECK(json::utf8_sequence("\xF0\x9F\x98\x80", 0, &cp) == 4);
    CHECK(cp == U'\U0001F600');
    std::string s;
    json::append_utf8(s, U'\u00E9');
    json::append_utf8(s, U'\U0010FFFF');
    CHECK(s == "\xC3\xA9\xF4\x8F\xBF\xBF");
}

TEST_CASE("json: writer escapes per RFC 8259 section 7") {
    const auto w = [](std::string_view s, bool ascii = false) {
        std::string out;
        json::write_options o;
        o.ascii_only = ascii;
        json::write_string(out, s, o);
        return out;
    };
    CHECK(w("plain") == "\"plain\"");
    CHECK(w("a\"b\\c/d") == R"("a\"b\\c/d")");
    CHECK(w("\b\f\n\r\t") == R"("\b\f\n\r\t")");
    CHECK(w(std::string_view("\0\x01\x1f\x7f", 4)) == "\"\\u0000\\u0001\\u001f\x7f\"");
    CHECK(w("caf\xC3\xA9") == "\"caf\xC3\xA9\"");
    CHECK(w("caf\xC3\xA9", true) == R"("caf\u00e9")");
    CHECK(w("\xE2\x82\xAC", true) == R"("\u20ac")");
    CHECK(w("\xF0\x9F\x98\x80", true) == R"("\ud83d\ude00")");  // astral: surrogate pair
    CHECK(w("\xF4\x8F\xBF\xBF", true) == R"("\udbff\udfff")");
    // Ill-formed input still yields valid JSON: each bad byte becomes U+FFFD.
    CHECK(w("a\xFF" "b") == "\"a\xEF\xBF\xBD" "b\"");
    CHECK(w("a\xC3", true) == R"("a\ufffd")");
    CHECK(w("\xED\xA0\x80", true) == R"("\ufffd\ufffd\ufffd")");
}

TEST_CASE("json: write then parse gives the same string back") {
    std::string all;
    for (int c = 0; c < 0x80; ++c) all += static_cast<char>(c);
    all += "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF";
    for (bool ascii : {false, true}) {
        json::write_options o;
        o.ascii_only = ascii;
        const std::string text = json::to_string(json::value::make_string(all), o);
        CHECK(json::is_valid_utf8(text));
        if (ascii) {
            for (char ch : text) CHECK(static_cast<unsigned char>(ch) < 0x80);
        }
        CHECK(parsed_string(text) == all);
    }
}

TEST_CASE("json: built values") {
    json::value obj = json::value::make_object();
    obj.add("n", json::value::make_number(std::uint64_t{18446744073709551615u}));
    obj.add("i", json::value::make_number(std::int64_t{-5}));
    obj.add("d", json::value::make_number(22.5));
    obj.add("inf", json::value::make_number(HUGE_VAL));
    obj.add("s", json::value::make_string("x\ny"));
    json::value arr = json::value::make_array();
    arr.push_back(json::value::make_bool(true)).push_back(json::value::make_null());
    obj.add("a", std::move(arr));
    const std::string text = json::to_string(obj);
    CHECK(text == R"({"n":18446744073709551615,"i":-5,"d":22.5,"inf":null,"s":"x\ny","a":[true,null]})");
    const auto back = json::parse(text);
    REQUIRE(back.has_value());
    CHECK(*back == obj);
    CHECK(back->find("n")->as_uint64() == UINT64_MAX);
    CHECK(back->find("d")->as_double() == 22.5);
    CHECK(json::value::make_number(0.1).number_literal() == "0.1");
}

TEST_CASE("json: round trip keeps number literals exactly") {
    CHECK(roundtrip("[1.50, -0, 1E+3, 123456789012345678901234567890]") == "[1.50,-0,1E+3,123456789012345678901234567890]");
}
