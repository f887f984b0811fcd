#pragma once
/**
 * @file format/senml/cbor_reader.hpp
 * `senml_cbor_reader`: pull cursor over a SenML CBOR pack (application/senml+cbor,
 * Content-Format 112; RFC 8428 §6, LwM2M 1.1 Core §7.4.5) yielding one resolved
 * `format::record` per SenML record, with absolute paths, straight from the payload (zero-copy).
 * Allocation: none.
 */

#include <bit>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>
#include <system_error>

#include <lwm2m/config.hpp>
#include <lwm2m/bytes.hpp>
#include <lwm2m/divide.hpp>
#include <lwm2m/encoding/number_text.hpp>
#include <lwm2m/encoding/utf8.hpp>
#include <lwm2m/format/cbor/reader.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/format/senml/record_fields.hpp>
#include <lwm2m/model/schema_registry.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format {

namespace detail {

/**
 * Reads a SenML CBOR pack (RFC 8428 §6; LwM2M 1.1 Core §7.4.5) as records, one per call to
 * `next()`, in payload order. Resolution, the two modes (values / path list), the `base` and
 * schema rules and the error codes are those of `senml_json_reader`; what differs is CBOR:
 * - labels are the integer keys of RFC 8428 §6 Table 4 (bver -1, bn -2, bt -3, bu -4, bv -5,
 *   bs -6, n 0, u 1, v 2, vs 3, vb 4, s 5, t 6, ut 7, vd 8) and the text key "vlo" (LwM2M 1.1
 *   Core §7.4.5; Leshan and Anjay use it). Other integer keys are ignored (§6: Table 4 is
 *   conclusive). Text keys are extension labels (§6: "any extensions will use string map
 *   keys"): apart from "vlo" they are ignored, unless they end in '_' (§4.4), even when they
 *   spell a JSON label such as "n" — no implementation we know sends those (Leshan's and
 *   Anjay's decoders read integer keys only). A key of any other CBOR type is `invalid_senml`.
 * - numbers: unsigned/negative integers (major 0/1) → `of_integer` (`of_unsigned` above
 *   INT64_MAX, a double below INT64_MIN); half, single and double floats → `of_float`; a decimal
 *   fraction (tag 4, RFC 8949 §3.4.4, allowed by RFC 8428 §6) with integer exponent and mantissa
 *   → `of_float`, correctly rounded (with LWM2M_FLOAT_VALUES 0, config.hpp: the integer it
 *   is, `float_not_supported` when it is not whole). Other tags, and bignums, are
 *   `invalid_senml`. Float "v" values may be NaN or infinite (CBOR carries them); times may not.
 * - "bver" must be an unsigned integer (§6); "vs", "n", "bn", "u", "bu", "vlo" and text keys
 *   text strings (validated as UTF-8: `invalid_utf8` at the bad byte); "vd" a byte string (§6).
 *   Strings may have an indefinite length (RFC 8949 §3.2.3; `invalid_cbor` for a chunk that is
 *   not a definite string of the same type, `invalid_utf8` for a text chunk that is not UTF-8
 *   by itself; `indefinite_string_not_supported` at the head with LWM2M_CBOR_INDEFINITE_STRINGS
 *   0): a value of two chunks or more views them as they are
 *   (`text_encoding::cbor_chunks`, decoded by `copy_value_bytes` and the writers), of one
 *   chunk or none its contents (`raw`); a chunked name or key is decoded as it is resolved
 *   (no buffer, so no length limit of its own). Values are zero-copy.
 * - the pack is an array (§6 asks for a definite length; an indefinite one is accepted too),
 *   each record a map (definite or indefinite), a decimal fraction's array too. Bytes after the
 *   array are `invalid_cbor`. The self-described CBOR tag (55799, RFC 8949 §3.4.6) may come
 *   before the array (skipped), not before an item inside it (`invalid_senml`, as other tags).
 * Errors: those of `senml_json_reader` (with CBOR item offsets), plus `invalid_cbor` /
 * `truncated_value` from the CBOR tokenizer (RFC 8949 §3) and `invalid_utf8`.
 *
 * The payload, `base` (copied) and the schema registry must outlive the reader; records view
 * the payload. Allocation: none.
 *
 * `OnePass` (`senml_cbor_reader`: `LWM2M_SENML_ONE_PASS`) takes records of the common shapes
 * in one pass (`first_record`, `instance_next`, `plain_next`, `plain_record`); false leaves
 * every record to the general code, which gives the same records and errors (the differential
 * tests and the fuzz target compare the two).
 */
template <bool OnePass>
class basic_senml_cbor_reader {
public:
    /** Selects path-list mode (Read-Composite / Observe-Composite request bodies). */
    static constexpr senml::path_list_mode_t path_list_mode{};

    /** A reader in values mode over `payload` sent to/for `base`. Allocation: none. */
    basic_senml_cbor_reader(bytes_view payload, const lwm2m::path& base, const schema_registry* schemas = nullptr) noexcept
        : payload_(payload), resolver_(base, schemas, false) {}

    /** A reader in path-list mode. Allocation: none. */
    basic_senml_cbor_reader(bytes_view payload, const lwm2m::path& base, senml::path_list_mode_t,
                      const schema_registry* schemas = nullptr) noexcept
        : payload_(payload), resolver_(base, schemas, true) {}

    /**
     * The next record, or `std::nullopt` after the last one (and on every later call).
     * Errors: see the class comment. Allocation: none.
     */
    [[nodiscard]] LWM2M_HOT_INLINE result<std::optional<record>> next() noexcept {
        if constexpr (OnePass) {
            // The common record of a plain pack, built once, in the caller's result.
            plain_fields f;
            if (fast_ == fast::instance) {
                if (instance_next(f)) return senml::detail::plain_result(f.p, f.v);
                if (at_end()) return end();
            } else if (fast_ == fast::plain) {
                if (plain_next(f)) return senml::detail::plain_result(f.p, f.v);
                if (at_end()) return end();
            } else if (state_ == state::start) {
                return first();
            }
        }
        return next_general();
    }

private:
    using opt_record = std::optional<record>;

    /** In a fast mode (`fast_`): the array's records all read and nothing after them, as `finish()` finds it. */
    [[nodiscard]] bool at_end() const noexcept { return remaining_ == 0 && pos_ == payload_.size(); }

    /** `next()` at the end `at_end()` found. */
    [[nodiscard]] result<std::optional<record>> end() noexcept {
        state_ = state::done;
        fast_ = fast::none;
        return std::optional<record>{};
    }
    using output = senml::detail::pack_resolver::output;
    using item = cbor::item;
    using item_kind = cbor::item_kind;
    enum class state : std::uint8_t { start, records, done };

    /**
     * The pack is read with `cbor::decode_item`, the nesting tracked here: an array (level 1)
     * of maps (level 2), whose values are single items but for a decimal fraction (tag 4) and
     * the skipped values of unknown labels. Where `cbor::reader` would reject a "break" that
     * closes nothing, so does `item_here`.
     */
    static constexpr std::size_t record_depth = 2;

    /** True when the next byte is a "break" (0xFF) closing an indefinite container. */
    [[nodiscard]] bool at_break() const noexcept {
        return pos_ < payload_.size() && payload_[pos_] == std::byte{0xFF};
    }

    /** The next item where no indefinite container is open at this level: a "break" is `invalid_cbor`. */
    [[nodiscard]] result<item> item_here() noexcept {
        if (at_break()) return fail(errc::invalid_cbor, pos_);
        return next_item();
    }

    /** The next item (a "break" as `item_kind::break_`); the hot path, kept free of a `result<item>` copy. */
    [[nodiscard]] LWM2M_HOT_INLINE bool next_item(item& it, error& e) noexcept {
        if (cbor::detail::decode_into(payload_, pos_, it, e.code)) return true;
        e.offset = it.offset;
        return false;
    }
    [[nodiscard]] result<item> next_item() noexcept {
        item it{};
        error e{};
        if (!next_item(it, e)) return unexpected{e};
        return it;
    }

    [[nodiscard]] std::size_t offset_of(bytes_view inner) const noexcept {
        return static_cast<std::size_t>(inner.data() - payload_.data());
    }

    /**
     * A text string, validated as UTF-8: definite, or indefinite (`it` its head, its chunks
     * read here, `pos_` moved past its "break"; RFC 8949 §3.2.3).
     */
    [[nodiscard]] result<senml::detail::text_field> text(const item& it) noexcept {
        if (it.kind == item_kind::text_string_start) {
            LWM2M_TRY(s, chunks(it));
            return senml::detail::text_field{as_chars(s.bytes), s.joined ? text_encoding::raw : text_encoding::cbor_chunks,
                                             it.offset};
        }
        if (it.kind != item_kind::text_string) return fail(errc::invalid_senml, it.offset);
        if (auto ok = encoding::validate_utf8(it.bytes); !ok)
            return fail(errc::invalid_utf8, offset_of(it.bytes) + ok.error().offset);
        return senml::detail::text_field{as_chars(it.bytes), text_encoding::raw, it.offset};
    }

    /** The chunks of the indefinite-length string whose head `start` was just read (`cbor::read_chunks`). */
    [[nodiscard]] result<cbor::chunked_string> chunks(const item& start) noexcept {
        return cbor::read_chunks(payload_, pos_, start.kind);
    }

    /** A decimal fraction (tag 4 already read at `at`): [exponent, mantissa], as a double. */
    [[nodiscard]] result<value> decimal_fraction(std::size_t at) noexcept {
        // Inside the tag: a "break" closes nothing; nor in the array, but after the two
        // numbers of an indefinite one (RFC 8949 §3.2.2), which must close it.
        LWM2M_TRY(a, item_here());
        if (a.kind != item_kind::array || (!a.indefinite && a.uint != 2)) return fail(errc::invalid_senml, a.offset);
        LWM2M_TRY(e, item_here());
        if (e.kind != item_kind::unsigned_integer && e.kind != item_kind::negative_integer)
            return fail(errc::invalid_senml, e.offset);
        LWM2M_TRY(m, item_here());
        if (m.kind != item_kind::unsigned_integer && m.kind != item_kind::negative_integer)
            return fail(errc::invalid_senml, m.offset);
        if (a.indefinite) {
            if (!at_break()) return fail(errc::invalid_senml, pos_);
            ++pos_;
        }
        if constexpr (!config::float_values) return whole_decimal_fraction(at, e, m);
        // "<mantissa>e<exponent>" read back by from_chars: exact decimal, correctly rounded.
        char buf[64]{};
        std::size_t n = 0;
        const auto put_magnitude = [&](bool negative, std::uint64_t u) {
            // A negative integer is -1 - u; its magnitude u + 1 may be 2^64.
            if (negative) buf[n++] = '-';
            if (negative && u == std::numeric_limits<std::uint64_t>::max()) {
                constexpr char two_to_64[] = "18446744073709551616";  // (sized: no strlen)
                for (std::size_t k = 0; k + 1 < sizeof two_to_64; ++k) buf[n++] = two_to_64[k];
                return;
            }
            n = static_cast<std::size_t>(encoding::detail::write_decimal(buf + n, negative ? u + 1 : u) - buf);
        };
        put_magnitude(m.kind == item_kind::negative_integer, m.uint);
        buf[n++] = 'e';
        put_magnitude(e.kind == item_kind::negative_integer, e.uint);
        auto d = encoding::parse_double(std::string_view{buf, n});
        if (!d) return fail(errc::number_out_of_range, at);
        return value::of_float(*d);
    }

    /**
     * A decimal fraction [e, m] in a build without Float values (LWM2M_FLOAT_VALUES 0): the
     * integer m * 10^e is, as `number` gives an integer (Unsigned beyond 2^63 - 1). Errors (at
     * the tag, `at`): `float_not_supported` when it is not a whole number, `number_out_of_range`
     * when it does not fit 64 bits.
     */
    [[nodiscard]] static result<value> whole_decimal_fraction(std::size_t at, const item& e, const item& m) noexcept {
        constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
        const bool negative = m.kind == item_kind::negative_integer;
        if (negative && m.uint == max) return fail(errc::number_out_of_range, at);  // -2^64
        std::uint64_t u = negative ? m.uint + 1 : m.uint;
        if (e.kind == item_kind::unsigned_integer) {  // 10^e: a nonzero u passes 2^64 within 20 steps
            for (std::uint64_t k = 0; k < e.uint && u != 0; ++k) {
                if (u > max / 10) return fail(errc::number_out_of_range, at);
                u *= 10;
            }
        } else {  // 10^(-1 - e.uint): u must end in that many zeros
            for (std::uint64_t k = 0; k <= e.uint && u != 0; ++k) {
                const auto d = lwm2m::detail::udiv64(u, 10);
                if (d.rem != 0) return fail(errc::float_not_supported, at);
                u = d.quot;
            }
        }
        constexpr std::uint64_t int_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
        if (!negative) return u <= int_max ? value::of_integer(static_cast<std::int64_t>(u)) : value::of_unsigned(u);
        if (u > int_max + 1) return fail(errc::number_out_of_range, at);
        return value::of_integer(static_cast<std::int64_t>(0 - u));
    }

    /** A number: integer, float or decimal fraction. */
    [[nodiscard]] result<value> number(const item& it) noexcept {
        constexpr std::uint64_t int_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
        switch (it.kind) {
        case item_kind::unsigned_integer:
            if (it.uint <= int_max) return value::of_integer(static_cast<std::int64_t>(it.uint));
            return value::of_unsigned(it.uint);
        case item_kind::negative_integer:
            if (it.uint <= int_max) return value::of_integer(-1 - static_cast<std::int64_t>(it.uint));
            // (-1 - u rounds to what -u does: u >= 2^63, whose doubles are 2048 apart)
            if constexpr (!config::float_values) return value::of_float(-encoding::to_double(it.uint));
            return value::of_float(-1.0 - static_cast<double>(it.uint));
        case item_kind::floating: return value::of_float(it.number);
        case item_kind::tag:
            if (it.uint == 4) return decimal_fraction(it.offset);
            break;
        default: break;
        }
        return fail(errc::invalid_senml, it.offset);
    }

    [[nodiscard]] result<double> number_double(const item& it) noexcept {
        LWM2M_TRY(v, number(it));
        return v.numeric();
    }

    /** Stores the (validated) text of "bn", "n" or "vs" into `r`. */
    static void take_text(senml::label l, const senml::detail::text_field& f, senml::detail::raw_record& r) noexcept {
        using senml::label;
        if (l == label::n) r.n = f;
        else if (l == label::bn) r.bn = f;
        else {
            r.val = value::of_string(f.text, f.encoding);
            r.value_label = l;
            r.value_offset = f.offset;
        }
    }

    /** Reads the value of a known label into `r`. */
    [[nodiscard]] result<void> field(senml::label l, const item& it, senml::detail::raw_record& r) noexcept {
        using senml::label;
        switch (l) {
        case label::bver:
            if (it.kind != item_kind::unsigned_integer) return fail(errc::invalid_senml, it.offset);
            r.bver = it.uint;
            r.bver_offset = it.offset;
            return {};
        case label::bn:
        case label::n:
        case label::vs: {
            LWM2M_TRY(f, text(it));
            take_text(l, f, r);
            return {};
        }
        case label::bu:
        case label::u: {
            LWM2M_TRY(f, text(it));
            (void)f;
            return {};
        }
        case label::bt: {
            LWM2M_TRY(d, number_double(it));
            r.bt = d;
            r.bt_offset = it.offset;
            return {};
        }
        case label::t: {
            LWM2M_TRY(d, number_double(it));
            r.t = d;
            r.t_offset = it.offset;
            return {};
        }
        case label::bs:
        case label::s:
        case label::ut: {
            LWM2M_TRY(d, number_double(it));
            (void)d;
            return {};
        }
        case label::bv: {
            LWM2M_TRY(v, number(it));
            r.bv = v;
            r.bv_offset = it.offset;
            return {};
        }
        case label::v: {
            LWM2M_TRY(v, number(it));
            r.val = v;
            break;
        }
        case label::vb:
            if (it.kind != item_kind::boolean) return fail(errc::invalid_senml, it.offset);
            r.val = value::of_boolean(it.boolean);
            break;
        case label::vd:
            if (it.kind == item_kind::byte_string_start) {
                LWM2M_TRY(b, chunks(it));
                r.val = value::of_opaque(b.bytes, b.joined ? text_encoding::raw : text_encoding::cbor_chunks);
                break;
            }
            if (it.kind != item_kind::byte_string) return fail(errc::invalid_senml, it.offset);
            r.val = value::of_opaque(it.bytes);
            break;
        case label::vlo: {
            LWM2M_TRY(f, text(it));
            LWM2M_TRY(v, senml::detail::objlnk_value(f));
            r.val = v;
            break;
        }
        }
        r.value_label = l;
        r.value_offset = it.offset;
        return {};
    }

    /** The label a map key names; nullopt for an unknown (ignored) one. */
    [[nodiscard]] result<std::optional<senml::label>> key_label(const item& k) noexcept {
        switch (k.kind) {
        case item_kind::unsigned_integer:
            if (k.uint > 8) return std::optional<senml::label>{};
            return senml::label_from_cbor_key(static_cast<std::int64_t>(k.uint));
        case item_kind::negative_integer:
            if (k.uint > 5) return std::optional<senml::label>{};
            return senml::label_from_cbor_key(-1 - static_cast<std::int64_t>(k.uint));
        case item_kind::text_string:
        case item_kind::text_string_start: {
            LWM2M_TRY(f, text(k));
            // The key's first characters (enough to tell "vlo") and its last one, decoded.
            char start[4]{};
            std::size_t length = 0;
            char last = 0;
            senml::detail::for_each_char(f, [&](char c) {
                if (length < sizeof start) start[length] = c;
                ++length;
                last = c;
            });
            if (std::string_view{start, length < sizeof start ? length : sizeof start} == senml::label_text(senml::label::vlo))
                return std::optional<senml::label>{senml::label::vlo};
            // RFC 8428 §4.4: an unknown label ending in '_' must be understood: reject.
            if (length != 0 && last == '_') return fail(errc::unknown_mandatory_label, k.offset);
            return std::optional<senml::label>{};
        }
        default: break;
        }
        return fail(errc::invalid_senml, k.offset);
    }

    /**
     * Skips the value of an unknown label (RFC 8428 §4.4: ignored) with everything nested in
     * it, as `cbor::reader::skip` over the whole pack would: `items_left` of the record map
     * counting this value (0 for an indefinite map).
     */
    [[nodiscard]] result<void> skip_value(std::uint64_t items_left) noexcept {
        cbor::reader nested{payload_, pos_, record_depth, items_left};
        if (auto ok = nested.skip(); !ok) return ok;
        pos_ = nested.offset();
        return {};
    }

    /**
     * The label of a one-byte integer key (RFC 8949 §3.1: 0x00-0x17 for 0..23, 0x20-0x37 for
     * -1..-24), as `key_label` gives it: n 0 .. vd 8 and bver -1 .. bs -6 (RFC 8428 §6 Table 4),
     * nullopt for the others.
     */
    [[nodiscard]] static constexpr std::optional<senml::label> small_key_label(std::uint8_t b) noexcept {
        if (b <= 8) return static_cast<senml::label>(static_cast<unsigned>(senml::label::n) + b);
        if (b >= 0x20 && b <= 0x25) return static_cast<senml::label>(static_cast<unsigned>(senml::label::bver) + (b - 0x20u));
        return std::nullopt;
    }

    /** Stores an error in `out`; returns false (what `step` and `read_pairs` return on error). */
    static bool fail_with(output& out, const error& e) noexcept {
        out = unexpected{e};
        return false;
    }
    static bool fail_with(output& out, errc code, std::size_t offset) noexcept { return fail_with(out, error{code, offset}); }

    /** The byte at `pos_`, or 0xFF ("break", which no fast path takes) at the end. */
    [[nodiscard]] std::uint8_t peek() const noexcept {
        return pos_ < payload_.size() ? static_cast<std::uint8_t>(payload_[pos_]) : std::uint8_t{0xFF};
    }

    /**
     * The value of "v" at `in[pos]` when it is an integer with a head of at most 5 bytes
     * (RFC 8949 §3.1: 0x00-0x1A unsigned, 0x20-0x37 negative), read as `number` would: its
     * size in bytes, or 0 (nothing read) for anything else.
     */
    [[nodiscard]] LWM2M_HOT_INLINE static std::size_t small_integer(bytes_view in, std::size_t pos, value& v) noexcept {
        // The bytes of the head, big-endian (RFC 8949 §3.1), as 32-bit values.
        const auto byte = [&](std::size_t i) { return std::uint32_t{static_cast<std::uint8_t>(in[pos + i])}; };
        const auto head = static_cast<std::uint8_t>(in[pos]);
        if (head < 0x18) {
            v = value::of_integer(head);
            return 1;
        }
        if (head >= 0x20 && head < 0x38) {
            v = value::of_integer(-1 - static_cast<std::int64_t>(head - 0x20));
            return 1;
        }
        if (head == 0x18 && in.size() - pos > 1) {
            v = value::of_integer(static_cast<std::uint8_t>(in[pos + 1]));
            return 2;
        }
        if (head == 0x19 && in.size() - pos > 2) {
            v = value::of_integer(static_cast<std::int64_t>(byte(1) << 8 | byte(2)));
            return 3;
        }
        if (head == 0x1A && in.size() - pos > 4) {  // 32 bits: times ("v" of a Time resource)
            v = value::of_integer(static_cast<std::int64_t>(byte(1) << 24 | byte(2) << 16 | byte(3) << 8 | byte(4)));
            return 5;
        }
        return 0;
    }

    /**
     * Reads the pairs of one record map (its head already read: `pairs`, or until a "break");
     * false with the error in `out`. The position is kept in a local (stores to `r` could
     * otherwise alias `pos_`), stored back around the out-of-line cases.
     */
    [[nodiscard]] LWM2M_HOT_INLINE bool read_pairs(senml::detail::raw_record& r, std::uint64_t pairs,
                                                         bool indefinite, output& out) noexcept {
        using senml::label;
        const bytes_view in = payload_;
        std::size_t pos = pos_;
        // The byte at `pos`, or 0xFF ("break", which no fast path takes) at the end.
        const auto peek = [&] { return pos < in.size() ? static_cast<std::uint8_t>(in[pos]) : std::uint8_t{0xFF}; };
        for (;;) {
            std::uint8_t kb = peek();
            if (indefinite) {
                if (kb == 0xFF && pos < in.size()) {
                    pos_ = pos + 1;
                    return true;
                }
            } else {
                if (pairs == 0) {
                    pos_ = pos;
                    return true;
                }
                --pairs;
            }
            const std::size_t key_at = pos;
            std::optional<label> l;
            // One-byte integer keys in place with the one-pass paths (read_key reads them alike).
            if (OnePass && kb <= 8) {  // the common case: a one-byte key n 0 .. vd 8 (RFC 8428 §6 Table 4)
                ++pos;
                l = static_cast<label>(static_cast<unsigned>(label::n) + kb);
            } else if (OnePass && (kb < 0x18 || (kb >= 0x20 && kb < 0x38))) {  // another one-byte integer key
                ++pos;
                l = small_key_label(kb);
            } else {
                pos_ = pos;
                if (!read_key(l, out)) return false;
                pos = pos_;
            }
            if (!l) {
                // RFC 8428 §4.4: unknown labels are ignored.
                pos_ = pos;
                if (auto ok = skip_value(indefinite ? 0 : 2 * pairs + 1); !ok) return fail_with(out, ok.error());
                pos = pos_;
                continue;
            }
            if (r.labels.has(*l)) return fail_with(out, errc::duplicate_entry, key_at);
            r.labels.add(*l);
            if (senml::is_value_label(*l)) {
                if (r.value_label) return fail_with(out, errc::invalid_senml, key_at);
                r.value_key_offset = key_at;
            }
            // The common cases in place: the text of "bn", "n" or "vs" with a one-byte head
            // (RFC 8949 §3.1), and "v" as a small integer. Not in the general code alone
            // (size builds), where `read_value` reads them with the same results (the
            // differential tests hold the two readers equal).
            if constexpr (OnePass) {
                const std::uint8_t vb = peek();
                constexpr std::uint32_t text_labels = senml::detail::label_bit(label::bn) |
                                                      senml::detail::label_bit(label::n) | senml::detail::label_bit(label::vs);
                if (vb >= 0x60 && vb < 0x78 && (senml::detail::label_bit(*l) & text_labels) != 0) {
                    const std::size_t at = pos++;
                    const std::size_t length = vb & 31u;
                    if (length > in.size() - pos) return fail_with(out, errc::truncated_value, at);
                    const bytes_view text = in.subspan(pos, length);
                    pos += length;
                    if (!encoding::detail::is_ascii(text)) {  // else surely valid (inlined: most text is ASCII)
                        if (auto ok = encoding::validate_utf8(text); !ok)
                            return fail_with(out, errc::invalid_utf8, at + 1 + ok.error().offset);
                    }
                    take_text(*l, senml::detail::text_field{as_chars(text), text_encoding::raw, at}, r);
                    continue;
                }
                if (*l == label::v && vb != 0xFF) {
                    if (const std::size_t n = small_integer(in, pos, r.val); n != 0) {
                        r.value_label = label::v;
                        r.value_offset = pos;
                        pos += n;
                        continue;
                    }
                }
            }
            pos_ = pos;
            if (!read_value(*l, indefinite, r, out)) return false;
            pos = pos_;
        }
    }

    /** A map key of any other form than one byte (at `pos_`): its label, nullopt for an ignored one. */
    LWM2M_NOINLINE bool read_key(std::optional<senml::label>& l, output& out) noexcept {
        auto k = item_here();
        if (!k) return fail_with(out, k.error());
        auto kl = key_label(*k);
        if (!kl) return fail_with(out, kl.error());
        l = *kl;
        return true;
    }

    /** The value of label `l` at `pos_` into `r`, in the general case. */
    LWM2M_NOINLINE bool read_value(senml::label l, bool indefinite, senml::detail::raw_record& r, output& out) noexcept {
        // In a definite map a "break" here closes nothing; in an indefinite one it is an item of
        // the wrong type (field rejects it).
        if (!indefinite && pos_ < payload_.size() && payload_[pos_] == std::byte{0xFF})
            return fail_with(out, errc::invalid_cbor, pos_);
        item v{};
        error e{};
        if (!next_item(v, e)) return fail_with(out, e);
        if (auto ok = field(l, v, r); !ok) return fail_with(out, ok.error());
        return true;
    }

    [[nodiscard]] bool finish(output& out) noexcept {
        if (pos_ != payload_.size()) return fail_with(out, errc::invalid_cbor, pos_);
        state_ = state::done;
        return true;
    }

    /**
     * Reads the array head (RFC 8428 §6: the pack is an array), after the self-described CBOR
     * tag (55799, RFC 8949 §3.4.6: meant for the start of an item, of no meaning) when there
     * is one; false with the error in `out`. Within the pack the tag is refused like any other
     * but 4 (RFC 8428 §6 gives records no tags).
     */
    [[nodiscard]] bool start(output& out) noexcept {
        auto a = item_here();
        while (a && a->kind == item_kind::tag && a->uint == cbor::self_described_tag) a = item_here();
        if (!a) return fail_with(out, a.error());
        if (a->kind != item_kind::array) return fail_with(out, errc::invalid_senml, a->offset);
        indefinite_ = a->indefinite;
        remaining_ = a->uint;
        state_ = state::records;
        return true;
    }

    /** The 4 bytes at `p` as a little-endian number (one load on little-endian hosts). */
    [[nodiscard]] static std::uint32_t load_le32(const std::byte* p) noexcept {
        if constexpr (std::endian::native == std::endian::little) {
            std::uint32_t w;
            std::memcpy(&w, p, sizeof w);
            return w;
        } else {
            return std::uint32_t{static_cast<std::uint8_t>(p[0])} | std::uint32_t{static_cast<std::uint8_t>(p[1])} << 8 |
                   std::uint32_t{static_cast<std::uint8_t>(p[2])} << 16 | std::uint32_t{static_cast<std::uint8_t>(p[3])} << 24;
        }
    }

    /** What `plain_record` did. */
    enum class plain : std::uint8_t { record, error, not_taken };

    /** The shortcut `next()` may take (`fast_mode`). */
    enum class fast : std::uint8_t { none, plain, instance };

    /** A record `plain_pairs` read: its path and value (untyped), where it ends. */
    struct plain_fields {
        lwm2m::path p;
        value v;
        std::size_t name_at = 0;   // offset of the name
        std::size_t value_at = 0;  // offset of the value
        std::size_t end = 0;       // just after the record
    };

    /**
     * `plain_record` for the next record of a plain pack (`fast_`), from `next()`: the record
     * and its typing (`pack_resolver::type_plain`) when it has no error, taken then (as
     * `plain_record` takes it); false, having changed nothing, for anything else.
     */
    [[nodiscard]] LWM2M_HOT_INLINE bool plain_next(plain_fields& f) noexcept {
        const std::size_t at = pos_;
        const std::size_t rest = payload_.size() - at;
        // Map head, key "n", text head: 3 bytes, then the name, a key and a byte at least.
        if (remaining_ == 0 || rest < 6) return false;
        // The three head bytes at once, as plain_pairs checks them: 0xA2 (a map of two pairs),
        // 0x00 (key "n"), 0x60-0x77 (a text of up to 23 bytes, one-byte head).
        const std::uint32_t w = load_le32(payload_.data() + at);  // 6 bytes are there
        const std::size_t name_length = (w >> 16) & 31u;
        if ((w & 0xE0FFFFu) != 0x6000A2u || name_length >= 24) return false;
        if (rest - 5 < name_length) return false;  // + the value's key and head
        if (!plain_name_value(at + 2, name_length, resolver_.base_name_state(), f) || !resolver_.type_plain(f.p, f.v))
            return false;
        --remaining_;
        pos_ = f.end;
        return true;
    }

    /**
     * `plain_next` in a pack whose "bn" is an object instance "/O/I/" (`fast::instance`): the
     * name is "R", "RR", "R/I" or "RR/I" (the names `take_plain_ids_n` takes in one step),
     * read in place with the base name's ids (`instance_lanes_`) and its object's schema at
     * hand (`pack_resolver::use_object`). False, having changed nothing, for anything else
     * (`next_general` then reads the record: `plain_record`, else token by token).
     */
    [[nodiscard]] LWM2M_HOT_INLINE bool instance_next(plain_fields& f) noexcept {
        const std::size_t at = pos_;
        const std::size_t rest = payload_.size() - at;
        // Map head, key "n", text head, a name of one character at least, a key and a byte.
        if (rest < 6) return false;
        const std::byte* in = payload_.data() + at;
        // 0xA2 (a map of two pairs), 0x00 (key "n"), then the name's one-byte head.
        const std::uint32_t w = load_le32(in);  // 6 bytes are there
        if ((w & 0xFFFFu) != 0x00A2u) return false;
        // A digit's value, and anything else above 9.
        const auto digit = [&](std::size_t i) { return std::uint64_t{static_cast<std::uint8_t>(in[3 + i])} - '0'; };
        std::uint64_t id = 0;   // the resource id
        std::uint64_t ids = 0;  // lanes 2 and 3 of the path (the base name holds no_id there) xor no_id
        std::size_t below = 0;  // 0 for "R"/"RR", 1 for "R/I"/"RR/I"
        std::size_t pos = at + 3;  // the name
        // The resource id `r` of `n` digits, then "/I" when `instance`; each shape with the key
        // and a byte after it (map head, key, text head, the name, 2 bytes).
        const auto take = [&](std::uint64_t r, std::size_t n, bool instance) {
            id = r;
            if (!instance) {
                ids = r ^ 0xFFFFu;
                pos += n;
                return rest >= 5 + n;
            }
            if (rest < 7 + n) return false;  // before reading "/I"
            const std::uint64_t i = digit(n + 1);
            ids = (r | i << 16) ^ 0xFFFFFFFFu;
            below = 1;
            pos += n + 2;
            return in[3 + n] == std::byte{'/'} && i <= 9;
        };
        const std::uint32_t name_head = (w >> 16) & 0xFFu;
        switch (name_head) {
        case 0x61:    // "R"
        case 0x63: {  // "R/I"
            const std::uint64_t r = digit(0);
            if (r > 9 || !take(r, 1, name_head == 0x63)) return false;
            break;
        }
        case 0x62:    // "RR", no leading zero
        case 0x64: {  // "RR/I"
            const std::uint64_t a = digit(0), b = digit(1);
            if (a - 1 > 8 || b > 9 || !take(a * 10 + b, 2, name_head == 0x64)) return false;
            break;
        }
        default: return false;
        }
        // The array's count is looked at here, not first: a check like the others, and g++
        // then does not merge this function's first checks with `plain_next`'s.
        if (!plain_value(payload_, pos, f.v) || remaining_ == 0 ||
            !resolver_.type_plain_in_object(static_cast<std::uint16_t>(id), below, f.v))
            return false;
        f.p = lwm2m::detail::path_access::of_lanes(instance_lanes_ ^ ids << 32, static_cast<path_level>(3 + below));
        --remaining_;
        pos_ = pos;
        return true;
    }

    /** `next()` for the first record: `first_record`, else the general code. */
    LWM2M_NOINLINE result<std::optional<record>> first() noexcept {
        plain_fields f;
        if (!failed_ && first_record(f)) return senml::detail::plain_result(f.p, f.v);
        return next_general();
    }

    /**
     * The pack's first record from `next()`, when the pack is a definite array of 1 to 23
     * records (a one-byte head, RFC 8949 §3.1) whose first is a plain record opened by "bn"
     * (`plain_record_with_base_name`) with no error: the array head and the record taken;
     * false, having changed nothing, for anything else.
     */
    [[nodiscard]] LWM2M_HOT_INLINE bool first_record(plain_fields& f) noexcept {
        const bytes_view in = payload_;
        // Array head, map head, key "bn", its text head: 4 bytes, then what plain_record needs.
        if (pos_ != 0 || in.size() < 10) return false;
        // As start() reads the head (cbor::detail::decode_into): each record takes a byte at least.
        const auto head = static_cast<std::uint8_t>(in[0]);
        if (head < 0x81 || head > 0x97 || head - 0x80u > in.size() - 1 || in[1] != std::byte{0xA3}) return false;
        senml::detail::text_field bn;
        senml::detail::path_builder state;
        const std::size_t key_at = plain_base_name(1, bn, state);
        if (key_at == 0 || !plain_pairs(key_at, state, f) || !resolver_.type_plain(f.p, f.v)) return false;
        state_ = state::records;
        indefinite_ = false;
        remaining_ = head - 0x81u;  // the records after this one
        pos_ = f.end;
        resolver_.take_plain_base_name(bn, state);
        fast_ = fast_mode();  // as next_general() would find: the pack is plain
        return true;
    }

    /**
     * The common record in one pass: a definite map (RFC 8949 §3.1) of "n" (key 0) with a text
     * of plain ids (`pack_resolver::plain_path`), then "v" (key 2) as an integer with a head of
     * at most 5 bytes, "vs" (key 3) as a text with a one-byte head, or "vb" (key 4) (RFC 8428
     * §6) — the records this library's writer, Leshan and Anjay send. Either the pack is plain
     * (`resolver_.plain_records()`) and the map has these two pairs, or the map opens with a
     * "bn" (key -2) that makes it plain, as the first record of such a pack does
     * (`plain_record_with_base_name`). Stores the record (or the schema's error) exactly as
     * `read_pairs` + `pack_resolver::resolve` would. `not_taken` for anything else, having
     * changed nothing: the general code then reads the record from the same position (and
     * finds any error there).
     */
    [[nodiscard]] LWM2M_HOT_INLINE plain plain_record(output& out) noexcept {
        if constexpr (!OnePass) return plain::not_taken;  // size builds: the general code only
        const std::size_t at = pos_;
        // Map head, key "n", text head: 3 bytes, then the name, a key and a byte at least.
        if (payload_.size() - at < 6) return plain::not_taken;
        const auto head = static_cast<std::uint8_t>(payload_[at]);
        if (head == 0xA2 && resolver_.plain_records()) return plain_record_in_pack(out);
        if (head == 0xA3 && payload_[at + 1] == std::byte{0x21}) return plain_record_with_base_name(out);
        return plain::not_taken;
    }

    /** `plain_record` for a map of two pairs in a plain pack; out of line (`plain_next` takes most). */
    LWM2M_NOINLINE plain plain_record_in_pack(output& out) noexcept {
        plain_fields f;
        if (!plain_pairs(pos_ + 1, resolver_.base_name_state(), f)) return plain::not_taken;
        return store(f, out);
    }

    /** Takes the record `plain_pairs` read and stores it (or the schema's error) in `out`. */
    plain store(const plain_fields& f, output& out) noexcept {
        pos_ = f.end;
        return resolver_.store_plain(f.p, f.v, f.name_at, f.value_at, out) == senml::detail::resolved::record
                   ? plain::record
                   : plain::error;
    }

    /** `plain_record` for a map of three pairs, {-2: "bn", 0: "n", value}; out of line (once a pack). */
    LWM2M_NOINLINE plain plain_record_with_base_name(output& out) noexcept {
        senml::detail::text_field bn;
        senml::detail::path_builder state;
        plain_fields f;
        const std::size_t key_at = plain_base_name(pos_, bn, state);
        if (key_at == 0 || !plain_pairs(key_at, state, f)) return plain::not_taken;
        resolver_.take_plain_base_name(bn, state);
        return store(f, out);
    }

    /**
     * For a map of three pairs at `at` (its head 0xA3 checked) that opens with "bn" as a text
     * of up to 23 bytes (a one-byte head) leaving the pack plain (`pack_resolver::plain_base_name`):
     * the offset of the key after it, with `bn` and its path state `state`; 0 for anything else.
     */
    [[nodiscard]] std::size_t plain_base_name(std::size_t at, senml::detail::text_field& bn,
                                              senml::detail::path_builder& state) const noexcept {
        const bytes_view in = payload_;
        const std::size_t size = in.size();
        if (size - at < 3 || static_cast<std::uint8_t>(in[at + 1]) != 0x21) return 0;
        // "bn" as a text of up to 23 bytes (one-byte head).
        const std::size_t bn_at = at + 2;
        const auto head = static_cast<std::uint8_t>(in[bn_at]);
        if (head < 0x60 || head >= 0x78) return 0;
        const std::size_t length = head & 31u;
        if (size - bn_at - 1 < length + 4) return 0;  // + key "n", a text head, a key, a byte
        // A plain base name is ASCII: any other text is left to the general code, which
        // validates it as UTF-8.
        bn = senml::detail::text_field{as_chars(in.subspan(bn_at + 1, length)), text_encoding::raw, bn_at};
        if (!resolver_.plain_base_name(bn, state)) return 0;
        return bn_at + 1 + length;
    }

    /**
     * Reads the pairs "n" and value of `plain_record` from the key "n" at `key_at` on, the
     * name continuing the base name state `bn_state`, into `f` (the value untyped); false for
     * anything else. Changes nothing else.
     */
    [[nodiscard]] LWM2M_HOT_INLINE bool plain_pairs(std::size_t key_at, const senml::detail::path_builder& bn_state,
                                                    plain_fields& f) const noexcept {
        const bytes_view in = payload_;
        const std::size_t size = in.size();
        const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(in[i]); };
        if (byte(key_at) != 0x00) return false;
        const std::size_t name_at = key_at + 1;
        const std::uint8_t name_head = byte(name_at);
        if (name_head < 0x60 || name_head >= 0x78) return false;
        const std::size_t name_length = name_head & 31u;
        if (size - name_at - 1 < name_length + 2) return false;  // + the value's key and head
        return plain_name_value(name_at, name_length, bn_state, f);
    }

    /**
     * `plain_pairs` from the name on, its head at `name_at` checked (a text of `name_length`
     * bytes, the value's key and a byte after it in the payload).
     */
    [[nodiscard]] LWM2M_HOT_INLINE bool plain_name_value(std::size_t name_at, std::size_t name_length,
                                                         const senml::detail::path_builder& bn_state,
                                                         plain_fields& f) const noexcept {
        const bytes_view in = payload_;
        // Plain ids (ASCII digits and '/': valid UTF-8, as `read_pairs` would check) at
        // resource level or below (`pack_resolver::plain_path`).
        if (!senml::detail::pack_resolver::plain_path(bn_state, as_chars(in).data() + name_at + 1, name_length, f.p))
            return false;
        std::size_t pos = name_at + 1 + name_length;
        f.name_at = name_at;
        f.value_at = pos + 1;
        if (!plain_value(in, pos, f.v)) return false;
        f.end = pos;
        return true;
    }

    /**
     * The value pair of `plain_pairs` at `pos` (the key and a byte after it are in `in`): "v"
     * as a `small_integer`, "vs" as a text with a one-byte head, or "vb", into `v` (untyped),
     * `pos` moved past it; false (`v` and `pos` unspecified) for anything else.
     */
    [[nodiscard]] LWM2M_HOT_INLINE static bool plain_value(bytes_view in, std::size_t& pos, value& v) noexcept {
        const std::size_t size = in.size();
        const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(in[i]); };
        // Tested in this order (not a switch, which g++ orders as it likes): "v" is the commonest.
        const std::uint8_t key = byte(pos++);
        if (key == 0x02) {  // "v"
            const std::size_t n = small_integer(in, pos, v);
            pos += n;
            return n != 0;
        }
        if (key == 0x03) {  // "vs"
            const std::uint8_t head = byte(pos++);
            if (head < 0x60 || head >= 0x78) return false;
            const std::size_t length = head & 31u;
            if (length > size - pos) return false;
            const bytes_view text = in.subspan(pos, length);
            if (!encoding::detail::is_ascii(text) && !encoding::validate_utf8(text)) return false;
            v = value::of_string(as_chars(text));
            pos += length;
            return true;
        }
        if (key == 0x04) {  // "vb"
            if (byte(pos) != 0xF4 && byte(pos) != 0xF5) return false;
            v = value::of_boolean(byte(pos++) == 0xF5);
            return true;
        }
        return false;
    }

    /**
     * `next()` when the common record is not next (the first call, other shapes, base-only
     * records, errors, the end): the general code, out of line.
     */
    LWM2M_NOINLINE result<std::optional<record>> next_general() noexcept {
        output out = std::nullopt;  // the record is built in place, in the caller's object
        if (failed_) {
            out = unexpected{error_};
        } else if (!step(out)) {
            failed_ = true;
            error_ = out.error();
        }
        if constexpr (OnePass) fast_ = fast_mode();
        return out;
    }

    /**
     * What `next()` may try next: `instance_next` when the records are read from a definite
     * array, with no error, in a plain pack (`resolver_.plain_records()`) whose "bn" names an
     * object instance ("/O/I/", LwM2M 1.1 Core §7.4.4: what this library's writer, Leshan and
     * Anjay send), `plain_next` in another plain pack, else neither.
     */
    [[nodiscard]] fast fast_mode() noexcept {
        if (failed_ || state_ != state::records || indefinite_ || !resolver_.plain_records()) return fast::none;
        const lwm2m::path& bn = resolver_.base_name_state().completed();
        if (bn.depth() != 2) return fast::plain;
        resolver_.use_object(bn.object_id());  // every record of the pack is of this object
        instance_lanes_ = lwm2m::detail::path_access::lanes(bn);
        return fast::instance;
    }

    /** Reads up to the next record and stores it in `out` (nothing at the end); false with an error in `out`. */
    [[nodiscard]] LWM2M_HOT_INLINE bool step(output& out) noexcept {
        if (state_ != state::records) {
            if (state_ == state::done) return true;
            if (!start(out)) return false;
        }
        for (;;) {
            if (indefinite_) {
                if (at_break()) {
                    ++pos_;
                    return finish(out);
                }
            } else {
                if (remaining_ == 0) return finish(out);
                --remaining_;
            }
            switch (plain_record(out)) {
            case plain::record: return true;
            case plain::error: return false;
            case plain::not_taken: break;  // the general code reads it from the same position
            }
            senml::detail::raw_record& raw = raw_.get();
            raw.clear(pos_);
            std::uint64_t pairs = 0;
            bool indefinite = false;
            const std::uint8_t head = peek();
            // The common case: a map of up to 23 pairs, one byte (RFC 8949 §3.1), each pair at
            // least two bytes (as `decode_into` checks).
            if (head >= 0xA0 && head < 0xB8 && head - 0xA0u <= (payload_.size() - pos_ - 1) / 2) {
                ++pos_;
                pairs = head - 0xA0u;
            } else {
                if (at_break()) return fail_with(out, errc::invalid_cbor, pos_);
                item m{};
                error e{};
                if (!next_item(m, e)) return fail_with(out, e);
                if (m.kind != item_kind::map) return fail_with(out, errc::invalid_senml, m.offset);
                pairs = m.uint;
                indefinite = m.indefinite;
            }
            if (!read_pairs(raw, pairs, indefinite, out)) return false;
            switch (resolver_.resolve(raw, out)) {
            case senml::detail::resolved::record: return true;
            case senml::detail::resolved::error: return false;
            case senml::detail::resolved::base_only: break;  // go on
            }
        }
    }

    bytes_view payload_;
    std::size_t pos_ = 0;
    senml::detail::pack_resolver resolver_;
    senml::detail::lazy_raw_record raw_;  // the record being read (reused: see raw_record::clear)
    state state_ = state::start;
    bool indefinite_ = false;
    std::uint64_t remaining_ = 0;
    bool failed_ = false;
    // What `next()` may try (`fast_mode`): records are being read from a definite array, no
    // error, and the pack is plain (`resolver_.plain_records()`), its "bn" an object instance
    // whose path is `instance_lanes_` (`path_access::lanes`) for `instance_next`.
    fast fast_ = fast::none;
    std::uint64_t instance_lanes_ = 0;
    error error_{};
};

} // namespace detail

/** The SenML CBOR reader (see `detail::basic_senml_cbor_reader`), with the one-pass paths unless compiled out (`LWM2M_SENML_ONE_PASS`). */
using senml_cbor_reader = detail::basic_senml_cbor_reader<LWM2M_SENML_ONE_PASS != 0>;

} // namespace lwm2m::format
