#pragma once
/**
 * @file path/path.hpp
 * LwM2M addressing: `lwm2m::path` names the root, an Object, an Object Instance, a Resource
 * or a Resource Instance (`/`, `/O`, `/O/I`, `/O/I/R`, `/O/I/R/RI`; LwM2M 1.1 Core §6,
 * LwM2M 1.0 §5). Each id is 0..65534; 65535 (MAX_ID) is reserved and never a valid id.
 *
 * Text form: `parse_path` / `path::format_to` / `path::text`. CoAP form (one Uri-Path option per
 * segment, RFC 7252 §5.10.1, §6.4): `parse_path_segments` / `path::segments`.
 * Compile-time literals (`"/3/0/1"_path`, `path_literal<"/3/0">`) live in path/literal.hpp.
 *
 * Everything here is constexpr. Allocation: none.
 */

#include <array>
#include <bit>
#include <compare>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <ranges>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

#include <lwm2m/config.hpp>
#include <lwm2m/errc.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m {

/**
 * How deep a `path` goes (LwM2M 1.1 Core §6 / 1.0 §5). The numeric value is the number of ids.
 * Allocation: none.
 */
enum class path_level : std::uint8_t {
    root = 0,              ///< `/`
    object = 1,            ///< `/O`
    instance = 2,          ///< `/O/I`
    resource = 3,          ///< `/O/I/R`
    resource_instance = 4, ///< `/O/I/R/RI`
};

/**
 * Strong Object id (LwM2M 1.1 Core §6): documents intent in `path::make` and turns swapped
 * arguments into compile errors. `object_id{3}`; unwrap with `static_cast<std::uint16_t>`.
 * The value 65535 is reserved; `path::make` rejects it. Allocation: none.
 */
enum class object_id : std::uint16_t {};
/** Strong Object Instance id; see `object_id`. Allocation: none. */
enum class instance_id : std::uint16_t {};
/** Strong Resource id; see `object_id`. Allocation: none. */
enum class resource_id : std::uint16_t {};
/** Strong Resource Instance id; see `object_id`. Allocation: none. */
enum class resource_instance_id : std::uint16_t {};

class path;

namespace detail {

/** Integer types accepted as raw ids: any integral type except bool and the character types. */
template <class T>
concept path_integer = std::integral<T> && !std::same_as<std::remove_cv_t<T>, bool> &&
                       !std::same_as<std::remove_cv_t<T>, char> && !std::same_as<std::remove_cv_t<T>, wchar_t> &&
                       !std::same_as<std::remove_cv_t<T>, char8_t> && !std::same_as<std::remove_cv_t<T>, char16_t> &&
                       !std::same_as<std::remove_cv_t<T>, char32_t>;

/** True when `v` is a valid LwM2M id (0..65534). */
template <path_integer T>
[[nodiscard]] constexpr bool path_id_in_range(T v) noexcept {
    return std::cmp_greater_equal(v, 0) && std::cmp_less_equal(v, 65534);
}

/** Number of decimal digits of `v` (1..5). */
[[nodiscard]] constexpr std::size_t path_decimal_length(std::uint16_t v) noexcept {
    std::size_t n = 1;
    while (v >= 10) {
        v = static_cast<std::uint16_t>(v / 10);
        ++n;
    }
    return n;
}

/** Writes `v` in decimal at `out` (room for `path_decimal_length(v)` chars); returns the length. */
constexpr std::size_t path_write_decimal(std::uint16_t v, char* out) noexcept {
    const std::size_t n = path_decimal_length(v);
    for (std::size_t i = n; i-- > 0;) {
        out[i] = static_cast<char>('0' + v % 10);
        v = static_cast<std::uint16_t>(v / 10);
    }
    return n;
}

/**
 * Parses one non-empty path segment as a canonical decimal id.
 * Errors carry `offset` (where the segment starts): `path_invalid_number` (a non-digit, or a
 * leading zero), `path_id_out_of_range` (> 65534).
 */
[[nodiscard]] constexpr result<std::uint16_t> path_parse_id(std::string_view seg, std::size_t offset) noexcept {
    std::uint32_t v = 0;
    bool too_big = false;
    for (const char c : seg) {
        if (c < '0' || c > '9') return fail(errc::path_invalid_number, offset);
        if (!too_big) {
            v = v * 10 + static_cast<std::uint32_t>(c - '0');
            too_big = v > 65534;
        }
    }
    if (seg.size() > 1 && seg[0] == '0') return fail(errc::path_invalid_number, offset);
    if (too_big) return fail(errc::path_id_out_of_range, offset);
    return static_cast<std::uint16_t>(v);
}

// Note: the parsers slice with std::string_view{data + pos, n}, not substr(), whose
// std::out_of_range path drags abort()/signal()/malloc() into -fno-exceptions embedded images.

/**
 * Grants parsers that have already checked their ids (this header's, the TLV reader's)
 * unchecked construction of a `path`.
 */
struct path_access;

} // namespace detail

/**
 * Decimal text of one path id, as one CoAP Uri-Path option value (e.g. "65534").
 * Holds at most 5 chars, no terminator. Allocation: none.
 */
struct path_segment_text {
    std::array<char, 5> chars{}; ///< the digits; only the first `length` are meaningful
    std::uint8_t length = 0;     ///< number of digits, 1..5

    /** The digits as a view into this object (do not let it outlive the object). */
    [[nodiscard]] constexpr std::string_view view() const noexcept { return {chars.data(), length}; }
    /** Number of chars. */
    [[nodiscard]] constexpr std::size_t size() const noexcept { return length; }
    /** Pointer to the first char (not NUL-terminated). */
    [[nodiscard]] constexpr const char* data() const noexcept { return chars.data(); }
};

/**
 * Text of a path in a small fixed buffer (like `std::to_chars` output), returned by
 * `path::text()`. Holds at most 24 chars ("/65534/65534/65534/65534"), no terminator.
 * Note `p.text().view()` is only valid until the end of the full expression. Allocation: none.
 */
struct path_text {
    std::array<char, 24> chars{}; ///< the text; only the first `length` are meaningful
    std::uint8_t length = 0;      ///< number of chars, 1..24

    /** The text as a view into this object (do not let it outlive the object). */
    [[nodiscard]] constexpr std::string_view view() const noexcept { return {chars.data(), length}; }
    /** Number of chars. */
    [[nodiscard]] constexpr std::size_t size() const noexcept { return length; }
    /** Pointer to the first char (not NUL-terminated). */
    [[nodiscard]] constexpr const char* data() const noexcept { return chars.data(); }
};

class path_segments;

/**
 * An LwM2M path: root `/`, `/O`, `/O/I`, `/O/I/R` or `/O/I/R/RI` (LwM2M 1.1 Core §6, 1.0 §5),
 * each id 0..65534. A small regular value type (sizeof 10) ordered lexicographically by ids
 * with a path before its descendants: `/` < `/0` < `/0/0` < `/0/0/0` < `/0/1` < `/1`.
 *
 * Build one with `path::make` (checked, from integers or strong ids), `parse_path` (text),
 * `parse_path_segments` (CoAP Uri-Path options), `child`, or at compile time with `_path`.
 * The default-constructed path is the root. Allocation: none.
 */
class path {
public:
    /** Largest valid id. */
    static constexpr std::uint16_t max_id = 65534;
    /** The reserved id 65535 (MAX_ID, "no id"); never part of a valid path. */
    static constexpr std::uint16_t no_id = 65535;
    /** Largest number of ids (resource-instance level). */
    static constexpr std::size_t max_depth = 4;
    /** Longest text form: "/65534/65534/65534/65534". */
    static constexpr std::size_t max_text_length = 24;

    /** The root path `/`. Allocation: none. */
    constexpr path() noexcept = default;

    /** The root path `/` (same as `path{}`). Allocation: none. */
    [[nodiscard]] static constexpr path root() noexcept { return path{}; }

    /**
     * Path from 0..4 integer ids in order object, instance, resource, resource instance
     * (no argument gives the root): `path::make(3, 0, 1)` is `/3/0/1`.
     * Any integral type except bool and characters is accepted and range-checked exactly.
     * Errors: `path_id_out_of_range` if an id is negative or > 65534; offset = its argument
     * index (0..3). Allocation: none.
     */
    template <class... Ids>
        requires(sizeof...(Ids) <= max_depth && (detail::path_integer<Ids> && ...))
    [[nodiscard]] static constexpr result<path> make(Ids... ids) noexcept {
        path p;
        std::size_t index = 0;
        bool ok = true;
        (
            [&](auto id) {
                if (!ok) return;
                if (!detail::path_id_in_range(id)) {
                    ok = false;
                    return;
                }
                p.push_(static_cast<std::uint16_t>(id));
                ++index;
            }(ids),
            ...);
        if (!ok) return fail(errc::path_id_out_of_range, index);
        return p;
    }

    /**
     * Object path `/O` from a strong id. Errors: `path_id_out_of_range` (65535; offset 0).
     * Allocation: none.
     */
    [[nodiscard]] static constexpr result<path> make(lwm2m::object_id o) noexcept {
        return make(static_cast<std::uint16_t>(o));
    }
    /**
     * Object Instance path `/O/I` from strong ids. Errors: `path_id_out_of_range` (an id is
     * 65535; offset = its index). Allocation: none.
     */
    [[nodiscard]] static constexpr result<path> make(lwm2m::object_id o, lwm2m::instance_id i) noexcept {
        return make(static_cast<std::uint16_t>(o), static_cast<std::uint16_t>(i));
    }
    /**
     * Resource path `/O/I/R` from strong ids. Errors: `path_id_out_of_range` (an id is 65535;
     * offset = its index). Allocation: none.
     */
    [[nodiscard]] static constexpr result<path> make(lwm2m::object_id o, lwm2m::instance_id i,
                                                     lwm2m::resource_id r) noexcept {
        return make(static_cast<std::uint16_t>(o), static_cast<std::uint16_t>(i), static_cast<std::uint16_t>(r));
    }
    /**
     * Resource Instance path `/O/I/R/RI` from strong ids. Errors: `path_id_out_of_range` (an id
     * is 65535; offset = its index). Allocation: none.
     */
    [[nodiscard]] static constexpr result<path> make(lwm2m::object_id o, lwm2m::instance_id i, lwm2m::resource_id r,
                                                     lwm2m::resource_instance_id ri) noexcept {
        return make(static_cast<std::uint16_t>(o), static_cast<std::uint16_t>(i), static_cast<std::uint16_t>(r),
                    static_cast<std::uint16_t>(ri));
    }

    /** Which level the path addresses. Allocation: none. */
    [[nodiscard]] constexpr path_level level() const noexcept { return level_; }
    /** Number of ids, 0 (root) .. 4 (resource instance). Allocation: none. */
    [[nodiscard]] constexpr std::size_t depth() const noexcept { return static_cast<std::size_t>(level_); }

    /** True for `/`. Allocation: none. */
    [[nodiscard]] constexpr bool is_root() const noexcept { return level_ == path_level::root; }
    /** True if the path has an Object id (level >= object). Allocation: none. */
    [[nodiscard]] constexpr bool has_object() const noexcept { return depth() >= 1; }
    /** True if the path has an Object Instance id (level >= instance). Allocation: none. */
    [[nodiscard]] constexpr bool has_instance() const noexcept { return depth() >= 2; }
    /** True if the path has a Resource id (level >= resource). Allocation: none. */
    [[nodiscard]] constexpr bool has_resource() const noexcept { return depth() >= 3; }
    /** True if the path has a Resource Instance id (level == resource_instance). Allocation: none. */
    [[nodiscard]] constexpr bool has_resource_instance() const noexcept { return depth() >= 4; }

    /** The id at `index` (0 = object .. 3 = resource instance). Precondition: `index < depth()`. Allocation: none. */
    LWM2M_ALWAYS_INLINE [[nodiscard]] constexpr std::uint16_t id(std::size_t index) const noexcept {
        LWM2M_ASSERT(index < depth());
        return ids_[index];
    }
    /** Object id. Precondition: `has_object()`. Allocation: none. */
    LWM2M_ALWAYS_INLINE [[nodiscard]] constexpr std::uint16_t object_id() const noexcept { return id(0); }
    /** Object Instance id. Precondition: `has_instance()`. Allocation: none. */
    LWM2M_ALWAYS_INLINE [[nodiscard]] constexpr std::uint16_t instance_id() const noexcept { return id(1); }
    /** Resource id. Precondition: `has_resource()`. Allocation: none. */
    LWM2M_ALWAYS_INLINE [[nodiscard]] constexpr std::uint16_t resource_id() const noexcept { return id(2); }
    /** Resource Instance id. Precondition: `has_resource_instance()`. Allocation: none. */
    LWM2M_ALWAYS_INLINE [[nodiscard]] constexpr std::uint16_t resource_instance_id() const noexcept { return id(3); }

    /** The path one level up (`/3/0/1` -> `/3/0`). Precondition: `!is_root()`. Allocation: none. */
    [[nodiscard]] constexpr path parent() const noexcept {
        LWM2M_ASSERT(!is_root());
        return prefix(static_cast<path_level>(depth() - 1));
    }

    /**
     * The ancestor-or-self at `level` (`/3/0/1`.prefix(instance) is `/3/0`).
     * Precondition: `level <= this->level()`. Allocation: none.
     */
    [[nodiscard]] constexpr path prefix(path_level level) const noexcept {
        LWM2M_ASSERT(level <= level_);
        path p;
        for (std::size_t i = 0; i < static_cast<std::size_t>(level); ++i) p.push_(ids_[i]);
        return p;
    }

    /**
     * The path one level down, with `id` appended (`/3/0`.child(1) is `/3/0/1`).
     * Errors (offset = `depth()`, the index the id would take): `path_too_deep` (already at the
     * resource-instance level), `path_id_out_of_range` (id negative or > 65534).
     * Allocation: none.
     */
    template <detail::path_integer I>
    [[nodiscard]] constexpr result<path> child(I id) const noexcept {
        if (depth() == max_depth) return fail(errc::path_too_deep, depth());
        if (!detail::path_id_in_range(id)) return fail(errc::path_id_out_of_range, depth());
        path p = *this;
        p.push_(static_cast<std::uint16_t>(id));
        return p;
    }

    /**
     * True if `other` is this path or one of its descendants (all ids of this path start
     * `other`). The root is a prefix of every path; every path is a prefix of itself.
     * Allocation: none.
     */
    [[nodiscard]] constexpr bool is_prefix_of(const path& other) const noexcept {
        // The first depth() ids must match; a shorter `other` fails there too, since its no_id
        // padding never equals an id of this path.
        const std::uint64_t mask = is_root() ? 0 : ~std::uint64_t{0} >> (64 - 16 * depth());
        return ((lanes_() ^ other.lanes_()) & mask) == 0;
    }

    /**
     * Same level and same ids. Written out member by member: the defaulted one compiles to a
     * call to memcmp (g++ 12), which formats pay per record. Allocation: none.
     */
    friend constexpr bool operator==(const path& a, const path& b) noexcept {
        return a.level_ == b.level_ && a.ids_[0] == b.ids_[0] && a.ids_[1] == b.ids_[1] && a.ids_[2] == b.ids_[2] &&
               a.ids_[3] == b.ids_[3];
    }

    /**
     * Lexicographic order of the id sequences, a path before its descendants:
     * `/` < `/0` < `/0/0` < `/0/0/0` < `/0/1` < `/1`. Allocation: none.
     */
    friend constexpr std::strong_ordering operator<=>(const path& a, const path& b) noexcept {
        const std::uint64_t x = a.lanes_();
        const std::uint64_t y = b.lanes_();
        if (x == y) return std::strong_ordering::equal; // same ids, so the same depth (see ids_)
        // The first id that differs decides. Adding 1 turns a shorter path's no_id padding into
        // 0, below every id + 1: the shorter path sorts first.
        const int shift = std::countr_zero(x ^ y) & ~15;
        return static_cast<std::uint16_t>((x >> shift) + 1) <=> static_cast<std::uint16_t>((y >> shift) + 1);
    }

    /** Exact length of the text form (1..24): "/" for the root, else "/id" per id. Allocation: none. */
    [[nodiscard]] constexpr std::size_t text_length() const noexcept {
        if (is_root()) return 1;
        std::size_t n = 0;
        for (std::size_t i = 0; i < depth(); ++i) n += 1 + detail::path_decimal_length(ids_[i]);
        return n;
    }

    /**
     * Writes the text form (e.g. "/3/0/1", "/" for the root; no terminator) into `out` and
     * returns the number of chars written. `parse_path` of the output gives this path back.
     * Errors: `buffer_too_small` (offset = chars needed, `text_length()`; nothing written).
     * Allocation: none.
     */
    [[nodiscard]] constexpr result<std::size_t> format_to(std::span<char> out) const noexcept {
        const std::size_t n = text_length();
        if (out.size() < n) return fail(errc::buffer_too_small, n);
        if (is_root()) {
            out[0] = '/';
            return n;
        }
        std::size_t pos = 0;
        for (std::size_t i = 0; i < depth(); ++i) {
            out[pos++] = '/';
            pos += detail::path_write_decimal(ids_[i], out.data() + pos);
        }
        return pos;
    }

    /** The text form in a small fixed buffer: `p.text().view() == "/3/0/1"`. Allocation: none. */
    [[nodiscard]] constexpr path_text text() const noexcept;

    /**
     * The ids as decimal text, one element per CoAP Uri-Path option (RFC 7252 §6.4):
     * `for (auto seg : p.segments()) builder.add_uri_path(seg.view());`. The root has none.
     * The range holds a copy of the path, so it does not dangle. Allocation: none.
     */
    [[nodiscard]] constexpr path_segments segments() const noexcept;

private:
    friend struct detail::path_access;

    /** Appends an id. Precondition: depth() < 4 and id <= 65534. */
    constexpr void push_(std::uint16_t id) noexcept {
        LWM2M_ASSERT(depth() < max_depth && id <= max_id);
        ids_[depth()] = id;
        level_ = static_cast<path_level>(depth() + 1);
    }

    /** The four ids in one word, ids_[0] in the low 16 bits (ordering and prefix tests). */
    [[nodiscard]] constexpr std::uint64_t lanes_() const noexcept {
        if (!std::is_constant_evaluated() && std::endian::native == std::endian::little) {
            std::uint64_t x;  // one load: ids_ is that word's bytes in memory order
            std::memcpy(&x, ids_.data(), sizeof x);
            return x;
        }
        return std::uint64_t{ids_[0]} | std::uint64_t{ids_[1]} << 16 | std::uint64_t{ids_[2]} << 32 |
               std::uint64_t{ids_[3]} << 48;
    }

    // Invariant: ids_[i] == no_id for every i >= depth(): == and <=> rely on it (equal ids mean
    // equal depth), and so does is_prefix_of.
    std::array<std::uint16_t, 4> ids_{no_id, no_id, no_id, no_id};
    path_level level_ = path_level::root;
};

static_assert(sizeof(path) <= 10, "path must stay compact: 4 x uint16 + level byte");
static_assert(std::is_trivially_copyable_v<path>);
static_assert(std::tuple_size_v<decltype(path_text::chars)> == path::max_text_length);

namespace detail {
struct path_access {
    static constexpr void push(path& p, std::uint16_t id) noexcept { p.push_(id); }
    /** The path of 1..4 ids (each <= max_id), built with no checks. */
    template <class... Ids>
        requires(sizeof...(Ids) >= 1 && sizeof...(Ids) <= path::max_depth && (std::same_as<Ids, std::uint16_t> && ...))
    static constexpr path of(Ids... ids) noexcept {
        path p;
        std::size_t k = 0;
        ((p.ids_[k++] = ids), ...);
        p.level_ = static_cast<path_level>(sizeof...(Ids));
        return p;
    }
    /**
     * The four ids of `p` in one word, ids[0] in the low 16 bits, `no_id` past its depth: a
     * reader keeps the ids shared by its records in one word and ors each record's id in.
     */
    [[nodiscard]] static constexpr std::uint64_t lanes(const path& p) noexcept { return p.lanes_(); }
    /**
     * The path of `level` whose ids are the lanes of `lanes` (as `lanes` returns them), built
     * with no checks. Precondition: the ids below `level` are <= max_id, the others `no_id`.
     * At run time one 8-byte store on little-endian targets.
     */
    [[nodiscard]] static constexpr path of_lanes(std::uint64_t lanes, path_level level) noexcept {
        path p;
        if (!std::is_constant_evaluated() && std::endian::native == std::endian::little) {
            std::memcpy(p.ids_.data(), &lanes, sizeof lanes);
        } else {
            for (std::size_t k = 0; k < path::max_depth; ++k) p.ids_[k] = static_cast<std::uint16_t>(lanes >> (16 * k));
        }
        p.level_ = level;
        return p;
    }
};
} // namespace detail

constexpr path_text path::text() const noexcept {
    path_text t;
    const auto n = format_to(t.chars); // cannot fail: 24 chars always suffice
    t.length = static_cast<std::uint8_t>(n.value());
    return t;
}

/**
 * The segments of a path as decimal text, a forward range of `path_segment_text`
 * (returned by `path::segments()`). Holds a copy of the path. Allocation: none.
 */
class path_segments {
public:
    /** Forward iterator yielding `path_segment_text` by value. Allocation: none. */
    class iterator {
    public:
        using value_type = path_segment_text;
        using reference = path_segment_text;
        using difference_type = std::ptrdiff_t;
        using iterator_concept = std::forward_iterator_tag;
        using iterator_category = std::input_iterator_tag;

        /** A singular iterator. Allocation: none. */
        constexpr iterator() noexcept = default;

        /** The current segment's text. Precondition: not at end. Allocation: none. */
        [[nodiscard]] constexpr path_segment_text operator*() const noexcept {
            path_segment_text s;
            s.length = static_cast<std::uint8_t>(detail::path_write_decimal(path_.id(index_), s.chars.data()));
            return s;
        }
        /** Advances. Allocation: none. */
        constexpr iterator& operator++() noexcept {
            ++index_;
            return *this;
        }
        /** Advances, returning the previous position. Allocation: none. */
        constexpr iterator operator++(int) noexcept {
            iterator old = *this;
            ++index_;
            return old;
        }
        /** Same position (iterators of the same range). Allocation: none. */
        friend constexpr bool operator==(const iterator& a, const iterator& b) noexcept {
            return a.index_ == b.index_;
        }

    private:
        friend class path_segments;
        constexpr iterator(const path& p, std::size_t index) noexcept : path_(p), index_(index) {}
        path path_{};
        std::size_t index_ = 0;
    };

    /** Segments of `p`. Allocation: none. */
    constexpr explicit path_segments(const path& p) noexcept : path_(p) {}

    /** First segment. Allocation: none. */
    [[nodiscard]] constexpr iterator begin() const noexcept { return iterator{path_, 0}; }
    /** Past the last segment. Allocation: none. */
    [[nodiscard]] constexpr iterator end() const noexcept { return iterator{path_, path_.depth()}; }
    /** Number of segments (= `depth()`; 0 for the root). Allocation: none. */
    [[nodiscard]] constexpr std::size_t size() const noexcept { return path_.depth(); }
    /** True for the root. Allocation: none. */
    [[nodiscard]] constexpr bool empty() const noexcept { return path_.is_root(); }
    /** Segment `i`. Precondition: `i < size()`. Allocation: none. */
    [[nodiscard]] constexpr path_segment_text operator[](std::size_t i) const noexcept {
        LWM2M_ASSERT(i < size());
        return *iterator{path_, i};
    }

private:
    path path_;
};

constexpr path_segments path::segments() const noexcept { return path_segments{*this}; }

static_assert(std::forward_iterator<path_segments::iterator>);
static_assert(std::ranges::forward_range<path_segments>);

/**
 * Parses the text form of a path (LwM2M 1.1 Core §6 / 1.0 §5): "/" is the root, otherwise
 * "/" followed by 1..4 ids separated by "/", e.g. "/3/0/1". Ids are canonical decimal
 * (0..65534; no sign, no leading zero except "0" itself, no spaces, no percent-encoding).
 * A trailing '/' after a non-root path ("/3/") is NOT accepted.
 *
 * Errors, checked per segment from left to right (empty, then fifth, then its digits); the offset
 * is the byte offset where the offending segment starts (just after its '/'), or 0 for a
 * missing leading '/':
 * - `path_syntax`: empty text, no leading '/', or an empty segment ("//3", "/3//0", "/3/": offset 3);
 * - `path_too_deep`: a fifth segment ("/1/2/3/4/5": offset 9);
 * - `path_invalid_number`: a segment with a non-digit or a leading zero ("/3/x", "/03");
 * - `path_id_out_of_range`: an id > 65534 ("/65535").
 * Allocation: none.
 */
[[nodiscard]] constexpr result<path> parse_path(std::string_view text) noexcept {
    if (text.empty() || text[0] != '/') return fail(errc::path_syntax, 0);
    path p;
    if (text.size() == 1) return p;
    std::size_t pos = 1;
    while (true) {
        std::size_t end = text.find('/', pos);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view seg{text.data() + pos, end - pos};
        if (seg.empty()) return fail(errc::path_syntax, pos);
        if (p.depth() == path::max_depth) return fail(errc::path_too_deep, pos);
        const auto id = detail::path_parse_id(seg, pos);
        if (!id) return unexpected{id.error()};
        detail::path_access::push(p, *id);
        if (end == text.size()) return p;
        pos = end + 1;
    }
}

namespace detail {
/** The id segments of `parse_path_segments`: from `it` (the segment numbered `index`) to `end`. */
template <class It, class End>
[[nodiscard]] constexpr result<path> path_from_segments(It it, const End& end, std::size_t index) noexcept {
    path p;
    for (; it != end; ++it, ++index) {
        const std::string_view seg = static_cast<std::string_view>(*it);
        if (seg.empty()) return fail(errc::path_syntax, index);
        if (p.depth() == path::max_depth) return fail(errc::path_too_deep, index);
        const auto id = detail::path_parse_id(seg, index);
        if (!id) return unexpected{id.error()};
        detail::path_access::push(p, *id);
    }
    return p;
}
} // namespace detail

/**
 * Parses a path from CoAP Uri-Path option values (RFC 7252 §5.10.1, §6.4), one segment per
 * element: no segments is the root, {"3","0","1"} is `/3/0/1`. `segments` is any input range
 * (e.g. `std::array`, `std::span`, a range of option views) whose elements implicitly convert
 * to `std::string_view`. The segments are read once, in order, and not copied.
 *
 * `alternate_root` is the LwM2M Client's alternate path (LwM2M 1.1 Core, Register operation:
 * advertised as `</lwm2m>;rt="oma.lwm2m"`), e.g. "/lwm2m" or "/a/b"; its segments must lead
 * `segments` exactly (byte-wise) and are skipped. A leading and one trailing '/' of
 * `alternate_root` are ignored; empty or "/" means no alternate root. It is not validated
 * (it is configuration, not input).
 *
 * Errors; the offset is the index of the offending segment in `segments` (counting the
 * alternate-root segments):
 * - `path_root_mismatch`: a leading segment differs from the alternate root, or `segments`
 *   ends before it (offset = number of segments);
 * - `path_syntax`: an empty segment (an empty Uri-Path option is never the root);
 * - `path_too_deep`: more than four id segments;
 * - `path_invalid_number`, `path_id_out_of_range`: as in `parse_path`.
 * Allocation: none.
 */
template <std::ranges::input_range R>
    requires std::convertible_to<std::ranges::range_reference_t<R>, std::string_view>
[[nodiscard]] constexpr result<path> parse_path_segments(R&& segments, std::string_view alternate_root) noexcept {
    if (!alternate_root.empty() && alternate_root.front() == '/') alternate_root.remove_prefix(1);
    if (!alternate_root.empty() && alternate_root.back() == '/') alternate_root.remove_suffix(1);
    auto it = std::ranges::begin(segments);
    const auto end = std::ranges::end(segments);
    std::size_t index = 0;
    // Each segment of the alternate root leads, byte for byte.
    for (std::size_t root_pos = 0; !alternate_root.empty();) {
        if (it == end) return fail(errc::path_root_mismatch, index);
        std::size_t root_end = alternate_root.find('/', root_pos);
        if (root_end == std::string_view::npos) root_end = alternate_root.size();
        const std::string_view expected{alternate_root.data() + root_pos, root_end - root_pos};
        if (static_cast<std::string_view>(*it) != expected) return fail(errc::path_root_mismatch, index);
        ++it;
        ++index;
        if (root_end == alternate_root.size()) break;
        root_pos = root_end + 1;
    }
    return detail::path_from_segments(std::move(it), end, index);
}

/**
 * `parse_path_segments` with no alternate root (the client's Uri-Path): the same result as
 * with an empty one, without the code that skips a root (smaller at -Os).
 */
template <std::ranges::input_range R>
    requires std::convertible_to<std::ranges::range_reference_t<R>, std::string_view>
[[nodiscard]] constexpr result<path> parse_path_segments(R&& segments) noexcept {
    return detail::path_from_segments(std::ranges::begin(segments), std::ranges::end(segments), 0);
}

/**
 * `parse_path_segments` for a braced list: `parse_path_segments({"3", "0"}, "/lwm2m")`.
 * Errors: as the range overload. Allocation: none.
 */
[[nodiscard]] constexpr result<path> parse_path_segments(std::initializer_list<std::string_view> segments,
                                                         std::string_view alternate_root = {}) noexcept {
    return parse_path_segments(std::span<const std::string_view>{segments.begin(), segments.size()}, alternate_root);
}

} // namespace lwm2m
