#pragma once
/**
 * @file format/tlv/writer.hpp
 * `write_tlv`: records to an LwM2M TLV payload (Content-Format 11542; LwM2M 1.0 §6.4.3,
 * 1.1 Core §7.4.3), and `tlv::max_instance_size`, the worst-case size of one encoded
 * instance of an object schema. Allocation: none.
 */

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <span>

#include <lwm2m/bytes.hpp>
#include <lwm2m/config.hpp>
#include <lwm2m/encoding/utf8.hpp>
#include <lwm2m/format/output_window.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/format/tlv/header.hpp>
#include <lwm2m/format/tlv/value_encoding.hpp>
#include <lwm2m/model/data_type.hpp>
#include <lwm2m/model/object_def.hpp>
#include <lwm2m/model/resource_def.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/model/value_bytes.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format {

namespace detail::tlv_writer {

using tlv::entry_type;

/** Bytes past the payload end that `sink` may overwrite in place (its 8-byte value stores). */
inline constexpr std::size_t store_slack = 8;
/**
 * Most bytes one record adds besides the bytes of a byte-sequence value: its header, a
 * fixed-size value, and the headers of a Multiple Resource and an Object Instance around it.
 */
inline constexpr std::size_t record_overhead = 3 * tlv::max_header_size + 8;
/** `validate`'s bound for payloads that may hold a TLV too long to encode: no in-place writes. */
inline constexpr std::size_t no_bound = std::numeric_limits<std::size_t>::max();

/** `bound + n`, or `no_bound` once either is beyond a TLV length (so no overflow, even in 32 bits). */
[[nodiscard]] constexpr std::size_t add_to_bound(std::size_t bound, std::size_t n) noexcept {
    return bound > tlv::max_value_length || n > tlv::max_value_length ? no_bound : bound + n;
}

/**
 * Writes the decoded bytes of escaped or base64 text at `at` (or through `out` when `at` is
 * null) and returns where the next byte goes. Out of line: such values are rare.
 */
LWM2M_NOINLINE constexpr std::byte* put_decoded(output_window& out, std::byte* at, const value& v) noexcept {
    (void)for_each_value_byte(v, [&](std::byte b) {
        if (at != nullptr) *at++ = b;
        else out.put(b);
    });
    return at;
}

/**
 * Where the TLVs go. When the payload surely fits the window from its current position (its
 * bound, from `validate`: the common case of a whole-body buffer), the bytes are stored in
 * place with no window arithmetic per piece; otherwise each piece goes through
 * `output_window::put`, which also counts what falls outside the window (Block2, `tlv_size`).
 */
class sink {
public:
    constexpr sink(output_window& out, std::size_t bound) noexcept : out_(&out) {
        // In place only with the fast paths: size builds keep the window's general code alone
        // (the same bytes: the window path is what Block2 windows and tlv_size take anyway).
        if (LWM2M_TLV_FAST_PATH && !std::is_constant_evaluated()) begin_ = at_ = out.direct(bound);
    }

    constexpr void header(entry_type type, std::uint16_t id, std::size_t length) noexcept {
        if (in_place()) at_ += tlv::write_header(at_, type, id, length);
        else put_header(*out_, type, id, length);
    }
    constexpr void fixed(tlv::detail::fixed_bits f) noexcept {
        if (!in_place()) {
            put_fixed(*out_, f);
        } else if (f.size != 0) {
            // Eight bytes, the value in the first `size`: one store whatever the size (store_slack).
            std::uint64_t v = f.bits << (8 * (8 - f.size));
            if constexpr (std::endian::native == std::endian::little) v = __builtin_bswap64(v);
            std::memcpy(at_, &v, 8);
            at_ += f.size;
        }
    }
    constexpr void bytes(bytes_view b) noexcept {
        if (in_place()) {
            lwm2m::detail::copy_bytes(at_, b.data(), b.size());
            at_ += b.size();
        } else {
            out_->put(b);
        }
    }
    /** The bytes of escaped or base64 text, decoded (`validate` made sure they decode). */
    constexpr void decoded(const value& v) noexcept { at_ = put_decoded(*out_, at_, v); }
    /** Counts the bytes stored in place in the window; once, after the last piece. */
    constexpr void finish() noexcept {
        if (in_place()) out_->advance(static_cast<std::size_t>(at_ - begin_));
    }

private:
    /** Writing in place in the window (never in size builds: a constant false there, so the in-place code is left out). */
    [[nodiscard]] constexpr bool in_place() const noexcept { return LWM2M_TLV_FAST_PATH && at_ != nullptr; }

    // Through the window's arithmetic (Block2 windows, size counting). Out of line, so the
    // in-place stores of the common case stay small enough to be inlined.
    LWM2M_NOINLINE static constexpr void put_header(output_window& out, entry_type type, std::uint16_t id,
                                                    std::size_t length) noexcept {
        out.put(tlv::encode_header(type, id, length).view());
    }
    LWM2M_NOINLINE static constexpr void put_fixed(output_window& out, tlv::detail::fixed_bits f) noexcept {
        out.put(tlv::detail::to_fixed_value(f).view());
    }

    output_window* out_;
    std::byte* begin_ = nullptr;
    std::byte* at_ = nullptr;
};

/** The lanes of the object, instance and resource ids in a path's lane word (`path_access::lanes`). */
inline constexpr std::uint64_t resource_lanes = ~std::uint64_t{0} >> 16;

/** True for records that are one value of a resource: /O/I/R or /O/I/R/RI. */
[[nodiscard]] constexpr bool is_value_level(const path& p) noexcept { return p.depth() >= 3; }

/** True when `q` is a resource instance of the resource of `p` (a resource instance path). */
[[nodiscard]] constexpr bool same_resource(const path& p, const path& q) noexcept {
    using lwm2m::detail::path_access;
    return q.level() == path_level::resource_instance &&
           ((path_access::lanes(p) ^ path_access::lanes(q)) & resource_lanes) == 0;
}

/** Length of the TLV value of `v` (after `validate`: encoded text decodes). */
[[nodiscard]] constexpr std::size_t value_size(const value& v) noexcept {
    if (!v.is_bytes()) return tlv::detail::fixed_bits_of(v).size;
    return value_byte_size(v).value_or(0);
}

/** `value_size(v)`; `invalid_argument` (offset `index`) above 2^24 - 1. */
[[nodiscard]] constexpr result<std::size_t> checked_value_size(const value& v, std::size_t index) noexcept {
    const std::size_t n = value_size(v);
    if (n > tlv::max_value_length) return fail(errc::invalid_argument, index);
    return n;
}

/** One value TLV (Resource or Resource Instance). Precondition: its length fits (`checked_value_size`). */
constexpr void put_value(sink& out, entry_type type, std::uint16_t id, const value& v) noexcept {
    if (!v.is_bytes()) {  // numbers, booleans, links, none: the size follows from the encoding
        const auto f = tlv::detail::fixed_bits_of(v);
        out.header(type, id, f.size);
        out.fixed(f);
    } else if (v.encoding() == text_encoding::raw) {
        out.header(type, id, v.bytes_unchecked().size());
        out.bytes(v.bytes_unchecked());
    } else {
        out.header(type, id, value_byte_size(v).value_or(0));
        out.decoded(v);
    }
}

/** The resource-instance records of one resource, [first, end), and their Multiple Resource TLV's value length. */
struct instances_run {
    std::size_t end = 0;
    std::size_t length = 0;
};

/**
 * The run of records from `first` (a resource instance) before `limit` that belong to its
 * resource. Errors (`invalid_argument`): a value too long for a TLV (offset = its index), then
 * the whole run (offset `first`).
 */
[[nodiscard]] constexpr result<instances_run> scan_instances(std::span<const record> records, std::size_t first,
                                                            std::size_t limit) noexcept {
    const path& p = records[first].path;
    instances_run run{first, 0};
    do {
        const record& r = records[run.end];
        LWM2M_TRY(n, checked_value_size(r.value, run.end));
        run.length += tlv::header_size(r.path.resource_instance_id(), n) + n;
        ++run.end;
    } while (run.end < limit && same_resource(p, records[run.end].path));
    if (run.length > tlv::max_value_length) return fail(errc::invalid_argument, first);
    return run;
}

/**
 * Value length of the Object Instance TLV around records [first, end) (one instance). Errors
 * (`invalid_argument`): those of its resources' TLVs in order, then the whole (offset `first`).
 */
[[nodiscard]] constexpr result<std::size_t> instance_length(std::span<const record> records, std::size_t first,
                                                           std::size_t end) noexcept {
    std::size_t length = 0;
    for (std::size_t i = first; i < end;) {
        const record& r = records[i];
        if (r.path.level() == path_level::resource) {
            LWM2M_TRY(n, checked_value_size(r.value, i));
            length += tlv::header_size(r.path.resource_id(), n) + n;
            ++i;
        } else if (r.path.level() == path_level::resource_instance) {
            LWM2M_TRY(run, scan_instances(records, i, end));
            length += tlv::header_size(r.path.resource_id(), run.length) + run.length;
            i = run.end;
        } else {
            ++i;  // the instance itself
        }
    }
    if (length > tlv::max_value_length) return fail(errc::invalid_argument, first);
    return length;
}

/**
 * Checks the records against `base` and each other (see `write_tlv`) and returns a bound of
 * the payload size plus `store_slack` (or `no_bound`). Errors: `path_wrong_level` (offset 0),
 * `invalid_argument`, `invalid_utf8`, `invalid_json`, `invalid_base64`, `float_not_supported`
 * (LWM2M_FLOAT_VALUES 0) (offset = record index).
 * One pass, each path against its predecessor through their 64-bit lane words: every check
 * must pass before the first byte is written, so this loop is paid on every write.
 */
[[nodiscard]] constexpr result<std::size_t> validate(std::span<const record> records, const path& base) noexcept {
    using lwm2m::detail::path_access;
    if (base.is_root()) return fail(errc::path_wrong_level, 0);
    const std::uint64_t base_lanes = path_access::lanes(base);
    const std::uint64_t base_mask = ~std::uint64_t{0} >> (64 - 16 * base.depth());  // its ids' lanes (is_prefix_of)
    std::size_t bound = store_slack;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const path& p = records[i].path;
        const value& v = records[i].value;
        const std::uint64_t lanes = path_access::lanes(p);
        // All invalid_argument at i, so their order does not matter: under base, strictly after
        // the previous path, at value level (or an instance with no value), and not a resource
        // instance of a resource that has a value record (a resource holds one or the other).
        if (((lanes ^ base_lanes) & base_mask) != 0) return fail(errc::invalid_argument, i);
        if (i > 0) {
            const path& q = records[i - 1].path;
            if (!(q < p)) return fail(errc::invalid_argument, i);
            if (q.level() == path_level::resource && ((path_access::lanes(q) ^ lanes) & resource_lanes) == 0)
                return fail(errc::invalid_argument, i);
        }
        if (p.level() == path_level::instance) {
            if (v.kind() != value_kind::none) return fail(errc::invalid_argument, i);
        } else if (!is_value_level(p)) {
            return fail(errc::invalid_argument, i);
        }
        // Values must be encodable (NaN and infinities are: IEEE 754 carries them), text UTF-8.
        if (!config::float_values && v.kind() == value_kind::float_) return fail(errc::float_not_supported, i);
        std::size_t n = 0;  // fixed-size kinds always encode, in at most record_overhead bytes
        if (v.is_bytes()) {
            if (v.encoding() == text_encoding::raw) {
                n = v.encoded_bytes().size();
                if (v.is_text() && !encoding::validate_utf8(v.encoded_bytes())) return fail(errc::invalid_utf8, i);
            } else {
                const auto size = value_byte_size(v);
                if (!size) return fail(size.error().code, i);
                n = *size;
            }
        }
        bound = add_to_bound(bound, n + record_overhead);
    }
    return bound;
}

/** End of the records from `first` in the instance of records[first] (base /O: all are in one object). */
[[nodiscard]] constexpr std::size_t instance_end(std::span<const record> records, std::size_t first) noexcept {
    const std::uint16_t instance = records[first].path.instance_id();
    std::size_t end = first + 1;
    while (end < records.size() && records[end].path.instance_id() == instance) ++end;
    return end;
}

/**
 * Writes the TLVs of validated, non-empty `records` for `base` into `window`, in place when
 * `bound` fits it. One pass in record order: an Object Instance TLV (base /O) opens at the
 * first record of each instance and a Multiple Resource TLV at the first record of each
 * resource's instances, their lengths measured ahead over their records.
 * Errors: a TLV too long (`invalid_argument`: a value, offset = its record; a container,
 * offset = its first record); the TLVs before it are written.
 */
[[nodiscard]] constexpr result<void> emit(std::span<const record> records, const path& base, output_window& window,
                                          std::size_t bound) noexcept {
    sink out{window, bound};
    const bool instances = base.level() == path_level::object;
    const bool bare_instance = base.level() == path_level::resource_instance;  // no Multiple Resource around it
    std::size_t instance_records_end = 0;  // end of the current Object Instance TLV's records
    std::size_t instances_end = 0;         // end of the current Multiple Resource TLV's records
    result<void> ok;
    for (std::size_t i = 0; i < records.size(); ++i) {
        const record& r = records[i];
        const path& p = r.path;
        if (instances && i == instance_records_end) {
            instance_records_end = instance_end(records, i);
            const auto length = instance_length(records, i, instance_records_end);
            if (!length) {
                ok = unexpected{length.error()};
                break;
            }
            out.header(entry_type::object_instance, p.instance_id(), *length);
        }
        entry_type type = entry_type::resource;
        std::uint16_t id = 0;
        bool measured = false;  // length already checked by a container's scan
        if (p.level() == path_level::resource) {
            id = p.resource_id();
        } else if (p.level() == path_level::resource_instance) {
            type = entry_type::resource_instance;
            id = p.resource_instance_id();
            measured = !bare_instance;
            if (!bare_instance && i >= instances_end) {
                const auto run = scan_instances(records, i, records.size());
                if (!run) {
                    ok = unexpected{run.error()};
                    break;
                }
                out.header(entry_type::multiple_resource, p.resource_id(), run->length);
                instances_end = run->end;
            }
        } else {
            continue;  // an instance with no resources: its Object Instance TLV is all
        }
        if (!measured && r.value.is_bytes()) {
            if (auto n = checked_value_size(r.value, i); !n) {
                ok = unexpected{n.error()};
                break;
            }
        }
        put_value(out, type, id, r.value);
    }
    out.finish();
    return ok;
}

/**
 * `write_tlv`'s general code: all records checked (`validate`), then written (`emit`); nothing
 * is written unless all are valid. Errors: as `write_tlv`. Allocation: none.
 */
[[nodiscard]] constexpr result<void> write_checked(std::span<const record> records, const path& base,
                                                   output_window& out) noexcept {
    const auto bound = validate(records, base);
    if (!bound) return unexpected{bound.error()};
    if (records.empty()) return {};
    return emit(records, base, out, *bound);
}

#if LWM2M_TLV_FAST_PATH
/**
 * Bytes `write_in_place` keeps for each record but the bytes of a byte value of 8 or more: a
 * Multiple Resource header (3) and a value TLV's header (3) with one 8-byte store of its value,
 * or a byte value's header, and the bytes of a shorter one (3 + 2 + 7).
 */
inline constexpr std::size_t in_place_room = 16;

/** Stores the low bytes of `bits` that a `Word` holds at `p`, most significant first. */
template <class Word>
LWM2M_HOT_INLINE inline void store_be_word(std::byte* p, std::uint64_t bits) noexcept {
    auto word = static_cast<Word>(bits);
    if constexpr (std::endian::native == std::endian::little) {
        if constexpr (sizeof(Word) == 2) word = __builtin_bswap16(word);
        else word = __builtin_bswap32(word);
    }
    std::memcpy(p, &word, sizeof word);
}

/** Stores `word` at `p`, least significant byte first. */
LWM2M_HOT_INLINE inline void store_le64(std::byte* p, std::uint64_t word) noexcept {
    if constexpr (std::endian::native != std::endian::little) word = __builtin_bswap64(word);
    std::memcpy(p, &word, 8);
}

/**
 * The start of a TLV at `p`: the type byte `type` (with the length bits) and the 8-bit `id`.
 * Two byte stores: `type` is a constant where `write_in_place` inlines this. Ids here are
 * 64-bit, as the loop's keys are (a 32-bit one costs a move a record: 15 instructions an
 * encode of Device /3/0).
 */
LWM2M_HOT_INLINE inline void put_type_and_id(std::byte* p, std::uint32_t type, std::uint64_t id) noexcept {
    p[0] = static_cast<std::byte>(type);
    p[1] = static_cast<std::byte>(id);
}

/**
 * A value TLV of a fixed-size value at `p`: type byte `type` (length bits 0), 8-bit `id`,
 * the length `size` (1..8 bytes, the low bytes of `bits`) and the value, most significant
 * byte first. Returns the end. Stores 8 bytes whatever the size (`in_place_room`).
 */
[[nodiscard]] LWM2M_HOT_INLINE inline std::byte* put_fixed_in_place(std::byte* p, std::uint32_t type, std::uint64_t id,
                                                                   std::uint64_t bits, std::size_t size) noexcept {
    std::uint64_t be = bits << (64 - 8 * size);  // the value's bytes in the high `size` bytes
    if constexpr (std::endian::native == std::endian::little) be = __builtin_bswap64(be);
    if (size != 8) {  // header and value (at most 6 bytes) in one 8-byte store
        store_le64(p, std::uint64_t{type | static_cast<std::uint32_t>(size) | id << 8} | be << 16);
        return p + 2 + size;
    }
    put_type_and_id(p, type | 0x08u, id);
    p[2] = static_cast<std::byte>(8);
    std::memcpy(p + 3, &be, 8);
    return p + 11;
}

/** `put_in_place` for an Integer or Time. */
[[nodiscard]] LWM2M_HOT_INLINE inline std::byte* put_integer_in_place(std::byte* p, std::uint32_t type, std::uint64_t id,
                                                                     std::int64_t i) noexcept {
    const auto bits = static_cast<std::uint64_t>(i);
    if (bits + 128 < 256) {  // most integers: one byte
        put_type_and_id(p, type | 1u, id);
        p[2] = static_cast<std::byte>(bits);
        return p + 3;
    }
    // Two and four bytes (times, most counters) with their own stores: no length to compute.
    if (bits + 0x8000 < 0x10000) {
        put_type_and_id(p, type | 2u, id);
        store_be_word<std::uint16_t>(p + 2, bits);
        return p + 4;
    }
    if (bits + 0x80000000 < 0x100000000) {
        put_type_and_id(p, type | 4u, id);
        store_be_word<std::uint32_t>(p + 2, bits);
        return p + 6;
    }
    return put_fixed_in_place(p, type, id, bits, 8);
}

/**
 * `put_in_place` for raw bytes `b`; nullptr when they are longer than 255 or do not end
 * before `limit`. ORs the words it copied into `text_bits` when `text` (see `write_in_place`).
 */
[[nodiscard]] LWM2M_HOT_INLINE inline std::byte* put_bytes_in_place(std::byte* p, std::uint32_t type, std::uint64_t id,
                                                                   bytes_view b, bool text, std::uintptr_t limit,
                                                                   std::uint64_t& text_bits) noexcept {
    const std::size_t n = b.size();
    // Three calls of copy_text_bits for three ranges of n, each compiled for its own (n up to
    // 32 takes no loop: measured 32 instructions less an encode of Device /3/0 than two calls).
    std::uint64_t bits;
    if (n < 8) {
        // Header and value fit the record's own room (in_place_room): no limit to check.
        put_type_and_id(p, type | static_cast<std::uint32_t>(n), id);
        p += 2;
        bits = encoding::detail::copy_text_bits(p, b.data(), n);
    } else if (reinterpret_cast<std::uintptr_t>(p) + 3 + n > limit) {
        return nullptr;
    } else if (n <= 32) {
        put_type_and_id(p, type | 0x08u, id);
        p[2] = static_cast<std::byte>(n);
        p += 3;
        bits = encoding::detail::copy_text_bits(p, b.data(), n);
    } else {
        if (n > 0xFF) return nullptr;
        put_type_and_id(p, type | 0x08u, id);
        p[2] = static_cast<std::byte>(n);
        p += 3;
        bits = encoding::detail::copy_text_bits(p, b.data(), n);
    }
    if (text) text_bits |= bits;
    return p + n;
}

/**
 * `put_in_place` for the values that are not an Integer, Time or raw String. Out of line, so
 * that the caller's loop keeps its state in registers; a Corelnk is checked for UTF-8 here,
 * so that the caller's `text_bits` need not leave its register for this call.
 */
[[nodiscard]] LWM2M_NOINLINE inline std::byte* put_other_in_place(std::byte* p, std::uint32_t type, std::uint64_t id,
                                                                 const value& v, std::uintptr_t limit) noexcept {
    switch (v.kind()) {
    case value_kind::none: put_type_and_id(p, type, id); return p + 2;
    case value_kind::unsigned_integer: {
        const auto f = tlv::detail::unsigned_bits(v.as_unsigned());
        return put_fixed_in_place(p, type, id, f.bits, f.size);
    }
    case value_kind::float_: {
        if constexpr (!config::float_values) return nullptr;  // `validate` refuses it
        const double d = v.as_float();
        if (const auto single = tlv::float32_bits(d)) return put_fixed_in_place(p, type, id, *single, 4);
        return put_fixed_in_place(p, type, id, std::bit_cast<std::uint64_t>(d), 8);
    }
    case value_kind::boolean: return put_fixed_in_place(p, type, id, v.as_boolean() ? 1 : 0, 1);
    case value_kind::objlnk: {
        const auto f = tlv::detail::objlnk_bits(v.as_objlnk());
        return put_fixed_in_place(p, type, id, f.bits, f.size);
    }
    case value_kind::opaque:
    case value_kind::corelnk:
    case value_kind::untyped:
    {
        if (v.encoding() != text_encoding::raw) return nullptr;
        std::uint64_t text_bits = 0;
        std::byte* const end = put_bytes_in_place(p, type, id, v.bytes_unchecked(), v.is_text(), limit, text_bits);
        if ((text_bits & encoding::detail::non_ascii_bits) != 0 && !encoding::validate_utf8(v.bytes_unchecked()))
            return nullptr;
        return end;
    }
    default: return nullptr;  // encoded strings
    }
}

/**
 * `write_in_place`'s value TLV at `p`: the type byte `type` (Resource or Resource Instance,
 * 8-bit id, length bits 0), the id `id` (below 256) and the value `v`; the end, or nullptr
 * (nothing to keep) for a value it does not take: raw bytes above 255 or not ending before
 * `limit`, encoded text. `p` has `in_place_room` bytes. The commonest LwM2M values
 * inline: strings, integers (first with `IntegerFirst`: most Multiple Resources), times. Text is only copied here (its words ORed into
 * `text_bits`): `write_in_place` checks that it is UTF-8.
 */
template <bool IntegerFirst>
[[nodiscard]] LWM2M_HOT_INLINE inline std::byte* put_in_place(std::byte* p, std::uint32_t type, std::uint64_t id,
                                                             const value& v, std::uintptr_t limit,
                                                             std::uint64_t& text_bits) noexcept {
    if (IntegerFirst && v.kind() == value_kind::integer) return put_integer_in_place(p, type, id, v.as_integer());
    // A raw String: kind and encoding as one number, which compilers load as one 16-bit word.
    if ((static_cast<unsigned>(v.kind()) | static_cast<unsigned>(v.encoding()) << 8) ==
        static_cast<unsigned>(value_kind::string))
        return put_bytes_in_place(p, type, id, v.bytes_unchecked(), true, limit, text_bits);
    if (!IntegerFirst && v.kind() == value_kind::integer) return put_integer_in_place(p, type, id, v.as_integer());
    if (v.kind() == value_kind::time) return put_integer_in_place(p, type, id, v.as_integer());
    return put_other_in_place(p, type, id, v, limit);
}

/** True when every text value of `records` is UTF-8. Out of line: only text with a non-ASCII byte gets here. */
[[nodiscard]] LWM2M_NOINLINE inline bool texts_are_utf8(std::span<const record> records) noexcept {
    for (const record& r : records)
        if (r.value.is_text() && !encoding::validate_utf8(r.value.encoded_bytes())) return false;
    return true;
}

/**
 * The lanes (`path_access::lanes`: no_id past a path's depth) of Resource 0 of instance
 * `base`, which `in_place_records` compares records with. Its low 32 bits are base's.
 */
[[nodiscard]] inline std::uint64_t resource_form(const path& base) noexcept {
    return (lwm2m::detail::path_access::lanes(base) & 0xFFFFFFFF) | std::uint64_t{path::no_id} << 48;
}

/** `in_place_records`' result: the end of the TLVs (nullptr when it gives up) and the words of text copied, ORed. */
struct in_place_end {
    std::byte* p;
    std::uint64_t text_bits;
};

/**
 * `write_in_place`'s loop, out of line so that only its own state is live in it (two words
 * back, in registers): the TLVs of records [r, last) at `p`, byte values ending before `limit`,
 * `resource_form` the lanes of base's Resource 0 (`resource_form`).
 */
[[nodiscard]] LWM2M_NOINLINE inline in_place_end in_place_records(const record* r, const record* const last, std::byte* p,
                                                                 const std::uintptr_t limit,
                                                                 const std::uint64_t resource_form) noexcept {
    using lwm2m::detail::path_access;
    // A record's lanes XOR resource_form, rotated to put the resource lane lowest, are its id
    // when it is a Resource record under base (ids, object, instance checked in one compare),
    // else above 0xFF.
    std::uint64_t min_resource = 0;  // the least resource id the next record may have
    std::uint64_t text_bits = 0;     // the words of text copied, ORed: UTF-8 is checked at the end
    while (r != last) {
        std::uint64_t key = std::rotr(path_access::lanes(r->path) ^ resource_form, 32);
        if (key <= 0xFF) {  // a Resource record
            if (key < min_resource) [[unlikely]] return {};
            min_resource = key + 1;
            p = put_in_place<false>(p, 0xC0u, key, r->value, limit, text_bits);
            if (p == nullptr) [[unlikely]] return {};
            ++r;
            continue;
        }
        // Else the first of a run of Resource Instance records: the resource id in the low lane
        // (when the record is under base, checked with the instance id below). Its low byte:
        // a larger id fails that check too (its resource lane differs from instance_form's).
        const std::uint64_t id = key & 0xFF;
        if (id < min_resource) [[unlikely]] return {};
        // The lanes of this resource's instances with id 0: XORed and rotated as above, the
        // lanes of a record leave its instance id when it is one.
        const std::uint64_t instance_form = (resource_form & 0xFFFFFFFF) | id << 32;
        key = std::rotr(path_access::lanes(r->path) ^ instance_form, 48);
        if (key > 0xFF) [[unlikely]] return {};
        // A Multiple Resource TLV around the run of this resource's instances: its header with
        // an 8-bit length field for now.
        std::byte* const multi = p;
        put_type_and_id(multi, 0x88u, id);
        p += 3;
        std::uint64_t min_instance = 0;
        for (;;) {
            if (key < min_instance) [[unlikely]] return {};
            min_instance = key + 1;
            p = put_in_place<true>(p, 0x40u, key, r->value, limit, text_bits);
            if (p == nullptr) [[unlikely]] return {};
            if (++r == last) break;
            key = std::rotr(path_access::lanes(r->path) ^ instance_form, 48);
            if (key > 0xFF) break;  // another resource (or this one's value record: refused above)
        }
        // Its length: inline below 8 (the content moves back a byte, in one 8-byte copy within
        // the room of the run's first record), else the 8-bit field.
        const auto length = static_cast<std::size_t>(p - (multi + 3));
        if (length < 8) {
            multi[0] = static_cast<std::byte>(0x80u | length);
            std::byte content[8];  // bytes: those past the content may be indeterminate
            std::memcpy(content, multi + 3, 8);
            std::memcpy(multi + 2, content, 8);
            --p;
        } else if (length > 0xFF) [[unlikely]] {
            return {};
        } else {
            multi[2] = static_cast<std::byte>(length);
        }
        // The next resource id is above this one's (read back from its header: nothing more
        // stays live across the run).
        min_resource = std::to_integer<std::uint64_t>(multi[1]) + 1;
    }
    return {p, text_bits};
}

/**
 * `write_tlv`'s fast path, for base /O/I (a Read of an instance, the commonest payload): checks
 * and writes the records in one pass, in place in the window's free space, and counts them
 * only once all are written. It takes Resource records and runs of Resource Instance records
 * (grouped in a Multiple Resource TLV, its header written ahead with an 8-bit length and made
 * shortest when the run ends), with ids below 256, ascending as `validate` requires, and
 * values of a fixed-size kind or raw bytes (text valid UTF-8) of at most 255 bytes,
 * when the window has `in_place_room` bytes per record besides the byte values. Anything else
 * (another base, a record at instance level, a larger id or value, encoded text, a record out
 * of order or not under `base`, a small window) returns false having counted nothing: the
 * general code then writes the same records from the start (over the bytes stored here), so
 * it alone decides errors and their offsets. The output is the general code's byte for byte
 * (tests/format/tlv_test.cpp holds them equal).
 */
[[nodiscard]] inline bool write_in_place(std::span<const record> records, const path& base,
                                         output_window& out) noexcept {
    if (base.level() != path_level::instance) return false;
    const mutable_bytes room = out.free_space();
    if (room.size() / in_place_room < records.size()) return false;
    std::byte* const start = room.data();
    // Byte values of 8 or more end before `limit`, which leaves the room of every record free
    // (more than the records after them need, but a limit that does not move costs nothing a
    // record); a shorter one stays in its record's room.
    const auto limit = reinterpret_cast<std::uintptr_t>(start + room.size() - in_place_room * records.size());
    const auto end = in_place_records(records.data(), records.data() + records.size(), start, limit,
                                      resource_form(base));
    if (end.p == nullptr) return false;
    if ((end.text_bits & encoding::detail::non_ascii_bits) != 0 && !texts_are_utf8(records)) return false;
    out.advance(static_cast<std::size_t>(end.p - start));
    return true;
}
#endif

} // namespace detail::tlv_writer

/**
 * Writes `records` as an LwM2M TLV payload for a request on `base` (LwM2M 1.0 §6.4.3,
 * 1.1 Core §7.4.3):
 * - base `/O`: one Object Instance TLV per instance, always (the spec requires them when the
 *   request names no instance);
 * - base `/O/I`: bare Resource / Multiple Resource TLVs;
 * - base `/O/I/R`: one Resource TLV, or one Multiple Resource TLV;
 * - base `/O/I/R/RI`: one Resource Instance TLV.
 * Records at resource-instance level are grouped, per resource, in a Multiple Resource TLV
 * (even a single instance). A record at instance level (`/O/I`, value `none`, as `tlv_reader`
 * yields for an empty Object Instance TLV) makes that instance appear even without resources.
 * Every header takes the shortest form (8-bit ids below 256; inline length below 8, else
 * the shortest length field); values use `tlv::encode_value_each` (values in any
 * `text_encoding` are decoded on the way).
 *
 * `records` must be sorted by path, strictly (no duplicates), each under `base`, at
 * resource or resource-instance level (or instance level with a `none` value), and no
 * resource may have both a value record and resource-instance records.
 * Nothing is written unless all records are valid.
 *
 * Errors: `path_wrong_level` (base is the root; offset 0); `invalid_argument` (a record breaks
 * the rules above, or a value or container is longer than 2^24-1 bytes; offset = index of the
 * record); `invalid_utf8` (a String / Corelnk value that is not UTF-8; offset = record index);
 * `invalid_json` / `invalid_base64` (encoded text that does not decode; offset = record index). Output that does not fit the window is not an error here:
 * check `out.finish()` / `out.total()`.
 * Allocation: none.
 */
[[nodiscard]] constexpr result<void> write_tlv(std::span<const record> records, const lwm2m::path& base,
                                               output_window& out) noexcept {
#if LWM2M_TLV_FAST_PATH
    if (!std::is_constant_evaluated() && detail::tlv_writer::write_in_place(records, base, out)) return {};
#endif
    return detail::tlv_writer::write_checked(records, base, out);
}

/**
 * Size in bytes of the payload `write_tlv(records, base, ...)` writes.
 * Errors: as `write_tlv`. Allocation: none.
 */
[[nodiscard]] constexpr result<std::size_t> tlv_size(std::span<const record> records, const lwm2m::path& base) noexcept {
    output_window count{mutable_bytes{}};  // stores nothing, counts everything
    if (auto ok = write_tlv(records, base, count); !ok) return unexpected{ok.error()};
    return count.total();
}

namespace tlv {

/**
 * Worst-case size in bytes of the TLV encoding of one instance of `object` (the bare Resource
 * / Multiple Resource TLVs, as a Read of `/O/I` returns them), assuming every non-executable
 * resource is present at its largest value: 8 bytes for Integer, Unsigned Integer, Time and
 * Float, 1 for Boolean, 4 for Objlnk, the range maximum (in bytes) for String, Opaque and
 * Corelnk. Executable resources carry no value and are not counted.
 *
 * Multiple-instance resources count `max_resource_instances` instances, each with a 16-bit
 * id (any id 0..65534 may be used); without that bound they make the size unbounded.
 * Add `header_size(65534, n) + n`-style wrapping for a Read of `/O` (an Object Instance TLV
 * header is at most 6 bytes).
 *
 * Returns `std::nullopt` when some resource is unbounded: a String / Opaque / Corelnk without
 * a range, or a multiple resource without `max_resource_instances`, or a total above
 * `max_value_length` per TLV. Allocation: none.
 */
[[nodiscard]] constexpr std::optional<std::size_t>
max_instance_size(const object_view& object, std::optional<std::size_t> max_resource_instances = std::nullopt) noexcept {
    std::size_t total = 0;
    for (const resource_def& r : object.resources()) {
        std::size_t value_size = 0;
        switch (r.type) {
        case data_type::none: continue;
        case data_type::integer:
        case data_type::unsigned_integer:
        case data_type::time:
        case data_type::float_: value_size = 8; break;
        case data_type::boolean: value_size = 1; break;
        case data_type::objlnk: value_size = 4; break;
        case data_type::string:
        case data_type::opaque:
        case data_type::corelnk:
            if (!r.range.present || !(r.range.max >= 0) || r.range.max > static_cast<double>(max_value_length))
                return std::nullopt;
            value_size = static_cast<std::size_t>(r.range.max); // whole bytes: truncation is floor here
            break;
        }
        if (!r.is_multiple()) {
            total += header_size(r.id, value_size) + value_size;
            continue;
        }
        if (!max_resource_instances) return std::nullopt;
        const std::size_t one = header_size(0xFFFF, value_size) + value_size;
        const std::size_t n = *max_resource_instances;
        if (n != 0 && one > max_value_length / n) return std::nullopt;
        const std::size_t content = one * n;
        total += header_size(r.id, content) + content;
    }
    return total;
}

} // namespace tlv

} // namespace lwm2m::format
