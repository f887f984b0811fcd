#pragma once
/**
 * @file record.hpp
 * `record`: the common representation every content format reads into and writes from.
 * One record is one value at one path (a resource or a resource instance), with an
 * optional timestamp. Converting between formats is reading records with one format and
 * writing them with another. Allocation: none (values view the payload).
 */

#include <bit>
#include <cstdint>
#include <optional>

#include <lwm2m/config.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/path/path.hpp>

namespace lwm2m::format {

/**
 * A record's time in seconds, or none: the interface of `std::optional<double>` (has_value,
 * `*`, value_or, reset, `= std::nullopt`, comparisons) in the 8 bytes of the double. None is
 * the double whose bits are all ones, a NaN no arithmetic produces and no format reads as a
 * time (the readers reject non-finite times), so testing and clearing it are one instruction
 * each, as for optional's flag. Allocation: none.
 */
class record_time {
public:
    constexpr record_time() noexcept = default;
    constexpr record_time(std::nullopt_t) noexcept {}
    /** Precondition: `seconds` is not the all-ones NaN (it would read as no time). */
    constexpr record_time(double seconds) noexcept
        : bits_(std::bit_cast<std::uint64_t>(seconds)) {
        LWM2M_ASSERT(bits_ != none_bits);
    }
    constexpr record_time(const std::optional<double>& t) noexcept
        : record_time(t ? record_time{*t} : record_time{}) {}

    [[nodiscard]] constexpr bool has_value() const noexcept { return bits_ != none_bits; }
    constexpr explicit operator bool() const noexcept { return has_value(); }
    /** Precondition: `has_value()`. */
    [[nodiscard]] constexpr double operator*() const noexcept {
        LWM2M_ASSERT(has_value());
        return std::bit_cast<double>(bits_);
    }
    /** Precondition: `has_value()` (no exception: this library has none). */
    [[nodiscard]] constexpr double value() const noexcept { return **this; }
    [[nodiscard]] constexpr double value_or(double otherwise) const noexcept { return has_value() ? **this : otherwise; }
    constexpr void reset() noexcept { bits_ = none_bits; }
    [[nodiscard]] constexpr std::optional<double> as_optional() const noexcept {
        return has_value() ? std::optional<double>{**this} : std::nullopt;
    }

    /** As `std::optional<double>`: equal when both are none, or both times compare equal. */
    friend constexpr bool operator==(const record_time& a, const record_time& b) noexcept {
        return a.has_value() == b.has_value() && (!a.has_value() || *a == *b);
    }
    friend constexpr bool operator==(const record_time& a, std::nullopt_t) noexcept { return !a.has_value(); }
    friend constexpr bool operator==(const record_time& a, double b) noexcept { return a.has_value() && *a == b; }

private:
    static constexpr std::uint64_t none_bits = ~std::uint64_t{0};
    std::uint64_t bits_ = none_bits;
};

struct record {
    /** Absolute path: /O/I/R or /O/I/R/RI for values; any level for composite path lists. */
    lwm2m::path path{};
    /** The value; `value_kind::none` in path-only lists (Read-Composite requests). */
    lwm2m::value value{};
    /** Resolved time in seconds (SenML bt + t, RFC 8428 §4.5.3), when the format carried one. */
    record_time time{};

    friend bool operator==(const record&, const record&) noexcept = default;
};

// Paid per value in every record span (HACKING.md, "Records are small").
static_assert(sizeof(lwm2m::value) <= 16 && sizeof(record_time) == 8 && sizeof(record) <= 40);

} // namespace lwm2m::format
