// Tests of transport/posix_udp_batch.hpp: the udp_peer_table (address <-> peer_id map over
// caller storage: O(1) both ways, forget with backward-shift deletion, stale ids after reuse)
// and the batched socket over loopback (127.0.0.1 and ::1): 200 client sockets send, the
// server receives them with recvmmsg in batches, replies queued and sent with sendmmsg reach
// the right socket, and forgotten peers come back with a new id.

#include <lwm2m/transport/posix_udp_batch.hpp>

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace posix_udp_batch_test {

using lwm2m::transport::posix_udp_batch;
using lwm2m::transport::udp_address;
using lwm2m::transport::udp_peer_slot;
using lwm2m::transport::udp_peer_table;
using lwm2m::transport::udp_rx;
using lwm2m::exchange::peer_id;

udp_address v4(std::uint32_t host_order_ip, std::uint16_t port) {
    udp_address a;
    a.ip[10] = a.ip[11] = 0xFF;
    a.ip[12] = static_cast<std::uint8_t>(host_order_ip >> 24);
    a.ip[13] = static_cast<std::uint8_t>(host_order_ip >> 16);
    a.ip[14] = static_cast<std::uint8_t>(host_order_ip >> 8);
    a.ip[15] = static_cast<std::uint8_t>(host_order_ip);
    a.port = port;
    return a;
}

/** A client socket bound to loopback of the given family, port chosen by the kernel. */
struct client_socket {
    int fd = -1;
    int family = AF_INET;
    std::uint16_t port = 0;

    explicit client_socket(int fam) : family(fam) {
        fd = ::socket(fam, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return;
        sockaddr_storage ss{};
        socklen_t len = 0;
        if (fam == AF_INET) {
            auto* a = reinterpret_cast<sockaddr_in*>(&ss);
            a->sin_family = AF_INET;
            a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            len = sizeof(sockaddr_in);
        } else {
            auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
            a->sin6_family = AF_INET6;
            a->sin6_addr = in6addr_loopback;
            len = sizeof(sockaddr_in6);
        }
        if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
            ::close(fd);
            fd = -1;
            return;
        }
        len = sizeof ss;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
        port = fam == AF_INET ? ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port)
                              : ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
    }
    client_socket(const client_socket&) = delete;
    client_socket(client_socket&& o) noexcept : fd(o.fd), family(o.family), port(o.port) { o.fd = -1; }
    ~client_socket() {
        if (fd >= 0) ::close(fd);
    }

    bool send_to(std::uint16_t server_port, std::string_view text) const {
        sockaddr_storage ss{};
        socklen_t len = 0;
        if (family == AF_INET) {
            auto* a = reinterpret_cast<sockaddr_in*>(&ss);
            a->sin_family = AF_INET;
            a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            a->sin_port = htons(server_port);
            len = sizeof(sockaddr_in);
        } else {
            auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
            a->sin6_family = AF_INET6;
            a->sin6_addr = in6addr_loopback;
            a->sin6_port = htons(server_port);
            len = sizeof(sockaddr_in6);
        }
        return ::sendto(fd, text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&ss), len) ==
               static_cast<ssize_t>(text.size());
    }

    /** One datagram within `ms`, or "<none>". */
    std::string receive(int ms = 2000) const {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, ms) <= 0) return "<none>";
        char buf[2048];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        return n < 0 ? "<error>" : std::string(buf, static_cast<std::size_t>(n));
    }
};

bool ipv6_loopback_available() {
    client_socket s{AF_INET6};
    return s.fd >= 0;
}

/** Receives until `count` datagrams arrived (or 5 s passed); returns (peer, text) pairs. */
template <std::size_t B>
std::vector<std::pair<peer_id, std::string>> receive_all(posix_udp_batch<B>& server, std::size_t count,
                                                         std::size_t* calls_with_more_than_one = nullptr) {
    std::vector<std::pair<peer_id, std::string>> got;
    std::vector<std::vector<std::byte>> storage(B, std::vector<std::byte>(1500));
    std::vector<udp_rx> slots(B);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (got.size() < count && std::chrono::steady_clock::now() < deadline) {
        if (!server.wait(std::chrono::milliseconds(100))) continue;
        for (std::size_t i = 0; i < B; ++i) slots[i].buffer = lwm2m::mutable_bytes{storage[i].data(), storage[i].size()};
        auto n = server.receive(slots);
        REQUIRE(n.has_value());
        if (*n > 1 && calls_with_more_than_one != nullptr) ++*calls_with_more_than_one;
        for (std::size_t i = 0; i < *n; ++i) {
            CHECK_FALSE(slots[i].truncated);
            got.emplace_back(slots[i].peer, std::string(reinterpret_cast<const char*>(slots[i].buffer.data()), slots[i].size));
        }
    }
    return got;
}

} // namespace posix_udp_batch_test

using namespace posix_udp_batch_test;

TEST_CASE("udp_address: parse, describe, sockaddr round trip") {
    auto a = udp_address::parse("127.0.0.1", 5683);
    REQUIRE(a.has_value());
    CHECK(a->is_v4_mapped());
    char text[64];
    CHECK(std::string_view(text, a->describe(text)) == "127.0.0.1:5683");
    auto b = udp_address::parse("[::1]", 5684);
    REQUIRE(b.has_value());
    CHECK_FALSE(b->is_v4_mapped());
    CHECK(std::string_view(text, b->describe(text)) == "[::1]:5684");
    CHECK_FALSE(udp_address::parse("localhost", 1).has_value());
    CHECK_FALSE(udp_address::parse("", 1).has_value());
    CHECK_FALSE(udp_address::parse("1.2.3.4.5", 1).has_value());

    sockaddr_storage ss{};
    const socklen_t len4 = a->to_sockaddr(AF_INET, ss);
    REQUIRE(len4 == sizeof(sockaddr_in));
    CHECK(udp_address::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len4) == *a);
    const socklen_t len6 = a->to_sockaddr(AF_INET6, ss);
    REQUIRE(len6 == sizeof(sockaddr_in6));
    CHECK(udp_address::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len6) == *a);
    CHECK(b->to_sockaddr(AF_INET, ss) == 0);  // an IPv6 peer cannot be reached from an IPv4 socket
    char tiny[6];
    CHECK(a->describe(tiny) == 5);  // truncated, NUL-terminated
    CHECK(std::string_view(tiny) == "127.0");
}

TEST_CASE("udp_peer_table: lookups both ways, forget, stale ids, capacity") {
    std::vector<udp_peer_slot> storage(16);
    udp_peer_table t{storage, 42};
    CHECK(t.capacity() == 12);
    std::vector<peer_id> ids;
    for (std::uint16_t i = 0; i < 12; ++i) {
        auto id = t.intern(v4(0x0A000001, static_cast<std::uint16_t>(1000 + i)));
        REQUIRE(id.has_value());
        CHECK(id->value != 0);
        ids.push_back(*id);
    }
    CHECK(t.size() == 12);
    CHECK(t.intern(v4(0x0A000001, 999)).error().code == lwm2m::errc::capacity_exceeded);
    for (std::uint16_t i = 0; i < 12; ++i) {
        const auto a = v4(0x0A000001, static_cast<std::uint16_t>(1000 + i));
        CHECK(t.intern(a).value() == ids[i]);  // known: same id, no new slot
        CHECK(t.find(a) == ids[i]);
        REQUIRE(t.address(ids[i]) != nullptr);
        CHECK(*t.address(ids[i]) == a);
    }
    CHECK(t.size() == 12);
    CHECK_FALSE(t.find(v4(0x0A000002, 1000)).has_value());
    CHECK(t.address(peer_id{0}) == nullptr);
    CHECK(t.address(peer_id{17}) == nullptr);

    CHECK(t.forget(ids[3]));
    CHECK_FALSE(t.forget(ids[3]));
    CHECK(t.address(ids[3]) == nullptr);
    CHECK_FALSE(t.find(v4(0x0A000001, 1003)).has_value());
    for (std::uint16_t i = 0; i < 12; ++i)
        if (i != 3) CHECK(t.find(v4(0x0A000001, static_cast<std::uint16_t>(1000 + i))) == ids[i]);
    // The freed slot is reused under a new generation: the old id stays invalid.
    auto again = t.intern(v4(0x0A000001, 1003));
    REQUIRE(again.has_value());
    CHECK(again->value != ids[3].value);
    CHECK((again->value & 0xFFFFFF) == (ids[3].value & 0xFFFFFF));
    CHECK(t.address(ids[3]) == nullptr);
    CHECK(t.address(*again) != nullptr);

    udp_peer_table empty{};
    CHECK(empty.capacity() == 0);
    CHECK_FALSE(empty.intern(v4(1, 1)).has_value());
    CHECK_FALSE(empty.find(v4(1, 1)).has_value());
}

TEST_CASE("udp_peer_table: 200000 peers, half forgotten, all lookups stay exact") {
    constexpr std::size_t n = 200000;
    std::vector<udp_peer_slot> storage(n * 4 / 3 + 1);
    udp_peer_table t{storage, 0x1234};
    std::vector<peer_id> ids(n);
    const auto addr = [](std::size_t i) {
        return v4(static_cast<std::uint32_t>(0x0A000000 + i / 50000), static_cast<std::uint16_t>(1024 + i % 50000));
    };
    for (std::size_t i = 0; i < n; ++i) {
        auto id = t.intern(addr(i));
        REQUIRE(id.has_value());
        ids[i] = *id;
    }
    CHECK(t.size() == n);
    for (std::size_t i = 0; i < n; i += 2) REQUIRE(t.forget(ids[i]));
    CHECK(t.size() == n / 2);
    std::size_t bad = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const auto f = t.find(addr(i));
        if (i % 2 == 0) bad += f.has_value() || t.address(ids[i]) != nullptr;
        else bad += !(f == ids[i]) || t.address(ids[i]) == nullptr || !(*t.address(ids[i]) == addr(i));
    }
    CHECK(bad == 0);
    // Refill with new addresses: the backward-shift deletion left no tombstones behind.
    for (std::size_t i = 0; i < n / 2; ++i) {
        const auto fresh = v4(static_cast<std::uint32_t>(0x0B000000 + i / 50000), static_cast<std::uint16_t>(1024 + i % 50000));
        REQUIRE(t.intern(fresh).has_value());
    }
    CHECK(t.size() == n);
}

TEST_CASE("posix_udp_batch: 200 IPv4 clients over a dual-stack socket, batch receive, replies reach the right socket") {
    std::vector<udp_peer_slot> storage(512);
    posix_udp_batch<32> server{storage};
    REQUIRE(server.open("", 0).has_value());
    const std::uint16_t port = server.local_port();
    REQUIRE(port != 0);

    std::vector<client_socket> clients;
    for (int i = 0; i < 200; ++i) {
        clients.emplace_back(AF_INET);
        REQUIRE(clients.back().fd >= 0);
    }
    // In chunks of 50, so that the waiting datagrams fit the default socket buffer.
    std::size_t batched_calls = 0;
    std::vector<std::pair<peer_id, std::string>> got;
    for (std::size_t chunk = 0; chunk < clients.size(); chunk += 50) {
        for (std::size_t i = chunk; i < chunk + 50; ++i) REQUIRE(clients[i].send_to(port, "hello " + std::to_string(i)));
        auto part = receive_all(server, 50, &batched_calls);
        REQUIRE(part.size() == 50);
        got.insert(got.end(), part.begin(), part.end());
    }
    REQUIRE(got.size() == clients.size());
    CHECK(batched_calls > 0);  // the datagrams were waiting: recvmmsg returned several at once
    CHECK(server.stats().received == 200);
    CHECK(server.stats().receive_calls < 200);
    CHECK(server.peers().size() == 200);

    std::set<std::uint32_t> distinct;
    std::vector<std::string> replies;
    replies.reserve(got.size());
    for (auto& [peer, text] : got) {
        distinct.insert(peer.value);
        const std::size_t i = std::stoul(text.substr(6));
        REQUIRE(i < clients.size());
        // address(peer) is the client's port on 127.0.0.1, seen IPv4-mapped; find() gives the id back.
        const udp_address* a = server.peers().address(peer);
        REQUIRE(a != nullptr);
        CHECK(a->port == clients[i].port);
        CHECK(a->is_v4_mapped());
        CHECK(*a == v4(0x7F000001, clients[i].port));
        CHECK(server.peers().find(*a) == peer);
        char text_addr[64];
        CHECK(std::string_view(text_addr, server.describe(peer, text_addr)) == "127.0.0.1:" + std::to_string(clients[i].port));
        replies.push_back("reply " + std::to_string(i));
    }
    CHECK(distinct.size() == 200);

    // Queue every reply (200 > Batch: full queues flush themselves), then flush the rest.
    for (std::size_t k = 0; k < got.size(); ++k) {
        auto ok = server.queue(got[k].first, lwm2m::as_bytes(std::string_view(replies[k])));
        REQUIRE(ok.has_value());
    }
    server.flush();
    CHECK(server.queued() == 0);
    CHECK(server.stats().sent == 200);
    CHECK(server.stats().send_calls < 200);
    for (std::size_t i = 0; i < clients.size(); ++i) CHECK(clients[i].receive() == "reply " + std::to_string(i));

    // Forget a peer: its id dies; its next datagram gets a fresh id.
    const peer_id old = got[0].first;
    const std::size_t who = std::stoul(got[0].second.substr(6));
    CHECK(server.peers().forget(old));
    CHECK(server.queue(old, lwm2m::as_bytes(std::string_view("x"))).error().code == lwm2m::errc::not_found);
    CHECK(server.describe(old, std::span<char>{}) == 0);
    REQUIRE(clients[who].send_to(port, "back"));
    auto back = receive_all(server, 1);
    REQUIRE(back.size() == 1);
    CHECK(back[0].second == "back");
    CHECK(back[0].first.value != old.value);
    CHECK(server.peers().address(back[0].first)->port == clients[who].port);
    REQUIRE(server.send(back[0].first, lwm2m::as_bytes(std::string_view("welcome back"))).has_value());
    CHECK(clients[who].receive() == "welcome back");
}

TEST_CASE("posix_udp_batch: IPv4-only socket on 127.0.0.1, full table drops new peers, truncation") {
    std::vector<udp_peer_slot> storage(8);  // capacity 6
    posix_udp_batch<16> server{storage};
    REQUIRE(server.open("127.0.0.1", 0, 1 << 20).has_value());
    CHECK(server.family() == AF_INET);
    const std::uint16_t port = server.local_port();
    std::vector<client_socket> clients;
    for (int i = 0; i < 10; ++i) clients.emplace_back(AF_INET);
    for (std::size_t i = 0; i < clients.size(); ++i) REQUIRE(clients[i].send_to(port, "c" + std::to_string(i)));
    // Wait for all ten to be queued in the kernel, then read: six get ids, four are dropped.
    std::vector<std::vector<std::byte>> storage_rx(16, std::vector<std::byte>(1500));
    std::vector<udp_rx> slots(16);
    std::size_t got = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (got + server.stats().dropped_no_slot < 10 && std::chrono::steady_clock::now() < deadline) {
        if (!server.wait(std::chrono::milliseconds(100))) continue;
        for (std::size_t i = 0; i < slots.size(); ++i) slots[i].buffer = {storage_rx[i].data(), storage_rx[i].size()};
        auto n = server.receive(slots);
        REQUIRE(n.has_value());
        for (std::size_t i = 0; i < *n; ++i) CHECK(slots[i].peer.value != 0);
        got += *n;
    }
    CHECK(got == 6);
    CHECK(server.stats().dropped_no_slot == 4);
    CHECK(server.peers().size() == 6);

    // A datagram larger than its buffer is cut and flagged.
    REQUIRE(clients[0].send_to(port, "0123456789"));
    std::array<std::byte, 4> small{};
    std::array<udp_rx, 1> one{};
    one[0].buffer = small;
    REQUIRE(server.wait(std::chrono::milliseconds(2000)));
    auto n = server.receive(one);
    REQUIRE(n.has_value());
    REQUIRE(*n == 1);
    CHECK(one[0].truncated);
    CHECK(one[0].size == 4);
    // Nothing waiting: receive returns 0 without blocking; wait times out.
    CHECK(server.receive(one).value() == 0);
    CHECK_FALSE(server.wait(std::chrono::milliseconds(10)));
    CHECK_FALSE(server.open("not-an-address", 0).has_value());
    CHECK(server.native_handle() == -1);
}

TEST_CASE("posix_udp_batch: IPv6 loopback ::1") {
    if (!ipv6_loopback_available()) {
        MESSAGE("IPv6 loopback unavailable: skipped");
        return;
    }
    std::vector<udp_peer_slot> storage(64);
    posix_udp_batch<8> server{storage};
    REQUIRE(server.open("::1", 0).has_value());
    CHECK(server.family() == AF_INET6);
    const std::uint16_t port = server.local_port();
    std::vector<client_socket> clients;
    for (int i = 0; i < 20; ++i) {
        clients.emplace_back(AF_INET6);
        REQUIRE(clients.back().send_to(port, std::to_string(i)));
    }
    auto got = receive_all(server, clients.size());
    REQUIRE(got.size() == clients.size());
    for (auto& [peer, text] : got) {
        const std::size_t i = std::stoul(text);
        const udp_address* a = server.peers().address(peer);
        REQUIRE(a != nullptr);
        CHECK_FALSE(a->is_v4_mapped());
        CHECK(*a == udp_address::parse("::1", clients[i].port).value());
        char d[64];
        CHECK(std::string_view(d, a->describe(d)) == "[::1]:" + std::to_string(clients[i].port));
        REQUIRE(server.queue(peer, lwm2m::as_bytes(std::string_view(text))).has_value());
    }
    server.flush();
    CHECK(server.stats().sent == 20);  // Batch 8: two full queues flushed themselves
    for (std::size_t i = 0; i < clients.size(); ++i) CHECK(clients[i].receive() == std::to_string(i));
}
