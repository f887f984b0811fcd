#pragma once
// Counts the calls to the global allocation functions of the test executable, for tests that
// prove a code path does not allocate (tests/format/zero_allocation_test.cpp, and any other).
//
// The replacements of every global operator new / new[] overload (plain, nothrow, aligned,
// aligned nothrow) and of the matching operator delete / delete[] overloads are defined in
// tests/support/allocation_counter.cpp. A program may define each replaceable allocation function
// only once ([replacement.functions]), and every test file is linked into the one `lwm2m_tests`
// executable: so no test file replaces operator new itself. Include this header and use
// `allocation_scope` (or `allocation_count()`) instead; tests/main.cpp #includes the .cpp.
//
// Nothing here is inline state: the counter lives in the .cpp, so every translation unit sees the
// same one (ODR-safe however many test files include this header).
//
// Do not put doctest assertions between the construction of an `allocation_scope` and the call
// of `count()`: doctest may allocate while it records an assertion or an INFO message.

#include <cstddef>

namespace lwm2m::test {

/** Calls of any global operator new / new[] since the program started (all threads). */
[[nodiscard]] std::size_t allocation_count() noexcept;

/** Calls of any global operator delete / delete[] with a non-null pointer since the program started. */
[[nodiscard]] std::size_t deallocation_count() noexcept;

/** Counts the allocations made between its construction and each call of `count()`. */
class allocation_scope {
public:
    allocation_scope() noexcept : start_(allocation_count()) {}

    /** Allocations since construction. */
    [[nodiscard]] std::size_t count() const noexcept { return allocation_count() - start_; }

private:
    std::size_t start_;
};

} // namespace lwm2m::test
