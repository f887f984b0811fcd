#pragma once
/**
 * @file client/record_buffer.hpp
 * `record_store` / `record_buffer<N, A>`: the fixed-capacity list of records that
 * Read-Composite, Observe-Composite and Send collect from the bound objects (their values
 * are sorted by path across the listed paths) before a format writer encodes them; a plain
 * Read or notification needs none (client/streamed_read.hpp). String and opaque bytes are
 * copied into an arena, so an object's `read` hook may hand out views of temporaries.
 * Allocation: none.
 */

#include <array>
#include <cstddef>
#include <span>

#include <lwm2m/bytes.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/model/value_bytes.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::client {

/** Capacity-erased record list over caller storage (see `record_buffer`). */
class record_store {
public:
    constexpr record_store(std::span<format::record> slots, std::span<std::byte> arena) noexcept
        : slots_(slots), arena_(arena) {}
    record_store(const record_store&) = delete;
    record_store& operator=(const record_store&) = delete;

    /**
     * Appends `v` at `p`, copying the (decoded) bytes of string/opaque/corelnk values into the
     * arena. Errors: `capacity_exceeded` (no record slot or arena space left), decoding errors
     * of encoded text.
     */
    result<void> push(const path& p, const value& v) noexcept {
        if (count_ == slots_.size()) return fail(errc::capacity_exceeded);
        value stored = v;
        if (v.is_bytes()) {
            const std::span<std::byte> room = arena_.subspan(used_);
            auto n = copy_value_bytes(v, room);
            if (!n) return fail(n.error().code == errc::buffer_too_small ? errc::capacity_exceeded : n.error().code);
            const bytes_view copied{room.data(), *n};
            switch (v.kind()) {
            case value_kind::string: stored = value::of_string(as_chars(copied)); break;
            case value_kind::corelnk: stored = value::of_corelnk(as_chars(copied)); break;
            case value_kind::opaque: stored = value::of_opaque(copied); break;
            default: stored = value::of_untyped(copied); break;
            }
            used_ += *n;
        }
        slots_[count_++] = format::record{p, stored, std::nullopt};
        return {};
    }

    /** `push(r.path, r.value)`: a store is a `record_sink` callback (`record_sink::of(store)`). */
    result<void> operator()(const format::record& r) noexcept { return push(r.path, r.value); }

    /** Sorts the records by path (stable insertion sort: record lists are short). */
    constexpr void sort() noexcept {
        for (std::size_t i = 1; i < count_; ++i)
            for (std::size_t j = i; j > 0 && slots_[j].path < slots_[j - 1].path; --j) {
                const format::record t = slots_[j];
                slots_[j] = slots_[j - 1];
                slots_[j - 1] = t;
            }
    }
    /** Forgets every record and the arena content. */
    constexpr void clear() noexcept {
        count_ = 0;
        used_ = 0;
    }
    /** Drops the records from `size` on (the arena is kept: it is reclaimed by `clear`). */
    constexpr void truncate(std::size_t size) noexcept {
        if (size < count_) count_ = size;
    }
    [[nodiscard]] constexpr std::span<const format::record> records() const noexcept { return {slots_.data(), count_}; }
    [[nodiscard]] constexpr std::size_t size() const noexcept { return count_; }
    [[nodiscard]] constexpr bool empty() const noexcept { return count_ == 0; }

private:
    std::span<format::record> slots_;
    std::span<std::byte> arena_;
    std::size_t count_ = 0;
    std::size_t used_ = 0;
};

namespace detail {
template <std::size_t MaxRecords, std::size_t ArenaBytes>
struct record_buffer_storage {
    std::array<format::record, MaxRecords> slots{};
    std::array<std::byte, ArenaBytes> arena{};
};
} // namespace detail

/** A `record_store` with room for `MaxRecords` records and `ArenaBytes` bytes of text. */
template <std::size_t MaxRecords, std::size_t ArenaBytes>
class record_buffer : private detail::record_buffer_storage<MaxRecords, ArenaBytes>, public record_store {
    using storage = detail::record_buffer_storage<MaxRecords, ArenaBytes>;

public:
    constexpr record_buffer() noexcept : storage{}, record_store(storage::slots, storage::arena) {}
};

} // namespace lwm2m::client
