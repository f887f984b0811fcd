#pragma once
/**
 * @file format/cbor_value/reader.hpp
 * `cbor_value_reader`: single-value CBOR (application/cbor, Content-Format 60; LwM2M 1.1 Core
 * §7.4, the CBOR data format): the payload is one CBOR data item, the value of one Resource or
 * Resource Instance, as plain text carries one value in text. Allocation: none.
 */

#include <cstddef>
#include <optional>

#include <lwm2m/bytes.hpp>
#include <lwm2m/format/cbor/reader.hpp>
#include <lwm2m/format/lwm2m_cbor/reader.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/format/single_value_reader.hpp>
#include <lwm2m/model/object_def.hpp>
#include <lwm2m/model/resource_def.hpp>
#include <lwm2m/model/schema_registry.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format {

/**
 * Reads a single-value CBOR payload (Content-Format 60): exactly one record, at `base`, which
 * must be a Resource (`/O/I/R`) or a Resource Instance (`/O/I/R/RI`) path.
 *
 * The item is read with the value model of LwM2M CBOR leaves (format/lwm2m_cbor/reader.hpp),
 * which is the one LwM2M 1.1 gives this format and the one Leshan's CBOR encoder and decoder use:
 * Integer as major type 0/1 (`of_unsigned` above INT64_MAX), Float as a half/single/double float
 * or a decimal fraction (tag 4), Boolean, String and Corelnk as a text string, Opaque as a byte
 * string, Time as tag 1 on an integer (or an integer, typed by the schema), Objlnk as the text
 * "ObjID:InstID", `null` as `none` (Leshan reads a null as no value). Non-shortest heads are
 * accepted (RFC 8949 §3: only preferred serialization is asked of encoders), and so are
 * indefinite-length strings (§3.2.3, read as in LwM2M CBOR) and the self-described CBOR tag
 * (55799, §3.4.6) in front of the item.
 *
 * With `schemas` and a known object, the resource must exist, its multiplicity must match the
 * level of `base`, and the value is converted (`coerce`, "3:0" to an Objlnk) and range-checked.
 * Without schemas, or for an unknown object, the value keeps the kind the CBOR item gives.
 *
 * Errors (then every later `next()` returns the same error; offsets in the payload, 0 for errors
 * of `base`, which come first, as in the other one-value formats): `path_wrong_level` (base above
 * resource level); with a schema, `resource_not_in_schema` and `invalid_nesting`;
 * `truncated_value` / `invalid_cbor`
 * from the CBOR tokenizer (an empty payload is `truncated_value` at 0); `invalid_cbor` for an
 * item that is not a value (array, map, `undefined`, another simple value, a tag other than 1
 * and 4) or bytes after the item (at their offset); `invalid_utf8`
 * (at the bad byte); `number_out_of_range` (an integer below INT64_MIN, a tag 1/4 number out of
 * range); with a schema, `type_mismatch`, `number_out_of_range`, `invalid_objlnk` (offset of
 * the item).
 *
 * The payload and the schema registry must outlive the reader; the record views the payload.
 * Allocation: none.
 */
class cbor_value_reader : public detail::single_value_reader<cbor_value_reader> {
public:
    /** A reader over `payload` sent to/for `base`; the value typed with `schemas` when given. Allocation: none. */
    cbor_value_reader(bytes_view payload, const lwm2m::path& base, const schema_registry* schemas = nullptr) noexcept
        : single_value_reader(payload, base, schemas) {}

    /** The payload's one CBOR item as a value, converted for `def` when there is one: see the class comment. */
    [[nodiscard]] static result<value> decode(bytes_view payload, const resource_def* def) noexcept {
        cbor::reader in{payload};
        LWM2M_TRY(it, lwm2m_cbor::detail::top_item(in));
        LWM2M_TRY(v, lwm2m_cbor::detail::leaf_value(in, it, payload));
        if (!in.at_end()) return fail(errc::invalid_cbor, in.offset());
        if (def == nullptr) return v;
        return lwm2m_cbor::detail::apply_schema(v, *def, it.offset);
    }
};

} // namespace lwm2m::format
