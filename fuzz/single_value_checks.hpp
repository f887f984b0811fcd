#pragma once
// What the one-value format fuzz targets (text_read, cbor_value_read) share: an object with a
// resource of every data type (ranges, multiple resources), the base paths byte 0 of an input
// chooses from (one resource of each type, resource instances, and paths the readers must
// refuse), and a read that must give one record, at the base, with no time, or a sticky error.
// Writers are checked with record_checks.hpp's `write_checked` (their sizes, a Block2 window). Any violation aborts (libFuzzer reports the input).

#include "record_checks.hpp"
#include "../tests/support/test_schema.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>

namespace lwm2m::fuzz {

using lwm2m::test::res;

inline constexpr auto everything = make_object(
    object_info{9999, "Everything", {1, 0}, multiplicity::multiple, {}, {}}, res(0, data_type::string),
    res(1, data_type::integer), res(2, data_type::unsigned_integer), res(3, data_type::float_),
    res(4, data_type::boolean), res(5, data_type::opaque), res(6, data_type::time), res(7, data_type::objlnk),
    res(8, data_type::corelnk), res(9, data_type::none), res(10, data_type::integer, false, value_range{true, 0, 100}),
    res(11, data_type::opaque, false, value_range{true, 0, 4}), res(300, data_type::float_, true),
    res(301, data_type::string, true));

inline constexpr object_view everything_views[] = {everything};
inline const schema_registry everything_schemas{everything_views};

inline const path single_value_bases[] = {
    *path::make(9999, 0, 0),   *path::make(9999, 0, 1),      *path::make(9999, 0, 2),
    *path::make(9999, 0, 3),   *path::make(9999, 0, 4),      *path::make(9999, 0, 5),
    *path::make(9999, 0, 6),   *path::make(9999, 0, 7),      *path::make(9999, 0, 8),
    *path::make(9999, 0, 9),   *path::make(9999, 0, 10),     *path::make(9999, 0, 11),
    *path::make(9999, 0, 300, 1), *path::make(9999, 0, 301, 65534), *path::make(9999, 0, 300),
    *path::make(9999, 0, 1, 0), *path::make(9999, 0, 99),    *path::make(4, 0, 1),
    *path::make(9999, 0),
};

/**
 * The one record `Reader` reads from `payload` (at `base`, no time), or nothing on an error
 * (its offset inside the payload, given again by the next call). An empty payload may be a
 * value (an empty String or Opaque): `read_all`'s byte-a-record bound does not hold here.
 */
template <class Reader>
std::optional<format::record> read_one(bytes_view payload, const path& base, const schema_registry* reg) {
    Reader reader(payload, base, reg);
    auto r = reader.next();
    if (!r) {
        check(r.error().offset <= payload.size());
        auto again = reader.next();
        check(!again.has_value() && again.error() == r.error());
        return std::nullopt;
    }
    check(r->has_value());
    check(reader.next().has_value() && !reader.next()->has_value());
    const format::record rec = **r;
    check(rec.path == base);
    check(!rec.time.has_value());
    return rec;
}

} // namespace lwm2m::fuzz
