#pragma once
/**
 * @file client/objects/device.hpp
 * `device_object`: a ready-made Device object (3, LwM2M 1.1 Core Appendix E.4 / 1.0 E.4,
 * schema `lwm2m::objects::device_v1_0`) with one instance, /3/0. The application fills in
 * its identity strings and state fields and installs hooks for Reboot (/3/0/4), Factory
 * Reset (/3/0/5) and the current time; Error Code (/3/0/11) is a small list the application
 * adds to and Reset Error Code (/3/0/12) clears. Bind it with `client.add_object(device)`.
 * Allocation: none.
 */

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <lwm2m/client/execute_args.hpp>
#include <lwm2m/client/object_binding.hpp>
#include <lwm2m/model/objects/device_v1_0.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/model/value_bytes.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::client {

/** One power source of /3/0/6..8: type (0 DC, 1 internal battery, ... 7 solar), mV, mA. */
struct power_source {
    std::int64_t type = 0;
    std::optional<std::int64_t> voltage_mv{};
    std::optional<std::int64_t> current_ma{};
};

/** A hook: a plain function and the context it is called with. */
struct device_hook {
    void (*call)(void* context) = nullptr;
    void* context = nullptr;
    explicit operator bool() const noexcept { return call != nullptr; }
    void operator()() const noexcept {
        if (call != nullptr) call(context);
    }
};

/**
 * The Device object (3), single instance 0. Empty strings and unset optionals are absent
 * resources. `MaxPowerSources` and `MaxErrorCodes` bound /3/0/6..8 and /3/0/11 (a device
 * knows how many power sources it has: a small build keeps only those).
 */
template <std::size_t MaxPowerSources = 8, std::size_t MaxErrorCodes = 8>
class basic_device_object {
public:
    static constexpr const auto& schema = objects::device_v1_0::object;
    static constexpr std::size_t max_power_sources = MaxPowerSources;
    static constexpr std::size_t max_error_codes = MaxErrorCodes;
    static_assert(MaxPowerSources >= 1 && MaxErrorCodes >= 1);

    std::string_view manufacturer{};       ///< /3/0/0
    std::string_view model_number{};       ///< /3/0/1
    std::string_view serial_number{};      ///< /3/0/2
    std::string_view firmware_version{};   ///< /3/0/3
    std::string_view supported_binding = "U";  ///< /3/0/16 (mandatory)
    std::string_view device_type{};        ///< /3/0/17
    std::string_view hardware_version{};   ///< /3/0/18
    std::string_view software_version{};   ///< /3/0/19
    std::optional<std::int64_t> battery_level{};   ///< /3/0/9, percent
    std::optional<std::int64_t> battery_status{};  ///< /3/0/20
    std::optional<std::int64_t> memory_free{};     ///< /3/0/10, KB
    std::optional<std::int64_t> memory_total{};    ///< /3/0/21, KB

    device_hook reboot{};          ///< /3/0/4 (mandatory: without a hook Execute answers 4.05)
    device_hook factory_reset{};   ///< /3/0/5
    /** /3/0/13 source: seconds since 1970; when null the resource is absent. */
    std::int64_t (*current_time)(void* context) = nullptr;
    void* current_time_context = nullptr;

    /** Adds a power source (/3/0/6, 7, 8 instance). Returns false when full. */
    bool add_power_source(const power_source& s) noexcept {
        if (power_count_ == power_.size()) return false;
        power_[power_count_++] = s;
        return true;
    }
    /** Reports error `code` in /3/0/11 (1 low battery ... 8 peripheral malfunction). */
    bool add_error(std::int64_t code) noexcept {
        for (std::size_t i = 0; i < error_count_; ++i)
            if (errors_[i] == code) return true;
        if (error_count_ == errors_.size()) return false;
        errors_[error_count_++] = code;
        return true;
    }
    /** Clears /3/0/11 back to the single value 0 ("no error"), as Reset Error Code does. */
    void reset_errors() noexcept { error_count_ = 0; }

    /** Writable strings UTC Offset (/3/0/14) and Timezone (/3/0/15) as last written. */
    [[nodiscard]] std::string_view utc_offset() const noexcept { return {utc_offset_.data(), utc_offset_size_}; }
    [[nodiscard]] std::string_view timezone() const noexcept { return {timezone_.data(), timezone_size_}; }
    /** Offset added to `current_time` after the server wrote /3/0/13. */
    [[nodiscard]] std::int64_t time_offset() const noexcept { return time_offset_; }

    // ---- object operations ----
    [[nodiscard]] std::size_t instance_count() const noexcept { return 1; }
    [[nodiscard]] std::uint16_t instance_id(std::size_t) const noexcept { return 0; }

    result<void> read(const path& p, resource_output& out) noexcept {
        namespace d = objects::device_v1_0;
        const auto text = [&](std::string_view s) -> result<void> {
            if (s.empty()) return fail(errc::not_found);
            return out.value(s);
        };
        const auto opt = [&](const std::optional<std::int64_t>& v) -> result<void> {
            if (!v) return fail(errc::not_found);
            return out.value(*v);
        };
        switch (p.resource_id()) {
        case d::manufacturer: return text(manufacturer);
        case d::model_number: return text(model_number);
        case d::serial_number: return text(serial_number);
        case d::firmware_version: return text(firmware_version);
        case d::available_power_sources:
        case d::power_source_voltage:
        case d::power_source_current: {
            if (power_count_ == 0) return fail(errc::not_found);
            for (std::size_t i = 0; i < power_count_; ++i) {
                const power_source& s = power_[i];
                const std::optional<std::int64_t> v = p.resource_id() == d::available_power_sources ? std::optional{s.type}
                                                      : p.resource_id() == d::power_source_voltage   ? s.voltage_mv
                                                                                                     : s.current_ma;
                if (v)
                    if (auto ok = out.instance(static_cast<std::uint16_t>(i), *v); !ok) return ok;
            }
            return {};
        }
        case d::battery_level: return opt(battery_level);
        case d::memory_free: return opt(memory_free);
        case d::error_code:
            if (error_count_ == 0) return out.instance(0, std::int64_t{0});
            for (std::size_t i = 0; i < error_count_; ++i)
                if (auto ok = out.instance(static_cast<std::uint16_t>(i), errors_[i]); !ok) return ok;
            return {};
        case d::current_time:
            if (current_time == nullptr) return fail(errc::not_found);
            return out.value(lwm2m::value::of_time(current_time(current_time_context) + time_offset_));
        case d::utc_offset: return utc_offset_size_ == 0 ? fail(errc::not_found) : out.value(utc_offset());
        case d::timezone: return timezone_size_ == 0 ? fail(errc::not_found) : out.value(timezone());
        case d::supported_binding_and_modes: return text(supported_binding);
        case d::device_type: return text(device_type);
        case d::hardware_version: return text(hardware_version);
        case d::software_version: return text(software_version);
        case d::battery_status: return opt(battery_status);
        case d::memory_total: return opt(memory_total);
        default: return fail(errc::not_found);
        }
    }

    result<void> write(const path& p, const lwm2m::value& v) noexcept {
        namespace d = objects::device_v1_0;
        switch (p.resource_id()) {
        case d::current_time:
            if (current_time == nullptr) return fail(errc::not_found);
            time_offset_ = v.as_time() - current_time(current_time_context);
            return {};
        case d::utc_offset: return copy(v, utc_offset_, utc_offset_size_);
        case d::timezone: return copy(v, timezone_, timezone_size_);
        default: return fail(errc::operation_not_allowed);
        }
    }

    result<void> execute(const path& p, execute_args) noexcept {
        namespace d = objects::device_v1_0;
        switch (p.resource_id()) {
        case d::reboot:
            if (!reboot) return fail(errc::operation_not_allowed);
            reboot();
            return {};
        case d::factory_reset:
            if (!factory_reset) return fail(errc::not_found);
            factory_reset();
            return {};
        case d::reset_error_code: reset_errors(); return {};
        default: return fail(errc::operation_not_allowed);
        }
    }

    [[nodiscard]] bool has_resource(const path& p) const noexcept {
        namespace d = objects::device_v1_0;
        switch (p.resource_id()) {
        case d::manufacturer: return !manufacturer.empty();
        case d::model_number: return !model_number.empty();
        case d::serial_number: return !serial_number.empty();
        case d::firmware_version: return !firmware_version.empty();
        case d::reboot: return true;
        case d::factory_reset: return static_cast<bool>(factory_reset);
        case d::available_power_sources: return power_count_ != 0;
        case d::power_source_voltage:
        case d::power_source_current: {
            for (std::size_t i = 0; i < power_count_; ++i)
                if (p.resource_id() == d::power_source_voltage ? power_[i].voltage_mv.has_value()
                                                                : power_[i].current_ma.has_value())
                    return true;
            return false;
        }
        case d::battery_level: return battery_level.has_value();
        case d::memory_free: return memory_free.has_value();
        case d::error_code:
        case d::reset_error_code: return true;
        case d::current_time: return current_time != nullptr;
        case d::utc_offset:
        case d::timezone: return true;
        case d::supported_binding_and_modes: return true;
        case d::device_type: return !device_type.empty();
        case d::hardware_version: return !hardware_version.empty();
        case d::software_version: return !software_version.empty();
        case d::battery_status: return battery_status.has_value();
        case d::memory_total: return memory_total.has_value();
        default: return false;
        }
    }

private:
    template <std::size_t N>
    static result<void> copy(const lwm2m::value& v, std::array<char, N>& dst, std::size_t& size) noexcept {
        // The decoded text: a value may still be in its payload's encoding (JSON escapes, the
        // chunks of an indefinite-length CBOR string).
        std::array<std::byte, N> text{};
        auto n = copy_value_bytes(v, text);
        if (!n) return fail(n.error().code == errc::buffer_too_small ? errc::request_entity_too_large : n.error().code);
        for (std::size_t i = 0; i < *n; ++i) dst[i] = static_cast<char>(text[i]);
        size = *n;
        return {};
    }

    std::array<power_source, max_power_sources> power_{};
    std::size_t power_count_ = 0;
    std::array<std::int64_t, max_error_codes> errors_{};
    std::size_t error_count_ = 0;
    std::array<char, 16> utc_offset_{};
    std::size_t utc_offset_size_ = 0;
    std::array<char, 48> timezone_{};
    std::size_t timezone_size_ = 0;
    std::int64_t time_offset_ = 0;
};

/** The Device object with room for 8 power sources and 8 error codes. */
using device_object = basic_device_object<>;

} // namespace lwm2m::client
