#pragma once
// How many cases the large random and exhaustive tests run.
//
// Under AddressSanitizer (always paired with UBSan here: the Meson stage of
// scripts/test-all.sh) every memory access is checked and those tests run about five times
// slower. There they run an eighth of their cases, by count or by sampling every eighth
// combination; their "enough cases were seen" checks scale with them. The g++ build runs
// every case, and the fuzz stage is where the sanitizers meet random input at volume.

#include <algorithm>
#include <concepts>

namespace lwm2m::test {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool sanitized_build = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool sanitized_build = true;
#else
inline constexpr bool sanitized_build = false;
#endif
#else
inline constexpr bool sanitized_build = false;
#endif

/** The share of cases a sanitized build runs: one in `case_divisor`. */
inline constexpr int case_divisor = sanitized_build ? 8 : 1;

/** `n` cases, or an eighth of them (at least one) in a sanitized build. */
template <std::integral T>
[[nodiscard]] constexpr T scaled(T n) noexcept {
    return std::max(T{1}, static_cast<T>(n / case_divisor));
}

/** True for every case `k` (a running count), or for every eighth in a sanitized build. */
[[nodiscard]] constexpr bool sampled(int k) noexcept { return k % case_divisor == 0; }

} // namespace lwm2m::test
