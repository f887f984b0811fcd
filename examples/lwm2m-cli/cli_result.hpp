#pragma once
/**
 * @file cli_result.hpp
 * `lwm2m_cli::result<T>`: a value or an `lwm2m::error`, for the command-line tool's
 * allocating types (std::string, std::vector, json::value).
 *
 * Why not `lwm2m::result<T>`: it relies on conditionally trivial special members (P0848),
 * which clang before 16 does not implement, so `lwm2m::result<std::string>` does not
 * compile there. The core only ever holds trivially destructible values, so it is not
 * affected; this small std::variant-based twin (same member names: has_value, value,
 * error, operator*, operator->) is for the CLI only. Construct errors with `lwm2m::fail`
 * or `lwm2m::unexpected{err}`, exactly as with `lwm2m::result`.
 */

#include <type_traits>
#include <utility>
#include <variant>

#include <lwm2m/result.hpp>

namespace lwm2m_cli {

template <class T>
class [[nodiscard]] result {
public:
    using value_type = T;

    result(const T& v) : v_(std::in_place_index<0>, v) {}
    result(T&& v) : v_(std::in_place_index<0>, std::move(v)) {}
    template <class U>
        requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::remove_cvref_t<U>, result> &&
                 !std::is_same_v<std::remove_cvref_t<U>, lwm2m::unexpected> &&
                 !std::is_same_v<std::remove_cvref_t<U>, T>)
    result(U&& v) : v_(std::in_place_index<0>, std::forward<U>(v)) {}
    result(lwm2m::unexpected u) : v_(std::in_place_index<1>, u.err) {}

    [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    [[nodiscard]] T& value() & noexcept { LWM2M_ASSERT(has_value()); return *std::get_if<0>(&v_); }
    [[nodiscard]] const T& value() const& noexcept { LWM2M_ASSERT(has_value()); return *std::get_if<0>(&v_); }
    [[nodiscard]] T&& value() && noexcept { LWM2M_ASSERT(has_value()); return std::move(*std::get_if<0>(&v_)); }
    T& operator*() & noexcept { return value(); }
    const T& operator*() const& noexcept { return value(); }
    T&& operator*() && noexcept { return std::move(*this).value(); }
    T* operator->() noexcept { return &value(); }
    const T* operator->() const noexcept { return &value(); }

    [[nodiscard]] const lwm2m::error& error() const noexcept {
        LWM2M_ASSERT(!has_value());
        return *std::get_if<1>(&v_);
    }

private:
    std::variant<T, lwm2m::error> v_;
};

} // namespace lwm2m_cli
