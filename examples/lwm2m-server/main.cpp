// lwm2m-server: an example LwM2M server on the sans-I/O engine (lwm2m/server.hpp) and the
// batched POSIX UDP adapter (lwm2m/transport/posix_udp_batch.hpp), driven by JSON lines.
//
//   lwm2m-server [--port P] [--address A] [--max-registrations N] [--queue-awake S]
//                [--exit-on-eof] [--verbose] [--psk [EP=]IDENTITY:KEY | --psk-hex [EP=]IDENTITY:HEX ...]
//
// One thread, one poll loop over the UDP socket and stdin:
// - datagrams are read in batches (recvmmsg) and handed to `engine.on_datagram`;
// - each stdin line is one command (examples/lwm2m-server/command.hpp), e.g.
//     {"id":1,"op":"read","ep":"light-1","path":"/3/0"}
//     {"id":2,"op":"write","group":["light-1","light-2"],"path":"/3311/0/5850","value":false}
//   and is answered on stdout by one line per endpoint, keyed by the command's "id"
//   ({"id":1,"ep":"light-1","status":"2.05","content":[...]} or {"id":1,"ep":..,"error":"timeout"});
// - events are printed as they happen: registered, updated, deregistered, expired, notify,
//   observation-ended, send (examples/lwm2m-server/output.hpp);
// - `engine.on_timeout` runs at `engine.next_deadline()`, and everything the engine wants to
//   send is queued and sent with sendmmsg.
// A "value" of a write is converted to the type the shipped schemas (lwm2m::objects::registry)
// give the resource; the content format is the one the engine picks for each client.
// A malformed command prints {"id":..,"error":"<reason>"} and the server carries on.
// SIGINT/SIGTERM stop it; so does the end of stdin with --exit-on-eof (once every command
// has been answered). --verbose logs every datagram on stderr.
// With --psk / --psk-hex (repeatable; built when OpenSSL is found) the port speaks DTLS 1.2 in
// PSK mode only (transport/dtls_openssl.hpp): a session per client address, the key chosen
// by the PSK identity the client presents; the engine sees the plaintext. Each credential
// names the one endpoint it may register (EP=, or the identity itself when EP= is left out):
// a Register under another name gets 4.03, an Update or De-register of another client's
// registration 4.04 (the engine's registration_authorizer hook).
//
// Example code: uses the standard library freely (the engine itself never allocates).

#include "../common/psk_option.hpp"
#include "command.hpp"
#include "output.hpp"

#include <lwm2m/coap/parse.hpp>
#include <lwm2m/encoding/base64.hpp>
#include <lwm2m/model/coerce.hpp>
#include <lwm2m/model/objects/all.hpp>
#include <lwm2m/server.hpp>
#include <lwm2m/transport/posix_udp_batch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {

using namespace std::chrono_literals;
namespace srv = lwm2m::server;
using lwm2m_server::json_line;
using lwm2m_server::op;

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_signal(int) { g_stop = 1; }

lwm2m::time_point now() { return lwm2m::from_chrono(std::chrono::steady_clock::now()); }

// ---- options ------------------------------------------------------------------------------

struct options {
    std::string address;  // "" = dual-stack any
    std::uint16_t port = 5683;
    std::size_t max_registrations = 100000;
    std::uint32_t queue_awake = 0;  // seconds; 0 = MAX_TRANSMIT_WAIT (93 s)
    bool exit_on_eof = false;
    bool verbose = false;
    std::vector<lwm2m_examples::psk_entry> psks;  // DTLS when not empty
};

[[noreturn]] void usage(const char* why, int status = 2) {
    std::fprintf(stderr,
                 "%s%s%susage: lwm2m-server [--port P] [--address A] [--max-registrations N] [--queue-awake S]\n"
                 "                    [--exit-on-eof] [--verbose] [--psk [EP=]IDENTITY:KEY | --psk-hex [EP=]IDENTITY:HEX ...]\n"
                 "Reads one JSON command per stdin line, prints replies and events as JSON lines.\n",
                 why[0] != '\0' ? "error: " : "", why, why[0] != '\0' ? "\n" : "");
    std::exit(status);
}

std::optional<unsigned long> number_arg(std::string_view s, unsigned long max) {
    if (s.empty() || s.size() > 10 || s.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    const unsigned long v = std::strtoul(std::string(s).c_str(), nullptr, 10);
    if (v > max) return std::nullopt;
    return v;
}

options parse_args(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        const auto next = [&]() -> std::string_view {
            if (i + 1 >= argc) usage("missing value");
            return argv[++i];
        };
        if (a == "--port") {
            const auto v = number_arg(next(), 65535);
            if (!v) usage("bad --port");
            o.port = static_cast<std::uint16_t>(*v);
        } else if (a == "--address") {
            o.address = next();
        } else if (a == "--max-registrations") {
            const auto v = number_arg(next(), 10000000);
            if (!v || *v == 0) usage("bad --max-registrations (1..10000000)");
            o.max_registrations = *v;
        } else if (a == "--queue-awake") {
            const auto v = number_arg(next(), 86400);
            if (!v) usage("bad --queue-awake (seconds)");
            o.queue_awake = static_cast<std::uint32_t>(*v);
        } else if (a == "--exit-on-eof") {
            o.exit_on_eof = true;
        } else if (a == "--verbose") {
            o.verbose = true;
        } else if (a == "--psk" || a == "--psk-hex") {
#if LWM2M_HAVE_OPENSSL
            auto psk = lwm2m_examples::parse_psk_option(next(), a == "--psk-hex");
            if (!psk) usage("bad --psk ([EP=]IDENTITY:KEY, KEY in hex digits for --psk-hex)");
            o.psks.push_back(std::move(*psk));
#else
            usage("--psk needs DTLS: this lwm2m-server was built without OpenSSL");
#endif
        } else if (a == "--help" || a == "-h") {
            usage("", 0);
        } else {
            usage("unknown option");
        }
    }
    return o;
}

// ---- engine types -------------------------------------------------------------------------

struct random_source {
    std::mt19937* engine;
    std::uint32_t operator()() const { return static_cast<std::uint32_t>((*engine)()); }
};

// 1024 requests in flight or held at once (a group command larger than that waits in the
// backlog below), 512 observations, 128 values per response, 64 links per registration,
// 256 held for sleeping clients; block-wise responses up to 16 KiB, 16 reassembled at once;
// 8192 requests remembered for deduplication (~45 s of traffic at 180 requests/s; ~9.5 MiB).
using limits = srv::server_limits<1152, 1024, 512, 128, 64, 1024, 256, 16384, 16, 8192>;
constexpr std::size_t batch = 64;
constexpr std::size_t rx_buffer_size = 1536;

class server_app;
/** The engine's handler: forwards to `server_app` (defined below, once `engine_type` is known). */
struct handler_bridge {
    server_app* app = nullptr;
    /** With DTLS: may `peer` (its authenticated identity) hold `endpoint`? Unset: anyone may. */
    std::function<bool(lwm2m::exchange::peer_id, std::string_view)> authorize;
    bool may_register(lwm2m::exchange::peer_id peer, std::string_view endpoint) { return !authorize || authorize(peer, endpoint); }
    void on_registration(const srv::registration_event& e);
    void on_result(const srv::request_result& r);
    void on_notification(const srv::notification& n);
    void on_send(const srv::send_report& s);
};
using engine_type = srv::engine<limits, random_source, handler_bridge>;
using udp_type = lwm2m::transport::posix_udp_batch<batch>;

// ---- small helpers ------------------------------------------------------------------------

std::string path_string(const lwm2m::path& p) { return std::string(p.text().view()); }

std::string binding_text(const srv::binding_mode& b) {
    char t[8];
    const std::size_t n = b.format_to(t);
    return std::string(t, n);
}

std::vector<lwm2m::path> link_paths(std::span<const srv::object_link> links) {
    std::vector<lwm2m::path> out;
    out.reserve(links.size());
    for (const srv::object_link& l : links) {
        auto p = l.has_instance() ? lwm2m::path::make(l.object_id, l.instance_id) : lwm2m::path::make(l.object_id);
        if (p) out.push_back(*p);
    }
    return out;
}

/** Inserts `members` (",\"k\":v...") before the closing brace of a JSON object line. */
std::string with_members(std::string line, std::string_view members) {
    if (!members.empty() && !line.empty() && line.back() == '}') line.insert(line.size() - 1, members);
    return line;
}

std::string json_member(std::string_view key, std::string_view text) {
    json_line w;
    w.begin_object().member(key, text).end_object();
    std::string s = std::move(w).str();
    return "," + s.substr(1, s.size() - 2);
}

/** The text of a failure in a reply: "timeout", "reset", "not registered", "cancelled"... */
std::string failure_text(lwm2m::errc e) {
    switch (e) {
    case lwm2m::errc::timeout: return "timeout";
    case lwm2m::errc::reset_received: return "reset";
    case lwm2m::errc::not_registered: return "not registered";
    case lwm2m::errc::cancelled: return "cancelled";
    case lwm2m::errc::capacity_exceeded: return "capacity exceeded";
    case lwm2m::errc::no_observation_slot: return "too many observations";
    case lwm2m::errc::held_queue_full: return "too many requests held for sleeping clients";
    case lwm2m::errc::request_entity_too_large: return "request body too large";
    case lwm2m::errc::invalid_argument: return "invalid request for this path";
    default: return std::string(lwm2m::name(e)) + ": " + std::string(lwm2m::description(e));
    }
}

std::string_view data_type_name(lwm2m::data_type t) {
    const std::string_view n = lwm2m::name(t);
    return n.empty() ? std::string_view{"none"} : n;
}

// ---- prepared commands --------------------------------------------------------------------

/**
 * A command turned into what `request_spec` views: the records with schema-typed values,
 * the paths, the arguments. Shared by every endpoint of a group and by backlog entries, so
 * the views stay valid until the last submit.
 */
struct prepared {
    lwm2m_server::command cmd;
    std::vector<lwm2m::format::record> records;
    std::deque<std::string> storage;  // bytes that records view (deque: no reallocation moves)
    lwm2m::notification_attributes attributes{};
    std::uint8_t remove_attributes = 0;

    srv::request_spec spec() const {
        srv::request_spec s;
        const lwm2m::path target = cmd.path.value_or(lwm2m::path::root());
        switch (cmd.operation) {
        case op::read: s = srv::request_spec::read(target); break;
        case op::discover: s = srv::request_spec::discover(target); break;
        case op::write: s = srv::request_spec::write(target, records, !cmd.partial); break;
        case op::execute: s = srv::request_spec::execute(target, cmd.args ? std::string_view{*cmd.args} : std::string_view{}); break;
        case op::write_attributes: s = srv::request_spec::write_attributes(target, attributes, remove_attributes); break;
        case op::observe: s = srv::request_spec::observe(target); break;
        case op::create: s = srv::request_spec::create(target, records); break;
        case op::delete_: s = srv::request_spec::remove(target); break;
        case op::read_composite: s = srv::request_spec::read_composite(cmd.paths); break;
        case op::write_composite: s = srv::request_spec::write_composite(records); break;
        case op::observe_composite: s = srv::request_spec::observe_composite(cmd.paths); break;
        case op::list:
        case op::cancel_observe: break;  // not submitted as a request_spec
        }
        if (cmd.format) s.format = *cmd.format;
        return s;
    }
};

/** Keeps `text` alive in `p` and returns a view of it. */
std::string_view keep(prepared& p, std::string text) {
    p.storage.push_back(std::move(text));
    return p.storage.back();
}

std::string decoded_text(const lwm2m::value& v) {
    std::string s;
    (void)lwm2m::for_each_value_byte(v, [&](std::byte b) { s += static_cast<char>(b); });
    return s;
}

/** A value given as a JSON string, for a resource of type `t`. */
std::optional<lwm2m::value> from_string(prepared& p, const lwm2m::value& v, lwm2m::data_type t, std::string& why) {
    const std::string text = decoded_text(v);
    switch (t) {
    case lwm2m::data_type::string: return lwm2m::value::of_string(keep(p, text));
    case lwm2m::data_type::corelnk: return lwm2m::value::of_corelnk(keep(p, text));
    case lwm2m::data_type::opaque: {
        // Opaque values are written as base64url (as replies print them), or standard base64.
        for (auto alphabet : {lwm2m::encoding::base64_alphabet::url, lwm2m::encoding::base64_alphabet::standard}) {
            auto n = lwm2m::encoding::base64_decoded_size(text, alphabet);
            if (!n) continue;
            std::string bytes(*n, '\0');
            auto ok = lwm2m::encoding::base64_decode(text, alphabet, lwm2m::mutable_bytes{reinterpret_cast<std::byte*>(bytes.data()), bytes.size()});
            if (!ok) continue;
            bytes.resize(*ok);
            return lwm2m::value::of_opaque(lwm2m::as_bytes(keep(p, std::move(bytes))));
        }
        why = "give Opaque bytes as base64url or base64 text";
        return std::nullopt;
    }
    case lwm2m::data_type::objlnk: {
        const std::size_t colon = text.find(':');
        const auto o = colon == std::string::npos ? std::nullopt : number_arg(std::string_view{text}.substr(0, colon), 65535);
        const auto i = colon == std::string::npos ? std::nullopt : number_arg(std::string_view{text}.substr(colon + 1), 65535);
        if (!o || !i) {
            why = "give an Objlnk as \"ObjID:InstID\"";
            return std::nullopt;
        }
        return lwm2m::value::of_objlnk(lwm2m::objlnk{static_cast<std::uint16_t>(*o), static_cast<std::uint16_t>(*i)});
    }
    default:
        why = std::string("give a JSON ") + (t == lwm2m::data_type::boolean ? "boolean" : "number") + ", not a string,";
        return std::nullopt;
    }
}

/**
 * `v` converted to the schema type of resource `p` (objects::registry); unknown resources keep
 * the JSON type. Strings are decoded (JSON escapes) into `p`'s storage.
 */
std::optional<lwm2m::value> typed(prepared& prep, const lwm2m::path& p, const lwm2m::value& v, std::string& why) {
    const lwm2m::resource_def* rd = p.has_resource() ? lwm2m::objects::registry.find_resource(p) : nullptr;
    const bool is_text = v.kind() == lwm2m::value_kind::string;
    if (rd == nullptr) {
        if (is_text) return lwm2m::value::of_string(keep(prep, decoded_text(v)));
        return v;
    }
    const std::string where = " " + path_string(p) + " (" + std::string(rd->name) + ", type " +
                              std::string(data_type_name(rd->type)) + ")";
    if (rd->type == lwm2m::data_type::none) {
        why = "resource " + path_string(p) + " (" + std::string(rd->name) + ") is executable and has no value";
        return std::nullopt;
    }
    if (rd->is_multiple() && p.level() == lwm2m::path_level::resource) {
        why = "resource " + path_string(p) + " (" + std::string(rd->name) +
              ") has multiple instances: write a resource instance /O/I/R/RI";
        return std::nullopt;
    }
    if (is_text) {
        auto r = from_string(prep, v, rd->type, why);
        if (!r) why += " for" + where;
        return r;
    }
    auto c = lwm2m::coerce(v, rd->type);
    if (!c) {
        json_line w;
        lwm2m_server::write_record(w, lwm2m::format::record{p, v, std::nullopt});
        std::string given = std::move(w).str();  // {"n":"/p","v":40.5}: keep the value
        const std::size_t colon = given.find(':', given.find(','));
        given = colon == std::string::npos ? std::string("(none)") : given.substr(colon + 1, given.size() - colon - 2);
        why = "value " + given + " does not fit" + where;
        return std::nullopt;
    }
    return *c;
}

/** Builds the records, attributes... of a parsed command; returns an error reason or "". */
std::string prepare(prepared& p) {
    const lwm2m_server::command& c = p.cmd;
    std::string why;
    if (c.operation == op::write && c.value) {  // the parser checked the path level
        auto v = typed(p, *c.path, *c.value, why);
        if (!v) return why;
        p.records.push_back(lwm2m::format::record{*c.path, *v, std::nullopt});
    }
    if (c.has_content) {
        for (const lwm2m::format::record& r : c.content) {
            lwm2m::format::record out = r;
            auto v = typed(p, r.path, r.value, why);
            if (!v) return why;
            out.value = *v;
            p.records.push_back(out);
        }
    }
    if (c.operation == op::write_attributes) {
        for (const lwm2m::attribute_change& a : c.attributes) {
            p.attributes.apply(a);
            if (a.remove) p.remove_attributes = static_cast<std::uint8_t>(p.remove_attributes | (1u << static_cast<unsigned>(a.name)));
        }
    }
    return {};
}

// ---- the application: engine handler, command dispatch, output ---------------------------

class server_app {
public:
    server_app(const options& opt, udp_type& udp) : opt_(opt), udp_(udp) {}

    void attach(engine_type& e) { engine_ = &e; }

    // -- output --
    // Lines are flushed by `flush_output` once per batch of datagrams (and after commands and
    // timers), not one write(2) per line: under load one Update event per datagram would
    // otherwise cost a system call each.
    void print(const std::string& line) {
        std::fwrite(line.data(), 1, line.size(), stdout);
        std::fputc('\n', stdout);
    }
    static void flush_output() { std::fflush(stdout); }

    // -- server_handler --------------------------------------------------------------------

    void on_registration(const srv::registration_event& e) {
        const srv::registration_view& r = e.registration;
        const std::string ep(r.endpoint);
        char where[64];
        const std::size_t n = udp_.describe(r.peer, where);
        switch (e.kind) {
        case srv::registration_event_kind::registered:
        case srv::registration_event_kind::updated: {
            reg_info& info = registrations_[ep];
            info.location = r.location;
            info.address.assign(where, n);
            info.lifetime = r.lifetime;
            info.binding = binding_text(r.binding);
            info.version = std::string(srv::name(r.version));
            info.queue = r.queue;
            info.objects = link_paths(r.links);
            info.links_truncated = r.links_truncated;
            lwm2m_server::registration_info out{ep, r.lifetime, info.binding, info.version, info.objects};
            std::string line = lwm2m_server::format_registration(e.kind == srv::registration_event_kind::registered
                                                                     ? lwm2m_server::registration_event::registered
                                                                     : lwm2m_server::registration_event::updated,
                                                                 out);
            std::string extra;
            if (r.queue) extra += ",\"queue\":true";
            if (e.replaced) extra += ",\"replaced\":true";
            if (r.links_truncated) extra += ",\"links_truncated\":true";
            print(with_members(std::move(line), extra));
            break;
        }
        case srv::registration_event_kind::deregistered:
        case srv::registration_event_kind::expired:
            registrations_.erase(ep);
            gone_peers_.push_back(r.peer);
            print(lwm2m_server::format_gone(ep, e.kind == srv::registration_event_kind::expired));
            break;
        }
        if (opt_.verbose)
            std::fprintf(stderr, "-- %zu registration(s)\n", registrations_.size());
    }

    void on_result(const srv::request_result& r) {
        auto it = requests_.find(r.id.value);
        if (it == requests_.end()) return;  // not ours (cannot happen) or already reported
        const std::shared_ptr<prepared> cmd = it->second.cmd;
        const bool cancel_reply = it->second.cancel;
        requests_.erase(it);
        const std::string& id = cmd->cmd.id;
        if (r.failure) {
            print(lwm2m_server::format_error(id, r.endpoint, failure_text(*r.failure)));
            if (!cancel_reply) observations_.erase(r.id.value);
            return;
        }
        const auto code = lwm2m::coap::dotted(r.code);
        lwm2m_server::reply rep;
        rep.id = id;
        rep.ep = r.endpoint;
        rep.status = std::string_view{code.data(), code.size()};
        const bool ok = lwm2m::coap::is_success(r.code);
        const bool with_content = r.op == srv::operation::read || r.op == srv::operation::observe ||
                                  r.op == srv::operation::read_composite || r.op == srv::operation::observe_composite ||
                                  r.op == srv::operation::cancel_observe;
        if (ok && with_content) rep.content = r.records;
        std::string links;
        if (ok && r.op == srv::operation::discover) {
            links = std::string(lwm2m::as_chars(r.payload));
            rep.links = links;
        }
        std::string location;
        if (r.location) {
            location = path_string(*r.location);
            rep.location = location;
        }
        std::string extra;
        if (r.decode_error)
            extra += json_member("decode_error", std::string(lwm2m::name(r.decode_error->code)) + " at byte " +
                                                     std::to_string(r.decode_error->offset));
        if (!ok && !r.payload.empty()) extra += json_member("diagnostic", std::string(lwm2m::as_chars(r.payload)));
        if (r.op == srv::operation::observe || r.op == srv::operation::observe_composite) {
            // false: the client answered without an Observe option (it does not observe this).
            extra += r.observing ? ",\"observing\":true" : ",\"observing\":false";
            if (!r.observing) observations_.erase(r.id.value);
        }
        print(with_members(lwm2m_server::format_reply(rep), extra));
    }

    void on_notification(const srv::notification& n) {
        auto it = observations_.find(n.observation.value);
        if (it == observations_.end()) return;
        const observation_info& o = it->second;
        if (!n.failure && lwm2m::coap::is_success(n.code)) {
            lwm2m_server::notification out{n.endpoint, o.cmd->cmd.id, o.paths, n.records};
            std::string extra = ",\"seq\":" + std::to_string(n.sequence);
            if (n.decode_error)
                extra += json_member("decode_error", std::string(lwm2m::name(n.decode_error->code)) + " at byte " +
                                                         std::to_string(n.decode_error->offset));
            print(with_members(lwm2m_server::format_notify(out), extra));
        }
        if (n.ended) {
            json_line w;
            w.begin_object().member("event", "observation-ended").member("ep", n.endpoint);
            if (!o.cmd->cmd.id.empty()) w.key("id").raw(o.cmd->cmd.id);
            if (o.paths.size() == 1) w.member("path", o.paths[0].text().view());
            if (n.failure) w.member("reason", failure_text(*n.failure));
            else if (!lwm2m::coap::is_success(n.code)) {
                const auto code = lwm2m::coap::dotted(n.code);
                w.member("status", std::string_view{code.data(), code.size()});
            } else w.member("reason", "notification without Observe option");
            w.end_object();
            print(std::move(w).str());
            observations_.erase(it);
        }
    }

    void on_send(const srv::send_report& s) { print(lwm2m_server::format_send(s.endpoint, s.records)); }

    // -- commands ---------------------------------------------------------------------------

    void handle_line(std::string line) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) return;  // blank lines are ignored
        auto parsed = lwm2m_server::parse_command(std::move(line));
        if (!parsed.ok()) {
            print(lwm2m_server::format_error(parsed.cmd.id, {}, parsed.error));
            return;
        }
        auto p = std::make_shared<prepared>();
        p->cmd = std::move(parsed.cmd);
        if (p->cmd.operation == op::list) return list(p->cmd.id);
        if (std::string why = prepare(*p); !why.empty()) {
            print(lwm2m_server::format_error(p->cmd.id, {}, why));
            return;
        }
        std::vector<std::string> targets = p->cmd.is_group() ? p->cmd.group : std::vector<std::string>{p->cmd.ep};
        if (p->cmd.operation == op::cancel_observe) {
            for (const std::string& ep : targets) cancel(p, ep);
            return;
        }
        // Commands run in order: while earlier ones wait for free request slots, later ones queue up.
        for (std::string& ep : targets) backlog_.push_back(job{p, std::move(ep)});
        run_backlog();
    }

    /** Submits waiting jobs while the engine has room. */
    void run_backlog() {
        while (!backlog_.empty()) {
            job& j = backlog_.front();
            const auto t = now();
            auto id = engine_->submit(j.ep, j.cmd->spec(), t);
            // No request slot (or the endpoint is full) while requests are out: retry when one completes.
            const bool transient = !id && (id.error().code == lwm2m::errc::no_request_slot ||
                                           id.error().code == lwm2m::errc::capacity_exceeded);
            if (transient && !requests_.empty()) return;
            if (!id) {
                print(lwm2m_server::format_error(j.cmd->cmd.id, j.ep, failure_text(id.error().code)));
            } else {
                requests_[id->value] = pending{j.cmd, false};
                if (j.cmd->cmd.operation == op::observe || j.cmd->cmd.operation == op::observe_composite) {
                    observation_info o;
                    o.cmd = j.cmd;
                    o.ep = j.ep;
                    o.composite = j.cmd->cmd.operation == op::observe_composite;
                    if (o.composite) o.paths = j.cmd->cmd.paths;
                    else o.paths.push_back(*j.cmd->cmd.path);
                    observations_[id->value] = std::move(o);
                }
                if (opt_.verbose) log_pending(j.ep, *id);
            }
            backlog_.pop_front();
        }
    }

    /** True while some command waits for an answer or for a request slot. */
    [[nodiscard]] bool busy() const { return !requests_.empty() || !backlog_.empty(); }

    /** Peers of registrations that ended since the last call (the adapter may forget them). */
    std::vector<lwm2m::exchange::peer_id> take_gone_peers() { return std::exchange(gone_peers_, {}); }

private:
    struct reg_info {
        std::uint32_t location = 0;
        std::string address;
        std::uint32_t lifetime = 0;
        std::string binding;
        std::string version;
        bool queue = false;
        bool links_truncated = false;
        std::vector<lwm2m::path> objects;
    };
    struct pending {
        std::shared_ptr<prepared> cmd;
        bool cancel = false;  // the GET Observe=1 of an active cancel
    };
    struct observation_info {
        std::shared_ptr<prepared> cmd;
        std::string ep;
        std::vector<lwm2m::path> paths;
        bool composite = false;
    };
    struct job {
        std::shared_ptr<prepared> cmd;
        std::string ep;
    };

    void log_pending(const std::string& ep, srv::request_id id) {
        srv::pending_request list[8];
        const std::size_t n = engine_->pending(ep, list);
        for (std::size_t i = 0; i < n && i < std::size(list); ++i)
            if (list[i].id == id && list[i].held)
                std::fprintf(stderr, "-- request %u to %s held until the client wakes up (queue mode)\n",
                             static_cast<unsigned>(id.value), ep.c_str());
    }

    void list(const std::string& id) {
        json_line w;
        w.begin_object();
        if (!id.empty()) w.key("id").raw(id);
        w.member("status", "2.05");
        w.key("count").number(static_cast<std::uint64_t>(registrations_.size()));
        w.key("registrations").begin_array();
        for (const auto& [ep, r] : registrations_) {
            char loc[16];
            std::snprintf(loc, sizeof loc, "/rd/%x", static_cast<unsigned>(r.location));
            w.begin_object();
            w.member("ep", ep);
            w.member("location", loc);
            w.member("address", r.address);
            w.key("lifetime").number(std::uint64_t{r.lifetime});
            w.member("binding", r.binding);
            w.member("version", r.version);
            w.key("queue").boolean(r.queue);
            w.key("objects").begin_array();
            for (const lwm2m::path& p : r.objects) w.string(p.text().view());
            w.end_array();
            w.end_object();
        }
        w.end_array();
        w.end_object();
        print(std::move(w).str());
    }

    /** cancel-observe: by "path" (active cancel, GET with Observe=1) or by "paths" (composite: passive). */
    void cancel(const std::shared_ptr<prepared>& p, const std::string& ep) {
        const lwm2m_server::command& c = p->cmd;
        std::vector<std::uint32_t> found;
        for (const auto& [key, o] : observations_) {
            if (o.ep != ep) continue;
            const bool match = c.path ? (!o.composite && o.paths.size() == 1 && o.paths[0] == *c.path)
                                      : (o.composite && o.paths == c.paths);
            if (match) found.push_back(key);
        }
        if (found.empty()) {
            const std::string what = c.path ? path_string(*c.path) : std::string("these paths");
            print(lwm2m_server::format_error(c.id, ep, "no observation of " + what));
            return;
        }
        for (std::uint32_t key : found) {
            auto r = engine_->cancel_observation(srv::request_id{key}, engine_type::cancel_mode::active, now());
            observations_.erase(key);
            if (!r) {
                print(lwm2m_server::format_error(c.id, ep, failure_text(r.error().code)));
            } else if (r->value == key) {  // passive: nothing goes on the wire
                json_line w;
                w.begin_object();
                if (!c.id.empty()) w.key("id").raw(c.id);
                w.member("ep", ep).member("status", "cancelled").end_object();
                print(std::move(w).str());
            } else {
                requests_[r->value] = pending{p, true};
            }
        }
    }

    const options& opt_;
    udp_type& udp_;
    engine_type* engine_ = nullptr;
    std::map<std::string, reg_info> registrations_;
    std::unordered_map<std::uint32_t, pending> requests_;
    std::unordered_map<std::uint32_t, observation_info> observations_;
    std::deque<job> backlog_;
    std::vector<lwm2m::exchange::peer_id> gone_peers_;
};

void handler_bridge::on_registration(const srv::registration_event& e) { app->on_registration(e); }
void handler_bridge::on_result(const srv::request_result& r) { app->on_result(r); }
void handler_bridge::on_notification(const srv::notification& n) { app->on_notification(n); }
void handler_bridge::on_send(const srv::send_report& s) { app->on_send(s); }

// ---- datagram logging (--verbose) ---------------------------------------------------------

void log_datagram(const char* dir, const udp_type& udp, lwm2m::exchange::peer_id peer, lwm2m::bytes_view d) {
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
    for (std::string_view q : m->uri_query()) {
        path += path.find('?') == std::string::npos ? '?' : '&';
        path.append(q);
    }
    if (path.empty()) path = "-";
    const auto code = lwm2m::coap::dotted(m->code());
    const std::string_view type = lwm2m::coap::name(m->type());
    std::fprintf(stderr, "%s %.*s %.*s %.4s %s mid=%u%s %zu bytes\n", dir, static_cast<int>(n), who,
                 static_cast<int>(type.size()), type.data(), code.data(), path.c_str(),
                 static_cast<unsigned>(m->message_id()), m->observe() ? " obs" : "", m->payload().size());
}

// ---- outgoing datagrams -------------------------------------------------------------------

/**
 * Datagrams waiting to be sent. `posix_udp_batch::queue` keeps pointers to the bytes until
 * `flush` sent them, so they live here (a deque of vectors: their bytes never move) and the
 * first `in_adapter` of them are the ones queued in the adapter, in order.
 */
struct outbox {
    struct datagram {
        lwm2m::exchange::peer_id peer;
        std::vector<std::byte> bytes;
    };
    std::deque<datagram> pending;
    std::size_t in_adapter = 0;

    void pump(udp_type& udp) {
        for (;;) {
            while (in_adapter < pending.size() && udp.queued() < batch) {
                const datagram& d = pending[in_adapter];
                if (!udp.queue(d.peer, d.bytes)) {  // peer forgotten meanwhile: drop it
                    pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(in_adapter));
                    continue;
                }
                ++in_adapter;
            }
            if (in_adapter == 0) return;
            const std::size_t sent = udp.flush();
            for (std::size_t i = 0; i < sent; ++i) pending.pop_front();
            in_adapter -= sent;
            if (sent == 0 || pending.empty()) return;
        }
    }
    [[nodiscard]] bool empty() const { return pending.empty(); }
};

} // namespace

int main(int argc, char** argv) {
    const options opt = parse_args(argc, argv);
    // Started with stdin closed: keep fd 0 from being reused by the socket (it is polled as stdin).
    if (::fcntl(0, F_GETFD) < 0 && errno == EBADF) (void)::open("/dev/null", O_RDONLY);

    struct sigaction sa{};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: poll returns EINTR at once
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    std::random_device rd;
    std::mt19937 mt{rd()};

    // Peer table: 4/3 of the registrations plus room for clients that have not registered yet.
    std::vector<lwm2m::transport::udp_peer_slot> peer_slots(opt.max_registrations + opt.max_registrations / 3 + 4096);
    auto udp = std::make_unique<udp_type>(peer_slots, (std::uint64_t{mt()} << 32) | mt());
    if (auto ok = udp->open(opt.address, opt.port, 4 << 20); !ok) {
        std::fprintf(stderr, "error: cannot bind UDP %s port %u: %s\n", opt.address.empty() ? "(any)" : opt.address.c_str(),
                     static_cast<unsigned>(opt.port), std::strerror(errno));
        return 1;
    }

    std::vector<engine_type::slot_type> slots(opt.max_registrations);
    std::vector<std::uint32_t> index(engine_type::index_words(opt.max_registrations));
    srv::server_config config;
    if (opt.queue_awake > 0) config.queue_awake_time = std::chrono::seconds(opt.queue_awake);
    server_app app{opt, *udp};
    handler_bridge bridge{&app, {}};
    auto engine = std::make_unique<engine_type>(bridge, slots, index, random_source{&mt}, config);
    app.attach(*engine);

    std::fprintf(stderr, "-- lwm2m-server on UDP %s port %u (%s), up to %zu registrations; commands on stdin\n",
                 opt.address.empty() ? "(any)" : opt.address.c_str(), static_cast<unsigned>(udp->local_port()),
                 udp->family() == AF_INET6 ? "IPv6 dual-stack" : "IPv4", opt.max_registrations);

    outbox out;
    std::vector<std::byte> tx(limits::max_message);
#if LWM2M_HAVE_OPENSSL
    // --psk: every datagram on the port is a DTLS record; the engine sees the plaintext.
    std::unique_ptr<lwm2m::transport::dtls_psk_server> dtls;
    if (!opt.psks.empty()) {
        dtls = std::make_unique<lwm2m::transport::dtls_psk_server>(
            [&opt](std::string_view identity) { return lwm2m_examples::psk_key_of(opt.psks, identity); },
            opt.max_registrations + 1024);
        if (!dtls->open()) {
            std::fprintf(stderr, "error: cannot set up DTLS (OpenSSL)\n");
            return 1;
        }
        std::fprintf(stderr, "-- DTLS 1.2 PSK on the port (%zu identities)\n", opt.psks.size());
        bridge.authorize = [&opt, &dtls](lwm2m::exchange::peer_id peer, std::string_view endpoint) {
            const auto identity = dtls->identity(peer);
            return identity && lwm2m_examples::psk_allows(opt.psks, *identity, endpoint);
        };
    }
    const auto take_records = [&] {
        while (auto r = dtls->poll_record(tx)) out.pending.push_back({r->peer, std::vector<std::byte>(tx.begin(), tx.begin() + static_cast<std::ptrdiff_t>(r->size))});
    };
#endif
    const auto drain = [&] {
        while (auto t = engine->poll_transmit(tx)) {
            const lwm2m::bytes_view d{tx.data(), t->size};
            if (opt.verbose) log_datagram(">>", *udp, t->peer, d);
#if LWM2M_HAVE_OPENSSL
            if (dtls) {
                if (auto ok = dtls->write_datagram(t->peer, d); !ok && opt.verbose)
                    std::fprintf(stderr, "-- not sent (no DTLS session with that peer): %s\n", lwm2m::name(ok.error().code).data());
                take_records();
                continue;
            }
#endif
            out.pending.push_back({t->peer, std::vector<std::byte>(d.begin(), d.end())});
        }
    };
    std::vector<std::byte> plain(rx_buffer_size);

    std::vector<std::byte> rx_storage(batch * rx_buffer_size);
    std::vector<lwm2m::transport::udp_rx> rx(batch);

    bool stdin_open = true;
    std::string stdin_buffer;
    std::vector<char> chunk(65536);

    while (g_stop == 0) {
        // How long to sleep: until the engine's next deadline, at most 1 s (signals, EOF checks).
        auto wait = std::chrono::milliseconds(1000);
        auto deadline = engine->next_deadline();
#if LWM2M_HAVE_OPENSSL
        if (dtls)
            if (auto d = dtls->next_deadline(); d && (!deadline || *d < *deadline)) deadline = d;
#endif
        if (deadline) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - now()) + 1ms;
            wait = std::clamp(left, std::chrono::milliseconds(0), wait);
        }
        pollfd fds[2] = {{udp->native_handle(), static_cast<short>(POLLIN | (out.empty() ? 0 : POLLOUT)), 0},
                         {0, POLLIN, 0}};
        const int ready = ::poll(fds, stdin_open ? 2 : 1, static_cast<int>(wait.count()));
        if (ready < 0 && errno != EINTR) {
            std::perror("poll");
            return 1;
        }
        if (g_stop != 0) break;

        // Datagrams: a few batches per wake-up, so that stdin and timers are not starved.
        if (ready > 0 && (fds[0].revents & POLLIN) != 0) {
            for (int round = 0; round < 16; ++round) {
                for (std::size_t i = 0; i < batch; ++i)
                    rx[i].buffer = lwm2m::mutable_bytes{rx_storage.data() + i * rx_buffer_size, rx_buffer_size};
                auto n = udp->receive(rx);
                if (!n || *n == 0) break;
                const auto t = now();
                for (std::size_t i = 0; i < *n; ++i) {
                    const lwm2m::bytes_view d{rx[i].buffer.data(), rx[i].size};
                    if (rx[i].truncated) continue;  // larger than any message we accept
#if LWM2M_HAVE_OPENSSL
                    if (dtls) {
                        const bool was_up = dtls->connected(rx[i].peer);
                        dtls->on_record(rx[i].peer, d, t);
                        take_records();
                        if (!was_up && dtls->connected(rx[i].peer)) {
                            char who[64];
                            const std::size_t w = udp->describe(rx[i].peer, who);
                            std::fprintf(stderr, "-- DTLS session with %.*s, identity '%s' (%s)\n", static_cast<int>(w), who,
                                         std::string(*dtls->identity(rx[i].peer)).c_str(),
                                         std::string(dtls->cipher(rx[i].peer)).c_str());
                        }
                        while (auto r = dtls->read_datagram(plain)) {
                            const lwm2m::bytes_view p{plain.data(), r->size};
                            if (opt.verbose) log_datagram("<<", *udp, r->peer, p);
                            engine->on_datagram(r->peer, p, t);
                            drain();
                        }
                        continue;
                    }
#endif
                    if (opt.verbose) log_datagram("<<", *udp, rx[i].peer, d);
                    engine->on_datagram(rx[i].peer, d, t);
                    drain();
                }
                out.pump(*udp);
                server_app::flush_output();
                if (*n < batch) break;
            }
        }

        // Commands.
        if (stdin_open && ready > 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) != 0) {
            const ssize_t n = ::read(0, chunk.data(), chunk.size());
            if (n > 0) {
                stdin_buffer.append(chunk.data(), static_cast<std::size_t>(n));
                std::size_t start = 0;
                for (std::size_t nl; (nl = stdin_buffer.find('\n', start)) != std::string::npos; start = nl + 1) {
                    app.handle_line(stdin_buffer.substr(start, nl - start));
                    drain();
                }
                stdin_buffer.erase(0, start);
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                stdin_open = false;
                if (!stdin_buffer.empty()) app.handle_line(std::exchange(stdin_buffer, {}));
                drain();
                if (opt.verbose) std::fprintf(stderr, "-- end of stdin\n");
            }
        }

        // Timers: retransmissions, give-ups, registration expiry (and DTLS handshake flights).
        if (auto d = engine->next_deadline(); d && *d <= now()) {
            engine->on_timeout(now());
            drain();
        }
#if LWM2M_HAVE_OPENSSL
        if (dtls)
            if (auto d = dtls->next_deadline(); d && *d <= now()) {
                dtls->on_timeout(now());
                take_records();
            }
#endif

        app.run_backlog();
        drain();
        out.pump(*udp);
        server_app::flush_output();

        // Addresses of ended registrations are forgotten once nothing is left to send to them.
        if (out.empty())
            for (const lwm2m::exchange::peer_id p : app.take_gone_peers())
                if (!engine->find(p)) {
#if LWM2M_HAVE_OPENSSL
                    if (dtls) dtls->forget(p);  // its close_notify goes nowhere: the address goes too
#endif
                    (void)udp->peers().forget(p);
                }

        if (!stdin_open && opt.exit_on_eof && !app.busy() && out.empty()) break;
    }
#if LWM2M_HAVE_OPENSSL
    if (dtls) {  // close_notify to every client: each starts a new session at once (and re-registers)
        dtls->close_all();
        take_records();
    }
#endif
    out.pump(*udp);
    if (opt.verbose) {
        const auto& s = udp->stats();
        std::fprintf(stderr, "-- received %llu, sent %llu datagrams (%llu recvmmsg, %llu sendmmsg calls)\n",
                     static_cast<unsigned long long>(s.received), static_cast<unsigned long long>(s.sent),
                     static_cast<unsigned long long>(s.receive_calls), static_cast<unsigned long long>(s.send_calls));
    }
    std::fprintf(stderr, "-- lwm2m-server: bye\n");
    return 0;
}
