#pragma once
/**
 * @file format/json/number_value.hpp
 * `json::number_value`: the value of a JSON number token as the JSON content formats read it
 * (SenML JSON "v"/"bv", OMA JSON "v"): an integer literal stays an integer while it fits int64
 * (uint64 above that), anything else is a double. Allocation: none.
 */

#include <lwm2m/encoding/number_text.hpp>
#include <lwm2m/format/json/reader.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format::json {

/** The value of number token `t`. Errors: `number_out_of_range` (a double beyond its range) at the token. */
[[nodiscard]] inline result<value> number_value(const token& t) noexcept {
    if (t.integer) {
        if (auto i = encoding::parse_int64(t.text)) return value::of_integer(*i);
        if (t.text[0] != '-') {
            if (auto u = encoding::parse_uint64(t.text)) return value::of_unsigned(*u);
        }
    }
    auto d = encoding::parse_double(t.text);
    if (!d) return fail(errc::number_out_of_range, t.offset);
    return value::of_float(*d);
}

} // namespace lwm2m::format::json
