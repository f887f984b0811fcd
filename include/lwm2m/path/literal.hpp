#pragma once
/**
 * @file path/literal.hpp
 * Compile-time paths: `using namespace lwm2m::literals; constexpr auto p = "/3/0/1"_path;`
 * or `lwm2m::path_literal<"/3/0/1">`. Both parse with `parse_path` during compilation, so an
 * invalid literal ("/3/x", "/70000", "3/0", "/1/2/3/4/5", "/3/") is a COMPILE ERROR, never a
 * run-time one. The diagnostic names the reason through a function called
 * `path_literal_error_<errc>` (e.g. `path_literal_error_path_invalid_number`).
 * Allocation: none.
 */

#include <cstddef>
#include <string_view>

#include <lwm2m/errc.hpp>
#include <lwm2m/path/path.hpp>

namespace lwm2m {

namespace detail {

// Deliberately not constexpr: reaching one of these while evaluating a path literal makes the
// literal ill-formed, and the compiler's message names the function, i.e. the reason.
inline void path_literal_error_path_syntax() noexcept {}
inline void path_literal_error_path_invalid_number() noexcept {}
inline void path_literal_error_path_id_out_of_range() noexcept {}
inline void path_literal_error_path_too_deep() noexcept {}
inline void path_literal_error_other() noexcept {}

/**
 * Parses `text` for a literal; in a constant evaluation an invalid path is a compile error
 * (see file comment). constexpr rather than consteval because clang 14 rejects a consteval call
 * in a variable template's initializer; both callers force constant evaluation.
 */
constexpr path path_from_literal(std::string_view text) noexcept {
    const auto r = parse_path(text);
    if (!r) {
        switch (r.error().code) {
        case errc::path_syntax: path_literal_error_path_syntax(); break;
        case errc::path_invalid_number: path_literal_error_path_invalid_number(); break;
        case errc::path_id_out_of_range: path_literal_error_path_id_out_of_range(); break;
        case errc::path_too_deep: path_literal_error_path_too_deep(); break;
        default: path_literal_error_other(); break;
        }
        return path{};
    }
    return *r;
}

/** A string literal as a structural non-type template argument (for `path_literal`). */
template <std::size_t N>
struct path_literal_string {
    char chars[N]{};
    consteval path_literal_string(const char (&s)[N]) noexcept {
        for (std::size_t i = 0; i < N; ++i) chars[i] = s[i];
    }
    /** The text without the terminating NUL. */
    [[nodiscard]] constexpr std::string_view view() const noexcept { return {chars, N - 1}; }
};

} // namespace detail

/**
 * A path constant from a string literal template argument: `lwm2m::path_literal<"/3/0">`.
 * An invalid path is a compile error naming the reason (see file comment). Allocation: none.
 */
template <detail::path_literal_string Text>
inline constexpr path path_literal = detail::path_from_literal(Text.view());

namespace literals {

/**
 * `"/3/0/1"_path`: a path constant parsed at compile time (consteval), with the rules of
 * `parse_path` (LwM2M 1.1 Core §6 / 1.0 §5). An invalid path is a compile error naming the
 * reason (see file comment). Allocation: none.
 */
consteval path operator""_path(const char* text, std::size_t length) noexcept {
    return detail::path_from_literal(std::string_view{text, length});
}

} // namespace literals

} // namespace lwm2m
