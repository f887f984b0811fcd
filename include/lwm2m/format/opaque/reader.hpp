#pragma once
/**
 * @file format/opaque/reader.hpp
 * Opaque (application/octet-stream, Content-Format 42; LwM2M 1.0 §6.4.2, 1.1 Core §7.4.2):
 * the whole payload is the value of one Opaque Resource or Resource Instance.
 * Allocation: none.
 */

#include <optional>

#include <lwm2m/bytes.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/format/single_value_reader.hpp>
#include <lwm2m/model/coerce.hpp>
#include <lwm2m/model/data_type.hpp>
#include <lwm2m/model/object_def.hpp>
#include <lwm2m/model/resource_def.hpp>
#include <lwm2m/model/schema_registry.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format {

/**
 * Reads an opaque payload (Content-Format 42; LwM2M 1.0 §6.4.2, 1.1 Core §7.4.2): exactly one
 * record at `base` (a Resource `/O/I/R` or Resource Instance `/O/I/R/RI` path) whose value is
 * the whole payload as an Opaque value (zero-copy; an empty payload is an empty value).
 *
 * With `schemas` and a known object, the resource must exist, be of type Opaque, have the
 * multiplicity `base` implies, and the length must be within its range.
 *
 * Errors (then every later `next()` returns the same error; offset 0): `path_wrong_level`
 * (base is not a resource or resource instance), `resource_not_in_schema`, `invalid_nesting`
 * (base `/O/I/R` of a multiple resource or `/O/I/R/RI` of a single one), `type_mismatch`
 * (the resource is not Opaque), `number_out_of_range` (length outside the range).
 *
 * The payload and the schema registry must outlive the reader; the record views the payload.
 * Allocation: none.
 */
class opaque_reader : public detail::single_value_reader<opaque_reader> {
public:
    /** A reader over `payload` sent to/for `base`, checked against `schemas` when given. Allocation: none. */
    opaque_reader(bytes_view payload, const lwm2m::path& base, const schema_registry* schemas = nullptr) noexcept
        : single_value_reader(payload, base, schemas) {}

    /** The whole payload as an Opaque value, checked against `def` when there is one: see the class comment. */
    [[nodiscard]] static result<value> decode(bytes_view payload, const resource_def* def) noexcept {
        const value v = value::of_opaque(payload);
        if (def == nullptr) return v;
        if (def->type != data_type::opaque) return fail(errc::type_mismatch, 0);
        if (auto ok = check_range(v, *def); !ok) return fail(ok.error().code, 0);
        return v;
    }
};

} // namespace lwm2m::format
