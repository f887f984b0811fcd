#pragma once
// Helpers shared by the tests that drive real programs over loopback UDP (libcoap's command-line
// tools, the example client and server, Node): locating programs, a free port, running a
// command or coap-client bounded in time, reading a log file.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace lwm2m::test::libcoap_tools {

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

/** A free UDP port on 127.0.0.1 (bound and released: good enough for a test). */
inline std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
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
