#pragma once
/**
 * @file number_text.hpp
 * Strict decimal text for numbers, as used by plain text (LwM2M ct 0), SenML JSON and OMA
 * JSON: parse int64 / uint64 / double, and write them (shortest round-trip form for
 * doubles). Allocation: none.
 *
 * Doubles go through `std::from_chars` / `std::to_chars` (correctly rounded, shortest
 * round-trip), whose libstdc++ implementations bring about 130 kB of tables and code into a
 * Cortex-M image. Defining `LWM2M_COMPACT_FLOAT_TEXT` to 1 before the first include (the same
 * value in every translation unit) routes them to `encoding::compact` instead: a few hundred
 * bytes of code, exact for the numbers devices report (up to 15 significant digits and
 * decimal exponents within ±22) and within a few ulp beyond.
 */

#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>

#include <lwm2m/divide.hpp>
#include <lwm2m/encoding/ieee754.hpp>
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
    const std::size_t n = s.size();
    std::size_t i = 0;
    const auto digit = [&](std::size_t k) { return k < n && static_cast<unsigned char>(s[k] - '0') < 10; };
    const auto digits = [&](std::size_t k) {
        while (digit(k)) ++k;
        return k;
    };
    is_integer = true;
    if (i < n && s[i] == '-') ++i;
    if (!digit(i)) return 0;
    i = s[i] == '0' ? i + 1 : digits(i + 1);
    if (i == n) return i;
    if (s[i] == '.') {
        if (!digit(i + 1)) return 0;
        i = digits(i + 2);
        is_integer = false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        std::size_t k = i + 1;
        if (k < n && (s[k] == '+' || s[k] == '-')) ++k;
        if (!digit(k)) return 0;
        i = digits(k + 1);
        is_integer = false;
    }
    return i;
}

namespace detail {
/**
 * `s` as `-?[0-9]+` when that is the whole JSON integer literal (no leading zero) of at most 18
 * digits, which cannot overflow: the common case, parsed without `from_chars`. nullopt when `s`
 * is anything else; the callers then take the general path, which decides.
 */
[[nodiscard]] constexpr std::optional<std::uint64_t> short_integer_magnitude(std::string_view s, bool negative) noexcept {
    const std::size_t first = negative ? 1 : 0;
    const std::size_t count = s.size() - first;
    if (count == 0 || count > 18 || (s[first] == '0' && count > 1)) return std::nullopt;
    std::uint64_t v = 0;
    for (std::size_t i = first; i < s.size(); ++i) {
        const auto d = static_cast<unsigned char>(s[i] - '0');
        if (d > 9) return std::nullopt;
        v = v * 10 + d;
    }
    return v;
}

/**
 * The magnitude of `s`, an integer literal that `scan_json_number` accepted, from its first
 * digit at `first`; nullopt when it exceeds `limit` (what `std::from_chars` reports as
 * `result_out_of_range`). Its own loop rather than `from_chars`, whose code and tables a
 * firmware image would otherwise carry for the rare integer of 19 digits or more.
 */
[[nodiscard]] constexpr std::optional<std::uint64_t> bounded_magnitude(std::string_view s, std::size_t first,
                                                                       std::uint64_t limit) noexcept {
    std::uint64_t v = 0;
    for (std::size_t i = first; i < s.size(); ++i) {
        const auto d = static_cast<std::uint64_t>(s[i] - '0');
        if (__builtin_mul_overflow(v, std::uint64_t{10}, &v) || __builtin_add_overflow(v, d, &v)) return std::nullopt;
    }
    if (v > limit) return std::nullopt;
    return v;
}
} // namespace detail

/** Parses a whole string as a signed decimal integer. Errors: `invalid_number`, `number_out_of_range`. */
[[nodiscard]] inline result<std::int64_t> parse_int64(std::string_view s) noexcept {
    if (s.empty()) return fail(errc::invalid_number, 0);
    const bool negative = s[0] == '-';
    if (const auto m = detail::short_integer_magnitude(s, negative))
        return negative ? -static_cast<std::int64_t>(*m) : static_cast<std::int64_t>(*m);
    bool integral = false;
    if (scan_json_number(s, integral) != s.size() || !integral) return fail(errc::invalid_number, 0);
    constexpr std::uint64_t max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    const auto m = detail::bounded_magnitude(s, negative ? 1 : 0, negative ? max + 1 : max);
    if (!m) return fail(errc::number_out_of_range, 0);
    return static_cast<std::int64_t>(negative ? 0 - *m : *m);
}

/** Parses a whole string as an unsigned decimal integer (no sign). */
[[nodiscard]] inline result<std::uint64_t> parse_uint64(std::string_view s) noexcept {
    if (s.empty() || s[0] == '-') return fail(errc::invalid_number, 0);
    if (const auto m = detail::short_integer_magnitude(s, false)) return *m;
    bool integral = false;
    if (scan_json_number(s, integral) != s.size() || !integral) return fail(errc::invalid_number, 0);
    const auto m = detail::bounded_magnitude(s, 0, std::numeric_limits<std::uint64_t>::max());
    if (!m) return fail(errc::number_out_of_range, 0);
    return *m;
}

#ifndef LWM2M_COMPACT_FLOAT_TEXT
#define LWM2M_COMPACT_FLOAT_TEXT 0
#endif

/**
 * Small decimal <-> double conversions for firmware (see the file comment and
 * `LWM2M_COMPACT_FLOAT_TEXT`). Not correctly rounded in general: a decimal mantissa of up to
 * 2^53 with a decimal exponent within ±22 converts exactly (one IEEE operation on two exact
 * operands); others take a few roundings. `format_double` writes the shortest digit string
 * (1..17 significant digits) that `parse_double` reads back to the same double.
 */
namespace compact {

/** 10^n for 0 <= n <= 22: every one is exactly representable in a double. */
[[nodiscard]] constexpr double exact_pow10(int n) noexcept {
    double r = 1;
    for (int i = 0; i < n; ++i) r *= 10;
    return r;
}

/** m * 10^e10 (exact when m <= 2^53 and |e10| <= 22). */
[[nodiscard]] inline double scale10(double m, int e10) noexcept {
    constexpr double big = 1e22;
    while (e10 > 22 && m <= 1.7976931348623157e308) {
        m *= big;
        e10 -= 22;
    }
    while (e10 < -22 && m != 0) {
        m /= big;
        e10 += 22;
    }
    return e10 >= 0 ? m * exact_pow10(e10) : m / exact_pow10(-e10);
}

/** An unevaluated sum hi + lo carrying about 106 bits (error-free transformations). */
struct double_double {
    double hi;
    double lo;
};

/** a * b exactly, as hi + lo (Dekker's product: no FMA needed; |a|, |b| well inside range). */
[[nodiscard]] inline double_double two_product(double a, double b) noexcept {
    const auto split = [](double x) {
        const double c = 134217729.0 * x;  // 2^27 + 1
        const double h = c - (c - x);
        return double_double{h, x - h};
    };
    const double p = a * b;
    const double_double x = split(a), y = split(b);
    return {p, ((x.hi * y.hi - p) + x.hi * y.lo + x.lo * y.hi) + x.lo * y.lo};
}

/** (hi + lo) * 10^e10 to about 106 bits, for |e10| <= 22 (10^|e10| is then exact). */
[[nodiscard]] inline double_double scale10_precise(double hi, double lo, int e10) noexcept {
    if (e10 >= 0) {
        const double p10 = exact_pow10(e10);
        const double_double r = two_product(hi, p10);
        return {r.hi, r.lo + lo * p10};
    }
    const double d = exact_pow10(-e10);
    const double q = hi / d;
    const double_double back = two_product(q, d);
    return {q, ((hi - back.hi) - back.lo + lo) / d};
}

/** digits * 10^e10 as `parse_double` computes it. */
[[nodiscard]] inline double value_of(std::uint64_t m, int e10) noexcept {
    if (m > (std::uint64_t{1} << 53) && e10 >= -22 && e10 <= 22) {
        const double mh = static_cast<double>(m);
        const auto mh_int = static_cast<std::uint64_t>(mh);
        const double ml = m >= mh_int ? static_cast<double>(m - mh_int) : -static_cast<double>(mh_int - m);
        const double_double r = scale10_precise(mh, ml, e10);
        return r.hi + r.lo;
    }
    return scale10(static_cast<double>(m), e10);
}

/** Parses a whole string as a finite double (JSON number grammar). Errors: `invalid_number`, `number_out_of_range`. */
[[nodiscard]] inline result<double> parse_double(std::string_view s) noexcept {
    bool integral = false;
    if (s.empty() || scan_json_number(s, integral) != s.size()) return fail(errc::invalid_number, 0);
    std::size_t i = 0;
    const bool negative = s[0] == '-';
    if (negative) ++i;
    std::uint64_t m = 0;
    int digits = 0;  // significant digits kept in m (at most 19)
    int e10 = 0;
    bool fraction = false;
    for (; i < s.size() && s[i] != 'e' && s[i] != 'E'; ++i) {
        if (s[i] == '.') {
            fraction = true;
            continue;
        }
        const auto d = static_cast<std::uint64_t>(s[i] - '0');
        if (digits < 19) {
            if (m != 0 || d != 0) ++digits;
            m = m * 10 + d;
            if (fraction) --e10;
        } else if (!fraction) {
            ++e10;  // a dropped integer digit still scales the value
        }
    }
    if (i < s.size()) {  // exponent (validated by scan_json_number)
        ++i;
        bool neg_exp = false;
        if (s[i] == '+' || s[i] == '-') neg_exp = s[i++] == '-';
        int x = 0;
        for (; i < s.size(); ++i) x = x < 100000 ? x * 10 + (s[i] - '0') : x;
        e10 += neg_exp ? -x : x;
    }
    if (m == 0) return negative ? -0.0 : 0.0;
    if (e10 > 400) return fail(errc::number_out_of_range, 0);
    const double v = e10 < -400 ? 0.0 : value_of(m, e10);
    if (!encoding::is_finite(v) || v == 0) return fail(errc::number_out_of_range, 0);
    return negative ? -v : v;
}

/** Writes a finite double in the shortest form `parse_double` reads back. Errors: `invalid_argument`, `buffer_too_small`. */
[[nodiscard]] inline result<std::size_t> format_double(double v, std::span<char> out) noexcept {
    if (!encoding::is_finite(v)) return fail(errc::invalid_argument);
    char text[max_number_text];
    std::size_t n = 0;
    if (std::signbit(v)) {
        text[n++] = '-';
        v = -v;
    }
    std::uint64_t digits = 0;
    int p = 1;   // significant digits
    int e = 0;   // decimal exponent of the first digit
    if (v == 0) {
        text[n++] = '0';
    } else {
        // Subnormals: scale into the normal range first (the estimate below needs a normal).
        int shift = 0;
        if (v < 1e-290) {
            v *= 1e30;
            shift = -30;
        }
        // Decimal exponent estimate from the binary one (log10(2) ~ 0.30103), then fixed up.
        const int e2 = static_cast<int>((std::bit_cast<std::uint64_t>(v) >> 52) & 0x7ff) - 1023;
        e = (e2 * 30103) / 100000 - (e2 < 0 ? 1 : 0);
        if (scale10(1, e + 1) <= v) ++e;
        if (scale10(1, e) > v) --e;
        for (p = 1; p <= 17; ++p) {
            const int k = p - 1 - e;
            if (k >= -22 && k <= 22) {
                // v * 10^k to ~106 bits, rounded to an integer without losing the low part.
                const double_double x = scale10_precise(v, 0, k);
                const auto whole = static_cast<std::uint64_t>(x.hi);
                const double rest = (x.hi - static_cast<double>(whole)) + x.lo;
                digits = whole + static_cast<std::uint64_t>(static_cast<std::int64_t>(rest >= 0 ? rest + 0.5 : rest - 0.5));
            } else {
                digits = static_cast<std::uint64_t>(scale10(v, k) + 0.5);
            }
            std::uint64_t limit = 1;
            for (int k = 0; k < p; ++k) limit *= 10;
            int ex = e;
            if (digits >= limit) {  // rounded up to 10^p
                digits = lwm2m::detail::udiv64(digits, 10).quot;
                ++ex;
            }
            if (value_of(digits, ex - (p - 1)) == v || p == 17) {
                e = ex;
                break;
            }
        }
        e += shift;
        // Drop trailing zeros (e.g. 17 digits of an integer).
        while (p > 1 && lwm2m::detail::udiv64(digits, 10).rem == 0) {
            digits = lwm2m::detail::udiv64(digits, 10).quot;
            --p;
        }
        char d[20];
        for (int k = p - 1; k >= 0; --k) {
            const lwm2m::detail::udiv64_result q = lwm2m::detail::udiv64(digits, 10);
            d[k] = static_cast<char>('0' + q.rem);
            digits = q.quot;
        }
        int exp_abs = e < 0 ? -e : e;
        const int exp_len = exp_abs >= 100 ? 3 : 2;
        const int scientific = p + (p > 1 ? 1 : 0) + 2 + exp_len;
        const int fixed = e >= p - 1 ? e + 1 : e >= 0 ? p + 1 : p + 1 - e;
        if (fixed <= scientific) {
            if (e >= p - 1) {
                for (int k = 0; k < p; ++k) text[n++] = d[k];
                for (int k = p - 1; k < e; ++k) text[n++] = '0';
            } else if (e >= 0) {
                for (int k = 0; k < p; ++k) {
                    text[n++] = d[k];
                    if (k == e) text[n++] = '.';
                }
            } else {
                text[n++] = '0';
                text[n++] = '.';
                for (int k = -1; k > e; --k) text[n++] = '0';
                for (int k = 0; k < p; ++k) text[n++] = d[k];
            }
        } else {
            text[n++] = d[0];
            if (p > 1) {
                text[n++] = '.';
                for (int k = 1; k < p; ++k) text[n++] = d[k];
            }
            text[n++] = 'e';
            text[n++] = e < 0 ? '-' : '+';
            if (exp_len == 3) text[n++] = static_cast<char>('0' + exp_abs / 100);
            text[n++] = static_cast<char>('0' + exp_abs / 10 % 10);
            text[n++] = static_cast<char>('0' + exp_abs % 10);
        }
    }
    if (n > out.size()) return fail(errc::buffer_too_small, max_number_text);
    for (std::size_t k = 0; k < n; ++k) out[k] = text[k];
    return n;
}

} // namespace compact

/** Parses a whole string as a finite double (JSON number grammar). */
[[nodiscard]] inline result<double> parse_double(std::string_view s) noexcept {
#if LWM2M_COMPACT_FLOAT_TEXT
    return compact::parse_double(s);
#else
    bool integral = false;
    if (s.empty() || scan_json_number(s, integral) != s.size()) return fail(errc::invalid_number, 0);
    double v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec == std::errc::result_out_of_range || !encoding::is_finite(v)) return fail(errc::number_out_of_range, 0);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) return fail(errc::invalid_number, 0);
    return v;
#endif
}

/// 1: decimal text two digits a step from a 200-byte table of digit pairs, its length from
/// the bit width and a 160-byte table of powers of ten; 0: a digit a step and no table (the
/// default when optimising for size). Define it to choose.
#ifndef LWM2M_DECIMAL_PAIRS
#if defined(__OPTIMIZE_SIZE__)
#define LWM2M_DECIMAL_PAIRS 0
#else
#define LWM2M_DECIMAL_PAIRS 1
#endif
#endif

namespace detail {
#if LWM2M_DECIMAL_PAIRS
/** "00" "01" ... "99": decimal text is written two digits a step. */
inline constexpr auto digit_pairs = [] {
    std::array<char, 200> pairs{};
    for (std::size_t k = 0; k < 100; ++k) {
        pairs[2 * k] = static_cast<char>('0' + k / 10);
        pairs[2 * k + 1] = static_cast<char>('0' + k % 10);
    }
    return pairs;
}();

/** 10^k for k = 0..19 (every power of ten a uint64 holds). */
inline constexpr auto powers_of_10 = [] {
    std::array<std::uint64_t, 20> p{};
    p[0] = 1;
    for (std::size_t k = 1; k < p.size(); ++k) p[k] = p[k - 1] * 10;
    return p;
}();
#endif

/** Number of decimal digits of `v` (1..20). */
[[nodiscard]] constexpr std::size_t decimal_length(std::uint64_t v) noexcept {
#if LWM2M_DECIMAL_PAIRS
    v |= 1;  // 0 has one digit, as 1 has
    // From the bit length, no loop: floor(log10(v)) is t or t - 1, t = floor(bit_width(v) *
    // log10(2)) (1233 / 4096 ~ log10(2)).
    const auto t = static_cast<std::size_t>((std::bit_width(v) * 1233) >> 12);
    return t + (v >= powers_of_10[t] ? 1 : 0);
#else
    std::size_t n = 1;
    for (; v >= 10; v = lwm2m::detail::udiv64(v, 10).quot) ++n;
    return n;
#endif
}

/**
 * Writes `v` in decimal so that it ends just before `end`; returns where it starts (at most
 * 20 chars before `end`): no digit count needed.
 */
constexpr char* write_decimal_backward(char* end, std::uint64_t v) noexcept {
    char* p = end;
#if LWM2M_DECIMAL_PAIRS
    const auto put_pair = [&p](std::size_t pair) {
        p -= 2;
        p[0] = digit_pairs[2 * pair];
        p[1] = digit_pairs[2 * pair + 1];
    };
    while (v > 0xFFFFFFFFu) {
        put_pair(static_cast<std::size_t>(v % 100));
        v /= 100;
    }
    // The rest (most numbers whole) in 32 bits, where dividing by 100 costs less.
    auto w = static_cast<std::uint32_t>(v);
    while (w >= 100) {
        put_pair(w % 100);
        w /= 100;
    }
    if (w >= 10) put_pair(w);
    else *--p = static_cast<char>('0' + w);
#else
    do {
        const lwm2m::detail::udiv64_result d = lwm2m::detail::udiv64(v, 10);
        *--p = static_cast<char>('0' + d.rem);
        v = d.quot;
    } while (v != 0);
#endif
    return p;
}

/** Writes `v` in decimal at `out` (room for `decimal_length(v)` chars); returns the end. */
constexpr char* write_decimal(char* out, std::uint64_t v) noexcept {
    char* const end = out + decimal_length(v);
    write_decimal_backward(end, v);
    return end;
}

/** Writes `v` in decimal, optionally after a '-', into `out` (what `std::to_chars` writes). */
[[nodiscard]] inline result<std::size_t> format_decimal(bool negative, std::uint64_t v, std::span<char> out) noexcept {
    const std::size_t n = decimal_length(v) + (negative ? 1 : 0);
    if (n > out.size()) return fail(errc::buffer_too_small, 20);
    if (negative) out[0] = '-';
    write_decimal_backward(out.data() + n, v);
    return n;
}
} // namespace detail

/** Writes `v` in decimal. Errors: `buffer_too_small`. Returns the length. */
[[nodiscard]] inline result<std::size_t> format_number(std::int64_t v, std::span<char> out) noexcept {
    const std::uint64_t magnitude = v < 0 ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
    return detail::format_decimal(v < 0, magnitude, out);
}
[[nodiscard]] inline result<std::size_t> format_number(std::uint64_t v, std::span<char> out) noexcept {
    return detail::format_decimal(false, v, out);
}
/**
 * Writes a finite double in the shortest form that reads back to the same value
 * (e.g. `22.5`, `1e+20`), always valid JSON. Errors: `invalid_argument` (NaN/inf),
 * `buffer_too_small`.
 */
[[nodiscard]] inline result<std::size_t> format_number(double v, std::span<char> out) noexcept {
#if LWM2M_COMPACT_FLOAT_TEXT
    return compact::format_double(v, out);
#else
    if (!encoding::is_finite(v)) return fail(errc::invalid_argument);
    const auto r = std::to_chars(out.data(), out.data() + out.size(), v);
    if (r.ec != std::errc{}) return fail(errc::buffer_too_small, max_number_text);
    return static_cast<std::size_t>(r.ptr - out.data());
#endif
}

} // namespace lwm2m::encoding
