#pragma once
/**
 * @file message_writer.hpp
 * `message_writer`: the lowest-level CoAP serializer. Writes header, token, options (in
 * ascending number order, delta-encoded per RFC 7252 §3.1) and payload straight into a
 * caller buffer, with no intermediate storage. Engines use it on their hot path;
 * `message_builder` uses it after ordering options.
 *
 * Order of calls: `header` once, then options in ascending order, then `payload`, then
 * `finish`; anything else is an error (`header_not_first`, `options_out_of_order`).
 * Errors are sticky: the first one is kept and reported by `finish()`. When the buffer is
 * too small the writer keeps counting, so `finish()` reports the exact size needed.
 * Everything it writes is accepted by `coap::parse` with default options.
 * Allocation: none.
 */

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/coap/code.hpp>
#include <lwm2m/coap/message_type.hpp>
#include <lwm2m/coap/option_number.hpp>
#include <lwm2m/config.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::coap {

/** Largest option value the delta/length encoding can express: 65535 + 269 (RFC 7252 §3.1). */
inline constexpr std::size_t max_option_value_length = 65535 + 269;

class message_writer {
public:
    /** Writes into `out`; pass an empty span to only measure. */
    constexpr explicit message_writer(mutable_bytes out) noexcept : out_(out) {}

    /**
     * Header and token; must come first. Errors: `invalid_token_length` (token > 8 bytes),
     * `empty_message_not_empty` (a token on 0.00), and the type/code combinations RFC 7252
     * forbids a sender, with the errc `parse` reports for them: `reserved_code_class`
     * (classes 1, 6, 7, §12.1), `reset_not_empty` (§4.2), `ack_carries_request` (§4.2),
     * `non_confirmable_empty` (§4.3).
     */
    constexpr message_writer& header(message_type type, coap::code c, std::uint16_t message_id,
                                     bytes_view token = {}) noexcept {
        if (header_written_) return set_error(errc::header_not_first);
        header_written_ = true;
        if (token.size() > config::coap_max_token_length) return set_error(errc::invalid_token_length);
        if (c == code::empty && !token.empty()) return set_error(errc::empty_message_not_empty);
        if (is_reserved_class(c)) return set_error(errc::reserved_code_class);
        if (type == message_type::reset && c != code::empty) return set_error(errc::reset_not_empty);
        if (type == message_type::acknowledgement && is_request(c)) return set_error(errc::ack_carries_request);
        if (type == message_type::non_confirmable && c == code::empty) return set_error(errc::non_confirmable_empty);
        code_ = c;
        min_number_ = c == code::empty ? 0x10001 : 0;  // Empty: every option takes the checked path (and fails)
        const std::byte h[4] = {static_cast<std::byte>(0x40u | (static_cast<unsigned>(type) << 4) | token.size()),
                                static_cast<std::byte>(c), static_cast<std::byte>(message_id >> 8),
                                static_cast<std::byte>(message_id & 0xFF)};
        put(bytes_view{h, 4});
        put(token);
        return *this;
    }

    /**
     * One option with a raw value. Numbers must not decrease (`options_out_of_order`);
     * known options must respect their registered length (`invalid_option_length`);
     * values over 65804 bytes: `option_value_too_long`; any option on an Empty message:
     * `empty_message_not_empty`.
     */
    [[gnu::always_inline]] constexpr message_writer& option(option_number n, bytes_view value) noexcept {
        const auto number = static_cast<std::uint32_t>(n);
        const std::size_t length = value.size();
        // Fast path: in order, a number below 64 with an acceptable length, not on an Empty
        // message, and room for the longest option header (5 bytes) and the value.
        if (number < min_number_ || !detail::option_lengths.fast_ok(number, length) ||
            size_ + 5 + length > out_.size()) [[unlikely]]
            return option_checked(n, value);
        const std::uint32_t delta = number - last_number_;
        last_number_ = number;
        min_number_ = number;
        std::byte* const head = out_.data() + size_;
        std::byte* q = head + 1;
        const std::uint32_t delta_nibble = delta < 13 ? delta : delta < 269 ? 13 : 14;
        const std::uint32_t length_nibble = length < 13 ? static_cast<std::uint32_t>(length) : length < 269 ? 13 : 14;
        head[0] = static_cast<std::byte>((delta_nibble << 4) | length_nibble);
        // §3.1: extended delta bytes, then extended length bytes.
        if (delta_nibble == 13) {
            *q++ = static_cast<std::byte>(delta - 13);
        } else if (delta_nibble == 14) {
            q[0] = static_cast<std::byte>((delta - 269) >> 8);
            q[1] = static_cast<std::byte>(delta - 269);
            q += 2;
        }
        if (length_nibble == 13) {
            *q++ = static_cast<std::byte>(length - 13);
        } else if (length_nibble == 14) {
            q[0] = static_cast<std::byte>((length - 269) >> 8);
            q[1] = static_cast<std::byte>(length - 269);
            q += 2;
        }
        lwm2m::detail::copy_bytes(q, value.data(), length);
        size_ = static_cast<std::size_t>(q - out_.data()) + length;
        return *this;
    }
    /** A string option (Uri-Path, Uri-Query, ...). */
    message_writer& option(option_number n, std::string_view value) noexcept { return option(n, as_bytes(value)); }
    /** A uint option in its shortest form (0 is zero-length, RFC 7252 §3.2). */
    constexpr message_writer& uint_option(option_number n, std::uint32_t value) noexcept {
        // The 4-byte big-endian form, of which the shortest encoding is the tail.
        const std::byte b[4] = {static_cast<std::byte>(value >> 24), static_cast<std::byte>(value >> 16),
                                static_cast<std::byte>(value >> 8), static_cast<std::byte>(value)};
        const std::size_t len = uint_length(value);
        return option(n, bytes_view{b + 4 - len, len});
    }
    /** An empty option (If-None-Match). */
    constexpr message_writer& empty_option(option_number n) noexcept { return option(n, bytes_view{}); }

    /**
     * The payload, preceded by the 0xFF marker; nothing is written for an empty payload.
     * Must come last. Errors: `empty_message_not_empty` on an Empty message.
     */
    constexpr message_writer& payload(bytes_view body) noexcept {
        if (!header_written_) return set_error(errc::header_not_first);
        if (body.empty()) return *this;
        if (code_ == code::empty) return set_error(errc::empty_message_not_empty);
        const std::byte marker{0xFF};
        put(bytes_view{&marker, 1});
        put(body);
        last_number_ = 0x10000;  // nothing may follow the payload
        min_number_ = 0x10000;
        return *this;
    }

    /** Bytes written (or needed, once the buffer overflowed). */
    [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }

    /** The message size, or the first error (`buffer_too_small` carries the size needed). */
    [[nodiscard]] constexpr result<std::size_t> finish() const noexcept {
        if (has_error_) return fail(error_);
        if (!header_written_) return fail(errc::header_not_first);
        if (size_ > out_.size()) return fail(errc::buffer_too_small, size_);
        return size_;
    }

private:
    // All the rules of `option` in order (the error reported is the first rule broken).
    LWM2M_NOINLINE constexpr message_writer& option_checked(option_number n, bytes_view value) noexcept {
        const auto number = static_cast<std::uint32_t>(n);
        if (!header_written_) return set_error(errc::header_not_first);
        if (number < last_number_) return set_error(errc::options_out_of_order);
        if (value.size() > max_option_value_length) return set_error(errc::option_value_too_long);
        if (const std::size_t i = detail::option_index(n);
            i != detail::no_option_index && (value.size() < detail::known_options[i].min_length ||
                                             value.size() > detail::known_options[i].max_length))
            return set_error(errc::invalid_option_length);
        if (code_ == code::empty) return set_error(errc::empty_message_not_empty);
        const std::uint32_t delta = number - last_number_;
        last_number_ = number;
        min_number_ = number;
        return encode(delta, value);
    }
    // Any delta and length, with extended bytes.
    constexpr message_writer& encode(std::uint32_t delta, bytes_view value) noexcept {
        const auto length = static_cast<std::uint32_t>(value.size());
        std::byte head[5];
        std::size_t n_head = 1;
        head[0] = static_cast<std::byte>((nibble(delta) << 4) | nibble(length));
        n_head += extended(delta, head + n_head);
        n_head += extended(length, head + n_head);
        put(bytes_view{head, n_head});
        put(value);
        return *this;
    }
    static constexpr std::uint32_t nibble(std::uint32_t v) noexcept { return v < 13 ? v : v < 269 ? 13 : 14; }
    static constexpr std::size_t extended(std::uint32_t v, std::byte* out) noexcept {
        if (v < 13) return 0;
        if (v < 269) {
            out[0] = static_cast<std::byte>(v - 13);
            return 1;
        }
        out[0] = static_cast<std::byte>((v - 269) >> 8);
        out[1] = static_cast<std::byte>((v - 269) & 0xFF);
        return 2;
    }
    constexpr void put(bytes_view b) noexcept {
        if (size_ + b.size() <= out_.size()) lwm2m::detail::copy_bytes(out_.data() + size_, b.data(), b.size());
        size_ += b.size();
    }
    constexpr message_writer& set_error(errc e) noexcept {
        if (!has_error_) {
            error_ = e;
            has_error_ = true;
        }
        return *this;
    }

    mutable_bytes out_;
    std::size_t size_ = 0;
    std::uint32_t last_number_ = 0;
    // The fast path takes numbers >= this: last_number_, or more to force the checks (before
    // the header, on an Empty message, after the payload).
    std::uint32_t min_number_ = 0x10001;
    bool header_written_ = false;
    coap::code code_ = code::get;
    // errc + flag rather than std::optional: g++ 12 -O1 warns (maybe-uninitialized) on the latter.
    errc error_{};
    bool has_error_ = false;
};

} // namespace lwm2m::coap
