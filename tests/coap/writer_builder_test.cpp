// Tests of the CoAP serializers: message_writer (options in any order, straight into the buffer), message_builder<N>
// (options in any order) and static_message<N>. Expected bytes come from RFC 7252 Appendix A,
// from the encoding rules of §3/§3.1/§3.2 worked out by hand, and from the reference
// datagrams in /work/shared/bench-data; a seeded random round trip checks serialize -> parse.
// doctest, no main here: link with a translation unit defining DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN.

#include <lwm2m/coap/message_builder.hpp>
#include <lwm2m/coap/message_writer.hpp>

#include <doctest/doctest.h>

#include <lwm2m/bytes.hpp>
#include <lwm2m/coap/block.hpp>
#include <lwm2m/coap/code.hpp>
#include <lwm2m/coap/message_type.hpp>
#include <lwm2m/coap/message_view.hpp>
#include <lwm2m/coap/option_number.hpp>
#include <lwm2m/coap/parse.hpp>
#include <lwm2m/errc.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace {

using lwm2m::bytes_view;
using lwm2m::errc;
using lwm2m::mutable_bytes;
using lwm2m::coap::block_option;
using lwm2m::coap::code;
using lwm2m::coap::make_code;
using lwm2m::coap::message_builder;
using lwm2m::coap::message_type;
using lwm2m::coap::message_view;
using lwm2m::coap::message_writer;
using lwm2m::coap::option_number;
using lwm2m::coap::parse;
using lwm2m::coap::static_message;

using byte_vector = std::vector<std::byte>;

// ---- helpers -----------------------------------------------------------------------------------

byte_vector hex(std::string_view h) {
    byte_vector out(h.size() / 2);
    const auto n = lwm2m::from_hex(h, out);
    REQUIRE(n.has_value());
    return out;
}
/// Lowercase hex of bytes, so mismatching datagrams print readably.
std::string to_hex(bytes_view b) {
    std::string s(b.size() * 2, '?');
    const auto n = lwm2m::to_hex(b, s);
    REQUIRE(n.has_value());
    return s;
}
std::string to_hex_text(std::string_view text) { return to_hex(lwm2m::as_bytes(text)); }

std::string describe(errc code, std::size_t offset) {
    return std::string(lwm2m::name(code)) + " at " + std::to_string(offset);
}
template <class T>
std::string outcome(const lwm2m::result<T>& r) {
    return r ? std::string("ok") : describe(r.error().code, r.error().offset);
}

/// Serializes a builder into an exactly sized buffer, checking encoded_size() on the way.
std::string built_hex(const lwm2m::coap::message_builder_base& b) {
    const auto size = b.encoded_size();
    REQUIRE(outcome(size) == "ok");
    byte_vector out(*size);
    const auto n = b.serialize(out);
    REQUIRE(outcome(n) == "ok");
    CHECK(*n == *size);
    return to_hex(out);
}
std::string written_hex(const message_writer& w, const byte_vector& buf) {
    const auto n = w.finish();
    REQUIRE(outcome(n) == "ok");
    return to_hex(bytes_view{buf.data(), *n});
}

template <class... T>
std::array<std::byte, sizeof...(T)> bytes(T... v) {
    return {static_cast<std::byte>(v)...};
}

/// splitmix64: a tiny fixed-seed PRNG so the random round trip is reproducible everywhere.
struct splitmix64 {
    std::uint64_t state;
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    std::uint64_t below(std::uint64_t n) { return next() % n; }
    bool chance(unsigned percent) { return below(100) < percent; }
};

const std::string_view temperature = "temperature";
const std::string_view reading = "22.3 C";

} // namespace

// ---- RFC 7252 Appendix A -----------------------------------------------------------------------

TEST_CASE("RFC 7252 Appendix A Figure 16: GET /temperature (16 bytes) and its piggybacked 2.05 (11 bytes)") {
    const std::string request = "40017d34bb" + to_hex_text(temperature);
    const std::string response = "60457d34ff" + to_hex_text(reading);

    message_builder<4> req;
    req.type(message_type::confirmable).code(code::get).message_id(0x7d34).uri_path(temperature);
    CHECK(built_hex(req) == request);
    CHECK(req.encoded_size().value() == 16);

    message_builder<4> rsp;
    rsp.type(message_type::acknowledgement).code(code::content).message_id(0x7d34).payload(reading);
    CHECK(built_hex(rsp) == response);
    CHECK(rsp.encoded_size().value() == 11);

    byte_vector buf(64);
    message_writer w{buf};
    w.header(message_type::confirmable, code::get, 0x7d34).option(option_number::uri_path, temperature);
    CHECK(written_hex(w, buf) == request);
    message_writer w2{buf};
    w2.header(message_type::acknowledgement, code::content, 0x7d34).payload(lwm2m::as_bytes(reading));
    CHECK(written_hex(w2, buf) == response);
}

TEST_CASE("RFC 7252 Appendix A Figure 17: the same exchange with Token 0x20 (17 and 12 bytes)") {
    const auto token = bytes(0x20);
    message_builder<4> req;
    req.type(message_type::confirmable).code(code::get).message_id(0x7d35).token(token).uri_path(temperature);
    CHECK(built_hex(req) == "41017d3520bb" + to_hex_text(temperature));
    CHECK(req.encoded_size().value() == 17);

    message_builder<4> rsp;
    rsp.type(message_type::acknowledgement).code(code::content).message_id(0x7d35).token(token).payload(reading);
    CHECK(built_hex(rsp) == "61457d3520ff" + to_hex_text(reading));
    CHECK(rsp.encoded_size().value() == 12);
}

TEST_CASE("RFC 7252 Appendix A Figures 20-23: Empty ACK/RST, separate CON response, NON exchanges") {
    byte_vector buf(64);
    {
        message_writer w{buf};  // Figure 20: Empty ACK of the request
        w.header(message_type::acknowledgement, code::empty, 0x7d38);
        CHECK(written_hex(w, buf) == "60007d38");
    }
    {
        message_builder<2> b;  // Figure 20: the separate response, Token 0x53
        b.type(message_type::confirmable).code(code::content).message_id(0xad7b).token(bytes(0x53)).payload(reading);
        CHECK(built_hex(b) == "4145ad7b53ff" + to_hex_text(reading));
    }
    {
        message_writer w{buf};  // Figure 21: the client rejects it with an Empty RST
        w.header(message_type::reset, code::empty, 0xad7c);
        CHECK(written_hex(w, buf) == "7000ad7c");
    }
    {
        message_builder<2> b;  // Figure 22: NON GET, Token 0x75
        b.type(message_type::non_confirmable).code(code::get).message_id(0x7d40).token(bytes(0x75));
        b.uri_path(temperature);
        CHECK(built_hex(b) == "51017d4075bb" + to_hex_text(temperature));
    }
    {
        message_builder<2> b;  // Figure 23: NON 4.04 from server C, no payload
        b.type(message_type::non_confirmable).code(code::not_found).message_id(0x952a).token(bytes(0x86));
        CHECK(built_hex(b) == "5184952a86");
    }
    {
        message_writer w{buf};  // §4.3 Table 1 "*": an Empty CON is a CoAP ping
        w.header(message_type::confirmable, code::empty, 0x0001);
        CHECK(written_hex(w, buf) == "40000001");
    }
}

// ---- option ordering and the delta/length encoding ------------------------------------------------

TEST_CASE("RFC 7252 §3.1: options added out of order are encoded sorted, with the right deltas") {
    const auto size1 = std::uint32_t{300};
    message_builder<8> b;
    b.type(message_type::confirmable).code(code::post).message_id(1);
    b.option(static_cast<option_number>(2000), std::string_view{"x"});
    b.uri_query("b=U");
    b.content_format(40);
    b.size1(size1);
    b.uri_path("rd");
    b.option(option_number::uri_host, std::string_view{"h"});
    b.option(option_number::if_match, bytes_view{});
    b.payload("p");
    // 1 If-Match ""       : delta 1, len 0                     10
    // 3 Uri-Host "h"      : delta 2, len 1                     21 68
    // 11 Uri-Path "rd"    : delta 8, len 2                     82 72 64
    // 12 Content-Format 40: delta 1, len 1                     11 28
    // 15 Uri-Query "b=U"  : delta 3, len 3                     33 62 3d 55
    // 60 Size1 300        : delta 45 = 13+32, len 2            d2 20 01 2c
    // 2000 "x"            : delta 1940 = 269+0x0687, len 1     e1 06 87 78
    CHECK(built_hex(b) == "40020001" "10" "2168" "827264" "1128" "33623d55" "d220012c" "e1068778" "ff70");

    std::vector<std::uint16_t> order;
    for (const auto& o : b.options()) order.push_back(static_cast<std::uint16_t>(o.number));
    CHECK(order == std::vector<std::uint16_t>{1, 3, 11, 12, 15, 60, 2000});
}

TEST_CASE("RFC 7252 §3.1: deltas and lengths in their 13 and 14 forms") {
    const std::string s13(13, 'a'), s255(255, 'b'), s300(300, 'c');
    {
        message_builder<4> b;  // delta 12 / 13 boundary: Uri-Path (11) then option 24 (delta 13)
        b.code(code::get).message_id(0).uri_path("a").option(static_cast<option_number>(24), bytes_view{});
        CHECK(built_hex(b) == "40010000" "b161" "d000");
    }
    {
        message_builder<4> b;  // deltas 268 and 269 from 0
        b.code(code::get).option(static_cast<option_number>(268), bytes_view{});
        CHECK(built_hex(b) == "40010000" "d0ff");
        message_builder<4> c;
        c.code(code::get).option(static_cast<option_number>(269), bytes_view{});
        CHECK(built_hex(c) == "40010000" "e00000");
        message_builder<4> d;
        d.code(code::get).option(static_cast<option_number>(65535), bytes_view{});
        CHECK(built_hex(d) == "40010000" "e0fef2");
    }
    {
        message_builder<4> b;  // length 13: Uri-Path header bd 00
        b.code(code::get).uri_path(s13);
        CHECK(built_hex(b) == "40010000" "bd00" + to_hex_text(s13));
        message_builder<4> c;  // length 255: bd f2
        c.code(code::get).uri_path(s255);
        CHECK(built_hex(c) == "40010000" "bdf2" + to_hex_text(s255));
    }
    {
        message_builder<4> b;  // Proxy-Uri (35 = 13+22) of 300 bytes (269+31): de 16 00 1f
        b.code(code::get).option(option_number::proxy_uri, std::string_view{s300});
        CHECK(built_hex(b) == "40010000" "de16001f" + to_hex_text(s300));
    }
}

TEST_CASE("RFC 7252 §3.1: repeated options keep the order in which they were added") {
    message_builder<8> b;
    b.code(code::get).message_id(0x0102);
    const std::array<std::byte, 1> tag1{std::byte{0x01}};
    const std::array<std::byte, 1> tag2{std::byte{0x02}};
    b.uri_path("a").uri_query("q=1").etag(tag2).uri_path("b").uri_query("q=2").etag(tag1).uri_path("c");
    // 4 ETag 02, 01 | 11 Uri-Path a, b, c | 15 Uri-Query q=1, q=2
    CHECK(built_hex(b) == "40010102" "4102" "0101" "7161" "0162" "0163" "43713d31" "03713d32");
}

TEST_CASE("RFC 7252 §3.2: uint values use the shortest encoding (0 is zero-length)") {
    struct row {
        std::uint32_t value;
        const char* option_hex;  // Max-Age (14 = 13+1): header d?, 01
    };
    const row rows[] = {
        {0, "d001"},
        {1, "d10101"},
        {255, "d101ff"},
        {256, "d2010100"},
        {65535, "d201ffff"},
        {65536, "d301010000"},
        {16777215, "d301ffffff"},
        {16777216, "d40101000000"},
        {4294967295u, "d401ffffffff"},
    };
    for (const row& r : rows) {
        CAPTURE(r.value);
        message_builder<2> b;
        b.code(code::content).type(message_type::acknowledgement).message_id(0).max_age(r.value);
        CHECK(built_hex(b) == std::string("60450000") + r.option_hex);

        byte_vector buf(32);
        message_writer w{buf};
        w.header(message_type::acknowledgement, code::content, 0).uint_option(option_number::max_age, r.value);
        CHECK(written_hex(w, buf) == std::string("60450000") + r.option_hex);
    }
    message_builder<4> cf;
    cf.code(code::content).content_format(0).accept(11542);
    CHECK(built_hex(cf) == "40450000" "c0" "522d16");  // CF 0: zero-length; Accept (17 = 12+5)
}

TEST_CASE("RFC 7641 / RFC 7959: named helpers for Observe, Block1/2, Size1/2, Location-Path") {
    message_builder<8> b;
    b.code(code::content).message_id(0);
    b.observe(0x1000005);  // 24-bit: 5
    b.block2(block_option{2, false, 1});   // 2:2/0/32 = 33
    b.block1(block_option{3, true, 3});    // 1:3/1/128 = 59
    b.size2(1024);
    b.location_path("rd").location_path("5a3f");
    // 6 Observe 5: 61 05 | 8 "rd": 22 7264 | 8 "5a3f": 04 35613366 | 23 Block2 33: delta 15 = d1 02 21
    // 27 Block1 59: delta 4 = 41 3b | 28 Size2 1024: delta 1 = 12 0400
    CHECK(built_hex(b) == "40450000" "6105" "227264" "0435613366" "d10221" "413b" "120400");

    message_builder<2> zero;  // RFC 7959 §2.2: NUM 0, M 0, SZX 0 is sent as a zero-byte uint
    zero.code(code::get).block2(block_option{0, false, 0});
    CHECK(built_hex(zero) == "40010000" "d00a");  // 23 = 13 + 10, length 0: no value bytes

    message_builder<2> reg;  // RFC 7641 §2: Observe 0 (register) is zero-length
    reg.code(code::get).observe(0);
    CHECK(built_hex(reg) == "40010000" "60");
}

TEST_CASE("RFC 7252 §6.4 step 8: uri_path_segments splits a path into Uri-Path options") {
    struct row {
        std::string_view path;
        std::vector<std::string> segments;
    };
    const row rows[] = {
        {"", {}},
        {"/", {}},
        {"rd", {"rd"}},
        {"/rd", {"rd"}},
        {"/3/0/1", {"3", "0", "1"}},
        {"3/0", {"3", "0"}},
        {"/rd/", {"rd", ""}},        // a trailing slash is an empty last segment
        {"//", {"", ""}},
        {"/a//b", {"a", "", "b"}},
        {"/.well-known/core", {".well-known", "core"}},
    };
    for (const row& r : rows) {
        CAPTURE(r.path);
        message_builder<8> b;
        b.code(code::get).uri_path_segments(r.path);
        std::vector<std::string> got;
        for (const auto& o : b.options()) {
            CHECK(o.number == option_number::uri_path);
            got.emplace_back(lwm2m::as_chars(o.value()));
        }
        CHECK(got == r.segments);
    }
}

// ---- errors ------------------------------------------------------------------------------------

TEST_CASE("RFC 7252 §3: a token longer than 8 bytes is invalid_token_length") {
    const std::array<std::byte, 9> nine{};
    byte_vector buf(64);
    message_writer w{buf};
    w.header(message_type::confirmable, code::get, 1, nine);
    CHECK(outcome(w.finish()) == describe(errc::invalid_token_length, 0));

    message_builder<2> b;
    b.code(code::get).token(nine);
    REQUIRE(b.status().has_value());
    CHECK(*b.status() == errc::invalid_token_length);
    CHECK(outcome(b.serialize(buf)) == describe(errc::invalid_token_length, 0));
    CHECK(outcome(b.encoded_size()) == describe(errc::invalid_token_length, 0));

    const std::array<std::byte, 8> eight{};
    message_builder<2> ok;
    ok.code(code::get).token(eight);
    CHECK_FALSE(ok.status().has_value());
    CHECK(ok.encoded_size().value() == 12);
}

TEST_CASE("RFC 7252 §3.1: the writer inserts an option numbered below the last one in its place") {
    byte_vector buf(64, std::byte{0xA5});
    message_writer w{buf};
    w.header(message_type::confirmable, code::get, 1).option(option_number::uri_path, std::string_view{"a"});
    w.option(option_number::uri_host, std::string_view{"h"});  // 3 before 11: "a" now has delta 8
    CHECK(written_hex(w, buf) == "40010001" "3168" "8161");
    CHECK(buf[8] == std::byte{0xA5});  // nothing past the message

    // between two options, after the repeats of its own number, with the payload after it all
    message_writer mid{buf};
    mid.header(message_type::confirmable, code::put, 2)
        .option(option_number::uri_path, std::string_view{"a"})
        .option(option_number::uri_query, std::string_view{"q"})
        .option(option_number::uri_path, std::string_view{"b"})
        .uint_option(option_number::content_format, 40)
        .payload(lwm2m::as_bytes("x"));
    CHECK(written_hex(mid, buf) == "40030002" "b161" "0162" "1128" "3171" "ff78");

    // the next option's header shrinks: a delta of 300 (two extended bytes) split into 299 + 1
    message_writer shrink{buf};
    shrink.header(message_type::confirmable, code::get, 3)
        .option(static_cast<option_number>(300), std::string_view{"z"})
        .empty_option(static_cast<option_number>(299));
    CHECK(written_hex(shrink, buf) == "40010003" "e0001e" "11" "7a");

    message_writer same{buf};  // equal numbers are a repeat, appended
    same.header(message_type::confirmable, code::get, 1)
        .option(option_number::uri_path, std::string_view{"a"})
        .option(option_number::uri_path, std::string_view{"b"});
    CHECK(written_hex(same, buf) == "40010001" "b161" "0162");

    message_writer after{buf};  // nothing may follow the payload
    after.header(message_type::confirmable, code::post, 1).payload(lwm2m::as_bytes("x"));
    after.option(option_number::uri_path, std::string_view{"a"});
    CHECK(outcome(after.finish()) == describe(errc::options_out_of_order, 0));
}

TEST_CASE("option_in_order (a builder's sorted options) writes what option writes, errors included") {
    const std::string s13(13, 'a'), s300(300, 'c');
    const auto raw = [](std::string_view v) { return lwm2m::as_bytes(v); };
    struct step {
        option_number number;
        bytes_view value;
    };
    const std::vector<std::vector<step>> cases = {
        {{option_number::uri_path, raw("a")}, {option_number::uri_path, raw("b")}, {option_number::content_format, raw("\x28")}},
        {{option_number::uri_path, raw(s13)}, {static_cast<option_number>(300), raw("z")}, {static_cast<option_number>(65535), raw("")}},
        {{option_number::proxy_uri, raw(s300)}},
        {{option_number::uri_path, raw("a")}, {option_number::content_format, raw("abc")}},  // invalid_option_length
        {{option_number::if_match, raw("")}, {option_number::etag, raw("123456789")}},          // ETag of 9 bytes
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        CAPTURE(i);
        for (const std::size_t room : {std::size_t{64}, std::size_t{512}, std::size_t{6}}) {  // 6: buffer_too_small
            CAPTURE(room);
            byte_vector a(room, std::byte{0xA5}), b(room, std::byte{0xA5});
            message_writer wa{a}, wb{b};
            wa.header(message_type::confirmable, code::get, 9);
            wb.header(message_type::confirmable, code::get, 9);
            for (const step& o : cases[i]) {
                wa.option(o.number, o.value);
                wb.option_in_order(o.number, o.value);
            }
            wa.payload(raw("p"));
            wb.payload(raw("p"));
            CHECK(outcome(wb.finish()) == outcome(wa.finish()));
            CHECK(wb.size() == wa.size());
            CHECK(b == a);
        }
    }
}

// The inserting writer in constant evaluation (its byte moves have a constexpr path).
static_assert([] {
    std::array<std::byte, 16> out{};
    const std::array<std::byte, 1> a{std::byte{'a'}};
    message_writer w{out};
    w.header(message_type::confirmable, code::get, 7).option(option_number::uri_path, bytes_view{a});
    w.uint_option(option_number::observe, 0);
    const auto n = w.finish();
    return n && *n == 7 && out[4] == std::byte{0x60} && out[5] == std::byte{0x51} && out[6] == std::byte{'a'};
}());

TEST_CASE("The writer enforces its call order: header once, first (header_not_first)") {
    byte_vector buf(64);
    message_writer option_first{buf};  // an option before the header would become the header's bytes
    option_first.option(option_number::uri_path, std::string_view{"a"});
    option_first.header(message_type::confirmable, code::get, 1);
    CHECK(outcome(option_first.finish()) == describe(errc::header_not_first, 0));

    message_writer payload_first{buf};
    payload_first.payload(lwm2m::as_bytes("x"));
    CHECK(outcome(payload_first.finish()) == describe(errc::header_not_first, 0));

    message_writer twice{buf};
    twice.header(message_type::confirmable, code::get, 1).header(message_type::confirmable, code::get, 2);
    CHECK(outcome(twice.finish()) == describe(errc::header_not_first, 0));

    message_writer nothing{buf};
    CHECK(outcome(nothing.finish()) == describe(errc::header_not_first, 0));

    message_writer right{buf};  // the control: the same calls in order succeed
    right.header(message_type::confirmable, code::get, 1).option(option_number::uri_path, std::string_view{"a"});
    right.payload(lwm2m::as_bytes("x"));
    CHECK(written_hex(right, buf) == "40010001" "b161" "ff78");
}

TEST_CASE("RFC 7252 §5.4.3: known options outside their length range are invalid_option_length") {
    byte_vector buf(128);
    const auto check_writer = [&](option_number n, bytes_view v) {
        CAPTURE(static_cast<int>(n));
        CAPTURE(v.size());
        message_writer w{buf};
        w.header(message_type::confirmable, code::get, 1).option(n, v);
        CHECK(outcome(w.finish()) == describe(errc::invalid_option_length, 0));
        message_builder<2> b;
        b.code(code::get).option(n, v);
        CHECK(outcome(b.serialize(buf)) == describe(errc::invalid_option_length, 0));
    };
    const std::array<std::byte, 9> nine{};
    const std::array<std::byte, 5> five{};
    check_writer(option_number::etag, {});
    check_writer(option_number::etag, nine);
    check_writer(option_number::uri_host, {});
    check_writer(option_number::if_none_match, bytes_view{nine.data(), 1});
    check_writer(option_number::if_match, nine);
    check_writer(option_number::proxy_uri, {});
    check_writer(option_number::content_format, bytes_view{nine.data(), 3});
    check_writer(option_number::max_age, five);
    check_writer(option_number::block2, bytes_view{nine.data(), 4});
    check_writer(option_number::uri_port, bytes_view{nine.data(), 3});

    // a uint that does not fit the option: Content-Format 65536, Observe 2^24
    message_writer w{buf};
    w.header(message_type::confirmable, code::get, 1).uint_option(option_number::content_format, 65536);
    CHECK(outcome(w.finish()) == describe(errc::invalid_option_length, 0));
    message_writer o{buf};
    o.header(message_type::confirmable, code::get, 1).uint_option(option_number::observe, 1u << 24);
    CHECK(outcome(o.finish()) == describe(errc::invalid_option_length, 0));
}

TEST_CASE("RFC 7252 §3.1: a value longer than 65804 bytes is option_value_too_long") {
    const byte_vector max(65804, std::byte{0x61});
    const byte_vector over(65805, std::byte{0x61});
    message_writer w{mutable_bytes{}};  // measuring only
    w.header(message_type::confirmable, code::get, 1).option(static_cast<option_number>(2), over);
    CHECK(outcome(w.finish()) == describe(errc::option_value_too_long, 0));

    message_writer ok{mutable_bytes{}};
    ok.header(message_type::confirmable, code::get, 1).option(static_cast<option_number>(2), max);
    CHECK(outcome(ok.finish()) == describe(errc::buffer_too_small, 4 + 3 + 65804));

    // and the largest value round-trips through parse (the writer's contract)
    byte_vector buf(4 + 3 + 65804);
    message_writer full{buf};
    full.header(message_type::confirmable, code::get, 1).option(static_cast<option_number>(2), max);
    REQUIRE(outcome(full.finish()) == "ok");
    CHECK(to_hex(bytes_view{buf.data(), 7}) == "400100012effff");
    const auto m = parse(buf);
    REQUIRE(outcome(m) == "ok");
    CHECK(m->options().begin()->value.size() == 65804);
}

TEST_CASE("message_builder<N>: a full option store is capacity_exceeded") {
    message_builder<2> b;
    b.code(code::get).uri_path("a").uri_path("b");
    CHECK_FALSE(b.status().has_value());
    b.uri_path("c");
    REQUIRE(b.status().has_value());
    CHECK(*b.status() == errc::capacity_exceeded);
    byte_vector buf(64);
    CHECK(outcome(b.serialize(buf)) == describe(errc::capacity_exceeded, 0));
    CHECK(b.options().size() == 2);
}

TEST_CASE("RFC 7252 §4.1: a token, option or payload on an Empty message is empty_message_not_empty") {
    byte_vector buf(64);
    message_writer tok{buf};
    tok.header(message_type::acknowledgement, code::empty, 1, bytes(0x01));
    CHECK(outcome(tok.finish()) == describe(errc::empty_message_not_empty, 0));

    message_writer opt{buf};
    opt.header(message_type::acknowledgement, code::empty, 1).option(option_number::uri_path, std::string_view{"a"});
    CHECK(outcome(opt.finish()) == describe(errc::empty_message_not_empty, 0));

    message_writer pay{buf};
    pay.header(message_type::reset, code::empty, 1).payload(lwm2m::as_bytes("x"));
    CHECK(outcome(pay.finish()) == describe(errc::empty_message_not_empty, 0));

    message_writer nothing{buf};  // an empty payload writes nothing, not a bare marker (§3)
    nothing.header(message_type::reset, code::empty, 1).payload({});
    CHECK(written_hex(nothing, buf) == "70000001");

    message_builder<2> b;
    b.type(message_type::acknowledgement).code(code::empty).uri_path("a");
    CHECK(outcome(b.serialize(buf)) == describe(errc::empty_message_not_empty, 0));
    message_builder<2> p;
    p.type(message_type::acknowledgement).code(code::empty).payload("x");
    CHECK(outcome(p.serialize(buf)) == describe(errc::empty_message_not_empty, 0));
    message_builder<2> t;
    t.type(message_type::acknowledgement).code(code::empty).token(bytes(0x01));
    CHECK(outcome(t.serialize(buf)) == describe(errc::empty_message_not_empty, 0));
}

TEST_CASE("RFC 7252 §4.2/§4.3/§12.1: type and code combinations a sender must not produce") {
    struct row {
        message_type type;
        code c;
        errc expected;
    };
    const row rows[] = {
        {message_type::reset, code::get, errc::reset_not_empty},
        {message_type::reset, code::content, errc::reset_not_empty},
        {message_type::acknowledgement, code::get, errc::ack_carries_request},
        {message_type::acknowledgement, code::ipatch, errc::ack_carries_request},
        {message_type::non_confirmable, code::empty, errc::non_confirmable_empty},
        {message_type::confirmable, make_code(1, 0), errc::reserved_code_class},
        {message_type::acknowledgement, make_code(6, 1), errc::reserved_code_class},
        {message_type::non_confirmable, make_code(7, 31), errc::reserved_code_class},
    };
    byte_vector buf(64);
    for (const row& r : rows) {
        CAPTURE(static_cast<int>(r.type));
        CAPTURE(static_cast<int>(r.c));
        message_writer w{buf};
        w.header(r.type, r.c, 1);
        CHECK(outcome(w.finish()) == describe(r.expected, 0));
        message_builder<2> b;
        b.type(r.type).code(r.c);
        CHECK(outcome(b.serialize(buf)) == describe(r.expected, 0));
        // and parse reports the same errc for the same header bytes (at its own offset)
        const std::array<std::byte, 4> raw{static_cast<std::byte>(0x40 | (static_cast<int>(r.type) << 4)),
                                           static_cast<std::byte>(r.c), std::byte{0}, std::byte{1}};
        const auto p = parse(raw);
        REQUIRE_FALSE(p.has_value());
        CHECK(p.error().code == r.expected);
    }
}

TEST_CASE("buffer_too_small carries the exact size needed, equal to encoded_size()") {
    message_builder<4> b;
    b.code(code::get).message_id(0x7d34).uri_path(temperature).payload("abc");
    const auto size = b.encoded_size();
    REQUIRE(outcome(size) == "ok");
    CHECK(*size == 4 + 12 + 1 + 3);
    for (std::size_t n = 0; n < *size; ++n) {
        CAPTURE(n);
        byte_vector small(n);
        CHECK(outcome(b.serialize(small)) == describe(errc::buffer_too_small, *size));
    }
    byte_vector exact(*size);
    CHECK(b.serialize(exact).value() == *size);

    byte_vector ten(10);
    message_writer w{ten};
    w.header(message_type::confirmable, code::get, 0x7d34).option(option_number::uri_path, temperature);
    CHECK(w.size() == 16);
    CHECK(outcome(w.finish()) == describe(errc::buffer_too_small, 16));
}

TEST_CASE("message_writer: the first error is the one reported") {
    byte_vector buf(64);
    const std::array<std::byte, 9> nine{};
    message_writer w{buf};
    w.header(message_type::confirmable, code::get, 1, nine)
        .option(option_number::uri_path, std::string_view{"b"})
        .option(option_number::uri_host, std::string_view{"a"});
    CHECK(outcome(w.finish()) == describe(errc::invalid_token_length, 0));

    message_builder<1> b;
    b.code(code::get).uri_path("a").uri_path("b").token(nine);
    CHECK(*b.status() == errc::capacity_exceeded);
}

// ---- the reference datagrams, rebuilt ------------------------------------------------------------

TEST_CASE("Reference datagrams: the builder reproduces coap-register/-response/-notify byte for byte") {
    {
        const auto token = bytes(0x11, 0x22, 0x33, 0x44);
        const std::string_view payload =
            "</>;rt=\"oma.lwm2m\";ct=11543,</1/0>,</3/0>,</4/0>,</5/0>,</3311/0>,</3311/1>,</3303/0>";
        message_builder<8> b;
        b.type(message_type::confirmable).code(code::post).message_id(0x1a2b).token(token);
        b.uri_query("ep=streetlight-000123").uri_query("lt=300").uri_query("lwm2m=1.1").uri_query("b=U");
        b.content_format(40).uri_path("rd").payload(payload);
        CHECK(built_hex(b) ==
              "44021a2b11223344b2726411283d0865703d7374726565746c696768742d303030313233066c743d333030096c776d"
              "326d3d312e3103623d55ff3c2f3e3b72743d226f6d612e6c776d326d223b63743d31313534332c3c2f312f303e2c3c"
              "2f332f303e2c3c2f342f303e2c3c2f352f303e2c3c2f333331312f303e2c3c2f333331312f313e2c3c2f333330332f"
              "303e");
    }
    {
        const auto token = bytes(0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8);
        const auto tlv = bytes(0xe4, 0x16, 0x44, 0x41, 0xb4, 0x00, 0x00);
        message_builder<4> b;
        b.type(message_type::non_confirmable).code(code::content).message_id(0x1a2d).token(token);
        b.content_format(11542).observe(12345).payload(tlv);
        CHECK(built_hex(b) == "58451a2da1a2a3a4a5a6a7a8623039622d16ffe4164441b40000");
    }
    {
        const std::string_view response_hex =
            "68451a2c0102030405060708c22d16ffc800144f70656e204d6f62696c6520416c6c69616e6365c801164c696768"
            "747765696768744d324d20436c69656e74c80209333435303030313233c80311312e302e322d7374726565746c6967"
            "6874c10964c10a0fc40d6553f100c11055c811165374726565746c696768742d436f6e74726f6c6c6572";
        const auto original = hex(response_hex);
        const auto view = parse(original);
        REQUIRE(outcome(view) == "ok");
        message_builder<4> b;
        b.type(view->type()).code(view->code()).message_id(view->message_id()).token(view->token());
        b.content_format(*view->content_format()).payload(view->payload());
        CHECK(built_hex(b) == to_hex(original));
    }
}

// ---- static_message and copies --------------------------------------------------------------------

TEST_CASE("static_message<N>: assign serializes into owned bytes and returns a parsed view") {
    message_builder<4> b;
    b.type(message_type::confirmable).code(code::get).message_id(0x7d34).uri_path(temperature);
    static_message<64> m;
    CHECK(static_message<64>::capacity() == 64);
    CHECK(m.bytes().empty());
    const auto v = m.assign(b);
    REQUIRE(outcome(v) == "ok");
    CHECK(to_hex(m.bytes()) == "40017d34bb" + to_hex_text(temperature));
    CHECK(v->raw().data() == m.bytes().data());  // the view points into the owned bytes
    CHECK(v->message_id() == 0x7d34);
    std::vector<std::string> path;
    for (auto s : v->uri_path()) path.emplace_back(s);
    CHECK(path == std::vector<std::string>{"temperature"});

    // re-assigning replaces the content
    message_builder<2> ack;
    ack.type(message_type::acknowledgement).code(code::empty).message_id(0x7d34);
    const auto v2 = m.assign(ack);
    REQUIRE(outcome(v2) == "ok");
    CHECK(to_hex(m.bytes()) == "60007d34");

    // too small: buffer_too_small with the size needed, and no bytes
    static_message<8> tiny;
    CHECK(outcome(tiny.assign(b)) == describe(errc::buffer_too_small, 16));
    CHECK(tiny.bytes().empty());

    // a builder error is passed through
    message_builder<1> full;
    full.code(code::get).uri_path("a").uri_path("b");
    CHECK(outcome(m.assign(full)) == describe(errc::capacity_exceeded, 0));
    CHECK(m.bytes().empty());
}

TEST_CASE("message_builder<N>: a copy is independent of the original") {
    const auto t1 = bytes(0x01, 0x02);
    const auto t2 = bytes(0x09);
    message_builder<4> a;
    a.type(message_type::confirmable).code(code::get).message_id(1).token(t1).uri_path("x");
    const std::string before = built_hex(a);

    message_builder<4> copy = a;
    a.code(code::post).message_id(2).token(t2).uri_path("y").uri_query("q").payload("zz");
    CHECK(built_hex(copy) == before);
    CHECK(copy.options().size() == 1);
    CHECK(a.options().size() == 3);
    CHECK(copy.options().data() != a.options().data());

    copy.uri_path("only-in-copy");
    CHECK(a.options().size() == 3);
    const std::string a_now = built_hex(a);

    message_builder<4> assigned;
    assigned.code(code::delete_).uri_path("old").uri_path("older");
    assigned = a;
    CHECK(built_hex(assigned) == a_now);
    a.clear_options();
    CHECK(built_hex(assigned) == a_now);
    CHECK(a.options().empty());

    // a sticky error travels with the copy
    message_builder<1> bad;
    bad.code(code::get).uri_path("a").uri_path("b");
    const message_builder<1> bad_copy = bad;
    REQUIRE(bad_copy.status().has_value());
    CHECK(*bad_copy.status() == errc::capacity_exceeded);
}

// ---- seeded random round trip ---------------------------------------------------------------------

namespace {

/// Known options and their length ranges from their defining RFCs: RFC 7252 Table 4,
/// RFC 7641 (Observe), RFC 7959 (Block1/2, Size2), RFC 8613 (OSCORE), RFC 8768 (Hop-Limit),
/// RFC 9177 (Q-Block1/2), RFC 9175 (Echo, Request-Tag), RFC 7967 (No-Response).
struct known_option {
    std::uint16_t number;
    std::uint16_t min, max;
    bool is_uint;
};
constexpr known_option known_options[] = {
    {1, 0, 8, false},   {3, 1, 255, false},   {4, 1, 8, false},    {5, 0, 0, false},
    {6, 0, 3, true},    {7, 0, 2, true},      {8, 0, 255, false},  {9, 0, 255, false},
    {11, 0, 255, false}, {12, 0, 2, true},    {14, 0, 4, true},    {15, 0, 255, false},
    {16, 1, 1, true},   {17, 0, 2, true},     {19, 0, 3, true},    {20, 0, 255, false},
    {23, 0, 3, true},   {27, 0, 3, true},     {28, 0, 4, true},    {31, 0, 3, true},
    {35, 1, 1034, false}, {39, 1, 255, false}, {60, 0, 4, true},   {252, 1, 40, false},
    {258, 0, 1, true},  {292, 0, 8, false},
};
bool is_known(std::uint32_t n) {
    return std::any_of(std::begin(known_options), std::end(known_options),
                       [&](const known_option& k) { return k.number == n; });
}

/// Shortest big-endian encoding of a uint (RFC 7252 §3.2), written here independently.
byte_vector shortest_uint(std::uint32_t v) {
    byte_vector b;
    for (int shift = 24; shift >= 0; shift -= 8)
        if (!b.empty() || ((v >> shift) & 0xFF) != 0) b.push_back(static_cast<std::byte>((v >> shift) & 0xFF));
    return b;
}

struct option_spec {
    std::uint16_t number;
    byte_vector value;
    bool as_uint;       // added with uint_option(value_uint)
    std::uint32_t value_uint;
};
struct message_spec {
    message_type type;
    code c;
    std::uint16_t mid;
    byte_vector token;
    std::vector<option_spec> options;  // in the order they are added
    byte_vector payload;
};

byte_vector random_bytes(splitmix64& rng, std::size_t n) {
    byte_vector v(n);
    for (auto& b : v) b = static_cast<std::byte>(rng.below(256));
    return v;
}
std::size_t random_length(splitmix64& rng, std::size_t min, std::size_t max) {
    constexpr std::size_t edges[] = {0, 1, 12, 13, 14, 255, 268, 269, 270, 300, 1034};
    if (rng.chance(30)) {
        const std::size_t e = edges[rng.below(std::size(edges))];
        if (e >= min && e <= max) return e;
    }
    const std::size_t hi = std::min<std::size_t>(max, rng.chance(80) ? min + 20 : max);
    return min + static_cast<std::size_t>(rng.below(hi - min + 1));
}

message_spec random_message(splitmix64& rng) {
    message_spec m{};
    m.mid = static_cast<std::uint16_t>(rng.below(65536));
    const auto kind = rng.below(10);
    if (kind == 0) {  // Empty: ACK, RST or a CON ping, nothing after the Message ID (§4.1)
        constexpr message_type types[] = {message_type::confirmable, message_type::acknowledgement,
                                          message_type::reset};
        m.type = types[rng.below(3)];
        m.c = code::empty;
        return m;
    }
    if (kind <= 4) {  // a request: CON or NON (§4.3 Table 1), method 0.01..0.31
        m.type = rng.chance(50) ? message_type::confirmable : message_type::non_confirmable;
        m.c = make_code(0, 1 + static_cast<unsigned>(rng.below(31)));
    } else {  // a response: CON, NON or ACK; classes 2..5
        constexpr message_type types[] = {message_type::confirmable, message_type::non_confirmable,
                                          message_type::acknowledgement};
        m.type = types[rng.below(3)];
        m.c = make_code(2 + static_cast<unsigned>(rng.below(4)), static_cast<unsigned>(rng.below(32)));
    }
    m.token = random_bytes(rng, static_cast<std::size_t>(rng.below(9)));
    const auto n_options = rng.below(13);
    for (std::uint64_t i = 0; i < n_options; ++i) {
        option_spec o{};
        if (rng.chance(70)) {
            const known_option& k = known_options[rng.below(std::size(known_options))];
            o.number = k.number;
            if (k.is_uint && rng.chance(50)) {
                // a value whose shortest encoding fits the option's range
                const unsigned bytes_allowed = rng.below(k.max - k.min + 1u) + k.min;
                const std::uint64_t limit = bytes_allowed == 0 ? 1 : (std::uint64_t{1} << (8 * bytes_allowed));
                o.as_uint = true;
                o.value_uint = static_cast<std::uint32_t>(rng.below(limit));
                if (bytes_allowed > 0 && rng.chance(50))  // often the largest of that width
                    o.value_uint = static_cast<std::uint32_t>(limit - 1);
                if (shortest_uint(o.value_uint).size() < k.min) o.value_uint = 1;  // Hop-Limit: 1 byte
                o.value = shortest_uint(o.value_uint);
            } else {
                o.value = random_bytes(rng, random_length(rng, k.min, k.max));
            }
        } else {
            std::uint32_t n;
            do {
                n = rng.chance(50) ? static_cast<std::uint32_t>(rng.below(300))
                                   : static_cast<std::uint32_t>(rng.below(65536));
            } while (is_known(n));
            o.number = static_cast<std::uint16_t>(n);
            o.value = random_bytes(rng, random_length(rng, 0, 1034));
        }
        m.options.push_back(std::move(o));
    }
    if (rng.chance(50)) m.payload = random_bytes(rng, 1 + static_cast<std::size_t>(rng.below(200)));
    return m;
}

} // namespace

TEST_CASE("RFC 7252 §3: serialize -> parse round trip of seeded random messages keeps every field") {
    splitmix64 rng{0x5EEDC0A97252ULL};
    constexpr int rounds = 500;
    int with_options = 0, with_payload = 0, empties = 0;
    for (int round = 0; round < rounds; ++round) {
        CAPTURE(round);
        const message_spec spec = random_message(rng);

        message_builder<16> b;
        b.type(spec.type).code(spec.c).message_id(spec.mid).token(spec.token).payload(spec.payload);
        for (const option_spec& o : spec.options) {
            if (o.as_uint) b.uint_option(static_cast<option_number>(o.number), o.value_uint);
            else b.option(static_cast<option_number>(o.number), bytes_view{o.value});
        }
        REQUIRE_FALSE(b.status().has_value());

        const auto size = b.encoded_size();
        REQUIRE(outcome(size) == "ok");
        byte_vector wire(*size);
        REQUIRE(b.serialize(wire).value() == *size);

        // the expected wire order: by number, repeats in the order added
        std::vector<option_spec> sorted = spec.options;
        std::stable_sort(sorted.begin(), sorted.end(),
                         [](const option_spec& x, const option_spec& y) { return x.number < y.number; });

        // the low-level writer, given the sorted options, produces the same bytes
        byte_vector again(*size);
        message_writer w{again};
        w.header(spec.type, spec.c, spec.mid, spec.token);
        for (const option_spec& o : sorted) w.option(static_cast<option_number>(o.number), bytes_view{o.value});
        w.payload(spec.payload);
        REQUIRE(outcome(w.finish()) == "ok");
        CHECK(again == wire);

        const auto m = parse(wire);
        REQUIRE(outcome(m) == "ok");
        CHECK(m->type() == spec.type);
        CHECK(m->code() == spec.c);
        CHECK(m->message_id() == spec.mid);
        CHECK(byte_vector(m->token().begin(), m->token().end()) == spec.token);
        CHECK(byte_vector(m->payload().begin(), m->payload().end()) == spec.payload);
        std::size_t i = 0;
        for (const auto& o : m->options()) {
            REQUIRE(i < sorted.size());
            CHECK(static_cast<std::uint16_t>(o.number) == sorted[i].number);
            CHECK(byte_vector(o.value.begin(), o.value.end()) == sorted[i].value);
            if (sorted[i].as_uint) CHECK(o.as_uint().value() == sorted[i].value_uint);
            ++i;
        }
        CHECK(i == sorted.size());

        with_options += !spec.options.empty();
        with_payload += !spec.payload.empty();
        empties += spec.c == code::empty;
    }
    // the generator really covers the interesting shapes
    CHECK(with_options > rounds / 2);
    CHECK(with_payload > rounds / 4);
    CHECK(empties > 10);
}

// ---- message_builder fast path ----------------------------------------------------------------

namespace {

/// One option as a test adds it to a builder (and, sorted, to a writer).
struct added_option {
    std::uint16_t number;
    bool as_uint;
    std::uint32_t uint_value;
    std::string text;  // the referenced value when !as_uint
};

/// `b.serialize()` into buffers of every size from 0 to the message size + 2 must agree with
/// message_writer given the same message with the options stably sorted: same result (size, or
/// error and offset), same bytes, and nothing written past the message.
void check_against_writer(const lwm2m::coap::message_builder_base& b, message_type type, code c, std::uint16_t mid,
                          bytes_view token, const std::vector<added_option>& added, std::string_view payload) {
    std::vector<added_option> sorted = added;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const added_option& x, const added_option& y) { return x.number < y.number; });
    const auto write = [&](mutable_bytes out) {
        message_writer w{out};
        w.header(type, c, mid, token);
        for (const added_option& o : sorted) {
            if (o.as_uint) w.uint_option(static_cast<option_number>(o.number), o.uint_value);
            else w.option(static_cast<option_number>(o.number), std::string_view{o.text});
        }
        w.payload(lwm2m::as_bytes(payload));
        return w.finish();
    };
    // the options as stored: sorted, repeats in the order added, uint values in their shortest form
    REQUIRE(b.options().size() == sorted.size());
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        CAPTURE(i);
        CHECK(static_cast<std::uint16_t>(b.options()[i].number) == sorted[i].number);
        const bytes_view v = b.options()[i].value();
        if (sorted[i].as_uint) CHECK(byte_vector(v.begin(), v.end()) == shortest_uint(sorted[i].uint_value));
        else CHECK(std::string(lwm2m::as_chars(v)) == sorted[i].text);
    }
    const auto needed = write(mutable_bytes{});
    const std::size_t n = needed ? 0 : needed.error().offset;
    CHECK(outcome(b.encoded_size()) == (needed || needed.error().code != errc::buffer_too_small ? outcome(needed) : "ok"));
    for (std::size_t size = 0; size <= n + 2; ++size) {
        CAPTURE(size);
        byte_vector from_writer(size + 4, std::byte{0xA5});
        byte_vector from_builder(size + 4, std::byte{0xA5});
        const auto w = write(mutable_bytes{from_writer.data(), size});
        const auto r = b.serialize(mutable_bytes{from_builder.data(), size});
        REQUIRE(outcome(r) == outcome(w));
        if (r) CHECK(*r == *w);
        CHECK(to_hex(from_builder) == to_hex(from_writer));  // the bytes in the buffer and the canary after it
    }
}

} // namespace

TEST_CASE("message_writer: options in a seeded random order give the builder's bytes, for every buffer size") {
    // Option numbers around every header form (deltas below 13, 13..268, from 269), known
    // options with their registered lengths, unknown ones with any; some repeated.
    const std::uint16_t numbers[] = {1, 3, 4, 6, 7, 8, 11, 12, 14, 15, 17, 20, 23, 27, 28, 35, 39, 60,
                                     64, 250, 258, 282, 300, 1000, 2048, 65000, 65535};
    const std::string long_text(400, 'v');
    splitmix64 rng{0x0E5E7};
    for (int round = 0; round < 400; ++round) {
        CAPTURE(round);
        std::vector<added_option> options;
        const std::size_t count = rng.below(9);
        for (std::size_t k = 0; k < count; ++k) {
            const std::uint16_t number = numbers[rng.below(std::size(numbers))];
            const lwm2m::coap::option_info* info = lwm2m::coap::find_option_info(static_cast<option_number>(number));
            if (info != nullptr && info->format == lwm2m::coap::option_format::uint && rng.chance(70)) {
                const std::uint32_t limit = info->max_length >= 4 ? 0xFFFFFFFFu : (1u << (8 * info->max_length)) - 1;
                options.push_back({number, true, static_cast<std::uint32_t>(rng.next()) & limit, ""});
                continue;
            }
            const std::size_t min = info != nullptr ? info->min_length : 0;
            const std::size_t max = info != nullptr ? std::min<std::size_t>(info->max_length, 300) : 300;
            const std::size_t length = rng.chance(60) ? min + rng.below(std::min<std::size_t>(max - min, 12) + 1)
                                                      : min + rng.below(max - min + 1);
            options.push_back({number, false, 0, long_text.substr(0, length)});
        }
        const std::string payload = rng.chance(50) ? long_text.substr(0, rng.below(40)) : "";
        const auto token = bytes(9, 8, 7, 6, 5);

        message_builder<12> b;
        b.type(message_type::confirmable).code(code::post).message_id(0x77).token(token).payload(payload);
        for (const added_option& o : options) {
            if (o.as_uint) b.uint_option(static_cast<option_number>(o.number), o.uint_value);
            else b.option(static_cast<option_number>(o.number), std::string_view{o.text});
        }
        const auto exact = b.encoded_size();
        REQUIRE(outcome(exact) == "ok");
        byte_vector expected(*exact);
        REQUIRE(outcome(b.serialize(expected)) == "ok");

        const auto write = [&](mutable_bytes out) {
            message_writer w{out};
            w.header(message_type::confirmable, code::post, 0x77, token);
            for (const added_option& o : options) {
                if (o.as_uint) w.uint_option(static_cast<option_number>(o.number), o.uint_value);
                else w.option(static_cast<option_number>(o.number), std::string_view{o.text});
            }
            w.payload(lwm2m::as_bytes(payload));
            return w.finish();
        };
        for (std::size_t size = 0; size <= *exact + 2; ++size) {
            CAPTURE(size);
            byte_vector out(size + 4, std::byte{0xA5});
            const auto n = write(mutable_bytes{out.data(), size});
            for (std::size_t i = size; i < out.size(); ++i) REQUIRE(out[i] == std::byte{0xA5});  // nothing past the buffer
            if (size >= *exact) {
                REQUIRE(outcome(n) == "ok");
                CHECK(*n == *exact);
                CHECK(to_hex(bytes_view{out.data(), *n}) == to_hex(expected));
            } else {
                // The size needed: exact, or (an option inserted after the buffer ran out) a bound
                // of at most 3 bytes over per option, with which it then fits.
                REQUIRE(n.error().code == errc::buffer_too_small);
                CHECK(n.error().offset >= *exact);
                CHECK(n.error().offset <= *exact + 3 * options.size());
                byte_vector retry(n.error().offset);
                CHECK(outcome(write(retry)) == "ok");
            }
        }
    }
}

TEST_CASE("message_builder<N>: serialize agrees with message_writer for every buffer size (fast path and fallbacks)") {
    const std::string s12(12, 'a'), s13(13, 'b'), s268(268, 'c'), s269(269, 'd'), s300(300, 'e');
    const auto token4 = bytes(1, 2, 3, 4);
    const auto token8 = bytes(1, 2, 3, 4, 5, 6, 7, 8);
    struct shape {
        const char* what;
        message_type type;
        code c;
        bool long_token;
        std::vector<added_option> options;  // in the order added
        std::string payload;
    };
    const std::vector<shape> shapes = {
        {"in order, one-byte headers (LwM2M Register)", message_type::confirmable, code::post, false,
         {{11, false, 0, "rd"}, {12, true, 40, ""}, {15, false, 0, "ep=ab"}, {15, false, 0, "lt=300"}},
         "</1/0>,</3/0>"},
        {"values of 12, 13 and 268 bytes (two-byte headers), 269 and 300 (extended)", message_type::non_confirmable,
         code::content, true,
         {{8, false, 0, s12}, {8, false, 0, s13}, {8, false, 0, s268}, {8, false, 0, s269}, {15, false, 0, s300}}, ""},
        {"deltas of 12, 13, 14 and 268, numbers from 64 up", message_type::acknowledgement, code::content, true,
         {{12, true, 0, ""}, {25, false, 0, ""}, {39, false, 0, "x"}, {60, true, 70000, ""}, {252, false, 0, "echo"},
          {520, false, 0, "y"}, {65535, false, 0, ""}},
         "p"},
        {"uint values of every length", message_type::confirmable, code::get, false,
         {{6, true, 0, ""}, {14, true, 1, ""}, {14, true, 0x1234, ""}, {14, true, 0x123456, ""},
          {14, true, 0xFFFFFFFF, ""}},
         ""},
        {"out of order, repeats keep the order added", message_type::confirmable, code::put, true,
         {{15, false, 0, "q=1"}, {11, false, 0, "a"}, {12, true, 50, ""}, {4, false, 0, "t"}, {11, false, 0, "b"},
          {15, false, 0, "q=2"}, {1, false, 0, ""}, {60, true, 1000, ""}, {11, false, 0, "c"}, {6, true, 7, ""}},
         "body"},
        {"invalid lengths are the writer's errors", message_type::confirmable, code::get, false,
         {{11, false, 0, "a"}, {12, true, 0x12345, ""}, {15, false, 0, "q"}}, ""},
        {"an invalid length among valid ones", message_type::confirmable, code::get, false,
         {{3, false, 0, ""}, {11, false, 0, "a"}}, "x"},
        {"a header the writer rejects", message_type::acknowledgement, code::get, false, {{11, false, 0, "a"}}, ""},
        {"no options", message_type::non_confirmable, code::changed, true, {}, "only a payload"},
    };
    for (const shape& sh : shapes) {
        CAPTURE(sh.what);
        const bytes_view token = sh.long_token ? bytes_view{token8} : bytes_view{token4};
        message_builder<12> b;
        b.type(sh.type).code(sh.c).message_id(0x1a2b).token(token).payload(sh.payload);
        for (const added_option& o : sh.options) {
            if (o.as_uint) b.uint_option(static_cast<option_number>(o.number), o.uint_value);
            else b.option(static_cast<option_number>(o.number), std::string_view{o.text});
        }
        REQUIRE_FALSE(b.status().has_value());
        check_against_writer(b, sh.type, sh.c, 0x1a2b, token, sh.options, sh.payload);

        // a copy (inline values rebound to the copy's own slots), then one more option in order
        // and one out of order on both
        message_builder<12> copy = b;
        check_against_writer(copy, sh.type, sh.c, 0x1a2b, token, sh.options, sh.payload);
        std::vector<added_option> more = sh.options;
        more.push_back({61, true, 0xABCD, ""});
        more.push_back({2, true, 3, ""});
        for (message_builder<12>* x : {&b, &copy}) x->uint_option(static_cast<option_number>(61), 0xABCD).uint_option(static_cast<option_number>(2), 3);
        check_against_writer(b, sh.type, sh.c, 0x1a2b, token, more, sh.payload);
        check_against_writer(copy, sh.type, sh.c, 0x1a2b, token, more, sh.payload);

        // cleared, then the same options again
        b.clear_options();
        check_against_writer(b, sh.type, sh.c, 0x1a2b, token, {}, sh.payload);
        for (const added_option& o : sh.options) {
            if (o.as_uint) b.uint_option(static_cast<option_number>(o.number), o.uint_value);
            else b.option(static_cast<option_number>(o.number), std::string_view{o.text});
        }
        check_against_writer(b, sh.type, sh.c, 0x1a2b, token, sh.options, sh.payload);
    }
}
