// The size options firmware uses (bench/footprint.sh): a client built for a subset of the
// content formats (client::format_set), and the compact float text conversions
// (encoding::compact, selected by LWM2M_COMPACT_FLOAT_TEXT).
#include <lwm2m/client/client.hpp>
#include <lwm2m/encoding/number_text.hpp>
#include <lwm2m/model/objects/light_control.hpp>

#include <doctest/doctest.h>

#include <array>
#include <charconv>
#include <cstring>
#include <string>

using namespace lwm2m;

namespace footprint_options_test {

constexpr auto three = client::format_set::text | client::format_set::tlv | client::format_set::senml_cbor;

std::string fmt(double v) {
    std::array<char, encoding::max_number_text> buf{};
    const auto n = encoding::compact::format_double(v, buf);
    REQUIRE(n.has_value());
    return std::string(buf.data(), *n);
}

double parse(std::string_view s) {
    const auto v = encoding::compact::parse_double(s);
    REQUIRE(v.has_value());
    return *v;
}

/** The correctly rounded value of `s` (libstdc++). */
double reference(std::string_view s) {
    double v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

} // namespace footprint_options_test

using namespace footprint_options_test;

TEST_CASE("client::format_set: membership, aliases, the Register ct list") {
    CHECK(client::supports(three, 0));
    CHECK(client::supports(three, 11542));
    CHECK(client::supports(three, 112));
    CHECK_FALSE(client::supports(three, 110));
    CHECK_FALSE(client::supports(three, 42));
    CHECK_FALSE(client::supports(client::format_set::all, 40));  // link format is not a data format
    CHECK(client::detail::ct_list<three>::view == "0 112 11542");
    CHECK(client::detail::ct_list<client::format_set::all>::view == "0 42 60 110 112 11542");
    CHECK(client::detail::ct_list<client::format_set::tlv>::view == "11542");
}

TEST_CASE("client::format_set: Read format choice and encoding honour the set") {
    const resource_def* dimmer = objects::light_control::object.view().find(5851);
    REQUIRE(dimmer != nullptr);
    const path single = parse_path("/3311/0/5851").value();
    const path instance = parse_path("/3311/0").value();
    using format::content_format;
    // No Accept: text for a single value, the configured multi-value format otherwise.
    CHECK(client::dm::choose_read_format(std::nullopt, single, dimmer, content_format::tlv, three) == content_format::text);
    CHECK(client::dm::choose_read_format(std::nullopt, instance, nullptr, content_format::senml_json, three) ==
          content_format::tlv);  // SenML JSON left out: the first multi-value format of the set
    CHECK(client::dm::choose_read_format(std::nullopt, instance, nullptr, content_format::tlv,
                                         client::format_set::text) == std::nullopt);
    CHECK(client::dm::choose_read_format(std::uint16_t{110}, instance, nullptr, content_format::tlv, three) == std::nullopt);
    CHECK(client::dm::choose_read_format(std::uint16_t{112}, instance, nullptr, content_format::tlv, three) ==
          content_format::senml_cbor);

    const std::array<format::record, 1> recs{format::record{single, value::of_integer(42), std::nullopt}};
    std::array<std::byte, 64> buf{};
    format::output_window out{mutable_bytes{buf}};
    const auto json = client::dm::encode<three>(recs, single, content_format::senml_json, out);
    REQUIRE_FALSE(json.has_value());
    CHECK(json.error().code == errc::unsupported_content_format);
    format::output_window text_out{mutable_bytes{buf}};
    REQUIRE(client::dm::encode<three>(recs, single, content_format::text, text_out).has_value());
    CHECK(std::string(reinterpret_cast<const char*>(text_out.bytes().data()), text_out.bytes().size()) == "42");
    CHECK_FALSE(client::dm::supported_format<three>(110));
    CHECK(client::dm::supported_format<three>(11542));
}

TEST_CASE("encoding::compact: exact for device-style numbers, shortest form, JSON-valid text") {
    CHECK(fmt(0.0) == "0");
    CHECK(fmt(-0.0) == "-0");
    CHECK(fmt(22.5) == "22.5");
    CHECK(fmt(-3.3) == "-3.3");
    CHECK(fmt(0.1) == "0.1");
    CHECK(fmt(100) == "100");
    CHECK(fmt(1e20) == "1e+20");
    CHECK(fmt(1e-7) == "1e-07");
    CHECK(fmt(0.001) == "0.001");
    CHECK(fmt(1.0 / 3) == "0.3333333333333333");
    CHECK(parse("22.5") == 22.5);
    CHECK(parse("-0.1") == -0.1);
    CHECK(parse("1e3") == 1000.0);
    CHECK(parse("12345678901234567890") == reference("12345678901234567890"));
    CHECK(parse("0.30000000000000004") == 0.30000000000000004);
    CHECK_FALSE(encoding::compact::parse_double("1e400").has_value());
    CHECK(parse("1.") == 1.0);  // plain text's forms beyond JSON (scan_decimal_number)
    CHECK(parse("+.5") == 0.5);
    CHECK_FALSE(encoding::compact::parse_double("1.e").has_value());
    CHECK_FALSE(encoding::compact::parse_double("abc").has_value());
    std::array<char, 3> tiny{};
    CHECK_FALSE(encoding::compact::format_double(1234.5, tiny).has_value());
    // Round trip through a correctly rounding reader, for values of sensor ranges.
    int mismatches = 0;
    for (int i = -100000; i <= 100000; i += 7) {
        for (double scale : {1.0, 10.0, 100.0, 1000.0, 1e6}) {
            const double v = i / scale;
            const std::string s = fmt(v);
            if (reference(s) != v || parse(s) != v) ++mismatches;
        }
    }
    CHECK(mismatches == 0);
}
