// Interop: DTLS 1.2 in PSK mode (transport/dtls_openssl.hpp) against libcoap's OpenSSL
// programs from Debian's libcoap3-bin, on 127.0.0.1:
// - the example client registers over coaps:// with `coap-rd-openssl` (a CoRE Resource
//   Directory: it answers POST /rd?ep=... with 2.01 like an LwM2M server) and negotiates
//   TLS_PSK_WITH_AES_128_CCM_8, the suite LwM2M mandates; with a wrong key nothing registers;
// - the adapter alone against `coap-server-openssl`: a GET answered through the session, a
//   replayed record and a tampered record dropped (RFC 6347 §4.1.2.6, §4.1.2.7), the session
//   still usable afterwards;
// - the example server with --psk: libcoap's `coap-client-openssl` registers through it (a
//   wrong key registers nothing), and the example client registers, is read and de-registers;
//   when the server restarts, the client starts a new session and registers again.
// Every process is bounded in time and stopped at the end; the tests wait for what the
// programs print (an event, a log line), not for fixed times.
// Needs: LWM2M_CLIENT_EXE and LWM2M_SERVER_EXE (or the environment variables), coap-rd-openssl,
// coap-server-openssl and coap-client-openssl on PATH; skipped with a message when one is missing.
#include "../support/libcoap_tools.hpp"
#include "../support/line_process.hpp"

#include <doctest/doctest.h>

#include <lwm2m/coap/message_builder.hpp>
#include <lwm2m/coap/parse.hpp>
#include <lwm2m/transport/dtls_openssl.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using lwm2m::test::line_process;
using lwm2m::test::libcoap_tools::bootstrap_server_exe;
using lwm2m::test::libcoap_tools::client_exe;
using lwm2m::test::libcoap_tools::free_port;
using lwm2m::test::libcoap_tools::on_path;
using lwm2m::test::libcoap_tools::read_file;
using lwm2m::test::libcoap_tools::run;
using lwm2m::test::libcoap_tools::server_exe;
using namespace std::chrono_literals;

/** True once the file at `path` holds `text`, within `limit`. */
bool file_gets(const std::string& path, const std::string& text, std::chrono::milliseconds limit = 5s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (read_file(path).find(text) == std::string::npos) {
        if (std::chrono::steady_clock::now() > end) return false;
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

/** A libcoap program in the background, bounded by `timeout`, killed when this goes. */
class background {
public:
    background(const std::string& command, const std::string& log) {
        const std::string pid_file = log + ".pid";
        std::system(("(" + command + " >" + log + " 2>&1 & echo $! >" + pid_file + ")").c_str());
        pid_ = std::atoi(read_file(pid_file).c_str());
        std::this_thread::sleep_for(400ms);  // let it bind
    }
    ~background() {
        if (pid_ > 0) std::system(("kill " + std::to_string(pid_) + " 2>/dev/null").c_str());
    }

private:
    int pid_ = 0;
};

bool have_tools() {
    if (!on_path("coap-rd-openssl") || !on_path("coap-server-openssl") || !on_path("coap-client-openssl")) {
        MESSAGE("SKIPPED: coap-rd-openssl / coap-server-openssl / coap-client-openssl not found (apt install libcoap3-bin)");
        return false;
    }
    return true;
}

const std::string psk_key = "lwm2m-interop-secret";

} // namespace

TEST_CASE("lwm2m-client registers over DTLS 1.2 PSK (AES-128-CCM-8) with libcoap's coap-rd-openssl") {
    const std::string exe = client_exe();
    if (!have_tools() || !lwm2m::test::libcoap_tools::executable(exe)) {
        if (!lwm2m::test::libcoap_tools::executable(exe)) MESSAGE("SKIPPED: lwm2m-client not built");
        return;
    }
    const std::uint16_t port = free_port();
    const std::string log = "/tmp/lwm2m-dtls-rd-" + std::to_string(port) + ".log";
    background rd{"timeout 30 coap-rd-openssl -A 127.0.0.1 -p " + std::to_string(port) + " -k " + psk_key + " -v 7", log};
    const std::string server = "coaps://127.0.0.1:" + std::to_string(port + 1);

    // The example client, its log (stderr) read line by line.
    const auto client = [&](const std::string& endpoint, const std::string& key) {
        return std::make_unique<line_process>(std::vector<std::string>{exe, "--server", server, "--endpoint", endpoint,
                                                                       "--lifetime", "4", "--psk-identity", endpoint + "-id",
                                                                       "--psk-key", key},
                                              true);
    };
    SUBCASE("the right key: the session carries Register") {
        const auto c = client("dtls-it", psk_key);
        const std::string registered = c->wait_for({"registered (2.01)"}, 5s);
        c->kill();  // (coap-rd does not answer a De-register)
        INFO(c->transcript());
        CHECK(!registered.empty());
        CHECK(c->transcript().find("DTLS session up (PSK-AES128-CCM8)") != std::string::npos);
        CHECK(file_gets(log, "ep=dtls-it"));  // our plaintext, decrypted by libcoap
        const std::string server_log = read_file(log);
        INFO(server_log);
        CHECK(server_log.find("got psk_identity: 'dtls-it-id'") != std::string::npos);
    }
    SUBCASE("a wrong key: no session, nothing registered, nothing readable reaches the server") {
        const auto c = client("dtls-bad", "wrong-key");
        CHECK(file_gets(log, "got psk_identity: 'dtls-bad-id'"));  // it tried
        // The handshake fails on the key; a registration that would wrongly follow has a second to show.
        std::this_thread::sleep_for(1s);
        c->kill();
        INFO(c->transcript());
        CHECK(c->transcript().find("DTLS session up") == std::string::npos);
        CHECK(c->transcript().find("registered (2.01)") == std::string::npos);
        const std::string server_log = read_file(log);
        INFO(server_log);
        CHECK(server_log.find("ep=dtls-bad") == std::string::npos);
    }
}

namespace {

/** A UDP socket on 127.0.0.1 talking to one port. */
class udp_socket {
public:
    explicit udp_socket(std::uint16_t peer_port) {
        fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
        peer_.sin_family = AF_INET;
        peer_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        peer_.sin_port = htons(peer_port);
        REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&peer_), sizeof peer_) == 0);
    }
    ~udp_socket() { ::close(fd_); }
    void send(lwm2m::bytes_view d) { REQUIRE(::send(fd_, d.data(), d.size(), 0) == static_cast<ssize_t>(d.size())); }
    /** One datagram within `wait`, or an empty vector. */
    std::vector<std::byte> receive(std::chrono::milliseconds wait) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return {};
        std::vector<std::byte> d(2048);
        const ssize_t n = ::recv(fd_, d.data(), d.size(), 0);
        d.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
        return d;
    }

private:
    int fd_ = -1;
    sockaddr_in peer_{};
};

lwm2m::time_point now() { return lwm2m::from_chrono(std::chrono::steady_clock::now()); }

void send_records(lwm2m::transport::dtls_psk_client& dtls, udp_socket& s) {
    std::vector<std::byte> rec(2048);
    while (auto n = dtls.poll_record(rec)) s.send(lwm2m::bytes_view{rec.data(), *n});
}

/** A CON GET /.well-known/core with Message ID `mid`, plaintext. */
std::vector<std::byte> get_core(std::uint16_t mid) {
    lwm2m::coap::message_builder<4> b;
    const std::byte token[] = {std::byte{0x42}};
    b.type(lwm2m::coap::message_type::confirmable).code(lwm2m::coap::code::get).message_id(mid).token(token);
    b.uri_path(".well-known").uri_path("core");
    std::vector<std::byte> out(256);
    const auto n = b.serialize(out);
    REQUIRE(n.has_value());
    out.resize(*n);
    return out;
}

/** Sends GET /.well-known/core through the session and returns the record datagram that answers it. */
std::vector<std::byte> request_record(lwm2m::transport::dtls_psk_client& dtls, udp_socket& s, std::uint16_t mid) {
    REQUIRE(dtls.write_datagram(get_core(mid)).has_value());
    send_records(dtls, s);
    auto rec = s.receive(3000ms);
    REQUIRE(!rec.empty());
    return rec;
}

} // namespace

TEST_CASE("dtls_psk_client against coap-server-openssl: a request answered, replayed and tampered records dropped") {
    if (!have_tools()) return;
    const std::uint16_t port = free_port();
    const std::string log = "/tmp/lwm2m-dtls-server-" + std::to_string(port) + ".log";
    background server{"timeout 20 coap-server-openssl -A 127.0.0.1 -p " + std::to_string(port) + " -k " + psk_key, log};
    udp_socket s{static_cast<std::uint16_t>(port + 1)};

    lwm2m::transport::dtls_psk_client dtls;
    lwm2m::transport::psk_credentials creds;
    creds.identity = "adapter-test";
    for (const char c : psk_key) creds.key.push_back(static_cast<std::byte>(c));
    REQUIRE(dtls.connect(creds, now()).has_value());
    send_records(dtls, s);
    const auto give_up = std::chrono::steady_clock::now() + 5s;
    while (!dtls.connected() && std::chrono::steady_clock::now() < give_up) {
        if (auto rec = s.receive(100ms); !rec.empty()) REQUIRE(dtls.on_record(rec, now()).has_value());
        if (auto d = dtls.next_deadline(); d && *d <= now()) dtls.on_timeout(now());
        send_records(dtls, s);
    }
    REQUIRE(dtls.connected());
    CHECK(dtls.cipher() == "PSK-AES128-CCM8");

    std::vector<std::byte> plain(2048);
    const auto record = request_record(dtls, s, 0x1234);
    REQUIRE(dtls.on_record(record, now()).has_value());
    const auto n = dtls.read_datagram(plain);
    REQUIRE(n.has_value());
    const auto msg = lwm2m::coap::parse(lwm2m::bytes_view{plain.data(), *n});
    REQUIRE(msg.has_value());
    CHECK(msg->message_id() == 0x1234);
    CHECK(msg->code() == lwm2m::coap::code::content);
    CHECK(lwm2m::as_chars(msg->payload()).find("</") != std::string_view::npos);

    // The same record again: a replay, dropped (RFC 6347 §4.1.2.6).
    REQUIRE(dtls.on_record(record, now()).has_value());
    CHECK(!dtls.read_datagram(plain).has_value());
    CHECK(dtls.connected());

    // A fresh record with one ciphertext bit flipped: fails its integrity check, dropped
    // (RFC 6347 §4.1.2.7); the genuine record still reads afterwards.
    const auto second = request_record(dtls, s, 0x1235);
    auto tampered = second;
    tampered.back() ^= std::byte{0x01};
    REQUIRE(dtls.on_record(tampered, now()).has_value());
    CHECK(!dtls.read_datagram(plain).has_value());
    CHECK(dtls.connected());
    REQUIRE(dtls.on_record(second, now()).has_value());
    const auto m = dtls.read_datagram(plain);
    REQUIRE(m.has_value());
    const auto msg2 = lwm2m::coap::parse(lwm2m::bytes_view{plain.data(), *m});
    REQUIRE(msg2.has_value());
    CHECK(msg2->message_id() == 0x1235);

    dtls.close();
    send_records(dtls, s);
    CHECK(dtls.current_state() == lwm2m::transport::dtls_state::closed);
}

namespace {

/**
 * The example server with `--psk` on `port`: its stdout (events and replies, one JSON line
 * each) read line by line, its stderr (logs) in a file.
 */
class psk_server : public line_process {
public:
    psk_server(std::uint16_t port, const std::string& psk)
        : line_process({server_exe(), "--port", std::to_string(port), "--psk", psk}, false, log_path(port)), port_(port) {}
    static std::string log_path(std::uint16_t port) { return "/tmp/lwm2m-dtls-srv-" + std::to_string(port) + ".err"; }
    std::string log() const { return read_file(log_path(port_)); }
    /** True once it listens with DTLS (within 5 s). */
    bool ready() const { return file_gets(log_path(port_), "DTLS 1.2 PSK on the port"); }

private:
    std::uint16_t port_;
};

/** The example client over coaps:// to `port` as `endpoint` with identity `identity`: its log (stderr) read line by line. */
std::unique_ptr<line_process> psk_client(std::uint16_t port, const std::string& endpoint, const std::string& identity) {
    return std::make_unique<line_process>(std::vector<std::string>{client_exe(), "--server", "coaps://127.0.0.1:" + std::to_string(port),
                                                                   "--endpoint", endpoint, "--psk-identity", identity,
                                                                   "--psk-key", psk_key},
                                          true);
}

bool have_programs() {
    if (!have_tools()) return false;
    if (!lwm2m::test::libcoap_tools::executable(client_exe()) || !lwm2m::test::libcoap_tools::executable(server_exe())) {
        MESSAGE("SKIPPED: lwm2m-client / lwm2m-server not built");
        return false;
    }
    return true;
}

} // namespace

TEST_CASE("lwm2m-server over DTLS 1.2 PSK: libcoap's coap-client-openssl registers; a wrong key, another endpoint name do not") {
    if (!have_programs()) return;
    const std::uint16_t port = free_port();
    psk_server server{port, "libcoap-ep=coap-id:" + psk_key};
    REQUIRE(server.ready());
    const std::string uri = "coaps://127.0.0.1:" + std::to_string(port);
    const std::string good = run("timeout 4 coap-client-openssl -B 3 -u coap-id -k " + psk_key +
                                 " -m post -t 40 -e '</3/0>,</1/0>' '" + uri + "/rd?ep=libcoap-ep&lt=60&lwm2m=1.1'");
    const std::string bad = run("timeout 4 coap-client-openssl -B 3 -u coap-id -k not-the-key -m post -t 40 -e '</3/0>' '" +
                                uri + "/rd?ep=wrong-key-ep&lt=60'");
    // The right credentials, but for another endpoint name: 4.03 (LwM2M 1.1 Core §6.2.1, §7.1).
    const std::string other = run("timeout 4 coap-client-openssl -B 3 -u coap-id -k " + psk_key +
                                  " -m post -t 40 -e '</3/0>' '" + uri + "/rd?ep=someone-else&lt=60'");
    (void)server.stop();
    const std::string events = server.transcript();
    INFO("good: " << good);
    INFO("bad: " << bad);
    INFO("other: " << other);
    INFO("events: " << events);
    INFO("log: " << server.log());
    CHECK(events.find(R"("event":"registered","ep":"libcoap-ep")") != std::string::npos);
    CHECK(events.find("wrong-key-ep") == std::string::npos);
    CHECK(events.find("someone-else") == std::string::npos);
    CHECK(other.find("4.03") != std::string::npos);
    CHECK(server.log().find("identity 'coap-id'") != std::string::npos);
}

TEST_CASE("lwm2m-client and lwm2m-server over DTLS 1.2 PSK: register, read, de-register") {
    if (!have_programs()) return;
    const std::uint16_t port = free_port();
    psk_server server{port, "secure-light=light-id:" + psk_key};
    REQUIRE(server.ready());
    const auto client = psk_client(port, "secure-light", "light-id");
    const std::string registered = server.wait_for({R"("event":"registered","ep":"secure-light")"});
    server.send(R"({"id":1,"op":"read","ep":"secure-light","path":"/3/0/0"})");
    const std::string read = server.wait_for({R"("id":1,)"});
    (void)client->stop();  // SIGTERM: the client de-registers
    const std::string deregistered = server.wait_for({R"("event":"deregistered","ep":"secure-light")"});
    (void)server.stop();
    INFO("client: " << client->transcript());
    INFO("events: " << server.transcript());
    CHECK(!registered.empty());
    CHECK(read.find(R"("id":1,"ep":"secure-light","status":"2.05","content":[{"n":"/3/0/0","vs":"lwm2m toolkit"}])") !=
          std::string::npos);
    CHECK(!deregistered.empty());
    CHECK(client->transcript().find("DTLS session up") != std::string::npos);
}

TEST_CASE("lwm2m-server restarts: its close_notify makes lwm2m-client start a new DTLS session and register again") {
    // The server ends every session with close_notify when it stops (RFC 5246 §7.2.1); the
    // client starts a new handshake at once (its retransmissions reach the restarted server)
    // and sends an Update through the new session, which the restarted server answers 4.04
    // (it lost the registration), so the client registers again within seconds instead of
    // waiting for its next Update.
    if (!have_programs()) return;
    const std::uint16_t port = free_port();
    const std::string psk = "phoenix=phoenix-id:" + psk_key;
    const std::string registered = R"("event":"registered","ep":"phoenix")";
    auto first = std::make_unique<psk_server>(port, psk);
    REQUIRE(first->ready());
    const auto client = psk_client(port, "phoenix", "phoenix-id");
    const std::string before = first->wait_for({registered});
    (void)first->stop();  // SIGTERM: close_notify to every session
    const std::string events_before = first->transcript();
    first.reset();
    psk_server second{port, psk};
    REQUIRE(second.ready());
    const std::string after = second.wait_for({registered});
    (void)client->stop();
    const std::string deregistered = second.wait_for({R"("event":"deregistered","ep":"phoenix")"});
    (void)second.stop();
    const std::string log = client->transcript();
    INFO("client: " << log);
    INFO("before the restart: " << events_before);
    INFO("after the restart: " << second.transcript());
    CHECK(!before.empty());
    CHECK(log.find("DTLS session closed by the server") != std::string::npos);
    CHECK(log.find("DTLS session renewed") != std::string::npos);
    CHECK(log.find("update failed (4.04)") != std::string::npos);
    CHECK(!after.empty());
    CHECK(!deregistered.empty());
}

namespace {

/** Moves every record the client has to the server as `peer`, and back; `rounds` times. */
void pump(lwm2m::transport::dtls_psk_client& c, lwm2m::transport::dtls_psk_server& s, lwm2m::exchange::peer_id peer,
          lwm2m::time_point t, int rounds = 8) {
    std::vector<std::byte> buf(2048);
    for (int i = 0; i < rounds; ++i) {
        while (auto n = c.poll_record(buf)) s.on_record(peer, lwm2m::bytes_view{buf.data(), *n}, t);
        while (auto r = s.poll_record(buf)) {
            if (r->peer == peer) (void)c.on_record(lwm2m::bytes_view{buf.data(), r->size}, t);
        }
    }
}

lwm2m::transport::psk_credentials credentials(std::string identity, std::string_view key) {
    return {std::move(identity), lwm2m::transport::psk_key_from_text(key)};
}

} // namespace

TEST_CASE("dtls_psk_server: keys by identity, wrong keys and unknown identities fail, unfinished handshakes make room") {
    using lwm2m::exchange::peer_id;
    using lwm2m::transport::dtls_psk_client;
    using lwm2m::transport::dtls_psk_server;
    const lwm2m::time_point t0{};
    dtls_psk_server server{[](std::string_view identity) -> std::optional<std::vector<std::byte>> {
                               if (identity == "alice") return lwm2m::transport::psk_key_from_text("alice-key");
                               if (identity == "bob") return lwm2m::transport::psk_key_from_hex("00112233445566778899aabbccddeeff");
                               return std::nullopt;
                           },
                           2};
    REQUIRE(server.open().has_value());

    SUBCASE("two identities, each with its own key; plaintext both ways") {
        dtls_psk_client alice, bob;
        REQUIRE(alice.connect(credentials("alice", "alice-key"), t0).has_value());
        REQUIRE(bob.connect({"bob", *lwm2m::transport::psk_key_from_hex("00112233445566778899AABBCCDDEEFF")}, t0).has_value());
        pump(alice, server, peer_id{1}, t0);
        pump(bob, server, peer_id{2}, t0);
        REQUIRE(alice.connected());
        REQUIRE(bob.connected());
        CHECK(server.identity(peer_id{1}) == std::optional<std::string_view>{"alice"});
        CHECK(server.identity(peer_id{2}) == std::optional<std::string_view>{"bob"});
        const std::byte hello[] = {std::byte{0x40}, std::byte{0x01}, std::byte{0x12}, std::byte{0x34}};
        REQUIRE(alice.write_datagram(hello).has_value());
        pump(alice, server, peer_id{1}, t0, 1);
        std::vector<std::byte> buf(64);
        const auto got = server.read_datagram(buf);
        REQUIRE(got.has_value());
        CHECK(got->peer == peer_id{1});
        CHECK(std::vector<std::byte>(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(got->size)) ==
              std::vector<std::byte>(std::begin(hello), std::end(hello)));
        REQUIRE(server.write_datagram(peer_id{2}, hello).has_value());
        pump(bob, server, peer_id{2}, t0, 1);
        const auto back = bob.read_datagram(buf);
        REQUIRE(back.has_value());
        CHECK(*back == sizeof hello);
        CHECK(!server.write_datagram(peer_id{9}, hello).has_value());  // no session with that peer
    }
    SUBCASE("a wrong key never completes (its Finished does not decrypt) and expires; an unknown identity is refused") {
        dtls_psk_client wrong, stranger;
        REQUIRE(wrong.connect(credentials("alice", "not-alice-key"), t0).has_value());
        REQUIRE(stranger.connect(credentials("mallory", "alice-key"), t0).has_value());
        pump(wrong, server, peer_id{1}, t0);
        pump(stranger, server, peer_id{2}, t0);
        CHECK(!wrong.connected());
        CHECK(!stranger.connected());
        CHECK(!server.identity(peer_id{1}));
        CHECK(!server.identity(peer_id{2}));
        // The unknown identity gets a fatal alert: both sides fail, the server drops the session.
        CHECK(stranger.current_state() == lwm2m::transport::dtls_state::failed);
        // The wrong key's records fail their check and are dropped silently (RFC 6347 §4.1.2.7):
        // the handshake stays unfinished until handshake_lifetime, then it is dropped too.
        CHECK(server.session_count() == 1);
        server.on_timeout(t0 + dtls_psk_server::handshake_lifetime);
        CHECK(server.session_count() == 0);
    }
    SUBCASE("ClientHellos that never finish: the oldest makes room for a real client, the rest expire") {
        std::vector<std::byte> buf(2048);
        dtls_psk_client spoof1, spoof2;
        REQUIRE(spoof1.connect(credentials("x", "y"), t0).has_value());
        REQUIRE(spoof2.connect(credentials("x", "y"), t0).has_value());
        // Their ClientHellos arrive, their HelloVerifyRequests go nowhere.
        if (auto n = spoof1.poll_record(buf)) server.on_record(peer_id{11}, lwm2m::bytes_view{buf.data(), *n}, t0);
        if (auto n = spoof2.poll_record(buf)) server.on_record(peer_id{12}, lwm2m::bytes_view{buf.data(), *n}, t0 + 1s);
        while (server.poll_record(buf)) {
        }
        CHECK(server.session_count() == 2);
        dtls_psk_client alice;
        REQUIRE(alice.connect(credentials("alice", "alice-key"), t0 + 2s).has_value());
        pump(alice, server, peer_id{1}, t0 + 2s);
        CHECK(alice.connected());
        CHECK(server.session_count() == 2);  // peer 11 gave way
        const auto deadline = server.next_deadline();
        REQUIRE(deadline.has_value());
        CHECK(*deadline <= t0 + 1s + dtls_psk_server::handshake_lifetime);
        server.on_timeout(t0 + 1s + dtls_psk_server::handshake_lifetime);
        CHECK(server.session_count() == 1);  // peer 12's handshake expired; alice stays
        CHECK(server.identity(peer_id{1}) == std::optional<std::string_view>{"alice"});
    }
}

TEST_CASE("Bootstrap over DTLS: lwm2m-client gets a PSK account from lwm2m-bootstrap-server over coaps://, then registers with lwm2m-server over its own DTLS session") {
    // Core §6.1 with Security Mode 0 (Appendix E.1): the Bootstrap-Server writes the DM
    // server's coaps:// URI, PSK identity (/0/1/3) and key (/0/1/5); the client sets up a
    // second session with them. An endpoint name the bootstrap identity is not given for gets
    // no configuration (4.00), so it is not bootstrapped.
    if (!have_programs()) return;
    const std::string bs_exe = bootstrap_server_exe();
    if (!lwm2m::test::libcoap_tools::executable(bs_exe)) {
        MESSAGE("SKIPPED: lwm2m-bootstrap-server not built");
        return;
    }
    const std::uint16_t dm_port = free_port();
    psk_server server{dm_port, "bs-light=dm-id:" + psk_key};
    REQUIRE(server.ready());
    const std::uint16_t bs_port = free_port();
    const std::string bs_log = "/tmp/lwm2m-dtls-bs-" + std::to_string(bs_port) + ".err";
    std::string dm_key_hex;
    for (unsigned char c : psk_key) {
        char h[3];
        std::snprintf(h, sizeof h, "%02x", c);
        dm_key_hex += h;
    }
    line_process bootstrap{{bs_exe, "--port", std::to_string(bs_port), "--server-uri", "coaps://127.0.0.1:" + std::to_string(dm_port),
                            "--psk", "dm-id:" + dm_key_hex, "--dtls-psk", "bs-light=bs-id:bs-secret"},
                           false, bs_log};
    REQUIRE(file_gets(bs_log, "DTLS 1.2 PSK on the port"));
    const auto bootstrapping_client = [&](const std::string& endpoint) {
        return std::make_unique<line_process>(
            std::vector<std::string>{client_exe(), "--bootstrap", "coaps://127.0.0.1:" + std::to_string(bs_port), "--endpoint",
                                     endpoint, "--psk-identity", "bs-id", "--psk-key", "bs-secret"},
            true);
    };
    const auto intruder = bootstrapping_client("someone-else");
    const std::string refused = bootstrap.wait_for({R"("ep":"someone-else")"});
    const std::string refused_answer = intruder->wait_for({"<< "}, 5s);
    (void)intruder->stop();

    const auto client = bootstrapping_client("bs-light");
    const std::string finished = bootstrap.wait_for({R"("event":"bootstrap-finished","ep":"bs-light")"}, 15s);
    const std::string registered = server.wait_for({R"("event":"registered","ep":"bs-light")"}, 15s);
    server.send(R"({"id":1,"op":"read","ep":"bs-light","path":"/3/0/0"})");
    const std::string read = server.wait_for({R"("id":1,)"});
    (void)client->stop();  // SIGTERM: de-registers through the DM session
    const std::string deregistered = server.wait_for({R"("event":"deregistered","ep":"bs-light")"});
    (void)server.stop();
    (void)bootstrap.stop();
    const std::string log = client->transcript();
    INFO("client: " << log);
    INFO("intruder: " << intruder->transcript());
    INFO("bootstrap server: " << bootstrap.transcript() << read_file(bs_log));
    INFO("server: " << server.transcript());
    CHECK(refused == R"({"event":"bootstrap-request","ep":"someone-else","pct":"-"})");
    CHECK(refused_answer.find("4.00") != std::string::npos);
    CHECK(bootstrap.transcript().find(R"("ep":"someone-else","op")") == std::string::npos);
    CHECK(!finished.empty());
    CHECK(bootstrap.transcript().find(R"({"event":"operation","ep":"bs-light","op":"write","path":"/0/1","status":"2.04"})") !=
          std::string::npos);
    CHECK(log.find("bootstrapped: LwM2M server coaps://127.0.0.1:" + std::to_string(dm_port)) != std::string::npos);
    CHECK(!registered.empty());
    CHECK(read.find(R"("status":"2.05","content":[{"n":"/3/0/0","vs":"lwm2m toolkit"}])") != std::string::npos);
    CHECK(!deregistered.empty());
    CHECK(server.log().find("identity 'dm-id'") != std::string::npos);
}
