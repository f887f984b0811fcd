// format::record and lwm2m::value as plain data: their size (paid per value in every record
// span, HACKING.md "Records are small"), record_time's optional-like interface, and the byte
// accessors of the 16-byte value.
#include <lwm2m/format/record.hpp>

#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace {

using lwm2m::as_bytes;
using lwm2m::value;
using lwm2m::format::record;
using lwm2m::format::record_time;

static_assert(sizeof(record_time) == sizeof(double));
static_assert(sizeof(value) == 16);
static_assert(sizeof(record) == 40 || sizeof(void*) < 8);

// Usable in constant expressions, as std::optional<double> is.
static_assert(!record_time{}.has_value());
static_assert(record_time{2.5}.value_or(0) == 2.5);
static_assert(record_time{std::optional<double>{}} == std::nullopt);
static_assert(record_time{std::optional<double>{-1.0}} == -1.0);

TEST_CASE("record_time behaves as std::optional<double>") {
    record_time t;
    CHECK_FALSE(t.has_value());
    CHECK_FALSE(static_cast<bool>(t));
    CHECK(t == std::nullopt);
    CHECK(t.value_or(7.0) == 7.0);
    CHECK_FALSE(t.as_optional().has_value());

    t = 1700000000.0;
    CHECK(t.has_value());
    CHECK(*t == 1700000000.0);
    CHECK(t.value() == 1700000000.0);
    CHECK(t == 1700000000.0);
    CHECK_FALSE(t == 1.0);
    CHECK_FALSE(t == std::nullopt);
    CHECK(t.as_optional() == std::optional<double>{1700000000.0});

    // Every time a format can carry is a value, zeros and infinities included; only "none" is none.
    for (const double d : {0.0, -0.0, -5.0, 0.1, std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::max(),
                           std::numeric_limits<double>::denorm_min()}) {
        const record_time x{d};
        CHECK(x.has_value());
        CHECK(std::bit_cast<std::uint64_t>(*x) == std::bit_cast<std::uint64_t>(d));
    }
    // A NaN time is a value too (the writers reject it, as they did an optional NaN).
    const record_time nan{std::numeric_limits<double>::quiet_NaN()};
    CHECK(nan.has_value());
    CHECK(std::isnan(*nan));
    CHECK_FALSE(nan == nan);  // as optional<double>: NaN == NaN is false

    t.reset();
    CHECK(t == std::nullopt);
    t = 3.0;
    t = std::nullopt;
    CHECK_FALSE(t.has_value());

    CHECK(record_time{} == record_time{});
    CHECK_FALSE(record_time{} == record_time{0.0});
    CHECK(record_time{0.0} == record_time{-0.0});  // as doubles compare
}

TEST_CASE("records compare by path, value and time") {
    const auto p = lwm2m::path::make(3, 0, 13).value();
    const record a{p, value::of_time(5), 1.5};
    record b = a;
    CHECK(a == b);
    b.time.reset();
    CHECK_FALSE(a == b);
    b.time = 1.5;
    CHECK(a == b);
    CHECK(record{}.time == std::nullopt);
}

TEST_CASE("value: byte views share the numbers' storage") {
    constexpr std::string_view text = "Open Mobile Alliance";
    const value s = value::of_string(text);
    CHECK(s.encoded_bytes().data() == as_bytes(text).data());  // a view, no copy
    CHECK(s.encoded_bytes().size() == text.size());
    CHECK(s.bytes_unchecked().data() == s.encoded_bytes().data());
    CHECK(s.raw_text() == text);

    // Other kinds have no bytes, whatever their number's bits are.
    for (const value v : {value::of_integer(-1), value::of_unsigned(~std::uint64_t{0}), value::of_float(-0.0),
                          value::of_boolean(true), value::of_time(1700000000), value::of_objlnk({3, 0}),
                          value::of_none()}) {
        CHECK(v.encoded_bytes().empty());
        CHECK_FALSE(v.is_bytes());
    }
    // Empty bytes are empty, of every bytes kind.
    CHECK(value::of_opaque({}).encoded_bytes().empty());
    CHECK(value::of_string("").encoded_bytes().empty());
    CHECK(value::of_untyped(as_bytes(text).first(0)).encoded_bytes().empty());

    // Equality is by kind, encoding and content, not by where the bytes are.
    const std::string copy{text};
    CHECK(value::of_string(copy) == s);
    CHECK_FALSE(value::of_corelnk(copy) == s);
    CHECK_FALSE(value::of_string(copy, lwm2m::text_encoding::json_escaped) == s);
    CHECK_FALSE(value::of_string(text.substr(1)) == s);
    CHECK(value::of_integer(5) == value::of_integer(5));
    CHECK_FALSE(value::of_integer(5) == value::of_time(5));
}

} // namespace
