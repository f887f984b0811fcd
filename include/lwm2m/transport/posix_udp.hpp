#pragma once
/**
 * @file transport/posix_udp.hpp
 * `transport::posix_udp`: a small POSIX UDP adapter for the sans-I/O engines — one socket
 * (IPv6 dual-stack when available, else IPv4), `poll` + `recvfrom` + `sendto`, and a fixed
 * table mapping remote addresses to `exchange::peer_id`s (1, 2, ...). Opt-in: engines never
 * include it. It uses the OS (getaddrinfo for `resolve`) but no exceptions and no heap of its
 * own. It carries datagrams as they are: for DTLS (RFC 7252 §9) put `dtls_openssl.hpp`'s
 * session between it and the engine.
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
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <lwm2m/bytes.hpp>
#include <lwm2m/exchange/peer.hpp>
#include <lwm2m/result.hpp>

namespace lwm2m::transport {

/** A received datagram: from whom and how many bytes of the caller's buffer. */
struct received {
    exchange::peer_id peer{};
    std::size_t size = 0;
};

/** One UDP socket and a table of up to `MaxPeers` remote addresses. */
template <std::size_t MaxPeers = 32>
class posix_udp {
public:
    posix_udp() noexcept = default;
    posix_udp(const posix_udp&) = delete;
    posix_udp& operator=(const posix_udp&) = delete;
    ~posix_udp() { close(); }

    /**
     * Binds a socket to `port` (0: any) on all addresses: IPv6 with IPV6_V6ONLY off (so IPv4
     * peers appear as ::ffff:a.b.c.d), or IPv4 when IPv6 is unavailable or `ipv4_only`.
     * Errors: `invalid_argument` (socket or bind failed; errno tells why).
     */
    [[nodiscard]] result<void> open(std::uint16_t port, bool ipv4_only = false) noexcept {
        close();
        if (!ipv4_only) {
            fd_ = ::socket(AF_INET6, SOCK_DGRAM, 0);
            if (fd_ >= 0) {
                int off = 0;
                (void)::setsockopt(fd_, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
                sockaddr_in6 a{};
                a.sin6_family = AF_INET6;
                a.sin6_addr = in6addr_any;
                a.sin6_port = htons(port);
                if (::bind(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0) {
                    family_ = AF_INET6;
                    return {};
                }
                close();
            }
        }
        fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
        if (fd_ < 0) return fail(errc::invalid_argument);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_ANY);
        a.sin_port = htons(port);
        if (::bind(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
            close();
            return fail(errc::invalid_argument);
        }
        family_ = AF_INET;
        return {};
    }

    void close() noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    [[nodiscard]] int native_handle() const noexcept { return fd_; }

    /** The local port the socket is bound to (0 if not open). */
    [[nodiscard]] std::uint16_t local_port() const noexcept {
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        if (fd_ < 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
        if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_port);
        return ntohs(reinterpret_cast<const sockaddr_in*>(&ss)->sin_port);
    }

    /**
     * Resolves `host` (name, IPv4 or IPv6 literal, brackets allowed) and `port` to a peer id.
     * Errors: `not_found` (resolution failed), `capacity_exceeded` (peer table full).
     */
    [[nodiscard]] result<exchange::peer_id> resolve(std::string_view host, std::uint16_t port) noexcept {
        char name[256];
        if (!host.empty() && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
        if (host.size() >= sizeof name) return fail(errc::invalid_argument);
        std::memcpy(name, host.data(), host.size());
        name[host.size()] = '\0';
        char service[8];
        std::snprintf(service, sizeof service, "%u", static_cast<unsigned>(port));
        addrinfo hints{};
        hints.ai_socktype = SOCK_DGRAM;
        hints.ai_family = family_ == AF_INET ? AF_INET : AF_UNSPEC;
        if (family_ == AF_INET6) hints.ai_flags = AI_V4MAPPED | AI_ALL;
        addrinfo* list = nullptr;
        if (::getaddrinfo(name, service, &hints, &list) != 0 || list == nullptr) return fail(errc::not_found);
        std::optional<exchange::peer_id> id;
        for (addrinfo* ai = list; ai != nullptr && !id; ai = ai->ai_next) {
            sockaddr_storage ss{};
            socklen_t len = 0;
            if (family_ == AF_INET6 && ai->ai_family == AF_INET) {
                // Map an IPv4 address into the dual-stack socket's family.
                const auto* v4 = reinterpret_cast<const sockaddr_in*>(ai->ai_addr);
                auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
                v6->sin6_family = AF_INET6;
                v6->sin6_port = v4->sin_port;
                v6->sin6_addr.s6_addr[10] = 0xFF;
                v6->sin6_addr.s6_addr[11] = 0xFF;
                std::memcpy(&v6->sin6_addr.s6_addr[12], &v4->sin_addr, 4);
                len = sizeof(sockaddr_in6);
            } else if (ai->ai_family == family_) {
                std::memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
                len = static_cast<socklen_t>(ai->ai_addrlen);
            } else {
                continue;
            }
            auto p = intern(ss, len);
            if (p) id = *p;
        }
        ::freeaddrinfo(list);
        if (!id) return fail(errc::capacity_exceeded);
        return *id;
    }

    /**
     * Waits up to `timeout` for a datagram and reads it into `out`. Returns nullopt on timeout
     * (or an interrupted wait); datagrams from new addresses get a new peer id (dropped when
     * the table is full).
     */
    [[nodiscard]] std::optional<received> receive(mutable_bytes out, std::chrono::milliseconds timeout) noexcept {
        pollfd p{fd_, POLLIN, 0};
        const int ms = timeout.count() < 0 ? 0 : timeout.count() > 3600000 ? 3600000 : static_cast<int>(timeout.count());
        if (::poll(&p, 1, ms) <= 0 || (p.revents & POLLIN) == 0) return std::nullopt;
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        const ssize_t n = ::recvfrom(fd_, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&ss), &len);
        if (n < 0) return std::nullopt;
        auto id = intern(ss, len);
        if (!id) return std::nullopt;
        return received{*id, static_cast<std::size_t>(n)};
    }

    /** Sends `datagram` to `peer`. Errors: `not_found` (unknown peer), `invalid_argument` (sendto failed). */
    [[nodiscard]] result<void> send(exchange::peer_id peer, bytes_view datagram) noexcept {
        if (peer.value == 0 || peer.value > count_) return fail(errc::not_found);
        const entry& e = peers_[peer.value - 1];
        const ssize_t n = ::sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<const sockaddr*>(&e.address),
                                   e.length);
        if (n < 0 || static_cast<std::size_t>(n) != datagram.size()) return fail(errc::invalid_argument);
        return {};
    }

    /** The address of `peer` as text ("[::1]:5683", "127.0.0.1:5683") into `out`; returns its length. */
    std::size_t describe(exchange::peer_id peer, std::span<char> out) const noexcept {
        if (peer.value == 0 || peer.value > count_ || out.empty()) return 0;
        const entry& e = peers_[peer.value - 1];
        char host[INET6_ADDRSTRLEN] = "?";
        unsigned port = 0;
        if (e.address.ss_family == AF_INET6) {
            const auto* a = reinterpret_cast<const sockaddr_in6*>(&e.address);
            ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
            port = ntohs(a->sin6_port);
            return fit(std::snprintf(out.data(), out.size(), "[%s]:%u", host, port), out.size());
        }
        const auto* a = reinterpret_cast<const sockaddr_in*>(&e.address);
        ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
        port = ntohs(a->sin_port);
        return fit(std::snprintf(out.data(), out.size(), "%s:%u", host, port), out.size());
    }

private:
    struct entry {
        sockaddr_storage address{};
        socklen_t length = 0;
    };

    static std::size_t fit(int n, std::size_t cap) noexcept {
        if (n < 0) return 0;
        return static_cast<std::size_t>(n) < cap ? static_cast<std::size_t>(n) : cap - 1;
    }

    static bool same(const sockaddr_storage& a, const sockaddr_storage& b) noexcept {
        if (a.ss_family != b.ss_family) return false;
        if (a.ss_family == AF_INET6) {
            const auto* x = reinterpret_cast<const sockaddr_in6*>(&a);
            const auto* y = reinterpret_cast<const sockaddr_in6*>(&b);
            return x->sin6_port == y->sin6_port && std::memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
        }
        const auto* x = reinterpret_cast<const sockaddr_in*>(&a);
        const auto* y = reinterpret_cast<const sockaddr_in*>(&b);
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }

    std::optional<exchange::peer_id> intern(const sockaddr_storage& ss, socklen_t len) noexcept {
        for (std::size_t i = 0; i < count_; ++i)
            if (same(peers_[i].address, ss)) return exchange::peer_id{static_cast<std::uint32_t>(i + 1)};
        if (count_ == peers_.size()) return std::nullopt;
        peers_[count_] = entry{ss, len};
        return exchange::peer_id{static_cast<std::uint32_t>(++count_)};
    }

    int fd_ = -1;
    int family_ = AF_INET6;
    std::array<entry, MaxPeers> peers_{};
    std::size_t count_ = 0;
};

} // namespace lwm2m::transport
