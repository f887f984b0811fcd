// libFuzzer target: exchange::endpoint (the sans-I/O CoAP message layer) fed an arbitrary
// script of datagrams, clock steps and API calls.
//
// Input: byte 0 picks the configuration (capacity sets: the second reassembles Block1
// bodies up to 600 bytes, one at a time or, with bit 7, two peers' at once; the third caches every answer whole, the others only answers up
// to 64 bytes; NSTART, MAX_RETRANSMIT); bytes
// 1-4 seed the endpoint's random source; then records, each an opcode byte and operands:
//   0-2  datagram: peer (0..2), clock step (x 8 ms), length, bytes (a CoAP-ish header is
//        forced for opcode 1 so that most datagrams parse and reach the deeper paths)
//   3    advance the clock to next_deadline() (or by a step) and call on_timeout
//   4    send_request (CON/NON, method, Observe=0, Block2, payload size from operands; an odd
//        size writes the payload into outgoing_body_area() at an offset taken from it)
//   5    send_notification (token of a request we received, or none; CON/NON)
//   6    ping / cancel / cancel_observation / forget_peer
//   7    poll_transmit with a small buffer (exercises the "too small" path; otherwise output
//        is taken lent, through poll_datagram), or with the high
//        bit set: hold the output for the next N steps (so the transmit queue overflows)
// The handler answers requests with bodies of fuzz-chosen size (0..5000 bytes, so Block2
// serving is exercised), a chosen code and options, and sometimes sends from inside.
//
// Checked after every step: no crash (ASan/UBSan); every transmitted datagram parses with
// coap::parse and fits Limits::max_message; an ACK or RST we send carries the Message ID of
// a CON (or NON, for RST) we received from that peer, unless it is a transmission of our
// own; a Block2 response with M set carries exactly one block of payload (RFC 7959 §2.3);
// on_response only reports handles the API handed out, for the peer they were sent to, at most
// once unless the request registered an observation, and never after cancel() / forget_peer();
// pending_count() stays within limits.
//
// Build: clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude fuzz/exchange_endpoint.cpp
// Replay: link with fuzz/replay_main.cpp (any compiler).

#include <lwm2m/coap.hpp>
#include <lwm2m/exchange/endpoint.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

namespace {

namespace coap = lwm2m::coap;
namespace ex = lwm2m::exchange;
using lwm2m::bytes_view;
using lwm2m::mutable_bytes;
using lwm2m::time_point;
using namespace std::chrono_literals;

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);         \
            std::abort();                                                                          \
        }                                                                                          \
    } while (0)

/** Reads the input front to back; past the end everything is 0. */
struct reader {
    const std::uint8_t* p;
    std::size_t n;
    [[nodiscard]] bool empty() const noexcept { return n == 0; }
    std::uint8_t byte() noexcept {
        if (n == 0) return 0;
        --n;
        return *p++;
    }
    std::uint16_t u16() noexcept { return static_cast<std::uint16_t>(byte() << 8 | byte()); }
    bytes_view take(std::size_t k) noexcept {
        k = k < n ? k : n;
        const bytes_view v{reinterpret_cast<const std::byte*>(p), k};
        p += k;
        n -= k;
        return v;
    }
};

struct xorshift {
    std::uint32_t s;
    std::uint32_t operator()() noexcept {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        return s;
    }
};

constexpr std::uint32_t peers = 3;

template <class Limits>
struct harness {
    using endpoint_t = ex::endpoint<Limits, xorshift>;

    endpoint_t ep;
    time_point now{std::chrono::hours(1)};
    std::set<std::uint32_t> handles;  // handed out by the API
    std::map<std::uint32_t, std::uint32_t> peer_of;  // handle -> peer
    std::set<std::uint32_t> single;                   // handles reported at most once (no Observe=0)
    std::set<std::uint32_t> reported;                 // single handles already reported
    std::set<std::uint32_t> silenced;                 // cancelled / forgotten: never reported again
    // Message IDs received per peer: CON (may be ACKed or RST) and NON (may be RST).
    std::array<std::set<std::uint16_t>, peers> received_con, received_any;
    // Message IDs of what we sent ourselves (requests, notifications, pings, NON answers).
    std::array<std::set<std::uint16_t>, peers> own;
    std::vector<std::pair<std::uint32_t, coap::token>> request_tokens;  // tokens of requests we received
    std::array<std::vector<coap::token>, peers> own_tokens;              // tokens of requests we sent
    std::uint8_t answer_mode = 0;  // set from the input before each datagram
    std::uint16_t answer_size = 0;
    std::array<std::byte, 5000> body{};
    std::array<std::byte, 2048> out{};
    int depth = 0;
    int hold = 0;  // steps left without draining the output

    harness(std::uint32_t seed, ex::transmission_parameters p) : ep(xorshift{seed | 1u}, p) {
        for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<std::byte>('a' + i % 26);
    }

    // ---- handler ----
    void on_request(ex::peer_id peer, const coap::message_view& m, ex::response& r) noexcept {
        FUZZ_CHECK(peer.value < peers);
        FUZZ_CHECK(coap::is_request(m.code()));
        if (request_tokens.size() < 16) request_tokens.emplace_back(peer.value, coap::token{m.token()});
        switch (answer_mode % 6) {
        case 0: break;
        case 1: r.code(coap::code::changed); break;
        case 2: r.code(coap::code::not_found); break;
        case 3:  // long enough not to fit the small configuration's datagrams: 5.00 instead
            r.code(coap::code::created);
            r.options().location_path(r.keep("rd")).location_path(r.keep("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef01"));
            break;
        case 4: r.options().content_format(11542).observe(answer_size); break;
        case 5: r.code(coap::code::content).options().max_age(answer_size); break;
        }
        r.body().put(bytes_view{body.data(), answer_size % (body.size() + 1)});
        if ((answer_mode & 0x40) && depth == 0) {
            // Re-entrancy: send from inside the handler.
            ++depth;
            coap::message_builder<4> b;
            b.type(coap::message_type::confirmable).code(coap::code::post).uri_path("dp");
            if (auto h = ep.send_request(peer, b, now)) issued(h->value, peer.value, true);
            --depth;
        }
    }
    void on_response(ex::request_handle h, ex::peer_id peer, const lwm2m::result<coap::message_view>& m) noexcept {
        FUZZ_CHECK(h.value != 0);
        FUZZ_CHECK(handles.count(h.value) == 1);
        FUZZ_CHECK(peer.value < peers);
        FUZZ_CHECK(peer_of.at(h.value) == peer.value);
        FUZZ_CHECK(silenced.count(h.value) == 0);
        if (single.count(h.value)) FUZZ_CHECK(reported.insert(h.value).second);  // one outcome only
        if (!m) {
            const auto e = m.error().code;
            FUZZ_CHECK(e == lwm2m::errc::timeout || e == lwm2m::errc::reset_received);
        } else {
            FUZZ_CHECK(coap::parse(m->raw()).has_value());
        }
    }

    void issued(std::uint32_t h, std::uint32_t peer, bool one_outcome) {
        FUZZ_CHECK(h != 0);
        FUZZ_CHECK(handles.insert(h).second);  // handles are unique
        peer_of[h] = peer;
        if (one_outcome) single.insert(h);
    }

    // ---- output checks ----
    // A buffer that holds any datagram: lent by poll_datagram (no copy); a smaller one is
    // filled by poll_transmit (exercises the "too small" path).
    std::optional<ex::datagram> next_output(std::size_t buffer) {
        if (buffer >= Limits::max_message) return ep.poll_datagram();
        const auto t = ep.poll_transmit(mutable_bytes{out.data(), buffer});
        if (!t) return std::nullopt;
        FUZZ_CHECK(t->size <= buffer);
        return ex::datagram{t->peer, bytes_view{out.data(), t->size}};
    }
    void check_output(std::size_t buffer = 2048) {
        for (int guard = 0; guard < 1000; ++guard) {
            const auto t = next_output(buffer);
            if (!t) return;
            FUZZ_CHECK(t->peer.value < peers);
            FUZZ_CHECK(t->bytes.size() <= Limits::max_message);
            const auto m = coap::parse(t->bytes);
            FUZZ_CHECK(m.has_value());
            const std::uint16_t mid = m->message_id();
            const std::uint32_t p = t->peer.value;
            switch (m->type()) {
            case coap::message_type::acknowledgement:
                FUZZ_CHECK(received_con[p].count(mid) == 1);  // we only ACK what we received
                break;
            case coap::message_type::reset:
                FUZZ_CHECK(m->code() == coap::code::empty);
                FUZZ_CHECK(received_any[p].count(mid) == 1);
                break;
            default:
                own[p].insert(mid);
                if (coap::is_request(m->code()) && own_tokens[p].size() < 16) own_tokens[p].emplace_back(m->token());
                break;
            }
            if (coap::is_response(m->code())) {
                const auto b2 = m->block2();
                FUZZ_CHECK(b2.has_value());
                if (*b2 && (*b2)->more) FUZZ_CHECK(m->payload().size() == (*b2)->size());
                if (*b2) FUZZ_CHECK(m->payload().size() <= (*b2)->size());
            }
        }
        FUZZ_CHECK(false);  // the queue is bounded
    }
    void check_state() const {
        FUZZ_CHECK(ep.pending_count() <= Limits::max_pending);
    }

    // ---- steps ----
    void datagram(reader& in, std::uint8_t op) {
        const std::uint32_t peer = in.byte() % peers;
        now += in.byte() * 8ms;
        answer_mode = in.byte();
        answer_size = in.u16();
        std::size_t len = in.byte();
        std::vector<std::byte> d;
        if (op == 1) {
            // Well-formed-ish header: version 1, chosen type, TKL <= 8, a plausible code, and
            // the MID of something we sent (so ACK/RST/responses can match) or a fresh one.
            const std::uint8_t t = in.byte();
            std::uint8_t tkl = in.byte() % 9;
            const std::uint8_t c = in.byte();
            std::uint16_t mid = in.u16();
            if ((t & 0x80) && !own[peer].empty()) {
                auto it = own[peer].begin();
                std::advance(it, static_cast<std::ptrdiff_t>(mid % own[peer].size()));
                mid = *it;
            }
            // Or the token of a request we received / sent ourselves (so responses match).
            bytes_view tok{};
            if ((t & 0x40) && !request_tokens.empty()) tok = request_tokens[mid % request_tokens.size()].second.view();
            else if ((t & 0x20) && !own_tokens[peer].empty()) tok = own_tokens[peer][mid % own_tokens[peer].size()].view();
            if (!tok.empty()) tkl = static_cast<std::uint8_t>(tok.size());
            d.push_back(static_cast<std::byte>(0x40 | ((t & 3u) << 4) | tkl));
            d.push_back(static_cast<std::byte>(c));
            d.push_back(static_cast<std::byte>(mid >> 8));
            d.push_back(static_cast<std::byte>(mid & 0xFF));
            if (!tok.empty()) {
                d.insert(d.end(), tok.begin(), tok.end());
                len = len > tkl ? len - tkl : 0;
            }
            if ((t & 0x10) && (tkl == 0 || !tok.empty())) {  // not between the header and a token from `rest`
                // A Block1 option first (delta 27 = 13 + 14; one byte: NUM 0..15, M, SZX 0..7),
                // so that Block1 sequences reach the reassembly of the third configuration.
                d.push_back(std::byte{0xD1});
                d.push_back(std::byte{14});
                d.push_back(static_cast<std::byte>(in.byte()));
            }
        }
        const bytes_view rest = in.take(len);
        d.insert(d.end(), rest.begin(), rest.end());
        // What the endpoint may answer: remember what it received.
        if (d.size() >= 4 && (static_cast<unsigned>(d[0]) >> 6) == 1) {
            const auto mid = static_cast<std::uint16_t>(static_cast<unsigned>(d[2]) << 8 | static_cast<unsigned>(d[3]));
            const unsigned type = (static_cast<unsigned>(d[0]) >> 4) & 3u;
            if (type == 0) received_con[peer].insert(mid);
            if (type <= 1) received_any[peer].insert(mid);
        }
        ep.on_datagram(ex::peer_id{peer}, bytes_view{d.data(), d.size()}, now, *this);
    }
    void timeout(reader& in) {
        const std::uint8_t how = in.byte();
        if (const auto d = ep.next_deadline(); d && (how & 1)) now = std::max(now, *d);
        else now += (how >> 1) * 100ms;
        ep.on_timeout(now, *this);
    }
    void request(reader& in) {
        const std::uint32_t peer = in.byte() % peers;
        const std::uint8_t flags = in.byte();
        const std::uint16_t size = in.u16() % 1400;
        coap::message_builder<6> b;
        b.type(flags & 1 ? coap::message_type::non_confirmable : coap::message_type::confirmable);
        b.code(static_cast<coap::code>(1 + (flags >> 1) % 7));
        b.uri_path("3").uri_path("0");
        if (flags & 0x10) b.observe(flags & 0x20 ? 1 : 0);
        if (flags & 0x40) b.block2(coap::block_option{flags & 7u, false, static_cast<std::uint8_t>((flags >> 3) % 7)});
        if (flags & 0x80) {
            const lwm2m::mutable_bytes area = ep.outgoing_body_area();
            if ((size & 1) && !area.empty()) {  // written in place, somewhere in the slot
                const std::size_t at = (size >> 1) % area.size();
                const std::size_t n = std::min<std::size_t>(size, area.size() - at);
                std::copy(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(n), area.begin() + static_cast<std::ptrdiff_t>(at));
                b.payload(bytes_view{area.data() + at, n});
            } else {
                b.payload(bytes_view{body.data(), size});
            }
        }
        const auto h = ep.send_request(ex::peer_id{peer}, b, now);
        if (h) {
            issued(h->value, peer, !(flags & 0x10) || (flags & 0x20));  // Observe=0 may report many times
        } else {
            const auto e = h.error().code;
            FUZZ_CHECK(e == lwm2m::errc::capacity_exceeded || e == lwm2m::errc::buffer_too_small);
        }
    }
    void notification(reader& in) {
        const std::uint32_t peer = in.byte() % peers;
        const std::uint8_t flags = in.byte();
        coap::token tok{};
        if (!request_tokens.empty()) tok = request_tokens[flags % request_tokens.size()].second;
        coap::message_builder<4> b;
        b.code(flags & 2 ? coap::code::not_found : coap::code::content).observe(in.u16());
        b.payload(bytes_view{body.data(), static_cast<std::size_t>(in.byte())});
        if (const auto h = ep.send_notification(ex::peer_id{peer}, tok, b, flags & 1, now)) issued(h->value, peer, true);
    }
    void control(reader& in) {
        const std::uint8_t what = in.byte();
        const std::uint32_t pick = in.byte();
        std::uint32_t handle = 0;
        if (!handles.empty()) {
            auto it = handles.begin();
            std::advance(it, static_cast<std::ptrdiff_t>(pick % handles.size()));
            handle = *it;
        }
        switch (what % 4) {
        case 0:
            if (const auto h = ep.ping(ex::peer_id{pick % peers}, now)) issued(h->value, pick % peers, true);
            break;
        case 1:
            ep.cancel(ex::request_handle{handle});
            // A single-outcome exchange is over for good; an observation may still notify.
            if (single.count(handle)) silenced.insert(handle);
            break;
        case 2: (void)ep.cancel_observation(ex::request_handle{handle}); break;
        case 3:
            ep.forget_peer(ex::peer_id{pick % peers});
            for (const auto& [h, p] : peer_of)
                if (p == pick % peers) silenced.insert(h);
            break;
        }
    }

    void run(reader& in) {
        for (int steps = 0; steps < 400 && !in.empty(); ++steps) {
            const std::uint8_t op = in.byte() % 8;
            switch (op) {
            case 0:
            case 1:
            case 2: datagram(in, op); break;
            case 3: timeout(in); break;
            case 4: request(in); break;
            case 5: notification(in); break;
            case 6: control(in); break;
            case 7: {
                const std::uint8_t b = in.byte();
                if (b & 0x80) hold = b & 0x3F;
                else check_output(b % 64);
                break;
            }
            }
            if (hold > 0) --hold;
            else check_output();
            check_state();
        }
        // Drain: everything in flight ends within the longest lifetime.
        for (int k = 0; k < 512; ++k) {
            const auto d = ep.next_deadline();
            if (!d) break;
            now = std::max(now, *d);
            ep.on_timeout(now, *this);
            check_output();
        }
        const auto d = ep.next_deadline();
        FUZZ_CHECK(!d || *d > now);
    }
};

template <class Limits>
void run(reader& in, std::uint8_t config) {
    ex::transmission_parameters p{};
    p.nstart = 1 + (config >> 1) % 3;
    if (config & 8) p.max_retransmit = 1;
    if (config & 16) p.ack_random_factor_num = p.ack_random_factor_den = 1;
    std::uint32_t seed = 0;
    for (int i = 0; i < 4; ++i) seed = seed << 8 | in.byte();
    harness<Limits> h{seed, p};
    h.run(in);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    reader in{data, size};
    const std::uint8_t config = in.byte();
    if (config & 1) run<ex::endpoint_limits<128, 3, 4, 4, 2, 2>>(in, config);
    else if (config & 32) {  // Block1 reassembly: one body at a time, or two (peers' bodies interleaved)
        if (config & 128) run<ex::endpoint_limits<256, 3, 4, 4, 2, 8, 600, 64, 2>>(in, config);
        else run<ex::endpoint_limits<256, 3, 4, 4, 2, 8, 600>>(in, config);
    }
    else if (config & 64) run<ex::endpoint_limits<1152, 8, 16, 16, 8, 8, 0, 1152>>(in, config);  // every answer cached
    else run<ex::endpoint_limits<>>(in, config);
    return 0;
}
