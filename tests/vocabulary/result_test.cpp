#include <lwm2m/result.hpp>

#include <lwm2m/errc.hpp>

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <string_view>

namespace {

using lwm2m::errc;
using lwm2m::fail;
using lwm2m::result;

result<int> parse_digit(char c) {
    if (c < '0' || c > '9') return fail(errc::invalid_number, 0);
    return c - '0';
}

result<int> half(int v) {
    if (v % 2 != 0) return fail(errc::invalid_argument, static_cast<std::size_t>(v));
    return v / 2;
}

// LWM2M_TRY propagates the error and otherwise yields the value.
result<int> sum_of_digits(char a, char b) {
    LWM2M_TRY(x, parse_digit(a));
    LWM2M_TRY(y, parse_digit(b));
    return x + y;
}

result<void> check_even(int v) {
    if (v % 2 != 0) return fail(errc::invalid_argument, 1);
    return {};
}

} // namespace

TEST_CASE("result: holds a value") {
    const result<int> r = 42;
    CHECK(r.has_value());
    CHECK(static_cast<bool>(r));
    CHECK(r.value() == 42);
    CHECK(*r == 42);
    CHECK(r.value_or(7) == 42);
}

TEST_CASE("result: holds an error with its offset") {
    const result<int> r = fail(errc::truncated_token, 4);
    CHECK_FALSE(r.has_value());
    CHECK_FALSE(static_cast<bool>(r));
    CHECK(r.error().code == errc::truncated_token);
    CHECK(r.error().offset == 4);
    CHECK(r.error() == lwm2m::error{errc::truncated_token, 4});
    CHECK(r.value_or(7) == 7);
}

TEST_CASE("result: default construction is a value-initialized success") {
    const result<int> r;
    REQUIRE(r.has_value());
    CHECK(*r == 0);
}

TEST_CASE("result: and_then chains and propagates the first error") {
    CHECK(parse_digit('8').and_then(half).value() == 4);

    const auto odd = parse_digit('7').and_then(half);
    REQUIRE_FALSE(odd.has_value());
    CHECK(odd.error() == lwm2m::error{errc::invalid_argument, 7});

    bool called = false;
    const auto bad = parse_digit('x').and_then([&](int v) {
        called = true;
        return half(v);
    });
    CHECK_FALSE(called);
    CHECK(bad.error().code == errc::invalid_number);
}

TEST_CASE("result: transform maps the value and keeps an error") {
    const auto doubled = parse_digit('3').transform([](int v) { return v * 2.5; });
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(doubled)>, result<double>>);
    CHECK(doubled.value() == doctest::Approx(7.5));

    const auto err = parse_digit('?').transform([](int v) { return v * 2.5; });
    REQUIRE_FALSE(err.has_value());
    CHECK(err.error().code == errc::invalid_number);
}

TEST_CASE("result: LWM2M_TRY returns early on error") {
    CHECK(sum_of_digits('2', '5').value() == 7);
    const auto r = sum_of_digits('2', 'z');
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::invalid_number);
}

TEST_CASE("result<void>: success, error and and_then") {
    const result<void> ok;
    CHECK(ok.has_value());
    const auto bad = check_even(3);
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error() == lwm2m::error{errc::invalid_argument, 1});

    CHECK(check_even(4).and_then([] { return result<int>{9}; }).value() == 9);
    CHECK(check_even(5).and_then([] { return result<int>{9}; }).error().code == errc::invalid_argument);
}

TEST_CASE("result: non-trivial value types are copied, moved and assigned") {
    result<std::string> a = std::string(40, 'a');  // longer than the small-string buffer
    result<std::string> b = a;
    CHECK(*b == std::string(40, 'a'));
    result<std::string> c = std::move(a);
    CHECK(c->size() == 40);

    result<std::string> e = fail(errc::not_found);
    b = e;
    CHECK(b.error().code == errc::not_found);
    b = c;
    CHECK(*b == *c);
    e = std::move(c);
    REQUIRE(e.has_value());
    CHECK(e->size() == 40);
    CHECK(result<std::string>{fail(errc::cancelled)}.value_or("fallback") == "fallback");
}

TEST_CASE("result: usable in constant expressions") {
    static_assert(result<int>{5}.value() == 5);
    static_assert(!result<int>{fail(errc::timeout)}.has_value());
    static_assert(result<int>{fail(errc::timeout)}.value_or(3) == 3);
    static_assert(result<int>{4}.transform([](int v) { return v + 1; }).value() == 5);
    CHECK(true);
}

TEST_CASE("errc: every code has a unique, non-empty snake_case name and a description") {
    std::set<std::string_view> names;
    for (std::size_t i = 0; i < lwm2m::errc_count; ++i) {
        const auto e = static_cast<errc>(i);
        const std::string_view n = lwm2m::name(e);
        CAPTURE(i);
        CAPTURE(n);
        CHECK_FALSE(n.empty());
        CHECK_FALSE(lwm2m::description(e).empty());
        CHECK(n.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string_view::npos);
        CHECK(names.insert(n).second);
    }
    CHECK(names.size() == lwm2m::errc_count);
    CHECK(lwm2m::name(errc::truncated_option) == "truncated_option");
    CHECK(lwm2m::name(errc::buffer_too_small) == "buffer_too_small");
}

TEST_CASE("errc: out-of-range values have a fallback name") {
    const auto past_end = static_cast<errc>(lwm2m::errc_count);
    CHECK(lwm2m::name(past_end) == "unknown_error");
    CHECK_FALSE(lwm2m::description(past_end).empty());
}
