#pragma once
/**
 * @file format/text/writer.hpp
 * Plain text (text/plain;charset=utf-8, Content-Format 0; LwM2M 1.0 §6.4.1, 1.1 Core
 * §7.4.1) output: `text::write_value` for one value, `write_text` / `text_size` in the common
 * writer shape. Allocation: none.
 */

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/config.hpp>
#include <lwm2m/encoding/base64.hpp>
#include <lwm2m/encoding/number_text.hpp>
#include <lwm2m/encoding/utf8.hpp>
#include <lwm2m/format/output_window.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/model/value_bytes.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format {

namespace text {

/**
 * Writes the plain-text form of `v` (LwM2M 1.0 §6.4.1, 1.1 Core §7.4.1; the inverse of
 * `text::parse_value`): String and Corelnk as UTF-8 (text in any `text_encoding` is decoded);
 * Integer, Time and Unsigned Integer in decimal; Float in the shortest decimal that reads back
 * to the same double (`22.5`, `1e+20`); Boolean `0`/`1`; Objlnk `ObjID:InstID`; Opaque as
 * standard base64 with padding (LwM2M 1.1; a value already in standard base64 is copied);
 * `none` (executable resources) as the empty text, as `text::parse_value` reads it.
 * Errors (offset 0): `type_mismatch` (an `untyped` value: raw bytes of unknown type),
 * `invalid_utf8` (a String / Corelnk that is not UTF-8),
 * `invalid_argument` (NaN or an infinity), `invalid_json` / `invalid_base64` (encoded text
 * that does not decode), `float_not_supported` (a Float, with LWM2M_FLOAT_VALUES 0),
 * `base64_not_supported` (an Opaque, with LWM2M_BASE64_VALUES 0). Output
 * beyond the window is counted, not an error. Allocation: none.
 */
[[nodiscard]] inline result<void> write_value(const value& v, output_window& out) noexcept {
    std::array<char, encoding::max_number_text> buf{};
    const auto put_number = [&](result<std::size_t> n) -> result<void> {
        if (!n) return fail(n.error().code, 0);
        out.put(std::string_view{buf.data(), *n});
        return {};
    };
    switch (v.kind()) {
    case value_kind::string:
    case value_kind::corelnk: {
        if (v.encoding() == text_encoding::raw && !encoding::validate_utf8(v.encoded_bytes()))
            return fail(errc::invalid_utf8, 0);
        auto n = for_each_value_byte(v, [&](std::byte b) { out.put(b); });
        if (!n) return fail(n.error().code, 0);
        return {};
    }
    case value_kind::integer:
    case value_kind::time: return put_number(encoding::format_number(v.as_integer(), buf));
    case value_kind::unsigned_integer: return put_number(encoding::format_number(v.as_unsigned(), buf));
    case value_kind::float_:
        if constexpr (!config::float_values) return fail(errc::float_not_supported, 0);
        return put_number(encoding::format_number(v.as_float(), buf));
    case value_kind::boolean: out.put(v.as_boolean() ? '1' : '0'); return {};
    case value_kind::objlnk: {
        if (auto ok = put_number(encoding::format_number(std::uint64_t{v.as_objlnk().object_id}, buf)); !ok) return ok;
        out.put(':');
        return put_number(encoding::format_number(std::uint64_t{v.as_objlnk().instance_id}, buf));
    }
    case value_kind::opaque: {
        if constexpr (!config::base64_values) return fail(errc::base64_not_supported, 0);
        if (v.encoding() == text_encoding::base64) {
            // Readers validate base64 (canonical: padding, zero unused bits); re-check cheaply.
            if (auto ok = encoding::base64_decoded_size(as_chars(v.encoded_bytes()), encoding::base64_alphabet::standard);
                !ok)
                return fail(ok.error().code, 0);
            out.put(v.encoded_bytes());
            return {};
        }
        encoding::base64_stream b64{encoding::base64_alphabet::standard, [&out](char c) { out.put(c); }};
        auto n = for_each_value_byte(v, [&](std::byte b) { b64.put(b); });
        if (!n) return fail(n.error().code, 0);
        b64.finish();
        return {};
    }
    case value_kind::none: return {};
    case value_kind::untyped: break;
    }
    return fail(errc::type_mismatch, 0);
}

} // namespace text

namespace detail {
[[nodiscard]] inline result<void> text_single_record(std::span<const record> records, const lwm2m::path& base) noexcept {
    if (base.level() != path_level::resource && base.level() != path_level::resource_instance)
        return fail(errc::path_wrong_level, 0);
    if (records.size() != 1) return fail(errc::invalid_argument, records.empty() ? 0 : 1);
    if (records[0].path != base) return fail(errc::invalid_argument, 0);
    return {};
}
} // namespace detail

/**
 * Writes the one record for `base` as plain text (Content-Format 0; LwM2M 1.0 §6.4.1,
 * 1.1 Core §7.4.1), see `text::write_value`. Nothing is written unless it succeeds.
 * Errors: `path_wrong_level` (base is not a resource or resource instance; offset 0),
 * `invalid_argument` (not exactly one record, or its path is not `base`; offset = record
 * index), the errors of `text::write_value`. Allocation: none.
 */
[[nodiscard]] inline result<void> write_text(std::span<const record> records, const lwm2m::path& base,
                                             output_window& out) noexcept {
    if (auto ok = detail::text_single_record(records, base); !ok) return ok;
    output_window dry{mutable_bytes{}};
    if (auto ok = text::write_value(records[0].value, dry); !ok) return ok;
    return text::write_value(records[0].value, out);
}

/** Size in bytes of what `write_text(records, base, ...)` writes. Errors: as `write_text`. Allocation: none. */
[[nodiscard]] inline result<std::size_t> text_size(std::span<const record> records, const lwm2m::path& base) noexcept {
    output_window dry{mutable_bytes{}};
    if (auto ok = write_text(records, base, dry); !ok) return unexpected{ok.error()};
    return dry.total();
}

} // namespace lwm2m::format
