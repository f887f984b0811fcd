#pragma once
/**
 * @file result.hpp
 * `result<T>`: a value or an `lwm2m::error`, with the member names of C++23 `std::expected`
 * (`has_value`, `value`, `error`, `value_or`, `and_then`, `transform`) so that it can become
 * an alias of `std::expected<T, error>` once C++23 is the baseline.
 *
 * No exceptions: calling `value()` on an error is a precondition violation (LWM2M_ASSERT).
 * Allocation: none.
 */

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

#include <lwm2m/config.hpp>
#include <lwm2m/errc.hpp>

namespace lwm2m {

/**
 * An error and where it happened.
 * `offset` is the byte offset into the input where parsing failed; for
 * `errc::buffer_too_small` it is the number of bytes the output needed.
 */
struct error {
    errc code{};
    std::size_t offset = 0;

    friend constexpr bool operator==(const error&, const error&) noexcept = default;
};

/** Wrapper that marks a value as the error alternative (like `std::unexpected`). */
struct unexpected {
    error err;
    constexpr unexpected(error e) noexcept : err(e) {}
    constexpr unexpected(errc code, std::size_t offset = 0) noexcept : err{code, offset} {}
};

/** Shorthand for returning an error: `return fail(errc::truncated_token, 4);` */
[[nodiscard]] constexpr unexpected fail(errc code, std::size_t offset = 0) noexcept {
    return unexpected{code, offset};
}

template <class T>
class [[nodiscard]] result {
    static_assert(!std::is_reference_v<T>, "result<T&> is not supported; use a pointer or view");

public:
    using value_type = T;
    using error_type = lwm2m::error;

    constexpr result() noexcept(std::is_nothrow_default_constructible_v<T>)
        requires std::is_default_constructible_v<T>
        : value_{}, has_(true) {}
    constexpr result(const T& v) : value_(v), has_(true) {}
    constexpr result(T&& v) : value_(std::move(v)), has_(true) {}
    template <class U>
        requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::remove_cvref_t<U>, result> &&
                 !std::is_same_v<std::remove_cvref_t<U>, unexpected> && !std::is_same_v<std::remove_cvref_t<U>, T>)
    constexpr result(U&& v) : value_(std::forward<U>(v)), has_(true) {}
    constexpr result(unexpected u) noexcept : err_(u.err), has_(false) {}

    constexpr result(const result& o) requires std::is_trivially_copy_constructible_v<T> = default;
    constexpr result(const result& o) : has_(o.has_) {
        if (has_) std::construct_at(&value_, o.value_);
        else err_ = o.err_;
    }
    constexpr result(result&& o) noexcept requires std::is_trivially_move_constructible_v<T> = default;
    constexpr result(result&& o) noexcept(std::is_nothrow_move_constructible_v<T>) : has_(o.has_) {
        if (has_) std::construct_at(&value_, std::move(o.value_));
        else err_ = o.err_;
    }
    constexpr result& operator=(const result& o) requires std::is_trivially_copy_assignable_v<T> &&
        std::is_trivially_destructible_v<T> = default;
    constexpr result& operator=(const result& o) {
        if (this != &o) { destroy(); has_ = o.has_; if (has_) std::construct_at(&value_, o.value_); else err_ = o.err_; }
        return *this;
    }
    constexpr result& operator=(result&& o) noexcept requires std::is_trivially_move_assignable_v<T> &&
        std::is_trivially_destructible_v<T> = default;
    constexpr result& operator=(result&& o) noexcept(std::is_nothrow_move_constructible_v<T>) {
        if (this != &o) { destroy(); has_ = o.has_; if (has_) std::construct_at(&value_, std::move(o.value_)); else err_ = o.err_; }
        return *this;
    }
    constexpr ~result() requires std::is_trivially_destructible_v<T> = default;
    constexpr ~result() { destroy(); }

    [[nodiscard]] constexpr bool has_value() const noexcept { return has_; }
    constexpr explicit operator bool() const noexcept { return has_; }

    [[nodiscard]] constexpr T& value() & noexcept { LWM2M_ASSERT(has_); return value_; }
    [[nodiscard]] constexpr const T& value() const& noexcept { LWM2M_ASSERT(has_); return value_; }
    [[nodiscard]] constexpr T&& value() && noexcept { LWM2M_ASSERT(has_); return std::move(value_); }
    constexpr T& operator*() & noexcept { return value(); }
    constexpr const T& operator*() const& noexcept { return value(); }
    constexpr T* operator->() noexcept { return &value(); }
    constexpr const T* operator->() const noexcept { return &value(); }

    [[nodiscard]] constexpr const lwm2m::error& error() const noexcept { LWM2M_ASSERT(!has_); return err_; }

    template <class U>
    [[nodiscard]] constexpr T value_or(U&& fallback) const& {
        return has_ ? value_ : static_cast<T>(std::forward<U>(fallback));
    }

    /** Calls `f(value)` (which returns a result) or propagates the error. */
    template <class F>
    constexpr auto and_then(F&& f) const& -> std::invoke_result_t<F, const T&> {
        if (has_) return std::forward<F>(f)(value_);
        return unexpected{err_};
    }
    /** Maps the value with `f`, keeping an error as it is. */
    template <class F>
    constexpr auto transform(F&& f) const& -> result<std::invoke_result_t<F, const T&>> {
        if (has_) return std::forward<F>(f)(value_);
        return unexpected{err_};
    }

private:
    constexpr void destroy() noexcept {
        if constexpr (!std::is_trivially_destructible_v<T>) {
            if (has_) std::destroy_at(&value_);
        }
    }
    union {
        T value_;
        lwm2m::error err_;
    };
    bool has_;
};

/** `result<void>`: success or an error. */
template <>
class [[nodiscard]] result<void> {
public:
    using value_type = void;
    using error_type = lwm2m::error;

    constexpr result() noexcept = default;
    constexpr result(unexpected u) noexcept : err_(u.err), has_(false) {}

    [[nodiscard]] constexpr bool has_value() const noexcept { return has_; }
    constexpr explicit operator bool() const noexcept { return has_; }
    constexpr void value() const noexcept { LWM2M_ASSERT(has_); }
    [[nodiscard]] constexpr const lwm2m::error& error() const noexcept { LWM2M_ASSERT(!has_); return err_; }

    template <class F>
    constexpr auto and_then(F&& f) const -> std::invoke_result_t<F> {
        if (has_) return std::forward<F>(f)();
        return unexpected{err_};
    }

private:
    lwm2m::error err_{};
    bool has_ = true;
};

/** Propagates an error from an expression returning a result; yields the value otherwise. */
#define LWM2M_TRY(var, expr)                                                                       \
    auto var##_result_ = (expr);                                                                   \
    if (!var##_result_) return ::lwm2m::unexpected{var##_result_.error()};                        \
    auto&& var = *var##_result_

} // namespace lwm2m
