// libFuzzer target: datagrams from several peers into one LwM2M server engine.
//
// Each run builds a server (small capacities: 6 registration slots, 8 requests, Block1 request
// bodies up to 160 bytes, so that 4.13 is reached) and registers three endpoints ("fz-1"..
// "fz-3" from peers 1..3, lifetime 3600 s); the server then has a Read and an Observe
// outstanding to fz-1. The input is a sequence of chunks
//   [peer: 1 byte][time step: 1 byte][length: 1 byte][datagram: length bytes]
// fed as datagrams from peer (1 + byte % 6) after advancing the clock by `step` * 100 ms
// (on_timeout when a deadline passed). A peer byte 0x80..0xBF makes the chunk an answer of
// peer p = 1 + (byte & 0x3F) % 6 (0x80: fz-1) to the server's latest request to it: an ACK
// with that request's Message ID and token, code = datagram[0], a Block2 option = datagram[1]
// (so block-wise results and notifications are reassembled, with small limits: 600-byte
// bodies, 2 at once), then the rest of the datagram (more options, payload).
// A peer byte 0xC0..0xFF is an action for fz-n, n = 1 + (byte & 0x3F) % 3, chosen by
// datagram[0] & 7 (the application's requests, and the registration messages of a client
// built here, so that their Uri-Path carries the current location and a body can be split
// into Block1 blocks):
//   0 Read, 1 Observe, 2 Execute, 3 Discover of a path picked by datagram[1] (bit 3 of
//     datagram[0]: non-confirmable); 4 cancel the latest Observe to fz-n (bit 3: active);
//   5 Update, 6 Register of fz-n from peer n, flags in datagram[1] (bit 0: b=UQ, and in a
//     Register lwm2m=1.0 instead of 1.1; 1: Q; 2: lt=60; 3-4: Content-Format none/40/0/60;
//     5-6: whole, or Block1 blocks of 16, 32 or 64 bytes; 7: the last block not sent),
//     body = datagram[2..];
//   7 Write (text/plain) of datagram[2..] to /3/0/14.
// Queue-mode clients (Q, or b=UQ in 1.0) then have requests held, sent when they are heard
// from, held again when unanswered. Checks:
//  * every datagram the server sends parses as CoAP (coap::parse);
//  * every request result is for a request submitted and not yet finished (none twice);
//  * the registrations the input did not end (no De-register or expiry event for them) are
//    still there, at the same location (a replacing Register's new one), findable by name
//    and by location;
//  * the store's count matches the registrations the events say exist.
//
// Build: clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude fuzz/server_engine.cpp
// Replay: link with fuzz/replay_main.cpp (any compiler).

#include <lwm2m/coap/message_builder.hpp>
#include <lwm2m/coap/parse.hpp>
#include <lwm2m/server.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>

namespace server_fuzz {

struct fuzz_random {
    std::uint32_t s = 0x2545F491u;
    std::uint32_t operator()() {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        return s;
    }
};

constexpr std::size_t tracked = 3;

struct handler {
    std::array<std::uint32_t, tracked> location{};  // 0: ended (or never registered)
    std::array<std::uint32_t, tracked> last_location{};  // kept after the end (an Update of it gets 4.04)
    std::array<bool, tracked> ended{};
    std::size_t live = 0;  // registrations alive according to the events

    // Requests submitted and not finished: a result for anything else (or twice) is a bug.
    std::array<std::uint32_t, 64> outstanding{};
    std::size_t outstanding_count = 0;
    void submitted(lwm2m::server::request_id id) {
        if (outstanding_count == outstanding.size()) std::abort();  // more than MaxRequests alive
        outstanding[outstanding_count++] = id.value;
    }

    static int index_of(std::string_view ep) {
        if (ep.size() == 4 && ep.substr(0, 3) == "fz-" && ep[3] >= '1' && ep[3] <= '3') return ep[3] - '1';
        return -1;
    }
    void on_registration(const lwm2m::server::registration_event& e) {
        using k = lwm2m::server::registration_event_kind;
        const int i = index_of(e.registration.endpoint);
        switch (e.kind) {
        case k::registered:
            if (!e.replaced) ++live;
            if (i >= 0) {  // new, or replacing the old one: alive at its new location
                ended[static_cast<std::size_t>(i)] = false;
                location[static_cast<std::size_t>(i)] = e.registration.location;
                last_location[static_cast<std::size_t>(i)] = e.registration.location;
            }
            break;
        case k::updated:
            if (i >= 0 && location[static_cast<std::size_t>(i)] != e.registration.location) std::abort();
            break;
        case k::deregistered:
        case k::expired:
            --live;
            if (i >= 0) {
                ended[static_cast<std::size_t>(i)] = true;
                location[static_cast<std::size_t>(i)] = 0;
            }
            break;
        }
    }
    void on_result(const lwm2m::server::request_result& r) {
        for (std::size_t k = 0; k < outstanding_count; ++k)
            if (outstanding[k] == r.id.value) {
                outstanding[k] = outstanding[--outstanding_count];
                return;
            }
        std::abort();
    }
    void on_notification(const lwm2m::server::notification&) {}
    void on_send(const lwm2m::server::send_report&) {}
};

using limits = lwm2m::server::server_limits<512, 8, 4, 16, 16, 256, 4, 600, 2, 128, 4, 160>;
using engine = lwm2m::server::engine<limits, fuzz_random, handler>;

/** A Register datagram for "fz-<n>". */
inline std::size_t make_register(int n, std::uint16_t mid, lwm2m::mutable_bytes out) {
    lwm2m::coap::message_builder<12> b;
    b.type(lwm2m::coap::message_type::confirmable).code(lwm2m::coap::code::post).message_id(mid);
    const std::array<std::byte, 2> tok{std::byte{0x5A}, static_cast<std::byte>(mid)};
    b.token(lwm2m::bytes_view{tok});
    b.uri_path("rd");
    static const std::string eps[] = {"ep=fz-1", "ep=fz-2", "ep=fz-3"};
    b.uri_query(eps[n - 1]);
    b.uri_query("lt=3600");
    b.uri_query("lwm2m=1.1");
    b.content_format(40);
    b.payload(std::string_view{R"(</>;rt="oma.lwm2m";ct="110 112",</1/0>,</3/0>,</3311/0>)"});
    auto size = b.serialize(out);
    return size ? *size : 0;
}

struct world {
    handler h;
    std::array<limits::slot, 6> slots{};
    std::array<std::uint32_t, engine::index_words(6)> index{};
    engine e{h, slots, index, fuzz_random{}};
    lwm2m::time_point now{};
    std::array<std::byte, 600> buf{};

    // The latest request the server sent to each peer (1..6): its Message ID and token.
    struct sent_request {
        std::uint16_t mid = 0;
        std::array<std::byte, 8> token{};
        std::size_t token_size = 0;
    };
    std::array<sent_request, 7> last{};
    std::uint16_t next_mid = 0x7000;  // Message IDs of the messages built here
    std::array<std::uint32_t, tracked> last_observe{};  // latest Observe submitted to fz-n

    void drain() {
        while (auto t = e.poll_transmit(buf)) {
            const auto m = lwm2m::coap::parse(lwm2m::bytes_view{buf.data(), t->size});
            if (!m) std::abort();
            if (t->peer.value < last.size() && lwm2m::coap::is_request(m->code())) {
                sent_request& r = last[t->peer.value];
                r.mid = m->message_id();
                r.token_size = m->token().size();
                std::copy(m->token().begin(), m->token().end(), r.token.begin());
            }
        }
    }
    /** An ACK answering the latest request to `peer`, shaped by `d` (see the file comment). */
    std::size_t make_answer(std::uint32_t peer, lwm2m::bytes_view d, std::array<std::byte, 600>& out) const {
        const sent_request& r = last[peer];
        std::size_t n = 0;
        out[n++] = static_cast<std::byte>(0x60 | r.token_size);
        out[n++] = d.empty() ? std::byte{0x45} : d[0];
        out[n++] = static_cast<std::byte>(r.mid >> 8);
        out[n++] = static_cast<std::byte>(r.mid & 0xFF);
        for (std::size_t i = 0; i < r.token_size; ++i) out[n++] = r.token[i];
        if (d.size() > 1) {
            out[n++] = std::byte{0xD1};  // option delta 13 + 10 = 23 (Block2), length 1
            out[n++] = std::byte{10};
            out[n++] = d[1];
        }
        for (std::size_t i = 2; i < d.size() && n < out.size(); ++i) out[n++] = d[i];
        return n;
    }
    void setup() {
        std::array<std::byte, 256> d{};
        for (int n = 1; n <= 3; ++n) {
            const std::size_t size = make_register(n, static_cast<std::uint16_t>(n), d);
            e.on_datagram(lwm2m::exchange::peer_id{static_cast<std::uint32_t>(n)}, lwm2m::bytes_view{d.data(), size}, now);
            drain();
        }
        submit(0, lwm2m::server::request_spec::read(*lwm2m::path::make(3, 0)));
        submit(0, lwm2m::server::request_spec::observe(*lwm2m::path::make(3311, 0)));
        drain();
    }
    static constexpr std::string_view names[] = {"fz-1", "fz-2", "fz-3"};

    void submit(std::size_t n, const lwm2m::server::request_spec& spec) {
        const auto id = e.submit(names[n], spec, now);
        if (!id) return;
        h.submitted(*id);
        if (spec.op == lwm2m::server::operation::observe) last_observe[n] = id->value;
    }

    /** Register or Update of fz-(n+1) from its peer, whole or in Block1 blocks (file comment). */
    void registration_message(std::size_t n, bool registering, std::uint8_t flags, lwm2m::bytes_view body) {
        std::array<char, 8> loc{};
        std::size_t loc_size = 0;
        for (std::uint32_t v = h.last_location[n]; v != 0; v >>= 4) ++loc_size;
        for (std::size_t k = 0, v = h.last_location[n]; k < loc_size; ++k, v >>= 4)
            loc[loc_size - 1 - k] = "0123456789abcdef"[v & 15u];
        static constexpr std::string_view eps[] = {"ep=fz-1", "ep=fz-2", "ep=fz-3"};
        static constexpr std::uint16_t formats[] = {0, 40, 0, 60};
        const std::size_t cf = (flags >> 3) & 3u;
        const std::size_t szx = (flags >> 5) & 3u;  // 0: whole, else blocks of 8 << szx bytes
        const std::size_t block = szx == 0 ? std::max<std::size_t>(body.size(), 1) : std::size_t{8} << szx;
        const std::size_t blocks = std::max<std::size_t>((body.size() + block - 1) / block, 1);
        const std::size_t sent = (flags & 0x80) != 0 && blocks > 1 ? blocks - 1 : blocks;
        const std::array<std::byte, 2> tok{std::byte{0xB1}, static_cast<std::byte>(n)};
        for (std::size_t k = 0; k < sent; ++k) {
            lwm2m::coap::message_builder<12> b;
            b.type(lwm2m::coap::message_type::confirmable).code(lwm2m::coap::code::post).message_id(next_mid++);
            b.token(lwm2m::bytes_view{tok});
            b.uri_path("rd");
            if (!registering) b.uri_path(std::string_view{loc.data(), loc_size});
            if (registering) b.uri_query(eps[n]);
            if (flags & 0x01) b.uri_query("b=UQ");
            if (flags & 0x02) b.uri_query("Q");
            if (registering || (flags & 0x04)) b.uri_query((flags & 0x04) ? "lt=60" : "lt=3600");
            if (registering) b.uri_query((flags & 0x01) ? "lwm2m=1.0" : "lwm2m=1.1");
            if (cf != 0) b.content_format(formats[cf]);
            if (szx != 0)
                b.block1(lwm2m::coap::block_option{static_cast<std::uint32_t>(k), k + 1 < blocks,
                                                   static_cast<std::uint8_t>(szx - 1)});
            const std::size_t from = k * block;
            if (from < body.size()) b.payload(body.subspan(from, std::min(block, body.size() - from)));
            std::array<std::byte, 512> d{};
            const auto size = b.serialize(d);
            if (!size) return;
            e.on_datagram(lwm2m::exchange::peer_id{static_cast<std::uint32_t>(n + 1)}, lwm2m::bytes_view{d.data(), *size}, now);
            drain();
            check();
        }
    }

    /** The action of a 0xC0..0xFF chunk (see the file comment). */
    void act(std::size_t n, lwm2m::bytes_view d) {
        using lwm2m::server::request_spec;
        const auto byte = [&d](std::size_t i) { return i < d.size() ? static_cast<std::uint8_t>(d[i]) : std::uint8_t{0}; };
        const lwm2m::path paths[] = {*lwm2m::path::make(3, 0),    *lwm2m::path::make(3311, 0),  *lwm2m::path::make(1, 0),
                                     *lwm2m::path::make(3, 0, 1), *lwm2m::path::make(3, 0, 4),  *lwm2m::path::make(3311)};
        const lwm2m::path& target = paths[byte(1) % std::size(paths)];
        const lwm2m::bytes_view rest = d.size() > 2 ? d.subspan(2) : lwm2m::bytes_view{};
        request_spec spec;
        switch (byte(0) & 7u) {
        case 0: spec = request_spec::read(target); break;
        case 1: spec = request_spec::observe(target); break;
        case 2: spec = request_spec::execute(*lwm2m::path::make(3, 0, 4)); break;
        case 3: spec = request_spec::discover(target); break;
        case 4: {
            using mode = engine::cancel_mode;
            const lwm2m::server::request_id observation{last_observe[n]};
            const auto id = e.cancel_observation(observation, (byte(0) & 8u) ? mode::active : mode::passive, now);
            if (id && id->value != observation.value) h.submitted(*id);  // an active cancel's GET
            return;
        }
        case 5: return registration_message(n, false, byte(1), rest);
        case 6: return registration_message(n, true, byte(1), rest);
        default:
            spec = request_spec::write(*lwm2m::path::make(3, 0, 14), {});
            spec.format = lwm2m::format::content_format::text;
            spec.payload = rest.empty() ? lwm2m::as_bytes(std::string_view{"+01"}) : rest;
            break;
        }
        spec.confirmable = (byte(0) & 8u) == 0;
        submit(n, spec);
    }
    void check() const {
        if (e.registration_count() != h.live) std::abort();
        for (std::size_t i = 0; i < tracked; ++i) {
            if (h.ended[i]) continue;
            const auto v = e.find(names[i]);
            if (!v || v->location != h.location[i]) std::abort();
            const auto by_location = e.find_location(h.location[i]);
            if (!by_location || by_location->endpoint != names[i]) std::abort();
        }
    }
};

} // namespace server_fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static server_fuzz::world* w = nullptr;
    // A fresh world per input (placement into static storage keeps the stack small).
    alignas(server_fuzz::world) static unsigned char storage[sizeof(server_fuzz::world)];
    if (w != nullptr) w->~world();
    w = new (storage) server_fuzz::world{};
    w->setup();
    w->check();
    std::size_t i = 0;
    while (i + 3 <= size) {
        const std::uint8_t kind = data[i];
        const bool answer = (kind & 0xC0) == 0x80;
        const bool action = (kind & 0xC0) == 0xC0;
        const std::uint32_t peer = 1u + ((kind & 0x80) ? (kind & 0x3Fu) : kind) % 6u;
        w->now += std::chrono::milliseconds(100 * data[i + 1]);
        const std::size_t len = std::min<std::size_t>(data[i + 2], size - i - 3);
        const lwm2m::bytes_view d{reinterpret_cast<const std::byte*>(data + i + 3), len};
        i += 3 + len;
        if (auto t = w->e.next_deadline(); t && *t <= w->now) w->e.on_timeout(w->now);
        if (action) {
            w->act((kind & 0x3Fu) % 3u, d);
        } else if (answer) {
            std::array<std::byte, 600> reply{};
            const std::size_t n = w->make_answer(peer, d, reply);
            w->e.on_datagram(lwm2m::exchange::peer_id{peer}, lwm2m::bytes_view{reply.data(), n}, w->now);
        } else {
            w->e.on_datagram(lwm2m::exchange::peer_id{peer}, d, w->now);
        }
        w->drain();
        w->check();
    }
    return 0;
}
