// Tests of Block1 reassembly in exchange::endpoint (RFC 7959 §2.3, §2.5, §2.9): requests whose
// body comes in blocks are answered 2.31 Continue block by block and reach the handler once,
// whole; gaps get 4.08, bodies over endpoint_limits::max_body get 4.13 with Size1, the first
// block's SZX may be negotiated down, and dedup still works per block.
// Each test drives one endpoint directly with hand-built datagrams and a scripted clock.

#include <lwm2m/exchange/endpoint.hpp>

#include <doctest/doctest.h>

#include "endpoint_support.hpp"

#include <lwm2m/coap/option_number.hpp>
#include <lwm2m/exchange/transmission_parameters.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lwm2m::test::block1_tests {
namespace {

using namespace std::chrono_literals;
using coap::code;
using mt = coap::message_type;

constexpr ex::peer_id server{7};
const time_point t0{1000s};

/** An endpoint that reassembles up to `MaxBody` bytes (`MaxBodies` at once), and a client writing to it. */
template <std::size_t MaxMessage, std::size_t MaxBody, std::size_t MaxBodies = 1>
struct receiver {
    using limits = ex::endpoint_limits<MaxMessage, 8, 16, 16, 8, 8, MaxBody, 64, MaxBodies>;
    ex::endpoint<limits, residue_random> ep{residue_random{}};
    recorder h;
    std::uint16_t next_mid = 0x2000;
    std::uint8_t next_token = 1;

    receiver() {
        h.answer = [](ex::peer_id, const coap::message_view&, ex::response& r) { r.code(code::changed); };
    }

    /** Sends `datagram` at `now`; returns the one answer. */
    sent exchange(const bytes& datagram, time_point now = t0) { return exchange_from(server, datagram, now); }
    /** The same from `peer`. */
    sent exchange_from(ex::peer_id peer, const bytes& datagram, time_point now = t0) {
        ep.on_datagram(peer, view_of(datagram), now, h);
        auto out = drain(ep);
        REQUIRE(out.size() == 1);
        return out[0];
    }
    /** A CON PUT of `path` carrying `part` as block (num, more, szx). */
    bytes block(std::string_view part, std::uint32_t num, bool more, std::uint8_t szx, std::string_view path = "5/0/0",
                std::optional<std::uint32_t> size1 = std::nullopt) {
        const bytes token{std::byte{next_token++}};  // RFC 7959 §2.3: the token may change per block
        return make(mt::confirmable, code::put, next_mid++, view_of(token), part, [&](coap::message_builder_base& m) {
            m.uri_path_segments(path).content_format(42).block1(coap::block_option{num, more, szx});
            if (size1) m.size1(*size1);
        });
    }
};

std::optional<coap::block_option> block1_of(const coap::message_view& m) {
    const auto b = m.block1();
    REQUIRE(b.has_value());
    return *b;
}
std::optional<coap::block_option> block1_of(const sent& s) { return block1_of(s.view()); }

std::string slice_of(const std::string& s, std::size_t pos, std::size_t n) { return s.substr(pos, n); }

} // namespace

TEST_CASE("RFC 7959 §2.5: a 3-block PUT gets 2.31 per block and reaches the handler once, whole") {
    receiver<1152, 4096> r;
    const std::string body = test_body(2500);
    for (std::uint32_t n = 0; n < 2; ++n) {
        const sent a = r.exchange(r.block(slice_of(body, n * 1024, 1024), n, true, 6));
        CHECK(a.type() == mt::acknowledgement);
        CHECK(a.code() == code::continue_);
        CHECK(block1_of(a) == coap::block_option{n, true, 6});
        CHECK(a.payload().empty());
        CHECK(r.h.requests.empty());
    }
    const sent last = r.exchange(r.block(slice_of(body, 2048, 452), 2, false, 6));
    REQUIRE(r.h.requests.size() == 1);
    const coap::message_view req = r.h.requests[0].message.view();
    CHECK(r.h.requests[0].message.payload() == body);
    CHECK(req.code() == code::put);
    CHECK(req.content_format() == std::optional<std::uint16_t>{42});
    std::string path;
    for (std::string_view seg : req.uri_path()) path += "/" + std::string{seg};
    CHECK(path == "/5/0/0");
    CHECK(block1_of(req) == std::nullopt);  // the handler sees one plain request
    CHECK(req.size1() == std::nullopt);
    CHECK(last.code() == code::changed);
    CHECK(block1_of(last) == coap::block_option{2, false, 6});
    CHECK(last.mid() == req.message_id());
}

TEST_CASE("RFC 7252 §4.5: a retransmitted block gets the cached 2.31 and is not appended twice") {
    receiver<1152, 4096> r;
    const std::string body = test_body(1500);
    const bytes b0 = r.block(slice_of(body, 0, 1024), 0, true, 6);
    const sent first = r.exchange(b0);
    const sent again = r.exchange(b0, t0 + 2s);
    CHECK(again.raw == first.raw);
    const bytes b1 = r.block(slice_of(body, 1024, 476), 1, false, 6);
    const sent done = r.exchange(b1);
    const sent done_again = r.exchange(b1, t0 + 3s);
    CHECK(done_again.raw == done.raw);
    REQUIRE(r.h.requests.size() == 1);
    CHECK(r.h.requests[0].message.payload() == body);
}

TEST_CASE("RFC 7959 §2.9.2: a missing block gets 4.08 and abandons the body") {
    receiver<1152, 4096> r;
    const std::string body = test_body(3000);
    CHECK(r.exchange(r.block(slice_of(body, 0, 1024), 0, true, 6)).code() == code::continue_);
    const sent gap = r.exchange(r.block(slice_of(body, 2048, 952), 2, false, 6));
    CHECK(gap.code() == code::request_entity_incomplete);
    CHECK(r.exchange(r.block(slice_of(body, 1024, 1024), 1, true, 6)).code() == code::request_entity_incomplete);
    // A block with no transfer at all, or for another resource, is incomplete too.
    receiver<1152, 4096> fresh;
    CHECK(fresh.exchange(fresh.block(slice_of(body, 1024, 1024), 1, true, 6)).code() == code::request_entity_incomplete);
    CHECK(fresh.exchange(fresh.block(slice_of(body, 0, 1024), 0, true, 6)).code() == code::continue_);
    CHECK(fresh.exchange(fresh.block(slice_of(body, 1024, 1024), 1, true, 6, "5/0/1")).code() ==
          code::request_entity_incomplete);
    CHECK(r.h.requests.empty());
    CHECK(fresh.h.requests.empty());
}

TEST_CASE("RFC 7959 §2.9.3: a body larger than MaxBody gets 4.13 with Size1 = MaxBody") {
    receiver<1152, 2048> r;
    const std::string body = test_body(2500);
    CHECK(r.exchange(r.block(slice_of(body, 0, 1024), 0, true, 6)).code() == code::continue_);
    CHECK(r.exchange(r.block(slice_of(body, 1024, 1024), 1, true, 6)).code() == code::continue_);
    const sent big = r.exchange(r.block(slice_of(body, 2048, 452), 2, false, 6));
    CHECK(big.code() == code::request_entity_too_large);
    CHECK(big.view().size1() == std::optional<std::uint32_t>{2048});
    CHECK(r.h.requests.empty());
    // The body is gone: its next block is incomplete.
    CHECK(r.exchange(r.block(slice_of(body, 2048, 452), 2, false, 6)).code() == code::request_entity_incomplete);

    SUBCASE("a Size1 announcing too much is refused on the first block") {
        const sent early = r.exchange(r.block(slice_of(body, 0, 1024), 0, true, 6, "5/0/0", 2500));
        CHECK(early.code() == code::request_entity_too_large);
        CHECK(early.view().size1() == std::optional<std::uint32_t>{2048});
    }
    SUBCASE("a body of exactly MaxBody fits") {
        CHECK(r.exchange(r.block(slice_of(body, 0, 1024), 0, true, 6, "5/0/0", 2048)).code() == code::continue_);
        CHECK(r.exchange(r.block(slice_of(body, 1024, 1024), 1, false, 6)).code() == code::changed);
        REQUIRE(r.h.requests.size() == 1);
        CHECK(r.h.requests[0].message.payload() == slice_of(body, 0, 2048));
    }
}

TEST_CASE("RFC 7959 §2.3: the first 2.31 asks for smaller blocks; the client continues at the matching NUM") {
    receiver<300, 1024> r;  // 300-byte datagrams: our largest block is 128 bytes (SZX 3)
    const std::string body = test_body(434);
    const sent a = r.exchange(r.block(slice_of(body, 0, 256), 0, true, 4));
    CHECK(a.code() == code::continue_);
    CHECK(block1_of(a) == coap::block_option{0, true, 3});
    const sent b = r.exchange(r.block(slice_of(body, 256, 128), 2, true, 3));  // offset 256 = 2 x 128
    CHECK(b.code() == code::continue_);
    CHECK(block1_of(b) == coap::block_option{2, true, 3});
    const sent c = r.exchange(r.block(slice_of(body, 384, 50), 3, false, 3));
    CHECK(c.code() == code::changed);
    CHECK(block1_of(c) == coap::block_option{3, false, 3});
    REQUIRE(r.h.requests.size() == 1);
    CHECK(r.h.requests[0].message.payload() == body);
    // Smaller blocks than ours are kept as they are.
    const sent small = r.exchange(r.block(slice_of(body, 0, 32), 0, true, 1));
    CHECK(block1_of(small) == coap::block_option{0, true, 1});
}

TEST_CASE("RFC 7959 §2.3: a non-final block that is not a full block is a bad request") {
    receiver<1152, 4096> r;
    CHECK(r.exchange(r.block("short", 0, true, 6)).code() == code::bad_request);
    CHECK(r.h.requests.empty());
}

TEST_CASE("RFC 7959 §2.3: a single-block request (NUM 0, M 0) is handled as a normal request") {
    receiver<1152, 4096> r;
    const sent a = r.exchange(r.block("hello", 0, false, 6));
    REQUIRE(r.h.requests.size() == 1);
    CHECK(r.h.requests[0].message.payload() == "hello");
    CHECK(a.code() == code::changed);
    CHECK(block1_of(a) == coap::block_option{0, false, 6});
}

TEST_CASE("RFC 7959 §2.5: another request from the same peer abandons a partial body; so does EXCHANGE_LIFETIME") {
    receiver<1152, 4096> r;
    const std::string body = test_body(2048);
    CHECK(r.exchange(r.block(slice_of(body, 0, 1024), 0, true, 6)).code() == code::continue_);
    const bytes get = make(mt::confirmable, code::get, 0x3000, {}, "", [](coap::message_builder_base& m) {
        m.uri_path_segments("3/0");
    });
    CHECK(r.exchange(get).code() == code::changed);
    CHECK(r.exchange(r.block(slice_of(body, 1024, 1024), 1, false, 6)).code() == code::request_entity_incomplete);

    const time_point late = t0 + r.ep.parameters().exchange_lifetime() + 1s;
    CHECK(r.exchange(r.block(slice_of(body, 0, 1024), 0, true, 6)).code() == code::continue_);
    CHECK(r.exchange(r.block(slice_of(body, 1024, 1024), 1, false, 6), late).code() == code::request_entity_incomplete);
    CHECK(r.h.requests.size() == 1);  // only the GET
}

TEST_CASE("RFC 7959 §2.2: a Block1 option with SZX 7 gets 4.00 without the handler") {
    receiver<1152, 4096> r;
    const bytes bad = make(mt::confirmable, code::put, 0x3001, {}, "x", [](coap::message_builder_base& m) {
        m.uri_path("5").uint_option(coap::option_number::block1, 0x0F);
    });
    CHECK(r.exchange(bad).code() == code::bad_request);
    CHECK(r.h.requests.empty());
}

TEST_CASE("endpoint_limits<> (MaxBody 0): Block1 requests reach the handler block by block, as before") {
    ex::endpoint<ex::endpoint_limits<>, residue_random> ep{residue_random{}};
    recorder h;
    const bytes b = make(mt::confirmable, code::put, 0x3002, {}, test_body(1024), [](coap::message_builder_base& m) {
        m.uri_path("5").block1(coap::block_option{1, true, 6});
    });
    ep.on_datagram(server, view_of(b), t0, h);
    REQUIRE(h.requests.size() == 1);
    CHECK(block1_of(h.requests[0].message.view()) == coap::block_option{1, true, 6});
    static_assert(ex::endpoint_limits<>::max_body == 0);
}

TEST_CASE("endpoint_limits MaxBodies: Block1 bodies of two peers, interleaved, both reach the handler whole") {
    receiver<1152, 4096, 2> r;
    const ex::peer_id a{11}, b{12};
    const std::string body_a = test_body(2000), body_b = std::string(1500, 'b');
    CHECK(r.exchange_from(a, r.block(slice_of(body_a, 0, 1024), 0, true, 6)).code() == code::continue_);
    CHECK(r.exchange_from(b, r.block(slice_of(body_b, 0, 1024), 0, true, 6, "6/0/0")).code() == code::continue_);
    CHECK(r.exchange_from(a, r.block(slice_of(body_a, 1024, 976), 1, false, 6)).code() == code::changed);
    CHECK(r.exchange_from(b, r.block(slice_of(body_b, 1024, 476), 1, false, 6, "6/0/0")).code() == code::changed);
    REQUIRE(r.h.requests.size() == 2);
    CHECK(r.h.requests[0].peer == a);
    CHECK(r.h.requests[0].message.payload() == body_a);
    CHECK(r.h.requests[1].peer == b);
    CHECK(r.h.requests[1].message.payload() == body_b);
    static_assert(decltype(r)::limits::max_bodies == 2 && ex::endpoint_limits<>::max_bodies == 0);
}

TEST_CASE("endpoint_limits MaxBodies: with every slot busy, a new body takes the one that waited longest (4.08 there)") {
    SUBCASE("one slot: the second peer's body abandons the first's") {
        receiver<1152, 4096> r;
        const ex::peer_id a{11}, b{12};
        const std::string body = test_body(2000);
        CHECK(r.exchange_from(a, r.block(slice_of(body, 0, 1024), 0, true, 6)).code() == code::continue_);
        CHECK(r.exchange_from(b, r.block(slice_of(body, 0, 1024), 0, true, 6)).code() == code::continue_);
        CHECK(r.exchange_from(a, r.block(slice_of(body, 1024, 976), 1, false, 6)).code() == code::request_entity_incomplete);
        CHECK(r.exchange_from(b, r.block(slice_of(body, 1024, 976), 1, false, 6)).code() == code::changed);
        REQUIRE(r.h.requests.size() == 1);
        CHECK(r.h.requests[0].peer == b);
    }
    SUBCASE("two slots, three peers: the oldest partial body goes") {
        receiver<1152, 4096, 2> r;
        const ex::peer_id a{11}, b{12}, c{13};
        const std::string body = test_body(3000);
        CHECK(r.exchange_from(a, r.block(slice_of(body, 0, 1024), 0, true, 6), t0).code() == code::continue_);
        CHECK(r.exchange_from(b, r.block(slice_of(body, 0, 1024), 0, true, 6), t0 + 1s).code() == code::continue_);
        // a sends its second block: b's now waited longest
        CHECK(r.exchange_from(a, r.block(slice_of(body, 1024, 1024), 1, true, 6), t0 + 2s).code() == code::continue_);
        CHECK(r.exchange_from(c, r.block(slice_of(body, 0, 1024), 0, true, 6), t0 + 3s).code() == code::continue_);
        CHECK(r.exchange_from(b, r.block(slice_of(body, 1024, 1024), 1, true, 6), t0 + 4s).code() ==
              code::request_entity_incomplete);
        CHECK(r.exchange_from(a, r.block(slice_of(body, 2048, 952), 2, false, 6), t0 + 5s).code() == code::changed);
        CHECK(r.exchange_from(c, r.block(slice_of(body, 1024, 1024), 1, true, 6), t0 + 6s).code() == code::continue_);
        CHECK(r.exchange_from(c, r.block(slice_of(body, 2048, 952), 2, false, 6), t0 + 7s).code() == code::changed);
        REQUIRE(r.h.requests.size() == 2);
        CHECK(r.h.requests[0].peer == a);
        CHECK(r.h.requests[0].message.payload() == body);
        CHECK(r.h.requests[1].peer == c);
        CHECK(r.h.requests[1].message.payload() == body);
    }
}

} // namespace lwm2m::test::block1_tests
