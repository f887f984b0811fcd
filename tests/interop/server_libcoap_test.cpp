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
#include "../support/line_process.hpp"

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

using lwm2m::test::libcoap_tools::server_exe;
using lwm2m::test::libcoap_tools::coap;
using lwm2m::test::libcoap_tools::coap_client;
using lwm2m::test::libcoap_tools::executable;
using lwm2m::test::libcoap_tools::free_port;
using lwm2m::test::libcoap_tools::on_path;
using lwm2m::test::line_process;

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
    line_process server{{exe, "--address", "127.0.0.1", "--port", std::to_string(port),
                         "--max-registrations", "1000", "--verbose"},
                        false, log};
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
    server.send(R"({"id":1,"op":"list"})");
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
    CHECK(coap("-m post '" + rd + "?ep=cc9&b=X'") == "4.00 invalid b");
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
    server.send(R"({"id":2,"op":"reed","ep":"cc1"})");
    CHECK(server.wait_for({R"("id":2)"}) == R"({"id":2,"error":"unknown op \"reed\""})");

    // De-register (§6.2.3): 2.02 Deleted and a deregistered event; the location is gone after.
    server.mark();
    const std::string del = coap("-v 6 -m delete '" + rd + "/" + id + "'");
    INFO("coap-client: ", del);
    CHECK(ack_code(del) == "2.02");
    CHECK(server.wait_for({R"("event":"deregistered")", R"("ep":"cc1")"}) == R"({"event":"deregistered","ep":"cc1"})");
    CHECK(coap("-m post '" + rd + "/" + id + "'") == "4.04 no such registration");
    server.send(R"({"id":3,"op":"list"})");
    const std::string after = server.wait_for({R"("id":3)"});
    CHECK(after.find(R"("count":1)") != std::string::npos);  // cc2 only
    CHECK(after.find(R"("ep":"cc1")") == std::string::npos);

    CHECK(server.running());
    CHECK(server.stop());
    std::remove(log.c_str());
}
