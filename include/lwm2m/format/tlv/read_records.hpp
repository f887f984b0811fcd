#pragma once
/**
 * @file format/tlv/read_records.hpp
 * `tlv::read_records`: a whole LwM2M TLV payload (Content-Format 11542; LwM2M 1.0 §6.4.3,
 * 1.1 Core §7.4.3) read into the caller's span of records in one loop, with the same records,
 * errors and error offsets as reading it with `tlv_reader` to its end (what
 * `format::read_records` does for TLV). Allocation: none.
 */

#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <span>

#include <lwm2m/bytes.hpp>
#include <lwm2m/encoding/utf8.hpp>
#include <lwm2m/format/read_all.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/format/tlv/header.hpp>
#include <lwm2m/format/tlv/reader.hpp>
#include <lwm2m/format/tlv/value_encoding.hpp>
#include <lwm2m/model/coerce.hpp>
#include <lwm2m/model/object_def.hpp>
#include <lwm2m/model/resource_def.hpp>
#include <lwm2m/model/schema_registry.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format::tlv {

namespace detail {

/**
 * `tlv_reader` read to its end into `out`: the general code, which gives every error (and
 * `capacity_exceeded`, offset = records read so far, once a record beyond `out` is read
 * without error). Out of line: the bulk loop calls it only for what it does not take.
 */
[[nodiscard]] LWM2M_NOINLINE inline result<std::size_t> read_records_pulled(bytes_view payload, const path& base,
                                                                            const schema_registry* schemas,
                                                                            std::span<record> out) noexcept {
    return format::detail::read_all<tlv_reader>(payload, base, schemas, out);
}

#if LWM2M_TLV_FAST_PATH

/**
 * True when `n` bytes from `p` lie before `end`: as addresses, so that the sum (which may
 * point past the payload) is one add and one compare, with no pointer arithmetic beyond it.
 */
[[nodiscard]] LWM2M_HOT_INLINE inline bool bulk_fits(const std::byte* p, std::size_t n, const std::byte* end) noexcept {
    return reinterpret_cast<std::uintptr_t>(p) + n <= reinterpret_cast<std::uintptr_t>(end);
}

/** `id` in lane `k` of a path's lanes (0 = object .. 3 = resource instance). */
[[nodiscard]] constexpr std::uint64_t bulk_lane(unsigned k, std::uint64_t id) noexcept { return id << (16 * k); }

/**
 * Where the bulk loop is inside an Object Instance (or a payload at base /O/I): the next
 * resource-level TLV and the end of the instance, the next record and the end of the
 * caller's span, the instance's path lanes (/O/I in lanes 0-1, lanes 2-3 clear), its schema
 * (null: untyped) and the smallest id the next resource may have (ids must ascend).
 */
struct bulk_cursor {
    const std::byte* p = nullptr;
    const std::byte* e = nullptr;
    record* o = nullptr;
    record* o_end = nullptr;
    std::uint64_t lanes = 0;
    const object_view* object = nullptr;
    unsigned next_id = 0;
    /// The words of the Strings `bulk_fast` took, ORed (`encoding::detail::text_bits`): their
    /// ASCII is tested once, at the end of the instance, instead of once a string.
    std::uint64_t text_bits = 0;
};

/**
 * Makes `r` the record at `lanes`/`level` of the value `b` typed by `def` (untyped without);
 * false (`r` partly written) where `tlv_reader` fails: the checks and values of its
 * `put_record` (`decode_value`, `check_range`).
 */
[[nodiscard]] inline bool bulk_value(record& r, std::uint64_t lanes, path_level level, const resource_def* def,
                                     bytes_view b) noexcept {
    r.path = lwm2m::detail::path_access::of_lanes(lanes, level);
    std::construct_at(&r.time);
    if (def == nullptr) {
        r.value = value::of_untyped(b);
        return true;
    }
    const auto v = decode_value(b, def->type);
    if (!v || !check_range(*v, *def)) return false;
    r.value = *v;
    return true;
}

/**
 * The resource-level TLV at `c.p` (a Resource, or a Multiple Resource and its Resource
 * Instances) in any form `tlv_reader` takes, its records stored and `c` moved past it; false
 * where `tlv_reader` fails or the ids do not ascend (its duplicate check), or the records do
 * not fit: the caller then reads the payload with `tlv_reader`. Out of line: for what
 * `bulk_fast` does not take.
 */
[[nodiscard]] LWM2M_NOINLINE inline bool bulk_general_entry(bulk_cursor& c) noexcept {
    const auto h = decode_header(bytes_view{c.p, static_cast<std::size_t>(c.e - c.p)});
    if (!h || h->id == path::no_id || h->id < c.next_id) return false;
    const resource_def* def = nullptr;
    if (c.object != nullptr && (def = c.object->find(h->id)) == nullptr) return false;
    const std::uint64_t resource_lanes = c.lanes | bulk_lane(2, h->id);
    const std::byte* const value = c.p + h->size;
    record* o = c.o;
    if (h->type == entry_type::resource) {
        if ((def != nullptr && def->is_multiple()) || o == c.o_end) return false;
        if (!bulk_value(*o++, resource_lanes | bulk_lane(3, path::no_id), path_level::resource, def,
                        bytes_view{value, h->length}))
            return false;
    } else if (h->type == entry_type::multiple_resource) {
        if (def != nullptr && !def->is_multiple()) return false;
        unsigned next_instance = 0;
        for (std::size_t at = 0; at != h->length;) {
            const auto hi = decode_header(bytes_view{value + at, h->length - at});
            if (!hi || hi->type != entry_type::resource_instance || hi->id == path::no_id || hi->id < next_instance ||
                o == c.o_end)
                return false;
            next_instance = hi->id + 1u;
            if (!bulk_value(*o++, resource_lanes | bulk_lane(3, hi->id), path_level::resource_instance, def,
                            bytes_view{value + at + hi->size, hi->length}))
                return false;
            at += hi->size + hi->length;
        }
    } else {
        return false;  // an Object Instance or a Resource Instance here: invalid_nesting
    }
    c.p = value + h->length;
    c.o = o;
    c.next_id = h->id + 1u;
    return true;
}

/** `bulk_fast`'s key of an untyped value (no data type has it; a multiple resource adds 0x100). */
inline constexpr unsigned bulk_untyped = 0x80;

/**
 * Makes `r.value` the value of the `length` bytes at `v` for `Key` (`bulk_untyped`, or a data
 * type with `def` its resource): untyped, Integer, Time, ASCII String, Boolean, each with the
 * checks of `decode_value` and `check_range`; false where they fail (`r` partly written). A
 * String's words are ORed into `text_bits` instead of tested here: the caller tests them once
 * for the whole instance (`bulk_instance`).
 */
template <unsigned Key>
[[nodiscard]] LWM2M_HOT_INLINE inline bool bulk_typed_value(record& r, const resource_def* def, const std::byte* v,
                                                            std::size_t length, std::uint64_t& text_bits) noexcept {
    if constexpr (Key == static_cast<unsigned>(data_type::integer) || Key == static_cast<unsigned>(data_type::time)) {
        // Big-endian two's complement of 1, 2, 4 or 8 bytes (`load_be_signed_1248`), shortest first.
        std::int64_t i = 0;
        if (length == 1) i = static_cast<std::int8_t>(v[0]);
        else if (length == 2) i = static_cast<std::int16_t>(lwm2m::detail::load_be_fixed<2>(v));
        else if (length == 4) i = static_cast<std::int32_t>(lwm2m::detail::load_be_fixed<4>(v));
        else if (length == 8) i = static_cast<std::int64_t>(lwm2m::detail::load_be_fixed<8>(v));
        else return false;
        if (def->range.present && !def->range.contains(static_cast<double>(i))) return false;
        r.value = Key == static_cast<unsigned>(data_type::time) ? value::of_time(i) : value::of_integer(i);
    } else if constexpr (Key == static_cast<unsigned>(data_type::string)) {
        text_bits |= encoding::detail::text_bits(bytes_view{v, length});  // ASCII: tested at the end
        if (def->range.present && !def->range.contains(static_cast<double>(length))) return false;
        r.value = value::of_string(std::string_view{reinterpret_cast<const char*>(v), length});
    } else if constexpr (Key == static_cast<unsigned>(data_type::boolean)) {
        if (length != 1 || static_cast<unsigned>(v[0]) > 1) return false;
        r.value = value::of_boolean(static_cast<unsigned>(v[0]) == 1);
    } else {
        static_assert(Key == bulk_untyped);
        r.value = value::of_untyped(bytes_view{v, length});
    }
    return true;
}

/**
 * Calls `f` with `std::integral_constant<unsigned, key>` for the keys `bulk_typed_value` takes;
 * false for others. Tested in order of frequency in LwM2M payloads (text, integers), a compare each.
 */
template <class F>
[[nodiscard]] LWM2M_HOT_INLINE inline bool bulk_with_key(unsigned key, F&& f) noexcept {
    using k = unsigned;
    if (key == static_cast<k>(data_type::string)) return f(std::integral_constant<k, static_cast<k>(data_type::string)>{});
    if (key == static_cast<k>(data_type::integer)) return f(std::integral_constant<k, static_cast<k>(data_type::integer)>{});
    if (key == static_cast<k>(data_type::time)) return f(std::integral_constant<k, static_cast<k>(data_type::time)>{});
    if (key == static_cast<k>(data_type::boolean)) return f(std::integral_constant<k, static_cast<k>(data_type::boolean)>{});
    if (key == bulk_untyped) return f(std::integral_constant<k, bulk_untyped>{});
    return false;
}

/** Completes `r` (its value stored) at `lanes`/`level`, with no time. */
LWM2M_HOT_INLINE inline void bulk_finish(record& r, std::uint64_t lanes, path_level level) noexcept {
    r.path = lwm2m::detail::path_access::of_lanes(lanes, level);
    std::construct_at(&r.time);  // no time: one store
}

/**
 * The Resource Instance TLVs in [q, end) (a Multiple Resource's content) when all are of the
 * shape `bulk_fast` takes (8-bit id above the earlier ones', inline or 8-bit length, three
 * bytes at least, a value `bulk_typed_value<Key>` takes, room before `o_end` with
 * `CheckRoom`), their records stored from `o` under `lanes` (/O/I/R, lane 3 clear): the end of
 * those records; else null (some records may be written). One loop per key: the type is
 * tested once per resource, not per instance. Inline in `bulk_fast`'s loop: no call, no
 * arguments to move.
 */
template <bool CheckRoom, unsigned Key>
[[nodiscard]] LWM2M_HOT_INLINE inline record* bulk_fast_instances(const std::byte* q, const std::byte* const end,
                                                                record* o, record* const o_end,
                                                                const std::uint64_t lanes,
                                                                const resource_def* const def,
                                                                std::uint64_t& text_bits) noexcept {
    const auto u8 = [](std::byte x) { return static_cast<unsigned>(x); };
    std::ptrdiff_t last_instance = -1;  // ids ascend: above the last one (no add per instance)
    while (bulk_fits(q, 3, end)) {
        const unsigned t = u8(q[0]);
        if ((t & 0xF0u) != 0x40u) return nullptr;  // 01 0 0x: a Resource Instance, 8-bit id, inline or 8-bit length
        const std::ptrdiff_t id = u8(q[1]);
        if (id <= last_instance) return nullptr;
        std::size_t length = t & 0x07u;
        const std::byte* v = q + 2;
        if ((t & 0x08u) != 0) {
            length = u8(q[2]);
            ++v;
        }
        if (!bulk_fits(v, length, end)) return nullptr;
        if (CheckRoom && o == o_end) return nullptr;
        if (!bulk_typed_value<Key>(*o, def, v, length, text_bits)) return nullptr;
        bulk_finish(*o, lanes | bulk_lane(3, static_cast<std::uint64_t>(id)), path_level::resource_instance);
        ++o;
        last_instance = id;
        q = v + length;
    }
    return q == end ? o : nullptr;
}

/**
 * clang leaves the lambda of `bulk_fast_instances_of` (the whole instance loop) out of line:
 * a call a Multiple Resource, its captures stored and loaded (read tlv with clang++ 1463
 * instead of 1382 instructions an op). g++ inlines it, and allocates registers worse when
 * made to (1076 -> 1096): forced for clang only.
 */
#if defined(__clang__)
#define LWM2M_TLV_BULK_LAMBDA_INLINE __attribute__((always_inline))
#else
#define LWM2M_TLV_BULK_LAMBDA_INLINE
#endif

/** `bulk_fast_instances` for the `key` of the resource (`bulk_fast`'s key without the multiple bit). */
template <bool CheckRoom>
[[nodiscard]] LWM2M_HOT_INLINE inline record* bulk_fast_instances_of(const std::byte* q, const std::byte* const end,
                                                                     record* o, record* const o_end,
                                                                     const std::uint64_t lanes, const unsigned key,
                                                                     const resource_def* const def,
                                                                     std::uint64_t& text_bits) noexcept {
    record* last = nullptr;  // stays null for a type `bulk_typed_value` does not take
    (void)bulk_with_key(key, [&](auto k) LWM2M_TLV_BULK_LAMBDA_INLINE {
        last = bulk_fast_instances<CheckRoom, decltype(k)::value>(q, end, o, o_end, lanes, def, text_bits);
        return true;
    });
    return last;
}

/**
 * How many of the (sorted, unique) `resources` have their index as id: those with an id
 * below it are found by index, and no other id is (`object_view::find`'s O(1) case). Most
 * schemas are dense throughout: one compare.
 */
[[nodiscard]] inline std::size_t bulk_dense_ids(std::span<const resource_def> resources) noexcept {
    std::size_t lo = 0, hi = resources.size();  // resources[k].id == k holds for a prefix: its end in [lo, hi]
    if (hi == 0 || resources[hi - 1].id == hi - 1) return hi;
    --hi;
    while (lo < hi) {
        const std::size_t mid = (lo + hi + 1) / 2;
        if (resources[mid - 1].id == mid - 1) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

/**
 * Reads resource-level TLVs from `c.p` while they are of the commonest shape: 8-bit id above
 * the earlier ones', inline or 8-bit length, at least three bytes, a Resource or a Multiple
 * Resource of Resource Instances of that shape, a schema entry by dense id (`Typed`; else
 * untyped), a value `bulk_typed_value` takes, room in the span (checked per record only with
 * `CheckRoom`: without, the caller made sure that the span holds a record per two bytes left).
 * Stops (`c` at the TLV, nothing of it kept) at the end of the instance or at anything else:
 * `bulk_general_entry` reads what it leaves. No calls: its state stays in registers.
 */
template <bool Typed, bool CheckRoom>
LWM2M_NOINLINE void bulk_fast(bulk_cursor& c) noexcept {
    const std::byte* p = c.p;
    const std::byte* const e = c.e;
    record* o = c.o;
    record* const o_end = c.o_end;
    // The instance's lanes with lane 3 set to no id: a Resource's path is one OR away.
    const std::uint64_t lanes = c.lanes | bulk_lane(3, path::no_id);
    const resource_def* resources = nullptr;
    std::size_t dense = 0;  // ids below it: the resource at that index (`bulk_dense_ids`)
    if constexpr (Typed) {
        resources = c.object->resources().data();
        dense = bulk_dense_ids(c.object->resources());
    }
    std::size_t next_id = c.next_id;
    std::uint64_t text_bits = 0;
    const auto u8 = [](std::byte x) { return static_cast<unsigned>(x); };
    while (bulk_fits(p, 3, e)) {  // an empty TLV at the end (two bytes) goes the general way
        const unsigned t = u8(p[0]);
        if ((t & 0x30u) != 0) break;  // a 16-bit id or length
        const std::size_t id = u8(p[1]);  // as wide as the pointers it indexes with
        if (id < next_id) break;
        std::size_t length = t & 0x07u;
        const std::byte* v = p + 2;
        if ((t & 0x08u) != 0) {
            length = u8(p[2]);
            ++v;
        }
        if (!bulk_fits(v, length, e)) break;
        const resource_def* def = nullptr;
        unsigned key = bulk_untyped;
        if constexpr (Typed) {
            if (id >= dense) break;  // not in the schema, or beyond its dense ids: the general way
            def = resources + id;
            key = static_cast<unsigned>(def->type) | static_cast<unsigned>(def->instances) << 8;
        }
        if (t >= 0xC0u) {  // 11: Resource
            if (CheckRoom && o == o_end) break;
            if (!bulk_with_key(key, [&](auto k) { return bulk_typed_value<decltype(k)::value>(*o, def, v, length, text_bits); }))
                break;
            bulk_finish(*o, lanes | bulk_lane(2, id), path_level::resource);
            ++o;
        } else if (t >= 0x80u) {  // 10: Multiple Resource
            if (Typed && key < 0x100u) break;  // a single resource
            const std::uint64_t resource_lanes = (lanes & ~bulk_lane(3, path::no_id)) | bulk_lane(2, id);
            record* const last = bulk_fast_instances_of<CheckRoom>(v, v + length, o, o_end, resource_lanes, key & 0xFFu, def, text_bits);
            if (last == nullptr) break;  // the general code reads this Multiple Resource again
            o = last;
        } else {
            break;
        }
        next_id = id + 1;
        p = v + length;
    }
    c.p = p;
    c.o = o;
    c.next_id = static_cast<unsigned>(next_id);
    c.text_bits |= text_bits;
}

/**
 * True when the Strings of records [r, last) are UTF-8: what `bulk_instance` checks when a
 * String that `bulk_fast` took is not ASCII (`decode_value`'s check, done late). Out of line:
 * rare.
 */
[[nodiscard]] LWM2M_NOINLINE inline bool bulk_strings_are_utf8(const record* r, const record* const last) noexcept {
    for (; r != last; ++r)
        if (r->value.kind() == value_kind::string && !encoding::validate_utf8(r->value.encoded_bytes())) return false;
    return true;
}

/**
 * The resource-level TLVs of `c` to the end of its instance (see `bulk_cursor`); false where
 * `bulk_general_entry` is, or when a String `bulk_fast` took is not UTF-8.
 */
[[nodiscard]] inline bool bulk_instance(bulk_cursor& c) noexcept {
    record* const first = c.o;
    for (;;) {
        // Every record takes two payload bytes at least: with a record per two bytes left
        // in the span, the fast loop need not check for room.
        const bool room = static_cast<std::size_t>(c.o_end - c.o) >= static_cast<std::size_t>(c.e - c.p) / 2;
        if (c.object != nullptr) {
            if (room) bulk_fast<true, false>(c);
            else bulk_fast<true, true>(c);
        } else {
            if (room) bulk_fast<false, false>(c);
            else bulk_fast<false, true>(c);
        }
        // The fast loop only ORed the words of its Strings (`bulk_cursor::text_bits`): when one
        // is not ASCII (rare), the instance's Strings are checked for UTF-8 now (an invalid one
        // and `tlv_reader` reads the payload again, to give the error and its offset).
        if (c.p == c.e)
            return (c.text_bits & encoding::detail::non_ascii_bits) == 0 || bulk_strings_are_utf8(first, c.o);
        if (!bulk_general_entry(c)) return false;
    }
}

/** What `bulk_read` returns when it does not decide (the caller reads with `read_records_pulled`). */
inline constexpr std::size_t bulk_undecided = static_cast<std::size_t>(-1);

/**
 * `bulk_read` at base /O: Object Instance TLVs (ascending ids), an empty one a `none` record at
 * /O/I, each one's content read by `bulk_instance`. Out of line: the /O/I path stays short.
 */
[[nodiscard]] LWM2M_NOINLINE inline std::size_t bulk_read_instances(bytes_view payload, const path& base,
                                                                    const object_view* object,
                                                                    std::span<record> out) noexcept {
    const std::byte* p = payload.data();
    const std::byte* const e = p + payload.size();
    record* o = out.data();
    record* const o_end = o + out.size();
    unsigned next_id = 0;
    while (p != e) {
        if ((static_cast<unsigned>(p[0]) >> 6) != 0) return bulk_undecided;  // only Object Instances at /O
        const auto h = decode_header(bytes_view{p, static_cast<std::size_t>(e - p)});
        if (!h || h->id == path::no_id || h->id < next_id) return bulk_undecided;
        next_id = h->id + 1u;
        const std::uint64_t lanes = bulk_lane(0, base.object_id()) | bulk_lane(1, h->id);
        p += h->size;
        if (h->length == 0) {  // an empty instance: a record of its own
            if (o == o_end) return bulk_undecided;
            o->path = lwm2m::detail::path_access::of_lanes(lanes | bulk_lane(2, path::no_id) | bulk_lane(3, path::no_id),
                                                           path_level::instance);
            o->value = value::of_none();
            std::construct_at(&o->time);
            ++o;
        } else {
            bulk_cursor c{p, p + h->length, o, o_end, lanes, object, 0};
            if (!bulk_instance(c)) return bulk_undecided;
            o = c.o;
        }
        p += h->length;
    }
    return static_cast<std::size_t>(o - out.data());
}

/**
 * The records of a payload at base /O/I (Resource TLVs, or the one Object Instance TLV with
 * the id of base wrapping them) or /O (`bulk_read_instances`) into `out`: their number, or
 * `bulk_undecided` (other bases, and whatever `bulk_instance` does not decide).
 */
[[nodiscard]] inline std::size_t bulk_read(bytes_view payload, const path& base, const schema_registry* schemas,
                                           std::span<record> out) noexcept {
    const path_level level = base.level();
    if (level != path_level::instance && level != path_level::object) return bulk_undecided;
    const object_view* object = schemas != nullptr ? schemas->find(base.object_id()) : nullptr;
    if (level == path_level::object) return bulk_read_instances(payload, base, object, out);
    const std::byte* p = payload.data();
    if (!payload.empty() && (static_cast<unsigned>(p[0]) >> 6) == 0) {  // one Object Instance TLV around the resources
        const auto h = decode_header(payload);
        if (!h || h->id != base.instance_id() || h->size + h->length != payload.size()) return bulk_undecided;
        p += h->size;
    }
    bulk_cursor c{p, payload.data() + payload.size(), out.data(), out.data() + out.size(),
                  bulk_lane(0, base.object_id()) | bulk_lane(1, base.instance_id()), object, 0};
    if (!bulk_instance(c)) return bulk_undecided;
    return static_cast<std::size_t>(c.o - out.data());
}

#undef LWM2M_TLV_BULK_LAMBDA_INLINE
#endif  // LWM2M_TLV_FAST_PATH

} // namespace detail

/**
 * Reads every record of the TLV `payload` sent to/for `base` into `out` (values typed with
 * `schemas` when given; see `tlv_reader` for what each base accepts) and returns their number.
 * Errors: those of `tlv_reader`, with the same offsets; `capacity_exceeded` (offset = records
 * read so far, all in `out`) when a record beyond `out` is read without an error before it.
 *
 * With `LWM2M_TLV_FAST_PATH` (off at -Os), payloads at bases /O/I and /O are read in one loop
 * straight into `out` (`detail::bulk_read`: no record is wrapped in a result or an optional);
 * anything it does not take (an error, out-of-order ids, too small an `out`, other bases) is
 * read again from the start by `tlv_reader`, which so gives every error
 * (tests/format/tlv_bulk_read_test.cpp and fuzz/tlv_read.cpp hold the two equal).
 * Values view `payload`. Allocation: none.
 */
[[nodiscard]] inline result<std::size_t> read_records(bytes_view payload, const path& base,
                                                      const schema_registry* schemas, std::span<record> out) noexcept {
#if LWM2M_TLV_FAST_PATH
    if (const std::size_t n = detail::bulk_read(payload, base, schemas, out); n != detail::bulk_undecided) return n;
#endif
    return detail::read_records_pulled(payload, base, schemas, out);
}

} // namespace lwm2m::format::tlv
