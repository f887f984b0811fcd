#pragma once
/**
 * @file record.hpp
 * `record`: the common representation every content format reads into and writes from.
 * One record is one value at one path (a resource or a resource instance), with an
 * optional timestamp. Converting between formats is reading records with one format and
 * writing them with another. Allocation: none (values view the payload).
 */

#include <optional>

#include <lwm2m/model/value.hpp>
#include <lwm2m/path/path.hpp>

namespace lwm2m::format {

struct record {
    /** Absolute path: /O/I/R or /O/I/R/RI for values; any level for composite path lists. */
    lwm2m::path path{};
    /** The value; `value_kind::none` in path-only lists (Read-Composite requests). */
    lwm2m::value value{};
    /** Resolved time in seconds (SenML bt + t, RFC 8428 §4.5.3), when the format carried one. */
    std::optional<double> time{};

    friend bool operator==(const record&, const record&) noexcept = default;
};

// Paid per value in every record span (HACKING.md, "Records are small").
static_assert(sizeof(lwm2m::value) <= 16 && sizeof(record) <= 48);

} // namespace lwm2m::format
