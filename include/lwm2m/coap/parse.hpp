#pragma once
/**
 * @file parse.hpp
 * `coap::parse`: validates a datagram against every message-format rule of RFC 7252 §3
 * (and §4.1-4.3 for the type/code combinations) in one pass and returns a zero-copy
 * `message_view`. Allocation: none.
 */

#include <cstddef>
#include <cstdint>

#include <lwm2m/bytes.hpp>
#include <lwm2m/config.hpp>
#include <lwm2m/coap/message_view.hpp>
#include <lwm2m/coap/option_number.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::coap {

/** What `parse` checks beyond the bare §3 byte layout. Both default to on. */
struct parse_options {
    /**
     * Reject known options whose value length is outside the registered range
     * (`invalid_option_length`). RFC 7252 §5.4.3 lets a receiver treat such an option as
     * unrecognised instead; turn this off to do that (accessors then ignore oversize uints).
     */
    bool check_option_lengths = true;
    /**
     * Reject type/code combinations that RFC 7252 §4 says must be rejected: a non-empty
     * Reset, an ACK carrying a request, an empty NON.
     */
    bool check_type_and_code = true;
};

namespace detail {
/**
 * Length range of a known option, as a pair packed for the hot loop. An unknown option has no
 * range of its own: {0, 0xFFFFFFFF}, so any length the encoding can express (up to 65804, RFC
 * 7252 §3.1) passes, as `message_writer` allows.
 */
struct length_range {
    std::uint32_t min;
    std::uint32_t max;
};
constexpr length_range option_length_range(std::uint32_t number) noexcept {
    const std::size_t i = option_index(static_cast<option_number>(number));
    if (i == no_option_index) return length_range{0, 0xFFFFFFFFu};
    return length_range{option_rules[i].min_length, option_rules[i].max_length};
}
/** True for option header bytes with a nibble of 13..15 (extended bytes, marker, reserved). */
#if LWM2M_COAP_FAST_PATH
struct slow_header_table {
    bool slow[256];
    constexpr slow_header_table() : slow{} {
        for (unsigned h = 0; h < 256; ++h) slow[h] = (h >> 4) >= 13 || (h & 15u) >= 13;
    }
    constexpr bool operator[](std::uint8_t h) const noexcept { return slow[h]; }
};
inline constexpr slow_header_table header_needs_slow_path{};
#else
struct slow_header_rule {
    constexpr bool operator[](std::uint8_t h) const noexcept { return h >= 0xD0u || (h & 15u) >= 13u; }
};
inline constexpr slow_header_rule header_needs_slow_path{};
#endif
/**
 * For each value of the first byte's high nibble (version and type): bit k set when a message
 * with a non-empty code of class k passes every header rule, so that one load and one bit test
 * accept a well-formed header. `strict` applies the type/code rules of RFC 7252 §4.
 */
struct header_table {
    std::uint8_t classes[16];
    constexpr explicit header_table(bool strict) : classes{} {
        for (unsigned vt = 0; vt < 16; ++vt) {
            unsigned bits = 0;
            for (unsigned k = 0; k < 8; ++k) {
                const auto type = static_cast<message_type>(vt & 3u);
                bool ok = (vt >> 2) == 1 && k != 1 && k != 6 && k != 7;
                if (strict && (type == message_type::reset || (type == message_type::acknowledgement && k == 0))) ok = false;
                if (ok) bits |= 1u << k;
            }
            classes[vt] = static_cast<std::uint8_t>(bits);
        }
    }
};
inline constexpr header_table strict_header{true};
inline constexpr header_table lax_header{false};
} // namespace detail

/**
 * Parses one CoAP message.
 *
 * Errors (offset = the byte where the rule is broken):
 * `message_too_short`, `unsupported_version`, `invalid_token_length`, `truncated_token`,
 * `reserved_code_class`, `empty_message_not_empty`, `reset_not_empty`, `ack_carries_request`,
 * `non_confirmable_empty`, `reserved_option_delta`, `reserved_option_length`,
 * `truncated_option`, `truncated_option_value`, `option_number_overflow`,
 * `empty_payload_after_marker`, `invalid_option_length`.
 *
 * The returned view points into `datagram`, which must outlive it.
 */
[[nodiscard]] LWM2M_HOT_INLINE constexpr result<message_view> parse(bytes_view datagram, const parse_options& options) noexcept {
    const std::size_t size = datagram.size();
    if (size < 4) return fail(errc::message_too_short, size);
    const auto b0 = static_cast<std::uint8_t>(datagram[0]);
    const std::size_t tkl = b0 & 15u;
    const auto c = static_cast<code>(datagram[1]);
    const detail::header_table& rules = options.check_type_and_code ? detail::strict_header : detail::lax_header;
    // One test accepts the usual header; anything else is checked rule by rule for the error.
    if (((rules.classes[b0 >> 4] >> code_class(c)) & 1u) == 0 || tkl > 8 || c == code::empty) [[unlikely]] {
        if ((b0 >> 6) != 1) return fail(errc::unsupported_version, 0);
        if (tkl > 8) return fail(errc::invalid_token_length, 0);
        if (is_reserved_class(c)) return fail(errc::reserved_code_class, 1);
        const auto type = static_cast<message_type>((b0 >> 4) & 3u);
        if (c == code::empty) {
            // §4.1: an Empty message is exactly the 4-byte header.
            if (tkl != 0) return fail(errc::empty_message_not_empty, 0);
            if (size > 4) return fail(errc::empty_message_not_empty, 4);
            if (options.check_type_and_code && type == message_type::non_confirmable)
                return fail(errc::non_confirmable_empty, 1);
            return message_view{datagram, 4, 4};
        }
        if (options.check_type_and_code) {
            if (type == message_type::reset) return fail(errc::reset_not_empty, 1);
            if (type == message_type::acknowledgement && is_request(c)) return fail(errc::ack_carries_request, 1);
        }
    }
    if (size < 4 + tkl) return fail(errc::truncated_token, size);

    const std::byte* const begin = datagram.data();
    const std::byte* const end = begin + size;
    const std::byte* p = begin + 4 + tkl;
    std::uint32_t number = 0;
    while (p != end) {
        const std::byte* const header_at = p;
        const auto header = static_cast<std::uint8_t>(*p++);
        std::uint32_t delta;
        std::uint32_t length;
        // Hot path: both nibbles below 13 (no extended bytes, no marker, nothing reserved).
        if (detail::header_needs_slow_path[header]) [[unlikely]] {
            if (header == 0xFF) {
                // §3: a marker followed by a zero-length payload is a format error.
                if (p == end) return fail(errc::empty_payload_after_marker, size);
                return message_view{datagram, static_cast<std::size_t>(header_at - begin), static_cast<std::size_t>(p - begin)};
            }
            delta = header >> 4u;
            length = header & 15u;
            if (delta == 15) return fail(errc::reserved_option_delta, static_cast<std::size_t>(header_at - begin));
            if (length == 15) return fail(errc::reserved_option_length, static_cast<std::size_t>(header_at - begin));
            // §3.1: extended delta bytes come before extended length bytes.
            const std::size_t extra = (delta == 13 ? 1u : delta == 14 ? 2u : 0u) + (length == 13 ? 1u : length == 14 ? 2u : 0u);
            if (static_cast<std::size_t>(end - p) < extra) return fail(errc::truncated_option, size);
            delta = detail::read_extended(delta, p);
            length = detail::read_extended(length, p);
        } else {
            delta = header >> 4u;
            length = header & 15u;
        }
        number += delta;
        if (number >= 64) [[unlikely]] {
            if (number > 0xFFFF) return fail(errc::option_number_overflow, static_cast<std::size_t>(header_at - begin));
        }
        if (static_cast<std::size_t>(end - p) < length) return fail(errc::truncated_option_value, size);
        if (options.check_option_lengths) {
            bool ok;
            if (LWM2M_COAP_FAST_PATH && number < 64) [[likely]] {
                // The serializers' table (option_number.hpp): one load pair, one unsigned compare.
                // (Size builds have no table: the rule below, one copy of it, for every number.)
                ok = detail::option_lengths.ok_below_64(number, length);
            } else {
                const detail::length_range r = detail::option_length_range(number);
                ok = length >= r.min && length <= r.max;
            }
            if (!ok) return fail(errc::invalid_option_length, static_cast<std::size_t>(header_at - begin));
        }
        p += length;
    }
    return message_view{datagram, size, size};
}

/** Parses with the default (strict) options. */
[[nodiscard]] LWM2M_HOT_INLINE constexpr result<message_view> parse(bytes_view datagram) noexcept {
    return parse(datagram, parse_options{});
}

} // namespace lwm2m::coap
