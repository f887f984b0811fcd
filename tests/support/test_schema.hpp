#pragma once
// Compact resource definitions for the format tests and fuzzers that build their own small
// object schemas (a Device-like object with ranges, multiple resources, every data type):
// `res(id, type[, multiple[, range]])` is an optional resource named "r", read-write, or
// executable when its type is none; `range(lo, hi)` is a numeric / length range.

#include <lwm2m/model/data_type.hpp>
#include <lwm2m/model/resource_def.hpp>

#include <cstdint>

namespace lwm2m::test {

constexpr resource_def res(std::uint16_t id, data_type type, bool multiple = false, value_range range = {}) {
    return resource_def{id,
                        "r",
                        type == data_type::none ? operations::execute : operations::read_write,
                        type,
                        multiple ? multiplicity::multiple : multiplicity::single,
                        presence::optional,
                        range,
                        {}};
}

constexpr value_range range(double lo, double hi) { return value_range{true, lo, hi}; }

} // namespace lwm2m::test
