// libFuzzer target: datagrams from several peers into one LwM2M server engine.
//
// Each run builds a server (small capacities: 6 registration slots, 8 requests) and registers
// three endpoints ("fz-1".."fz-3" from peers 1..3, lifetime 3600 s); the server then has a Read
// and an Observe outstanding to fz-1. The input is a sequence of chunks
//   [peer: 1 byte][time step: 1 byte][length: 1 byte][datagram: length bytes]
// fed as datagrams from peer (1 + byte % 6) after advancing the clock by `step` * 100 ms
// (on_timeout when a deadline passed). A peer byte with the high bit set makes the chunk an
// answer of fz-1 to the server's latest request to it: an ACK with that request's Message ID
// and token, code = datagram[0], a Block2 option = datagram[1] (so block-wise results and
// notifications are reassembled, with small limits: 600-byte bodies, 2 at once), then the
// rest of the datagram (more options, payload). Checks:
//  * every datagram the server sends parses as CoAP (coap::parse);
//  * the registrations the input did not end (no De-register / replacement / expiry event for
//    them) are still there, at the same location, findable by name and by location;
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
    std::array<bool, tracked> ended{};
    std::size_t live = 0;  // registrations alive according to the events

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
            if (i >= 0) {
                if (location[static_cast<std::size_t>(i)] != 0) ended[static_cast<std::size_t>(i)] = true;  // replaced
                location[static_cast<std::size_t>(i)] = e.registration.location;
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
    void on_result(const lwm2m::server::request_result&) {}
    void on_notification(const lwm2m::server::notification&) {}
    void on_send(const lwm2m::server::send_report&) {}
};

using limits = lwm2m::server::server_limits<512, 8, 4, 16, 16, 256, 4, 600, 2>;
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

    // The latest request the server sent to fz-1 (peer 1): its Message ID and token.
    std::uint16_t last_mid = 0;
    std::array<std::byte, 8> last_token{};
    std::size_t last_token_size = 0;

    void drain() {
        while (auto t = e.poll_transmit(buf)) {
            const auto m = lwm2m::coap::parse(lwm2m::bytes_view{buf.data(), t->size});
            if (!m) std::abort();
            if (t->peer.value == 1 && lwm2m::coap::is_request(m->code())) {
                last_mid = m->message_id();
                last_token_size = m->token().size();
                std::copy(m->token().begin(), m->token().end(), last_token.begin());
            }
        }
    }
    /** An ACK answering the latest request to fz-1, shaped by `d` (see the file comment). */
    std::size_t make_answer(lwm2m::bytes_view d, std::array<std::byte, 600>& out) const {
        std::size_t n = 0;
        out[n++] = static_cast<std::byte>(0x60 | last_token_size);
        out[n++] = d.empty() ? std::byte{0x45} : d[0];
        out[n++] = static_cast<std::byte>(last_mid >> 8);
        out[n++] = static_cast<std::byte>(last_mid & 0xFF);
        for (std::size_t i = 0; i < last_token_size; ++i) out[n++] = last_token[i];
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
        (void)e.submit("fz-1", lwm2m::server::request_spec::read(*lwm2m::path::make(3, 0)), now);
        (void)e.submit("fz-1", lwm2m::server::request_spec::observe(*lwm2m::path::make(3311, 0)), now);
        drain();
    }
    void check() const {
        if (e.registration_count() != h.live) std::abort();
        static const std::string_view names[] = {"fz-1", "fz-2", "fz-3"};
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
        const bool answer_to_fz1 = (data[i] & 0x80) != 0;
        const std::uint32_t peer = 1u + data[i] % 6u;
        w->now += std::chrono::milliseconds(100 * data[i + 1]);
        const std::size_t len = std::min<std::size_t>(data[i + 2], size - i - 3);
        const lwm2m::bytes_view d{reinterpret_cast<const std::byte*>(data + i + 3), len};
        i += 3 + len;
        if (auto t = w->e.next_deadline(); t && *t <= w->now) w->e.on_timeout(w->now);
        if (answer_to_fz1) {
            std::array<std::byte, 600> answer{};
            const std::size_t n = w->make_answer(d, answer);
            w->e.on_datagram(lwm2m::exchange::peer_id{1}, lwm2m::bytes_view{answer.data(), n}, w->now);
        } else {
            w->e.on_datagram(lwm2m::exchange::peer_id{peer}, d, w->now);
        }
        w->drain();
        w->check();
    }
    return 0;
}
