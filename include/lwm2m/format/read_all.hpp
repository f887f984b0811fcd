#pragma once
/**
 * @file format/read_all.hpp
 * `format::detail::read_all<Reader>`: a payload read to its end by one format's pull reader
 * into the caller's span of records (what `format::read_records` does for each format).
 * Allocation: none.
 */

#include <cstddef>
#include <span>

#include <lwm2m/bytes.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/model/schema_registry.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format::detail {

/**
 * Every record of `payload` read by a `Reader` (constructed from payload, base and schemas)
 * into `out`; their number. Errors: the reader's, `capacity_exceeded` (offset = records read
 * so far, all in `out`) when a record beyond `out` is read without an error before it.
 */
template <class Reader>
[[nodiscard]] result<std::size_t> read_all(bytes_view payload, const lwm2m::path& base, const schema_registry* schemas,
                                           std::span<record> out) noexcept {
    Reader reader{payload, base, schemas};
    std::size_t n = 0;
    for (;;) {
        auto r = reader.next();
        if (!r) return unexpected{r.error()};
        if (!*r) return n;
        if (n == out.size()) return fail(errc::capacity_exceeded, n);
        out[n++] = **r;
    }
}

} // namespace lwm2m::format::detail
