#pragma once
/**
 * @file transport/posix_udp_batch.hpp
 * `transport::posix_udp_batch`: a POSIX UDP adapter for a server that talks to very many
 * peers — one non-blocking socket bound to a given address and port (IPv6 dual-stack with
 * IPv4-mapped addresses, or IPv4 only), `recvmmsg` of up to `Batch` datagrams per system call
 * into caller buffers, `sendmmsg` of the queued outgoing datagrams, `poll` with a timeout, and
 * `transport::udp_peer_table`, an address <-> `exchange::peer_id` map over caller-provided
 * storage with O(1) average lookups both ways that scales to millions of peers.
 *
 * Opt-in like `posix_udp.hpp`: engines never include it. No exceptions and no heap: the peer
 * table lives in a caller span, datagram bytes in caller buffers, and the per-batch message
 * headers in the adapter object (size grows with `Batch`). Linux (recvmmsg/sendmmsg).
 * RFC 7252 §9 (DTLS) is out of scope: NoSec mode only.
 */

#include <array>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <lwm2m/bytes.hpp>
#include <lwm2m/exchange/peer.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::transport {

/**
 * A UDP address in one family-neutral form: IPv4 is kept IPv4-mapped (::ffff:a.b.c.d, RFC 4291
 * §2.5.5.2), the port in host byte order. Allocation: none.
 */
struct udp_address {
    std::array<std::uint8_t, 16> ip{};
    std::uint16_t port = 0;

    /** True for ::ffff:a.b.c.d. */
    [[nodiscard]] constexpr bool is_v4_mapped() const noexcept {
        for (std::size_t i = 0; i < 10; ++i)
            if (ip[i] != 0) return false;
        return ip[10] == 0xFF && ip[11] == 0xFF;
    }

    /** The address of an AF_INET or AF_INET6 socket address; nullopt for other families. */
    [[nodiscard]] static std::optional<udp_address> from_sockaddr(const sockaddr* sa, socklen_t len) noexcept {
        udp_address a;
        if (sa->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
            sockaddr_in6 s6;
            std::memcpy(&s6, sa, sizeof s6);
            std::memcpy(a.ip.data(), &s6.sin6_addr, 16);
            a.port = ntohs(s6.sin6_port);
            return a;
        }
        if (sa->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
            sockaddr_in s4;
            std::memcpy(&s4, sa, sizeof s4);
            a.ip[10] = 0xFF;
            a.ip[11] = 0xFF;
            std::memcpy(&a.ip[12], &s4.sin_addr, 4);
            a.port = ntohs(s4.sin_port);
            return a;
        }
        return std::nullopt;
    }

    /**
     * Parses a numeric address ("127.0.0.1", "::1", "[::1]") and a port. No name resolution.
     * Errors: `invalid_argument`.
     */
    [[nodiscard]] static result<udp_address> parse(std::string_view host, std::uint16_t port) noexcept {
        if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
        char text[INET6_ADDRSTRLEN];
        if (host.empty() || host.size() >= sizeof text) return fail(errc::invalid_argument);
        std::memcpy(text, host.data(), host.size());
        text[host.size()] = '\0';
        udp_address a;
        a.port = port;
        in_addr v4{};
        if (::inet_pton(AF_INET, text, &v4) == 1) {
            a.ip[10] = 0xFF;
            a.ip[11] = 0xFF;
            std::memcpy(&a.ip[12], &v4, 4);
            return a;
        }
        if (::inet_pton(AF_INET6, text, a.ip.data()) == 1) return a;
        return fail(errc::invalid_argument);
    }

    /**
     * Writes the socket address of the given family into `out` and returns its length; 0 when
     * `family` is AF_INET and the address is not IPv4-mapped.
     */
    socklen_t to_sockaddr(int family, sockaddr_storage& out) const noexcept {
        out = sockaddr_storage{};
        if (family == AF_INET) {
            if (!is_v4_mapped()) return 0;
            sockaddr_in s4{};
            s4.sin_family = AF_INET;
            s4.sin_port = htons(port);
            std::memcpy(&s4.sin_addr, &ip[12], 4);
            std::memcpy(&out, &s4, sizeof s4);
            return sizeof s4;
        }
        sockaddr_in6 s6{};
        s6.sin6_family = AF_INET6;
        s6.sin6_port = htons(port);
        std::memcpy(&s6.sin6_addr, ip.data(), 16);
        std::memcpy(&out, &s6, sizeof s6);
        return sizeof s6;
    }

    /**
     * "127.0.0.1:5683" for IPv4 (also when mapped), "[::1]:5683" for IPv6, into `out`
     * (NUL-terminated when it fits); returns the length written (truncated to fit).
     */
    std::size_t describe(std::span<char> out) const noexcept {
        if (out.empty()) return 0;
        char host[INET6_ADDRSTRLEN] = "?";
        int n = 0;
        if (is_v4_mapped()) {
            ::inet_ntop(AF_INET, &ip[12], host, sizeof host);
            n = std::snprintf(out.data(), out.size(), "%s:%u", host, static_cast<unsigned>(port));
        } else {
            ::inet_ntop(AF_INET6, ip.data(), host, sizeof host);
            n = std::snprintf(out.data(), out.size(), "[%s]:%u", host, static_cast<unsigned>(port));
        }
        if (n < 0) return 0;
        return static_cast<std::size_t>(n) < out.size() ? static_cast<std::size_t>(n) : out.size() - 1;
    }

    friend constexpr bool operator==(const udp_address&, const udp_address&) noexcept = default;
};

/**
 * One slot of `udp_peer_table` storage (32 bytes). Value-initialise an array or vector of
 * them and pass it as a span; the table owns its contents afterwards. Opaque.
 */
struct udp_peer_slot {
    udp_address address{};     ///< the peer's address, when `used`
    std::uint32_t cell = 0;    ///< hash index cell: entry index + 1, or 0 when empty
    std::uint32_t next_free = 0;
    std::uint8_t generation = 0;
    bool used = false;
};

/**
 * Maps remote addresses to `exchange::peer_id`s and back, in O(1) average time both ways,
 * over caller-provided storage of N slots:
 * - entries: slot i holds at most one peer; its id is `(generation << 24) | (i + 1)`, so
 *   id -> address is one array access, and an id of a forgotten peer stays invalid even after
 *   its slot is reused (8-bit generation, bumped on every `forget`);
 * - index: the slots' `cell` fields form an open-addressing hash table (linear probing,
 *   backward-shift deletion: no tombstones, so lookups do not degrade after many forgets) of
 *   entry indices, keyed by a seeded 64-bit mix of the address (choose a random seed when
 *   peers are untrusted, against hash flooding).
 * At most `capacity()` = 3/4 of the slots (and at most 2^24 - 2) hold peers, keeping probe
 * sequences short: give 4/3 x the expected number of peers (1 M peers: 1.4 M slots, 45 MB).
 * Allocation: none.
 */
class udp_peer_table {
public:
    /** Largest number of slots used (ids keep 24 bits for the index). */
    static constexpr std::size_t max_slots = (std::size_t{1} << 24) - 2;

    udp_peer_table() noexcept = default;
    /** Takes `storage` (its contents are reset) and hashes with `seed`. */
    explicit udp_peer_table(std::span<udp_peer_slot> storage, std::uint64_t seed = 0) noexcept {
        reset(storage, seed);
    }

    /** Re-initialises over `storage`, forgetting every peer. Allocation: none. */
    void reset(std::span<udp_peer_slot> storage, std::uint64_t seed = 0) noexcept {
        slots_ = storage.size() > max_slots ? storage.first(max_slots) : storage;
        seed_ = seed;
        size_ = 0;
        for (std::size_t i = 0; i < slots_.size(); ++i) {
            slots_[i] = udp_peer_slot{};
            slots_[i].next_free = static_cast<std::uint32_t>(i + 1);  // i + 1 == size(): end of list
        }
        free_ = 0;
    }

    /** Peers the table can hold. */
    [[nodiscard]] std::size_t capacity() const noexcept { return slots_.size() - slots_.size() / 4; }
    /** Peers it holds. */
    [[nodiscard]] std::size_t size() const noexcept { return size_; }

    /** The id of `a`, if known. Allocation: none. */
    [[nodiscard]] std::optional<exchange::peer_id> find(const udp_address& a) const noexcept {
        if (slots_.empty()) return std::nullopt;
        for (std::size_t c = home(a);; c = next(c)) {
            const std::uint32_t e = slots_[c].cell;
            if (e == 0) return std::nullopt;
            if (slots_[e - 1].address == a) return id_of(e - 1);
        }
    }

    /**
     * The id of `a`, adding it when unknown. Errors: `capacity_exceeded` (table full).
     * Allocation: none.
     */
    [[nodiscard]] result<exchange::peer_id> intern(const udp_address& a) noexcept {
        if (slots_.empty()) return fail(errc::capacity_exceeded);
        std::size_t c = home(a);
        for (;; c = next(c)) {
            const std::uint32_t e = slots_[c].cell;
            if (e == 0) break;
            if (slots_[e - 1].address == a) return id_of(e - 1);
        }
        if (size_ >= capacity() || free_ >= slots_.size()) return fail(errc::capacity_exceeded);
        const std::uint32_t i = free_;
        free_ = slots_[i].next_free;
        slots_[i].address = a;
        slots_[i].used = true;
        slots_[c].cell = i + 1;
        ++size_;
        return id_of(i);
    }

    /** The address of `peer`, or nullptr for an unknown or forgotten id. Allocation: none. */
    [[nodiscard]] const udp_address* address(exchange::peer_id peer) const noexcept {
        const auto i = index_of(peer);
        return i ? &slots_[*i].address : nullptr;
    }

    /** Forgets `peer` (its id becomes invalid). Returns false for an unknown id. Allocation: none. */
    bool forget(exchange::peer_id peer) noexcept {
        const auto found = index_of(peer);
        if (!found) return false;
        const std::size_t i = *found;
        // Find the index cell that points at entry i, then close the gap (backward shift).
        std::size_t hole = home(slots_[i].address);
        while (slots_[hole].cell != i + 1) hole = next(hole);
        slots_[hole].cell = 0;
        for (std::size_t j = next(hole);; j = next(j)) {
            const std::uint32_t e = slots_[j].cell;
            if (e == 0) break;
            const std::size_t h = home(slots_[e - 1].address);
            // Move e into the hole unless its home lies cyclically in (hole, j].
            const bool stays = hole <= j ? (h > hole && h <= j) : (h > hole || h <= j);
            if (!stays) {
                slots_[hole].cell = e;
                slots_[j].cell = 0;
                hole = j;
            }
        }
        slots_[i].used = false;
        slots_[i].address = udp_address{};
        slots_[i].generation = static_cast<std::uint8_t>(slots_[i].generation + 1);
        slots_[i].next_free = free_;
        free_ = static_cast<std::uint32_t>(i);
        --size_;
        return true;
    }

private:
    [[nodiscard]] static std::uint64_t mix(std::uint64_t x) noexcept {
        // splitmix64 finaliser: every input bit affects every output bit.
        x ^= x >> 30;
        x *= 0xBF58476D1CE4E5B9ull;
        x ^= x >> 27;
        x *= 0x94D049BB133111EBull;
        x ^= x >> 31;
        return x;
    }
    [[nodiscard]] std::size_t home(const udp_address& a) const noexcept {
        std::uint64_t hi = 0;
        std::uint64_t lo = 0;
        std::memcpy(&hi, a.ip.data(), 8);
        std::memcpy(&lo, a.ip.data() + 8, 8);
        const std::uint64_t h = mix(mix(hi ^ seed_) ^ lo ^ (std::uint64_t{a.port} << 48));
        // Multiply-shift range reduction (any table size, no modulo); exact in 64 bits because
        // the table has fewer than 2^24 slots.
        return static_cast<std::size_t>(((h >> 32) * slots_.size()) >> 32);
    }
    [[nodiscard]] std::size_t next(std::size_t c) const noexcept { return c + 1 == slots_.size() ? 0 : c + 1; }
    [[nodiscard]] exchange::peer_id id_of(std::size_t i) const noexcept {
        return exchange::peer_id{(std::uint32_t{slots_[i].generation} << 24) | static_cast<std::uint32_t>(i + 1)};
    }
    [[nodiscard]] std::optional<std::size_t> index_of(exchange::peer_id peer) const noexcept {
        const std::uint32_t low = peer.value & 0xFFFFFFu;
        if (low == 0 || low > slots_.size()) return std::nullopt;
        const std::size_t i = low - 1;
        if (!slots_[i].used || slots_[i].generation != (peer.value >> 24)) return std::nullopt;
        return i;
    }

    std::span<udp_peer_slot> slots_{};
    std::uint64_t seed_ = 0;
    std::size_t size_ = 0;
    std::uint32_t free_ = 0;
};

/** One receive slot: the caller's buffer, and what `receive` put in it. */
struct udp_rx {
    mutable_bytes buffer{};        ///< set by the caller; the datagram's bytes go here
    exchange::peer_id peer{};      ///< set by `receive`
    std::size_t size = 0;          ///< set by `receive`: bytes stored in `buffer`
    bool truncated = false;        ///< set by `receive`: the datagram was larger than `buffer`
};

/** Counters of `posix_udp_batch`. */
struct udp_batch_stats {
    std::uint64_t received = 0;        ///< datagrams handed to the caller
    std::uint64_t sent = 0;            ///< datagrams the kernel accepted
    std::uint64_t dropped_no_slot = 0; ///< datagrams from new addresses while the peer table was full
    std::uint64_t send_errors = 0;     ///< datagrams the kernel refused for a reason other than EAGAIN
    std::uint64_t receive_calls = 0;   ///< recvmmsg system calls
    std::uint64_t send_calls = 0;      ///< sendmmsg system calls
};

/**
 * One non-blocking UDP server socket with batched I/O and a `udp_peer_table`.
 * `Batch` is the most datagrams one `receive` or `flush` system call moves, and the length of
 * the send queue. Allocation: none (the adapter holds 3 x `Batch` small headers).
 */
template <std::size_t Batch = 64>
class posix_udp_batch {
    static_assert(Batch > 0 && Batch <= 1024, "UIO_MAXIOV limits one recvmmsg/sendmmsg to 1024 messages");

public:
    /** An adapter whose peer table uses `peer_storage` (see `udp_peer_table`). */
    explicit posix_udp_batch(std::span<udp_peer_slot> peer_storage, std::uint64_t hash_seed = 0) noexcept
        : peers_(peer_storage, hash_seed) {}
    posix_udp_batch(const posix_udp_batch&) = delete;
    posix_udp_batch& operator=(const posix_udp_batch&) = delete;
    ~posix_udp_batch() { close(); }

    /**
     * Binds a non-blocking socket to `bind_address`:`port` (port 0: any). An IPv6 literal, "::"
     * or an empty address gives an IPv6 socket with IPV6_V6ONLY off (IPv4 peers then appear
     * IPv4-mapped); when IPv6 is unavailable, an empty address falls back to IPv4 0.0.0.0. An
     * IPv4 literal gives an IPv4-only socket. `socket_buffer` > 0 sets SO_RCVBUF and SO_SNDBUF
     * (the kernel caps it at net.core.rmem_max/wmem_max), which avoids drops under bursts.
     * Errors: `invalid_argument` (bad address literal; socket or bind failed: errno tells why).
     */
    [[nodiscard]] result<void> open(std::string_view bind_address, std::uint16_t port, int socket_buffer = 0) noexcept {
        close();
        const bool any = bind_address.empty();
        udp_address local;
        if (!any) {
            auto a = udp_address::parse(bind_address, port);
            if (!a) return unexpected{a.error()};
            local = *a;
        }
        // An IPv4 literal binds an IPv4 socket; everything else tries IPv6 first.
        const bool v4_literal = !any && local.is_v4_mapped() && bind_address.find(':') == std::string_view::npos;
        if (!v4_literal) {
            if (open_socket(AF_INET6, local, port, any, socket_buffer)) return {};
            if (!any) return fail(errc::invalid_argument);
        }
        if (any) {
            local = udp_address{};
            local.ip[10] = local.ip[11] = 0xFF;  // 0.0.0.0
        }
        if (open_socket(AF_INET, local, port, any, socket_buffer)) return {};
        return fail(errc::invalid_argument);
    }

    void close() noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
        queued_ = 0;
    }
    [[nodiscard]] int native_handle() const noexcept { return fd_; }
    /** AF_INET6 (dual-stack) or AF_INET. */
    [[nodiscard]] int family() const noexcept { return family_; }

    /** The local port the socket is bound to (0 if not open). */
    [[nodiscard]] std::uint16_t local_port() const noexcept {
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        if (fd_ < 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
        const auto a = udp_address::from_sockaddr(reinterpret_cast<const sockaddr*>(&ss), len);
        return a ? a->port : 0;
    }

    /**
     * Waits up to `timeout` until a datagram can be read (or, with datagrams queued, until the
     * socket can take more). Returns true when readable. A negative timeout does not wait.
     */
    [[nodiscard]] bool wait(std::chrono::milliseconds timeout) noexcept {
        pollfd p{fd_, static_cast<short>(POLLIN | (queued_ > 0 ? POLLOUT : 0)), 0};
        const auto count = timeout.count();
        const int ms = count < 0 ? 0 : count > 3600000 ? 3600000 : static_cast<int>(count);
        if (::poll(&p, 1, ms) <= 0) return false;
        if ((p.revents & POLLOUT) != 0 && queued_ > 0) (void)flush();
        return (p.revents & POLLIN) != 0;
    }

    /**
     * Reads up to min(`slots.size()`, `Batch`) waiting datagrams without blocking, one per slot,
     * in arrival order; returns how many slots [0, n) it filled (0: none waiting). Datagrams
     * from a new address get a new peer id; while the table is full they are dropped (counted
     * in `stats().dropped_no_slot`) and do not take a slot. Errors: `invalid_argument` (the
     * socket failed: errno tells why). Allocation: none.
     */
    [[nodiscard]] result<std::size_t> receive(std::span<udp_rx> slots) noexcept {
        const std::size_t want = slots.size() < Batch ? slots.size() : Batch;
        if (want == 0 || fd_ < 0) return std::size_t{0};
        for (std::size_t i = 0; i < want; ++i) {
            rx_iov_[i] = iovec{slots[i].buffer.data(), slots[i].buffer.size()};
            rx_msgs_[i] = mmsghdr{};
            rx_msgs_[i].msg_hdr.msg_name = &rx_addr_[i];
            rx_msgs_[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
            rx_msgs_[i].msg_hdr.msg_iov = &rx_iov_[i];
            rx_msgs_[i].msg_hdr.msg_iovlen = 1;
        }
        ++stats_.receive_calls;
        const int n = ::recvmmsg(fd_, rx_msgs_.data(), static_cast<unsigned>(want), MSG_DONTWAIT, nullptr);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return std::size_t{0};
            return fail(errc::invalid_argument);
        }
        std::size_t out = 0;
        for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
            const auto a = udp_address::from_sockaddr(reinterpret_cast<const sockaddr*>(&rx_addr_[i]),
                                                      rx_msgs_[i].msg_hdr.msg_namelen);
            auto id = a ? peers_.intern(*a) : result<exchange::peer_id>{fail(errc::invalid_argument)};
            if (!id) {
                ++stats_.dropped_no_slot;
                continue;
            }
            // Keep filled slots contiguous: the caller's buffer travels with its datagram.
            if (out != i) {
                const mutable_bytes tmp = slots[out].buffer;
                slots[out].buffer = slots[i].buffer;
                slots[i].buffer = tmp;
            }
            udp_rx& r = slots[out++];
            r.peer = *id;
            r.size = rx_msgs_[i].msg_len < r.buffer.size() ? rx_msgs_[i].msg_len : r.buffer.size();
            r.truncated = (rx_msgs_[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
        }
        stats_.received += out;
        return out;
    }

    /**
     * Queues `datagram` for `peer`; the bytes are not copied and must stay valid until `flush`
     * has sent them (`queued()` is 0). A full queue is flushed first.
     * Errors: `not_found` (unknown or forgotten peer; also an IPv6 peer on an IPv4 socket),
     * `capacity_exceeded` (the queue is full and the socket takes nothing now: try again after
     * `wait`). Allocation: none.
     */
    [[nodiscard]] result<void> queue(exchange::peer_id peer, bytes_view datagram) noexcept {
        const udp_address* a = peers_.address(peer);
        if (a == nullptr) return fail(errc::not_found);
        if (queued_ == Batch) {
            (void)flush();
            if (queued_ == Batch) return fail(errc::capacity_exceeded);
        }
        const std::size_t i = queued_;
        const socklen_t len = a->to_sockaddr(family_, tx_addr_[i]);
        if (len == 0) return fail(errc::not_found);
        tx_iov_[i] = iovec{const_cast<std::byte*>(datagram.data()), datagram.size()};
        tx_msgs_[i] = mmsghdr{};
        tx_msgs_[i].msg_hdr.msg_name = &tx_addr_[i];
        tx_msgs_[i].msg_hdr.msg_namelen = len;
        tx_msgs_[i].msg_hdr.msg_iov = &tx_iov_[i];
        tx_msgs_[i].msg_hdr.msg_iovlen = 1;
        ++queued_;
        return {};
    }

    /**
     * Sends the queued datagrams with as few `sendmmsg` calls as the kernel allows; returns
     * how many were sent. Datagrams the socket cannot take now (EAGAIN) stay queued, in order;
     * one the kernel refuses otherwise (e.g. EMSGSIZE) is dropped and counted in
     * `stats().send_errors`. Allocation: none.
     */
    std::size_t flush() noexcept {
        std::size_t done = 0;
        while (done < queued_) {
            ++stats_.send_calls;
            const int n = ::sendmmsg(fd_, tx_msgs_.data() + done, static_cast<unsigned>(queued_ - done), MSG_DONTWAIT);
            if (n > 0) {
                done += static_cast<std::size_t>(n);
                stats_.sent += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            ++stats_.send_errors;  // the first one failed: skip it
            ++done;
        }
        // Keep the unsent tail at the front (the headers point at their own address slots).
        const std::size_t left = queued_ - done;
        for (std::size_t k = 0; k < left && done > 0; ++k) {
            tx_addr_[k] = tx_addr_[done + k];
            tx_iov_[k] = tx_iov_[done + k];
            tx_msgs_[k] = tx_msgs_[done + k];
            tx_msgs_[k].msg_hdr.msg_name = &tx_addr_[k];
            tx_msgs_[k].msg_hdr.msg_iov = &tx_iov_[k];
        }
        queued_ = left;
        return done;
    }

    /** Queues and flushes one datagram. Errors: as `queue`. */
    [[nodiscard]] result<void> send(exchange::peer_id peer, bytes_view datagram) noexcept {
        if (auto ok = queue(peer, datagram); !ok) return ok;
        (void)flush();
        return {};
    }

    /** Datagrams queued and not sent yet. */
    [[nodiscard]] std::size_t queued() const noexcept { return queued_; }

    /** The address <-> id map (`find`, `address`, `forget`, `intern` for peers known in advance). */
    [[nodiscard]] udp_peer_table& peers() noexcept { return peers_; }
    [[nodiscard]] const udp_peer_table& peers() const noexcept { return peers_; }

    /** The address of `peer` as text ("127.0.0.1:5683", "[::1]:5683"); returns its length. */
    std::size_t describe(exchange::peer_id peer, std::span<char> out) const noexcept {
        const udp_address* a = peers_.address(peer);
        if (a == nullptr) return 0;
        return a->describe(out);
    }

    [[nodiscard]] const udp_batch_stats& stats() const noexcept { return stats_; }

private:
    bool open_socket(int family, const udp_address& local, std::uint16_t port, bool any, int socket_buffer) noexcept {
        fd_ = ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd_ < 0) return false;
        if (family == AF_INET6) {
            int off = 0;
            (void)::setsockopt(fd_, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
        }
        if (socket_buffer > 0) {
            (void)::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &socket_buffer, sizeof socket_buffer);
            (void)::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &socket_buffer, sizeof socket_buffer);
        }
        sockaddr_storage ss{};
        udp_address bind_to = local;
        bind_to.port = port;
        if (any && family == AF_INET6) bind_to = udp_address{{}, port};  // in6addr_any
        const socklen_t len = bind_to.to_sockaddr(family, ss);
        if (len == 0 || ::bind(fd_, reinterpret_cast<const sockaddr*>(&ss), len) != 0) {
            const int saved = errno;
            ::close(fd_);
            fd_ = -1;
            errno = saved;
            return false;
        }
        family_ = family;
        return true;
    }

    int fd_ = -1;
    int family_ = AF_INET6;
    udp_peer_table peers_;
    udp_batch_stats stats_{};
    std::array<mmsghdr, Batch> rx_msgs_{};
    std::array<iovec, Batch> rx_iov_{};
    std::array<sockaddr_storage, Batch> rx_addr_{};
    std::array<mmsghdr, Batch> tx_msgs_{};
    std::array<iovec, Batch> tx_iov_{};
    std::array<sockaddr_storage, Batch> tx_addr_{};
    std::size_t queued_ = 0;
};

} // namespace lwm2m::transport
