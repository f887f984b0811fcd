#pragma once
/**
 * @file format/senml/json_writer.hpp
 * `write_senml_json`: records to a SenML JSON pack (application/senml+json, Content-Format
 * 110; RFC 8428 §5, LwM2M 1.1 Core §7.4.4), and `senml_json_size`. Allocation: none.
 */

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/encoding/base64.hpp>
#include <lwm2m/format/json/writer.hpp>
#include <lwm2m/format/output_window.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/format/senml/record_fields.hpp>
#include <lwm2m/model/objlnk_text.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/model/value_bytes.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format {

namespace detail::senml_json_writer {

/** Copies the characters of string literal `s` (not its NUL) to `p`; returns the end. */
template <std::size_t N>
inline char* put_literal(char* p, const char (&s)[N]) noexcept {
    std::memcpy(p, s, N - 1);  // a copy of constant size: a store or two
    return p + (N - 1);
}

#if LWM2M_DECIMAL_PAIRS
/** The two digits of `k` (below 100) at `at`, a copy from the table. */
inline void put_pair(char* at, std::uint32_t k) noexcept { std::memcpy(at, &encoding::detail::digit_pairs[2 * k], 2); }

/** `v` (below 10000) as exactly four digits at `p`. */
inline void put_four(char* p, std::uint32_t v) noexcept {
    const std::uint32_t high = v * 5243 >> 19;  // v / 100 for v < 43699
    put_pair(p, high);
    put_pair(p + 2, v - 100 * high);
}

/** `v` (below 10000) in decimal at `p`; returns the end. */
LWM2M_HOT_INLINE inline char* put_below_10000(char* p, std::uint32_t v) noexcept {
    if (v < 10) {
        *p = static_cast<char>('0' + v);
        return p + 1;
    }
    if (v < 100) {
        put_pair(p, v);
        return p + 2;
    }
    const std::uint32_t high = v * 5243 >> 19;  // v / 100 for v < 43699
    const std::uint32_t low = v - 100 * high;
    if (high < 10) {
        *p = static_cast<char>('0' + high);
        put_pair(p + 1, low);
        return p + 3;
    }
    put_pair(p, high);
    put_pair(p + 2, low);
    return p + 4;
}

/**
 * `v` (at least 10000) in decimal at `p`; returns the end. Up to 16 digits in groups of
 * four (no digit count, no loop: times and other large values), more by `write_decimal`.
 */
LWM2M_NOINLINE inline char* put_large_integer(char* p, std::uint64_t v) noexcept {
    if (v >= 10000000000000000u) return encoding::detail::write_decimal(p, v);
    if (v < 100000000) {
        const auto high = static_cast<std::uint32_t>(v / 10000);
        p = put_below_10000(p, high);
        put_four(p, static_cast<std::uint32_t>(v) - 10000 * high);
        return p + 4;
    }
    const std::uint64_t high = v / 100000000;  // 1..99999999
    const auto low = static_cast<std::uint32_t>(v - high * 100000000);
    if (high < 10000) {
        p = put_below_10000(p, static_cast<std::uint32_t>(high));
    } else {
        const auto top = static_cast<std::uint32_t>(high / 10000);
        p = put_below_10000(p, top);
        put_four(p, static_cast<std::uint32_t>(high) - 10000 * top);
        p += 4;
    }
    const std::uint32_t middle = low / 10000;
    put_four(p, middle);
    put_four(p + 4, low - 10000 * middle);
    return p + 8;
}
#endif

/** `v` in decimal at `p` (room for 20 chars); returns the end. */
LWM2M_HOT_INLINE inline char* put_integer(char* p, std::uint64_t v) noexcept {
#if LWM2M_DECIMAL_PAIRS
    // Up to four digits (most values) inline, a pair of digits a copy from the table.
    if (v < 10000) return put_below_10000(p, static_cast<std::uint32_t>(v));
    return put_large_integer(p, v);
#else
    if (v < 10) {  // most values and times of one digit
        *p = static_cast<char>('0' + v);
        return p + 1;
    }
    return encoding::detail::write_decimal(p, v);
#endif
}
/** `v` in decimal at `p` (room for 20 chars); returns the end. */
LWM2M_HOT_INLINE inline char* put_integer(char* p, std::int64_t v) noexcept {
    if (v >= 0) return put_integer(p, static_cast<std::uint64_t>(v));
    *p = '-';
    return put_integer(p + 1, 0 - static_cast<std::uint64_t>(v));
}

/** A double as `json::writer::number` writes it at `p` (room for `max_number_text`); returns the end. */
inline char* put_double(char* p, double v) noexcept {
    // NaN/inf (null for json::writer) cannot come here: prepare_records rejects them.
    return p + json::detail::double_text(v, std::span<char>{p, encoding::max_number_text}).value_or(0);
}

/**
 * Most chars `put_record_prefix` writes, a whole record but the contents of a String, Corelnk
 * or Opaque value: ",{" (2), ",\"bn\":\"" + base name + '"' (7 + 25 + 1), ",\"n\":\"" + name + '"'
 * (6 + `name_plan::max_name_length` + 1), ",\"t\":" + number (5 + 32), the value member (at
 * most ",\"v\":" + number, 5 + 32) and '}'.
 */
inline constexpr std::size_t max_record = 2 + (7 + 25 + 1) + (6 + senml::detail::name_plan::max_name_length + 1) +
                                          (5 + encoding::max_number_text) + (5 + encoding::max_number_text) + 1;

/**
 * Writes record `r` (the first of the pack when `first`) at `p`: the whole record when its
 * value is no String, Corelnk or Opaque, else up to the opening quote of the value, whose
 * contents and closing `"}` the caller writes next. Returns the end (at most `max_record`
 * chars). Members in the order bn, n, t, value (`senml::value_label`). Precondition: `r`
 * passed `prepare_records`. Inlined into the writer's loop, its one caller: a call would
 * save and restore half the registers for each record.
 */
[[gnu::always_inline]] inline char* put_record_prefix(char* p, const record& r, const senml::detail::name_plan& names,
                                                      bool first) noexcept {
    const value& v = r.value;
    if (!first) *p++ = ',';
    // Every member is written after a ','; the first one's becomes the '{'.
    char* const open = p;
    if (first) {
        // The base name is ids and '/': nothing to escape.
        const std::string_view bn = names.base_name();
        p = put_literal(p, ",\"bn\":\"");
        std::memcpy(p, bn.data(), bn.size());
        p += bn.size();
        *p++ = '"';
    }
    if (names.has_name(r.path)) {
        p = put_literal(p, ",\"n\":\"");
        p = names.write_name(r.path, p);
        *p++ = '"';
    }
    if (r.time) {
        p = put_literal(p, ",\"t\":");
        if (senml::detail::integral_time(*r.time)) p = put_integer(p, lwm2m::encoding::whole_to_int64(*r.time));
        else p = put_double(p, *r.time);
    }
    switch (v.kind()) {
    case value_kind::integer:
    case value_kind::time: p = put_integer(put_literal(p, ",\"v\":"), v.as_integer()); break;
    case value_kind::unsigned_integer: p = put_integer(put_literal(p, ",\"v\":"), v.as_unsigned()); break;
    case value_kind::float_: p = put_double(put_literal(p, ",\"v\":"), v.as_float()); break;
    case value_kind::boolean: p = v.as_boolean() ? put_literal(p, ",\"vb\":true") : put_literal(p, ",\"vb\":false"); break;
    case value_kind::string:
    case value_kind::corelnk:
        p = put_literal(p, ",\"vs\":\"");
        *open = '{';
        return p;
    case value_kind::opaque:
        p = put_literal(p, ",\"vd\":\"");
        *open = '{';
        return p;
    case value_kind::objlnk:
        p = put_literal(p, ",\"vlo\":\"");
        p += lwm2m::format_objlnk(v.as_objlnk(), p);
        *p++ = '"';
        break;
    case value_kind::none:  // a name-only record (path list), maybe with no member at all
    case value_kind::untyped:
        if (p == open) *p++ = ',';
        break;
    }
    *open = '{';
    *p++ = '}';
    return p;
}

/**
 * Chars for the window, gathered a small buffer at a time: for the contents of values that
 * are not copied whole (text with escapes or kept encoded by a reader, base64url of Opaque).
 * Allocation: none.
 */
class text_stream {
public:
    explicit text_stream(output_window& out) noexcept : out_(&out) {}
    void put(char c) noexcept {
        if (size_ == sizeof(buf_)) flush();
        buf_[size_++] = c;
    }
    void put(bytes_view run) noexcept {
        flush();
        json::detail::write_piece(*out_, as_chars(run).data(), run.size());
    }
    /** UTF-8 text as the body of a JSON string (RFC 8259 §7): runs that need no escape whole. */
    void escaped(bytes_view utf8) noexcept {
        encoding::json_escape_runs(utf8, [&](bytes_view run) { put(run); });
    }
    void flush() noexcept {
        json::detail::write_piece(*out_, buf_, size_);
        size_ = 0;
    }

private:
    output_window* out_;
    std::size_t size_ = 0;
    char buf_[64];
};

/**
 * Writes the contents of String, Corelnk or Opaque value `v` from its `done`-th byte on (the
 * bytes before were written already; only raw text has them), then the closing `"}`.
 */
inline void put_contents(output_window& out, const value& v, std::size_t done) noexcept {
    text_stream w{out};
    if (v.kind() == value_kind::opaque) {
        const auto put = [&](char c) { w.put(c); };
        encoding::base64_stream b64{encoding::base64_alphabet::url, put};  // RFC 8428 §5 "vd": unpadded
        // Validated by prepare_records: decoding cannot fail here.
        (void)for_each_value_byte(v, [&](std::byte b) { b64.put(b); });
        b64.finish();
    } else if (v.encoding() == text_encoding::raw) {
        w.escaped(v.bytes_unchecked().subspan(done));
    } else {
        // Escaping works byte by byte, so escaping the decoded bytes in chunks writes the same text.
        std::byte chunk[32];
        std::size_t n = 0;
        (void)for_each_value_byte(v, [&](std::byte b) {
            chunk[n++] = b;
            if (n == sizeof(chunk)) {
                w.escaped(bytes_view{chunk, n});
                n = 0;
            }
        });
        w.escaped(bytes_view{chunk, n});
    }
    w.put('"');
    w.put('}');
    w.flush();
}

/**
 * Writes the objects of valid `records` (they passed `prepare_records`, `check_and_write` or
 * `check_record`) through `out` with `plan`, the first with "bn" and no ',' before it when
 * `pack_start` (the '[' and ']' are the caller's). A streamed pack
 * (client/streamed_read.hpp) calls it per record.
 */
inline void write_maps(std::span<const record> records, bool pack_start, const senml::detail::name_plan& plan,
                       output_window& out) noexcept {
    direct_cursor cursor{out};
    char aside[max_record];
    for (std::size_t i = 0; i < records.size(); ++i) {
        const record& r = records[i];
        const value& v = r.value;
        const bool raw_text = v.is_text() && v.encoding() == text_encoding::raw;
        const std::string_view text = raw_text ? as_chars(v.bytes_unchecked()) : std::string_view{};
        // The record fits in the window: written in place with one check; else (the end of
        // the window, a Block2 window) composed aside and handed over.
        std::byte* const in_window = cursor.room(max_record + text.size() + 2);
        char* const start = in_window != nullptr ? reinterpret_cast<char*>(in_window) : aside;
        char* p = put_record_prefix(start, r, plan, pack_start && i == 0);
        std::size_t done = 0;  // chars of the value's contents written with the prefix
        bool complete = !v.is_bytes();
        if (in_window != nullptr) {
            if (raw_text) {
                // Most text needs no escape: copied whole with the closing `"}`.
                done = encoding::json_plain_prefix(text, false);
                lwm2m::detail::copy_bytes(reinterpret_cast<std::byte*>(p), as_bytes(text).data(), done);
                p += done;
                complete = done == text.size();
                if (complete) p = put_literal(p, "\"}");
            }
            cursor.wrote(in_window + (p - start));
            if (!complete) cursor.through_window([&](output_window& w) { put_contents(w, v, done); });
            continue;
        }
        cursor.through_window([&](output_window& w) {
            w.put(as_bytes(std::string_view{aside, static_cast<std::size_t>(p - aside)}));
            if (!complete) put_contents(w, v, 0);
        });
    }
    cursor.flush();
}

/**
 * Writes records [first, end) of valid `records` through `out` with `plan`, after the '['
 * when `first` is 0, then the ']'.
 */
inline void write_from(std::span<const record> records, std::size_t first, const senml::detail::name_plan& plan,
                       output_window& out) noexcept {
    if (first == 0) out.put('[');
    write_maps(records.subspan(first), first == 0, plan, out);
    out.put(']');
}

/**
 * `check_and_write`'s `put` for the fast path: writes each record at `at` while it surely fits
 * before `end`, not through the window.
 */
struct in_place_writer {
    char* at;
    char* end;
    const senml::detail::name_plan& plan;
    senml::detail::common_record is_common;  ///< of the pack's base
    std::size_t depth;                       ///< of the base: a name starts with the id at this index

    /**
     * Most chars of a common record but the contents of a string: `,{"n":"name","v":number}`,
     * or on the first record `{"bn":"base","n":...`.
     */
    static constexpr std::size_t max_common =
        (7 + 25 + 2) + 7 + senml::detail::name_plan::max_name_length + 6 + encoding::max_number_text + 1;

    /**
     * A common record with an integer, boolean or ASCII text that needs no escape (with "bn"
     * when `first`): written with no other check. False (nothing written) for any other
     * record, or when it might not fit.
     */
    LWM2M_HOT_INLINE bool common(const record& r, bool first) noexcept {
        const value& v = r.value;
        const std::size_t room = static_cast<std::size_t>(end - at);
        std::string_view text;
        switch (v.kind()) {
        case value_kind::integer:
        case value_kind::time:
        case value_kind::unsigned_integer:
        case value_kind::boolean: break;
        case value_kind::string:
        case value_kind::corelnk:
            if (v.encoding() != text_encoding::raw) return false;
            text = as_chars(v.bytes_unchecked());
            break;
        default: return false;
        }
        if (room < max_common + text.size()) return false;
        char* p = first ? first_names_prefix(at, plan, r.path) : names_prefix(r.path);
        switch (v.kind()) {
        case value_kind::integer:
        case value_kind::time: p = put_integer(put_literal(p, "\",\"v\":"), v.as_integer()); break;
        case value_kind::unsigned_integer: p = put_integer(put_literal(p, "\",\"v\":"), v.as_unsigned()); break;
        case value_kind::boolean:
            p = v.as_boolean() ? put_literal(p, "\",\"vb\":true") : put_literal(p, "\",\"vb\":false");
            break;
        default:  // string, corelnk
            p = put_literal(p, "\",\"vs\":\"");
            // ASCII with nothing to escape: valid UTF-8, copied as it is (other text takes the
            // general path, which validates and escapes, and writes over these bytes).
            if (!encoding::copy_plain_json_ascii(text, p)) return false;
            p += text.size();
            *p++ = '"';
            break;
        }
        *p++ = '}';
        at = p;
        return true;
    }

    /**
     * The leading common records (`senml::detail::common_record`) with an integer, boolean or
     * ASCII text that needs no escape, written in one tight loop from the pack's opening on
     * (called by `check_and_write` before its own loop): each `{"bn":...,"n":...}` or
     * `"n":...}` followed by `,{"n":"`, ready for the next one, so a record is its name, its
     * value and one 8-byte store. Returns how many (then `at` is after the last one's '}'),
     * 0 when the first record is not one of them or does not fit (`at` unchanged). The
     * records it takes are valid and not at base: `check_and_write` goes on after them.
     */
    LWM2M_HOT_INLINE std::size_t leading(std::span<const record> records) noexcept {
        const record* r = records.data();
        const record* const last = r + records.size();
        const std::string_view bn = plan.base_name();
        if (!is_common.starts_leading_run(r, last, bn, static_cast<std::size_t>(end - at), max_opening)) return 0;
        // `{"bn":"base","n":"`; the base name is ids and '/': nothing to escape. Its buffer is
        // copied whole (a copy of constant size), the bytes after it written over next.
        char* p = put_literal(at, "{\"bn\":\"");
        std::memcpy(p, bn.data(), sizeof(senml::detail::short_text::chars));
        p = put_literal(p + bn.size(), "\",\"n\":\"");
        const record* const first = r;
        do {
            char* const q = tight_record(p, *r);
            if (q == nullptr) break;
            p = put_literal(q, "},{\"n\":\"");
        } while (++r != last && is_common(*r));
        const auto n = static_cast<std::size_t>(r - first);
        if (n != 0) at = p - 7;  // after the '}'
        return n;
    }

    /** Any valid record: false (nothing written) when it might not fit. */
    LWM2M_HOT_INLINE bool operator()(const record& r, std::size_t i) noexcept {
        const value& v = r.value;
        const std::size_t room = static_cast<std::size_t>(end - at);
        // Contents: escaped text is at most 6 chars a byte (\u00XX), base64url 4 for 3, and
        // encoded values decode to no more bytes than they have.
        const std::size_t size = v.is_bytes() ? v.encoded_bytes().size() : 0;
        if (size > room / 6 || room - 6 * size < max_record + 2) return false;
        char* p = put_record_prefix(at, r, plan, i == 0);
        std::size_t done = 0;  // chars of the value's contents written with the prefix
        bool complete = !v.is_bytes();
        if (v.is_text() && v.encoding() == text_encoding::raw) {
            // Most text needs no escape: copied whole.
            const std::string_view text = as_chars(v.bytes_unchecked());
            done = encoding::json_plain_prefix(text, false);
            lwm2m::detail::copy_bytes(reinterpret_cast<std::byte*>(p), as_bytes(text).data(), done);
            p += done;
            complete = done == text.size();
            if (complete) p = put_literal(p, "\"}");
        }
        if (!complete) {
            output_window rest{mutable_bytes{reinterpret_cast<std::byte*>(p), static_cast<std::size_t>(end - p)}};
            put_contents(rest, v, done);
            p += rest.total();
        }
        at = p;
        return true;
    }

private:
    /** Most chars `leading` writes before a record's name: `{"bn":"` + the base name buffer + `","n":"`. */
    static constexpr std::size_t max_opening = 7 + sizeof(senml::detail::short_text::chars) + 7;
    /**
     * Most chars `tight_record` and the `,{"n":"` after it write, but the contents of a
     * string: the name (and one char more, `put_id_fast`), `","vs":"` or a number with its label,
     * the closing quote, `},{"n":"`.
     */
    static constexpr std::size_t max_tight =
        senml::detail::name_plan::max_name_length + 1 + 8 + encoding::max_number_text + 1 + 8;

    /**
     * `leading`'s record at `p`, after its `"n":"`: the name, the value member and the quote
     * or digit before the '}'; the end, or nullptr when the record is not one `leading` takes
     * or might not fit (`p` + `max_tight` + its text beyond `end`).
     */
    LWM2M_HOT_INLINE char* tight_record(char* p, const record& r) const noexcept {
        const std::size_t room = static_cast<std::size_t>(end - p);
        if (room < max_tight) return nullptr;
        const value& v = r.value;
        // The name: ids from the base's depth on, "bn" ends in '/'.
        char* q = senml::detail::put_relative_name(p, r.path, depth);
        // Integers first by a bit test (most records), then a switch.
        if ((senml::detail::kind_bit(v.kind()) & senml::detail::integer_kinds) != 0)
            return put_integer(put_literal(q, "\",\"v\":"), v.as_integer());
        switch (v.kind()) {
        case value_kind::unsigned_integer: return put_integer(put_literal(q, "\",\"v\":"), v.as_unsigned());
        case value_kind::boolean:
            return v.as_boolean() ? put_literal(q, "\",\"vb\":true") : put_literal(q, "\",\"vb\":false");
        case value_kind::string:
        case value_kind::corelnk: {
            if (v.encoding() != text_encoding::raw) return nullptr;
            const std::string_view text = as_chars(v.bytes_unchecked());
            if (text.size() > room - max_tight) return nullptr;
            q = put_literal(q, "\",\"vs\":\"");
            // ASCII with nothing to escape: valid UTF-8, copied as it is (other text takes the
            // general path, which validates and escapes, and writes over these bytes).
            if (!encoding::copy_plain_json_ascii(text, q)) return nullptr;
            q += text.size();
            *q++ = '"';
            return q;
        }
        default: return nullptr;
        }
    }

    /** Writes `,{"n":"` and the name of a record at `p` (a common record); returns the end. */
    [[nodiscard]] LWM2M_HOT_INLINE char* names_prefix(const path& p) const noexcept {
        return plan.write_name(p, put_literal(at, ",{\"n\":\""));
    }
    /**
     * The same for the first record: `{"bn":"base","n":"` and the name, at `at`. Static (no
     * `this`): the writer's members can stay in registers in the caller's loop.
     */
    [[nodiscard]] LWM2M_NOINLINE static char* first_names_prefix(char* at, const senml::detail::name_plan& plan,
                                                                 const path& p) noexcept {
        // The base name is ids and '/': nothing to escape.
        const std::string_view bn = plan.base_name();
        char* q = put_literal(at, "{\"bn\":\"");
        std::memcpy(q, bn.data(), bn.size());
        return plan.write_name(p, put_literal(q + bn.size(), "\",\"n\":\""));
    }
};

} // namespace detail::senml_json_writer

/**
 * Writes `records` as a SenML JSON pack for a request on `base` (RFC 8428 §5; LwM2M 1.1 Core
 * §7.4.4): `[{"bn":"/3/0/","n":"0","vs":"Open Mobile Alliance"},{"n":"1",...},...]`.
 * - Names: "bn" once, on the first record; "n" relative to it (rule: `senml::detail::name_plan`:
 *   "bn" is the text of `base` plus "/" unless `base` is the root or a record is at `base`
 *   itself, so `/3/0/1` read alone gives `[{"bn":"/3/0/1","v":...}]` and a root base gives
 *   `{"bn":"/","n":"3/0/1"}` like Leshan). No "bt", "bv" or "bver" is written.
 * - "t" when `record.time` is set (an integer when integral, else the shortest double that
 *   reads back exactly).
 * - The value in the label of its kind (`senml::value_label`): Integer, Unsigned Integer, Time
 *   → "v" as an integer; Float → "v" as the shortest double that reads back exactly, with
 *   ".0" when integral so a reader sees a float; String, Corelnk → "vs" (JSON-escaped);
 *   Boolean → "vb"; Opaque → "vd", base64url without padding (RFC 8428 §5); Objlnk → "vlo"
 *   "ObjID:InstID". A `none` value writes a name-only record (Read-Composite request bodies).
 *   Values kept encoded by a reader (JSON escapes, base64) are decoded on the way.
 * Records are written in the given order; nothing is written unless all are valid.
 *
 * Errors (offset = index of the record): `invalid_argument` (a path not under `base`, or a
 * value at a level above resource), `type_mismatch` (an `untyped` value, e.g. from TLV read
 * without schema: `coerce` it first), `number_out_of_range` (a NaN or infinite Float value or
 * time: JSON has no form for them), `invalid_json` / `invalid_base64` / `invalid_utf8` (a
 * value whose encoded text does not decode, or a String/Corelnk that is not UTF-8). Output
 * that does not fit the window is not an error here: check `out.finish()` / `out.total()`.
 * Allocation: none.
 */
[[nodiscard]] inline result<void> write_senml_json(std::span<const record> records, const lwm2m::path& base,
                                                   output_window& out) noexcept {
    using namespace detail::senml_json_writer;
#if LWM2M_SENML_ONE_PASS_WRITE
    // Fast path: each record checked and written in place in the window's buffer while it
    // surely fits, committed only once all are valid; the general code writes the rest.
    if (const mutable_bytes room = out.free_space(); !room.empty()) {
        char* const start = reinterpret_cast<char*>(room.data());
        return senml::detail::write_in_one_pass(
            records, base, true, room, out,
            [&](const senml::detail::name_plan& plan) {
                *start = '[';
                return in_place_writer{start + 1, start + room.size(), plan, senml::detail::common_record{base},
                                       base.depth()};
            },
            [](in_place_writer& put) {  // the ']' in place, when there is room for it
                if (put.at == put.end) return false;
                *put.at++ = ']';
                return true;
            },
            [&](std::size_t first, const senml::detail::name_plan& plan) { write_from(records, first, plan, out); });
    }
#endif
    const auto plan = senml::detail::prepare_records(records, base, true);
    if (!plan) return unexpected{plan.error()};
    write_from(records, 0, *plan, out);
    return {};
}

/**
 * Size in bytes of the pack `write_senml_json(records, base, ...)` writes.
 * Errors: as `write_senml_json`. Allocation: none.
 */
[[nodiscard]] inline result<std::size_t> senml_json_size(std::span<const record> records,
                                                         const lwm2m::path& base) noexcept {
    output_window counter{mutable_bytes{}};
    if (auto ok = write_senml_json(records, base, counter); !ok) return unexpected{ok.error()};
    return counter.total();
}

} // namespace lwm2m::format
