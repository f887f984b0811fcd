#pragma once
/**
 * @file message_view.hpp
 * `message_view`: a validated, non-owning view of one CoAP message (RFC 7252 §3).
 * Obtained only from `coap::parse()`, so every accessor works on bytes known to be
 * well-formed and none of them can fail on the message format itself.
 */

#include <cstddef>
#include <cstdint>
#include <optional>

#include <lwm2m/bytes.hpp>
#include <lwm2m/coap/block.hpp>
#include <lwm2m/coap/code.hpp>
#include <lwm2m/coap/message_type.hpp>
#include <lwm2m/coap/option_iterator.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::coap {

struct parse_options;
class message_view;
[[nodiscard]] constexpr result<message_view> parse(bytes_view datagram, const parse_options& options) noexcept;

/** Known options recognised by default when looking for an unrecognised critical option. */
[[nodiscard]] constexpr bool is_known_option(option_number n) noexcept {
    return detail::option_index(n) != detail::no_option_index;
}

/** A parsed CoAP message: header fields, token, options and payload, viewing the datagram. */
class message_view {
public:
    /** An empty default view (a 0-byte, invalid message); use `parse` to get a real one. */
    constexpr message_view() noexcept = default;

    [[nodiscard]] constexpr message_type type() const noexcept {
        return static_cast<message_type>((static_cast<std::uint8_t>(raw_[0]) >> 4) & 3u);
    }
    [[nodiscard]] constexpr coap::code code() const noexcept { return static_cast<coap::code>(raw_[1]); }
    LWM2M_ALWAYS_INLINE [[nodiscard]] constexpr std::uint16_t message_id() const noexcept {
        return static_cast<std::uint16_t>((static_cast<std::uint8_t>(raw_[2]) << 8) | static_cast<std::uint8_t>(raw_[3]));
    }
    /** The token, 0..8 bytes. */
    [[nodiscard]] constexpr bytes_view token() const noexcept { return raw_.subspan(4, token_length()); }
    /** All options in ascending number order. */
    [[nodiscard]] constexpr option_range options() const noexcept {
        return {raw_.data() + 4 + token_length(), raw_.data() + options_end_};
    }
    /** All occurrences of option `n`, as option views. */
    [[nodiscard]] constexpr repeated_option_range<> options(option_number n) const noexcept { return {options(), n}; }
    /** The payload (empty when there is none). */
    [[nodiscard]] constexpr bytes_view payload() const noexcept { return raw_.subspan(payload_offset_); }
    /** The whole datagram. */
    [[nodiscard]] constexpr bytes_view raw() const noexcept { return raw_; }

    /** The first occurrence of option `n`, if present. */
    [[nodiscard]] constexpr std::optional<option_view> find(option_number n) const noexcept {
        for (const option_view& o : options()) {
            if (o.number == n) return o;
            if (static_cast<std::uint16_t>(o.number) > static_cast<std::uint16_t>(n)) break;
        }
        return std::nullopt;
    }
    /** True if option `n` occurs at least once. */
    [[nodiscard]] constexpr bool has(option_number n) const noexcept { return find(n).has_value(); }

    /**
     * The value of a uint option, if present. When the message was parsed with length
     * checks (the default), known uint options are at most 4 bytes and this cannot lose data;
     * for an unknown option longer than 4 bytes it returns nullopt.
     */
    [[nodiscard]] constexpr std::optional<std::uint32_t> uint_option(option_number n) const noexcept {
        const auto o = find(n);
        if (!o || o->value.size() > 4) return std::nullopt;
        return static_cast<std::uint32_t>(load_be(o->value));
    }

    /** Uri-Path segments, in order (RFC 7252 §6.5). */
    [[nodiscard]] constexpr repeated_option_range<as_string_view> uri_path() const noexcept {
        return {options(), option_number::uri_path};
    }
    /** Uri-Query arguments, in order. */
    [[nodiscard]] constexpr repeated_option_range<as_string_view> uri_query() const noexcept {
        return {options(), option_number::uri_query};
    }
    /** Location-Path segments (e.g. `rd`, `<id>` in a Register response). */
    [[nodiscard]] constexpr repeated_option_range<as_string_view> location_path() const noexcept {
        return {options(), option_number::location_path};
    }
    /** Location-Query arguments. */
    [[nodiscard]] constexpr repeated_option_range<as_string_view> location_query() const noexcept {
        return {options(), option_number::location_query};
    }

    /** Content-Format (RFC 7252 §5.10.3), if present. */
    [[nodiscard]] constexpr std::optional<std::uint16_t> content_format() const noexcept {
        return narrow16(uint_option(option_number::content_format));
    }
    /** Accept (RFC 7252 §5.10.4), if present. */
    [[nodiscard]] constexpr std::optional<std::uint16_t> accept() const noexcept {
        return narrow16(uint_option(option_number::accept));
    }
    /** Observe (RFC 7641 §2): 0 register / 1 deregister in requests, a 24-bit sequence in notifications. */
    [[nodiscard]] constexpr std::optional<std::uint32_t> observe() const noexcept {
        return uint_option(option_number::observe);
    }
    /** Max-Age in seconds; 60 when absent (RFC 7252 §5.10.5). */
    [[nodiscard]] constexpr std::uint32_t max_age() const noexcept {
        return uint_option(option_number::max_age).value_or(60u);
    }
    /** Size1 (RFC 7959 §4), if present. */
    [[nodiscard]] constexpr std::optional<std::uint32_t> size1() const noexcept { return uint_option(option_number::size1); }
    /** Size2 (RFC 7959 §4), if present. */
    [[nodiscard]] constexpr std::optional<std::uint32_t> size2() const noexcept { return uint_option(option_number::size2); }
    /** The first ETag, if present (a request may carry several, RFC 7252 §5.10.6.2). */
    [[nodiscard]] constexpr std::optional<bytes_view> etag() const noexcept {
        const auto o = find(option_number::etag);
        return o ? std::optional<bytes_view>{o->value} : std::nullopt;
    }
    /** All If-Match values (RFC 7252 §5.10.8.1). */
    [[nodiscard]] constexpr repeated_option_range<> if_match() const noexcept { return options(option_number::if_match); }
    /** If-None-Match is present (RFC 7252 §5.10.8.2). */
    [[nodiscard]] constexpr bool if_none_match() const noexcept { return has(option_number::if_none_match); }

    /**
     * Block1 (RFC 7959 §2.2): no value when absent; `invalid_block_option` (answer 4.00)
     * when present with SZX 7.
     */
    [[nodiscard]] constexpr result<std::optional<block_option>> block1() const noexcept {
        return block(option_number::block1);
    }
    /** Block2, as `block1()`. */
    [[nodiscard]] constexpr result<std::optional<block_option>> block2() const noexcept {
        return block(option_number::block2);
    }

    /**
     * The first critical option (odd number) that `recognized(number)` rejects, if any.
     * A request carrying one must be answered 4.02 Bad Option; a response carrying one is
     * rejected (RFC 7252 §5.4.1).
     *
     * An occurrence of a registered option is also unrecognised when its length is outside
     * the registered range (§5.4.3; only possible when parsed without `check_option_lengths`)
     * or when it repeats an option that is not repeatable (§5.4.5: each supernumerary
     * occurrence is treated like an unrecognised option).
     */
    template <class Recognized>
    [[nodiscard]] constexpr std::optional<option_number> first_unrecognized_critical(Recognized&& recognized) const noexcept {
        std::uint32_t previous = 0x10000;  // no option number: nothing before the first option
        for (const option_view& o : options()) {
            const auto n = static_cast<std::uint16_t>(o.number);
            if (is_critical(o.number)) {
                if (!recognized(o.number)) return o.number;
                if (const std::size_t i = detail::option_index(o.number); i != detail::no_option_index) {
                    const detail::option_rule& info = detail::option_rules[i];
                    if (o.value.size() < info.min_length || o.value.size() > info.max_length) return o.number;
                    if (!info.repeatable && previous == n) return o.number;
                }
            }
            previous = n;
        }
        return std::nullopt;
    }
    /** As above, recognising the options of `option_number.hpp`. */
    [[nodiscard]] constexpr std::optional<option_number> first_unrecognized_critical() const noexcept {
        return first_unrecognized_critical(is_known_option);
    }

private:
    friend constexpr result<message_view> parse(bytes_view, const parse_options&) noexcept;

    constexpr message_view(bytes_view raw, std::size_t options_end, std::size_t payload_offset) noexcept
        : raw_(raw), options_end_(options_end), payload_offset_(payload_offset) {}

    [[nodiscard]] constexpr std::size_t token_length() const noexcept { return static_cast<std::uint8_t>(raw_[0]) & 15u; }
    [[nodiscard]] static constexpr std::optional<std::uint16_t> narrow16(std::optional<std::uint32_t> v) noexcept {
        if (!v || *v > 0xFFFFu) return std::nullopt;
        return static_cast<std::uint16_t>(*v);
    }
    [[nodiscard]] constexpr result<std::optional<block_option>> block(option_number n) const noexcept {
        const auto o = find(n);
        if (!o) return std::optional<block_option>{};
        if (o->value.size() > 3) return fail(errc::invalid_block_option, offset_of(o->value));
        auto b = block_option::decode(static_cast<std::uint32_t>(load_be(o->value)));
        if (!b) return fail(errc::invalid_block_option, offset_of(o->value));
        return std::optional<block_option>{*b};
    }
    [[nodiscard]] constexpr std::size_t offset_of(bytes_view part) const noexcept {
        return static_cast<std::size_t>(part.data() - raw_.data());
    }

    bytes_view raw_{};
    std::size_t options_end_ = 0;     // offset one past the last option byte
    std::size_t payload_offset_ = 0;  // offset of the payload (== size when none)
};

} // namespace lwm2m::coap
