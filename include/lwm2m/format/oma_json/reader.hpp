#pragma once
/**
 * @file format/oma_json/reader.hpp
 * `oma_json_reader`: pull cursor over an LwM2M 1.0 JSON payload (application/vnd.oma.lwm2m+json,
 * Content-Format 11543; the pre-IANA number 1543 is mapped to it by `canonical(content_format)`;
 * LwM2M 1.0 §6.4.4) yielding one `format::record` per entry of the "e" array, with absolute
 * paths and resolved times, straight from the payload (zero-copy). Allocation: none.
 *
 * The shape (LwM2M 1.0 §6.4.4, "JSON format and description" table):
 * `{"bn":"/3/0/","bt":25462634,"e":[{"n":"0","sv":"Open Mobile Alliance"},{"n":"7/0","v":3800},...]}`
 * - root members: "bn" base name (optional), "bt" base time (optional), "e" the entry array
 *   (mandatory);
 * - entry members: "n" name (relative to "bn"), "t" time (relative to "bt"), and exactly one
 *   value: "v" (number: Integer, Float, Time), "bv" (boolean), "sv" (string; for an Opaque resource
 *   the standard base64 of the bytes), "ov" (object link "ObjID:InstID").
 * This is not SenML (RFC 8428): the labels come from an early SenML draft.
 */

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/encoding/base64.hpp>
#include <lwm2m/encoding/ieee754.hpp>
#include <lwm2m/encoding/json_string.hpp>
#include <lwm2m/encoding/number_text.hpp>
#include <lwm2m/format/json/number_value.hpp>
#include <lwm2m/format/json/reader.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/format/text_field.hpp>
#include <lwm2m/model/coerce.hpp>
#include <lwm2m/model/data_type.hpp>
#include <lwm2m/model/object_def.hpp>
#include <lwm2m/model/objlnk_text.hpp>
#include <lwm2m/model/resource_def.hpp>
#include <lwm2m/model/schema_registry.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/model/value_bytes.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format {

namespace oma_json {

/** The member names of LwM2M 1.0 JSON (LwM2M 1.0 §6.4.4). Allocation: none. */
enum class label : std::uint8_t {
    bn, ///< Base Name (root)
    bt, ///< Base Time (root)
    e,  ///< the entry array (root)
    n,  ///< Name (entry)
    t,  ///< Time (entry)
    v,  ///< Float Value: a JSON number (Integer, Float, Time resources)
    bv, ///< Boolean Value
    sv, ///< String Value (String, Corelnk; base64 for Opaque)
    ov, ///< Object Link Value "ObjID:InstID"
};

/** The JSON member name of a label. Allocation: none. */
[[nodiscard]] constexpr std::string_view label_text(label l) noexcept {
    constexpr std::string_view names[] = {"bn", "bt", "e", "n", "t", "v", "bv", "sv", "ov"};
    return names[static_cast<std::size_t>(l)];
}

namespace detail {

using format::detail::for_each_char;
using format::detail::text_field;

/**
 * Parses path text fed one character at a time onto a starting path, with the error codes of
 * `parse_path`. Two forms:
 * - absolute ("bn"): a leading '/' is required, a trailing '/' is allowed ("/3/0/"), "/" is the root;
 * - relative ("n"): ids separated by '/', an optional leading '/' (tolerated, as Wakaama does), no
 *   trailing '/'; the empty text adds nothing.
 * Allocation: none.
 */
class path_text_parser {
public:
    constexpr path_text_parser(const path& start, bool absolute) noexcept : path_(start), absolute_(absolute) {}

    constexpr void put(char c) noexcept {
        if (failed_) return;
        const bool first = total_++ == 0;
        if (c == '/') {
            if (!first) end_segment();  // else the leading '/'
            after_slash_ = true;
            return;
        }
        if (first && absolute_) {
            fail_with(errc::path_syntax);
            return;
        }
        after_slash_ = false;
        if (length_ == 0 && path_.depth() == path::max_depth) {
            fail_with(errc::path_too_deep);
            return;
        }
        ++length_;
        if (c < '0' || c > '9') {
            bad_digit_ = true;
            return;
        }
        if (length_ == 1) first_zero_ = c == '0';
        else if (first_zero_) bad_digit_ = true;
        if (!too_big_) {
            id_ = id_ * 10 + static_cast<std::uint32_t>(c - '0');
            too_big_ = id_ > path::max_id;
        }
    }

    /** The path, or the error code of the text fed so far. */
    [[nodiscard]] constexpr result<path> finish() noexcept {
        if (!failed_) {
            if (total_ == 0) {
                if (absolute_) fail_with(errc::path_syntax);
            } else if (length_ > 0) {
                end_segment();
            } else if (after_slash_ && !absolute_) {
                fail_with(errc::path_syntax);  // "7/" or "/"
            }
        }
        if (failed_) return fail(error_);
        return path_;
    }

private:
    constexpr void fail_with(errc e) noexcept {
        failed_ = true;
        error_ = e;
    }
    constexpr void end_segment() noexcept {
        if (length_ == 0) fail_with(errc::path_syntax);  // "//", or "/" right after the start
        else if (bad_digit_) fail_with(errc::path_invalid_number);
        else if (too_big_) fail_with(errc::path_id_out_of_range);
        else {
            auto next = path_.child(id_);
            LWM2M_ASSERT(next.has_value());
            path_ = *next;
        }
        length_ = 0;
        id_ = 0;
        bad_digit_ = too_big_ = first_zero_ = false;
    }

    path path_;
    bool absolute_;
    std::size_t total_ = 0;
    std::size_t length_ = 0;
    std::uint32_t id_ = 0;
    bool bad_digit_ = false;
    bool too_big_ = false;
    bool first_zero_ = false;
    bool after_slash_ = false;
    bool failed_ = false;
    errc error_{};
};

/** Byte length of a string/opaque value once decoded (values here were validated). */
[[nodiscard]] constexpr std::size_t decoded_size(const value& v) noexcept {
    auto n = value_byte_size(v);
    return n ? *n : v.encoded_bytes().size();
}

/**
 * Types a value read from entry field `field` with its resource's schema (LwM2M 1.0 §6.4.4):
 * "sv" of an Opaque resource is standard base64 (validated; the value keeps it, encoding
 * `base64`; JSON escapes are not base64), "sv" of an Objlnk resource may hold "ObjID:InstID",
 * everything else goes through `coerce`; then the range check (strings and opaque values by their
 * decoded length). Errors carry offset `at` (the value token), or the bad base64 character.
 */
[[nodiscard]] inline result<value> apply_schema(const value& v, const text_field& sv, const resource_def& def,
                                                std::size_t at) noexcept {
    value typed = v;
    if (def.type == data_type::opaque && v.kind() == value_kind::string) {
        const std::size_t backslash = sv.text.find('\\');
        if (backslash != std::string_view::npos) return fail(errc::invalid_base64, sv.offset + 1 + backslash);
        auto n = encoding::base64_decoded_size(sv.text, encoding::base64_alphabet::standard);
        if (!n) return fail(errc::invalid_base64, sv.offset + 1 + n.error().offset);
        typed = value::of_opaque(as_bytes(sv.text), text_encoding::base64);
    } else if (def.type == data_type::objlnk && v.kind() == value_kind::string) {
        objlnk_parser p;
        for_each_char(sv, [&](char c) { p.put(c); });
        const auto link = p.finish();
        if (!link) return fail(errc::invalid_objlnk, at);
        typed = value::of_objlnk(*link);
    } else {
        auto c = coerce(v, def.type);
        if (!c) return fail(c.error().code, at);
        typed = *c;
    }
    if ((typed.kind() == value_kind::string || typed.kind() == value_kind::corelnk ||
         typed.kind() == value_kind::opaque) &&
        typed.encoding() != text_encoding::raw) {
        if (!def.range.contains(static_cast<double>(decoded_size(typed)))) return fail(errc::number_out_of_range, at);
    } else if (auto in_range = check_range(typed, def); !in_range) {
        return fail(in_range.error().code, at);
    }
    return typed;
}

/** True when the key token names `name` (keys with escapes are decoded first). */
[[nodiscard]] constexpr bool key_is(std::string_view text, bool escaped, std::string_view name) noexcept {
    if (!escaped) return text == name;
    std::size_t i = 0;
    bool same = true;
    auto r = encoding::json_unescape_each(text, [&](std::byte b) {
        if (i >= name.size() || name[i] != static_cast<char>(b)) same = false;
        ++i;
    });
    return r.has_value() && same && i == name.size();
}

/**
 * What a quick look at the root object found before the entries are read: the "bn" and "bt"
 * members may come after "e" (JSON members are unordered; the LwM2M 1.0 §6.4.4 notification
 * example puts "bt" last), so they are located first by a structural scan that does not
 * validate (the tokenizer does that while reading). Allocation: none.
 */
struct root_scan {
    std::optional<text_field> bn{};  ///< the first "bn" member, when its value is a string
    std::optional<json::token> bt{}; ///< the first "bt" member, when its value looks like a number
};

class root_scanner {
public:
    explicit constexpr root_scanner(std::string_view in) noexcept : in_(in) {}

    [[nodiscard]] constexpr root_scan run() noexcept {
        root_scan out;
        ws();
        if (!eat('{')) return out;
        for (;;) {
            ws();
            if (pos_ >= in_.size() || in_[pos_] != '"') return out;
            const std::size_t key_at = pos_;
            if (!skip_string()) return out;
            const std::string_view key = slice(in_, key_at + 1, pos_ - key_at - 2);
            const bool key_escaped = key.find('\\') != std::string_view::npos;
            ws();
            if (!eat(':')) return out;
            ws();
            const std::size_t value_at = pos_;
            if (pos_ >= in_.size()) return out;
            const char c = in_[pos_];
            bool ok = true;
            if (c == '"') ok = skip_string();
            else if (c == '{' || c == '[') ok = skip_container();
            else while (pos_ < in_.size() && in_[pos_] != ',' && in_[pos_] != '}' && !is_ws(in_[pos_])) ++pos_;
            if (!ok) return out;
            const std::string_view raw = slice(in_, value_at, pos_ - value_at);
            if (!out.bn && key_is(key, key_escaped, "bn") && c == '"') {
                const std::string_view body = slice(raw, 1, raw.size() - 2);
                if (encoding::json_unescaped_size(body))
                    out.bn = text_field::json(body, body.find('\\') != std::string_view::npos, value_at);
            } else if (!out.bt && key_is(key, key_escaped, "bt")) {
                bool integer = false;
                if (!raw.empty() && encoding::scan_json_number(raw, integer) == raw.size())
                    out.bt = json::token{json::token_kind::number, raw, false, integer, value_at};
            }
            ws();
            if (!eat(',')) return out;
        }
    }

private:
    static constexpr bool is_ws(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
    constexpr void ws() noexcept {
        while (pos_ < in_.size() && is_ws(in_[pos_])) ++pos_;
    }
    constexpr bool eat(char c) noexcept {
        if (pos_ >= in_.size() || in_[pos_] != c) return false;
        ++pos_;
        return true;
    }
    // At a '"': moves past the closing quote.
    constexpr bool skip_string() noexcept {
        ++pos_;
        while (pos_ < in_.size() && in_[pos_] != '"') pos_ += in_[pos_] == '\\' ? 2 : 1;
        if (pos_ >= in_.size()) return false;
        ++pos_;
        return true;
    }
    // At a '{' or '[': moves past the matching close (brackets inside strings ignored).
    constexpr bool skip_container() noexcept {
        std::size_t depth = 0;
        while (pos_ < in_.size()) {
            const char c = in_[pos_];
            if (c == '"') {
                if (!skip_string()) return false;
                continue;
            }
            ++pos_;
            if (c == '{' || c == '[') ++depth;
            else if (c == '}' || c == ']') {
                if (--depth == 0) return true;
            }
        }
        return false;
    }

    std::string_view in_;
    std::size_t pos_ = 0;
};

/** One entry as read, before resolution. */
struct raw_entry {
    std::size_t offset = 0;             ///< the entry's '{'
    std::uint16_t labels = 0;           ///< bit set of the labels seen
    text_field n{};
    double t = 0;
    std::size_t t_offset = 0;
    std::optional<label> value_label{}; ///< v, bv, sv or ov
    value val{};
    text_field sv{};                    ///< the "sv" string (for Opaque / Objlnk typing)
    std::size_t value_offset = 0;       ///< the value token
    [[nodiscard]] constexpr bool has(label l) const noexcept { return (labels >> static_cast<unsigned>(l)) & 1u; }
    constexpr void add(label l) noexcept { labels = static_cast<std::uint16_t>(labels | (1u << static_cast<unsigned>(l))); }
};

} // namespace detail
} // namespace oma_json

/**
 * Reads an LwM2M 1.0 JSON payload (LwM2M 1.0 §6.4.4; Content-Format 11543, legacy 1543) as
 * records, one per entry of "e", in payload order.
 *
 * Resolution of each entry:
 * - path: the ids of "n" appended to the path "bn" names. "bn" is an absolute path with an optional
 *   trailing '/' ("/3/0/", "/3/0", "/"); without "bn" (or with "bn":"") names are relative to
 *   `base`, the request path (as Leshan and Wakaama read them). "n" is ids separated by '/', with a
 *   tolerated leading '/'; an entry without "n" (or "n":"") is named by "bn" (or `base`) alone, like
 *   the entries of the LwM2M 1.0 §6.4.4 notification example.
 * - time = "bt" + "t" when either is present (both in seconds; "t" is relative to "bt", e.g. -5),
 *   else none. "bt" may appear before or after "e".
 * - value: "v" → an integer literal is `value::of_integer` (`of_unsigned` above INT64_MAX), any
 *   other number `of_float`; "bv" → boolean; "sv" → string (encoding `json_escaped` when the JSON
 *   string has escapes, else `raw`; zero-copy); "ov" → objlnk from "ObjID:InstID" (each 0..65535).
 *   Opaque values travel as base64 in "sv": without a schema they read as strings.
 * - Unknown members of the root and of entries are ignored.
 *
 * Every path must lie under `base` and at resource or resource-instance level. With `schemas`,
 * for an object it knows, the resource must exist, its multiplicity must match the path level (a
 * value at /O/I/R of a multiple resource, or at /O/I/R/RI of a single one, is `invalid_nesting`),
 * and the value is typed (`coerce`: "v":1700000000 → Time, "v":22 → Float 22.0, "sv" → Corelnk;
 * "sv" of an Opaque resource → `value::of_opaque` of the base64 text, encoding `base64`, validated;
 * "sv":"3:0" of an Objlnk resource → objlnk) and range-checked (strings/opaque by decoded length).
 * Objects the registry does not know are read without typing. The same path may appear several
 * times (historical values with different times).
 *
 * Errors (then every later `next()` returns the same error); offsets are byte offsets in the
 * payload, at the start of the token concerned (the opening quote of a string):
 * - `invalid_json`, `invalid_utf8`: from the JSON tokenizer (RFC 8259);
 * - `invalid_senml` (the format is draft-SenML; no separate code): the top level is not an object,
 *   "e" is missing (offset of the root's closing '}') or not an array, an entry is not an object, a
 *   member's value has the wrong JSON type (offset of the value), two value members in one entry
 *   (offset of the second member's name), an entry without value (offset of the entry);
 * - `duplicate_entry`: a member twice in the root or in one entry (offset of the second name);
 * - `path_syntax`, `path_invalid_number`, `path_id_out_of_range`, `path_too_deep`: "bn" is not a
 *   path (offset of "bn"'s value) or "bn" + "n" is not one (offset of "n"'s value);
 * - `invalid_nesting`: the path is not under `base` (offset of "n", else of "bn", else of the
 *   entry), or the schema's multiplicity does not match (same offset);
 * - `not_resource_instance_level`: a path above resource level (same offset);
 * - `number_out_of_range`: a number beyond the range of a double, or "bt" + "t" infinite (offset
 *   of the value); with a schema, a value outside the resource's range;
 * - `invalid_objlnk`: "ov" is not "ObjID:InstID" (offset of the value);
 * - with a schema: `resource_not_in_schema` (offset of the name), `type_mismatch`,
 *   `number_out_of_range`, `invalid_objlnk` (offset of the value), `invalid_base64` (offset of the
 *   bad character in "sv" of an Opaque resource; a backslash counts as one).
 * A payload is only valid once `next()` returned nullopt: records returned before an error came
 * from a payload that turned out to be malformed later.
 *
 * The payload, `base` (copied) and the schema registry must outlive the reader; records view the
 * payload. Allocation: none.
 */
class oma_json_reader {
public:
    /** A reader over `payload` sent to/for `base`; values typed with `schemas` when given. Allocation: none. */
    oma_json_reader(bytes_view payload, const lwm2m::path& base, const schema_registry* schemas = nullptr) noexcept
        : text_(as_chars(payload)), json_(as_chars(payload)), base_(base), schemas_(schemas) {}

    /**
     * Reads a value named `base`/0 as the value of `base` when `base` is `/O/I/R` and the schema
     * says that resource is single-instance (a value there is otherwise `invalid_nesting`).
     * LwM2M 1.0 Wakaama clients answer a Read of a single resource so ("bn":"/3/0/0/","n":"0",
     * against §6.4.4, which names it /3/0/0). A peer quirk, off by default: the server engine
     * turns it on only to read again the answer to a Read of one resource that failed without it,
     * and keeps the result only if it is one record. Allocation: none.
     */
    void read_resource_instance_zero_as_resource() noexcept { resource_instance_zero_ = true; }

    /**
     * The next record, or `std::nullopt` after the last one (and on every later call).
     * Errors: see the class comment. Allocation: none.
     */
    [[nodiscard]] result<std::optional<record>> next() noexcept {
        if (failed_) return unexpected{error_};
        auto r = step();
        if (!r) {
            failed_ = true;
            error_ = r.error();
        }
        return r;
    }

private:
    using opt_record = std::optional<record>;
    using token = json::token;
    using token_kind = json::token_kind;
    using label = oma_json::label;
    using text_field = oma_json::detail::text_field;
    enum class state : std::uint8_t { start, root, entries, done };

    /** A member name decoded into a small buffer (known names are at most 2 chars). */
    [[nodiscard]] static std::optional<label> known_label(const token& k) noexcept {
        char chars[3]{};
        std::size_t length = 0;
        oma_json::detail::for_each_char(text_field::json(k.text, k.escaped, k.offset), [&](char c) {
            if (length < sizeof(chars)) chars[length] = c;
            ++length;
        });
        if (length > 2) return std::nullopt;
        const std::string_view name{chars, length};
        for (std::uint8_t i = 0; i <= static_cast<std::uint8_t>(label::ov); ++i)
            if (oma_json::label_text(static_cast<label>(i)) == name) return static_cast<label>(i);
        return std::nullopt;
    }

    [[nodiscard]] static result<text_field> text(const token& t) noexcept {
        if (t.kind != token_kind::string) return fail(errc::invalid_senml, t.offset);
        return text_field::json(t.text, t.escaped, t.offset);
    }

    /** Resolves "bn" and "bt" found by the root scan (errors are reported where they occur). */
    void prepare() noexcept {
        const oma_json::detail::root_scan scan = oma_json::detail::root_scanner{text_}.run();
        if (scan.bn && !scan.bn->text.empty()) {
            has_bn_ = true;
            bn_offset_ = scan.bn->offset;
            oma_json::detail::path_text_parser p{path{}, true};
            oma_json::detail::for_each_char(*scan.bn, [&](char c) { p.put(c); });
            auto bn = p.finish();
            if (bn) bn_ = *bn;
            else bn_error_ = error{bn.error().code, scan.bn->offset};
        }
        if (scan.bt) {
            has_bt_ = true;
            auto d = encoding::parse_double(scan.bt->text);
            if (d) bt_ = *d;
            else bt_error_ = error{errc::number_out_of_range, scan.bt->offset};
        }
    }

    /** Reads one root member whose name token is `k`. */
    [[nodiscard]] result<void> root_member(const token& k) noexcept {
        const auto l = known_label(k);
        if (l != label::bn && l != label::bt && l != label::e) {
            LWM2M_TRY(skipped, json_.next());
            return json_.skip_value(skipped);
        }
        const unsigned bit = 1u << static_cast<unsigned>(*l);
        if (root_labels_ & bit) return fail(errc::duplicate_entry, k.offset);
        root_labels_ |= bit;
        LWM2M_TRY(v, json_.next());
        switch (*l) {
        case label::bn:
            if (v.kind != token_kind::string) return fail(errc::invalid_senml, v.offset);
            if (bn_error_) return unexpected{*bn_error_};
            return {};
        case label::bt:
            if (v.kind != token_kind::number) return fail(errc::invalid_senml, v.offset);
            if (bt_error_) return unexpected{*bt_error_};
            return {};
        default:
            if (v.kind != token_kind::begin_array) return fail(errc::invalid_senml, v.offset);
            state_ = state::entries;
            return {};
        }
    }

    /** Reads the members of one entry object whose '{' was at `at`. */
    [[nodiscard]] result<oma_json::detail::raw_entry> read_entry(std::size_t at) noexcept {
        oma_json::detail::raw_entry r;
        r.offset = at;
        for (;;) {
            LWM2M_TRY(k, json_.next());
            if (k.kind == token_kind::end_object) return r;
            const auto l = known_label(k);
            if (!l || *l == label::bn || *l == label::bt || *l == label::e) {
                LWM2M_TRY(skipped, json_.next());
                if (auto ok = json_.skip_value(skipped); !ok) return unexpected{ok.error()};
                continue;
            }
            if (r.has(*l)) return fail(errc::duplicate_entry, k.offset);
            r.add(*l);
            LWM2M_TRY(t, json_.next());
            switch (*l) {
            case label::n: {
                LWM2M_TRY(f, text(t));
                r.n = f;
                continue;
            }
            case label::t: {
                if (t.kind != token_kind::number) return fail(errc::invalid_senml, t.offset);
                auto d = encoding::parse_double(t.text);
                if (!d) return fail(errc::number_out_of_range, t.offset);
                r.t = *d;
                r.t_offset = t.offset;
                continue;
            }
            default: break;
            }
            // A value member.
            if (r.value_label) return fail(errc::invalid_senml, k.offset);
            switch (*l) {
            case label::v: {
                if (t.kind != token_kind::number) return fail(errc::invalid_senml, t.offset);
                LWM2M_TRY(v, json::number_value(t));
                r.val = v;
                break;
            }
            case label::bv:
                if (t.kind != token_kind::true_ && t.kind != token_kind::false_) return fail(errc::invalid_senml, t.offset);
                r.val = value::of_boolean(t.kind == token_kind::true_);
                break;
            case label::sv: {
                LWM2M_TRY(f, text(t));
                r.sv = f;
                r.val = value::of_string(f.text, f.encoding);
                break;
            }
            default: {  // ov
                LWM2M_TRY(f, text(t));
                objlnk_parser p;
                oma_json::detail::for_each_char(f, [&](char c) { p.put(c); });
                const auto link = p.finish();
                if (!link) return fail(errc::invalid_objlnk, t.offset);
                r.val = value::of_objlnk(*link);
                break;
            }
            }
            r.value_label = l;
            r.value_offset = t.offset;
        }
    }

    /** Turns an entry into a record. */
    [[nodiscard]] result<record> resolve(const oma_json::detail::raw_entry& r) const noexcept {
        if (has_bn_ && bn_error_) return unexpected{*bn_error_};
        const bool has_n = r.has(label::n) && !r.n.text.empty();
        const std::size_t name_at = has_n ? r.n.offset : has_bn_ ? bn_offset_ : r.offset;
        path p = has_bn_ ? bn_ : base_;
        if (has_n) {
            oma_json::detail::path_text_parser parser{p, false};
            oma_json::detail::for_each_char(r.n, [&](char c) { parser.put(c); });
            auto full = parser.finish();
            if (!full) return fail(full.error().code, r.n.offset);
            p = *full;
        }
        if (!r.value_label) return fail(errc::invalid_senml, r.offset);
        if (!base_.is_prefix_of(p)) return fail(errc::invalid_nesting, name_at);
        if (!p.has_resource()) return fail(errc::not_resource_instance_level, name_at);

        record out{p, r.val, std::nullopt};
        const bool has_t = r.has(label::t);
        if (has_bt_ || has_t) {
            if (has_bt_ && bt_error_) return unexpected{*bt_error_};
            const double when = (has_bt_ ? bt_ : 0.0) + (has_t ? r.t : 0.0);
            if (!encoding::is_finite(when)) return fail(errc::number_out_of_range, has_t ? r.t_offset : r.offset);
            out.time = when;
        }

        if (schemas_ != nullptr) {
            if (const object_view* object = schemas_->find(p.object_id())) {
                const resource_def* def = object->find(p.resource_id());
                if (def == nullptr) return fail(errc::resource_not_in_schema, name_at);
                if (p.has_resource_instance() != def->is_multiple()) {
                    if (!(resource_instance_zero_ && !def->is_multiple() && base_.level() == path_level::resource &&
                          p.parent() == base_ && p.resource_instance_id() == 0))
                        return fail(errc::invalid_nesting, name_at);
                    out.path = base_;  // see read_resource_instance_zero_as_resource
                }
                LWM2M_TRY(typed, oma_json::detail::apply_schema(r.val, r.sv, *def, r.value_offset));
                out.value = typed;
            }
        }
        return out;
    }

    [[nodiscard]] result<opt_record> step() noexcept {
        if (state_ == state::done) return opt_record{};
        if (state_ == state::start) {
            prepare();
            LWM2M_TRY(first, json_.next());
            if (first.kind != token_kind::begin_object) return fail(errc::invalid_senml, first.offset);
            state_ = state::root;
        }
        for (;;) {
            if (state_ == state::root) {
                LWM2M_TRY(k, json_.next());
                if (k.kind == token_kind::end_object) {
                    if (!(root_labels_ & (1u << static_cast<unsigned>(label::e)))) return fail(errc::invalid_senml, k.offset);
                    LWM2M_TRY(end, json_.next());  // the tokenizer rejects anything but whitespace after
                    (void)end;
                    state_ = state::done;
                    return opt_record{};
                }
                if (auto ok = root_member(k); !ok) return unexpected{ok.error()};
                continue;
            }
            LWM2M_TRY(t, json_.next());
            if (t.kind == token_kind::end_array) {
                state_ = state::root;
                continue;
            }
            if (t.kind != token_kind::begin_object) return fail(errc::invalid_senml, t.offset);
            LWM2M_TRY(raw, read_entry(t.offset));
            LWM2M_TRY(rec, resolve(raw));
            return opt_record{rec};
        }
    }

    std::string_view text_;
    json::reader json_;
    path base_;
    const schema_registry* schemas_ = nullptr;
    state state_ = state::start;
    unsigned root_labels_ = 0;
    bool has_bn_ = false;
    path bn_{};
    std::size_t bn_offset_ = 0;
    std::optional<error> bn_error_{};
    bool has_bt_ = false;
    double bt_ = 0;
    std::optional<error> bt_error_{};
    bool failed_ = false;
    bool resource_instance_zero_ = false;
    error error_{};
};

} // namespace lwm2m::format
