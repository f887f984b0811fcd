#pragma once
/**
 * @file server/engine.hpp
 * `server::engine`: the sans-I/O LwM2M Server (LwM2M 1.1/1.2 Core; 1.0 clients too). It owns
 * an `exchange::endpoint` (reliability, deduplication, NSTART, observations held on peers) and
 * on top of it:
 * - the Client Registration Interface (Core §6.2): Register, Update, De-register, expiry of
 *   registrations whose lifetime passed, replacement of a registration by a new Register of
 *   the same endpoint name; validation rules in `server/registration.hpp`; storage in a
 *   `registration_store` over memory the application provides;
 * - Device Management (Core §6.3): Read, Discover, Write (replace/partial), Write-Attributes,
 *   Execute, Create, Delete, Read-Composite, Write-Composite, issued to an endpoint by name
 *   (`submit`) or to a list of names (`submit_group`), answered asynchronously;
 * - Information Reporting (Core §6.4): Observe, Observe-Composite, notifications checked for
 *   freshness (RFC 7641 §3.4, stale ones dropped), passive or active cancel; Send (POST /dp);
 * - Queue Mode (Core §6.5, Transport §6): requests to a client registered with Q are held
 *   while it sleeps and sent when it next registers or updates.
 *
 * Driving it:
 * @code
 *   engine.on_datagram(peer, bytes, now);               // a received datagram
 *   engine.on_timeout(now);                             // next_deadline() was reached
 *   while (auto t = engine.poll_transmit(buf)) send(t->peer, buf.first(t->size));
 *   auto id = engine.submit("dev-1", request_spec::read("/3/0"_path), now);
 *   // later, in handler.on_result(r): r.id == *id, r.code, r.records ...
 * @endcode
 *
 * Documented choices:
 * - Location ids are 32-bit, unique among current registrations, written as lowercase hex
 *   (`/rd/1a2b3c4d`), drawn from a counter seeded by the injected random source.
 * - A request belongs to a registration: if it ends (De-register, expiry, replacement by a new
 *   Register) before the answer, the request fails with `errc::not_registered` and its
 *   observations end with a `notification` (`ended`, failure `not_registered`).
 * - Default content format per client (payloads we send and the Accept of reads): 1.0 → TLV;
 *   1.1 → SenML CBOR if the root link announced 112, else SenML JSON if 110, else the 1.0
 *   JSON if 11543 was announced without 11542, else TLV;
 *   1.2 → LwM2M CBOR if 11544 was announced, else as 1.1. Composite operations need a SenML
 *   (or LwM2M CBOR) format: SenML CBOR if announced, else SenML JSON.
 * - Send from a peer with no registration answers 4.04 Not Found (the client must register
 *   again, as for an Update of an unknown registration); Send in a format other than SenML
 *   JSON/CBOR or LwM2M CBOR answers 4.15; a body that does not decode answers 4.00.
 * - Queue mode: a client registered with Q is awake for `server_config::queue_awake_time`
 *   (default MAX_TRANSMIT_WAIT, 93 s, Transport §6) after any message from it (Register,
 *   Update, Send, a notification, a response, an empty ACK); requests issued outside that
 *   window are held (at most `Limits::max_held`) and sent when it is next heard from; an
 *   idempotent request it does not answer (it slept earlier than assumed) is held again,
 *   not failed, three times at most (then `timeout`); an Execute, Create or partial Write
 *   (POST) that times out fails at once, as it may have acted.
 * - Block-wise responses (RFC 7959 §2.4, §3.3): a 2.xx with Block2 M=1 to a Read, Discover,
 *   Observe or a composite read is completed block by block (the same request without
 *   Observe, Block2 NUM+1 at the size the client chose), and the result carries the whole body
 *   (at most `MaxResponseBody`, `MaxBlockTransfers` at once). A notification whose first block
 *   says M=1 is completed with GETs the same way and delivered whole (if no newer one came
 *   meanwhile); an Observe-Composite notification is completed with FETCHes carrying its path
 *   list (kept for up to `CompositeObservePaths` paths; with more, its first block is
 *   delivered with `request_entity_incomplete`). Failures: `request_entity_too_large` (over
 *   MaxResponseBody, or Size2 says so), `request_entity_incomplete` (a block out of order, or
 *   another ETag or format), `capacity_exceeded` (no free reassembly); a notification then
 *   comes with that failure.
 * - Responses are decoded with `server_config::schemas` (the shipped `objects::registry` by
 *   default); objects without a schema decode generically (TLV values stay untyped), and a
 *   resource unknown to the schema (a newer object version) makes the body decode generically.
 *   One peer quirk is read: LwM2M 1.0 Wakaama answers a Read or Observe of a single-instance
 *   resource /O/I/R (and notifies it) in OMA JSON with the value named /O/I/R/0; that body,
 *   when it is one record, is the value of /O/I/R (not for other formats, paths or record counts).
 *
 * Capacities are the `server_limits` template parameters and the spans given to the
 * constructor; nothing is allocated, nothing throws.
 */

#include <algorithm>
#include <array>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <lwm2m/bytes.hpp>
#include <lwm2m/coap/code.hpp>
#include <lwm2m/coap/message_builder.hpp>
#include <lwm2m/coap/message_view.hpp>
#include <lwm2m/coap/observe.hpp>
#include <lwm2m/coap/token.hpp>
#include <lwm2m/encoding/number_text.hpp>
#include <lwm2m/exchange/block2_reassembly.hpp>
#include <lwm2m/exchange/clock.hpp>
#include <lwm2m/exchange/endpoint.hpp>
#include <lwm2m/exchange/peer.hpp>
#include <lwm2m/exchange/response.hpp>
#include <lwm2m/exchange/transmission_parameters.hpp>
#include <lwm2m/format/codec.hpp>
#include <lwm2m/format/content_format.hpp>
#include <lwm2m/format/output_window.hpp>
#include <lwm2m/format/record.hpp>
#include <lwm2m/model/attributes.hpp>
#include <lwm2m/model/objects/all.hpp>
#include <lwm2m/model/schema_registry.hpp>
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>
#include <lwm2m/server/events.hpp>
#include <lwm2m/server/registration.hpp>
#include <lwm2m/server/registration_store.hpp>

namespace lwm2m::server {

/**
 * Capacities of a server engine. Registrations are not among them: their number is the size
 * of the slot span given to the constructor.
 * - `MaxRequests`: requests held or in flight at once (also the endpoint's pending slots);
 * - `MaxObservations`: observations at once (pending Observe requests included);
 * - `MaxRecords`: values one decoded response, notification or Send may hold;
 * - `MaxLinks`: object/instance links kept per registration (the slot stays <= 1 KiB);
 * - `MaxRequestPayload`: largest request body (Write, Create, composite path lists);
 * - `MaxHeld`: queue mode, requests held for sleeping clients (all clients together);
 * - `MaxResponseBody`: largest response or notification body reassembled from Block2 blocks;
 * - `MaxBlockTransfers`: Block2 reassemblies at once (each holds `MaxResponseBody` bytes);
 * - `DedupEntries`: requests remembered with their answer for deduplication (RFC 7252 §4.5;
 *   each holds one datagram). It must cover the CON requests all clients send within the
 *   time a retransmission can still arrive (at least MAX_TRANSMIT_SPAN, 45 s), or a late
 *   duplicate Register/Update/Send is processed again.
 * - `CompositeObservePaths`: paths an Observe-Composite keeps (10 bytes each, per
 *   observation) to complete a notification larger than one block with FETCHes; one with
 *   more paths delivers such a notification's first block with `request_entity_incomplete`.
 * - `MaxUplinkBody`: largest body of a request from a client (Register, Update, Send)
 *   reassembled from Block1 blocks (RFC 7959 §2.3; Californium-based clients such as
 *   Leshan's send bodies over 1024 bytes block-wise, Anjay's those over its buffer). The
 *   endpoint answers 4.13 above the limit; 0 takes none: every Block1 transfer is answered
 *   4.13 (§2.9.3).
 * - `MaxUplinkTransfers`: such bodies reassembled at once, one a client (clients of a fleet
 *   register together after a server restart); a further client's first block takes the
 *   slot that has waited longest, whose client then gets 4.08 and starts again. Costs
 *   MaxUplinkTransfers * (MaxMessage + MaxUplinkBody) bytes.
 */
template <std::size_t MaxMessage = 1152, std::size_t MaxRequests = 32, std::size_t MaxObservations = 32,
          std::size_t MaxRecords = 64, std::size_t MaxLinks = 64, std::size_t MaxRequestPayload = 512,
          std::size_t MaxHeld = 16, std::size_t MaxResponseBody = 4096, std::size_t MaxBlockTransfers = 4,
          std::size_t DedupEntries = 128, std::size_t CompositeObservePaths = 4, std::size_t MaxUplinkBody = 4096,
          std::size_t MaxUplinkTransfers = 4>
struct server_limits {
    static constexpr std::size_t max_message = MaxMessage;
    static constexpr std::size_t max_requests = MaxRequests;
    static constexpr std::size_t max_observations = MaxObservations;
    static constexpr std::size_t max_records = MaxRecords;
    static constexpr std::size_t max_request_payload = MaxRequestPayload;
    static constexpr std::size_t max_held = MaxHeld;
    static constexpr std::size_t max_response_body = MaxResponseBody;
    static constexpr std::size_t max_block_transfers = MaxBlockTransfers;
    static_assert(MaxBlockTransfers < 255);
    using slot = registration_slot<MaxLinks>;
    static_assert(sizeof(slot) <= 1024, "a registration slot must stay within 1 KiB: lower MaxLinks");
    static constexpr std::size_t dedup_entries = DedupEntries;
    static constexpr std::size_t composite_observe_paths = CompositeObservePaths;
    static_assert(CompositeObservePaths < 256);
    static constexpr std::size_t max_uplink_body = MaxUplinkBody;
    static constexpr std::size_t max_uplink_transfers = MaxUplinkTransfers;
    using endpoint_limits = exchange::endpoint_limits<MaxMessage, MaxRequests, DedupEntries, MaxRequests + 32,
                                                      MaxObservations, 8, MaxUplinkBody, 64, MaxUplinkTransfers>;
};

/** Run-time configuration of a server engine. */
struct server_config {
    exchange::transmission_parameters transmission{};
    /** Queue mode awake window after any message from the client; zero means MAX_TRANSMIT_WAIT of `transmission`. */
    duration queue_awake_time = duration::zero();
    /** Schemas for decoding (TLV needs them); must outlive the engine. */
    const schema_registry* schemas = &objects::registry;
    /**
     * How long after its lifetime a registration is still kept (and an Update still accepted)
     * before it expires. Zero, the default, expires it at the lifetime, as Core §6.2.2 puts
     * the margin on the client ("before the lifetime expires": ours, like Wakaama's, updates
     * MAX_TRANSMIT_WAIT early) and as Leshan's and Wakaama's servers do. A deployment with
     * clients that update at the last moment over slow or lossy links (a retransmitted Update
     * arrives seconds later; a cheap clock drifts 100 ppm, 8.6 s a day) sets a few seconds.
     * `registration_view::expires` stays the lifetime's end.
     */
    duration expiry_grace = duration::zero();
};

template <class Limits, coap::random_source Random, server_handler Handler>
class engine {
public:
    using slot_type = typename Limits::slot;
    using store_type = registration_store<slot_type>;
    using endpoint_type = exchange::endpoint<typename Limits::endpoint_limits, Random>;

    /** Index words the constructor needs for `capacity` registrations. */
    [[nodiscard]] static constexpr std::size_t index_words(std::size_t capacity) noexcept {
        return store_type::index_words(capacity);
    }

    /**
     * `slots` and `index` (at least `index_words(slots.size())` words) hold the registrations
     * and must outlive the engine; `handler` receives events and results.
     */
    engine(Handler& handler, std::span<slot_type> slots, std::span<std::uint32_t> index, Random random,
           const server_config& config = {}) noexcept
        : handler_(handler), config_(config), endpoint_(random, config.transmission), store_(slots, index) {
        next_location_ = static_cast<std::uint32_t>(random()) | 1u;
    }
    engine(const engine&) = delete;
    engine& operator=(const engine&) = delete;

    // ---- driving ------------------------------------------------------------------------------

    /** A datagram from `peer`. */
    void on_datagram(exchange::peer_id peer, bytes_view datagram, time_point now) noexcept {
        now_ = now;
        dispatcher d{this};
        endpoint_.on_datagram(peer, datagram, now, d);
        // Any message from a client shows it awake, not only Register/Update/Send: a queue-mode
        // client may wake to notify (Anjay Lite sends Notify or Send without an Update first)
        // and stays awake after each message it sends (Transport §6; Zephyr counts its
        // responses too), so held requests go out now rather than after its next Update.
        if (slot_type* s = store_.find_peer(peer)) s->last_heard = now;
        process(now);
    }

    /** Retransmissions, give-ups and registration expiry. Call when `next_deadline()` passed. */
    void on_timeout(time_point now) noexcept {
        now_ = now;
        dispatcher d{this};
        endpoint_.on_timeout(now, d);
        while (slot_type* s = store_.earliest()) {
            if (s->expires + config_.expiry_grace > now) break;
            end_registration(*s, registration_event_kind::expired, true);
        }
        process(now);
    }

    /** The next datagram to send, copied into `out` (at least Limits::max_message bytes). */
    [[nodiscard]] std::optional<exchange::transmit> poll_transmit(mutable_bytes out) noexcept {
        return endpoint_.poll_transmit(out);
    }

    /** The next datagram to send, lent until the next call into the engine (no copy). */
    [[nodiscard]] std::optional<exchange::datagram> poll_datagram() noexcept { return endpoint_.poll_datagram(); }

    /** When `on_timeout` must be called next: retransmissions and the earliest registration expiry. */
    [[nodiscard]] std::optional<time_point> next_deadline() const noexcept {
        std::optional<time_point> d = endpoint_.next_deadline();
        if (const slot_type* s = store_.earliest())
            if (!d || s->expires + config_.expiry_grace < *d) d = s->expires + config_.expiry_grace;
        return d;
    }

    // ---- requests -----------------------------------------------------------------------------

    /**
     * Issues `spec` to the client registered as `endpoint`; the outcome comes later through
     * `handler.on_result` with the returned id (for Observe, notifications carry it too).
     * Errors: `not_registered` (no such registration), `invalid_argument` (a target at the
     * wrong level for the operation, composite without paths/records, a raw payload without
     * format), `no_request_slot` (all `MaxRequests` in use: retry when a result came),
     * `no_observation_slot` (all `MaxObservations` in use), `held_queue_full` (`MaxHeld`
     * requests already wait for sleeping clients), `request_entity_too_large` (the body does
     * not fit `MaxRequestPayload`), `capacity_exceeded` (the endpoint cannot take another
     * message now), encoding errors of the records (`type_mismatch`...).
     */
    [[nodiscard]] result<request_id> submit(std::string_view endpoint, const request_spec& spec, time_point now) noexcept {
        now_ = now;
        slot_type* s = store_.find_name(endpoint);
        if (s == nullptr) return fail(errc::not_registered);
        if (spec.op == operation::cancel_observe) return fail(errc::invalid_argument);
        if (auto ok = check_target(spec); !ok) return unexpected{ok.error()};
        request_entry* e = free_request();
        if (e == nullptr) return fail(errc::no_request_slot);
        const bool hold = !awake(*s, now);
        if (hold && held_count() >= Limits::max_held) return fail(errc::held_queue_full);
        observation_entry* o = nullptr;
        if (spec.op == operation::observe || spec.op == operation::observe_composite) {
            o = free_observation();
            if (o == nullptr) return fail(errc::no_observation_slot);
        }
        *e = request_entry{};
        e->op = spec.op;
        e->target = spec.target;
        e->confirmable = spec.confirmable;
        e->location = s->location;
        e->attributes = spec.attributes;
        e->remove_attributes = spec.remove_attributes;
        e->format = choose_format(*s, spec);
        if (auto ok = encode_body(*e, spec); !ok) return unexpected{ok.error()};
        e->id = new_request_id();
        if (o != nullptr) {
            *o = observation_entry{};
            o->state = observation_entry::pending;
            o->id = e->id;
            o->location = s->location;
            o->target = spec.target;
            o->format = e->format;
            o->composite = spec.op == operation::observe_composite;
            if (o->composite && spec.paths.size() <= o->paths.size()) {
                std::copy(spec.paths.begin(), spec.paths.end(), o->paths.begin());
                o->path_count = static_cast<std::uint8_t>(spec.paths.size());
            }
        }
        if (hold) {
            e->state = request_entry::held;
            maybe_held_ = true;
            return e->id;
        }
        if (auto sent = dispatch(*e, *s, now); !sent) {
            e->state = request_entry::free;
            if (o != nullptr) o->state = observation_entry::free;
            return unexpected{sent.error()};
        }
        return e->id;
    }

    /**
     * The group helper: issues `spec` to each endpoint of `endpoints`; `out[i]` receives the
     * id (or the error) for `endpoints[i]`. Each result carries its endpoint name. Returns how
     * many were issued.
     */
    std::size_t submit_group(std::span<const std::string_view> endpoints, const request_spec& spec, time_point now,
                             std::span<result<request_id>> out) noexcept {
        std::size_t issued = 0;
        for (std::size_t i = 0; i < endpoints.size(); ++i) {
            result<request_id> r = submit(endpoints[i], spec, now);
            if (r) ++issued;
            if (i < out.size()) out[i] = r;
        }
        return issued;
    }

    /** Cancel modes of an observation (RFC 7641 §3.6). */
    enum class cancel_mode : std::uint8_t {
        passive,  ///< forget it; the client's next notification is answered with Reset
        active,   ///< GET with Observe=1 and the observation's token (not for Observe-Composite: passive then)
    };

    /**
     * Cancels observation `observation` (the id `submit` returned for the Observe). Passive:
     * returns the observation id. Active: returns the id of the GET with Observe=1, whose
     * answer comes as a `request_result` (op `cancel_observe`). An Observe not yet answered is
     * withdrawn (its result reports `cancelled`). Errors: `not_found`, `no_request_slot`,
     * `capacity_exceeded` (the endpoint is full).
     */
    [[nodiscard]] result<request_id> cancel_observation(request_id observation, cancel_mode mode, time_point now) noexcept {
        now_ = now;
        observation_entry* o = find_observation(observation);
        if (o == nullptr) return fail(errc::not_found);
        if (o->state == observation_entry::pending) {
            if (request_entry* e = find_request(observation)) {
                if (e->state == request_entry::in_flight) endpoint_.cancel(e->handle);
                const request_result r = failed_result(*e, errc::cancelled);
                release_transfer(*e);
                e->state = request_entry::free;
                o->state = observation_entry::free;
                handler_.on_result(r);
            }
            o->state = observation_entry::free;
            return observation;
        }
        const std::optional<coap::token> token = endpoint_.observation_token(o->handle);
        endpoint_.cancel_observation(o->handle);
        o->state = observation_entry::free;
        for (request_entry& e : requests_)  // the rest of a block-wise notification
            if (e.state == request_entry::in_flight && e.notification_of == observation) {
                endpoint_.cancel(e.handle);
                release_transfer(e);
                e.state = request_entry::free;
            }
        if (mode == cancel_mode::passive || o->composite || !token) return observation;
        slot_type* s = store_.find_location(o->location);
        request_entry* e = free_request();
        if (s == nullptr) return fail(errc::not_registered);
        if (e == nullptr) return fail(errc::no_request_slot);
        *e = request_entry{};
        e->op = operation::cancel_observe;
        e->target = o->target;
        e->location = o->location;
        e->token = *token;
        e->format = o->format;  // §3.6: every option but ETag as in the Observe
        e->id = new_request_id();
        if (!awake(*s, now)) {
            e->state = request_entry::held;
            maybe_held_ = true;
            return e->id;
        }
        if (auto sent = dispatch(*e, *s, now); !sent) {
            e->state = request_entry::free;
            return unexpected{sent.error()};
        }
        return e->id;
    }

    // ---- inspection ---------------------------------------------------------------------------

    /** The registration of `endpoint`, if registered. */
    [[nodiscard]] std::optional<registration_view> find(std::string_view endpoint) const noexcept {
        if (const slot_type* s = store_.find_name(endpoint)) return registration_view::of(*s);
        return std::nullopt;
    }
    /** The registration whose last Register/Update came from `peer` (the latest such), if any. */
    [[nodiscard]] std::optional<registration_view> find(exchange::peer_id peer) const noexcept {
        if (const slot_type* s = store_.find_peer(peer)) return registration_view::of(*s);
        return std::nullopt;
    }
    /** The registration at location id `location` (the `<id>` of /rd/<id>), if any. */
    [[nodiscard]] std::optional<registration_view> find_location(std::uint32_t location) const noexcept {
        if (const slot_type* s = store_.find_location(location)) return registration_view::of(*s);
        return std::nullopt;
    }
    /**
     * Calls `f(registration_view)` for every registration (in storage order; O(capacity)). `f`
     * must not register, update or end registrations (the views point into the store).
     */
    template <class F>
    void for_each_registration(F&& f) const noexcept {
        store_.for_each([&f](const slot_type& s) { f(registration_view::of(s)); });
    }
    /** Number of registrations. */
    [[nodiscard]] std::size_t registration_count() const noexcept { return store_.size(); }
    /** Registrations the storage can hold. */
    [[nodiscard]] std::size_t registration_capacity() const noexcept { return store_.capacity(); }

    /**
     * Lists the requests held or in flight for `endpoint` into `out`; returns how many there
     * are (possibly more than `out` holds).
     */
    std::size_t pending(std::string_view endpoint, std::span<pending_request> out) const noexcept {
        const slot_type* s = store_.find_name(endpoint);
        if (s == nullptr) return 0;
        std::size_t n = 0;
        for (const request_entry& e : requests_)
            if (e.state != request_entry::free && e.location == s->location && e.notification_of.value == 0) {
                if (n < out.size()) out[n] = pending_request{e.id, e.op, e.target, e.state == request_entry::held};
                ++n;
            }
        return n;
    }
    /** Number of active (answered) observations. */
    [[nodiscard]] std::size_t observation_count() const noexcept {
        return static_cast<std::size_t>(std::count_if(observations_.begin(), observations_.end(), [](const observation_entry& o) {
            return o.state == observation_entry::active;
        }));
    }
    /** Notifications dropped as stale (RFC 7641 §3.4) since the engine started. */
    [[nodiscard]] std::size_t stale_notifications() const noexcept { return stale_; }
    /** The endpoint underneath (e.g. to tune transmission parameters). */
    [[nodiscard]] endpoint_type& exchange_endpoint() noexcept { return endpoint_; }

private:
    // ---- state --------------------------------------------------------------------------------

    using transfers_type = exchange::block2_reassembly<Limits::max_response_body, Limits::max_block_transfers>;
    struct request_entry {
        enum state_kind : std::uint8_t { free, held, in_flight } state = free;
        operation op = operation::read;
        bool confirmable = true;
        std::uint8_t remove_attributes = 0;
        request_id id{};
        exchange::request_handle handle{};
        std::uint32_t location = 0;
        lwm2m::path target{};
        format::content_format format = format::content_format::tlv;
        notification_attributes attributes{};
        coap::token token{};
        typename transfers_type::slot transfer = transfers_type::no_slot;  // its Block2 reassembly
        request_id notification_of{};        // fetching the rest of a notification of this observation
        std::uint32_t sequence = 0;          // that notification's Observe value
        std::uint8_t held_again = 0;         // times it went unanswered and was held again (hold_again)
        std::size_t payload_size = 0;
        std::array<std::byte, Limits::max_request_payload> payload{};
    };
    using response_parts = exchange::response_parts;
    struct observation_entry {
        enum state_kind : std::uint8_t { free, pending, active } state = free;
        bool composite = false;
        bool has_sequence = false;
        request_id id{};
        exchange::request_handle handle{};
        std::uint32_t location = 0;
        lwm2m::path target{};
        std::uint32_t last_sequence = 0;
        time_point last_time{};
        // The Observe's content format (its Accept): an active cancel repeats it (RFC 7641 §3.6).
        format::content_format format = format::content_format::tlv;
        // Observe-Composite: its paths, to FETCH the rest of a block-wise notification
        // (0 when there were more than the limit keeps).
        std::uint8_t path_count = 0;
        std::array<lwm2m::path, Limits::composite_observe_paths> paths{};
    };

    struct dispatcher {
        engine* self;
        void on_request(exchange::peer_id p, const coap::message_view& m, exchange::response& r) noexcept {
            self->handle_request(p, m, r);
        }
        void on_response(exchange::request_handle h, exchange::peer_id p, const result<coap::message_view>& m) noexcept {
            self->handle_response(h, p, m);
        }
    };

    request_id new_request_id() noexcept {
        if (next_request_ == 0) next_request_ = 1;
        return request_id{next_request_++};
    }
    // Round robin from the slot after the last one taken: a group operation filling the table
    // does not walk over all the slots it filled before, once per request.
    request_entry* free_request() noexcept {
        for (std::size_t k = 0; k < requests_.size(); ++k) {
            const std::size_t i = (free_hint_ + k) % requests_.size();
            if (requests_[i].state == request_entry::free) {
                free_hint_ = (i + 1) % requests_.size();
                return &requests_[i];
            }
        }
        return nullptr;
    }
    request_entry* find_request(request_id id) noexcept {
        for (request_entry& e : requests_)
            if (e.state != request_entry::free && e.id == id) return &e;
        return nullptr;
    }
    observation_entry* free_observation() noexcept {
        for (observation_entry& o : observations_)
            if (o.state == observation_entry::free) return &o;
        return nullptr;
    }
    observation_entry* find_observation(request_id id) noexcept {
        for (observation_entry& o : observations_)
            if (o.state != observation_entry::free && o.id == id) return &o;
        return nullptr;
    }
    std::size_t held_count() const noexcept {
        return static_cast<std::size_t>(std::count_if(requests_.begin(), requests_.end(), [](const request_entry& e) {
            return e.state == request_entry::held;
        }));
    }

    [[nodiscard]] duration awake_time() const noexcept {
        return config_.queue_awake_time > duration::zero() ? config_.queue_awake_time
                                                           : config_.transmission.max_transmit_wait();
    }
    [[nodiscard]] bool awake(const slot_type& s, time_point now) const noexcept {
        return !s.queue || now < s.last_heard + awake_time();
    }

    // ---- formats ------------------------------------------------------------------------------

    static constexpr bool composite_capable(format::content_format f) noexcept {
        return f == format::content_format::senml_json || f == format::content_format::senml_cbor ||
               f == format::content_format::lwm2m_cbor;
    }
    /** The client's default format (see the file comment). */
    static format::content_format default_format(const slot_type& s) noexcept {
        using format::content_format;
        if (s.version == lwm2m_version::v1_0) return content_format::tlv;
        if (s.version == lwm2m_version::v1_2 && s.formats.has(content_format::lwm2m_cbor)) return content_format::lwm2m_cbor;
        if (s.formats.has(content_format::senml_cbor)) return content_format::senml_cbor;
        if (s.formats.has(content_format::senml_json)) return content_format::senml_json;
        // A list without SenML or TLV: the multi-value format it does list (a 1.1 client that
        // announces only the 1.0 JSON cannot be assumed to read TLV).
        if (!s.formats.has(content_format::tlv) && s.formats.has(content_format::oma_json)) return content_format::oma_json;
        return content_format::tlv;
    }
    static format::content_format choose_format(const slot_type& s, const request_spec& spec) noexcept {
        if (spec.format) return *spec.format;
        const format::content_format d = default_format(s);
        const bool composite = spec.op == operation::read_composite || spec.op == operation::write_composite ||
                               spec.op == operation::observe_composite;
        if (composite && !composite_capable(d))
            return s.formats.has(format::content_format::senml_cbor) ? format::content_format::senml_cbor
                                                                     : format::content_format::senml_json;
        return d;
    }

    static result<void> check_target(const request_spec& spec) noexcept {
        const lwm2m::path& p = spec.target;
        switch (spec.op) {
        case operation::write_replace:
        case operation::write_partial:
            if (!p.has_instance() || (spec.op == operation::write_partial && p.level() != path_level::instance))
                return fail(errc::invalid_argument);
            break;
        case operation::execute:
            if (p.level() != path_level::resource) return fail(errc::invalid_argument);
            break;
        case operation::create:
            if (p.level() != path_level::object) return fail(errc::invalid_argument);
            break;
        case operation::remove:
        case operation::write_attributes:
            if (p.is_root()) return fail(errc::invalid_argument);
            break;
        case operation::read_composite:
        case operation::observe_composite:
            if (spec.paths.empty() && spec.payload.empty()) return fail(errc::invalid_argument);
            break;
        case operation::write_composite:
            if (spec.records.empty() && spec.payload.empty()) return fail(errc::invalid_argument);
            break;
        default: break;
        }
        if (!spec.payload.empty() && !spec.format) return fail(errc::invalid_argument);
        return {};
    }

    /** Encodes the request body into the entry (records, path list, arguments). */
    result<void> encode_body(request_entry& e, const request_spec& spec) noexcept {
        const mutable_bytes buf{e.payload};
        if (!spec.payload.empty()) {
            if (spec.payload.size() > buf.size()) return fail(errc::request_entity_too_large);
            std::copy(spec.payload.begin(), spec.payload.end(), buf.begin());
            e.payload_size = spec.payload.size();
            return {};
        }
        format::output_window out{buf};
        switch (spec.op) {
        case operation::write_replace:
        case operation::write_partial:
        case operation::create:
        case operation::write_composite: {
            const lwm2m::path base = spec.op == operation::write_composite ? lwm2m::path{} : spec.target;
            if (auto ok = format::write_records(e.format, spec.records, base, out); !ok) return ok;
            break;
        }
        case operation::read_composite:
        case operation::observe_composite: return encode_path_list(e, spec.paths);
        case operation::execute: {
            const bytes_view a = as_bytes(spec.arguments);
            if (a.size() > buf.size()) return fail(errc::request_entity_too_large);
            std::copy(a.begin(), a.end(), buf.begin());
            e.payload_size = a.size();
            return {};
        }
        default: e.payload_size = 0; return {};
        }
        if (out.overflowed()) return fail(errc::request_entity_too_large);
        e.payload_size = out.bytes().size();
        return {};
    }

    /** Encodes a composite path list (LwM2M 1.1 Core §6.4.3: SenML records with names only) as the body. */
    result<void> encode_path_list(request_entry& e, std::span<const lwm2m::path> paths) noexcept {
        if (paths.size() > path_records_.size()) return fail(errc::request_entity_too_large);
        for (std::size_t i = 0; i < paths.size(); ++i) path_records_[i] = format::record{paths[i], value{}, {}};
        format::output_window out{mutable_bytes{e.payload}};
        if (auto ok = format::write_records(e.format, std::span<const format::record>{path_records_.data(), paths.size()},
                                            lwm2m::path{}, out);
            !ok)
            return ok;
        if (out.overflowed()) return fail(errc::request_entity_too_large);
        e.payload_size = out.bytes().size();
        return {};
    }

    // ---- sending ------------------------------------------------------------------------------

    /**
     * Builds the CoAP request of `e` for registration `s` and hands it to the endpoint. With
     * `block2`: the request for that block of the response (RFC 7959 §2.4), without Observe
     * (§3.4: later blocks of an observed resource are fetched with plain requests).
     */
    result<void> dispatch(request_entry& e, const slot_type& s, time_point now,
                          std::optional<coap::block_option> block2 = std::nullopt) noexcept {
        using format::content_format;
        coap::message_builder<24> b;
        b.type(e.confirmable ? coap::message_type::confirmable : coap::message_type::non_confirmable);
        const path_text target_text = e.target.text();
        b.uri_path_segments(s.alternate_root());
        b.uri_path_segments(target_text.view());
        const auto cf = static_cast<std::uint16_t>(e.format);
        const bytes_view body{e.payload.data(), e.payload_size};
        std::array<std::array<char, 48>, 7> query{};
        switch (e.op) {
        case operation::read: b.code(coap::code::get).accept(cf); break;
        case operation::discover:
            b.code(coap::code::get).accept(static_cast<std::uint16_t>(content_format::link_format));
            break;
        case operation::observe:
            b.code(coap::code::get).accept(cf);
            if (!block2) b.observe(coap::observe_register);
            break;
        case operation::cancel_observe: b.code(coap::code::get).observe(coap::observe_deregister).accept(cf); break;
        case operation::write_replace: b.code(coap::code::put).content_format(cf).payload(body); break;
        case operation::write_partial:
        case operation::create: b.code(coap::code::post).content_format(cf).payload(body); break;
        case operation::execute:
            b.code(coap::code::post);
            if (!body.empty()) b.payload(body);
            break;
        case operation::remove: b.code(coap::code::delete_); break;
        case operation::write_attributes: {
            b.code(coap::code::put);
            std::size_t q = 0;
            const notification_attributes& a = e.attributes;
            const auto add = [&](attribute_name n, std::optional<double> v) {
                const bool remove = (e.remove_attributes & (1u << static_cast<unsigned>(n))) != 0;
                if (!v && !remove) return;
                std::array<char, 48>& t = query[q++];
                const std::string_view nm = name(n);
                std::size_t len = 0;
                for (char c : nm) t[len++] = c;
                if (v) {
                    t[len++] = '=';
                    const bool whole = !is_threshold(n);
                    auto w = whole ? encoding::format_number(static_cast<std::uint64_t>(*v), std::span<char>{t}.subspan(len))
                                   : encoding::format_number_plain(*v, std::span<char>{t}.subspan(len));
                    len += w ? *w : 0;
                }
                b.uri_query(std::string_view{t.data(), len});
            };
            const auto opt = [](const std::optional<std::uint32_t>& x) {
                return x ? std::optional<double>{static_cast<double>(*x)} : std::nullopt;
            };
            add(attribute_name::pmin, opt(a.pmin));
            add(attribute_name::pmax, opt(a.pmax));
            add(attribute_name::gt, a.gt);
            add(attribute_name::lt, a.lt);
            add(attribute_name::st, a.st);
            add(attribute_name::epmin, opt(a.epmin));
            add(attribute_name::epmax, opt(a.epmax));
            break;
        }
        case operation::read_composite:
            b.code(coap::code::fetch).content_format(cf).accept(cf).payload(body);
            break;
        case operation::observe_composite:
            b.code(coap::code::fetch).content_format(cf).accept(cf).payload(body);
            if (!block2) b.observe(coap::observe_register);
            break;
        case operation::write_composite: b.code(coap::code::ipatch).content_format(cf).payload(body); break;
        }
        if (block2) b.block2(*block2);
        auto h = e.op == operation::cancel_observe ? endpoint_.send_request(s.peer, b, e.token, now)
                                                   : endpoint_.send_request(s.peer, b, now);
        if (!h) return unexpected{h.error()};
        e.handle = *h;
        e.state = request_entry::in_flight;
        index_handle(*h, handle_of_request | static_cast<std::uint32_t>(&e - requests_.data()));
        if (!block2 && (e.op == operation::observe || e.op == operation::observe_composite))
            if (observation_entry* o = find_observation(e.id)) o->handle = *h;  // indexed once active
        return {};
    }

    // Responses are matched to their request (or observation) through a direct-mapped table
    // keyed by the endpoint's handle, not by walking MaxRequests entries: a group operation
    // on thousands of clients gets thousands of answers. Handles grow by one per message, so
    // live ones rarely share a cell; a cell that names another entry (overwritten, or stale)
    // falls back to the walk, which is always right.
    static constexpr std::size_t handle_table_size = std::bit_ceil(2 * (Limits::max_requests + Limits::max_observations));
    static constexpr std::uint32_t handle_of_request = 1u << 30;
    static constexpr std::uint32_t handle_of_observation = 2u << 30;
    static constexpr std::uint32_t handle_entry_index = (1u << 30) - 1;
    static_assert(Limits::max_requests <= handle_entry_index && Limits::max_observations <= handle_entry_index);
    void index_handle(exchange::request_handle h, std::uint32_t cell) noexcept {
        handle_table_[h.value & (handle_table_size - 1)] = cell;
    }

    /**
     * Sends held requests of clients that are awake now, oldest first: a client gets them in
     * the order they were submitted (a Write before the Execute that relies on it), whichever
     * slots they took. Runs after every datagram: without held requests (the common case) it
     * must not walk the request table.
     */
    void process(time_point now) noexcept {
        if (!maybe_held_) return;
        for (;;) {
            bool still_held = false;
            request_entry* oldest = nullptr;
            const slot_type* oldest_slot = nullptr;
            for (request_entry& e : requests_) {
                if (e.state != request_entry::held) continue;
                still_held = true;
                if (oldest != nullptr && !submitted_before(e.id, oldest->id)) continue;
                const slot_type* s = store_.find_location(e.location);
                if (s != nullptr && awake(*s, now)) {
                    oldest = &e;
                    oldest_slot = s;
                }
            }
            maybe_held_ = still_held;
            // On failure (endpoint full) it stays held, and so do the younger ones.
            if (oldest == nullptr || !dispatch(*oldest, *oldest_slot, now)) return;
        }
    }
    /** Request ids grow by one per request: serial-number order (RFC 1982 style) survives the wrap. */
    static constexpr bool submitted_before(request_id a, request_id b) noexcept {
        return static_cast<std::int32_t>(a.value - b.value) < 0;
    }

    // ---- responses and notifications ----------------------------------------------------------

    /** Decodes `payload` into records_; `out`/`err` receive the records and any error. */
    void decode(std::optional<std::uint16_t> cf, bytes_view payload, const lwm2m::path& base,
                std::span<const format::record>& out, std::optional<error>& err) noexcept {
        if (payload.empty()) return;
        const auto f = static_cast<format::content_format>(cf.value_or(0));
        if (!format::is_record_format(f)) return;
        const std::span<format::record> buf{records_};
        auto n = format::read_records(f, payload, base, config_.schemas, buf);
        if (!n && n.error().code == errc::resource_not_in_schema)
            n = format::read_records(f, payload, base, nullptr, buf);
        if (n) {
            out = buf.first(*n);
            return;
        }
        err = n.error();
        if (n.error().code == errc::capacity_exceeded) out = buf.first(std::min(n.error().offset, buf.size()));
    }

    /**
     * An LwM2M 1.0 Wakaama client answers a Read of a single resource /O/I/R in OMA JSON with
     * its value named /O/I/R/0 ("bn":"/3/0/0/","n":"0"; 1.0 §6.4.4 names it /3/0/0), which the
     * schema check refused (invalid_nesting). Read again taking that name as /O/I/R, for a
     * resource the schema knows as single-instance (`read_resource_instance_zero_as_resource`),
     * and keep it only when it is the whole answer: one record. Else the first error stands.
     */
    void decode_resource_instance_zero(bytes_view payload, const lwm2m::path& target,
                                       std::span<const format::record>& out, std::optional<error>& err) noexcept {
        if (target.level() != path_level::resource || records_.empty()) return;
        format::oma_json_reader reader{payload, target, config_.schemas};
        reader.read_resource_instance_zero_as_resource();
        auto first = reader.next();
        if (!first || !*first) return;
        auto end = reader.next();
        if (!end || *end) return;
        records_[0] = **first;
        out = std::span<const format::record>{records_.data(), 1};
        err.reset();
    }

    /**
     * The values of an answer or a notification: `decode`, then the one peer quirk read
     * (`decode_resource_instance_zero`: a Read's or an Observe's OMA JSON value of /O/I/R named
     * /O/I/R/0, which the schema refused).
     */
    void decode_values(std::optional<std::uint16_t> cf, bytes_view payload, const lwm2m::path& target,
                       std::span<const format::record>& out, std::optional<error>& err) noexcept {
        decode(cf, payload, target, out, err);
        if (err && err->code == errc::invalid_nesting && cf == static_cast<std::uint16_t>(format::content_format::oma_json))
            decode_resource_instance_zero(payload, target, out, err);
    }

    request_result failed_result(const request_entry& e, errc why) noexcept {
        request_result r;
        r.id = e.id;
        r.op = e.op;
        r.target = e.target;
        r.failure = why;
        if (const slot_type* s = store_.find_location(e.location)) r.endpoint = s->name();
        return r;
    }

    void handle_response(exchange::request_handle h, exchange::peer_id, const result<coap::message_view>& res) noexcept {
        const std::uint32_t cell = handle_table_[h.value & (handle_table_size - 1)];
        const std::size_t i = cell & handle_entry_index;
        if ((cell & ~handle_entry_index) == handle_of_request && i < requests_.size()) {
            request_entry& e = requests_[i];
            if (e.state == request_entry::in_flight && e.handle == h) return complete(e, res);
        } else if ((cell & ~handle_entry_index) == handle_of_observation && i < observations_.size()) {
            observation_entry& o = observations_[i];
            if (o.state == observation_entry::active && o.handle == h) return notify(o, res);
        }
        for (request_entry& e : requests_)
            if (e.state == request_entry::in_flight && e.handle == h) return complete(e, res);
        for (observation_entry& o : observations_)
            if (o.state == observation_entry::active && o.handle == h) return notify(o, res);
    }

    // ---- Block2 reassembly (RFC 7959 §2.4, §3.3) ----------------------------------------------

    enum class block_step : std::uint8_t { whole, fetching, failed };

    static constexpr bool fetchable(operation op) noexcept {
        return op == operation::read || op == operation::discover || op == operation::observe ||
               op == operation::read_composite || op == operation::observe_composite;
    }
    void release_transfer(request_entry& e) noexcept { transfers_.release(e.transfer); }

    /**
     * One response to `e` (`block2_reassembly::collect`): `whole` with `parts` the whole
     * answer, `fetching` when the next block was asked for, `failed` with `why`.
     */
    block_step collect_block(request_entry& e, const coap::message_view& m, response_parts& parts, errc& why) noexcept {
        const exchange::block2_verdict v = transfers_.collect(e.transfer, m, fetchable(e.op), parts);
        if (v.kind == exchange::block2_verdict::step::whole) return block_step::whole;
        if (v.kind == exchange::block2_verdict::step::fetch) return fetch_block(e, v.next, why);
        why = v.why;
        return block_step::failed;
    }

    /** Asks for `block` of `e`'s response (the same request with Block2, RFC 7959 §2.4). */
    block_step fetch_block(request_entry& e, coap::block_option block, errc& why) noexcept {
        const slot_type* s = store_.find_location(e.location);
        if (s == nullptr) {
            why = errc::not_registered;
            return block_step::failed;
        }
        if (auto sent = dispatch(e, *s, now_, block); !sent) {
            why = sent.error().code;
            return block_step::failed;
        }
        return block_step::fetching;
    }

    /**
     * Queue mode (Transport §6): a request the client did not answer (it went to sleep before
     * the awake window we assumed ended, e.g. a Zephyr client with a short
     * CONFIG_LWM2M_QUEUE_MODE_UPTIME) is kept for the next time the client is heard from, as
     * held requests are, not failed (it keeps its request slot: MaxHeld bounds what is
     * submitted). Not the rest of a block-wise body: that fails. Nor forever: a client that
     * is heard from but never answers this request (one that sleeps at once after each
     * Update looks the same) would keep its slot and have it retransmitted at every wake;
     * after `max_holds_again` such rounds it fails with `timeout`. Only idempotent requests
     * (RFC 7252 §5.1: GET, FETCH, PUT, iPATCH, DELETE): a timeout also ends a request the
     * client acknowledged and is still working on (its separate response lost), and a POST
     * (Execute, Create, partial Write) sent again could act twice.
     */
    static constexpr std::uint8_t max_holds_again = 3;
    static constexpr bool idempotent(operation op) noexcept {
        return op != operation::execute && op != operation::create && op != operation::write_partial;
    }
    bool hold_again(request_entry& e) noexcept {
        if (e.notification_of.value != 0 || e.transfer != transfers_type::no_slot || e.held_again == max_holds_again ||
            !idempotent(e.op))
            return false;
        const slot_type* s = store_.find_location(e.location);
        if (s == nullptr || !s->queue) return false;
        ++e.held_again;
        e.state = request_entry::held;
        maybe_held_ = true;
        return true;
    }

    void complete(request_entry& e, const result<coap::message_view>& res) noexcept {
        response_parts parts;
        std::optional<errc> failure;
        if (!res) {
            if (res.error().code == errc::timeout && hold_again(e)) return;
            failure = res.error().code;
        } else {
            errc why = errc::request_entity_incomplete;
            const block_step step = collect_block(e, *res, parts, why);
            if (step == block_step::fetching) return;  // the next block is on its way
            if (step == block_step::failed) failure = why;
        }
        if (e.notification_of.value != 0) return complete_notification(e, parts, failure);
        const slot_type* s = store_.find_location(e.location);
        request_result r;
        r.id = e.id;
        r.op = e.op;
        r.target = e.target;
        if (s != nullptr) r.endpoint = s->name();
        observation_entry* o = (e.op == operation::observe || e.op == operation::observe_composite) ? find_observation(e.id) : nullptr;
        e.state = request_entry::free;
        if (failure) {
            r.failure = failure;
            if (res) r.code = res->code();
            if (o != nullptr) {
                // The client may hold the observation (its first block said so): let it go.
                if (o->handle.value != 0) endpoint_.cancel_observation(o->handle);
                o->state = observation_entry::free;
            }
            release_transfer(e);
            handler_.on_result(r);
            return;
        }
        const coap::message_view& m = *res;
        r.code = parts.code;
        if (parts.content_format) r.content_format = static_cast<format::content_format>(*parts.content_format);
        r.payload = parts.payload;
        if (coap::is_success(parts.code) && e.op != operation::discover)
            decode_values(parts.content_format, parts.payload, e.target, r.records, r.decode_error);
        if (e.op == operation::create && m.code() == coap::code::created) {
            auto p = parse_path_segments(m.location_path(), s != nullptr ? s->alternate_root() : std::string_view{});
            if (p && p->level() == path_level::instance) r.location = *p;
        }
        if (o != nullptr) {
            const auto seq = parts.observe;
            if (coap::is_success(parts.code) && seq) {
                o->state = observation_entry::active;
                index_handle(o->handle, handle_of_observation | static_cast<std::uint32_t>(o - observations_.data()));
                o->has_sequence = true;
                o->last_sequence = *seq;
                o->last_time = now_;
                r.observing = true;
            } else {
                if (o->handle.value != 0) endpoint_.cancel_observation(o->handle);  // e.g. an error mid-transfer
                o->state = observation_entry::free;
            }
        }
        handler_.on_result(r);
        release_transfer(e);  // after the handler: r.payload points into it
    }

    /** The rest of a block-wise notification arrived (or failed): deliver it whole. */
    void complete_notification(request_entry& e, const response_parts& parts, std::optional<errc> failure) noexcept {
        e.state = request_entry::free;
        observation_entry* o = find_observation(e.notification_of);
        if (o == nullptr || o->state != observation_entry::active) return release_transfer(e);  // cancelled meanwhile
        if (o->last_sequence != e.sequence) {
            ++stale_;  // a newer notification arrived meanwhile (RFC 7641 §3.4)
            return release_transfer(e);
        }
        notification n;
        n.observation = o->id;
        n.target = o->target;
        n.composite = o->composite;
        n.sequence = e.sequence;
        if (const slot_type* s = store_.find_location(o->location)) n.endpoint = s->name();
        n.failure = failure;
        if (!failure) {
            n.code = parts.code;
            if (parts.content_format) n.content_format = static_cast<format::content_format>(*parts.content_format);
            n.payload = parts.payload;
            if (coap::is_success(parts.code)) decode_values(parts.content_format, parts.payload, o->target, n.records, n.decode_error);
        }
        handler_.on_notification(n);
        release_transfer(e);
    }

    /**
     * A notification whose first block says M=1 (RFC 7959 §3.4, RFC 7641 §3.2): fetch the rest
     * with GETs (FETCHes with the same path list for an Observe-Composite, RFC 8132 §2); true if
     * that started (the notification is delivered when whole).
     */
    bool fetch_rest_of_notification(const observation_entry& o, const coap::message_view& m, std::uint32_t seq,
                                    errc& why) noexcept {
        why = errc::capacity_exceeded;
        if (o.composite && o.path_count == 0) {
            why = errc::request_entity_incomplete;  // its paths were not kept (see CompositeObservePaths)
            return false;
        }
        const slot_type* s = store_.find_location(o.location);
        request_entry* e = free_request();
        if (s == nullptr || e == nullptr) return false;
        *e = request_entry{};
        e->op = o.composite ? operation::read_composite : operation::read;
        e->target = o.target;
        e->location = o.location;
        e->notification_of = o.id;
        e->sequence = seq;
        e->format = static_cast<format::content_format>(m.content_format().value_or(0));
        if (o.composite && (!composite_capable(e->format) ||
                            !encode_path_list(*e, std::span<const lwm2m::path>{o.paths.data(), o.path_count}))) {
            why = errc::request_entity_incomplete;  // no path list in the notification's format
            return false;
        }
        e->id = new_request_id();
        response_parts ignored;
        const block_step step = collect_block(*e, m, ignored, why);
        if (step == block_step::fetching) return true;
        release_transfer(*e);
        e->state = request_entry::free;
        return false;
    }

    void notify(observation_entry& o, const result<coap::message_view>& res) noexcept {
        notification n;
        n.observation = o.id;
        n.target = o.target;
        n.composite = o.composite;
        if (const slot_type* s = store_.find_location(o.location)) n.endpoint = s->name();
        if (!res) {  // not expected from the endpoint for observations; end it
            n.failure = res.error().code;
            n.ended = true;
            o.state = observation_entry::free;
            handler_.on_notification(n);
            return;
        }
        const coap::message_view& m = *res;
        const auto seq = m.observe();
        if (seq && o.has_sequence && !coap::is_newer_notification(o.last_sequence, *seq, now_ - o.last_time)) {
            ++stale_;  // RFC 7641 §3.4: an older notification than the last one is dropped
            return;
        }
        if (seq) {
            o.has_sequence = true;
            o.last_sequence = *seq;
            o.last_time = now_;
        }
        n.sequence = seq.value_or(0);
        if (const auto b2 = m.block2(); seq && coap::is_success(m.code()) && b2 && *b2 && (*b2)->more && (*b2)->num == 0) {
            errc why{};
            if (fetch_rest_of_notification(o, m, *seq, why)) return;
            n.failure = why;  // delivered as it is, with the reason it is not whole
        }
        n.code = m.code();
        if (const auto cf = m.content_format()) n.content_format = static_cast<format::content_format>(*cf);
        n.payload = m.payload();
        n.ended = !coap::is_success(m.code()) || !seq;  // RFC 7641 §3.2: the observation ended
        if (coap::is_success(m.code())) decode_values(m.content_format(), m.payload(), o.target, n.records, n.decode_error);
        if (n.ended) o.state = observation_entry::free;
        handler_.on_notification(n);
    }

    // ---- registration interface ---------------------------------------------------------------

    static void reject(exchange::response& r, coap::code c, std::string_view reason) noexcept {
        r.code(c);
        r.options().content_format(static_cast<std::uint16_t>(format::content_format::text));
        r.body().put(as_bytes(reason));
    }
    static void reject(exchange::response& r, const rejection& why) noexcept { reject(r, why.code, why.reason); }

    static std::optional<std::uint32_t> parse_location(std::string_view t) noexcept {
        if (t.empty() || t.size() > 8 || (t.size() > 1 && t[0] == '0')) return std::nullopt;
        std::uint32_t v = 0;
        for (char c : t) {
            unsigned d = 0;
            if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
            else return std::nullopt;
            v = (v << 4) | d;
        }
        if (v == 0) return std::nullopt;
        return v;
    }
    static std::size_t format_location(std::uint32_t v, std::span<char, 8> out) noexcept {
        char tmp[8];
        std::size_t n = 0;
        do {
            const unsigned d = v & 15u;
            tmp[n++] = static_cast<char>(d < 10 ? '0' + d : 'a' + (d - 10));
            v >>= 4;
        } while (v != 0);
        for (std::size_t i = 0; i < n; ++i) out[i] = tmp[n - 1 - i];
        return n;
    }
    std::uint32_t new_location() noexcept {
        for (;;) {
            next_location_ = next_location_ * 1664525u + 1013904223u;  // full-period LCG mod 2^32
            if (next_location_ != 0 && store_.find_location(next_location_) == nullptr) return next_location_;
        }
    }

    static bool fits(std::string_view text, std::size_t cap) noexcept { return text.size() <= cap; }

    template <std::size_t N>
    static void copy_text(std::string_view t, std::array<char, N>& out, std::uint8_t& size) noexcept {
        const std::size_t n = std::min(t.size(), N);
        std::copy_n(t.data(), n, out.data());
        size = static_cast<std::uint8_t>(n);
    }
    /**
     * Stores the object links. The root link's alternate root and content formats are stored
     * when it is there, or for a Register (`registering`: none means "/" and no `ct`); an
     * Update without one keeps them (Core §6.2.2: an Update carries what changed).
     */
    static void apply_links(slot_type& s, const link_set<slot_type::max_links>& l, bool registering) noexcept {
        std::copy_n(l.links.data(), l.count, s.link_list.data());
        s.link_count = static_cast<std::uint16_t>(l.count);
        s.links_truncated = l.truncated;
        if (!registering && !l.has_root_link) return;
        s.formats = l.formats;
        copy_text(l.root, s.root_text, s.root_size);
    }

    void handle_request(exchange::peer_id peer, const coap::message_view& m, exchange::response& r) noexcept {
        // The endpoint hands over whole requests (reassembled, or single-block); a block of a
        // larger one reaches us only with MaxUplinkBody 0: too large (RFC 7959 §2.9.3), never
        // read as if it were the whole body.
        if (const auto b1 = m.block1(); !b1) return reject(r, coap::code::bad_request, "invalid Block1");
        else if (*b1 && ((*b1)->num != 0 || (*b1)->more)) {
            reject(r, coap::code::request_entity_too_large, "block-wise request bodies not taken");
            r.options().size1(static_cast<std::uint32_t>(Limits::max_message - 64));
            return;
        }
        std::array<std::string_view, 3> seg{};
        std::size_t count = 0;
        for (std::string_view x : m.uri_path()) {
            if (count == seg.size()) return reject(r, coap::code::not_found, "no such resource");
            seg[count++] = x;
        }
        if (count >= 1 && seg[0] == "rd") {
            if (count == 1) {
                if (m.code() != coap::code::post) return reject(r, coap::code::method_not_allowed, "POST only");
                return handle_register(peer, m, r);
            }
            if (count == 2) {
                if (m.code() == coap::code::post) return handle_update(peer, seg[1], m, r);
                if (m.code() == coap::code::delete_) return handle_deregister(peer, seg[1], r);
                return reject(r, coap::code::method_not_allowed, "POST or DELETE only");
            }
        } else if (count == 1 && seg[0] == "dp") {
            if (m.code() != coap::code::post) return reject(r, coap::code::method_not_allowed, "POST only");
            return handle_send(peer, m, r);
        }
        reject(r, coap::code::not_found, "no such resource");
    }

    // Link-format, or none, or text/plain: some clients label their links text (Wakaama's
    // server takes it too); what is not link syntax is refused by the link reader anyway.
    static bool link_payload_format_ok(const coap::message_view& m) noexcept {
        const auto cf = m.content_format();
        return !cf || *cf == static_cast<std::uint16_t>(format::content_format::link_format) ||
               *cf == static_cast<std::uint16_t>(format::content_format::text);
    }

    /** The handler's `may_register` (registration_authorizer), or yes. */
    [[nodiscard]] bool may_register(exchange::peer_id peer, std::string_view endpoint) noexcept {
        if constexpr (registration_authorizer<Handler>) return handler_.may_register(peer, endpoint);
        else return true;
    }
    /** True when `peer` is the registration's peer, or may hold its endpoint (a new address). */
    [[nodiscard]] bool same_client(const slot_type& s, exchange::peer_id peer) noexcept {
        return s.peer == peer || may_register(peer, registration_view::of(s).endpoint);
    }

    /** Register (Core §6.2.1). */
    void handle_register(exchange::peer_id peer, const coap::message_view& m, exchange::response& r) noexcept {
        register_query q;
        if (auto why = parse_register_query(m.uri_query(), q)) return reject(r, *why);
        if (!fits(q.endpoint, slot_type::max_name)) return reject(r, coap::code::bad_request, "ep too long");
        if (q.sms && !fits(*q.sms, slot_type::max_sms)) return reject(r, coap::code::bad_request, "sms too long");
        if (!link_payload_format_ok(m)) return reject(r, coap::code::unsupported_content_format, "link-format expected");
        if (!may_register(peer, q.endpoint)) return reject(r, coap::code::forbidden, "endpoint not allowed for these credentials");
        link_set<slot_type::max_links> links;
        if (auto why = parse_registration_links(m.payload(), slot_type::max_root, links)) return reject(r, *why);
        bool replaced = false;
        exchange::peer_id previous_peer{};
        std::uint32_t previous_location = 0;
        if (slot_type* old = store_.find_name(q.endpoint)) {
            previous_peer = old->peer;
            previous_location = old->location;
            end_registration(*old, registration_event_kind::deregistered, false);
            replaced = true;
        }
        slot_type* s = store_.acquire();
        if (s == nullptr) return reject(r, coap::code::service_unavailable, "registration store full");
        copy_text(q.endpoint, s->name_text, s->name_size);
        if (q.sms) copy_text(*q.sms, s->sms_text, s->sms_size);
        s->peer = peer;
        s->lifetime = q.lifetime;
        s->version = q.version;
        s->binding = q.binding;
        s->queue = q.queue;
        apply_links(*s, links, true);
        s->registered_at = s->last_update = s->last_heard = now_;
        s->expires = now_ + std::chrono::seconds(q.lifetime);
        s->location = new_location();
        store_.insert(*s);
        std::array<char, 8> loc{};
        const std::size_t n = format_location(s->location, loc);
        r.code(coap::code::created);
        r.options().location_path("rd");
        r.options().location_path(r.keep(std::string_view{loc.data(), n}));
        registration_event ev;
        ev.kind = registration_event_kind::registered;
        ev.registration = registration_view::of(*s);
        ev.replaced = replaced;
        if (replaced) {
            ev.previous_peer = previous_peer;
            ev.previous_location = previous_location;
        }
        handler_.on_registration(ev);
    }

    /** Update (Core §6.2.2). */
    void handle_update(exchange::peer_id peer, std::string_view location, const coap::message_view& m,
                       exchange::response& r) noexcept {
        const auto id = parse_location(location);
        slot_type* s = id ? store_.find_location(*id) : nullptr;
        if (s == nullptr || !same_client(*s, peer)) return reject(r, coap::code::not_found, "no such registration");
        update_query q;
        if (auto why = parse_update_query(m.uri_query(), s->version, q)) return reject(r, *why);
        if (q.sms && !fits(*q.sms, slot_type::max_sms)) return reject(r, coap::code::bad_request, "sms too long");
        const bool has_links = !m.payload().empty();
        link_set<slot_type::max_links> links;
        if (has_links) {
            if (!link_payload_format_ok(m)) return reject(r, coap::code::unsupported_content_format, "link-format expected");
            if (auto why = parse_registration_links(m.payload(), slot_type::max_root, links, s->alternate_root()))
                return reject(r, *why);
        }
        if (q.lifetime) s->lifetime = *q.lifetime;
        if (q.binding) s->binding = *q.binding;
        if (q.queue) s->queue = *q.queue;
        if (q.sms) copy_text(*q.sms, s->sms_text, s->sms_size);
        if (has_links) apply_links(*s, links, false);
        s->last_update = s->last_heard = now_;
        store_.set_expiry(*s, now_ + std::chrono::seconds(s->lifetime));
        if (!(s->peer == peer)) store_.set_peer(*s, peer);
        r.code(coap::code::changed);
        registration_event ev;
        ev.kind = registration_event_kind::updated;
        ev.registration = registration_view::of(*s);
        ev.links_changed = has_links;
        handler_.on_registration(ev);
    }

    /** De-register (Core §6.2.3). */
    void handle_deregister(exchange::peer_id peer, std::string_view location, exchange::response& r) noexcept {
        const auto id = parse_location(location);
        slot_type* s = id ? store_.find_location(*id) : nullptr;
        if (s == nullptr || !same_client(*s, peer)) return reject(r, coap::code::not_found, "no such registration");
        r.code(coap::code::deleted);
        end_registration(*s, registration_event_kind::deregistered, true);
    }

    /**
     * Ends a registration: it leaves every lookup first (so callbacks cannot reach it), then its
     * requests fail and its observations end with `not_registered`, then the event (if
     * `report`), then the slot is freed.
     */
    void end_registration(slot_type& s, registration_event_kind kind, bool report) noexcept {
        store_.unindex(s);
        const std::uint32_t loc = s.location;
        for (request_entry& e : requests_) {
            if (e.state == request_entry::free || e.location != loc) continue;
            if (e.state == request_entry::in_flight) endpoint_.cancel(e.handle);
            release_transfer(e);
            if (e.notification_of.value != 0) {  // internal: its observation ends below
                e.state = request_entry::free;
                continue;
            }
            request_result res;
            res.id = e.id;
            res.op = e.op;
            res.target = e.target;
            res.endpoint = s.name();
            res.failure = errc::not_registered;
            e.state = request_entry::free;
            handler_.on_result(res);
        }
        for (observation_entry& o : observations_) {
            if (o.state == observation_entry::free || o.location != loc) continue;
            const bool was_active = o.state == observation_entry::active;
            if (was_active) endpoint_.cancel_observation(o.handle);
            o.state = observation_entry::free;
            if (!was_active) continue;  // its Observe request was reported above
            notification n;
            n.observation = o.id;
            n.endpoint = s.name();
            n.target = o.target;
            n.composite = o.composite;
            n.failure = errc::not_registered;
            n.ended = true;
            handler_.on_notification(n);
        }
        if (report) {
            registration_event ev;
            ev.kind = kind;
            ev.registration = registration_view::of(s);
            handler_.on_registration(ev);
        }
        store_.free(s);
    }

    /** Send (Core §6.4.3): POST /dp. */
    void handle_send(exchange::peer_id peer, const coap::message_view& m, exchange::response& r) noexcept {
        slot_type* s = store_.find_peer(peer);
        if (s == nullptr) return reject(r, coap::code::not_found, "not registered");
        const auto cf = m.content_format();
        if (!cf || !composite_capable(static_cast<format::content_format>(*cf)))
            return reject(r, coap::code::unsupported_content_format, "SenML or LwM2M CBOR expected");
        send_report rep;
        rep.endpoint = s->name();
        rep.peer = peer;
        rep.content_format = static_cast<format::content_format>(*cf);
        rep.payload = m.payload();
        std::optional<error> err;
        decode(cf, m.payload(), lwm2m::path{}, rep.records, err);
        if (err || rep.records.empty()) return reject(r, coap::code::bad_request, "invalid payload");
        r.code(coap::code::changed);
        handler_.on_send(rep);
    }

    Handler& handler_;
    server_config config_;
    endpoint_type endpoint_;
    store_type store_;
    time_point now_{};
    std::uint32_t next_request_ = 1;
    std::uint32_t next_location_ = 1;
    std::size_t stale_ = 0;
    bool maybe_held_ = false;  // some request may be held (see process)
    std::size_t free_hint_ = 0;  // where free_request starts looking
    std::array<request_entry, Limits::max_requests> requests_{};
    std::array<observation_entry, Limits::max_observations> observations_{};
    transfers_type transfers_{};
    std::array<format::record, Limits::max_records> records_{};
    std::array<format::record, Limits::max_records> path_records_{};
    std::array<std::uint32_t, handle_table_size> handle_table_{};  // see index_handle
};

} // namespace lwm2m::server
