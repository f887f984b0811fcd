// Tests of CoAP options: option_view typed access (RFC 7252 §3.2), the option number registry
// (RFC 7252 §5.4.6, §5.10 Table 4, §12.2; RFC 7641; RFC 7959), option iteration and the
// message_view accessors built on it. Values are worked out from the RFC text.
// doctest, no main here: link with a translation unit defining DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN.

#include <lwm2m/coap/option.hpp>

#include <doctest/doctest.h>

#include <lwm2m/bytes.hpp>
#include <lwm2m/coap/block.hpp>
#include <lwm2m/coap/message_view.hpp>
#include <lwm2m/coap/option_iterator.hpp>
#include <lwm2m/coap/option_number.hpp>
#include <lwm2m/coap/parse.hpp>
#include <lwm2m/errc.hpp>

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
using lwm2m::coap::block_option;
using lwm2m::coap::message_view;
using lwm2m::coap::option_format;
using lwm2m::coap::option_number;
using lwm2m::coap::option_view;
using lwm2m::coap::parse;
using lwm2m::coap::parse_options;

/// A datagram assembled byte by byte (see parse_test.cpp); `opt` writes an option header
/// per RFC 7252 §3.1 Figure 8.
struct dgram {
    std::vector<std::byte> b;
    dgram() { u8({0x40, 0x01, 0x00, 0x01}); }  // CON GET, MID 1, no token
    dgram& u8(std::initializer_list<int> v) {
        for (int x : v) b.push_back(static_cast<std::byte>(x));
        return *this;
    }
    dgram& str(std::string_view s) {
        for (char c : s) b.push_back(static_cast<std::byte>(c));
        return *this;
    }
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
    /// One option given by absolute number (the delta is taken from the last one written).
    dgram& option(std::uint32_t number, std::initializer_list<int> value) {
        opt(number - last, static_cast<std::uint32_t>(value.size()));
        last = number;
        return u8(value);
    }
    dgram& option(std::uint32_t number, std::string_view value) {
        opt(number - last, static_cast<std::uint32_t>(value.size()));
        last = number;
        return str(value);
    }
    std::uint32_t last = 0;
};

message_view parsed(const dgram& d, const parse_options& o = {}) {
    auto r = parse(bytes_view{d.b.data(), d.b.size()}, o);
    REQUIRE(r.has_value());
    return *r;
}

template <class Range>
std::vector<std::string> strings(const Range& r) {
    std::vector<std::string> v;
    for (auto s : r) v.emplace_back(s);
    return v;
}

std::string describe(const lwm2m::error& e) {
    return std::string(lwm2m::name(e.code)) + " at " + std::to_string(e.offset);
}

template <class... T>
std::array<std::byte, sizeof...(T)> bytes(T... v) {
    return {static_cast<std::byte>(v)...};
}

} // namespace

// ---- option_view ------------------------------------------------------------------------------

TEST_CASE("RFC 7252 §3.2: uint values are big-endian, 0 is zero-length, leading zeros are accepted") {
    const auto empty = bytes();
    CHECK(option_view{option_number::max_age, empty}.as_uint().value() == 0);
    const auto one = bytes(0x01);
    CHECK(option_view{option_number::max_age, one}.as_uint().value() == 1);
    const auto two = bytes(0x01, 0x00);
    CHECK(option_view{option_number::max_age, two}.as_uint().value() == 256);
    const auto lead = bytes(0x00, 0x00, 0x28);  // "A recipient MUST be prepared to process
    CHECK(option_view{option_number::max_age, lead}.as_uint().value() == 40);  // leading zero bytes"
    const auto four = bytes(0xFF, 0xFF, 0xFF, 0xFF);
    CHECK(option_view{option_number::max_age, four}.as_uint().value() == 0xFFFFFFFFu);
    const auto five = bytes(0x00, 0x00, 0x00, 0x00, 0x01);
    const auto r = option_view{option_number::max_age, five}.as_uint();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::invalid_uint_option);
}

TEST_CASE("RFC 7252 §3.2: string values are viewed as the bytes sent, with their size") {
    const auto b = bytes('r', 'd');
    const option_view o{option_number::uri_path, b};
    CHECK(o.as_string() == "rd");
    CHECK(o.size() == 2);
    CHECK(option_view{}.as_string().empty());
}

// ---- the registry -------------------------------------------------------------------------------

TEST_CASE("RFC 7252 §5.4.6 Figure 11: Critical, UnSafe and NoCacheKey from the option number") {
    struct row {
        option_number n;
        bool critical, unsafe, no_cache_key;
    };
    // Table 4 of RFC 7252 (C, U, N columns), RFC 7641 §2 (Observe), RFC 7959 §2.1/§4 (Block, Size2)
    constexpr row rows[] = {
        {option_number::if_match, true, false, false},       {option_number::uri_host, true, true, false},
        {option_number::etag, false, false, false},          {option_number::if_none_match, true, false, false},
        {option_number::observe, false, true, false},        {option_number::uri_port, true, true, false},
        {option_number::location_path, false, false, false}, {option_number::uri_path, true, true, false},
        {option_number::content_format, false, false, false}, {option_number::max_age, false, true, false},
        {option_number::uri_query, true, true, false},       {option_number::accept, true, false, false},
        {option_number::location_query, false, false, false}, {option_number::block2, true, true, false},
        {option_number::block1, true, true, false},          {option_number::size2, false, false, true},
        {option_number::proxy_uri, true, true, false},       {option_number::proxy_scheme, true, true, false},
        {option_number::size1, false, false, true},
    };
    for (const row& r : rows) {
        CAPTURE(static_cast<int>(r.n));
        CHECK(lwm2m::coap::is_critical(r.n) == r.critical);
        CHECK(lwm2m::coap::is_unsafe(r.n) == r.unsafe);
        // NoCacheKey only means something for safe-to-forward options ("-" for UnSafe ones)
        if (!r.unsafe) CHECK(lwm2m::coap::is_no_cache_key(r.n) == r.no_cache_key);
    }
    // the bit rules on numbers no table lists
    CHECK(lwm2m::coap::is_critical(static_cast<option_number>(65535)));
    CHECK_FALSE(lwm2m::coap::is_critical(static_cast<option_number>(65534)));
    CHECK(lwm2m::coap::is_unsafe(static_cast<option_number>(2)));
    CHECK(lwm2m::coap::is_no_cache_key(static_cast<option_number>(0x11C)));  // low byte 0x1C
    CHECK_FALSE(lwm2m::coap::is_no_cache_key(static_cast<option_number>(0x1E)));
}

TEST_CASE("RFC 7252 §5.10 Table 4 / §12.2: names, formats, lengths and repeatability of known options") {
    struct row {
        std::uint16_t number;
        std::string_view name;
        option_format format;
        std::uint16_t min, max;
        bool repeatable;
    };
    constexpr row rows[] = {
        {1, "If-Match", option_format::opaque, 0, 8, true},
        {3, "Uri-Host", option_format::string, 1, 255, false},
        {4, "ETag", option_format::opaque, 1, 8, true},
        {5, "If-None-Match", option_format::empty, 0, 0, false},
        {6, "Observe", option_format::uint, 0, 3, false},           // RFC 7641 §2
        {7, "Uri-Port", option_format::uint, 0, 2, false},
        {8, "Location-Path", option_format::string, 0, 255, true},
        {11, "Uri-Path", option_format::string, 0, 255, true},
        {12, "Content-Format", option_format::uint, 0, 2, false},
        {14, "Max-Age", option_format::uint, 0, 4, false},
        {15, "Uri-Query", option_format::string, 0, 255, true},
        {17, "Accept", option_format::uint, 0, 2, false},
        {20, "Location-Query", option_format::string, 0, 255, true},
        {23, "Block2", option_format::uint, 0, 3, false},           // RFC 7959 §2.1
        {27, "Block1", option_format::uint, 0, 3, false},
        {28, "Size2", option_format::uint, 0, 4, false},            // RFC 7959 §4
        {35, "Proxy-Uri", option_format::string, 1, 1034, false},
        {39, "Proxy-Scheme", option_format::string, 1, 255, false},
        {60, "Size1", option_format::uint, 0, 4, false},
    };
    for (const row& r : rows) {
        CAPTURE(r.number);
        const auto n = static_cast<option_number>(r.number);
        const auto* info = lwm2m::coap::find_option_info(n);
        REQUIRE(info != nullptr);
        CHECK(info->number == n);
        CHECK(info->name == r.name);
        CHECK(lwm2m::coap::name(n) == r.name);
        CHECK(info->format == r.format);
        CHECK(info->min_length == r.min);
        CHECK(info->max_length == r.max);
        CHECK(info->repeatable == r.repeatable);
        CHECK(lwm2m::coap::is_known_option(n));
    }
}

TEST_CASE("RFC 7252 §12.2: reserved and unassigned numbers are not known options") {
    // 0 and 128/132/136/140 are (Reserved); 2, 13 and 65000 are unassigned
    for (std::uint16_t v : {0, 2, 10, 13, 128, 132, 136, 140, 2048, 65000, 65535}) {
        CAPTURE(v);
        const auto n = static_cast<option_number>(v);
        CHECK(lwm2m::coap::find_option_info(n) == nullptr);
        CHECK(lwm2m::coap::name(n).empty());
        CHECK_FALSE(lwm2m::coap::is_known_option(n));
    }
}

// ---- iteration ----------------------------------------------------------------------------------

TEST_CASE("RFC 7252 §3.1: options() yields every option in order with absolute numbers") {
    dgram d;
    d.option(3, "example.net").option(7, {0x16, 0x33}).option(11, ".well-known").option(11, "core")
        .option(2051, {}).u8({0xFF}).str("body");
    const auto m = parsed(d);
    std::vector<std::uint32_t> numbers;
    std::vector<std::string> values;
    for (const option_view& o : m.options()) {
        numbers.push_back(static_cast<std::uint32_t>(o.number));
        values.emplace_back(o.as_string());
    }
    CHECK(numbers == std::vector<std::uint32_t>{3, 7, 11, 11, 2051});
    CHECK(values[0] == "example.net");
    CHECK(values[2] == ".well-known");
    CHECK(values[3] == "core");
    CHECK(values[4].empty());

    // post-increment and find/has
    auto it = m.options().begin();
    const auto first = it++;
    CHECK(first->number == option_number::uri_host);
    CHECK(it->number == option_number::uri_port);
    CHECK(m.has(option_number::uri_port));
    CHECK(m.find(option_number::uri_port)->as_uint().value() == 5683);
    CHECK_FALSE(m.has(option_number::uri_query));
    CHECK_FALSE(m.find(option_number::content_format).has_value());
    CHECK(m.find(static_cast<option_number>(2051)).has_value());
}

TEST_CASE("RFC 7252 §5.4.5: options(n) yields each occurrence of a repeatable option in order") {
    dgram d;
    d.option(4, {0x01}).option(4, {0x02, 0x03}).option(11, "a").option(11, "b").option(15, "x=1");
    const auto m = parsed(d);
    std::vector<std::size_t> sizes;
    for (const option_view& o : m.options(option_number::etag)) sizes.push_back(o.size());
    CHECK(sizes == std::vector<std::size_t>{1, 2});
    CHECK(m.options(option_number::etag).count() == 2);
    CHECK(m.options(option_number::uri_path).count() == 2);
    CHECK(m.options(option_number::uri_query).count() == 1);
    CHECK(m.options(option_number::if_match).empty());
    CHECK(m.options(option_number::size1).count() == 0);
    CHECK(m.options(static_cast<option_number>(9999)).empty());

    auto it = m.uri_path().begin();
    CHECK(*it++ == "a");
    CHECK(*it == "b");
    ++it;
    CHECK(it == m.uri_path().end());
}

TEST_CASE("RFC 7252 §5.10.1/§5.10.7: uri_path, uri_query, location_path and location_query") {
    // Appendix B: Uri-Path "", "/", "", "" and Uri-Query "//", "?&" are all legitimate values
    dgram d;
    d.option(8, "rd").option(8, "5a3f").option(11, "").option(11, "/").option(11, "").option(11, "")
        .option(15, "//").option(15, "?&").option(20, "q=1");
    const auto m = parsed(d);
    CHECK(strings(m.location_path()) == std::vector<std::string>{"rd", "5a3f"});
    CHECK(strings(m.uri_path()) == std::vector<std::string>{"", "/", "", ""});
    CHECK(strings(m.uri_query()) == std::vector<std::string>{"//", "?&"});
    CHECK(strings(m.location_query()) == std::vector<std::string>{"q=1"});
    CHECK(m.uri_path().count() == 4);

    const dgram empty_message;
    const auto none = parsed(empty_message);
    CHECK(none.uri_path().empty());
    CHECK(none.uri_query().empty());
    CHECK(none.location_path().empty());
    CHECK(none.location_query().empty());
}

// ---- typed accessors ------------------------------------------------------------------------------

TEST_CASE("RFC 7252 §5.10.3/§5.10.4: content_format and accept, 0 being a zero-length value") {
    dgram zero;
    zero.option(12, {}).option(17, {});
    const auto z = parsed(zero);
    REQUIRE(z.content_format().has_value());
    CHECK(*z.content_format() == 0);  // text/plain;charset=utf-8
    REQUIRE(z.accept().has_value());
    CHECK(*z.accept() == 0);

    dgram d;
    d.option(12, {0x2D, 0x16}).option(17, {0x6E});
    const auto m = parsed(d);
    CHECK(m.content_format().value() == 11542);
    CHECK(m.accept().value() == 110);

    dgram lead;
    lead.option(12, {0x00, 0x28});  // 40 with a leading zero byte
    CHECK(parsed(lead).content_format().value() == 40);

    const dgram empty_message;
    const auto none = parsed(empty_message);
    CHECK_FALSE(none.content_format().has_value());
    CHECK_FALSE(none.accept().has_value());
}

TEST_CASE("RFC 7641 §2: observe is a uint of 0-3 bytes, 0 being zero-length") {
    dgram reg;
    reg.option(6, {});
    CHECK(parsed(reg).observe().value() == 0);
    dgram dereg;
    dereg.option(6, {0x01});
    CHECK(parsed(dereg).observe().value() == 1);
    dgram big;
    big.option(6, {0xFF, 0xFF, 0xFF});
    CHECK(parsed(big).observe().value() == 0xFFFFFF);
    CHECK_FALSE(parsed(dgram{}).observe().has_value());
}

TEST_CASE("RFC 7252 §5.10.5: max_age defaults to 60 seconds and spans 0..2^32-1") {
    CHECK(parsed(dgram{}).max_age() == 60);
    dgram zero;
    zero.option(14, {});
    CHECK(parsed(zero).max_age() == 0);
    dgram max;
    max.option(14, {0xFF, 0xFF, 0xFF, 0xFF});
    CHECK(parsed(max).max_age() == 4294967295u);
    dgram day;
    day.option(14, {0x01, 0x51, 0x80});
    CHECK(parsed(day).max_age() == 86400);
}

TEST_CASE("RFC 7959 §4: size1 and size2 are uints of 0-4 bytes") {
    dgram d;
    d.option(28, {0x04, 0x00}).option(60, {0x01, 0x00, 0x00, 0x00});
    const auto m = parsed(d);
    CHECK(m.size2().value() == 1024);
    CHECK(m.size1().value() == 16777216);
    dgram zero;
    zero.option(28, {});  // "Size2 with value 0 asks the server to report the size"
    CHECK(parsed(zero).size2().value() == 0);
    CHECK_FALSE(parsed(zero).size1().has_value());
}

TEST_CASE("RFC 7252 §5.10.6/§5.10.8: etag, if_match and if_none_match") {
    dgram d;
    d.option(1, {}).option(1, {0xE7, 0x7A}).option(4, {0x01, 0x02, 0x03}).option(4, {0x09}).option(5, {});
    const auto m = parsed(d);
    REQUIRE(m.etag().has_value());
    CHECK(m.etag()->size() == 3);  // the first one
    CHECK((*m.etag())[0] == std::byte{0x01});
    std::vector<std::size_t> if_match_sizes;
    for (const option_view& o : m.if_match()) if_match_sizes.push_back(o.size());
    CHECK(if_match_sizes == std::vector<std::size_t>{0, 2});  // empty If-Match: "any representation"
    CHECK(m.if_none_match());

    const dgram empty_message;
    const auto none = parsed(empty_message);
    CHECK_FALSE(none.etag().has_value());
    CHECK(none.if_match().empty());
    CHECK_FALSE(none.if_none_match());
}

TEST_CASE("RFC 7959 §2.2: block1/block2 absent, valid, and SZX 7 (invalid_block_option at the value)") {
    const dgram empty_message;
    const auto none = parsed(empty_message);
    REQUIRE(none.block1().has_value());
    CHECK_FALSE(none.block1()->has_value());
    REQUIRE(none.block2().has_value());
    CHECK_FALSE(none.block2()->has_value());

    // Block2 value 33 = 2:2/0/32, Block1 value 59 = 1:3/1/128 (the RFC's own notation examples)
    dgram d;
    d.option(23, {33}).option(27, {59});
    const auto m = parsed(d);
    REQUIRE(m.block2().has_value());
    REQUIRE(m.block2()->has_value());
    CHECK(**m.block2() == block_option{2, false, 1});
    REQUIRE(m.block1().has_value());
    REQUIRE(m.block1()->has_value());
    CHECK(**m.block1() == block_option{3, true, 3});

    // a zero-length Block2 is the explicit value 0: NUM 0, M 0, SZX 0 (16 bytes), not "absent"
    dgram zero;
    zero.option(23, {});
    const auto z = parsed(zero);
    REQUIRE(z.block2()->has_value());
    CHECK(**z.block2() == block_option{0, false, 0});

    // 3 bytes: NUM is 20 bits
    dgram wide;
    wide.option(27, {0xFF, 0xFF, 0xFE});
    CHECK(**parsed(wide).block1() == block_option{0xFFFFF, true, 6});

    // SZX 7: header at 4, extended delta byte at 5, value at 6
    dgram bad;
    bad.option(23, {0x17});
    const auto b = parsed(bad);
    REQUIRE_FALSE(b.block2().has_value());
    CHECK(describe(b.block2().error()) == describe({errc::invalid_block_option, 6}));
    CHECK(b.block1().has_value());  // the other option is unaffected

    // SZX 7 after a 2-byte token and Uri-Path "big" (header 6, value 7-9); Block1 header 10-11, value 12
    dgram later;
    later.b[0] = std::byte{0x42};
    later.u8({0xAB, 0xCD}).option(11, "big").option(27, {0x00, 0x0F});
    const auto l = parsed(later);
    REQUIRE_FALSE(l.block1().has_value());
    CHECK(describe(l.block1().error()) == describe({errc::invalid_block_option, 12}));

    // 4 bytes (only parseable with length checks off): also invalid_block_option at the value
    dgram four;
    four.option(23, {0x00, 0x00, 0x00, 0x16});
    const auto f = parsed(four, parse_options{false, true});
    REQUIRE_FALSE(f.block2().has_value());
    CHECK(describe(f.block2().error()) == describe({errc::invalid_block_option, 6}));
}

TEST_CASE("RFC 7252 §3.2: uint_option of an unknown option longer than 4 bytes has no value") {
    dgram d;
    d.option(2, {0x01, 0x02, 0x03, 0x04, 0x05}).option(4, {0x01});
    const auto m = parsed(d);
    CHECK_FALSE(m.uint_option(static_cast<option_number>(2)).has_value());
    CHECK(m.uint_option(option_number::etag).value() == 1);
    CHECK_FALSE(m.uint_option(option_number::max_age).has_value());
}

TEST_CASE("RFC 7252 §5.4.3: with length checks off, oversize uints are ignored by the accessors") {
    dgram d;
    d.option(12, {0x00, 0x00, 0x00, 0x00, 0x28}).option(14, {0, 0, 0, 0, 1});
    const auto m = parsed(d, parse_options{false, true});
    CHECK_FALSE(m.content_format().has_value());
    CHECK(m.max_age() == 60);
}
