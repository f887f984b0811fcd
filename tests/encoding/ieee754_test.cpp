// encoding::exact_binary32_bits and is_finite read the double's bits; the references here are
// the floating-point operations they replaced: the round trip through float (TLV and CBOR
// writers) and std::isfinite.
#include <lwm2m/encoding/ieee754.hpp>

#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>

namespace {

std::optional<std::uint32_t> reference_bits(double v) {
    if (std::isnan(v)) return std::nullopt;
    if (!std::isinf(v) && std::fabs(v) > static_cast<double>(std::numeric_limits<float>::max())) return std::nullopt;
    const auto f = static_cast<float>(v);
    if (static_cast<double>(f) != v) return std::nullopt;
    return std::bit_cast<std::uint32_t>(f);
}

int mismatches = 0;

void check(double v) {
    const auto got = lwm2m::encoding::exact_binary32_bits(v);
    const auto want = reference_bits(v);
    if (got != want) {
        ++mismatches;
        INFO("bits ", std::bit_cast<std::uint64_t>(v));
        CHECK(got == want);
    }
}

} // namespace

TEST_CASE("exact_binary32_bits: the float that keeps a double exactly, as the round trip through float gives it") {
    constexpr double inf = std::numeric_limits<double>::infinity();
    constexpr float finf = std::numeric_limits<float>::infinity();
    mismatches = 0;
    for (const double v : {0.0, -0.0, 1.0, -1.0, 0.5, 0.1, 22.5, -3.75, 1e300, 1e-300, 0x1p-126, 0x1p-127, 0x1p-149,
                           0x1p-150, 3 * 0x1p-149, 0x1.fffffcp-127, 0x1.fffffep127, 0x1.ffffffp127, 0x1p128,
                           std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::min(),
                           std::numeric_limits<double>::max(), inf, -inf, std::numeric_limits<double>::quiet_NaN(),
                           -std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::signaling_NaN()})
        check(v);
    CHECK(lwm2m::encoding::exact_binary32_bits(22.5) == std::optional<std::uint32_t>{0x41B40000u});
    CHECK(lwm2m::encoding::exact_binary32_bits(0x1p-149) == std::optional<std::uint32_t>{1u});
    CHECK(lwm2m::encoding::exact_binary32_bits(-inf) == std::optional<std::uint32_t>{0xFF800000u});
    CHECK_FALSE(lwm2m::encoding::exact_binary32_bits(0.1).has_value());
    // Floats of every exponent (and a spread of fractions), each with its double neighbours.
    std::mt19937_64 rng(20261127);
    for (std::uint32_t exponent = 0; exponent < 256; ++exponent)
        for (int k = 0; k < 64; ++k) {
            const std::uint32_t fraction = k < 2 ? static_cast<std::uint32_t>(k) * 0x7FFFFFu
                                                 : static_cast<std::uint32_t>(rng()) & 0x7FFFFFu;
            for (const std::uint32_t sign : {0u, 0x80000000u}) {
                const float f = std::bit_cast<float>(sign | (exponent << 23) | fraction);
                const auto d = static_cast<double>(f);
                check(d);
                check(std::nextafter(d, inf));
                check(std::nextafter(d, -inf));
                check(static_cast<double>(std::nextafter(f, finf)) / 2);
            }
        }
    // Doubles of random bits, and of random bits with the low fraction bits a float lacks cleared.
    for (int i = 0; i < 200000; ++i) {
        const std::uint64_t b = rng();
        check(std::bit_cast<double>(b));
        check(std::bit_cast<double>(b & ~((std::uint64_t{1} << 29) - 1)));
        check(std::bit_cast<double>(b & ~((std::uint64_t{1} << (29 + i % 24)) - 1)));
    }
    CHECK(mismatches == 0);
}

TEST_CASE("exact_binary32_bits is a constant expression") {
    static_assert(lwm2m::encoding::exact_binary32_bits(1.0) == std::optional<std::uint32_t>{0x3F800000u});
    static_assert(!lwm2m::encoding::exact_binary32_bits(0.1).has_value());
}

TEST_CASE("is_finite: std::isfinite from the bits") {
    constexpr double inf = std::numeric_limits<double>::infinity();
    for (const double v : {0.0, -0.0, 1.0, -1.0, 1e308, -1e308, std::numeric_limits<double>::max(),
                           std::numeric_limits<double>::denorm_min(), inf, -inf, std::numeric_limits<double>::quiet_NaN(),
                           -std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::signaling_NaN()})
        CHECK(lwm2m::encoding::is_finite(v) == std::isfinite(v));
    std::mt19937_64 rng(7);
    int mismatches = 0;
    for (int i = 0; i < 200000; ++i) {
        std::uint64_t b = rng();
        if (i % 4 == 0) b |= std::uint64_t{0x7FF} << 52;  // many infinities and NaNs
        const double v = std::bit_cast<double>(b);
        if (lwm2m::encoding::is_finite(v) != std::isfinite(v)) ++mismatches;
    }
    CHECK(mismatches == 0);
    static_assert(lwm2m::encoding::is_finite(1.0) && !lwm2m::encoding::is_finite(std::numeric_limits<double>::infinity()));
}

TEST_CASE("is_nan, is_zero, magnitude: std::isnan, == 0 and std::fabs from the bits") {
    constexpr double inf = std::numeric_limits<double>::infinity();
    for (const double v : {0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 1e308, -1e308, std::numeric_limits<double>::denorm_min(),
                           -std::numeric_limits<double>::denorm_min(), inf, -inf, std::numeric_limits<double>::quiet_NaN(),
                           -std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::signaling_NaN()}) {
        CHECK(lwm2m::encoding::is_nan(v) == std::isnan(v));
        CHECK(lwm2m::encoding::is_zero(v) == (v == 0));
        CHECK(std::bit_cast<std::uint64_t>(lwm2m::encoding::magnitude(v)) == std::bit_cast<std::uint64_t>(std::fabs(v)));
    }
    std::mt19937_64 rng(11);
    int mismatches = 0;
    for (int i = 0; i < 200000; ++i) {
        std::uint64_t b = rng();
        if (i % 4 == 0) b |= std::uint64_t{0x7FF} << 52;                          // infinities and NaNs
        if (i % 4 == 1) b &= (std::uint64_t{1} << 63) | ((std::uint64_t{1} << (i % 52)) - 1);  // zeros, subnormals
        const double v = std::bit_cast<double>(b);
        if (lwm2m::encoding::is_nan(v) != std::isnan(v) || lwm2m::encoding::is_zero(v) != (v == 0) ||
            std::bit_cast<std::uint64_t>(lwm2m::encoding::magnitude(v)) != std::bit_cast<std::uint64_t>(std::fabs(v)))
            ++mismatches;
    }
    CHECK(mismatches == 0);
    static_assert(lwm2m::encoding::magnitude(-2.5) == 2.5 && lwm2m::encoding::is_zero(-0.0) && !lwm2m::encoding::is_nan(inf));
}

TEST_CASE("truncated_magnitude: static_cast<std::uint64_t>(std::fabs(v)) from the bits, for |v| < 2^64") {
    for (const double v : {0.0, -0.0, 0.5, -0.999, 1.0, -1.0, 1.5, 2.5, 4503599627370495.5, 9007199254740993.0,
                           0x1p63, -0x1p63, 0x1.fffffffffffffp63, std::numeric_limits<double>::denorm_min(), 1e-300})
        CHECK(lwm2m::encoding::truncated_magnitude(v) == static_cast<std::uint64_t>(std::fabs(v)));
    std::mt19937_64 rng(13);
    int mismatches = 0;
    for (int i = 0; i < 200000; ++i) {
        // Exponents from 2^-2 to 2^63: fractions, wholes, and wholes with no fraction bits left.
        const std::uint64_t exponent = 1023 - 2 + rng() % 66;
        const double v = std::bit_cast<double>((rng() & ((std::uint64_t{1} << 52) - 1)) | exponent << 52 | (rng() & 1) << 63);
        if (lwm2m::encoding::truncated_magnitude(v) != static_cast<std::uint64_t>(std::fabs(v))) ++mismatches;
    }
    CHECK(mismatches == 0);
    static_assert(lwm2m::encoding::truncated_magnitude(-7.75) == 7);
}

TEST_CASE("order, less, less_equal: the floating-point comparisons from the bits (NaN unordered, -0 == +0)") {
    using lwm2m::encoding::detail::order;
    constexpr double inf = std::numeric_limits<double>::infinity();
    const auto reference = [](double a, double b) { return a < b ? -1 : a == b ? 0 : a > b ? 1 : 2; };
    const double special[] = {0.0, -0.0, 1.0, -1.0, 0x1p-1022, -0x1p-1022, std::numeric_limits<double>::denorm_min(),
                              -std::numeric_limits<double>::denorm_min(), 1e308, -1e308, inf, -inf,
                              std::numeric_limits<double>::quiet_NaN(), -std::numeric_limits<double>::quiet_NaN(),
                              std::numeric_limits<double>::signaling_NaN()};
    for (const double a : special)
        for (const double b : special) {
            CHECK(order(a, b) == reference(a, b));
            CHECK(lwm2m::encoding::less(a, b) == (a < b));
            CHECK(lwm2m::encoding::less_equal(a, b) == (a <= b));
        }
    std::mt19937_64 rng(17);
    int mismatches = 0;
    for (int i = 0; i < 200000; ++i) {
        std::uint64_t x = rng();
        std::uint64_t y = i % 3 == 0 ? x ^ (rng() & 0xFF) : rng();  // neighbours, and numbers far apart
        if (i % 5 == 0) x |= std::uint64_t{0x7FF} << 52;              // infinities and NaNs
        if (i % 7 == 0) y &= (std::uint64_t{1} << 63) | ((std::uint64_t{1} << (i % 52)) - 1);  // zeros, subnormals
        const double a = std::bit_cast<double>(x);
        const double b = std::bit_cast<double>(y);
        if (order(a, b) != reference(a, b) || order(b, a) != reference(b, a) ||
            lwm2m::encoding::less(a, b) != (a < b) || lwm2m::encoding::less_equal(a, b) != (a <= b))
            ++mismatches;
    }
    CHECK(mismatches == 0);
    static_assert(order(-0.0, 0.0) == 0 && order(-inf, -1e308) == -1 && order(2.0, 1.0) == 1 && lwm2m::encoding::less(-1, 0));
}

TEST_CASE("double_of, double_of_binary32: static_cast<double> of an integer or a float, from the bits") {
    using lwm2m::encoding::double_of;
    using lwm2m::encoding::double_of_binary32;
    const auto same = [](double got, double want) { return std::bit_cast<std::uint64_t>(got) == std::bit_cast<std::uint64_t>(want); };
    std::mt19937_64 rng{20261128};
    int bad = 0;
    const auto check_u = [&](std::uint64_t u) {
        if (!same(double_of(u), static_cast<double>(u))) ++bad;
        const auto i = static_cast<std::int64_t>(u);
        if (!same(double_of(i), static_cast<double>(i))) ++bad;
    };
    // Every width, around each power of two and the rounding boundaries (ties to even) above 2^53.
    for (int w = 0; w < 64; ++w)
        for (std::uint64_t d = 0; d < 4100; d += (d < 8 ? 1 : 511)) {
            const std::uint64_t p = std::uint64_t{1} << w;
            check_u(p + d);
            check_u(p - d);
            check_u(p | (p >> 1) | d);
        }
    for (std::uint64_t u : {std::uint64_t{0}, ~std::uint64_t{0}, (std::uint64_t{1} << 63) + 1024, (std::uint64_t{1} << 63) + 3072,
                            (std::uint64_t{1} << 53) + 1, (std::uint64_t{1} << 53) + 3})
        check_u(u);
    for (int k = 0; k < 200000; ++k) {
        const std::uint64_t u = rng();
        check_u(u >> (k % 64));
    }
    CHECK(bad == 0);
    static_assert(double_of(std::uint64_t{1} << 53) == 9007199254740992.0);

    // Every exponent of a float with random fractions, the subnormals, ±0, ±inf; NaN stays NaN.
    int bad32 = 0;
    for (std::uint32_t e = 0; e < 255; ++e)
        for (int k = 0; k < 300; ++k) {
            const std::uint32_t bits = (static_cast<std::uint32_t>(rng()) & 0x807FFFFFu) | (e << 23);
            if (!same(double_of_binary32(bits), static_cast<double>(std::bit_cast<float>(bits)))) ++bad32;
        }
    for (std::uint32_t bits : {0u, 0x80000000u, 1u, 0x807FFFFFu, 0x7F800000u, 0xFF800000u, 0x00400000u})
        if (!same(double_of_binary32(bits), static_cast<double>(std::bit_cast<float>(bits)))) ++bad32;
    CHECK(bad32 == 0);
    CHECK(std::isnan(double_of_binary32(0x7FC00001u)));
    CHECK(std::isnan(double_of_binary32(0xFF800001u)));
}
