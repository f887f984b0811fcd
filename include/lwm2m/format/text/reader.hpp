#pragma once
/**
 * @file format/text/reader.hpp
 * Plain text (text/plain;charset=utf-8, Content-Format 0; LwM2M 1.0 §6.4.1, 1.1 Core
 * §7.4.1): one value of a single Resource or Resource Instance. `text::parse_value` reads the
 * text of one data type; `text_reader` is the pull cursor of the common format shape.
 * Allocation: none.
 */

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/config.hpp>
#include <lwm2m/encoding/base64.hpp>
#include <lwm2m/encoding/ieee754.hpp>
#include <lwm2m/encoding/number_text.hpp>
#include <lwm2m/encoding/utf8.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/format/single_value_reader.hpp>
#include <lwm2m/model/coerce.hpp>
#include <lwm2m/model/data_type.hpp>
#include <lwm2m/model/object_def.hpp>
#include <lwm2m/model/resource_def.hpp>
#include <lwm2m/model/schema_registry.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/model/value_bytes.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format {

namespace text {

namespace detail {
/** One object-link part: 1..5 decimal digits, at most 65535. */
[[nodiscard]] constexpr std::optional<std::uint16_t> parse_link_id(std::string_view s) noexcept {
    if (s.empty() || s.size() > 5) return std::nullopt;
    std::uint32_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (v > 0xFFFF) return std::nullopt;
    return static_cast<std::uint16_t>(v);
}
} // namespace detail

/**
 * Parses the plain-text form of one value of data type `t` (LwM2M 1.0 §6.4.1, 1.1 Core §7.4.1):
 * - String, Corelnk: UTF-8 text (the value views `text`);
 * - Integer, Time: signed decimal (`-12`, also `+12`, `007`); Unsigned Integer: decimal,
 *   no sign but `+`; Float: decimal with optional point, fraction and exponent (`22.5`,
 *   `-1e+20`, `1.0E3`, and `+1.5`, `5.`, `.5`). §7.4.1 names no grammar: this is what Java's
 *   Long.parseLong / Double.parseDouble and C's strtod read and what such peers print
 *   (`encoding::scan_decimal_number`), without spaces, NaN, Infinity or hex; an Integer in
 *   float notation (`1.0`, `1e3`) is refused, not rounded;
 * - Boolean: `0` or `1` (not `true`/`false`: §7.4.1 says 0 or 1, and Wakaama and Leshan
 *   refuse the words too);
 * - Objlnk: `ObjID:InstID`, each 0..65535 (`66:0`, `65535:65535` for the null link);
 * - Opaque: standard base64 with padding (RFC 4648 §4; LwM2M 1.1). The value keeps the base64
 *   view (`text_encoding::base64`); `copy_value_bytes` decodes it;
 * - none (executable resources): only the empty text.
 * Errors (offset inside `text`): `invalid_utf8`, `invalid_number`, `number_out_of_range`
 * (does not fit 64 bits), `invalid_boolean`, `invalid_objlnk`, `invalid_base64`,
 * `type_mismatch` (text for `none`), `float_not_supported` (Float, with LWM2M_FLOAT_VALUES 0),
 * `base64_not_supported` (Opaque, with LWM2M_BASE64_VALUES 0).
 * Allocation: none.
 */
[[nodiscard]] inline result<value> parse_value(bytes_view text, data_type t) noexcept {
    const std::string_view s = as_chars(text);
    switch (t) {
    case data_type::string:
    case data_type::corelnk:
        if (auto ok = encoding::validate_utf8(text); !ok) return unexpected{ok.error()};
        return t == data_type::string ? value::of_string(s) : value::of_corelnk(s);
    case data_type::integer:
    case data_type::time: {
        LWM2M_TRY(v, encoding::parse_int64(s));
        return t == data_type::time ? value::of_time(v) : value::of_integer(v);
    }
    case data_type::unsigned_integer: {
        LWM2M_TRY(v, encoding::parse_uint64(s));
        return value::of_unsigned(v);
    }
    case data_type::float_: {
        if constexpr (!config::float_values) return fail(errc::float_not_supported, 0);
        LWM2M_TRY(v, encoding::parse_double(s));
        return value::of_float(v);
    }
    case data_type::boolean:
        if (s.size() == 1 && (s[0] == '0' || s[0] == '1')) return value::of_boolean(s[0] == '1');
        return fail(errc::invalid_boolean, 0);
    case data_type::objlnk: {
        const std::size_t colon = s.find(':');
        if (colon == std::string_view::npos) return fail(errc::invalid_objlnk, 0);
        const auto object = detail::parse_link_id(slice(s, 0, colon));
        if (!object) return fail(errc::invalid_objlnk, 0);
        const auto instance = detail::parse_link_id(slice(s, colon + 1));
        if (!instance) return fail(errc::invalid_objlnk, colon + 1);
        return value::of_objlnk(objlnk{*object, *instance});
    }
    case data_type::opaque: {
        if constexpr (!config::base64_values) return fail(errc::base64_not_supported, 0);
        if (auto ok = encoding::base64_decoded_size(s, encoding::base64_alphabet::standard); !ok)
            return unexpected{ok.error()};
        return value::of_opaque(text, text_encoding::base64);
    }
    case data_type::none:
        if (!text.empty()) return fail(errc::type_mismatch, 0);
        return value::of_none();
    }
    return fail(errc::type_mismatch, 0);
}

} // namespace text

/**
 * Reads a plain-text payload (Content-Format 0; LwM2M 1.0 §6.4.1, 1.1 Core §7.4.1): exactly
 * one record, at `base`, which must be a Resource (`/O/I/R`) or a Resource Instance
 * (`/O/I/R/RI`) path.
 *
 * The text carries no type: with `schemas` and a known object, the resource's data type
 * decides (`text::parse_value`) and the value is range-checked (`check_range`; for Opaque,
 * on the decoded length). Without schemas, or for an unknown object, the value stays a
 * String (the raw text, validated as UTF-8); `text::parse_value` converts it later.
 *
 * Errors (then every later `next()` returns the same error; offsets are in the payload, 0 for
 * errors of `base`): `path_wrong_level` (base is not a resource or resource instance),
 * `resource_not_in_schema`, `invalid_nesting` (base `/O/I/R` of a multiple resource — plain
 * text holds one value — or `/O/I/R/RI` of a single one), the errors of `text::parse_value`,
 * `number_out_of_range` (range check).
 *
 * The payload and the schema registry must outlive the reader; the record views the payload.
 * Allocation: none.
 */
class text_reader : public detail::single_value_reader<text_reader> {
public:
    /** A reader over `payload` sent to/for `base`; the value typed with `schemas` when given. Allocation: none. */
    text_reader(bytes_view payload, const lwm2m::path& base, const schema_registry* schemas = nullptr) noexcept
        : single_value_reader(payload, base, schemas) {}

    /** The value of `payload` for `def` (a String without one): see the class comment. */
    [[nodiscard]] static result<value> decode(bytes_view payload, const resource_def* def) noexcept {
        if (def == nullptr) return text::parse_value(payload, data_type::string);
        LWM2M_TRY(v, text::parse_value(payload, def->type));
        if (v.kind() == value_kind::opaque) {
            LWM2M_TRY(n, value_byte_size(v));
            if (!def->range.contains(encoding::to_double(n))) return fail(errc::number_out_of_range, 0);
        } else if (auto ok = check_range(v, *def); !ok) {
            return fail(ok.error().code, 0);
        }
        return v;
    }
};

} // namespace lwm2m::format
