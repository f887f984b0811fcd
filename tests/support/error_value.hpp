#pragma once
// An lwm2m::error as a test value (its code and offset), so that doctest prints a failed
// comparison as "invalid_nesting at 2" with no StringMaker for lwm2m::error itself (a test
// file may give that type its own).

#include <lwm2m/errc.hpp>
#include <lwm2m/result.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <string>

namespace lwm2m::test {

struct E {
    errc code{};
    std::size_t offset = 0;
    E() = default;
    constexpr E(errc c, std::size_t o) : code(c), offset(o) {}
    E(const lwm2m::error& e) : code(e.code), offset(e.offset) {} // NOLINT: implicit on purpose
    friend bool operator==(const E&, const E&) = default;
};

} // namespace lwm2m::test

namespace doctest {
template <>
struct StringMaker<lwm2m::test::E> {
    static String convert(const lwm2m::test::E& e) {
        return (std::string(lwm2m::name(e.code)) + " at " + std::to_string(e.offset)).c_str();
    }
};
} // namespace doctest
