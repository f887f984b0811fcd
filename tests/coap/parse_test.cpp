// Tests of coap::parse (RFC 7252 §3, §3.1, §4.1-4.3, §5.4.3): every error with its exact errc
// and offset, the valid edge cases of the option encoding, and the reference datagrams.
// Expected bytes and values are worked out from the RFC text, not from the implementation.
// doctest, no main here: link with a translation unit defining DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN.

#include <lwm2m/coap/parse.hpp>

#include <doctest/doctest.h>

#include <lwm2m/bytes.hpp>
#include <lwm2m/coap/code.hpp>
#include <lwm2m/coap/message_type.hpp>
#include <lwm2m/coap/message_view.hpp>
#include <lwm2m/coap/option_number.hpp>
#include <lwm2m/errc.hpp>
#include <lwm2m/result.hpp>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace {

using lwm2m::bytes_view;
using lwm2m::errc;
using lwm2m::coap::code;
using lwm2m::coap::message_type;
using lwm2m::coap::message_view;
using lwm2m::coap::option_number;
using lwm2m::coap::parse;
using lwm2m::coap::parse_options;

// ---- helpers ---------------------------------------------------------------------------------

/// A datagram assembled byte by byte: `dgram{}.u8({0x40, 0x01, 0x12, 0x34}).str("abc")`.
struct dgram {
    std::vector<std::byte> b;
    dgram& u8(std::initializer_list<int> v) {
        for (int x : v) b.push_back(static_cast<std::byte>(x));
        return *this;
    }
    dgram& str(std::string_view s) {
        for (char c : s) b.push_back(static_cast<std::byte>(c));
        return *this;
    }
    dgram& fill(std::size_t n, int v) {
        b.insert(b.end(), n, static_cast<std::byte>(v));
        return *this;
    }
    /// One option header (RFC 7252 §3.1, Figure 8) for `delta` and `length`, written here
    /// independently of the library's writer: 0..12 literal, 13 + 1 byte, 14 + 2 bytes.
    dgram& opt(std::uint32_t delta, std::uint32_t length) {
        const auto nib = [](std::uint32_t v) { return v < 13 ? v : v < 269 ? 13u : 14u; };
        b.push_back(static_cast<std::byte>((nib(delta) << 4) | nib(length)));
        for (std::uint32_t v : {delta, length}) {
            if (v >= 269) {
                b.push_back(static_cast<std::byte>((v - 269) >> 8));
                b.push_back(static_cast<std::byte>((v - 269) & 0xFF));
            } else if (v >= 13) {
                b.push_back(static_cast<std::byte>(v - 13));
            }
        }
        return *this;
    }
    [[nodiscard]] std::size_t size() const { return b.size(); }
    [[nodiscard]] bytes_view view() const { return {b.data(), b.size()}; }
};

/// Header of a message: Ver 1, the given type, TKL, code and Message ID (RFC 7252 §3, Figure 7).
dgram header(message_type t, std::uint8_t tkl, int code_byte, std::uint16_t mid = 0x1234) {
    dgram d;
    d.u8({0x40 | (static_cast<int>(t) << 4) | tkl, code_byte, mid >> 8, mid & 0xFF});
    return d;
}
dgram con_get(std::uint8_t tkl = 0) { return header(message_type::confirmable, tkl, 0x01); }

std::string describe(errc code, std::size_t offset) {
    return std::string(lwm2m::name(code)) + " at " + std::to_string(offset);
}
/// "ok" or "<errc> at <offset>", so failures print both the code and the offset.
std::string outcome(const lwm2m::result<message_view>& r) {
    return r ? std::string("ok") : describe(r.error().code, r.error().offset);
}
std::string parse_outcome(const dgram& d, const parse_options& o = {}) { return outcome(parse(d.view(), o)); }

std::vector<std::byte> from_hex(std::string_view hex) {
    std::vector<std::byte> out(hex.size() / 2);
    const auto n = lwm2m::from_hex(hex, out);
    REQUIRE(n.has_value());
    out.resize(*n);
    return out;
}
std::string text(bytes_view b) { return std::string(lwm2m::as_chars(b)); }

struct option_seen {
    std::uint32_t number;
    std::size_t length;
};
std::vector<option_seen> options_of(const message_view& m) {
    std::vector<option_seen> v;
    for (const auto& o : m.options()) v.push_back({static_cast<std::uint32_t>(o.number), o.value.size()});
    return v;
}

} // namespace

// ---- message_too_short, unsupported_version, TKL ---------------------------------------------

TEST_CASE("RFC 7252 §3: a datagram shorter than the 4-byte header is message_too_short at its end") {
    const dgram full = con_get();
    for (std::size_t n = 0; n < 4; ++n) {
        CAPTURE(n);
        dgram d;
        d.b.assign(full.b.begin(), full.b.begin() + static_cast<std::ptrdiff_t>(n));
        CHECK(parse_outcome(d) == describe(errc::message_too_short, n));
    }
    CHECK(parse_outcome(full) == "ok");
}

TEST_CASE("RFC 7252 §3: Ver other than 1 is unsupported_version at byte 0") {
    for (int ver : {0, 2, 3}) {
        CAPTURE(ver);
        dgram d;
        d.u8({ver << 6, 0x01, 0x00, 0x01});
        CHECK(parse_outcome(d) == describe(errc::unsupported_version, 0));
        // even with the type/code checks off: the version is part of the byte layout
        CHECK(parse_outcome(d, parse_options{false, false}) == describe(errc::unsupported_version, 0));
    }
}

TEST_CASE("RFC 7252 §3: TKL 9-15 is a message format error (invalid_token_length at byte 0)") {
    for (std::uint8_t tkl = 9; tkl <= 15; ++tkl) {
        CAPTURE(tkl);
        dgram d = con_get(tkl);
        d.fill(15, 0xAB);  // enough bytes for any token: the length itself is the error
        CHECK(parse_outcome(d) == describe(errc::invalid_token_length, 0));
    }
}

TEST_CASE("RFC 7252 §3: a datagram ending inside the token is truncated_token at its end") {
    for (std::uint8_t tkl = 1; tkl <= 8; ++tkl) {
        CAPTURE(tkl);
        dgram d = con_get(tkl);
        d.fill(tkl - 1u, 0x5A);
        CHECK(parse_outcome(d) == describe(errc::truncated_token, d.size()));
        d.fill(1, 0x5A);
        CHECK(parse_outcome(d) == "ok");
    }
}

TEST_CASE("RFC 7252 §3: token lengths 0..8 are all valid and the token is returned as sent") {
    for (std::uint8_t tkl = 0; tkl <= 8; ++tkl) {
        CAPTURE(tkl);
        dgram d = con_get(tkl);
        for (std::uint8_t i = 0; i < tkl; ++i) d.u8({0xA0 + i});
        d.opt(11, 2).str("rd");  // an option right after the token must not be eaten by it
        const auto m = parse(d.view());
        REQUIRE(m.has_value());
        REQUIRE(m->token().size() == tkl);
        for (std::uint8_t i = 0; i < tkl; ++i) CHECK(m->token()[i] == static_cast<std::byte>(0xA0 + i));
        std::vector<std::string> path;
        for (auto s : m->uri_path()) path.emplace_back(s);
        CHECK(path == std::vector<std::string>{"rd"});
    }
}

// ---- code classes and type/code combinations -------------------------------------------------

TEST_CASE("RFC 7252 §4.2/§12.1: code classes 1, 6 and 7 are reserved (reserved_code_class at byte 1)") {
    for (int cls : {1, 6, 7}) {
        for (int detail : {0, 1, 5, 31}) {
            for (auto t : {message_type::confirmable, message_type::non_confirmable, message_type::acknowledgement,
                           message_type::reset}) {
                CAPTURE(cls);
                CAPTURE(detail);
                CAPTURE(static_cast<int>(t));
                const dgram d = header(t, 0, (cls << 5) | detail);
                CHECK(parse_outcome(d) == describe(errc::reserved_code_class, 1));
                CHECK(parse_outcome(d, parse_options{true, false}) == describe(errc::reserved_code_class, 1));
            }
        }
    }
}

TEST_CASE("RFC 7252 §4.2: classes 0, 2, 3, 4 and 5 are not reserved classes") {
    // Class 3 response codes are "Reserved for future use" in the registry (§12.1.2), but §4.2
    // names only classes 1, 6 and 7 as the reserved classes that make a message unprocessable.
    for (int c : {0x01, 0x1F, 0x41, 0x45, 0x5F, 0x60, 0x7F, 0x84, 0x9F, 0xA0, 0xBF}) {
        CAPTURE(c);
        CHECK(parse_outcome(header(message_type::confirmable, 0, c)) == "ok");
    }
}

TEST_CASE("RFC 7252 §4.1: an Empty message (0.00) with a token is empty_message_not_empty at byte 0") {
    dgram d = header(message_type::acknowledgement, 1, 0x00);
    d.u8({0x20});
    CHECK(parse_outcome(d) == describe(errc::empty_message_not_empty, 0));
    dgram d8 = header(message_type::reset, 8, 0x00);
    d8.fill(8, 0x11);
    CHECK(parse_outcome(d8) == describe(errc::empty_message_not_empty, 0));
}

TEST_CASE("RFC 7252 §4.1: bytes after the Message ID of an Empty message are empty_message_not_empty at byte 4") {
    for (auto t : {message_type::confirmable, message_type::acknowledgement, message_type::reset}) {
        CAPTURE(static_cast<int>(t));
        dgram with_option = header(t, 0, 0x00);
        with_option.opt(11, 1).str("a");
        CHECK(parse_outcome(with_option) == describe(errc::empty_message_not_empty, 4));

        dgram with_payload = header(t, 0, 0x00);
        with_payload.u8({0xFF}).str("x");
        CHECK(parse_outcome(with_payload) == describe(errc::empty_message_not_empty, 4));

        dgram marker_only = header(t, 0, 0x00);
        marker_only.u8({0xFF});
        CHECK(parse_outcome(marker_only) == describe(errc::empty_message_not_empty, 4));

        dgram one_zero_byte = header(t, 0, 0x00);
        one_zero_byte.u8({0x00});
        CHECK(parse_outcome(one_zero_byte) == describe(errc::empty_message_not_empty, 4));

        // §4.1 is a message format rule: it stays on when the type/code checks are off
        CHECK(parse_outcome(with_payload, parse_options{true, false}) ==
              describe(errc::empty_message_not_empty, 4));
    }
}

TEST_CASE("RFC 7252 §4.2: a Reset that carries a request or response is reset_not_empty at byte 1") {
    for (int c : {0x01, 0x02, 0x03, 0x04, 0x45, 0x84, 0xA0}) {
        CAPTURE(c);
        const dgram d = header(message_type::reset, 0, c);
        CHECK(parse_outcome(d) == describe(errc::reset_not_empty, 1));
        CHECK(parse_outcome(d, parse_options{true, false}) == "ok");
    }
    dgram with_token = header(message_type::reset, 2, 0x84);
    with_token.u8({0x01, 0x02});
    CHECK(parse_outcome(with_token) == describe(errc::reset_not_empty, 1));
}

TEST_CASE("RFC 7252 §4.2: an Acknowledgement carrying a request is ack_carries_request at byte 1") {
    // every method code 0.01..0.31 is a request (§12.1)
    for (int c = 0x01; c <= 0x1F; ++c) {
        CAPTURE(c);
        const dgram d = header(message_type::acknowledgement, 0, c);
        CHECK(parse_outcome(d) == describe(errc::ack_carries_request, 1));
        CHECK(parse_outcome(d, parse_options{true, false}) == "ok");
    }
    // piggybacked responses are what an ACK is for
    for (int c : {0x41, 0x44, 0x45, 0x5F, 0x80, 0x84, 0xA0, 0xA5}) {
        CAPTURE(c);
        CHECK(parse_outcome(header(message_type::acknowledgement, 0, c)) == "ok");
    }
}

TEST_CASE("RFC 7252 §4.3: an Empty Non-confirmable message is non_confirmable_empty at byte 1") {
    const dgram d = header(message_type::non_confirmable, 0, 0x00);
    CHECK(parse_outcome(d) == describe(errc::non_confirmable_empty, 1));
    const auto loose = parse(d.view(), parse_options{true, false});
    REQUIRE(loose.has_value());
    CHECK(loose->type() == message_type::non_confirmable);
    CHECK(loose->code() == code::empty);
    // NON requests and responses are fine
    CHECK(parse_outcome(header(message_type::non_confirmable, 0, 0x01)) == "ok");
    CHECK(parse_outcome(header(message_type::non_confirmable, 0, 0x45)) == "ok");
}

TEST_CASE("RFC 7252 §4.3 Table 1: Empty CON (ping), Empty ACK and Empty RST are valid 4-byte messages") {
    struct row {
        message_type type;
        int first_byte;
    };
    for (const row r : {row{message_type::confirmable, 0x40}, row{message_type::acknowledgement, 0x60},
                        row{message_type::reset, 0x70}}) {
        CAPTURE(r.first_byte);
        dgram d;
        d.u8({r.first_byte, 0x00, 0x7d, 0x38});
        const auto m = parse(d.view());
        REQUIRE(m.has_value());
        CHECK(m->type() == r.type);
        CHECK(m->code() == code::empty);
        CHECK(m->message_id() == 0x7d38);
        CHECK(m->token().empty());
        CHECK(m->options().empty());
        CHECK(m->payload().empty());
        CHECK(m->raw().size() == 4);
    }
}

// ---- option header errors ----------------------------------------------------------------------

TEST_CASE("RFC 7252 §3.1: option delta nibble 15 that is not the 0xFF marker is reserved_option_delta") {
    for (int h = 0xF0; h <= 0xFE; ++h) {
        CAPTURE(h);
        dgram d = con_get();
        d.u8({h}).fill(20, 0x00);
        CHECK(parse_outcome(d) == describe(errc::reserved_option_delta, 4));
    }
    // after a token and a valid option the offset is that of the bad header byte
    dgram d = con_get(2);
    d.u8({0xAA, 0xBB}).opt(11, 1).str("a").u8({0xF1, 0x00});
    CHECK(parse_outcome(d) == describe(errc::reserved_option_delta, 8));
}

TEST_CASE("RFC 7252 §3.1: option length nibble 15 is reserved_option_length, whatever the delta") {
    for (int h : {0x0F, 0x1F, 0x3F, 0xBF, 0xCF, 0xDF, 0xEF}) {
        CAPTURE(h);
        dgram d = con_get();
        d.u8({h}).fill(20, 0x00);  // 0xDF / 0xEF: the extended delta bytes are present
        CHECK(parse_outcome(d) == describe(errc::reserved_option_length, 4));
        CHECK(parse_outcome(d, parse_options{false, false}) == describe(errc::reserved_option_length, 4));
    }
    dgram d = con_get(1);
    d.u8({0x99}).opt(3, 4).str("host").u8({0xDF, 0x00});
    CHECK(parse_outcome(d) == describe(errc::reserved_option_length, 10));
}

TEST_CASE("RFC 7252 §3.1: missing extended delta bytes (13: 1 byte, 14: 2 bytes) are truncated_option") {
    dgram d13 = con_get();
    d13.u8({0xD0});
    CHECK(parse_outcome(d13) == describe(errc::truncated_option, 5));

    dgram d14_none = con_get();
    d14_none.u8({0xE0});
    CHECK(parse_outcome(d14_none) == describe(errc::truncated_option, 5));

    dgram d14_one = con_get();
    d14_one.u8({0xE0, 0x00});
    CHECK(parse_outcome(d14_one) == describe(errc::truncated_option, 6));

    // after a first, complete option
    dgram later = con_get(1);
    later.u8({0x42}).opt(11, 2).str("rd").u8({0xE0, 0x01});
    CHECK(parse_outcome(later) == describe(errc::truncated_option, later.size()));
}

TEST_CASE("RFC 7252 §3.1: missing extended length bytes (13: 1 byte, 14: 2 bytes) are truncated_option") {
    dgram l13 = con_get();
    l13.u8({0x0D});
    CHECK(parse_outcome(l13) == describe(errc::truncated_option, 5));

    dgram l14 = con_get();
    l14.u8({0x0E, 0x00});
    CHECK(parse_outcome(l14) == describe(errc::truncated_option, 6));

    // extended delta present, extended length missing (delta bytes come first, §3.1)
    dgram dl = con_get();
    dl.u8({0xDD, 0x00});
    CHECK(parse_outcome(dl) == describe(errc::truncated_option, 6));

    dgram dl2 = con_get();
    dl2.u8({0xED, 0x00, 0x00});
    CHECK(parse_outcome(dl2) == describe(errc::truncated_option, 7));

    dgram dl3 = con_get();
    dl3.u8({0xEE, 0x00, 0x00, 0x00});
    CHECK(parse_outcome(dl3) == describe(errc::truncated_option, 8));
}

TEST_CASE("RFC 7252 §3.1: a value shorter than the option length is truncated_option_value") {
    dgram short1 = con_get();
    short1.opt(11, 3).str("ab");
    CHECK(parse_outcome(short1) == describe(errc::truncated_option_value, 7));

    dgram short13 = con_get();
    short13.opt(11, 13).fill(12, 'x');
    CHECK(parse_outcome(short13) == describe(errc::truncated_option_value, short13.size()));

    dgram short269 = con_get();
    short269.opt(2, 269).fill(268, 'x');
    CHECK(parse_outcome(short269) == describe(errc::truncated_option_value, short269.size()));

    // a 0xFF inside the missing value is not a payload marker
    dgram ff = con_get();
    ff.opt(11, 4).u8({0xFF, 0x61});
    CHECK(parse_outcome(ff) == describe(errc::truncated_option_value, 7));
}

TEST_CASE("RFC 7252 §3.1: an option number above 65535 is option_number_overflow at its header") {
    // one delta of 65535 + 269 = 65804
    dgram big = con_get();
    big.u8({0xE0, 0xFF, 0xFF});
    CHECK(parse_outcome(big) == describe(errc::option_number_overflow, 4));

    // 65535 reached exactly, then one more
    dgram acc = con_get();
    acc.opt(65535, 0).opt(1, 0);
    CHECK(parse_outcome(acc) == describe(errc::option_number_overflow, 7));

    dgram acc13 = con_get(2);
    acc13.u8({1, 2}).opt(60000, 0).opt(5535, 0).opt(13, 0);
    CHECK(parse_outcome(acc13) == describe(errc::option_number_overflow, 12));

    // a repeat (delta 0) of option 65535 is fine
    dgram rep = con_get();
    rep.opt(65535, 0).opt(0, 1).u8({0x01});
    const auto m = parse(rep.view());
    REQUIRE(m.has_value());
    const auto seen = options_of(*m);
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].number == 65535);
    CHECK(seen[1].number == 65535);
    CHECK(seen[1].length == 1);
}

TEST_CASE("RFC 7252 §3: a payload marker followed by no payload is empty_payload_after_marker") {
    dgram bare = con_get();
    bare.u8({0xFF});
    CHECK(parse_outcome(bare) == describe(errc::empty_payload_after_marker, 5));

    dgram after = con_get(1);
    after.u8({0x31}).opt(11, 1).str("a").u8({0xFF});
    CHECK(parse_outcome(after) == describe(errc::empty_payload_after_marker, 8));
    CHECK(parse_outcome(after, parse_options{false, false}) == describe(errc::empty_payload_after_marker, 8));
}

// ---- invalid_option_length (RFC 7252 §5.10 Table 4, RFC 7959 §2.1/§4, RFC 7641 §2) ----------

namespace {
struct length_case {
    std::uint32_t number;
    std::size_t length;
    const char* what;
};
// Lengths outside the range each option's definition gives.
constexpr length_case out_of_range[] = {
    {1, 9, "If-Match 9"},          {3, 0, "Uri-Host 0"},          {3, 256, "Uri-Host 256"},
    {4, 0, "ETag 0"},              {4, 9, "ETag 9"},              {5, 1, "If-None-Match 1"},
    {6, 4, "Observe 4"},           {7, 3, "Uri-Port 3"},          {8, 256, "Location-Path 256"},
    {11, 256, "Uri-Path 256"},     {12, 3, "Content-Format 3"},   {14, 5, "Max-Age 5"},
    {15, 256, "Uri-Query 256"},    {17, 3, "Accept 3"},           {20, 256, "Location-Query 256"},
    {23, 4, "Block2 4"},           {27, 4, "Block1 4"},           {28, 5, "Size2 5"},
    {35, 0, "Proxy-Uri 0"},        {35, 1035, "Proxy-Uri 1035"},  {39, 0, "Proxy-Scheme 0"},
    {39, 256, "Proxy-Scheme 256"}, {60, 5, "Size1 5"},
};
// The two ends of each range.
constexpr length_case in_range[] = {
    {1, 0, "If-Match 0"},         {1, 8, "If-Match 8"},           {3, 1, "Uri-Host 1"},
    {3, 255, "Uri-Host 255"},     {4, 1, "ETag 1"},               {4, 8, "ETag 8"},
    {5, 0, "If-None-Match 0"},    {6, 0, "Observe 0"},            {6, 3, "Observe 3"},
    {7, 0, "Uri-Port 0"},         {7, 2, "Uri-Port 2"},           {8, 0, "Location-Path 0"},
    {8, 255, "Location-Path 255"}, {11, 0, "Uri-Path 0"},         {11, 255, "Uri-Path 255"},
    {12, 0, "Content-Format 0"},  {12, 2, "Content-Format 2"},    {14, 0, "Max-Age 0"},
    {14, 4, "Max-Age 4"},         {15, 0, "Uri-Query 0"},         {15, 255, "Uri-Query 255"},
    {17, 0, "Accept 0"},          {17, 2, "Accept 2"},            {20, 0, "Location-Query 0"},
    {20, 255, "Location-Query 255"}, {23, 0, "Block2 0"},         {23, 3, "Block2 3"},
    {27, 0, "Block1 0"},          {27, 3, "Block1 3"},            {28, 0, "Size2 0"},
    {28, 4, "Size2 4"},           {35, 1, "Proxy-Uri 1"},         {35, 1034, "Proxy-Uri 1034"},
    {39, 1, "Proxy-Scheme 1"},    {39, 255, "Proxy-Scheme 255"},  {60, 0, "Size1 0"},
    {60, 4, "Size1 4"},
};
} // namespace

TEST_CASE("RFC 7252 §5.4.3: a known option with a length outside its range is invalid_option_length") {
    for (const length_case& c : out_of_range) {
        CAPTURE(c.what);
        // alone, right after a 2-byte token: the header is at offset 6
        dgram alone = con_get(2);
        alone.u8({0x01, 0x02}).opt(c.number, static_cast<std::uint32_t>(c.length)).fill(c.length, 0x01);
        CHECK(parse_outcome(alone) == describe(errc::invalid_option_length, 6));

        // after a valid If-Match (option 1, 2 bytes): the header is at offset 7
        dgram later = con_get();
        later.opt(1, 2).u8({0xE7, 0x7A});
        if (c.number == 1) {
            later.opt(0, static_cast<std::uint32_t>(c.length));
        } else {
            later.opt(c.number - 1, static_cast<std::uint32_t>(c.length));
        }
        later.fill(c.length, 0x01).u8({0xFF}).str("p");
        CHECK(parse_outcome(later) == describe(errc::invalid_option_length, 7));

        // with the length check off, the same message parses and the option is visible
        const auto loose = parse(alone.view(), parse_options{false, true});
        REQUIRE(loose.has_value());
        const auto seen = options_of(*loose);
        REQUIRE(seen.size() == 1);
        CHECK(seen[0].number == c.number);
        CHECK(seen[0].length == c.length);
    }
}

TEST_CASE("RFC 7252 §5.10 Table 4: both ends of each known option's length range are accepted") {
    for (const length_case& c : in_range) {
        CAPTURE(c.what);
        dgram d = con_get(1);
        d.u8({0x07}).opt(c.number, static_cast<std::uint32_t>(c.length)).fill(c.length, 0x01);
        const auto m = parse(d.view());
        REQUIRE(outcome(m) == "ok");
        const auto seen = options_of(*m);
        REQUIRE(seen.size() == 1);
        CHECK(seen[0].number == c.number);
        CHECK(seen[0].length == c.length);
    }
}

TEST_CASE("RFC 7252 §5.4.3: unknown options have no length limit of their own") {
    for (std::uint32_t n : {2u, 13u, 1000u, 2049u, 65000u}) {
        CAPTURE(n);
        dgram d = con_get();
        d.opt(n, 300).fill(300, 0x33);
        CHECK(parse_outcome(d) == "ok");
    }
}

// ---- valid encodings of the option header ------------------------------------------------------

TEST_CASE("RFC 7252 §3.1: option deltas at the 12/13 and 268/269 boundaries and up to 65535") {
    struct row {
        std::uint32_t delta;
        std::vector<int> header;  // the header bytes worked out by hand from Figure 8
    };
    const row rows[] = {
        {12, {0xC0}},               // literal
        {13, {0xD0, 0x00}},         // 13 + 0
        {14, {0xD0, 0x01}},         // 13 + 1
        {268, {0xD0, 0xFF}},        // 13 + 255: largest 1-byte form
        {269, {0xE0, 0x00, 0x00}},  // 269 + 0: smallest 2-byte form
        {270, {0xE0, 0x00, 0x01}},
        {65535, {0xE0, 0xFE, 0xF2}},  // 269 + 65266
    };
    for (const row& r : rows) {
        CAPTURE(r.delta);
        dgram d = con_get();
        for (int b : r.header) d.u8({b});
        const auto m = parse(d.view());
        REQUIRE(outcome(m) == "ok");
        const auto seen = options_of(*m);
        REQUIRE(seen.size() == 1);
        CHECK(seen[0].number == r.delta);
        CHECK(seen[0].length == 0);
    }
}

TEST_CASE("RFC 7252 §3.1: deltas accumulate from 0, including through extended forms") {
    dgram d = con_get();
    d.u8({0x10})                       // 1: If-Match, empty
        .u8({0xD0, 0x00})              // +13 = 14 (Max-Age 0)
        .u8({0xD0, 0xFF})              // +268 = 282
        .u8({0xE0, 0x00, 0x00})        // +269 = 551
        .u8({0x00})                    // +0 = 551 again
        .u8({0xE0, 0xFC, 0xCB});       // +(269 + 64715) = 65535
    const auto m = parse(d.view());
    REQUIRE(outcome(m) == "ok");
    std::vector<std::uint32_t> numbers;
    for (const auto& s : options_of(*m)) numbers.push_back(s.number);
    CHECK(numbers == std::vector<std::uint32_t>{1, 14, 282, 551, 551, 65535});
}

TEST_CASE("RFC 7252 §3.1: option lengths at the 12/13 and 268/269 boundaries and large values") {
    struct row {
        std::uint32_t number;
        std::size_t length;
        std::vector<int> header;
    };
    const row rows[] = {
        {2, 12, {0x2C}},
        {2, 13, {0x2D, 0x00}},
        {2, 268, {0x2D, 0xFF}},
        {2, 269, {0x2E, 0x00, 0x00}},
        {2, 300, {0x2E, 0x00, 0x1F}},           // an unknown elective option of 300 bytes
        {35, 1034, {0xDE, 0x16, 0x02, 0xFD}},   // Proxy-Uri: delta 13+22, length 269+765
        {2, 65804, {0x2E, 0xFF, 0xFF}},         // the largest length the encoding can express
    };
    for (const row& r : rows) {
        CAPTURE(r.length);
        dgram d = con_get();
        for (int b : r.header) d.u8({b});
        d.fill(r.length, 'v');
        d.u8({0xFF}).str("payload");
        const auto m = parse(d.view());
        REQUIRE(outcome(m) == "ok");
        const auto seen = options_of(*m);
        REQUIRE(seen.size() == 1);
        CHECK(seen[0].number == r.number);
        CHECK(seen[0].length == r.length);
        CHECK(text(m->payload()) == "payload");
    }
}

TEST_CASE("RFC 7252 §3.1: repeated options use delta 0 and keep their order") {
    dgram d = con_get();
    d.opt(11, 1).str("a").opt(0, 0).opt(0, 3).str("ccc").opt(4, 4).str("k=vv").opt(0, 2).str("z=");
    const auto m = parse(d.view());
    REQUIRE(outcome(m) == "ok");
    std::vector<std::string> path, query;
    for (auto s : m->uri_path()) path.emplace_back(s);
    for (auto s : m->uri_query()) query.emplace_back(s);
    CHECK(path == std::vector<std::string>{"a", "", "ccc"});
    CHECK(query == std::vector<std::string>{"k=vv", "z="});
}

TEST_CASE("RFC 7252 §5.4.1: unknown elective and critical options parse; critical ones are reported") {
    // 2 (elective, unknown), 3 Uri-Host (critical, known), 11 Uri-Path, 13 (critical, unknown),
    // 2050 (elective, unknown), 2051 (critical, unknown)
    dgram d = con_get();
    d.opt(2, 1).u8({0x01}).opt(1, 4).str("host").opt(8, 1).str("a").opt(2, 0).opt(2037, 0).opt(1, 0);
    const auto m = parse(d.view());
    REQUIRE(outcome(m) == "ok");
    std::vector<std::uint32_t> numbers;
    for (const auto& s : options_of(*m)) numbers.push_back(s.number);
    CHECK(numbers == std::vector<std::uint32_t>{2, 3, 11, 13, 2050, 2051});

    // default: the registry is recognised, 13 is the first unknown critical option
    const auto first = m->first_unrecognized_critical();
    REQUIRE(first.has_value());
    CHECK(static_cast<std::uint32_t>(*first) == 13);

    // a custom predicate that knows only Uri-Path: Uri-Host (3) is now the first one
    const auto only_path = m->first_unrecognized_critical([](option_number n) { return n == option_number::uri_path; });
    REQUIRE(only_path.has_value());
    CHECK(*only_path == option_number::uri_host);

    // a predicate that knows 13 but not 2051
    const auto knows_13 = m->first_unrecognized_critical(
        [](option_number n) { return static_cast<std::uint16_t>(n) != 2051; });
    REQUIRE(knows_13.has_value());
    CHECK(static_cast<std::uint32_t>(*knows_13) == 2051);

    // elective options are never reported, even by a predicate that knows nothing
    dgram electives = con_get();
    electives.opt(2, 0).opt(2, 1).u8({0x28}).opt(2, 0).opt(2036, 0);
    const auto e = parse(electives.view());
    REQUIRE(outcome(e) == "ok");
    CHECK_FALSE(e->first_unrecognized_critical().has_value());
    CHECK_FALSE(e->first_unrecognized_critical([](option_number) { return false; }).has_value());

    // a predicate that knows everything reports nothing
    CHECK_FALSE(m->first_unrecognized_critical([](option_number) { return true; }).has_value());
}

TEST_CASE("RFC 7252 §5.4.5: a supernumerary critical option is treated as unrecognized") {
    // two Uri-Host options: the second occurrence is unrecognized (critical: 4.02 Bad Option)
    dgram hosts = con_get();
    hosts.opt(3, 1).str("a").opt(0, 1).str("b");
    const auto h = parse(hosts.view());
    REQUIRE(outcome(h) == "ok");
    const auto bad = h->first_unrecognized_critical();
    REQUIRE(bad.has_value());
    CHECK(*bad == option_number::uri_host);

    // two Block2 options (RFC 7959 §2.1: MUST NOT occur more than once)
    dgram blocks = con_get();
    blocks.opt(23, 1).u8({0x16}).opt(0, 1).u8({0x26});
    const auto b = parse(blocks.view());
    REQUIRE(outcome(b) == "ok");
    REQUIRE(b->first_unrecognized_critical().has_value());
    CHECK(*b->first_unrecognized_critical() == option_number::block2);

    // repeatable critical options (Uri-Path, Uri-Query, If-Match) may repeat
    dgram paths = con_get();
    paths.opt(1, 0).opt(0, 1).u8({0x01}).opt(10, 1).str("a").opt(0, 1).str("b").opt(4, 1).str("q").opt(0, 0);
    const auto p = parse(paths.view());
    REQUIRE(outcome(p) == "ok");
    CHECK_FALSE(p->first_unrecognized_critical().has_value());

    // a supernumerary elective option is silently ignored: the accessor uses the first one
    dgram formats = con_get();
    formats.opt(12, 1).u8({40}).opt(0, 1).u8({50});
    const auto f = parse(formats.view());
    REQUIRE(outcome(f) == "ok");
    CHECK_FALSE(f->first_unrecognized_critical().has_value());
    REQUIRE(f->content_format().has_value());
    CHECK(*f->content_format() == 40);
}

TEST_CASE("RFC 7252 §5.4.3: with length checks off, a critical option of bad length is unrecognized") {
    dgram host0 = con_get();
    host0.opt(3, 0).opt(8, 2).str("rd");  // Uri-Host of length 0, then Uri-Path
    CHECK(parse_outcome(host0) == describe(errc::invalid_option_length, 4));
    const auto m = parse(host0.view(), parse_options{false, true});
    REQUIRE(outcome(m) == "ok");
    REQUIRE(m->first_unrecognized_critical().has_value());
    CHECK(*m->first_unrecognized_critical() == option_number::uri_host);

    dgram inm = con_get();
    inm.opt(5, 1).u8({0x00});  // If-None-Match carrying a byte
    const auto n = parse(inm.view(), parse_options{false, true});
    REQUIRE(outcome(n) == "ok");
    REQUIRE(n->first_unrecognized_critical().has_value());
    CHECK(*n->first_unrecognized_critical() == option_number::if_none_match);

    // an elective option of bad length (ETag 9) is not a critical problem
    dgram etag9 = con_get();
    etag9.opt(4, 9).fill(9, 0x01);
    const auto e = parse(etag9.view(), parse_options{false, true});
    REQUIRE(outcome(e) == "ok");
    CHECK_FALSE(e->first_unrecognized_critical().has_value());
}

// ---- payload -------------------------------------------------------------------------------

TEST_CASE("RFC 7252 §3: the payload runs from after the marker to the end of the datagram") {
    dgram with = con_get(1);
    with.u8({0x20}).opt(11, 11).str("temperature").u8({0xFF}).str("22.3 C");
    const auto m = parse(with.view());
    REQUIRE(outcome(m) == "ok");
    CHECK(text(m->payload()) == "22.3 C");

    dgram marker_in_payload = con_get();
    marker_in_payload.u8({0xFF, 0xFF, 0xFF, 0x00});
    const auto p = parse(marker_in_payload.view());
    REQUIRE(outcome(p) == "ok");
    CHECK(p->options().empty());
    REQUIRE(p->payload().size() == 3);
    CHECK(p->payload()[0] == std::byte{0xFF});

    dgram without = con_get(1);
    without.u8({0x20}).opt(11, 11).str("temperature");
    const auto n = parse(without.view());
    REQUIRE(outcome(n) == "ok");
    CHECK(n->payload().empty());
}

TEST_CASE("RFC 7252 §3 implementation note: 0xFF inside an option length or value is not a marker") {
    dgram d = con_get();
    d.opt(11, 2).u8({0xFF, 0xFF});                    // value bytes 0xFF
    d.opt(2, 255).fill(255, 0xFF);                    // header 0x2D 0xF2: 255 bytes of 0xFF
    const auto m = parse(d.view());
    REQUIRE(outcome(m) == "ok");
    CHECK(m->payload().empty());
    const auto seen = options_of(*m);
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].length == 2);
    CHECK(seen[1].number == 13);
    CHECK(seen[1].length == 255);
}

// ---- the reference datagrams (/work/shared/bench-data, README there) ---------------------------

namespace {
constexpr std::string_view register_hex =
    "44021a2b11223344b2726411283d0865703d7374726565746c696768742d303030313233066c743d333030096c776d326d3d31"
    "2e3103623d55ff3c2f3e3b72743d226f6d612e6c776d326d223b63743d31313534332c3c2f312f303e2c3c2f332f303e2c3c2f"
    "342f303e2c3c2f352f303e2c3c2f333331312f303e2c3c2f333331312f313e2c3c2f333330332f303e";
constexpr std::string_view response_hex =
    "68451a2c0102030405060708c22d16ffc800144f70656e204d6f62696c6520416c6c69616e6365c801164c6967687477656967"
    "6874204d324d20436c69656e74c80209333435303030313233c80311312e302e322d7374726565746c69676874c10964c10a0f"
    "c40d6553f100c11055c811165374726565746c696768742d436f6e74726f6c6c6572";
constexpr std::string_view notify_hex = "58451a2da1a2a3a4a5a6a7a8623039622d16ffe4164441b40000";
} // namespace

TEST_CASE("Reference datagram coap-register.hex: CON POST /rd with link-format payload") {
    const auto bytes = from_hex(register_hex);
    CHECK(bytes.size() == 143);
    const auto m = parse(bytes);
    REQUIRE(outcome(m) == "ok");
    CHECK(m->type() == message_type::confirmable);
    CHECK(m->code() == code::post);
    CHECK(m->message_id() == 0x1a2b);
    CHECK(m->token().size() == 4);
    CHECK(m->token()[0] == std::byte{0x11});
    CHECK(m->token()[3] == std::byte{0x44});

    std::vector<std::string> path, query;
    for (auto s : m->uri_path()) path.emplace_back(s);
    for (auto s : m->uri_query()) query.emplace_back(s);
    CHECK(path == std::vector<std::string>{"rd"});
    CHECK(query == std::vector<std::string>{"ep=streetlight-000123", "lt=300", "lwm2m=1.1", "b=U"});
    REQUIRE(m->content_format().has_value());
    CHECK(*m->content_format() == 40);
    CHECK_FALSE(m->accept().has_value());
    CHECK_FALSE(m->observe().has_value());

    std::vector<std::uint32_t> numbers;
    for (const auto& s : options_of(*m)) numbers.push_back(s.number);
    CHECK(numbers == std::vector<std::uint32_t>{11, 12, 15, 15, 15, 15});
    CHECK(text(m->payload()) ==
          "</>;rt=\"oma.lwm2m\";ct=11543,</1/0>,</3/0>,</4/0>,</5/0>,</3311/0>,</3311/1>,</3303/0>");
    CHECK_FALSE(m->first_unrecognized_critical().has_value());
}

TEST_CASE("Reference datagram coap-response.hex: ACK 2.05 with a TLV payload") {
    const auto bytes = from_hex(response_hex);
    CHECK(bytes.size() == 136);
    const auto m = parse(bytes);
    REQUIRE(outcome(m) == "ok");
    CHECK(m->type() == message_type::acknowledgement);
    CHECK(m->code() == code::content);
    CHECK(m->message_id() == 0x1a2c);
    REQUIRE(m->token().size() == 8);
    for (std::size_t i = 0; i < 8; ++i) CHECK(m->token()[i] == static_cast<std::byte>(i + 1));
    REQUIRE(m->content_format().has_value());
    CHECK(*m->content_format() == 11542);
    const auto seen = options_of(*m);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].number == 12);
    CHECK(seen[0].length == 2);
    CHECK(m->payload().size() == 120);
    CHECK(m->payload()[0] == std::byte{0xC8});  // TLV: resource, 8-bit id, 8-bit length
    CHECK(m->max_age() == 60);                  // absent: the default
}

TEST_CASE("Reference datagram coap-notify.hex: NON 2.05 Observe 12345 with a TLV float") {
    const auto bytes = from_hex(notify_hex);
    CHECK(bytes.size() == 26);
    const auto m = parse(bytes);
    REQUIRE(outcome(m) == "ok");
    CHECK(m->type() == message_type::non_confirmable);
    CHECK(m->code() == code::content);
    CHECK(m->message_id() == 0x1a2d);
    REQUIRE(m->token().size() == 8);
    for (std::size_t i = 0; i < 8; ++i) CHECK(m->token()[i] == static_cast<std::byte>(0xA1 + i));
    REQUIRE(m->observe().has_value());
    CHECK(*m->observe() == 12345);
    REQUIRE(m->content_format().has_value());
    CHECK(*m->content_format() == 11542);
    std::vector<std::uint32_t> numbers;
    for (const auto& s : options_of(*m)) numbers.push_back(s.number);
    CHECK(numbers == std::vector<std::uint32_t>{6, 12});
    const std::vector<std::byte> tlv{std::byte{0xE4}, std::byte{0x16}, std::byte{0x44}, std::byte{0x41},
                                     std::byte{0xB4}, std::byte{0x00}, std::byte{0x00}};
    CHECK(std::vector<std::byte>(m->payload().begin(), m->payload().end()) == tlv);
}

TEST_CASE("RFC 7252 §3: every prefix of a valid datagram fails cleanly, never reading past it") {
    // Each strict prefix is either an error or (where it ends on an option boundary) a shorter
    // valid message; parsing must never read beyond the given span (checked by the sanitizers).
    for (const std::string_view hex : {register_hex, response_hex, notify_hex}) {
        const auto full = from_hex(hex);
        for (std::size_t n = 0; n <= full.size(); ++n) {
            std::vector<std::byte> prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
            const auto m = parse(prefix);
            if (m) {
                CHECK(m->raw().size() == n);
                for (const auto& o : m->options()) CHECK(o.value.data() + o.value.size() <= prefix.data() + n);
            } else {
                CHECK(m.error().offset <= n);
            }
        }
    }
}
