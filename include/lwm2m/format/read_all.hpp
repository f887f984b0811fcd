#pragma once
/**
 * @file format/read_all.hpp
 * `format::detail::read_all<Reader>`: a payload read to its end by one format's pull reader
 * into the caller's span of records (what `format::read_records` does for each format), and
 * `for_each_next`, the loop over a pull reader it is built on.
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
 * Hands each record a pull reader's `next()` gives (`result<std::optional<record>>`) to `each`
 * (which returns `result<void>`), to the reader's end or the first error of either: the one
 * loop over a reader, for `read_all` and the client's request bodies.
 */
template <class Next, class Each>
[[nodiscard]] LWM2M_HOT_INLINE inline result<void> for_each_next(Next&& next, Each&& each) noexcept {
    for (;;) {
        auto r = next();
        if (!r) return unexpected{r.error()};
        if (!*r) return {};
        if (auto ok = each(**r); !ok) return ok;
    }
}

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
    const auto store = [&](const record& r) -> result<void> {
        if (n == out.size()) return fail(errc::capacity_exceeded, n);
        out[n++] = r;
        return {};
    };
    if (auto ok = for_each_next([&] { return reader.next(); }, store); !ok) return unexpected{ok.error()};
    return n;
}

} // namespace lwm2m::format::detail
