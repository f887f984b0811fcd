#pragma once
/**
 * @file client/execute_args.hpp
 * Arguments of the Execute operation (LwM2M 1.1 Core §6.3.5, §5.4.5 of 1.0): the payload of
 * `POST /O/I/R` is a comma-separated list of `digit[='text']`, e.g. `0='ON',1,3='5 s'`.
 * An empty payload means no arguments. Allocation: none.
 */

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::client {

/** One Execute argument: its number (0..9) and, if given, its text (without the quotes). */
struct execute_argument {
    std::uint8_t number = 0;
    std::optional<std::string_view> value{};
};

/**
 * A view of the Execute argument list. `valid()` checks the 1.1 syntax; the engine answers
 * 4.00 Bad Request when it does not hold, so an object's `execute` hook only sees valid lists.
 * `raw()` gives the payload as sent (LwM2M 1.0 left its content to the object).
 */
class execute_args {
public:
    constexpr execute_args() noexcept = default;
    constexpr explicit execute_args(std::string_view text) noexcept : text_(text) {}

    /** The payload text as received. */
    [[nodiscard]] constexpr std::string_view raw() const noexcept { return text_; }
    /** No arguments (empty payload). */
    [[nodiscard]] constexpr bool empty() const noexcept { return text_.empty(); }

    /**
     * Calls `f(execute_argument)` for each argument in order, stopping at the first syntax
     * error. Errors: `invalid_argument` with the byte offset of the error.
     */
    template <class F>
    constexpr result<void> for_each(F&& f) const noexcept {
        std::size_t i = 0;
        const std::size_t n = text_.size();
        if (n == 0) return {};
        for (;;) {
            if (i >= n || text_[i] < '0' || text_[i] > '9') return fail(errc::invalid_argument, i);
            execute_argument a{static_cast<std::uint8_t>(text_[i] - '0'), std::nullopt};
            ++i;
            if (i < n && text_[i] == '=') {
                ++i;
                if (i >= n || text_[i] != '\'') return fail(errc::invalid_argument, i);
                const std::size_t start = ++i;
                while (i < n && text_[i] != '\'') ++i;
                if (i >= n) return fail(errc::invalid_argument, n);
                a.value = slice(text_, start, i - start);
                ++i;
            }
            f(a);
            if (i == n) return {};
            if (text_[i] != ',') return fail(errc::invalid_argument, i);
            ++i;
        }
    }

    /** True when the payload follows the 1.1 argument syntax (or is empty). */
    [[nodiscard]] constexpr bool valid() const noexcept {
        return for_each([](const execute_argument&) {}).has_value();
    }

    /** The argument numbered `number`, if present (the last one wins if repeated). */
    [[nodiscard]] constexpr std::optional<execute_argument> find(std::uint8_t number) const noexcept {
        std::optional<execute_argument> found;
        (void)for_each([&](const execute_argument& a) {
            if (a.number == number) found = a;
        });
        return found;
    }

private:
    std::string_view text_{};
};

} // namespace lwm2m::client
