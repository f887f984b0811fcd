#pragma once
// Helpers shared by the tests that drive real programs over loopback UDP (libcoap's command-line
// tools, the example client and server, Node): locating programs, a free port, running a
// command or coap-client bounded in time, reading a log file.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>

namespace lwm2m::test::libcoap_tools {

/** The source tree: the build's LWM2M_SOURCE_DIR, else found from this header's own path. */
inline std::string source_dir() {
#ifdef LWM2M_SOURCE_DIR
    return LWM2M_SOURCE_DIR;
#else
    const std::string here = __FILE__;  // <source>/tests/support/libcoap_tools.hpp
    return here.substr(0, here.rfind("/tests/"));
#endif
}

/** A program's path: the one the build configured (`configured`, may be empty), else $`env`. */
inline std::string program_path(const char* configured, const char* env) {
    if (configured != nullptr && *configured != '\0') return configured;
    const char* e = std::getenv(env);
    return e != nullptr ? e : "";
}

/** The example client: the build's LWM2M_CLIENT_EXE (an interop-tests.txt @exe: macro), else $LWM2M_CLIENT_EXE. */
inline std::string client_exe() {
#ifdef LWM2M_CLIENT_EXE
    return program_path(LWM2M_CLIENT_EXE, "LWM2M_CLIENT_EXE");
#else
    return program_path(nullptr, "LWM2M_CLIENT_EXE");
#endif
}

/** The example server: the build's LWM2M_SERVER_EXE, else $LWM2M_SERVER_EXE. */
inline std::string server_exe() {
#ifdef LWM2M_SERVER_EXE
    return program_path(LWM2M_SERVER_EXE, "LWM2M_SERVER_EXE");
#else
    return program_path(nullptr, "LWM2M_SERVER_EXE");
#endif
}

/** The example bootstrap server: the build's LWM2M_BOOTSTRAP_SERVER_EXE, else $LWM2M_BOOTSTRAP_SERVER_EXE. */
inline std::string bootstrap_server_exe() {
#ifdef LWM2M_BOOTSTRAP_SERVER_EXE
    return program_path(LWM2M_BOOTSTRAP_SERVER_EXE, "LWM2M_BOOTSTRAP_SERVER_EXE");
#else
    return program_path(nullptr, "LWM2M_BOOTSTRAP_SERVER_EXE");
#endif
}

/** A whole file (a program's log), or empty. */
inline std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/** Runs a shell command (bound it in time with `timeout`); its stdout and stderr. */
inline std::string run(const std::string& command) {
    std::string out;
    if (FILE* f = ::popen((command + " 2>&1").c_str(), "r")) {
        char buf[512];
        std::size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
        ::pclose(f);
    }
    return out;
}

/** libcoap's coap-client: the configured LWM2M_COAP_CLIENT, else from PATH. */
inline std::string coap_client() {
#ifdef LWM2M_COAP_CLIENT
    if (std::string(LWM2M_COAP_CLIENT).size() > 0) return LWM2M_COAP_CLIENT;
#endif
    return "coap-client-notls";
}

inline bool executable(const std::string& p) { return !p.empty() && ::access(p.c_str(), X_OK) == 0; }

/** True if `name` (a path, or a command looked up in PATH) can be run. */
inline bool on_path(const std::string& name) {
    if (name.find('/') != std::string::npos) return executable(name);
    return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

/** True if UDP port `port` of 127.0.0.1 can be bound now. */
inline bool udp_port_free(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) return false;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

/**
 * A UDP port of 127.0.0.1 for a program a test starts, with the port above it free too
 * (libcoap's servers take port + 1 for coaps://). Test programs run in parallel, and a port
 * released by one could be given to another before its program binds it, so a port is:
 * - below Linux's ephemeral range (32768-60999): no socket bound to port 0 gets it meanwhile;
 * - claimed by creating /tmp/lwm2m-test-ports/<port> exclusively: no other test process picks
 *   it for 10 minutes (an older claim is stale and taken over);
 * - free now on 127.0.0.1.
 */
inline std::uint16_t free_port() {
    const std::string dir = "/tmp/lwm2m-test-ports";
    (void)::mkdir(dir.c_str(), 0777);
    constexpr unsigned first = 20000, pairs = (32768 - first) / 2;
    unsigned k = static_cast<unsigned>(::getpid()) * 7919u +
                 static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count());
    for (unsigned tries = 0; tries < pairs; ++tries, k += 7919u) {  // 7919: prime, so every pair is tried
        const auto port = static_cast<std::uint16_t>(first + 2 * (k % pairs));
        const std::string claim = dir + "/" + std::to_string(port);
        const int fd = ::open(claim.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0666);
        if (fd >= 0) {
            ::close(fd);
        } else {
            struct stat st {};
            if (::stat(claim.c_str(), &st) != 0 || std::time(nullptr) - st.st_mtime < 600) continue;
            (void)::utimensat(AT_FDCWD, claim.c_str(), nullptr, 0);  // stale: taken over
        }
        if (udp_port_free(port) && udp_port_free(static_cast<std::uint16_t>(port + 1))) return port;
    }
    return 0;  // (binding port 0 then fails loudly in the test)
}

/** Runs coap-client with `args` (bounded by `seconds`); its stdout+stderr, trailing newlines cut. */
inline std::string coap(const std::string& args, int seconds = 10) {
    const std::string cmd = "timeout " + std::to_string(seconds) + " " + coap_client() + " " + args + " 2>&1";
    std::string out;
    if (FILE* f = ::popen(cmd.c_str(), "r")) {
        char buf[512];
        std::size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
        ::pclose(f);
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

} // namespace lwm2m::test::libcoap_tools
