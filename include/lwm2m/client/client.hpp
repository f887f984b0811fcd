#pragma once
/**
 * @file client/client.hpp
 * `client::engine`: the sans-I/O LwM2M client (LwM2M 1.1 Core / 1.0). It owns an
 * `exchange::endpoint` and drives, per LwM2M Server, the Registration interface (§6.2:
 * Register, Update, De-register, Disable), answers the Device Management interface (§6.3:
 * Read, Discover, Write, Write-Attributes, Execute, Create, Delete) from bound objects
 * (`client/object_binding.hpp`) and reports observed values (§6.4: Observe, Cancel,
 * notifications honouring pmin/pmax/gt/lt/st/epmin/epmax).
 *
 * Driving it (the same shape as every engine of the toolkit):
 * @code
 *   engine.start(now);                                  // registers with every server
 *   engine.on_datagram(peer, bytes, now);               // a received datagram
 *   engine.on_timeout(now);                             // next_deadline() was reached
 *   while (auto t = engine.poll_transmit(buf)) send(t->peer, buf.first(t->size));
 *   // or, with no transmit buffer: while (auto d = engine.poll_datagram()) send(d->peer, d->bytes);
 *   engine.next_deadline();                             // when to call on_timeout
 *   engine.value_changed("/3311/0/5850"_path, now);     // the application changed a value
 * @endcode
 *
 * The Server object (1) is built in: one instance per `server_account` added (instance id =
 * the order of addition), resources 0-8 of the 1.0 schema (0-23 of the 1.1 one with
 * `operation_set::bootstrap`, for a client registering as 1.1: `client/server_object.hpp`),
 * where Lifetime and Binding writes cause an Update and /1/x/4 Disable and /1/x/8
 * Registration Update Trigger act on the registration; the registration procedure follows
 * each account's /1/x/13-20 (`client/registration.hpp`). The Security object (0) exists only as server accounts: any DM request on
 * /0 is answered 4.01 Unauthorized (it is reserved to the Bootstrap-Server, 1.0 §E.1) and it
 * is never listed in Register. With `operation_set::bootstrap` the client also has a
 * Bootstrap-Server account (`set_bootstrap_server`): with no DM server account, `start`
 * bootstraps first (Client-Initiated Bootstrap, LwM2M 1.1.1 Core §6.1; `client/bootstrap.hpp`),
 * the Bootstrap-Server writing the Security object (`client/security_object.hpp`) and the
 * Server object, then registers with the accounts it was given. Other objects (Device,
 * Connectivity Monitoring, the application's) are bound with `add_object`.
 *
 * Capacities are the `client_limits` template parameters; randomness (tokens, message IDs,
 * retransmission jitter) comes from the injected `Random`. Nothing is allocated, nothing
 * throws, no clock or socket is touched.
 */

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

#include <lwm2m/bytes.hpp>
#include <lwm2m/client/attribute_store.hpp>
#include <lwm2m/client/bootstrap.hpp>
#include <lwm2m/client/dm.hpp>
#include <lwm2m/client/execute_args.hpp>
#include <lwm2m/client/object_binding.hpp>
#include <lwm2m/client/observation.hpp>
#include <lwm2m/client/operation_set.hpp>
#include <lwm2m/client/record_buffer.hpp>
#include <lwm2m/client/streamed_read.hpp>
#include <lwm2m/client/registration.hpp>
#include <lwm2m/client/response_code.hpp>
#include <lwm2m/client/server_object.hpp>
#include <lwm2m/model/objects/lwm2m_server_v1_0.hpp>
#include <lwm2m/coap/code.hpp>
#include <lwm2m/coap/message_builder.hpp>
#include <lwm2m/coap/message_view.hpp>
#include <lwm2m/coap/observe.hpp>
#include <lwm2m/coap/token.hpp>
#include <lwm2m/divide.hpp>
#include <lwm2m/encoding/number_text.hpp>
#include <lwm2m/exchange/clock.hpp>
#include <lwm2m/exchange/endpoint.hpp>
#include <lwm2m/exchange/peer.hpp>
#include <lwm2m/exchange/response.hpp>
#include <lwm2m/format/content_format.hpp>
#include <lwm2m/format/output_window.hpp>
#include <lwm2m/model/attributes.hpp>
#include <lwm2m/model/schema_registry.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::client {

/**
 * Capacities of a client engine, and the content formats it supports (`Formats`: only their
 * codecs are compiled in; Register advertises them; a request in another format gets 4.15,
 * an Accept of another 4.06).
 *
 * `MaxPending`, `DedupEntries` and `QueueLength` size the CoAP endpoint, which holds most of
 * the RAM (each pending slot keeps a whole `MaxMessage` datagram): `MaxPending` requests and
 * CON notifications in flight (and NON notifications not yet polled), `DedupEntries` answers
 * kept for duplicate detection (RFC 7252 §4.5; the oldest is forgotten first; each keeps up
 * to `CachedAnswer` bytes, see exchange::endpoint_limits::cached_answer), `QueueLength`
 * datagrams waiting for `poll_transmit` (the oldest is dropped when full; CON traffic is
 * retransmitted). A notification that finds no free pending slot is retried 1 s later. The
 * defaults suit a gateway-class device; a small device can use e.g. 3 / 2 / 4.
 * `Operations`: the optional DM operations compiled in (Create/Delete, the composite ones,
 * Discover, Bootstrap, the gt/lt/st attributes; see operation_set.hpp). `ThresholdInstances`:
 * see `threshold_instances`.
 */
template <std::size_t MaxMessage = 1152, std::size_t MaxServers = 2, std::size_t MaxObjects = 16,
          std::size_t MaxObservations = 8, std::size_t MaxAttributes = 16, std::size_t MaxRecords = 64,
          std::size_t ArenaBytes = 2048, format_set Formats = format_set::all,
          std::size_t MaxPending = MaxServers + MaxObservations + 6, std::size_t DedupEntries = 16,
          std::size_t QueueLength = 16, std::size_t MaxBody = 0, std::size_t CompositePaths = 4,
          std::size_t CachedAnswer = 64, operation_set Operations = operation_set::all,
          std::size_t ThresholdInstances = 4>
struct client_limits {
    static constexpr format_set formats = Formats;               ///< content formats read and written
    static constexpr operation_set operations = Operations;      ///< optional DM operations compiled in
    static constexpr std::size_t max_message = MaxMessage;        ///< largest datagram
    static constexpr std::size_t max_servers = MaxServers;        ///< LwM2M Servers (Server object instances)
    static constexpr std::size_t max_objects = MaxObjects;        ///< bound objects, the Server object included
    static constexpr std::size_t max_observations = MaxObservations;
    static constexpr std::size_t max_attributes = MaxAttributes;  ///< Write-Attributes sets kept
    /// values one Read-Composite, Observe-Composite notification or Send may hold (a plain Read
    /// or notification needs none: it is encoded straight from the objects)
    static constexpr std::size_t max_records = MaxRecords;
    static constexpr std::size_t arena_bytes = ArenaBytes;        ///< text/opaque bytes those may hold
    static constexpr std::size_t max_pending = MaxPending;        ///< endpoint slots (requests, notifications)
    static constexpr std::size_t dedup_entries = DedupEntries;    ///< answers kept for duplicate detection
    static constexpr std::size_t queue_length = QueueLength;      ///< datagrams waiting for poll_transmit
    /**
     * Largest request body taken in Block1 blocks (RFC 7959 §2.3): a Write or Create whose
     * body does not fit one datagram. 0 (the default): not taken, such a request gets 4.13
     * with Size1. Costs MaxMessage + MaxBody bytes of RAM (see exchange::endpoint_limits).
     */
    static constexpr std::size_t max_body = MaxBody;
    /**
     * Paths one Observe-Composite may list (LwM2M 1.1 Core §6.4.3), kept per observation. A
     * FETCH with more paths is answered as a plain Read-Composite (RFC 7641 §4.1).
     */
    static constexpr std::size_t composite_paths = CompositePaths;
    static_assert(CompositePaths <= 255);
    /**
     * Resource Instances whose last notified value an observation of a multi-instance numeric
     * resource keeps, to judge gt/lt/st instance by instance (LwM2M 1.2 Core §5.1.2): 10 bytes
     * each per observation. A resource with more instances is notified on every change. 0:
     * gt/lt/st are not taken on a whole multi-instance resource (4.00, as before LwM2M 1.2;
     * still taken on one of its instances) and none of this code is compiled in.
     */
    static constexpr std::size_t threshold_instances = ThresholdInstances;
    static_assert(ThresholdInstances <= 255);
    /** The endpoint (by default: one request per server, one CON notification per observation, 4 Sends in flight, 2 spare). */
    using endpoint_limits =
        exchange::endpoint_limits<MaxMessage, MaxPending, DedupEntries, QueueLength, 1, 8, MaxBody, CachedAnswer>;
};

/** What happened to a registration, for logs and applications (`client_config::on_event`). */
enum class client_event_kind : std::uint8_t {
    registered,        ///< 2.01 to Register
    updated,           ///< 2.04 to Update
    register_failed,   ///< error or timeout on Register; a retry is scheduled, or `registration_failed` follows
    update_failed,     ///< error or timeout on Update; the client registers again
    deregistered,      ///< De-register answered (or timed out)
    disabled,          ///< /1/x/4 executed; silent until the Disable Timeout ends
    send_acknowledged, ///< 2.04 to a Send (/dp)
    send_failed,       ///< error or timeout on a Send
    sleeping,          ///< queue mode: idle for the awake time; the adapter may power the radio down (ssid 0)
    woke_up,           ///< queue mode: awake again (an Update goes out first; ssid 0)
    bootstrap_finished, ///< Bootstrap-Finish answered 2.04: registering with the new accounts (ssid 0)
    /// the Bootstrap-Request failed (its code; 0.00: timeout) or the bootstrap did not finish
    /// within EXCHANGE_LIFETIME of the last operation: a new Bootstrap-Request is scheduled (ssid 0)
    bootstrap_failed,
    /// every communication sequence of Register failed (LwM2M 1.1.1 Core §6.2.1.1; the last
    /// code, 0.00: timeout): the server is given up, and a bootstrap follows when its
    /// Bootstrap on Registration Failure (/1/x/16) is true and there is a Bootstrap-Server account
    registration_failed,
};

/** One registration event. `code` is the response code, or empty (0.00) for a timeout. */
struct client_event {
    client_event_kind kind{};
    std::uint16_t ssid = 0;
    coap::code code = coap::code::empty;
};

/** Static configuration of a client. Views must outlive the engine. */
struct client_config {
    std::string_view endpoint_name{};          ///< `ep` (mandatory)
    std::string_view lwm2m_version = std::string_view{"1.1", 3};  ///< `lwm2m` ("1.0" or "1.1")
    std::string_view msisdn{};                 ///< `sms` when not empty
    /**
     * Queue Mode (LwM2M 1.1 Core §6.5, Transport §6; 1.0 §5.3.1 binding "UQ"): adds `Q` to
     * Register, and the client sleeps (`client_event_kind::sleeping`, `engine::sleeping()`)
     * after `queue_awake_time` without any exchange. Notifications due while asleep are held
     * (the latest value of each observation is sent); waking up (`engine::wake`, a held
     * notification, the Update timer, a datagram the adapter still delivers) sends an Update
     * first and the held notifications once it is answered.
     */
    bool queue_mode = false;
    /** Queue mode: how long the client stays awake after the last exchange; zero means
     *  MAX_TRANSMIT_WAIT of `transmission` (93 s by default, Transport §6). */
    duration queue_awake_time = duration::zero();
    /** Format of Read/notification answers with several values and no Accept. */
    format::content_format multi_value_format = format::content_format::tlv;
    /** Answer DM requests from peers that are not a configured server, as the first server
     *  (useful with generic CoAP tools; off by default: such requests get 4.01). */
    bool accept_unknown_peers = false;
    /** Send every notification confirmable (else NON, with a CON at least every 24 h, RFC 7641 §4.5). */
    bool confirmable_notifications = false;
    /// Communication Retry Timer of an account that does not set /1/x/18 (rounded down to
    /// seconds), and the first retry delay of a Bootstrap-Request
    duration retry_initial = std::chrono::seconds(60);
    duration retry_max = std::chrono::seconds(3600);    ///< cap of the Bootstrap-Request back-off
    exchange::transmission_parameters transmission{};
    /** Optional event hook. */
    void (*on_event)(void* context, const client_event&) = nullptr;
    void* event_context = nullptr;
};

namespace detail {
/** `Limits::formats`, or every format for limits types written before it existed. */
template <class Limits>
[[nodiscard]] consteval format_set formats_of() noexcept {
    if constexpr (requires { Limits::formats; }) return Limits::formats;
    else return format_set::all;
}

/** `Limits::operations`, or every operation for limits types written before it existed. */
template <class Limits>
[[nodiscard]] consteval operation_set operations_of() noexcept {
    if constexpr (requires { Limits::operations; }) return Limits::operations;
    else return operation_set::all;
}

/** `Limits::threshold_instances`, or 0 (gt/lt/st refused on a multi-instance resource) for limits types written before it existed. */
template <class Limits>
[[nodiscard]] consteval std::size_t threshold_instances_of() noexcept {
    if constexpr (requires { Limits::threshold_instances; }) return Limits::threshold_instances;
    else return 0;
}

/** The `ct` value of the root link of Register (LwM2M 1.1 Core §6.2.1) for a format set. */
template <format_set Formats>
struct ct_list {
    static constexpr auto text = [] {
        struct entry {
            format_set bit;
            std::string_view number;
        };
        constexpr entry entries[] = {{format_set::text, "0"},           {format_set::opaque, "42"},
                                     {format_set::cbor, "60"},          {format_set::senml_json, "110"},
                                     {format_set::senml_cbor, "112"},   {format_set::tlv, "11542"}};
        std::array<char, 24> out{};
        std::size_t n = 0;
        for (const entry& e : entries) {
            if (!contains(Formats, e.bit)) continue;
            if (n != 0) out[n++] = ' ';
            for (char c : e.number) out[n++] = c;
        }
        return std::pair{out, n};
    }();
    static constexpr std::string_view view{text.first.data(), text.second};
};
} // namespace detail

template <class Limits, coap::random_source Random>
class engine {
    using endpoint_type = exchange::endpoint<typename Limits::endpoint_limits, Random>;
    static constexpr format_set formats = detail::formats_of<Limits>();
    static constexpr operation_set operations = detail::operations_of<Limits>();
    static constexpr bool has(operation_set o) noexcept { return contains(operations, o); }
    static constexpr std::size_t threshold_instances = detail::threshold_instances_of<Limits>();
    struct no_instance_values {};
    static constexpr std::size_t instance_capacity = threshold_instances > 0 ? threshold_instances : 1;
    static constexpr bool bootstraps = contains(operations, operation_set::bootstrap);
    // The Security object holds every DM server account and the Bootstrap-Server's.
    using bootstrap_part = std::conditional_t<bootstraps, bootstrap_state<Limits::max_servers + 1>, no_bootstrap>;

public:
    engine(const client_config& config, Random random) noexcept
        : config_(config), endpoint_(random, config.transmission), server_object_{servers_.data(), &server_count_} {
        (void)add_binding(server_binding(bind(server_object_)));
    }
    engine(const engine&) = delete;
    engine& operator=(const engine&) = delete;

    // ---- configuration ----------------------------------------------------------------------

    /** Adds an LwM2M Server (a Server object instance). Errors: `capacity_exceeded`, `invalid_argument` (ssid 0/65535 or duplicate). */
    result<void> add_server(const server_account& account) noexcept {
        if (server_count_ == Limits::max_servers) return fail(errc::capacity_exceeded);
        if (account.ssid == 0 || account.ssid == 65535 || find_server_by_ssid(account.ssid) != nullptr)
            return fail(errc::invalid_argument);
        server_session& s = servers_[server_count_++];
        s = server_session{};
        s.account = account;
        s.set_binding(account.binding);
        fill_retry_timer(s.account);
        if constexpr (bootstraps)  // the lowest free instance id (a Bootstrap-Server may have named others)
            while (server_object_.session(s.instance) != &s) ++s.instance;
        return {};
    }

    /**
     * Sets the Bootstrap-Server account (LwM2M 1.1.1 Core §6.1.3; a Security instance with
     * Bootstrap-Server true): `start` with no DM server account then bootstraps
     * (Client-Initiated Bootstrap) and registers with the accounts it was given.
     * Requires `operation_set::bootstrap`. Errors: `instance_exists`, `capacity_exceeded`.
     */
    result<void> set_bootstrap_server(const bootstrap_config& c) noexcept
        requires bootstraps
    {
        security_instance s{};
        s.id = c.instance;
        s.bootstrap_server = true;
        s.hold_off = c.hold_off;
        s.account_timeout = c.account_timeout;
        s.peer = c.peer;
        if (auto ok = s.uri.assign(value::of_string(c.uri)); !ok) return ok;
        if (auto added = bs_.security.add(s); !added) return unexpected{added.error()};
        bs_.config = c;
        server_object_.bootstrap_account = true;
        return {};
    }

    /** Where the Client-Initiated Bootstrap is (`none` without `operation_set::bootstrap`). */
    [[nodiscard]] bootstrap_phase bootstrap_progress() const noexcept {
        if constexpr (bootstraps) return bs_.phase;
        else return bootstrap_phase::none;
    }

    /** The Security object instances (the Bootstrap-Server's and those it wrote). Requires `operation_set::bootstrap`. */
    [[nodiscard]] std::span<const security_instance> security_instances() const noexcept
        requires bootstraps
    {
        return bs_.security.instances();
    }

    /** Binds an application object (see `client::object`). Errors: `capacity_exceeded`, `invalid_argument` (object id taken, or 0/1). */
    template <object T>
    result<void> add_object(T& obj) noexcept {
        static_assert(config::float_values || !uses(T::schema.view(), data_type::float_),
                      "an object with a Float resource needs LWM2M_FLOAT_VALUES (config.hpp)");
        static_assert(config::base64_values || !uses(T::schema.view(), data_type::opaque),
                      "an object with an Opaque resource needs LWM2M_BASE64_VALUES (config.hpp)");
        if (T::schema.info.id <= 1) return fail(errc::invalid_argument);
        return add_binding(bind(obj));
    }

    // ---- driving ----------------------------------------------------------------------------

    /** Starts registering with every server. */
    void start(time_point now) noexcept {
        now_ = now;
        if constexpr (bootstraps) {
            // No DM server account: bootstrap first (LwM2M 1.1.1 Core §6.1.3), after the Client Hold Off Time.
            if (server_count_ == 0 && bs_.phase == bootstrap_phase::none) begin_bootstrap(now);
        }
        for (std::size_t i = 0; i < server_count_; ++i)
            if (servers_[i].state == registration_state::idle || servers_[i].state == registration_state::deregistered ||
                servers_[i].state == registration_state::failed)
                begin_registration(servers_[i]);
        process(now);
    }

    /** A datagram from `peer`. Datagrams from a disabled or de-registered server are dropped. */
    void on_datagram(exchange::peer_id peer, bytes_view datagram, time_point now) noexcept {
        now_ = now;
        if (const server_session* s = find_server_by_peer(peer))
            if (s->state == registration_state::disabled || s->state == registration_state::deregistered) return;
        // Queue mode: a datagram the adapter delivers while asleep is processed, and the client
        // wakes up (the Update then tells the server it is reachable).
        last_exchange_ = now;
        if (queue_state_ == queue_state::sleeping) begin_wake(now);
        dispatcher d{this};
        in_dispatch_ = true;
        endpoint_.on_datagram(peer, datagram, now, d);
        in_dispatch_ = false;
        process(now);
    }

    /** Call when `next_deadline()` has passed. */
    void on_timeout(time_point now) noexcept {
        now_ = now;
        dispatcher d{this};
        in_dispatch_ = true;
        endpoint_.on_timeout(now, d);
        in_dispatch_ = false;
        process(now);
    }

    /** The next datagram to send, copied into `out` (at least Limits::max_message bytes). */
    [[nodiscard]] std::optional<exchange::transmit> poll_transmit(mutable_bytes out) noexcept {
        auto t = endpoint_.poll_transmit(out);
        if (t) last_exchange_ = now_;
        return t;
    }

    /**
     * The next datagram to send, without a copy: its bytes are the engine's and stay valid
     * until the next call into the engine (exchange::endpoint::poll_datagram).
     */
    [[nodiscard]] std::optional<exchange::datagram> poll_datagram() noexcept {
        auto d = endpoint_.poll_datagram();
        if (d) last_exchange_ = now_;
        return d;
    }

    /** When `on_timeout` must be called next. */
    [[nodiscard]] std::optional<time_point> next_deadline() const noexcept {
        std::optional<time_point> d = endpoint_.next_deadline();
        const auto consider = [&d](time_point t) {
            if (!d || t < *d) d = t;
        };
        for (std::size_t i = 0; i < server_count_; ++i) {
            const server_session& s = servers_[i];
            if (s.start_pending && may_register(s)) consider(now_);
            switch (s.state) {
            case registration_state::registered:
                if (s.update_requested || s.disable_requested) consider(now_);
                else consider(s.next_update);
                break;
            case registration_state::retry_wait:
            case registration_state::disabled: consider(s.next_action); break;
            default: break;
            }
        }
        if (observation_deadline_) consider(*observation_deadline_);
        if constexpr (bootstraps) {
            if (bs_.phase == bootstrap_phase::hold_off || bs_.phase == bootstrap_phase::retry_wait ||
                bs_.phase == bootstrap_phase::bootstrapping)
                consider(bs_.next_action);
            else if (const security_instance* bs = bs_.security.bootstrap_account();
                     bs_.phase == bootstrap_phase::finished && bs != nullptr && bs->account_timeout != 0)
                consider(bs_.next_action);
        }
        // Queue mode: when the awake time ends (only ahead of now: once past, the next event decides).
        if (config_.queue_mode && queue_state_ == queue_state::awake && last_exchange_ + awake_time() > now_)
            consider(last_exchange_ + awake_time());
        return d;
    }

    /**
     * The application changed the value(s) at `p` (any level): observations of `p`, of its
     * ancestors and of its descendants are due for a notification (subject to pmin and the
     * thresholds). Call from outside the engine's callbacks, or from one (then the
     * notification goes out when the callback returns).
     */
    void value_changed(const path& p, time_point now) noexcept {
        mark_changed(p);
        if (!in_dispatch_) {
            now_ = now;
            process(now);
        }
    }

    /**
     * Queue mode: wakes the client up (e.g. the application has data to report): if it was
     * sleeping, an Update goes to every registered server and held notifications follow its
     * answer. Does nothing when awake.
     */
    void wake(time_point now) noexcept {
        if (!in_dispatch_) now_ = now;
        if (queue_state_ == queue_state::sleeping) begin_wake(now);
        if (!in_dispatch_) process(now);
    }

    /** True while the client sleeps in queue mode (after `client_event_kind::sleeping`). */
    [[nodiscard]] bool sleeping() const noexcept { return queue_state_ == queue_state::sleeping; }

    /** Objects or instances were added or removed: every registered server gets an Update with the new list. */
    void objects_changed(time_point now) noexcept {
        for (std::size_t i = 0; i < server_count_; ++i) {
            servers_[i].objects_dirty = true;
            servers_[i].update_requested = true;
        }
        if (!in_dispatch_) {
            now_ = now;
            process(now);
        }
    }

    /** Sends an Update to server `ssid` now (as /1/x/8 does). Errors: `not_found`, `not_registered`. */
    result<void> trigger_update(std::uint16_t ssid, time_point now) noexcept {
        server_session* s = find_server_by_ssid(ssid);
        if (s == nullptr) return fail(errc::not_found);
        if (s->state != registration_state::registered && s->state != registration_state::updating)
            return fail(errc::not_registered);
        s->update_requested = true;
        if (!in_dispatch_) {
            now_ = now;
            process(now);
        }
        return {};
    }

    /**
     * Send (LwM2M 1.1 Core §6.4.3): POST /dp to server `ssid` with the current values of
     * `paths` in SenML CBOR (or `cf`, SenML JSON). The outcome is reported as a
     * `send_acknowledged` / `send_failed` event.
     * Errors: `not_found` (server), `not_registered`, `send_muted` (its Mute Send /1/x/23 is
     * true: nothing is sent), `capacity_exceeded` (too many Sends in
     * flight, or the values do not fit one datagram), collection errors (`not_found`...).
     */
    result<exchange::request_handle> send(std::uint16_t ssid, std::span<const path> paths, time_point now,
                                          format::content_format cf = format::content_format::senml_cbor) noexcept {
        now_ = now;
        server_session* s = find_server_by_ssid(ssid);
        if (s == nullptr) return fail(errc::not_found);
        if (s->state != registration_state::registered && s->state != registration_state::updating)
            return fail(errc::not_registered);
        if (s->account.mute_send) return fail(errc::send_muted);  // /1/x/23 (LwM2M 1.1.1 Core E.2)
        std::size_t slot = sends_.size();
        for (std::size_t i = 0; i < sends_.size(); ++i)
            if (sends_[i].handle.value == 0) slot = i;
        if (slot == sends_.size()) return fail(errc::capacity_exceeded);
        records_.clear();
        for (const path& p : paths)
            if (auto ok = dm::collect(objects(), p, records_); !ok) return unexpected{ok.error()};
        records_.sort();
        const mutable_bytes area = endpoint_.outgoing_body_area();
        if (area.empty()) return fail(errc::capacity_exceeded);
        format::output_window body{area};
        if (auto ok = dm::encode<formats>(records_.records(), path{}, cf, body); !ok) return unexpected{ok.error()};
        if (body.overflowed()) return fail(errc::capacity_exceeded);
        coap::message_builder<8> b;
        b.type(coap::message_type::confirmable).code(coap::code::post).uri_path("dp");
        b.content_format(static_cast<std::uint16_t>(cf));
        b.payload(body.bytes());
        auto h = endpoint_.send_request(s->account.peer, b, now);
        if (!h) return unexpected{h.error()};
        sends_[slot] = pending_send{*h, ssid};
        return *h;
    }

    /** De-registers from every server (e.g. on shutdown); pending Registers are abandoned. */
    void deregister(time_point now) noexcept {
        now_ = now;
        for (std::size_t i = 0; i < server_count_; ++i) {
            server_session& s = servers_[i];
            s.start_pending = false;
            switch (s.state) {
            case registration_state::registered:
            case registration_state::updating: send_deregister(s, now, false); break;
            case registration_state::deregistering: break;
            default:
                if (s.pending.value != 0) endpoint_.cancel(s.pending);
                s.pending = {};
                s.state = registration_state::deregistered;
                break;
            }
        }
    }

    /** True when no De-register is waiting for its answer. */
    [[nodiscard]] bool deregistration_done() const noexcept {
        for (std::size_t i = 0; i < server_count_; ++i)
            if (servers_[i].state == registration_state::deregistering) return false;
        return true;
    }

    // ---- inspection -------------------------------------------------------------------------

    /** State of the registration with server `ssid` (idle when unknown). */
    [[nodiscard]] registration_state state(std::uint16_t ssid) const noexcept {
        const server_session* s = find_server_by_ssid(ssid);
        return s != nullptr ? s->state : registration_state::idle;
    }
    /** The registration location ("/rd/5a3f") given by server `ssid`, empty before 2.01. */
    [[nodiscard]] std::string_view location(std::uint16_t ssid) const noexcept {
        const server_session* s = find_server_by_ssid(ssid);
        return s != nullptr ? s->location() : std::string_view{};
    }
    /** The server account of `ssid` as currently configured (Server object values), or nullptr. */
    [[nodiscard]] const server_account* account(std::uint16_t ssid) const noexcept {
        const server_session* s = find_server_by_ssid(ssid);
        return s != nullptr ? &s->account : nullptr;
    }
    /** Number of active observations. */
    [[nodiscard]] std::size_t observation_count() const noexcept {
        return static_cast<std::size_t>(std::count_if(observations_.begin(), observations_.end(),
                                                      [](const observation& o) { return o.used; }));
    }
    /** The bound objects, sorted by id (the Server object included). */
    [[nodiscard]] std::span<const object_binding> objects() const noexcept { return {objects_.data(), object_count_}; }
    /** The schemas of the bound objects. */
    [[nodiscard]] const schema_registry& schemas() const noexcept { return registry_; }

private:
    // ---- state ------------------------------------------------------------------------------

    /** Forwards the endpoint's callbacks to the engine's private members. */
    struct dispatcher {
        engine* self;
        void on_request(exchange::peer_id p, const coap::message_view& m, exchange::response& r) noexcept {
            self->handle_request(p, m, r);
        }
        void on_response(exchange::request_handle h, exchange::peer_id p, const result<coap::message_view>& m) noexcept {
            self->handle_response(h, p, m);
        }
    };

    // ---- helpers ----------------------------------------------------------------------------

    result<void> add_binding(const object_binding& b) noexcept {
        if (object_count_ == Limits::max_objects) return fail(errc::capacity_exceeded);
        for (std::size_t i = 0; i < object_count_; ++i)
            if (objects_[i].id() == b.id()) return fail(errc::invalid_argument);
        std::size_t i = object_count_++;
        while (i > 0 && objects_[i - 1].id() > b.id()) {
            objects_[i] = objects_[i - 1];
            --i;
        }
        objects_[i] = b;
        for (std::size_t k = 0; k < object_count_; ++k) schema_views_[k] = objects_[k].schema;
        registry_ = schema_registry{std::span<const object_view>{schema_views_.data(), object_count_}};
        return {};
    }

    server_session* find_server_by_peer(exchange::peer_id p) noexcept {
        for (std::size_t i = 0; i < server_count_; ++i)
            if (servers_[i].account.peer == p) return &servers_[i];
        return nullptr;
    }
    const server_session* find_server_by_peer(exchange::peer_id p) const noexcept {
        for (std::size_t i = 0; i < server_count_; ++i)
            if (servers_[i].account.peer == p) return &servers_[i];
        return nullptr;
    }
    server_session* find_server_by_ssid(std::uint16_t ssid) noexcept {
        for (std::size_t i = 0; i < server_count_; ++i)
            if (servers_[i].account.ssid == ssid) return &servers_[i];
        return nullptr;
    }
    const server_session* find_server_by_ssid(std::uint16_t ssid) const noexcept {
        for (std::size_t i = 0; i < server_count_; ++i)
            if (servers_[i].account.ssid == ssid) return &servers_[i];
        return nullptr;
    }

    void emit(client_event_kind k, const server_session& s, coap::code c) noexcept {
        if (config_.on_event != nullptr) config_.on_event(config_.event_context, client_event{k, s.account.ssid, c});
    }

    /** Small text builder for query arguments (views stay valid until the next reset). */
    struct text_buffer {
        std::array<char, 256> chars{};
        std::size_t used = 0;
        std::string_view add(std::string_view a, std::string_view b = {}) noexcept {
            const std::size_t start = used;
            for (char c : a)
                if (used < chars.size()) chars[used++] = c;
            for (char c : b)
                if (used < chars.size()) chars[used++] = c;
            return {chars.data() + start, used - start};
        }
        std::string_view add_number(std::string_view prefix, std::uint64_t n) noexcept {
            char buf[encoding::max_number_text];
            const auto len = encoding::format_number(n, buf);
            return add(prefix, std::string_view{buf, len ? *len : 0});
        }
    };

    // ---- registration -----------------------------------------------------------------------

    // String literals as `sv` literals: a `const char*` becomes a string_view through an
    // out-of-line constructor and strlen at run time in g++ -Os builds (see HACKING.md).

    /** LwM2M 1.0 registration (`client_config::lwm2m_version`). */
    [[nodiscard]] bool version_1_0() const noexcept {
        using namespace std::string_view_literals;
        return config_.lwm2m_version == "1.0"sv;
    }

    std::string_view binding_query(const server_session& s, text_buffer& t) const noexcept {
        using namespace std::string_view_literals;
        if (version_1_0() && config_.queue_mode && s.account.binding.find('Q') == std::string_view::npos) {
            // 1.0 expresses queue mode in the binding: "UQ".
            return t.add("b="sv, t.add(s.account.binding, "Q"sv));
        }
        return t.add("b="sv, s.account.binding);
    }

    /** Register (LwM2M 1.1 Core §6.2.1): POST /rd?ep=&lt=&lwm2m=&b=[&sms=][&Q] with the object links. */
    void send_register(server_session& s, time_point now) noexcept {
        using namespace std::string_view_literals;
        s.start_pending = false;
        coap::message_builder<16> b;
        b.type(coap::message_type::confirmable).code(coap::code::post).uri_path("rd"sv);
        text_buffer t;
        b.uri_query(t.add("ep="sv, config_.endpoint_name));
        b.uri_query(t.add_number("lt="sv, s.account.lifetime));
        b.uri_query(t.add("lwm2m="sv, config_.lwm2m_version));
        b.uri_query(binding_query(s, t));
        if (!config_.msisdn.empty()) b.uri_query(t.add("sms="sv, config_.msisdn));
        if (config_.queue_mode && !version_1_0()) b.uri_query("Q"sv);
        b.content_format(static_cast<std::uint16_t>(format::content_format::link_format));
        format::output_window body{endpoint_.outgoing_body_area()};
        write_registration_links(objects(), version_1_0() ? std::string_view{} : supported_formats, body);
        // No Block1 for Register: the object list must fit one datagram (no slot free: retried).
        if (body.overflowed()) {
            schedule_retry(s, now, coap::code::empty);
            return;
        }
        b.payload(body.bytes());
        auto h = endpoint_.send_request(s.account.peer, b, now);
        if (!h) {
            schedule_retry(s, now, coap::code::empty);
            return;
        }
        s.pending = *h;
        s.state = registration_state::registering;
        s.objects_dirty = s.lifetime_dirty = s.binding_dirty = s.update_requested = false;
    }

    /** Appends one Uri-Path per segment of the stored location ("/rd/abc" → "rd", "abc"). */
    static void location_path(coap::message_builder_base& b, std::string_view loc) noexcept {
        b.uri_path_segments(loc);
    }

    /** Update (LwM2M 1.1 Core §6.2.2): POST /rd/<id>[?lt=&b=] [with the object links]. */
    void send_update(server_session& s, time_point now) noexcept {
        coap::message_builder<16> b;
        b.type(coap::message_type::confirmable).code(coap::code::post);
        location_path(b, s.location());
        text_buffer t;
        using namespace std::string_view_literals;
        if (s.lifetime_dirty) b.uri_query(t.add_number("lt="sv, s.account.lifetime));
        if (s.binding_dirty) b.uri_query(binding_query(s, t));
        format::output_window body{endpoint_.outgoing_body_area()};
        if (s.objects_dirty) {
            b.content_format(static_cast<std::uint16_t>(format::content_format::link_format));
            write_registration_links(objects(), version_1_0() ? std::string_view{} : supported_formats, body);
            if (!body.overflowed()) b.payload(body.bytes());
        }
        auto h = endpoint_.send_request(s.account.peer, b, now);
        if (!h) return;  // retried on the next process()
        s.pending = *h;
        s.state = registration_state::updating;
        s.objects_dirty = s.lifetime_dirty = s.binding_dirty = s.update_requested = false;
    }

    /** De-register (LwM2M 1.1 Core §6.2.3): DELETE /rd/<id>. */
    void send_deregister(server_session& s, time_point now, bool then_disable) noexcept {
        if (s.pending.value != 0) endpoint_.cancel(s.pending);
        s.pending = {};
        s.disable_after_deregister = then_disable;
        coap::message_builder<8> b;
        b.type(coap::message_type::confirmable).code(coap::code::delete_);
        location_path(b, s.location());
        auto h = endpoint_.send_request(s.account.peer, b, now);
        if (!h) {
            finish_deregister(s, now);
            return;
        }
        s.pending = *h;
        s.state = registration_state::deregistering;
    }

    void finish_deregister(server_session& s, time_point now) noexcept {
        s.pending = {};
        s.location_size = 0;
        drop_observations_of(s);
        if (s.disable_after_deregister) {
            s.state = registration_state::disabled;
            s.next_action = now + std::chrono::seconds(s.account.disable_timeout);
            emit(client_event_kind::disabled, s, coap::code::empty);
        } else {
            s.state = registration_state::deregistered;
            emit(client_event_kind::deregistered, s, coap::code::empty);
        }
        s.disable_after_deregister = false;
    }

    /**
     * A Register failed (LwM2M 1.1.1 Core §6.2.1.1): the next attempt of the sequence, the
     * next sequence, or, when the last sequence failed, the server is given up (and the
     * client bootstraps when the account says so and it can).
     */
    void schedule_retry(server_session& s, time_point now, coap::code c) noexcept {
        const server_account& a = s.account;
        s.pending = {};
        s.state = registration_state::retry_wait;
        emit(client_event_kind::register_failed, s, c);
        if (++s.attempts < std::max<std::uint32_t>(a.retry_count, 1)) {
            s.next_action = now + retry_delay(a.retry_timer.value_or(60), s.attempts);
            return;
        }
        s.attempts = 0;
        if (++s.sequences < std::max<std::uint32_t>(a.sequence_retry_count, 1) && a.sequence_delay != 0xFFFFFFFF) {
            s.next_action = now + retry_delay(a.sequence_delay, s.sequences);
            return;
        }
        s.state = registration_state::failed;
        emit(client_event_kind::registration_failed, s, c);
        if constexpr (bootstraps)
            if (a.bootstrap_on_failure) begin_bootstrap(now);
    }

    /** `start` (or a bootstrap) asks `s` to register: a new procedure, Initial Registration Delay first. */
    static void begin_registration(server_session& s) noexcept {
        s.start_pending = true;
        s.initial_delay_pending = true;
        s.attempts = s.sequences = 0;
    }

    /**
     * Registration Priority Order (/1/x/13): `s` may register once every server before it in
     * the order has registered or been given up, none with Registration Failure Block (/1/x/15).
     */
    [[nodiscard]] bool may_register(const server_session& s) const noexcept {
        if (!s.account.priority_order) return true;
        for (std::size_t i = 0; i < server_count_; ++i) {
            const server_session& q = servers_[i];
            if (!q.account.priority_order || *q.account.priority_order >= *s.account.priority_order) continue;
            if (q.state == registration_state::failed ? q.account.failure_block
                                                       : q.start_pending || q.state == registration_state::registering ||
                                                             q.state == registration_state::retry_wait)
                return false;
        }
        return true;
    }

    /** An account without /1/x/18 takes `client_config::retry_initial`. */
    void fill_retry_timer(server_account& a) const noexcept {
        if (!a.retry_timer)  // (sdiv64: no 64-bit division helper in a size build, see HACKING.md)
            a.retry_timer = static_cast<std::uint32_t>(
                lwm2m::detail::sdiv64(std::chrono::duration_cast<std::chrono::milliseconds>(config_.retry_initial).count(), 1000));
    }

    /** The Server object's binding; a client registering as 1.0 shows object 1 v1.0 (resources 0-8). */
    object_binding server_binding(object_binding b) const noexcept {
        if constexpr (bootstraps)
            if (version_1_0()) b.schema = objects::lwm2m_server_v1_0::object.view();
        return b;
    }

    void schedule_update(server_session& s, time_point now) noexcept {
        const auto d = update_delay(s.account.lifetime, config_.transmission);
        s.next_update = d ? now + *d : time_point::max();
    }

    void handle_registration_response(server_session& s, const result<coap::message_view>& res) noexcept {
        const time_point now = now_;
        const coap::code c = res ? res->code() : coap::code::empty;
        s.pending = {};
        switch (s.state) {
        case registration_state::registering:
            if (res && c == coap::code::created) {
                s.location_size = 0;
                for (std::string_view seg : res->location_path()) {
                    if (s.location_size + 1 + seg.size() > s.location_text.size()) break;
                    s.location_text[s.location_size++] = '/';
                    std::copy(seg.begin(), seg.end(), s.location_text.data() + s.location_size);
                    s.location_size += seg.size();
                }
                s.state = registration_state::registered;
                s.attempts = 0;
                drop_observations_of(s);  // a new registration: the server forgot them
                attributes_.remove_server(s.account.ssid);
                schedule_update(s, now);
                emit(client_event_kind::registered, s, c);
            } else {
                schedule_retry(s, now, c);
            }
            return;
        case registration_state::updating:
            if (res && c == coap::code::changed) {
                s.state = registration_state::registered;
                schedule_update(s, now);
                emit(client_event_kind::updated, s, c);
            } else {
                // 4.04: the server lost the registration; other failures: register afresh too.
                emit(client_event_kind::update_failed, s, c);
                s.state = registration_state::idle;
                s.start_pending = true;
            }
            return;
        case registration_state::deregistering: finish_deregister(s, now); return;
        default: return;
        }
    }

    /** Runs deferred registration actions and notifications, then decides about sleeping. */
    void process(time_point now) noexcept {
        if constexpr (bootstraps) process_bootstrap(now);
        process_registrations(now);
        process_observations(now);
        if (wake_wanted_) {  // a notification became due while asleep: Update first
            wake_wanted_ = false;
            if (queue_state_ == queue_state::sleeping) begin_wake(now);
            process_registrations(now);
        }
        maybe_sleep(now);
    }

    // ---- queue mode (LwM2M 1.1 Core §6.5) ---------------------------------------------------

    enum class queue_state : std::uint8_t { awake, sleeping, waking };

    [[nodiscard]] duration awake_time() const noexcept {
        return config_.queue_awake_time > duration::zero() ? config_.queue_awake_time
                                                           : config_.transmission.max_transmit_wait();
    }

    void emit_queue(client_event_kind k) noexcept {
        if (config_.on_event != nullptr) config_.on_event(config_.event_context, client_event{k, 0, coap::code::empty});
    }

    /** Leaves sleep: every registered server gets an Update; notifications wait for its answer. */
    void begin_wake(time_point now) noexcept {
        queue_state_ = queue_state::waking;
        last_exchange_ = now;
        bool any = false;
        for (std::size_t i = 0; i < server_count_; ++i)
            if (servers_[i].state == registration_state::registered) {
                servers_[i].update_requested = true;
                any = true;
            }
        if (!any) queue_state_ = queue_state::awake;
        emit_queue(client_event_kind::woke_up);
    }

    /** The Update sent on waking was answered (or failed): release the held notifications. */
    void end_wake() noexcept {
        if (queue_state_ != queue_state::waking) return;
        for (std::size_t i = 0; i < server_count_; ++i)
            if (servers_[i].state == registration_state::updating || servers_[i].state == registration_state::registering ||
                servers_[i].update_requested)
                return;
        queue_state_ = queue_state::awake;
    }

    /** Sleeps after the awake time without exchanges, when nothing is in flight. */
    void maybe_sleep(time_point now) noexcept {
        if (!config_.queue_mode || queue_state_ != queue_state::awake || now < last_exchange_ + awake_time()) return;
        bool registered = false;
        for (std::size_t i = 0; i < server_count_; ++i) {
            const server_session& s = servers_[i];
            if (s.state == registration_state::registering || s.state == registration_state::updating ||
                s.state == registration_state::deregistering || (s.start_pending && may_register(s)) || s.update_requested)
                return;
            if (s.state == registration_state::registered) registered = true;
        }
        if (!registered) return;
        for (const observation& o : observations_)
            if (o.used && o.in_flight.value != 0) return;
        for (const pending_send& p : sends_)
            if (p.handle.value != 0) return;
        queue_state_ = queue_state::sleeping;
        emit_queue(client_event_kind::sleeping);
    }

    void process_registrations(time_point now) noexcept {
        for (std::size_t i = 0; i < server_count_; ++i) {
            server_session& s = servers_[i];
            if (s.disable_requested) {
                s.disable_requested = false;
                if (s.state == registration_state::registered || s.state == registration_state::updating) {
                    send_deregister(s, now, true);
                } else {
                    s.disable_after_deregister = true;
                    finish_deregister(s, now);
                }
                continue;
            }
            if (s.start_pending && s.state != registration_state::registering && s.state != registration_state::updating &&
                s.state != registration_state::deregistering && may_register(s)) {
                if (s.initial_delay_pending && s.account.initial_delay != 0) {  // /1/x/14, then Register
                    s.start_pending = false;
                    s.state = registration_state::retry_wait;
                    s.next_action = now + std::chrono::seconds(s.account.initial_delay);
                } else {
                    send_register(s, now);
                }
                s.initial_delay_pending = false;
                continue;
            }
            switch (s.state) {
            case registration_state::retry_wait:
            case registration_state::disabled:
                if (now >= s.next_action) send_register(s, now);
                break;
            case registration_state::registered:
                if (s.update_requested || now >= s.next_update) {
                    if (queue_state_ == queue_state::sleeping) begin_wake(now);  // the Update timer wakes it
                    send_update(s, now);
                }
                break;
            default: break;
            }
        }
        end_wake();
    }

    // ---- observations -----------------------------------------------------------------------

    /** The paths `o` observes: its target, or the list of an Observe-Composite. */
    [[nodiscard]] std::span<const path> observed_paths(const observation& o) const noexcept {
        if (o.composite_paths == 0) return {&o.target, 1};
        const auto slot = static_cast<std::size_t>(&o - observations_.data());
        return {composite_paths_[slot].data(), o.composite_paths};
    }

    /** Observations of `p`, of its ancestors or of its descendants have a change to report. */
    void mark_changed(const path& p) noexcept {
        for (observation& o : observations_) {
            if (!o.used) continue;
            for (const path& t : observed_paths(o))
                if (p.is_prefix_of(t) || t.is_prefix_of(p)) {
                    o.changed = true;
                    break;
                }
        }
    }

    /**
     * Reads one path of a composite request into `records_`, after what is there: a path that
     * does not exist or is not readable adds nothing (`any` stays as it was); the Security
     * object is never read (LwM2M 1.1 Core §6.3.8). Only running out of room is an error.
     */
    result<void> collect_listed(const path& p, bool& any) noexcept {
        const std::size_t before = records_.size();
        if (p.has_object() && p.object_id() == 0) return {};
        auto c = dm::collect(objects(), p, records_);
        if (c) any = true;
        else if (c.error().code == errc::capacity_exceeded) return c;
        else records_.truncate(before);
        return {};
    }

    /**
     * Reads what `o` observes for its digest (and single numeric value): a composite one into
     * `records_` (sorted by path), others straight from the objects. With `body`, and an
     * endpoint slot free, a non-composite one is encoded there as its notification, so that a
     * notification after an evaluation carries the values evaluated, read once.
     */
    result<dm::read_summary> sample(const observation& o, std::optional<format::output_window>* body = nullptr) noexcept {
        if (o.composite_paths == 0) {
            const resource_def* def = registry_.find_resource(o.target);
            if (const mutable_bytes area = body != nullptr ? notify_body() : mutable_bytes{}; !area.empty()) {
                dm::read_summary read;
                track_instances(o.target, def, read);
                auto ok = dm::stream_read<formats>(objects(), o.target, def, o.format, body->emplace(area), read);
                if (ok) return read;
                body->reset();  // a writer's error is the notification's (5.00): found again when it is sent
                if (!read.encode_error) return unexpected{ok.error()};
            }
            dm::read_summary read;
            track_instances(o.target, def, read);
            return dm::summarize_read(objects(), o.target, read.on_value);
        }
        if constexpr (Limits::composite_paths > 0) {  // Observe-Composite compiled in
            records_.clear();
            bool any = false;
            for (const path& p : observed_paths(o))
                if (auto ok = collect_listed(p, any); !ok) return unexpected{ok.error()};
            if (!any) return fail(errc::not_found);
            records_.sort();
            return dm::summarize(records_.records());
        }
        return fail(errc::not_found);  // (no composite observation exists)
    }

    /**
     * Starts (or restarts, same peer and token) an observation of `target` from the request
     * being answered; nullptr when every slot is taken (then the answer is a plain read,
     * RFC 7641 §4.1). `read`: what the answer carries.
     */
    observation* start_observation(exchange::peer_id peer, const coap::token& tok, std::uint16_t ssid, const path& target,
                                   format::content_format f, const dm::read_summary& read) noexcept {
        observation* slot = nullptr;
        for (observation& o : observations_) {
            if (o.used && o.peer == peer && o.token == tok) {
                slot = &o;
                break;
            }
            if (!o.used && slot == nullptr) slot = &o;
        }
        if (slot == nullptr) return nullptr;
        slot->clear();
        slot->used = true;
        slot->peer = peer;
        slot->token = tok;
        slot->target = target;
        slot->ssid = ssid;
        slot->format = f;
        slot->last_sent = now_;
        slot->last_confirmable = now_;
        slot->last_sampled = now_;
        slot->last_numeric = read.numeric;
        slot->last_digest = read.digest;
        keep_notified_instances(*slot, read);
        return slot;
    }

    /**
     * Has `read` give each value it reads to `sampled_instances_` (emptied first) when
     * `target` is a whole multi-instance numeric resource: gt/lt/st on it, or on its
     * instances, are judged instance by instance (LwM2M 1.2 Core §5.1.2).
     */
    void track_instances([[maybe_unused]] const path& target, [[maybe_unused]] const resource_def* def,
                         [[maybe_unused]] dm::read_summary& read) noexcept {
        if constexpr (threshold_instances > 0) {
            if (target.level() != path_level::resource || def == nullptr || !def->is_multiple() || !is_numeric(def->type))
                return;
            sampled_instances_.values.clear();
            read.on_value = &sampled_instances_;
        }
    }

    /** After `read` was notified to (or answered) `o`: its instances are what the thresholds compare with next. */
    void keep_notified_instances([[maybe_unused]] const observation& o, [[maybe_unused]] const dm::read_summary& read) noexcept {
        if constexpr (threshold_instances > 0)
            if (read.on_value != nullptr) notified_instances_[static_cast<std::size_t>(&o - observations_.data())] = sampled_instances_.values;
    }

    /**
     * For a sample `read` of a whole multi-instance resource (`track_instances`): whether an
     * instance met the thresholds in effect for it, `a` (the resource's) with those attached
     * to the instance itself over them; nullopt when that cannot be judged or no instance has
     * thresholds (see `instance_thresholds_met`).
     */
    [[nodiscard]] std::optional<bool> instance_thresholds([[maybe_unused]] const observation& o,
                                                          [[maybe_unused]] const notification_attributes& a,
                                                          [[maybe_unused]] const dm::read_summary& read) const noexcept {
        if constexpr (threshold_instances > 0) {
            if (read.on_value == nullptr) return std::nullopt;
            const auto attributes_of = [&](std::uint16_t id) {
                notification_attributes own = a;
                if (const auto p = o.target.child(id)) attributes_.overlay(o.ssid, *p, own);
                return own;
            };
            return instance_thresholds_met(notified_instances_[static_cast<std::size_t>(&o - observations_.data())],
                                           sampled_instances_.values, attributes_of);
        }
        return std::nullopt;
    }

    /** Observe=1 (RFC 7641 §3.6): ends the observation of `peer` with this token. */
    void cancel_observation(exchange::peer_id peer, const coap::token& tok) noexcept {
        for (observation& o : observations_)
            if (o.used && o.peer == peer && o.token == tok) o.clear();
    }

    void drop_observations_of(const server_session& s) noexcept {
        for (observation& o : observations_)
            if (o.used && (o.peer == s.account.peer || o.ssid == s.account.ssid)) {
                if (o.in_flight.value != 0) endpoint_.cancel(o.in_flight);
                o.clear();
            }
    }

    [[nodiscard]] notification_attributes effective_attributes(const observation& o) const noexcept {
        notification_attributes defaults{};
        if (const server_session* s = find_server_by_ssid(o.ssid)) {
            defaults.pmin = s->account.default_pmin;
            defaults.pmax = s->account.default_pmax;
        }
        return attributes_.effective(o.ssid, o.target, defaults);
    }

    /**
     * Notification decisions (LwM2M 1.1 Core §5.1.2, §6.4.2; see `client/observation.hpp`).
     * A sample reads the observed value for its digest; every read counts, so the next one
     * (an evaluation or a notification) waits until epmin has passed since the last. A sample
     * is taken when pmax is due, when a known change may be notified (pmin passed), or when
     * epmax has passed since the last sample.
     */
    void process_observations(time_point now) noexcept {
        std::optional<time_point> wake;
        const auto consider = [&](time_point t) {
            if (!wake || t < *wake) wake = t;
        };
        for (observation& o : observations_) {
            if (!o.used || o.in_flight.value != 0) continue;
            if (const server_session* s = find_server_by_peer(o.peer))
                if (s->state == registration_state::disabled || s->state == registration_state::deregistered) continue;
            const notification_attributes a = effective_attributes(o);
            const observation_timing t = observation_timing::of(a);
            if (now < o.retry_at) {  // the endpoint was full (see send_notification)
                consider(o.retry_at);
                continue;
            }
            const bool pmax_due = t.use_pmax && now >= o.last_sent + t.pmax;
            const bool change_due = o.changed && now >= o.last_sent + t.pmin;
            const bool epmax_due = t.use_epmax && now >= o.last_sampled + t.epmax;
            if (now >= o.last_sampled + t.epmin && (pmax_due || change_due || epmax_due)) {
                bool notify = pmax_due;
                result<dm::read_summary> sample{};
                std::optional<format::output_window> sampled_body;
                if (!notify) {
                    // Evaluation: read, then decide whether the value changed enough.
                    sample = this->sample(o, &sampled_body);
                    o.last_sampled = now;
                    if (!sample) {
                        notify = true;  // the error ends the observation (RFC 7641 §3.2)
                    } else if (const std::optional<bool> met = instance_thresholds(o, a, *sample)) {
                        notify = *met;
                    } else if (has(operation_set::thresholds) && sample->numeric && a.has_thresholds() &&
                               o.target.has_resource()) {
                        notify = client::thresholds_met(a, o.last_numeric, *sample->numeric);
                    } else {
                        notify = o.changed || sample->digest != o.last_digest;
                    }
                    // A change found by an epmax sample before pmin waits for pmin (and is sampled again then).
                    o.changed = notify && now < o.last_sent + t.pmin;
                    if (o.changed) notify = false;
                }
                if (notify && queue_state_ != queue_state::awake) {
                    // Queue mode: held (sampled again when sent, so it carries the latest value).
                    o.changed = true;
                    wake_wanted_ = true;
                    continue;
                }
                if (notify) send_notification(o, now, pmax_due ? nullptr : &sample, sampled_body);
            }
            if (!o.used || o.in_flight.value != 0) continue;
            const time_point sample_at = o.last_sampled + t.epmin;
            if (o.changed) consider(std::max(o.last_sent + t.pmin, sample_at));
            if (t.use_pmax) consider(std::max(o.last_sent + t.pmax, sample_at));
            if (t.use_epmax) consider(o.last_sampled + t.epmax);
        }
        observation_deadline_ = wake;
    }

    /** Every endpoint slot is busy: the change is kept and the notification tried again 1 s later. */
    static void retry_soon(observation& o, time_point now) noexcept {
        o.changed = true;
        o.retry_at = now + std::chrono::seconds(1);
    }

    /**
     * Encodes the values `o` observes into `body`: straight from the objects, or for an
     * Observe-Composite through `records_`. `read` gets what was written.
     */
    result<void> read_observed(const observation& o, format::output_window& body, dm::read_summary& read) noexcept {
        if (o.composite_paths == 0) {
            const resource_def* def = registry_.find_resource(o.target);
            track_instances(o.target, def, read);
            return dm::stream_read<formats>(objects(), o.target, def, o.format, body, read);
        }
        if constexpr (Limits::composite_paths > 0) {  // Observe-Composite compiled in
            auto collected = sample(o);
            if (!collected) return unexpected{collected.error()};
            read = *collected;
            if (auto ok = dm::encode<formats>(records_.records(), path{}, o.format, body); !ok) {
                read.encode_error = true;
                return ok;
            }
        }
        return {};
    }

    /**
     * Sends one notification of `o`: after an evaluation at `now`, what it read (`sampled`,
     * and `sampled_body` when it was encoded there, see `sample`) or its error, which ends the
     * observation (RFC 7641 §3.2); else read now.
     */
    void send_notification(observation& o, time_point now, const result<dm::read_summary>* sampled = nullptr,
                           const std::optional<format::output_window>& sampled_body = std::nullopt) noexcept {
        const bool failed_sample = sampled != nullptr && !*sampled;
        const bool ready = sampled != nullptr && sampled_body.has_value();  // (`sample` keeps a body only on success)
        o.last_sampled = now;
        coap::message_builder<8> b;
        coap::code code = coap::code::content;
        const mutable_bytes area = ready ? mutable_bytes{} : notify_body();
        if (!ready && area.empty() && !failed_sample) return retry_soon(o, now);  // every endpoint slot is busy
        format::output_window body = ready ? *sampled_body : format::output_window{area};
        exchange::block_etag tag{};  // the builder keeps a view of it until the send below
        dm::read_summary read = ready ? **sampled : dm::read_summary{};
        const result<void> encoded = failed_sample ? result<void>{unexpected{sampled->error()}}
                                     : ready       ? result<void>{}
                                                   : read_observed(o, body, read);
        if (!encoded) {
            // RFC 7641 §3.2: a non-2.xx notification ends the observation.
            code = read.encode_error ? coap::code::internal_server_error : response_code(encoded.error().code);
        } else {
            b.observe(sequence_.next());
            b.content_format(static_cast<std::uint16_t>(o.format));
            if (body.overflowed()) {
                tag = exchange::block_etag_of(body);
                // RFC 7959 §2.6: the first block; the observer fetches the rest with GET + Block2.
                const auto szx = coap::block_option::szx_for_size(static_cast<std::uint32_t>(notification_block()));
                b.block2(coap::block_option{0, true, szx ? *szx : std::uint8_t{6}});
                b.etag(bytes_view{tag});  // what the endpoint puts in the blocks the GETs fetch
            }
            b.payload(body.bytes());
        }
        b.code(code);
        const bool success = coap::is_success(code);
        const bool confirmable = config_.confirmable_notifications || !success ||
                                 now - o.last_confirmable >= std::chrono::hours(24);
        auto h = endpoint_.send_notification(o.peer, o.token, b, confirmable, now);
        if (!h && h.error().code == errc::capacity_exceeded && success) return retry_soon(o, now);
        if (h) o.last_handle = *h;
        o.last_sent = now;
        o.changed = false;
        if (!success || !h) {
            o.clear();
            return;
        }
        if (read.numeric) o.last_numeric = read.numeric;
        o.last_digest = read.digest;
        keep_notified_instances(o, read);
        if (confirmable) {
            o.last_confirmable = now;
            o.in_flight = *h;
        }
    }

    // ---- requests ---------------------------------------------------------------------------

    void handle_response(exchange::request_handle h, exchange::peer_id, const result<coap::message_view>& res) noexcept {
        if constexpr (bootstraps)
            if (bs_.pending.value != 0 && bs_.pending == h) return handle_bootstrap_response(res);
        for (pending_send& p : sends_)
            if (p.handle.value != 0 && p.handle == h) {
                const coap::code c = res ? res->code() : coap::code::empty;
                p.handle = {};
                if (config_.on_event != nullptr)
                    config_.on_event(config_.event_context,
                                     client_event{coap::is_success(c) ? client_event_kind::send_acknowledged
                                                                      : client_event_kind::send_failed,
                                                  p.ssid, c});
                return;
            }
        for (std::size_t i = 0; i < server_count_; ++i)
            if (servers_[i].pending == h) {
                handle_registration_response(servers_[i], res);
                return;
            }
        for (observation& o : observations_)
            if (o.used && o.in_flight == h) {
                o.in_flight = {};
                if (!res) o.clear();  // Reset or CON timeout: the observer is gone (RFC 7641 §3.6, §4.5)
                return;
            }
        // A Reset answering a NON notification: find the observation by its last handle.
        if (!res && res.error().code == errc::reset_received)
            for (observation& o : observations_)
                if (o.used && o.last_handle == h) o.clear();
    }

    static void fail_request(exchange::response& r, coap::code c) noexcept {
        r.reset_body(0);
        r.code(c);
    }

    void handle_request(exchange::peer_id peer, const coap::message_view& m, exchange::response& r) noexcept {
        if constexpr (bootstraps)  // the Bootstrap-Server, while bootstrapping: its interface only
            if ((bs_.phase == bootstrap_phase::requesting || bs_.phase == bootstrap_phase::bootstrapping) &&
                peer == bs_.config.peer)
                return handle_bootstrap_request(m, r);
        // Who asks: a configured server, or (if allowed) anyone, as the first server.
        std::uint16_t ssid = 0;
        if (const server_session* s = find_server_by_peer(peer)) ssid = s->account.ssid;
        else if (config_.accept_unknown_peers) ssid = server_count_ > 0 ? servers_[0].account.ssid : 0;
        else return fail_request(r, coap::code::unauthorized);

        // Block1 blocks reach us only when the endpoint does not reassemble them (max_body 0;
        // it hands over reassembled and single-block requests): too large (RFC 7959 §2.9.3).
        if (auto b1 = m.block1(); !b1) return fail_request(r, coap::code::bad_request);
        else if (*b1 && ((*b1)->num != 0 || (*b1)->more)) {
            fail_request(r, coap::code::request_entity_too_large);
            r.options().size1(static_cast<std::uint32_t>(Limits::max_message - 64));
            return;
        }

        auto target = parse_path_segments(m.uri_path());
        if (!target) {
            return fail_request(r, target.error().code == errc::path_invalid_number || target.error().code == errc::path_syntax
                                       ? coap::code::not_found
                                       : coap::code::bad_request);
        }
        const path p = *target;
        if (p.has_object() && p.object_id() == 0) return fail_request(r, coap::code::unauthorized);

        const std::optional<std::uint16_t> cf = m.content_format();  // (read once: one copy of the option walk)
        switch (m.code()) {
        case coap::code::get: return handle_get(peer, ssid, p, m, r);
        case coap::code::put:
            if (!m.uri_query().empty() && m.payload().empty()) return handle_write_attributes(ssid, p, m, r);
            return handle_write(p, cf, m, r, dm::write_mode::replace);
        case coap::code::post: {
            if (p.level() == path_level::object) {
                if constexpr (has(operation_set::create_delete)) return handle_create(p, cf, m, r);
                return fail_request(r, coap::code::method_not_allowed);
            }
            if (p.level() == path_level::instance) return handle_write(p, cf, m, r, dm::write_mode::partial_update);
            if (p.level() == path_level::resource) {
                // A Content-Format other than text/plain makes it a Write partial update of a
                // Multiple-Instance Resource (LwM2M 1.1 Core §6.3.3; Leshan's Mode.UPDATE on
                // /O/I/R, and its client decides the same way); Execute arguments are
                // text/plain or have no Content-Format (§6.3.5).
                if (cf && *cf != 0) return handle_write(p, cf, m, r, dm::write_mode::partial_update);
                auto ok = dm::execute(objects(), p, execute_args{as_chars(m.payload())});
                if (!ok) return fail_request(r, response_code(ok.error().code));
                r.code(coap::code::changed);
                return;
            }
            return fail_request(r, coap::code::method_not_allowed);
        }
        case coap::code::delete_:
            if constexpr (has(operation_set::create_delete)) return handle_delete(p, r);
            return fail_request(r, coap::code::method_not_allowed);
        case coap::code::fetch:
            if constexpr (has(operation_set::composite))
                if (p.is_root()) return handle_read_composite(peer, ssid, m, r);
            return fail_request(r, coap::code::method_not_allowed);
        case coap::code::ipatch:
            if constexpr (has(operation_set::composite))
                if (p.is_root()) return handle_write_composite(m, r);
            return fail_request(r, coap::code::method_not_allowed);
        default: return fail_request(r, coap::code::method_not_allowed);
        }
    }

    /**
     * Delete (LwM2M 1.1 Core §6.3.7): the instance goes, its attributes with it; its observers
     * and the object's are notified; an Update follows.
     */
    void handle_delete(const path& p, exchange::response& r) noexcept {
        auto ok = dm::remove(objects(), p);
        if (!ok) return fail_request(r, response_code(ok.error().code));
        attributes_.remove_under(p);
        // Observers of the object see it change; those of the instance (or below) get the
        // 4.04 their next read gives, which ends their observation (RFC 7641 §3.2).
        mark_changed(p);
        for (std::size_t i = 0; i < server_count_; ++i) {
            servers_[i].objects_dirty = true;
            servers_[i].update_requested = true;
        }
        r.code(coap::code::deleted);
    }

    /** True for SenML JSON / CBOR (the only formats of the composite operations) when supported. */
    static bool is_senml(std::uint16_t cf) noexcept {
        return (cf == static_cast<std::uint16_t>(format::content_format::senml_json) ||
                cf == static_cast<std::uint16_t>(format::content_format::senml_cbor)) &&
               supports(formats, cf);
    }

    /** Calls `f(record)` for each record of a SenML body (path list or values) at base `/`. */
    template <class F>
    result<void> for_each_senml(std::uint16_t cf, bytes_view payload, bool path_list, F&& f) noexcept {
        const auto drain = [&](auto& reader) -> result<void> {
            for (;;) {
                auto x = reader.next();
                if (!x) return unexpected{x.error()};
                if (!x->has_value()) return {};
                if (auto ok = f(**x); !ok) return ok;
            }
        };
        if (cf == static_cast<std::uint16_t>(format::content_format::senml_json)) {
            if constexpr (contains(formats, format_set::senml_json)) {
                if (path_list) {
                    format::senml_json_reader rd{payload, path{}, format::senml_json_reader::path_list_mode, &registry_};
                    return drain(rd);
                }
                format::senml_json_reader rd{payload, path{}, &registry_};
                return drain(rd);
            }
        } else if constexpr (contains(formats, format_set::senml_cbor)) {
            if (path_list) {
                format::senml_cbor_reader rd{payload, path{}, format::senml_cbor_reader::path_list_mode, &registry_};
                return drain(rd);
            }
            format::senml_cbor_reader rd{payload, path{}, &registry_};
            return drain(rd);
        }
        return fail(errc::unsupported_content_format);
    }

    /**
     * Read-Composite (LwM2M 1.1 Core §6.3.8): FETCH / with a SenML path list; the answer holds
     * the values of every listed path that exists and is readable (others are left out; 4.04
     * when none is). With Observe 0 it is an Observe-Composite (§6.4.3): the listed paths are
     * observed as one, each notification carrying all their values; the timing attributes
     * are the server's defaults (pmin/pmax of its Server object: attributes belong to single
     * paths, and a composite has none), a notification goes out when any value changes.
     * Observe 1 (or a Reset) cancels it (RFC 7641 §3.6).
     */
    void handle_read_composite(exchange::peer_id peer, std::uint16_t ssid, const coap::message_view& m,
                               exchange::response& r) noexcept {
        const auto cf = m.content_format();
        if (!cf || !is_senml(*cf)) return fail_request(r, coap::code::unsupported_content_format);
        const std::uint16_t out_cf = m.accept().value_or(*cf);
        if (!is_senml(out_cf)) return fail_request(r, coap::code::not_acceptable);
        records_.clear();
        bool any = false;
        std::array<path, Limits::composite_paths> listed{};
        std::size_t count = 0;
        bool too_many = false;
        auto ok = for_each_senml(*cf, m.payload(), true, [&](const format::record& rec) -> result<void> {
            if (count < listed.size()) listed[count++] = rec.path;
            else too_many = true;
            return collect_listed(rec.path, any);
        });
        if (!ok) return fail_request(r, response_code(ok.error().code));
        if (!any) return fail_request(r, coap::code::not_found);
        records_.sort();
        if (!dm::encode<formats>(records_.records(), path{}, static_cast<format::content_format>(out_cf), r.body()))
            return fail_request(r, coap::code::internal_server_error);
        r.options().content_format(out_cf);

        if constexpr (Limits::composite_paths > 0) {  // Observe-Composite compiled in
            const auto obs = m.observe();
            const auto b2 = m.block2();
            if (!obs || (b2 && *b2 && (*b2)->num != 0)) return;  // Observe on the first block only
            const coap::token tok{m.token()};
            if (*obs == coap::observe_deregister) return cancel_observation(peer, tok);
            if (*obs != coap::observe_register || too_many || count == 0) return;
            observation* o = start_observation(peer, tok, ssid, path{}, static_cast<format::content_format>(out_cf),
                                               dm::summarize(records_.records()));
            if (o == nullptr) return;
            const auto slot = static_cast<std::size_t>(o - observations_.data());
            std::copy(listed.begin(), listed.begin() + static_cast<std::ptrdiff_t>(count), composite_paths_[slot].begin());
            o->composite_paths = static_cast<std::uint8_t>(count);
            r.options().observe(sequence_.next());
        } else {
            (void)peer;
            (void)ssid;
            (void)too_many;
        }
    }

    /**
     * Write-Composite (LwM2M 1.1 Core §6.3.9): iPATCH / with SenML records. Every record is
     * checked first (object and instance exist, resource writable), then all are written.
     */
    void handle_write_composite(const coap::message_view& m, exchange::response& r) noexcept {
        const auto cf = m.content_format();
        if (!cf || !is_senml(*cf)) return fail_request(r, coap::code::unsupported_content_format);
        const auto check = [&](const format::record& rec) -> result<void> {
            if (!rec.path.has_resource() || rec.path.object_id() == 0) return fail(errc::not_authorized);
            const object_binding* o = dm::find_object(objects(), rec.path.object_id());
            if (o == nullptr || !o->has_instance(rec.path.instance_id())) return fail(errc::not_found);
            const resource_def* def = o->schema.find(rec.path.resource_id());
            if (def == nullptr) return fail(errc::not_found);
            if (!def->writable() || o->ops->write == nullptr) return fail(errc::operation_not_allowed);
            return {};
        };
        if (auto ok = for_each_senml(*cf, m.payload(), false, check); !ok)
            return fail_request(r, response_code(ok.error().code));
        auto ok = for_each_senml(*cf, m.payload(), false, [&](const format::record& rec) -> result<void> {
            const object_binding* o = dm::find_object(objects(), rec.path.object_id());
            if (auto w = o->ops->write(o->self, rec.path, rec.value); !w) return w;
            mark_changed(rec.path);
            return {};
        });
        if (!ok) return fail_request(r, response_code(ok.error().code));
        r.code(coap::code::changed);
    }

    void handle_get(exchange::peer_id peer, std::uint16_t ssid, const path& p, const coap::message_view& m,
                    exchange::response& r) noexcept {
        const auto accept = m.accept();
        if (accept && *accept == static_cast<std::uint16_t>(format::content_format::link_format)) {
            if constexpr (has(operation_set::discover)) {
                // Each link with the attributes attached at its level; the target resource with
                // those it inherits from its object and instance too (LwM2M 1.1 Core §6.3.2).
                const auto attributes_of = [&](const path& x) -> std::optional<notification_attributes> {
                    if (x != p || p.level() != path_level::resource) return attributes_.find(ssid, x);
                    const notification_attributes e = attributes_.effective(ssid, x, {});
                    if (e.empty()) return std::nullopt;
                    return e;
                };
                auto ok = dm::discover(objects(), p, attributes_of, r.body(), !version_1_0());
                if (!ok) return fail_request(r, response_code(ok.error().code));
                r.options().content_format(static_cast<std::uint16_t>(format::content_format::link_format));
                return;
            } else {
                return fail_request(r, coap::code::not_acceptable);
            }
        }
        const resource_def* def = registry_.find_resource(p);
        const auto cf = dm::choose_read_format(accept, p, def, config_.multi_value_format, formats);
        if (!cf) {
            // The path's and the hooks' errors come first (4.04 before 4.06).
            if (auto ok = dm::summarize_read(objects(), p); !ok) return fail_request(r, response_code(ok.error().code));
            return fail_request(r, coap::code::not_acceptable);
        }
        // Encoded straight from the objects: no record list, any size (Block2 cuts the window).
        dm::read_summary read;
        const auto obs = m.observe();
        if (obs && *obs == coap::observe_register) track_instances(p, def, read);  // what an observation compares with first
        if (auto ok = dm::stream_read<formats>(objects(), p, def, *cf, r.body(), read); !ok)
            return fail_request(r, read.encode_error ? coap::code::internal_server_error : response_code(ok.error().code));
        r.options().content_format(static_cast<std::uint16_t>(*cf));

        // Observe (RFC 7641 §2; LwM2M 1.1 Core §6.4.1) on the first block only.
        const auto b2 = m.block2();
        const bool first_block = !b2 || !*b2 || (*b2)->num == 0;
        if (!obs || !first_block) return;
        const coap::token tok{m.token()};
        if (*obs == coap::observe_deregister) return cancel_observation(peer, tok);
        if (*obs != coap::observe_register) return;
        if (start_observation(peer, tok, ssid, p, *cf, read) == nullptr) return;  // full: a plain Read (RFC 7641 §4.1)
        r.options().observe(sequence_.next());
    }

    void handle_write_attributes(std::uint16_t ssid, const path& p, const coap::message_view& m,
                                 exchange::response& r) noexcept {
        // The target must exist (LwM2M 1.1 Core §6.3.4 Write-Attributes).
        if (p.is_root()) return fail_request(r, coap::code::method_not_allowed);
        const object_binding* o = dm::find_object(objects(), p.object_id());
        if (o == nullptr) return fail_request(r, coap::code::not_found);
        const resource_def* def = nullptr;
        if (p.has_instance() && !o->has_instance(p.instance_id())) return fail_request(r, coap::code::not_found);
        if (p.has_resource()) {
            def = o->schema.find(p.resource_id());
            if (def == nullptr || !o->has_resource(p.prefix(path_level::resource)))
                return fail_request(r, coap::code::not_found);
            if (p.has_resource_instance() && !def->is_multiple()) return fail_request(r, coap::code::not_found);
            // A resource instance must exist too: the read hook delivers it (4.04 otherwise).
            if (p.has_resource_instance()) {
                resource_output probe{nullptr, p.prefix(path_level::resource), *def, p.resource_instance_id()};
                (void)o->read(p.prefix(path_level::resource), probe);
                if (probe.kept() == 0) return fail_request(r, coap::code::not_found);
            }
        }
        notification_attributes a{};
        attributes_.overlay(ssid, p, a);  // the ones already attached at p (no optional copied)
        // Removing an attribute that cannot be there is a no-op, accepted: servers clear every
        // attribute at once (Wakaama: ?pmin&pmax&gt&lt&st). Setting one needs a readable
        // resource (Core §5.1.2 Table 5.1.2-2: notifications are of values; an executable one
        // has none), and gt/lt/st a numeric one, single or multiple: on a whole multi-instance
        // resource each instance is judged (LwM2M 1.2 §5.1.2; a client built without room for
        // its instances, threshold_instances 0, refuses them there).
        const bool any_allowed = def == nullptr || def->readable();
        const bool thresholds_allowed = def != nullptr && def->readable() && is_numeric(def->type) &&
                                        (threshold_instances > 0 || !def->is_multiple() || p.has_resource_instance());
        unsigned seen = 0;  // a bit per attribute_name
        for (std::string_view q : m.uri_query()) {
            auto change = parse_attribute_query<has(operation_set::thresholds)>(q);
            if (!change) return fail_request(r, coap::code::bad_request);
            // An attribute given twice (?pmin=1&pmin=5) is ambiguous: 4.00, as Leshan's
            // AttributeSet refuses duplicates, rather than a silent last-wins.
            const unsigned bit = 1u << static_cast<unsigned>(change->name);
            if ((seen & bit) != 0) return fail_request(r, coap::code::bad_request);
            seen |= bit;
            if (!change->remove && !(is_threshold(change->name) ? thresholds_allowed : any_allowed))
                return fail_request(r, coap::code::bad_request);
            a.apply(*change);
        }
        // The set attached at p, as it would be, must keep the rules of LwM2M 1.1 Core §5.1.2
        // (lt < gt, lt + 2*st < gt, epmin <= epmax; pmin <= pmax as Leshan checks it), else
        // 4.00 and nothing changes. Values combined from different levels are not checked
        // here: an effective pmax below pmin (or epmax not above epmin) is ignored where it
        // is used (`observation_timing`).
        if (!a.validate<has(operation_set::thresholds)>() || a.pmin.value_or(0) > a.pmax.value_or(0xFFFFFFFFu)) return fail_request(r, coap::code::bad_request);
        if (!attributes_.set(ssid, p, a)) return fail_request(r, coap::code::internal_server_error);
        r.code(coap::code::changed);
    }

    /** Write (LwM2M 1.1 Core §6.3.3) of `m`'s payload in Content-Format `given` (the request's). */
    void handle_write(const path& p, std::optional<std::uint16_t> given, const coap::message_view& m,
                      exchange::response& r, dm::write_mode mode) noexcept {
        if (p.depth() < 2) return fail_request(r, coap::code::method_not_allowed);
        std::uint16_t cf = 0;
        if (given) cf = *given;
        else cf = p.has_resource() ? 0 : static_cast<std::uint16_t>(format::content_format::tlv);
        auto ok = dm::write<formats>(objects(), registry_, p, cf, m.payload(), mode);
        if (!ok) return fail_request(r, response_code(ok.error().code));
        r.code(coap::code::changed);
        mark_changed(p);
    }

    void handle_create(const path& p, std::optional<std::uint16_t> given, const coap::message_view& m,
                       exchange::response& r) noexcept {
        std::uint16_t cf = static_cast<std::uint16_t>(format::content_format::tlv);
        if (given) cf = *given;
        auto created = dm::create<formats>(objects(), registry_, p, cf, m.payload());
        if (!created) return fail_request(r, response_code(created.error().code));
        r.code(coap::code::created);
        // Location-Path /O/I (LwM2M 1.1 Core §6.3.6).
        const path instance = *path::make(p.object_id(), created->instance);
        for (const auto seg : instance.segments()) r.options().location_path(r.keep(seg.view()));
        mark_changed(instance);  // the object's observers see a new instance (LwM2M 1.1 Core §6.4)
        for (std::size_t i = 0; i < server_count_; ++i) {
            servers_[i].objects_dirty = true;
            servers_[i].update_requested = true;
        }
    }

    // ---- bootstrap (LwM2M 1.1.1 Core §6.1, 1.0 §5.2; operation_set::bootstrap) ---------------

    /**
     * The Server object as the Bootstrap-Server sees it: Short Server ID (/1/x/0) writable,
     * instances created and deleted (a DM server can do neither).
     */
    struct server_bootstrap_view {
        static constexpr const auto& schema = basic_server_object<bootstraps>::schema;
        engine* self;
        [[nodiscard]] std::size_t instance_count() const noexcept { return self->server_count_; }
        [[nodiscard]] std::uint16_t instance_id(std::size_t i) const noexcept { return self->servers_[i].instance; }
        result<void> read(const path& p, resource_output& out) noexcept { return self->server_object_.read(p, out); }
        result<void> write(const path& p, const value& v) noexcept {
            if (p.resource_id() != objects::lwm2m_server_v1_0::short_server_id) return self->server_object_.write(p, v);
            if (v.as_integer() < 1 || v.as_integer() > 65534) return fail(errc::number_out_of_range);
            self->server_object_.session(p.instance_id())->account.ssid = static_cast<std::uint16_t>(v.as_integer());
            return {};
        }
        result<void> create(std::uint16_t id) noexcept {
            if (self->server_count_ == Limits::max_servers) return fail(errc::capacity_exceeded);
            server_session& s = self->servers_[self->server_count_++];
            s = server_session{};
            s.instance = id;
            s.set_binding(s.account.binding);
            self->fill_retry_timer(s.account);
            s.account.ssid = 0;  // none until written (Finish checks it)
            return {};
        }
        result<void> remove(std::uint16_t id) noexcept {
            server_session* s = self->server_object_.session(id);
            if (s == nullptr) return fail(errc::not_found);
            self->drop_observations_of(*s);
            self->attributes_.remove_server(s->account.ssid);
            std::copy(s + 1, self->servers_.data() + self->server_count_, s);
            --self->server_count_;
            return {};
        }
        [[nodiscard]] bool has_resource(const path& p) const noexcept { return self->server_object_.has_resource(p); }
    };

    /** The objects the Bootstrap-Server works on: the Security object, that view of the Server object, the others. */
    struct bootstrap_objects {
        std::array<object_binding, Limits::max_objects + 1> list{};
        std::size_t count = 0;
        std::array<object_view, Limits::max_objects + 1> views{};
        schema_registry registry{};
        server_bootstrap_view server;
        explicit bootstrap_objects(engine* self) noexcept : server{self} {
            list[count++] = bind(self->bs_.security);
            for (const object_binding& o : self->objects()) list[count++] = o.id() == 1 ? self->server_binding(bind(server)) : o;
            for (std::size_t i = 0; i < count; ++i) views[i] = list[i].schema;
            registry = schema_registry{std::span<const object_view>{views.data(), count}};
        }
        bootstrap_objects(const bootstrap_objects&) = delete;
        [[nodiscard]] std::span<const object_binding> span() const noexcept { return {list.data(), count}; }
    };

    /**
     * Client-Initiated Bootstrap (Core §6.1.3) after the Client Hold Off Time, when the client
     * has a Bootstrap-Server account and is not bootstrapping already: at `start` without a DM
     * server, on /1/x/9 Bootstrap-Request Trigger, or when a server is given up (§6.2.1.1).
     */
    void begin_bootstrap(time_point now) noexcept {
        const security_instance* bs = bs_.security.bootstrap_account();
        if (bs == nullptr || bs_.phase == bootstrap_phase::requesting || bs_.phase == bootstrap_phase::bootstrapping) return;
        bs_.phase = bootstrap_phase::hold_off;
        bs_.attempts = 0;
        bs_.next_action = now + std::chrono::seconds(bs->hold_off);
    }

    void process_bootstrap(time_point now) noexcept {
        if (bs_.finish_pending) {  // the 2.04 to Finish is queued: now register (Core §6.1.7.6)
            bs_.finish_pending = false;
            bs_.phase = bootstrap_phase::finished;
            // The Bootstrap-Server Account Timeout (/0/x/12, as written or configured) runs from now.
            if (const security_instance* bs = bs_.security.bootstrap_account(); bs != nullptr && bs->account_timeout != 0)
                bs_.next_action = now + std::chrono::seconds(bs->account_timeout);
            std::uint32_t stamp = 0;  // Last Bootstrapped (/1/x/12), when the device knows the time
            if (bs_.config.wall_clock != nullptr)
                if (const auto t = bs_.config.wall_clock(bs_.config.context); t && *t > 0 && *t <= 0xFFFFFFFF)
                    stamp = static_cast<std::uint32_t>(*t);
            for (std::size_t i = 0; i < server_count_; ++i) {
                begin_registration(servers_[i]);
                if (stamp != 0) servers_[i].account.last_bootstrapped = stamp;
            }
            emit_queue(client_event_kind::bootstrap_finished);
            return;
        }
        for (std::size_t i = 0; i < server_count_; ++i)
            if (std::exchange(servers_[i].bootstrap_requested, false)) begin_bootstrap(now);  // /1/x/9, after its 2.04
        switch (bs_.phase) {
        case bootstrap_phase::hold_off:
        case bootstrap_phase::retry_wait:
            if (now >= bs_.next_action) send_bootstrap_request(now);
            return;
        case bootstrap_phase::bootstrapping:
            // No Bootstrap-Finish within EXCHANGE_LIFETIME of the last operation (Core §6.1.7): failed.
            if (now >= bs_.next_action) bootstrap_failed(now, coap::code::empty);
            return;
        case bootstrap_phase::finished:
            // Core Appendix E.1 /0/x/12: the account is purged once its timeout has passed.
            if (const security_instance* bs = bs_.security.bootstrap_account();
                bs != nullptr && bs->account_timeout != 0 && now >= bs_.next_action) {
                (void)bs_.security.remove(bs->id);
                server_object_.bootstrap_account = false;
            }
            return;
        default: return;
        }
    }

    /** Bootstrap-Request (Core §6.1.7.1): POST /bs?ep=NAME[&pct=F], retransmitted as any CON. */
    void send_bootstrap_request(time_point now) noexcept {
        using namespace std::string_view_literals;
        coap::message_builder<8> b;
        b.type(coap::message_type::confirmable).code(coap::code::post).uri_path("bs"sv);
        text_buffer t;
        b.uri_query(t.add("ep="sv, config_.endpoint_name));
        if (bs_.config.preferred_format && !version_1_0())
            b.uri_query(t.add_number("pct="sv, static_cast<std::uint16_t>(*bs_.config.preferred_format)));
        auto h = endpoint_.send_request(bs_.config.peer, b, now);
        if (!h) return bootstrap_failed(now, coap::code::empty);
        bs_.pending = *h;
        bs_.phase = bootstrap_phase::requesting;
    }

    /** Tries again after the Register back-off (`retry_initial` doubling up to `retry_max`). */
    void bootstrap_failed(time_point now, coap::code c) noexcept {
        bs_.pending = {};
        bs_.phase = bootstrap_phase::retry_wait;
        duration delay = config_.retry_initial;
        for (std::uint32_t i = 0; i < bs_.attempts && delay < config_.retry_max; ++i) delay *= 2;
        bs_.next_action = now + std::min(delay, config_.retry_max);
        ++bs_.attempts;
        if (config_.on_event != nullptr) config_.on_event(config_.event_context, client_event{client_event_kind::bootstrap_failed, 0, c});
    }

    void handle_bootstrap_response(const result<coap::message_view>& res) noexcept {
        bs_.pending = {};
        const coap::code c = res ? res->code() : coap::code::empty;
        if (bs_.phase == bootstrap_phase::bootstrapping) return;  // an operation came before the 2.04
        if (bs_.phase != bootstrap_phase::requesting) return;
        if (!res || c != coap::code::changed) return bootstrap_failed(now_, c);
        bs_.phase = bootstrap_phase::bootstrapping;
        bs_.next_action = now_ + config_.transmission.exchange_lifetime();
    }

    /**
     * A request of the Bootstrap-Server while bootstrapping (Core §6.1.7; the codes of its
     * tables): Bootstrap-Write (PUT, 2.04 / 4.00 / 4.15), -Delete (DELETE, 2.02 / 4.00),
     * -Discover (GET with Accept 40, 2.05 / 4.00 / 4.04), -Read (1.1: GET on /1 or /2, 2.05 /
     * 4.04 / 4.05 / 4.06) and -Finish (POST /bs, 2.04 / 4.06); anything else 4.05.
     */
    void handle_bootstrap_request(const coap::message_view& m, exchange::response& r) noexcept {
        using namespace std::string_view_literals;
        // An operation also means the 2.04 to the Request was sent (its ACK may be lost).
        if (bs_.pending.value != 0) endpoint_.cancel(bs_.pending);
        bs_.pending = {};
        bs_.phase = bootstrap_phase::bootstrapping;
        bs_.next_action = now_ + config_.transmission.exchange_lifetime();

        std::size_t segments = 0;
        bool bs_path = false;
        for (std::string_view seg : m.uri_path()) bs_path = ++segments == 1 && seg == "bs"sv;
        if (bs_path && segments == 1) {
            if (m.code() != coap::code::post) return fail_request(r, coap::code::method_not_allowed);
            return finish_bootstrap(r);
        }
        auto target = parse_path_segments(m.uri_path());
        if (!target) return fail_request(r, coap::code::bad_request);
        const path p = *target;
        bootstrap_objects objs{this};
        const auto accept = m.accept();
        switch (m.code()) {
        case coap::code::put: {
            const std::uint16_t cf = m.content_format().value_or(
                p.has_resource() ? std::uint16_t{0} : static_cast<std::uint16_t>(format::content_format::tlv));
            auto ok = bootstrap_write<formats>(objs.span(), objs.registry, p, cf, m.payload());
            if (!ok)
                return fail_request(r, ok.error().code == errc::unsupported_content_format
                                           ? coap::code::unsupported_content_format
                                           : coap::code::bad_request);
            r.code(coap::code::changed);
            return;
        }
        case coap::code::delete_:
            if (auto ok = bootstrap_delete(objs.span(), p); !ok) return fail_request(r, coap::code::bad_request);
            r.code(coap::code::deleted);
            return;
        case coap::code::get:
            if (accept && *accept == static_cast<std::uint16_t>(format::content_format::link_format)) {
                auto ok = write_bootstrap_discover(objs.span(), bs_.security,
                                                   std::span<const server_session>{servers_.data(), server_count_},
                                                   config_.lwm2m_version, p, r.body());
                if (!ok)
                    return fail_request(r, ok.error().code == errc::not_found ? coap::code::not_found
                                                                             : coap::code::bad_request);
                r.options().content_format(static_cast<std::uint16_t>(format::content_format::link_format));
                return;
            }
            // Bootstrap-Read (1.1 Core §6.1.7.2): the Server and Access Control objects only.
            if (version_1_0() || p.is_root() || (p.object_id() != 1 && p.object_id() != 2))
                return fail_request(r, coap::code::method_not_allowed);
            return bootstrap_read(objs, p, accept, r);
        default: return fail_request(r, coap::code::method_not_allowed);
        }
    }

    void bootstrap_read(const bootstrap_objects& objs, const path& p, std::optional<std::uint16_t> accept,
                        exchange::response& r) noexcept {
        const resource_def* def = objs.registry.find_resource(p);
        const auto cf = dm::choose_read_format(accept, p, def, config_.multi_value_format, formats);
        if (!cf) {
            if (auto ok = dm::summarize_read(objs.span(), p); !ok) return fail_request(r, response_code(ok.error().code));
            return fail_request(r, coap::code::not_acceptable);
        }
        dm::read_summary read;
        if (auto ok = dm::stream_read<formats>(objs.span(), p, def, *cf, r.body(), read); !ok)
            return fail_request(r, read.encode_error ? coap::code::internal_server_error : response_code(ok.error().code));
        r.options().content_format(static_cast<std::uint16_t>(*cf));
    }

    /**
     * Bootstrap-Delete (Core §6.1.7.5): "/" deletes every instance but the Bootstrap-Server
     * account's Security instance and the Device object's; /O the object's instances; /O/I
     * one. An object without a `remove` hook keeps its instances (it cannot lose them).
     * Errors: `operation_not_allowed` (a resource, the Bootstrap-Server account, the Device object).
     */
    result<void> bootstrap_delete(std::span<const object_binding> objs, const path& p) noexcept {
        if (p.depth() > 2) return fail(errc::operation_not_allowed);
        const auto protected_instance = [&](std::uint16_t object, std::uint16_t instance) {
            if (object == 3) return true;
            const security_instance* bs = bs_.security.bootstrap_account();
            return object == 0 && bs != nullptr && bs->id == instance;
        };
        if (p.level() == path_level::instance) {
            if (protected_instance(p.object_id(), p.instance_id())) return fail(errc::operation_not_allowed);
            const object_binding* o = dm::find_object(objs, p.object_id());
            if (o == nullptr || !o->has_instance(p.instance_id())) return {};  // nothing to delete
            if (o->ops->remove == nullptr) return fail(errc::operation_not_allowed);
            return o->ops->remove(o->self, p.instance_id());
        }
        for (const object_binding& o : objs) {
            if ((p.has_object() && o.id() != p.object_id()) || o.ops->remove == nullptr) continue;
            for (std::size_t i = o.instance_count(); i-- > 0;)
                if (!protected_instance(o.id(), o.instance_id(i)))
                    if (auto ok = o.ops->remove(o.self, o.instance_id(i)); !ok) return ok;
        }
        return {};
    }

    /**
     * Bootstrap-Finish (Core §6.1.7.6): consistent when every Server instance has a Short
     * Server ID of its own whose Security instance (not a Bootstrap-Server) has a URI the
     * adapter can reach, and there is at least one: 2.04, and the client registers with them; else 4.06
     * and the client keeps taking operations.
     */
    void finish_bootstrap(exchange::response& r) noexcept {
        if (server_count_ == 0 || bs_.config.resolve_peer == nullptr) return fail_request(r, coap::code::not_acceptable);
        std::array<exchange::peer_id, Limits::max_servers> peers{};
        for (std::size_t i = 0; i < server_count_; ++i) {
            const security_instance* sec = bs_.security.find_server(servers_[i].account.ssid);
            if (servers_[i].account.ssid == 0 || sec == nullptr || sec->uri.size == 0)
                return fail_request(r, coap::code::not_acceptable);
            for (std::size_t j = 0; j < i; ++j)  // two Server instances for one account
                if (servers_[j].account.ssid == servers_[i].account.ssid) return fail_request(r, coap::code::not_acceptable);
            const auto peer = bs_.config.resolve_peer(bs_.config.context, *sec);
            if (!peer) return fail_request(r, coap::code::not_acceptable);
            peers[i] = *peer;
        }
        for (std::size_t i = 0; i < server_count_; ++i) {
            security_instance* sec = bs_.security.find_server(servers_[i].account.ssid);
            sec->peer = peers[i];
            servers_[i].account.peer = peers[i];
            servers_[i].account.uri = sec->uri.text();
        }
        bs_.finish_pending = true;
        r.code(coap::code::changed);
    }

    // The largest power-of-two block (16..1024) that fits one datagram with its headers, as
    // the endpoint serves Block2: a notification body larger than that goes out block-wise.
    static constexpr std::size_t notification_block() noexcept {
        std::size_t b = 1024;
        while (b > 16 && b + 96 > Limits::max_message) b /= 2;
        return b;
    }

    // Where a notification body is written: the first notification_block() bytes (the
    // largest body that goes out in one piece; a longer one is sent block-wise) of the
    // endpoint slot that will send it; empty when no slot is free.
    mutable_bytes notify_body() noexcept {
        const mutable_bytes area = endpoint_.outgoing_body_area();
        return area.empty() ? area : area.first(notification_block());
    }
    static_assert(notification_block() <= Limits::max_message);

    // The content formats the root link of Register advertises (LwM2M 1.1 Core §6.2.1).
    static constexpr std::string_view supported_formats = detail::ct_list<formats>::view;
    static_assert(detail::ct_list<format_set::all>::view == "0 42 60 110 112 11542");

    struct pending_send {
        exchange::request_handle handle{};
        std::uint16_t ssid = 0;
    };

    client_config config_;
    endpoint_type endpoint_;
    std::array<pending_send, 4> sends_{};
    std::array<server_session, Limits::max_servers> servers_{};
    std::size_t server_count_ = 0;
    basic_server_object<bootstraps> server_object_;  // after the sessions it points into
    [[no_unique_address]] bootstrap_part bs_{};
    std::array<object_binding, Limits::max_objects> objects_{};
    std::size_t object_count_ = 0;
    std::array<object_view, Limits::max_objects> schema_views_{};
    schema_registry registry_{};
    attribute_store<Limits::max_attributes> attributes_{};
    std::array<observation, Limits::max_observations> observations_{};
    std::array<std::array<path, Limits::composite_paths>, Limits::max_observations> composite_paths_{};  // by observation slot
    /// by observation slot: the instances last notified, for gt/lt/st on a whole multi-instance resource
    [[no_unique_address]] std::conditional_t<(threshold_instances > 0),
                                             std::array<instance_values<instance_capacity>, Limits::max_observations>,
                                             no_instance_values>
        notified_instances_{};
    /// what the last read with `track_instances` delivered
    [[no_unique_address]] std::conditional_t<(threshold_instances > 0), instance_capture<instance_capacity>, no_instance_values>
        sampled_instances_{};
    std::optional<time_point> observation_deadline_{};
    coap::observe_sequence sequence_{};
    record_buffer<Limits::max_records, Limits::arena_bytes> records_{};
    time_point now_{};
    time_point last_exchange_{};
    queue_state queue_state_ = queue_state::awake;
    bool wake_wanted_ = false;
    bool in_dispatch_ = false;
};

} // namespace lwm2m::client
