#pragma once
/**
 * @file ieee754.hpp
 * Tests and conversions of IEEE 754 doubles read from their bits with integer operations only. On a target
 * with no double-precision FPU (a Cortex-M4) the floating-point operations they replace are
 * soft-float library calls: `std::isfinite` is an unordered compare and a compare, and the
 * binary32 round trip (`static_cast<double>(static_cast<float>(v)) == v`) a conversion and
 * a compare. `exact_binary32_bits` is what a writer asks to put a number in 4 bytes instead
 * of 8 (TLV Float, LwM2M 1.1 Core §C.4; CBOR, RFC 8949 §4.1).
 * Allocation: none.
 */

#include <bit>
#include <concepts>
#include <cstdint>
#include <optional>
#include <type_traits>

#include <lwm2m/config.hpp>

namespace lwm2m::encoding {

/** `std::isfinite(v)`: neither infinite nor NaN (the exponent bits not all ones). */
[[nodiscard]] constexpr bool is_finite(double v) noexcept {
    constexpr std::uint64_t exponent = std::uint64_t{0x7FF} << 52;
    return (std::bit_cast<std::uint64_t>(v) & exponent) != exponent;
}

/** `std::isnan(v)`: the exponent bits all ones and a fraction. */
[[nodiscard]] constexpr bool is_nan(double v) noexcept {
    constexpr std::uint64_t sign = std::uint64_t{1} << 63;
    return (std::bit_cast<std::uint64_t>(v) & ~sign) > (std::uint64_t{0x7FF} << 52);
}

/** `v == 0` (+0 or -0) without a floating-point compare. */
[[nodiscard]] constexpr bool is_zero(double v) noexcept { return (std::bit_cast<std::uint64_t>(v) << 1) == 0; }

/** `std::fabs(v)`, the sign bit cleared; constexpr (std::fabs is not before C++23). */
[[nodiscard]] constexpr double magnitude(double v) noexcept {
    return std::bit_cast<double>(std::bit_cast<std::uint64_t>(v) & ~(std::uint64_t{1} << 63));
}

namespace detail {
/** A finite or infinite double's place in the order of doubles as an integer: its magnitude's
 * bits, negated when the sign is set (both zeros are 0). Not for NaN. */
[[nodiscard]] constexpr std::int64_t order_key(double v) noexcept {
    const auto bits = std::bit_cast<std::uint64_t>(v);
    const auto m = static_cast<std::int64_t>(bits & ~(std::uint64_t{1} << 63));
    return (bits >> 63) != 0 ? -m : m;
}
/** -1, 0 or 1 as `a` is below, equal to or above `b`; 2 when either is NaN (unordered). */
[[nodiscard]] constexpr int order(double a, double b) noexcept {
    if (is_nan(a) || is_nan(b)) return 2;
    const std::int64_t x = order_key(a);
    const std::int64_t y = order_key(b);
    return static_cast<int>(x > y) - static_cast<int>(x < y);
}
} // namespace detail

/**
 * `a < b` and `a <= b` as IEEE 754 orders doubles: false when either is NaN, -0 equal to +0.
 * Size builds compare the bits as integers (`detail::order`, one copy for every caller): on a
 * Cortex-M4 a double comparison is a call into libgcc's soft-float `_arm_cmpdf2.o` (272 B),
 * which leaves the image only once no double is compared anywhere in it. Elsewhere it is
 * the one floating-point instruction.
 */
[[nodiscard]] constexpr bool less(double a, double b) noexcept {
#if defined(__OPTIMIZE_SIZE__)
    return detail::order(a, b) < 0;
#else
    return a < b;
#endif
}
/** `a <= b` (see `less`). */
[[nodiscard]] constexpr bool less_equal(double a, double b) noexcept {
#if defined(__OPTIMIZE_SIZE__)
    return detail::order(a, b) <= 0;
#else
    return a <= b;
#endif
}

/**
 * The whole part of |v| (rounded toward zero), for |v| < 2^64: `static_cast<std::uint64_t>`
 * of the magnitude, from the bits. On a Cortex-M4 that cast is `__aeabi_d2ulz`, which brings
 * `__muldf3` along.
 */
[[nodiscard]] constexpr std::uint64_t truncated_magnitude(double v) noexcept {
    const auto bits = std::bit_cast<std::uint64_t>(v);
    const auto biased = static_cast<int>((bits >> 52) & 0x7FFu);
    if (biased < 1023) return 0;  // |v| < 1
    const std::uint64_t significand = (bits & ((std::uint64_t{1} << 52) - 1)) | (std::uint64_t{1} << 52);  // |v| = it * 2^(biased - 1075)
    return biased >= 1075 ? significand << (biased - 1075) : significand >> (1075 - biased);
}

/**
 * `static_cast<std::int64_t>(d)` / `static_cast<std::uint64_t>(d)` for a whole `d` in the
 * type's range (`lwm2m::detail::is_int64_exact` / `is_uint64_exact`). Size builds read it from the bits: on a Cortex-M4 the
 * casts are `__aeabi_d2lz` / `__aeabi_d2ulz`, which multiply in soft float (`__muldf3`, 596
 * bytes that nothing else in a client needs); with an FPU the cast is one instruction.
 */
[[nodiscard]] constexpr std::int64_t whole_to_int64(double d) noexcept {
#if defined(__OPTIMIZE_SIZE__)
    const std::uint64_t m = truncated_magnitude(d);
    return static_cast<std::int64_t>(std::bit_cast<std::int64_t>(d) < 0 ? 0 - m : m);
#else
    return static_cast<std::int64_t>(d);
#endif
}
[[nodiscard]] constexpr std::uint64_t whole_to_uint64(double d) noexcept {
#if defined(__OPTIMIZE_SIZE__)
    return truncated_magnitude(d);  // d is whole and >= 0 (or -0)
#else
    return static_cast<std::uint64_t>(d);
#endif
}

/** `static_cast<double>(u)` (the nearest double, ties to even) from the bits: no soft-float call. */
[[nodiscard]] constexpr double double_of(std::uint64_t u) noexcept {
    if (u == 0) return 0.0;
    const int width = std::bit_width(u);  // the value's top bit is 2^(width - 1)
    int exponent = width - 1;
    std::uint64_t significand = 0;  // 53 bits, the top one implicit in the double
    if (width <= 53) {
        significand = u << (53 - width);
    } else {
        const int dropped = width - 53;
        significand = u >> dropped;
        const std::uint64_t rest = u & ((std::uint64_t{1} << dropped) - 1);
        const std::uint64_t half = std::uint64_t{1} << (dropped - 1);
        if (rest > half || (rest == half && (significand & 1) != 0)) {
            if (++significand == std::uint64_t{1} << 53) {  // rounded up to the next power of two
                significand >>= 1;
                ++exponent;
            }
        }
    }
    return std::bit_cast<double>((static_cast<std::uint64_t>(exponent + 1023) << 52) |
                                 (significand & ((std::uint64_t{1} << 52) - 1)));
}
/** `static_cast<double>(i)` from the bits. */
[[nodiscard]] constexpr double double_of(std::int64_t i) noexcept {
    const std::uint64_t m = i < 0 ? 0 - static_cast<std::uint64_t>(i) : static_cast<std::uint64_t>(i);
    return std::bit_cast<double>(std::bit_cast<std::uint64_t>(double_of(m)) | (i < 0 ? std::uint64_t{1} << 63 : 0));
}
/**
 * `static_cast<double>(std::bit_cast<float>(bits))` from the bits (a NaN keeps its payload and
 * is made quiet, as the conversion does on ARM and x86).
 */
[[nodiscard]] constexpr double double_of_binary32(std::uint32_t bits) noexcept {
    const std::uint64_t sign = std::uint64_t{bits >> 31} << 63;
    int exponent = static_cast<int>((bits >> 23) & 0xFFu);
    std::uint64_t fraction = bits & 0x7FFFFFu;
    if (exponent == 0xFF)
        return std::bit_cast<double>(sign | 0x7FF0000000000000u | (fraction << 29) | (fraction != 0 ? std::uint64_t{1} << 51 : 0));
    if (exponent == 0) {  // ±0, or a subnormal (fraction * 2^-149): its top bit becomes the implicit one
        if (fraction == 0) return std::bit_cast<double>(sign);
        const int shift = 24 - std::bit_width(fraction);
        fraction = (fraction << shift) & 0x7FFFFFu;
        exponent = 1 - shift;
    }
    return std::bit_cast<double>(sign | (static_cast<std::uint64_t>(exponent + 896) << 52) | (fraction << 29));  // bias 127 -> 1023
}

/**
 * `static_cast<double>(v)`, or `double_of(v)` in a build without Float values
 * (LWM2M_FLOAT_VALUES 0, config.hpp): there nothing else needs libgcc's conversions and
 * additions (`_arm_addsubdf3.o`, linked as one object), so none of them is called. With Float
 * values the additions link them anyway, and the cast is the smaller code.
 */
template <std::integral T>
[[nodiscard]] constexpr double to_double(T v) noexcept {
    if constexpr (config::float_values) return static_cast<double>(v);
    else if constexpr (std::is_signed_v<T>) return double_of(static_cast<std::int64_t>(v));
    else return double_of(static_cast<std::uint64_t>(v));
}

/**
 * The binary32 bits of `v` when binary32 holds it exactly (±0, ±inf, normal and subnormal
 * floats): the bits `static_cast<float>(v)` has then. Nothing for every other value and for
 * NaN (whose binary32 form depends on the platform's conversion; callers decide it).
 */
[[nodiscard]] constexpr std::optional<std::uint32_t> exact_binary32_bits(double v) noexcept {
    // In 32-bit halves: a 32-bit target has no 64-bit shifts or masks to spend on it.
    const auto bits = std::bit_cast<std::uint64_t>(v);
    const auto high = static_cast<std::uint32_t>(bits >> 32);  // sign, 11 exponent bits, 20 fraction bits
    const auto low = static_cast<std::uint32_t>(bits);          // the other 32 fraction bits
    const std::uint32_t sign = high & 0x80000000u;
    const auto biased = static_cast<int>((high >> 20) & 0x7FFu);
    const std::uint32_t high_fraction = high & 0xFFFFFu;
    if (biased == 0x7FF || biased == 0) {  // ±inf and ±0 are floats; NaN is not decided here, and a
        if ((high_fraction | low) != 0) return std::nullopt;  // subnormal double is below every float
        return sign | (biased != 0 ? 0x7F800000u : 0u);
    }
    if ((low << 3) != 0) return std::nullopt;  // more than a float's 24 significant bits
    const std::uint32_t significand = (1u << 23) | (high_fraction << 3) | (low >> 29);  // |v| = it * 2^(e - 23)
    const int e = biased - 1023;
    if (e >= -126 && e <= 127) return sign | (static_cast<std::uint32_t>(e + 127) << 23) | (significand & 0x7FFFFFu);
    if (e < -149 || e > 127) return std::nullopt;
    // A subnormal float: a whole number of 2^-149, the significand shifted right by 1..23 bits.
    const int shift = -126 - e;
    if ((significand & ((1u << shift) - 1)) != 0) return std::nullopt;
    return sign | (significand >> shift);
}

} // namespace lwm2m::encoding
