#pragma once
/**
 * @file schema_registry.hpp
 * `schema_registry`: the set of object schemas a program knows, looked up by object id or
 * by path. Non-owning (a span of `object_view`s, typically over static schemas).
 * Allocation: none.
 */

#include <cstdint>
#include <span>

#include <lwm2m/model/object_def.hpp>
#include <lwm2m/path/path.hpp>

namespace lwm2m {

class schema_registry {
public:
    constexpr schema_registry() noexcept = default;
    /**
     * `objects` (each object once) need not be sorted; lookups are linear (registries are
     * small), after one look at index `object_id` (where a registry sorted by id from object 0
     * keeps objects 0, 1, 2, ...; not in size builds).
     */
    constexpr explicit schema_registry(std::span<const object_view> objects) noexcept : objects_(objects) {}

    /** The schema of object `id`, or nullptr. */
    [[nodiscard]] constexpr const object_view* find(std::uint16_t object_id) const noexcept {
#if !defined(__OPTIMIZE_SIZE__)  // (size builds: the scan alone)
        if (object_id < objects_.size() && objects_[object_id].id() == object_id) return &objects_[object_id];
#endif
        for (const object_view& o : objects_)
            if (o.id() == object_id) return &o;
        return nullptr;
    }
    /** The resource a path of resource or resource-instance level names, or nullptr. */
    [[nodiscard]] constexpr const resource_def* find_resource(const path& p) const noexcept {
        if (!p.has_resource()) return nullptr;
        const object_view* o = find(p.object_id());
        return o ? o->find(p.resource_id()) : nullptr;
    }
    [[nodiscard]] constexpr std::span<const object_view> objects() const noexcept { return objects_; }

private:
    std::span<const object_view> objects_{};
};

} // namespace lwm2m
