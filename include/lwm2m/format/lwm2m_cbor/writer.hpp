#pragma once
/**
 * @file format/lwm2m_cbor/writer.hpp
 * `write_lwm2m_cbor`: records to an LwM2M CBOR payload (application/vnd.oma.lwm2m+cbor,
 * Content-Format 11544; LwM2M 1.2 Core §7.4.7), and `lwm2m_cbor_size`. Allocation: none.
 */

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <lwm2m/config.hpp>
#include <lwm2m/bytes.hpp>
#include <lwm2m/encoding/utf8.hpp>
#include <lwm2m/format/cbor/writer.hpp>
#include <lwm2m/format/lwm2m_cbor/reader.hpp>
#include <lwm2m/format/output_window.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/model/objlnk_text.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/model/value_bytes.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format {

namespace lwm2m_cbor::detail {

/** Number of leading ids `a` and `b` share. */
[[nodiscard]] constexpr std::size_t common_depth(const path& a, const path& b) noexcept {
    std::size_t n = 0;
    while (n < a.depth() && n < b.depth() && a.id(n) == b.id(n)) ++n;
    return n;
}

/** Streaming UTF-8 validation (shared: `encoding::utf8_checker`). */
using encoding::utf8_checker;

/** Writes one key: the ids of `p` from `from` to `to` (one id, or an array of them). */
constexpr void put_key(cbor::writer& w, const path& p, std::size_t from, std::size_t to) noexcept {
    if (to - from > 1) w.array(to - from);
    for (std::size_t i = from; i < to; ++i) w.unsigned_integer(p.id(i));
}

/**
 * Checks that `put_value` can write `v`: `type_mismatch` for an `untyped` value, `invalid_utf8`
 * for a String/Corelnk that is not UTF-8, the decoding error of a value kept encoded (JSON
 * escapes, base64) that does not decode. Error offsets are 0 (the caller gives its own).
 * Inline in speed builds (`LWM2M_HOT_INLINE`): it has two callers (this writer's loop and the
 * single-value CBOR writer), and a call per record costs LwM2M CBOR encode ~250 instructions
 * on the Device object (bench/format_callgrind.sh); `put_value` likewise.
 */
[[nodiscard]] LWM2M_HOT_INLINE inline result<void> check_value(const value& v) noexcept {
    if (v.kind() == value_kind::untyped) return fail(errc::type_mismatch, 0);
    if (v.kind() == value_kind::string || v.kind() == value_kind::corelnk) {
        if (v.encoding() == text_encoding::raw) {
            if (!encoding::validate_utf8(v.encoded_bytes())) return fail(errc::invalid_utf8, 0);
        } else {
            utf8_checker check;
            auto n = for_each_value_byte(v, [&](std::byte b) { check.put(b); });
            if (!n) return fail(n.error().code, 0);
            if (!check.ok()) return fail(errc::invalid_utf8, 0);
        }
    } else if (v.kind() == value_kind::opaque && v.encoding() != text_encoding::raw) {
        if (auto n = value_byte_size(v); !n) return fail(n.error().code, 0);
    }
    return {};
}

/** Writes a leaf value; precondition: `check_value(v)` succeeded (decoding cannot fail). */
LWM2M_HOT_INLINE inline void put_value(cbor::writer& w, const value& v) noexcept {
    switch (v.kind()) {
    case value_kind::integer: w.integer(v.as_integer()); break;
    case value_kind::time:
        w.tag(1);  // epoch-based date/time (RFC 8949 §3.4.2), as Leshan's CBOR encoder writes Time
        w.integer(v.as_integer());
        break;
    case value_kind::unsigned_integer: w.unsigned_integer(v.as_unsigned()); break;
    case value_kind::float_: w.floating(v.as_float()); break;
    case value_kind::boolean: w.boolean(v.as_boolean()); break;
    case value_kind::string:
    case value_kind::corelnk:
    case value_kind::opaque: {
        const bool text = v.kind() != value_kind::opaque;
        if (v.encoding() == text_encoding::raw) {
            if (text) w.text(as_chars(v.encoded_bytes()));
            else w.bytes(v.encoded_bytes());
            break;
        }
        const auto size = value_byte_size(v);
        const std::uint64_t n = size ? *size : 0;
        if (text) w.text_header(n);
        else w.bytes_header(n);
        (void)for_each_value_byte(v, [&](std::byte b) { w.raw(b); });
        break;
    }
    case value_kind::objlnk: {
        char text[max_objlnk_text]{};
        const std::size_t n = lwm2m::format_objlnk(v.as_objlnk(), text);
        w.text(std::string_view{text, n});
        break;
    }
    case value_kind::none: w.null(); break;
    case value_kind::untyped: break;
    }
}

/**
 * Writes the map of records [lo, hi), which share their first `depth` ids: one key per run of
 * records with the same id at `depth`; a run of one record gets the rest of its path as its key
 * and its value, a longer run the ids all its records share and a nested map.
 */
inline void put_map(cbor::writer& w, std::span<const record> records, std::size_t lo, std::size_t hi,
                    std::size_t depth) noexcept {
    std::size_t pairs = 0;
    for (std::size_t i = lo; i < hi; ++pairs) {
        const std::uint16_t id = records[i].path.id(depth);
        while (i < hi && records[i].path.id(depth) == id) ++i;
    }
    w.map(pairs);
    for (std::size_t i = lo; i < hi;) {
        const std::uint16_t id = records[i].path.id(depth);
        std::size_t end = i + 1;
        while (end < hi && records[end].path.id(depth) == id) ++end;
        const path& first = records[i].path;
        if (end - i == 1) {
            put_key(w, first, depth, first.depth());
            put_value(w, records[i].value);
        } else {
            // Sorted paths: what the first and the last share, all share. No record ends there (no
            // record is an ancestor of another), so the run continues below.
            const std::size_t shared = common_depth(first, records[end - 1].path);
            put_key(w, first, depth, shared);
            put_map(w, records, i, end, shared);
        }
        i = end;
    }
}

} // namespace lwm2m_cbor::detail

/**
 * Writes `records` as an LwM2M CBOR payload for a request on `base` (LwM2M 1.2 Core §7.4.7; see
 * format/lwm2m_cbor/reader.hpp for the shape). `records` must be sorted by path (`path`'s order)
 * with no path twice and no path that is the prefix of another (a node is either a map or a value).
 *
 * Shape: one definite-length map whose keys are absolute; each chain of single-child levels is one
 * compressed key (an array of ids), so the Device object instance read with `GET /3/0` is
 * `{[3, 0]: {0: "Open Mobile Alliance", ..., 7: {0: 3800, 1: 5000}, ...}}` and a single resource
 * `GET /3/0/9` is `{[3, 0, 9]: 100}`. Definite lengths and the shortest heads and floats
 * (RFC 8949 §4.1 preferred serialization). No records give the empty map `A0`.
 *
 * Values: Integer → CBOR integer; Time → tag 1 (epoch-based date/time, RFC 8949 §3.4.2) on an
 * integer, so that the reader gives a Time back without a schema (Leshan's CBOR encoder does the
 * same; decoders that do not know tag 1, such as Anjay's, skip it); Unsigned Integer → unsigned
 * integer; Float → the shortest
 * of half/single/double that keeps it (NaN and infinities included); Boolean; String, Corelnk →
 * text string; Opaque → byte string; Objlnk → text "ObjID:InstID"; `none` → null. Values kept
 * encoded by a reader (JSON escapes, base64) are decoded on the way. `record.time` is not written
 * (the format has no timestamps). Nothing is written unless all records are valid.
 *
 * Errors (offset = index of the record): `invalid_argument` (a path not under `base` or above
 * resource level, a path not above the previous record's, or one under the previous record's
 * path), `type_mismatch` (an `untyped` value: `coerce` it first), `invalid_utf8` / `invalid_json` /
 * `invalid_base64` (a value whose encoded text does not decode, or a String/Corelnk that is not
 * UTF-8). Output that does not fit the window is not an error here: check `out.finish()` /
 * `out.total()`. Allocation: none.
 */
[[nodiscard]] inline result<void> write_lwm2m_cbor(std::span<const record> records, const lwm2m::path& base,
                                                   output_window& out) noexcept {
    for (std::size_t i = 0; i < records.size(); ++i) {
        const record& r = records[i];
        const value& v = r.value;
        if (!base.is_prefix_of(r.path) || !r.path.has_resource()) return fail(errc::invalid_argument, i);
        if (i > 0 && (!(records[i - 1].path < r.path) || records[i - 1].path.is_prefix_of(r.path)))
            return fail(errc::invalid_argument, i);
        if (auto ok = lwm2m_cbor::detail::check_value(v); !ok) return fail(ok.error().code, i);
    }
    cbor::writer w{out};
    lwm2m_cbor::detail::put_map(w, records, 0, records.size(), 0);
    return {};
}

/**
 * Size in bytes of the payload `write_lwm2m_cbor(records, base, ...)` writes.
 * Errors: as `write_lwm2m_cbor`. Allocation: none.
 */
[[nodiscard]] inline result<std::size_t> lwm2m_cbor_size(std::span<const record> records,
                                                         const lwm2m::path& base) noexcept {
    output_window counter{mutable_bytes{}};
    if (auto ok = write_lwm2m_cbor(records, base, counter); !ok) return unexpected{ok.error()};
    return counter.total();
}

} // namespace lwm2m::format
