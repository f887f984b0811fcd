// Tests of exchange::endpoint, the sans-I/O CoAP message layer: reliability and
// retransmission (RFC 7252 §4.2, §4.8), deduplication (§4.5), NSTART (§4.7), piggybacked and
// separate responses (§5.2), critical options (§5.4.1), transparent Block2 serving (RFC 7959
// §2.2-2.4), held observations and notifications (RFC 7641 §3-4), capacities.
// Each test drives one endpoint directly with hand-built datagrams and a scripted clock.
// doctest, no main here: link with a translation unit defining DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN.

#include <lwm2m/exchange/endpoint.hpp>

#include <doctest/doctest.h>

#include "endpoint_support.hpp"

#include <lwm2m/coap/observe.hpp>
#include <lwm2m/coap/option_number.hpp>
#include <lwm2m/exchange/transmission_parameters.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using namespace std::chrono_literals;
using namespace lwm2m::test;
using lwm2m::bytes_view;
using lwm2m::duration;
using lwm2m::errc;
using lwm2m::mutable_bytes;
using lwm2m::time_point;
using coap::code;
using coap::message_type;
using mt = coap::message_type;

using default_limits = ex::endpoint_limits<>;
using endpoint_t = ex::endpoint<default_limits, residue_random>;

constexpr ex::peer_id server{7};
constexpr ex::peer_id other{9};
const time_point t0{1000s};

/** A CON (or NON) GET of `path` ("a/b" gives two Uri-Path options). */
coap::message_builder<8> get(std::string_view path = "3303/0/5700", mt type = mt::confirmable) {
    coap::message_builder<8> b;
    b.type(type).code(code::get).uri_path_segments(path);
    return b;
}

/** Drives on_timeout at each deadline until none is left or `limit` is passed; returns the
 *  times at which something was transmitted (plus the datagrams). */
template <class Endpoint>
std::vector<std::pair<time_point, sent>> run_timeouts(Endpoint& ep, recorder& h, time_point limit) {
    std::vector<std::pair<time_point, sent>> out;
    for (int guard = 0; guard < 1000; ++guard) {
        const auto d = ep.next_deadline();
        if (!d || *d > limit) break;
        ep.on_timeout(*d, h);
        for (auto& s : drain(ep)) out.emplace_back(*d, std::move(s));
    }
    return out;
}

coap::option_number opt(std::uint16_t n) { return static_cast<coap::option_number>(n); }

/** What the endpoint sends for `request` from `server` at t0, and for its duplicate 2 s later. */
template <class Endpoint>
std::pair<std::vector<sent>, std::vector<sent>> sent_twice(Endpoint& ep, recorder& h, const bytes& request) {
    ep.on_datagram(server, view_of(request), t0, h);
    auto first = drain(ep);
    ep.on_datagram(server, view_of(request), t0 + 2s, h);
    return {std::move(first), drain(ep)};
}

std::optional<coap::block_option> block2_of(const coap::message_view& m) {
    const auto b = m.block2();
    REQUIRE(b.has_value());
    return *b;
}

} // namespace

// ---- transmission parameters (§4.8) ---------------------------------------------------------

TEST_CASE("§4.8.2: derived values of the default transmission parameters") {
    const ex::transmission_parameters p{};
    CHECK(p.ack_timeout == 2s);
    CHECK(p.max_retransmit == 4);
    CHECK(p.nstart == 1);
    CHECK(p.max_initial_timeout() == 3s);
    CHECK(p.max_transmit_span() == 45s);
    CHECK(p.max_transmit_wait() == 93s);
    CHECK(p.max_rtt() == 202s);
    CHECK(p.exchange_lifetime() == 247s);
    CHECK(p.non_lifetime() == 145s);
    // The initial timeout is uniform in [ACK_TIMEOUT, ACK_TIMEOUT * ACK_RANDOM_FACTOR] (§4.2).
    CHECK(p.initial_timeout(0) == 2000ms);
    CHECK(p.initial_timeout(1000) == 3000ms);
    CHECK(p.initial_timeout(1001) == 2000ms);
    CHECK(p.initial_timeout(0xFFFFFFFFu) >= 2000ms);
    CHECK(p.initial_timeout(0xFFFFFFFFu) <= 3000ms);
}

TEST_CASE("§4.8.2: derived values follow custom parameters") {
    ex::transmission_parameters p{};
    p.ack_timeout = 1s;
    p.ack_random_factor_num = 2;
    p.ack_random_factor_den = 1;
    p.max_retransmit = 2;
    p.max_latency = 10s;
    p.processing_delay = 1s;
    CHECK(p.max_initial_timeout() == 2s);
    CHECK(p.max_transmit_span() == 6s);     // 1 * (2^2 - 1) * 2
    CHECK(p.max_transmit_wait() == 14s);    // 1 * (2^3 - 1) * 2
    CHECK(p.max_rtt() == 21s);              // 2 * 10 + 1
    CHECK(p.exchange_lifetime() == 27s);    // 6 + 2 * 10 + 1
    CHECK(p.non_lifetime() == 16s);         // 6 + 10
    CHECK(p.initial_timeout(0) == 1000ms);
    CHECK(p.initial_timeout(1000) == 2000ms);

    ex::transmission_parameters flat{};
    flat.ack_random_factor_num = flat.ack_random_factor_den = 1;  // ACK_RANDOM_FACTOR 1: no spread
    for (std::uint32_t r : {0u, 1u, 77u, 0xFFFFFFFFu}) CHECK(flat.initial_timeout(r) == 2s);
}

// ---- retransmission (§4.2) -------------------------------------------------------------------

namespace {
void check_schedule(std::uint32_t residue, duration initial) {
    endpoint_t ep{residue_random{residue}};
    recorder h;
    auto req = get();
    const auto handle = ep.send_request(server, req, t0);
    REQUIRE(handle.has_value());
    const auto first = drain(ep);
    REQUIRE(first.size() == 1);
    CHECK(first[0].type() == mt::confirmable);
    REQUIRE(ep.next_deadline().has_value());
    CHECK(*ep.next_deadline() == t0 + initial);

    const auto later = run_timeouts(ep, h, t0 + 1000s);
    // Exactly MAX_RETRANSMIT (4) retransmissions at T, 3T, 7T, 15T (the timeout doubles), each
    // the same datagram (same Message ID, §4.2).
    REQUIRE(later.size() == 4);
    const int factors[] = {1, 3, 7, 15};
    for (std::size_t i = 0; i < 4; ++i) {
        CHECK(later[i].first == t0 + initial * factors[i]);
        CHECK(later[i].second.raw == first[0].raw);
        CHECK(later[i].second.peer == server);
    }
    // Given up at the end of the last timeout, T * (2^5 - 1), and reported once.
    REQUIRE(h.responses.size() == 1);
    CHECK(h.responses[0].handle == *handle);
    CHECK(h.responses[0].peer == server);
    CHECK_FALSE(h.responses[0].ok());
    CHECK(h.responses[0].error == errc::timeout);
    CHECK_FALSE(ep.next_deadline().has_value());
    CHECK(ep.pending_count() == 0);
}
} // namespace

TEST_CASE("§4.2: retransmission schedule with the shortest initial timeout (2 s)") {
    check_schedule(0, 2000ms);
}

TEST_CASE("§4.2: retransmission schedule with the longest initial timeout (3 s, ends at MAX_TRANSMIT_WAIT)") {
    check_schedule(1000, 3000ms);
    CHECK(ex::transmission_parameters{}.max_transmit_wait() == 3000ms * 31);
}

TEST_CASE("§4.2: retransmission schedule with an initial timeout inside the range") {
    check_schedule(417, 2417ms);
}

TEST_CASE("§4.2: the timeout is reported exactly when the last timeout expires, not before") {
    endpoint_t ep{residue_random{0}};
    recorder h;
    auto req = get();
    REQUIRE(ep.send_request(server, req, t0));
    (void)drain(ep);
    for (int k : {1, 3, 7, 15}) {
        ep.on_timeout(t0 + 2s * k - 1ms, h);  // just before: nothing
        CHECK(drain(ep).empty());
        ep.on_timeout(t0 + 2s * k, h);
        CHECK(drain(ep).size() == 1);
    }
    ep.on_timeout(t0 + 62s - 1ms, h);
    CHECK(h.responses.empty());
    ep.on_timeout(t0 + 62s, h);
    REQUIRE(h.responses.size() == 1);
    CHECK(h.responses[0].error == errc::timeout);
}

TEST_CASE("§4.2: the initial timeout is random within [ACK_TIMEOUT, ACK_TIMEOUT * ACK_RANDOM_FACTOR]") {
    duration lo = 1h, hi = 0s;
    for (std::uint32_t seed = 1; seed <= 300; ++seed) {
        ex::endpoint<default_limits, seeded_random> ep{seeded_random{seed}};
        auto req = get();
        REQUIRE(ep.send_request(server, req, t0));
        const auto d = ep.next_deadline();
        REQUIRE(d.has_value());
        const duration initial = *d - t0;
        CHECK(initial >= 2s);
        CHECK(initial <= 3s);
        lo = std::min(lo, initial);
        hi = std::max(hi, initial);
    }
    // Spread over the range, not a constant.
    CHECK(lo < 2100ms);
    CHECK(hi > 2900ms);
}

TEST_CASE("§4.8: custom transmission parameters are honoured (constructor and set_parameters)") {
    ex::transmission_parameters p{};
    p.ack_timeout = 1s;
    p.ack_random_factor_num = 2;
    p.ack_random_factor_den = 1;
    p.max_retransmit = 2;
    // spread = 1000 ms, so residue 500 (mod 1001) gives 1500 ms.
    endpoint_t ep{residue_random{500}, p};
    CHECK(ep.parameters().max_retransmit == 2);
    recorder h;
    auto req = get();
    REQUIRE(ep.send_request(server, req, t0));
    REQUIRE(drain(ep).size() == 1);
    const auto later = run_timeouts(ep, h, t0 + 1000s);
    REQUIRE(later.size() == 2);  // MAX_RETRANSMIT = 2
    CHECK(later[0].first == t0 + 1500ms);
    CHECK(later[1].first == t0 + 4500ms);
    REQUIRE(h.responses.size() == 1);
    CHECK(h.responses[0].error == errc::timeout);

    // set_parameters applies to what is sent afterwards: no retransmission at all.
    ex::transmission_parameters none = p;
    none.max_retransmit = 0;
    ep.set_parameters(none);
    CHECK(ep.parameters().max_retransmit == 0);
    const time_point t1 = t0 + 2000s;
    auto req2 = get();
    REQUIRE(ep.send_request(server, req2, t1));
    REQUIRE(drain(ep).size() == 1);
    CHECK(run_timeouts(ep, h, t1 + 1000s).empty());
    REQUIRE(h.responses.size() == 2);
    CHECK(h.responses[1].error == errc::timeout);
}

TEST_CASE("§4.2: a late on_timeout retransmits once and schedules the next timeout from then") {
    endpoint_t ep{residue_random{0}};
    recorder h;
    auto req = get();
    REQUIRE(ep.send_request(server, req, t0));
    (void)drain(ep);
    ep.on_timeout(t0 + 10s, h);  // 8 s late: one retransmission, not a burst
    CHECK(drain(ep).size() == 1);
    REQUIRE(ep.next_deadline().has_value());
    CHECK(*ep.next_deadline() == t0 + 10s + 4s);
}

// ---- responses (§5.2) -------------------------------------------------------------------------

TEST_CASE("§5.2.1: piggybacked response in the ACK") {
    endpoint_t ep{residue_random{}};
    recorder h;
    auto req = get();
    const auto handle = ep.send_request(server, req, t0);
    REQUIRE(handle);
    const auto out = drain(ep);
    REQUIRE(out.size() == 1);
    const sent& r = out[0];
    CHECK(r.peer == server);
    CHECK(r.type() == mt::confirmable);
    CHECK(r.code() == code::get);
    CHECK(r.token().size() == 8);  // Limits::token_length
    CHECK(r.view().uri_path().count() == 3);

    const bytes ack = make(mt::acknowledgement, code::content, r.mid(), view_of(r.token()), "22.5");
    ep.on_datagram(server, view_of(ack), t0 + 100ms, h);
    REQUIRE(h.responses.size() == 1);
    CHECK(h.responses[0].handle == *handle);
    CHECK(h.responses[0].peer == server);
    REQUIRE(h.responses[0].ok());
    CHECK(h.responses[0].message->view().code() == code::content);
    CHECK(h.responses[0].message->payload() == "22.5");
    CHECK(drain(ep).empty());
    CHECK_FALSE(ep.next_deadline().has_value());
    CHECK(ep.pending_count() == 0);

    // A duplicate of the ACK matches nothing any more: ignored.
    ep.on_datagram(server, view_of(ack), t0 + 200ms, h);
    CHECK(h.responses.size() == 1);
    CHECK(drain(ep).empty());
}

TEST_CASE("§5.2.1: a piggybacked response from another peer or with another MID does not match") {
    endpoint_t ep{residue_random{}};
    recorder h;
    auto req = get();
    REQUIRE(ep.send_request(server, req, t0));
    const sent r = drain(ep).at(0);
    ep.on_datagram(other, view_of(make(mt::acknowledgement, code::content, r.mid(), view_of(r.token()))), t0, h);
    ep.on_datagram(server, view_of(make(mt::acknowledgement, code::content, static_cast<std::uint16_t>(r.mid() + 1),
                                        view_of(r.token()))),
                   t0, h);
    CHECK(h.responses.empty());
    CHECK(ep.pending_count() == 1);
    CHECK(ep.next_deadline() == t0 + 2s);
}

TEST_CASE("§5.2.2: empty ACK, then a separate CON response: ACKed, delivered once, duplicate ACKed again") {
    endpoint_t ep{residue_random{}};
    recorder h;
    auto req = get();
    const auto handle = ep.send_request(server, req, t0);
    REQUIRE(handle);
    const sent r = drain(ep).at(0);

    ep.on_datagram(server, view_of(make_empty(mt::acknowledgement, r.mid())), t0 + 100ms, h);
    CHECK(drain(ep).empty());
    CHECK(h.responses.empty());
    // No more retransmissions; the request waits (up to EXCHANGE_LIFETIME) for the response.
    REQUIRE(ep.next_deadline().has_value());
    CHECK(*ep.next_deadline() == t0 + 100ms + 247s);
    ep.on_timeout(t0 + 2s, h);
    ep.on_timeout(t0 + 60s, h);
    CHECK(drain(ep).empty());
    CHECK(h.responses.empty());

    const bytes con = make(mt::confirmable, code::content, 0x7001, view_of(r.token()), "late");
    ep.on_datagram(server, view_of(con), t0 + 61s, h);
    auto out = drain(ep);
    REQUIRE(out.size() == 1);
    CHECK(out[0].peer == server);
    CHECK(out[0].raw == make_empty(mt::acknowledgement, 0x7001));
    REQUIRE(h.responses.size() == 1);
    CHECK(h.responses[0].handle == *handle);
    CHECK(h.responses[0].message->payload() == "late");
    CHECK(ep.pending_count() == 0);
    CHECK_FALSE(ep.next_deadline().has_value());

    // Our ACK was lost: the server retransmits; ACK again (§4.5), do not deliver again.
    ep.on_datagram(server, view_of(con), t0 + 64s, h);
    out = drain(ep);
    REQUIRE(out.size() == 1);
    CHECK(out[0].raw == make_empty(mt::acknowledgement, 0x7001));
    CHECK(h.responses.size() == 1);
}

TEST_CASE("§5.2.2: the separate response may arrive before the empty ACK (ACK lost)") {
    endpoint_t ep{residue_random{}};
    recorder h;
    auto req = get();
    REQUIRE(ep.send_request(server, req, t0));
    const sent r = drain(ep).at(0);
    ep.on_datagram(server, view_of(make(mt::confirmable, code::content, 0x7001, view_of(r.token()), "x")), t0 + 1s, h);
    CHECK(drain(ep).size() == 1);  // our ACK
    REQUIRE(h.responses.size() == 1);
    CHECK_FALSE(ep.next_deadline().has_value());  // no retransmission of the request
    ep.on_datagram(server, view_of(make_empty(mt::acknowledgement, r.mid())), t0 + 1500ms, h);  // late ACK: ignored
    CHECK(drain(ep).empty());
    CHECK(h.responses.size() == 1);
}

TEST_CASE("§5.2.2: separate NON response: delivered, nothing sent; a duplicate is silently ignored (§4.5)") {
    endpoint_t ep{residue_random{}};
    recorder h;
    auto req = get();
    REQUIRE(ep.send_request(server, req, t0));
    const sent r = drain(ep).at(0);
    ep.on_datagram(server, view_of(make_empty(mt::acknowledgement, r.mid())), t0 + 100ms, h);
    const bytes non = make(mt::non_confirmable, code::content, 0x7002, view_of(r.token()), "non");
    ep.on_datagram(server, view_of(non), t0 + 1s, h);
    CHECK(drain(ep).empty());
    REQUIRE(h.responses.size() == 1);
    CHECK(h.responses[0].message->view().type() == mt::non_confirmable);
    CHECK(h.responses[0].message->payload() == "non");
    ep.on_datagram(server, view_of(non), t0 + 2s, h);
    CHECK(drain(ep).empty());
    CHECK(h.responses.size() == 1);
}

TEST_CASE("§5.3.2: a response with the wrong token is ignored; the request keeps retransmitting") {
    endpoint_t ep{residue_random{}};
    recorder h;
    auto req = get();
    REQUIRE(ep.send_request(server, req, t0));
    const sent r = drain(ep).at(0);
    bytes wrong = r.token();
    wrong[0] ^= std::byte{0xFF};
    ep.on_datagram(server, view_of(make(mt::acknowledgement, code::content, r.mid(), view_of(wrong), "no")), t0 + 1s, h);
    CHECK(h.responses.empty());
    CHECK(drain(ep).empty());
    CHECK(ep.next_deadline() == t0 + 2s);
    ep.on_timeout(t0 + 2s, h);
    CHECK(drain(ep).size() == 1);  // still retransmitting
    ep.on_datagram(server, view_of(make(mt::acknowledgement, code::content, r.mid(), view_of(r.token()), "yes")),
                   t0 + 3s, h);
    REQUIRE(h.responses.size() == 1);
    CHECK(h.responses[0].message->payload() == "yes");
}

TEST_CASE("§4.2: a Reset answering our CON is reported as reset_received") {
    endpoint_t ep{residue_random{}};
    recorder h;
    auto req = get();
    const auto handle = ep.send_request(server, req, t0);
    REQUIRE(handle);
    const sent r = drain(ep).at(0);
    ep.on_datagram(server, view_of(make_empty(mt::reset, r.mid())), t0 + 1s, h);
    REQUIRE(h.responses.size() == 1);
    CHECK(h.responses[0].handle == *handle);
    CHECK(h.responses[0].error == errc::reset_received);
    CHECK(ep.pending_count() == 0);
    CHECK_FALSE(ep.next_deadline().has_value());
    CHECK(drain(ep).empty());
}

TEST_CASE("§4.3: a CoAP ping (empty CON) is answered by a Reset with its Message ID, every time") {
    endpoint_t ep{residue_random{}};
    recorder h;
    for (int i = 0; i < 2; ++i) {
        ep.on_datagram(server, view_of(make_empty(mt::confirmable, 0x1234)), t0, h);
        const auto out = drain(ep);
        REQUIRE(out.size() == 1);
        CHECK(out[0].peer == server);
        CHECK(out[0].raw == make_empty(mt::reset, 0x1234));
    }
    CHECK(h.requests.empty());
    CHECK(h.responses.empty());
}

TEST_CASE("§4.3: ping(): the peer's Reset proves it alive; silence is a timeout") {
    endpoint_t ep{residue_random{0}};
    recorder h;
    const auto p1 = ep.ping(server, t0);
    REQUIRE(p1);
    auto out = drain(ep);
    REQUIRE(out.size() == 1);
    CHECK(out[0].raw == make_empty(mt::confirmable, out[0].mid()));
    ep.on_datagram(server, view_of(make_empty(mt::reset, out[0].mid())), t0 + 1s, h);
    REQUIRE(h.responses.size() == 1);
    CHECK(h.responses[0].handle == *p1);
    CHECK(h.responses[0].error == errc::reset_received);

    const auto p2 = ep.ping(other, t0 + 10s);
    REQUIRE(p2);
    CHECK_FALSE(*p1 == *p2);
    CHECK(drain(ep).size() == 1);
    const auto later = run_timeouts(ep, h, t0 + 1000s);
    CHECK(later.size() == 4);  // pings are retransmitted like any CON
    REQUIRE(h.responses.size() == 2);
    CHECK(h.responses[1].handle == *p2);
    CHECK(h.responses[1].error == errc::timeout);
}

TEST_CASE("§4.2/§4.3: malformed messages: CON gets a Reset, NON/ACK/RST and unreadable ones get silence") {
    endpoint_t ep{residue_random{}};
    recorder h;
    const auto raw = [](std::initializer_list<unsigned> v) {
        bytes b;
        for (unsigned x : v) b.push_back(static_cast<std::byte>(x));
        return b;
    };
    struct row {
        const char* what;
        bytes datagram;
        bool reset;
    };
    const row rows[] = {
        {"CON with TKL 9", raw({0x49, 0x01, 0x12, 0x34}), true},
        {"CON GET truncated token", raw({0x44, 0x01, 0x12, 0x34, 0xAA}), true},
        {"CON GET option length nibble 15", raw({0x40, 0x01, 0x12, 0x34, 0xBF}), true},
        {"CON GET payload marker without payload", raw({0x40, 0x01, 0x12, 0x34, 0xFF}), true},
        {"CON with reserved class 7", raw({0x40, 0xE1, 0x12, 0x34}), true},
        {"CON empty with a token (§4.1)", raw({0x41, 0x00, 0x12, 0x34, 0x01}), true},
        {"CON GET Uri-Host of length 0 (§5.4.3)", raw({0x40, 0x01, 0x12, 0x34, 0x30}), true},
        {"NON with TKL 9", raw({0x59, 0x01, 0x12, 0x34}), false},
        {"NON empty (§4.3)", raw({0x50, 0x00, 0x12, 0x34}), false},
        {"NON GET truncated option", raw({0x50, 0x01, 0x12, 0x34, 0xD1}), false},
        {"ACK carrying a request", raw({0x60, 0x01, 0x12, 0x34}), false},
        {"RST carrying a response", raw({0x70, 0x45, 0x12, 0x34}), false},
        {"version 2 CON (§3: silently ignore)", raw({0x80, 0x01, 0x12, 0x34}), false},
        {"version 0 CON", raw({0x00, 0x01, 0x12, 0x34}), false},
        {"three bytes", raw({0x40, 0x01, 0x12}), false},
        {"empty datagram", raw({}), false},
    };
    for (const row& r : rows) {
        CAPTURE(r.what);
        ep.on_datagram(server, view_of(r.datagram), t0, h);
        const auto out = drain(ep);
        if (r.reset) {
            REQUIRE(out.size() == 1);
            CHECK(out[0].raw == make_empty(mt::reset, 0x1234));
            CHECK(out[0].peer == server);
        } else {
            CHECK(out.empty());
        }
    }
    CHECK(h.requests.empty());
    CHECK(h.responses.empty());
}

TEST_CASE("§4.2: an ACK or Reset for an unknown Message ID is ignored") {
    endpoint_t ep{residue_random{}};
    recorder h;
    auto req = get();
    REQUIRE(ep.send_request(server, req, t0));
    const sent r = drain(ep).at(0);
    const auto mid = static_cast<std::uint16_t>(r.mid() + 100);
    ep.on_datagram(server, view_of(make_empty(mt::acknowledgement, mid)), t0 + 1s, h);
    ep.on_datagram(server, view_of(make_empty(mt::reset, mid)), t0 + 1s, h);
    ep.on_datagram(server, view_of(make(mt::acknowledgement, code::content, mid, view_of(r.token()))), t0 + 1s, h);
    CHECK(drain(ep).empty());
    CHECK(h.responses.empty());
    CHECK(ep.pending_count() == 1);
    CHECK(ep.next_deadline() == t0 + 2s);  // still retransmitting
}

TEST_CASE("§5.3.2/§4.2: a CON response nobody waits for gets a Reset; a NON one too (§4.3 MAY)") {
    endpoint_t ep{residue_random{}};
    recorder h;
    const bytes token = to_bytes("tok");
    ep.on_datagram(server, view_of(make(mt::confirmable, code::content, 0x4000, view_of(token), "?")), t0, h);
    auto out = drain(ep);
    REQUIRE(out.size() == 1);
    CHECK(out[0].raw == make_empty(mt::reset, 0x4000));
    ep.on_datagram(server, view_of(make(mt::non_confirmable, code::content, 0x4001, view_of(token), "?")), t0, h);
    out = drain(ep);
    REQUIRE(out.size() == 1);
    CHECK(out[0].raw == make_empty(mt::reset, 0x4001));
    CHECK(h.responses.empty());
}

// ---- requests we receive: piggybacked answers and deduplication (§4.5) -----------------------

TEST_CASE("§5.2.1: a CON request is answered in the ACK with its MID and token; a NON one by a NON") {
    endpoint_t ep{residue_random{}};
    recorder h;
    h.answer = [](ex::peer_id, const coap::message_view& m, ex::response& r) {
        CHECK(m.code() == code::put);
        r.code(code::changed);
        r.body().put(std::string_view{"done"});
    };
    const bytes token = to_bytes("ab");
    ep.on_datagram(server, view_of(make(mt::confirmable, code::put, 0x0101, view_of(token), "v")), t0, h);
    auto out = drain(ep);
    REQUIRE(out.size() == 1);
    CHECK(out[0].peer == server);
    CHECK(out[0].type() == mt::acknowledgement);
    CHECK(out[0].mid() == 0x0101);
    CHECK(out[0].token() == token);
    CHECK(out[0].code() == code::changed);
    CHECK(out[0].payload() == "done");

    ep.on_datagram(server, view_of(make(mt::non_confirmable, code::put, 0x0102, view_of(token), "v")), t0, h);
    out = drain(ep);
    REQUIRE(out.size() == 1);
    CHECK(out[0].type() == mt::non_confirmable);
    CHECK(out[0].mid() != 0x0102);  // our own Message ID
    CHECK(out[0].token() == token);
    CHECK(out[0].code() == code::changed);
    CHECK(h.requests.size() == 2);
    CHECK_FALSE(ep.next_deadline().has_value());  // answers are not tracked
}

TEST_CASE("§4.5: a duplicate CON request within EXCHANGE_LIFETIME gets the cached answer; the handler runs once") {
    endpoint_t ep{residue_random{}};
    recorder h;
    int executed = 0;
    h.answer = [&](ex::peer_id, const coap::message_view&, ex::response& r) {
        ++executed;
        r.code(code::changed);
        r.body().put(std::string_view{"run #"});
        r.body().put(static_cast<char>('0' + executed));
    };
    const bytes token = to_bytes("ex");
    const bytes exec = make(mt::confirmable, code::post, 0x0200, view_of(token), "", [](coap::message_builder_base& b) {
        b.uri_path_segments("3/0/4");
    });
    ep.on_datagram(server, view_of(exec), t0, h);
    const auto first = drain(ep);
    REQUIRE(first.size() == 1);
    CHECK(first[0].payload() == "run #1");
    for (duration later : {duration{1ms}, duration{2s}, duration{60s}, duration{247s - 1ms}}) {
        CAPTURE(later.count());
        ep.on_datagram(server, view_of(exec), t0 + later, h);
        const auto again = drain(ep);
        REQUIRE(again.size() == 1);
        CHECK(again[0].raw == first[0].raw);
    }
    CHECK(executed == 1);
    CHECK(h.requests.size() == 1);

    // The same MID from another peer is another message.
    ep.on_datagram(other, view_of(exec), t0 + 3s, h);
    CHECK(drain(ep).at(0).payload() == "run #2");
    CHECK(executed == 2);

    // After EXCHANGE_LIFETIME the Message ID may be reused: a new request.
    ep.on_datagram(server, view_of(exec), t0 + 247s, h);
    CHECK(drain(ep).at(0).payload() == "run #3");
    CHECK(executed == 3);
}

TEST_CASE("§4.5: a duplicate NON request within NON_LIFETIME is processed once") {
    endpoint_t ep{residue_random{}};
    recorder h;
    const bytes token = to_bytes("nn");
    const bytes non = make(mt::non_confirmable, code::get, 0x0300, view_of(token));
    ep.on_datagram(server, view_of(non), t0, h);
    const auto first = drain(ep);
    REQUIRE(first.size() == 1);
    ep.on_datagram(server, view_of(non), t0 + 145s - 1ms, h);
    const auto again = drain(ep);
    CHECK(h.requests.size() == 1);
    // What the endpoint does with the duplicate: re-sends its cached NON answer (same MID, so
    // the requester drops it as a duplicate too).
    REQUIRE(again.size() == 1);
    CHECK(again[0].raw == first[0].raw);
    ep.on_datagram(server, view_of(non), t0 + 145s, h);
    const auto fresh = drain(ep);
    CHECK(h.requests.size() == 2);
    REQUIRE(fresh.size() == 1);
    CHECK(fresh[0].mid() != first[0].mid());
}

TEST_CASE("§4.5: the dedup lifetime follows custom transmission parameters") {
    ex::transmission_parameters p{};
    p.max_latency = 10s;  // EXCHANGE_LIFETIME = 45 + 20 + 2 = 67 s
    endpoint_t ep{residue_random{}, p};
    recorder h;
    const bytes con = make(mt::confirmable, code::post, 0x0400, {});
    ep.on_datagram(server, view_of(con), t0, h);
    ep.on_datagram(server, view_of(con), t0 + 67s - 1ms, h);
    CHECK(h.requests.size() == 1);
    ep.on_datagram(server, view_of(con), t0 + 67s, h);
    CHECK(h.requests.size() == 2);
    (void)drain(ep);
}

TEST_CASE("§4.5: NON requests and separate CON responses are remembered for NON_LIFETIME / EXCHANGE_LIFETIME of custom parameters") {
    ex::transmission_parameters p{};
    p.max_latency = 10s;       // NON_LIFETIME = 45 + 10 = 55 s
    p.processing_delay = 3s;   // EXCHANGE_LIFETIME = 45 + 20 + 3 = 68 s
    endpoint_t ep{residue_random{}, p};
    recorder h;
    const bytes non = make(mt::non_confirmable, code::get, 0x0410, view_of(to_bytes("n")));
    ep.on_datagram(server, view_of(non), t0, h);
    ep.on_datagram(server, view_of(non), t0 + 55s - 1ms, h);
    CHECK(h.requests.size() == 1);
    ep.on_datagram(server, view_of(non), t0 + 55s, h);
    CHECK(h.requests.size() == 2);
    (void)drain(ep);

    // A separate CON response: ACKed and delivered once, its duplicates ACKed again until
    // EXCHANGE_LIFETIME has passed; then it is a new message that nothing waits for (Reset).
    auto req = get();
    REQUIRE(ep.send_request(server, req, t0));
    const sent r = drain(ep).at(0);
    ep.on_datagram(server, view_of(make_empty(mt::acknowledgement, r.mid())), t0, h);
    const bytes con = make(mt::confirmable, code::content, 0x7101, view_of(r.token()), "late");
    ep.on_datagram(server, view_of(con), t0 + 1s, h);
    CHECK(drain(ep).at(0).raw == make_empty(mt::acknowledgement, 0x7101));
    CHECK(h.responses.size() == 1);
    ep.on_datagram(server, view_of(con), t0 + 1s + 68s - 1ms, h);
    CHECK(drain(ep).at(0).raw == make_empty(mt::acknowledgement, 0x7101));
    CHECK(h.responses.size() == 1);
    ep.on_datagram(server, view_of(con), t0 + 1s + 68s, h);
    CHECK(drain(ep).at(0).raw == make_empty(mt::reset, 0x7101));
    CHECK(h.responses.size() == 1);

    // A separate NON response is remembered (not delivered twice) for NON_LIFETIME, unanswered.
    auto req2 = get("3303/0/5701", mt::non_confirmable);
    REQUIRE(ep.send_request(server, req2, t0 + 100s));
    const sent r2 = drain(ep).at(0);
    const bytes non_response = make(mt::non_confirmable, code::content, 0x7102, view_of(r2.token()), "n");
    ep.on_datagram(server, view_of(non_response), t0 + 101s, h);
    CHECK(h.responses.size() == 2);
    CHECK(drain(ep).empty());
    ep.on_datagram(server, view_of(non_response), t0 + 101s + 55s - 1ms, h);
    CHECK(drain(ep).empty());
    CHECK(h.responses.size() == 2);
    ep.on_datagram(server, view_of(non_response), t0 + 101s + 55s, h);
    CHECK(drain(ep).at(0).raw == make_empty(mt::reset, 0x7102));  // a new message: nothing waits for it
    CHECK(h.responses.size() == 2);
}

TEST_CASE("§5.4.1 / RFC 7252 §5.9.3: a response the handler made unencodable goes out as 5.00 with the request's token") {
    for (const mt type : {mt::confirmable, mt::non_confirmable}) {
        CAPTURE(static_cast<int>(type));
        endpoint_t ep{residue_random{}};
        recorder h;
        h.answer = [](ex::peer_id, const coap::message_view&, ex::response& r) {
            r.code(code::changed);
            for (std::size_t i = 0; i <= ex::response::max_options; ++i) r.options().uri_query("q");  // one too many
        };
        const bytes token = to_bytes("tok12345");
        const bytes request = make(type, code::post, 0x0700, view_of(token));
        ep.on_datagram(server, view_of(request), t0, h);
        const auto out = drain(ep);
        REQUIRE(out.size() == 1);
        const auto m = out[0].view();
        CHECK(m.code() == code::internal_server_error);
        CHECK(m.type() == (type == mt::confirmable ? mt::acknowledgement : mt::non_confirmable));
        if (type == mt::confirmable) CHECK(m.message_id() == 0x0700);
        CHECK(out[0].token() == token);
        CHECK(out[0].raw.size() == 4 + token.size());
        // The duplicate gets the same answer, and the handler does not run again (§4.5).
        ep.on_datagram(server, view_of(request), t0 + 1s, h);
        const auto again = drain(ep);
        REQUIRE(again.size() == 1);
        CHECK(again[0].raw == out[0].raw);
        CHECK(h.requests.size() == 1);
    }
}

TEST_CASE("§4.5: an Execute retried many times, interleaved with other traffic, runs once") {
    endpoint_t ep{residue_random{}};
    recorder h;
    int executions = 0;
    h.answer = [&](ex::peer_id, const coap::message_view& m, ex::response& r) {
        if (m.code() == code::post) ++executions;
        r.code(code::changed);
    };
    const bytes exec = make(mt::confirmable, code::post, 0x0500, view_of(to_bytes("e")));
    for (int i = 0; i < 10; ++i) {
        ep.on_datagram(server, view_of(exec), t0 + 1s * i, h);
        ep.on_datagram(server, view_of(make(mt::confirmable, code::get, static_cast<std::uint16_t>(0x0600 + i), {})),
                       t0 + 1s * i, h);
    }
    CHECK(executions == 1);
    CHECK(h.requests.size() == 11);
    CHECK(drain(ep).size() == 16);  // queue length 16: 20 answers, the 4 oldest were dropped
}

TEST_CASE("§4.5 (capacity): a full dedup cache replaces its oldest entry; a late duplicate of it runs again") {
    // Documents the fixed-capacity trade-off of dedup_cache.hpp: DedupEntries must cover the
    // requests a peer set can send within EXCHANGE_LIFETIME, or at-most-once is lost.
    ex::endpoint<ex::endpoint_limits<1152, 8, 4>, residue_random> ep{residue_random{}};
    recorder h;
    for (std::uint16_t mid = 1; mid <= 5; ++mid)
        ep.on_datagram(server, view_of(make(mt::confirmable, code::post, mid, {})), t0 + 1s * mid, h);
    CHECK(h.requests.size() == 5);
    ep.on_datagram(server, view_of(make(mt::confirmable, code::post, 5, {})), t0 + 10s, h);
    CHECK(h.requests.size() == 5);  // still remembered
    ep.on_datagram(server, view_of(make(mt::confirmable, code::post, 1, {})), t0 + 10s, h);
    CHECK(h.requests.size() == 6);  // replaced by mid 5: processed again
    (void)drain(ep);
}

TEST_CASE("§4.5: an answer larger than cached_answer: a repeated GET/FETCH runs again, a repeated POST is ignored") {
    // 64-byte dedup answers (the default): a Read's content goes out from the shared buffer.
    static_assert(default_limits::cached_answer == 64);
    endpoint_t ep{residue_random{}};
    recorder h;
    int runs = 0;
    const std::string big = test_body(200);
    h.answer = [&](ex::peer_id, const coap::message_view& m, ex::response& r) {
        ++runs;
        r.code(m.code() == code::post ? code::changed : code::content);
        r.body().put(std::string_view{big});
    };
    for (const code method : {code::get, code::fetch}) {
        CAPTURE(static_cast<int>(method));
        runs = 0;
        const auto mid = static_cast<std::uint16_t>(method == code::get ? 0x0700 : 0x0701);
        const auto [first, again] = sent_twice(ep, h, make(mt::confirmable, method, mid, view_of(to_bytes("rd"))));
        REQUIRE(first.size() == 1);
        CHECK(first[0].payload() == big);
        CHECK(first[0].mid() == mid);
        REQUIRE(again.size() == 1);  // safe: processed and answered again
        CHECK(again[0].raw == first[0].raw);
        CHECK(runs == 2);
    }
    // A POST (not idempotent) with a large answer runs once; its duplicate gets no answer.
    runs = 0;
    const bytes post = make(mt::confirmable, code::post, 0x0702, view_of(to_bytes("po")));
    ep.on_datagram(server, view_of(post), t0, h);
    REQUIRE(drain(ep).size() == 1);
    ep.on_datagram(server, view_of(post), t0 + 2s, h);
    CHECK(drain(ep).empty());
    CHECK(runs == 1);
    // A small answer to a GET is kept: its duplicate is answered from the cache.
    runs = 0;
    h.answer = [&](ex::peer_id, const coap::message_view&, ex::response& r) {
        ++runs;
        r.code(code::content);
        r.body().put(std::string_view{"short"});
    };
    const auto [one, two] = sent_twice(ep, h, make(mt::confirmable, code::get, 0x0703, view_of(to_bytes("sm"))));
    REQUIRE(one.size() == 1);
    REQUIRE(two.size() == 1);
    CHECK(one[0].raw == two[0].raw);
    CHECK(runs == 1);
}

TEST_CASE("§4.5: large answers share one buffer: a second one before poll_transmit replaces the first") {
    endpoint_t ep{residue_random{}};
    recorder h;
    h.answer = [&](ex::peer_id, const coap::message_view& m, ex::response& r) {
        r.code(code::content);
        r.body().put(std::string_view{test_body(100 + m.message_id() % 16)});
    };
    ep.on_datagram(server, view_of(make(mt::confirmable, code::get, 0x0801, view_of(to_bytes("a")))), t0, h);
    ep.on_datagram(other, view_of(make(mt::confirmable, code::get, 0x0802, view_of(to_bytes("b")))), t0, h);
    const auto out = drain(ep);
    REQUIRE(out.size() == 1);  // the first is dropped: its CON request is retransmitted
    CHECK(out[0].peer == other);
    CHECK(out[0].mid() == 0x0802);
    CHECK(out[0].payload() == test_body(102));
    // The retransmission is processed again (nothing was kept for it) and answered.
    ep.on_datagram(server, view_of(make(mt::confirmable, code::get, 0x0801, view_of(to_bytes("a")))), t0 + 2s, h);
    const auto retry = drain(ep);
    REQUIRE(retry.size() == 1);
    CHECK(retry[0].payload() == test_body(101));
    CHECK(h.requests.size() == 3);
    // Response bodies are written into that buffer: any next request drops a large answer
    // not yet polled, even one whose own answer is small (poll after each datagram).
    ep.on_datagram(server, view_of(make(mt::confirmable, code::get, 0x0803, view_of(to_bytes("c")))), t0 + 3s, h);
    h.answer = [&](ex::peer_id, const coap::message_view&, ex::response& r) { r.code(code::changed); };
    ep.on_datagram(other, view_of(make(mt::confirmable, code::post, 0x0804, view_of(to_bytes("d")))), t0 + 3s, h);
    const auto after = drain(ep);
    REQUIRE(after.size() == 1);
    CHECK(after[0].mid() == 0x0804);
    CHECK(after[0].code() == code::changed);
}

TEST_CASE("§4.5: a large answer without a body (long options) uses the whole shared buffer") {
    endpoint_t ep{residue_random{}};
    recorder h;
    // 206 bytes of options: more than fit in front of the body area (1152 - 1024 bytes).
    // `segment` outlives the response, so the options may refer to it without `keep`.
    const std::string segment(100, 'x');
    h.answer = [&](ex::peer_id, const coap::message_view&, ex::response& r) {
        r.code(code::created);
        r.options().location_path(segment).location_path(segment);
    };
    const bytes post = make(mt::confirmable, code::post, 0x0810, view_of(to_bytes("lp")));
    ep.on_datagram(server, view_of(post), t0, h);
    const auto out = drain(ep);
    REQUIRE(out.size() == 1);
    CHECK(out[0].code() == code::created);
    CHECK(out[0].raw.size() > default_limits::cached_answer);
    std::vector<std::string> segments;
    for (std::string_view x : out[0].view().location_path()) segments.emplace_back(x);
    CHECK(segments == std::vector<std::string>{segment, segment});
    ep.on_datagram(server, view_of(post), t0 + 1s, h);  // a POST: not run again, no answer kept
    CHECK(drain(ep).empty());
    CHECK(h.requests.size() == 1);
}

TEST_CASE("§4.5: cached_answer >= max_message keeps every answer: a repeated GET does not run again") {
    ex::endpoint<ex::endpoint_limits<1152, 8, 16, 16, 8, 8, 0, 1152>, residue_random> ep{residue_random{}};
    recorder h;
    h.answer = [&](ex::peer_id, const coap::message_view&, ex::response& r) {
        r.code(code::content);
        r.body().put(std::string_view{test_body(900)});
    };
    const auto [first, again] = sent_twice(ep, h, make(mt::confirmable, code::get, 0x0900, view_of(to_bytes("k"))));
    REQUIRE(first.size() == 1);
    REQUIRE(again.size() == 1);
    CHECK(first[0].raw == again[0].raw);
    CHECK(h.requests.size() == 1);
}

TEST_CASE("outgoing_body_area: a body written into the next slot is sent behind the header and options") {
    using small = ex::endpoint<ex::endpoint_limits<256, 2, 4, 8>, residue_random>;
    small ep{residue_random{}};
    recorder h;
    const std::string body = test_body(120);
    for (const std::size_t at : {std::size_t{0}, std::size_t{3}, std::size_t{40}, std::size_t{130}}) {
        CAPTURE(at);
        const mutable_bytes area = ep.outgoing_body_area();
        REQUIRE(area.size() == 256);
        const auto src = lwm2m::as_bytes(std::string_view{body});
        std::copy(src.begin(), src.end(), area.begin() + static_cast<std::ptrdiff_t>(at));
        coap::message_builder<8> b;
        b.type(mt::confirmable).code(code::post).uri_path("rd").uri_query("ep=a-rather-long-endpoint-name").content_format(40);
        b.payload(bytes_view{area.data() + at, body.size()});
        const auto handle = ep.send_request(server, b, t0);
        REQUIRE(handle.has_value());
        const auto out = drain(ep);
        REQUIRE(out.size() == 1);
        CHECK(out[0].payload() == body);
        CHECK(out[0].view().content_format() == std::optional<std::uint16_t>{40});
        std::vector<std::string> query;
        for (std::string_view q : out[0].view().uri_query()) query.emplace_back(q);
        CHECK(query == std::vector<std::string>{"ep=a-rather-long-endpoint-name"});
        ep.cancel(*handle);
    }
    // Too large with its header: buffer_too_small, and the slot stays free.
    const mutable_bytes area = ep.outgoing_body_area();
    coap::message_builder<4> b;
    b.type(mt::confirmable).code(code::post).uri_path("dp");
    b.payload(bytes_view{area.data(), 250});
    const auto too_big = ep.send_request(server, b, t0);
    REQUIRE_FALSE(too_big.has_value());
    CHECK(too_big.error().code == errc::buffer_too_small);
    CHECK(ep.pending_count() == 0);
    // No free slot: an empty area.
    coap::message_builder<2> p1, p2;
    p1.type(mt::confirmable).code(code::get);
    p2.type(mt::confirmable).code(code::get);
    REQUIRE(ep.send_request(server, p1, t0).has_value());
    REQUIRE(ep.send_request(other, p2, t0).has_value());
    CHECK(ep.outgoing_body_area().empty());
    (void)drain(ep);
}

// ---- NSTART (§4.7) ---------------------------------------------------------------------------

TEST_CASE("§4.7: NSTART = 1: a second CON to the same peer waits; another peer proceeds in parallel") {
    endpoint_t ep{residue_random{0}};
    recorder h;
    auto a = get("a"), b = get("b"), c = get("c");
    const auto ha = ep.send_request(server, a, t0);
    const auto hb = ep.send_request(server, b, t0);
    const auto hc = ep.send_request(other, c, t0);
    REQUIRE((ha && hb && hc));
    CHECK(ep.pending_count() == 3);
    auto out = drain(ep);
    REQUIRE(out.size() == 2);
    CHECK(out[0].peer == server);
    CHECK(std::string{*out[0].view().uri_path().begin()} == "a");
    CHECK(out[1].peer == other);

    // The first completes: the queued one goes out, with its own fresh timeout.
    ep.on_datagram(server, view_of(make(mt::acknowledgement, code::content, out[0].mid(), view_of(out[0].token()))),
                   t0 + 1s, h);
    auto next = drain(ep);
    REQUIRE(next.size() == 1);
    CHECK(next[0].peer == server);
    CHECK(std::string{*next[0].view().uri_path().begin()} == "b");
    CHECK(next[0].mid() != out[0].mid());
    // Deadlines: other's request at t0 + 2 s, the new one at t0 + 1 s + 2 s.
    CHECK(ep.next_deadline() == t0 + 2s);
    ep.on_timeout(t0 + 2s, h);
    auto re = drain(ep);
    REQUIRE(re.size() == 1);
    CHECK(re[0].peer == other);
    CHECK(ep.next_deadline() == t0 + 3s);
}

TEST_CASE("§4.7: the queued CON starts when the first one times out, is Reset, or is ACKed empty") {
    SUBCASE("timeout") {
        endpoint_t ep{residue_random{0}};
        recorder h;
        auto a = get("a"), b = get("b");
        REQUIRE(ep.send_request(server, a, t0));
        REQUIRE(ep.send_request(server, b, t0));
        CHECK(drain(ep).size() == 1);
        const auto sends = run_timeouts(ep, h, t0 + 62s);
        REQUIRE(sends.size() == 5);  // 4 retransmissions of a, then b at the give-up instant
        CHECK(sends[4].first == t0 + 62s);
        CHECK(std::string{*sends[4].second.view().uri_path().begin()} == "b");
        REQUIRE(h.responses.size() == 1);
        CHECK(h.responses[0].error == errc::timeout);
        CHECK(ep.next_deadline() == t0 + 64s);
    }
    SUBCASE("reset") {
        endpoint_t ep{residue_random{0}};
        recorder h;
        auto a = get("a"), b = get("b");
        REQUIRE(ep.send_request(server, a, t0));
        REQUIRE(ep.send_request(server, b, t0));
        const sent first = drain(ep).at(0);
        ep.on_datagram(server, view_of(make_empty(mt::reset, first.mid())), t0 + 1s, h);
        const auto out = drain(ep);
        REQUIRE(out.size() == 1);
        CHECK(std::string{*out[0].view().uri_path().begin()} == "b");
    }
    SUBCASE("empty ACK (no longer an outstanding interaction)") {
        endpoint_t ep{residue_random{0}};
        recorder h;
        auto a = get("a"), b = get("b");
        REQUIRE(ep.send_request(server, a, t0));
        REQUIRE(ep.send_request(server, b, t0));
        const sent first = drain(ep).at(0);
        ep.on_datagram(server, view_of(make_empty(mt::acknowledgement, first.mid())), t0 + 1s, h);
        const auto out = drain(ep);
        REQUIRE(out.size() == 1);
        CHECK(std::string{*out[0].view().uri_path().begin()} == "b");
        CHECK(h.responses.empty());
    }
}

TEST_CASE("§4.7: queued requests start in the order they were sent") {
    endpoint_t ep{residue_random{0}};
    recorder h;
    auto a = get("a"), b = get("b"), c = get("c"), d = get("d");
    for (auto* r : {&a, &b, &c, &d}) REQUIRE(ep.send_request(server, *r, t0));
    std::string order;
    for (int i = 0; i < 4; ++i) {
        const auto out = drain(ep);
        REQUIRE(out.size() == 1);
        order += std::string{*out[0].view().uri_path().begin()};
        ep.on_datagram(server, view_of(make(mt::acknowledgement, code::content, out[0].mid(), view_of(out[0].token()))),
                       t0 + 1s * i, h);
    }
    CHECK(order == "abcd");
    CHECK(h.responses.size() == 4);
}

TEST_CASE("§4.7: NSTART = 2 allows two outstanding CONs per peer") {
    ex::transmission_parameters p{};
    p.nstart = 2;
    endpoint_t ep{residue_random{0}, p};
    recorder h;
    auto a = get("a"), b = get("b"), c = get("c");
    for (auto* r : {&a, &b, &c}) REQUIRE(ep.send_request(server, *r, t0));
    CHECK(drain(ep).size() == 2);
}

TEST_CASE("§4.7: cancelling the outstanding CON lets the queued one start") {
    endpoint_t ep{residue_random{0}};
    recorder h;
    auto a = get("a"), b = get("b");
    const auto ha = ep.send_request(server, a, t0);
    REQUIRE(ha);
    REQUIRE(ep.send_request(server, b, t0));
    const sent first = drain(ep).at(0);
    ep.cancel(*ha);
    CHECK(ep.pending_count() == 1);
    // The engine learns through next_deadline() that on_timeout is due now.
    const time_point now = t0 + 5s;
    const auto d = ep.next_deadline();
    REQUIRE(d.has_value());
    CHECK(*d <= now);
    ep.on_timeout(now, h);
    const auto out = drain(ep);
    REQUIRE(out.size() == 1);
    CHECK(std::string{*out[0].view().uri_path().begin()} == "b");
    CHECK(ep.next_deadline() == now + 2s);
    // The cancelled one is forgotten: its late ACK is ignored and nothing is reported.
    ep.on_datagram(server, view_of(make(mt::acknowledgement, code::content, first.mid(), view_of(first.token()))),
                   now, h);
    CHECK(h.responses.empty());
}

// ---- critical options (§5.4.1) and Block2 SZX 7 (RFC 7959 §2.2) ------------------------------

TEST_CASE("§5.4.1: a CON request with an unrecognised critical option gets 4.02 without the handler") {
    endpoint_t ep{residue_random{}};
    recorder h;
    const bytes token = to_bytes("c");
    ep.on_datagram(server, view_of(make(mt::confirmable, code::get, 0x0700, view_of(token), "", [](coap::message_builder_base& b) {
                       b.uri_path("x").option(opt(65), std::string_view{"?"});
                   })),
                   t0, h);
    auto out = drain(ep);
    REQUIRE(out.size() == 1);
    CHECK(out[0].type() == mt::acknowledgement);
    CHECK(out[0].mid() == 0x0700);
    CHECK(out[0].token() == token);
    CHECK(out[0].code() == code::bad_option);
    CHECK(h.requests.empty());

    // An unrecognised elective option is ignored: the handler runs.
    ep.on_datagram(server, view_of(make(mt::confirmable, code::get, 0x0701, view_of(token), "", [](coap::message_builder_base& b) {
                       b.option(opt(66), std::string_view{"?"});
                   })),
                   t0, h);
    out = drain(ep);
    REQUIRE(out.size() == 1);
    CHECK(out[0].code() == code::content);
    CHECK(h.requests.size() == 1);

    // §5.4.5: a repeated non-repeatable critical option (Uri-Port) is unrecognised too.
    ep.on_datagram(server, view_of(make(mt::confirmable, code::get, 0x0702, view_of(token), "", [](coap::message_builder_base& b) {
                       b.uint_option(coap::option_number::uri_port, 5683).uint_option(coap::option_number::uri_port, 5684);
                   })),
                   t0, h);
    out = drain(ep);
    REQUIRE(out.size() == 1);
    CHECK(out[0].code() == code::bad_option);
    CHECK(h.requests.size() == 1);
}

TEST_CASE("§5.4.1: registered critical options the endpoint cannot act on get 4.02; Proxy-Uri/Proxy-Scheme 5.05 (§5.10.2)") {
    endpoint_t ep{residue_random{}};
    recorder h;
    const bytes token = to_bytes("k");
    std::uint16_t mid = 0x0730;
    const auto ask = [&](mt type, auto&& add) {
        ep.on_datagram(server, view_of(make(type, code::get, mid++, view_of(token), "", [&](coap::message_builder_base& b) {
                           b.uri_path("x");
                           add(b);
                       })),
                       t0, h);
        return drain(ep);
    };
    using on = coap::option_number;
    // Ignoring them would be wrong: a conditional request (§5.10.8), an OSCORE-protected one
    // (RFC 8613), a Q-Block transfer (RFC 9177).
    for (const on n : {on::if_match, on::if_none_match, on::oscore, on::q_block1, on::q_block2}) {
        CAPTURE(static_cast<int>(n));
        const auto add = [&](coap::message_builder_base& b) {
            if (n == on::if_none_match) b.option(n, bytes_view{});  // always empty (§5.10.8.2)
            else b.uint_option(n, 1);
        };
        const auto out = ask(mt::confirmable, add);
        REQUIRE(out.size() == 1);
        CHECK(out[0].type() == mt::acknowledgement);
        CHECK(out[0].code() == code::bad_option);
        CHECK(h.requests.empty());
        CHECK(ask(mt::non_confirmable, add).empty());  // a NON is rejected: no answer
    }
    CHECK(coap::is_known_option(on::oscore));  // registered, so only the endpoint's own list rejects it
    CHECK_FALSE(lwm2m::exchange::acts_on_option(on::oscore));
    CHECK(lwm2m::exchange::acts_on_option(on::uri_path));
    CHECK(lwm2m::exchange::acts_on_option(on::block1));

    // A forward-proxy request: 5.05, CON and NON alike, and the handler does not run.
    for (const mt type : {mt::confirmable, mt::non_confirmable}) {
        auto out = ask(type, [](coap::message_builder_base& b) { b.option(on::proxy_uri, std::string_view{"coap://h/3/0"}); });
        REQUIRE(out.size() == 1);
        CHECK(out[0].code() == code::proxying_not_supported);
        out = ask(type, [](coap::message_builder_base& b) { b.option(on::proxy_scheme, std::string_view{"http"}); });
        REQUIRE(out.size() == 1);
        CHECK(out[0].code() == code::proxying_not_supported);
    }
    CHECK(h.requests.empty());
    // The same request without them reaches the handler.
    const auto out = ask(mt::confirmable, [](coap::message_builder_base&) {});
    REQUIRE(out.size() == 1);
    CHECK(out[0].code() == code::content);
    CHECK(h.requests.size() == 1);
}

TEST_CASE("§5.4.1: a NON request with an unrecognised critical option is rejected (ignored), not answered") {
    endpoint_t ep{residue_random{}};
    recorder h;
    ep.on_datagram(server, view_of(make(mt::non_confirmable, code::get, 0x0710, view_of(to_bytes("n")), "",
                                        [](coap::message_builder_base& b) { b.option(opt(65), std::string_view{"?"}); })),
                   t0, h);
    CHECK(drain(ep).empty());
    CHECK(h.requests.empty());
}

TEST_CASE("§5.4.1: a response with an unrecognised critical option is rejected") {
    SUBCASE("piggybacked in the ACK: ignored, the request keeps retransmitting") {
        endpoint_t ep{residue_random{0}};
        recorder h;
        auto req = get();
        REQUIRE(ep.send_request(server, req, t0));
        const sent r = drain(ep).at(0);
        ep.on_datagram(server, view_of(make(mt::acknowledgement, code::content, r.mid(), view_of(r.token()), "",
                                            [](coap::message_builder_base& b) { b.option(opt(65), std::string_view{"?"}); })),
                       t0 + 1s, h);
        CHECK(h.responses.empty());
        CHECK(drain(ep).empty());
        CHECK(ep.next_deadline() == t0 + 2s);
    }
    SUBCASE("in a CON: Reset, not delivered") {
        endpoint_t ep{residue_random{0}};
        recorder h;
        auto req = get();
        REQUIRE(ep.send_request(server, req, t0));
        const sent r = drain(ep).at(0);
        ep.on_datagram(server, view_of(make_empty(mt::acknowledgement, r.mid())), t0 + 1s, h);
        ep.on_datagram(server, view_of(make(mt::confirmable, code::content, 0x0720, view_of(r.token()), "",
                                            [](coap::message_builder_base& b) { b.option(opt(65), std::string_view{"?"}); })),
                       t0 + 2s, h);
        const auto out = drain(ep);
        REQUIRE(out.size() == 1);
        CHECK(out[0].raw == make_empty(mt::reset, 0x0720));
        CHECK(h.responses.empty());
        CHECK(ep.pending_count() == 1);
    }
    SUBCASE("in a NON: ignored") {
        endpoint_t ep{residue_random{0}};
        recorder h;
        auto req = get();
        REQUIRE(ep.send_request(server, req, t0));
        const sent r = drain(ep).at(0);
        ep.on_datagram(server, view_of(make(mt::non_confirmable, code::content, 0x0721, view_of(r.token()), "",
                                            [](coap::message_builder_base& b) { b.option(opt(65), std::string_view{"?"}); })),
                       t0 + 1s, h);
        CHECK(drain(ep).empty());
        CHECK(h.responses.empty());
        CHECK(ep.pending_count() == 1);
    }
}

TEST_CASE("RFC 7959 §2.2: a Block2 option with SZX 7 in a request gets 4.00 without the handler") {
    endpoint_t ep{residue_random{}};
    recorder h;
    ep.on_datagram(server, view_of(make(mt::confirmable, code::get, 0x0800, view_of(to_bytes("z")), "",
                                        [](coap::message_builder_base& b) { b.uint_option(coap::option_number::block2, 0x17); })),
                   t0, h);
    const auto out = drain(ep);
    REQUIRE(out.size() == 1);
    CHECK(out[0].type() == mt::acknowledgement);
    CHECK(out[0].code() == code::bad_request);
    CHECK(out[0].mid() == 0x0800);
    CHECK(h.requests.empty());
}

// ---- transparent Block2 serving (RFC 7959 §2.4) -----------------------------------------------

namespace {

/** Serves a body of `size` bytes through a handler that writes it whole. */
struct block_server {
    endpoint_t ep{residue_random{}};
    recorder h;
    std::string body;
    std::uint16_t next_mid = 0x1000;

    explicit block_server(std::size_t size) : body(test_body(size)) {
        h.answer = [this](ex::peer_id, const coap::message_view&, ex::response& r) {
            r.options().content_format(0);
            r.body().put(std::string_view{body});
        };
    }
    /** A CON GET with an optional Block2 and Size2 request; returns the ACK. */
    sent ask(std::optional<coap::block_option> b2, bool want_size2 = false, mt type = mt::confirmable) {
        const bytes req = make(type, code::get, next_mid++, view_of(to_bytes("bw")), "", [&](coap::message_builder_base& m) {
            m.uri_path("big");
            if (b2) m.block2(*b2);
            if (want_size2) m.size2(0);
        });
        ep.on_datagram(server, view_of(req), t0, h);
        auto out = drain(ep);
        REQUIRE(out.size() == 1);
        return out[0];
    }
};

} // namespace

TEST_CASE("RFC 7959 §2.4: a 3000-byte body is served in 1024-byte blocks; each block is the right slice") {
    block_server s{3000};
    // No Block2 in the request: the server chooses its largest block (1024 with 1152-byte datagrams).
    sent r = s.ask(std::nullopt);
    CHECK(r.code() == code::content);
    CHECK(r.payload() == s.body.substr(0, 1024));
    CHECK(block2_of(r.view()) == coap::block_option{0, true, 6});
    CHECK_FALSE(r.view().size2().has_value());
    CHECK(r.view().content_format() == std::optional<std::uint16_t>{0});

    r = s.ask(coap::block_option{1, false, 6});
    CHECK(r.payload() == s.body.substr(1024, 1024));
    CHECK(block2_of(r.view()) == coap::block_option{1, true, 6});

    r = s.ask(coap::block_option{2, false, 6});
    CHECK(r.payload() == s.body.substr(2048));
    CHECK(r.payload().size() == 952);
    CHECK(block2_of(r.view()) == coap::block_option{2, false, 6});

    // The handler wrote the whole body each time.
    CHECK(s.h.requests.size() == 3);
}

TEST_CASE("RFC 7959 §2.4: every block carries the same ETag; a changed body gets another; a one-block body none") {
    const auto etag_of = [](const sent& r) {
        const auto e = r.view().etag();
        REQUIRE(e.has_value());
        CHECK(e->size() == 4);
        return std::vector<std::byte>(e->begin(), e->end());
    };
    block_server s{3000};
    const auto tag = etag_of(s.ask(coap::block_option{0, false, 4}));
    for (std::uint32_t num = 1; num * 256 < 3000; ++num) CHECK(etag_of(s.ask(coap::block_option{num, false, 4})) == tag);
    CHECK(etag_of(s.ask(std::nullopt)) == tag);  // 1024-byte blocks of the same body
    // The body changes in a block the client already has: every later block says so.
    s.body[5] = s.body[5] == 'x' ? 'y' : 'x';
    CHECK(etag_of(s.ask(coap::block_option{2, false, 4})) != tag);
    // A body that fits one response has no Block2 and no ETag.
    block_server small{100};
    const sent r = small.ask(std::nullopt);
    CHECK_FALSE(block2_of(r.view()).has_value());
    CHECK_FALSE(r.view().etag().has_value());
}

TEST_CASE("RFC 7959 §2.4: the requested smaller block size is used for every block; M is right") {
    for (std::uint8_t szx = 0; szx <= 6; ++szx) {
        CAPTURE(int{szx});
        block_server s{3000};
        const std::size_t size = std::size_t{16} << szx;
        const std::size_t blocks = (3000 + size - 1) / size;
        std::string assembled;
        for (std::uint32_t num = 0; num < blocks; ++num) {
            const sent r = s.ask(coap::block_option{num, false, szx});
            REQUIRE(r.code() == code::content);
            const auto b = block2_of(r.view());
            REQUIRE(b.has_value());
            CHECK(b->num == num);
            CHECK(b->szx == szx);
            CHECK(b->more == (num + 1 < blocks));
            CHECK(r.payload() == s.body.substr(num * size, size));
            assembled += r.payload();
        }
        CHECK(assembled == s.body);
    }
}

TEST_CASE("RFC 7959 §4: Size2 is sent when the request asks for it (Size2 = 0)") {
    block_server s{3000};
    sent r = s.ask(coap::block_option{0, false, 6}, true);
    CHECK(r.view().size2() == std::optional<std::uint32_t>{3000});
    r = s.ask(coap::block_option{2, false, 6}, true);
    CHECK(r.view().size2() == std::optional<std::uint32_t>{3000});
    r = s.ask(std::nullopt, true);
    CHECK(r.view().size2() == std::optional<std::uint32_t>{3000});
    r = s.ask(coap::block_option{1, false, 6});
    CHECK_FALSE(r.view().size2().has_value());
}

TEST_CASE("RFC 7959: a block past the end of the body is answered 4.02 Bad Option") {
    block_server s{3000};
    for (const coap::block_option b : {coap::block_option{3, false, 6}, coap::block_option{47, false, 2},
                                       coap::block_option{1000, false, 0}}) {
        const sent r = s.ask(b);
        CHECK(r.code() == code::bad_option);
        CHECK(r.view().payload().empty());
        CHECK_FALSE(block2_of(r.view()).has_value());
    }
    // A body that ends exactly on a block boundary has no block after it.
    block_server exact{2048};
    CHECK(exact.ask(coap::block_option{1, false, 6}).code() == code::content);
    CHECK(exact.ask(coap::block_option{2, false, 6}).code() == code::bad_option);
    CHECK(block2_of(exact.ask(coap::block_option{1, false, 6}).view()) == coap::block_option{1, false, 6});
}

TEST_CASE("RFC 7959: small bodies: no Block2 unless asked; block 0 of an empty body is fine") {
    block_server small{10};
    sent r = small.ask(std::nullopt);
    CHECK(r.payload() == small.body);
    CHECK_FALSE(block2_of(r.view()).has_value());
    r = small.ask(coap::block_option{0, false, 4});
    CHECK(r.payload() == small.body);
    CHECK(block2_of(r.view()) == coap::block_option{0, false, 4});

    block_server empty{0};
    r = empty.ask(coap::block_option{0, false, 6});
    CHECK(r.code() == code::content);
    CHECK(r.view().payload().empty());
    CHECK(block2_of(r.view()) == coap::block_option{0, false, 6});

    block_server one_block{1024};
    r = one_block.ask(std::nullopt);
    CHECK(r.payload().size() == 1024);
    CHECK_FALSE(block2_of(r.view()).has_value());
}

TEST_CASE("RFC 7959 §3.1 Figure 4: late negotiation of a smaller block size") {
    block_server s{3000};
    sent r = s.ask(std::nullopt);
    CHECK(block2_of(r.view()) == coap::block_option{0, true, 6});
    // Having the first 1024 bytes, the client asks for 64-byte block 16 (offset 1024).
    r = s.ask(coap::block_option{16, false, 2});
    CHECK(r.payload() == s.body.substr(1024, 64));
    CHECK(block2_of(r.view()) == coap::block_option{16, true, 2});
}

TEST_CASE("RFC 7959 §2.4: a server with small datagrams answers with a smaller block than requested") {
    // 256-byte datagrams: the largest block with room for headers is 128 bytes.
    ex::endpoint<ex::endpoint_limits<256>, residue_random> ep{residue_random{}};
    recorder h;
    const std::string body = test_body(1000);
    h.answer = [&](ex::peer_id, const coap::message_view&, ex::response& r) { r.body().put(std::string_view{body}); };
    const auto ask = [&](std::optional<coap::block_option> b2, std::uint16_t mid) {
        ep.on_datagram(server, view_of(make(mt::confirmable, code::get, mid, {}, "", [&](coap::message_builder_base& m) {
                           if (b2) m.block2(*b2);
                       })),
                       t0, h);
        return drain(ep).at(0);
    };
    sent r = ask(std::nullopt, 1);
    CHECK(r.payload() == body.substr(0, 128));
    CHECK(block2_of(r.view()) == coap::block_option{0, true, 3});
    r = ask(coap::block_option{0, false, 6}, 2);  // asks for 1024: gets 128
    CHECK(block2_of(r.view()) == coap::block_option{0, true, 3});
    r = ask(coap::block_option{1, false, 5}, 3);  // 512-byte block 1 = offset 512 = 128-byte block 4
    CHECK(r.payload() == body.substr(512, 128));
    CHECK(block2_of(r.view()) == coap::block_option{4, true, 3});
    r = ask(coap::block_option{7, false, 3}, 4);
    CHECK(r.payload() == body.substr(896));
    CHECK(block2_of(r.view()) == coap::block_option{7, false, 3});
}

TEST_CASE("RFC 7959: Block2 serving works for NON requests too") {
    block_server s{3000};
    const sent r = s.ask(coap::block_option{1, false, 6}, false, mt::non_confirmable);
    CHECK(r.type() == mt::non_confirmable);
    CHECK(r.payload() == s.body.substr(1024, 1024));
    CHECK(block2_of(r.view()) == coap::block_option{1, true, 6});
}

TEST_CASE("RFC 7959: an error response is not split into blocks") {
    endpoint_t ep{residue_random{}};
    recorder h;
    h.answer = [](ex::peer_id, const coap::message_view&, ex::response& r) {
        r.code(code::not_found);
        r.body().put(std::string_view{"no such object"});
    };
    ep.on_datagram(server, view_of(make(mt::confirmable, code::get, 0x0900, {}, "", [](coap::message_builder_base& b) {
                       b.block2(coap::block_option{0, false, 6});
                   })),
                   t0, h);
    const sent r = drain(ep).at(0);
    CHECK(r.code() == code::not_found);
    CHECK(r.payload() == "no such object");
    CHECK_FALSE(block2_of(r.view()).has_value());
}

// ---- observations we hold (RFC 7641, requester side) ------------------------------------------

namespace {

struct observer_fixture {
    endpoint_t ep{residue_random{0}};
    recorder h;
    lwm2m::result<ex::request_handle> handle = lwm2m::fail(errc::not_found);
    bytes token;
    std::uint16_t mid = 0;

    /** Sends GET Observe=0 and returns the request. */
    void observe(std::uint32_t observe_value = coap::observe_register) {
        auto g = get("3303/0/5700");
        g.observe(observe_value);
        handle = ep.send_request(server, g, t0);
        REQUIRE(handle);
        const sent r = drain(ep).at(0);
        REQUIRE(r.view().observe() == std::optional<std::uint32_t>{observe_value});
        token = r.token();
        mid = r.mid();
    }
    void datagram(const bytes& d, time_point at = t0 + 1s) { ep.on_datagram(server, view_of(d), at, h); }
    bytes notification(mt type, std::uint16_t nmid, std::optional<std::uint32_t> seq, code c = code::content,
                       std::string_view payload = "21") const {
        return make(type, c, nmid, view_of(token), payload, [&](coap::message_builder_base& b) {
            if (seq) b.observe(*seq);
        });
    }
};

} // namespace

TEST_CASE("RFC 7641 §3-4: GET Observe=0 answered with Observe: later CON/NON notifications reach the same handle") {
    observer_fixture f;
    f.observe();
    f.datagram(f.notification(mt::acknowledgement, f.mid, 5));
    REQUIRE(f.h.responses.size() == 1);
    CHECK(f.h.responses[0].handle == *f.handle);
    CHECK(f.h.responses[0].message->view().observe() == std::optional<std::uint32_t>{5});
    CHECK(f.ep.pending_count() == 0);  // the request is done; the observation is held separately

    // CON notification: ACKed, delivered with the same handle.
    const bytes con = f.notification(mt::confirmable, 0x5000, 6, code::content, "22");
    f.datagram(con, t0 + 10s);
    auto out = drain(f.ep);
    REQUIRE(out.size() == 1);
    CHECK(out[0].raw == make_empty(mt::acknowledgement, 0x5000));
    REQUIRE(f.h.responses.size() == 2);
    CHECK(f.h.responses[1].handle == *f.handle);
    CHECK(f.h.responses[1].message->payload() == "22");

    // Its retransmission (our ACK was lost): ACKed again, not delivered again.
    f.datagram(con, t0 + 12s);
    out = drain(f.ep);
    REQUIRE(out.size() == 1);
    CHECK(out[0].raw == make_empty(mt::acknowledgement, 0x5000));
    CHECK(f.h.responses.size() == 2);

    // NON notification: delivered, nothing sent; a duplicate of it is ignored (§4.5).
    const bytes non = f.notification(mt::non_confirmable, 0x5001, 7, code::content, "23");
    f.datagram(non, t0 + 20s);
    CHECK(drain(f.ep).empty());
    REQUIRE(f.h.responses.size() == 3);
    CHECK(f.h.responses[2].handle == *f.handle);
    CHECK(f.h.responses[2].message->payload() == "23");
    f.datagram(non, t0 + 21s);
    CHECK(drain(f.ep).empty());
    CHECK(f.h.responses.size() == 3);

    // cancel_observation: the next notification is answered with Reset (§3.6).
    CHECK(f.ep.cancel_observation(*f.handle));
    CHECK_FALSE(f.ep.cancel_observation(*f.handle));
    f.datagram(f.notification(mt::confirmable, 0x5002, 8), t0 + 30s);
    out = drain(f.ep);
    REQUIRE(out.size() == 1);
    CHECK(out[0].raw == make_empty(mt::reset, 0x5002));
    CHECK(f.h.responses.size() == 3);
}

TEST_CASE("RFC 7641 §3.2: a 4.xx notification (or one without Observe) ends the observation") {
    SUBCASE("4.04") {
        observer_fixture f;
        f.observe();
        f.datagram(f.notification(mt::acknowledgement, f.mid, 5));
        f.datagram(f.notification(mt::confirmable, 0x5100, std::nullopt, code::not_found, ""), t0 + 5s);
        auto out = drain(f.ep);
        REQUIRE(out.size() == 1);
        CHECK(out[0].type() == mt::acknowledgement);
        REQUIRE(f.h.responses.size() == 2);
        CHECK(f.h.responses[1].handle == *f.handle);
        CHECK(f.h.responses[1].message->view().code() == code::not_found);
        f.datagram(f.notification(mt::confirmable, 0x5101, 9), t0 + 6s);
        out = drain(f.ep);
        REQUIRE(out.size() == 1);
        CHECK(out[0].raw == make_empty(mt::reset, 0x5101));
        CHECK(f.h.responses.size() == 2);
        CHECK_FALSE(f.ep.cancel_observation(*f.handle));
    }
    SUBCASE("2.05 without Observe") {
        observer_fixture f;
        f.observe();
        f.datagram(f.notification(mt::acknowledgement, f.mid, 5));
        f.datagram(f.notification(mt::non_confirmable, 0x5200, std::nullopt), t0 + 5s);
        REQUIRE(f.h.responses.size() == 2);
        f.datagram(f.notification(mt::confirmable, 0x5201, 9), t0 + 6s);
        CHECK(drain(f.ep).at(0).raw == make_empty(mt::reset, 0x5201));
    }
}

TEST_CASE("RFC 7641 §3.1: no observation without Observe in the first response, or for a 4.xx") {
    SUBCASE("2.05 without Observe") {
        observer_fixture f;
        f.observe();
        f.datagram(f.notification(mt::acknowledgement, f.mid, std::nullopt));
        REQUIRE(f.h.responses.size() == 1);
        f.datagram(f.notification(mt::confirmable, 0x5300, 6), t0 + 5s);
        CHECK(drain(f.ep).at(0).raw == make_empty(mt::reset, 0x5300));
        CHECK(f.h.responses.size() == 1);
        CHECK_FALSE(f.ep.cancel_observation(*f.handle));
    }
    SUBCASE("4.04 with Observe") {
        observer_fixture f;
        f.observe();
        f.datagram(f.notification(mt::acknowledgement, f.mid, 3, code::not_found));
        f.datagram(f.notification(mt::confirmable, 0x5301, 6), t0 + 5s);
        CHECK(drain(f.ep).at(0).raw == make_empty(mt::reset, 0x5301));
    }
    SUBCASE("GET Observe=1 (deregister) does not start one") {
        observer_fixture f;
        f.observe(coap::observe_deregister);
        f.datagram(f.notification(mt::acknowledgement, f.mid, 5));
        f.datagram(f.notification(mt::confirmable, 0x5302, 6), t0 + 5s);
        CHECK(drain(f.ep).at(0).raw == make_empty(mt::reset, 0x5302));
    }
}

TEST_CASE("RFC 7641 §2: Observe 0 in any length (none, 0x00, 0x00 0x00) registers; 256 (0x01 0x00) does not") {
    const std::initializer_list<std::pair<bytes, bool>> cases = {
        {bytes{}, true}, {bytes{std::byte{0}}, true}, {bytes{std::byte{0}, std::byte{0}}, true},
        {bytes{std::byte{1}, std::byte{0}}, false}};
    for (const auto& c : cases) {
        const bytes& value = c.first;  // (not a structured binding: clang 14 cannot capture one in CAPTURE)
        const bool registers = c.second;
        CAPTURE(value.size());
        CAPTURE(registers);
        observer_fixture f;
        auto g = get("3303/0/5700");
        g.option(coap::option_number::observe, view_of(value));
        f.handle = f.ep.send_request(server, g, t0);
        REQUIRE(f.handle);
        const sent r = drain(f.ep).at(0);
        f.token = r.token();
        f.mid = r.mid();
        f.datagram(f.notification(mt::acknowledgement, f.mid, 5));
        f.datagram(f.notification(mt::confirmable, 0x5500, 6), t0 + 5s);
        const auto out = drain(f.ep);
        REQUIRE(out.size() == 1);
        CHECK(out[0].raw == make_empty(registers ? mt::acknowledgement : mt::reset, 0x5500));
    }
}

TEST_CASE("RFC 7641: an observation started by a separate CON response is held too") {
    observer_fixture f;
    f.observe();
    f.datagram(make_empty(mt::acknowledgement, f.mid));
    f.datagram(f.notification(mt::confirmable, 0x5400, 5), t0 + 2s);
    CHECK(drain(f.ep).size() == 1);  // ACK
    f.datagram(f.notification(mt::non_confirmable, 0x5401, 6), t0 + 3s);
    CHECK(drain(f.ep).empty());
    REQUIRE(f.h.responses.size() == 2);
    CHECK(f.h.responses[1].handle == *f.handle);
}

TEST_CASE("RFC 7641: notifications from another peer with the same token are not ours; forget_peer drops the observation") {
    observer_fixture f;
    f.observe();
    f.datagram(f.notification(mt::acknowledgement, f.mid, 5));
    f.ep.on_datagram(other, view_of(f.notification(mt::confirmable, 0x5500, 6)), t0 + 2s, f.h);
    CHECK(drain(f.ep).at(0).raw == make_empty(mt::reset, 0x5500));
    CHECK(f.h.responses.size() == 1);
    f.ep.forget_peer(server);
    f.datagram(f.notification(mt::confirmable, 0x5501, 7), t0 + 3s);
    CHECK(drain(f.ep).at(0).raw == make_empty(mt::reset, 0x5501));
    CHECK(f.h.responses.size() == 1);
}

// ---- notifications we send (RFC 7641 §4.5) ----------------------------------------------------

namespace {
struct notifier_fixture {
    endpoint_t ep{residue_random{0}};
    recorder h;
    coap::token token{view_of(to_bytes("obs1"))};

    lwm2m::result<ex::request_handle> notify(bool confirmable, std::uint32_t seq = 12, time_point at = t0) {
        coap::message_builder<4> n;
        n.code(code::content).observe(seq).payload(std::string_view{"v"});
        return ep.send_notification(server, token, n, confirmable, at);
    }
};
} // namespace

TEST_CASE("RFC 7641 §4.5: CON notification: the observer's ACK is reported as success") {
    notifier_fixture f;
    const auto handle = f.notify(true);
    REQUIRE(handle);
    const auto out = drain(f.ep);
    REQUIRE(out.size() == 1);
    CHECK(out[0].type() == mt::confirmable);
    CHECK(out[0].code() == code::content);
    CHECK(out[0].token() == to_bytes("obs1"));
    CHECK(out[0].view().observe() == std::optional<std::uint32_t>{12});
    f.ep.on_datagram(server, view_of(make_empty(mt::acknowledgement, out[0].mid())), t0 + 1s, f.h);
    REQUIRE(f.h.responses.size() == 1);
    CHECK(f.h.responses[0].handle == *handle);
    CHECK(f.h.responses[0].ok());
    CHECK(f.ep.pending_count() == 0);
    CHECK_FALSE(f.ep.next_deadline().has_value());
}

TEST_CASE("RFC 7641 §4.5: CON notification answered with Reset: reset_received (the observer is gone)") {
    notifier_fixture f;
    const auto handle = f.notify(true);
    REQUIRE(handle);
    const sent n = drain(f.ep).at(0);
    f.ep.on_datagram(server, view_of(make_empty(mt::reset, n.mid())), t0 + 1s, f.h);
    REQUIRE(f.h.responses.size() == 1);
    CHECK(f.h.responses[0].handle == *handle);
    CHECK(f.h.responses[0].error == errc::reset_received);
}

TEST_CASE("RFC 7641 §4.5: an unacknowledged CON notification is retransmitted, then times out") {
    notifier_fixture f;
    const auto handle = f.notify(true);
    REQUIRE(handle);
    REQUIRE(drain(f.ep).size() == 1);
    const auto later = run_timeouts(f.ep, f.h, t0 + 1000s);
    CHECK(later.size() == 4);
    REQUIRE(f.h.responses.size() == 1);
    CHECK(f.h.responses[0].handle == *handle);
    CHECK(f.h.responses[0].error == errc::timeout);
}

TEST_CASE("RFC 7641 §4.5: NON notification: sent once, no slot kept; a Reset to it is reported") {
    notifier_fixture f;
    const auto handle = f.notify(false);
    REQUIRE(handle);
    const auto out = drain(f.ep);
    REQUIRE(out.size() == 1);
    CHECK(out[0].type() == mt::non_confirmable);
    CHECK(f.ep.pending_count() == 0);
    CHECK_FALSE(f.ep.next_deadline().has_value());
    f.ep.on_datagram(server, view_of(make_empty(mt::reset, out[0].mid())), t0 + 1s, f.h);
    REQUIRE(f.h.responses.size() == 1);
    CHECK(f.h.responses[0].handle == *handle);
    CHECK(f.h.responses[0].error == errc::reset_received);
    // Once only.
    f.ep.on_datagram(server, view_of(make_empty(mt::reset, out[0].mid())), t0 + 2s, f.h);
    CHECK(f.h.responses.size() == 1);
    // An ACK to a NON is meaningless and ignored.
    const auto h2 = f.notify(false, 13);
    REQUIRE(h2);
    const sent n2 = drain(f.ep).at(0);
    f.ep.on_datagram(server, view_of(make_empty(mt::acknowledgement, n2.mid())), t0 + 3s, f.h);
    CHECK(f.h.responses.size() == 1);
}

TEST_CASE("RFC 7641 §4.5: after cancel() or forget_peer(), a Reset to a NON notification is not reported") {
    notifier_fixture f;
    const auto h1 = f.notify(false, 20);
    const auto h2 = f.notify(false, 21);
    REQUIRE((h1 && h2));
    const auto out = drain(f.ep);
    REQUIRE(out.size() == 2);
    f.ep.cancel(*h1);
    f.ep.on_datagram(server, view_of(make_empty(mt::reset, out[0].mid())), t0 + 1s, f.h);
    CHECK(f.h.responses.empty());
    f.ep.forget_peer(server);
    f.ep.on_datagram(server, view_of(make_empty(mt::reset, out[1].mid())), t0 + 1s, f.h);
    CHECK(f.h.responses.empty());
}

TEST_CASE("§4.7: a CON notification waits behind an outstanding CON to the same peer") {
    notifier_fixture f;
    auto req = get();
    REQUIRE(f.ep.send_request(server, req, t0));
    REQUIRE(f.notify(true));
    REQUIRE(f.notify(false, 13));  // NON is not held back
    const auto out = drain(f.ep);
    REQUIRE(out.size() == 2);
    CHECK(out[0].code() == code::get);
    CHECK(out[1].type() == mt::non_confirmable);
    f.ep.on_datagram(server, view_of(make(mt::acknowledgement, code::content, out[0].mid(), view_of(out[0].token()))),
                     t0 + 1s, f.h);
    const auto next = drain(f.ep);
    REQUIRE(next.size() == 1);
    CHECK(next[0].type() == mt::confirmable);
    CHECK(next[0].code() == code::content);
}

// ---- capacities ----------------------------------------------------------------------------

TEST_CASE("capacity: more requests than MaxPending fail with capacity_exceeded until one completes") {
    endpoint_t ep{residue_random{0}};
    recorder h;
    std::vector<coap::message_builder<8>> reqs(9, get());
    for (std::size_t i = 0; i < 8; ++i) REQUIRE(ep.send_request(ex::peer_id{static_cast<std::uint32_t>(100 + i)}, reqs[i], t0));
    CHECK(ep.pending_count() == 8);
    const auto full = ep.send_request(server, reqs[8], t0);
    REQUIRE_FALSE(full);
    CHECK(full.error().code == errc::capacity_exceeded);
    coap::message_builder<4> n;
    n.code(code::content);
    CHECK(ep.send_notification(server, coap::token{}, n, false, t0).error().code == errc::capacity_exceeded);
    CHECK(ep.ping(server, t0).error().code == errc::capacity_exceeded);

    const auto out = drain(ep);
    REQUIRE(out.size() == 8);
    ep.on_datagram(out[3].peer, view_of(make_empty(mt::reset, out[3].mid())), t0 + 1s, h);
    CHECK(ep.pending_count() == 7);
    CHECK(ep.send_request(server, reqs[8], t0 + 1s).has_value());
}

TEST_CASE("capacity: a request larger than MaxMessage is refused with buffer_too_small and takes no slot") {
    endpoint_t ep{residue_random{0}};
    const std::string big(2000, 'x');
    auto req = get();
    req.type(mt::confirmable).code(code::put).payload(std::string_view{big});
    const auto r = ep.send_request(server, req, t0);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::buffer_too_small);
    CHECK(ep.pending_count() == 0);
    CHECK(drain(ep).empty());
}

TEST_CASE("capacity: the transmit queue drops the oldest datagram when full") {
    endpoint_t ep{residue_random{}};
    recorder h;
    for (std::uint16_t mid = 1; mid <= 20; ++mid) ep.on_datagram(server, view_of(make_empty(mt::confirmable, mid)), t0, h);
    const auto out = drain(ep);
    REQUIRE(out.size() == 16);  // QueueLength
    for (std::size_t i = 0; i < 16; ++i) CHECK(out[i].raw == make_empty(mt::reset, static_cast<std::uint16_t>(5 + i)));
}

TEST_CASE("capacity: a CON whose transmission fell out of the queue goes out again at its retransmission") {
    endpoint_t ep{residue_random{0}};
    recorder h;
    auto req = get();
    REQUIRE(ep.send_request(server, req, t0));
    for (std::uint16_t mid = 1; mid <= 16; ++mid) ep.on_datagram(other, view_of(make_empty(mt::confirmable, mid)), t0, h);
    for (const sent& s : drain(ep)) CHECK(s.peer == other);
    ep.on_timeout(t0 + 2s, h);
    const auto out = drain(ep);
    REQUIRE(out.size() == 1);
    CHECK(out[0].code() == code::get);
}

TEST_CASE("capacity: a NON notification that falls out of the queue does not leak its slot") {
    notifier_fixture f;
    REQUIRE(f.notify(false));
    CHECK(f.ep.pending_count() == 1);  // until handed to poll_transmit
    for (std::uint16_t mid = 1; mid <= 16; ++mid) f.ep.on_datagram(other, view_of(make_empty(mt::confirmable, mid)), t0, f.h);
    CHECK(drain(f.ep).size() == 16);
    CHECK(f.ep.pending_count() == 0);
}

TEST_CASE("capacity: poll_transmit with a too small buffer drops the datagram (CON retransmits, NON slot freed)") {
    notifier_fixture f;
    auto req = get();
    REQUIRE(f.ep.send_request(other, req, t0));
    REQUIRE(f.notify(false));
    std::array<std::byte, 8> tiny{};
    CHECK_FALSE(f.ep.poll_transmit(mutable_bytes{tiny}).has_value());
    CHECK(f.ep.pending_count() == 1);  // the CON request only
    f.ep.on_timeout(t0 + 2s, f.h);
    const auto out = drain(f.ep);
    REQUIRE(out.size() == 1);
    CHECK(out[0].peer == other);
}

namespace {
/** Queues one datagram from every source: an empty ACK, a CON request, a cached small answer, a large answer, a NON notification. */
void queue_every_source(notifier_fixture& f) {
    f.h.answer = [&](ex::peer_id, const coap::message_view& m, ex::response& r) {
        r.code(code::content);
        r.body().put(std::string_view{m.code() == code::get ? test_body(300) : "ok"});
    };
    f.ep.on_datagram(other, view_of(make_empty(mt::confirmable, 0x0901)), t0, f.h);  // ping: RST
    auto req = get();
    REQUIRE(f.ep.send_request(other, req, t0));
    f.ep.on_datagram(server, view_of(make(mt::confirmable, code::post, 0x0902, view_of(to_bytes("p")))), t0, f.h);
    f.ep.on_datagram(server, view_of(make(mt::confirmable, code::get, 0x0903, view_of(to_bytes("g")))), t0, f.h);
    REQUIRE(f.notify(false));
}
} // namespace

TEST_CASE("poll_datagram lends the same datagrams poll_transmit copies, in the same order") {
    notifier_fixture copied, lent;
    queue_every_source(copied);
    queue_every_source(lent);
    const auto expected = drain(copied.ep);
    REQUIRE(expected.size() == 5);
    std::vector<sent> got;
    while (auto d = lent.ep.poll_datagram()) got.push_back(sent{d->peer, bytes(d->bytes.begin(), d->bytes.end())});
    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        CAPTURE(i);
        CHECK(got[i].peer == expected[i].peer);
        CHECK(got[i].raw == expected[i].raw);
    }
    CHECK(got[0].type() == mt::reset);
    CHECK(got[3].payload() == test_body(300));  // the large answer, from the shared buffer
    CHECK(got[4].view().observe().has_value());
}

TEST_CASE("poll_datagram: a lent NON notification frees its slot, its bytes stay until the next call") {
    notifier_fixture f;
    REQUIRE(f.notify(false, 77));
    auto d = f.ep.poll_datagram();
    REQUIRE(d.has_value());
    CHECK(f.ep.pending_count() == 0);
    const auto m = coap::parse(d->bytes);
    REQUIRE(m.has_value());
    CHECK(m->type() == mt::non_confirmable);
    CHECK(m->observe() == std::optional<std::uint32_t>{77});
    CHECK_FALSE(f.ep.poll_datagram().has_value());
    // The next notification takes the freed slot.
    REQUIRE(f.notify(false, 78));
    CHECK(f.ep.pending_count() == 1);
}

TEST_CASE("forget_peer and cancel: pending exchanges are dropped silently, other peers are unaffected") {
    endpoint_t ep{residue_random{0}};
    recorder h;
    auto a = get("a"), b = get("b"), c = get("c"), d = get("d");
    const auto ha = ep.send_request(server, a, t0);
    REQUIRE(ep.send_request(server, b, t0));  // queued behind a
    const auto hc = ep.send_request(other, c, t0);
    REQUIRE((ha && hc));
    const auto out = drain(ep);
    REQUIRE(out.size() == 2);
    ep.forget_peer(server);
    CHECK(ep.pending_count() == 1);
    ep.on_datagram(server, view_of(make(mt::acknowledgement, code::content, out[0].mid(), view_of(out[0].token()))),
                   t0 + 1s, h);
    CHECK(h.responses.empty());
    CHECK(drain(ep).empty());

    // cancel: same, for one exchange.
    const auto hd = ep.send_request(other, d, t0 + 1s);  // queued behind c
    REQUIRE(hd);
    ep.cancel(*hd);
    CHECK(ep.pending_count() == 1);
    const auto sends = run_timeouts(ep, h, t0 + 1000s);
    for (const auto& s : sends) CHECK(s.second.raw == out[1].raw);  // only c, retransmitted
    REQUIRE(h.responses.size() == 1);
    CHECK(h.responses[0].handle == *hc);
    CHECK(h.responses[0].error == errc::timeout);
}

TEST_CASE("handles are unique and never 0; the handler may send from inside a callback") {
    endpoint_t ep{residue_random{0}};
    recorder h;
    std::vector<std::uint32_t> seen;
    for (int i = 0; i < 20; ++i) {
        auto p = ep.ping(server, t0);
        REQUIRE(p);
        CHECK(p->value != 0);
        CHECK(std::find(seen.begin(), seen.end(), p->value) == seen.end());
        seen.push_back(p->value);
        ep.cancel(*p);
    }
    // A response handler that sends the next request right away.
    int chained = 0;
    auto next = get("next");
    h.after_response = [&](ex::request_handle, ex::peer_id p, const lwm2m::result<coap::message_view>&) {
        if (chained++ == 0) CHECK(ep.send_request(p, next, t0 + 1s).has_value());
    };
    auto first = get("first");
    REQUIRE(ep.send_request(server, first, t0));
    const sent r = drain(ep).at(0);
    ep.on_datagram(server, view_of(make(mt::acknowledgement, code::content, r.mid(), view_of(r.token()))), t0 + 1s, h);
    const auto out = drain(ep);
    REQUIRE(out.size() == 1);
    CHECK(std::string{*out[0].view().uri_path().begin()} == "next");
}
