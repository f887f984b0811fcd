// encoding::compact (the firmware's float text, LWM2M_COMPACT_FLOAT_TEXT) against libstdc++'s
// std::from_chars / std::to_chars: the same double for every text, the same shortest digits for
// every double. compact writes an integer of more digits than the shortest form needs with the
// shortest digits and zeros ("1152921504606847000" for 2^60) where to_chars writes it exactly;
// same_text accepts that and nothing else.
#include <lwm2m/encoding/number_text.hpp>

#include <doctest/doctest.h>

#include "../support/sanitized.hpp"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace number_text_test {

using namespace lwm2m;

std::string std_text(double v) {
    char b[64];
    const auto r = std::to_chars(b, b + sizeof b, v);
    return std::string(b, r.ptr);
}

/** The same number in the same notation; an integer in fixed notation may end in zeros instead. */
bool same_text(const std::string& ours, const std::string& theirs) {
    if (ours == theirs) return true;
    if (ours.size() != theirs.size() || ours.find_first_of(".e") != std::string::npos ||
        theirs.find_first_of(".e") != std::string::npos || ours.back() != '0')
        return false;
    double a = 0, b = 0;
    std::from_chars(ours.data(), ours.data() + ours.size(), a);
    std::from_chars(theirs.data(), theirs.data() + theirs.size(), b);
    return a == b;
}

int mismatches = 0;

void check_format(double v) {
    char b[encoding::max_number_text];
    const auto n = encoding::compact::format_double(v, b);
    REQUIRE(n.has_value());
    const std::string ours(b, *n);
    const std::string theirs = std_text(v);
    if (!same_text(ours, theirs)) {
        ++mismatches;
        INFO("bits ", std::bit_cast<std::uint64_t>(v));
        CHECK(ours == theirs);
    }
}

void check_parse(const std::string& s) {
    double want = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), want);
    const bool ok = r.ec == std::errc{} && r.ptr == s.data() + s.size();
    const auto got = encoding::compact::parse_double(s);
    if (got.has_value() != ok || (ok && std::bit_cast<std::uint64_t>(*got) != std::bit_cast<std::uint64_t>(want))) {
        ++mismatches;
        INFO("text ", s);
        CHECK(got.has_value() == ok);
        if (ok && got) CHECK(std::bit_cast<std::uint64_t>(*got) == std::bit_cast<std::uint64_t>(want));
    }
}

void check_both(double v) {
    check_format(v);
    check_format(-v);
    check_parse(std_text(v));
    check_parse(std_text(-v));
}

/** Doubles where conversions go wrong: both ends of the range, powers of 2 and 10 and their neighbours. */
std::vector<double> edge_values() {
    constexpr double inf = std::numeric_limits<double>::infinity();
    std::vector<double> out = {std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::min(),
                               std::nextafter(std::numeric_limits<double>::min(), 0.0),
                               std::numeric_limits<double>::max(), 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 22.5, 5e-324,
                               9007199254740991.0, 9007199254740992.0, 18014398509481988.0};
    for (int k = -1074; k <= 1023; ++k) {
        const double p = std::ldexp(1.0, k);
        out.insert(out.end(), {p, std::nextafter(p, 0.0), std::nextafter(p, inf), 3 * p});
    }
    for (int k = -325; k <= 308; ++k) {
        const std::string s = "1e" + std::to_string(k);
        double p = 0;
        std::from_chars(s.data(), s.data() + s.size(), p);
        out.insert(out.end(), {p, std::nextafter(p, 0.0), std::nextafter(p, inf)});
    }
    for (std::uint64_t i = 0; i <= 20000; ++i)  // sensor-style values: integers, tenths, thousandths
        out.insert(out.end(), {static_cast<double>(i), static_cast<double>(i) / 10, static_cast<double>(i) / 1000});
    for (int k = 50; k < 64; ++k) {  // integers about 2^53 and beyond (fixed notation up to 17 digits)
        const auto i = std::uint64_t{1} << k;
        out.insert(out.end(), {static_cast<double>(i), static_cast<double>(i - 1), static_cast<double>(i + 1),
                               static_cast<double>(i / 10 * 10 + 5)});
    }
    return out;
}

} // namespace number_text_test

using namespace number_text_test;

TEST_CASE("encoding::compact: the shortest digits and the correctly rounded value, as to_chars / from_chars") {
    mismatches = 0;
    for (const double v : edge_values())
        if (encoding::is_finite(v)) check_both(v);
    std::mt19937_64 rng(20261127);
    // A sample (fuzz/number_text.cpp checks the same at volume); an eighth under sanitizers.
    for (int i = 0; i < lwm2m::test::scaled(25000); ++i) {
        const double v = std::bit_cast<double>(rng());
        if (encoding::is_finite(v)) check_both(v);
    }
    CHECK(mismatches == 0);
}

TEST_CASE("encoding::compact::parse_double: more than 19 digits, halfway cases, the range's ends") {
    mismatches = 0;
    std::mt19937_64 rng(7);
    char b[1200];
    // Each midpoint is ~770 digits compared one by one: a sample (the fuzzer runs more).
    for (int i = 0; i < lwm2m::test::scaled(4000); ++i) {
        const double v = std::bit_cast<double>(rng());
        if (!encoding::is_finite(v)) continue;
        // 16 to 60 significant digits: the digits past the 19th decide only near a midpoint.
        std::snprintf(b, sizeof b, "%.*e", 15 + static_cast<int>(rng() % 45), v);
        check_parse(b);
        if constexpr (std::numeric_limits<long double>::digits >= 64) {
            // The exact midpoint between v and the next double (x87 long double holds it), then
            // just above and below it: a tie goes to the even significand.
            const double w = std::nextafter(std::fabs(v), std::numeric_limits<double>::infinity());
            if (!encoding::is_finite(w)) continue;
            const long double mid = (static_cast<long double>(std::fabs(v)) + w) / 2;
            const int n = std::snprintf(b, sizeof b, "%.800Le", mid);
            std::string exact(b, static_cast<std::size_t>(n));
            const std::size_t e = exact.find('e');
            std::size_t last = e - 1;
            while (exact[last] == '0') --last;
            const std::string digits = exact.substr(0, last + 1);
            const std::string exponent = exact.substr(e);
            check_parse(digits + exponent);
            check_parse(digits + "000001" + exponent);
            std::string below = digits;
            --below.back();  // the last digit of an exact midpoint is 5, never 0
            check_parse(below + "9999" + exponent);
        }
    }
    for (const char* s : {"2.4703282292062327e-324", "2.4703282292062328e-324", "2.47032822920623272088e-324",
                          "1e-324", "3e-324", "1e-400", "1.7976931348623157e308", "1.7976931348623158e308",
                          "1.7976931348623159e308", "1e309", "0e999", "-0.0", "0.000", "1e-7", "123456789012345678901234567890",
                          "9007199254740993", "9007199254740993.0000000000000000000000000001", "0.1000000000000000055511151231257827",
                          "0.1000000000000000055511151231257828", "7.2057594037927933e16", "100000000000000000000000000000e-29"})
        check_parse(s);
    CHECK(mismatches == 0);
}

TEST_CASE("encoding::compact: layout, errors and the buffer") {
    const auto fmt = [](double v) {
        char b[encoding::max_number_text];
        const auto n = encoding::compact::format_double(v, b);
        REQUIRE(n.has_value());
        return std::string(b, *n);
    };
    CHECK(fmt(0.0) == "0");
    CHECK(fmt(-0.0) == "-0");
    CHECK(fmt(1152921504606846976.0) == "1152921504606847000");  // 2^60: shortest digits, then zeros
    CHECK(fmt(1e21) == "1e+21");
    CHECK(fmt(123456.0) == "123456");
    CHECK(fmt(1e-5) == "1e-05");
    CHECK(fmt(0.0001) == "1e-04");  // scientific when shorter
    CHECK(fmt(0.001) == "0.001");   // fixed when not longer
    CHECK(fmt(5e-324) == "5e-324");
    CHECK(fmt(-1.7976931348623157e308) == "-1.7976931348623157e+308");
    CHECK_FALSE(encoding::compact::format_double(std::numeric_limits<double>::infinity(), std::span<char>{}).has_value());
    CHECK_FALSE(encoding::compact::format_double(std::numeric_limits<double>::quiet_NaN(), std::span<char>{}).has_value());
    char three[3];
    const auto small = encoding::compact::format_double(22.5, three);
    REQUIRE_FALSE(small.has_value());
    CHECK(small.error().code == errc::buffer_too_small);
    CHECK(encoding::compact::parse_double("").error().code == errc::invalid_number);
    // The plain-text forms beyond JSON (scan_decimal_number), as from_chars reads them.
    for (const char* lenient : {"01", "+1.5", ".5", "-.5", "5.", "1.e2", "007.250", "+1E+2", "-0", "000.000001"}) {
        CAPTURE(lenient);
        const std::string_view t{lenient};
        const std::size_t first = t[0] == '+' ? 1 : 0;
        double want = 0;
        REQUIRE(std::from_chars(t.data() + first, t.data() + t.size(), want).ptr == t.data() + t.size());
        CHECK(std::bit_cast<std::uint64_t>(encoding::compact::parse_double(t).value()) == std::bit_cast<std::uint64_t>(want));
        CHECK(std::bit_cast<std::uint64_t>(encoding::parse_double(t).value()) == std::bit_cast<std::uint64_t>(want));
    }
    for (const char* bad : {"+", ".", "+.", "-.e1", "+-1", "1.5.", "1e+", " 1"}) {
        CAPTURE(bad);
        CHECK(encoding::compact::parse_double(bad).error().code == errc::invalid_number);
        CHECK(encoding::parse_double(bad).error().code == errc::invalid_number);
    }
    CHECK(encoding::compact::parse_double("1e").error().code == errc::invalid_number);
    CHECK(encoding::compact::parse_double("1e400").error().code == errc::number_out_of_range);
    CHECK(encoding::compact::parse_double("-1e-400").error().code == errc::number_out_of_range);
    CHECK(std::signbit(encoding::compact::parse_double("-0e5").value()));
}

namespace number_text_test {
std::string plain(double v, std::size_t room = 64) {
    char b[400];
    const auto n = encoding::format_number_plain(v, std::span<char>{b, room});
    return n ? std::string(b, *n) : std::string("error:") + std::string(lwm2m::name(n.error().code));
}
} // namespace number_text_test

TEST_CASE("encoding::format_number_plain: the shortest digits without an exponent, while they fit") {
    CHECK(plain(1e-5) == "0.00001");
    CHECK(plain(0.0001) == "0.0001");
    CHECK(plain(-1.5e-7) == "-0.00000015");
    CHECK(plain(1e20) == "100000000000000000000");
    CHECK(plain(-1.25e21) == "-1250000000000000000000");
    CHECK(plain(22.5) == "22.5");
    CHECK(plain(-150) == "-150");
    CHECK(plain(0.0) == "0");
    CHECK(plain(-0.0) == "-0");
    CHECK(plain(1.2345e-10) == "0.00000000012345");
    // Too long for the room: the shortest form as format_number writes it.
    CHECK(plain(1e300) == "1e+300");
    CHECK(plain(5e-324) == "5e-324");
    CHECK(plain(1e-5, 6) == "1e-05");
    CHECK(plain(1e-5, 7) == "0.00001");
    CHECK(plain(1e-5, 4) == "error:buffer_too_small");
    CHECK(plain(std::numeric_limits<double>::infinity()) == "error:invalid_argument");
    // Every text reads back to the same double, and never has an exponent when it fits.
    std::mt19937_64 rng{20261127};
    for (int i = 0; i < lwm2m::test::scaled(4000); ++i) {
        const double v = std::ldexp(static_cast<double>(rng() >> 11), static_cast<int>(rng() % 200) - 150) *
                         ((rng() & 1) != 0 ? -1 : 1);
        const std::string t = plain(v, 400);
        INFO(t);
        REQUIRE(t.find('e') == std::string::npos);
        double back = 0;
        REQUIRE(std::from_chars(t.data(), t.data() + t.size(), back).ec == std::errc{});
        CHECK(back == v);
    }
}
