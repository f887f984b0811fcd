#pragma once
/**
 * @file format/tlv/writer.hpp
 * `write_tlv`: records to an LwM2M TLV payload (Content-Format 11542; LwM2M 1.0 §6.4.3,
 * 1.1 Core §7.4.3), and `tlv::max_instance_size`, the worst-case size of one encoded
 * instance of an object schema. Allocation: none.
 */

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include <lwm2m/bytes.hpp>
#include <lwm2m/encoding/utf8.hpp>
#include <lwm2m/format/output_window.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/format/tlv/header.hpp>
#include <lwm2m/format/tlv/value_encoding.hpp>
#include <lwm2m/model/data_type.hpp>
#include <lwm2m/model/object_def.hpp>
#include <lwm2m/model/resource_def.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format {

namespace detail::tlv_writer {

using tlv::entry_type;

/** Counts bytes instead of storing them (first pass: container lengths). */
struct byte_counter {
    std::size_t n = 0;
    constexpr void put(bytes_view b) noexcept { n += b.size(); }
    constexpr void put_fixed(entry_type, std::uint16_t id, const tlv::fixed_value& f) noexcept {
        n += tlv::header_size(id, f.size) + f.size;
    }
};

/** Forwards to an output_window (second pass). */
struct window_sink {
    output_window* out;
    constexpr void put(bytes_view b) noexcept { out->put(b); }
    /** A whole fixed-size value TLV; written in place when it fits the window (the common case). */
    constexpr void put_fixed(entry_type type, std::uint16_t id, const tlv::fixed_value& f) noexcept {
        const tlv::header_bytes h = tlv::encode_header(type, id, f.size);
        std::byte* p = std::is_constant_evaluated() ? nullptr : out->direct(tlv::max_header_size + f.bytes.size());
        if (p == nullptr) {
            out->put(h.view());
            out->put(f.view());
            return;
        }
        lwm2m::detail::copy_bytes(p, h.bytes.data(), h.bytes.size());  // fixed-size copies: no branches on sizes
        lwm2m::detail::copy_bytes(p + h.size, f.bytes.data(), f.bytes.size());
        out->advance(std::size_t{h.size} + f.size);
    }
};

/** True for records that are one value of a resource: /O/I/R or /O/I/R/RI. */
[[nodiscard]] constexpr bool is_value_level(const path& p) noexcept { return p.depth() >= 3; }

// The emit_* functions write through a Sink (byte_counter or window_sink). A container's
// length comes from running the same emit_* over its records with a byte_counter first.

/** One header; `invalid_argument` (at record `index`) for a length above 2^24 - 1. */
template <class Sink>
[[nodiscard]] constexpr result<void> put_entry(Sink& sink, entry_type type, std::uint16_t id, std::size_t length,
                                               std::size_t index) noexcept {
    if (length > tlv::max_value_length) return fail(errc::invalid_argument, index);
    sink.put(tlv::encode_header(type, id, length).view());
    return {};
}

/** One value TLV (Resource or Resource Instance) for records[i]. */
template <class Sink>
[[nodiscard]] constexpr result<void> emit_value(Sink& sink, entry_type type, std::uint16_t id,
                                                std::span<const record> records, std::size_t i) noexcept {
    const value& v = records[i].value;
    if (!v.is_bytes()) {  // numbers, booleans, links, none: encode once, the size follows
        sink.put_fixed(type, id, tlv::detail::encode_fixed(v));
        return {};
    }
    auto length = tlv::encoded_value_size(v);
    if (!length) return fail(length.error().code, i);
    if (auto ok = put_entry(sink, type, id, *length, i); !ok) return ok;
    auto written = tlv::encode_value_each(v, [&](bytes_view b) { sink.put(b); });
    if (!written) return fail(written.error().code, i);
    return {};
}

/** End of the run of records from `i` whose paths start with records[i].path's `level` prefix. */
[[nodiscard]] constexpr std::size_t run_end(std::span<const record> records, std::size_t i, path_level level) noexcept {
    const path prefix = records[i].path.prefix(level);
    std::size_t j = i + 1;
    while (j < records.size() && prefix.is_prefix_of(records[j].path)) ++j;
    return j;
}

/**
 * The TLVs of one resource starting at records[i]: a Resource TLV for a record at /O/I/R, a
 * Multiple Resource TLV around the Resource Instance TLVs of the records at /O/I/R/RI.
 * `next` receives the index after the resource.
 */
template <class Sink>
[[nodiscard]] constexpr result<void> emit_resource(Sink& sink, std::span<const record> records, std::size_t i,
                                                   std::size_t& next) noexcept {
    const path& p = records[i].path;
    if (p.level() == path_level::resource) {
        next = i + 1;
        return emit_value(sink, entry_type::resource, p.resource_id(), records, i);
    }
    const std::size_t end = run_end(records, i, path_level::resource);
    byte_counter count;
    for (std::size_t k = i; k < end; ++k)
        if (auto ok = emit_value(count, entry_type::resource_instance, records[k].path.resource_instance_id(), records, k);
            !ok)
            return ok;
    if (auto ok = put_entry(sink, entry_type::multiple_resource, p.resource_id(), count.n, i); !ok) return ok;
    for (std::size_t k = i; k < end; ++k)
        if (auto ok = emit_value(sink, entry_type::resource_instance, records[k].path.resource_instance_id(), records, k);
            !ok)
            return ok;
    next = end;
    return {};
}

/** The resource TLVs of records [i, end) (all in one instance; an instance-level record is skipped). */
template <class Sink>
[[nodiscard]] constexpr result<void> emit_resources(Sink& sink, std::span<const record> records, std::size_t i,
                                                    std::size_t end) noexcept {
    while (i < end) {
        if (!is_value_level(records[i].path)) {
            ++i;
            continue;
        }
        if (auto ok = emit_resource(sink, records, i, i); !ok) return ok;
    }
    return {};
}

/** The Object Instance TLVs of all records (base /O). */
template <class Sink>
[[nodiscard]] constexpr result<void> emit_instances(Sink& sink, std::span<const record> records) noexcept {
    std::size_t i = 0;
    while (i < records.size()) {
        const std::size_t end = run_end(records, i, path_level::instance);
        byte_counter count;
        if (auto ok = emit_resources(count, records, i, end); !ok) return ok;
        if (auto ok = put_entry(sink, entry_type::object_instance, records[i].path.instance_id(), count.n, i); !ok)
            return ok;
        if (auto ok = emit_resources(sink, records, i, end); !ok) return ok;
        i = end;
    }
    return {};
}

/**
 * Checks the records against `base` and each other (see `write_tlv`). Errors:
 * `path_wrong_level` (offset 0), `invalid_argument` (offset = record index).
 */
[[nodiscard]] constexpr result<void> validate(std::span<const record> records, const path& base) noexcept {
    if (base.is_root()) return fail(errc::path_wrong_level, 0);
    for (std::size_t i = 0; i < records.size(); ++i) {
        const path& p = records[i].path;
        if (!base.is_prefix_of(p)) return fail(errc::invalid_argument, i);
        if (i > 0 && !(records[i - 1].path < p)) return fail(errc::invalid_argument, i);
        if (p.level() == path_level::instance) {
            if (records[i].value.kind() != value_kind::none) return fail(errc::invalid_argument, i);
        } else if (!is_value_level(p)) {
            return fail(errc::invalid_argument, i);
        }
        // A resource holds either one value or resource instances, not both.
        if (i > 0 && records[i - 1].path.level() == path_level::resource && records[i - 1].path.is_prefix_of(p))
            return fail(errc::invalid_argument, i);
        // Values must be encodable (NaN and infinities are: IEEE 754 carries them), text UTF-8.
        const value& v = records[i].value;
        if (!v.is_bytes()) continue;  // fixed-size kinds always encode
        if (auto n = tlv::encoded_value_size(v); !n) return fail(n.error().code, i);
        if ((v.kind() == value_kind::string || v.kind() == value_kind::corelnk) && v.encoding() == text_encoding::raw &&
            !encoding::validate_utf8(v.encoded_bytes()))
            return fail(errc::invalid_utf8, i);
    }
    return {};
}

template <class Sink>
[[nodiscard]] constexpr result<void> emit(std::span<const record> records, const path& base, Sink& sink) noexcept {
    if (records.empty()) return {};
    switch (base.level()) {
    case path_level::object: return emit_instances(sink, records);
    case path_level::instance: return emit_resources(sink, records, 0, records.size());
    case path_level::resource: {
        std::size_t next = 0;
        return emit_resource(sink, records, 0, next);
    }
    case path_level::resource_instance:
        return emit_value(sink, entry_type::resource_instance, base.resource_instance_id(), records, 0);
    case path_level::root: break;
    }
    return fail(errc::path_wrong_level, 0);
}

} // namespace detail::tlv_writer

/**
 * Writes `records` as an LwM2M TLV payload for a request on `base` (LwM2M 1.0 §6.4.3,
 * 1.1 Core §7.4.3):
 * - base `/O`: one Object Instance TLV per instance, always (the spec requires them when the
 *   request names no instance);
 * - base `/O/I`: bare Resource / Multiple Resource TLVs;
 * - base `/O/I/R`: one Resource TLV, or one Multiple Resource TLV;
 * - base `/O/I/R/RI`: one Resource Instance TLV.
 * Records at resource-instance level are grouped, per resource, in a Multiple Resource TLV
 * (even a single instance). A record at instance level (`/O/I`, value `none`, as `tlv_reader`
 * yields for an empty Object Instance TLV) makes that instance appear even without resources.
 * Every header takes the shortest form (8-bit ids below 256; inline length below 8, else
 * the shortest length field); values use `tlv::encode_value_each` (values in any
 * `text_encoding` are decoded on the way).
 *
 * `records` must be sorted by path, strictly (no duplicates), each under `base`, at
 * resource or resource-instance level (or instance level with a `none` value), and no
 * resource may have both a value record and resource-instance records.
 * Nothing is written unless all records are valid.
 *
 * Errors: `path_wrong_level` (base is the root; offset 0); `invalid_argument` (a record breaks
 * the rules above, or a value or container is longer than 2^24-1 bytes; offset = index of the
 * record); `invalid_utf8` (a String / Corelnk value that is not UTF-8; offset = record index);
 * `invalid_json` / `invalid_base64` (encoded text that does not decode; offset = record index). Output that does not fit the window is not an error here:
 * check `out.finish()` / `out.total()`.
 * Allocation: none.
 */
[[nodiscard]] constexpr result<void> write_tlv(std::span<const record> records, const lwm2m::path& base,
                                               output_window& out) noexcept {
    if (auto ok = detail::tlv_writer::validate(records, base); !ok) return ok;
    detail::tlv_writer::window_sink sink{&out};
    return detail::tlv_writer::emit(records, base, sink);
}

/**
 * Size in bytes of the payload `write_tlv(records, base, ...)` writes.
 * Errors: as `write_tlv`. Allocation: none.
 */
[[nodiscard]] constexpr result<std::size_t> tlv_size(std::span<const record> records, const lwm2m::path& base) noexcept {
    if (auto ok = detail::tlv_writer::validate(records, base); !ok) return unexpected{ok.error()};
    detail::tlv_writer::byte_counter count;
    if (auto ok = detail::tlv_writer::emit(records, base, count); !ok) return unexpected{ok.error()};
    return count.n;
}

namespace tlv {

/**
 * Worst-case size in bytes of the TLV encoding of one instance of `object` (the bare Resource
 * / Multiple Resource TLVs, as a Read of `/O/I` returns them), assuming every non-executable
 * resource is present at its largest value: 8 bytes for Integer, Unsigned Integer, Time and
 * Float, 1 for Boolean, 4 for Objlnk, the range maximum (in bytes) for String, Opaque and
 * Corelnk. Executable resources carry no value and are not counted.
 *
 * Multiple-instance resources count `max_resource_instances` instances, each with a 16-bit
 * id (any id 0..65534 may be used); without that bound they make the size unbounded.
 * Add `header_size(65534, n) + n`-style wrapping for a Read of `/O` (an Object Instance TLV
 * header is at most 6 bytes).
 *
 * Returns `std::nullopt` when some resource is unbounded: a String / Opaque / Corelnk without
 * a range, or a multiple resource without `max_resource_instances`, or a total above
 * `max_value_length` per TLV. Allocation: none.
 */
[[nodiscard]] constexpr std::optional<std::size_t>
max_instance_size(const object_view& object, std::optional<std::size_t> max_resource_instances = std::nullopt) noexcept {
    std::size_t total = 0;
    for (const resource_def& r : object.resources()) {
        std::size_t value_size = 0;
        switch (r.type) {
        case data_type::none: continue;
        case data_type::integer:
        case data_type::unsigned_integer:
        case data_type::time:
        case data_type::float_: value_size = 8; break;
        case data_type::boolean: value_size = 1; break;
        case data_type::objlnk: value_size = 4; break;
        case data_type::string:
        case data_type::opaque:
        case data_type::corelnk:
            if (!r.range.present || !(r.range.max >= 0) || r.range.max > static_cast<double>(max_value_length))
                return std::nullopt;
            value_size = static_cast<std::size_t>(r.range.max); // whole bytes: truncation is floor here
            break;
        }
        if (!r.is_multiple()) {
            total += header_size(r.id, value_size) + value_size;
            continue;
        }
        if (!max_resource_instances) return std::nullopt;
        const std::size_t one = header_size(0xFFFF, value_size) + value_size;
        const std::size_t n = *max_resource_instances;
        if (n != 0 && one > max_value_length / n) return std::nullopt;
        const std::size_t content = one * n;
        total += header_size(r.id, content) + content;
    }
    return total;
}

} // namespace tlv

} // namespace lwm2m::format
