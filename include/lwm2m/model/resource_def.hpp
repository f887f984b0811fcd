#pragma once
/**
 * @file resource_def.hpp
 * `resource_def`: the constexpr description of one resource of an object schema, as in
 * the `<Item>` elements of an OMA object definition (DDF) XML.
 */

#include <cstdint>
#include <string_view>

#include <lwm2m/encoding/ieee754.hpp>
#include <lwm2m/model/data_type.hpp>

namespace lwm2m {

/**
 * Value range of a resource: numeric bounds for numbers, length bounds (in bytes) for
 * String/Opaque. `present == false` means unbounded.
 */
struct value_range {
    bool present = false;
    double min = 0;
    double max = 0;

    [[nodiscard]] constexpr bool contains(double v) const noexcept {
        return !present || (encoding::less_equal(min, v) && encoding::less_equal(v, max));
    }
    friend constexpr bool operator==(const value_range&, const value_range&) noexcept = default;
};

/** Instances of a resource: one value, or several resource instances. */
enum class multiplicity : std::uint8_t { single, multiple };
/** Whether a resource (or object) must be present. */
enum class presence : std::uint8_t { optional, mandatory };

/** One resource of an object schema. */
struct resource_def {
    std::uint16_t id = 0;
    std::string_view name{};
    operations ops = operations::none;
    data_type type = data_type::none;
    multiplicity instances = multiplicity::single;
    presence required = presence::optional;
    value_range range{};
    std::string_view units{};

    [[nodiscard]] constexpr bool is_multiple() const noexcept { return instances == multiplicity::multiple; }
    [[nodiscard]] constexpr bool is_mandatory() const noexcept { return required == presence::mandatory; }
    [[nodiscard]] constexpr bool readable() const noexcept { return allows(ops, operations::read); }
    [[nodiscard]] constexpr bool writable() const noexcept { return allows(ops, operations::write); }
    [[nodiscard]] constexpr bool executable() const noexcept { return allows(ops, operations::execute); }
};

} // namespace lwm2m
