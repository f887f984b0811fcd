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
#include <lwm2m/format/json/writer.hpp>
#include <lwm2m/format/output_window.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/format/senml/record_fields.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/model/value_bytes.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format {

namespace detail::senml_json_writer {

/**
 * The text of the pack, gathered in a small buffer and handed to the window a buffer at a
 * time: records have a fixed shape (labels, names, numbers), so they are composed directly
 * instead of through `json::writer`'s per-token separators and per-piece window checks.
 * The window sees the same bytes in fewer pieces. Allocation: none.
 */
class pack_text {
public:
    explicit pack_text(output_window& out) noexcept : out_(&out) {}

    /** Room for `n` (<= capacity) more bytes; commit what was written with `added`. */
    [[nodiscard]] char* room(std::size_t n) noexcept {
        if (size_ + n > capacity) flush();
        return buf_ + size_;
    }
    void added(std::size_t n) noexcept { size_ += n; }

    void text(std::string_view s) noexcept {
        if (s.empty()) return;
        if (s.size() > capacity) {
            flush();
            json::detail::write_piece(*out_, s.data(), s.size());
            return;
        }
        std::memcpy(room(s.size()), s.data(), s.size());
        size_ += s.size();
    }
    void character(char c) noexcept {
        *room(1) = c;
        ++size_;
    }
    /** The member name of `l` with its quotes and ':', after a ',' unless it is the first member. */
    void label(senml::label l, bool& first) noexcept {
        const std::string_view name = senml::label_text(l);
        char* at = room(name.size() + 4);
        std::size_t n = 0;
        if (!first) at[n++] = ',';
        first = false;
        at[n++] = '"';
        for (const char c : name) at[n++] = c;
        at[n++] = '"';
        at[n++] = ':';
        size_ += n;
    }
    /** UTF-8 text as the body of a JSON string (RFC 8259 §7): runs that need no escape whole. */
    void escaped(bytes_view utf8) noexcept {
        encoding::json_escape_runs(utf8, [&](bytes_view run) { text(as_chars(run)); });
    }
    void string(bytes_view utf8) noexcept {
        // Names and most values need no escape: copied with their quotes in one go.
        const std::string_view s = as_chars(utf8);
        if (s.size() + 2 <= capacity) {
            char* at = room(s.size() + 2);
            if (json::detail::copy_unescaped(s, at + 1)) {
                at[0] = '"';
                at[s.size() + 1] = '"';
                size_ += s.size() + 2;
                return;
            }
        }
        character('"');
        escaped(utf8);
        character('"');
    }
    void string(std::string_view s) noexcept { string(as_bytes(s)); }
    /** A record name (ids and '/', nothing to escape) with its quotes. */
    void name(const senml::detail::short_text& name) noexcept {
        char* at = room(name.chars.size() + 2);
        at[0] = '"';
        // The whole fixed-size array: a copy of constant size, of which `length` bytes count.
        std::memcpy(at + 1, name.chars.data(), name.chars.size());
        at[name.length + 1] = '"';
        size_ += name.length + 2u;
    }
    void integer(std::int64_t v) noexcept { added(*encoding::format_number(v, number_room())); }
    void integer(std::uint64_t v) noexcept { added(*encoding::format_number(v, number_room())); }
    /** A double as `json::writer::number` writes it (NaN/inf, rejected by the validation, as null). */
    void number(double v) noexcept {
        if (auto n = json::detail::double_text(v, number_room())) added(*n);
        else text("null");
    }
    void flush() noexcept {
        json::detail::write_piece(*out_, buf_, size_);
        size_ = 0;
    }

private:
    static constexpr std::size_t capacity = 256;

    std::span<char> number_room() noexcept { return std::span<char>{room(encoding::max_number_text), encoding::max_number_text}; }

    output_window* out_;
    std::size_t size_ = 0;
    char buf_[capacity];
};

inline void time_field(pack_text& w, double t, bool& first) noexcept {
    w.label(senml::label::t, first);
    if (senml::detail::integral_time(t)) w.integer(static_cast<std::int64_t>(t));
    else w.number(t);
}

inline void value_field(pack_text& w, const value& v, bool& first) noexcept {
    const auto l = senml::value_label(v.kind());
    if (!l) return;  // a name-only record (path list)
    w.label(*l, first);
    switch (v.kind()) {
    case value_kind::integer:
    case value_kind::time: w.integer(v.as_integer()); break;
    case value_kind::unsigned_integer: w.integer(v.as_unsigned()); break;
    case value_kind::float_: w.number(v.as_float()); break;
    case value_kind::boolean: w.text(v.as_boolean() ? "true" : "false"); break;
    case value_kind::string:
    case value_kind::corelnk: {
        if (v.encoding() == text_encoding::raw) {
            w.string(v.encoded_bytes());
            break;
        }
        w.character('"');
        // Validated by validate_records: decoding cannot fail here. Escaping works byte by
        // byte, so escaping the decoded bytes in chunks writes the same text.
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
        w.character('"');
        break;
    }
    case value_kind::opaque: {
        w.character('"');
        const auto put = [&](char c) { w.character(c); };
        senml::detail::base64url_stream<decltype(put)> b64{put};
        (void)for_each_value_byte(v, [&](std::byte b) { b64.put(b); });
        b64.finish();
        w.character('"');
        break;
    }
    case value_kind::objlnk: {
        char text[11]{};
        const std::size_t n = senml::detail::format_objlnk(v.as_objlnk(), text);
        w.string(std::string_view{text, n});
        break;
    }
    case value_kind::none:
    case value_kind::untyped: break;
    }
}

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
    if (auto ok = senml::detail::validate_records(records, base, true); !ok) return ok;
    const senml::detail::name_plan names{records, base};
    detail::senml_json_writer::pack_text w{out};
    w.character('[');
    for (std::size_t i = 0; i < records.size(); ++i) {
        const record& r = records[i];
        if (i != 0) w.character(',');
        w.character('{');
        bool first = true;
        if (i == 0) {
            w.label(senml::label::bn, first);
            w.string(names.base_name());
        }
        if (const auto name = names.name_of(r.path)) {
            w.label(senml::label::n, first);
            w.name(*name);
        }
        if (r.time) detail::senml_json_writer::time_field(w, *r.time, first);
        detail::senml_json_writer::value_field(w, r.value, first);
        w.character('}');
    }
    w.character(']');
    w.flush();
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
