#pragma once
// Helpers shared by the tests that use Wireshark's tshark as an independent decoder
// (tests/interop/tshark_dissect_test.cpp, tests/interop/tshark_tlv_oracle_test.cpp):
// writing datagrams as a classic libpcap file, finding and running tshark (bounded in time by
// coreutils `timeout` when it is there), and a self-deleting temporary directory.
// Test code: allocates, uses POSIX.

#include <lwm2m/coap.hpp>

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace lwm2m::test::tshark {

using bytes = std::vector<std::uint8_t>;

// ---------------------------------------------------------------------------------------------
// pcap (classic libpcap format, LINKTYPE_ETHERNET)

inline void put16(bytes& b, std::uint16_t v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
}
inline void put32le(std::string& s, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xFF);
}
inline std::uint16_t internet_checksum(const bytes& b, std::size_t from, std::size_t to, std::uint32_t sum = 0) {
    for (std::size_t i = from; i + 1 < to; i += 2) sum += static_cast<std::uint32_t>((b[i] << 8) | b[i + 1]);
    if ((to - from) % 2 == 1) sum += static_cast<std::uint32_t>(b[to - 1] << 8);
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

/** Ethernet + IPv4 + UDP frame from 127.0.0.1:sport to 127.0.0.1:dport. */
inline bytes udp_frame(const bytes& payload, std::uint16_t sport, std::uint16_t dport, std::uint16_t ip_id) {
    bytes f(12, 0);  // dst and src MAC 00:00:00:00:00:00 (loopback)
    put16(f, 0x0800);
    const std::size_t ip = f.size();
    const auto udp_len = static_cast<std::uint16_t>(8 + payload.size());
    f.push_back(0x45);
    f.push_back(0x00);
    put16(f, static_cast<std::uint16_t>(20 + udp_len));
    put16(f, ip_id);
    put16(f, 0x4000);  // DF
    f.push_back(64);   // TTL
    f.push_back(17);   // UDP
    put16(f, 0);       // checksum, below
    const std::uint8_t loopback[4] = {127, 0, 0, 1};
    f.insert(f.end(), loopback, loopback + 4);
    f.insert(f.end(), loopback, loopback + 4);
    const std::uint16_t ip_sum = internet_checksum(f, ip, ip + 20);
    f[ip + 10] = static_cast<std::uint8_t>(ip_sum >> 8);
    f[ip + 11] = static_cast<std::uint8_t>(ip_sum);
    const std::size_t udp = f.size();
    put16(f, sport);
    put16(f, dport);
    put16(f, udp_len);
    put16(f, 0);
    f.insert(f.end(), payload.begin(), payload.end());
    // pseudo header: src, dst, zero+proto, UDP length
    std::uint32_t pseudo = (127u << 8) + 1u;
    pseudo = pseudo * 2 + 17u + udp_len;  // 127.0.0.1 twice: 0x7F00 + 0x0001 each
    std::uint16_t udp_sum = internet_checksum(f, udp, f.size(), pseudo);
    if (udp_sum == 0) udp_sum = 0xFFFF;
    f[udp + 6] = static_cast<std::uint8_t>(udp_sum >> 8);
    f[udp + 7] = static_cast<std::uint8_t>(udp_sum);
    return f;
}

/**
 * A pcap file of CoAP datagrams between 127.0.0.1:<client port> and 127.0.0.1:5683: requests go
 * to 5683, everything else comes from it. The client port of datagram i is client_ports[i], or
 * 40000 + i when `client_ports` is empty (one conversation per datagram). Packet i is stamped
 * 1700000000 + i seconds.
 */
inline std::string pcap_file(const std::vector<bytes>& datagrams, const std::vector<std::uint16_t>& client_ports = {}) {
    std::string s;
    put32le(s, 0xA1B2C3D4);
    s += '\x02';
    s += '\x00';
    s += '\x04';
    s += '\x00';  // version 2.4
    put32le(s, 0);       // thiszone
    put32le(s, 0);       // sigfigs
    put32le(s, 262144);  // snaplen
    put32le(s, 1);       // LINKTYPE_ETHERNET
    for (std::size_t i = 0; i < datagrams.size(); ++i) {
        const auto& d = datagrams[i];
        const bool request = d.size() > 1 && coap::is_request(static_cast<coap::code>(d[1]));
        const auto client = client_ports.empty() ? static_cast<std::uint16_t>(40000 + i) : client_ports[i];
        const bytes frame = request ? udp_frame(d, client, 5683, static_cast<std::uint16_t>(i))
                                    : udp_frame(d, 5683, client, static_cast<std::uint16_t>(i));
        put32le(s, static_cast<std::uint32_t>(1700000000 + i));  // ts_sec
        put32le(s, 0);                                           // ts_usec
        put32le(s, static_cast<std::uint32_t>(frame.size()));
        put32le(s, static_cast<std::uint32_t>(frame.size()));
        s.append(reinterpret_cast<const char*>(frame.data()), frame.size());
    }
    return s;
}

// ---------------------------------------------------------------------------------------------
// tshark and the shell

/** tshark from LWM2M_TSHARK (set by the build; empty when not found), else from PATH, else "". */
inline std::string find_tshark() {
#ifdef LWM2M_TSHARK
    if (std::string_view{LWM2M_TSHARK}.size() > 0) return LWM2M_TSHARK;
#endif
    const char* path = std::getenv("PATH");
    if (!path) return {};
    std::string_view rest{path};
    while (!rest.empty()) {
        const auto colon = rest.find(':');
        const std::string dir{rest.substr(0, colon)};
        if (!dir.empty()) {
            const std::string candidate = dir + "/tshark";
            if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        }
        if (colon == std::string_view::npos) break;
        rest.remove_prefix(colon + 1);
    }
    return {};
}

inline bool have_program(const char* name) {
    const std::string cmd = std::string("command -v ") + name + " >/dev/null 2>&1";
    return std::system(cmd.c_str()) == 0;
}

/** Runs a shell command; its stdout and exit status. */
inline std::pair<std::string, int> run(const std::string& command) {
    std::pair<std::string, int> out{{}, -1};
    FILE* p = ::popen(command.c_str(), "r");
    if (!p) return out;
    char buf[65536];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.first.append(buf, n);
    const int status = ::pclose(p);
    out.second = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
}

inline std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) {
        if (c == '\'') q += "'\\''";
        else q += c;
    }
    return q + "'";
}

inline std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> out;
    while (true) {
        const auto i = s.find(sep);
        out.emplace_back(s.substr(0, i));
        if (i == std::string_view::npos) break;
        s.remove_prefix(i + 1);
    }
    return out;
}

/** A fresh directory under the system temporary directory, removed with its contents. */
struct temp_dir {
    std::filesystem::path path;
    temp_dir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "lwm2m-tshark-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

}  // namespace lwm2m::test::tshark
