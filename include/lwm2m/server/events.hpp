#pragma once
/**
 * @file server/events.hpp
 * The vocabulary between the LwM2M server engine (`server/engine.hpp`) and its application:
 * what a request to a client is (`request_spec`), how its outcome comes back
 * (`request_result`), notifications, Send reports, registration events, and the
 * `server_handler` concept the application implements to receive them.
 *
 * Everything delivered to the handler (string views, records, payloads) views the engine's
 * or the datagram's memory and is valid only during the callback: copy what you keep.
 * Allocation: none.
 */

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/coap/code.hpp>
#include <lwm2m/errc.hpp>
#include <lwm2m/exchange/clock.hpp>
#include <lwm2m/exchange/peer.hpp>
#include <lwm2m/format/content_format.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/model/attributes.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>
#include <lwm2m/server/registration_store.hpp>

namespace lwm2m::server {

/** Identifies one request the application issued (and, for Observe, the observation). Never 0. */
struct request_id {
    std::uint32_t value = 0;
    friend constexpr bool operator==(request_id, request_id) noexcept = default;
};

/** Device Management and Information Reporting operations (LwM2M 1.1 Core §6.3, §6.4). */
enum class operation : std::uint8_t {
    read,               ///< GET (+Accept)
    discover,           ///< GET, Accept: link-format (40)
    write_replace,      ///< PUT with a payload
    write_partial,      ///< POST /O/I with a payload (partial update)
    write_attributes,   ///< PUT with pmin/pmax/gt/lt/st/epmin/epmax queries, no payload
    execute,            ///< POST /O/I/R with optional text arguments
    create,             ///< POST /O with a payload; the new instance comes back in `request_result::location`
    remove,             ///< DELETE (the LwM2M "Delete")
    read_composite,     ///< FETCH / with a SenML path list
    write_composite,    ///< iPATCH / with SenML records
    observe,            ///< GET + Observe=0
    observe_composite,  ///< FETCH / + Observe=0 with a SenML path list
    cancel_observe,     ///< GET + Observe=1 on an observation's token (active cancel)
};

/** "read", "discover", ... for logs. */
[[nodiscard]] constexpr std::string_view name(operation op) noexcept {
    constexpr std::string_view names[] = {"read",    "discover",       "write_replace",   "write_partial", "write_attributes",
                                          "execute", "create",         "delete",          "read_composite", "write_composite",
                                          "observe", "observe_composite", "cancel_observe"};
    return names[static_cast<std::uint8_t>(op)];
}

/**
 * One request to a client. Build it with the named constructors (`request_spec::read(p)`,
 * `::write(p, records)`...). Views (records, paths, payload, arguments) need only live until
 * `engine::submit` returns: the engine encodes them into its own request slot at once.
 */
struct request_spec {
    operation op = operation::read;
    lwm2m::path target{};
    /** Overrides the per-client default content format (payload format, and Accept of reads). */
    std::optional<format::content_format> format{};
    /** Values of write_replace / write_partial / create / write_composite (absolute paths). */
    std::span<const format::record> records{};
    /** A ready payload instead of `records` (in `format`, which is then required). */
    bytes_view payload{};
    /** Paths of read_composite / observe_composite. */
    std::span<const lwm2m::path> paths{};
    /** write_attributes: the attributes to set. */
    notification_attributes attributes{};
    /** write_attributes: attributes to remove (bit `1 << attribute_name`), sent as "?pmin". */
    std::uint8_t remove_attributes = 0;
    /** execute: the argument text (LwM2M 1.1 Core §5.4.5, e.g. "0='on',1"). */
    std::string_view arguments{};
    /** Confirmable (default) or non-confirmable request. */
    bool confirmable = true;

    [[nodiscard]] static constexpr request_spec read(const lwm2m::path& p) noexcept { return {operation::read, p}; }
    [[nodiscard]] static constexpr request_spec discover(const lwm2m::path& p) noexcept { return {operation::discover, p}; }
    [[nodiscard]] static constexpr request_spec write(const lwm2m::path& p, std::span<const format::record> r,
                                                      bool replace = true) noexcept {
        request_spec s{replace ? operation::write_replace : operation::write_partial, p};
        s.records = r;
        return s;
    }
    [[nodiscard]] static constexpr request_spec write_attributes(const lwm2m::path& p, const notification_attributes& a,
                                                                 std::uint8_t remove = 0) noexcept {
        request_spec s{operation::write_attributes, p};
        s.attributes = a;
        s.remove_attributes = remove;
        return s;
    }
    [[nodiscard]] static constexpr request_spec execute(const lwm2m::path& p, std::string_view args = {}) noexcept {
        request_spec s{operation::execute, p};
        s.arguments = args;
        return s;
    }
    [[nodiscard]] static constexpr request_spec create(const lwm2m::path& object, std::span<const format::record> r) noexcept {
        request_spec s{operation::create, object};
        s.records = r;
        return s;
    }
    [[nodiscard]] static constexpr request_spec remove(const lwm2m::path& p) noexcept { return {operation::remove, p}; }
    [[nodiscard]] static constexpr request_spec read_composite(std::span<const lwm2m::path> ps) noexcept {
        request_spec s{operation::read_composite, lwm2m::path{}};
        s.paths = ps;
        return s;
    }
    [[nodiscard]] static constexpr request_spec write_composite(std::span<const format::record> r) noexcept {
        request_spec s{operation::write_composite, lwm2m::path{}};
        s.records = r;
        return s;
    }
    [[nodiscard]] static constexpr request_spec observe(const lwm2m::path& p) noexcept { return {operation::observe, p}; }
    [[nodiscard]] static constexpr request_spec observe_composite(std::span<const lwm2m::path> ps) noexcept {
        request_spec s{operation::observe_composite, lwm2m::path{}};
        s.paths = ps;
        return s;
    }
};

/**
 * The outcome of a request. Either `failure` is set (the request never got an answer:
 * `timeout`, `reset_received`, `not_registered` — the registration ended before the answer —,
 * `cancelled`), or `code` is the client's response code with its decoded content.
 */
struct request_result {
    request_id id{};
    operation op = operation::read;
    std::string_view endpoint{};
    lwm2m::path target{};
    std::optional<errc> failure{};
    coap::code code = coap::code::empty;
    std::optional<format::content_format> content_format{};
    bytes_view payload{};                       ///< raw body (Discover: the link-format text)
    std::span<const format::record> records{};  ///< decoded values (read, composite, observe)
    std::optional<error> decode_error{};        ///< the body could not be decoded (records holds what was read)
    std::optional<lwm2m::path> location{};      ///< create: the instance named by the 2.01 Location-Path
    bool observing = false;                     ///< observe: the client accepted the observation

    /** True when the client answered with a 2.xx code. */
    [[nodiscard]] constexpr bool ok() const noexcept { return !failure && coap::is_success(code); }
};

/**
 * A notification of an observation (RFC 7641 §3.2, LwM2M 1.1 Core §6.4.2). `ended` is set
 * when it was the last one: an error code from the client, or (`failure` = `not_registered`)
 * the registration ended, or (`failure` = `cancelled`) the observation was cancelled.
 */
struct notification {
    request_id observation{};
    std::string_view endpoint{};
    lwm2m::path target{};       ///< the observed path (root for Observe-Composite)
    bool composite = false;
    std::uint32_t sequence = 0;  ///< the Observe value
    coap::code code = coap::code::empty;
    std::optional<format::content_format> content_format{};
    bytes_view payload{};
    std::span<const format::record> records{};
    std::optional<error> decode_error{};
    std::optional<errc> failure{};
    bool ended = false;
};

/** A Send (LwM2M 1.1 Core §6.4.3, POST /dp) from a registered client, already answered 2.04. */
struct send_report {
    std::string_view endpoint{};
    exchange::peer_id peer{};
    format::content_format content_format = format::content_format::senml_cbor;
    std::span<const format::record> records{};
    bytes_view payload{};
};

/** A read-only view of one registration (valid during the callback / until the store changes). */
struct registration_view {
    std::string_view endpoint{};
    std::uint32_t location = 0;        ///< the `<id>` of /rd/<id> (its text is lowercase hex)
    exchange::peer_id peer{};
    std::uint32_t lifetime = 0;        ///< seconds
    lwm2m_version version = lwm2m_version::v1_0;
    binding_mode binding{};
    bool queue = false;
    std::string_view sms{};
    std::string_view alternate_root{};
    announced_formats formats{};
    std::span<const object_link> links{};
    bool links_truncated = false;
    time_point registered_at{};
    time_point last_update{};
    time_point expires{};

    template <class Slot>
    [[nodiscard]] static constexpr registration_view of(const Slot& s) noexcept {
        return registration_view{s.name(),  s.location, s.peer,    s.lifetime,       s.version,       s.binding,
                                 s.queue,   s.sms(),    s.alternate_root(), s.formats, s.links(), s.links_truncated,
                                 s.registered_at, s.last_update, s.expires};
    }
};

/** What happened to a registration. */
enum class registration_event_kind : std::uint8_t {
    registered,    ///< 2.01 to a Register (`replaced`: an earlier registration of the name ended)
    updated,       ///< 2.04 to an Update
    deregistered,  ///< 2.02 to a De-register
    expired,       ///< the lifetime passed without Update (Core §6.2.2)
};

struct registration_event {
    registration_event_kind kind = registration_event_kind::registered;
    registration_view registration{};
    bool replaced = false;         ///< registered: an earlier registration of the same endpoint name was dropped
    std::optional<exchange::peer_id> previous_peer{};  ///< replaced: where that registration came from
    std::uint32_t previous_location = 0;                ///< replaced: its location id (no longer valid)
    bool links_changed = false;    ///< updated: the Update carried a new link payload
};

/**
 * What the application provides to receive the engine's reports. They are called from inside
 * `on_datagram`, `on_timeout` and `cancel_observation` (never from `submit`: a request that
 * cannot be issued is reported by its return value), and may call `submit` or
 * `cancel_observation` on the engine.
 */
template <class H>
concept server_handler = requires(H& h, const registration_event& e, const request_result& r, const notification& n,
                                  const send_report& s) {
    { h.on_registration(e) } -> std::same_as<void>;
    { h.on_result(r) } -> std::same_as<void>;
    { h.on_notification(n) } -> std::same_as<void>;
    { h.on_send(s) } -> std::same_as<void>;
};

/**
 * Optional handler member: `bool may_register(peer_id, std::string_view endpoint)` decides
 * whether `peer` (as its transport authenticated it, e.g. its DTLS PSK identity) may hold the
 * registration of `endpoint` (LwM2M 1.1 Core §7.1: the server checks the endpoint name
 * against the client's credentials). Asked at Register (no: 4.03 Forbidden, §6.2.1) and when
 * an Update or De-register comes from another peer than the registration's (no: 4.04, as
 * for an unknown location, so nothing is revealed). Without the member every peer may.
 */
template <class H>
concept registration_authorizer = requires(H& h, exchange::peer_id p, std::string_view endpoint) {
    { h.may_register(p, endpoint) } -> std::same_as<bool>;
};

/** A request held or in flight, as `engine::pending` lists it. */
struct pending_request {
    request_id id{};
    operation op = operation::read;
    lwm2m::path target{};
    bool held = false;  ///< queue mode: waiting for the client to wake up (Register/Update)
};

} // namespace lwm2m::server
