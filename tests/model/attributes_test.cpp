// Write-Attributes arguments (LwM2M 1.1 Core §5.1.2): parse_attribute_query and
// notification_attributes::apply, whose period conversion is read from the bits in -Os builds.
#include <lwm2m/model/attributes.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>

using namespace lwm2m;

namespace {

notification_attributes applied(std::string_view arg) {
    notification_attributes a{};
    const auto c = parse_attribute_query(arg);
    REQUIRE(c.has_value());
    a.apply(*c);
    return a;
}

} // namespace

TEST_CASE("parse_attribute_query + apply: periods as uint32 seconds, thresholds as doubles, removal") {
    CHECK(applied("pmin=0").pmin == std::optional<std::uint32_t>{0});
    CHECK(applied("pmax=60").pmax == std::optional<std::uint32_t>{60});
    CHECK(applied("epmin=4294967295").epmin == std::optional<std::uint32_t>{4294967295u});
    CHECK(applied("epmax=123456789").epmax == std::optional<std::uint32_t>{123456789u});
    for (std::uint64_t s = 1; s <= 0xFFFFFFFFu; s = s * 3 + 1) {
        const std::string arg = "pmin=" + std::to_string(s);
        CHECK(applied(arg).pmin == std::optional<std::uint32_t>{static_cast<std::uint32_t>(s)});
    }
    CHECK(applied("gt=1e20").gt == std::optional<double>{1e20});
    CHECK(applied("lt=-2.5").lt == std::optional<double>{-2.5});
    CHECK(applied("st=0.5").st == std::optional<double>{0.5});
    CHECK_FALSE(parse_attribute_query("pmin=4294967296").has_value());
    CHECK_FALSE(parse_attribute_query("pmin=-1").has_value());
    CHECK_FALSE(parse_attribute_query("pmin=1.5").has_value());
    CHECK_FALSE(parse_attribute_query("st=-1").has_value());
    CHECK_FALSE(parse_attribute_query("xyz=1").has_value());

    // Values read like plain-text numbers (encoding::scan_decimal_number): Leshan's and Java
    // servers' Long/Double parsing takes a sign, leading zeros and a bare point, and so do we.
    CHECK(applied("pmin=+10").pmin == std::optional<std::uint32_t>{10});
    CHECK(applied("pmax=0060").pmax == std::optional<std::uint32_t>{60});
    CHECK(applied("gt=+1.5").gt == std::optional<double>{1.5});
    CHECK(applied("lt=-.5").lt == std::optional<double>{-0.5});
    CHECK(applied("st=5.").st == std::optional<double>{5.0});
    CHECK(parse_attribute_query("pmin=+-1").error().offset == 5);
    CHECK(parse_attribute_query("gt=1.5x").error().offset == 3);

    notification_attributes a = applied("pmax=30");
    a.apply(parse_attribute_query("gt=3").value());
    a.apply(parse_attribute_query("pmax").value());
    CHECK_FALSE(a.pmax.has_value());
    CHECK(a.gt == std::optional<double>{3.0});
    a.apply(parse_attribute_query("gt").value());
    CHECK(a.empty());
}

TEST_CASE("parse_attribute_query<false> (a client without gt/lt/st): setting one is refused at its value, the rest is read") {
    const auto gt = parse_attribute_query<false>("gt=22.5");
    REQUIRE_FALSE(gt.has_value());
    CHECK(gt.error() == error{errc::invalid_argument, 3});
    CHECK(parse_attribute_query<false>("st=1").error() == error{errc::invalid_argument, 3});
    const auto removed = parse_attribute_query<false>("lt");
    REQUIRE(removed.has_value());
    CHECK(removed->remove);
    CHECK(parse_attribute_query<false>("pmax=60")->value == 60);
    CHECK(parse_attribute_query<false>("xyz=1").error() == error{errc::invalid_argument, 0});
}
