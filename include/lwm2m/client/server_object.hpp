#pragma once
/**
 * @file client/server_object.hpp
 * The built-in Server object (1) of the client engine. Allocation: none.
 */

#include <array>
#include <cstddef>
#include <cstdint>

#include <lwm2m/client/execute_args.hpp>
#include <lwm2m/config.hpp>
#include <lwm2m/client/object_binding.hpp>
#include <lwm2m/client/registration.hpp>
#include <lwm2m/model/objects/lwm2m_server_v1_0.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/model/value_bytes.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::client {

/**
 * The Server object (1, LwM2M 1.1 Core Appendix E.2, schema `lwm2m_server_v1_0`) over the
 * engine's server sessions: instance i is session i. Resources 0-8: Lifetime (1) and Binding
 * (7) writes ask for an Update carrying `lt` / `b`; Disable (4) and Registration Update
 * Trigger (8) set flags the engine acts on once the 2.04 has gone out. Default pmin/pmax (2, 3)
 * are optional and can be reset by a Write-replace of the instance.
 * `ById`: instance ids are the sessions' `instance` (a client that bootstraps, whose
 * Bootstrap-Server names them), else the session's index (the smaller code).
 */
template <bool ById>
class basic_server_object {
public:
    static constexpr const auto& schema = objects::lwm2m_server_v1_0::object;
    /** Over `*count` sessions starting at `sessions` (the engine's array). */
    constexpr basic_server_object(server_session* sessions, const std::size_t* count) noexcept
        : sessions_(sessions), count_(count) {}

    [[nodiscard]] std::size_t instance_count() const noexcept { return *count_; }
    [[nodiscard]] std::uint16_t instance_id(std::size_t i) const noexcept {
        if constexpr (ById) return sessions_[i].instance;
        else return static_cast<std::uint16_t>(i);
    }
    /** The session of instance `id` (ById: nullptr when none). */
    [[nodiscard]] server_session* session(std::uint16_t id) const noexcept {
        if constexpr (ById) {
            for (std::size_t i = 0; i < *count_; ++i)
                if (sessions_[i].instance == id) return &sessions_[i];
            return nullptr;
        } else {
            return &sessions_[id];  // (the engine asks only for instances that exist)
        }
    }

    // Always inline: in a client that does not bootstrap, the hook table's trampoline is the
    // only caller, and g++ -Os leaves a template's member out of line (+64 B of flash).
    LWM2M_ALWAYS_INLINE result<void> read(const path& p, resource_output& out) noexcept {
        namespace s = objects::lwm2m_server_v1_0;
        const server_account& a = session(p.instance_id())->account;
        switch (p.resource_id()) {
        case s::short_server_id: return out.value(std::int64_t{a.ssid});
        case s::lifetime: return out.value(std::int64_t{a.lifetime});
        case s::default_minimum_period:
            if (!a.default_pmin) return fail(errc::not_found);
            return out.value(std::int64_t{*a.default_pmin});
        case s::default_maximum_period:
            if (!a.default_pmax) return fail(errc::not_found);
            return out.value(std::int64_t{*a.default_pmax});
        case s::disable_timeout: return out.value(std::int64_t{a.disable_timeout});
        case s::notification_storing_when_disabled_or_offline: return out.value(a.notification_storing);
        case s::binding: return out.value(a.binding);
        default: return fail(errc::not_found);
        }
    }
    LWM2M_ALWAYS_INLINE result<void> write(const path& p, const value& v) noexcept {
        namespace s = objects::lwm2m_server_v1_0;
        server_session& slot = *session(p.instance_id());
        server_account& a = slot.account;
        const auto seconds = [&]() -> result<std::uint32_t> {
            if (v.as_integer() < 0 || v.as_integer() > 0xFFFFFFFF) return fail(errc::number_out_of_range);
            return static_cast<std::uint32_t>(v.as_integer());
        };
        switch (p.resource_id()) {
        case s::lifetime: {
            LWM2M_TRY(lt, seconds());
            if (lt != a.lifetime) {
                a.lifetime = lt;
                slot.lifetime_dirty = true;
                slot.update_requested = true;
            }
            return {};
        }
        case s::default_minimum_period: {
            LWM2M_TRY(x, seconds());
            a.default_pmin = x;
            return {};
        }
        case s::default_maximum_period: {
            LWM2M_TRY(x, seconds());
            a.default_pmax = x;
            return {};
        }
        case s::disable_timeout: {
            LWM2M_TRY(x, seconds());
            a.disable_timeout = x;
            return {};
        }
        case s::notification_storing_when_disabled_or_offline: a.notification_storing = v.as_boolean(); return {};
        case s::binding: {
            // Decoded (JSON escapes, CBOR chunks): at most the 8 bytes a binding may have.
            std::array<std::byte, sizeof slot.binding_text> text{};
            const auto n = copy_value_bytes(v, text);
            if (!n || *n == 0) return fail(errc::invalid_argument);
            const std::string_view b = as_chars(bytes_view{text.data(), *n});
            for (char c : b)
                if (c != 'U' && c != 'S' && c != 'Q' && c != 'T' && c != 'N') return fail(errc::invalid_argument);
            if (b != a.binding) {
                slot.set_binding(b);
                slot.binding_dirty = true;
                slot.update_requested = true;
            }
            return {};
        }
        default: return fail(errc::operation_not_allowed);
        }
    }
    result<void> reset(const path& p) noexcept {
        namespace s = objects::lwm2m_server_v1_0;
        server_account& a = session(p.instance_id())->account;
        if (p.resource_id() == s::default_minimum_period) a.default_pmin.reset();
        else if (p.resource_id() == s::default_maximum_period) a.default_pmax.reset();
        return {};
    }
    result<void> execute(const path& p, execute_args) noexcept {
        namespace s = objects::lwm2m_server_v1_0;
        server_session& slot = *session(p.instance_id());
        if (p.resource_id() == s::disable) {
            slot.disable_requested = true;  // after the 2.04 has gone out (process)
            return {};
        }
        if (p.resource_id() == s::registration_update_trigger) {
            slot.update_requested = true;
            return {};
        }
        return fail(errc::operation_not_allowed);
    }
    [[nodiscard]] bool has_resource(const path& p) const noexcept {
        namespace s = objects::lwm2m_server_v1_0;
        const server_account& a = session(p.instance_id())->account;
        if (p.resource_id() == s::default_minimum_period) return a.default_pmin.has_value();
        if (p.resource_id() == s::default_maximum_period) return a.default_pmax.has_value();
        return p.resource_id() <= s::registration_update_trigger;
    }

private:
    server_session* sessions_;
    const std::size_t* count_;
};

/** The Server object of a client that does not bootstrap: instance i is session i. */
using server_object = basic_server_object<false>;

} // namespace lwm2m::client
