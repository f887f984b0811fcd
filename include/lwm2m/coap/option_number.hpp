#pragma once
/**
 * @file option_number.hpp
 * CoAP option numbers and what the registries say about each known option:
 * RFC 7252 §5.10 and §12.2, RFC 7641 (Observe), RFC 7959 (Block1/2, Size2),
 * RFC 7967 (No-Response), RFC 8613 (OSCORE), RFC 8768 (Hop-Limit), RFC 9175 (Echo,
 * Request-Tag), RFC 9177 (Q-Block1/2).
 */

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

namespace lwm2m::coap {

/** An option number. Any 16-bit value may appear on the wire; enumerators name known ones. */
enum class option_number : std::uint16_t {
    if_match = 1,
    uri_host = 3,
    etag = 4,
    if_none_match = 5,
    observe = 6,
    uri_port = 7,
    location_path = 8,
    oscore = 9,
    uri_path = 11,
    content_format = 12,
    max_age = 14,
    uri_query = 15,
    hop_limit = 16,
    accept = 17,
    q_block1 = 19,
    location_query = 20,
    block2 = 23,
    block1 = 27,
    size2 = 28,
    q_block2 = 31,
    proxy_uri = 35,
    proxy_scheme = 39,
    size1 = 60,
    echo = 252,
    no_response = 258,
    request_tag = 292,
};

/** Value format of an option (RFC 7252 §3.2). */
enum class option_format : std::uint8_t { empty, opaque, uint, string };

/** Registry facts about one known option. */
struct option_info {
    option_number number;
    std::string_view name;   ///< registry name, e.g. "Uri-Path"
    option_format format;
    std::uint16_t min_length;
    std::uint16_t max_length;
    bool repeatable;
};

namespace detail {
inline constexpr option_info known_options[] = {
    {option_number::if_match, "If-Match", option_format::opaque, 0, 8, true},
    {option_number::uri_host, "Uri-Host", option_format::string, 1, 255, false},
    {option_number::etag, "ETag", option_format::opaque, 1, 8, true},
    {option_number::if_none_match, "If-None-Match", option_format::empty, 0, 0, false},
    {option_number::observe, "Observe", option_format::uint, 0, 3, false},
    {option_number::uri_port, "Uri-Port", option_format::uint, 0, 2, false},
    {option_number::location_path, "Location-Path", option_format::string, 0, 255, true},
    {option_number::oscore, "OSCORE", option_format::opaque, 0, 255, false},
    {option_number::uri_path, "Uri-Path", option_format::string, 0, 255, true},
    {option_number::content_format, "Content-Format", option_format::uint, 0, 2, false},
    {option_number::max_age, "Max-Age", option_format::uint, 0, 4, false},
    {option_number::uri_query, "Uri-Query", option_format::string, 0, 255, true},
    {option_number::hop_limit, "Hop-Limit", option_format::uint, 1, 1, false},
    {option_number::accept, "Accept", option_format::uint, 0, 2, false},
    {option_number::q_block1, "Q-Block1", option_format::uint, 0, 3, false},
    {option_number::location_query, "Location-Query", option_format::string, 0, 255, true},
    {option_number::block2, "Block2", option_format::uint, 0, 3, false},
    {option_number::block1, "Block1", option_format::uint, 0, 3, false},
    {option_number::size2, "Size2", option_format::uint, 0, 4, false},
    {option_number::q_block2, "Q-Block2", option_format::uint, 0, 3, true},  // RFC 9177 §4: repeatable
    {option_number::proxy_uri, "Proxy-Uri", option_format::string, 1, 1034, false},
    {option_number::proxy_scheme, "Proxy-Scheme", option_format::string, 1, 255, false},
    {option_number::size1, "Size1", option_format::uint, 0, 4, false},
    {option_number::echo, "Echo", option_format::opaque, 1, 40, false},
    {option_number::no_response, "No-Response", option_format::uint, 0, 1, false},
    {option_number::request_tag, "Request-Tag", option_format::opaque, 0, 8, true},
};

/**
 * What the codec checks at run time of each known option, in `known_options` order: a compact
 * copy (8 bytes an option, not 20 plus its name), so that an image that never asks for an
 * option's name or format does not carry the registry's names.
 */
struct option_rule {
    std::uint16_t number;
    std::uint16_t min_length;
    std::uint16_t max_length;
    bool repeatable;
};
inline constexpr auto option_rules = [] {
    std::array<option_rule, std::size(known_options)> rules{};
    for (std::size_t i = 0; i < rules.size(); ++i)
        rules[i] = {static_cast<std::uint16_t>(known_options[i].number), known_options[i].min_length,
                    known_options[i].max_length, known_options[i].repeatable};
    return rules;
}();

// Index into known_options for numbers 0..63 (the hot range), 0xFF = unknown. Built at compile time.
struct small_option_index {
    std::uint8_t slot[64];
    constexpr small_option_index() : slot{} {
        for (auto& s : slot) s = 0xFF;
        for (std::uint8_t i = 0; i < std::size(known_options); ++i) {
            const auto n = static_cast<std::uint16_t>(known_options[i].number);
            if (n < 64) slot[n] = i;
        }
    }
};
inline constexpr small_option_index small_index{};

/** `option_index` of an option the registry does not know. */
inline constexpr std::size_t no_option_index = static_cast<std::size_t>(-1);

/**
 * Index of a known option in `known_options`, or `no_option_index`. O(1) below 64.
 * The codec's constexpr paths test this index rather than a `find_option_info` pointer
 * against null: GCC 12 under -fsanitize=null rejects comparing the address of a
 * `known_options` element with null in a constant expression.
 */
constexpr std::size_t option_index(option_number n) noexcept {
    const auto v = static_cast<std::uint16_t>(n);
    if (v < 64) {
        const std::uint8_t s = small_index.slot[v];
        return s == 0xFF ? no_option_index : s;
    }
    for (std::size_t i = 0; i < option_rules.size(); ++i)
        if (option_rules[i].number == v) return i;
    return no_option_index;
}

/// 1: the codec's speed paths: option lengths and header bytes checked with tables built at
/// compile time (`option_lengths`, `short_lengths`, `header_needs_slow_path`: about 900 bytes
/// of constants), and `message_builder` working out option headers as options are added and
/// serializing them itself. 0 (the default when optimising for size): the same rules computed
/// from `known_options` and the header bits, and the builder serializing through
/// `message_writer` (`serialize_checked`), the same bytes and errors. Define it to choose.
#ifndef LWM2M_COAP_FAST_PATH
#if defined(__OPTIMIZE_SIZE__)
#define LWM2M_COAP_FAST_PATH 0
#else
#define LWM2M_COAP_FAST_PATH 1
#endif
#endif

#if LWM2M_COAP_FAST_PATH
/**
 * The value-length rule of options 0..63 (every option LwM2M uses) for the codec's hot loops:
 * a length is acceptable iff `length - min[i] <= span[i]` (one unsigned compare), with
 * i = min(number, 64). Known options get their registered range; unknown ones 0..65804, all
 * the encoding can express (RFC 7252 §3.1). Entry 64 accepts nothing, which sends numbers
 * of 64 and more to the slow path.
 */
struct option_length_table {
    std::uint32_t min[65];
    std::uint32_t span[65];
    constexpr option_length_table() : min{}, span{} {
        for (std::uint16_t n = 0; n < 64; ++n) {
            const std::size_t i = option_index(static_cast<option_number>(n));
            min[n] = i == no_option_index ? 0u : known_options[i].min_length;
            span[n] = i == no_option_index ? 65535u + 269u : static_cast<std::uint32_t>(known_options[i].max_length - known_options[i].min_length);
        }
        min[64] = 0xFFFFFFFFu;  // length - min == length + 1 > 0 == span
        span[64] = 0;
    }
    /** True if `length` passes for `number` < 64; false (check slowly) otherwise. */
    [[nodiscard]] constexpr bool fast_ok(std::uint32_t number, std::uint32_t length) const noexcept {
        const std::uint32_t i = number < 64 ? number : 64;
        return length - min[i] <= span[i];
    }
    /** `fast_ok` without the clamp. Precondition: `number < 64`. */
    [[nodiscard]] constexpr bool ok_below_64(std::uint32_t number, std::uint32_t length) const noexcept {
        return length - min[number] <= span[number];
    }
};
inline constexpr option_length_table option_lengths{};

/**
 * The same rule for the serializers' one-byte option headers: bit `length` of `mask[number]`
 * (number < 64, length < 13) is set iff options 0..63 accept that length. One load and one
 * bit test where `fast_ok` needs a clamp and two loads.
 */
struct short_length_table {
    std::uint16_t mask[64];
    constexpr short_length_table() : mask{} {
        for (std::uint32_t n = 0; n < 64; ++n)
            for (std::uint32_t length = 0; length < 13; ++length)
                if (option_lengths.fast_ok(n, length)) mask[n] = static_cast<std::uint16_t>(mask[n] | (1u << length));
    }
    /** Precondition: `number < 64`, `length < 13`. */
    [[nodiscard]] constexpr bool ok(std::uint32_t number, std::size_t length) const noexcept {
        return ((mask[number] >> length) & 1u) != 0;
    }
};
inline constexpr short_length_table short_lengths{};
#else
/** `option_length_table`'s rule without its table: the registered range of a known option
 *  below 64, any length (up to 65804) for an unknown one, false from 64 on. */
struct option_length_rule {
    [[nodiscard]] constexpr bool fast_ok(std::uint32_t number, std::uint32_t length) const noexcept {
        if (number >= 64) return false;
        const std::uint8_t s = small_index.slot[number];
        if (s == 0xFF) return length <= 65535u + 269u;
        const option_rule& rule = option_rules[s];
        return length - rule.min_length <= static_cast<std::uint32_t>(rule.max_length - rule.min_length);
    }
    /** Precondition: `number < 64`. */
    [[nodiscard]] constexpr bool ok_below_64(std::uint32_t number, std::uint32_t length) const noexcept {
        return fast_ok(number, length);
    }
};
inline constexpr option_length_rule option_lengths{};

/** `short_length_table`'s rule without its table. Precondition: `number < 64`, `length < 13`. */
struct short_length_rule {
    [[nodiscard]] constexpr bool ok(std::uint32_t number, std::size_t length) const noexcept {
        return option_lengths.fast_ok(number, static_cast<std::uint32_t>(length));
    }
};
inline constexpr short_length_rule short_lengths{};
#endif
} // namespace detail

/** Registry facts for a known option, or nullptr. O(1) for numbers below 64. Allocation: none. */
[[nodiscard]] constexpr const option_info* find_option_info(option_number n) noexcept {
    const std::size_t i = detail::option_index(n);
    return i == detail::no_option_index ? nullptr : &detail::known_options[i];
}

/** Registry name of a known option, or an empty view. */
[[nodiscard]] constexpr std::string_view name(option_number n) noexcept {
    const std::size_t i = detail::option_index(n);
    return i == detail::no_option_index ? std::string_view{} : detail::known_options[i].name;
}

/** Odd numbers are critical: a receiver that does not know one must reject (RFC 7252 §5.4.1). */
[[nodiscard]] constexpr bool is_critical(option_number n) noexcept {
    return (static_cast<std::uint16_t>(n) & 1u) != 0;
}
/** Bit 1 set: a proxy that does not know the option must not forward it (RFC 7252 §5.4.2). */
[[nodiscard]] constexpr bool is_unsafe(option_number n) noexcept {
    return (static_cast<std::uint16_t>(n) & 2u) != 0;
}
/** NoCacheKey: `(n & 0x1e) == 0x1c` (RFC 7252 §5.4.6). */
[[nodiscard]] constexpr bool is_no_cache_key(option_number n) noexcept {
    return (static_cast<std::uint16_t>(n) & 0x1eu) == 0x1cu;
}

} // namespace lwm2m::coap
