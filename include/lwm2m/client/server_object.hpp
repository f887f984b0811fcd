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
#include <lwm2m/model/objects/lwm2m_server_v1_1.hpp>
#include <lwm2m/model/value.hpp>
#include <lwm2m/model/value_bytes.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::client {

namespace detail {
/** The Server object's schema: LwM2M 1.1's (resources 0-23) for a client that bootstraps, else 1.0's (0-8). */
template <bool V1_1>
[[nodiscard]] consteval const auto& server_schema() noexcept {
    if constexpr (V1_1) return objects::lwm2m_server_v1_1::object;
    else return objects::lwm2m_server_v1_0::object;
}
} // namespace detail

/**
 * The Server object (1, LwM2M 1.1.1 Core Appendix E.2) over the engine's server sessions.
 * Resources 0-8: Lifetime (1) and Binding (7) writes ask for an Update carrying `lt` / `b`;
 * Disable (4) and Registration Update Trigger (8) set flags the engine acts on once the 2.04
 * has gone out. Default pmin/pmax (2, 3) are optional and can be reset by a Write-replace of
 * the instance.
 * `ById` (a client with `operation_set::bootstrap`): instance ids are the sessions' `instance`
 * (its Bootstrap-Server names them), and the schema is object 1 v1.1 (`lwm2m_server_v1_1`):
 * Bootstrap-Request Trigger (9, present while the client has a Bootstrap-Server account),
 * Last Bootstrapped (12, when known), the registration procedure's values (13-20: no DM
 * operation in v1.1, the Bootstrap-Server writes them), Trigger (21), Preferred Transport (22)
 * and Mute Send (23). Else instance i is session i and the schema object 1 v1.0 (the smaller
 * code); the accounts' 1.1 values still drive the registration procedure.
 */
template <bool ById>
class basic_server_object {
public:
    static constexpr const auto& schema = detail::server_schema<ById>();
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
        default: break;
        }
        if constexpr (ById) {
            namespace t = objects::lwm2m_server_v1_1;
            const auto present = [&](bool yes, auto v) -> result<void> {
                if (!yes) return fail(errc::not_found);
                return out.value(v);
            };
            switch (p.resource_id()) {
            case t::last_bootstrapped: return present(a.last_bootstrapped != 0, value::of_time(std::int64_t{a.last_bootstrapped}));
            case t::registration_priority_order:
                return present(a.priority_order.has_value(), value::of_unsigned(a.priority_order.value_or(0)));
            case t::initial_registration_delay_timer: return out.value(value::of_unsigned(a.initial_delay));
            case t::registration_failure_block: return out.value(a.failure_block);
            case t::bootstrap_on_registration_failure: return out.value(a.bootstrap_on_failure);
            case t::communication_retry_count: return out.value(value::of_unsigned(a.retry_count));
            case t::communication_retry_timer: return out.value(value::of_unsigned(a.retry_timer.value_or(60)));
            case t::communication_sequence_delay_timer: return out.value(value::of_unsigned(a.sequence_delay));
            case t::communication_sequence_retry_count: return out.value(value::of_unsigned(a.sequence_retry_count));
            case t::trigger: return present(a.trigger.has_value(), a.trigger.value_or(false));
            case t::preferred_transport:
                return present(a.preferred_transport != 0, std::string_view{&a.preferred_transport, 1});
            case t::mute_send: return out.value(a.mute_send);
            default: break;
            }
        }
        return fail(errc::not_found);
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
        default: break;
        }
        if constexpr (ById) return write_1_1(a, p, v);
        return fail(errc::operation_not_allowed);
    }
    result<void> reset(const path& p) noexcept {
        namespace s = objects::lwm2m_server_v1_0;
        server_account& a = session(p.instance_id())->account;
        if (p.resource_id() == s::default_minimum_period) a.default_pmin.reset();
        else if (p.resource_id() == s::default_maximum_period) a.default_pmax.reset();
        if constexpr (ById) {
            namespace t = objects::lwm2m_server_v1_1;
            if (p.resource_id() == t::registration_priority_order) a.priority_order.reset();
            else if (p.resource_id() == t::trigger) a.trigger.reset();
            else if (p.resource_id() == t::preferred_transport) a.preferred_transport = 0;
        }
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
        if constexpr (ById) {
            // Bootstrap-Request Trigger (1.1.1 Core E.2 /1/x/9): the engine starts a Client-Initiated
            // Bootstrap once the 2.04 has gone out; absent (4.04) without a Bootstrap-Server account.
            if (p.resource_id() == objects::lwm2m_server_v1_1::bootstrap_request_trigger) {
                if (!bootstrap_account) return fail(errc::not_found);
                slot.bootstrap_requested = true;
                return {};
            }
        }
        return fail(errc::operation_not_allowed);
    }
    [[nodiscard]] bool has_resource(const path& p) const noexcept {
        namespace s = objects::lwm2m_server_v1_0;
        const server_account& a = session(p.instance_id())->account;
        if (p.resource_id() == s::default_minimum_period) return a.default_pmin.has_value();
        if (p.resource_id() == s::default_maximum_period) return a.default_pmax.has_value();
        if constexpr (ById) {
            namespace t = objects::lwm2m_server_v1_1;
            switch (p.resource_id()) {
            case t::bootstrap_request_trigger: return bootstrap_account;
            case t::apn_link:
            case t::tls_dtls_alert_code: return false;
            case t::last_bootstrapped: return a.last_bootstrapped != 0;
            case t::registration_priority_order: return a.priority_order.has_value();
            case t::trigger: return a.trigger.has_value();
            case t::preferred_transport: return a.preferred_transport != 0;
            default: return p.resource_id() <= t::mute_send;
            }
        }
        return p.resource_id() <= s::registration_update_trigger;
    }

    /** The client has a Bootstrap-Server account: /1/x/9 exists (kept by the engine). */
    bool bootstrap_account = false;

private:
    /** Writes of resources 13-23 (a DM server reaches 21-23; the Bootstrap-Server all of them). */
    static result<void> write_1_1(server_account& a, const path& p, const value& v) noexcept {
        namespace t = objects::lwm2m_server_v1_1;
        const auto u32 = [&]() -> result<std::uint32_t> {
            const bool is_unsigned = v.kind() == value_kind::unsigned_integer;
            if (!is_unsigned && v.kind() != value_kind::integer) return fail(errc::type_mismatch);
            if (!is_unsigned && v.as_integer() < 0) return fail(errc::number_out_of_range);
            const std::uint64_t x = is_unsigned ? v.as_unsigned() : static_cast<std::uint64_t>(v.as_integer());
            if (x > 0xFFFFFFFF) return fail(errc::number_out_of_range);
            return static_cast<std::uint32_t>(x);
        };
        const auto set = [&](std::uint32_t& field) -> result<void> {
            LWM2M_TRY(x, u32());
            field = x;
            return {};
        };
        switch (p.resource_id()) {
        case t::registration_priority_order: {
            LWM2M_TRY(x, u32());
            a.priority_order = x;
            return {};
        }
        case t::initial_registration_delay_timer: return set(a.initial_delay);
        case t::registration_failure_block: a.failure_block = v.as_boolean(); return {};
        case t::bootstrap_on_registration_failure: a.bootstrap_on_failure = v.as_boolean(); return {};
        case t::communication_retry_count: return set(a.retry_count);
        case t::communication_retry_timer: {
            LWM2M_TRY(x, u32());
            a.retry_timer = x;
            return {};
        }
        case t::communication_sequence_delay_timer: return set(a.sequence_delay);
        case t::communication_sequence_retry_count: return set(a.sequence_retry_count);
        case t::trigger: a.trigger = v.as_boolean(); return {};
        case t::preferred_transport: {
            // One transport binding only (E.2 /1/x/22): U, S, T or N.
            std::array<std::byte, 2> text{};
            const auto n = copy_value_bytes(v, text);
            if (!n || *n != 1) return fail(errc::invalid_argument);
            const char c = static_cast<char>(text[0]);
            if (c != 'U' && c != 'S' && c != 'T' && c != 'N') return fail(errc::invalid_argument);
            a.preferred_transport = c;
            return {};
        }
        case t::mute_send: a.mute_send = v.as_boolean(); return {};
        default: return fail(errc::operation_not_allowed);
        }
    }

    server_session* sessions_;
    const std::size_t* count_;
};

/** The Server object of a client that does not bootstrap: instance i is session i. */
using server_object = basic_server_object<false>;

} // namespace lwm2m::client
