#pragma once
/**
 * @file bootstrap/server.hpp
 * `bootstrap::server`: the sans-I/O LwM2M Bootstrap-Server (LwM2M 1.1.1 Core §6.1, 1.0 §5.2;
 * Transport §5.3 for the /bs path), on the same `exchange::endpoint` as the other engines
 * (reliability, deduplication, NSTART) and driven the same way: `on_datagram`, `on_timeout`,
 * `poll_datagram` / `poll_transmit`, `next_deadline`.
 *
 * - Client-Initiated Bootstrap (Core §6.1.3): `POST /bs?ep=NAME[&pct=CF]`. A missing or empty
 *   `ep`, a parameter given twice, or an endpoint the handler has no configuration for is
 *   answered 4.00 Bad Request (Leshan's bootstrap server does the same for the last); a
 *   `pct` that is not a multi-value format we write (TLV, SenML JSON/CBOR, the 1.0 JSON,
 *   LwM2M CBOR) 4.15; all `MaxSessions` sessions busy 5.03. Else 2.04 Changed, and the
 *   session starts: a new request of an endpoint whose session runs replaces that session
 *   (reported `cancelled`), as a client that restarts bootstrapping must not wait for it.
 * - The session sends its configuration's steps in order, one operation in flight per
 *   client (Core §6.1.7: Bootstrap-Delete, -Write, -Discover, -Read), then Bootstrap-Finish
 *   (POST /bs, §6.1.8). Each answer is checked against the operation's success code and
 *   reported; any other code, a timeout or a Reset ends the session as failed (4.06 to
 *   Finish: the client finds the configuration inconsistent). Finish answered 2.04 ends it
 *   as successful.
 * - Write bodies: the step's format, else the client's `pct`, else TLV (1.0 clients);
 *   written in place in the endpoint's slot that sends them, so a body must fit one datagram
 *   with its header (no Block1 sending; a larger one fails its session with
 *   `request_entity_too_large`).
 * - Other requests: 4.04 for another path, 4.05 for another method on /bs.
 * - A Discover or Read answered block-wise (RFC 7959 §2.4; a client's Bootstrap-Discover of
 *   many objects easily exceeds one datagram) is fetched block by block and reported whole
 *   (`exchange::block2_reassembly`: at most `MaxResponseBody` bytes, `MaxBlockTransfers`
 *   sessions at once); a transfer that cannot complete fails its session with the
 *   reassembly's error (`request_entity_too_large`, `request_entity_incomplete`,
 *   `capacity_exceeded`).
 * - Not done: DTLS (put `transport/dtls_openssl.hpp` between the socket and the engine, as
 *   for the server).
 *
 * Capacities are the `bootstrap_limits` template parameters; nothing is allocated.
 */

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <lwm2m/bootstrap/configuration.hpp>
#include <lwm2m/bootstrap/events.hpp>
#include <lwm2m/bytes.hpp>
#include <lwm2m/coap/code.hpp>
#include <lwm2m/coap/message_builder.hpp>
#include <lwm2m/coap/message_view.hpp>
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
#include <lwm2m/path/path.hpp>
#include <lwm2m/result.hpp>
#include <lwm2m/server/registration.hpp>

namespace lwm2m::bootstrap {

/**
 * Capacities of a Bootstrap-Server engine.
 * - `MaxMessage`: largest datagram (a Write body must fit in it with the request's header);
 * - `MaxSessions`: clients bootstrapped at once;
 * - `DedupEntries`: requests remembered for deduplication (RFC 7252 §4.5);
 * - `MaxName`: longest endpoint name taken;
 * - `MaxResponseBody`: largest Discover or Read answer reassembled from Block2 blocks;
 * - `MaxBlockTransfers`: such reassemblies at once (each holds `MaxResponseBody` bytes).
 */
template <std::size_t MaxMessage = 1152, std::size_t MaxSessions = 16, std::size_t DedupEntries = 64,
          std::size_t MaxName = 64, std::size_t MaxResponseBody = 4096, std::size_t MaxBlockTransfers = 2>
struct bootstrap_limits {
    static constexpr std::size_t max_message = MaxMessage;
    static constexpr std::size_t max_sessions = MaxSessions;
    static constexpr std::size_t max_name = MaxName;
    static constexpr std::size_t max_response_body = MaxResponseBody;
    static constexpr std::size_t max_block_transfers = MaxBlockTransfers;
    static_assert(MaxSessions > 0 && MaxName > 0 && MaxName < 256);
    // One request in flight per session; answers to Bootstrap-Requests queue beside them.
    using endpoint_limits =
        exchange::endpoint_limits<MaxMessage, MaxSessions, DedupEntries, 2 * MaxSessions + 8, 1, 8, 0, 64, 1>;
};

/** True for the formats a Bootstrap-Write body may take (`pct` must name one). */
[[nodiscard]] constexpr bool is_write_format(format::content_format f) noexcept {
    using format::content_format;
    switch (canonical(f)) {
    case content_format::tlv:
    case content_format::senml_json:
    case content_format::senml_cbor:
    case content_format::oma_json:
    case content_format::lwm2m_cbor: return true;
    default: return false;
    }
}

template <class Limits, coap::random_source Random, bootstrap_handler Handler>
class server {
public:
    using endpoint_type = exchange::endpoint<typename Limits::endpoint_limits, Random>;

    server(Handler& handler, Random random, exchange::transmission_parameters transmission = {}) noexcept
        : handler_(handler), endpoint_(random, transmission) {}
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /** A datagram from `peer`. Sessions it starts send their first operation after its answer. */
    void on_datagram(exchange::peer_id peer, bytes_view datagram, time_point now) noexcept {
        dispatcher d{this, now};
        endpoint_.on_datagram(peer, datagram, now, d);
        start_sessions(now);
    }

    /** Retransmissions and give-ups (a give-up fails its session). Call when `next_deadline()` passed. */
    void on_timeout(time_point now) noexcept {
        dispatcher d{this, now};
        endpoint_.on_timeout(now, d);
    }

    /** The next datagram to send, copied into `out` (at least Limits::max_message bytes). */
    [[nodiscard]] std::optional<exchange::transmit> poll_transmit(mutable_bytes out) noexcept {
        return endpoint_.poll_transmit(out);
    }
    /** The next datagram to send, lent until the next call into the engine (no copy). */
    [[nodiscard]] std::optional<exchange::datagram> poll_datagram() noexcept { return endpoint_.poll_datagram(); }
    /** When `on_timeout` must be called next. */
    [[nodiscard]] std::optional<time_point> next_deadline() const noexcept { return endpoint_.next_deadline(); }

    /** Sessions running now. */
    [[nodiscard]] std::size_t session_count() const noexcept {
        std::size_t n = 0;
        for (const session& s : sessions_) n += s.state != session::free ? 1 : 0;
        return n;
    }
    /** The endpoint underneath (e.g. to tune transmission parameters). */
    [[nodiscard]] endpoint_type& exchange_endpoint() noexcept { return endpoint_; }

private:
    using transfers_type = exchange::block2_reassembly<Limits::max_response_body, Limits::max_block_transfers>;
    struct session {
        enum state_kind : std::uint8_t { free, starting, in_flight } state = free;
        session_id id{};
        exchange::peer_id peer{};
        const configuration* config = nullptr;
        std::size_t next = 0;  // the step in flight; config->steps.size() is Finish
        exchange::request_handle handle{};
        typename transfers_type::slot transfer = transfers_type::no_slot;  // a block-wise answer's reassembly
        format::content_format format = format::content_format::tlv;
        std::uint8_t name_size = 0;
        std::array<char, Limits::max_name> name{};
        [[nodiscard]] std::string_view endpoint() const noexcept { return {name.data(), name_size}; }
    };

    struct dispatcher {
        server* self;
        time_point now;
        void on_request(exchange::peer_id p, const coap::message_view& m, exchange::response& r) noexcept {
            self->handle_request(p, m, r);
        }
        void on_response(exchange::request_handle h, exchange::peer_id, const result<coap::message_view>& m) noexcept {
            self->handle_response(h, m, now);
        }
    };

    static void reject(exchange::response& r, coap::code c, std::string_view reason) noexcept {
        r.code(c);
        r.options().content_format(static_cast<std::uint16_t>(format::content_format::text));
        r.body().put(as_bytes(reason));
    }

    void handle_request(exchange::peer_id peer, const coap::message_view& m, exchange::response& r) noexcept {
        std::size_t count = 0;
        bool bs = false;
        for (std::string_view x : m.uri_path()) {
            bs = count == 0 && x == "bs";
            ++count;
        }
        if (!bs || count != 1) return reject(r, coap::code::not_found, "no such resource");
        if (m.code() != coap::code::post) return reject(r, coap::code::method_not_allowed, "POST only");
        std::optional<std::string_view> ep, pct;
        const std::array<server::detail_slot, 2> slots{{{"ep", &ep}, {"pct", &pct}}};
        if (auto why = lwm2m::server::detail::collect_query(m.uri_query(), slots, nullptr))
            return reject(r, why->code, why->reason);
        if (!ep || ep->empty()) return reject(r, coap::code::bad_request, "missing ep");
        if (ep->size() > Limits::max_name) return reject(r, coap::code::bad_request, "ep too long");
        bootstrap_request q{peer, *ep, std::nullopt};
        if (pct) {
            const auto n = encoding::parse_uint64(*pct);
            if (!n || *n > 0xFFFF) return reject(r, coap::code::bad_request, "invalid pct");
            const auto f = canonical(static_cast<format::content_format>(*n));
            if (!is_write_format(f)) return reject(r, coap::code::unsupported_content_format, "pct not supported");
            q.preferred_format = f;
        }
        const configuration* config = handler_.configuration_for(q);
        if (config == nullptr) return reject(r, coap::code::bad_request, "no bootstrap configuration for this endpoint");
        for (session& s : sessions_)
            if (s.state != session::free && s.endpoint() == *ep) end(s, errc::cancelled, coap::code::empty);
        session* s = nullptr;
        for (session& x : sessions_)
            if (x.state == session::free && s == nullptr) s = &x;
        if (s == nullptr) return reject(r, coap::code::service_unavailable, "too many bootstrap sessions");
        *s = session{};
        s->state = session::starting;
        s->id = session_id{next_id_++};
        if (next_id_ == 0) next_id_ = 1;
        s->peer = peer;
        s->config = config;
        s->format = q.preferred_format.value_or(format::content_format::tlv);
        s->name_size = static_cast<std::uint8_t>(ep->size());
        std::copy(ep->begin(), ep->end(), s->name.begin());
        starting_ = true;
        r.code(coap::code::changed);
    }

    // After the datagram's answer was queued, so the client hears 2.04 before the first operation.
    void start_sessions(time_point now) noexcept {
        if (!starting_) return;
        starting_ = false;
        for (session& s : sessions_)
            if (s.state == session::starting) send_step(s, now);
    }

    [[nodiscard]] static std::size_t finish_index(const session& s) noexcept { return s.config->steps.size(); }
    [[nodiscard]] static step step_of(const session& s) noexcept {
        if (s.next < finish_index(s)) return s.config->steps[s.next];
        return step{operation::finish, lwm2m::path{}, {}, {}};
    }

    /** Sends `s`'s step (with `block2`: that block of its answer, RFC 7959 §2.4). */
    void send_step(session& s, time_point now, std::optional<coap::block_option> block2 = std::nullopt) noexcept {
        const step st = step_of(s);
        coap::message_builder<8> b;
        b.type(coap::message_type::confirmable);
        const path_text target_text = st.target.text();
        const format::content_format f = st.format.value_or(s.format);
        const auto cf = static_cast<std::uint16_t>(f);
        switch (st.op) {
        case operation::remove:
            b.code(coap::code::delete_).uri_path_segments(target_text.view());
            break;
        case operation::write: {
            // Written in place in the pending slot that will send it (no body buffer).
            const mutable_bytes area = endpoint_.outgoing_body_area();
            if (area.empty()) return fail(s, st, errc::capacity_exceeded, coap::code::empty);
            format::output_window out{area};
            if (auto ok = format::write_records(f, st.records, st.target, out); !ok) return fail(s, st, ok.error().code, coap::code::empty);
            if (out.overflowed()) return fail(s, st, errc::request_entity_too_large, coap::code::empty);
            b.code(coap::code::put).uri_path_segments(target_text.view()).content_format(cf).payload(out.bytes());
            break;
        }
        case operation::discover:
            b.code(coap::code::get).uri_path_segments(target_text.view());
            b.accept(static_cast<std::uint16_t>(format::content_format::link_format));
            break;
        case operation::read: b.code(coap::code::get).uri_path_segments(target_text.view()).accept(cf); break;
        case operation::finish: b.code(coap::code::post).uri_path("bs"); break;
        }
        if (block2) b.block2(*block2);
        const auto h = endpoint_.send_request(s.peer, b, now);
        if (!h) return fail(s, st, h.error().code, coap::code::empty);
        s.handle = *h;
        s.state = session::in_flight;
    }

    static constexpr coap::code success_code(operation op) noexcept {
        switch (op) {
        case operation::remove: return coap::code::deleted;
        case operation::discover:
        case operation::read: return coap::code::content;
        default: return coap::code::changed;
        }
    }

    void handle_response(exchange::request_handle h, const result<coap::message_view>& res, time_point now) noexcept {
        session* found = nullptr;
        for (session& s : sessions_)
            if (s.state == session::in_flight && s.handle == h) found = &s;
        if (found == nullptr) return;
        session& s = *found;
        const step st = step_of(s);
        operation_result r = result_of(s, st);
        if (!res) {
            r.failure = res.error().code;
            handler_.on_operation(r);
            return end(s, res.error().code, coap::code::empty);
        }
        const coap::message_view& m = *res;
        r.code = m.code();
        if (st.op == operation::discover || st.op == operation::read) {
            exchange::response_parts parts;
            const exchange::block2_verdict v = transfers_.collect(s.transfer, m, true, parts);
            if (v.kind == exchange::block2_verdict::step::fetch) return send_step(s, now, v.next);
            if (v.kind == exchange::block2_verdict::step::failed) return fail(s, st, v.why, m.code());
            r.content_format = parts.content_format;
            r.payload = parts.payload;
        }
        if (m.code() != success_code(st.op)) r.failure = errc::rejected_by_peer;
        handler_.on_operation(r);
        transfers_.release(s.transfer);  // after the handler: r.payload may point into it
        if (r.failure) return end(s, *r.failure, m.code());
        if (st.op == operation::finish) return end(s, std::nullopt, m.code());
        ++s.next;
        send_step(s, now);
    }

    operation_result result_of(const session& s, const step& st) const noexcept {
        operation_result r;
        r.session = s.id;
        r.endpoint = s.endpoint();
        r.index = s.next;
        r.op = st.op;
        r.target = st.target;
        return r;
    }

    // An operation that could not be sent: reported like an answer, then the session ends.
    void fail(session& s, const step& st, errc why, coap::code code) noexcept {
        operation_result r = result_of(s, st);
        r.failure = why;
        handler_.on_operation(r);
        end(s, why, code);
    }

    void end(session& s, std::optional<errc> failure, coap::code code) noexcept {
        if (s.state == session::in_flight && failure == errc::cancelled) endpoint_.cancel(s.handle);
        transfers_.release(s.transfer);
        session_end e;
        e.session = s.id;
        e.endpoint = s.endpoint();
        e.peer = s.peer;
        e.success = !failure;
        e.failure = failure;
        e.code = code;
        e.op = step_of(s).op;
        e.index = s.next;
        s.state = session::free;  // the name stays readable for the handler's call
        handler_.on_session_end(e);
    }

    using detail_slot = lwm2m::server::detail::query_slot;

    Handler& handler_;
    endpoint_type endpoint_;
    std::array<session, Limits::max_sessions> sessions_{};
    transfers_type transfers_{};
    std::uint32_t next_id_ = 1;
    bool starting_ = false;
};

} // namespace lwm2m::bootstrap
