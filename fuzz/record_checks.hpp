#pragma once
// What the record-format fuzz targets (tlv_read, lwm2m_cbor_read, oma_json_read) check alike:
// - a reader read to its end: an error is sticky (the next call gives it again) and so is the
//   end; no more records than payload bytes;
// - a writer's whole body is exactly its `*_size`, and a 16-byte Block2-style window in the
//   middle of it gets the matching slice;
// - values compared by their decoded bytes (a text value read from JSON may still be escaped).
// Any violation aborts (libFuzzer reports the input).

#include <lwm2m/format/output_window.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/model/schema_registry.hpp>
#include <lwm2m/model/value_bytes.hpp>
#include <lwm2m/path.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

namespace lwm2m::fuzz {

inline void check(bool ok) {
    if (!ok) std::abort();
}

struct decoded {
    std::vector<format::record> records;
    bool ok = true;
    error err{};
};

/** Every record `Reader` gives for `payload`, or its error (the error contract checked on the way). */
template <class Reader>
decoded read_all(bytes_view payload, const path& base, const schema_registry* reg) {
    decoded d;
    Reader reader(payload, base, reg);
    for (;;) {
        auto r = reader.next();
        if (!r) {
            d.ok = false;
            d.err = r.error();
            auto again = reader.next();
            check(!again.has_value() && again.error() == r.error());
            return d;
        }
        if (!r->has_value()) {
            check(reader.next().has_value() && !reader.next()->has_value());
            return d;
        }
        d.records.push_back(**r);
        check(d.records.size() <= payload.size());  // every record costs at least a byte
    }
}

inline std::string bytes_of(const value& v) {
    std::string s;
    const auto n = for_each_value_byte(v, [&](std::byte b) { s.push_back(static_cast<char>(b)); });
    check(n.has_value());
    return s;
}

inline bool same_value(const value& a, const value& b) {
    if (a.kind() != b.kind()) return false;
    if (a.is_bytes()) return bytes_of(a) == bytes_of(b);
    return a == b;
}

/**
 * The whole body `write(records, base, window)` gives, in a buffer of exactly
 * `size_of(records, base)` bytes; then one 16-byte Block2-style window in its middle must get
 * the matching slice and count the same total.
 */
template <class Write, class SizeOf>
std::vector<std::byte> write_checked(Write write, SizeOf size_of, std::span<const format::record> records,
                                     const path& base) {
    const auto size = size_of(records, base);
    check(size.has_value());
    std::vector<std::byte> out(*size);
    format::output_window whole(out);
    check(write(records, base, whole).has_value());
    check(whole.finish().has_value() && *whole.finish() == *size);
    if (!out.empty()) {
        constexpr std::size_t block = 16;
        const std::size_t num = (out.size() - 1) / block / 2;
        std::array<std::byte, block> buf{};
        format::output_window w(buf, num * block);
        check(write(records, base, w).has_value());
        check(w.total() == out.size());
        check(std::equal(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(w.written()),
                         out.begin() + static_cast<std::ptrdiff_t>(num * block)));
    }
    return out;
}

} // namespace lwm2m::fuzz
