#pragma once
/**
 * @file codec.hpp
 * Choosing a content format at run time: `any_reader` reads records from a payload of any
 * supported Content-Format, `write_records` writes records in any of them, and `convert`
 * goes from one to another through the common record representation.
 *
 * Supported: text (0), opaque (42), single-value CBOR (60), SenML JSON (110), SenML CBOR (112), TLV (11542, and the
 * legacy 1542 on input), OMA JSON (11543, and 1543 on input), LwM2M CBOR (11544).
 * Link format (40) carries links, not records: see `format/link.hpp`.
 * Errors: `unsupported_content_format`, and whatever the format reports. Allocation: none.
 */

#include <cstddef>
#include <optional>
#include <span>
#include <variant>

#include <lwm2m/bytes.hpp>
#include <lwm2m/format/cbor_value.hpp>
#include <lwm2m/format/content_format.hpp>
#include <lwm2m/format/lwm2m_cbor.hpp>
#include <lwm2m/format/oma_json.hpp>
#include <lwm2m/format/opaque.hpp>
#include <lwm2m/format/output_window.hpp>
#include <lwm2m/format/read_all.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/format/senml_cbor.hpp>
#include <lwm2m/format/senml_json.hpp>
#include <lwm2m/format/text.hpp>
#include <lwm2m/format/tlv.hpp>
#include <lwm2m/model/schema_registry.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format {

/** True if `f` (after legacy aliasing) carries records this codec reads and writes. */
[[nodiscard]] constexpr bool is_record_format(content_format f) noexcept {
    switch (canonical(f)) {
    case content_format::text:
    case content_format::opaque:
    case content_format::cbor:
    case content_format::senml_json:
    case content_format::senml_cbor:
    case content_format::tlv:
    case content_format::oma_json:
    case content_format::lwm2m_cbor: return true;
    default: return false;
    }
}

/** A pull reader over a payload of any record format (the variant is only ever accessed
 *  through `std::get_if`, so nothing can throw). */
class any_reader {
public:
    /** Opens `payload` as `format` at request path `base`. Errors: `unsupported_content_format`. */
    [[nodiscard]] static result<any_reader> open(content_format format, bytes_view payload, const lwm2m::path& base,
                                                 const schema_registry* schemas = nullptr) noexcept {
        any_reader r;
        switch (canonical(format)) {
        case content_format::text: r.reader_.emplace<text_reader>(payload, base, schemas); break;
        case content_format::opaque: r.reader_.emplace<opaque_reader>(payload, base, schemas); break;
        case content_format::cbor: r.reader_.emplace<cbor_value_reader>(payload, base, schemas); break;
        case content_format::senml_json: r.reader_.emplace<senml_json_reader>(payload, base, schemas); break;
        case content_format::senml_cbor: r.reader_.emplace<senml_cbor_reader>(payload, base, schemas); break;
        case content_format::tlv: r.reader_.emplace<tlv_reader>(payload, base, schemas); break;
        case content_format::oma_json: r.reader_.emplace<oma_json_reader>(payload, base, schemas); break;
        case content_format::lwm2m_cbor: r.reader_.emplace<lwm2m_cbor_reader>(payload, base, schemas); break;
        default: return fail(errc::unsupported_content_format);
        }
        return r;
    }

    /** The next record, nullopt at the end, or the format's error. */
    [[nodiscard]] result<std::optional<record>> next() noexcept {
        if (auto* r = std::get_if<text_reader>(&reader_)) return r->next();
        if (auto* r = std::get_if<opaque_reader>(&reader_)) return r->next();
        if (auto* r = std::get_if<senml_json_reader>(&reader_)) return r->next();
        if (auto* r = std::get_if<senml_cbor_reader>(&reader_)) return r->next();
        if (auto* r = std::get_if<tlv_reader>(&reader_)) return r->next();
        if (auto* r = std::get_if<oma_json_reader>(&reader_)) return r->next();
        if (auto* r = std::get_if<lwm2m_cbor_reader>(&reader_)) return r->next();
        // Last, here and in the variant: ahead of the others it cost OMA JSON pull decode 81
        // instructions on the Device object (bench/format_callgrind.sh).
        if (auto* r = std::get_if<cbor_value_reader>(&reader_)) return r->next();
        return fail(errc::unsupported_content_format);
    }

private:
    any_reader() noexcept = default;
    std::variant<std::monostate, text_reader, opaque_reader, senml_json_reader, senml_cbor_reader, tlv_reader,
                 oma_json_reader, lwm2m_cbor_reader, cbor_value_reader>
        reader_{};
};

namespace detail {
/**
 * `read_records` of the formats other than TLV (`tlv::read_records` takes it): the format
 * picked once, then its own reader's loop (not `any_reader`, which would pick the reader again
 * for every record). Out of line: the TLV path stays short.
 */
[[nodiscard]] LWM2M_NOINLINE inline result<std::size_t> read_records_any(content_format format, bytes_view payload,
                                                                         const lwm2m::path& base,
                                                                         const schema_registry* schemas,
                                                                         std::span<record> out) noexcept {
    switch (canonical(format)) {
    case content_format::text: return read_all<text_reader>(payload, base, schemas, out);
    case content_format::opaque: return read_all<opaque_reader>(payload, base, schemas, out);
    case content_format::senml_json: return read_all<senml_json_reader>(payload, base, schemas, out);
    case content_format::senml_cbor: return read_all<senml_cbor_reader>(payload, base, schemas, out);
    case content_format::oma_json: return read_all<oma_json_reader>(payload, base, schemas, out);
    case content_format::lwm2m_cbor: return read_all<lwm2m_cbor_reader>(payload, base, schemas, out);
    default:
        // Not a case of its own: one more case reshaped the compare tree (SenML CBOR bulk read +7
        // instructions in bench/format_callgrind.sh).
        if (canonical(format) == content_format::cbor) return read_all<cbor_value_reader>(payload, base, schemas, out);
        return fail(errc::unsupported_content_format);
    }
}
} // namespace detail

/**
 * Reads every record of `payload` into `out`. Errors: the format's, `capacity_exceeded`
 * when `out` is too small (offset = records read so far). Returns the number of records.
 * TLV (11542, 1542) goes to `tlv::read_records` (one loop into `out`), the other formats
 * to their reader's loop. After an error other than `capacity_exceeded`, `out` holds the records
 * read before it and the record after them may be overwritten.
 */
[[nodiscard]] LWM2M_HOT_INLINE inline result<std::size_t> read_records(content_format format, bytes_view payload, const lwm2m::path& base,
                                                      const schema_registry* schemas, std::span<record> out) noexcept {
    if (format == content_format::tlv || format == content_format::tlv_legacy)
        return tlv::read_records(payload, base, schemas, out);
    return detail::read_records_any(format, payload, base, schemas, out);
}

namespace detail {
/** `write_cbor_value` as a call: inlined, its body made `write_records` too large for GCC to keep the
 *  other formats' writers inline (encode +18 to +42 instructions in bench/format_callgrind.sh). */
[[nodiscard]] LWM2M_NOINLINE inline result<void> write_cbor_value_out_of_line(std::span<const record> records,
                                                                              const lwm2m::path& base,
                                                                              output_window& out) noexcept {
    return write_cbor_value(records, base, out);
}
} // namespace detail

/** Writes `records` (sorted by path, under `base`) as `format` into `out`. */
[[nodiscard]] inline result<void> write_records(content_format format, std::span<const record> records,
                                                const lwm2m::path& base, output_window& out) noexcept {
    // TLV first (the commonest LwM2M 1.0 payload): one compare instead of a walk down the
    // switch's compare tree. The legacy numbers as cases of their own (not `canonical` first,
    // two more compares).
    if (format == content_format::tlv) return write_tlv(records, base, out);
    switch (format) {
    case content_format::text: return write_text(records, base, out);
    case content_format::opaque: return write_opaque(records, base, out);
    case content_format::cbor: return detail::write_cbor_value_out_of_line(records, base, out);
    case content_format::senml_json: return write_senml_json(records, base, out);
    case content_format::senml_cbor: return write_senml_cbor(records, base, out);
    case content_format::tlv:
    case content_format::tlv_legacy: return write_tlv(records, base, out);
    case content_format::oma_json:
    case content_format::json_legacy: return write_oma_json(records, base, out);
    case content_format::lwm2m_cbor: return write_lwm2m_cbor(records, base, out);
    default: return fail(errc::unsupported_content_format);
    }
}

/**
 * Converts a payload from one format to another through records held in `scratch`
 * (values keep viewing `payload`). With `schemas`, values are typed on the way, which TLV
 * input needs to be written as anything but TLV or opaque.
 */
[[nodiscard]] inline result<void> convert(content_format from, bytes_view payload, content_format to,
                                          const lwm2m::path& base, const schema_registry* schemas,
                                          std::span<record> scratch, output_window& out) noexcept {
    LWM2M_TRY(n, read_records(from, payload, base, schemas, scratch));
    return write_records(to, scratch.first(n), base, out);
}

} // namespace lwm2m::format
