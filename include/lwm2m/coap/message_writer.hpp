#pragma once
/**
 * @file message_writer.hpp
 * `message_writer`: the lowest-level CoAP serializer. Writes header, token, options (in
 * ascending number order, delta-encoded per RFC 7252 §3.1) and payload straight into a
 * caller buffer, with no intermediate storage. Engines use it on their hot path;
 * `message_builder` uses it after ordering options.
 *
 * Order of calls: `header` once, then options, then `payload`, then `finish`; anything else
 * is an error (`header_not_first`, `options_out_of_order` for an option after the payload).
 * Options may come in any order: in ascending order each is appended (the fast path); one
 * numbered below an option already written is inserted in place, the bytes after it moved
 * up, as RFC 7252 §3.1 wants them sorted (repeated options keep the order they were added).
 * Errors are sticky: the first one is kept and reported by `finish()`. When the buffer is
 * too small the writer keeps counting, so `finish()` reports the exact size needed (a bound
 * that surely suffices once an option was inserted after the buffer ran out: the options are
 * then not all there to find its neighbours).
 * Everything it writes is accepted by `coap::parse` with default options.
 * Allocation: none.
 */

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <type_traits>

#include <lwm2m/bytes.hpp>
#include <lwm2m/coap/code.hpp>
#include <lwm2m/coap/message_type.hpp>
#include <lwm2m/coap/option.hpp>
#include <lwm2m/coap/option_iterator.hpp>
#include <lwm2m/coap/option_number.hpp>
#include <lwm2m/config.hpp>
#include <lwm2m/result.hpp>


namespace lwm2m::coap {

/** Largest option value the delta/length encoding can express: 65535 + 269 (RFC 7252 §3.1). */
inline constexpr std::size_t max_option_value_length = 65535 + 269;

namespace detail {

/**
 * Bit `4 * class + type` is set when a sender may use that type with a non-Empty code of that
 * class (RFC 7252 §4.2, §4.3, §12.1): classes 0 and 2-5 (not the reserved 1, 6, 7), never
 * RST, and ACK only with a response (class 2-5). The header's fast check; every other
 * combination goes through the rules one by one.
 */
inline constexpr std::uint32_t sendable_type_class = [] {
    std::uint32_t mask = 0;
    for (unsigned cls = 0; cls < 8; ++cls) {
        if (cls == 1 || cls >= 6) continue;
        mask |= 1u << (4 * cls + 0);                // CON
        mask |= 1u << (4 * cls + 1);                // NON
        if (cls != 0) mask |= 1u << (4 * cls + 2);  // ACK: a response only
    }
    return mask;
}();

/** True when a sender may use `type` with the non-Empty code `c` (a fast sufficient test of the
 *  header rules: false sends the caller through the rules one by one). */
[[nodiscard]] constexpr bool type_code_fast_ok(message_type type, coap::code c) noexcept {
    const unsigned k = static_cast<unsigned>(c);
    return k != 0 && ((sendable_type_class >> ((k >> 5) * 4 + (static_cast<unsigned>(type) & 3u))) & 1u) != 0;
}
/** The same, with a token of `token_length` bytes. */
[[nodiscard]] constexpr bool header_fast_ok(message_type type, coap::code c, std::size_t token_length) noexcept {
    return token_length <= config::coap_max_token_length && type_code_fast_ok(type, c);
}

/** The 4-byte fixed header (RFC 7252 §3) at `h`. */
LWM2M_HOT_INLINE constexpr void put_header(std::byte* h, message_type type, coap::code c, std::uint16_t message_id,
                                                 std::size_t token_length) noexcept {
    h[0] = static_cast<std::byte>(0x40u | (static_cast<unsigned>(type) << 4) | token_length);
    h[1] = static_cast<std::byte>(c);
    if (std::is_constant_evaluated() || std::endian::native != std::endian::little) {
        h[2] = static_cast<std::byte>(message_id >> 8);
        h[3] = static_cast<std::byte>(message_id & 0xFF);
    } else {
        // One 16-bit store (byte stores get merged with the others through a chain of shifts).
        const auto be = static_cast<std::uint16_t>((message_id >> 8) | (message_id << 8));
        std::memcpy(h + 2, &be, 2);
    }
}

/** Copies `n` <= 16 bytes (a token, an option value in the one-byte header form); all loads
 *  come before the stores, so the ranges may overlap. */
LWM2M_HOT_INLINE constexpr void copy_short(std::byte* dst, const std::byte* src, std::size_t n) noexcept {
    if (std::is_constant_evaluated()) {
        for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
        return;
    }
    if (!LWM2M_COAP_FAST_PATH) {  // size builds: a call, not the moves below inlined at each use
        if (n != 0) std::memmove(dst, src, n);  // (n 0: src may be null, which memmove must not get)
        return;
    }
    // Two overlapping fixed-size moves of the largest size that fits (the common short
    // values, uints and tokens, first).
    using lwm2m::detail::move_ends;
    if (n <= 4) {
        if (n >= 2) static_cast<void>(move_ends<std::uint16_t>(dst, src, n));
        else if (n != 0) dst[0] = src[0];
    } else if (n >= 8) {
        static_cast<void>(move_ends<std::uint64_t>(dst, src, n));
    } else {
        static_cast<void>(move_ends<std::uint32_t>(dst, src, n));
    }
}

/** Copies `n` bytes, the ranges may overlap: `copy_short` up to 16 bytes, else `copy_bytes`. */
LWM2M_HOT_INLINE constexpr void copy_any(std::byte* dst, const std::byte* src, std::size_t n) noexcept {
    if (n <= 16 || !LWM2M_COAP_FAST_PATH) copy_short(dst, src, n);  // (size builds: one memmove either way)
    else lwm2m::detail::copy_bytes(dst, src, n);
}

/** `uint_length` of a 32-bit value (one bit scan on 32 bits). */
[[nodiscard]] constexpr std::size_t uint32_length(std::uint32_t v) noexcept {
    return (static_cast<std::size_t>(std::bit_width(v)) + 7) / 8;
}

/** Writes `v` big-endian in its shortest form, `n` = `uint_length(v)` (0..4) bytes. */
LWM2M_HOT_INLINE constexpr void put_uint(std::byte* dst, std::uint32_t v, std::size_t n) noexcept {
    if (n >= 2) {
        // Two overlapping 2-byte stores: the top two bytes of the value, then the low two.
        const std::uint32_t top = v >> (8 * (n - 2));
        dst[0] = static_cast<std::byte>(top >> 8);
        dst[1] = static_cast<std::byte>(top);
        dst[n - 2] = static_cast<std::byte>(v >> 8);
        dst[n - 1] = static_cast<std::byte>(v);
    } else if (n != 0) {
        dst[0] = static_cast<std::byte>(v);
    }
}

/** The 4-bit delta or length field for `v` (RFC 7252 §3.1): itself below 13, else 13 or 14. */
[[nodiscard]] constexpr std::uint32_t option_nibble(std::uint32_t v) noexcept { return v < 13 ? v : v < 269 ? 13 : 14; }

/** The extended delta or length bytes for `v` (none below 13, one below 269, else two); returns how many. */
constexpr std::size_t option_extended_bytes(std::uint32_t v, std::byte* out) noexcept {
    if (v < 13) return 0;
    if (v < 269) {
        out[0] = static_cast<std::byte>(v - 13);
        return 1;
    }
    out[0] = static_cast<std::byte>((v - 269) >> 8);
    out[1] = static_cast<std::byte>((v - 269) & 0xFF);
    return 2;
}

/** The header of an option of any delta and of a length up to 65804, with its extended bytes, at `head`
 *  (room for 5 bytes). Returns where the value goes. */
constexpr std::byte* put_option_header(std::byte* head, std::uint32_t delta, std::size_t length) noexcept {
    const auto len = static_cast<std::uint32_t>(length);
    head[0] = static_cast<std::byte>((option_nibble(delta) << 4) | option_nibble(len));
    std::byte* q = head + 1;
    q += option_extended_bytes(delta, q);
    q += option_extended_bytes(len, q);
    return q;
}

/**
 * One option of any delta and of a length up to 65804, header with its extended bytes then the
 * value, at `head`, which must have room for 5 + `length` bytes. Returns the end of the option.
 */
constexpr std::byte* put_option(std::byte* head, std::uint32_t delta, const std::byte* value, std::size_t length) noexcept {
    std::byte* const q = put_option_header(head, delta, length);
    lwm2m::detail::copy_bytes(q, value, length);
    return q + length;
}

} // namespace detail

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
        // (Size builds: the checked code alone, as in `option`.)
        if (!LWM2M_COAP_FAST_PATH || header_written_ || !detail::header_fast_ok(type, c, token.size())) [[unlikely]]
            return header_checked(type, c, message_id, token);
        header_written_ = true;
        code_ = c;
        last_number_ = 0;
        write_header(type, c, message_id, token);
        return *this;
    }

    /**
     * One option with a raw value, in any order (an option numbered below the last one is
     * inserted, see above; the value must not point into the output buffer);
     * known options must respect their registered length (`invalid_option_length`);
     * values over 65804 bytes: `option_value_too_long`; any option on an Empty message:
     * `empty_message_not_empty`.
     */
    LWM2M_HOT_INLINE constexpr message_writer& option(option_number n, bytes_view value) noexcept {
        // Size builds (LWM2M_COAP_FAST_PATH 0) take the checked code alone, which writes the
        // same bytes and reports the same errors: one copy of the writer, not a fast path too.
        if (!LWM2M_COAP_FAST_PATH) return option_checked(n, value);
        const auto number = static_cast<std::uint32_t>(n);
        const std::size_t length = value.size();
        const std::uint32_t delta = number - last_number_;  // wraps (huge) when out of order or forced
        // Fast path: in order with a delta and a length below 13 (one header byte), a number
        // below 64 that accepts the length, and room for it all.
        if ((delta | length | (number & ~63u)) < 13 && detail::short_lengths.ok(number, length) &&
            size_ + 1 + length <= out_.size()) [[likely]] {
            std::byte* const head = out_.data() + size_;
            head[0] = static_cast<std::byte>((delta << 4) | length);
            detail::copy_short(head + 1, value.data(), length);
            size_ += 1 + length;
            last_number_ = number;
            return *this;
        }
        return option_extended(n, value);
    }
    /** A string option (Uri-Path, Uri-Query, ...). */
    message_writer& option(option_number n, std::string_view value) noexcept { return option(n, as_bytes(value)); }
    /**
     * `option` for a caller whose options come in ascending order (a `message_builder`'s,
     * sorted as they are added): the same bytes and errors. In size builds this leaves the
     * insertion code (`insert`, a memmove and an option walk) out of the caller; an option
     * numbered below the last one would be `options_out_of_order` instead of inserted.
     */
    LWM2M_HOT_INLINE constexpr message_writer& option_in_order(option_number n, bytes_view value) noexcept {
        if (!LWM2M_COAP_FAST_PATH) return option_checked<false>(n, value);
        return option(n, value);
    }
    /** A uint option in its shortest form (0 is zero-length, RFC 7252 §3.2). */
    LWM2M_HOT_INLINE constexpr message_writer& uint_option(option_number n, std::uint32_t value) noexcept {
        if (!LWM2M_COAP_FAST_PATH) return uint_option_checked(n, value);  // size builds: as in `option`
        const auto number = static_cast<std::uint32_t>(n);
        const std::size_t length = detail::uint32_length(value);
        const std::uint32_t delta = number - last_number_;
        // The fast path of `option`, for a value of at most 4 bytes.
        if ((delta | (number & ~63u)) < 13 && detail::short_lengths.ok(number, length) &&
            size_ + 1 + length <= out_.size()) [[likely]] {
            std::byte* const head = out_.data() + size_;
            head[0] = static_cast<std::byte>((delta << 4) | length);
            detail::put_uint(head + 1, value, length);
            size_ += 1 + length;
            last_number_ = number;
            return *this;
        }
        return uint_option_checked(n, value);
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
        if (size_ < out_.size()) out_.data()[size_] = std::byte{0xFF};
        ++size_;
        if (size_ + body.size() <= out_.size()) detail::copy_any(out_.data() + size_, body.data(), body.size());
        size_ += body.size();
        last_number_ = after_payload;  // nothing may follow the payload
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
    // `last_number_` past every option number: after the payload (an option there is out of
    // order), and "0, but check every option" (before the header, on an Empty message).
    static constexpr std::uint32_t after_payload = 0x10000;
    static constexpr std::uint32_t check_all = 0x10001;

    // All the rules of `header` in order (the error reported is the first rule broken).
    LWM2M_NOINLINE constexpr message_writer& header_checked(message_type type, coap::code c, std::uint16_t message_id,
                                                            bytes_view token) noexcept {
        if (header_written_) return set_error(errc::header_not_first);
        header_written_ = true;
        if (token.size() > config::coap_max_token_length) return set_error(errc::invalid_token_length);
        if (c == code::empty && !token.empty()) return set_error(errc::empty_message_not_empty);
        if (is_reserved_class(c)) return set_error(errc::reserved_code_class);
        if (type == message_type::reset && c != code::empty) return set_error(errc::reset_not_empty);
        if (type == message_type::acknowledgement && is_request(c)) return set_error(errc::ack_carries_request);
        if (type == message_type::non_confirmable && c == code::empty) return set_error(errc::non_confirmable_empty);
        code_ = c;
        last_number_ = c == code::empty ? check_all : 0;  // Empty: every option takes the checked path (and fails)
        write_header(type, c, message_id, token);
        return *this;
    }
    constexpr void write_header(message_type type, coap::code c, std::uint16_t message_id, bytes_view token) noexcept {
        // (The header and the token each written when it fits, as `put` does.)
        if (size_ + 4 <= out_.size()) {
            detail::put_header(out_.data() + size_, type, c, message_id, token.size());
        }
        size_ += 4;
        if (size_ + token.size() <= out_.size()) detail::copy_short(out_.data() + size_, token.data(), token.size());
        size_ += token.size();
    }
    // All the rules of `option` in order (the error reported is the first rule broken).
    // `Insert`: an option numbered below the last one is inserted in place (else, for callers
    // that never send one, see `option_in_order`, it is `options_out_of_order`).
    template <bool Insert = true>
    LWM2M_NOINLINE constexpr message_writer& option_checked(option_number n, bytes_view value) noexcept {
        const auto number = static_cast<std::uint32_t>(n);
        const std::uint32_t last = last_number_ == check_all ? 0 : last_number_;
        if (!header_written_) return set_error(errc::header_not_first);
        if (last_number_ == after_payload) return set_error(errc::options_out_of_order);
        if (value.size() > max_option_value_length) return set_error(errc::option_value_too_long);
        if (const std::size_t i = detail::option_index(n);
            i != detail::no_option_index && (value.size() < detail::option_rules[i].min_length ||
                                             value.size() > detail::option_rules[i].max_length))
            return set_error(errc::invalid_option_length);
        if (code_ == code::empty) return set_error(errc::empty_message_not_empty);
        if (number < last) {
            if constexpr (Insert) return insert(number, value);
            else return set_error(errc::options_out_of_order);
        }
        const std::uint32_t delta = number - last;
        last_number_ = number;
        return encode(delta, value);
    }
    // Size of an option header with this delta and length (RFC 7252 §3.1: 1 to 5 bytes).
    [[nodiscard]] static constexpr std::size_t header_size(std::uint32_t delta, std::size_t length) noexcept {
        const auto extended = [](std::size_t v) -> std::size_t { return v < 13 ? 0 : v < 269 ? 1 : 2; };
        return 1 + extended(delta) + extended(length);
    }
    // An option numbered below the last one (after the checks of `option_checked`): it goes
    // before the first option with a larger number, whose delta then shrinks (so may its
    // header); the bytes from that option's value on move up. Needs every option in the
    // buffer to find the place: once the buffer has run out (or after an error, when the bytes
    // no longer matter), only the size is counted, as a bound: the option with the longest
    // delta field (whatever the split of the next option's delta, the two headers together
    // grow by no more than that).
    LWM2M_NOINLINE constexpr message_writer& insert(std::uint32_t number, bytes_view value) noexcept {
        const std::size_t length = value.size();
        if (has_error_ || size_ > out_.size()) {
            size_ += header_size(0xFFFF, length) + length;
            return *this;
        }
        std::byte* const base = out_.data();
        // The options follow the header and the token (its length is in the first byte); the
        // writer wrote them, so they are well-formed, as `option_range` requires.
        const std::byte* const options = base + 4 + (static_cast<std::size_t>(base[0]) & 15u);
        auto at = static_cast<std::size_t>(options - base);  // where the option the new one goes before starts
        std::uint32_t before = 0;  // the number of the option before that
        std::optional<option_view> next;
        for (const option_view& o : option_range{options, base + size_}) {
            if (static_cast<std::uint32_t>(o.number) > number) {
                next = o;
                break;
            }
            before = static_cast<std::uint32_t>(o.number);
            at = static_cast<std::size_t>(o.value.data() - base) + o.value.size();
        }
        if (!next) [[unlikely]] return set_error(errc::options_out_of_order);  // the last one written is above `number`
        const auto next_number = static_cast<std::uint32_t>(next->number);
        const auto tail = static_cast<std::size_t>(next->value.data() - base);  // the next option's value and all after it
        const std::size_t new_option = header_size(number - before, length) + length;
        const std::size_t new_next_header = header_size(next_number - number, next->value.size());
        const std::size_t growth = new_option + new_next_header - (tail - at);  // (tail - at: its header now)
        if (size_ + growth > out_.size()) {
            size_ += growth;  // exact: the neighbours are known
            return *this;
        }
        move_up(base + tail + growth, base + tail, size_ - tail);
        std::byte* p = detail::put_option(base + at, number - before, value.data(), length);
        detail::put_option_header(p, next_number - number, next->value.size());  // its value is in place
        size_ += growth;
        return *this;
    }
    // Moves `n` bytes to a higher address (the ranges may overlap).
    static constexpr void move_up(std::byte* dst, const std::byte* src, std::size_t n) noexcept {
        if (std::is_constant_evaluated()) {
            for (std::size_t i = n; i-- > 0;) dst[i] = src[i];
        } else if (n != 0) {
            std::memmove(dst, src, n);
        }
    }
    // Options that need an extended delta or length, or a number from 64 up: still without
    // the checks when in order, of an acceptable length and with room for the longest option
    // header (5 bytes) and the value; `option_checked` otherwise.
    constexpr message_writer& option_extended(option_number n, bytes_view value) noexcept {
        const auto number = static_cast<std::uint32_t>(n);
        const std::size_t length = value.size();
        if (number < last_number_ || !detail::option_lengths.fast_ok(number, static_cast<std::uint32_t>(length)) ||
            size_ + 5 + length > out_.size()) [[unlikely]]
            return option_checked(n, value);
        const std::uint32_t delta = number - last_number_;
        last_number_ = number;
        size_ = static_cast<std::size_t>(detail::put_option(out_.data() + size_, delta, value.data(), length) - out_.data());
        return *this;
    }
    LWM2M_NOINLINE constexpr message_writer& uint_option_checked(option_number n, std::uint32_t value) noexcept {
        // The 4-byte big-endian form, of which the shortest encoding is the tail.
        const std::byte b[4] = {static_cast<std::byte>(value >> 24), static_cast<std::byte>(value >> 16),
                                static_cast<std::byte>(value >> 8), static_cast<std::byte>(value)};
        const std::size_t len = uint_length(value);
        return option_extended(n, bytes_view{b + 4 - len, len});
    }
    // Any delta and length, with extended bytes.
    constexpr message_writer& encode(std::uint32_t delta, bytes_view value) noexcept {
        const auto length = static_cast<std::uint32_t>(value.size());
        std::byte head[5];
        std::size_t n_head = 1;
        head[0] = static_cast<std::byte>((detail::option_nibble(delta) << 4) | detail::option_nibble(length));
        n_head += detail::option_extended_bytes(delta, head + n_head);
        n_head += detail::option_extended_bytes(length, head + n_head);
        put(bytes_view{head, n_head});
        put(value);
        return *this;
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
    // The number of the last option written: the fast path takes numbers >= this. Above
    // 0xFFFF to force the checks (`check_all`: before the header and on an Empty message,
    // where the last number counts as 0; `after_payload`).
    std::uint32_t last_number_ = check_all;
    bool header_written_ = false;
    coap::code code_ = code::get;
    // errc + flag rather than std::optional: g++ 12 -O1 warns (maybe-uninitialized) on the latter.
    errc error_{};
    bool has_error_ = false;
};

} // namespace lwm2m::coap
