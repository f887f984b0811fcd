// cbor::detail::to_half (RFC 8949 §4.1: the shortest float that keeps the value) reads the
// double's bits; the reference here is the arithmetic definition it replaced (frexp/trunc).
#include <lwm2m/format/cbor/reader.hpp>
#include <lwm2m/format/cbor/writer.hpp>

#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>

namespace {

std::optional<std::uint16_t> reference_half(double v) {
    if (std::isnan(v)) return std::uint16_t{0x7E00};
    const std::uint16_t sign = std::signbit(v) ? 0x8000 : 0;
    const double a = std::fabs(v);
    if (a == 0) return sign;
    if (std::isinf(a)) return static_cast<std::uint16_t>(sign | 0x7C00);
    int e = 0;
    const double m = std::frexp(a, &e);
    if (e - 1 >= -14 && e - 1 <= 15) {
        const double scaled = m * 2048.0;
        if (scaled != std::trunc(scaled)) return std::nullopt;
        return static_cast<std::uint16_t>(sign | ((e - 1 + 15) << 10) | (static_cast<std::uint32_t>(scaled) - 1024u));
    }
    if (e - 1 < -14) {
        const double units = a * 16777216.0;
        if (units != std::trunc(units) || units >= 1024) return std::nullopt;
        return static_cast<std::uint16_t>(sign | static_cast<std::uint16_t>(units));
    }
    return std::nullopt;
}

void check(double v) {
    const auto got = lwm2m::format::cbor::detail::to_half(v);
    const auto want = reference_half(v);
    INFO("bits ", std::bit_cast<std::uint64_t>(v));
    CHECK(got == want);
}

} // namespace

TEST_CASE("cbor to_half: the half that keeps a double exactly, as the arithmetic definition gives it") {
    constexpr double inf = std::numeric_limits<double>::infinity();
    for (const double v : {0.0, -0.0, 1.0, -1.0, 0.5, 1.5, 65504.0, 65505.0, 65536.0, -65504.0, 1.0 / 1024, 0x1p-14,
                           0x1p-15, 0x1p-24, 0x1p-25, 3 * 0x1p-24, 1023 * 0x1p-24, 0x1.ffcp-15, 0x1.ffep-15, 0x1p15,
                           0x1p16, 0.1, 1e300, 1e-300, std::numeric_limits<double>::denorm_min(),
                           std::numeric_limits<double>::min(), inf, -inf, std::numeric_limits<double>::quiet_NaN(),
                           -std::numeric_limits<double>::quiet_NaN()})
        check(v);
    // Every half, and its neighbours as doubles.
    for (std::uint32_t h = 0; h < 0x10000; ++h) {
        const auto f = lwm2m::format::cbor::detail::half_to_double(static_cast<std::uint16_t>(h));
        check(f);
        check(std::nextafter(f, inf));
        check(std::nextafter(f, -inf));
    }
    std::mt19937_64 random(7);
    for (int i = 0; i < 200000; ++i) {
        check(std::bit_cast<double>(random()));
        // Doubles near the half range with few fraction bits set.
        const std::uint64_t exponent = 1023 - 30 + random() % 50;
        const std::uint64_t fraction = (random() & 0xFFFull) << (random() % 41);
        check(std::bit_cast<double>((random() & 1) << 63 | exponent << 52 | fraction));
    }
}

TEST_CASE("cbor half_to_double: every half, as the arithmetic definition gives it (RFC 8949 Appendix D)") {
    int mismatches = 0;
    for (std::uint32_t h = 0; h < 0x10000; ++h) {
        const int exp = (h >> 10) & 0x1F;
        const int mant = h & 0x3FF;
        double want = exp == 0 ? std::ldexp(mant, -24) : exp != 31 ? std::ldexp(mant + 1024, exp - 25)
                                                                    : mant == 0 ? std::numeric_limits<double>::infinity()
                                                                                : std::numeric_limits<double>::quiet_NaN();
        if ((h & 0x8000) != 0) want = -want;
        const double got = lwm2m::format::cbor::detail::half_to_double(static_cast<std::uint16_t>(h));
        if (std::bit_cast<std::uint64_t>(got) != std::bit_cast<std::uint64_t>(want)) {
            ++mismatches;
            INFO("half ", h);
            CHECK(std::bit_cast<std::uint64_t>(got) == std::bit_cast<std::uint64_t>(want));
        }
    }
    CHECK(mismatches == 0);
    static_assert(lwm2m::format::cbor::detail::half_to_double(0x3C00) == 1.0);
    static_assert(lwm2m::format::cbor::detail::half_to_double(0x0001) == 0x1p-24);
}
