#pragma once
/**
 * @file divide.hpp
 * 64-bit division by a 32-bit divisor without the C library's 64-bit division helper.
 *
 * On a 32-bit target `n / d` for a 64-bit `n` calls libgcc's `__aeabi_uldivmod` /
 * `__aeabi_ldivmod`, which bring `__udivmoddi4` (about 760 bytes on a Cortex-M4) into the
 * image. When optimising for size (`LWM2M_SMALL_DIVIDE`, 1 by default under -Os) `udiv64`
 * divides in 32-bit steps instead: three hardware divisions for a divisor below 2^16 (long
 * division by 16-bit digits), else one bit a step. Otherwise it is plain `/` and `%`. The
 * results are the same either way. Allocation: none.
 */

#include <cstdint>

/// 1: `detail::udiv64` divides in 32-bit steps (no 64-bit division helper); 0: plain `/`.
#ifndef LWM2M_SMALL_DIVIDE
#if defined(__OPTIMIZE_SIZE__)
#define LWM2M_SMALL_DIVIDE 1
#else
#define LWM2M_SMALL_DIVIDE 0
#endif
#endif

namespace lwm2m::detail {

/** Quotient and remainder of `udiv64`. */
struct udiv64_result {
    std::uint64_t quot;
    std::uint32_t rem;
};

/**
 * `n / d` and `n % d` in 32-bit operations (what `udiv64` does when `LWM2M_SMALL_DIVIDE` is
 * 1; defined in every build so that the tests hold it equal to `/`). Precondition: `d != 0`.
 */
[[nodiscard]] constexpr udiv64_result udiv64_in_steps(std::uint64_t n, std::uint32_t d) noexcept {
    if (d <= 0xFFFFu) {
        // Long division by 16-bit digits: each remainder is below d, so (r << 16) | digit fits 32 bits.
        const auto hi = static_cast<std::uint32_t>(n >> 32);
        const auto lo = static_cast<std::uint32_t>(n);
        const std::uint32_t q_hi = hi / d;
        std::uint32_t x = ((hi % d) << 16) | (lo >> 16);
        const std::uint32_t q_mid = x / d;
        x = ((x % d) << 16) | (lo & 0xFFFFu);
        const std::uint32_t q_lo = x / d;
        return {(static_cast<std::uint64_t>(q_hi) << 32) | (q_mid << 16) | q_lo, x % d};
    }
    std::uint64_t q = 0;
    std::uint64_t r = 0;  // below 2d: 33 bits
    for (int i = 63; i >= 0; --i) {
        r = (r << 1) | ((n >> i) & 1u);
        if (r >= d) {
            r -= d;
            q |= std::uint64_t{1} << i;
        }
    }
    return {q, static_cast<std::uint32_t>(r)};
}

/** `n / d` and `n % d`. Precondition: `d != 0`. */
[[nodiscard]] constexpr udiv64_result udiv64(std::uint64_t n, std::uint32_t d) noexcept {
#if LWM2M_SMALL_DIVIDE
    return udiv64_in_steps(n, d);
#else
    return {n / d, static_cast<std::uint32_t>(n % d)};
#endif
}

/** `n / d` rounded toward zero, as `n / std::int64_t{d}`, through `udiv64_in_steps`. Precondition: `d != 0`. */
[[nodiscard]] constexpr std::int64_t sdiv64_in_steps(std::int64_t n, std::uint32_t d) noexcept {
    const std::uint64_t magnitude = n < 0 ? 0 - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n);
    const std::uint64_t q = udiv64_in_steps(magnitude, d).quot;
    return static_cast<std::int64_t>(n < 0 ? 0 - q : q);
}

/** `n / d` rounded toward zero, as `n / std::int64_t{d}`. Precondition: `d != 0`. */
[[nodiscard]] constexpr std::int64_t sdiv64(std::int64_t n, std::uint32_t d) noexcept {
#if LWM2M_SMALL_DIVIDE
    return sdiv64_in_steps(n, d);
#else
    return n / static_cast<std::int64_t>(d);
#endif
}

} // namespace lwm2m::detail
