// Property tests of exchange::endpoint over a lossy simulated network (sim_network.hpp):
// with 30 % loss plus duplication, reordering and jitter, for many seeds, every request
// completes exactly once or reports a timeout, and the server's handler never runs twice
// for one request (RFC 7252 §4.2 reliability + §4.5 deduplication: "process any request ...
// only once"). The same for CON notifications (RFC 7641 §4.5) and NON requests.
// doctest, no main here: link with a translation unit defining DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN.

#include <lwm2m/exchange/endpoint.hpp>

#include <doctest/doctest.h>

#include "endpoint_support.hpp"
#include "sim_network.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace std::chrono_literals;
using namespace lwm2m::test;
using lwm2m::errc;
using lwm2m::time_point;
using coap::code;
using mt = coap::message_type;

using limits = ex::endpoint_limits<>;
using endpoint_t = ex::endpoint<limits, seeded_random>;

/** The server: an "execute counter" per request id (the payload). */
struct counting_server {
    std::map<std::string, int> executed;
    int responses = 0;
    void on_request(ex::peer_id, const coap::message_view& m, ex::response& r) noexcept {
        const std::string id{lwm2m::as_chars(m.payload())};
        ++executed[id];
        r.code(code::changed);
        r.body().put(std::string_view{id});
    }
    void on_response(ex::request_handle, ex::peer_id, const lwm2m::result<coap::message_view>&) noexcept { ++responses; }
};

/** The client: what happened to each request it sent. */
struct tracking_client {
    std::map<std::uint32_t, std::string> outstanding;  // handle -> id
    std::map<std::string, int> completed, timed_out, other_errors;
    int unknown_handles = 0, wrong_payloads = 0, requests = 0;
    void on_request(ex::peer_id, const coap::message_view&, ex::response& r) noexcept {
        ++requests;
        r.code(code::not_found);
    }
    void on_response(ex::request_handle h, ex::peer_id, const lwm2m::result<coap::message_view>& m) noexcept {
        const auto it = outstanding.find(h.value);
        if (it == outstanding.end()) {
            ++unknown_handles;
            return;
        }
        const std::string id = it->second;
        outstanding.erase(it);
        if (m) {
            ++completed[id];
            if (m->code() != code::changed || lwm2m::as_chars(m->payload()) != id) ++wrong_payloads;
        } else if (m.error().code == errc::timeout) {
            ++timed_out[id];
        } else {
            ++other_errors[id];
        }
    }
};

struct run_stats {
    int completed = 0, timed_out = 0;
    std::size_t datagrams = 0, dropped = 0, duplicated = 0;
};

link_model lossy_model() {
    link_model m;
    m.loss = 0.30;
    m.duplicate = 0.10;
    m.reorder = 0.10;
    m.min_delay = 5ms;
    m.max_delay = 150ms;
    m.reorder_delay = 2s;
    return m;
}

/** Sends `count` requests of type `type` from one client to one server; checks the properties. */
run_stats run_requests(std::uint64_t seed, int count, mt type, const link_model& model) {
    sim_network net{seed, model, time_point{100s}};
    endpoint_t client{seeded_random{static_cast<std::uint32_t>(seed * 2 + 1)}};
    endpoint_t server{seeded_random{static_cast<std::uint32_t>(seed * 2 + 2)}};
    tracking_client ch;
    counting_server sh;
    net.add_endpoint(client, ch);
    const ex::peer_id server_addr = net.add_endpoint(server, sh);

    int issued = 0;
    std::vector<std::string> ids;
    ids.reserve(static_cast<std::size_t>(count));
    const time_point limit = net.now() + 20000s;
    while ((issued < count || !ch.outstanding.empty()) && net.now() < limit) {
        while (issued < count && client.pending_count() < limits::max_pending) {
            ids.push_back("req-" + std::to_string(seed) + "-" + std::to_string(issued));
            coap::message_builder<4> b;
            b.type(type).code(code::post).uri_path("exec").payload(std::string_view{ids.back()});
            const auto h = client.send_request(server_addr, b, net.now());
            REQUIRE(h.has_value());
            ch.outstanding[h->value] = ids.back();
            ++issued;
        }
        net.run_for(250ms);
        REQUIRE_FALSE(net.stalled());
    }

    CHECK(issued == count);
    CHECK(ch.outstanding.empty());
    CHECK(ch.unknown_handles == 0);
    CHECK(ch.wrong_payloads == 0);
    CHECK(ch.other_errors.empty());
    CHECK(ch.requests == 0);
    CHECK(sh.responses == 0);
    run_stats st;
    for (const std::string& id : ids) {
        CAPTURE(id);
        const int done = ch.completed.count(id) ? ch.completed.at(id) : 0;
        const int lost = ch.timed_out.count(id) ? ch.timed_out.at(id) : 0;
        const int runs = sh.executed.count(id) ? sh.executed.at(id) : 0;
        CHECK(done + lost == 1);  // exactly one outcome per request
        CHECK(runs <= 1);         // never executed twice
        if (done == 1) CHECK(runs == 1);
        st.completed += done;
        st.timed_out += lost;
    }
    CHECK(sh.executed.size() <= ids.size());
    for (const auto& t : net.trace()) {
        ++st.datagrams;
        st.dropped += t.dropped ? 1 : 0;
        st.duplicated += t.duplicate ? 1 : 0;
        CHECK(coap::parse(t.view()).has_value());  // everything sent is well-formed
    }
    return st;
}

} // namespace

TEST_CASE("lossy network: 200 CON requests, 30 % loss with duplication and reordering, many seeds") {
    run_stats total;
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
        CAPTURE(seed);
        const run_stats st = run_requests(seed, 200, mt::confirmable, lossy_model());
        total.completed += st.completed;
        total.timed_out += st.timed_out;
        total.datagrams += st.datagrams;
        total.dropped += st.dropped;
        total.duplicated += st.duplicated;
    }
    MESSAGE("completed " << total.completed << ", timed out " << total.timed_out << ", datagrams " << total.datagrams
                         << ", dropped " << total.dropped << ", duplicated " << total.duplicated);
    // Each attempt needs the request and the ACK through: 0.7^2 = 0.49, so about 0.51^5 = 3.5 %
    // of the exchanges give up after MAX_RETRANSMIT; far fewer than half, and some do.
    CHECK(total.completed + total.timed_out == 40 * 200);
    CHECK(total.timed_out > 0);
    CHECK(total.timed_out < 40 * 200 / 10);
    CHECK(total.dropped > total.datagrams / 5);
    CHECK(total.duplicated > 0);
}

TEST_CASE("lossy network: NON requests are answered at most once and otherwise time out") {
    run_stats total;
    for (std::uint64_t seed = 100; seed < 110; ++seed) {
        CAPTURE(seed);
        const run_stats st = run_requests(seed, 100, mt::non_confirmable, lossy_model());
        total.completed += st.completed;
        total.timed_out += st.timed_out;
    }
    MESSAGE("NON: completed " << total.completed << ", timed out " << total.timed_out);
    CHECK(total.completed + total.timed_out == 10 * 100);
    CHECK(total.timed_out > 0);  // 1 - 0.49 of them, roughly
}

TEST_CASE("lossless network: every CON request completes, each in one round trip") {
    link_model clean;
    clean.min_delay = clean.max_delay = 10ms;
    const run_stats st = run_requests(7, 200, mt::confirmable, clean);
    CHECK(st.completed == 200);
    CHECK(st.timed_out == 0);
    CHECK(st.datagrams == 400);
}

TEST_CASE("lossy network: two clients share one server; MIDs of different peers do not collide in the dedup cache") {
    // The dedup cache has a fixed capacity and replaces the entry that expires first when full
    // (dedup_cache.hpp). Two clients at full speed with 2 s reordering outrun 16 entries (a
    // delayed duplicate then finds its entry replaced and runs again: seeds 203, 205, 210 with
    // the default of 16), so the server is sized for its load here, as an application must.
    using server_limits = ex::endpoint_limits<1152, 8, 64>;
    for (std::uint64_t seed = 200; seed < 220; ++seed) {
        CAPTURE(seed);
        sim_network net{seed, lossy_model(), time_point{100s}};
        // Both clients start from the same MID (same random seed): dedup must key on the peer.
        endpoint_t c1{seeded_random{5}}, c2{seeded_random{5}};
        ex::endpoint<server_limits, seeded_random> server{seeded_random{static_cast<std::uint32_t>(seed)}};
        tracking_client h1, h2;
        counting_server sh;
        net.add_endpoint(c1, h1);
        net.add_endpoint(c2, h2);
        const ex::peer_id s = net.add_endpoint(server, sh);
        int issued1 = 0, issued2 = 0;
        std::vector<std::string> ids;
        const auto top_up = [&](endpoint_t& c, tracking_client& h, int& issued, const char* name) {
            while (issued < 60 && c.pending_count() < limits::max_pending) {
                ids.push_back(std::string{name} + std::to_string(issued++));
                coap::message_builder<4> b;
                b.type(mt::confirmable).code(code::post).payload(std::string_view{ids.back()});
                const auto hd = c.send_request(s, b, net.now());
                REQUIRE(hd);
                h.outstanding[hd->value] = ids.back();
            }
        };
        const time_point limit = net.now() + 20000s;
        while ((issued1 < 60 || issued2 < 60 || !h1.outstanding.empty() || !h2.outstanding.empty()) && net.now() < limit) {
            top_up(c1, h1, issued1, "one-");
            top_up(c2, h2, issued2, "two-");
            net.run_for(250ms);
        }
        CHECK(h1.outstanding.empty());
        CHECK(h2.outstanding.empty());
        for (const std::string& id : ids) {
            CAPTURE(id);
            const tracking_client& h = id[0] == 'o' ? h1 : h2;
            const int done = h.completed.count(id) ? h.completed.at(id) : 0;
            const int lost = h.timed_out.count(id) ? h.timed_out.at(id) : 0;
            CHECK(done + lost == 1);
            const int runs = sh.executed.count(id) ? sh.executed.at(id) : 0;
            CHECK(runs <= 1);
            if (done) CHECK(runs == 1);
        }
        CHECK(h1.wrong_payloads + h2.wrong_payloads == 0);
    }
}

namespace {

/** Observer side: counts the notifications delivered per sequence number. */
struct observer_handler {
    std::map<std::uint32_t, int> delivered;  // Observe value -> times delivered
    int errors = 0;
    void on_request(ex::peer_id, const coap::message_view&, ex::response& r) noexcept { r.code(code::not_found); }
    void on_response(ex::request_handle, ex::peer_id, const lwm2m::result<coap::message_view>& m) noexcept {
        if (!m) {
            ++errors;
            return;
        }
        if (const auto seq = m->observe()) ++delivered[*seq];
    }
};

/** Notifier side: one report per notification. */
struct notifier_handler {
    std::map<std::uint32_t, std::uint32_t> seq_of;  // handle -> Observe value
    std::map<std::uint32_t, int> acked, failed;
    int unknown = 0;
    void on_request(ex::peer_id, const coap::message_view& m, ex::response& r) noexcept {
        // The observe registration: 2.05 with Observe 1.
        r.options().observe(1);
        r.body().put(lwm2m::as_chars(m.payload()));
    }
    void on_response(ex::request_handle h, ex::peer_id, const lwm2m::result<coap::message_view>& m) noexcept {
        const auto it = seq_of.find(h.value);
        if (it == seq_of.end()) {
            ++unknown;
            return;
        }
        if (m) ++acked[it->second];
        else ++failed[it->second];
    }
};

} // namespace

TEST_CASE("lossy network: CON notifications to a held observation: each delivered at most once, each reported once") {
    for (std::uint64_t seed = 300; seed < 315; ++seed) {
        CAPTURE(seed);
        sim_network net{seed, lossy_model(), time_point{100s}};
        endpoint_t client{seeded_random{static_cast<std::uint32_t>(seed)}};
        endpoint_t server{seeded_random{static_cast<std::uint32_t>(seed + 1000)}};
        observer_handler oh;
        notifier_handler nh;
        const ex::peer_id client_addr = net.add_endpoint(client, oh);
        const ex::peer_id server_addr = net.add_endpoint(server, nh);

        // Register (retry until the observation is established: the GET itself may time out).
        std::optional<coap::token> token;
        for (int attempt = 0; attempt < 10 && !token; ++attempt) {
            coap::message_builder<4> g;
            g.type(mt::confirmable).code(code::get).observe(0).uri_path("obs");
            REQUIRE(client.send_request(server_addr, g, net.now()));
            net.run_for(100s);
            for (const auto& t : net.trace())
                if (t.to == client_addr && t.delivered) {
                    const auto m = coap::parse(t.view());
                    if (m && m->type() == mt::acknowledgement && m->code() == code::content && m->observe())
                        token = coap::token{m->token()};
                }
        }
        REQUIRE(token.has_value());

        std::uint32_t next_seq = 2;
        const time_point limit = net.now() + 20000s;
        while ((next_seq < 102 || server.pending_count() > 0) && net.now() < limit) {
            while (next_seq < 102 && server.pending_count() < limits::max_pending) {
                coap::message_builder<4> n;
                n.code(code::content).observe(next_seq).payload(std::string_view{"v"});
                const auto h = server.send_notification(client_addr, *token, n, true, net.now());
                REQUIRE(h);
                nh.seq_of[h->value] = next_seq++;
            }
            net.run_for(250ms);
        }
        CHECK(nh.unknown == 0);
        int acked = 0;
        for (std::uint32_t seq = 2; seq < 102; ++seq) {
            CAPTURE(seq);
            const int a = nh.acked.count(seq) ? nh.acked.at(seq) : 0;
            const int f = nh.failed.count(seq) ? nh.failed.at(seq) : 0;
            CHECK(a + f == 1);
            const int d = oh.delivered.count(seq) ? oh.delivered.at(seq) : 0;
            CHECK(d <= 1);
            if (a == 1) CHECK(d == 1);
            acked += a;
        }
        CHECK(acked > 80);
        CHECK(oh.errors == 0);
    }
}
