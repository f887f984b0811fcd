#pragma once
/**
 * @file format/senml/cbor_writer.hpp
 * `write_senml_cbor`: records to a SenML CBOR pack (application/senml+cbor, Content-Format
 * 112; RFC 8428 §6, LwM2M 1.1 Core §7.4.5), and `senml_cbor_size`. Allocation: none.
 */

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/format/cbor/writer.hpp>
#include <lwm2m/format/output_window.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/format/senml/record_fields.hpp>
#include <lwm2m/model/objlnk_text.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/model/value_bytes.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format {

namespace detail::senml_cbor_writer {

/** Writes the head of a text string and `text` at `p`; returns the end. */
constexpr std::byte* put_text(std::byte* p, std::string_view text) noexcept {
    p = cbor::put_head(p, 3, text.size());
    for (const char c : text) *p++ = static_cast<std::byte>(c);
    return p;
}

/** The one-byte key of a label with an integer key (RFC 8428 §6 Table 4: -6..8, major 0 or 1). */
consteval std::byte key_byte(senml::label l) noexcept {
    const std::int8_t k = senml::label_cbor_key(l).value_or(0);
    return static_cast<std::byte>(k >= 0 ? k : 0x20 | (-1 - k));
}

/**
 * Most bytes `put_record_prefix` writes: the map head (1), "bn" (key 1, head 2, 25 chars),
 * "n" (key 1, head 1, `name_plan::max_name_length` chars), "t" (key 1, 9), and the value
 * (key up to 4 for "vlo", then a head or float of up to 9, or an object link of 1 + 11).
 */
inline constexpr std::size_t max_prefix = 1 + (1 + 2 + 25) + (1 + 1 + senml::detail::name_plan::max_name_length) +
                                          (1 + cbor::max_head_size) + (4 + 1 + 11);

/**
 * The value pair of a number, boolean or text record: its key (v, vb or vs) and value, or for
 * text the head of its `content_size` bytes, which the caller copies after it (RFC 8428 §6).
 * `Inline`: the CBOR heads written inline (`cbor::put_head_inline`), for the one-pass path.
 */
template <bool Inline = false>
LWM2M_HOT_INLINE inline std::byte* put_value_pair(std::byte* p, const value& v, std::size_t content_size) noexcept {
    using senml::label;
    switch (v.kind()) {
    case value_kind::integer:
    case value_kind::time:
        *p++ = key_byte(label::v);
        if constexpr (Inline) return cbor::put_integer_inline(p, v.as_integer());
        return cbor::put_integer(p, v.as_integer());
    case value_kind::unsigned_integer:
        *p++ = key_byte(label::v);
        if constexpr (Inline) return cbor::put_head_inline(p, 0, v.as_unsigned());
        return cbor::put_head(p, 0, v.as_unsigned());
    case value_kind::float_:
        *p++ = key_byte(label::v);
        return cbor::put_float(p, v.as_float());
    case value_kind::boolean:
        p[0] = key_byte(label::vb);
        p[1] = v.as_boolean() ? std::byte{0xF5} : std::byte{0xF4};
        return p + 2;
    default:  // string, corelnk
        *p++ = key_byte(label::vs);
        if constexpr (Inline) return cbor::put_head_inline(p, 3, content_size);
        return cbor::put_head(p, 3, content_size);
    }
}


/**
 * Writes record `r` at `p` up to the contents of a String, Corelnk or Opaque value, whose
 * `content_size` decoded bytes the caller writes next; returns the end (at most `max_prefix`
 * bytes). Map keys in the order bn, n, t, value; value labels as `senml::value_label`.
 * Precondition: `r` passed `prepare_records` (no `untyped` value). Inlined into the writer's
 * loop, its one caller: a call would save and restore half the registers for each record.
 */
[[gnu::always_inline]] inline std::byte* put_record_prefix(std::byte* p, const record& r,
                                                           const senml::detail::name_plan& names, bool first,
                                                           std::size_t content_size) noexcept {
    using senml::label;
    const value& v = r.value;
    // At most 4 pairs: a one-byte map head (RFC 8949 §3.1), set once they are counted.
    std::byte* const map = p++;
    unsigned pairs = 1;  // the value's, taken back for a name-only record
    if (first) {
        *p++ = key_byte(label::bn);
        p = put_text(p, names.base_name());
        ++pairs;
    }
    if (names.has_name(r.path)) {
        *p++ = key_byte(label::n);
        // A name is at most 23 chars, so its text head is one byte (RFC 8949 §3.1).
        static_assert(senml::detail::name_plan::max_name_length < 24);
        std::byte* const text = p + 1;
        std::byte* const end = names.write_name(r.path, text);
        *p = static_cast<std::byte>(0x60 | (end - text));
        p = end;
        ++pairs;
    }
    if (r.time) {
        *p++ = key_byte(label::t);
        if (senml::detail::integral_time(*r.time)) p = cbor::put_integer(p, lwm2m::encoding::whole_to_int64(*r.time));
        else p = cbor::put_float(p, *r.time);
        ++pairs;
    }
    switch (v.kind()) {
    case value_kind::integer:
    case value_kind::time:
    case value_kind::unsigned_integer:
    case value_kind::float_:
    case value_kind::boolean:
    case value_kind::string:
    case value_kind::corelnk: p = put_value_pair(p, v, content_size); break;
    case value_kind::opaque:
        *p++ = key_byte(label::vd);
        p = cbor::put_head(p, 2, content_size);
        break;
    case value_kind::objlnk: {
        p = put_text(p, senml::label_text(label::vlo));  // a text key (LwM2M 1.1 Core §7.4.5)
        char text[max_objlnk_text]{};
        const std::size_t n = lwm2m::format_objlnk(v.as_objlnk(), text);
        p = put_text(p, std::string_view{text, n});
        break;
    }
    case value_kind::none:  // a name-only record (path list)
    case value_kind::untyped: --pairs; break;
    }
    *map = static_cast<std::byte>(0xA0 | pairs);
    return p;
}

/**
 * Writes the maps of valid `records` (they passed `prepare_records`, `check_and_write` or
 * `check_record`) through `out` with `plan`, the first with "bn" when `pack_start` (the
 * array head is the caller's). A streamed pack (client/streamed_read.hpp) calls it per record.
 */
inline void write_maps(std::span<const record> records, bool pack_start, const senml::detail::name_plan& plan,
                       output_window& out) noexcept {
    direct_cursor cursor{out};
    std::byte aside[max_prefix];
    for (std::size_t i = 0; i < records.size(); ++i) {
        const record& r = records[i];
        const value& v = r.value;
        // Validated: decoding cannot fail here.
        const std::size_t content_size = v.is_bytes() ? senml::detail::decoded_size(v) : 0;
        const bool raw = v.encoding() == text_encoding::raw;  // (every value but an encoded one)
        // The whole record fits in the window: written in place with one check.
        std::byte* const in_window = raw ? cursor.room(max_prefix + content_size) : nullptr;
        std::byte* const start = in_window != nullptr ? in_window : aside;
        std::byte* const end = put_record_prefix(start, r, plan, pack_start && i == 0, content_size);
        if (in_window != nullptr) {
            lwm2m::detail::copy_bytes(end, v.encoded_bytes().data(), content_size);
            cursor.wrote(end + content_size);
            continue;
        }
        // Else (the end of the window, a Block2 window, an encoded value): through the window.
        cursor.through_window([&](output_window& w) {
            w.put(bytes_view{aside, static_cast<std::size_t>(end - aside)});
            if (raw) w.put(v.encoded_bytes());
            else (void)for_each_value_byte(v, [&](std::byte b) { w.put(b); });
        });
    }
    cursor.flush();
}

/**
 * Writes records [first, end) of valid `records` through `out` with `plan`, after the array
 * head when `first` is 0.
 */
inline void write_from(std::span<const record> records, std::size_t first, const senml::detail::name_plan& plan,
                       output_window& out) noexcept {
    if (first == 0) cbor::writer{out}.array(records.size());
    write_maps(records.subspan(first), first == 0, plan, out);
}

using senml::detail::integer_kinds;
using senml::detail::kind_bit;
/** The kinds of a common record's value the fast path writes besides text: numbers and booleans. */
inline constexpr unsigned number_kinds = integer_kinds | kind_bit(value_kind::unsigned_integer) |
                                         kind_bit(value_kind::float_) | kind_bit(value_kind::boolean);

/**
 * The value pair of a common record at `p`: a number, a boolean, or raw ASCII text of at most
 * `max_text` bytes (its contents included); the end, or nullptr (bytes may have been written)
 * for any other value. A bit test per group of kinds, commonest first, not a jump table
 * (put_value_pair's dispatch).
 */
LWM2M_HOT_INLINE inline std::byte* put_common_value(std::byte* p, const value& v, std::size_t max_text) noexcept {
    const unsigned kind = kind_bit(v.kind());
    if ((kind & integer_kinds) != 0) {
        *p = key_byte(senml::label::v);
        return cbor::put_integer_inline(p + 1, v.as_integer());
    }
    if (v.is_text()) {
        // ASCII is UTF-8: no other check (other text takes the general path, which validates
        // and writes over these bytes).
        const bytes_view text = v.bytes_unchecked();
        if (v.encoding() != text_encoding::raw || text.size() > max_text) return nullptr;
        *p = key_byte(senml::label::vs);
        p = cbor::put_head_inline(p + 1, 3, text.size());
        if (!encoding::detail::copy_ascii(text, p)) return nullptr;
        return p + text.size();
    }
    if ((kind & number_kinds) == 0) return nullptr;
    return put_value_pair<true>(p, v, 0);
}

/**
 * `check_and_write`'s `put` for the fast path: writes each record at `at` while it surely fits
 * before `end` (its prefix and value contents), not through the window.
 */
struct in_place_writer {
    std::byte* at;
    std::byte* end;
    const senml::detail::name_plan& plan;

    /**
     * Most bytes of a common record but the contents of a string: `{-2: bn, 0: name, key:
     * value}` (bn on the first record only).
     */
    static constexpr std::size_t max_common =
        (1 + 2 + 25) + 3 + senml::detail::name_plan::max_name_length + 1 + cbor::max_head_size;

    /**
     * A common record with a number, boolean or ASCII text value (with "bn" when `first`):
     * written with no other check. False (nothing counted as written: `at` unchanged) for
     * any other record, or when it might not fit.
     */
    LWM2M_HOT_INLINE bool common(const record& r, bool first) noexcept {
        const value& v = r.value;
        const std::size_t text_size = v.is_text() ? v.encoded_bytes().size() : 0;
        if (static_cast<std::size_t>(end - at) < max_common + text_size) return false;
        std::byte* name = at + 1;
        *at = std::byte{0xA2};  // a map of 2 pairs (RFC 8949 §3.1)
        if (first) [[unlikely]] {
            *at = std::byte{0xA3};
            *name++ = key_byte(senml::label::bn);
            name = put_text(name, plan.base_name());
        }
        // A name is at most 23 chars, so its text head is one byte (RFC 8949 §3.1).
        std::byte* p = plan.write_name(r.path, name + 2);
        name[0] = key_byte(senml::label::n);
        name[1] = static_cast<std::byte>(0x60 | (p - (name + 2)));
        p = put_common_value(p, v, text_size);
        if (p == nullptr) return false;
        at = p;
        return true;
    }

    /** Any valid record: false (nothing written) when it might not fit. */
    LWM2M_HOT_INLINE bool operator()(const record& r, std::size_t i) noexcept {
        const value& v = r.value;
        const std::size_t content_size = v.is_bytes() ? senml::detail::decoded_size(v) : 0;
        if (static_cast<std::size_t>(end - at) < max_prefix + content_size) return false;
        std::byte* p = put_record_prefix(at, r, plan, i == 0, content_size);
        if (v.encoding() == text_encoding::raw) {
            lwm2m::detail::copy_bytes(p, v.encoded_bytes().data(), content_size);
            p += content_size;
        } else {
            (void)for_each_value_byte(v, [&](std::byte b) { *p++ = b; });
        }
        at = p;
        return true;
    }
};

/**
 * Most bytes `tight_record` and the map head after it write, but the contents of a string:
 * key and head of "n", the name (and one byte more, `put_id_fast`), the value pair.
 */
inline constexpr std::size_t max_tight = 2 + senml::detail::name_plan::max_name_length + 1 + 1 + cbor::max_head_size + 1;

/**
 * `write_leading`'s record at `p`, after its map head: `0: name, key: value`, its name from
 * the id at `depth` on; the end, or nullptr when the record is not one `write_leading` takes
 * or might not fit (`p` above `limit`, the buffer's end less `max_tight`, or its text longer
 * than the room between them).
 */
LWM2M_HOT_INLINE inline std::byte* tight_record(std::byte* p, std::uintptr_t limit, const record& r,
                                                std::size_t depth) noexcept {
    const std::uintptr_t at = reinterpret_cast<std::uintptr_t>(p);
    if (at > limit) return nullptr;
    const std::size_t room = limit - at;  // beyond max_tight
    // The name first (bytes written for a record it then refuses are not counted): ids
    // from the base's depth on, "bn" ends in '/'. At most 23 chars, so its text head is
    // one byte (RFC 8949 §3.1).
    std::byte* const name = p + 2;
    std::byte* q = senml::detail::put_relative_name(name, r.path, depth);
    p[0] = key_byte(senml::label::n);
    p[1] = static_cast<std::byte>(0x60 | (q - name));
    return put_common_value(q, r.value, room);
}

/**
 * Most bytes `write_leading` writes before its first record's name pair: the map head, key
 * and head of "bn", and "bn", "/" and at most three ids of 5 digits (the base of a common
 * record is at most three deep), which a one-byte text head takes (RFC 8949 §3.1).
 */
inline constexpr std::size_t max_opening = 3 + 1 + 3 * (1 + 5);
static_assert(max_opening - 3 < 24);

/** What `write_leading` wrote: `count` records, the next byte goes at `end`. */
struct leading_run {
    std::size_t count;
    std::byte* end;
};

/**
 * The fast path's start, at the start of `room` (at least `cbor::max_head_size` bytes): the
 * array head, then the leading common records (`senml::detail::common_record`) with a number,
 * boolean or ASCII text value, written in one tight loop: the first `{-2: bn, 0: name, key:
 * value}`, the others `{0: name, key: value}`, each followed by the next one's map head. The
 * first being below base, "bn" is the base and '/' (`name_plan`), so no plan is needed. The
 * records it takes are valid and not at base: `check_and_write` goes on after them, else a pack
 * of them only (a read of an object instance) is done. Out of line, with a small frame of its
 * own: its loop's values stay in registers. Allocation: none.
 */
LWM2M_NOINLINE inline leading_run write_leading(std::span<const record> records, const path& base,
                                                mutable_bytes room) noexcept {
    std::byte* p = cbor::put_head_inline(room.data(), 4, records.size());  // its length is the count
    std::byte* const end = room.data() + room.size();
    const record* r = records.data();
    const record* const last = r + records.size();
    const senml::detail::common_record common{base};
    if (r == last || !common(*r) || static_cast<std::size_t>(end - p) < max_opening) return {0, p};
    // {-2: "base/", then the records' pairs.
    std::byte* const opening = p;
    p[0] = std::byte{0xA3};  // a map of 3 pairs (RFC 8949 §3.1)
    p[1] = key_byte(senml::label::bn);
    std::byte* const text = p + 3;
    p = senml::detail::put_base_ids(text, base);
    *p++ = std::byte{'/'};
    opening[2] = static_cast<std::byte>(0x60 | (p - text));
    const std::size_t depth = base.depth();
    // The last address a record may start at (an address compare a record, not a size):
    // none when the buffer ends below max_tight (the subtraction must not wrap).
    const auto stop = reinterpret_cast<std::uintptr_t>(end);
    const std::uintptr_t limit = stop >= max_tight ? stop - max_tight : 0;
    do {
        std::byte* const q = tight_record(p, limit, *r, depth);
        if (q == nullptr) break;
        *q = std::byte{0xA2};  // the next record's map of 2 pairs
        p = q + 1;
    } while (++r != last && common(*r));
    const auto n = static_cast<std::size_t>(r - records.data());
    return n == 0 ? leading_run{0, opening} : leading_run{n, p - 1};  // after the last record
}

/**
 * The fast path after `write_leading` took `run.count` records, not all: the others checked
 * and written in place while they surely fit (`senml::detail::write_in_one_pass`), the rest
 * by the general code. Out of line: the fast path's common case needs none of its frame.
 */
LWM2M_NOINLINE inline result<void> write_after_leading(std::span<const record> records, const path& base,
                                                       mutable_bytes room, output_window& out,
                                                       const leading_run& run) noexcept {
    return senml::detail::write_in_one_pass(
        records, base, false, room, out,
        [&](const senml::detail::name_plan& plan) {
            return in_place_writer{run.end, room.data() + room.size(), plan};
        },
        [](const in_place_writer&) { return true; },  // nothing closes a definite-length array
        [&](std::size_t first, const senml::detail::name_plan& plan) { write_from(records, first, plan, out); },
        run.count);
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
[[nodiscard]] LWM2M_NOINLINE inline result<void> write_senml_cbor(std::span<const record> records, const lwm2m::path& base,
                                                   output_window& out) noexcept {
    using namespace detail::senml_cbor_writer;
#if LWM2M_SENML_ONE_PASS_WRITE
    // Fast path: each record checked and written in place in the window's buffer while it
    // surely fits, committed only once all are valid; the general code writes the rest.
    if (const mutable_bytes room = out.free_space(); room.size() >= cbor::max_head_size) {
        const leading_run run = write_leading(records, base, room);
        if (run.count == records.size()) {  // all of them (or none): done
            out.advance(static_cast<std::size_t>(run.end - room.data()));
            return {};
        }
        return write_after_leading(records, base, room, out, run);
    }
#endif
    const auto plan = senml::detail::prepare_records(records, base, false);
    if (!plan) return unexpected{plan.error()};
    write_from(records, 0, *plan, out);
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
