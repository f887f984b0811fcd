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
#include <memory>
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

namespace detail {
// Storage split by triviality with a partial specialization rather than conditionally
// trivial special members (P0848), which clang only supports from version 16.
template <class T, bool Trivial = std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>>
struct result_storage {
    union {
        T value_;
        lwm2m::error err_;
    };
    bool has_;
    constexpr result_storage(std::in_place_t, auto&&... args) : value_(std::forward<decltype(args)>(args)...), has_(true) {}
    constexpr result_storage(lwm2m::error e) noexcept : err_(e), has_(false) {}
};

template <class T>
struct result_storage<T, false> {
    union {
        T value_;
        lwm2m::error err_;
    };
    bool has_;
    constexpr result_storage(std::in_place_t, auto&&... args) : value_(std::forward<decltype(args)>(args)...), has_(true) {}
    constexpr result_storage(lwm2m::error e) noexcept : err_(e), has_(false) {}
    constexpr result_storage(const result_storage& o) : has_(o.has_) {
        if (has_) std::construct_at(&value_, o.value_);
        else std::construct_at(&err_, o.err_);
    }
    constexpr result_storage(result_storage&& o) noexcept(std::is_nothrow_move_constructible_v<T>) : has_(o.has_) {
        if (has_) std::construct_at(&value_, std::move(o.value_));
        else std::construct_at(&err_, o.err_);
    }
    constexpr result_storage& operator=(const result_storage& o) {
        if (this != &o) { destroy(); has_ = o.has_; if (has_) std::construct_at(&value_, o.value_); else std::construct_at(&err_, o.err_); }
        return *this;
    }
    constexpr result_storage& operator=(result_storage&& o) noexcept(std::is_nothrow_move_constructible_v<T>) {
        if (this != &o) { destroy(); has_ = o.has_; if (has_) std::construct_at(&value_, std::move(o.value_)); else std::construct_at(&err_, o.err_); }
        return *this;
    }
    constexpr ~result_storage() { destroy(); }
    constexpr void destroy() noexcept {
        if (has_) std::destroy_at(&value_);
    }
};
} // namespace detail

template <class T>
class [[nodiscard]] result : private detail::result_storage<T> {
    static_assert(!std::is_reference_v<T>, "result<T&> is not supported; use a pointer or view");
    using base = detail::result_storage<T>;
    using base::err_;
    using base::has_;
    using base::value_;

public:
    using value_type = T;
    using error_type = lwm2m::error;

    constexpr result() noexcept(std::is_nothrow_default_constructible_v<T>)
        requires std::is_default_constructible_v<T>
        : base(std::in_place) {}
    constexpr result(const T& v) : base(std::in_place, v) {}
    constexpr result(T&& v) : base(std::in_place, std::move(v)) {}
    template <class U>
        requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::remove_cvref_t<U>, result> &&
                 !std::is_same_v<std::remove_cvref_t<U>, unexpected> && !std::is_same_v<std::remove_cvref_t<U>, T>)
    constexpr result(U&& v) : base(std::in_place, std::forward<U>(v)) {}
    constexpr result(unexpected u) noexcept : base(u.err) {}

    [[nodiscard]] constexpr bool has_value() const noexcept { return has_; }
    constexpr explicit operator bool() const noexcept { return has_; }

    LWM2M_ALWAYS_INLINE [[nodiscard]] constexpr T& value() & noexcept { LWM2M_ASSERT(has_); return value_; }
    LWM2M_ALWAYS_INLINE [[nodiscard]] constexpr const T& value() const& noexcept { LWM2M_ASSERT(has_); return value_; }
    LWM2M_ALWAYS_INLINE [[nodiscard]] constexpr T&& value() && noexcept { LWM2M_ASSERT(has_); return std::move(value_); }
    LWM2M_ALWAYS_INLINE constexpr T& operator*() & noexcept { return value(); }
    LWM2M_ALWAYS_INLINE constexpr const T& operator*() const& noexcept { return value(); }
    LWM2M_ALWAYS_INLINE constexpr T* operator->() noexcept { return &value(); }
    LWM2M_ALWAYS_INLINE constexpr const T* operator->() const noexcept { return &value(); }

    LWM2M_ALWAYS_INLINE [[nodiscard]] constexpr const lwm2m::error& error() const noexcept { LWM2M_ASSERT(!has_); return err_; }

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
};

/** `result<void>`: success or an error. */
template <>
class [[nodiscard]] result<void> {
public:
    using value_type = void;
    using error_type = lwm2m::error;

    constexpr result() noexcept = default;
    constexpr result(unexpected u) noexcept : code_(u.err.code), has_(false), offset_(u.err.offset) {}

    [[nodiscard]] constexpr bool has_value() const noexcept { return has_; }
    constexpr explicit operator bool() const noexcept { return has_; }
    constexpr void value() const noexcept { LWM2M_ASSERT(has_); }
    LWM2M_ALWAYS_INLINE [[nodiscard]] constexpr lwm2m::error error() const noexcept { LWM2M_ASSERT(!has_); return {code_, offset_}; }

    template <class F>
    constexpr auto and_then(F&& f) const -> std::invoke_result_t<F> {
        if (has_) return std::forward<F>(f)();
        return unexpected{error()};
    }

private:
    errc code_{};
    bool has_ = true;
    std::size_t offset_ = 0;
};

/** Propagates an error from an expression returning a result; yields the value otherwise. */
#define LWM2M_TRY(var, expr)                                                                       \
    auto var##_result_ = (expr);                                                                   \
    if (!var##_result_) return ::lwm2m::unexpected{var##_result_.error()};                        \
    auto&& var = *var##_result_

} // namespace lwm2m
