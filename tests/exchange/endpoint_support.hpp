#pragma once
// Helpers for the exchange tests (tests only; uses the heap): scripted random sources, a
// recording handler, datagram builders and a driver that drains an endpoint's output.

#include <lwm2m/bytes.hpp>
#include <lwm2m/coap/block.hpp>
#include <lwm2m/coap/code.hpp>
#include <lwm2m/coap/message_builder.hpp>
#include <lwm2m/coap/message_type.hpp>
#include <lwm2m/coap/message_view.hpp>
#include <lwm2m/coap/parse.hpp>
#include <lwm2m/coap/token.hpp>
#include <lwm2m/errc.hpp>
#include <lwm2m/exchange/clock.hpp>
#include <lwm2m/exchange/endpoint.hpp>
#include <lwm2m/exchange/peer.hpp>
#include <lwm2m/exchange/response.hpp>
#include <lwm2m/result.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace lwm2m::test {

namespace coap = lwm2m::coap;
namespace ex = lwm2m::exchange;

using bytes = std::vector<std::byte>;

/**
 * Random source whose every value is congruent to `residue` modulo `modulus` while the values
 * themselves differ (so tokens differ). With the default parameters (spread of 1000 ms) and
 * modulus = spread + 1, every initial retransmission timeout is ACK_TIMEOUT + residue ms.
 */
struct residue_random {
    std::uint32_t residue = 0;
    std::uint32_t modulus = 1001;
    std::uint32_t k = 1;
    std::uint32_t operator()() noexcept { return residue + modulus * k++; }
};

/** A seeded PRNG as a random_source (copyable; each copy continues its own sequence). */
struct seeded_random {
    std::mt19937 engine;
    explicit seeded_random(std::uint32_t seed = 1) : engine(seed) {}
    std::uint32_t operator()() noexcept { return static_cast<std::uint32_t>(engine()); }
};

/** An owned copy of a received message. */
struct owned_message {
    bytes raw;
    [[nodiscard]] coap::message_view view() const noexcept { return coap::parse(bytes_view{raw.data(), raw.size()}).value(); }
    [[nodiscard]] std::string payload() const { return std::string{as_chars(view().payload())}; }
};

inline owned_message own(const coap::message_view& m) { return owned_message{bytes(m.raw().begin(), m.raw().end())}; }

/** A handler that records everything and answers through `answer` (default: 2.05 "ok"). */
struct recorder {
    struct request_record {
        ex::peer_id peer;
        owned_message message;
    };
    struct response_record {
        ex::request_handle handle;
        ex::peer_id peer;
        std::optional<owned_message> message;  // nullopt: an error
        errc error{};
        [[nodiscard]] bool ok() const noexcept { return message.has_value(); }
    };

    std::vector<request_record> requests;
    std::vector<response_record> responses;
    std::function<void(ex::peer_id, const coap::message_view&, ex::response&)> answer;
    std::function<void(ex::request_handle, ex::peer_id, const result<coap::message_view>&)> after_response;

    void on_request(ex::peer_id p, const coap::message_view& m, ex::response& r) noexcept {
        requests.push_back({p, own(m)});
        if (answer) answer(p, m, r);
        else r.body().put(std::string_view{"ok"});
    }
    void on_response(ex::request_handle h, ex::peer_id p, const result<coap::message_view>& m) noexcept {
        response_record rec{h, p, std::nullopt, errc{}};
        if (m) rec.message = own(*m);
        else rec.error = m.error().code;
        responses.push_back(std::move(rec));
        if (after_response) after_response(h, p, m);
    }
    [[nodiscard]] std::size_t count_for(ex::request_handle h) const noexcept {
        std::size_t n = 0;
        for (const auto& r : responses) n += r.handle == h ? 1 : 0;
        return n;
    }
};

/** A datagram the endpoint handed to poll_transmit. */
struct sent {
    ex::peer_id peer;
    bytes raw;
    [[nodiscard]] coap::message_view view() const noexcept { return coap::parse(bytes_view{raw.data(), raw.size()}).value(); }
    [[nodiscard]] bool parses() const noexcept { return coap::parse(bytes_view{raw.data(), raw.size()}).has_value(); }
    [[nodiscard]] coap::message_type type() const noexcept { return view().type(); }
    [[nodiscard]] coap::code code() const noexcept { return view().code(); }
    [[nodiscard]] std::uint16_t mid() const noexcept { return view().message_id(); }
    [[nodiscard]] bytes token() const {
        const auto t = view().token();
        return bytes(t.begin(), t.end());
    }
    [[nodiscard]] std::string payload() const { return std::string{as_chars(view().payload())}; }
};

/** Everything the endpoint wants to send now. */
template <class Endpoint>
std::vector<sent> drain(Endpoint& ep, std::size_t buffer = 2048) {
    std::vector<sent> out;
    bytes buf(buffer);
    while (auto t = ep.poll_transmit(mutable_bytes{buf.data(), buf.size()}))
        out.push_back(sent{t->peer, bytes(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(t->size))});
    return out;
}

/** Builds a datagram; `extra` adds options to the builder. */
inline bytes make(coap::message_type type, coap::code code, std::uint16_t mid, bytes_view token = {},
                  std::string_view payload = {},
                  const std::function<void(coap::message_builder_base&)>& extra = {}) {
    coap::message_builder<24> b;
    b.type(type).code(code).message_id(mid).token(token);
    if (!payload.empty()) b.payload(payload);
    if (extra) extra(b);
    bytes out(4096);
    const auto n = b.serialize(mutable_bytes{out.data(), out.size()});
    LWM2M_ASSERT(n.has_value());
    out.resize(*n);
    return out;
}
inline bytes make_empty(coap::message_type type, std::uint16_t mid) {
    return bytes{std::byte{static_cast<unsigned char>(0x40u | (static_cast<unsigned>(type) << 4))}, std::byte{0},
                 std::byte{static_cast<unsigned char>(mid >> 8)}, std::byte{static_cast<unsigned char>(mid & 0xFF)}};
}
inline bytes_view view_of(const bytes& b) noexcept { return {b.data(), b.size()}; }
inline bytes to_bytes(std::string_view s) {
    const auto v = as_bytes(s);
    return bytes(v.begin(), v.end());
}

/** A deterministic printable body of `size` bytes whose blocks all differ (for Block2 slices). */
inline std::string test_body(std::size_t size) {
    std::string s(size, '\0');
    for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>('!' + (i * 7 + i / 91) % 90);
    return s;
}

} // namespace lwm2m::test
