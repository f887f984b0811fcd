#pragma once
/**
 * @file client/attribute_store.hpp
 * `attribute_store<N>`: the notification attributes each LwM2M Server attached with
 * Write-Attributes (LwM2M 1.1 Core §5.1.2, §6.3.4 / 1.0 §5.1.2, §5.4.4), per Short Server ID
 * and path, and the effective set for an observation: the server's defaults (/1/x/2 pmin,
 * /1/x/3 pmax) overridden by the object, instance, resource and resource-instance levels, a
 * lower level winning. Fixed capacity. Allocation: none.
 */

#include <array>
#include <cstddef>
#include <cstdint>

#include <lwm2m/model/attributes.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::client {

template <std::size_t Capacity>
class attribute_store {
public:
    /** Attributes attached at exactly `p` for server `ssid`, or nullptr. */
    [[nodiscard]] const notification_attributes* find(std::uint16_t ssid, const path& p) const noexcept {
        for (const entry& e : entries_)
            if (e.used && e.ssid == ssid && e.target == p) return &e.attributes;
        return nullptr;
    }

    /**
     * Replaces the set attached at `p` for `ssid` (an empty set removes the entry).
     * Errors: `capacity_exceeded`.
     */
    result<void> set(std::uint16_t ssid, const path& p, const notification_attributes& a) noexcept {
        entry* slot = nullptr;
        for (entry& e : entries_) {
            if (e.used && e.ssid == ssid && e.target == p) { slot = &e; break; }
            if (!e.used && slot == nullptr) slot = &e;
        }
        if (a.empty()) {
            if (slot != nullptr && slot->used && slot->target == p && slot->ssid == ssid) slot->used = false;
            return {};
        }
        if (slot == nullptr) return fail(errc::capacity_exceeded);
        *slot = entry{true, ssid, p, a};
        return {};
    }

    /**
     * Effective attributes of an observation of `target` by `ssid`: `defaults`, then every
     * level from the object down to `target` (inheritance, LwM2M 1.1 Core §5.1.2).
     */
    [[nodiscard]] notification_attributes effective(std::uint16_t ssid, const path& target,
                                                    const notification_attributes& defaults) const noexcept {
        notification_attributes r = defaults;
        for (std::size_t level = 1; level <= target.depth(); ++level)
            if (const notification_attributes* a = find(ssid, target.prefix(static_cast<path_level>(level))))
                r = r.overridden_by(*a);
        return r;
    }

    /** Drops every set attached at `p` or below (e.g. after Delete of an instance). */
    void remove_under(const path& p) noexcept {
        for (entry& e : entries_)
            if (e.used && p.is_prefix_of(e.target)) e.used = false;
    }
    /** Drops every set of server `ssid` (e.g. on a new registration). */
    void remove_server(std::uint16_t ssid) noexcept {
        for (entry& e : entries_)
            if (e.used && e.ssid == ssid) e.used = false;
    }

private:
    struct entry {
        bool used = false;
        std::uint16_t ssid = 0;
        path target{};
        notification_attributes attributes{};
    };
    std::array<entry, Capacity> entries_{};
};

} // namespace lwm2m::client
