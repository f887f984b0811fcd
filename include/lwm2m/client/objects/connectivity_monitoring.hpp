#pragma once
/**
 * @file client/objects/connectivity_monitoring.hpp
 * `connectivity_monitoring_object`: a ready-made Connectivity Monitoring object (4, LwM2M 1.1
 * Core Appendix E.5, schema `lwm2m::objects::connectivity_monitoring_v1_0`), instance 0, all
 * resources read-only. The application keeps the fields current (or installs `refresh`, called
 * before every read) and calls `client.value_changed(/4/0/R, now)` when something observed
 * moved. Unset fields are absent resources. Allocation: none.
 */

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <lwm2m/client/object_binding.hpp>
#include <lwm2m/model/objects/connectivity_monitoring_v1_0.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::client {

/** The Connectivity Monitoring object (4), instance 0. */
class connectivity_monitoring_object {
public:
    static constexpr const auto& schema = objects::connectivity_monitoring_v1_0::object;
    static constexpr std::size_t max_list = 4;

    std::int64_t network_bearer = 41;            ///< /4/0/0 (0 GSM ... 21 LTE-FDD, 41 Ethernet, 42 DSL, 43 PLC)
    std::array<std::int64_t, max_list> available_bearers{};  ///< /4/0/1
    std::size_t available_bearer_count = 0;
    std::int64_t radio_signal_strength = 0;      ///< /4/0/2 dBm (mandatory)
    std::optional<std::int64_t> link_quality{};  ///< /4/0/3
    std::array<std::string_view, max_list> ip_addresses{};  ///< /4/0/4 (mandatory)
    std::size_t ip_address_count = 0;
    std::array<std::string_view, max_list> router_ip_addresses{};  ///< /4/0/5
    std::size_t router_ip_address_count = 0;
    std::optional<std::int64_t> link_utilization{};  ///< /4/0/6 percent
    std::string_view apn{};                          ///< /4/0/7 (single value here)
    std::optional<std::int64_t> cell_id{};           ///< /4/0/8
    std::optional<std::int64_t> smnc{};              ///< /4/0/9
    std::optional<std::int64_t> smcc{};              ///< /4/0/10

    /** Called before each read with `refresh_context`, to update the fields. */
    void (*refresh)(void* context, connectivity_monitoring_object& self) = nullptr;
    void* refresh_context = nullptr;

    [[nodiscard]] std::size_t instance_count() const noexcept { return 1; }
    [[nodiscard]] std::uint16_t instance_id(std::size_t) const noexcept { return 0; }

    result<void> read(const path& p, resource_output& out) noexcept {
        namespace c = objects::connectivity_monitoring_v1_0;
        if (refresh != nullptr) refresh(refresh_context, *this);
        const auto opt = [&](const std::optional<std::int64_t>& v) -> result<void> {
            if (!v) return fail(errc::not_found);
            return out.value(*v);
        };
        switch (p.resource_id()) {
        case c::network_bearer: return out.value(network_bearer);
        case c::available_network_bearer: {
            if (available_bearer_count == 0) return out.instance(0, network_bearer);
            for (std::size_t i = 0; i < available_bearer_count && i < max_list; ++i)
                if (auto ok = out.instance(static_cast<std::uint16_t>(i), available_bearers[i]); !ok) return ok;
            return {};
        }
        case c::radio_signal_strength: return out.value(radio_signal_strength);
        case c::link_quality: return opt(link_quality);
        case c::ip_addresses:
            for (std::size_t i = 0; i < ip_address_count && i < max_list; ++i)
                if (auto ok = out.instance(static_cast<std::uint16_t>(i), ip_addresses[i]); !ok) return ok;
            return {};
        case c::router_ip_addresses:
            if (router_ip_address_count == 0) return fail(errc::not_found);
            for (std::size_t i = 0; i < router_ip_address_count && i < max_list; ++i)
                if (auto ok = out.instance(static_cast<std::uint16_t>(i), router_ip_addresses[i]); !ok) return ok;
            return {};
        case c::link_utilization: return opt(link_utilization);
        case c::apn:
            if (apn.empty()) return fail(errc::not_found);
            return out.instance(0, apn);
        case c::cell_id: return opt(cell_id);
        case c::smnc: return opt(smnc);
        case c::smcc: return opt(smcc);
        default: return fail(errc::not_found);
        }
    }
};

} // namespace lwm2m::client
