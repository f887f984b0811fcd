#pragma once
/**
 * @file format/senml/json_writer.hpp
 * `write_senml_json`: records to a SenML JSON pack (application/senml+json, Content-Format
 * 110; RFC 8428 §5, LwM2M 1.1 Core §7.4.4), and `senml_json_size`. Allocation: none.
 */

#include <cstddef>
#include <cstdint>
#include <span>

#include <lwm2m/bytes.hpp>
#include <lwm2m/format/json/writer.hpp>
#include <lwm2m/format/output_window.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/format/senml/record_fields.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/model/value_bytes.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format {

namespace detail::senml_json_writer {

inline void time_field(json::writer& w, double t) noexcept {
    w.key(senml::label_text(senml::label::t));
    if (senml::detail::integral_time(t)) w.number(static_cast<std::int64_t>(t));
    else w.number(t);
}

inline void value_field(json::writer& w, const value& v) noexcept {
    const auto l = senml::value_label(v.kind());
    if (!l) return;  // a name-only record (path list)
    w.key(senml::label_text(*l));
    switch (v.kind()) {
    case value_kind::integer:
    case value_kind::time: w.number(v.as_integer()); break;
    case value_kind::unsigned_integer: w.number(v.as_unsigned()); break;
    case value_kind::float_: w.number(v.as_float()); break;
    case value_kind::boolean: w.boolean(v.as_boolean()); break;
    case value_kind::string:
    case value_kind::corelnk:
        w.begin_string();
        // Validated by validate_records: decoding cannot fail here.
        (void)for_each_value_byte(v, [&](std::byte b) { w.string_bytes(bytes_view{&b, 1}); });
        w.end_string();
        break;
    case value_kind::opaque: {
        w.begin_string();
        const auto put = [&](char c) { w.string_char(c); };
        senml::detail::base64url_stream<decltype(put)> b64{put};
        (void)for_each_value_byte(v, [&](std::byte b) { b64.put(b); });
        b64.finish();
        w.end_string();
        break;
    }
    case value_kind::objlnk: {
        char text[11]{};
        const std::size_t n = senml::detail::format_objlnk(v.as_objlnk(), text);
        w.string(std::string_view{text, n});
        break;
    }
    case value_kind::none:
    case value_kind::untyped: break;
    }
}

} // namespace detail::senml_json_writer

/**
 * Writes `records` as a SenML JSON pack for a request on `base` (RFC 8428 §5; LwM2M 1.1 Core
 * §7.4.4): `[{"bn":"/3/0/","n":"0","vs":"Open Mobile Alliance"},{"n":"1",...},...]`.
 * - Names: "bn" once, on the first record; "n" relative to it (rule: `senml::detail::name_plan`:
 *   "bn" is the text of `base` plus "/" unless `base` is the root or a record is at `base`
 *   itself, so `/3/0/1` read alone gives `[{"bn":"/3/0/1","v":...}]` and a root base gives
 *   `{"bn":"/","n":"3/0/1"}` like Leshan). No "bt", "bv" or "bver" is written.
 * - "t" when `record.time` is set (an integer when integral, else the shortest double that
 *   reads back exactly).
 * - The value in the label of its kind (`senml::value_label`): Integer, Unsigned Integer, Time
 *   → "v" as an integer; Float → "v" as the shortest double that reads back exactly, with
 *   ".0" when integral so a reader sees a float; String, Corelnk → "vs" (JSON-escaped);
 *   Boolean → "vb"; Opaque → "vd", base64url without padding (RFC 8428 §5); Objlnk → "vlo"
 *   "ObjID:InstID". A `none` value writes a name-only record (Read-Composite request bodies).
 *   Values kept encoded by a reader (JSON escapes, base64) are decoded on the way.
 * Records are written in the given order; nothing is written unless all are valid.
 *
 * Errors (offset = index of the record): `invalid_argument` (a path not under `base`, or a
 * value at a level above resource), `type_mismatch` (an `untyped` value, e.g. from TLV read
 * without schema: `coerce` it first), `number_out_of_range` (a NaN or infinite Float value or
 * time: JSON has no form for them), `invalid_json` / `invalid_base64` / `invalid_utf8` (a
 * value whose encoded text does not decode, or a String/Corelnk that is not UTF-8). Output
 * that does not fit the window is not an error here: check `out.finish()` / `out.total()`.
 * Allocation: none.
 */
[[nodiscard]] inline result<void> write_senml_json(std::span<const record> records, const lwm2m::path& base,
                                                   output_window& out) noexcept {
    if (auto ok = senml::detail::validate_records(records, base, true); !ok) return ok;
    const senml::detail::name_plan names{records, base};
    json::writer w{out};
    w.begin_array();
    for (std::size_t i = 0; i < records.size(); ++i) {
        const record& r = records[i];
        w.begin_object();
        if (i == 0) {
            w.key(senml::label_text(senml::label::bn));
            w.string(names.base_name());
        }
        if (const auto name = names.name_of(r.path)) {
            w.key(senml::label_text(senml::label::n));
            w.string(name->view());
        }
        if (r.time) detail::senml_json_writer::time_field(w, *r.time);
        detail::senml_json_writer::value_field(w, r.value);
        w.end_object();
    }
    w.end_array();
    return {};
}

/**
 * Size in bytes of the pack `write_senml_json(records, base, ...)` writes.
 * Errors: as `write_senml_json`. Allocation: none.
 */
[[nodiscard]] inline result<std::size_t> senml_json_size(std::span<const record> records,
                                                         const lwm2m::path& base) noexcept {
    output_window counter{mutable_bytes{}};
    if (auto ok = write_senml_json(records, base, counter); !ok) return unexpected{ok.error()};
    return counter.total();
}

} // namespace lwm2m::format
