// detail::is_whole / is_int64_exact / is_uint64_exact / whole_to_int64 / whole_to_uint64 read
// the double's bits; the reference is the arithmetic definition they replaced (isfinite, trunc,
// the casts).
#include <lwm2m/model/coerce.hpp>

#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

namespace {

void check(double d) {
    INFO("bits ", std::bit_cast<std::uint64_t>(d));
    const bool whole = std::isfinite(d) && d == std::trunc(d);
    CHECK(lwm2m::detail::is_whole(d) == whole);
    CHECK(lwm2m::detail::is_int64_exact(d) == (whole && d >= -9223372036854775808.0 && d < 9223372036854775808.0));
    CHECK(lwm2m::detail::is_uint64_exact(d) == (whole && d >= 0 && d < 18446744073709551616.0));
    // whole_to_int64 / whole_to_uint64 (read from the bits in -Os builds) against the casts.
    if (lwm2m::detail::is_int64_exact(d)) CHECK(lwm2m::encoding::whole_to_int64(d) == static_cast<std::int64_t>(d));
    if (lwm2m::detail::is_uint64_exact(d)) CHECK(lwm2m::encoding::whole_to_uint64(d) == static_cast<std::uint64_t>(d));
}

} // namespace

TEST_CASE("is_whole / is_int64_exact / is_uint64_exact: as isfinite and trunc say") {
    constexpr double inf = std::numeric_limits<double>::infinity();
    for (const double d : {0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 1.5, 2.0, 0x1p52, 0x1p52 + 1, 0x1p52 - 0.5, 0x1p53,
                           0x1p63, -0x1p63, 0x1p64, -0x1p64, 0x1.fffffffffffffp62, 1e300,
                           std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::min(),
                           std::numeric_limits<double>::max(), inf, -inf, std::numeric_limits<double>::quiet_NaN()})
        for (const double v : {d, std::nextafter(d, inf), std::nextafter(d, -inf)}) check(v);
    std::mt19937_64 random(11);
    for (int i = 0; i < 200000; ++i) {
        check(std::bit_cast<double>(random()));
        // Exponents around the integer range, fractions with few low bits set.
        const std::uint64_t exponent = 1023 - 4 + random() % 72;
        check(std::bit_cast<double>((random() & 1) << 63 | exponent << 52 | (random() >> (random() % 64)) >> 12));
    }
}
