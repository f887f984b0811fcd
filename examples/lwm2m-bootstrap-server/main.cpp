// lwm2m-bootstrap-server: an example LwM2M Bootstrap-Server on the sans-I/O engine
// (lwm2m/bootstrap.hpp) and the POSIX UDP adapter (lwm2m/transport/posix_udp.hpp).
//
//   lwm2m-bootstrap-server --server-uri URI [--port P] [--ssid N] [--lifetime S] [--binding B]
//                          [--psk IDENTITY:HEXKEY] [--security-instance N] [--server-instance N]
//                          [--endpoint EP ...] [--exit-after N] [--verbose]
//                          [--dtls-psk [EP=]IDENTITY:KEY | --dtls-psk-hex [EP=]IDENTITY:HEX ...]
//
// Every client that sends a Bootstrap-Request (POST /bs?ep=..., Core §6.1.3) gets the usual
// configuration (bootstrap::dm_server_configuration): Bootstrap-Delete "/", then one LwM2M
// Server account (Security instance with URI, NoSec or PSK, Short Server ID; Server instance
// with lifetime and binding), then Bootstrap-Finish. With --endpoint (repeatable) only those
// endpoint names are served; others get 4.00. Events are printed on stdout, one JSON line each:
//   {"event":"bootstrap-request","ep":"dev-1","pct":"-"}
//   {"event":"operation","ep":"dev-1","op":"write","path":"/0/1","status":"2.04"}
//   {"event":"bootstrap-finished","ep":"dev-1"}
//   {"event":"bootstrap-failed","ep":"dev-1","op":"finish","status":"4.06","error":"rejected_by_peer"}
// With --dtls-psk / --dtls-psk-hex (repeatable; built when OpenSSL is found) the port speaks
// DTLS 1.2 in PSK mode only (transport/dtls_openssl.hpp), as lwm2m-server's --psk: a
// Bootstrap-Request is served only for the endpoint name given with the identity of its
// session (EP=, by default the identity itself); others get 4.00.
// --exit-after N stops after N sessions ended; SIGINT/SIGTERM stop it too. --verbose logs
// every datagram on stderr.
//
// Example code: uses the standard library freely (the engine itself never allocates).

#include <lwm2m/bootstrap.hpp>
#include <lwm2m/transport/posix_udp.hpp>

#include "../common/psk_option.hpp"

#include <signal.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace bs = lwm2m::bootstrap;

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_signal(int) { g_stop = 1; }

lwm2m::time_point now() { return lwm2m::from_chrono(std::chrono::steady_clock::now()); }

struct random_source {
    std::mt19937* g;
    std::uint32_t operator()() { return static_cast<std::uint32_t>((*g)()); }
};

std::string_view op_name(bs::operation op) {
    switch (op) {
    case bs::operation::remove: return "delete";
    case bs::operation::write: return "write";
    case bs::operation::discover: return "discover";
    case bs::operation::read: return "read";
    case bs::operation::finish: return "finish";
    }
    return "?";
}

// Endpoint names are printed as they came; a name with a quote or a backslash is cut there.
std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) break;
        out += c;
    }
    return out + "\"";
}

struct handler {
    const bs::configuration* config = nullptr;
    std::set<std::string, std::less<>> endpoints;  // empty: every endpoint
    std::function<bool(lwm2m::exchange::peer_id, std::string_view)> authorize;  // DTLS: the session's identity may bootstrap the endpoint
    std::size_t ended = 0;

    const bs::configuration* configuration_for(const bs::bootstrap_request& q) {
        std::printf("{\"event\":\"bootstrap-request\",\"ep\":%s,\"pct\":\"%s\"}\n", quoted(q.endpoint).c_str(),
                    q.preferred_format ? std::to_string(static_cast<unsigned>(*q.preferred_format)).c_str() : "-");
        std::fflush(stdout);
        if (!endpoints.empty() && endpoints.find(q.endpoint) == endpoints.end()) return nullptr;
        if (authorize && !authorize(q.peer, q.endpoint)) return nullptr;
        return config;
    }
    void on_operation(const bs::operation_result& r) {
        const auto code = lwm2m::coap::dotted(r.code);
        std::printf("{\"event\":\"operation\",\"ep\":%s,\"op\":\"%s\",\"path\":\"%s\"", quoted(r.endpoint).c_str(),
                    std::string(op_name(r.op)).c_str(), r.op == bs::operation::finish ? "/bs" : std::string(r.target.text().view()).c_str());
        if (r.code != lwm2m::coap::code::empty) std::printf(",\"status\":\"%.4s\"", code.data());
        if (r.failure) std::printf(",\"error\":\"%s\"", std::string(lwm2m::name(*r.failure)).c_str());
        std::printf("}\n");
        std::fflush(stdout);
    }
    void on_session_end(const bs::session_end& e) {
        ++ended;
        if (e.success) {
            std::printf("{\"event\":\"bootstrap-finished\",\"ep\":%s}\n", quoted(e.endpoint).c_str());
        } else {
            std::printf("{\"event\":\"bootstrap-failed\",\"ep\":%s,\"op\":\"%s\"", quoted(e.endpoint).c_str(),
                        std::string(op_name(e.op)).c_str());
            if (e.code != lwm2m::coap::code::empty) std::printf(",\"status\":\"%.4s\"", lwm2m::coap::dotted(e.code).data());
            std::printf(",\"error\":\"%s\"}\n", std::string(lwm2m::name(*e.failure)).c_str());
        }
        std::fflush(stdout);
    }
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "lwm2m-bootstrap-server: %s\n"
                 "usage: lwm2m-bootstrap-server --server-uri URI [--port P] [--ssid N] [--lifetime S] [--binding B]\n"
                 "       [--psk IDENTITY:HEXKEY] [--security-instance N] [--server-instance N] [--endpoint EP ...]\n"
                 "       [--exit-after N] [--verbose] [--dtls-psk [EP=]IDENTITY:KEY | --dtls-psk-hex [EP=]IDENTITY:HEX ...]\n",
                 why);
    std::exit(2);
}

bool hex_bytes(std::string_view hex, std::vector<std::byte>& out) {
    if (hex.size() % 2 != 0) return false;
    const auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int a = nibble(hex[i]), b = nibble(hex[i + 1]);
        if (a < 0 || b < 0) return false;
        out.push_back(static_cast<std::byte>(a * 16 + b));
    }
    return true;
}

unsigned long number(const char* text, unsigned long max) {
    char* end = nullptr;
    const unsigned long v = std::strtoul(text, &end, 10);
    if (end == text || *end != '\0' || v > max) usage("bad number");
    return v;
}

} // namespace

int main(int argc, char** argv) {
    std::uint16_t port = 5783;
    bs::dm_server_account account;
    std::string uri, identity;
    std::vector<std::byte> key;
    handler h;
    std::size_t exit_after = 0;
    bool verbose = false;
    std::vector<lwm2m_examples::psk_entry> psks;  // DTLS when not empty
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        const auto arg = [&]() -> const char* {
            if (i + 1 >= argc) usage("missing value");
            return argv[++i];
        };
        if (a == "--port") port = static_cast<std::uint16_t>(number(arg(), 65535));
        else if (a == "--server-uri") uri = arg();
        else if (a == "--ssid") account.short_server_id = static_cast<std::uint16_t>(number(arg(), 65534));
        else if (a == "--lifetime") account.lifetime = static_cast<std::uint32_t>(number(arg(), 0xFFFFFFFFul));
        else if (a == "--binding") account.binding = arg();
        else if (a == "--security-instance") account.security_instance = static_cast<std::uint16_t>(number(arg(), 65534));
        else if (a == "--server-instance") account.server_instance = static_cast<std::uint16_t>(number(arg(), 65534));
        else if (a == "--endpoint") h.endpoints.insert(arg());
        else if (a == "--exit-after") exit_after = number(arg(), 1u << 30);
        else if (a == "--verbose") verbose = true;
        else if (a == "--psk") {
            const std::string_view v = arg();
            const std::size_t colon = v.rfind(':');
            if (colon == std::string_view::npos || colon == 0 || !hex_bytes(v.substr(colon + 1), key) || key.empty())
                usage("--psk takes IDENTITY:HEXKEY");
            identity = std::string(v.substr(0, colon));
        } else if (a == "--dtls-psk" || a == "--dtls-psk-hex") {
#if LWM2M_HAVE_OPENSSL
            auto psk = lwm2m_examples::parse_psk_option(arg(), a == "--dtls-psk-hex");
            if (!psk) usage("bad --dtls-psk ([EP=]IDENTITY:KEY, KEY in hex digits for --dtls-psk-hex)");
            psks.push_back(std::move(*psk));
#else
            usage("--dtls-psk needs DTLS: this lwm2m-bootstrap-server was built without OpenSSL");
#endif
        } else usage("unknown option");
    }
    if (uri.empty()) usage("--server-uri is required");
    account.server_uri = uri;
    if (!identity.empty()) {
        account.mode = bs::security_mode::psk;
        account.psk_identity = lwm2m::as_bytes(std::string_view{identity});
        account.psk_key = lwm2m::bytes_view{key};
    }
    const bs::dm_server_configuration config{account};
    const bs::configuration view = config.view();
    h.config = &view;

    static lwm2m::transport::posix_udp<256> udp;
    if (!udp.open(port)) {
        std::perror("lwm2m-bootstrap-server: bind");
        return 1;
    }
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::mt19937 gen{std::random_device{}()};
    using engine_type = bs::server<bs::bootstrap_limits<>, random_source, handler>;
    static engine_type engine_storage{h, random_source{&gen}};  // static: the endpoint's buffers stay off the stack
    engine_type* const engine = &engine_storage;
    std::fprintf(stderr, "lwm2m-bootstrap-server: listening on port %u\n", udp.local_port());

    std::array<std::byte, 1500> buf{};
    // Datagrams go out as they are, or as DTLS records.
    const auto send = [&](lwm2m::exchange::peer_id peer, lwm2m::bytes_view d) { (void)udp.send(peer, d); };
#if LWM2M_HAVE_OPENSSL
    std::array<std::byte, 1500> plain{};
    std::unique_ptr<lwm2m::transport::dtls_psk_server> dtls;
    if (!psks.empty()) {
        dtls = std::make_unique<lwm2m::transport::dtls_psk_server>(
            [&psks](std::string_view identity) { return lwm2m_examples::psk_key_of(psks, identity); }, 256);
        if (!dtls->open()) {
            std::fprintf(stderr, "lwm2m-bootstrap-server: cannot set up DTLS (OpenSSL)\n");
            return 1;
        }
        std::fprintf(stderr, "lwm2m-bootstrap-server: DTLS 1.2 PSK on the port (%zu identities)\n", psks.size());
        h.authorize = [&psks, &dtls](lwm2m::exchange::peer_id peer, std::string_view endpoint) {
            const auto identity = dtls->identity(peer);
            return identity && lwm2m_examples::psk_allows(psks, *identity, endpoint);
        };
    }
    const auto send_records = [&] {
        while (auto r = dtls->poll_record(buf)) send(r->peer, lwm2m::bytes_view{buf.data(), r->size});
    };
#endif
    const auto flush = [&] {
        while (auto d = engine->poll_datagram()) {
            if (verbose) std::fprintf(stderr, "-> peer %u: %zu bytes\n", d->peer.value, d->bytes.size());
#if LWM2M_HAVE_OPENSSL
            if (dtls) {
                if (auto ok = dtls->write_datagram(d->peer, d->bytes); !ok && verbose)
                    std::fprintf(stderr, "-- not sent (no DTLS session with that peer): %s\n", lwm2m::name(ok.error().code).data());
                send_records();
                continue;
            }
#endif
            send(d->peer, d->bytes);
        }
    };
    while (g_stop == 0 && (exit_after == 0 || h.ended < exit_after)) {
        flush();
        if (exit_after != 0 && h.ended >= exit_after) break;
        auto wait = std::chrono::milliseconds(1000);
        std::optional<lwm2m::time_point> deadline = engine->next_deadline();
#if LWM2M_HAVE_OPENSSL
        if (dtls)
            if (auto d = dtls->next_deadline(); d && (!deadline || *d < *deadline)) deadline = d;
#endif
        if (deadline) wait = std::max(std::chrono::milliseconds(0), std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - now())));
        if (auto r = udp.receive(lwm2m::mutable_bytes{buf}, wait)) {
            if (verbose) std::fprintf(stderr, "<- peer %u: %zu bytes\n", r->peer.value, r->size);
#if LWM2M_HAVE_OPENSSL
            if (dtls) {
                dtls->on_record(r->peer, lwm2m::bytes_view{buf.data(), r->size}, now());
                send_records();
                while (auto p = dtls->read_datagram(plain)) {
                    engine->on_datagram(p->peer, lwm2m::bytes_view{plain.data(), p->size}, now());
                    flush();
                }
            } else
#endif
            {
                engine->on_datagram(r->peer, lwm2m::bytes_view{buf.data(), r->size}, now());
            }
        }
        if (const auto t = engine->next_deadline(); t && *t <= now()) engine->on_timeout(now());
#if LWM2M_HAVE_OPENSSL
        if (dtls)
            if (auto d = dtls->next_deadline(); d && *d <= now()) {
                dtls->on_timeout(now());
                send_records();
            }
#endif
    }
    flush();  // the last answers
    return 0;
}
