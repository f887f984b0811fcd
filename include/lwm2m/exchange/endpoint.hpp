#pragma once
/**
 * @file endpoint.hpp
 * `endpoint`: the sans-I/O CoAP message layer (RFC 7252 §4-5) that client and server
 * engines are built on. It takes received datagrams and the current time, and hands back
 * datagrams to send and the next deadline; it never touches a socket or a clock.
 *
 * - Requests we send: Message ID and random token assigned; CON retransmitted with a random
 *   initial timeout in [ACK_TIMEOUT, ACK_TIMEOUT * ACK_RANDOM_FACTOR] doubling up to
 *   MAX_RETRANSMIT times (§4.2); at most NSTART outstanding per peer, the rest queued (§4.7);
 *   piggybacked and separate responses matched by token (§5.2); give-up and Reset reported.
 * - Requests we receive: deduplicated by (peer, Message ID) for EXCHANGE_LIFETIME (CON) or
 *   NON_LIFETIME (NON) with the answer cached and re-sent, so the handler runs exactly once
 *   per request (§4.5); critical options the endpoint does not act on (`acts_on_option`)
 *   answered 4.02 in a CON request, and any other message carrying one rejected (§5.4.1);
 *   Proxy-Uri / Proxy-Scheme answered 5.05 (§5.10.2: no proxy here); Block2 served
 *   transparently (RFC 7959 §2.4): the handler writes the whole body into a window and the
 *   endpoint sends the block that was asked for, with the Block2 (and Size2) option and
 *   an ETag of the whole body, so blocks of different representations are not joined.
 *   With `endpoint_limits<..., MaxBody>` above 0, Block1 requests are reassembled
 *   (RFC 7959 §2.3, §2.5): each non-final block is answered 2.31 Continue, and the handler
 *   gets ONE request carrying the whole body (and no Block1/Size1) after the last block.
 *   See `endpoint_limits::max_body` for the rules.
 * - Anything else: CoAP ping (empty CON) and unparseable CON messages get a Reset (§4.2,
 *   §4.3); an ACK/RST that matches nothing is ignored; a CON response that matches nothing
 *   gets a Reset. `cancel()` may let a queued exchange start: `next_deadline()` then
 *   reports it as due and `on_timeout` sends it.
 * - Observe notifications (RFC 7641 §4.2/§4.5) go out as CON (tracked like requests) or NON;
 *   a Reset answering either is reported, so the observation can be cancelled.
 *
 * Handlers run inside `on_datagram` / `on_timeout` and may call `send_*` from there.
 * Capacities are template parameters; nothing is allocated.
 */

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>

#include <lwm2m/bytes.hpp>
#include <lwm2m/coap/message_builder.hpp>
#include <lwm2m/coap/message_view.hpp>
#include <lwm2m/coap/message_writer.hpp>
#include <lwm2m/coap/observe.hpp>
#include <lwm2m/coap/parse.hpp>
#include <lwm2m/coap/token.hpp>
#include <lwm2m/exchange/clock.hpp>
#include <lwm2m/exchange/dedup_cache.hpp>
#include <lwm2m/exchange/peer.hpp>
#include <lwm2m/exchange/response.hpp>
#include <lwm2m/exchange/transmission_parameters.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::exchange {

/**
 * The critical options an endpoint (and the engines on it) acts on: the registered ones
 * (`coap::is_known_option`) except those it would have to ignore, which RFC 7252 §5.4.1
 * forbids for a critical option: If-Match and If-None-Match (conditional requests, §5.10.8:
 * no resource has an entity-tag to compare), OSCORE (RFC 8613: no security context),
 * Q-Block1/Q-Block2 (RFC 9177: only Block1/Block2 are implemented) and the forward-proxy
 * options (`is_proxy_option`). A request carrying one is answered 4.02 (5.05 for a proxy
 * option), a response carrying one rejected.
 */
[[nodiscard]] constexpr bool acts_on_option(coap::option_number n) noexcept {
    using coap::option_number;
    switch (n) {
    case option_number::if_match:
    case option_number::if_none_match:
    case option_number::oscore:
    case option_number::q_block1:
    case option_number::q_block2:
    case option_number::proxy_uri:
    case option_number::proxy_scheme: return false;
    default: return coap::is_known_option(n);
    }
}

/** Proxy-Uri and Proxy-Scheme: a request for a forward-proxy, answered 5.05 here (RFC 7252 §5.10.2). */
[[nodiscard]] constexpr bool is_proxy_option(coap::option_number n) noexcept {
    return n == coap::option_number::proxy_uri || n == coap::option_number::proxy_scheme;
}

/** Identifies one request (or notification, or ping) we sent. Never 0. */
struct request_handle {
    std::uint32_t value = 0;
    friend constexpr bool operator==(request_handle, request_handle) noexcept = default;
};

/** What an engine must provide to an endpoint. */
template <class H>
concept endpoint_handler = requires(H& h, peer_id p, const coap::message_view& m, response& r, request_handle rh,
                                    const result<coap::message_view>& res) {
    /** A new request (never a duplicate): fill `r`. */
    { h.on_request(p, m, r) } -> std::same_as<void>;
    /** The response to (or the ACK of a CON notification / the failure of) something we sent:
     *  `errc::timeout`, `errc::reset_received`. */
    { h.on_response(rh, p, res) } -> std::same_as<void>;
};

/** Capacities of an endpoint. */
template <std::size_t MaxMessage = 1152, std::size_t MaxPending = 8, std::size_t DedupEntries = 16,
          std::size_t QueueLength = 16, std::size_t MaxObservations = 8, std::size_t TokenLength = 8,
          std::size_t MaxBody = 0, std::size_t CachedAnswer = 64, std::size_t MaxBodies = 1>
struct endpoint_limits {
    static constexpr std::size_t max_message = MaxMessage;    ///< largest datagram sent
    static constexpr std::size_t max_pending = MaxPending;    ///< requests/notifications in flight or queued
    static constexpr std::size_t dedup_entries = DedupEntries;
    /**
     * Largest answer each dedup entry keeps for duplicates (RFC 7252 §4.5). Answers to
     * requests that change something (Register, Update, Write, Execute, Create, Delete, a
     * Block1 2.31) are a header, a token and a few options: they fit, and a duplicate gets
     * the same answer and is not processed again. A larger answer (a Read's content) goes
     * out from one shared datagram buffer instead, which also holds the response bodies
     * handlers write; a duplicate of its request is processed again if the method is safe
     * (GET, FETCH: §4.5 allows it for idempotent requests), and ignored otherwise. One such
     * answer waits at a time: call poll_transmit after each datagram, or the next request
     * drops it (a CON request is retransmitted). MaxMessage or more keeps every answer (the
     * old behaviour, at DedupEntries * MaxMessage bytes plus a body buffer of the largest
     * block); the default costs DedupEntries * 64 + MaxMessage.
     */
    static constexpr std::size_t cached_answer = CachedAnswer < MaxMessage ? CachedAnswer : MaxMessage;
    static constexpr std::size_t queue_length = QueueLength;  ///< datagrams waiting for poll_transmit
    static constexpr std::size_t max_observations = MaxObservations;  ///< observations we hold on peers
    static constexpr std::size_t token_length = TokenLength;
    /**
     * Largest request body reassembled from Block1 blocks (RFC 7959 §2.3, §2.5). 0 (the
     * default): no reassembly, every block reaches the handler as its own request (the
     * engines then answer 4.13 themselves, §2.9.3). Above 0, the endpoint reassembles up to
     * `max_bodies` requests at once, one a peer: blocks from the same peer with the same code and options (except
     * Block1, Block2, Size1, Size2; the token may change) and consecutive offsets; the first
     * block may be answered with a smaller SZX (our largest block), later blocks may use any
     * size whose offset continues the body. A block that does not continue it gets 4.08
     * Request Entity Incomplete (§2.9.2) and abandons the body; a body (or a Size1) larger
     * than MaxBody gets 4.13 with Size1 = MaxBody (§2.9.3); a request from the same peer
     * without Block1, a NUM 0 block, or EXCHANGE_LIFETIME without a block, abandons it.
     * A single-block request (NUM 0, M 0) is handled as a normal request. The handler's
     * response to the reassembled (or single-block) request carries the Block1 echo (M 0).
     * Costs MaxBodies * (MaxMessage + MaxBody) bytes of RAM.
     */
    static constexpr std::size_t max_body = MaxBody;
    /**
     * Block1 bodies reassembled at once, each from its own peer (a server hears many clients:
     * with one, two clients sending large Registers together would each abandon the other's
     * body, again and again). A first block (NUM 0) from a peer replaces that peer's partial
     * body; with every slot busy, it takes the one that has waited longest for its next block,
     * whose sender then gets 4.08 and starts again (§2.9.2). 0 when MaxBody is 0.
     */
    static constexpr std::size_t max_bodies = MaxBody == 0 ? 0 : MaxBodies;
    static_assert(MaxMessage >= 64 && TokenLength <= 8 && MaxPending > 0 && QueueLength > 0 && MaxBodies > 0);
    static_assert(CachedAnswer >= 4 + TokenLength + 8, "an answer must hold a header, the token and a short option");
};

template <class Limits, coap::random_source Random>
class endpoint {
public:
    explicit endpoint(Random random, transmission_parameters params = {}) noexcept
        : random_(random), params_(params), mids_(coap::message_id_sequence::seeded(random_)) {}

    endpoint(const endpoint&) = delete;
    endpoint& operator=(const endpoint&) = delete;

    [[nodiscard]] const transmission_parameters& parameters() const noexcept { return params_; }
    void set_parameters(const transmission_parameters& p) noexcept { params_ = p; }

    // ---- input ----------------------------------------------------------------------------

    /** Processes one received datagram from `peer`. */
    template <endpoint_handler H>
    void on_datagram(peer_id peer, bytes_view datagram, time_point now, H& handler) noexcept {
        auto parsed = coap::parse(datagram);
        if (!parsed) {
            reject_malformed(peer, datagram);
            return;
        }
        const coap::message_view& m = *parsed;
        switch (m.type()) {
        case coap::message_type::confirmable:
        case coap::message_type::non_confirmable: {
            const std::uint16_t mid = m.message_id();
            if (m.code() == coap::code::empty) {
                queue_empty(peer, coap::message_type::reset, mid);  // CoAP ping (§4.3)
                return;
            }
            const bool con = m.type() == coap::message_type::confirmable;
            const bool request = coap::is_request(m.code());
            if (const auto* seen = dedup_.find(peer, mid, now)) {
                // §4.5: a duplicate gets the same answer (a request's, the ACK of a CON
                // response) and is not processed again; a duplicate NON response is ignored.
                if (seen->answer_size != 0 && (request || con)) queue_cached_answer(peer, mid);
                return;
            }
            // How long its Message ID is remembered (§4.5): EXCHANGE_LIFETIME for a CON,
            // NON_LIFETIME for a NON (§4.8.2), the span computed once for both.
            const time_point expires = now + params_.max_transmit_span() + params_.max_latency +
                                       (con ? params_.max_latency + params_.processing_delay : duration{});
            if (request) handle_request(peer, m, now, expires, handler);
            else handle_separate_response(peer, m, mid, now, expires, handler);
            return;
        }
        case coap::message_type::acknowledgement: handle_ack(peer, m, now, handler); return;
        case coap::message_type::reset: handle_reset(peer, m.message_id(), now, handler); return;
        }
    }

    /** Retransmits and gives up as deadlines pass. Call when `next_deadline()` is reached. */
    template <endpoint_handler H>
    void on_timeout(time_point now, H& handler) noexcept {
        // No dedup_cache::expire here: lookups already ignore expired entries and slots are
        // reused oldest-first, so a walk over every entry per timeout would buy nothing.
        // Queued exchanges whose peer has room again (e.g. after cancel(), which has no `now`).
        for (std::size_t i = 0; i < pending_.size(); ++i)
            if (pending_[i].state == slot_state::queued) launch_next(pending_[i].peer, now);
        for (std::size_t i = 0; i < pending_.size(); ++i) {
            pending_slot& s = pending_[i];
            if (s.deadline > now) continue;  // (one 64-bit compare for every state)
            if (s.state == slot_state::in_flight && s.retransmits < params_.max_retransmit) {
                ++s.retransmits;
                s.timeout *= 2;
                s.deadline = now + s.timeout;
                queue_slot(i);
            } else if (s.state == slot_state::in_flight || s.state == slot_state::acked ||
                       s.state == slot_state::awaiting) {
                fail_slot(i, errc::timeout, now, handler);
            }
        }
    }

    // ---- output ---------------------------------------------------------------------------

    /**
     * The next datagram to send, lent without a copy: the bytes stay valid until the next call
     * into the endpoint, so the adapter needs no transmit buffer of its own. nullopt when
     * nothing is queued.
     */
    [[nodiscard]] std::optional<datagram> poll_datagram() noexcept {
        while (queue_count_ > 0) {
            // The entry stays as it is until a later call queues over it: an empty ACK/RST is
            // lent from it.
            const queued& q = queue_[queue_head_];
            queue_head_ = (queue_head_ + 1) % queue_.size();
            --queue_count_;
            if (q.source == queued::from_inline) return datagram{q.peer, bytes_view{q.inline_bytes}};
            if (q.source == queued::from_pending) {
                const pending_slot& s = pending_[q.index];
                if (s.state == slot_state::free || s.message_id != q.message_id) continue;  // since completed
                // A NON notification's slot is free from here on; its bytes stay until a later
                // call takes the slot.
                if (s.state == slot_state::send_once) release(q.index);
                return datagram{q.peer, bytes_view{s.bytes.data(), s.size}};
            }
            if (q.source == queued::from_dedup) {
                const auto* e = dedup_.find(q.peer, q.message_id, time_point::min());
                if (e == nullptr || e->answer_size == 0) continue;
                return datagram{q.peer, e->answer_bytes()};
            }
            // Taken by a later large answer since: dropped (a CON request is retransmitted).
            if (!large_.queued || large_.peer != q.peer || large_.message_id != q.message_id) continue;
            large_.queued = false;
            return datagram{q.peer, bytes_view{large_.bytes.data(), large_.size}};
        }
        return std::nullopt;
    }

    /**
     * The next datagram to send, copied into `out`, or nullopt when nothing is queued. A
     * datagram larger than `out` is dropped (a CON message is retransmitted).
     */
    [[nodiscard]] std::optional<transmit> poll_transmit(mutable_bytes out) noexcept {
        while (auto d = poll_datagram()) {
            if (d->bytes.size() > out.size()) continue;
            std::copy(d->bytes.begin(), d->bytes.end(), out.begin());
            return transmit{d->peer, d->bytes.size()};
        }
        return std::nullopt;
    }

    /** When `on_timeout` must next be called, if anything is pending. */
    [[nodiscard]] std::optional<time_point> next_deadline() const noexcept {
        std::optional<time_point> d;
        for (const pending_slot& s : pending_)
            if (s.state == slot_state::in_flight || s.state == slot_state::acked || s.state == slot_state::awaiting ||
                (s.state == slot_state::queued && in_flight_to(s.peer) < params_.nstart))  // due since queued
                if (!d || s.deadline < *d) d = s.deadline;
        return d;
    }

    // ---- sending --------------------------------------------------------------------------

    /**
     * Sends a request built in `request` (type CON or NON, code, options, payload); the
     * endpoint sets its Message ID and a fresh token. Errors: `capacity_exceeded` (no free
     * slot), `buffer_too_small` (larger than Limits::max_message), builder errors.
     */
    [[nodiscard]] result<request_handle> send_request(peer_id peer, coap::message_builder_base& request, time_point now) noexcept {
        const coap::token t = coap::make_token(random_, Limits::token_length);
        request.token(t.view());
        return start(peer, request, t, slot_kind::request, now);
    }

    /**
     * Sends a request with a token chosen by the caller: a server cancelling an observation
     * actively repeats the observation's token in its GET with Observe=1 (RFC 7641 §3.6).
     * Errors: as the other `send_request`.
     */
    [[nodiscard]] result<request_handle> send_request(peer_id peer, coap::message_builder_base& request,
                                                      const coap::token& token, time_point now) noexcept {
        request.token(token.view());
        return start(peer, request, token, slot_kind::request, now);
    }

    /**
     * Sends an Observe notification (a response carrying the observation's token) as CON
     * (tracked, retransmitted) or NON (RFC 7641 §4.5). A Reset or a CON timeout is reported
     * through `on_response` so the caller can drop the observation; the ACK of a CON
     * notification is reported as a success.
     */
    [[nodiscard]] result<request_handle> send_notification(peer_id peer, const coap::token& token,
                                                           coap::message_builder_base& msg, bool confirmable,
                                                           time_point now) noexcept {
        msg.token(token.view());
        msg.type(confirmable ? coap::message_type::confirmable : coap::message_type::non_confirmable);
        return start(peer, msg, token, slot_kind::notification, now);
    }

    /** Sends a CoAP ping (empty CON). The peer's Reset proves it alive (§4.3) and is reported
     *  as `errc::reset_received`; no answer is reported as `errc::timeout`. */
    [[nodiscard]] result<request_handle> ping(peer_id peer, time_point now) noexcept {
        coap::message_builder<1> b;
        b.type(coap::message_type::confirmable).code(coap::code::empty);
        return start(peer, b, coap::token{}, slot_kind::ping, now);
    }

    /**
     * Where the body of the next request or notification can be written in place: the bytes
     * of the pending slot the next `send_request` / `send_notification` takes. A builder whose
     * payload lies there is serialized around it (the body moved behind the header and
     * options), so the caller needs no body buffer of its own. Empty when no slot is free
     * (the send would fail with `capacity_exceeded`). Valid until the next call that sends.
     */
    [[nodiscard]] mutable_bytes outgoing_body_area() noexcept {
        for (pending_slot& s : pending_)
            if (s.state == slot_state::free) return mutable_bytes{s.bytes};
        return {};
    }

    /** Forgets a pending request without reporting it. */
    void cancel(request_handle h) noexcept {
        for (std::size_t i = 0; i < pending_.size(); ++i)
            if (pending_[i].state != slot_state::free && pending_[i].handle == h) release(i);
        for (recent_non& r : recent_)  // a NON notification: no Reset to it is reported either
            if (r.used && r.handle == h) r.used = false;
    }
    /** Forgets everything pending towards `peer` (e.g. after de-registration). */
    void forget_peer(peer_id peer) noexcept {
        for (std::size_t i = 0; i < pending_.size(); ++i)
            if (pending_[i].state != slot_state::free && pending_[i].peer == peer) release(i);
        for (observation& o : observations_)
            if (o.used && o.peer == peer) o.used = false;
        for (recent_non& r : recent_)
            if (r.used && r.peer == peer) r.used = false;
        abandon_bodies_of(peer);
    }
    /**
     * Stops accepting notifications for an observation started by request `h`; the next
     * notification is answered with Reset (RFC 7641 §3.6). Returns false if not observing.
     */
    bool cancel_observation(request_handle h) noexcept {
        for (observation& o : observations_)
            if (o.used && o.handle == h) {
                o.used = false;
                return true;
            }
        return false;
    }
    /** The token of the observation started by request `h`, if it is still accepted. */
    [[nodiscard]] std::optional<coap::token> observation_token(request_handle h) const noexcept {
        for (const observation& o : observations_)
            if (o.used && o.handle == h) return o.token;
        return std::nullopt;
    }
    /** Number of requests in flight or queued. */
    [[nodiscard]] std::size_t pending_count() const noexcept {
        return static_cast<std::size_t>(std::count_if(pending_.begin(), pending_.end(),
                                                      [](const pending_slot& s) { return s.state != slot_state::free; }));
    }

private:
    // Answers too large for a dedup entry go out from large_, whose tail holds response bodies
    // (see endpoint_limits::cached_answer); else every answer is cached whole.
    static constexpr bool shares_large_answers = Limits::cached_answer < Limits::max_message;

    enum class slot_state : std::uint8_t {
        free,
        queued,     // waiting for NSTART
        in_flight,  // CON sent, waiting for ACK/RST (retransmitting)
        acked,      // request ACKed empty, waiting for the separate response
        awaiting,   // NON request sent, waiting for a response
        send_once,  // NON notification: released once handed to poll_transmit
    };
    enum class slot_kind : std::uint8_t { request, notification, ping };

    struct pending_slot {
        slot_state state = slot_state::free;
        slot_kind kind = slot_kind::request;
        bool confirmable = true;
        bool observe = false;  // a GET/FETCH with Observe=0: a 2.xx answer with Observe starts an observation
        std::uint8_t retransmits = 0;
        peer_id peer{};
        std::uint16_t message_id = 0;
        coap::token token{};
        request_handle handle{};
        duration timeout{};
        time_point deadline{};
        std::size_t size = 0;
        std::array<std::byte, Limits::max_message> bytes{};
    };
    struct queued {
        enum source_kind : std::uint8_t { from_inline, from_pending, from_dedup, from_large } source = from_inline;
        peer_id peer{};
        std::uint16_t message_id = 0;
        std::size_t index = 0;
        std::array<std::byte, 4> inline_bytes{};
    };
    // NON notifications leave no slot behind; remember their IDs so a Reset can be matched.
    struct recent_non {
        peer_id peer{};
        std::uint16_t message_id = 0;
        request_handle handle{};
        bool used = false;
    };
    // Observations we hold on peers (server side): notifications keep arriving on the token.
    struct observation {
        peer_id peer{};
        coap::token token{};
        request_handle handle{};
        bool used = false;
    };

    result<request_handle> start(peer_id peer, coap::message_builder_base& msg, const coap::token& token, slot_kind kind,
                                 time_point now) noexcept {
        std::size_t i = 0;
        while (i < pending_.size() && pending_[i].state != slot_state::free) ++i;
        if (i == pending_.size()) return fail(errc::capacity_exceeded);
        const std::uint16_t mid = mids_.next();
        msg.message_id(mid);
        pending_slot& s = pending_[i];
        auto n = serialize_around_body(msg, mutable_bytes{s.bytes});
        if (!n) return unexpected{n.error()};
        if (next_handle_ == 0) next_handle_ = 1;
        const request_handle handle{next_handle_++};
        s.size = *n;
        s.kind = kind;
        s.confirmable = kind == slot_kind::ping || msg.type() == coap::message_type::confirmable;
        s.observe = false;
        // Observe 0 (register, RFC 7641 §2) in the request: its first Observe option, as the
        // serialized message would give it (the builder's options are in encoding order), has
        // only zero bytes. Read from the builder, not by parsing what was just serialized.
        if (kind == slot_kind::request)
            for (const coap::builder_option& o : msg.options())
                if (o.number == coap::option_number::observe) {
                    std::uint32_t bits = 0;
                    for (const std::byte b : o.value()) bits |= static_cast<std::uint32_t>(b);
                    s.observe = bits == coap::observe_register;
                    break;
                }
        s.retransmits = 0;
        s.peer = peer;
        s.message_id = mid;
        s.token = token;
        s.handle = handle;
        if (kind == slot_kind::notification && !s.confirmable) {
            s.state = slot_state::send_once;
            recent_non& r = recent_[recent_next_];  // (field by field: a struct copy is a byte loop at -Os)
            r.peer = peer;
            r.message_id = mid;
            r.handle = handle;
            r.used = true;
            recent_next_ = (recent_next_ + 1) % recent_.size();
            queue_slot(i);
            return handle;
        }
        s.state = slot_state::queued;
        s.deadline = now;  // while queued: when it was queued (see next_deadline)
        if (!s.confirmable || in_flight_to(peer) < params_.nstart) launch(i, now);
        return handle;
    }

    // Serializes `msg` into `out`. A payload already in `out` (a body written in place: see
    // outgoing_body_area, claim_body_area) is first moved to where it goes behind the header
    // and options, which are then written in front of it: no staging buffer.
    static result<std::size_t> serialize_around_body(coap::message_builder_base& msg, mutable_bytes out) noexcept {
        const bytes_view body = msg.payload();
        const std::byte* const first = out.data();
        const std::less<const std::byte*> before{};  // a total order, also for unrelated pointers
        if (body.empty() || before(body.data(), first) || !before(body.data(), first + out.size()))
            return msg.serialize(out);
        const auto at = static_cast<std::size_t>(body.data() - first);
        msg.payload(bytes_view{});
        const auto head = msg.encoded_size();
        if (!head) return head;
        const std::size_t size = *head + 1 + body.size();
        if (size > out.size()) return fail(errc::buffer_too_small, size);
        std::memmove(out.data() + *head + 1, out.data() + at, body.size());  // either way, overlapping
        out[*head] = std::byte{0xFF};
        if (auto n = msg.serialize(out.first(*head)); !n) return n;
        return size;
    }

    std::size_t in_flight_to(peer_id peer) const noexcept {
        std::size_t n = 0;
        for (const pending_slot& s : pending_)
            if (s.state == slot_state::in_flight && s.peer == peer) ++n;
        return n;
    }

    void launch(std::size_t i, time_point now) noexcept {
        pending_slot& s = pending_[i];
        if (s.confirmable) {
            s.state = slot_state::in_flight;
            s.timeout = params_.initial_timeout(static_cast<std::uint32_t>(random_()));
            s.deadline = now + s.timeout;
        } else {
            s.state = slot_state::awaiting;
            s.deadline = now + params_.max_transmit_wait();
        }
        queue_slot(i);
    }

    // A CON to `peer` is no longer in flight: start the oldest queued one (NSTART, §4.7).
    void launch_next(peer_id peer, time_point now) noexcept {
        if (in_flight_to(peer) >= params_.nstart) return;
        std::size_t best = pending_.size();
        for (std::size_t i = 0; i < pending_.size(); ++i)
            if (pending_[i].state == slot_state::queued && pending_[i].peer == peer &&
                (best == pending_.size() || pending_[i].handle.value < pending_[best].handle.value))
                best = i;
        if (best != pending_.size()) launch(best, now);
    }

    void release(std::size_t i) noexcept { pending_[i].state = slot_state::free; }

    template <class H>
    void fail_slot(std::size_t i, errc why, time_point now, H& handler) noexcept {
        const request_handle h = pending_[i].handle;
        const peer_id peer = pending_[i].peer;
        release(i);
        launch_next(peer, now);
        handler.on_response(h, peer, result<coap::message_view>{fail(why)});
    }

    template <class H>
    void complete(std::size_t i, const coap::message_view& m, time_point now, H& handler) noexcept {
        const pending_slot& s = pending_[i];
        const request_handle h = s.handle;
        const peer_id peer = s.peer;
        if (s.observe && coap::is_success(m.code()) && m.observe()) remember_observation(peer, s.token, h);
        release(i);
        launch_next(peer, now);
        handler.on_response(h, peer, result<coap::message_view>{m});
    }

    void remember_observation(peer_id peer, const coap::token& t, request_handle h) noexcept {
        observation* slot = nullptr;
        for (observation& o : observations_) {
            if (o.used && o.peer == peer && o.token == t) { slot = &o; break; }
            if (!o.used && slot == nullptr) slot = &o;
        }
        if (slot == nullptr) return;
        slot->peer = peer;  // (field by field: a struct copy is a word loop at -Os)
        slot->token = t;
        slot->handle = h;
        slot->used = true;
    }

    // A request that is not a duplicate (on_datagram checked), its Message ID remembered until `expires`.
    template <class H>
    void handle_request(peer_id peer, const coap::message_view& m, time_point now, time_point expires, H& handler) noexcept {
        const bool con = m.type() == coap::message_type::confirmable;
        coap::message_view whole = m;  // the request the handler sees (reassembled from Block1)
        std::optional<coap::block_option> block1_echo;
        if constexpr (Limits::max_body > 0) {
            if (reassemble(peer, m, now, expires, whole, block1_echo) == block1_step::answered) return;
        }
        // Transparent Block2 (RFC 7959 §2.4): the handler writes the whole body into a window
        // positioned on the requested block; we send that block and say whether more follow.
        std::uint8_t szx = largest_block_szx();
        std::uint32_t block_num = 0;
        bool block_requested = false;
        const auto b2 = m.block2();
        if (!b2) {
            respond_with(peer, m, coap::code::bad_request, expires);  // SZX 7 (RFC 7959 §2.2)
            return;
        }
        if (*b2) {
            block_requested = true;
            // The block asked for, or ours if smaller: both sizes are powers of two, so the
            // block holding its offset (NUM << (SZX + 4)) is NUM << (its SZX - ours), with no
            // division (NUM < 2^20, SZX <= 6: below 2^26).
            const coap::block_option asked = **b2;
            if (asked.szx < szx) szx = asked.szx;
            block_num = asked.num << (asked.szx - szx);
        }
        const std::size_t block_size = std::size_t{16} << szx;
        response r{claim_body_area().first(block_size), static_cast<std::size_t>(block_num) * block_size};
        const auto refused = m.first_unrecognized_critical(acts_on_option);  // one pass over the options
        if (!refused) {
            handler.on_request(peer, whole, r);
            // RFC 7959 §2.3: the final response echoes the last block's number (M 0).
            if (block1_echo && coap::is_success(r.code())) r.builder().block1(*block1_echo);
        } else if (is_proxy_option(*refused)) {
            r.code(coap::code::proxying_not_supported);  // §5.10.2, NON or CON
        } else if (con) {
            r.code(coap::code::bad_option);  // §5.4.1
        } else {
            // §5.4.1: in a NON it makes the message rejected (§4.3): ignored, and so its duplicates.
            dedup_.remember(peer, m.message_id(), expires, bytes_view{});
            return;
        }
        const std::size_t total = r.body().total();
        block_etag tag{};  // the builder keeps a view of it until finish_response
        if (coap::is_success(r.code()) && (block_requested || total > block_size)) {
            if (block_num != 0 && static_cast<std::size_t>(block_num) * block_size >= total) {
                respond_with(peer, m, coap::code::bad_option, expires);  // a block past the end
                return;
            }
            r.builder().block2(coap::block_option{block_num, (block_num + 1) * block_size < total, szx});
            if (m.size2()) r.builder().size2(static_cast<std::uint32_t>(total));
            // Each block is rendered afresh: the ETag lets the peer see that the blocks it
            // joins come from one representation (RFC 7959 §2.4).
            tag = block_etag_of(r.body());
            r.builder().etag(bytes_view{tag});
        }
        finish_response(peer, m, r, expires);
    }

    void finish_response(peer_id peer, const coap::message_view& m, response& r, time_point expires) noexcept {
        coap::message_builder_base& b = r.builder();
        const bool con = m.type() == coap::message_type::confirmable;
        const auto type = con ? coap::message_type::acknowledgement : coap::message_type::non_confirmable;
        const std::uint16_t request_mid = m.message_id();
        const std::uint16_t mid = con ? request_mid : mids_.next();
        const bytes_view token = m.token();
        b.type(type).message_id(mid).token(token);
        b.payload(r.body().bytes());
        // Serialized straight into the dedup entry that keeps it for duplicates (§4.5): no
        // staging buffer. Nothing the builder refers to lives in that entry (the request is
        // the caller's datagram, the body is in large_ or body_scratch_, option text in `r`).
        const auto slot = dedup_.claim(peer, request_mid, expires);
        const auto n = b.serialize(slot.answer);
        if constexpr (shares_large_answers) {
            if (!n && n.error().code == errc::buffer_too_small && keep_large(peer, request_mid, b)) {
                // Too large to keep (see endpoint_limits::cached_answer): a GET or FETCH is
                // processed again when repeated, anything else stays "processed, no answer".
                if (m.code() == coap::code::get || m.code() == coap::code::fetch) dedup_.forget(slot);
                return;
            }
        }
        if (n) {
            slot.commit(*n);
        } else {
            // The handler's response cannot be encoded (too many options, too long): say so,
            // with a 5.00 of the type, Message ID and token it would have had and nothing else,
            // which a dedup entry always holds (see endpoint_limits::cached_answer).
            coap::detail::put_header(slot.answer.data(), type, coap::code::internal_server_error, mid, token.size());
            coap::detail::copy_short(slot.answer.data() + 4, token.data(), token.size());
            slot.commit(4 + token.size());
        }
        queue_cached_answer(peer, request_mid);
    }

    // Where the handler writes a response body. With answers too large for the dedup cache
    // going out from large_, the body is written into its tail (body_area_offset()) and the
    // header and options are put in front of it: no separate body buffer. A large answer
    // still queued there is dropped (one at a time; see endpoint_limits::cached_answer).
    mutable_bytes claim_body_area() noexcept {
        if constexpr (shares_large_answers) {
            large_.queued = false;
            return mutable_bytes{large_.bytes}.subspan(body_area_offset());
        } else {
            return mutable_bytes{body_scratch_};
        }
    }
    static constexpr std::size_t body_area_offset() noexcept { return Limits::max_message - largest_block(); }

    // Completes an answer too large for the dedup cache in large_ (around the body the handler
    // wrote into its tail) and queues it. False if it does not fit there either.
    bool keep_large(peer_id peer, std::uint16_t request_mid, coap::message_builder_base& b) noexcept {
        const auto n = serialize_around_body(b, mutable_bytes{large_.bytes});
        if (!n) return false;
        large_.peer = peer;
        large_.message_id = request_mid;
        large_.size = *n;
        large_.queued = true;
        enqueue(queued::from_large, peer, request_mid);
        return true;
    }

    void respond_with(peer_id peer, const coap::message_view& m, coap::code c, time_point expires,
                      std::optional<coap::block_option> block1 = std::nullopt,
                      std::optional<std::uint32_t> size1 = std::nullopt) noexcept {
        response r{mutable_bytes{}};
        r.code(c);
        if (block1) r.builder().block1(*block1);
        if (size1) r.builder().size1(*size1);
        finish_response(peer, m, r, expires);
    }

    // ---- Block1 reassembly (RFC 7959 §2.3, §2.5; see endpoint_limits::max_body) ----------

    enum class block1_step : std::uint8_t { deliver, answered };

    // Identifies "the same request" across its blocks: the code and every option except the
    // ones that vary from block to block (FNV-1a, 64 bits).
    static std::uint64_t block1_fingerprint(const coap::message_view& m) noexcept {
        std::uint64_t h = 14695981039346656037ull;
        const auto mix = [&h](std::uint32_t byte) noexcept { h = (h ^ (byte & 0xFFu)) * 1099511628211ull; };
        mix(static_cast<std::uint32_t>(m.code()));
        for (const coap::option_view& o : m.options()) {
            if (o.number == coap::option_number::block1 || o.number == coap::option_number::block2 ||
                o.number == coap::option_number::size1 || o.number == coap::option_number::size2)
                continue;
            const auto n = static_cast<std::uint32_t>(o.number);
            mix(n >> 8);
            mix(n);
            mix(static_cast<std::uint32_t>(o.value.size() >> 8));
            mix(static_cast<std::uint32_t>(o.value.size()));
            for (const std::byte b : o.value) mix(static_cast<std::uint32_t>(b));
        }
        return h;
    }

    // Answers a Block1 block (2.31, 4.08, 4.13, 4.00) or lets the request through: a request
    // without Block1, a single-block one (`echo` set), or the last block with `whole` set to
    // the reassembled request.
    block1_step reassemble(peer_id peer, const coap::message_view& m, time_point now, time_point expires,
                           coap::message_view& whole, std::optional<coap::block_option>& echo) noexcept {
        for (block1_state& s : b1_)
            if (s.active && now >= s.deadline) s.active = false;  // EXCHANGE_LIFETIME passed: dropped
        if (m.first_unrecognized_critical(acts_on_option))
            return block1_step::deliver;  // answered 4.02 or 5.05, or rejected, by handle_request
        const auto b1 = m.block1();
        if (!b1) {  // SZX 7 or too long (RFC 7959 §2.2)
            respond_with(peer, m, coap::code::bad_request, expires);
            return block1_step::answered;
        }
        if (!*b1 || ((*b1)->num == 0 && !(*b1)->more)) {
            // Not (or no longer) a Block1 transfer: a new request from this peer replaces the
            // partial one.
            abandon_bodies_of(peer);
            if (*b1) echo = **b1;
            return block1_step::deliver;
        }
        const coap::block_option b = **b1;
        const bytes_view part = m.payload();
        const std::uint64_t fp = block1_fingerprint(m);
        std::size_t k = body_slot_of(peer);
        const bool ours = k != b1_.size() && b1_[k].fingerprint == fp;
        if (b.num == 0) {
            if (k == b1_.size()) k = free_body_slot();
            b1_[k] = block1_state{true, peer, fp, 0, now};  // starts (and abandons any other one there)
        } else if (!ours || b.offset() != b1_[k].received) {
            if (ours) b1_[k].active = false;  // a gap: the client has to start again
            respond_with(peer, m, coap::code::request_entity_incomplete, expires);  // §2.9.2
            return block1_step::answered;
        }
        block1_state& s = b1_[k];
        std::span<std::byte> assembly{assembly_[k]};
        if ((b.more && part.size() != b.size()) || part.size() > b.size()) {  // §2.3: M 1 means a full block
            s.active = false;
            respond_with(peer, m, coap::code::bad_request, expires);
            return block1_step::answered;
        }
        const auto size1 = m.size1();
        if (s.received + part.size() > Limits::max_body || (size1 && *size1 > Limits::max_body)) {
            s.active = false;  // §2.9.3, RFC 7252 §5.10.9: say how much we take
            respond_with(peer, m, coap::code::request_entity_too_large, expires, std::nullopt,
                         static_cast<std::uint32_t>(Limits::max_body));
            return block1_step::answered;
        }
        std::copy(part.begin(), part.end(), assembly.begin() + static_cast<std::ptrdiff_t>(Limits::max_message + s.received));
        s.received += part.size();
        s.deadline = now + params_.exchange_lifetime();
        if (b.more) {
            // §2.3: 2.31 Continue echoes NUM with M 1; on the first block we may ask for
            // smaller blocks (the client then continues at the matching, larger NUM).
            const std::uint8_t szx = b.num == 0 ? std::min(b.szx, largest_block_szx()) : b.szx;
            respond_with(peer, m, coap::code::continue_, expires, coap::block_option{b.num, true, szx});
            return block1_step::answered;
        }
        s.active = false;
        // The whole request: the last block's header, token and options (without Block1 and
        // Size1), then the body, rebuilt in front of the body in the slot's assembly area.
        coap::message_writer w{assembly.first(Limits::max_message - 1)};
        w.header(m.type(), m.code(), m.message_id(), m.token());
        for (const coap::option_view& o : m.options())
            if (o.number != coap::option_number::block1 && o.number != coap::option_number::size1) w.option(o.number, o.value);
        const auto head = w.finish();
        if (!head) {
            respond_with(peer, m, coap::code::request_entity_too_large, expires, std::nullopt,
                         static_cast<std::uint32_t>(Limits::max_body));
            return block1_step::answered;
        }
        std::size_t size = *head;
        if (s.received > 0) {
            assembly[size] = std::byte{0xFF};
            if (size + 1 != Limits::max_message) {
                const auto from = assembly.begin() + static_cast<std::ptrdiff_t>(Limits::max_message);
                std::copy(from, from + static_cast<std::ptrdiff_t>(s.received), assembly.begin() + static_cast<std::ptrdiff_t>(size + 1));
            }
            size += 1 + s.received;
        }
        const auto parsed = coap::parse(bytes_view{assembly.data(), size});
        if (!parsed) {
            respond_with(peer, m, coap::code::bad_request, expires);
            return block1_step::answered;
        }
        whole = *parsed;
        echo = b;
        return block1_step::deliver;
    }

    // The slot of `peer`'s partial Block1 body, or b1_.size().
    std::size_t body_slot_of(peer_id peer) const noexcept {
        for (std::size_t k = 0; k < b1_.size(); ++k)
            if (b1_[k].active && b1_[k].peer == peer) return k;
        return b1_.size();
    }
    // A slot for a new body: a free one, else the one that has waited longest for its next
    // block (its sender gets 4.08 for that block and starts again).
    std::size_t free_body_slot() const noexcept {
        std::size_t oldest = 0;
        for (std::size_t k = 0; k < b1_.size(); ++k) {
            if (!b1_[k].active) return k;
            if (b1_[k].deadline < b1_[oldest].deadline) oldest = k;
        }
        return oldest;
    }
    void abandon_bodies_of(peer_id peer) noexcept {
        for (block1_state& s : b1_)
            if (s.active && s.peer == peer) s.active = false;
    }

    // A response in a CON or NON that is not a duplicate (on_datagram checked: a duplicate
    // CON is ACKed again, a duplicate NON ignored, neither delivered twice), its Message ID
    // remembered until `expires`.
    template <class H>
    void handle_separate_response(peer_id peer, const coap::message_view& m, std::uint16_t mid, time_point now,
                                  time_point expires, H& handler) noexcept {
        const bool con = m.type() == coap::message_type::confirmable;
        if (m.first_unrecognized_critical(acts_on_option)) {
            // §5.4.1: a response with an unrecognised critical option is rejected (§4.2, §4.3).
            if (con) queue_empty(peer, coap::message_type::reset, mid);
            return;
        }
        const coap::token t{m.token()};
        const std::size_t i = find_by_token(peer, t);
        observation* obs = i == pending_.size() ? find_observation(peer, t) : nullptr;
        if (i == pending_.size() && obs == nullptr) {
            // §4.2 / RFC 7641 §3.6: nothing waits for it (also how we cancel an observation).
            queue_empty(peer, coap::message_type::reset, mid);
            return;
        }
        std::byte ack[4];
        write_empty(ack, coap::message_type::acknowledgement, mid);
        dedup_.remember(peer, mid, expires, bytes_view{ack, con ? 4u : 0u});
        if (con) queue_cached_answer(peer, mid);
        if (obs != nullptr) {
            const request_handle h = obs->handle;
            if (!coap::is_success(m.code()) || !m.observe()) obs->used = false;  // RFC 7641 §3.2: it ended
            handler.on_response(h, peer, result<coap::message_view>{m});
            return;
        }
        complete(i, m, now, handler);
    }

    template <class H>
    void handle_ack(peer_id peer, const coap::message_view& m, time_point now, H& handler) noexcept {
        // §5.4.1: a piggybacked response with an unrecognised critical option is rejected,
        // which for an ACK means silently ignored (§4.2); the request is retransmitted.
        if (m.code() != coap::code::empty && m.first_unrecognized_critical(acts_on_option)) return;
        const std::size_t i = find_in_flight(peer, m.message_id());
        if (i == pending_.size()) return;
        pending_slot& s = pending_[i];
        if (m.code() == coap::code::empty) {
            if (s.kind == slot_kind::request) {
                // A separate response will follow (§5.2.2): stop retransmitting, keep waiting.
                s.state = slot_state::acked;
                s.deadline = now + params_.exchange_lifetime();
                launch_next(peer, now);
            } else if (s.kind == slot_kind::notification) {
                complete(i, m, now, handler);  // the observer acknowledged the notification
            }
            return;  // (a ping is answered by Reset, not ACK)
        }
        if (s.kind != slot_kind::request || !(s.token == coap::token{m.token()})) return;
        complete(i, m, now, handler);
    }

    template <class H>
    void handle_reset(peer_id peer, std::uint16_t mid, time_point now, H& handler) noexcept {
        if (const std::size_t i = find_in_flight(peer, mid); i != pending_.size()) {
            fail_slot(i, errc::reset_received, now, handler);
            return;
        }
        for (recent_non& r : recent_)
            if (r.used && r.peer == peer && r.message_id == mid) {
                r.used = false;
                handler.on_response(r.handle, peer, result<coap::message_view>{fail(errc::reset_received)});
                return;
            }
    }

    // The CON (request, notification or ping) in flight to `peer` with Message ID `mid`, which
    // an ACK or a Reset answers, or pending_.size(). One loop for both (at -Os a loop over a
    // few slots is unrolled at each place it is written).
    [[gnu::noinline]] std::size_t find_in_flight(peer_id peer, std::uint16_t mid) const noexcept {
        std::size_t i = 0;
        while (i < pending_.size() &&
               !(pending_[i].state == slot_state::in_flight && pending_[i].peer == peer && pending_[i].message_id == mid))
            ++i;
        return i;
    }
    // (Out of line: at -Os GCC unrolls the loop over a few slots, a token compare each.)
    [[gnu::noinline]] std::size_t find_by_token(peer_id peer, const coap::token& t) const noexcept {
        for (std::size_t i = 0; i < pending_.size(); ++i) {
            const pending_slot& s = pending_[i];
            if ((s.state == slot_state::in_flight || s.state == slot_state::acked || s.state == slot_state::awaiting) &&
                s.kind == slot_kind::request && s.peer == peer && s.token == t)
                return i;
        }
        return pending_.size();
    }
    observation* find_observation(peer_id peer, const coap::token& t) noexcept {
        for (observation& o : observations_)
            if (o.used && o.peer == peer && o.token == t) return &o;
        return nullptr;
    }

    void reject_malformed(peer_id peer, bytes_view datagram) noexcept {
        // §4.2: a CON we cannot process is rejected with a Reset, when its ID can be read.
        if (datagram.size() >= 4 && (static_cast<unsigned>(datagram[0]) >> 6) == 1 &&
            ((static_cast<unsigned>(datagram[0]) >> 4) & 3u) == 0) {
            const auto mid = static_cast<std::uint16_t>((static_cast<unsigned>(datagram[2]) << 8) |
                                                        static_cast<unsigned>(datagram[3]));
            queue_empty(peer, coap::message_type::reset, mid);
        }
    }

    static void write_empty(std::byte* out, coap::message_type t, std::uint16_t mid) noexcept {
        out[0] = static_cast<std::byte>(0x40u | (static_cast<unsigned>(t) << 4));
        out[1] = std::byte{0};
        out[2] = static_cast<std::byte>(mid >> 8);
        out[3] = static_cast<std::byte>(mid & 0xFF);
    }
    void queue_empty(peer_id peer, coap::message_type t, std::uint16_t mid) noexcept {
        write_empty(enqueue(queued::from_inline, peer, mid).inline_bytes.data(), t, mid);
    }
    // Queues the answer the dedup cache keeps for (peer, mid) (§4.5). One call rather than an
    // `enqueue` at each of the four places that send one.
    void queue_cached_answer(peer_id peer, std::uint16_t mid) noexcept { enqueue(queued::from_dedup, peer, mid); }
    void queue_slot(std::size_t i) noexcept {
        enqueue(queued::from_pending, pending_[i].peer, pending_[i].message_id, i);
    }
    // Takes the next entry of the ring and fills it in (field by field, not a `queued` built
    // and copied: a cleared temporary and a copy at each caller at -Os). The inline bytes are
    // left to the caller (only a `from_inline` entry has any).
    queued& enqueue(typename queued::source_kind source, peer_id peer, std::uint16_t mid, std::size_t index = 0) noexcept {
        if (queue_count_ == queue_.size()) {  // full: drop the oldest (CON traffic is retransmitted)
            const queued& dropped = queue_[queue_head_];
            if (dropped.source == queued::from_pending && pending_[dropped.index].state == slot_state::send_once &&
                pending_[dropped.index].message_id == dropped.message_id)
                release(dropped.index);  // a NON notification's slot only exists to be sent once
            queue_head_ = (queue_head_ + 1) % queue_.size();
            --queue_count_;
        }
        queued& q = queue_[(queue_head_ + queue_count_) % queue_.size()];
        ++queue_count_;
        q.source = source;
        q.peer = peer;
        q.message_id = mid;
        q.index = index;
        return q;
    }

    // The largest power-of-two block (16..1024) that fits one datagram with room for headers.
    static constexpr std::size_t largest_block() noexcept {
        std::size_t b = 1024;
        while (b > 16 && b + 96 > Limits::max_message) b /= 2;
        return b;
    }
    // Its SZX (RFC 7959 §2.2: size = 2^(SZX + 4)).
    static constexpr std::uint8_t largest_block_szx() noexcept {
        std::uint8_t szx = 0;
        while ((std::size_t{16} << szx) < largest_block()) ++szx;
        return szx;
    }

    Random random_;
    transmission_parameters params_;
    coap::message_id_sequence mids_;
    std::uint32_t next_handle_ = 1;
    std::array<pending_slot, Limits::max_pending> pending_{};
    dedup_cache<Limits::dedup_entries, Limits::cached_answer> dedup_{};
    // The answer too large for the dedup cache (a Read's content), until poll_transmit takes
    // it; its tail is where response bodies are written. One at a time: the next request
    // replaces it (the peer retransmits a CON request).
    struct large_answer {
        bool queued = false;
        peer_id peer{};
        std::uint16_t message_id = 0;
        std::size_t size = 0;
        std::array<std::byte, shares_large_answers ? Limits::max_message : 0> bytes{};
    };
    large_answer large_{};
    std::array<queued, Limits::queue_length> queue_{};
    std::size_t queue_head_ = 0;
    std::size_t queue_count_ = 0;
    std::array<recent_non, 8> recent_{};
    std::size_t recent_next_ = 0;
    std::array<observation, Limits::max_observations> observations_{};
    // The response body when every answer is cached whole (else it is written into large_).
    std::array<std::byte, shares_large_answers ? 0 : largest_block()> body_scratch_{};
    // Block1 reassembly: max_bodies requests at once, one a peer (see endpoint_limits::max_bodies).
    struct block1_state {
        bool active = false;
        peer_id peer{};
        std::uint64_t fingerprint = 0;
        std::size_t received = 0;  // body bytes so far, at assembly_[k][max_message...]
        time_point deadline{};
    };
    std::array<block1_state, Limits::max_bodies> b1_{};
    // Each: room for the whole request's header and options, then the body as it arrives.
    std::array<std::array<std::byte, Limits::max_message + Limits::max_body>, Limits::max_bodies> assembly_{};
};

} // namespace lwm2m::exchange
