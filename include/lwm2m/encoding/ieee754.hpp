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
#include <cstdint>
#include <optional>

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
