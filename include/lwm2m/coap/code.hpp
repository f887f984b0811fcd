#pragma once
/**
 * @file code.hpp
 * CoAP method and response codes: RFC 7252 §12.1, RFC 7959 §2.9 (2.31, 4.08),
 * RFC 8132 (FETCH, PATCH, iPATCH, 4.09, 4.22), RFC 8516 (4.29), RFC 8768 (5.08).
 */

#include <array>
#include <cstdint>
#include <string_view>

#include <lwm2m/config.hpp>

namespace lwm2m::coap {

/**
 * An 8-bit CoAP code `c.dd`: 3-bit class, 5-bit detail (RFC 7252 §3).
 * Every byte value is representable; the enumerators name the registered ones.
 */
enum class code : std::uint8_t {
    empty = 0x00,  ///< 0.00 Empty message (§4.1)
    // Methods (§12.1.1, RFC 8132 §2-3)
    get = 0x01,
    post = 0x02,
    put = 0x03,
    delete_ = 0x04,
    fetch = 0x05,
    patch = 0x06,
    ipatch = 0x07,
    // 2.xx Success (§12.1.2, RFC 7959 §2.9)
    created = 0x41,
    deleted = 0x42,
    valid = 0x43,
    changed = 0x44,
    content = 0x45,
    continue_ = 0x5F,
    // 4.xx Client error
    bad_request = 0x80,
    unauthorized = 0x81,
    bad_option = 0x82,
    forbidden = 0x83,
    not_found = 0x84,
    method_not_allowed = 0x85,
    not_acceptable = 0x86,
    request_entity_incomplete = 0x88,
    conflict = 0x89,
    precondition_failed = 0x8C,
    request_entity_too_large = 0x8D,
    unsupported_content_format = 0x8F,
    unprocessable_entity = 0x96,
    too_many_requests = 0x9D,
    // 5.xx Server error
    internal_server_error = 0xA0,
    not_implemented = 0xA1,
    bad_gateway = 0xA2,
    service_unavailable = 0xA3,
    gateway_timeout = 0xA4,
    proxying_not_supported = 0xA5,
    hop_limit_reached = 0xA8,
};

/** Builds a code from class and detail, e.g. `make_code(2, 5) == code::content`. */
[[nodiscard]] constexpr code make_code(unsigned cls, unsigned detail) noexcept {
    return static_cast<code>(((cls & 7u) << 5) | (detail & 31u));
}
/** The 3-bit class (0 request, 2 success, 4 client error, 5 server error). */
[[nodiscard]] constexpr unsigned code_class(code c) noexcept { return static_cast<std::uint8_t>(c) >> 5; }
/** The 5-bit detail. */
[[nodiscard]] constexpr unsigned code_detail(code c) noexcept { return static_cast<std::uint8_t>(c) & 31u; }

/** 0.01..0.31: a request method. */
LWM2M_ALWAYS_INLINE [[nodiscard]] constexpr bool is_request(code c) noexcept { return code_class(c) == 0 && c != code::empty; }
/** 2.00-5.31 indicate a response (RFC 7252 §12.1), including the unassigned class 3. */
[[nodiscard]] constexpr bool is_response(code c) noexcept {
    const unsigned k = code_class(c);
    return k >= 2 && k <= 5;
}
/** 2.xx. */
[[nodiscard]] constexpr bool is_success(code c) noexcept { return code_class(c) == 2; }
/** 4.xx or 5.xx. */
[[nodiscard]] constexpr bool is_error(code c) noexcept { return code_class(c) == 4 || code_class(c) == 5; }
/** Classes 1, 6 and 7 are reserved (RFC 7252 §12.1); a message using them is malformed. */
[[nodiscard]] constexpr bool is_reserved_class(code c) noexcept {
    const unsigned k = code_class(c);
    return k == 1 || k == 6 || k == 7;
}

/** The code in dotted form "c.dd", e.g. "2.05". Allocation: none. */
[[nodiscard]] constexpr std::array<char, 4> dotted(code c) noexcept {
    const unsigned d = code_detail(c);
    return {static_cast<char>('0' + code_class(c)), '.', static_cast<char>('0' + d / 10),
            static_cast<char>('0' + d % 10)};
}

/**
 * Parses "c.dd" (exactly one class digit 0-7, a dot and two detail digits 00-31).
 * Returns false when the text is not such a code.
 */
[[nodiscard]] constexpr bool parse_dotted(std::string_view text, code& out) noexcept {
    if (text.size() != 4 || text[1] != '.') return false;
    const auto digit = [](char ch) { return ch >= '0' && ch <= '9' ? ch - '0' : -1; };
    const int k = digit(text[0]), d1 = digit(text[2]), d0 = digit(text[3]);
    if (k < 0 || k > 7 || d1 < 0 || d0 < 0 || d1 * 10 + d0 > 31) return false;
    out = make_code(static_cast<unsigned>(k), static_cast<unsigned>(d1 * 10 + d0));
    return true;
}

/** Registered name ("Content", "GET", ...) or an empty view for an unassigned code. */
[[nodiscard]] constexpr std::string_view name(code c) noexcept {
    switch (c) {
    case code::empty: return "Empty";
    case code::get: return "GET";
    case code::post: return "POST";
    case code::put: return "PUT";
    case code::delete_: return "DELETE";
    case code::fetch: return "FETCH";
    case code::patch: return "PATCH";
    case code::ipatch: return "iPATCH";
    case code::created: return "Created";
    case code::deleted: return "Deleted";
    case code::valid: return "Valid";
    case code::changed: return "Changed";
    case code::content: return "Content";
    case code::continue_: return "Continue";
    case code::bad_request: return "Bad Request";
    case code::unauthorized: return "Unauthorized";
    case code::bad_option: return "Bad Option";
    case code::forbidden: return "Forbidden";
    case code::not_found: return "Not Found";
    case code::method_not_allowed: return "Method Not Allowed";
    case code::not_acceptable: return "Not Acceptable";
    case code::request_entity_incomplete: return "Request Entity Incomplete";
    case code::conflict: return "Conflict";
    case code::precondition_failed: return "Precondition Failed";
    case code::request_entity_too_large: return "Request Entity Too Large";
    case code::unsupported_content_format: return "Unsupported Content-Format";
    case code::unprocessable_entity: return "Unprocessable Entity";
    case code::too_many_requests: return "Too Many Requests";
    case code::internal_server_error: return "Internal Server Error";
    case code::not_implemented: return "Not Implemented";
    case code::bad_gateway: return "Bad Gateway";
    case code::service_unavailable: return "Service Unavailable";
    case code::gateway_timeout: return "Gateway Timeout";
    case code::proxying_not_supported: return "Proxying Not Supported";
    case code::hop_limit_reached: return "Hop Limit Reached";
    }
    return {};
}

} // namespace lwm2m::coap
