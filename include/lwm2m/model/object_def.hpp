#pragma once
/**
 * @file object_def.hpp
 * Object schemas as constexpr data: `make_object(...)` sorts and validates the resources at
 * compile time, so a malformed schema does not compile. `object_view` is the capacity-erased
 * form used at run time (lookup by id in O(log n), no allocation).
 *
 * Compile errors are raised by calling a non-constexpr function from a consteval context;
 * its name says what is wrong (e.g. `schema_error_duplicate_resource_id`).
 */

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <lwm2m/config.hpp>
#include <lwm2m/model/data_type.hpp>
#include <lwm2m/model/resource_def.hpp>

namespace lwm2m {

/** Object version "major.minor" (`<ObjectVersion>`, 1.0 when absent). */
struct object_version {
    std::uint8_t major = 1;
    std::uint8_t minor = 0;
    friend constexpr bool operator==(const object_version&, const object_version&) noexcept = default;
};

/** Object-level facts (everything but the resources). */
struct object_info {
    std::uint16_t id = 0;
    std::string_view name{};
    object_version version{};
    multiplicity instances = multiplicity::multiple;
    presence required = presence::optional;
    std::string_view urn{};
};

/** Run-time view of a schema: object facts plus resources sorted by id. */
class object_view {
public:
    constexpr object_view() noexcept = default;
    constexpr object_view(const object_info& info, std::span<const resource_def> sorted) noexcept
        : info_(&info), resources_(sorted) {}

    [[nodiscard]] constexpr std::uint16_t id() const noexcept { return info_->id; }
    [[nodiscard]] constexpr const object_info& info() const noexcept { return *info_; }
    [[nodiscard]] constexpr std::span<const resource_def> resources() const noexcept { return resources_; }
    [[nodiscard]] constexpr bool is_multiple() const noexcept { return info_->instances == multiplicity::multiple; }

    /**
     * The resource with `id`, or nullptr. O(1) where the ids are dense from 0 up to `id` (most
     * OMA objects), else O(log n). Allocation: none.
     */
    [[nodiscard]] LWM2M_HOT_INLINE constexpr const resource_def* find(std::uint16_t id) const noexcept {
        if (id < resources_.size() && resources_[id].id == id) return &resources_[id];  // sorted, unique: exact
        return find_sparse(id);
    }

private:
    /** `find` past the dense ids: binary search, out of line so the O(1) case inlines. */
    [[nodiscard]] LWM2M_NOINLINE constexpr const resource_def* find_sparse(std::uint16_t id) const noexcept {
        std::size_t lo = 0, hi = resources_.size();
        while (lo < hi) {
            const std::size_t mid = (lo + hi) / 2;
            if (resources_[mid].id < id) lo = mid + 1;
            else hi = mid;
        }
        return lo < resources_.size() && resources_[lo].id == id ? &resources_[lo] : nullptr;
    }

    const object_info* info_ = nullptr;
    std::span<const resource_def> resources_{};
};

/** True when a resource of `o` has data type `t`: what a build needs to read and write for it. */
[[nodiscard]] constexpr bool uses(const object_view& o, data_type t) noexcept {
    for (const resource_def& r : o.resources())
        if (r.type == t) return true;
    return false;
}

namespace detail {
// Not constexpr on purpose: calling one during constant evaluation is a compile error
// whose message names the function, and so the mistake.
inline void schema_error_duplicate_resource_id() {}
inline void schema_error_resource_id_out_of_range() {}
inline void schema_error_executable_resource_with_value_type() {}
inline void schema_error_value_resource_without_type() {}
inline void schema_error_object_id_out_of_range() {}
inline void schema_error_resource_not_in_object() {}
} // namespace detail

/** A validated object schema with `N` resources sorted by id. Build with `make_object`. */
template <std::size_t N>
struct object_def {
    object_info info{};
    std::array<resource_def, N> resources{};

    /** Capacity-erased view. The object_def must outlive it (schemas are static constants). */
    [[nodiscard]] constexpr object_view view() const noexcept { return {info, resources}; }
    constexpr operator object_view() const noexcept { return view(); }  // NOLINT: intended conversion

    /** Run-time lookup; nullptr when absent. O(1) for dense ids, else O(log n). */
    [[nodiscard]] LWM2M_HOT_INLINE constexpr const resource_def* find(std::uint16_t id) const noexcept { return view().find(id); }

    /** Compile-time lookup: a resource id the object does not define does not compile. */
    template <std::uint16_t Id>
    [[nodiscard]] consteval const resource_def& resource() const {
        // A loop, not `find() != nullptr`: g++ 12 with -fsanitize=null cannot constant-evaluate
        // that pointer comparison.
        for (const resource_def& r : resources)
            if (r.id == Id) return r;
        detail::schema_error_resource_not_in_object();
        return resources[0];
    }
};

/**
 * Builds a validated schema (consteval): resources are sorted by id; duplicate ids, ids
 * above 65534, executable resources with a value type and non-executable resources
 * without one are compile errors.
 */
template <class... Resources>
[[nodiscard]] consteval auto make_object(const object_info& info, const Resources&... rs) {
    object_def<sizeof...(Resources)> def{info, {rs...}};
    if (info.id > 65534) detail::schema_error_object_id_out_of_range();
    auto& r = def.resources;
    for (std::size_t i = 1; i < r.size(); ++i)  // insertion sort: tiny N, constant evaluation
        for (std::size_t j = i; j > 0 && r[j - 1].id > r[j].id; --j) {
            const resource_def t = r[j];
            r[j] = r[j - 1];
            r[j - 1] = t;
        }
    for (std::size_t i = 0; i < r.size(); ++i) {
        if (r[i].id > 65534) detail::schema_error_resource_id_out_of_range();
        if (i > 0 && r[i - 1].id == r[i].id) detail::schema_error_duplicate_resource_id();
        if (r[i].executable() && r[i].type != data_type::none) detail::schema_error_executable_resource_with_value_type();
        if (!r[i].executable() && r[i].type == data_type::none) detail::schema_error_value_resource_without_type();
    }
    return def;
}

} // namespace lwm2m
