#pragma once
/**
 * @file format/tlv/reader.hpp
 * `tlv_reader`: pull cursor over an LwM2M TLV payload (Content-Format 11542; LwM2M 1.0
 * §6.4.3, 1.1 Core §7.4.3) yielding one `format::record` per Resource / Resource Instance
 * value, with absolute paths, straight from the payload bytes (zero-copy).
 * Allocation: none.
 */

#include <cstddef>
#include <cstdint>
#include <optional>

#include <lwm2m/bytes.hpp>
#include <lwm2m/encoding/utf8.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/format/tlv/header.hpp>
#include <lwm2m/format/tlv/value_encoding.hpp>
#include <lwm2m/model/coerce.hpp>
#include <lwm2m/model/object_def.hpp>
#include <lwm2m/model/resource_def.hpp>
#include <lwm2m/model/schema_registry.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::format {

namespace detail {

/**
 * Reads an LwM2M TLV payload (LwM2M 1.0 §6.4.3, 1.1 Core §7.4.3) as records, one per call
 * to `next()`, in payload order.
 *
 * `base` is the request path the payload belongs to; what the payload may hold depends on it:
 * - `/O`: Object Instance TLVs only (the spec requires them whenever the request has no
 *   instance id, e.g. `GET /2`). An Object Instance TLV with no content yields one record at
 *   `/O/I` with a `none` value, so an empty instance (e.g. in a Create) is not lost.
 *   Bare Resource TLVs at `/O` (a Create without instance id) are `invalid_nesting`: a
 *   record path cannot omit the instance; read such a payload with base `/O/<new id>`.
 * - `/O/I`: Resource and Multiple Resource TLVs; or exactly one Object Instance TLV with the
 *   id of `base` wrapping them (Leshan accepts that form). An empty payload is an empty
 *   instance: zero records.
 * - `/O/I/R`: one Resource TLV or one Multiple Resource TLV with the id of `base`; also a
 *   sequence of bare Resource Instance TLVs, as Leshan and Anjay accept. An empty payload
 *   is zero records unless the schema says the resource is single (`truncated_value`).
 * - `/O/I/R/RI`: exactly one Resource Instance TLV with the id of `base`.
 * - `/`: `path_wrong_level` (TLV cannot hold several objects).
 * Nesting is at most Object Instance → (Resource | Multiple Resource → Resource Instance);
 * a Multiple Resource with no instances yields no records (and is valid).
 *
 * All header forms are accepted: 8/16-bit ids, inline and 8/16/24-bit lengths (bits 2-0
 * ignored when a length field is present).
 *
 * With `schemas`, when the object is known, each value is decoded to its resource's data type
 * (`tlv::decode_value`) and range-checked (`check_range`); without schemas, or for an unknown
 * object, values stay `untyped` raw bytes for a later `coerce`.
 *
 * Errors (then every later `next()` returns the same error). Offsets are byte offsets in the
 * payload: the type byte of the offending TLV for structure errors, the value start (plus the
 * position inside it) for value errors, 0 for errors of `base` itself.
 * - `truncated_value`: the payload (or the enclosing TLV) ends inside a header; an empty
 *   payload where a value is required (base `/O/I/R/RI`, or a single resource at `/O/I/R`).
 * - `length_exceeds_payload`: a length longer than the rest of the payload or of the
 *   enclosing Object Instance / Multiple Resource TLV.
 * - `invalid_nesting`: a TLV type not allowed where it is (see above); an id that differs from
 *   the one `base` names (an Object Instance at `/O/I`, the Resource at `/O/I/R`, the Resource
 *   Instance at `/O/I/R/RI`; we report nesting rather than a path error because the payload,
 *   not the path, is at fault); more than one TLV where only one may be; with a schema, a
 *   Multiple Resource TLV (or Resource Instances, or base `/O/I/R/RI`) for a single resource,
 *   or a Resource TLV for a multiple one.
 * - `duplicate_entry`: two entries with the same id inside the same container (Leshan rejects
 *   them too). An id above or below all earlier ids of its container costs nothing to check
 *   (so every ascending or descending payload is fully checked); any other id re-reads the
 *   earlier sibling headers, within a budget of 8 header reads per payload byte (+1024) for
 *   the whole payload, so adversarial payloads stay linear. Past the budget, duplicates of
 *   out-of-order ids go undetected (the records then hold both entries, in payload order).
 * - `path_id_out_of_range`: an id of 65535 (reserved).
 * - `path_wrong_level`: `base` is the root.
 * - `resource_not_in_schema` (schema known, resource not in it).
 * - value errors from the schema type: `invalid_integer_length`, `invalid_float_length`,
 *   `invalid_boolean`, `invalid_objlnk`, `invalid_utf8`, `type_mismatch` (a value for an
 *   executable resource), `number_out_of_range` (`check_range`).
 *
 * The payload, `base` (copied) and the schema registry must outlive the reader; records view
 * the payload. Allocation: none.
 *
 * `FastPath` (`tlv_reader`: `LWM2M_TLV_FAST_PATH`) reads a value TLV of the commonest shape
 * (see `fast_record`) inline in the caller's loop and hands everything else, unchanged, to the
 * general code; both give the same records and errors (tests/format/tlv_test.cpp holds them equal).
 * With it the reader also starts (checks `base`, finds the schema) in the constructor, so the
 * first `next()` goes straight to the fast path; an error of `base` is kept for `next()`.
 */
template <bool FastPath>
class basic_tlv_reader {
public:
    /** A reader over `payload` sent to/for `base`; values typed with `schemas` when given. Allocation: none. */
    basic_tlv_reader(bytes_view payload, const lwm2m::path& base, const schema_registry* schemas = nullptr) noexcept
        : payload_(payload), base_(base), schemas_(schemas), limit_(payload.size()) {
        if constexpr (FastPath) {  // started here, so the first `next()` finds the fast path armed
            output out = opt_record{};
            if (start(out)) arm_fast_path();
            else fail_for_good(out);  // what the general code's start gives, at every `next()`
        }
    }

    /**
     * The next record, or `std::nullopt` at the end of the payload (and on every later call).
     * Errors: see the class comment. Allocation: none.
     */
    [[nodiscard]] LWM2M_HOT_INLINE result<std::optional<record>> next() noexcept {
        // The record is built in place, in the caller's object: a default record whose path and
        // value are set (reset at the end of the payload), not a record built aside and copied.
        result<opt_record> out = opt_record{std::in_place};
        if constexpr (FastPath) {
            for (;;) {
                if (fast_record(out)) break;
                if (fast_container()) continue;
                if (general_step(out)) break;
            }
        } else {  // the general code alone, as before the fast path (size builds)
            while (!step(out)) {}
            if (!out.has_value()) fail_for_good(out);
        }
        return out;
    }

private:
    using opt_record = std::optional<record>;
    using output = result<opt_record>;

    /**
     * A container being read: where its children are, and what ids they used so far. The
     * largest is kept plus one, so that with no child yet (0) it is at or below every id, and
     * the smallest starts at 65535, above every id `add_child` sees (65535 is rejected first):
     * the first id is new by the same test as any other (no separate "first child" branch),
     * one compare in the ascending case.
     */
    struct frame {
        std::size_t begin = 0;
        std::size_t end = 0;
        std::uint16_t id = 0;
        std::uint16_t min_child = path::no_id;  // smallest child id (no_id: none yet)
        std::uint16_t max_child_plus1 = 0;      // largest child id + 1 (0: none yet)
        std::size_t count = 0;
    };

    enum class state : std::uint8_t { start, reading, done, failed };

    /** Stores an error in `out`; returns false (what `step` returns on error). */
    static bool fail_with(output& out, errc code, std::size_t offset) noexcept {
        out = unexpected{code, offset};
        return false;
    }

    /** What an entry turned out to be. */
    enum class entry : std::uint8_t {
        value,    ///< a value: its record is to be made (path and schema set)
        opened,   ///< a container opened: go on
        stored,   ///< a record stored (an empty Object Instance): return it
        invalid,  ///< an error is stored
    };

    /** Where a value goes: its record's path (as `path_access::lanes` and a level) and its resource's schema (if known). */
    struct target {
        std::uint64_t lanes = 0;
        path_level level = path_level::resource;
        const resource_def* def = nullptr;
    };

    /** `id` in lane `k` of a path's lanes (0 = object .. 3 = resource instance). */
    [[nodiscard]] static constexpr std::uint64_t lane(std::size_t k, std::uint16_t id) noexcept {
        return std::uint64_t{id} << (16 * k);
    }
    /** The lanes of `p` with lane `k` and those after it cleared (so an id can be ored in). */
    [[nodiscard]] static constexpr std::uint64_t lanes_before(const path& p, std::size_t k) noexcept {
        return lwm2m::detail::path_access::lanes(p) & ((std::uint64_t{1} << (16 * k)) - 1);
    }

    static entry invalid(output& out, errc code, std::size_t offset) noexcept {
        fail_with(out, code, offset);
        return entry::invalid;
    }

    /** The path of `ids` (none is 65535: `step` checks every id it reads). */
    template <class... Ids>
    [[nodiscard]] static path path_of(Ids... ids) noexcept {
        return lwm2m::detail::path_access::of(static_cast<std::uint16_t>(ids)...);
    }

    [[nodiscard]] bool start(output& out) noexcept {
        if (base_.is_root()) return fail_with(out, errc::path_wrong_level, 0);
        const object_view* object = schemas_ != nullptr ? schemas_->find(base_.object_id()) : nullptr;
        typed_ = object != nullptr;
        if (typed_) object_ = *object;
        if (typed_ && base_.has_resource()) {
            base_def_ = object_.find(base_.resource_id());
            if (base_def_ == nullptr) return fail_with(out, errc::resource_not_in_schema, 0);
            if (base_.has_resource_instance() && !base_def_->is_multiple()) return fail_with(out, errc::invalid_nesting, 0);
        }
        top_.end = payload_.size();
        top_is_instance_ = base_.level() == path_level::instance;
        if (top_is_instance_) resource_lanes_ = lanes_before(base_, 2) | lane(2, 0) | lane(3, path::no_id);
        scan_budget_ = scan_budget_per_byte * payload_.size() + 1024;
        state_ = state::reading;
        return true;
    }

    /**
     * Counts a child of `f`; `duplicate_entry` if an earlier sibling has the same id. An id
     * above or below every earlier sibling's is new; otherwise the earlier siblings are read
     * again, within the reader's scan budget.
     */
    [[nodiscard]] bool add_child(frame& f, std::uint16_t id, std::size_t at, output& out) noexcept {
        LWM2M_ASSERT(id != path::no_id);
        if (id >= f.max_child_plus1) {  // above every earlier sibling
            f.max_child_plus1 = static_cast<std::uint16_t>(id + 1);
            if (id < f.min_child) f.min_child = id;  // only for the first child: else min < max + 1 <= id
        } else if (id < f.min_child) {
            f.min_child = id;
        } else if (earlier_sibling_has(f, id, at)) {
            return fail_with(out, errc::duplicate_entry, at);
        }
        ++f.count;
        return true;
    }

    /** True if an entry in [f.begin, at) (complete sibling entries) has `id`; within the scan budget. */
    LWM2M_NOINLINE bool earlier_sibling_has(const frame& f, std::uint16_t id, std::size_t at) noexcept {
        for (std::size_t p = f.begin; p < at && scan_budget_ > 0; --scan_budget_) {
            const auto h = tlv::decode_header(payload_.subspan(p, at - p));
            LWM2M_ASSERT(h.has_value());
            if (h->id == id) return true;
            p += h->size + h->length;
        }
        return false;
    }

    /**
     * Makes `out` (which holds a default record, see `next`) hold the record of `p` and `v`,
     * field by field: the record is not built aside and copied.
     */
    [[gnu::always_inline]] static void store(output& out, const path& p, const value& v) noexcept {
        record& r = **out;
        r.path = p;
        r.value = v;
    }

    /** Stores the record of the value at `value_at` for `to` (typed by `to.def` when known) in `out`. */
    [[nodiscard]] [[gnu::always_inline]] bool put_record(output& out, const target& to, std::size_t value_at,
                                                         std::size_t length) const noexcept {
        const bytes_view b{payload_.data() + value_at, length};
        // The path first: an error replaces the whole record, and its lanes need not be kept
        // (in registers or on the stack) while the value is decoded.
        record& r = **out;
        r.path = lwm2m::detail::path_access::of_lanes(to.lanes, to.level);
        if (to.def == nullptr) {
            r.value = value::of_untyped(b);
            return true;
        }
        const resource_def& def = *to.def;
        // Integers (and Time) and strings, most resources, without a result<value> in between:
        // the same checks, errors and offsets as `tlv::decode_value` and `check_range`. With the
        // fast path only: the general code alone (size builds) has one copy of the rules, and
        // the differential tests hold the two readers equal.
        if constexpr (FastPath) {
            if (def.type == data_type::integer || def.type == data_type::time) {
                if (!lwm2m::detail::is_binary_integer_length(length))
                    return fail_with(out, errc::invalid_integer_length, value_at);
                const std::int64_t i = lwm2m::detail::load_be_signed_1248(b);
                if (def.range.present && !def.range.contains(static_cast<double>(i)))
                    return fail_with(out, errc::number_out_of_range, value_at);
                r.value = def.type == data_type::time ? value::of_time(i) : value::of_integer(i);
                return true;
            }
            if (def.type == data_type::string) {
                if (!encoding::detail::is_ascii(b)) {  // else surely valid UTF-8 (most text)
                    if (auto ok = encoding::validate_utf8(b); !ok)
                        return fail_with(out, ok.error().code, value_at + ok.error().offset);
                }
                if (def.range.present && !def.range.contains(static_cast<double>(length)))
                    return fail_with(out, errc::number_out_of_range, value_at);
                r.value = value::of_string(as_chars(b));
                return true;
            }
        }
        const auto v = tlv::decode_value(b, def.type);
        if (!v) return fail_with(out, v.error().code, value_at + v.error().offset);
        if (auto in_range = check_range(*v, *to.def); !in_range) return fail_with(out, in_range.error().code, value_at);
        r.value = *v;
        return true;
    }

    /** Opens a container TLV whose value starts at `value_at`: reading goes on inside it. */
    void open(frame& f, std::uint16_t id, std::size_t value_at, std::size_t length) noexcept {
        f = frame{value_at, value_at + length, id, path::no_id, 0, 0};
        pos_ = value_at;
        limit_ = f.end;
    }
    void open_instance(std::uint16_t id, std::size_t value_at, std::size_t length) noexcept {
        open(instance_, id, value_at, length);
        resource_lanes_ = lanes_before(base_, 1) | lane(1, id) | lane(3, path::no_id);
        in_instance_ = true;
    }
    /** Opens a Multiple Resource TLV; `resource_lanes` are the lanes of its /O/I/R path with lane 3 clear. */
    void open_multiple(std::uint64_t resource_lanes, std::uint16_t resource, const resource_def* def,
                       std::size_t value_at, std::size_t length) noexcept {
        open(multi_, resource, value_at, length);
        multi_lanes_ = resource_lanes;
        multi_def_ = def;
        in_multi_ = true;
    }
    /** Leaves the innermost open container (its end is reached); false at the top level. */
    bool close() noexcept {
        if (in_multi_) {
            in_multi_ = false;
            limit_ = in_instance_ ? instance_.end : payload_.size();
            return true;
        }
        if (in_instance_) {
            in_instance_ = false;
            limit_ = payload_.size();
            return true;
        }
        return false;
    }

    /**
     * A Resource or Multiple Resource TLV inside an instance (`parent` is its frame): a value
     * for `to`, or a Multiple Resource opened.
     */
    [[nodiscard]] entry resource_entry(const tlv::header& h, std::size_t at, std::size_t value_at, frame& parent,
                                       target& to, output& out) noexcept {
        if (h.type != tlv::entry_type::resource && h.type != tlv::entry_type::multiple_resource)
            return invalid(out, errc::invalid_nesting, at);
        if (!add_child(parent, h.id, at, out)) return entry::invalid;
        to.def = nullptr;
        if (typed_) {
            to.def = object_.find(h.id);
            if (to.def == nullptr) return invalid(out, errc::resource_not_in_schema, at);
            if (to.def->is_multiple() != (h.type == tlv::entry_type::multiple_resource))
                return invalid(out, errc::invalid_nesting, at);
        }
        if (h.type == tlv::entry_type::resource) {
            to.lanes = resource_lanes_ | lane(2, h.id);
            to.level = path_level::resource;
            return entry::value;
        }
        open_multiple((resource_lanes_ & ~lane(3, path::no_id)) | lane(2, h.id), h.id, to.def, value_at, h.length);
        return entry::opened;
    }

    /**
     * An entry at the top level of the payload (other than the resources at base /O/I); a
     * value's target goes to `top_target_` (not through a reference, which would keep the
     * caller's target out of registers). Out of line: once per payload at most bases.
     */
    [[nodiscard]] LWM2M_NOINLINE entry top_entry(const tlv::header h, std::size_t at, std::size_t value_at,
                                                 output& out) noexcept {
        target& to = top_target_;
        const std::size_t entry_end = value_at + h.length;
        switch (base_.level()) {
        case path_level::object: {
            if (h.type != tlv::entry_type::object_instance) return invalid(out, errc::invalid_nesting, at);
            if (!add_child(top_, h.id, at, out)) return entry::invalid;
            if (h.length == 0) {
                store(out, path_of(base_.object_id(), h.id), value::of_none());
                return entry::stored;
            }
            open_instance(h.id, value_at, h.length);
            return entry::opened;
        }
        case path_level::instance:
            // One wrapping Object Instance TLV, alone in the payload, with the id of base.
            if (top_.count != 0 || entry_end != payload_.size() || h.id != base_.instance_id())
                return invalid(out, errc::invalid_nesting, at);
            ++top_.count;
            open_instance(h.id, value_at, h.length);
            return entry::opened;
        case path_level::resource: {
            if (h.type == tlv::entry_type::resource_instance) {
                // Bare Resource Instance TLVs (no Multiple Resource around them).
                if ((top_.count != 0 && !bare_instances_) || (base_def_ != nullptr && !base_def_->is_multiple()))
                    return invalid(out, errc::invalid_nesting, at);
                bare_instances_ = true;
                if (!add_child(top_, h.id, at, out)) return entry::invalid;
                to = {lanes_before(base_, 3) | lane(3, h.id), path_level::resource_instance, base_def_};
                return entry::value;
            }
            if (top_.count != 0 || h.type == tlv::entry_type::object_instance || h.id != base_.resource_id())
                return invalid(out, errc::invalid_nesting, at);
            ++top_.count;
            const bool multiple = h.type == tlv::entry_type::multiple_resource;
            if (base_def_ != nullptr && base_def_->is_multiple() != multiple)
                return invalid(out, errc::invalid_nesting, at);
            to = {lwm2m::detail::path_access::lanes(base_), base_.level(), base_def_};
            if (!multiple) return entry::value;
            open_multiple(lanes_before(base_, 3), base_.resource_id(), base_def_, value_at, h.length);
            return entry::opened;
        }
        case path_level::resource_instance:
            if (top_.count != 0 || h.type != tlv::entry_type::resource_instance || h.id != base_.resource_instance_id())
                return invalid(out, errc::invalid_nesting, at);
            ++top_.count;
            to = {lwm2m::detail::path_access::lanes(base_), base_.level(), base_def_};
            return entry::value;
        case path_level::root: break;
        }
        return invalid(out, errc::path_wrong_level, 0);
    }

    [[nodiscard]] bool finish(output& out) noexcept {
        state_ = state::done;
        out->reset();  // no record
        if (top_.count == 0) {
            if (base_.level() == path_level::resource_instance) return fail_with(out, errc::truncated_value, 0);
            if (base_.level() == path_level::resource && base_def_ != nullptr && !base_def_->is_multiple())
                return fail_with(out, errc::truncated_value, 0);
        }
        return true;
    }

    /**
     * One step of the general code: true when `out` holds what `next` returns (a record, the
     * end, an error), false when it only started, or opened or closed a container (the caller
     * goes on). Then re-arms the fast path for where reading now is. Out of line: the caller's
     * loop keeps only the fast path.
     */
    LWM2M_NOINLINE bool general_step(output& out) noexcept {
        const bool done = step(out);
        if (!out.has_value()) fail_for_good(out);
        arm_fast_path();
        return done;
    }

    /** After an error: every later `next()` returns it. */
    void fail_for_good(const output& out) noexcept {
        state_ = state::failed;
        error_ = out.error();
    }

    /** Reads one entry (or starts, or closes a container) as `general_step` says. */
    [[nodiscard]] [[gnu::always_inline]] bool step(output& out) noexcept {
        if (state_ != state::reading) {
            if (state_ == state::done) {
                out->reset();
                return true;
            }
            if (state_ == state::failed) return !fail_with(out, error_.code, error_.offset);
            return !start(out);
        }
        if (pos_ == limit_) {
            if (close()) return false;
            (void)finish(out);
            return true;
        }
        const std::size_t at = pos_;
        const auto decoded = tlv::decode_header(bytes_view{payload_.data() + at, limit_ - at});
        if (!decoded) return !fail_with(out, decoded.error().code, at);
        // The header taken out of the result once, not a checked access at each use.
        const tlv::header h = *decoded;
        if (h.id == path::no_id) return !fail_with(out, errc::path_id_out_of_range, at);
        const std::size_t value_at = at + h.size;
        // Values are skipped whole; a container that opens moves pos_ back to its content.
        pos_ = value_at + h.length;

        target to{0, path_level::resource, nullptr};
        entry e = entry::value;
        if (in_multi_) {
            if (h.type != tlv::entry_type::resource_instance) return !fail_with(out, errc::invalid_nesting, at);
            if (!add_child(multi_, h.id, at, out)) return true;
            to = {multi_lanes_ | lane(3, h.id), path_level::resource_instance, multi_def_};
        } else if (in_instance_ || (top_is_instance_ && h.type != tlv::entry_type::object_instance)) {
            e = resource_entry(h, at, value_at, in_instance_ ? instance_ : top_, to, out);
        } else {
            e = top_entry(h, at, value_at, out);
            to = top_target_;
        }
        if (e == entry::value) (void)put_record(out, to, value_at, h.length);
        return e != entry::opened;
    }

    /** Where the fast path reads: the type byte's top four bits it takes (see `fast_record`), and the container. */
    void arm_fast_path() noexcept {
        if constexpr (FastPath) {
            fast_type_ = fast_off;
            if (state_ != state::reading) return;
            if (in_multi_) {
                fast_type_ = fast_resource_instance;
                fast_frame_ = &basic_tlv_reader::multi_;
            } else if (in_instance_ || top_is_instance_) {
                fast_type_ = fast_resource;
                fast_frame_ = in_instance_ ? &basic_tlv_reader::instance_ : &basic_tlv_reader::top_;
            }
        }
    }

    /** `fast_type_` values: bits 7-4 of the type byte of a TLV the fast path takes (8-bit id, inline or 8-bit length). */
    static constexpr unsigned fast_resource = 0xC0;           // 11 0 0x: Resource
    static constexpr unsigned fast_resource_instance = 0x40;  // 01 0 0x: Resource Instance
    static constexpr unsigned fast_multiple_resource = 0x80;  // 10 0 0x: Multiple Resource (fast_container)
    static constexpr unsigned fast_off = 0x100;               // no type byte: the general code reads

    /**
     * The fast path's containers: closes the open Multiple Resource at its end, or opens one of
     * the fast path's shape (a Multiple Resource TLV inside an instance with an 8-bit id above
     * its earlier siblings', an inline or 8-bit length inside the container, untyped or a
     * multiple resource of the schema found by its dense id). Else returns false having changed
     * nothing, as `fast_record`. Out of line: a few times per payload, and inline it would
     * crowd the registers of the loop around `fast_record`.
     */
    [[nodiscard]] LWM2M_NOINLINE bool fast_container() noexcept {
        const std::size_t at = pos_;
        if (fast_type_ == fast_resource_instance) {
            if (at != limit_) return false;
            // close() and arm_fast_path() for a Multiple Resource's end (state reading, in_multi_).
            in_multi_ = false;
            if (in_instance_) {
                limit_ = instance_.end;
                fast_frame_ = &basic_tlv_reader::instance_;
            } else {
                limit_ = payload_.size();
                fast_frame_ = &basic_tlv_reader::top_;
                if (!top_is_instance_) {
                    fast_type_ = fast_off;
                    return true;
                }
            }
            fast_type_ = fast_resource;
            return true;
        }
        if (fast_type_ != fast_resource || limit_ - at < 3) return false;
        const std::byte* p = payload_.data() + at;
        const auto u8 = [](std::byte b) { return static_cast<unsigned>(b); };
        const unsigned t = u8(p[0]);
        if ((t & 0xF0u) != fast_multiple_resource) return false;
        const unsigned id = u8(p[1]);
        frame& f = this->*fast_frame_;
        if (id < f.max_child_plus1) return false;
        const std::size_t length_field = (t >> 3) & 1u;
        const std::size_t length = length_field != 0 ? u8(p[2]) : t & 0x07u;
        const std::size_t value_at = at + 2 + length_field;
        if (length > limit_ - value_at) return false;
        const resource_def* def = nullptr;
        if (typed_) {
            const auto resources = object_.resources();
            if (id >= resources.size() || resources[id].id != id || !resources[id].is_multiple()) return false;
            def = &resources[id];
        }
        f.max_child_plus1 = static_cast<std::uint16_t>(id + 1);
        if (id < f.min_child) f.min_child = static_cast<std::uint16_t>(id);
        ++f.count;
        const auto resource = static_cast<std::uint16_t>(id);
        open_multiple((resource_lanes_ & ~lane(3, path::no_id)) | lane(2, resource), resource, def, value_at, length);
        fast_type_ = fast_resource_instance;
        fast_frame_ = &basic_tlv_reader::multi_;
        return true;
    }

    /**
     * The fast path: reads the TLV at `pos_` into `out` when it is of the commonest shape, a
     * Resource (inside an instance) or a Resource Instance (inside a Multiple Resource) with
     * an 8-bit id above its earlier siblings', an inline or 8-bit length inside the container,
     * untyped or of a single (resp. the open multiple) resource of the schema found by its
     * dense id, typed Integer, Time, String (ASCII) or Boolean, valid and in range. Anything
     * else returns false having changed nothing: the general code reads the same TLV from the
     * same position, so records, errors and offsets come from it alone.
     */
    [[nodiscard]] LWM2M_HOT_INLINE bool fast_record(output& out) noexcept {
        const std::size_t at = pos_;
        // Three bytes at least (type, id, length or value), so the length byte is readable;
        // a two-byte TLV (an empty value) at the end of its container goes the general way.
        if (limit_ - at < 3) return false;
        const std::byte* p = payload_.data() + at;
        const auto t = static_cast<unsigned>(p[0]);
        if ((t & 0xF0u) != fast_type_) return false;
        const auto id = static_cast<std::uint16_t>(p[1]);
        frame& f = this->*fast_frame_;
        if (id < f.max_child_plus1) return false;  // not above every earlier sibling: add_child's other cases
        const std::size_t length_field = (t >> 3) & 1u;
        const std::size_t length = length_field != 0 ? static_cast<std::size_t>(p[2]) : t & 0x07u;
        const std::byte* v = p + 2 + length_field;
        if (length > limit_ - (at + 2 + length_field)) return false;

        std::uint64_t lanes = multi_lanes_ | lane(3, id);
        path_level level = path_level::resource_instance;
        const resource_def* def = multi_def_;
        if ((t & 0x80u) != 0) {  // a Resource: a single resource of the schema, by its dense id
            def = nullptr;
            if (typed_) {
                const auto resources = object_.resources();
                if (id >= resources.size() || resources[id].id != id || resources[id].is_multiple()) return false;
                def = &resources[id];
            }
            lanes = resource_lanes_ | lane(2, id);
            level = path_level::resource;
        }
        // The checks of `put_record`; on any failure it reads the TLV. Once they pass, the
        // entry is taken (add_child's ascending case) and the record stored field by field.
        const auto take = [&](const value& x) {
            pos_ = static_cast<std::size_t>(v - payload_.data()) + length;
            f.max_child_plus1 = static_cast<std::uint16_t>(id + 1);
            if (id < f.min_child) f.min_child = id;
            ++f.count;
            record& r = **out;
            r.path = lwm2m::detail::path_access::of_lanes(lanes, level);
            r.value = x;
        };
        const bytes_view b{v, length};
        if (def == nullptr) {
            take(value::of_untyped(b));
            return true;
        }
        const data_type type = def->type;
        if (type == data_type::integer || type == data_type::time) {
            if (!lwm2m::detail::is_binary_integer_length(length)) return false;
            const std::int64_t i = lwm2m::detail::load_be_signed_1248(b);
            if (!def->range.contains(static_cast<double>(i))) return false;
            take(type == data_type::time ? value::of_time(i) : value::of_integer(i));
            return true;
        }
        if (type == data_type::string) {
            if (!encoding::detail::is_ascii(b) || !def->range.contains(static_cast<double>(length))) return false;
            take(value::of_string(as_chars(b)));
            return true;
        }
        if (type == data_type::boolean) {
            if (length != 1 || static_cast<unsigned>(v[0]) > 1) return false;
            take(value::of_boolean(static_cast<unsigned>(v[0]) == 1));
            return true;
        }
        return false;
    }

    /** Header reads allowed per payload byte for the duplicate check of out-of-order ids. */
    static constexpr std::size_t scan_budget_per_byte = 8;

    bytes_view payload_;
    path base_;
    const schema_registry* schemas_ = nullptr;
    std::size_t scan_budget_ = 0;
    object_view object_{};                    // schema of base's object, if `typed_`
    const resource_def* base_def_ = nullptr;  // schema of base's resource, if known
    std::size_t pos_ = 0;
    std::size_t limit_ = 0;                   // end of the innermost open container (or of the payload)
    frame top_{};
    frame instance_{};
    frame multi_{};
    std::uint64_t resource_lanes_ = 0;        // path lanes of the resources being read, resource id 0
    std::uint64_t multi_lanes_ = 0;           // path lanes of the open Multiple Resource, lane 3 clear
    const resource_def* multi_def_ = nullptr;
    target top_target_{};                     // where top_entry puts a value's target
    bool typed_ = false;                      // base's object has a schema
    bool top_is_instance_ = false;            // base /O/I: resources at the top level
    bool in_instance_ = false;
    bool in_multi_ = false;
    bool bare_instances_ = false;
    state state_ = state::start;
    error error_{};
    unsigned fast_type_ = fast_off;                          // see arm_fast_path
    frame basic_tlv_reader::*fast_frame_ = &basic_tlv_reader::top_;  // the fast path's container (an offset: copies stay right)
};

} // namespace detail

/** The TLV reader (see `detail::basic_tlv_reader`), with the fast path unless compiled out (`LWM2M_TLV_FAST_PATH`). */
using tlv_reader = detail::basic_tlv_reader<LWM2M_TLV_FAST_PATH != 0>;

} // namespace lwm2m::format
