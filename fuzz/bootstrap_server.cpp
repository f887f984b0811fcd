// libFuzzer target: datagrams from several peers into one Bootstrap-Server engine.
//
// The server (2 sessions at once, 512-byte datagrams, one Block2 reassembly of 256 bytes) has configurations for "fz-1" (the
// usual NoSec account: Delete /, Write /0/1, Write /1/0), "fz-2" (Discover, Read /1, a Write
// of /0/2 in SenML JSON, Delete /0/7) and "fz-3" (nothing but Finish); other names are
// refused. The input is a sequence of chunks
//   [kind: 1 byte][time step: 1 byte][length: 1 byte][bytes: length]
// after each of which the clock advances by step * 100 ms (on_timeout when a deadline passed):
//   kind 0x00..0x7F: the bytes as a datagram from peer 1 + kind % 4;
//   kind 0x80..0xBF: an answer of peer p = 1 + kind % 4 to the latest request the server sent
//     it: an ACK (bit 4 of kind: a Reset) with that Message ID and token, code = bytes[0],
//     then bytes[1..] (options, payload) as they are;
//   kind 0xC0..0xFF: a Bootstrap-Request from peer p = 1 + kind % 4 with ep=fz-n,
//     n = bytes[0] % 4 (0: "nobody"), pct = a format picked by bytes[1] (or none).
// Checks:
//  * every datagram the server sends parses as CoAP;
//  * each session's operations come in order (index 0, 1, ...), never after its end, and
//    each session ends once;
//  * no more sessions run than the capacity; after the input and the end of every
//    retransmission, none runs, and each session that reported an operation has ended.
//
// Build: clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude fuzz/bootstrap_server.cpp
// Replay: link with fuzz/replay_main.cpp (any compiler).

#include <lwm2m/bootstrap.hpp>
#include <lwm2m/coap/message_builder.hpp>
#include <lwm2m/coap/parse.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>

namespace bootstrap_fuzz {

namespace bs = lwm2m::bootstrap;

struct fuzz_random {
    std::uint32_t s = 0x2545F491u;
    std::uint32_t operator()() {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        return s;
    }
};

lwm2m::path P(std::string_view s) { return lwm2m::parse_path(s).value(); }

constexpr std::size_t max_ids = 8192;  // one id per accepted request: more than an input of 24 KB holds

struct handler {
    const bs::configuration* configs[3]{};
    // Per session id (ids are small: one per accepted request): next index, ended.
    std::array<std::size_t, max_ids> next{};
    std::array<bool, max_ids> ended{};
    std::array<bool, max_ids> seen{};

    const bs::configuration* configuration_for(const bs::bootstrap_request& q) {
        if (q.endpoint.size() == 4 && q.endpoint.substr(0, 3) == "fz-" && q.endpoint[3] >= '1' && q.endpoint[3] <= '3')
            return configs[q.endpoint[3] - '1'];
        return nullptr;
    }
    void on_operation(const bs::operation_result& r) {
        const std::uint32_t id = r.session.value;
        if (id == 0 || id >= max_ids) std::abort();
        if (ended[id] || r.index != next[id]) std::abort();
        if (r.op == bs::operation::finish && r.code == lwm2m::coap::code::changed && r.failure) std::abort();
        seen[id] = true;
        ++next[id];
    }
    void on_session_end(const bs::session_end& e) {
        const std::uint32_t id = e.session.value;
        if (id == 0 || id >= max_ids || ended[id]) std::abort();
        if (e.success == e.failure.has_value()) std::abort();
        ended[id] = true;
    }
};

using limits = bs::bootstrap_limits<512, 2, 16, 16, 256, 1>;  // one Block2 reassembly of 256 bytes for two sessions
using engine = bs::server<limits, fuzz_random, handler>;

struct world {
    handler h;
    const bs::dm_server_configuration usual{bs::dm_server_account{"coap://127.0.0.1:5683", bs::security_mode::no_sec, {}, {}, 1,
                                                                 60, "U", 1, 0}};
    const bs::configuration usual_view = usual.view();
    std::array<lwm2m::format::record, 2> acl_records{{
        {P("/0/2/0"), lwm2m::value::of_string("coap://x"), {}},
        {P("/0/2/10"), lwm2m::value::of_integer(5), {}},
    }};
    std::array<bs::step, 4> second_steps{{bs::step::discover(), bs::step::read(P("/1")),
                                          bs::step{bs::operation::write, P("/0/2"), acl_records,
                                                   lwm2m::format::content_format::senml_json},
                                          bs::step::remove(P("/0/7"))}};
    const bs::configuration second{second_steps};
    const bs::configuration empty{};
    engine e{h, fuzz_random{}};
    lwm2m::time_point now{std::chrono::seconds(1)};
    // The latest request sent to each peer (1..4): its bytes.
    std::array<std::array<std::byte, 512>, 5> last{};
    std::array<std::size_t, 5> last_size{};

    void setup() {
        h.configs[0] = &usual_view;
        h.configs[1] = &second;
        h.configs[2] = &empty;
    }
    void drain() {
        while (auto d = e.poll_datagram()) {
            auto m = lwm2m::coap::parse(d->bytes);
            if (!m) std::abort();
            const std::uint32_t p = d->peer.value;
            if (p >= 1 && p <= 4 && lwm2m::coap::is_request(m->code()) && d->bytes.size() <= last[p].size()) {
                std::copy(d->bytes.begin(), d->bytes.end(), last[p].begin());
                last_size[p] = d->bytes.size();
            }
        }
        if (e.session_count() > limits::max_sessions) std::abort();
    }
    std::size_t make_answer(std::uint32_t p, lwm2m::bytes_view d, bool reset, std::span<std::byte> out) {
        if (last_size[p] == 0) return 0;
        auto m = lwm2m::coap::parse(lwm2m::bytes_view{last[p].data(), last_size[p]});
        if (!m) std::abort();
        const auto mid = m->message_id();
        if (reset) {
            out[0] = std::byte{0x70};
            out[1] = std::byte{0};
            out[2] = static_cast<std::byte>(mid >> 8);
            out[3] = static_cast<std::byte>(mid & 0xFF);
            return 4;
        }
        const auto tok = m->token();
        std::size_t n = 0;
        out[n++] = static_cast<std::byte>(0x60 | tok.size());
        out[n++] = d.empty() ? std::byte{0x44} : d[0];
        out[n++] = static_cast<std::byte>(mid >> 8);
        out[n++] = static_cast<std::byte>(mid & 0xFF);
        for (std::byte b : tok) out[n++] = b;
        for (std::size_t k = 1; k < d.size() && n < out.size(); ++k) out[n++] = d[k];
        return n;
    }
    void request(std::uint32_t p, lwm2m::bytes_view d, std::uint16_t mid) {
        static constexpr std::uint16_t formats[] = {0, 40, 110, 112, 11542, 11543, 11544, 1542, 60};
        lwm2m::coap::message_builder<4> b;
        const std::array<std::byte, 2> tok{std::byte{0x5A}, static_cast<std::byte>(mid)};
        b.type(lwm2m::coap::message_type::confirmable).code(lwm2m::coap::code::post).message_id(mid).token(tok);
        b.uri_path("bs");
        const unsigned n = d.empty() ? 1 : static_cast<unsigned>(d[0]) % 4;
        std::array<char, 8> ep{'e', 'p', '=', 'f', 'z', '-', static_cast<char>('0' + n), 0};
        b.uri_query(n == 0 ? std::string_view{"ep=nobody"} : std::string_view{ep.data(), 7});
        std::array<char, 16> pct{};
        if (d.size() > 1 && static_cast<unsigned>(d[1]) < 2 * std::size(formats)) {
            const std::uint16_t f = formats[static_cast<unsigned>(d[1]) % std::size(formats)];
            const std::string t = "pct=" + std::to_string(f);
            std::copy(t.begin(), t.end(), pct.begin());
            b.uri_query(std::string_view{pct.data(), t.size()});
        }
        std::array<std::byte, 128> out{};
        auto size = b.serialize(out);
        if (!size) std::abort();
        e.on_datagram(lwm2m::exchange::peer_id{p}, lwm2m::bytes_view{out.data(), *size}, now);
    }
    void finish() {
        // Every retransmission runs out; then no session may remain.
        for (int k = 0; k < 64; ++k) {
            const auto t = e.next_deadline();
            if (!t) break;
            now = std::max(now, *t);
            e.on_timeout(now);
            drain();
        }
        if (e.session_count() != 0) std::abort();
        for (std::size_t id = 0; id < max_ids; ++id)
            if (h.seen[id] && !h.ended[id]) std::abort();
    }
};

} // namespace bootstrap_fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using bootstrap_fuzz::world;
    static world* w = nullptr;
    alignas(world) static unsigned char storage[sizeof(world)];
    if (w != nullptr) w->~world();
    w = new (storage) world{};
    w->setup();
    std::size_t i = 0;
    std::uint16_t mid = 1;
    while (i + 3 <= size) {
        const std::uint8_t kind = data[i];
        const std::uint32_t peer = 1u + kind % 4u;
        const std::size_t len = std::min<std::size_t>(data[i + 2], size - i - 3);
        const lwm2m::bytes_view d{reinterpret_cast<const std::byte*>(data + i + 3), len};
        const unsigned step = data[i + 1];
        i += 3 + len;
        if ((kind & 0xC0) == 0xC0) {
            w->request(peer, d, mid++);
        } else if ((kind & 0x80) != 0) {
            std::array<std::byte, 512> reply{};
            const std::size_t n = w->make_answer(peer, d, (kind & 0x10) != 0, reply);
            if (n != 0) w->e.on_datagram(lwm2m::exchange::peer_id{peer}, lwm2m::bytes_view{reply.data(), n}, w->now);
        } else {
            w->e.on_datagram(lwm2m::exchange::peer_id{peer}, d, w->now);
        }
        w->drain();
        w->now += std::chrono::milliseconds(100 * step);
        if (auto t = w->e.next_deadline(); t && *t <= w->now) {
            w->e.on_timeout(w->now);
            w->drain();
        }
    }
    w->finish();
    return 0;
}
