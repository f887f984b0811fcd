#pragma once
/**
 * @file format/lwm2m_cbor/reader.hpp
 * `lwm2m_cbor_reader`: pull cursor over an LwM2M CBOR payload (application/vnd.oma.lwm2m+cbor,
 * Content-Format 11544; LwM2M 1.2 Core §7.4.7) yielding one `format::record` per value, with
 * absolute paths, straight from the payload (zero-copy). Allocation: none.
 *
 * Our reading of LwM2M 1.2 Core §7.4.7 (the OMA text itself could not be consulted here; the
 * shape below is the one AVSystem Anjay's encoder and decoder implement, and the examples the
 * specification is known for, e.g. `{3: {0: {0: "Open Mobile Alliance", 7: {0: 3800, 1: 5000}}}}`):
 * - the payload is one CBOR map (RFC 8949 §3.1 major type 5, definite or indefinite length);
 * - a key is one path id (unsigned integer) or an array of 1..4 ids (definite or indefinite),
 *   which stands for that many nesting levels at once ("path compression");
 * - keys are absolute: the first level of the outer map holds Object ids whatever the request path;
 *   the ids of the keys on the way from the outer map to a value, concatenated, are its path;
 * - a value is either a nested map (the next levels) or a leaf value of the resource or resource
 *   instance named by the path so far;
 * - leaf values use the CBOR data model of LwM2M 1.1.1 §7.4.6 (single-resource CBOR): Integer as
 *   major type 0/1, Unsigned Integer as major type 0, Float as a half/single/double float, Boolean as
 *   true/false, String and Corelnk as text strings, Opaque as a byte string, Time as an integer
 *   (tag 1, epoch-based date/time, optional: Leshan's CBOR encoder writes it, Anjay's does not),
 *   Objlnk as the text "ObjID:InstID" (as Anjay and Leshan encode it).
 * Uncertain and decided here: keys that are text strings (the LwM2M Gateway prefix of LwM2M 1.2
 * Gateway TS) are rejected; `null` leaves are read as `none` values (Anjay reads them; their
 * meaning in Write-Composite is not settled here); tags other than 1 (epoch time, on a number) and
 * 4 (decimal fraction, RFC 8949 §3.4.4) are rejected, but for the self-described CBOR tag
 * (55799, RFC 8949 §3.4.6) in front of the outer map, which is skipped; indefinite-length
 * strings (RFC 8949 §3.2.3) are read as values, zero-copy (`text_encoding::cbor_chunks` for
 * two chunks or more); empty nested maps are accepted and yield nothing; duplicate paths are
 * not detected.
 */

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>

#include <lwm2m/bytes.hpp>
#include <lwm2m/encoding/ieee754.hpp>
#include <lwm2m/encoding/utf8.hpp>
#include <lwm2m/format/cbor/reader.hpp>
#include <lwm2m/format/record.hpp>
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

namespace lwm2m_cbor::detail {

/** m × 10^e as a double (RFC 8949 §3.4.4), correctly rounded while |e| <= 22 and |m| < 2^53. */
[[nodiscard]] inline double decimal_fraction(double mantissa, std::int64_t exponent) noexcept {
    constexpr double powers[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    if (exponent >= 0 && exponent <= 22) return mantissa * powers[exponent];
    if (exponent < 0 && exponent >= -22) return mantissa / powers[-exponent];
    if (exponent > 400) return mantissa == 0 ? 0.0 : mantissa * std::numeric_limits<double>::infinity();
    if (exponent < -400) return mantissa * 0.0;
    return mantissa * std::pow(10.0, static_cast<double>(exponent));
}

/** A number item as an int64 (for tag 4 parts and tag 1 seconds). */
[[nodiscard]] constexpr result<std::int64_t> small_integer(const cbor::item& it) noexcept {
    constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (it.kind == cbor::item_kind::unsigned_integer) {
        if (it.uint > max) return fail(errc::number_out_of_range, it.offset);
        return static_cast<std::int64_t>(it.uint);
    }
    if (it.kind == cbor::item_kind::negative_integer) {
        if (it.uint > max) return fail(errc::number_out_of_range, it.offset);
        return -1 - static_cast<std::int64_t>(it.uint);
    }
    return fail(errc::invalid_cbor, it.offset);
}

/** An integer item as a value: int64, else uint64; below INT64_MIN is out of range. */
[[nodiscard]] constexpr result<value> integer_value(const cbor::item& it) noexcept {
    constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (it.kind == cbor::item_kind::unsigned_integer) {
        if (it.uint > max) return value::of_unsigned(it.uint);
        return value::of_integer(static_cast<std::int64_t>(it.uint));
    }
    if (it.uint > max) return fail(errc::number_out_of_range, it.offset);
    return value::of_integer(-1 - static_cast<std::int64_t>(it.uint));
}

/** Reads, from `in`, the content of tag 1 or 4 whose tag item is `tag`. */
[[nodiscard]] inline result<value> tagged_value(cbor::reader& in, const cbor::item& tag) noexcept {
    using cbor::item_kind;
    LWM2M_TRY(content, in.next());
    if (tag.uint == 1) {
        if (content.kind == item_kind::floating) return value::of_float(content.number);
        if (content.kind != item_kind::unsigned_integer && content.kind != item_kind::negative_integer)
            return fail(errc::invalid_cbor, content.offset);
        LWM2M_TRY(seconds, small_integer(content));
        return value::of_time(seconds);
    }
    // Tag 4: [exponent, mantissa], both integers (bignum mantissas are not supported); the
    // array may have an indefinite length (RFC 8949 §3.2.2), closed after the two.
    if (content.kind != item_kind::array || (!content.indefinite && content.uint != 2))
        return fail(errc::invalid_cbor, content.offset);
    LWM2M_TRY(e, in.next());
    LWM2M_TRY(exponent, small_integer(e));
    LWM2M_TRY(m, in.next());
    if (m.kind != item_kind::unsigned_integer && m.kind != item_kind::negative_integer)
        return fail(errc::invalid_cbor, m.offset);
    if (content.indefinite) {
        LWM2M_TRY(end, in.next());
        if (end.kind != item_kind::break_) return fail(errc::invalid_cbor, end.offset);
    }
    const double mantissa = m.kind == item_kind::unsigned_integer ? static_cast<double>(m.uint)
                                                                 : -1.0 - static_cast<double>(m.uint);
    const double v = decimal_fraction(mantissa, exponent);
    if (!encoding::is_finite(v)) return fail(errc::number_out_of_range, tag.offset);
    return value::of_float(v);
}

/**
 * The value of the leaf item `it` read from `in` over `input` (the whole payload, for the
 * offset of a UTF-8 error): the value model of LwM2M CBOR leaves and of single-value CBOR
 * (Content-Format 60), see `lwm2m_cbor_reader`. A tag's content is read from `in`.
 */
[[nodiscard]] inline result<value> leaf_value(cbor::reader& in, const cbor::item& it, bytes_view input) noexcept {
    using cbor::item_kind;
    switch (it.kind) {
    case item_kind::unsigned_integer:
    case item_kind::negative_integer: return integer_value(it);
    case item_kind::floating: return value::of_float(it.number);
    case item_kind::boolean: return value::of_boolean(it.boolean);
    case item_kind::null: return value::of_none();
    case item_kind::byte_string: return value::of_opaque(it.bytes);
    case item_kind::text_string:
        if (auto ok = encoding::validate_utf8(it.bytes); !ok)
            return fail(errc::invalid_utf8, static_cast<std::size_t>(it.bytes.data() - input.data()) + ok.error().offset);
        return value::of_string(as_chars(it.bytes));
    case item_kind::byte_string_start:
    case item_kind::text_string_start: {
        // Indefinite length (RFC 8949 §3.2.3): two chunks or more are viewed as they are.
        LWM2M_TRY(s, in.chunks(it));
        const text_encoding e = s.joined ? text_encoding::raw : text_encoding::cbor_chunks;
        if (it.kind == item_kind::byte_string_start) return value::of_opaque(s.bytes, e);
        return value::of_string(as_chars(s.bytes), e);
    }
    case item_kind::tag:
        if (it.uint != 1 && it.uint != 4) return fail(errc::invalid_cbor, it.offset);
        return tagged_value(in, it);
    default: return fail(errc::invalid_cbor, it.offset);
    }
}

/**
 * The payload's top-level item from `in`, after the self-described CBOR tag (55799, RFC 8949
 * §3.4.6: it marks the start of a CBOR item and means nothing else) when there is one. Deeper
 * in, the tag is refused like the other tags but 1 and 4: it is meant for the top.
 */
[[nodiscard]] constexpr result<cbor::item> top_item(cbor::reader& in) noexcept {
    for (;;) {
        LWM2M_TRY(it, in.next());
        if (it.kind != cbor::item_kind::tag || it.uint != cbor::self_described_tag) return it;
    }
}

/**
 * Types a value with its resource's schema: `coerce`, plus an Objlnk from its "ObjID:InstID" text;
 * `none` (a null leaf) stays `none`; then `check_range_decoded`. Errors carry offset `at`.
 */
[[nodiscard]] constexpr result<value> apply_schema(const value& v, const resource_def& def, std::size_t at) noexcept {
    if (v.kind() == value_kind::none) return v;
    value typed = v;
    if (def.type == data_type::objlnk && v.kind() == value_kind::string) {
        objlnk_parser p;  // the decoded text (a chunked string's chunks joined)
        if (auto ok = for_each_value_byte(v, [&](std::byte b) { p.put(static_cast<char>(b)); }); !ok)
            return fail(ok.error().code, at);
        const auto link = p.finish();
        if (!link) return fail(errc::invalid_objlnk, at);
        typed = value::of_objlnk(*link);
    } else {
        auto c = coerce(v, def.type);
        if (!c) return fail(c.error().code, at);
        typed = *c;
    }
    // A chunked string by its joined length.
    if (auto in_range = check_range_decoded(typed, def); !in_range) return fail(in_range.error().code, at);
    return typed;
}

} // namespace lwm2m_cbor::detail

/**
 * Reads an LwM2M CBOR payload (LwM2M 1.2 Core §7.4.7; see the file comment for the shape) as
 * records, one per leaf value, in payload order (depth first).
 *
 * - Integers are `value::of_integer` (`of_unsigned` above INT64_MAX; a negative integer below
 *   INT64_MIN is `number_out_of_range`), floats `of_float`, booleans `of_boolean`, text strings
 *   `of_string` (UTF-8 checked, each chunk of an indefinite-length one by itself, zero-copy), byte
 *   strings `of_opaque`, `null` `of_none`; tag 1 on an
 *   integer is `of_time` (on a float, `of_float`); tag 4 [exponent, mantissa] with integer parts is
 *   `of_float`.
 * - Every value's path must lie under `base` and at resource or resource-instance level; a key that
 *   leads away from `base` is rejected where it is read.
 * - With `schemas`, for an object it knows, the resource must exist, its multiplicity must match the
 *   path level (a value at /O/I/R of a multiple resource, or at /O/I/R/RI of a single one, is
 *   `invalid_nesting`), and the value is converted with `coerce` (e.g. 1700000000 → Time, 22 →
 *   Float 22.0, a text → Corelnk, "3:0" → Objlnk) and checked with `check_range_decoded` (a chunked
 *   string by its joined length). Objects the registry does not know are read without typing.
 * - No record has a time: the format carries none.
 *
 * Errors (then every later `next()` returns the same error); offsets are byte offsets in the
 * payload, at the start of the CBOR data item concerned:
 * - `truncated_value`, `invalid_cbor`: from the CBOR tokenizer (RFC 8949; truncation, reserved
 *   encodings, misplaced breaks, nesting deeper than `cbor::max_depth`);
 * - `invalid_cbor`: the payload is not one map (offset 0) or has bytes after it (their offset); a
 *   key that is neither an unsigned integer nor a non-empty array of unsigned integers (offset of
 *   the key, or of the bad array element); a value that is an array, `undefined`, another simple
 *   value, a tag other than 1 and 4, or a malformed tag 1/4 content; a chunk of an
 *   indefinite-length string that is not a definite string of the same major type;
 * - `path_id_out_of_range`: an id above 65534 (offset of the id); `path_too_deep`: more than four
 *   ids (offset of the fifth);
 * - `invalid_nesting`: a key leads outside `base` (offset of the key), or the schema's multiplicity
 *   does not match (offset of the last key of the path);
 * - `not_resource_instance_level`: a leaf value at the root, object or instance level (offset of
 *   the last key of the path);
 * - `invalid_utf8`: a text string that is not UTF-8 (offset of the bad byte);
 * - `number_out_of_range`: an integer below INT64_MIN or a tag 1/4 number that is out of range;
 *   with a schema, a value outside the resource's range (offset of the value);
 * - with a schema: `resource_not_in_schema` (offset of the last key), `type_mismatch`,
 *   `number_out_of_range`, `invalid_objlnk` (offset of the value).
 * A payload is only valid once `next()` returned nullopt.
 *
 * The payload, `base` (copied) and the schema registry must outlive the reader; records view the
 * payload. Allocation: none.
 */
class lwm2m_cbor_reader {
public:
    /** A reader over `payload` sent to/for `base`; values typed with `schemas` when given. Allocation: none. */
    lwm2m_cbor_reader(bytes_view payload, const lwm2m::path& base, const schema_registry* schemas = nullptr) noexcept
        : input_(payload), cbor_(payload), base_(base), schemas_(schemas) {}

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
    using item = cbor::item;
    using item_kind = cbor::item_kind;
    enum class state : std::uint8_t { start, reading, done };

    /** An open map: the depth of the path at which it was opened, and the pairs it has left. */
    struct frame {
        std::size_t depth = 0;
        std::uint64_t remaining = 0;
        bool indefinite = false;
    };

    void push(const item& map, std::size_t depth) noexcept {
        LWM2M_ASSERT(frames_ < max_frames);
        stack_[frames_++] = frame{depth, map.uint, map.indefinite};
    }

    /** Appends one id item to `p`. */
    [[nodiscard]] static result<void> append_id(path& p, const item& id) noexcept {
        if (id.kind != item_kind::unsigned_integer) return fail(errc::invalid_cbor, id.offset);
        if (p.depth() == path::max_depth) return fail(errc::path_too_deep, id.offset);
        if (id.uint > path::max_id) return fail(errc::path_id_out_of_range, id.offset);
        p = *p.child(id.uint);
        return {};
    }

    /** Reads one key (an id or an array of ids) onto `p`. */
    [[nodiscard]] result<void> read_key(path& p, const item& key) noexcept {
        if (key.kind == item_kind::unsigned_integer) return append_id(p, key);
        if (key.kind != item_kind::array) return fail(errc::invalid_cbor, key.offset);
        if (!key.indefinite) {
            if (key.uint == 0) return fail(errc::invalid_cbor, key.offset);
            for (std::uint64_t i = 0; i < key.uint; ++i) {
                LWM2M_TRY(id, cbor_.next());
                if (auto ok = append_id(p, id); !ok) return ok;
            }
            return {};
        }
        for (std::size_t count = 0;; ++count) {
            LWM2M_TRY(id, cbor_.next());
            if (id.kind == item_kind::break_) {
                if (count == 0) return fail(errc::invalid_cbor, key.offset);
                return {};
            }
            if (auto ok = append_id(p, id); !ok) return ok;
        }
    }

    /** Checks and types a leaf at `p` (last key at `key_at`, value at `value_at`). */
    [[nodiscard]] result<record> make_record(const path& p, const value& v, std::size_t key_at,
                                             std::size_t value_at) const noexcept {
        if (!base_.is_prefix_of(p)) return fail(errc::invalid_nesting, key_at);
        if (!p.has_resource()) return fail(errc::not_resource_instance_level, key_at);
        record out{p, v, std::nullopt};
        if (schemas_ != nullptr) {
            if (const object_view* object = schemas_->find(p.object_id())) {
                const resource_def* def = object->find(p.resource_id());
                if (def == nullptr) return fail(errc::resource_not_in_schema, key_at);
                if (p.has_resource_instance() != def->is_multiple()) return fail(errc::invalid_nesting, key_at);
                LWM2M_TRY(typed, lwm2m_cbor::detail::apply_schema(v, *def, value_at));
                out.value = typed;
            }
        }
        return out;
    }

    [[nodiscard]] result<opt_record> step() noexcept {
        if (state_ == state::done) return opt_record{};
        if (state_ == state::start) {
            LWM2M_TRY(top, lwm2m_cbor::detail::top_item(cbor_));
            if (top.kind != item_kind::map) return fail(errc::invalid_cbor, top.offset);
            state_ = state::reading;
            push(top, 0);
        }
        for (;;) {
            if (frames_ == 0) {
                if (!cbor_.at_end()) return fail(errc::invalid_cbor, cbor_.offset());
                state_ = state::done;
                return opt_record{};
            }
            frame& f = stack_[frames_ - 1];
            if (!f.indefinite && f.remaining == 0) {
                --frames_;
                continue;
            }
            LWM2M_TRY(key, cbor_.next());
            if (key.kind == item_kind::break_) {  // only where an indefinite map is open
                --frames_;
                continue;
            }
            if (!f.indefinite) --f.remaining;
            path p = path_.prefix(static_cast<path_level>(f.depth));
            if (auto ok = read_key(p, key); !ok) return unexpected{ok.error()};
            if (!base_.is_prefix_of(p) && !p.is_prefix_of(base_)) return fail(errc::invalid_nesting, key.offset);
            LWM2M_TRY(v, cbor_.next());
            if (v.kind == item_kind::map) {
                if (!v.indefinite && v.uint == 0) continue;  // an empty map: nothing below
                path_ = p;
                push(v, p.depth());
                continue;
            }
            LWM2M_TRY(leaf, lwm2m_cbor::detail::leaf_value(cbor_, v, input_));
            LWM2M_TRY(rec, make_record(p, leaf, key.offset, v.offset));
            return opt_record{rec};
        }
    }

    // The outer map (depth 0) and one map per path depth 1..4: a nested map is always opened at a
    // depth above its parent's, since every key adds at least one id.
    static constexpr std::size_t max_frames = path::max_depth + 1;

    bytes_view input_;
    cbor::reader cbor_;
    path base_;
    const schema_registry* schemas_ = nullptr;
    path path_{};
    frame stack_[max_frames]{};
    std::size_t frames_ = 0;
    state state_ = state::start;
    bool failed_ = false;
    error error_{};
};

} // namespace lwm2m::format
