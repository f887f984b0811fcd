#include <lwm2m/divide.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <random>

namespace {

using lwm2m::detail::sdiv64_in_steps;
using lwm2m::detail::udiv64_in_steps;

// Both branches (divisor below 2^16: 16-bit digits; above: a bit a step), in constant evaluation too.
static_assert(udiv64_in_steps(18446744073709551615ull, 10).quot == 1844674407370955161ull);
static_assert(udiv64_in_steps(18446744073709551615ull, 10).rem == 5);
static_assert(udiv64_in_steps(18446744073709551615ull, 0xFFFFFFFFu).quot == 4294967297ull);
static_assert(udiv64_in_steps(18446744073709551615ull, 0xFFFFFFFFu).rem == 0);
static_assert(sdiv64_in_steps(std::numeric_limits<std::int64_t>::min(), 1) == std::numeric_limits<std::int64_t>::min());
static_assert(sdiv64_in_steps(-7, 2) == -3);

void check_pair(std::uint64_t n, std::uint32_t d) {
    const auto r = udiv64_in_steps(n, d);
    CHECK(r.quot == n / d);
    CHECK(r.rem == n % d);
    const auto s = static_cast<std::int64_t>(n);
    CHECK(sdiv64_in_steps(s, d) == s / static_cast<std::int64_t>(d));
}

} // namespace

TEST_CASE("udiv64_in_steps / sdiv64_in_steps: the same quotient and remainder as the 64-bit operators") {
    const std::uint32_t divisors[] = {1, 2, 3, 7, 10, 100, 1000, 0xFFFF, 0x10000, 0x10001, 1000000007u, 0xFFFFFFFFu};
    const std::uint64_t edges[] = {0, 1, 9, 10, 0xFFFF, 0x10000, 0xFFFFFFFFull, 0x100000000ull, 0x7FFFFFFFFFFFFFFFull,
                                   0x8000000000000000ull, 0xFFFFFFFFFFFFFFFFull, 10000000000000000000ull};
    for (const std::uint32_t d : divisors)
        for (const std::uint64_t n : edges) {
            check_pair(n, d);
            check_pair(n - 1, d);
            check_pair(n + 1, d);
        }
    std::mt19937_64 random(20261127);
    for (int i = 0; i < 20000; ++i) {
        const std::uint64_t n = random() >> (random() % 64);
        auto d = static_cast<std::uint32_t>(random() >> (32 + random() % 32));
        if (d == 0) d = 1;
        check_pair(n, d);
    }
}
