// lwm2m-client: an example LwM2M 1.1 client — a streetlight with objects 0 (as the server
// account), 1 (Server), 3 (Device), 4 (Connectivity Monitoring) and N instances of IPSO Light
// Control (3311) — on the sans-I/O engine and the POSIX UDP adapter.
//
//   lwm2m-client --server coap://HOST:PORT --endpoint NAME [--lifetime S] [--port P] [--lights N]
//                [--strict] [--senml] [--queue S] [--lwm2m 1.0|1.1] [--quiet]
//   lwm2m-client --server coaps://HOST:PORT --psk-identity ID --psk-key KEY | --psk-key-hex HEX ...
//   lwm2m-client --bootstrap coap[s]://HOST:PORT --endpoint NAME ...
//
// --bootstrap: no server account, a Bootstrap-Server account instead: the client sends a
// Bootstrap-Request (Client-Initiated Bootstrap, LwM2M 1.1.1 Core §6.1), takes the
// Bootstrap-Server's operations and registers with the server it was given: coap:// with
// Security Mode NoSec (3), or coaps:// with Pre-Shared Key (0) and the PSK identity and key
// the Bootstrap-Server wrote (/0/x/3, /0/x/5), over a DTLS session of its own.
// Every datagram is logged on stderr in one line: direction, type, code, path, message id.
// SIGINT/SIGTERM de-register cleanly before exiting. By default requests from any address
// are answered as if from the server (so generic CoAP tools can manage it); --strict answers
// 4.01 to anyone but the server. --queue S registers in Queue Mode (LwM2M 1.1 Core §6.5, `Q`)
// and sleeps after S seconds without an exchange (datagrams that still arrive wake it up).
// --lwm2m 1.0 registers as an LwM2M 1.0 client (lwm2m=1.0, no root link, Core 1.0 §5.3.1) for
// servers that know only 1.0 (Wakaama 1.0 answers a 1.1 Register 4.12, or 4.00 when it cannot
// parse the `;ver=` of an object link).
// coaps:// talks to the server (or the Bootstrap-Server) over DTLS 1.2 in PSK mode
// (transport/dtls_openssl.hpp; built when OpenSSL is found): the engine starts once the
// handshake is done, every datagram to and from that server goes through its session (logs
// show the plaintext), and datagrams in the clear from anyone but a NoSec server are dropped
// (a secure client answers no one in the clear).

#include <lwm2m/client.hpp>
#include <lwm2m/coap/parse.hpp>
#include <lwm2m/model/objects/light_control.hpp>
#include <lwm2m/transport/posix_udp.hpp>
#if LWM2M_HAVE_OPENSSL
#include <lwm2m/transport/dtls_openssl.hpp>
#endif

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using namespace std::chrono_literals;
namespace lc = lwm2m::objects::light_control;

std::atomic<bool> g_stop{false};
// coaps://: a Register or Update that timed out may mean the server lost our DTLS session (it
// restarted): the next attempt goes through a new handshake (RFC 6347 §4.2.8).
// The Short Server ID of the account whose Register or Update timed out.
std::optional<std::uint16_t> g_session_suspect;
void on_signal(int) { g_stop = true; }

lwm2m::time_point now() { return lwm2m::from_chrono(std::chrono::steady_clock::now()); }

/** IPSO Light Control (3311): one instance per lamp post. */
class streetlights {
public:
    static constexpr const auto& schema = lc::object;
    static constexpr std::size_t max_lights = 64;

    struct light {
        std::uint16_t id = 0;
        bool on = false;
        std::int64_t dimmer = 100;
        std::string colour = "warm white";
        std::string application_type = "streetlight";
        double energy_wh = 0;
        std::chrono::steady_clock::time_point on_since{};
        std::int64_t on_time_base = 0;  // seconds accumulated before on_since
    };

    explicit streetlights(std::size_t n) {
        for (std::size_t i = 0; i < n && i < max_lights; ++i) lights_.push_back(light{static_cast<std::uint16_t>(i)});
    }

    std::size_t instance_count() const { return lights_.size(); }
    std::uint16_t instance_id(std::size_t i) const { return lights_[i].id; }

    lwm2m::result<void> read(const lwm2m::path& p, lwm2m::client::resource_output& out) {
        light* l = find(p.instance_id());
        if (l == nullptr) return lwm2m::fail(lwm2m::errc::not_found);
        switch (p.resource_id()) {
        case lc::on_off: return out.value(l->on);
        case lc::dimmer: return out.value(l->dimmer);
        case lc::on_time: return out.value(on_time(*l));
        case lc::cumulative_active_power: return out.value(energy(*l));
        case lc::power_factor: return out.value(0.95);
        case lc::colour: return out.value(std::string_view{l->colour});
        case lc::sensor_units: return out.value(std::string_view{"W"});
        case lc::application_type: return out.value(std::string_view{l->application_type});
        default: return lwm2m::fail(lwm2m::errc::not_found);
        }
    }

    lwm2m::result<void> write(const lwm2m::path& p, const lwm2m::value& v) {
        light* l = find(p.instance_id());
        if (l == nullptr) return lwm2m::fail(lwm2m::errc::not_found);
        switch (p.resource_id()) {
        case lc::on_off: set_on(*l, v.as_boolean()); return {};
        case lc::dimmer: settle(*l); l->dimmer = v.as_integer(); return {};
        case lc::on_time:  // writing 0 resets the counter
            l->on_time_base = v.as_integer();
            l->on_since = std::chrono::steady_clock::now();
            return {};
        case lc::colour: return assign_text(l->colour, v);
        case lc::application_type: return assign_text(l->application_type, v);
        default: return lwm2m::fail(lwm2m::errc::operation_not_allowed);
        }
    }

    /**
     * The decoded text of a written string: a value may still be in its payload's encoding
     * (SenML JSON escapes, the chunks of an indefinite-length CBOR string), so not `encoded_bytes()`.
     */
    static lwm2m::result<void> assign_text(std::string& to, const lwm2m::value& v) {
        std::string text;
        LWM2M_TRY(n, lwm2m::for_each_value_byte(v, [&](std::byte b) { text.push_back(static_cast<char>(b)); }));
        (void)n;
        to = std::move(text);
        return {};
    }

    lwm2m::result<void> create(std::uint16_t id) {
        if (lights_.size() >= max_lights) return lwm2m::fail(lwm2m::errc::capacity_exceeded);
        lights_.push_back(light{id});
        return {};
    }
    lwm2m::result<void> remove(std::uint16_t id) {
        for (auto it = lights_.begin(); it != lights_.end(); ++it)
            if (it->id == id) {
                lights_.erase(it);
                return {};
            }
        return lwm2m::fail(lwm2m::errc::not_found);
    }

private:
    light* find(std::uint16_t id) {
        for (light& l : lights_)
            if (l.id == id) return &l;
        return nullptr;
    }
    static std::int64_t on_time(const light& l) {
        if (!l.on) return l.on_time_base;
        return l.on_time_base +
               std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - l.on_since).count();
    }
    static double energy(const light& l) {
        if (!l.on) return l.energy_wh;
        const double hours =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - l.on_since).count() / 3600.0;
        return l.energy_wh + hours * 150.0 * static_cast<double>(l.dimmer) / 100.0;  // a 150 W lamp
    }
    // Folds the running energy/on-time into the totals (before on/off or dimmer changes).
    static void settle(light& l) {
        if (!l.on) return;
        l.energy_wh = energy(l);
        l.on_time_base = on_time(l);
        l.on_since = std::chrono::steady_clock::now();
    }
    static void set_on(light& l, bool on) {
        settle(l);
        if (on && !l.on) l.on_since = std::chrono::steady_clock::now();
        l.on = on;
    }

    std::vector<light> lights_;
};

struct options {
    std::string host = "127.0.0.1";
    std::uint16_t server_port = 5683;
    std::string endpoint;
    std::uint32_t lifetime = 300;
    std::uint16_t port = 0;
    std::size_t lights = 2;
    bool strict = false;
    bool senml = false;
    bool quiet = false;
    std::uint32_t queue_awake = 0;  // --queue S: queue mode, asleep after S s without exchange
    std::string_view lwm2m_version = "1.1";  // --lwm2m: the `lwm2m=` of the Register
    bool secure = false;            // coaps://: DTLS with a pre-shared key
    bool bootstrap = false;         // --bootstrap: host/server_port are the Bootstrap-Server's
    std::string psk_identity;
    std::vector<std::byte> psk_key;
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "error: %s\nusage: lwm2m-client (--server coap[s]://HOST:PORT | --bootstrap coap://HOST:PORT) --endpoint NAME [--lifetime S] [--port P]"
                 " [--lights N] [--strict] [--senml] [--queue S] [--lwm2m 1.0|1.1] [--quiet]\n"
                 "       [--psk-identity ID (--psk-key TEXT | --psk-key-hex HEX)]   (coaps://: DTLS 1.2 PSK)\n",
                 why);
    std::exit(2);
}

bool parse_uri(std::string_view uri, options& o) {
    constexpr std::string_view scheme = "coap://";
    constexpr std::string_view secure_scheme = "coaps://";
    if (uri.substr(0, secure_scheme.size()) == secure_scheme) {
        o.secure = true;
        o.server_port = 5684;  // RFC 7252 §6.2 default port for coaps
        uri.remove_prefix(secure_scheme.size());
    } else if (uri.substr(0, scheme.size()) == scheme) {
        uri.remove_prefix(scheme.size());
    } else {
        return false;
    }
    if (!uri.empty() && uri.back() == '/') uri.remove_suffix(1);
    std::string_view host = uri;
    std::string_view port;
    if (!uri.empty() && uri.front() == '[') {
        const auto close = uri.find(']');
        if (close == std::string_view::npos) return false;
        host = uri.substr(1, close - 1);
        if (close + 1 < uri.size()) {
            if (uri[close + 1] != ':') return false;
            port = uri.substr(close + 2);
        }
    } else if (const auto colon = uri.rfind(':'); colon != std::string_view::npos) {
        host = uri.substr(0, colon);
        port = uri.substr(colon + 1);
    }
    if (host.empty()) return false;
    o.host.assign(host);
    if (!port.empty()) {
        const long p = std::strtol(std::string(port).c_str(), nullptr, 10);
        if (p <= 0 || p > 65535) return false;
        o.server_port = static_cast<std::uint16_t>(p);
    }
    return true;
}

options parse_args(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        const auto next = [&]() -> std::string_view {
            if (i + 1 >= argc) usage("missing value");
            return argv[++i];
        };
        if (a == "--server") {
            if (!parse_uri(next(), o)) usage("bad --server URI (want coap://HOST:PORT or coaps://HOST:PORT)");
        } else if (a == "--bootstrap") {
            if (!parse_uri(next(), o)) usage("bad --bootstrap URI (want coap://HOST:PORT or coaps://HOST:PORT)");
            o.bootstrap = true;
        } else if (a == "--psk-identity") {
            o.psk_identity = next();
#if LWM2M_HAVE_OPENSSL
        } else if (a == "--psk-key") {
            o.psk_key = lwm2m::transport::psk_key_from_text(next());
        } else if (a == "--psk-key-hex") {
            auto key = lwm2m::transport::psk_key_from_hex(next());
            if (!key) usage("bad --psk-key-hex (want an even number of hex digits)");
            o.psk_key = std::move(*key);
#else
        } else if (a == "--psk-key" || a == "--psk-key-hex") {
            (void)next();
            o.psk_key.assign(1, std::byte{0});  // refused below: no DTLS in this build
#endif
        } else if (a == "--endpoint") {
            o.endpoint = next();
        } else if (a == "--lifetime") {
            o.lifetime = static_cast<std::uint32_t>(std::strtoul(std::string(next()).c_str(), nullptr, 10));
        } else if (a == "--port") {
            o.port = static_cast<std::uint16_t>(std::strtoul(std::string(next()).c_str(), nullptr, 10));
        } else if (a == "--lights") {
            o.lights = std::strtoul(std::string(next()).c_str(), nullptr, 10);
        } else if (a == "--strict") {
            o.strict = true;
        } else if (a == "--senml") {
            o.senml = true;
        } else if (a == "--queue") {
            const long q = std::strtol(std::string(next()).c_str(), nullptr, 10);
            if (q <= 0 || q > 86400) usage("bad --queue (awake seconds, 1..86400)");
            o.queue_awake = static_cast<std::uint32_t>(q);
        } else if (a == "--lwm2m") {
            o.lwm2m_version = next();
            if (o.lwm2m_version != "1.0" && o.lwm2m_version != "1.1") usage("bad --lwm2m (1.0 or 1.1)");
        } else if (a == "--quiet") {
            o.quiet = true;
        } else if (a == "--help" || a == "-h") {
            usage("help");
        } else {
            usage("unknown option");
        }
    }
    if (o.endpoint.empty()) usage("--endpoint is required");
    if (o.secure) {
#if LWM2M_HAVE_OPENSSL
        if (o.psk_identity.empty() || o.psk_key.empty()) usage("coaps:// needs --psk-identity and --psk-key or --psk-key-hex");
#else
        usage("coaps:// needs DTLS: this lwm2m-client was built without OpenSSL");
#endif
    } else if (!o.psk_identity.empty() || !o.psk_key.empty()) {
        usage("--psk-identity / --psk-key need a coaps:// server or bootstrap server");
    }
    return o;
}

template <class Udp>
void log_datagram(const char* dir, Udp& udp, lwm2m::exchange::peer_id peer, lwm2m::bytes_view d) {
    char who[64];
    const std::size_t n = udp.describe(peer, who);
    auto m = lwm2m::coap::parse(d);
    if (!m) {
        std::fprintf(stderr, "%s %.*s malformed (%zu bytes)\n", dir, static_cast<int>(n), who, d.size());
        return;
    }
    std::string path;
    for (std::string_view seg : m->uri_path()) {
        path += '/';
        path.append(seg);
    }
    if (!m->location_path().empty()) {
        path += " loc=";
        for (std::string_view seg : m->location_path()) {
            path += '/';
            path.append(seg);
        }
    }
    if (path.empty()) path = "-";
    const auto code = lwm2m::coap::dotted(m->code());
    std::fprintf(stderr, "%s %.*s %.*s %.4s %s mid=%u%s\n", dir, static_cast<int>(n), who,
                 static_cast<int>(lwm2m::coap::name(m->type()).size()), lwm2m::coap::name(m->type()).data(), code.data(),
                 path.c_str(), static_cast<unsigned>(m->message_id()), m->observe() ? " obs" : "");
}

void on_event(void*, const lwm2m::client::client_event& e) {
    const char* what = "?";
    switch (e.kind) {
    case lwm2m::client::client_event_kind::registered: what = "registered"; break;
    case lwm2m::client::client_event_kind::updated: what = "updated"; break;
    case lwm2m::client::client_event_kind::register_failed: what = "register failed"; break;
    case lwm2m::client::client_event_kind::update_failed: what = "update failed"; break;
    case lwm2m::client::client_event_kind::deregistered: what = "deregistered"; break;
    case lwm2m::client::client_event_kind::disabled: what = "disabled"; break;
    case lwm2m::client::client_event_kind::send_acknowledged: what = "send acknowledged"; break;
    case lwm2m::client::client_event_kind::send_failed: what = "send failed"; break;
    case lwm2m::client::client_event_kind::sleeping: what = "sleeping (queue mode)"; break;
    case lwm2m::client::client_event_kind::woke_up: what = "woke up (queue mode)"; break;
    case lwm2m::client::client_event_kind::bootstrap_finished: what = "bootstrap finished"; break;
    case lwm2m::client::client_event_kind::bootstrap_failed: what = "bootstrap failed (retrying)"; break;
    }
    if ((e.kind == lwm2m::client::client_event_kind::register_failed ||
         e.kind == lwm2m::client::client_event_kind::update_failed) &&
        e.code == lwm2m::coap::code::empty)
        g_session_suspect = e.ssid;  // a timeout
    const auto code = lwm2m::coap::dotted(e.code);
    std::fprintf(stderr, "-- server %u: %s (%.4s)\n", static_cast<unsigned>(e.ssid), what,
                 e.code == lwm2m::coap::code::empty ? "none" : code.data());
}

struct random_source {
    std::mt19937* engine;
    std::uint32_t operator()() { return static_cast<std::uint32_t>((*engine)()); }
};

// 1 server, 16 observations, 640 values per Read-Composite or Send (a plain Read of any size
// needs no record list); Block1 writes up to 8 KiB (RFC 7959 §2.3).
using limits = lwm2m::client::client_limits<1152, 1, 8, 16, 32, 640, 16384, lwm2m::client::format_set::all,
                                            1 + 16 + 6, 16, 16, 8192>;
using engine_type = lwm2m::client::engine<limits, random_source>;

} // namespace

#if LWM2M_HAVE_OPENSSL
/**
 * A DTLS 1.2 PSK session with one server (an LwM2M Server or the Bootstrap-Server): every
 * datagram to and from that peer goes through it.
 */
struct secure_link {
    lwm2m::exchange::peer_id peer{};
    std::uint16_t ssid = 0;  // the account's Short Server ID (none for the Bootstrap-Server)
    lwm2m::transport::psk_credentials credentials;
    lwm2m::transport::dtls_psk_client dtls;
    bool ever_connected = false;  // a session came up once: a later failure starts a new one
    bool renewed = false;         // a new session replaced one that ended: the server may have lost our registration
    std::vector<std::vector<std::byte>> held;  // datagrams made during the handshake, sent when it is done
};
#endif

/** How the client reaches its servers: in the clear (NoSec accounts) or each over its own DTLS session. */
struct server_links {
#if LWM2M_HAVE_OPENSSL
    std::vector<std::unique_ptr<secure_link>> secure;
    [[nodiscard]] secure_link* of(lwm2m::exchange::peer_id p) {
        for (auto& l : secure)
            if (l->peer == p) return l.get();
        return nullptr;
    }
#endif
    std::vector<lwm2m::exchange::peer_id> clear;  // NoSec servers
    /** Whether a datagram in the clear from `p` is taken: from a NoSec server, or from anyone while no server is secure. */
    [[nodiscard]] bool clear_ok(lwm2m::exchange::peer_id p) const {
#if LWM2M_HAVE_OPENSSL
        if (!secure.empty()) return std::find(clear.begin(), clear.end(), p) != clear.end();
#endif
        (void)p;
        return true;
    }
};

int main(int argc, char** argv) {
    const options opt = parse_args(argc, argv);
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);

    static lwm2m::transport::posix_udp<64> udp;
    if (!udp.open(opt.port)) {
        std::fprintf(stderr, "error: cannot bind UDP port %u: %s\n", static_cast<unsigned>(opt.port), std::strerror(errno));
        return 1;
    }
    auto server_peer = udp.resolve(opt.host, opt.server_port);
    if (!server_peer) {
        std::fprintf(stderr, "error: cannot resolve %s\n", opt.host.c_str());
        return 1;
    }
    std::fprintf(stderr, "-- lwm2m-client %s on UDP port %u, %s %s:%u\n", opt.endpoint.c_str(),
                 static_cast<unsigned>(udp.local_port()), opt.bootstrap ? "bootstrap server" : "server", opt.host.c_str(),
                 static_cast<unsigned>(opt.server_port));

    std::random_device rd;
    static std::mt19937 mt{rd()};
    lwm2m::client::client_config cfg;
    cfg.endpoint_name = opt.endpoint;
    cfg.lwm2m_version = opt.lwm2m_version;
    cfg.accept_unknown_peers = !opt.strict;
    if (opt.senml) cfg.multi_value_format = lwm2m::format::content_format::senml_json;
    cfg.on_event = on_event;
    if (opt.queue_awake > 0) {
        cfg.queue_mode = true;
        cfg.queue_awake_time = std::chrono::seconds(opt.queue_awake);
    }
    cfg.retry_initial = 5s;
    cfg.retry_max = 300s;
    static engine_type client{cfg, random_source{&mt}};

    std::vector<std::byte> in(2048);
    static server_links links;
#if LWM2M_HAVE_OPENSSL
    // Records of a DTLS session go out as they are made.
    const auto send_records = [&](secure_link& link) {
        while (auto n = link.dtls.poll_record(in))
            if (!udp.send(link.peer, lwm2m::bytes_view{in.data(), *n})) std::fprintf(stderr, "-- send failed: %s\n", std::strerror(errno));
    };
    // A new handshake with `link`'s server (the engine's retries then go through it); false if OpenSSL refuses.
    const auto handshake = [&](secure_link& link, bool renewing) {
        if (renewing) std::fprintf(stderr, "-- DTLS: new handshake\n");
        link.renewed = renewing;
        if (!link.dtls.connect(link.credentials, now())) return false;
        send_records(link);
        return true;
    };
    const auto dtls_failed = [](secure_link& link) {
        std::fprintf(stderr, "-- DTLS failed: %s\n", link.dtls.failure_reason().c_str());
        return 1;
    };
    // A session to a server the Bootstrap-Server configured: set up now, its handshake starts.
    static auto add_secure_link = [&](lwm2m::exchange::peer_id peer, std::uint16_t ssid,
                                      lwm2m::transport::psk_credentials credentials) -> bool {
        auto link = std::make_unique<secure_link>();
        link->peer = peer;
        link->ssid = ssid;
        link->credentials = std::move(credentials);
        if (!handshake(*link, false)) return false;
        links.secure.push_back(std::move(link));
        return true;
    };
#endif

    lwm2m::client::server_account server;
    server.ssid = 101;
    server.peer = *server_peer;
    server.lifetime = opt.lifetime;
    server.default_pmin = 1;
    server.default_pmax = 60;
    static const std::string uri = (opt.secure ? "coaps://" : "coap://") + opt.host + ":" + std::to_string(opt.server_port);
    server.uri = uri;
    if (opt.bootstrap) {
        // Client-Initiated Bootstrap (LwM2M 1.1.1 Core §6.1): the DM server comes from the
        // Bootstrap-Server; its account is set up at Bootstrap-Finish: coap:// with NoSec, or
        // coaps:// with a PSK (a DTLS session of its own), nothing else.
        lwm2m::client::bootstrap_config bs;
        bs.peer = *server_peer;
        bs.uri = uri;
        bs.resolve_peer = [](void*, const lwm2m::client::security_instance& account) -> std::optional<lwm2m::exchange::peer_id> {
            const std::string_view dm_uri = account.uri.text();
            options dm;
            if (!parse_uri(dm_uri, dm)) return std::nullopt;
            constexpr std::uint8_t pre_shared_key = 0, no_sec = 3;  // /0/x/2 Security Mode (Core Appendix E.1)
            if (dm.secure ? account.mode != pre_shared_key : account.mode != no_sec) {
                std::fprintf(stderr, "-- bootstrapped: %.*s with Security Mode %u: not supported\n", static_cast<int>(dm_uri.size()),
                             dm_uri.data(), static_cast<unsigned>(account.mode));
                return std::nullopt;
            }
            auto peer = udp.resolve(dm.host, dm.server_port);
            if (!peer) return std::nullopt;
            if (dm.secure) {
#if LWM2M_HAVE_OPENSSL
                if (links.of(*peer) == nullptr) {
                    const auto id = account.identity.bytes();
                    const auto key = account.secret_key.bytes();
                    if (!add_secure_link(*peer, account.ssid, {std::string(lwm2m::as_chars(id)), std::vector<std::byte>(key.begin(), key.end())}))
                        return std::nullopt;
                }
#else
                return std::nullopt;  // no DTLS in this build
#endif
            } else {
                links.clear.push_back(*peer);
            }
            std::fprintf(stderr, "-- bootstrapped: LwM2M server %.*s\n", static_cast<int>(dm_uri.size()), dm_uri.data());
            return lwm2m::exchange::peer_id{*peer};
        };
        if (!client.set_bootstrap_server(bs)) return 1;
    } else if (!client.add_server(server)) {
        return 1;
    }

    static lwm2m::client::device_object device;
    device.manufacturer = "lwm2m toolkit";
    device.model_number = "streetlight-1";
    device.serial_number = "SL-0001";
    device.firmware_version = "0.1.0";
    device.device_type = "streetlight";
    device.hardware_version = "1.0";
    device.software_version = "0.1.0";
    device.supported_binding = "U";
    device.battery_level = 100;
    device.memory_free = 1024;
    device.memory_total = 4096;
    device.add_power_source({6, 230000, 650});  // AC
    device.add_power_source({1, 3700, 0});      // internal battery
    device.reboot = {[](void*) { std::fprintf(stderr, "-- reboot requested (ignored by the example)\n"); }, nullptr};
    device.factory_reset = {[](void*) { std::fprintf(stderr, "-- factory reset requested\n"); }, nullptr};
    device.current_time = [](void*) -> std::int64_t {
        return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    };
    static lwm2m::client::connectivity_monitoring_object connectivity;
    connectivity.network_bearer = 41;  // Ethernet
    connectivity.radio_signal_strength = 0;
    connectivity.link_quality = 100;
    connectivity.ip_addresses[0] = "127.0.0.1";
    connectivity.ip_address_count = 1;
    static streetlights lights{opt.lights};

    if (!client.add_object(device) || !client.add_object(connectivity) || !client.add_object(lights)) return 1;

    const auto flush = [&] {
        // Sent straight from the engine's buffer (lent until the next call into the engine).
        while (auto t = client.poll_datagram()) {
            const lwm2m::bytes_view d = t->bytes;
            if (!opt.quiet) log_datagram(">>", udp, t->peer, d);
#if LWM2M_HAVE_OPENSSL
            if (secure_link* link = links.of(t->peer)) {
                // A session that failed or ended is started again by the engine's next attempt
                // (its Register retries are paced by the back-off).
                const auto st = link->dtls.current_state();
                if (st == lwm2m::transport::dtls_state::failed || st == lwm2m::transport::dtls_state::closed) {
                    if (!handshake(*link, true)) std::fprintf(stderr, "-- DTLS: cannot start a handshake\n");
                    continue;
                }
                if (auto ok = link->dtls.write_datagram(d); !ok) {
                    if (ok.error().code == lwm2m::errc::dtls_handshake_pending && link->held.size() < 8)
                        link->held.emplace_back(d.begin(), d.end());  // e.g. the Register to a server just bootstrapped
                    else
                        std::fprintf(stderr, "-- not sent: %s\n", lwm2m::name(ok.error().code).data());
                }
                send_records(*link);
                continue;
            }
            if (!links.secure.empty() && !links.clear_ok(t->peer)) continue;  // no one else is answered in the clear
#endif
            if (!udp.send(t->peer, d)) std::fprintf(stderr, "-- send failed: %s\n", std::strerror(errno));
        }
    };

    bool started = false;
#if LWM2M_HAVE_OPENSSL
    secure_link* first_link = nullptr;  // the server given on the command line, when coaps://
    if (opt.secure) {
        auto link = std::make_unique<secure_link>();
        link->peer = *server_peer;
        link->ssid = opt.bootstrap ? 0 : server.ssid;
        link->credentials = {opt.psk_identity, opt.psk_key};
        first_link = link.get();
        links.secure.push_back(std::move(link));
        if (!handshake(*first_link, false)) return dtls_failed(*first_link);
    } else {
        links.clear.push_back(*server_peer);
    }
#else
    const std::nullptr_t first_link = nullptr;
#endif
    // The engine starts once the first server's session is up; a session that comes up again
    // after it ended asks for a Registration Update.
    const auto on_session_up = [&]([[maybe_unused]] auto link) {
#if LWM2M_HAVE_OPENSSL
        if (link != nullptr) {
            if (!link->dtls.connected()) return;
            if (!link->ever_connected) std::fprintf(stderr, "-- DTLS session up (%s)\n", std::string(link->dtls.cipher()).c_str());
            link->ever_connected = true;
            for (const auto& d : std::exchange(link->held, {}))
                if (!link->dtls.write_datagram(d)) std::fprintf(stderr, "-- a held datagram was not sent\n");
            send_records(*link);
            if (started && std::exchange(link->renewed, false)) {
                // A full handshake: a restarted server answers the Update 4.04 and the client
                // registers again, now rather than at the next scheduled Update. Not registered
                // yet: the Register in flight is retransmitted through the new session.
                std::fprintf(stderr, "-- DTLS session renewed: Registration Update\n");
                (void)client.trigger_update(link->ssid, now());
                flush();
            }
            if (link != first_link && !started) return;
        }
#endif
        if (started) return;
        started = true;
        client.start(now());
        flush();
    };
    on_session_up(first_link);
    bool stopping = false;
    auto stop_deadline = std::chrono::steady_clock::now();
    std::vector<std::byte> plain(2048);
    for (;;) {
        if (g_stop && !stopping) {
            stopping = true;
            std::fprintf(stderr, "-- de-registering\n");
            client.deregister(now());
            flush();
            stop_deadline = std::chrono::steady_clock::now() + 10s;
        }
        if (stopping && (!started || client.deregistration_done() || std::chrono::steady_clock::now() > stop_deadline)) break;
        auto wait = std::chrono::milliseconds(1000);
        auto deadline = client.next_deadline();
#if LWM2M_HAVE_OPENSSL
        for (const auto& l : links.secure)
            if (auto d = l->dtls.next_deadline(); d && (!deadline || *d < *deadline)) deadline = d;
#endif
        if (deadline) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - now());
            wait = std::max(std::chrono::milliseconds(0), std::min(wait, left));
        }
        if (auto r = udp.receive(in, wait)) {
            const lwm2m::bytes_view d{in.data(), r->size};
#if LWM2M_HAVE_OPENSSL
            if (secure_link* link = links.of(r->peer)) {
                if (!link->dtls.on_record(d, now())) {
                    // Before any session with the first server: a configuration error (wrong key,
                    // no common suite). Else the server ended it (a fatal alert): a new one.
                    if (link == first_link && !link->ever_connected) return dtls_failed(*link);
                    std::fprintf(stderr, "-- DTLS session ended: %s\n", link->dtls.failure_reason().c_str());
                    if (!handshake(*link, true)) return dtls_failed(*link);
                } else {
                    send_records(*link);  // handshake flights
                    on_session_up(link);
                    while (auto n = link->dtls.read_datagram(plain)) {
                        const lwm2m::bytes_view p{plain.data(), *n};
                        if (!opt.quiet) log_datagram("<<", udp, r->peer, p);
                        client.on_datagram(r->peer, p, now());
                        flush();  // the answer to each before the next (the endpoint keeps one large answer)
                    }
                    // close_notify (e.g. the server shuts down): a new session, which the
                    // handshake's retransmissions carry over a restart.
                    if (link->ever_connected && link->dtls.current_state() == lwm2m::transport::dtls_state::closed) {
                        std::fprintf(stderr, "-- DTLS session closed by the server\n");
                        if (!handshake(*link, true)) return dtls_failed(*link);
                    }
                }
            } else if (!links.clear_ok(r->peer)) {
                if (!opt.quiet) std::fprintf(stderr, "-- dropped %zu bytes in the clear from a peer that is not a NoSec server\n", d.size());
            } else
#endif
            {
                if (!opt.quiet) log_datagram("<<", udp, r->peer, d);
                client.on_datagram(r->peer, d, now());
            }
        }
#if LWM2M_HAVE_OPENSSL
        for (const auto& l : links.secure) {
            secure_link& link = *l;
            if (auto d = link.dtls.next_deadline(); d && *d <= now()) {
                link.dtls.on_timeout(now());
                if (link.dtls.current_state() == lwm2m::transport::dtls_state::failed) {
                    if (&link == first_link && !link.ever_connected) return dtls_failed(link);
                    std::fprintf(stderr, "-- DTLS handshake failed: %s\n", link.dtls.failure_reason().c_str());
                    if (link.ever_connected && !handshake(link, true)) return dtls_failed(link);
                }
                send_records(link);
            }
        }
        if (g_session_suspect) {
            const lwm2m::client::server_account* a = client.account(*g_session_suspect);
            g_session_suspect.reset();
            if (secure_link* link = a != nullptr ? links.of(a->peer) : nullptr; link != nullptr && link->ever_connected)
                if (!handshake(*link, true)) return dtls_failed(*link);
        }
#endif
        if (started) {
            if (auto d = client.next_deadline(); d && *d <= now()) client.on_timeout(now());
            flush();
        }
    }
#if LWM2M_HAVE_OPENSSL
    for (const auto& l : links.secure) {
        l->dtls.close();  // close_notify (RFC 5246 §7.2.1)
        send_records(*l);
    }
#endif
    std::fprintf(stderr, "-- bye\n");
    return 0;
}
