// server_loadgen: a closed-loop CoAP load generator for LwM2M/CoAP servers over UDP.
//
//   server_loadgen --host 127.0.0.1 --port P --inflight N --seconds S
//                  [--mode get|lwm2m-update] [--path /x] [--clients K] [--timeout-ms T]
//
// Keeps N Confirmable requests in flight (RFC 7252 §4.2), each with its own Message ID and
// token; a request completes when its piggybacked response (ACK with the same Message ID and
// token) or a separate response (matched by token, then acknowledged) arrives, and a new one
// takes its place at once. A request unanswered after T ms counts as a timeout and is replaced
// (no retransmission: the figures are for the server, not for CoAP's back-off).
//
// - get: GET on --path (default /) from K sockets (default 1), e.g. against libcoap's
//   coap-server-notls;
// - lwm2m-update: first registers K endpoints (default 100; LwM2M 1.1 Core §5.3.1: POST
//   /rd?ep=loadgen-<i>&lt=3600&lwm2m=1.1&b=U, payload </1/0>,</3/0>, Content-Format 40) from
//   K sockets, reads each Location-Path of the 2.01, then sends Updates (§5.3.2: POST
//   /rd/<id>, no payload) round-robin over the endpoints, each from its own socket.
//
// Sockets are connected (so the kernel filters foreign datagrams) and serviced with epoll,
// recvmmsg and sendmmsg so that the generator needs few system calls per request.
// Output: a human summary, then one machine-readable line
//   RESULT mode=get inflight=16 clients=1 seconds=5.00 requests=123456 rps=24691 p50_us=620 p99_us=1400 timeouts=0 unmatched=0 errors=0
// Exit status: 0, or 1 when nothing completed or registration failed; 2 for bad arguments.

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

struct options {
    std::string host = "127.0.0.1";
    int port = 5683;
    int inflight = 16;
    double seconds = 5;
    std::string mode = "get";
    std::string path = "/";
    int clients = -1;  // default per mode
    int timeout_ms = 2000;
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "server_loadgen: %s\n"
                 "usage: server_loadgen --host H --port P --inflight N --seconds S [--mode get|lwm2m-update]\n"
                 "                      [--path /x] [--clients K] [--timeout-ms T]\n",
                 why);
    std::exit(2);
}

options parse_args(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "-h" || a == "--help") usage("help");
        if (i + 1 >= argc) usage("missing value");
        const char* v = argv[++i];
        if (a == "--host") o.host = v;
        else if (a == "--port") o.port = std::atoi(v);
        else if (a == "--inflight") o.inflight = std::atoi(v);
        else if (a == "--seconds") o.seconds = std::atof(v);
        else if (a == "--mode") o.mode = v;
        else if (a == "--path") o.path = v;
        else if (a == "--clients") o.clients = std::atoi(v);
        else if (a == "--timeout-ms") o.timeout_ms = std::atoi(v);
        else usage("unknown option");
    }
    if (o.mode != "get" && o.mode != "lwm2m-update") usage("--mode must be get or lwm2m-update");
    if (o.port <= 0 || o.port > 65535) usage("bad --port");
    if (o.inflight <= 0 || o.inflight > 65536) usage("bad --inflight (1..65536)");
    if (!(o.seconds > 0)) usage("bad --seconds");
    if (o.clients < 0) o.clients = o.mode == "get" ? 1 : 100;
    if (o.clients <= 0 || o.clients > 60000) usage("bad --clients");
    if (o.timeout_ms <= 0) usage("bad --timeout-ms");
    if (o.path.empty() || o.path[0] != '/') usage("--path must start with /");
    return o;
}

// ---- CoAP encoding (RFC 7252 §3) ----------------------------------------------------------

constexpr std::uint8_t type_con = 0, type_ack = 2, type_rst = 3;
constexpr std::uint8_t code_get = 0x01, code_post = 0x02;
constexpr std::size_t token_length = 8;

void put_option(std::vector<std::uint8_t>& out, unsigned& last, unsigned number, std::string_view value) {
    const auto nibble = [](unsigned v) { return v < 13 ? v : v < 269 ? 13u : 14u; };
    const unsigned delta = number - last;
    last = number;
    const unsigned len = static_cast<unsigned>(value.size());
    out.push_back(static_cast<std::uint8_t>(nibble(delta) << 4 | nibble(len)));
    for (unsigned v : {delta, len}) {
        if (v >= 269) {
            out.push_back(static_cast<std::uint8_t>((v - 269) >> 8));
            out.push_back(static_cast<std::uint8_t>(v - 269));
        } else if (v >= 13) {
            out.push_back(static_cast<std::uint8_t>(v - 13));
        }
    }
    out.insert(out.end(), value.begin(), value.end());
}

/** A request whose Message ID (bytes 2-3) and token (bytes 4-11) are patched per send. */
std::vector<std::uint8_t> request_template(std::uint8_t code, std::string_view path, const std::vector<std::string>& queries,
                                           int content_format, std::string_view payload) {
    std::vector<std::uint8_t> m = {static_cast<std::uint8_t>(0x40 | type_con << 4 | token_length), code, 0, 0};
    m.resize(4 + token_length);
    unsigned last = 0;
    std::size_t pos = 1;
    while (pos < path.size()) {  // Uri-Path (11), one option per segment
        std::size_t end = path.find('/', pos);
        if (end == std::string_view::npos) end = path.size();
        if (end > pos) put_option(m, last, 11, path.substr(pos, end - pos));
        pos = end + 1;
    }
    if (content_format >= 0) {  // Content-Format (12), a uint
        std::string v;
        if (content_format > 255) v += static_cast<char>(content_format >> 8);
        if (content_format > 0) v += static_cast<char>(content_format & 0xFF);
        put_option(m, last, 12, v);
    }
    for (const std::string& q : queries) put_option(m, last, 15, q);  // Uri-Query (15)
    if (!payload.empty()) {
        m.push_back(0xFF);
        m.insert(m.end(), payload.begin(), payload.end());
    }
    return m;
}

/** The parts of a response the generator looks at. */
struct response {
    std::uint8_t type = 0, code = 0;
    std::uint16_t mid = 0;
    std::uint64_t token = 0;
    bool has_token = false;
    std::string location;  // Location-Path segments joined with '/'
};

bool parse_response(const std::uint8_t* d, std::size_t n, response& r) {
    if (n < 4 || (d[0] >> 6) != 1) return false;
    r.type = (d[0] >> 4) & 3;
    const std::size_t tkl = d[0] & 15;
    r.code = d[1];
    r.mid = static_cast<std::uint16_t>(d[2] << 8 | d[3]);
    if (tkl > 8 || n < 4 + tkl) return false;
    r.has_token = tkl == token_length;
    r.token = 0;
    for (std::size_t i = 0; i < tkl; ++i) r.token = r.token << 8 | d[4 + i];
    std::size_t p = 4 + tkl;
    unsigned number = 0;
    r.location.clear();
    while (p < n && d[p] != 0xFF) {
        unsigned delta = d[p] >> 4, len = d[p] & 15;
        ++p;
        for (unsigned* v : {&delta, &len}) {
            if (*v == 13) {
                if (p >= n) return false;
                *v = 13u + d[p++];
            } else if (*v == 14) {
                if (p + 1 >= n) return false;
                *v = 269u + (static_cast<unsigned>(d[p]) << 8 | d[p + 1]);
                p += 2;
            } else if (*v == 15) {
                return false;
            }
        }
        if (p + len > n) return false;
        number += delta;
        if (number == 8) {  // Location-Path
            if (!r.location.empty()) r.location += '/';
            r.location.append(reinterpret_cast<const char*>(d + p), len);
        }
        p += len;
    }
    return true;
}

// ---- the closed loop --------------------------------------------------------------------

struct connection {
    int fd = -1;
    std::vector<std::uint8_t> request;  // template for this connection
    std::uint16_t next_mid = 0;
    std::vector<std::vector<std::uint8_t>> out;  // datagrams waiting for sendmmsg
};

struct slot {
    bool busy = false;
    std::uint32_t seq = 0;
    std::uint16_t mid = 0;
    int conn = -1;
    clock_type::time_point sent{};
};

struct totals {
    std::uint64_t completed = 0, timeouts = 0, unmatched = 0, errors = 0;
    std::vector<std::uint32_t> latencies_us;
};

class loop {
public:
    loop(std::vector<connection>& conns, int inflight, int timeout_ms)
        : conns_(conns), slots_(static_cast<std::size_t>(inflight)), timeout_(std::chrono::milliseconds(timeout_ms)) {
        ep_ = ::epoll_create1(EPOLL_CLOEXEC);
        for (std::size_t i = 0; i < conns_.size(); ++i) {
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.u64 = i;
            ::epoll_ctl(ep_, EPOLL_CTL_ADD, conns_[i].fd, &ev);
        }
        rx_buf_.assign(batch * 1500, 0);
    }
    ~loop() { ::close(ep_); }

    /**
     * Runs until `until`, or, with `each_once`, until every connection had one request
     * answered (registration). `on_response(conn, response)` sees each matched response.
     */
    template <class OnResponse>
    totals run(clock_type::time_point until, bool each_once, OnResponse&& on_response) {
        totals t;
        t.latencies_us.reserve(1 << 20);
        std::size_t next_conn = 0;
        std::size_t started = 0;
        std::vector<bool> answered(each_once ? conns_.size() : 0, false);
        std::size_t answered_count = 0;
        std::vector<std::size_t> retry;  // connections whose (registration) request timed out
        const auto issue = [&](std::size_t s) {
            std::size_t c;
            if (each_once) {
                if (!retry.empty()) {
                    c = retry.back();
                    retry.pop_back();
                } else if (started < conns_.size()) {
                    c = started++;
                } else {
                    return;
                }
            } else {
                c = next_conn;
                next_conn = (next_conn + 1) % conns_.size();
            }
            slot& sl = slots_[s];
            connection& cn = conns_[c];
            sl.busy = true;
            sl.seq += 1;
            sl.conn = static_cast<int>(c);
            sl.mid = cn.next_mid++;
            std::vector<std::uint8_t> m = cn.request;
            m[2] = static_cast<std::uint8_t>(sl.mid >> 8);
            m[3] = static_cast<std::uint8_t>(sl.mid);
            const std::uint64_t token = static_cast<std::uint64_t>(s) << 32 | sl.seq;
            for (std::size_t i = 0; i < token_length; ++i) m[4 + i] = static_cast<std::uint8_t>(token >> (8 * (7 - i)));
            cn.out.push_back(std::move(m));
            sl.sent = clock_type::now();
        };
        for (std::size_t s = 0; s < slots_.size(); ++s) issue(s);
        flush_all(t);
        auto last_scan = clock_type::now();
        while (true) {
            const auto now = clock_type::now();
            if (now >= until) break;
            if (each_once && answered_count == conns_.size()) break;
            epoll_event events[64];
            const int n = ::epoll_wait(ep_, events, 64, 5);
            for (int e = 0; e < n; ++e) {
                const std::size_t c = events[e].data.u64;
                receive(c, [&](const response& r) {
                    if (r.type == type_ack && r.code == 0) return;  // empty ACK: a separate response follows
                    if (r.type == type_con) ack(c, r.mid);          // separate response: acknowledge it
                    if (r.type == type_rst || !r.has_token) {
                        ++t.unmatched;
                        return;
                    }
                    const std::size_t s = r.token >> 32;
                    if (s >= slots_.size() || !slots_[s].busy || slots_[s].seq != static_cast<std::uint32_t>(r.token) ||
                        slots_[s].conn != static_cast<int>(c) || (r.type == type_ack && r.mid != slots_[s].mid)) {
                        ++t.unmatched;
                        return;
                    }
                    slot& sl = slots_[s];
                    sl.busy = false;
                    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - sl.sent).count();
                    t.latencies_us.push_back(static_cast<std::uint32_t>(us));
                    ++t.completed;
                    if ((r.code >> 5) != 2) ++t.errors;
                    if (each_once) {
                        if ((r.code >> 5) == 2 && !answered[c]) {
                            answered[c] = true;
                            ++answered_count;
                        } else if ((r.code >> 5) != 2) {
                            retry.push_back(c);
                        }
                    }
                    on_response(c, r);
                    issue(s);
                });
            }
            const auto later = clock_type::now();
            if (later - last_scan > std::chrono::milliseconds(5)) {
                last_scan = later;
                for (std::size_t s = 0; s < slots_.size(); ++s) {
                    if (slots_[s].busy && later - slots_[s].sent > timeout_) {
                        ++t.timeouts;
                        slots_[s].busy = false;
                        if (each_once && !answered[static_cast<std::size_t>(slots_[s].conn)])
                            retry.push_back(static_cast<std::size_t>(slots_[s].conn));
                        issue(s);
                    } else if (!slots_[s].busy) {
                        issue(s);  // idle slots (registration: more connections to serve)
                    }
                }
            }
            flush_all(t);
        }
        return t;
    }

private:
    static constexpr std::size_t batch = 64;

    void ack(std::size_t c, std::uint16_t mid) {
        conns_[c].out.push_back({static_cast<std::uint8_t>(0x40 | type_ack << 4), 0, static_cast<std::uint8_t>(mid >> 8),
                                 static_cast<std::uint8_t>(mid)});
    }

    template <class F>
    void receive(std::size_t c, F&& handle) {
        mmsghdr msgs[batch];
        iovec iov[batch];
        for (;;) {
            for (std::size_t i = 0; i < batch; ++i) {
                iov[i] = iovec{rx_buf_.data() + i * 1500, 1500};
                msgs[i] = mmsghdr{};
                msgs[i].msg_hdr.msg_iov = &iov[i];
                msgs[i].msg_hdr.msg_iovlen = 1;
            }
            const int n = ::recvmmsg(conns_[c].fd, msgs, batch, MSG_DONTWAIT, nullptr);
            if (n <= 0) return;
            response r;
            for (int i = 0; i < n; ++i)
                if (parse_response(rx_buf_.data() + static_cast<std::size_t>(i) * 1500, msgs[i].msg_len, r)) handle(r);
            if (static_cast<std::size_t>(n) < batch) return;
        }
    }

    void flush_all(totals& t) {
        for (connection& cn : conns_) {
            std::size_t done = 0;
            while (done < cn.out.size()) {
                mmsghdr msgs[batch];
                iovec iov[batch];
                const std::size_t k = std::min(batch, cn.out.size() - done);
                for (std::size_t i = 0; i < k; ++i) {
                    iov[i] = iovec{cn.out[done + i].data(), cn.out[done + i].size()};
                    msgs[i] = mmsghdr{};
                    msgs[i].msg_hdr.msg_iov = &iov[i];
                    msgs[i].msg_hdr.msg_iovlen = 1;
                }
                const int n = ::sendmmsg(cn.fd, msgs, static_cast<unsigned>(k), 0);
                if (n <= 0) {
                    if (errno == EINTR) continue;
                    ++t.errors;  // e.g. ECONNREFUSED (ICMP port unreachable): the request will time out
                    ++done;
                    continue;
                }
                done += static_cast<std::size_t>(n);
            }
            cn.out.clear();
        }
    }

    std::vector<connection>& conns_;
    std::vector<slot> slots_;
    clock_type::duration timeout_;
    int ep_ = -1;
    std::vector<std::uint8_t> rx_buf_;
};

std::vector<connection> open_connections(const options& o) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* ai = nullptr;
    const std::string port = std::to_string(o.port);
    if (::getaddrinfo(o.host.c_str(), port.c_str(), &hints, &ai) != 0 || ai == nullptr) {
        std::fprintf(stderr, "server_loadgen: cannot resolve %s\n", o.host.c_str());
        std::exit(2);
    }
    std::vector<connection> conns(static_cast<std::size_t>(o.clients));
    for (connection& c : conns) {
        c.fd = ::socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        int size = 1 << 20;
        ::setsockopt(c.fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
        ::setsockopt(c.fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
        if (c.fd < 0 || ::connect(c.fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            std::perror("server_loadgen: socket/connect");
            std::exit(2);
        }
        c.next_mid = static_cast<std::uint16_t>(std::rand());
    }
    ::freeaddrinfo(ai);
    return conns;
}

std::uint32_t percentile(std::vector<std::uint32_t>& v, double p) {
    if (v.empty()) return 0;
    const std::size_t k = std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

} // namespace

int main(int argc, char** argv) {
    const options o = parse_args(argc, argv);
    std::srand(static_cast<unsigned>(::getpid()));
    std::vector<connection> conns = open_connections(o);

    if (o.mode == "lwm2m-update") {
        for (std::size_t i = 0; i < conns.size(); ++i)
            conns[i].request = request_template(code_post, "/rd",
                                                {"ep=loadgen-" + std::to_string(i), "lt=3600", "lwm2m=1.1", "b=U"}, 40,
                                                "</1/0>,</3/0>");
        std::vector<std::string> locations(conns.size());
        const auto reg_start = clock_type::now();
        {
            loop l(conns, std::min(o.inflight, o.clients), o.timeout_ms);
            const totals reg = l.run(reg_start + std::chrono::seconds(30), true, [&](std::size_t c, const response& r) {
                if (r.code == 0x41 && !r.location.empty()) locations[c] = r.location;  // 2.01 Created
            });
            const double secs = std::chrono::duration<double>(clock_type::now() - reg_start).count();
            std::size_t ok = 0;
            for (const auto& l2 : locations) ok += !l2.empty();
            std::printf("registered %zu/%zu endpoints in %.2f s (timeouts %llu, unmatched %llu, error responses %llu)\n", ok,
                        conns.size(), secs, static_cast<unsigned long long>(reg.timeouts),
                        static_cast<unsigned long long>(reg.unmatched), static_cast<unsigned long long>(reg.errors));
            if (ok != conns.size()) {
                std::printf("RESULT mode=%s inflight=%d clients=%d registration=failed\n", o.mode.c_str(), o.inflight, o.clients);
                return 1;
            }
        }
        for (std::size_t i = 0; i < conns.size(); ++i)
            conns[i].request = request_template(code_post, "/" + locations[i], {}, -1, {});
    } else {
        for (connection& c : conns) c.request = request_template(code_get, o.path, {}, -1, {});
    }

    loop l(conns, o.inflight, o.timeout_ms);
    const auto start = clock_type::now();
    totals t = l.run(start + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o.seconds)), false,
                     [](std::size_t, const response&) {});
    const double secs = std::chrono::duration<double>(clock_type::now() - start).count();
    const double rps = static_cast<double>(t.completed) / secs;
    const std::uint32_t p50 = percentile(t.latencies_us, 0.50);
    const std::uint32_t p99 = percentile(t.latencies_us, 0.99);
    std::printf("%s %s: %llu requests in %.2f s = %.0f req/s, latency p50 %u us, p99 %u us, timeouts %llu, "
                "unmatched %llu, error responses/send errors %llu\n",
                o.mode.c_str(), o.mode == "get" ? o.path.c_str() : "/rd/<id>", static_cast<unsigned long long>(t.completed),
                secs, rps, p50, p99, static_cast<unsigned long long>(t.timeouts),
                static_cast<unsigned long long>(t.unmatched), static_cast<unsigned long long>(t.errors));
    std::printf("RESULT mode=%s inflight=%d clients=%d seconds=%.2f requests=%llu rps=%.0f p50_us=%u p99_us=%u timeouts=%llu "
                "unmatched=%llu errors=%llu\n",
                o.mode.c_str(), o.inflight, o.clients, secs, static_cast<unsigned long long>(t.completed), rps, p50, p99,
                static_cast<unsigned long long>(t.timeouts), static_cast<unsigned long long>(t.unmatched),
                static_cast<unsigned long long>(t.errors));
    for (connection& c : conns) ::close(c.fd);
    return t.completed > 0 ? 0 : 1;
}
