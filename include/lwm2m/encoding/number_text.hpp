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
 * value in every translation unit) routes them to `encoding::compact` instead: about 1.7 kB
 * of Cortex-M4 code in integer arithmetic, with the same results (except that an integer
 * written in fixed notation ends in zeros after its shortest digits where `to_chars` writes
 * all of its digits: 2^60 is "1152921504606847000", not "1152921504606846976").
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

/**
 * Length of the longest prefix of `s` that is a decimal number in the form plain text and
 * query values take (LwM2M 1.1 Core §7.4.1 names no grammar; this is what Java's
 * Long.parseLong / Double.parseDouble and C's strtod read, without NaN, infinity, hex or
 * spaces): `[+-]? ([0-9]+ (. [0-9]*)? | . [0-9]+) ([eE] [+-]? [0-9]+)?`, so a peer's `+1`,
 * `007`, `5.`, `.5` or `1.0E3` is read. A superset of the JSON grammar; 0 if none.
 * `is_integer` tells whether it had neither point nor exponent.
 */
[[nodiscard]] constexpr std::size_t scan_decimal_number(std::string_view s, bool& is_integer) noexcept {
    const std::size_t n = s.size();
    const auto digits = [&](std::size_t k) {
        while (k < n && static_cast<unsigned char>(s[k] - '0') < 10) ++k;
        return k;
    };
    std::size_t i = n != 0 && (s[0] == '-' || s[0] == '+') ? 1 : 0;
    const std::size_t first = i;
    i = digits(i);
    bool any = i != first;
    is_integer = true;
    if (i < n && s[i] == '.') {
        const std::size_t fraction = i + 1;
        i = digits(fraction);
        any = any || i != fraction;
        is_integer = false;
    }
    if (!any) return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        std::size_t k = i + 1;
        if (k < n && (s[k] == '+' || s[k] == '-')) ++k;
        const std::size_t end = digits(k);
        if (end == k) return 0;
        i = end;
        is_integer = false;
    }
    return i;
}

namespace detail {
/** Where the digits of `s` start: after one sign, `+` or (when `minus_ok`) `-`. */
[[nodiscard]] constexpr std::size_t after_sign(std::string_view s, bool minus_ok) noexcept {
    return !s.empty() && (s[0] == '+' || (minus_ok && s[0] == '-')) ? 1 : 0;
}

/**
 * The value of the digits `s[first..]` (leading zeros allowed): `invalid_number` unless they
 * are one or more ASCII digits, else `number_out_of_range` above `limit`. Its own loop rather
 * than `from_chars`, whose code and tables a firmware image would otherwise carry.
 */
[[nodiscard]] constexpr result<std::uint64_t> decimal_magnitude(std::string_view s, std::size_t first,
                                                                std::uint64_t limit) noexcept {
    if (first == s.size()) return fail(errc::invalid_number, 0);
    std::uint64_t v = 0;
    bool over = false;  // kept to the end: "99999999999999999999x" is garbage, not out of range
    for (std::size_t i = first; i < s.size(); ++i) {
        const auto d = static_cast<unsigned char>(s[i] - '0');
        if (d > 9) return fail(errc::invalid_number, 0);
        over = over || __builtin_mul_overflow(v, std::uint64_t{10}, &v) || __builtin_add_overflow(v, std::uint64_t{d}, &v);
    }
    if (over || v > limit) return fail(errc::number_out_of_range, 0);
    return v;
}
} // namespace detail

/**
 * Parses a whole string as a signed decimal integer, `[+-]?[0-9]+` (leading zeros allowed).
 * Errors: `invalid_number`, `number_out_of_range`.
 */
[[nodiscard]] inline result<std::int64_t> parse_int64(std::string_view s) noexcept {
    const bool negative = !s.empty() && s[0] == '-';
    constexpr std::uint64_t max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    LWM2M_TRY(m, detail::decimal_magnitude(s, detail::after_sign(s, true), negative ? max + 1 : max));
    return static_cast<std::int64_t>(negative ? 0 - m : m);
}

/** Parses a whole string as an unsigned decimal integer, `+?[0-9]+` (leading zeros allowed). */
[[nodiscard]] inline result<std::uint64_t> parse_uint64(std::string_view s) noexcept {
    return detail::decimal_magnitude(s, detail::after_sign(s, false), std::numeric_limits<std::uint64_t>::max());
}

#ifndef LWM2M_COMPACT_FLOAT_TEXT
#define LWM2M_COMPACT_FLOAT_TEXT 0
#endif

/**
 * Decimal <-> double conversions for firmware (see the file comment and
 * `LWM2M_COMPACT_FLOAT_TEXT`) in integer arithmetic only: a Cortex-M4 has no double-precision
 * FPU, and every floating-point operation here would be a soft-float library call. Both are
 * exact, with the results of `std::from_chars` / `std::to_chars`: `parse_double` rounds to
 * nearest, ties to even, and `format_double` writes the shortest digits that read back to the
 * same double (the nearest such, ties to even). Both compute on natural numbers of up to
 * `big::capacity` 32-bit limbs (a few hundred bytes of stack); the numbers devices report take
 * one or two limbs and a few dozen limb operations.
 */
namespace detail {
/** Characters of `count` significant digits, the first at 10^`exponent`, in positional notation. */
[[nodiscard]] constexpr int positional_length(int count, int exponent) noexcept {
    const int hi = exponent > 0 ? exponent : 0;
    const int last = exponent - count + 1;
    const int lo = last < 0 ? last : 0;
    return hi - lo + 1 + (lo < 0 ? 1 : 0);
}
/**
 * Writes `count` significant digits, the first at 10^`exponent`, from `o` in positional
 * notation (zeros to the units place, a point before 10^-1; no exponent): the end.
 */
constexpr char* write_positional(char* o, const char* digits, int count, int exponent) noexcept {
    const int hi = exponent > 0 ? exponent : 0;
    const int last = exponent - count + 1;
    const int lo = last < 0 ? last : 0;
    for (int j = hi; j >= lo; --j) {
        if (j == -1) *o++ = '.';
        const int k = exponent - j;  // the index of the digit at 10^j
        *o++ = k >= 0 && k < count ? digits[k] : '0';
    }
    return o;
}
} // namespace detail

namespace compact {

/**
 * A natural number in 32-bit limbs, least significant first, with `size` limbs in use (the top
 * one nonzero). The ratios below keep both terms under about 2^810 (26 limbs): the powers of two
 * of a ratio cancel, so a term is at most 5^|x| times a 64-bit number times 10, or a power of
 * two of the same size (|x| <= 324, 5^324 < 2^753). 28 limbs leave a margin.
 */
struct big {
    static constexpr int capacity = 28;
    std::uint32_t limb[capacity];
    int size;
};

/** `a = v`. */
inline void big_set(big& a, std::uint64_t v) noexcept {
    a.limb[0] = static_cast<std::uint32_t>(v);
    a.limb[1] = static_cast<std::uint32_t>(v >> 32);
    a.size = a.limb[1] != 0 ? 2 : a.limb[0] != 0 ? 1 : 0;
}

/** `a *= x` (32 x 32 -> 64-bit multiplies). */
inline void big_multiply(big& a, std::uint32_t x) noexcept {
    std::uint64_t carry = 0;
    for (int i = 0; i < a.size; ++i) {
        carry += std::uint64_t{a.limb[i]} * x;
        a.limb[i] = static_cast<std::uint32_t>(carry);
        carry >>= 32;
    }
    if (carry != 0) a.limb[a.size++] = static_cast<std::uint32_t>(carry);
}

/** `a *= 5^n`, 13 factors a step (5^13 is the largest power of 5 below 2^32). */
inline void big_multiply_pow5(big& a, int n) noexcept {
    for (; n > 0; n -= 13) {
        std::uint32_t f = 1;
        for (int k = 0; k < n && k < 13; ++k) f *= 5;
        big_multiply(a, f);
    }
}

/** `a *= 2^n`, n >= 0. */
inline void big_shift_left(big& a, int n) noexcept {
    if (a.size == 0) return;
    const int words = n >> 5;
    const int bits = n & 31;
    a.limb[a.size] = 0;
    for (int i = a.size; i >= 0; --i) {
        const std::uint32_t lower = i > 0 ? a.limb[i - 1] : 0;
        a.limb[i + words] = bits == 0 ? a.limb[i] : (a.limb[i] << bits) | (lower >> (32 - bits));
    }
    for (int i = 0; i < words; ++i) a.limb[i] = 0;
    a.size += words + 1;
    if (a.limb[a.size - 1] == 0) --a.size;
}

/**
 * The sign (-1, 0, 1) of `a + b - c` (no `b` when null), in one pass from the low limbs and
 * without a temporary: the one comparison the conversions need.
 */
[[nodiscard]] inline int big_compare_sum(const big& a, const big* b, const big& c) noexcept {
    const int b_size = b != nullptr ? b->size : 0;
    int n = a.size > c.size ? a.size : c.size;
    if (b_size > n) n = b_size;
    std::int64_t acc = 0;  // the running sum's carry: a few bits either side of 0
    std::uint32_t nonzero = 0;
    for (int i = 0; i < n; ++i) {
        acc += static_cast<std::int64_t>(i < a.size ? a.limb[i] : 0) + (i < b_size ? b->limb[i] : 0) -
               (i < c.size ? c.limb[i] : 0);
        nonzero |= static_cast<std::uint32_t>(acc);
        acc >>= 32;  // arithmetic (C++20): the borrow stays negative
    }
    return acc < 0 ? -1 : (acc > 0 || nonzero != 0) ? 1 : 0;
}

/** `a -= b`, for a >= b. */
inline void big_subtract(big& a, const big& b) noexcept {
    std::int64_t borrow = 0;
    for (int i = 0; i < a.size; ++i) {
        borrow += static_cast<std::int64_t>(a.limb[i]) - (i < b.size ? b.limb[i] : 0);
        a.limb[i] = static_cast<std::uint32_t>(borrow);
        borrow >>= 32;
    }
    while (a.size > 0 && a.limb[a.size - 1] == 0) --a.size;
}

/**
 * `r / s = c * 2^e2 * 10^e10` exactly: 10^e10 is 5^e10 * 2^e10, and the powers of two of the
 * numerator and the denominator cancel, so that the numbers stay as small as they can.
 */
inline void big_ratio(big& r, big& s, std::uint64_t c, int e2, int e10) noexcept {
    big_set(r, c);
    big_set(s, 1);
    big_multiply_pow5(e10 >= 0 ? r : s, e10 >= 0 ? e10 : -e10);
    const int twos = e2 + e10;
    big_shift_left(twos >= 0 ? r : s, twos >= 0 ? twos : -twos);
}

/** The next digit in base `base` of a fraction r / s < 1: r *= base; the integer part out of r. */
[[nodiscard]] inline std::uint32_t big_next_digit(big& r, const big& s, std::uint32_t base) noexcept {
    big_multiply(r, base);
    std::uint32_t d = 0;
    for (; big_compare_sum(r, nullptr, s) >= 0; ++d) big_subtract(r, s);
    return d;
}

/** floor(n * log10(2)) for |n| <= 1650 (78913 / 2^18 ~ log10(2)). */
[[nodiscard]] constexpr int floor_log10_pow2(int n) noexcept { return (n * 78913) >> 18; }

/** floor(n * log2(10)) or one more, for |n| <= 400 (217706 / 2^16 ~ log2(10), from above). */
[[nodiscard]] constexpr int log2_pow10_estimate(int n) noexcept { return (n * 217706) >> 16; }

/** The significant digits of a number that `parse_double` scanned, one at a time. */
struct digit_reader {
    std::string_view s;
    std::size_t i;  // at the next digit, or at the end of the digits ('e', 'E' or the end of s)

    [[nodiscard]] bool done() const noexcept { return i == s.size() || s[i] == 'e' || s[i] == 'E'; }
    std::uint32_t next() noexcept {
        const auto d = static_cast<std::uint32_t>(s[i++] - '0');
        if (i < s.size() && s[i] == '.') ++i;
        return d;
    }
};

/**
 * The sign of T - c * 2^e2, T the number `digits` reads, 0.d1d2d3... * 10^x (d1 != 0): the
 * digits of c * 2^e2 / 10^x are generated one by one and compared with T's (a binary number
 * has a finite decimal expansion). `r` and `s` are scratch (the caller's, to keep the stack small).
 */
[[nodiscard]] inline int compare_decimal(digit_reader digits, int x, std::uint64_t c, int e2, big& r, big& s) noexcept {
    big_ratio(r, s, c, e2, -x);
    if (big_compare_sum(r, nullptr, s) >= 0) return -1;  // c * 2^e2 >= 10^x > T
    while (!digits.done()) {
        const std::uint32_t theirs = big_next_digit(r, s, 10);
        const std::uint32_t ours = digits.next();
        if (ours != theirs) return ours > theirs ? 1 : -1;
    }
    return r.size == 0 ? 0 : -1;
}

/**
 * Parses a whole string as a finite double (`scan_decimal_number`'s grammar), correctly rounded (to
 * nearest, ties to even). Errors: `invalid_number`, `number_out_of_range` (the value rounds to
 * infinity, or to zero though not written as zero, as `std::from_chars` reports).
 *
 * The first 19 significant digits D and their exponent (T ~ D * 10^e) give, by long division
 * in base 2, the 62 bits of D * 10^e at the binary exponent that T's decimal exponent
 * suggests; after normalising to 53 bits and a rounding bit, that is the answer unless digits
 * were dropped and D * 10^e sits just below a midpoint between two doubles: T is then compared
 * with the midpoint exactly, digit by digit.
 */
[[nodiscard]] inline result<double> parse_double(std::string_view s) noexcept {
    bool integral = false;
    if (s.empty() || scan_decimal_number(s, integral) != s.size()) return fail(errc::invalid_number, 0);
    const bool negative = s[0] == '-';
    std::size_t i = lwm2m::encoding::detail::after_sign(s, true);
    std::uint64_t d = 0;   // the first 19 significant digits
    int kept = 0;          // how many (at most 19)
    bool dropped = false;  // a nonzero digit after them
    int x = 0;             // T = 0.d1d2d3... * 10^x
    bool fraction = false;
    digit_reader digits{s, s.size()};
    for (; i < s.size() && s[i] != 'e' && s[i] != 'E'; ++i) {
        if (s[i] == '.') {
            fraction = true;
            continue;
        }
        const auto digit = static_cast<std::uint32_t>(s[i] - '0');
        if (digits.i == s.size()) {
            if (digit == 0) {  // a leading zero
                if (fraction) --x;
                continue;
            }
            digits.i = i;
        }
        if (!fraction) ++x;
        if (kept < 19) {
            d = d * 10 + digit;
            ++kept;
        } else if (digit != 0) {
            dropped = true;
        }
    }
    if (i < s.size()) {  // exponent (validated by scan_decimal_number)
        ++i;
        bool neg_exp = false;
        if (s[i] == '+' || s[i] == '-') neg_exp = s[i++] == '-';
        int e = 0;
        for (; i < s.size(); ++i) e = e < 100000 ? e * 10 + (s[i] - '0') : e;
        x += neg_exp ? -e : e;
    }
    if (d == 0) return negative ? -0.0 : 0.0;
    // 10^(x-1) <= T < 10^x: from 10^309 up every T overflows, below 10^-324 it rounds to 0.
    if (x > 309 || x < -323) return fail(errc::number_out_of_range, 0);
    // h = floor(D * 10^(x - kept) / 2^(q - 1)): 2^55 <= h < 2^62, as the ulp 2^q is chosen from x.
    int q = log2_pow10_estimate(x - 1) - 55;
    big r, t;
    big_ratio(r, t, d, 1 - q - 62, x - kept);
    std::uint64_t h = 0;
    for (int k = 0; k < 62; ++k) h = (h << 1) | big_next_digit(r, t, 2);
    bool sticky = r.size != 0;
    // To 53 bits and the rounding bit, or fewer below the normal range (ulp 2^-1074).
    while (h >= (std::uint64_t{1} << 54) || q < -1074) {
        sticky = sticky || (h & 1) != 0;
        h >>= 1;
        ++q;
    }
    std::uint64_t n = h >> 1;
    const bool half = (h & 1) != 0;
    int above = half ? (sticky || dropped ? 1 : 0) : -1;  // the sign of T - (n + 1/2) * 2^q
    if (!half && dropped) above = compare_decimal(digits, x, 2 * n + 1, q - 1, r, t);  // T may pass it
    if (above > 0 || (above == 0 && (n & 1) != 0)) ++n;
    if (n == std::uint64_t{1} << 53) {
        n >>= 1;
        ++q;
    }
    if (n == 0 || q > 971) return fail(errc::number_out_of_range, 0);
    // The biased exponent is q + 1075 for a normal n (its bit 52 adds the 1), 0 for a subnormal.
    const std::uint64_t bits = (static_cast<std::uint64_t>(q + 1074) << 52) + n;
    return std::bit_cast<double>(negative ? bits | (std::uint64_t{1} << 63) : bits);
}

/**
 * Writes a finite double in the shortest form that reads back to it (`std::to_chars`'s digits;
 * fixed notation when it is not longer than scientific). Errors: `invalid_argument`,
 * `buffer_too_small`.
 *
 * The digits come from the free-format algorithm of Steele & White as Burger & Dybvig state it
 * ("Printing Floating-Point Numbers Quickly and Accurately", PLDI 1996): the value and the
 * half-gaps to its neighbours as exact ratios r / s and m / s, scaled by 10^-x to below 1,
 * then a digit at a time until the digits so far, or one more in the last place, lie within
 * the rounding interval (its ends included when the significand is even, as round-to-even
 * reads them back).
 */
[[nodiscard]] inline result<std::size_t> format_double(double v, std::span<char> out) noexcept {
    if (!encoding::is_finite(v)) return fail(errc::invalid_argument);
    const auto bits = std::bit_cast<std::uint64_t>(v);
    char d[17];  // the significant digits
    int p = 1;   // how many
    int e = 0;   // the decimal exponent of the first one
    d[0] = '0';
    if (!encoding::is_zero(v)) {
        const auto biased = static_cast<int>((bits >> 52) & 0x7FF);
        const std::uint64_t fraction = bits & ((std::uint64_t{1} << 52) - 1);
        const std::uint64_t m = biased == 0 ? fraction : fraction | (std::uint64_t{1} << 52);
        const int e2 = biased == 0 ? -1074 : biased - 1075;  // v = m * 2^e2
        const bool even = (m & 1) == 0;
        // In units of 2^(e2 - 1): v is 2m, the half-gap to the next double 1 unit, the one to
        // the double below half a unit at a power of two (the exponent steps down there), else 1.
        const bool low_is_half = fraction == 0 && biased > 1;
        // 2^b <= v < 2^(b+1) with b the top bit's exponent, so 10^(x-1) <= v for this x, and the
        // upper end is below 10^(x+1): the digits start at 10^(x-1), or at 10^x (one check below).
        int x = floor_log10_pow2(e2 + 63 - std::countl_zero(m)) + 1;
        big r, s, unit;
        big_ratio(unit, s, 1, e2 - 1, -x);  // the same s as r's: the denominator does not depend on c
        big_ratio(r, s, 2 * m, e2 - 1, -x);
        const auto high_passes = [&] {  // r + 1 unit (the upper end) at or past s
            const int c = big_compare_sum(r, &unit, s);
            return c > 0 || (c == 0 && even);
        };
        if (high_passes()) {  // the upper end reaches 10^x: one digit more before the point
            big_multiply(s, 10);
            ++x;
        }
        e = x - 1;
        for (p = 0;;) {
            std::uint32_t digit = big_next_digit(r, s, 10);
            big_multiply(unit, 10);
            const int c = -big_compare_sum(r, low_is_half ? &r : nullptr, unit);  // the lower gap minus r (halved)
            const bool low = c > 0 || (c == 0 && even);
            const bool high = high_passes();
            if (low && high) {  // both in the interval: the nearer, ties to even
                const int twice = big_compare_sum(r, &r, s);
                if (twice > 0 || (twice == 0 && (digit & 1) != 0)) ++digit;
            } else if (high) {
                ++digit;
            }
            d[p++] = static_cast<char>('0' + digit);
            // 17 digits always end it (a bound kept for the buffer's sake). The last digit is
            // never 0: the digits before it would have ended the loop a step earlier.
            if (low || high || p == 17) break;
        }
    }
    // Fixed notation unless scientific is shorter.
    int exp_abs = e < 0 ? -e : e;
    const int fixed = detail::positional_length(p, e);
    const int scientific = p + (p > 1 ? 1 : 0) + (exp_abs >= 100 ? 5 : 4);
    const bool negative = (bits >> 63) != 0;
    const std::size_t n = (negative ? 1u : 0u) + static_cast<std::size_t>(fixed <= scientific ? fixed : scientific);
    if (n > out.size()) return fail(errc::buffer_too_small, max_number_text);
    char* o = out.data();
    if (negative) *o++ = '-';
    if (fixed <= scientific) {
        detail::write_positional(o, d, p, e);
    } else {
        for (int k = 0; k < p; ++k) {
            *o++ = d[k];
            if (k == 0 && p > 1) *o++ = '.';
        }
        *o++ = 'e';
        *o++ = e < 0 ? '-' : '+';
        // The exponent's 2 or 3 digits, backward from the end.
        for (char* q = out.data() + n; q != o; exp_abs /= 10) *--q = static_cast<char>('0' + exp_abs % 10);
    }
    return n;
}

} // namespace compact

/**
 * Parses a whole string as a finite double (`scan_decimal_number`'s grammar: JSON numbers, and
 * `+1.5`, `007`, `5.`, `.5`). Errors: `invalid_number`, `number_out_of_range`.
 */
[[nodiscard]] inline result<double> parse_double(std::string_view s) noexcept {
#if LWM2M_COMPACT_FLOAT_TEXT
    return compact::parse_double(s);
#else
    bool integral = false;
    if (s.empty() || scan_decimal_number(s, integral) != s.size()) return fail(errc::invalid_number, 0);
    const std::size_t first = detail::after_sign(s, false);  // from_chars reads no '+'
    double v = 0;
    const auto r = std::from_chars(s.data() + first, s.data() + s.size(), v);
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
[[nodiscard]] LWM2M_HOT_INLINE inline result<std::size_t> format_decimal(bool negative, std::uint64_t v, std::span<char> out) noexcept {
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

/**
 * Writes a finite double with the digits of `format_number` (the shortest that read back to
 * it) in positional notation, without an exponent (`0.00001`, `-150`, `100000000000000000000`)
 * when that fits in `out`; else as `format_number` does (`1e-300`). For link-format attribute
 * values and query strings (Discover's gt/lt/st, Write-Attributes): CoRE link format takes
 * any ptoken, but Leshan's attribute parser and Wakaama's text-to-float read no exponent, so
 * a threshold like 1e-05 would make a whole Discover answer unreadable there. Errors:
 * `invalid_argument` (NaN/inf), `buffer_too_small`.
 */
[[nodiscard]] inline result<std::size_t> format_number_plain(double v, std::span<char> out) noexcept {
    char text[max_number_text];
    LWM2M_TRY(n, format_number(v, text));
    const std::string_view shortest{text, n};
    const std::size_t e_at = shortest.find('e');
    if (e_at != std::string_view::npos) {
        // d[.ddd]e±x: the digits and the power of ten of the first one.
        const bool negative = text[0] == '-';
        char digits[max_number_text];
        std::size_t count = 0;
        for (std::size_t i = negative ? 1 : 0; i != e_at; ++i)
            if (text[i] != '.') digits[count++] = text[i];
        int exponent = 0;
        for (std::size_t i = e_at + 2; i != n; ++i) exponent = exponent * 10 + (text[i] - '0');
        if (text[e_at + 1] == '-') exponent = -exponent;
        const std::size_t plain = (negative ? 1u : 0u) +
                                  static_cast<std::size_t>(detail::positional_length(static_cast<int>(count), exponent));
        if (plain <= out.size()) {
            char* o = out.data();
            if (negative) *o++ = '-';
            detail::write_positional(o, digits, static_cast<int>(count), exponent);
            return plain;
        }
    }
    if (n > out.size()) return fail(errc::buffer_too_small, max_number_text);
    for (std::size_t i = 0; i != n; ++i) out[i] = text[i];
    return n;
}

} // namespace lwm2m::encoding
