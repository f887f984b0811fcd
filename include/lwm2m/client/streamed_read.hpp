#pragma once
/**
 * @file client/streamed_read.hpp
 * `dm::stream_read`: a Read or a notification encoded straight from the objects into the
 * output window, with no record list in between. Each value goes from the object's `read`
 * hook into the format writer while the hook runs (so the hook may still hand out views of
 * temporaries), so a Read of any size needs no record or text buffer: Block2 windows of a
 * large answer are cut from the same walk (RFC 7959 §2.2).
 *
 * What comes before its content is measured by a first walk over the same values: the length
 * of a TLV Object Instance or Multiple Resource (LwM2M 1.1 Core §7.4.3) and the size of the
 * SenML CBOR array (RFC 8428 §6) of more than one value. The hooks are then called again to
 * write; a value whose encoded size changed in between (a clock ticking over to a longer
 * number, a sensor's 22.5 that fits a 4-byte float becoming 22.4, say) is detected and the read
 * is done once more. That second attempt writes every TLV number in 8 bytes, so numbers that
 * keep changing cannot change a length again; only a text or opaque value, or the instances,
 * changing once more fail it with `value_changed` (answered 5.00). A single value (a resource or
 * resource instance) is read once in every format, so an observed sensor is sampled once per
 * evaluation.
 *
 * The bytes are those of the record list the engine kept before (`collect`, then the format's
 * writer over all the records; tests/client/streamed_read_test.cpp holds them equal) whenever
 * each hook delivers its resource instances in ascending order (a record list sorts them; a
 * stream keeps the hook's order, which every format allows). Allocation: none.
 */

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include <lwm2m/client/dm.hpp>
#include <lwm2m/client/object_binding.hpp>
#include <lwm2m/client/observation.hpp>
#include <lwm2m/format/cbor/writer.hpp>
#include <lwm2m/format/content_format.hpp>
#include <lwm2m/format/output_window.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/format/tlv/header.hpp>
#include <lwm2m/format/tlv/value_encoding.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::client::dm {

/** What a streamed read delivered: how many values, their digest, the value if it is one number. */
struct read_summary {
    std::size_t values = 0;
    std::uint32_t digest = records_digest_seed;  ///< `records_digest` of the values, in order
    std::optional<double> numeric{};             ///< the value, when exactly one numeric value was read
    bool encode_error = false;                   ///< the read failed in a writer (the client's fault: 5.00)
    /// When set, also given each value read (the engine keeps the instances of an observed
    /// multi-instance resource this way, `client::instance_capture`); kept by `restart`. One
    /// pointer: it takes the padding after `encode_error` on 32-bit targets.
    value_hook* on_value = nullptr;

    void add(const format::record& r) noexcept {
        numeric = values == 0 ? numeric_value(r.value) : std::nullopt;
        ++values;
        digest = records_digest_add(digest, r);
        if (on_value != nullptr) on_value->call(*on_value, r);
    }
    /** As a new summary, with the same value hook (a read done again from the start). */
    void restart() noexcept {
        values = 0;
        digest = records_digest_seed;
        numeric.reset();
        encode_error = false;
    }
};

/** The `read_summary` of records read into a list. */
[[nodiscard]] inline read_summary summarize(std::span<const format::record> records) noexcept {
    read_summary s;
    for (const format::record& r : records) s.add(r);
    return s;
}

/** Reads the values of `target` for their `read_summary` only (an observation's sample), giving each to `hook` if any. */
[[nodiscard]] inline result<read_summary> summarize_read(std::span<const object_binding> objects, const path& target,
                                                         value_hook* hook = nullptr) noexcept {
    read_summary s;
    s.on_value = hook;
    auto add = [&s](const format::record& r) -> result<void> {
        s.add(r);
        return {};
    };
    if (auto ok = walk_read(objects, target, record_sink::of(add)); !ok) return unexpected{ok.error()};
    return s;
}

namespace detail {

/** `r`, noting in `summary` when it is a writer's error. */
[[nodiscard]] inline result<void> writer_result(read_summary& summary, result<void> r) noexcept {
    if (!r) summary.encode_error = true;
    return r;
}

/**
 * True when `r` holds a number that a `wide` TLV read writes in 8 bytes: an Integer, Unsigned
 * Integer, Time or Float. Whatever the number, its TLV is then as long, so a sensor whose
 * reading changes between the measuring and the writing walk (22.5 fits 4 bytes, 22.4 needs
 * 8) cannot change a measured length (LwM2M 1.1 Core §7.4.3 allows 1, 2, 4 or 8 bytes for
 * integers and 4 or 8 for floats).
 */
[[nodiscard]] constexpr bool tlv_wide_number(const format::record& r) noexcept {
    switch (r.value.kind()) {
    case value_kind::integer:
    case value_kind::unsigned_integer:
    case value_kind::time:
    case value_kind::float_: return true;
    default: return false;
    }
}

/** The header of `r`'s TLV (a Resource or Resource Instance) with a value of `length` bytes. */
[[nodiscard]] inline format::tlv::header_bytes tlv_value_header(const format::record& r, std::size_t length) noexcept {
    if (r.path.level() == path_level::resource_instance)
        return format::tlv::encode_header(format::tlv::entry_type::resource_instance, r.path.resource_instance_id(), length);
    return format::tlv::encode_header(format::tlv::entry_type::resource, r.path.resource_id(), length);
}

/**
 * Writes each value as its own bare TLV (Resource or Resource Instance), counting it in
 * `summary`; numbers in 8 bytes when `wide` (see `tlv_wide_number`).
 */
struct tlv_entries {
    format::output_window* out;
    read_summary* summary;
    bool wide = false;
    result<void> operator()(const format::record& r) const noexcept {
        summary->add(r);
        if (wide && tlv_wide_number(r)) {
            out->put(tlv_value_header(r, 8).view());
            out->put(format::tlv::detail::to_fixed_value(format::tlv::detail::widest_bits(r.value)).view());
            return {};
        }
        return writer_result(*summary, format::write_tlv(std::span<const format::record>{&r, 1}, r.path, *out));
    }
};

/** Counts the bytes `tlv_entries` would write, and the values. */
struct tlv_measure {
    read_summary* summary;
    bool wide = false;
    std::size_t bytes = 0;
    std::size_t values = 0;
    result<void> operator()(const format::record& r) noexcept {
        ++values;
        if (wide && tlv_wide_number(r)) {
            bytes += tlv_value_header(r, 8).size + 8;
            return {};
        }
        format::output_window counter{mutable_bytes{}};
        if (auto ok = format::write_tlv(std::span<const format::record>{&r, 1}, r.path, counter); !ok)
            return writer_result(*summary, ok);
        bytes += counter.total();
        return {};
    }
};

/** A header whose length was measured, then its content: fails with `value_changed` if it is not that long. */
template <class Content>
[[nodiscard]] result<void> tlv_measured(format::tlv::entry_type type, std::uint16_t id, std::size_t length,
                                        format::output_window& out, Content&& content) noexcept {
    out.put(format::tlv::encode_header(type, id, length).view());
    const std::size_t start = out.total();
    if (auto ok = content(); !ok) return ok;
    if (out.total() - start != length) return fail(errc::value_changed);  // (stream_read marks it a writer's)
    return {};
}

/**
 * The Multiple Resource TLV of resource `rp`: its instances measured, then written. Inside an
 * instance (`in_instance`) a hook's `not_found` or no instances leave it out; for a Read of
 * the resource itself, `not_found` is the error and no instances an empty Multiple Resource
 * (LwM2M 1.0 §6.4.3.1).
 */
[[nodiscard]] inline result<void> tlv_multiple(const object_binding& o, const path& rp, const resource_def& def,
                                               format::output_window& out, read_summary& summary, bool in_instance,
                                               bool wide) noexcept {
    tlv_measure m{&summary, wide};
    if (auto ok = read_resource(o, rp, def, std::nullopt, record_sink::of(m)); in_instance ? !absent(ok) : !ok) return ok;
    if (in_instance && m.values == 0) return {};
    return tlv_measured(format::tlv::entry_type::multiple_resource, def.id, m.bytes, out, [&]() -> result<void> {
        tlv_entries w{&out, &summary, wide};
        if (auto ok = read_resource(o, rp, def, std::nullopt, record_sink::of(w)); in_instance ? !absent(ok) : !ok) return ok;
        return {};
    });
}

/** The resources of instance `instance` of `o` as TLV (what a Read of /O/I returns). */
[[nodiscard]] inline result<void> tlv_instance(const object_binding& o, std::uint16_t instance, format::output_window& out,
                                               read_summary& summary, bool wide) noexcept {
    for (const resource_def& def : o.schema.resources()) {
        if (!def.readable()) continue;
        const path rp = *path::make(o.id(), instance, def.id);
        if (def.is_multiple()) {
            if (auto ok = tlv_multiple(o, rp, def, out, summary, true, wide); !ok) return ok;
            continue;
        }
        tlv_entries w{&out, &summary, wide};
        if (auto ok = read_resource(o, rp, def, std::nullopt, record_sink::of(w)); !absent(ok)) return ok;
    }
    return {};
}

/** The bytes `tlv_instance` writes, measured by reading the values once. */
[[nodiscard]] inline result<std::size_t> tlv_instance_size(const object_binding& o, std::uint16_t instance,
                                                          read_summary& summary, bool wide) noexcept {
    std::size_t size = 0;
    for (const resource_def& def : o.schema.resources()) {
        if (!def.readable()) continue;
        tlv_measure m{&summary, wide};
        if (auto ok = read_resource(o, *path::make(o.id(), instance, def.id), def, std::nullopt, record_sink::of(m)); !absent(ok))
            return unexpected{ok.error()};
        if (!def.is_multiple()) size += m.bytes;
        else if (m.values != 0) size += format::tlv::header_size(def.id, m.bytes) + m.bytes;
    }
    return size;
}

/**
 * A Read of `target` as TLV (LwM2M 1.1 Core §7.4.3); with `wide`, the numbers of an object,
 * an instance or a Multiple Resource in 8 bytes (`tlv_wide_number`; a single value is read
 * once, so it stays shortest).
 */
[[nodiscard]] inline result<void> stream_tlv(std::span<const object_binding> objects, const path& target,
                                             format::output_window& out, read_summary& summary, bool wide) noexcept {
    LWM2M_TRY(t, resolve_read(objects, target));
    const object_binding& o = *t.object;
    switch (target.level()) {
    case path_level::object:
        return for_each_instance(o, [&](std::uint16_t id) -> result<void> {
            LWM2M_TRY(size, tlv_instance_size(o, id, summary, wide));
            return tlv_measured(format::tlv::entry_type::object_instance, id, size, out,
                                [&] { return tlv_instance(o, id, out, summary, wide); });
        });
    case path_level::instance: return tlv_instance(o, target.instance_id(), out, summary, wide);
    default:
        if (t.resource->is_multiple() && !t.only)
            return tlv_multiple(o, target.prefix(path_level::resource), *t.resource, out, summary, false, wide);
        tlv_entries w{&out, &summary};
        return walk_read(objects, target, record_sink::of(w));  // one bare Resource or Resource Instance
    }
}

/**
 * A Read of `target` (`def`: its resource, if any) as a SenML JSON (`Json`) or SenML CBOR
 * pack, each record checked and written as `write_senml_json` / `write_senml_cbor` do for a
 * request on `target` ("bn" is `target`).
 */
template <bool Json>
[[nodiscard]] result<void> stream_senml(std::span<const object_binding> objects, const path& target, const resource_def* def,
                                        format::output_window& out, read_summary& summary) noexcept {
    // A record is at `target` itself for a single resource or a resource instance (no "n").
    const bool some_at_base =
        target.has_resource() && (target.has_resource_instance() || (def != nullptr && !def->is_multiple()));
    const format::senml::detail::name_plan plan{target, some_at_base};
    std::size_t expected = 0;
    if constexpr (Json) {
        out.put('[');
    } else if (some_at_base) {  // one value: a pack of one record (or the read fails)
        expected = 1;
        format::cbor::writer{out}.array(expected);
    } else {  // the array's size first (RFC 8428 §6: a definite-length array)
        auto count = [&expected](const format::record&) -> result<void> {
            ++expected;
            return {};
        };
        if (auto ok = walk_read(objects, target, record_sink::of(count)); !ok) return ok;
        format::cbor::writer{out}.array(expected);
    }
    std::size_t written = 0;
    auto put = [&](const format::record& r) -> result<void> {
        if (auto ok = format::senml::detail::check_record(r, target, Json, written); !ok) return writer_result(summary, ok);
        summary.add(r);
        const std::span<const format::record> one{&r, 1};
        if constexpr (Json) format::detail::senml_json_writer::write_maps(one, written == 0, plan, out);
        else format::detail::senml_cbor_writer::write_maps(one, written == 0, plan, out);
        ++written;
        return {};
    };
    if (auto ok = walk_read(objects, target, record_sink::of(put)); !ok) return ok;
    if constexpr (Json) out.put(']');
    else if (written != expected) return writer_result(summary, fail(errc::value_changed));
    return {};
}

/** One attempt of `stream_read` (`retry`: the second, with wide TLV numbers). */
template <format_set Formats>
[[nodiscard]] result<void> stream_once(std::span<const object_binding> objects, const path& target, const resource_def* def,
                                       format::content_format cf, format::output_window& out, read_summary& summary,
                                       bool retry) noexcept {
    using format::content_format;
    if (!supports(Formats, static_cast<std::uint16_t>(cf))) return fail(errc::unsupported_content_format);
    // Only the writers of the set are named, so the others are not linked.
    switch (format::canonical(cf)) {
    case content_format::tlv:
        if constexpr (contains(Formats, format_set::tlv)) return stream_tlv(objects, target, out, summary, retry);
        break;
    case content_format::senml_json:
        if constexpr (contains(Formats, format_set::senml_json)) return stream_senml<true>(objects, target, def, out, summary);
        break;
    case content_format::senml_cbor:
        if constexpr (contains(Formats, format_set::senml_cbor)) return stream_senml<false>(objects, target, def, out, summary);
        break;
    case content_format::text:
    case content_format::opaque:
    case content_format::cbor: {
        // One value (these formats are chosen for single values only); more is the writer's error.
        const auto write = [&](std::span<const format::record> values) -> result<void> {
            if constexpr (contains(Formats, format_set::opaque))
                if (format::canonical(cf) == content_format::opaque) return format::write_opaque(values, target, out);
            if constexpr (contains(Formats, format_set::cbor))
                if (format::canonical(cf) == content_format::cbor) return format::write_cbor_value(values, target, out);
            if constexpr (contains(Formats, format_set::text)) return format::write_text(values, target, out);
            return fail(errc::unsupported_content_format);
        };
        bool written = false;
        auto put = [&](const format::record& r) -> result<void> {
            if (written) return writer_result(summary, fail(errc::invalid_argument));
            written = true;
            summary.add(r);
            return writer_result(summary, write(std::span<const format::record>{&r, 1}));
        };
        if (auto ok = walk_read(objects, target, record_sink::of(put)); !ok) return ok;
        if (!written) return writer_result(summary, write({}));
        return {};
    }
    default: break;
    }
    return fail(errc::unsupported_content_format);
}

} // namespace detail

/**
 * Encodes a Read of `target` (`def`: its resource, if any) in Content-Format `cf` into `out`,
 * straight from the objects (see the file comment). `summary` gets what
 * was written, and on an error whether a writer failed (`encode_error`: the values or the
 * format cannot be written, the client's fault) rather than the path or a hook.
 * Errors: those of `walk_read` (nothing useful is in `out` then), `unsupported_content_format`,
 * the writers' errors, `value_changed` (a value's size changed between the measuring and the
 * writing walk, twice in a row; the second attempt writes TLV numbers in 8 bytes).
 */
template <format_set Formats = format_set::all>
[[nodiscard]] result<void> stream_read(std::span<const object_binding> objects, const path& target, const resource_def* def,
                                       format::content_format cf, format::output_window& out, read_summary& summary) noexcept {
    const format::output_window start = out;
    value_hook* const hook = summary.on_value;  // kept over the attempts
    for (int attempt = 0;; ++attempt) {
        summary = read_summary{};
        summary.on_value = hook;
        auto ok = detail::stream_once<Formats>(objects, target, def, cf, out, summary, attempt == 1);
        if (ok || ok.error().code != errc::value_changed || attempt == 1) {
            if (!ok && ok.error().code == errc::value_changed) summary.encode_error = true;
            return ok;
        }
        out = start;  // once more, from the start
    }
}

} // namespace lwm2m::client::dm
