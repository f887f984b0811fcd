// Interop: the example server (examples/lwm2m-server) with Debian's libcoap command-line client
// as a third-party LwM2M client. The server runs on a free port of 127.0.0.1 with its JSON-lines
// stdin/stdout on pipes; coap-client-notls sends the Client Registration Interface messages of
// LwM2M 1.1 Core §6.2 (Register, Update, De-register), malformed ones, and a Send (§6.4.3,
// POST /dp) from the port it registered with; the test checks the CoAP codes and Location-Path
// coap-client reports (-v 6 prints each PDU) and the events the server prints. Every process is
// bounded in time (coap-client under `timeout`, the server stopped with SIGTERM, then SIGKILL).
//
// Needs: the server binary, from the macro LWM2M_SERVER_EXE or the environment variable of the
// same name; coap-client from LWM2M_COAP_CLIENT (or `coap-client-notls` on PATH). Skipped (with
// a message) when either is missing.
#include "../support/libcoap_tools.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace server_libcoap_test {

std::string server_exe() {
#ifdef LWM2M_SERVER_EXE
    return lwm2m::test::libcoap_tools::program_path(LWM2M_SERVER_EXE, "LWM2M_SERVER_EXE");
#else
    return lwm2m::test::libcoap_tools::program_path(nullptr, "LWM2M_SERVER_EXE");
#endif
}

using lwm2m::test::libcoap_tools::coap;
using lwm2m::test::libcoap_tools::coap_client;
using lwm2m::test::libcoap_tools::executable;
using lwm2m::test::libcoap_tools::free_port;
using lwm2m::test::libcoap_tools::on_path;

/** The server process: stdin and stdout on pipes (stdout lines collected by a thread), stderr to a file. */
class server_process {
public:
    server_process(const std::string& exe, std::uint16_t port, const std::string& log) {
        int in[2], out[2];
        REQUIRE(::pipe(in) == 0);
        REQUIRE(::pipe(out) == 0);
        std::vector<std::string> args = {exe, "--address", "127.0.0.1", "--port", std::to_string(port),
                                         "--max-registrations", "1000", "--verbose"};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, in[0], 0);
        posix_spawn_file_actions_adddup2(&fa, out[1], 1);
        posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_addclose(&fa, in[1]);
        posix_spawn_file_actions_addclose(&fa, out[0]);
        const int rc = posix_spawn(&pid_, exe.c_str(), &fa, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        ::close(in[0]);
        ::close(out[1]);
        stdin_ = in[1];
        stdout_ = out[0];
        REQUIRE(rc == 0);
        reader_ = std::thread([this] { read_lines(); });
    }
    ~server_process() {
        stop();
        if (reader_.joinable()) reader_.join();
        if (stdout_ >= 0) ::close(stdout_);
    }

    /** Writes one command line to the server's stdin. */
    void command(const std::string& line) {
        const std::string l = line + "\n";
        REQUIRE(::write(stdin_, l.data(), l.size()) == static_cast<ssize_t>(l.size()));
    }

    /** The first stdout line (seen before or arriving within `limit`) that contains every `needles`. */
    std::string wait_for(const std::vector<std::string>& needles, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
        const auto end = std::chrono::steady_clock::now() + limit;
        for (;;) {
            {
                std::lock_guard<std::mutex> l(m_);
                for (std::size_t i = consumed_; i < lines_.size(); ++i) {
                    bool all = true;
                    for (const std::string& n : needles) all = all && lines_[i].find(n) != std::string::npos;
                    if (all) return lines_[i];
                }
            }
            if (std::chrono::steady_clock::now() > end) return {};
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    /** Every stdout line so far (for failure messages). */
    std::string transcript() {
        std::lock_guard<std::mutex> l(m_);
        std::string all;
        for (const std::string& s : lines_) all += s + "\n";
        return all;
    }
    /** Only lines printed after this call are searched by `wait_for`. */
    void mark() {
        std::lock_guard<std::mutex> l(m_);
        consumed_ = lines_.size();
    }

    bool running() { return pid_ > 0 && ::waitpid(pid_, &status_, WNOHANG) == 0; }

    /** Closes stdin, sends SIGTERM and waits (at most 5 s, then SIGKILL); true on a clean exit 0. */
    bool stop() {
        if (stdin_ >= 0) {
            ::close(stdin_);
            stdin_ = -1;
        }
        if (pid_ <= 0) return false;
        ::kill(pid_, SIGTERM);
        for (int i = 0; i < 100; ++i) {
            if (::waitpid(pid_, &status_, WNOHANG) == pid_) {
                pid_ = -1;
                return WIFEXITED(status_) && WEXITSTATUS(status_) == 0;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status_, 0);
        pid_ = -1;
        return false;
    }

private:
    void read_lines() {
        std::string partial;
        char buf[4096];
        for (;;) {
            const ssize_t n = ::read(stdout_, buf, sizeof buf);
            if (n <= 0) return;  // EOF: the server exited
            partial.append(buf, static_cast<std::size_t>(n));
            std::size_t nl;
            while ((nl = partial.find('\n')) != std::string::npos) {
                std::lock_guard<std::mutex> l(m_);
                lines_.push_back(partial.substr(0, nl));
                partial.erase(0, nl + 1);
            }
        }
    }

    pid_t pid_ = -1;
    int status_ = 0;
    int stdin_ = -1;
    int stdout_ = -1;
    std::thread reader_;
    std::mutex m_;
    std::vector<std::string> lines_;
    std::size_t consumed_ = 0;
};

/** The response code coap-client -v 6 logged for the ACK ("2.01"), or "". */
std::string ack_code(const std::string& verbose_output) {
    std::smatch m;
    if (std::regex_search(verbose_output, m, std::regex(R"(t:ACK c:([0-9]\.[0-9][0-9]))"))) return m[1];
    return {};
}

} // namespace server_libcoap_test

using namespace server_libcoap_test;

TEST_CASE("interop: libcoap's coap-client registers with the example server (LwM2M 1.1 Core §6.2, §6.4.3)") {
    const std::string exe = server_exe();
    if (!executable(exe)) {
        MESSAGE("SKIPPED: server binary not given (LWM2M_SERVER_EXE)");
        return;
    }
    if (!on_path(coap_client())) {
        MESSAGE("SKIPPED: coap-client-notls not found");
        return;
    }
    const std::uint16_t port = free_port();
    const std::string log = "/tmp/lwm2m-server-interop-" + std::to_string(::getpid()) + ".log";
    server_process server{exe, port, log};
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    REQUIRE(server.running());
    const std::string rd = "coap://127.0.0.1:" + std::to_string(port) + "/rd";
    INFO("server stdout:\n", server.transcript());

    // Register (§6.2.1): 2.01 Created with Location-Path rd/<id>.
    const std::string reg = coap("-v 6 -m post '" + rd + "?ep=cc1&lt=60&lwm2m=1.1&b=U' -t 40 -e '</1/0>,</3/0>'");
    INFO("coap-client: ", reg);
    CHECK(ack_code(reg) == "2.01");
    std::smatch loc;
    REQUIRE(std::regex_search(reg, loc, std::regex(R"(Location-Path:rd, Location-Path:([0-9a-f]+))")));
    const std::string id = loc[1];
    const std::string registered = server.wait_for({R"("event":"registered")", R"("ep":"cc1")"});
    CHECK(registered ==
          R"({"event":"registered","ep":"cc1","lifetime":60,"binding":"U","version":"1.1","objects":["/1/0","/3/0"]})");

    // The command interface lists it, with its location.
    server.command(R"({"id":1,"op":"list"})");
    const std::string listed = server.wait_for({R"("id":1)"});
    CHECK(listed.find(R"("count":1)") != std::string::npos);
    CHECK(listed.find(R"("location":"/rd/)" + id + "\"") != std::string::npos);

    // Update (§6.2.2): 2.04 Changed, and an updated event with the new lifetime.
    server.mark();
    const std::string upd = coap("-v 6 -m post '" + rd + "/" + id + "?lt=120'");
    INFO("coap-client: ", upd);
    CHECK(ack_code(upd) == "2.04");
    CHECK(server.wait_for({R"("event":"updated")", R"("ep":"cc1")", R"("lifetime":120)"}) != "");
    // An Update with a new link list replaces the objects.
    const std::string upd2 = coap("-v 6 -m post '" + rd + "/" + id + "' -t 40 -e '</1/0>,</3/0>,</3311/0>'");
    CHECK(ack_code(upd2) == "2.04");
    CHECK(server.wait_for({R"("event":"updated")", R"("objects":["/1/0","/3/0","/3311/0"])"}) != "");

    // Malformed Register / Update: 4.00 with a diagnostic, 4.12 for an unknown version, 4.04 for
    // an unknown location, 4.05 for another method on /rd (coap-client prints "code diagnostic").
    CHECK(coap("-m post '" + rd + "?lt=60&lwm2m=1.1' -t 40 -e '</1/0>'") == "4.00 missing ep");
    CHECK(coap("-m post '" + rd + "?ep=cc9&lt=0' -e '</1/0>'") == "4.00 invalid lt");
    CHECK(coap("-m post '" + rd + "?ep=cc9&bogus=1'") == "4.00 unknown parameter");
    CHECK(coap("-m post '" + rd + "?ep=cc9&lwm2m=9.9'") == "4.12 unsupported lwm2m version");
    CHECK(coap("-m post '" + rd + "?ep=cc9' -t 40 -e '</1/0/1>'") == "4.00 link is not an object or instance");
    CHECK(coap("-m post '" + rd + "/ffffffff?lt=60'").substr(0, 4) == "4.04");
    CHECK(coap("-m get '" + rd + "'").substr(0, 4) == "4.05");

    // Send (§6.4.3) from the port a client registered with: 2.04 and a send event; from a peer
    // that is not registered: 4.04.
    const std::uint16_t local = free_port();
    const std::string lp = " -p " + std::to_string(local) + " ";
    const std::string reg2 = coap("-v 6" + lp + "-m post '" + rd + "?ep=cc2&lt=60&lwm2m=1.1' -t 40 -e '</3/0>'");
    CHECK(ack_code(reg2) == "2.01");
    CHECK(server.wait_for({R"("event":"registered")", R"("ep":"cc2")"}) != "");
    const std::string dp = "coap://127.0.0.1:" + std::to_string(port) + "/dp";
    const std::string sent = coap("-v 6" + lp + "-m post " + dp + R"( -t 110 -e '[{"bn":"/3/0/","n":"9","v":88}]')");
    INFO("coap-client: ", sent);
    CHECK(ack_code(sent) == "2.04");
    CHECK(server.wait_for({R"("event":"send")"}) == R"({"event":"send","ep":"cc2","content":[{"n":"/3/0/9","v":88}]})");
    CHECK(coap("-m post " + dp + R"( -t 110 -e '[{"bn":"/3/0/","n":"9","v":88}]')") == "4.04 not registered");

    // A malformed command is answered with an error and the server carries on.
    server.command(R"({"id":2,"op":"reed","ep":"cc1"})");
    CHECK(server.wait_for({R"("id":2)"}) == R"({"id":2,"error":"unknown op \"reed\""})");

    // De-register (§6.2.3): 2.02 Deleted and a deregistered event; the location is gone after.
    server.mark();
    const std::string del = coap("-v 6 -m delete '" + rd + "/" + id + "'");
    INFO("coap-client: ", del);
    CHECK(ack_code(del) == "2.02");
    CHECK(server.wait_for({R"("event":"deregistered")", R"("ep":"cc1")"}) == R"({"event":"deregistered","ep":"cc1"})");
    CHECK(coap("-m post '" + rd + "/" + id + "'") == "4.04 no such registration");
    server.command(R"({"id":3,"op":"list"})");
    const std::string after = server.wait_for({R"("id":3)"});
    CHECK(after.find(R"("count":1)") != std::string::npos);  // cc2 only
    CHECK(after.find(R"("ep":"cc1")") == std::string::npos);

    CHECK(server.running());
    CHECK(server.stop());
    std::remove(log.c_str());
}
