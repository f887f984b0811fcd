#pragma once
/**
 * @file format/cbor_value/writer.hpp
 * `write_cbor_value`: one record to a single-value CBOR payload (application/cbor,
 * Content-Format 60; LwM2M 1.1 Core §7.4), and `cbor_value_size`. Allocation: none.
 */

#include <cstddef>
#include <span>

#include <lwm2m/format/cbor/writer.hpp>
#include <lwm2m/format/lwm2m_cbor/writer.hpp>
#include <lwm2m/format/output_window.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format {

/**
 * Writes the one record for `base` (a Resource or Resource Instance path) as one CBOR data item
 * (Content-Format 60), with the value encodings of LwM2M CBOR leaves: Integer, Unsigned Integer;
 * Float as the shortest of half/single/double that keeps it; Boolean; String, Corelnk as a text
 * string; Opaque as a byte string; Time as tag 1 on an integer (Leshan's CBOR encoder does the
 * same); Objlnk as the text "ObjID:InstID"; `none` as null. Values kept encoded by a reader
 * (JSON escapes, base64) are decoded on the way. Nothing is written unless it succeeds.
 *
 * Errors: `path_wrong_level` (base above resource level; offset 0), `invalid_argument` (not
 * exactly one record, or its path is not `base`; offset = record index), `type_mismatch` (an
 * `untyped` value: `coerce` it first), `invalid_utf8` / `invalid_json` / `invalid_base64` (a value
 * whose text does not decode, or a String/Corelnk that is not UTF-8; offset 0). Output that does
 * not fit the window is not an error here: check `out.finish()` / `out.total()`. Allocation: none.
 */
[[nodiscard]] inline result<void> write_cbor_value(std::span<const record> records, const lwm2m::path& base,
                                                   output_window& out) noexcept {
    if (base.level() != path_level::resource && base.level() != path_level::resource_instance)
        return fail(errc::path_wrong_level, 0);
    if (records.size() != 1) return fail(errc::invalid_argument, records.empty() ? 0 : 1);
    if (records[0].path != base) return fail(errc::invalid_argument, 0);
    if (auto ok = lwm2m_cbor::detail::check_value(records[0].value); !ok) return ok;
    cbor::writer w{out};
    lwm2m_cbor::detail::put_value(w, records[0].value);
    return {};
}

/** Size in bytes of what `write_cbor_value(records, base, ...)` writes. Errors: as `write_cbor_value`. Allocation: none. */
[[nodiscard]] inline result<std::size_t> cbor_value_size(std::span<const record> records,
                                                         const lwm2m::path& base) noexcept {
    output_window counter{mutable_bytes{}};
    if (auto ok = write_cbor_value(records, base, counter); !ok) return unexpected{ok.error()};
    return counter.total();
}

} // namespace lwm2m::format
