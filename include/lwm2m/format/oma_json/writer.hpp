#pragma once
/**
 * @file format/oma_json/writer.hpp
 * `write_oma_json`: records to an LwM2M 1.0 JSON payload (application/vnd.oma.lwm2m+json,
 * Content-Format 11543; LwM2M 1.0 §6.4.4), and `oma_json_size`. Allocation: none.
 */

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/encoding/base64.hpp>
#include <lwm2m/encoding/utf8.hpp>
#include <lwm2m/format/json/writer.hpp>
#include <lwm2m/format/oma_json/reader.hpp>
#include <lwm2m/format/output_window.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/model/objlnk_text.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/model/value_bytes.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format {

namespace oma_json::detail {

/** Largest magnitude up to which every integer is a double: times are rebased on "bt" only below it. */
inline constexpr double exact_integer_limit = 9007199254740992.0;  // 2^53

/** True when `t` is integral and within int64 (written as an integer literal). */
[[nodiscard]] constexpr bool integral_time(double t) noexcept { return lwm2m::detail::is_int64_exact(t); }

/** Streaming UTF-8 validation (shared: `encoding::utf8_checker`). */
using encoding::utf8_checker;

/**
 * Checks that a string/corelnk value decodes to UTF-8 and an opaque value decodes at all.
 * Errors: `invalid_utf8`, `invalid_json`, `invalid_base64` (offset 0).
 */
[[nodiscard]] LWM2M_HOT_INLINE constexpr result<void> check_bytes(const value& v) noexcept {
    if (v.kind() == value_kind::string || v.kind() == value_kind::corelnk) {
        if (v.encoding() == text_encoding::raw) {
            if (!encoding::validate_utf8(v.encoded_bytes())) return fail(errc::invalid_utf8);
            return {};
        }
        utf8_checker check;
        auto n = for_each_value_byte(v, [&](std::byte b) { check.put(b); });
        if (!n) return fail(n.error().code);
        if (!check.ok()) return fail(errc::invalid_utf8);
    } else if (v.kind() == value_kind::opaque && v.encoding() != text_encoding::raw) {
        if (auto n = value_byte_size(v); !n) return fail(n.error().code);
    }
    return {};
}

/** A number of seconds: an integer literal when integral, else the shortest double. */
inline void time_number(json::writer& w, double t) noexcept {
    if (integral_time(t)) w.number(static_cast<std::int64_t>(t));
    else w.number(t);
}

/** The value member of one entry (`v`, `bv`, `sv` or `ov`); precondition: checked by the writer. */
inline void value_member(json::writer& w, const value& v) noexcept {
    switch (v.kind()) {
    case value_kind::integer:
    case value_kind::time:
        w.key(label_text(label::v));
        w.number(v.as_integer());
        break;
    case value_kind::unsigned_integer:
        w.key(label_text(label::v));
        w.number(v.as_unsigned());
        break;
    case value_kind::float_:
        w.key(label_text(label::v));
        w.number(v.as_float());
        break;
    case value_kind::boolean:
        w.key(label_text(label::bv));
        w.boolean(v.as_boolean());
        break;
    case value_kind::string:
    case value_kind::corelnk:
        w.key(label_text(label::sv));
        if (v.encoding() == text_encoding::raw) {
            w.string(v.encoded_bytes());
        } else {
            w.begin_string();
            (void)for_each_value_byte(v, [&](std::byte b) { w.string_bytes(bytes_view{&b, 1}); });
            w.end_string();
        }
        break;
    case value_kind::opaque: {
        w.key(label_text(label::sv));
        w.begin_string();
        if (v.encoding() == text_encoding::base64) {
            for (const std::byte b : v.encoded_bytes()) w.string_char(static_cast<char>(b));
        } else {
            const auto put = [&](char c) { w.string_char(c); };
            encoding::base64_stream b64{encoding::base64_alphabet::standard, put};
            (void)for_each_value_byte(v, [&](std::byte b) { b64.put(b); });
            b64.finish();
        }
        w.end_string();
        break;
    }
    case value_kind::objlnk: {
        char text[max_objlnk_text]{};
        const std::size_t n = lwm2m::format_objlnk(v.as_objlnk(), text);
        w.key(label_text(label::ov));
        w.string(std::string_view{text, n});
        break;
    }
    case value_kind::none:
    case value_kind::untyped: break;
    }
}

} // namespace oma_json::detail

/**
 * Writes `records` as an LwM2M 1.0 JSON payload for a request on `base` (LwM2M 1.0 §6.4.4):
 * `{"bn":"/3/0/","e":[{"n":"0","sv":"Open Mobile Alliance"},{"n":"7/0","v":3800},...]}`.
 * - "bn" is the text of `base` followed by "/" (so "n" needs no leading '/'; "/" for the root),
 *   and each record's "n" its ids below `base` joined by '/' ("7/0"; "3/0/1" under the root).
 *   When a record's path is `base` itself, "bn" stops one id above and "n" starts with base's
 *   last id (`{"bn":"/3/0/","e":[{"n":"13","v":1}]}`): every entry has an "n". An entry named
 *   by "bn" alone is valid (the 1.0 §6.4.4 notification example has them, and readers here
 *   take them), but Wakaama's reader skips it: a Write so written would change nothing there.
 * - Times: when every record has a time and all are integral and below 2^53 in magnitude, "bt" is
 *   the first record's time and each "t" the difference (omitted when 0), as in the §6.4.4
 *   notification example; otherwise records with a time carry it whole in "t" (read back as
 *   "bt" 0 + "t") and no "bt" is written.
 * - Values: Integer, Unsigned Integer, Time → "v" as an integer; Float → "v" as the shortest double
 *   that reads back exactly, with ".0" when integral; Boolean → "bv"; String, Corelnk → "sv";
 *   Opaque → "sv" in standard base64 with padding; Objlnk → "ov" "ObjID:InstID". Values kept
 *   encoded by a reader (JSON escapes, base64) are decoded on the way (base64 is copied as is).
 * Records are written in the given order (the same path may repeat with different times);
 * nothing is written unless all are valid.
 *
 * Errors (offset = index of the record): `invalid_argument` (a path not under `base` or above
 * resource level, or a `none` value: every entry needs one), `type_mismatch` (an `untyped` value:
 * `coerce` it first), `number_out_of_range` (a NaN or infinite Float or time: JSON has no form for
 * them), `invalid_utf8` / `invalid_json` / `invalid_base64` (a value whose encoded text does not
 * decode, or a String/Corelnk that is not UTF-8). Output that does not fit the window is not an
 * error here: check `out.finish()` / `out.total()`. Allocation: none.
 */
[[nodiscard]] inline result<void> write_oma_json(std::span<const record> records, const lwm2m::path& base,
                                                 output_window& out) noexcept {
    namespace d = oma_json::detail;
    using oma_json::label;
    using oma_json::label_text;

    bool some_at_base = false;
    bool all_timed = !records.empty();
    for (std::size_t i = 0; i < records.size(); ++i) {
        const record& r = records[i];
        const value& v = r.value;
        if (!base.is_prefix_of(r.path) || !r.path.has_resource()) return fail(errc::invalid_argument, i);
        if (v.kind() == value_kind::none) return fail(errc::invalid_argument, i);
        if (v.kind() == value_kind::untyped) return fail(errc::type_mismatch, i);
        if (v.kind() == value_kind::float_ && !std::isfinite(v.as_float())) return fail(errc::number_out_of_range, i);
        if (r.time && !std::isfinite(*r.time)) return fail(errc::number_out_of_range, i);
        if (auto ok = d::check_bytes(v); !ok) return fail(ok.error().code, i);
        some_at_base = some_at_base || r.path == base;
        all_timed = all_timed && r.time && std::trunc(*r.time) == *r.time && std::fabs(*r.time) < d::exact_integer_limit;
    }
    // Rebasing on "bt" stays exact: both times are integers below 2^53, so is their difference.
    if (all_timed) {
        const double bt = *records[0].time;
        for (const record& r : records)
            if (std::fabs(*r.time - bt) >= d::exact_integer_limit) all_timed = false;
    }

    // Names start below `from` ids: below base, or at base's last id when a record is at base
    // itself, so that every entry has an "n" (Wakaama's reader takes no entry without one).
    const std::size_t from = some_at_base ? base.depth() - 1 : base.depth();
    json::writer w{out};
    w.begin_object();
    {
        char bn[path::max_text_length + 1]{};
        std::size_t n = 0;
        bn[n++] = '/';
        for (std::size_t i = 0; i < from; ++i) {
            n += lwm2m::detail::path_write_decimal(base.id(i), bn + n);
            bn[n++] = '/';
        }
        w.key(label_text(label::bn));
        w.string(std::string_view{bn, n});
    }
    const double bt = all_timed ? *records[0].time : 0.0;
    if (all_timed) {
        w.key(label_text(label::bt));
        d::time_number(w, bt);
    }
    w.key(label_text(label::e));
    w.begin_array();
    for (const record& r : records) {
        w.begin_object();
        {
            char name[path::max_text_length]{};
            std::size_t n = 0;
            for (std::size_t i = from; i < r.path.depth(); ++i) {
                if (i != from) name[n++] = '/';
                n += lwm2m::detail::path_write_decimal(r.path.id(i), name + n);
            }
            w.key(label_text(label::n));
            w.string(std::string_view{name, n});
        }
        d::value_member(w, r.value);
        if (r.time) {
            const double t = all_timed ? *r.time - bt : *r.time;
            if (!all_timed || t != 0) {
                w.key(label_text(label::t));
                d::time_number(w, t);
            }
        }
        w.end_object();
    }
    w.end_array();
    w.end_object();
    return {};
}

/**
 * Size in bytes of the payload `write_oma_json(records, base, ...)` writes.
 * Errors: as `write_oma_json`. Allocation: none.
 */
[[nodiscard]] inline result<std::size_t> oma_json_size(std::span<const record> records,
                                                       const lwm2m::path& base) noexcept {
    output_window counter{mutable_bytes{}};
    if (auto ok = write_oma_json(records, base, counter); !ok) return unexpected{ok.error()};
    return counter.total();
}

} // namespace lwm2m::format
