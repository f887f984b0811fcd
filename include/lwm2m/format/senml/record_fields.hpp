#pragma once
/**
 * @file format/senml/record_fields.hpp
 * What the SenML JSON and SenML CBOR readers and writers share (RFC 8428; LwM2M 1.1 Core
 * §7.4.4 SenML JSON, §7.4.5 SenML CBOR): the labels and their types, resolving a record's
 * base fields into an LwM2M `format::record` (name → path, base time, base value, version,
 * schema typing), and the writers' choice of base name, record names and value labels.
 *
 * The format-specific readers only tokenize: they collect the fields of one SenML record into
 * a `detail::raw_record` and hand it to `detail::pack_resolver`, so both formats resolve,
 * check and report errors the same way. Allocation: none.
 */

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <bit>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

#include <lwm2m/config.hpp>
#include <lwm2m/bytes.hpp>
#include <lwm2m/encoding/base64.hpp>
#include <lwm2m/encoding/ieee754.hpp>
#include <lwm2m/encoding/json_string.hpp>
#include <lwm2m/encoding/number_text.hpp>
#include <lwm2m/encoding/utf8.hpp>
#include <lwm2m/format/output_window.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/format/text_field.hpp>
#include <lwm2m/model/coerce.hpp>
#include <lwm2m/model/data_type.hpp>
#include <lwm2m/model/objlnk_text.hpp>
#include <lwm2m/model/resource_def.hpp>
#include <lwm2m/model/schema_registry.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/model/value_bytes.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>


/// 1: the SenML readers take records of the common shape in one pass (`plain_record`), a speed
/// path that gives exactly what the general code gives. 0: the general code only, about 1 kB
/// less code (the default when optimising for size). Define it to choose.
#ifndef LWM2M_SENML_ONE_PASS
#if defined(__OPTIMIZE_SIZE__)
#define LWM2M_SENML_ONE_PASS 0
#else
#define LWM2M_SENML_ONE_PASS 1
#endif
#endif

namespace lwm2m::format::senml {

/**
 * The SenML labels (RFC 8428 §4.3 Table 1, CBOR keys §6 Table 4) and LwM2M's object-link
 * value "vlo" (LwM2M 1.1 Core §7.4.4; no CBOR integer: SenML CBOR uses the text key "vlo").
 * Allocation: none.
 */
enum class label : std::uint8_t {
    bver, ///< Base Version (CBOR -1)
    bn,   ///< Base Name (-2)
    bt,   ///< Base Time (-3)
    bu,   ///< Base Unit (-4)
    bv,   ///< Base Value (-5)
    bs,   ///< Base Sum (-6)
    n,    ///< Name (0)
    u,    ///< Unit (1)
    v,    ///< Value, a number (2)
    vs,   ///< String Value (3)
    vb,   ///< Boolean Value (4)
    s,    ///< Value Sum (5)
    t,    ///< Time (6)
    ut,   ///< Update Time (7)
    vd,   ///< Data Value (8): base64url text in JSON, a byte string in CBOR
    vlo,  ///< LwM2M Objlnk value "ObjID:InstID" (text key in CBOR)
};

/** Number of `label` enumerators. */
inline constexpr std::size_t label_count = 16;

/** What a label's value must be (RFC 8428 §4.3 Table 1 "JSON Type"). Allocation: none. */
enum class field_type : std::uint8_t {
    text,    ///< JSON string / CBOR text string
    number,  ///< JSON number / CBOR integer, float or decimal fraction (tag 4)
    boolean, ///< JSON true/false / CBOR simple 20/21
    data,    ///< "vd": base64url JSON string / CBOR byte string
    version, ///< "bver": a positive integer (CBOR: unsigned integer only, §6)
};

namespace detail {
struct label_info {
    std::string_view text;
    std::int8_t cbor_key; // meaningful when cbor_integer
    bool cbor_integer;
    field_type type;
};
inline constexpr label_info label_table[label_count] = {
    {"bver", -1, true, field_type::version}, {"bn", -2, true, field_type::text},
    {"bt", -3, true, field_type::number},    {"bu", -4, true, field_type::text},
    {"bv", -5, true, field_type::number},    {"bs", -6, true, field_type::number},
    {"n", 0, true, field_type::text},        {"u", 1, true, field_type::text},
    {"v", 2, true, field_type::number},      {"vs", 3, true, field_type::text},
    {"vb", 4, true, field_type::boolean},    {"s", 5, true, field_type::number},
    {"t", 6, true, field_type::number},      {"ut", 7, true, field_type::number},
    {"vd", 8, true, field_type::data},       {"vlo", 0, false, field_type::text},
};
} // namespace detail

/** The JSON member name of a label ("bn", ..., "vlo"). Allocation: none. */
[[nodiscard]] constexpr std::string_view label_text(label l) noexcept {
    return detail::label_table[static_cast<std::size_t>(l)].text;
}

/** The type a label's value must have. Allocation: none. */
[[nodiscard]] constexpr field_type label_type(label l) noexcept {
    return detail::label_table[static_cast<std::size_t>(l)].type;
}

namespace detail {
/** `label_table`'s CBOR keys alone, `no_cbor_key` for "vlo": what a CBOR-only image reads. */
inline constexpr std::int8_t no_cbor_key = -128;
inline constexpr auto label_cbor_keys = [] {
    std::array<std::int8_t, label_count> keys{};
    for (std::size_t i = 0; i < label_count; ++i) keys[i] = label_table[i].cbor_integer ? label_table[i].cbor_key : no_cbor_key;
    return keys;
}();
/** The label of each CBOR integer key -6..8 (at key + 6), 0xFF for none. */
inline constexpr auto labels_by_cbor_key = [] {
    std::array<std::uint8_t, 15> labels{};
    for (auto& l : labels) l = 0xFF;
    for (std::size_t i = 0; i < label_count; ++i)
        if (label_table[i].cbor_integer) labels[static_cast<std::size_t>(label_table[i].cbor_key + 6)] = static_cast<std::uint8_t>(i);
    return labels;
}();
} // namespace detail

/**
 * The SenML CBOR integer key of a label (RFC 8428 §6 Table 4), or nullopt for "vlo", which
 * is written as a text key. Allocation: none.
 */
[[nodiscard]] constexpr std::optional<std::int8_t> label_cbor_key(label l) noexcept {
    const std::int8_t key = detail::label_cbor_keys[static_cast<std::size_t>(l)];
    if (key == detail::no_cbor_key) return std::nullopt;
    return key;
}

/** The label named `text` in SenML JSON (RFC 8428 §5 Table 2, plus "vlo"), if known. Allocation: none. */
[[nodiscard]] LWM2M_HOT_INLINE constexpr std::optional<label> label_from_text(std::string_view text) noexcept {
    // Called for every member of every record: dispatch on the length and first character
    // instead of comparing with each of the 16 names.
    const auto is = [&](std::size_t i, char c) { return text[i] == c; };
    switch (text.size()) {
    case 1:
        switch (text[0]) {
        case 'n': return label::n;
        case 'u': return label::u;
        case 'v': return label::v;
        case 's': return label::s;
        case 't': return label::t;
        default: return std::nullopt;
        }
    case 2:
        if (is(0, 'b')) {
            switch (text[1]) {
            case 'n': return label::bn;
            case 't': return label::bt;
            case 'u': return label::bu;
            case 'v': return label::bv;
            case 's': return label::bs;
            default: return std::nullopt;
            }
        }
        if (is(0, 'v')) {
            switch (text[1]) {
            case 's': return label::vs;
            case 'b': return label::vb;
            case 'd': return label::vd;
            default: return std::nullopt;
            }
        }
        if (is(0, 'u') && is(1, 't')) return label::ut;
        return std::nullopt;
    case 3:
        if (is(0, 'v') && is(1, 'l') && is(2, 'o')) return label::vlo;
        return std::nullopt;
    case 4:
        if (is(0, 'b') && is(1, 'v') && is(2, 'e') && is(3, 'r')) return label::bver;
        return std::nullopt;
    default: return std::nullopt;
    }
}

namespace detail {
[[nodiscard]] constexpr bool label_names_round_trip() noexcept {
    for (std::size_t i = 0; i < label_count; ++i)
        if (label_from_text(label_table[i].text) != static_cast<label>(i)) return false;
    return true;
}
static_assert(label_names_round_trip(), "label_from_text must know exactly the names of label_table");
} // namespace detail

/** The label with SenML CBOR integer key `key` (RFC 8428 §6 Table 4), if known. Allocation: none. */
[[nodiscard]] constexpr std::optional<label> label_from_cbor_key(std::int64_t key) noexcept {
    if (key < -6 || key > 8) return std::nullopt;
    const std::uint8_t i = detail::labels_by_cbor_key[static_cast<std::size_t>(key + 6)];
    if (i == 0xFF) return std::nullopt;
    return static_cast<label>(i);
}

/** True for the labels that carry a record's value: v, vs, vb, vd, vlo. Allocation: none. */
[[nodiscard]] constexpr bool is_value_label(label l) noexcept {
    constexpr unsigned values = 1u << static_cast<unsigned>(label::v) | 1u << static_cast<unsigned>(label::vs) |
                                1u << static_cast<unsigned>(label::vb) | 1u << static_cast<unsigned>(label::vd) |
                                1u << static_cast<unsigned>(label::vlo);
    return ((values >> static_cast<unsigned>(l)) & 1u) != 0;  // one test, not five
}

/**
 * The label that carries a value of kind `k` in LwM2M SenML (LwM2M 1.1 Core §7.4.4): numbers
 * (Integer, Unsigned Integer, Float, Time) in "v", String and Corelnk in "vs", Boolean in "vb",
 * Opaque in "vd", Objlnk in "vlo". nullopt for `none` (a name-only record) and `untyped`.
 * Allocation: none.
 */
[[nodiscard]] constexpr std::optional<label> value_label(value_kind k) noexcept {
    switch (k) {
    case value_kind::integer:
    case value_kind::unsigned_integer:
    case value_kind::float_:
    case value_kind::time: return label::v;
    case value_kind::string:
    case value_kind::corelnk: return label::vs;
    case value_kind::boolean: return label::vb;
    case value_kind::opaque: return label::vd;
    case value_kind::objlnk: return label::vlo;
    case value_kind::none:
    case value_kind::untyped: break;
    }
    return std::nullopt;
}

/** Tag that selects a reader's path-list mode (Read-Composite / Observe-Composite request bodies). */
struct path_list_mode_t {};
/** The path-list mode tag: `senml_json_reader r(payload, base, senml::path_list_mode);`. */
inline constexpr path_list_mode_t path_list_mode{};

/**
 * Highest SenML version a reader accepts (RFC 8428 §4.1: the version defaults to 10; §4.4: a
 * reader MUST NOT use a pack of a higher version than it understands).
 */
inline constexpr std::uint64_t max_version = 10;

/** RFC 8428 §4.5.3: resolved times below 2^28 are relative to "now", others are Unix times. */
inline constexpr double relative_time_limit = 268435456.0;

namespace detail {

/** The bit of `l` in `label_set::bits()`. */
[[nodiscard]] constexpr std::uint32_t label_bit(label l) noexcept { return std::uint32_t{1} << static_cast<unsigned>(l); }

/** The set of labels seen in one record (to find duplicates). Allocation: none. */
class label_set {
public:
    [[nodiscard]] constexpr bool has(label l) const noexcept { return (bits_ & label_bit(l)) != 0; }
    constexpr void add(label l) noexcept { bits_ |= label_bit(l); }
    /** Bit `l` set for each label `l` present. */
    [[nodiscard]] constexpr std::uint32_t bits() const noexcept { return bits_; }

private:
    std::uint32_t bits_ = 0;
};

using format::detail::for_each_char;
using format::detail::text_field;

/**
 * Parses a path fed one character at a time, with exactly the rules and error codes of
 * `parse_path` (so "bn" + "n" need not be concatenated into a buffer). Allocation: none.
 */
class path_builder {
public:
    constexpr void put(char c) noexcept {
        if (failed_) return;
        if (total_ < 2 && total_++ == 0) {
            if (c != '/') fail_with(errc::path_syntax);
            return;
        }
        if (c == '/') {
            end_segment();
            return;
        }
        if (length_ == 0) {
            if (path_.depth() == path::max_depth) {
                fail_with(errc::path_too_deep);
                return;
            }
            first_zero_ = c == '0';
            length_ = 1;
        } else {
            bad_digit_ = bad_digit_ || first_zero_;  // a leading zero
            length_ = 2;
        }
        if (c < '0' || c > '9') {
            bad_digit_ = true;
            return;
        }
        // Saturates above max_id: the value only matters while it is in range.
        id_ = id_ * 10 + static_cast<std::uint32_t>(c - '0');
        if (id_ > path::max_id) id_ = path::max_id + 1;
    }

    /**
     * Feeds the decoded characters of a text field. The state is small, so that the compiler
     * can keep a local builder in registers. Allocation: none.
     */
    constexpr void put(const text_field& f) noexcept {
        if (f.encoded()) put_encoded(f);
        else
            for (const char c : f.text) put(c);
    }

    /**
     * A builder fed `f` from the start. The usual base name, "/" then plain ids each followed
     * by '/' ("/3/0/", LwM2M 1.1 Core §7.4.4), is taken in one step with `append_plain_ids`
     * into the very state the characters would leave; any other text is fed one character
     * at a time. Allocation: none.
     */
    [[nodiscard]] static constexpr path_builder of(const text_field& f) noexcept;

    /**
     * The builder fed a plain base name whose path is `p` (`plain_base_name_path`): what `of`
     * gives for that text. Allocation: none.
     */
    [[nodiscard]] static constexpr path_builder after_plain_base_name(const path& p) noexcept;

    /**
     * True when the text fed so far is "/" or ends in '/' with no error: what follows starts
     * a new segment of `completed()` (the case `append_plain_ids` handles). Allocation: none.
     */
    [[nodiscard]] constexpr bool at_segment_start() const noexcept { return !failed_ && total_ != 0 && length_ == 0; }

    /**
     * The path of the segments completed so far (each ended by a '/'); a finished path is
     * this one or extends it. Allocation: none.
     */
    [[nodiscard]] constexpr const path& completed() const noexcept { return path_; }

    /** The path, or the `parse_path` error code of the text fed so far. */
    [[nodiscard]] constexpr result<path> finish() noexcept {
        if (!failed_) {
            if (total_ == 0) fail_with(errc::path_syntax);
            else if (total_ > 1) end_segment();
        }
        if (failed_) return fail(error_);
        return path_;
    }

private:
    constexpr void put_encoded(const text_field& f) noexcept {
        for_each_char(f, [&](char c) { put(c); });
    }
    constexpr void fail_with(errc e) noexcept {
        failed_ = true;
        error_ = e;
    }
    constexpr void end_segment() noexcept {
        if (length_ == 0) fail_with(errc::path_syntax);
        else if (bad_digit_) fail_with(errc::path_invalid_number);
        else if (id_ > path::max_id) fail_with(errc::path_id_out_of_range);
        else {
            auto next = path_.child(id_);
            LWM2M_ASSERT(next.has_value());
            path_ = *next;
        }
        length_ = 0;
        id_ = 0;
        bad_digit_ = first_zero_ = false;
    }

    path path_{};
    std::uint32_t id_ = 0;      // the pending segment's value, max_id + 1 when above max_id
    std::uint8_t total_ = 0;    // characters fed, counted up to 2 (none, the leading '/', more)
    std::uint8_t length_ = 0;   // characters of the pending segment, counted up to 2
    bool bad_digit_ = false;
    bool first_zero_ = false;
    bool failed_ = false;
    errc error_{};
};

/**
 * Reads plain ids, "id/id/...", the whole text from `s` to `end`, onto the path held as
 * `lanes` (`path_access::lanes`) and `depth`: each id decimal, without a leading zero, at most
 * `path::max_id`, the path at most `path::max_depth` deep. False, with nothing changed, for
 * any other text (empty, an empty segment, a trailing '/', a leading zero, ...): the general
 * code then decides it. Allocation: none.
 */
[[nodiscard]] LWM2M_HOT_INLINE constexpr bool take_plain_ids(std::uint64_t& lanes, std::size_t& depth, const char* s,
                                                             const char* end) noexcept {
    // The ids are gathered in locals, so the loop stores nothing until the ids are known valid.
    std::size_t d = depth;
    std::uint64_t l = lanes;
    for (;;) {
        if (s == end || d == path::max_depth) return false;
        std::uint32_t id = static_cast<std::uint32_t>(static_cast<unsigned char>(*s) - '0');
        if (id > 9) return false;
        ++s;
        if (id != 0) {  // "0" is the only id that may start with a zero
            for (std::uint32_t c = 0; s != end && (c = static_cast<std::uint32_t>(static_cast<unsigned char>(*s) - '0')) <= 9; ++s) {
                id = id * 10 + c;
                if (id > path::max_id) return false;
            }
        }
        // Lane `d` holds no_id (all ones) until now: xor with no_id ^ id leaves the id.
        l ^= std::uint64_t{path::no_id ^ id} << (16 * d);
        ++d;
        if (s == end) break;
        if (*s++ != '/') return false;
    }
    lanes = l;
    depth = d;
    return true;
}

/**
 * `take_plain_ids` over exactly the `n` characters at `s` (all of them plain ids, else false
 * with nothing changed). The commonest names under a "bn" that ends at an instance, "R",
 * "RR", "R/I" and "RR/I" (a resource below 100 and an instance below 10), take one step
 * each; any other text goes through the loop, which also decides every text they reject.
 * Allocation: none.
 */
[[nodiscard]] LWM2M_HOT_INLINE constexpr bool take_plain_ids_n(std::uint64_t& lanes, std::size_t& depth, const char* s,
                                                               std::size_t n) noexcept {
    // A digit's value, and anything else above 9.
    const auto digit = [&](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(s[i])} - '0'; };
    // One id (`ids` in the low lane) or two (`width` 2): each turns lane `depth` from no_id
    // (all ones) into the id, as take_plain_ids does.
    const auto push = [&](std::uint64_t ids, std::size_t width) {
        const std::uint64_t ones = width == 1 ? 0xFFFFu : 0xFFFFFFFFu;
        lanes ^= (ones ^ ids) << (16 * depth);
        depth += width;
        return true;
    };
    // Size builds (LWM2M_SENML_ONE_PASS 0) leave every name to the loop.
    switch (LWM2M_SENML_ONE_PASS ? n : 0) {
    case 1:
        if (const std::uint64_t r = digit(0); r <= 9 && depth < path::max_depth) return push(r, 1);
        break;
    case 2:
        // No leading zero: the first digit is 1 to 9.
        if (const std::uint64_t a = digit(0), b = digit(1); a - 1 <= 8 && b <= 9 && depth < path::max_depth)
            return push(a * 10 + b, 1);
        break;
    case 3:
        if (const std::uint64_t r = digit(0), i = digit(2); s[1] == '/' && r <= 9 && i <= 9 && depth < path::max_depth - 1)
            return push(r | i << 16, 2);
        break;
    case 4:
        if (const std::uint64_t a = digit(0), b = digit(1), i = digit(3);
            s[2] == '/' && a - 1 <= 8 && b <= 9 && i <= 9 && depth < path::max_depth - 1)
            return push((a * 10 + b) | i << 16, 2);
        break;
    default: break;
    }
    return take_plain_ids(lanes, depth, s, s + n);
}

/**
 * Appends to `p` the ids of `text` when it is plainly valid: "id/id/..." with each id decimal,
 * without a leading zero, at most `path::max_id`, and the result at most `path::max_depth`
 * deep. Anything else (an empty text or segment, a trailing '/', another character, ...)
 * returns false and leaves the error to `path_builder`, so the fast path never decides one.
 * Allocation: none.
 */
[[nodiscard]] LWM2M_HOT_INLINE constexpr bool append_plain_ids(path& p, std::string_view text) noexcept {
    std::size_t depth = p.depth();
    std::uint64_t lanes = lwm2m::detail::path_access::lanes(p);
    if (!take_plain_ids(lanes, depth, text.data(), text.data() + text.size())) return false;
    p = lwm2m::detail::path_access::of_lanes(lanes, static_cast<path_level>(depth));
    return true;
}

/**
 * The path of a plain base name: "/" (the root) or "/" then plain ids each followed by '/'
 * ("/3/0/", LwM2M 1.1 Core §7.4.4; `append_plain_ids`), the segments `path_builder` completes
 * for that text; false for any other text. Allocation: none.
 */
[[nodiscard]] LWM2M_HOT_INLINE constexpr bool plain_base_name_path(std::string_view t, path& p) noexcept {
    if (t.empty() || t.front() != '/' || t.back() != '/') return false;
    std::uint64_t lanes = lwm2m::detail::path_access::lanes(path{});
    std::size_t depth = 0;
    if (t.size() > 1 && !take_plain_ids_n(lanes, depth, t.data() + 1, t.size() - 2)) return false;
    p = lwm2m::detail::path_access::of_lanes(lanes, static_cast<path_level>(depth));
    return true;
}

constexpr path_builder path_builder::after_plain_base_name(const path& p) noexcept {
    path_builder b;
    // As after put('/') (the root), or after it, the ids and a '/' after each: every segment
    // completed, none pending, one character or more seen (`total_` counts up to 2).
    b.path_ = p;
    b.total_ = p.is_root() ? 1 : 2;
    return b;
}

constexpr path_builder path_builder::of(const text_field& f) noexcept {
    path p;
    // Size builds (LWM2M_SENML_ONE_PASS 0) feed every base name.
    if (LWM2M_SENML_ONE_PASS && !f.encoded() && plain_base_name_path(f.text, p)) return after_plain_base_name(p);
    path_builder b;
    b.put(f);
    return b;
}

/** The object link in a validated text field. Errors: `invalid_objlnk` at the field's offset. */
[[nodiscard]] constexpr result<value> objlnk_value(const text_field& f) noexcept {
    objlnk_parser p;
    for_each_char(f, [&](char c) { p.put(c); });
    auto link = p.finish();
    if (!link) return fail(errc::invalid_objlnk, f.offset);
    return value::of_objlnk(*link);
}

/** One SenML record as a format's tokenizer collected it, before resolution. Allocation: none. */
struct raw_record {
    std::size_t offset = 0; ///< where the record (JSON object / CBOR map) starts
    label_set labels{};     ///< labels present
    text_field bn{};
    text_field n{};
    double bt = 0;
    std::size_t bt_offset = 0;
    double t = 0;
    std::size_t t_offset = 0;
    value bv{};
    std::size_t bv_offset = 0;
    std::uint64_t bver = 0;
    std::size_t bver_offset = 0;
    std::optional<label> value_label{}; ///< which of v/vs/vb/vd/vlo carried the value
    value val{};                         ///< the value as read (numbers: integer, unsigned or float)
    std::size_t value_offset = 0;        ///< offset of the value token
    std::size_t value_key_offset = 0;    ///< offset of its label

    /**
     * Makes this an empty record starting at `at`, for a reader that reuses one `raw_record`:
     * `pack_resolver::resolve` reads a field only when its label (or value label) is present.
     */
    constexpr void clear(std::size_t at) noexcept {
        offset = at;
        labels = label_set{};
        value_label.reset();
    }
};

static_assert(std::is_trivially_copyable_v<raw_record> && std::is_trivially_destructible_v<raw_record>);

/**
 * The `raw_record` a reader's general code reuses, made on its first use: a reader whose
 * records all take the one-pass path (readers are made for one payload, often short) never
 * pays for its 200 bytes. Copies as bytes (trivially copyable, made or not). Allocation: none.
 */
class lazy_raw_record {
public:
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-member-init): made by get()
    constexpr lazy_raw_record() noexcept {}

    /** The record, made (empty) on the first call. */
    [[nodiscard]] constexpr raw_record& get() noexcept {
        if (!made_) {
            std::construct_at(&record_);
            made_ = true;
        }
        return record_;
    }

private:
    union {
        raw_record record_;
    };
    bool made_ = false;
};

/** Signed 65-bit magnitude arithmetic for base value + value (RFC 8428 §4.5.4), exact when it fits. */
struct wide_integer {
    bool negative = false;
    std::uint64_t magnitude = 0;
};
[[nodiscard]] constexpr wide_integer to_wide(const value& v) noexcept {
    if (v.kind() == value_kind::unsigned_integer) return {false, v.as_unsigned()};
    const std::int64_t i = v.as_integer();
    if (i >= 0) return {false, static_cast<std::uint64_t>(i)};
    return {true, static_cast<std::uint64_t>(-(i + 1)) + 1};
}
[[nodiscard]] constexpr value from_wide(wide_integer w) noexcept {
    constexpr std::uint64_t int_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (!w.negative || w.magnitude == 0) {
        if (w.magnitude <= int_max) return value::of_integer(static_cast<std::int64_t>(w.magnitude));
        return value::of_unsigned(w.magnitude);
    }
    if (w.magnitude <= int_max) return value::of_integer(-static_cast<std::int64_t>(w.magnitude));
    if (w.magnitude == int_max + 1) return value::of_integer(std::numeric_limits<std::int64_t>::min());
    return value::of_float(-encoding::to_double(w.magnitude));
}

/**
 * `add_base_value` without Float values (LWM2M_FLOAT_VALUES 0): no double is added. A float
 * that is a whole number takes part as that integer (as `coerce` would make it one); the sum
 * is exact, as with integers. Errors: `float_not_supported` for a float that is not whole, or
 * a sum beyond 64 bits (which only a double would hold).
 */
[[nodiscard]] constexpr result<value> add_whole_base_value(const value& base, const value& v) noexcept {
    const auto wide = [](const value& x, wide_integer& w) {
        if (x.kind() == value_kind::integer || x.kind() == value_kind::unsigned_integer) {
            w = to_wide(x);
            return true;
        }
        if (x.kind() != value_kind::float_ || !lwm2m::detail::is_whole(x.as_float())) return false;
        const double d = x.as_float();
        if (!lwm2m::detail::is_int64_exact(d) && !lwm2m::detail::is_uint64_exact(d)) return false;
        w = {std::bit_cast<std::int64_t>(d) < 0, encoding::truncated_magnitude(d)};
        return true;
    };
    wide_integer a{}, b{};
    if (!wide(base, a) || !wide(v, b)) return fail(errc::float_not_supported);
    if (a.negative != b.negative) {
        if (a.magnitude >= b.magnitude) return from_wide({a.negative, a.magnitude - b.magnitude});
        return from_wide({b.negative, b.magnitude - a.magnitude});
    }
    const std::uint64_t sum = a.magnitude + b.magnitude;
    if (sum < a.magnitude) return fail(errc::float_not_supported);
    return from_wide({a.negative, sum});
}

/**
 * `base + v` for numeric values (integer, unsigned or float), exact for integers while the sum
 * fits int64/uint64, else a double. Errors: `number_out_of_range` when finite inputs give an
 * infinite double; without Float values, those of `add_whole_base_value`.
 */
[[nodiscard]] constexpr result<value> add_base_value(const value& base, const value& v) noexcept {
    if constexpr (!config::float_values) return add_whole_base_value(base, v);
    const bool integral_base = base.kind() == value_kind::integer || base.kind() == value_kind::unsigned_integer;
    const bool integral_value = v.kind() == value_kind::integer || v.kind() == value_kind::unsigned_integer;
    if (integral_base && integral_value) {
        const wide_integer a = to_wide(base);
        const wide_integer b = to_wide(v);
        if (a.negative == b.negative) {
            const std::uint64_t sum = a.magnitude + b.magnitude;
            if (sum >= a.magnitude) return from_wide({a.negative, sum});
            // magnitude overflow: fall through to double
        } else {
            if (a.magnitude >= b.magnitude) return from_wide({a.negative, a.magnitude - b.magnitude});
            return from_wide({b.negative, b.magnitude - a.magnitude});
        }
    }
    const double x = base.numeric();
    const double y = v.numeric();
    const double sum = x + y;
    if (!encoding::is_finite(sum) && encoding::is_finite(x) && encoding::is_finite(y)) return fail(errc::number_out_of_range);
    return value::of_float(sum);
}

/**
 * `bt + t` (RFC 8428 §4.5.3) without Float values (LWM2M_FLOAT_VALUES 0), where no double is
 * added: the sum of two whole numbers of seconds below 2^53 in magnitude (every time a device
 * keeps: 2^53 s is 285 million years), rounded as the double sum is (the integer sum is exact,
 * `to_double` rounds it to nearest); nothing for other times.
 */
[[nodiscard]] constexpr std::optional<double> whole_time_sum(double bt, double t) noexcept {
    // |d| < 2^53 exactly when the biased exponent is below 1023 + 53 (NaN and infinities are above).
    const auto small = [](double d) { return ((std::bit_cast<std::uint64_t>(d) >> 52) & 0x7FFu) < 1023 + 53; };
    if (!small(bt) || !small(t) || !lwm2m::detail::is_whole(bt) || !lwm2m::detail::is_whole(t)) return std::nullopt;
    // A zero sum is +0, as in double arithmetic, but for -0 + -0.
    const std::int64_t sum = encoding::whole_to_int64(bt) + encoding::whole_to_int64(t);
    if (sum == 0) return std::bit_cast<std::uint64_t>(bt) == std::bit_cast<std::uint64_t>(-0.0) &&
                                 std::bit_cast<std::uint64_t>(t) == std::bit_cast<std::uint64_t>(-0.0)
                             ? -0.0
                             : 0.0;
    return encoding::to_double(sum);
}

/** Byte length of a string/opaque value once decoded (validated values cannot fail). */
[[nodiscard]] constexpr std::size_t decoded_size(const value& v) noexcept {
    auto n = value_byte_size(v);
    return n ? *n : v.encoded_bytes().size();
}

/**
 * Types a value with its resource's schema: `coerce`, plus an Objlnk given as a "vs" string
 * "O:I" (older Leshan versions write object links that way), then the range check (strings and
 * opaque values by their decoded length). Errors carry offset `at`.
 */
[[nodiscard]] constexpr result<value> apply_schema(const value& v, const resource_def& def, std::size_t at) noexcept {
    value typed = v;
    if (v.kind() == kind_of(def.type)) {
        // Already of the resource's type (coerce would return it as it is).
    } else if (def.type == data_type::objlnk && v.kind() == value_kind::string) {
        objlnk_parser p;
        if (auto ok = for_each_value_byte(v, [&](std::byte b) { p.put(static_cast<char>(b)); }); !ok)
            return fail(ok.error().code, at);
        auto link = p.finish();
        if (!link) return fail(errc::invalid_objlnk, at);
        typed = value::of_objlnk(*link);
    } else {
        auto c = coerce(v, def.type);
        if (!c) return fail(c.error().code, at);
        typed = *c;
    }
    if (!def.range.present) return typed;  // nothing to check
    if ((typed.kind() == value_kind::string || typed.kind() == value_kind::opaque) &&
        typed.encoding() != text_encoding::raw) {
        if (!def.range.contains(encoding::to_double(decoded_size(typed)))) return fail(errc::number_out_of_range, at);
    } else if (auto in_range = check_range(typed, def); !in_range) {
        return fail(in_range.error().code, at);
    }
    return typed;
}

/**
 * The members of a `record`, made into one where `std::optional::emplace` constructs it: in the
 * caller's object, with no `record` built aside and copied (which g++ 12 does with `rep movs`
 * in the readers' `next()`). Allocation: none.
 */
struct record_parts {
    const path& p;
    const value& v;
    const record_time& time;
    // NOLINTNEXTLINE(google-explicit-constructor): the conversion is the point
    constexpr operator record() const noexcept { return record{p, v, time}; }
};

/** No time, for `record_parts`. */
inline constexpr record_time no_time{};

/**
 * A reader's answer holding the record at `p` of value `v`, with no time, built in place
 * (the readers' one-pass records). Flattened: g++ 12 may otherwise call the `result`
 * constructor out of line, and a record built aside is copied.
 */
#if defined(__GNUC__) && !defined(__OPTIMIZE_SIZE__)
[[gnu::flatten]]
#endif
inline result<std::optional<record>> plain_result(const path& p, const value& v) noexcept {
    return record_parts{p, v, no_time};
}

/** What `pack_resolver::resolve` made of a record. */
enum class resolved : std::uint8_t {
    record,    ///< a record is stored in the output
    base_only, ///< values mode, a record of base fields only: nothing to return, read on
    error,     ///< the error is stored in the output
};

/**
 * The state of one SenML pack while it is read: the base fields in force (RFC 8428 §4.1: a
 * base field applies to its record and every later one until the next record that has it),
 * the pack's version, and what the reader checks records against. Turns each `raw_record`
 * into a resolved `format::record` (RFC 8428 §4.6). Allocation: none.
 */
class pack_resolver {
public:
    /** Where a reader's `next()` builds its answer: the record is stored straight into it. */
    using output = result<std::optional<record>>;

    constexpr pack_resolver(const path& base, const schema_registry* schemas, bool path_list) noexcept
        : base_(base), schemas_(schemas), path_list_(path_list) {}

    /**
     * Resolves one record into `out` (which holds an empty optional); see the reader classes
     * for the rules and errors. Allocation: none.
     */
    [[nodiscard]] LWM2M_HOT_INLINE constexpr resolved resolve(const raw_record& r, output& out) noexcept {
        path p;
        value v = r.val;
        record_time time;
        // Most records are "n" and a value under a plain "bn" (see plain_pack_): their checks
        // are known to pass (a record was read before: the one with "bn"), only the name is to
        // be parsed. A shortcut of the one-pass builds: size builds run the checks.
        const bool plain = LWM2M_SENML_ONE_PASS != 0 && plain_pack_ && r.value_label &&
                           r.labels.bits() == (label_bit(label::n) | label_bit(*r.value_label)) &&
                           plain_name(r.n, p) && p.has_resource();
        if (!plain) {
            if (const resolved done = resolve_fields(r, p, v, time, out); done != resolved::record) return done;
        }

        const std::size_t name_at = r.labels.has(label::n) ? r.n.offset : bn_.offset;
        return type_and_store_out_of_line(p, v, time, name_at, r.value_offset, out);
    }

    /**
     * True when a record of "n" and one value (and no other label) needs no check beyond its
     * name: values mode, a plain "bn" under the base, no "bt", no "bv" (see `resolve`). Lets a
     * reader take such records in one pass with `plain_path` and `store_plain`.
     */
    [[nodiscard]] constexpr bool plain_records() const noexcept { return plain_pack_; }

    /** The state of the base name in force (what `plain_path` continues). */
    [[nodiscard]] constexpr const path_builder& base_name_state() const noexcept { return bn_builder_; }

    /**
     * The path of the name of such a record, its `n` characters at `s` (unescaped text), under
     * "bn" (whose state is `bn`: `base_name_state()`, or that of `plain_base_name`), when
     * `resolve` would find it on its fast path: plain ids (`take_plain_ids_n`) and the path at
     * resource level or below; false for any other name, which is left to `resolve`.
     */
    [[nodiscard]] LWM2M_HOT_INLINE static constexpr bool plain_path(const path_builder& bn, const char* s, std::size_t n,
                                                                    path& p) noexcept {
        std::uint64_t lanes = lwm2m::detail::path_access::lanes(bn.completed());
        std::size_t depth = bn.completed().depth();
        if (!take_plain_ids_n(lanes, depth, s, n) || depth < 3) return false;
        p = lwm2m::detail::path_access::of_lanes(lanes, static_cast<path_level>(depth));
        return true;
    }

    /**
     * True when a record whose only base field is "bn" = `bn` (unescaped text) leaves the pack
     * plain (`plain_records()` after `resolve` took it): values mode, no "bt" or "bv" in force,
     * and `bn` ends in '/' (or is "/") under the base. `builder` gets the state of `bn`. Lets a
     * reader take the first record of a pack in one pass too: `take_plain_base_name`, then
     * `plain_path(builder, ...)` and `store_plain`.
     */
    [[nodiscard]] constexpr bool plain_base_name(const text_field& bn, path_builder& builder) const noexcept {
        // What path_builder::of(bn) completes when it ends at a segment start (a plain base
        // name is the only such text), under the base.
        path p;
        if (path_list_ || has_bt_ || has_bv_ || bn.encoded() || !plain_base_name_path(bn.text, p) || !base_.is_prefix_of(p))
            return false;
        builder = path_builder::after_plain_base_name(p);
        return true;
    }

    /**
     * Takes "bn" as `take_pack_fields` does, once `plain_base_name(bn, builder)` said yes.
     */
    constexpr void take_plain_base_name(const text_field& bn, const path_builder& builder) noexcept {
        read_before_ = true;
        bn_ = bn;
        has_bn_ = true;
        bn_builder_ = builder;
        bn_plain_ = true;
        bn_under_base_ = true;
        plain_pack_ = true;
    }

    /**
     * Stores the record at `p` (from `plain_path`) of value `v` as `resolve` stores one of its
     * plain records: typed with the schema, errors at `name_at` (the name's offset) or
     * `value_at` (the value's). Allocation: none.
     */
    [[nodiscard]] LWM2M_HOT_INLINE constexpr resolved store_plain(const path& p, value v, std::size_t name_at,
                                                                       std::size_t value_at, output& out) noexcept {
        return type_and_store(p, v, std::nullopt, name_at, value_at, out);
    }

    /**
     * The typing `store_plain` gives the value `v` of a record at `p` (from `plain_path`) when
     * it finds no error: true with `v` typed; false where `store_plain` would store an error
     * (the reader then leaves the record to the general code, which reports it). Lets a
     * reader build a plain record straight in the caller's result. Allocation: none.
     */
    [[nodiscard]] LWM2M_HOT_INLINE constexpr bool type_plain(const path& p, value& v) noexcept {
        // `type_value` where a plain record stands: values mode (a plain pack is no path
        // list), `p` at resource level or below (`plain_path`).
        LWM2M_ASSERT(!path_list_ && p.has_resource());
        use_object(p.object_id());
        return type_plain_in_object(p.resource_id(), p.depth() - 3, v);
    }

    /** Makes `id` the object `type_plain_in_object` types with (looked up unless it is already). */
    constexpr void use_object(std::uint16_t id) noexcept {
        if (id != object_id_) look_up_object(id);
    }

    /**
     * `type_plain` for a record of the object last given to `use_object` (or typed), at its
     * resource `id` (`below` 0) or at an instance of it (`below` 1). Allocation: none.
     */
    [[nodiscard]] LWM2M_HOT_INLINE constexpr bool type_plain_in_object(std::uint16_t id, std::size_t below,
                                                                      value& v) const noexcept {
        const resource_def* def = nullptr;
        if (id < dense_.size() && dense_[id].id == id) [[likely]] {  // object_view::find's O(1) case
            def = &dense_[id];
        } else {
            if (object_ == nullptr) return true;  // no schema for the object: untyped
            def = object_->find(id);
            if (def == nullptr) return false;
        }
        // A resource instance of a multiple resource, a single resource as a whole: with the
        // depth 3 or 4, and 0 or 1 for single or multiple, one comparison.
        if (below != static_cast<std::size_t>(def->instances)) return false;
        if (v.kind() == kind_of(def->type)) {
            if (!def->range.present) return true;
            if (v.kind() == value_kind::integer) return def->range.contains(encoding::to_double(v.as_integer()));
        } else if (def->type == data_type::time && v.kind() == value_kind::integer && !def->range.present) {
            v = value::of_time(v.as_integer());  // as coerce makes it (a Time is sent as an integer "v")
            return true;
        }
        const value as_read = v;  // v itself is not seen out of line: it can stay in registers
        auto typed = apply_schema(as_read, *def, 0);
        if (!typed) return false;
        v = *typed;
        return true;
    }

private:
    /**
     * Makes `id` the object whose schema is at hand (`object_`, nullptr without one, and the
     * resources `find` reaches in O(1), `dense_`). The records of a pack are mostly of one
     * object: it is looked up once.
     */
    LWM2M_NOINLINE constexpr void look_up_object(std::uint16_t id) noexcept {
        object_id_ = id;
        object_ = schemas_ != nullptr ? schemas_->find(id) : nullptr;
        dense_ = object_ != nullptr ? object_->resources() : std::span<const resource_def>{};
    }

    /**
     * The last step of `resolve`: types `v` with the schema of `p` (when a registry is given
     * and `p` is at resource level or below) and stores the record in `out`. Errors (in `out`):
     * `resource_not_in_schema`, `invalid_nesting` at `name_at`; the typing's at `value_at`.
     */
    [[nodiscard]] LWM2M_HOT_INLINE constexpr resolved type_and_store(const path& p, value v,
                                                                          record_time time,
                                                                          std::size_t name_at, std::size_t value_at,
                                                                          output& out) noexcept {
        if (schemas_ != nullptr && p.has_resource()) {
            if (p.object_id() != object_id_) look_up_object(p.object_id());
            if (const object_view* object = object_) {
                const resource_def* def = object->find(p.resource_id());
                if (def == nullptr) return failed(out, errc::resource_not_in_schema, name_at);
                // A resource instance of a single resource; in values mode also a multiple
                // resource as a whole (path lists may name it).
                if (p.has_resource_instance() != def->is_multiple() && (p.has_resource_instance() || !path_list_))
                    return failed(out, errc::invalid_nesting, name_at);
                // Most values already have the resource's type, and at most an integer range.
                if (path_list_ || (v.kind() == kind_of(def->type) && !def->range.present)) {
                    // nothing to do
                } else if (v.kind() == kind_of(def->type) && v.kind() == value_kind::integer) {
                    if (!def->range.contains(encoding::to_double(v.as_integer())))  // as check_range
                        return failed(out, errc::number_out_of_range, value_at);
                } else {
                    auto typed = apply_schema(v, *def, value_at);
                    if (!typed) return failed(out, typed.error().code, typed.error().offset);
                    v = *typed;
                }
            }
        }
        out->emplace(record_parts{p, v, time});
        return resolved::record;
    }

    /**
     * `type_and_store` for `resolve`, out of line: the readers take most records in one pass
     * (`store_plain`), and one inlined copy of the step per reader keeps g++ 12 inlining
     * `std::optional::emplace` there.
     */
    LWM2M_NOINLINE constexpr resolved type_and_store_out_of_line(const path& p, const value& v,
                                                                record_time time, std::size_t name_at,
                                                                std::size_t value_at, output& out) noexcept {
        return type_and_store(p, v, time, name_at, value_at, out);
    }

    /** The labels `take_pack_fields` handles. */
    static constexpr std::uint32_t pack_field_bits =
        label_bit(label::bver) | label_bit(label::bn) | label_bit(label::bt) | label_bit(label::bv);

    /**
     * Every rule of `resolve` before the schema's: the base fields, the name into `p`, the
     * time, the value `v` (holding `r.val`) plus the base value. `resolved::record` when the
     * record is to be typed and stored.
     */
    constexpr resolved resolve_fields(const raw_record& r, path& p, value& v, record_time& time,
                                      output& out) noexcept {
        const label_set labels = r.labels;
        if ((labels.bits() & pack_field_bits) != 0) {
            if (!take_pack_fields(r, out)) return resolved::error;
        } else {
            read_before_ = true;
        }

        // RFC 8428 §5.1.7 opens a pack with a record holding only "bn": in values mode a record
        // with base fields and no regular field carries them to later records and is no value.
        if (!path_list_ && is_base_only(labels)) return resolved::base_only;

        // RFC 8428 §4.5.1: name = base name + name; LwM2M: the result is the path.
        const bool has_n = labels.has(label::n);
        if (!has_n && !has_bn_) return failed(out, errc::invalid_senml, r.offset);
        const std::size_t name_at = has_n ? r.n.offset : bn_.offset;
        if (!(LWM2M_SENML_ONE_PASS != 0 && has_n && plain_name(r.n, p))) {  // (plain ids: a shortcut)
            path_builder builder = has_bn_ ? bn_builder_ : path_builder{};
            if (has_n) builder.put(r.n);
            auto parsed = builder.finish();
            if (!parsed) return failed(out, parsed.error().code, name_at);
            p = *parsed;
        }

        const bool has_value = r.value_label.has_value();
        if (path_list_ && has_value) return failed(out, errc::invalid_senml, r.value_key_offset);
        if (!path_list_ && !has_value) return failed(out, errc::invalid_senml, r.offset);
        if (!(has_bn_ && bn_under_base_) && !base_.is_prefix_of(p)) return failed(out, errc::invalid_nesting, name_at);
        if (!path_list_ && !p.has_resource()) return failed(out, errc::not_resource_instance_level, name_at);

        // RFC 8428 §4.5.3: time = base time + time (missing ones are 0); relative times stay relative.
        const bool has_t = labels.has(label::t);
        if (has_bt_ || has_t) {
            double when = 0;
            if constexpr (config::float_values) {
                when = (has_bt_ ? bt_ : 0.0) + (has_t ? r.t : 0.0);
            } else {  // no double added: whole seconds in integers
                auto sum = whole_time_sum(has_bt_ ? bt_ : 0.0, has_t ? r.t : 0.0);
                if (!sum) return failed(out, errc::float_not_supported, has_t ? r.t_offset : bt_offset_);
                when = *sum;
            }
            if (!encoding::is_finite(when)) return failed(out, errc::number_out_of_range, has_t ? r.t_offset : bt_offset_);
            time = when;
        }

        if (!has_value) {
            v = value::of_none();
        } else if (has_bv_ && *r.value_label == label::v) {
            // RFC 8428 §4.5.4: value = base value + value (numbers only).
            auto sum = add_base_value(bv_, r.val);
            if (!sum) return failed(out, sum.error().code, r.value_offset);
            v = *sum;
        }
        return resolved::record;
    }

    /** Stores an error in `out`. */
    static constexpr resolved failed(output& out, errc code, std::size_t offset) noexcept {
        out = unexpected{code, offset};
        return resolved::error;
    }

    /** Checks "bver", counts the record and takes the base fields it sets; false with the error in `out`. */
    constexpr bool take_pack_fields(const raw_record& r, output& out) noexcept {
        // RFC 8428 §4.4: the version must be understood and the same in every record.
        if (r.labels.has(label::bver)) {
            if (r.bver == 0 || r.bver > max_version || (read_before_ && r.bver != version_)) {
                failed(out, errc::invalid_senml, r.bver_offset);
                return false;
            }
            version_ = r.bver;
        }
        read_before_ = true;
        if (r.labels.has(label::bn)) {
            bn_ = r.bn;
            has_bn_ = true;
            // Parse the base name once: each record's name continues from this state.
            bn_builder_ = path_builder::of(bn_);
            bn_plain_ = bn_builder_.at_segment_start();
            // Every name extends the segments "bn" completed: if they are under base, so is the name.
            bn_under_base_ = base_.is_prefix_of(bn_builder_.completed());
        }
        if (r.labels.has(label::bt)) {
            bt_ = r.bt;
            bt_offset_ = r.bt_offset;
            has_bt_ = true;
        }
        if (r.labels.has(label::bv)) {
            bv_ = r.bv;
            has_bv_ = true;
        }
        plain_pack_ = !path_list_ && has_bn_ && bn_plain_ && bn_under_base_ && !has_bt_ && !has_bv_;
        return true;
    }

    /**
     * The path of "bn" + `n` in the common case: "bn" ends in '/' (or there is none and `n`
     * starts with one) and `n` is plain ids (`append_plain_ids`); false for any other name.
     */
    [[nodiscard]] LWM2M_HOT_INLINE constexpr bool plain_name(const text_field& n, path& p) const noexcept {
        if (n.encoded()) return false;
        if (has_bn_) {
            if (!bn_plain_) return false;
            p = bn_builder_.completed();
            return append_plain_ids(p, n.text);
        }
        if (n.text.empty() || n.text[0] != '/') return false;
        p = path{};
        return append_plain_ids(p, lwm2m::slice(n.text, 1));
    }

    /** True when `labels` holds base fields (bver, bn, bt, bu, bv, bs) and nothing else. */
    [[nodiscard]] static constexpr bool is_base_only(label_set labels) noexcept {
        constexpr std::uint32_t base = [] {
            label_set b;
            for (const label l : {label::bver, label::bn, label::bt, label::bu, label::bv, label::bs}) b.add(l);
            return b.bits();
        }();
        return labels.bits() != 0 && (labels.bits() & ~base) == 0;
    }

    path base_;
    const schema_registry* schemas_ = nullptr;
    bool path_list_ = false;
    text_field bn_{};
    path_builder bn_builder_{};  // the state after feeding bn_
    bool bn_plain_ = false;      // bn_builder_.at_segment_start(): names may take `plain_name`
    // Values mode, "bn" plain and under base_, no "bt" and no "bv": a record of "n" and a
    // value whose name is plain needs no other check.
    bool plain_pack_ = false;
    bool bn_under_base_ = false; // base_ is a prefix of bn_builder_.completed()
    bool has_bn_ = false;
    double bt_ = 0;
    std::size_t bt_offset_ = 0;
    bool has_bt_ = false;
    value bv_{};
    bool has_bv_ = false;
    std::uint64_t version_ = max_version;
    bool read_before_ = false;  // a record was read: every later "bver" must be version_
    std::uint16_t object_id_ = path::no_id; // the object last looked up (no_id: none yet)
    const object_view* object_ = nullptr;   // its schema, or nullptr
    std::span<const resource_def> dense_{}; // its resources (where dense, the index is the id)
};

// ---- writers -------------------------------------------------------------------------------

/// 1: the SenML writers check and write a pack that fits the window in one pass, straight into
/// its buffer (`check_and_write`), and hand the rest to the general code; 0: the general code
/// only (check all records, then write each through the window), less code. Defaults to
/// `LWM2M_SENML_ONE_PASS` (0 when optimising for size). Define it to choose.
#ifndef LWM2M_SENML_ONE_PASS_WRITE
#define LWM2M_SENML_ONE_PASS_WRITE LWM2M_SENML_ONE_PASS
#endif

/** Short text in a fixed buffer (a base name or a record name; at most 25 chars). */
struct short_text {
    std::array<char, 25> chars{};
    std::uint8_t length = 0;
    [[nodiscard]] constexpr std::string_view view() const noexcept { return {chars.data(), length}; }
};

/**
 * Writes `id` in decimal at `out` as `Char`s (char, or std::byte for binary writers); returns
 * the end. Ids below 100, nearly every id of a record name, skip the digit count.
 */
template <class Char>
constexpr Char* put_decimal_id(Char* out, std::uint16_t id) noexcept {
    if (id < 10) {
        *out = static_cast<Char>('0' + id);
        return out + 1;
    }
    if (id < 100) {
        out[0] = static_cast<Char>('0' + id / 10);
        out[1] = static_cast<Char>('0' + id % 10);
        return out + 2;
    }
    const std::size_t n = lwm2m::detail::path_decimal_length(id);
    for (std::size_t k = n; k-- > 0;) {
        out[k] = static_cast<Char>('0' + id % 10);
        id = static_cast<std::uint16_t>(id / 10);
    }
    return out + n;
}

#if LWM2M_DECIMAL_PAIRS
/**
 * The text of ids 0..99 (nearly every id of a record name) for `put_id_fast`: the chars in
 * the low two bytes (the second unused for one digit), the length in the third.
 */
inline constexpr auto short_id_text = [] {
    std::array<std::uint32_t, 100> t{};
    for (std::uint32_t id = 0; id < 100; ++id)
        t[id] = id < 10 ? ('0' + id) | 1u << 16 : ('0' + id / 10) | ('0' + id % 10) << 8 | 2u << 16;
    return t;
}();
#endif

/**
 * `put_decimal_id` for the writers' fast paths: below 100 with no branch, two `Char`s stored
 * in one go (the second maybe written over next: one `Char` of room past the id).
 */
template <class Char>
LWM2M_HOT_INLINE inline Char* put_id_fast(Char* p, std::uint16_t id) noexcept {
#if LWM2M_DECIMAL_PAIRS
    if (id < 100) {
        const std::uint32_t text = short_id_text[id];
        const Char two[2] = {static_cast<Char>(text & 0xFF), static_cast<Char>(text >> 8 & 0xFF)};
        std::memcpy(p, two, 2);  // one store
        return p + (text >> 16);
    }
#endif
    return put_decimal_id(p, id);
}

/** A record name below a base of `depth` ids ("5700", "6/0") by `put_id_fast` (its room too). */
template <class Char>
LWM2M_HOT_INLINE inline Char* put_relative_name(Char* p, const path& name, std::size_t depth) noexcept {
    Char* q = put_id_fast(p, name.id(depth));
    if (depth + 1 >= name.depth()) return q;
    // The second id straight (a resource instance under an object instance), a loop for more.
    *q = static_cast<Char>('/');
    q = put_id_fast(q + 1, name.id(depth + 1));
    for (std::size_t i = depth + 2; i < name.depth(); ++i) {
        *q++ = static_cast<Char>('/');
        q = put_id_fast(q, name.id(i));
    }
    return q;
}

/**
 * The ids of `base` as "/id/id" (nothing for the root) at `out` as `Char`s; returns the end
 * (at most `path::max_text_length` further). A base name is this and, as `name_plan` says,
 * maybe a '/' (`name_plan` keeps its own copy of the loop: through this function the SenML
 * JSON writer measured three instructions more a pack). Allocation: none.
 */
template <class Char>
constexpr Char* put_base_ids(Char* out, const path& base) noexcept {
    const std::size_t depth = base.depth();  // read once: the stores might alias `base`
    for (std::size_t i = 0; i < depth; ++i) {
        *out++ = static_cast<Char>('/');
        out = put_decimal_id(out, base.id(i));
    }
    return out;
}

/**
 * How the writers name records (LwM2M 1.1 Core §7.4.4 examples, Leshan's encoder): the first
 * record carries "bn" = the text of `base`, followed by "/" unless `base` is the root or some
 * record's path equals `base`; each record whose path differs from `base` carries "n" = its
 * ids below `base`, joined by "/" (with a leading "/" when "bn" does not end in one); a record
 * whose path equals `base` has no "n" and takes "bn" as its name.
 * E.g. base /3/0: `{"bn":"/3/0/","n":"0"}`, `{"n":"6/1"}`; base /3/0/1 and one record at
 * /3/0/1: `{"bn":"/3/0/1"}`; base /: `{"bn":"/","n":"3/0/1"}`. Made by `prepare_records`,
 * which checks the precondition of every member: each path is `base` or under it.
 * Allocation: none.
 */
class name_plan {
public:
    /** The plan for records under `base`, `some_at_base` when one of them is at `base` itself. */
    constexpr name_plan(const path& base, bool some_at_base) noexcept
        : depth_(base.depth()), slash_(base.is_root() || !some_at_base) {
        // The text of `base` ("/" for the root), with the names' ids written as they are (no
        // length pass first): the buffer holds path::max_text_length chars and one more '/'.
        char* const first = base_name_.chars.data();
        char* out = first;
        for (std::size_t i = 0; i < depth_; ++i) {
            *out++ = '/';
            out = put_decimal_id(out, base.id(i));
        }
        if (slash_) *out++ = '/';  // (always for the root: "/")
        base_name_.length = static_cast<std::uint8_t>(out - first);
    }

    /** The text of "bn". */
    [[nodiscard]] constexpr std::string_view base_name() const noexcept { return base_name_.view(); }

    /** True when a record at `p` (a descendant-or-self of base) carries "n": `p` is not base. */
    [[nodiscard]] constexpr bool has_name(const path& p) const noexcept { return p.depth() != depth_; }

    /** Longest "n": four 5-digit ids and three '/' (a leading '/' comes with at most three ids). */
    static constexpr std::size_t max_name_length = 23;

    /**
     * Writes the "n" of a record at `p` (a descendant of base: `has_name(p)`) at `out` as
     * `Char`s (char, or std::byte for binary writers); returns the end (at most
     * `max_name_length` further). Allocation: none.
     */
    template <class Char>
    constexpr Char* write_name(const path& p, Char* out) const noexcept {
        std::size_t i = depth_;
        if (!slash_) *out++ = static_cast<Char>('/');
        out = put_decimal_id(out, p.id(i));
        while (++i < p.depth()) {
            *out++ = static_cast<Char>('/');
            out = put_decimal_id(out, p.id(i));
        }
        return out;
    }

private:
    std::size_t depth_;  // of base
    bool slash_;         // "bn" ends in '/' (or is the root "/")
    short_text base_name_{};
};

/** One bit per value_kind: a kind test is a bit test, not a dispatch. */
constexpr unsigned kind_bit(value_kind k) noexcept { return 1u << static_cast<unsigned>(k); }
/** The kinds written as an integer ("v"): Integer and Time. */
inline constexpr unsigned integer_kinds = kind_bit(value_kind::integer) | kind_bit(value_kind::time);

/** Streaming UTF-8 validation (shared: `encoding::utf8_checker`). */
using encoding::utf8_checker;

/**
 * The first rule of `prepare_records` that record `r`, at index `i`, breaks (`under` is the
 * base), or success. Numbers, booleans and links at a resource with no time, most records,
 * take one test after the prefix test; the others are checked in `prepare_records`' order.
 */
[[nodiscard]] LWM2M_HOT_INLINE constexpr result<void> check_record(const record& r, const path& under, bool json,
                                                                  std::size_t i) noexcept {
    const value& v = r.value;
    if (!under.is_prefix_of(r.path)) return fail(errc::invalid_argument, i);
    // One bit per value_kind: the kinds that need no check beyond their level.
    constexpr auto bit = [](value_kind k) { return 1u << static_cast<unsigned>(k); };
    constexpr unsigned numbers = bit(value_kind::integer) | bit(value_kind::unsigned_integer) | bit(value_kind::time) |
                                 bit(value_kind::boolean) | bit(value_kind::objlnk);
    // JSON has no NaN/inf; a build without Float values writes none
    const unsigned plain = json || !config::float_values ? numbers : numbers | bit(value_kind::float_);
    if ((plain & bit(v.kind())) != 0 && r.path.has_resource() && !r.time) return {};
    if (!config::float_values && v.kind() == value_kind::float_) return fail(errc::float_not_supported, i);
    if (v.kind() == value_kind::untyped) return fail(errc::type_mismatch, i);
    if (v.kind() != value_kind::none && !r.path.has_resource()) return fail(errc::invalid_argument, i);
    if (r.time && !encoding::is_finite(*r.time)) return fail(errc::number_out_of_range, i);
    if (json && v.kind() == value_kind::float_ && !encoding::is_finite(v.as_float())) return fail(errc::number_out_of_range, i);
    if (v.is_text()) {
        if (v.encoding() == text_encoding::raw) {
            if (auto ok = encoding::validate_utf8(v.encoded_bytes()); !ok) return fail(errc::invalid_utf8, i);
        } else {
            utf8_checker check;
            auto n = for_each_value_byte(v, [&](std::byte b) { check.put(b); });
            if (!n) return fail(n.error().code, i);
            if (!check.ok()) return fail(errc::invalid_utf8, i);
        }
    } else if (v.kind() == value_kind::opaque && v.encoding() != text_encoding::raw) {
        if (auto n = value_byte_size(v); !n) return fail(n.error().code, i);
    }
    return {};
}

/** What `check_and_write` found. */
struct checked_pack {
    bool some_at_base = false;  ///< a record's path is `base` itself (see `name_plan`)
    std::size_t written = 0;    ///< records that `put` wrote, the first ones
};

/**
 * Checks records from index `first` on (`check_record`); true when one is at `base` itself.
 * Errors: as `prepare_records`.
 */
[[nodiscard]] constexpr result<bool> check_from(std::span<const record> records, std::size_t first, const path& base,
                                                bool json) noexcept {
    const path under = base;  // a local copy: the prefix test's mask stays in registers
    bool some_at_base = false;
    for (std::size_t i = first; i < records.size(); ++i) {
        if (auto ok = check_record(records[i], under, json, i); !ok) return unexpected{ok.error()};
        // Under base (checked first), equal depth is equality.
        some_at_base = some_at_base | (records[i].path.depth() == under.depth());
    }
    return some_at_base;
}

/**
 * The records most packs are made of, which need no check beyond their value's: strictly
 * under the base (so they carry an "n"), at a resource or resource instance, with no time.
 * The writers' fast path tests this with one word compare and writes them by their kind.
 * Allocation: none.
 */
class common_record {
public:
    constexpr explicit common_record(const path& base) noexcept
        : base_lanes_(lwm2m::detail::path_access::lanes(base)),
          mask_(base.is_root() ? 0 : ~std::uint64_t{0} >> (64 - 16 * base.depth())),  // as path::is_prefix_of
          above_(base.depth() < 2 ? 2 : base.depth()) {}

    [[nodiscard]] LWM2M_HOT_INLINE constexpr bool operator()(const record& r) const noexcept {
        return ((lwm2m::detail::path_access::lanes(r.path) ^ base_lanes_) & mask_) == 0 && r.path.depth() > above_ &&
               !r.time;
    }

    /**
     * True if a writer's leading loop may start at [first, last): the first is common (which
     * makes the plan end `bn` in '/', names having no leading '/') and the opening
     * (`opening` bytes at most) fits in `room`.
     */
    [[nodiscard]] LWM2M_HOT_INLINE bool starts_leading_run(const record* first, const record* last, std::string_view bn,
                                                           std::size_t room, std::size_t opening) const noexcept {
        return first != last && (*this)(*first) && bn.back() == '/' && room >= opening;
    }

private:
    std::uint64_t base_lanes_;
    std::uint64_t mask_;
    std::size_t above_;  // records deeper than this are below base and at a resource or deeper
};

/**
 * Checks every record and hands the first ones to `put`, which writes them: `put.common(r,
 * first)` gets each `common_record`; it writes one of a kind it knows and checks
 * itself (its value), else returns false (nothing written); the others are checked
 * (`check_record`) and go to `put(r, i)`, which writes one and returns true, or returns
 * false (the record is not written): from then on the records are only checked. The writers'
 * fast path writes records as it checks them, in place in the window's buffer without
 * committing them (nothing counts as written unless all are valid). Records before `first`
 * the writer already wrote (valid, not at base): neither checked nor handed over again.
 * Errors: as `prepare_records`.
 */
template <class Put>
[[nodiscard]] LWM2M_HOT_INLINE constexpr result<checked_pack> check_and_write(std::span<const record> records,
                                                                            const path& base, bool json,
                                                                            Put&& put, std::size_t first = 0) noexcept {
    const path under = base;  // a local copy: the prefix test's mask stays in registers
    const common_record common{base};
    checked_pack pack;
    std::size_t i = first;
    // A writer may take the leading common records in a loop of its own (valid, not at base).
    if constexpr (requires { put.leading(records); }) i = put.leading(records);
    for (; i < records.size(); ++i) {
        // Never at base: some_at_base unchanged.
        if (common(records[i]) && put.common(records[i], i == 0)) continue;
        if (auto ok = check_record(records[i], under, json, i); !ok) return unexpected{ok.error()};
        // Under base (checked first), equal depth is equality.
        pack.some_at_base = pack.some_at_base | (records[i].path.depth() == under.depth());
        if (!put(records[i], i)) break;
    }
    pack.written = i;
    if (i == records.size()) return pack;
    // The rest, checked only (the record `put` refused was checked above).
    LWM2M_TRY(at_base, check_from(records, i + 1, under, json));
    pack.some_at_base = pack.some_at_base | at_base;
    return pack;
}

/**
 * The one-pass write both SenML writers make when the window has free space `room`: the pack
 * written in place by `check_and_write` and committed (`out.advance`) only once every record
 * is valid. "bn" depends on whether some record is at base: guessed from the first record (a
 * read of one resource), checked at the end (a wrong guess: everything again through the
 * window). The writer supplies:
 * - `open(plan)`: writes the pack's opening at `room`'s start, returns the in-place writer
 *   (with `at`, where its next byte goes);
 * - `close(put)`: after the last record written in place, the pack's closing there; false
 *   when there is no room for it;
 * - `write_from(first, plan)`: records [first, end) through the window (the opening too when
 *   `first` is 0), then the closing.
 * `first`: records the writer already wrote in place from `room`'s start, the opening and a
 * leading run of common records (valid, not at base); `open` then returns the writer after
 * them, and they are not checked again.
 * Errors: as `prepare_records`. Allocation: none.
 */
template <class Open, class Close, class WriteFrom>
[[nodiscard]] LWM2M_HOT_INLINE inline result<void> write_in_one_pass(std::span<const record> records, const path& base,
                                                              bool json, mutable_bytes room, output_window& out,
                                                              Open&& open, Close&& close, WriteFrom&& write_from,
                                                              std::size_t first = 0) noexcept {
    const bool first_at_base = !records.empty() && records[0].path.depth() == base.depth();
    const name_plan plan{base, first_at_base};
    auto put = open(plan);
    const auto pack = check_and_write(records, base, json, put, first);
    if (!pack) return unexpected{pack.error()};
    if (pack->some_at_base != first_at_base) {
        write_from(std::size_t{0}, name_plan{base, pack->some_at_base});
        return {};
    }
    if (pack->written == 0) {
        write_from(std::size_t{0}, plan);
        return {};
    }
    const bool whole = pack->written == records.size() && close(put);
    out.advance(static_cast<std::size_t>(reinterpret_cast<const std::byte*>(put.at) - room.data()));
    if (!whole) write_from(pack->written, plan);
    return {};
}

/**
 * Checks records before a writer emits anything (so an error leaves no partial pack) and
 * plans their names, in one pass. Errors (offset = index of the record): `invalid_argument`
 * (path not under `base`, or a value at a level above resource), `type_mismatch` (an `untyped`
 * value: coerce it with the schema first), `number_out_of_range` (a non-finite time; with
 * `json`, a non-finite Float value, which JSON cannot carry), `invalid_json` /
 * `invalid_base64` / `invalid_utf8` (a value whose encoded text does not decode, or a
 * String/Corelnk that is not UTF-8). Allocation: none.
 */
[[nodiscard]] constexpr result<name_plan> prepare_records(std::span<const record> records, const path& base,
                                                          bool json) noexcept {
    LWM2M_TRY(some_at_base, check_from(records, 0, base, json));
    return name_plan{base, some_at_base};
}

/** True when `t` is written as an integer (integral and within int64). */
[[nodiscard]] constexpr bool integral_time(double t) noexcept { return lwm2m::detail::is_int64_exact(t); }

} // namespace detail
} // namespace lwm2m::format::senml
