#pragma once
/**
 * @file number_text.hpp
 * Strict decimal text for numbers, as used by plain text (LwM2M ct 0), SenML JSON and OMA
 * JSON: parse int64 / uint64 / double, and write them (shortest round-trip form for
 * doubles). Allocation: none.
 */

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <system_error>

#include <lwm2m/result.hpp>

namespace lwm2m::encoding {

/** Largest text `format_number` writes for any int64/uint64/double. */
inline constexpr std::size_t max_number_text = 32;

/**
 * Length of the longest prefix of `s` that is a JSON number (RFC 8259 §6):
 * `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`; 0 if none.
 * `is_integer` tells whether it had neither fraction nor exponent.
 */
[[nodiscard]] constexpr std::size_t scan_json_number(std::string_view s, bool& is_integer) noexcept {
    std::size_t i = 0;
    const auto digit = [&](std::size_t k) { return k < s.size() && s[k] >= '0' && s[k] <= '9'; };
    is_integer = true;
    if (i < s.size() && s[i] == '-') ++i;
    if (!digit(i)) return 0;
    if (s[i] == '0') ++i;
    else while (digit(i)) ++i;
    if (i < s.size() && s[i] == '.') {
        if (!digit(i + 1)) return 0;
        i += 1;
        while (digit(i)) ++i;
        is_integer = false;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        std::size_t k = i + 1;
        if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
        if (!digit(k)) return 0;
        while (digit(k)) ++k;
        i = k;
        is_integer = false;
    }
    return i;
}

/** Parses a whole string as a signed decimal integer. Errors: `invalid_number`, `number_out_of_range`. */
[[nodiscard]] inline result<std::int64_t> parse_int64(std::string_view s) noexcept {
    bool integral = false;
    if (s.empty() || scan_json_number(s, integral) != s.size() || !integral) return fail(errc::invalid_number, 0);
    std::int64_t v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec == std::errc::result_out_of_range) return fail(errc::number_out_of_range, 0);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) return fail(errc::invalid_number, 0);
    return v;
}

/** Parses a whole string as an unsigned decimal integer (no sign). */
[[nodiscard]] inline result<std::uint64_t> parse_uint64(std::string_view s) noexcept {
    bool integral = false;
    if (s.empty() || s[0] == '-' || scan_json_number(s, integral) != s.size() || !integral)
        return fail(errc::invalid_number, 0);
    std::uint64_t v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec == std::errc::result_out_of_range) return fail(errc::number_out_of_range, 0);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) return fail(errc::invalid_number, 0);
    return v;
}

/** Parses a whole string as a finite double (JSON number grammar). */
[[nodiscard]] inline result<double> parse_double(std::string_view s) noexcept {
    bool integral = false;
    if (s.empty() || scan_json_number(s, integral) != s.size()) return fail(errc::invalid_number, 0);
    double v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec == std::errc::result_out_of_range || !std::isfinite(v)) return fail(errc::number_out_of_range, 0);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) return fail(errc::invalid_number, 0);
    return v;
}

/** Writes `v` in decimal. Errors: `buffer_too_small`. Returns the length. */
[[nodiscard]] inline result<std::size_t> format_number(std::int64_t v, std::span<char> out) noexcept {
    const auto r = std::to_chars(out.data(), out.data() + out.size(), v);
    if (r.ec != std::errc{}) return fail(errc::buffer_too_small, 20);
    return static_cast<std::size_t>(r.ptr - out.data());
}
[[nodiscard]] inline result<std::size_t> format_number(std::uint64_t v, std::span<char> out) noexcept {
    const auto r = std::to_chars(out.data(), out.data() + out.size(), v);
    if (r.ec != std::errc{}) return fail(errc::buffer_too_small, 20);
    return static_cast<std::size_t>(r.ptr - out.data());
}
/**
 * Writes a finite double in the shortest form that reads back to the same value
 * (e.g. `22.5`, `1e+20`), always valid JSON. Errors: `invalid_argument` (NaN/inf),
 * `buffer_too_small`.
 */
[[nodiscard]] inline result<std::size_t> format_number(double v, std::span<char> out) noexcept {
    if (!std::isfinite(v)) return fail(errc::invalid_argument);
    const auto r = std::to_chars(out.data(), out.data() + out.size(), v);
    if (r.ec != std::errc{}) return fail(errc::buffer_too_small, max_number_text);
    return static_cast<std::size_t>(r.ptr - out.data());
}

} // namespace lwm2m::encoding
