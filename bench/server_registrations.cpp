// server_registrations: how many registrations one server engine holds, how fast it takes them,
// and what each one costs in memory.
//
//   server_registrations [--count N]... [--lookups M] [--mode all|steady|expiry]
//                        [--slot default|compact] [--storage vector|mmap|mmap-huge] [--seed S]
//
// For each N (default 100000) it builds a `server::engine` whose registration slots and index
// words are allocated here, for exactly N registrations (std::vector, or an anonymous mmap),
// (mmap-huge: the mapping is advised MADV_HUGEPAGE), and drives it sans-I/O, with no sockets:
// 1. Register (LwM2M 1.1 Core §6.2.1): N real CoAP datagrams, CON POST
//    /rd?ep=ep-<i>&lt=86400&lwm2m=1.1&b=U with Content-Format 40 and the payload
//    </>;rt="oma.lwm2m";ct=110,</1/0>,</3/0>,</3311/0>,</3311/1>, each from its own peer_id,
//    fed to `on_datagram`; `poll_transmit` is drained after each and the answer must be a
//    piggybacked 2.01 (ACK, same Message ID and token) with Location-Path rd/<id>;
// 2. Update (§6.2.2): N POST /rd/<id> without payload, in a random order, one virtual hour
//    later, each answered 2.04;
// 3. M lookups (default N) of random registrations, a third each by endpoint name
//    (`engine.find(name)`), by location id (`find_location`) and by peer (`find(peer_id)`);
// 4. (modes all and expiry) expiry: the clock jumps past every lifetime and one `on_timeout`
//    ends all N registrations (Core §6.2.2: a registration whose lifetime passed is removed).
// Mode `expiry` skips steps 2 and 3.
//
// It reports, per phase, operations per second of engine time (the time spent inside
// on_datagram + poll_transmit, or inside the lookups/on_timeout) and of wall time (building the
// datagrams and checking the answers included); sizeof the slot, the index words and their
// total per registration; and the process's VmRSS/VmHWM from /proc/self/status at each step, so
// the resident memory per registration is measured rather than inferred from sizeof.
// --slot compact uses server_limits with MaxLinks = 8 (the payload above has 4 object links).
// With several --count values each N runs in its own child process, so RSS figures stay apart.
// Output: human text, then one machine-readable line per N:
//   RESULT n=... slot_bytes=... storage_bytes_per_reg=... rss_bytes_per_reg=... reg_per_s=...
// Exit status: 0; 1 when an answer was wrong, a lookup failed or expiry left registrations;
// 2 for bad arguments or no memory.

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lwm2m/coap/message_builder.hpp>
#include <lwm2m/coap/parse.hpp>
#include <lwm2m/server.hpp>

#include <array>
#include <charconv>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace std::chrono_literals;
using wall = std::chrono::steady_clock;

struct options {
    std::vector<std::size_t> counts;
    std::size_t lookups = 0;  // 0: N
    bool lookups_set = false;
    std::string mode = "all";
    std::string slot = "default";
    std::string storage = "vector";
    std::uint32_t seed = 12345;
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "server_registrations: %s\n"
                 "usage: server_registrations [--count N]... [--lookups M] [--mode all|steady|expiry]\n"
                 "                            [--slot default|compact] [--storage vector|mmap|mmap-huge] [--seed S]\n",
                 why);
    std::exit(2);
}

std::size_t parse_size(const char* v) {
    std::size_t n = 0;
    const std::string_view s{v};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc{} || p != s.data() + s.size()) usage("not a number");
    return n;
}

options parse_args(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "-h" || a == "--help") usage("help");
        if (i + 1 >= argc) usage("missing value");
        const char* v = argv[++i];
        if (a == "--count") o.counts.push_back(parse_size(v));
        else if (a == "--lookups") o.lookups = parse_size(v), o.lookups_set = true;
        else if (a == "--mode") o.mode = v;
        else if (a == "--slot") o.slot = v;
        else if (a == "--storage") o.storage = v;
        else if (a == "--seed") o.seed = static_cast<std::uint32_t>(parse_size(v));
        else usage("unknown option");
    }
    if (o.counts.empty()) o.counts.push_back(100000);
    for (std::size_t n : o.counts)
        if (n == 0 || n > 0xFFFFFFF0u) usage("--count must be 1..4294967280");
    if (o.mode != "all" && o.mode != "steady" && o.mode != "expiry") usage("bad --mode");
    if (o.slot != "default" && o.slot != "compact") usage("bad --slot");
    if (o.storage != "vector" && o.storage != "mmap" && o.storage != "mmap-huge") usage("bad --storage");
    return o;
}

// ---- process memory --------------------------------------------------------------------------

struct memory {
    std::size_t rss_kib = 0;
    std::size_t hwm_kib = 0;
};

memory read_memory() {
    memory m;
    std::FILE* f = std::fopen("/proc/self/status", "r");
    if (f == nullptr) return m;
    char line[256];
    while (std::fgets(line, sizeof line, f) != nullptr) {
        unsigned long v = 0;
        if (std::sscanf(line, "VmRSS: %lu kB", &v) == 1) m.rss_kib = v;
        else if (std::sscanf(line, "VmHWM: %lu kB", &v) == 1) m.hwm_kib = v;
    }
    std::fclose(f);
    return m;
}

// ---- caller-provided storage -----------------------------------------------------------------

/** `count` default-constructed T, in a std::vector or an anonymous private mapping. */
template <class T>
class storage {
public:
    storage(std::size_t count, bool use_mmap, bool huge) : count_(count), mmap_(use_mmap) {
        if (!mmap_) {
            vec_.resize(count);
            data_ = vec_.data();
            return;
        }
        bytes_ = count * sizeof(T);
        void* p = ::mmap(nullptr, bytes_ == 0 ? 1 : bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            std::perror("mmap");
            std::exit(2);
        }
        // Transparent huge pages: fewer page faults when the store clears the storage, fewer
        // TLB misses on the random accesses of lookups and heap operations.
        if (huge) (void)::madvise(p, bytes_, MADV_HUGEPAGE);
        data_ = static_cast<T*>(p);
        for (std::size_t i = 0; i < count; ++i) ::new (static_cast<void*>(data_ + i)) T{};
    }
    ~storage() {
        if (mmap_) ::munmap(data_, bytes_ == 0 ? 1 : bytes_);  // T is trivially destructible
    }
    storage(const storage&) = delete;
    storage& operator=(const storage&) = delete;
    std::span<T> span() noexcept { return {data_, count_}; }

private:
    std::size_t count_;
    bool mmap_;
    std::size_t bytes_ = 0;
    std::vector<T> vec_;
    T* data_ = nullptr;
};

// ---- engine plumbing -------------------------------------------------------------------------

struct xorshift {
    std::uint32_t state = 2463534242u;
    std::uint32_t operator()() noexcept {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        return state;
    }
};

/** Counts events; keeps nothing (the views die with the callback). */
struct counting_handler {
    std::size_t registered = 0, updated = 0, deregistered = 0, expired = 0, replaced = 0, other = 0;
    void on_registration(const lwm2m::server::registration_event& e) noexcept {
        using k = lwm2m::server::registration_event_kind;
        if (e.replaced) ++replaced;
        switch (e.kind) {
        case k::registered: ++registered; break;
        case k::updated: ++updated; break;
        case k::deregistered: ++deregistered; break;
        case k::expired: ++expired; break;
        default: ++other; break;
        }
    }
    void on_result(const lwm2m::server::request_result&) noexcept { ++other; }
    void on_notification(const lwm2m::server::notification&) noexcept { ++other; }
    void on_send(const lwm2m::server::send_report&) noexcept { ++other; }
};

constexpr std::string_view register_payload = "</>;rt=\"oma.lwm2m\";ct=110,</1/0>,</3/0>,</3311/0>,</3311/1>";

/** "ep-<i>" into `buf`. */
std::string_view endpoint_name(std::size_t i, std::array<char, 32>& buf) {
    buf[0] = 'e';
    buf[1] = 'p';
    buf[2] = '-';
    auto r = std::to_chars(buf.data() + 3, buf.data() + buf.size(), i);
    return {buf.data(), static_cast<std::size_t>(r.ptr - buf.data())};
}

/** Lowercase hex of a location id, as the engine writes it in Location-Path. */
std::string_view location_text(std::uint32_t v, std::array<char, 8>& buf) {
    auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v, 16);
    return {buf.data(), static_cast<std::size_t>(r.ptr - buf.data())};
}

std::array<std::byte, 4> token_of(std::size_t i, std::uint8_t phase) {
    return {std::byte{phase}, static_cast<std::byte>(i >> 16), static_cast<std::byte>(i >> 8), static_cast<std::byte>(i)};
}

/** Register datagram of endpoint i (CON POST /rd?ep=ep-<i>&lt=86400&lwm2m=1.1&b=U). */
std::size_t build_register(std::size_t i, std::span<std::byte> out) {
    std::array<char, 32> name{};
    std::array<char, 40> ep{};
    const std::string_view n = endpoint_name(i, name);
    std::memcpy(ep.data(), "ep=", 3);
    std::memcpy(ep.data() + 3, n.data(), n.size());
    const auto tok = token_of(i, 0x52);
    lwm2m::coap::message_builder<12> b;
    b.type(lwm2m::coap::message_type::confirmable).code(lwm2m::coap::code::post).message_id(static_cast<std::uint16_t>(i));
    b.token(lwm2m::bytes_view{tok});
    b.uri_path("rd");
    b.uri_query(std::string_view{ep.data(), 3 + n.size()});
    b.uri_query("lt=86400");
    b.uri_query("lwm2m=1.1");
    b.uri_query("b=U");
    b.content_format(40);  // application/link-format
    b.payload(register_payload);
    auto r = b.serialize(lwm2m::mutable_bytes{out});
    return r ? *r : 0;
}

/** Update datagram (CON POST /rd/<id>, no query, no payload: the periodic keep-alive). */
std::size_t build_update(std::size_t i, std::uint32_t location, std::span<std::byte> out) {
    std::array<char, 8> loc{};
    const auto tok = token_of(i, 0x55);
    lwm2m::coap::message_builder<4> b;
    b.type(lwm2m::coap::message_type::confirmable).code(lwm2m::coap::code::post).message_id(static_cast<std::uint16_t>(i + 0x8000));
    b.token(lwm2m::bytes_view{tok});
    b.uri_path("rd");
    b.uri_path(location_text(location, loc));
    auto r = b.serialize(lwm2m::mutable_bytes{out});
    return r ? *r : 0;
}

/** Checks a piggybacked answer to `request`; for a 2.01 returns the location id (else 0 or 1). */
std::uint32_t check_answer(lwm2m::bytes_view answer, lwm2m::bytes_view request, lwm2m::coap::code expected) {
    auto a = lwm2m::coap::parse(answer);
    auto q = lwm2m::coap::parse(request);
    if (!a || !q) return 0;
    if (a->type() != lwm2m::coap::message_type::acknowledgement || a->message_id() != q->message_id()) return 0;
    const auto at = a->token(), qt = q->token();
    if (at.size() != qt.size() || !std::equal(at.begin(), at.end(), qt.begin())) return 0;
    if (a->code() != expected) return 0;
    if (expected != lwm2m::coap::code::created) return 1;
    std::size_t k = 0;
    std::uint32_t id = 0;
    for (std::string_view seg : a->location_path()) {
        if (k == 0 && seg != "rd") return 0;
        if (k == 1) {
            auto [p, ec] = std::from_chars(seg.data(), seg.data() + seg.size(), id, 16);
            if (ec != std::errc{} || p != seg.data() + seg.size()) return 0;
        }
        ++k;
    }
    return k == 2 ? id : 0;
}

struct phase {
    const char* name = "";
    std::size_t ops = 0;
    std::size_t failures = 0;
    double engine_s = 0;  // inside the engine calls only
    double wall_s = 0;    // the whole loop
    memory after{};
    double engine_rate() const { return engine_s > 0 ? static_cast<double>(ops) / engine_s : 0; }
    double wall_rate() const { return wall_s > 0 ? static_cast<double>(ops) / wall_s : 0; }
};

double seconds(wall::duration d) { return std::chrono::duration<double>(d).count(); }

void print_memory(const char* when, const memory& m) {
    std::printf("  %-34s VmRSS %9zu KiB   VmHWM %9zu KiB\n", when, m.rss_kib, m.hwm_kib);
}

void print_phase(const phase& p) {
    std::printf("  %-9s %10zu ops  engine %8.3f s = %11.0f /s   wall %8.3f s = %11.0f /s   failures %zu\n", p.name, p.ops,
                p.engine_s, p.engine_rate(), p.wall_s, p.wall_rate(), p.failures);
}

template <class Limits>
int run(const options& o, std::size_t n) {
    using engine_type = lwm2m::server::engine<Limits, xorshift, counting_handler>;
    using slot_type = typename engine_type::slot_type;
    const std::size_t lookups = o.lookups_set ? o.lookups : n;
    const bool huge = o.storage == "mmap-huge";
    const bool use_mmap = o.storage == "mmap" || huge;
    const std::size_t words = engine_type::index_words(n);
    const std::size_t storage_bytes = n * sizeof(slot_type) + words * sizeof(std::uint32_t);

    std::printf("== N = %zu registrations, slot %s (MaxLinks %zu), storage %s, mode %s\n", n, o.slot.c_str(),
                slot_type::max_links, o.storage.c_str(), o.mode.c_str());
    std::printf("  sizeof(slot) %zu B; index %zu words = %.1f B/registration; storage %zu B = %.1f B/registration;"
                " sizeof(engine) %zu B\n",
                sizeof(slot_type), words, static_cast<double>(words * 4) / static_cast<double>(n), storage_bytes,
                static_cast<double>(storage_bytes) / static_cast<double>(n), sizeof(engine_type));

    // The benchmark's own bookkeeping (location id of each endpoint) is allocated and touched
    // before the baseline, so the RSS difference is the engine's.
    std::vector<std::uint32_t> locations(n, 0u);
    const memory m_start = read_memory();
    print_memory("start (bookkeeping allocated)", m_start);

    counting_handler handler;
    const auto c0 = wall::now();
    storage<slot_type> slots(n, use_mmap, huge);
    storage<std::uint32_t> index(words, use_mmap, huge);
    auto engine = std::make_unique<engine_type>(handler, slots.span(), index.span(), xorshift{o.seed | 1u});
    if (engine->registration_capacity() != n) {
        std::printf("  engine capacity %zu != %zu\n", engine->registration_capacity(), n);
        return 1;
    }
    const double construct_s = seconds(wall::now() - c0);
    const memory m_built = read_memory();
    print_memory("engine built (storage cleared)", m_built);
    std::printf("  storage allocation + engine construction: %.3f s\n", construct_s);

    std::array<std::byte, 1500> request{};
    std::array<std::byte, 1500> answer{};
    lwm2m::time_point now{};
    int status = 0;
    std::vector<phase> phases;

    // ---- 1. Register ----
    {
        phase p;
        p.name = "register";
        wall::duration inside{};
        const auto w0 = wall::now();
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t len = build_register(i, request);
            now = lwm2m::time_point{} + std::chrono::milliseconds(i / 1000);  // 1000 registrations per virtual ms
            const auto t0 = wall::now();
            engine->on_datagram(lwm2m::exchange::peer_id{static_cast<std::uint32_t>(i + 1)}, lwm2m::bytes_view{request.data(), len}, now);
            std::size_t answers = 0, answer_len = 0;
            while (auto t = engine->poll_transmit(answer)) {
                ++answers;
                answer_len = t->size;
            }
            inside += wall::now() - t0;
            const std::uint32_t id = answers == 1 && len != 0
                                         ? check_answer({answer.data(), answer_len}, {request.data(), len}, lwm2m::coap::code::created)
                                         : 0;
            if (id == 0) ++p.failures;
            locations[i] = id;
            ++p.ops;
        }
        p.wall_s = seconds(wall::now() - w0);
        p.engine_s = seconds(inside);
        p.after = read_memory();
        phases.push_back(p);
        print_phase(p);
        print_memory("after register", p.after);
        if (engine->registration_count() != n - p.failures) {
            std::printf("  registration_count %zu, expected %zu\n", engine->registration_count(), n - p.failures);
            status = 1;
        }
        if (p.failures != 0) status = 1;
    }

    xorshift rng{o.seed * 2654435761u | 1u};
    const auto pick = [&]() -> std::size_t {
        const std::uint64_t r = (std::uint64_t{rng()} << 32) | rng();
        return static_cast<std::size_t>(r % n);
    };

    if (o.mode != "expiry") {
        // ---- 2. Update, in random order, one virtual hour later ----
        {
            std::vector<std::uint32_t> order(n);
            std::iota(order.begin(), order.end(), 0u);
            for (std::size_t i = n - 1; i > 0; --i) std::swap(order[i], order[static_cast<std::size_t>(rng()) % (i + 1)]);
            phase p;
            p.name = "update";
            wall::duration inside{};
            const auto w0 = wall::now();
            for (std::size_t k = 0; k < n; ++k) {
                const std::size_t i = order[k];
                const std::size_t len = build_update(i, locations[i], request);
                now = lwm2m::time_point{} + 3600s + std::chrono::milliseconds(k / 1000);
                const auto t0 = wall::now();
                engine->on_datagram(lwm2m::exchange::peer_id{static_cast<std::uint32_t>(i + 1)}, lwm2m::bytes_view{request.data(), len}, now);
                std::size_t answers = 0, answer_len = 0;
                while (auto t = engine->poll_transmit(answer)) {
                    ++answers;
                    answer_len = t->size;
                }
                inside += wall::now() - t0;
                if (answers != 1 || len == 0 ||
                    check_answer({answer.data(), answer_len}, {request.data(), len}, lwm2m::coap::code::changed) == 0)
                    ++p.failures;
                ++p.ops;
            }
            p.wall_s = seconds(wall::now() - w0);
            p.engine_s = seconds(inside);
            p.after = read_memory();
            phases.push_back(p);
            print_phase(p);
            if (handler.updated != n - p.failures || p.failures != 0) status = 1;
        }

        // ---- 3. Lookups: a third each by name, location and peer ----
        const char* kinds[] = {"by-name", "by-loc", "by-peer"};
        for (int kind = 0; kind < 3; ++kind) {
            phase p;
            p.name = kinds[kind];
            const std::size_t m = lookups / 3 + (static_cast<std::size_t>(kind) < lookups % 3 ? 1 : 0);
            std::array<char, 32> name{};
            const auto w0 = wall::now();
            for (std::size_t k = 0; k < m; ++k) {
                const std::size_t i = pick();
                bool ok = false;
                if (kind == 0) ok = engine->find(endpoint_name(i, name)).has_value();
                else if (kind == 1) {
                    auto r = engine->find_location(locations[i]);
                    ok = r && r->peer.value == i + 1;
                } else {
                    auto r = engine->find(lwm2m::exchange::peer_id{static_cast<std::uint32_t>(i + 1)});
                    ok = r && r->location == locations[i];
                }
                if (!ok) ++p.failures;
                ++p.ops;
            }
            p.wall_s = p.engine_s = seconds(wall::now() - w0);  // the lookups are the loop
            p.after = read_memory();
            phases.push_back(p);
            print_phase(p);
            if (p.failures != 0) status = 1;
        }
    }

    // ---- 4. Expiry: past every lifetime, one on_timeout ----
    if (o.mode != "steady") {
        phase p;
        p.name = "expiry";
        const auto deadline = engine->next_deadline();
        now += 86400s + 1s;
        const std::size_t before = handler.expired;
        const auto w0 = wall::now();
        engine->on_timeout(now);
        p.wall_s = p.engine_s = seconds(wall::now() - w0);
        p.ops = handler.expired - before;
        p.failures = engine->registration_count();
        p.after = read_memory();
        phases.push_back(p);
        print_phase(p);
        if (!deadline || *deadline > now || p.ops != n || p.failures != 0) status = 1;
    }

    const memory m_end = read_memory();
    print_memory("end", m_end);
    const memory& after_reg = phases.front().after;
    const double rss_per_reg = static_cast<double>((after_reg.rss_kib - m_start.rss_kib) * 1024) / static_cast<double>(n);
    const double hwm_per_reg = static_cast<double>((m_end.hwm_kib - m_start.rss_kib) * 1024) / static_cast<double>(n);
    std::printf("  resident per registration: %.1f B (VmRSS after register - start), peak %.1f B (VmHWM end - start)\n",
                rss_per_reg, hwm_per_reg);
    std::printf("  events: registered %zu updated %zu expired %zu replaced %zu other %zu\n", handler.registered,
                handler.updated, handler.expired, handler.replaced, handler.other);

    std::printf("RESULT n=%zu slot=%s storage=%s slot_bytes=%zu index_bytes_per_reg=%.1f storage_bytes_per_reg=%.1f"
                " construct_s=%.3f"
                " rss_start_kib=%zu rss_after_register_kib=%zu hwm_end_kib=%zu rss_bytes_per_reg=%.1f",
                n, o.slot.c_str(), o.storage.c_str(), sizeof(slot_type), static_cast<double>(words * 4) / static_cast<double>(n),
                static_cast<double>(storage_bytes) / static_cast<double>(n), construct_s, m_start.rss_kib, after_reg.rss_kib,
                m_end.hwm_kib, rss_per_reg);
    for (const phase& p : phases) {
        std::string key = p.name;
        for (char& c : key)
            if (c == '-') c = '_';
        std::printf(" %s_per_s=%.0f %s_wall_per_s=%.0f %s_failures=%zu", key.c_str(), p.engine_rate(), key.c_str(),
                    p.wall_rate(), key.c_str(), p.failures);
    }
    std::printf(" status=%d\n", status);
    return status;
}

// MaxLinks 8: the payload's 4 object links fit; the slot shrinks from ~560 to ~200 bytes.
using compact_limits = lwm2m::server::server_limits<1152, 32, 32, 64, 8>;

int run_one(const options& o, std::size_t n) {
    return o.slot == "compact" ? run<compact_limits>(o, n) : run<lwm2m::server::server_limits<>>(o, n);
}

} // namespace

int main(int argc, char** argv) {
    const options o = parse_args(argc, argv);
    if (o.counts.size() == 1) return run_one(o, o.counts.front());
    int status = 0;
    for (std::size_t n : o.counts) {
        std::fflush(stdout);
        const pid_t child = ::fork();
        if (child < 0) {
            std::perror("fork");
            return 2;
        }
        if (child == 0) {
            const int r = run_one(o, n);
            std::fflush(stdout);
            std::_Exit(r);
        }
        int ws = 0;
        if (::waitpid(child, &ws, 0) < 0 || !WIFEXITED(ws)) {
            std::printf("RESULT n=%zu status=crashed\n", n);
            status = 1;
            continue;
        }
        if (WEXITSTATUS(ws) != 0) status = WEXITSTATUS(ws);
    }
    return status;
}
