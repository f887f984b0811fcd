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
#include <optional>

#include <lwm2m/model/attributes.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::client {

template <std::size_t Capacity>
class attribute_store {
public:
    /** Sets in `a` the attributes attached at exactly `p` for server `ssid` (none: `a` unchanged). */
    void overlay(std::uint16_t ssid, const path& p, notification_attributes& a) const noexcept {
        if (const entry* e = entry_at(ssid, p)) e->overlay(a);
    }

    /** Attributes attached at exactly `p` for server `ssid`, if any. */
    [[nodiscard]] std::optional<notification_attributes> find(std::uint16_t ssid, const path& p) const noexcept {
        const entry* e = entry_at(ssid, p);
        if (e == nullptr) return std::nullopt;
        notification_attributes a{};
        e->overlay(a);
        return a;
    }

    /**
     * Replaces the set attached at `p` for `ssid` (an empty set removes the entry).
     * Errors: `capacity_exceeded`.
     */
    result<void> set(std::uint16_t ssid, const path& p, const notification_attributes& a) noexcept {
        entry* slot = nullptr;
        entry* free = nullptr;
        for (entry& e : entries_) {
            if (e.matches(ssid, p)) { slot = &e; break; }
            if (!e.used() && free == nullptr) free = &e;
        }
        if (a.empty()) {
            if (slot != nullptr) slot->present = 0;
            return {};
        }
        if (slot == nullptr) slot = free;
        if (slot == nullptr) return fail(errc::capacity_exceeded);
        *slot = entry::packed(ssid, p, a);
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
            if (const entry* e = entry_at(ssid, target.prefix(static_cast<path_level>(level)))) e->overlay(r);
        return r;
    }

    /** Drops every set attached at `p` or below (e.g. after Delete of an instance). */
    void remove_under(const path& p) noexcept {
        for (entry& e : entries_)
            if (e.used() && p.is_prefix_of(e.target)) e.present = 0;
    }
    /** Drops every set of server `ssid` (e.g. on a new registration). */
    void remove_server(std::uint16_t ssid) noexcept {
        for (entry& e : entries_)
            if (e.used() && e.ssid == ssid) e.present = 0;
    }

private:
    using attrs = notification_attributes;
    static constexpr std::array<std::optional<std::uint32_t> attrs::*, 4> period_fields{&attrs::pmin, &attrs::pmax,
                                                                                         &attrs::epmin, &attrs::epmax};
    static constexpr std::array<std::optional<double> attrs::*, 3> threshold_fields{&attrs::gt, &attrs::lt, &attrs::st};

    // Packed: a bit per attribute present instead of seven std::optional (56 bytes an entry
    // instead of 96 on 32-bit targets); an entry with no attribute is free.
    struct entry {
        std::uint16_t ssid = 0;
        path target{};
        std::uint8_t present = 0;                // bits 0-3: periods, 4-6: thresholds
        std::array<std::uint32_t, 4> periods{};  // as period_fields
        std::array<double, 3> thresholds{};      // as threshold_fields

        [[nodiscard]] bool used() const noexcept { return present != 0; }
        [[nodiscard]] bool matches(std::uint16_t s, const path& p) const noexcept {
            return used() && ssid == s && target == p;
        }

        [[nodiscard]] static entry packed(std::uint16_t ssid, const path& p, const notification_attributes& a) noexcept {
            entry e{ssid, p};
            for (std::size_t i = 0; i < period_fields.size(); ++i)
                if (const auto& v = a.*period_fields[i]) {
                    e.present = static_cast<std::uint8_t>(e.present | (1u << i));
                    e.periods[i] = *v;
                }
            for (std::size_t i = 0; i < threshold_fields.size(); ++i)
                if (const auto& v = a.*threshold_fields[i]) {
                    e.present = static_cast<std::uint8_t>(e.present | (16u << i));
                    e.thresholds[i] = *v;
                }
            return e;
        }

        /** Sets in `a` every attribute this entry has (a lower level overriding, §5.1.2). */
        void overlay(notification_attributes& a) const noexcept {
            for (std::size_t i = 0; i < period_fields.size(); ++i)
                if (present & (1u << i)) a.*period_fields[i] = periods[i];
            for (std::size_t i = 0; i < threshold_fields.size(); ++i)
                if (present & (16u << i)) a.*threshold_fields[i] = thresholds[i];
        }
    };
    [[nodiscard]] const entry* entry_at(std::uint16_t ssid, const path& p) const noexcept {
        for (const entry& e : entries_)
            if (e.matches(ssid, p)) return &e;
        return nullptr;
    }

    std::array<entry, Capacity> entries_{};
};

} // namespace lwm2m::client
