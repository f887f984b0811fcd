#pragma once
/**
 * @file format/opaque/writer.hpp
 * Opaque (application/octet-stream, Content-Format 42; LwM2M 1.0 §6.4.2, 1.1 Core §7.4.2)
 * output: the bytes of one Opaque value. Allocation: none.
 */

#include <cstddef>
#include <span>

#include <lwm2m/bytes.hpp>
#include <lwm2m/format/output_window.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/model/value_bytes.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format {

namespace detail {
[[nodiscard]] constexpr result<void> opaque_single_record(std::span<const record> records,
                                                          const lwm2m::path& base) noexcept {
    if (base.level() != path_level::resource && base.level() != path_level::resource_instance)
        return fail(errc::path_wrong_level, 0);
    if (records.size() != 1) return fail(errc::invalid_argument, records.empty() ? 0 : 1);
    if (records[0].path != base) return fail(errc::invalid_argument, 0);
    const value_kind k = records[0].value.kind();
    if (k != value_kind::opaque && k != value_kind::untyped) return fail(errc::type_mismatch, 0);
    // Encoded bytes (base64 from a text format) must decode before anything is written.
    if (auto n = value_byte_size(records[0].value); !n) return fail(n.error().code, 0);
    return {};
}
} // namespace detail

/**
 * Writes the one record for `base` as an opaque payload (Content-Format 42): the value's
 * bytes, decoded if the value is in base64 / base64url (e.g. read from plain text or SenML).
 * The value must be Opaque or `untyped` (raw bytes read without a schema).
 * Nothing is written unless it succeeds.
 * Errors: `path_wrong_level` (base is not a resource or resource instance; offset 0),
 * `invalid_argument` (not exactly one record, or its path is not `base`; offset = record
 * index), `type_mismatch` (another kind of value; offset 0), `invalid_base64` /
 * `invalid_json` (encoded bytes that do not decode; offset 0). Allocation: none.
 */
[[nodiscard]] constexpr result<void> write_opaque(std::span<const record> records, const lwm2m::path& base,
                                                  output_window& out) noexcept {
    if (auto ok = detail::opaque_single_record(records, base); !ok) return ok;
    const value& v = records[0].value;
    if (v.encoding() == text_encoding::raw) {
        out.put(v.encoded_bytes());
        return {};
    }
    auto n = for_each_value_byte(v, [&](std::byte b) { out.put(b); });
    if (!n) return fail(n.error().code, 0);
    return {};
}

/** Size in bytes of what `write_opaque(records, base, ...)` writes. Errors: as `write_opaque`. Allocation: none. */
[[nodiscard]] constexpr result<std::size_t> opaque_size(std::span<const record> records,
                                                        const lwm2m::path& base) noexcept {
    if (auto ok = detail::opaque_single_record(records, base); !ok) return unexpected{ok.error()};
    return value_byte_size(records[0].value);
}

} // namespace lwm2m::format
