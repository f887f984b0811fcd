#pragma once
/**
 * @file client/bootstrap.hpp
 * The client side of the Bootstrap Interface (LwM2M 1.1.1 Core §6.1, 1.0 §5.2) that the
 * engine compiles in with `operation_set::bootstrap`: the Bootstrap-Server account it is
 * given (`bootstrap_config`), where a Client-Initiated Bootstrap is (`bootstrap_phase`), and
 * the operations' object-level work: Bootstrap-Write (`bootstrap_write`, which creates
 * instances and writes resources a DM server may not) and the link format of
 * Bootstrap-Discover (`write_bootstrap_discover`). The engine (`client/client.hpp`) drives
 * them. Allocation: none.
 */

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <lwm2m/client/dm.hpp>
#include <lwm2m/client/object_binding.hpp>
#include <lwm2m/client/registration.hpp>
#include <lwm2m/client/security_object.hpp>
#include <lwm2m/exchange/clock.hpp>
#include <lwm2m/exchange/endpoint.hpp>
#include <lwm2m/exchange/peer.hpp>
#include <lwm2m/format/content_format.hpp>
#include <lwm2m/format/link/writer.hpp>
#include <lwm2m/format/output_window.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::client {

/**
 * The client's Bootstrap-Server account: its Security instance (/0/x with Bootstrap-Server
 * true) and how the engine reaches the accounts the Bootstrap-Server writes.
 */
struct bootstrap_config {
    exchange::peer_id peer{};                 ///< the adapter's handle for the Bootstrap-Server address
    std::string_view uri{};                   ///< /0/x/0 (informative; listed by Bootstrap-Discover)
    std::uint16_t instance = 0;               ///< x: its Security object instance id
    std::uint32_t hold_off = 0;               ///< /0/x/11 Client Hold Off Time: seconds before the Bootstrap-Request
    /// /0/x/12 Bootstrap-Server Account Timeout: seconds after a finished bootstrap at which the
    /// client purges the account (its Security instance); 0: kept (Core Appendix E.1)
    std::uint32_t account_timeout = 0;
    /** `pct` of the Bootstrap-Request (1.1, Core §6.1.7.1), the format the client prefers. */
    std::optional<format::content_format> preferred_format{};
    /**
     * The adapter's peer for a DM server account the Bootstrap-Server wrote (its Security
     * instance /0/y: URI, Security Mode, PSK identity and key), asked at Bootstrap-Finish. The
     * adapter sets up what the account asks (a DTLS session with the PSK for mode 0 and a
     * coaps:// URI, Core Appendix E.1); nullopt (an account it cannot use: a URI it cannot
     * reach, a mode it does not have) makes the configuration inconsistent (4.06). Null: no DM
     * server can be bootstrapped.
     */
    std::optional<exchange::peer_id> (*resolve_peer)(void* context, const security_instance& account) = nullptr;
    void* context = nullptr;
};

/** Where a Client-Initiated Bootstrap is. */
enum class bootstrap_phase : std::uint8_t {
    none,           ///< not bootstrapping (no Bootstrap-Server, or DM servers to register with)
    hold_off,       ///< waiting for the Client Hold Off Time
    requesting,     ///< Bootstrap-Request sent, waiting for its 2.04
    bootstrapping,  ///< taking the Bootstrap-Server's operations until Bootstrap-Finish
    retry_wait,     ///< the Bootstrap-Request failed or the bootstrap never finished: trying again later
    finished,       ///< Bootstrap-Finish answered 2.04: registering with the new accounts
};

/** The engine's state of a bootstrap, and the Security object with `Accounts` slots. */
template <std::size_t Accounts>
struct bootstrap_state {
    security_object<Accounts> security{};
    bootstrap_config config{};
    bootstrap_phase phase = bootstrap_phase::none;
    bool finish_pending = false;        ///< 2.04 to Finish queued: registering follows
    exchange::request_handle pending{}; ///< the Bootstrap-Request
    time_point next_action{};           ///< hold-off end, retry time, the bootstrap's deadline, or the account's purge
    std::uint32_t attempts = 0;
};

/** Stands for `bootstrap_state` in a client without `operation_set::bootstrap`. */
struct no_bootstrap {};

namespace detail {
/** Up to N distinct instance ids of one payload. */
template <std::size_t N>
struct instance_id_set {
    std::array<std::uint16_t, N> ids{};
    std::size_t size = 0;
    result<void> add(std::uint16_t id) noexcept {
        for (std::size_t i = 0; i < size; ++i)
            if (ids[i] == id) return {};
        if (size == N) return fail(errc::capacity_exceeded);
        ids[size++] = id;
        return {};
    }
};
} // namespace detail

/**
 * Bootstrap-Write (LwM2M 1.1.1 Core §6.1.7.4, 1.0 §5.2.7.1): PUT on `/O`, `/O/I` or
 * `/O/I/R`. Every record is checked first (under `target`, in the schema, not executable —
 * read-only resources are written too —, a value), then the instances that do not exist are
 * created and the values written over what is there (nothing is reset).
 * Errors: `operation_not_allowed` (root target, an executable resource, no write hook, no
 * create hook for a missing instance), `not_found` (object or resource unknown),
 * `unsupported_content_format`, reader and hook errors, `capacity_exceeded` (more than 16
 * instances in one payload).
 */
template <format_set Formats>
[[nodiscard]] result<void> bootstrap_write(std::span<const object_binding> objects, const schema_registry& schemas,
                                           const path& target, std::uint16_t cf, bytes_view payload) noexcept {
    if (target.is_root()) return fail(errc::operation_not_allowed);
    const object_binding* o = dm::find_object(objects, target.object_id());
    if (o == nullptr) return fail(errc::not_found);
    if (o->ops->write == nullptr) return fail(errc::operation_not_allowed);
    if (!dm::supported_format<Formats>(cf)) return fail(errc::unsupported_content_format);
    detail::instance_id_set<16> instances;
    auto checked = dm::for_each_record<Formats>(cf, payload, target, &schemas, [&](const format::record& r) -> result<void> {
        if (!r.path.has_resource()) return fail(errc::invalid_argument);
        const resource_def* def = o->schema.find(r.path.resource_id());
        if (def == nullptr) return fail(errc::not_found);
        if (def->executable() || r.value.kind() == value_kind::none) return fail(errc::operation_not_allowed);
        if (!o->has_instance(r.path.instance_id()) && o->ops->create == nullptr) return fail(errc::operation_not_allowed);
        return instances.add(r.path.instance_id());
    });
    if (!checked) return checked;
    for (std::size_t i = 0; i < instances.size; ++i)
        if (!o->has_instance(instances.ids[i]))
            if (auto ok = o->ops->create(o->self, instances.ids[i]); !ok) return ok;
    return dm::for_each_record<Formats>(cf, payload, target, &schemas, [&](const format::record& r) -> result<void> {
        return o->ops->write(o->self, r.path, r.value);
    });
}

/**
 * Bootstrap-Discover (LwM2M 1.1.1 Core §6.1.7.3, 1.0 §5.2.7.3) of `target` (root or `/O`):
 * `</>;lwm2m=V` first, then each object and instance: `</O>;ver=X.Y` for an object whose
 * version is given as in Register (`dm::gives_version`: not 1.0, or any core object of a 1.1
 * client), `</O>` for an object without instances; a Security instance carries `uri` and,
 * unless it is the Bootstrap-Server's, `ssid`; a Server instance its `ssid`. `security` and
 * `servers` give those values.
 * Errors: `not_found` (object), `operation_not_allowed` (deeper target).
 */
template <std::size_t Accounts>
result<void> write_bootstrap_discover(std::span<const object_binding> objects, const security_object<Accounts>& security,
                                      std::span<const server_session> servers, std::string_view version,
                                      const path& target, format::output_window& out) noexcept {
    using namespace std::string_view_literals;
    if (target.depth() > 1) return fail(errc::operation_not_allowed);
    if (!target.is_root() && dm::find_object(objects, target.object_id()) == nullptr) return fail(errc::not_found);
    format::link::writer w{out};
    w.begin("/"sv);
    w.attribute("lwm2m"sv, version);
    for (const object_binding& o : objects) {
        if (!target.is_root() && o.id() != target.object_id()) continue;
        const std::size_t n = o.instance_count();
        const object_version v = o.schema.info().version;
        const bool versioned = dm::gives_version(o.id(), v, version != "1.0"sv);
        if (versioned || n == 0) {
            w.begin(*path::make(o.id()));
            if (versioned) dm::write_object_version(w, v);
        }
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint16_t id = o.instance_id(i);
            w.begin(*path::make(o.id(), id));
            if (o.id() == 0) {
                if (const security_instance* s = security.find(id)) {
                    if (!s->bootstrap_server) w.attribute("ssid"sv, std::uint64_t{s->ssid});
                    w.quoted_attribute("uri"sv, s->uri.text());
                }
            } else if (o.id() == 1) {
                for (const server_session& s : servers)
                    if (s.instance == id) w.attribute("ssid"sv, std::uint64_t{s.account.ssid});
            }
        }
    }
    return {};
}

} // namespace lwm2m::client
