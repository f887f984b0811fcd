// Tests of the CoAP code registry (RFC 7252 §3, §12.1; RFC 7959 §2.9; RFC 8132; RFC 8516;
// RFC 8768) and of the message type names (RFC 7252 §3, §4).
// doctest, no main here: link with a translation unit defining DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN.

#include <lwm2m/coap/code.hpp>

#include <doctest/doctest.h>

#include <lwm2m/coap/message_type.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using lwm2m::coap::code;
using lwm2m::coap::code_class;
using lwm2m::coap::code_detail;
using lwm2m::coap::make_code;
using lwm2m::coap::message_type;

std::string dotted_string(code c) {
    const auto d = lwm2m::coap::dotted(c);
    return std::string(d.data(), d.size());
}

struct registered {
    code c;
    std::uint8_t byte;
    std::string_view dotted;
    std::string_view name;
};

// Every enumerator with the byte, dotted form and name its registry gives.
constexpr registered all_codes[] = {
    {code::empty, 0x00, "0.00", "Empty"},  // RFC 7252 §4.1, §12.1
    // RFC 7252 §12.1.1 Table 5
    {code::get, 0x01, "0.01", "GET"},
    {code::post, 0x02, "0.02", "POST"},
    {code::put, 0x03, "0.03", "PUT"},
    {code::delete_, 0x04, "0.04", "DELETE"},
    // RFC 8132 §2, §3
    {code::fetch, 0x05, "0.05", "FETCH"},
    {code::patch, 0x06, "0.06", "PATCH"},
    {code::ipatch, 0x07, "0.07", "iPATCH"},
    // RFC 7252 §12.1.2 Table 6, RFC 7959 §2.9.1 (2.31)
    {code::created, 0x41, "2.01", "Created"},
    {code::deleted, 0x42, "2.02", "Deleted"},
    {code::valid, 0x43, "2.03", "Valid"},
    {code::changed, 0x44, "2.04", "Changed"},
    {code::content, 0x45, "2.05", "Content"},
    {code::continue_, 0x5F, "2.31", "Continue"},
    {code::bad_request, 0x80, "4.00", "Bad Request"},
    {code::unauthorized, 0x81, "4.01", "Unauthorized"},
    {code::bad_option, 0x82, "4.02", "Bad Option"},
    {code::forbidden, 0x83, "4.03", "Forbidden"},
    {code::not_found, 0x84, "4.04", "Not Found"},
    {code::method_not_allowed, 0x85, "4.05", "Method Not Allowed"},
    {code::not_acceptable, 0x86, "4.06", "Not Acceptable"},
    {code::request_entity_incomplete, 0x88, "4.08", "Request Entity Incomplete"},  // RFC 7959 §2.9.2
    {code::conflict, 0x89, "4.09", "Conflict"},                                    // RFC 8132
    {code::precondition_failed, 0x8C, "4.12", "Precondition Failed"},
    {code::request_entity_too_large, 0x8D, "4.13", "Request Entity Too Large"},
    {code::unsupported_content_format, 0x8F, "4.15", "Unsupported Content-Format"},
    {code::unprocessable_entity, 0x96, "4.22", "Unprocessable Entity"},  // RFC 8132
    {code::too_many_requests, 0x9D, "4.29", "Too Many Requests"},        // RFC 8516
    {code::internal_server_error, 0xA0, "5.00", "Internal Server Error"},
    {code::not_implemented, 0xA1, "5.01", "Not Implemented"},
    {code::bad_gateway, 0xA2, "5.02", "Bad Gateway"},
    {code::service_unavailable, 0xA3, "5.03", "Service Unavailable"},
    {code::gateway_timeout, 0xA4, "5.04", "Gateway Timeout"},
    {code::proxying_not_supported, 0xA5, "5.05", "Proxying Not Supported"},
    {code::hop_limit_reached, 0xA8, "5.08", "Hop Limit Reached"},  // RFC 8768
};

bool is_registered(std::uint8_t byte) {
    for (const auto& r : all_codes)
        if (r.byte == byte) return true;
    return false;
}

} // namespace

TEST_CASE("RFC 7252 §12.1: every code's byte, dotted form c.dd and registered name") {
    for (const registered& r : all_codes) {
        CAPTURE(r.dotted);
        CHECK(static_cast<std::uint8_t>(r.c) == r.byte);
        CHECK(dotted_string(r.c) == r.dotted);
        CHECK(lwm2m::coap::name(r.c) == r.name);
        code parsed{};
        REQUIRE(lwm2m::coap::parse_dotted(r.dotted, parsed));
        CHECK(parsed == r.c);
    }
}

TEST_CASE("RFC 7252 §12.1: unassigned codes have no name but a dotted form") {
    for (unsigned v = 0; v < 256; ++v) {
        const auto c = static_cast<code>(v);
        if (is_registered(static_cast<std::uint8_t>(v))) continue;
        CAPTURE(v);
        CHECK(lwm2m::coap::name(c).empty());
    }
    CHECK(dotted_string(make_code(3, 0)) == "3.00");
    CHECK(dotted_string(make_code(7, 31)) == "7.31");
    CHECK(dotted_string(make_code(0, 31)) == "0.31");
    CHECK(dotted_string(make_code(1, 9)) == "1.09");
}

TEST_CASE("RFC 7252 §3: class is the 3 high bits, detail the 5 low bits") {
    for (unsigned cls = 0; cls < 8; ++cls) {
        for (unsigned detail = 0; detail < 32; ++detail) {
            const code c = make_code(cls, detail);
            CHECK(static_cast<unsigned>(c) == (cls << 5 | detail));
            CHECK(code_class(c) == cls);
            CHECK(code_detail(c) == detail);
            // dotted() and parse_dotted() are inverses over all 256 values
            code back{};
            REQUIRE(lwm2m::coap::parse_dotted(dotted_string(c), back));
            CHECK(back == c);
        }
    }
    CHECK(make_code(2, 5) == code::content);
    CHECK(make_code(4, 4) == code::not_found);
    CHECK(make_code(2, 31) == code::continue_);
    CHECK(make_code(0, 0) == code::empty);
}

TEST_CASE("RFC 7252 §12.1: 0.00 is Empty, 0.01-0.31 requests, 2.xx/4.xx/5.xx responses") {
    CHECK_FALSE(lwm2m::coap::is_request(code::empty));
    CHECK_FALSE(lwm2m::coap::is_response(code::empty));
    for (unsigned v = 0; v < 256; ++v) {
        const auto c = static_cast<code>(v);
        const unsigned cls = v >> 5;
        CAPTURE(v);
        CHECK(lwm2m::coap::is_request(c) == (cls == 0 && v != 0));
        CHECK(lwm2m::coap::is_reserved_class(c) == (cls == 1 || cls == 6 || cls == 7));
        CHECK(lwm2m::coap::is_success(c) == (cls == 2));
        CHECK(lwm2m::coap::is_error(c) == (cls == 4 || cls == 5));
        if (cls >= 2 && cls <= 5) CHECK(lwm2m::coap::is_response(c));  // §12.1: 2.00-5.31
        if (cls == 0 || cls == 1 || cls == 6 || cls == 7) CHECK_FALSE(lwm2m::coap::is_response(c));
        // (class 3: "Reserved for future use" within the response range, §12.1.2; not checked)
    }
}

TEST_CASE("RFC 7252 §12.1: parse_dotted accepts exactly c.dd with c 0-7 and dd 00-31") {
    code c = code::get;
    CHECK(lwm2m::coap::parse_dotted("2.05", c));
    CHECK(c == code::content);
    CHECK(lwm2m::coap::parse_dotted("7.31", c));
    CHECK(c == make_code(7, 31));

    for (std::string_view bad : {"", "2", "2.", "2.5", "2.0", "205", "2.005", "02.05", "2,05", "2-05", "8.00",
                                 "9.00", "2.32", "2.40", "2.99", "a.05", "2.a5", "2.0a", " 2.05", "2.05 ", "-1.00",
                                 "+2.05", "2..5", ".205", "2.05\n", "4.04x"}) {
        CAPTURE(bad);
        code out = code::get;
        CHECK_FALSE(lwm2m::coap::parse_dotted(bad, out));
        CHECK(out == code::get);  // left untouched on failure
    }
}

TEST_CASE("RFC 7252 §3: message type names CON, NON, ACK, RST in T-field order") {
    CHECK(static_cast<int>(message_type::confirmable) == 0);
    CHECK(static_cast<int>(message_type::non_confirmable) == 1);
    CHECK(static_cast<int>(message_type::acknowledgement) == 2);
    CHECK(static_cast<int>(message_type::reset) == 3);
    CHECK(lwm2m::coap::name(message_type::confirmable) == "CON");
    CHECK(lwm2m::coap::name(message_type::non_confirmable) == "NON");
    CHECK(lwm2m::coap::name(message_type::acknowledgement) == "ACK");
    CHECK(lwm2m::coap::name(message_type::reset) == "RST");
}
