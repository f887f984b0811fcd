#pragma once
/**
 * @file format/senml/cbor_writer.hpp
 * `write_senml_cbor`: records to a SenML CBOR pack (application/senml+cbor, Content-Format
 * 112; RFC 8428 §6, LwM2M 1.1 Core §7.4.5), and `senml_cbor_size`. Allocation: none.
 */

#include <cstddef>
#include <cstdint>
#include <span>

#include <lwm2m/bytes.hpp>
#include <lwm2m/format/cbor/writer.hpp>
#include <lwm2m/format/output_window.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/format/senml/record_fields.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/model/value_bytes.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format {

namespace detail::senml_cbor_writer {

inline void key(cbor::writer& w, senml::label l) noexcept {
    if (const auto k = senml::label_cbor_key(l)) w.integer(*k);
    else w.text(senml::label_text(l));
}

inline void value_field(cbor::writer& w, const value& v) noexcept {
    const auto l = senml::value_label(v.kind());
    if (!l) return;  // a name-only record (path list)
    key(w, *l);
    switch (v.kind()) {
    case value_kind::integer:
    case value_kind::time: w.integer(v.as_integer()); break;
    case value_kind::unsigned_integer: w.unsigned_integer(v.as_unsigned()); break;
    case value_kind::float_: w.floating(v.as_float()); break;
    case value_kind::boolean: w.boolean(v.as_boolean()); break;
    case value_kind::string:
    case value_kind::corelnk:
    case value_kind::opaque: {
        // Validated by validate_records: decoding cannot fail here.
        const std::size_t size = senml::detail::decoded_size(v);
        if (v.kind() == value_kind::opaque) w.bytes_header(size);
        else w.text_header(size);
        (void)for_each_value_byte(v, [&](std::byte b) { w.raw(b); });
        break;
    }
    case value_kind::objlnk: {
        char text[11]{};
        const std::size_t n = senml::detail::format_objlnk(v.as_objlnk(), text);
        w.text(std::string_view{text, n});
        break;
    }
    case value_kind::none:
    case value_kind::untyped: break;
    }
}

} // namespace detail::senml_cbor_writer

/**
 * Writes `records` as a SenML CBOR pack for a request on `base` (RFC 8428 §6; LwM2M 1.1 Core
 * §7.4.5): a definite-length array of definite-length maps with the integer keys of RFC 8428
 * Table 4 — bn -2, n 0, t 6, v 2, vs 3, vb 4, vd 8 — and the text key "vlo" for object links,
 * in that order (bn, n, t, value), e.g. `[{-2: "/3/0/", 0: "0", 3: "Open Mobile Alliance"}, ...]`.
 * Names, time and value labels follow `write_senml_json`. Integers (Integer, Unsigned
 * Integer, Time) are CBOR integers (major 0/1); Float values take the shortest of half, single
 * and double that keeps the value (RFC 8949 §4.1; NaN and infinities included); "t" is an
 * integer when integral, else such a float; String/Corelnk are text strings, Opaque a byte
 * string, both definite (RFC 8428 §6). Nothing is written unless all records are valid.
 *
 * Errors (offset = index of the record): `invalid_argument` (a path not under `base`, or a
 * value at a level above resource), `type_mismatch` (an `untyped` value), `number_out_of_range`
 * (a NaN or infinite time), `invalid_json` / `invalid_base64` / `invalid_utf8` (a value whose
 * encoded text does not decode, or a String/Corelnk that is not UTF-8). Output that does not
 * fit the window is not an error here: check `out.finish()` / `out.total()`.
 * Allocation: none.
 */
[[nodiscard]] inline result<void> write_senml_cbor(std::span<const record> records, const lwm2m::path& base,
                                                   output_window& out) noexcept {
    using senml::label;
    if (auto ok = senml::detail::validate_records(records, base, false); !ok) return ok;
    const senml::detail::name_plan names{records, base};
    cbor::writer w{out};
    w.array(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
        const record& r = records[i];
        const auto name = names.name_of(r.path);
        const bool has_value = senml::value_label(r.value.kind()).has_value();
        const std::uint64_t fields = (i == 0 ? 1u : 0u) + (name ? 1u : 0u) + (r.time ? 1u : 0u) + (has_value ? 1u : 0u);
        w.map(fields);
        if (i == 0) {
            detail::senml_cbor_writer::key(w, label::bn);
            w.text(names.base_name());
        }
        if (name) {
            detail::senml_cbor_writer::key(w, label::n);
            w.text(name->view());
        }
        if (r.time) {
            detail::senml_cbor_writer::key(w, label::t);
            if (senml::detail::integral_time(*r.time)) w.integer(static_cast<std::int64_t>(*r.time));
            else w.floating(*r.time);
        }
        detail::senml_cbor_writer::value_field(w, r.value);
    }
    return {};
}

/**
 * Size in bytes of the pack `write_senml_cbor(records, base, ...)` writes.
 * Errors: as `write_senml_cbor`. Allocation: none.
 */
[[nodiscard]] inline result<std::size_t> senml_cbor_size(std::span<const record> records,
                                                         const lwm2m::path& base) noexcept {
    output_window counter{mutable_bytes{}};
    if (auto ok = write_senml_cbor(records, base, counter); !ok) return unexpected{ok.error()};
    return counter.total();
}

} // namespace lwm2m::format
