// Interop with Eclipse Wakaama, the C reference implementation of LwM2M 1.0: its stock example
// programs lwm2mclient and lwm2mserver, built from the sources that node-red-contrib-lwm2m
// bundles (tests/interop/wakaama/package.json pins it; `npm ci --ignore-scripts` there, which
// scripts/test-all.sh does), on UDP 127.0.0.1.
//
// 1. Wakaama's client is managed by the example server (examples/lwm2m-server, JSON lines):
//    Register, Read of /3/0 in TLV (Wakaama's device values), Read and Write of resources,
//    LwM2M JSON Write and Read, Execute with arguments, Discover, Write-Attributes, Observe
//    with a notification of a value changed on Wakaama's command line, Cancel, Create and
//    Delete of a test-object (31024) instance (each followed by Wakaama's Update), De-register
//    when it quits.
// 2. The example client (examples/lwm2m-client, `--lwm2m 1.0`) is managed by Wakaama's
//    interactive server: Register, Read of /3/0 decoded by Wakaama's TLV reader, Write, Read
//    back, Execute of the Registration Update Trigger (an Update follows), Discover,
//    Write-Attributes (pmin/pmax, lt/gt), Observe with a notification of a written value,
//    Cancel, Clear of the attributes, Delete (an Update follows), De-register on SIGTERM.
// 3. Wakaama's client (`-b`) bootstraps from the example bootstrap server
//    (examples/lwm2m-bootstrap-server: Delete "/", Write of a Security and a Server instance
//    naming the example server, Finish), then registers with the example server.
// 4. The same with our example client (`--bootstrap`) in Wakaama's place (no Wakaama needed),
//    and our client bootstrapping from Wakaama's bootstrap_server (its .ini: Delete "/", the
//    Security and Server instances of one NoSec account), then registering with our server.
//
// The Wakaama programs are compiled once with `cc` into <source>/build/wakaama/ (under a lock;
// reused while newer than the package-lock), with the definitions of Wakaama's own CMake files,
// no DTLS, its warnings silenced (not our code), and a constructor that makes their stdout
// unbuffered (they print to a pipe here). Every wait is bounded; every process is stopped.
//
// Needs: cc, tests/interop/wakaama/node_modules and the example programs (LWM2M_CLIENT_EXE /
// LWM2M_SERVER_EXE, macros or environment variables). Skipped (with a message) when one is missing.
#include "../support/libcoap_tools.hpp"
#include "../support/line_process.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace wakaama_test {

using namespace std::chrono_literals;
using lwm2m::test::libcoap_tools::bootstrap_server_exe;
using lwm2m::test::libcoap_tools::client_exe;
using lwm2m::test::libcoap_tools::executable;
using lwm2m::test::libcoap_tools::free_port;
using lwm2m::test::libcoap_tools::on_path;
using lwm2m::test::libcoap_tools::server_exe;
using lwm2m::test::libcoap_tools::source_dir;
using lwm2m::test::line_process;

std::string package_dir() { return source_dir() + "/tests/interop/wakaama"; }
std::string wakaama_dir() { return package_dir() + "/node_modules/node-red-contrib-lwm2m/deps/wakatiwai/deps/wakaama"; }
std::string build_dir() { return source_dir() + "/build/wakaama"; }

/** Modification time in nanoseconds, or -1 if `p` does not exist. */
long long mtime(const std::string& p) {
    struct stat st{};
    if (::stat(p.c_str(), &st) != 0) return -1;
    return static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

/**
 * The command that compiles one Wakaama program (its output file and log are appended by
 * `compile`): `defines` and `own` (its example sources) as in Wakaama's
 * examples/{client,server}/CMakeLists.txt and core/wakaama.cmake.
 */
std::string compile_command(const std::string& defines, const std::vector<std::string>& own) {
    const std::string w = wakaama_dir();
    std::string cmd = "timeout 180 cc -O1 -w -Wno-error=implicit-function-declaration -Wno-error=int-conversion"
                      " -Wno-error=incompatible-pointer-types -DLWM2M_LITTLE_ENDIAN " + defines +
                      " -I" + w + "/core -I" + w + "/examples/shared";
    for (const char* core : {"liblwm2m", "uri", "utils", "objects", "tlv", "data", "list", "packet", "transaction",
                             "registration", "bootstrap", "management", "observe", "json", "discover", "block1"})
        cmd += " " + w + "/core/" + core + ".c";
    cmd += " " + w + "/core/er-coap-13/er-coap-13.c";
    for (const char* shared : {"commandline", "platform", "memtrace", "connection"})  // no DTLS: connection.c
        cmd += " " + w + "/examples/shared/" + shared + ".c";
    for (const std::string& s : own) cmd += " " + w + "/examples/" + s + ".c";
    return cmd + " " + build_dir() + "/unbuffered_stdout.c";
}

/** Runs `command` into build_dir()/`name` through a temporary file renamed into place (a reader never sees half a binary). */
bool compile(const std::string& name, const std::string& command) {
    const std::string out = build_dir() + "/" + name;
    const std::string tmp = out + ".tmp." + std::to_string(::getpid());
    if (std::system((command + " -o " + tmp + " >" + out + ".log 2>&1").c_str()) != 0) {
        (void)std::remove(tmp.c_str());
        return false;
    }
    return std::rename(tmp.c_str(), out.c_str()) == 0;
}

std::string file_text(const std::string& p) {
    std::string text;
    if (FILE* f = std::fopen(p.c_str(), "r")) {
        char buf[4096];
        for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
        std::fclose(f);
    }
    return text;
}

bool write_file(const std::string& p, const std::string& text) {
    FILE* f = std::fopen(p.c_str(), "w");
    if (f == nullptr) return false;
    const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    return std::fclose(f) == 0 && ok;
}

/**
 * Builds lwm2mclient and lwm2mserver unless they are newer than the package-lock and were built
 * by the same commands (build_dir()/recipe); "" when they are ready, else why not.
 */
std::string build_wakaama() {
    if (mtime(wakaama_dir() + "/core/liblwm2m.c") < 0)
        return "Wakaama's sources are not installed (cd tests/interop/wakaama && npm ci --ignore-scripts)";
    if (!on_path("cc")) return "no C compiler (cc) to build Wakaama";
    (void)::mkdir((source_dir() + "/build").c_str(), 0777);
    (void)::mkdir(build_dir().c_str(), 0777);
    // One build for every test process (ctest and meson may run this test at the same time).
    const int lock = ::open((build_dir() + "/.lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0666);
    if (lock < 0 || ::flock(lock, LOCK_EX) != 0) return "cannot lock " + build_dir() + "/.lock";
    const std::string client = compile_command("-DLWM2M_CLIENT_MODE -DLWM2M_BOOTSTRAP -DLWM2M_SUPPORT_JSON",
                                               {"client/lwm2mclient", "client/system_api", "client/object_security",
                                                "client/object_server", "client/object_device", "client/object_firmware",
                                                "client/object_location", "client/object_connectivity_moni",
                                                "client/object_connectivity_stat", "client/object_access_control",
                                                "client/test_object"});
    const std::string server = compile_command("-DLWM2M_SERVER_MODE", {"server/lwm2mserver"});
    const std::string bootstrap = compile_command("-DLWM2M_BOOTSTRAP_SERVER_MODE",
                                                  {"bootstrap_server/bootstrap_server", "bootstrap_server/bootstrap_info"});
    const std::string recipe = client + "\n" + server + "\n" + bootstrap + "\n";
    const long long lock_file = mtime(package_dir() + "/package-lock.json");
    std::string why;
    if (mtime(build_dir() + "/lwm2mclient") <= lock_file || mtime(build_dir() + "/lwm2mserver") <= lock_file ||
        mtime(build_dir() + "/bootstrap_server") <= lock_file || file_text(build_dir() + "/recipe") != recipe) {
        // The examples print to stdout without flushing; unbuffered, a pipe sees each line at once.
        (void)write_file(build_dir() + "/unbuffered_stdout.c",
                         "#include <stdio.h>\n"
                         "__attribute__((constructor)) static void unbuffered_stdout(void) { setvbuf(stdout, NULL, _IONBF, 0); }\n");
        (void)std::remove((build_dir() + "/recipe").c_str());
        if (!compile("lwm2mclient", client))
            why = "building Wakaama's lwm2mclient failed (see " + build_dir() + "/lwm2mclient.log)";
        else if (!compile("lwm2mserver", server))
            why = "building Wakaama's lwm2mserver failed (see " + build_dir() + "/lwm2mserver.log)";
        else if (!compile("bootstrap_server", bootstrap))
            why = "building Wakaama's bootstrap_server failed (see " + build_dir() + "/bootstrap_server.log)";
        else
            (void)write_file(build_dir() + "/recipe", recipe);
    }
    ::close(lock);  // (releases the lock)
    return why;
}

std::string wakaama_client() { return build_dir() + "/lwm2mclient"; }
std::string wakaama_bootstrap_server() { return build_dir() + "/bootstrap_server"; }

std::string wakaama_server() { return build_dir() + "/lwm2mserver"; }

/** The example server's command line on 127.0.0.1:`port`. */
std::vector<std::string> example_server_args(const std::string& exe, std::uint16_t port) {
    return {exe, "--address", "127.0.0.1", "--port", std::to_string(port)};
}
/**
 * What the example bootstrap server prints for a Client-Initiated Bootstrap of `ep` (no pct)
 * with its usual configuration: Delete "/", Write /0/1 and /1/0, Finish, each answered as the
 * operation's success, then the session's end.
 */
void check_usual_bootstrap(line_process& bootstrap, const std::string& ep) {
    const auto operation = [&](const std::string& op, const std::string& path, const std::string& status) {
        return R"({"event":"operation","ep":")" + ep + R"(","op":")" + op + R"(","path":")" + path +
               R"(","status":")" + status + R"("})";
    };
    CHECK(bootstrap.wait_for({R"("event":"bootstrap-request")"}, 30s) ==
          R"({"event":"bootstrap-request","ep":")" + ep + R"(","pct":"-"})");
    CHECK(bootstrap.wait_for({R"("op":"delete")"}) == operation("delete", "/", "2.02"));
    CHECK(bootstrap.wait_for({R"("path":"/0/1")"}) == operation("write", "/0/1", "2.04"));
    CHECK(bootstrap.wait_for({R"("path":"/1/0")"}) == operation("write", "/1/0", "2.04"));
    CHECK(bootstrap.wait_for({R"("op":"finish")"}) == operation("finish", "/bs", "2.04"));
    CHECK(bootstrap.wait_for({R"("event":"bootstrap-finished")"}) == R"({"event":"bootstrap-finished","ep":")" + ep + R"("})");
}

/** Waits until the example server answers its first command (it listens then). */
void await_ready(line_process& server) {
    server.send(R"({"id":0,"op":"list"})");
    REQUIRE(server.wait_for({R"({"id":0,)"}) != "");
}

/** Why a test case cannot run ("" when it can): our example program `exe` (from `macro`), then Wakaama's build. */
std::string missing(const std::string& exe, const char* macro) {
    if (!executable(exe)) return std::string("example binary not given (") + macro + ")";
    return build_wakaama();
}
/** The same with a second example program `other` (from `other_macro`). */
std::string missing(const std::string& exe, const char* macro, const std::string& other, const char* other_macro) {
    if (!executable(other)) return std::string("example binary not given (") + other_macro + ")";
    return missing(exe, macro);
}

} // namespace wakaama_test

using namespace wakaama_test;

TEST_CASE("interop: the example server manages Wakaama's lwm2mclient (LwM2M 1.0 §5.3-§5.5)") {
    const std::string exe = server_exe();
    if (const std::string why = missing(exe, "LWM2M_SERVER_EXE"); !why.empty()) {
        MESSAGE("SKIPPED: ", why);
        return;
    }
    ::signal(SIGPIPE, SIG_IGN);  // a child that died early must fail a CHECK, not kill the test
    const std::uint16_t port = free_port();
    line_process server{{exe, "--address", "127.0.0.1", "--port", std::to_string(port)}};
    INFO("our server:\n", server.transcript());
    server.send(R"({"id":0,"op":"list"})");
    REQUIRE(server.wait_for({R"({"id":0,)"}) == R"({"id":0,"status":"2.05","count":0,"registrations":[]})");

    // -4: IPv4 (its default is IPv6); -t: lifetime. Its stderr (a hex dump of every datagram) is dropped.
    line_process wakaama{{wakaama_client(), "-4", "-h", "127.0.0.1", "-p", std::to_string(port), "-l",
                          std::to_string(free_port()), "-n", "wakaama-1", "-t", "60"}};
    INFO("Wakaama's client:\n", wakaama.transcript());

    // Register (1.0 §5.3.1): Wakaama's objects, its test object 31024 with three instances.
    CHECK(server.wait_for({R"("event":"registered")"}) ==
          R"({"event":"registered","ep":"wakaama-1","lifetime":60,"binding":"U","version":"1.0","objects":)"
          R"(["/1/0","/2/0","/3/0","/4/0","/5/0","/6/0","/7/0","/31024/10","/31024/11","/31024/12"]})");

    const auto ask = [&](int id, const std::string& rest) {
        server.send(R"({"id":)" + std::to_string(id) + R"(,"ep":"wakaama-1",)" + rest + "}");
        return server.wait_for({R"({"id":)" + std::to_string(id) + ","});
    };
    // Read (1.0 §5.4.1) of the Device instance in TLV: Wakaama's values, single and multiple.
    const std::string device = ask(1, R"("op":"read","path":"/3/0","format":"tlv")");
    CHECK(device.find(R"("status":"2.05")") != std::string::npos);
    for (const char* v : {R"({"n":"/3/0/0","vs":"Open Mobile Alliance"})", R"({"n":"/3/0/1","vs":"Lightweight M2M Client"})",
                          R"({"n":"/3/0/2","vs":"345000123"})", R"({"n":"/3/0/6/0","v":1},{"n":"/3/0/6/1","v":5})",
                          R"({"n":"/3/0/7/0","v":3800},{"n":"/3/0/7/1","v":5000})", R"({"n":"/3/0/9","v":100})",
                          R"({"n":"/3/0/14","vs":"+01:00"})", R"({"n":"/3/0/16","vs":"U"})"})
        CHECK_MESSAGE(device.find(v) != std::string::npos, v);
    // Read of one resource (Wakaama answers TLV; our default for a 1.0 client).
    CHECK(ask(2, R"("op":"read","path":"/3/0/0")") ==
          R"({"id":2,"ep":"wakaama-1","status":"2.05","content":[{"n":"/3/0/0","vs":"Open Mobile Alliance"}]})");

    // Write (1.0 §5.4.3) of a string and an integer, read back.
    CHECK(ask(3, R"("op":"write","path":"/3/0/14","value":"+02:00")") == R"({"id":3,"ep":"wakaama-1","status":"2.04"})");
    CHECK(ask(4, R"("op":"read","path":"/3/0/14","format":"text")") ==
          R"({"id":4,"ep":"wakaama-1","status":"2.05","content":[{"n":"/3/0/14","vs":"+02:00"}]})");
    CHECK(ask(5, R"("op":"write","path":"/1/0/1","value":90)") == R"({"id":5,"ep":"wakaama-1","status":"2.04"})");
    CHECK(ask(6, R"("op":"read","path":"/1/0/1")") ==
          R"({"id":6,"ep":"wakaama-1","status":"2.05","content":[{"n":"/1/0/1","v":90}]})");

    // LwM2M JSON (1.0 §6.4.4; Wakaama's client is built with LWM2M_SUPPORT_JSON): a partial
    // Write of a test-object instance (Write-Update, POST), read back in JSON; Wakaama's Float
    // and Integer come back as our server's numbers.
    CHECK(ask(18, R"("op":"write","path":"/31024/11","partial":true,"format":"oma-json",)"
                  R"("content":[{"n":"/31024/11/1","v":7},{"n":"/31024/11/3","v":1.5}])") ==
          R"({"id":18,"ep":"wakaama-1","status":"2.04"})");
    CHECK(ask(19, R"("op":"read","path":"/31024/11","format":"oma-json")") ==
          R"({"id":19,"ep":"wakaama-1","status":"2.05","content":[{"n":"/31024/11/1","v":7},{"n":"/31024/11/3","v":1.5}]})");
    // A Write of one resource in LwM2M JSON: our entry is named ("bn":"/31024/10/","n":"3");
    // Wakaama's reader skips an entry named by "bn" alone (answering 2.04 all the same).
    CHECK(ask(21, R"("op":"write","path":"/31024/10/3","format":"oma-json","content":[{"n":"/31024/10/3","v":3.25}])") ==
          R"({"id":21,"ep":"wakaama-1","status":"2.04"})");
    CHECK(ask(22, R"("op":"read","path":"/31024/10","format":"oma-json")").find(R"({"n":"/31024/10/3","v":3.25})") !=
          std::string::npos);
    // Wakaama deviates from 1.0 §6.4.4 for a single resource: it names it "bn":"/3/0/0/" +
    // "n":"0", that is /3/0/0/0, a Resource Instance of a single-instance resource below the
    // path read. Our server takes that one record of a Read of /O/I/R as the value of /O/I/R
    // (server engine, decode_resource_instance_zero), and nothing else.
    CHECK(ask(20, R"("op":"read","path":"/3/0/0","format":"oma-json")") ==
          R"({"id":20,"ep":"wakaama-1","status":"2.05","content":[{"n":"/3/0/0","vs":"Open Mobile Alliance"}]})");

    // Execute (1.0 §5.4.5) of the test object's resource 2 with arguments: Wakaama prints them.
    wakaama.mark();
    CHECK(ask(7, R"("op":"execute","path":"/31024/10/2","args":"0='hi'")") == R"({"id":7,"ep":"wakaama-1","status":"2.04"})");
    CHECK(wakaama.wait_for({"Execute on 31024/10/2"}) != "");
    CHECK(wakaama.wait_for({"Parameter (6 bytes)"}) != "");
    // The Registration Update Trigger (/1/0/8) is answered 2.04, but this Wakaama sends no
    // Update after it (1.0 Appendix E.2 says the client MUST): nothing to wait for.
    CHECK(ask(21, R"("op":"execute","path":"/1/0/8")") == R"({"id":21,"ep":"wakaama-1","status":"2.04"})");

    // Discover (1.0 §5.4.2), Write-Attributes (§5.4.4) and their effect on Discover. Only
    // pmin/pmax: this Wakaama's client crashes (SIGSEGV) on a Discover of a resource carrying
    // gt/lt/st, which it accepts with 2.04.
    CHECK(ask(8, R"("op":"discover","path":"/3/0")") ==
          R"({"id":8,"ep":"wakaama-1","status":"2.05","links":"</3/0>,</3/0/0>,</3/0/1>,</3/0/2>,</3/0/3>,</3/0/4>,)"
          R"(</3/0/5>,</3/0/6>,</3/0/7>,</3/0/8>,</3/0/9>,</3/0/10>,</3/0/11>,</3/0/12>,</3/0/13>,</3/0/14>,</3/0/15>,</3/0/16>"})");
    CHECK(ask(9, R"("op":"write-attributes","path":"/3/0/9","attributes":{"pmin":1,"pmax":30})") ==
          R"({"id":9,"ep":"wakaama-1","status":"2.04"})");
    CHECK(ask(10, R"("op":"discover","path":"/3/0/9")") ==
          R"({"id":10,"ep":"wakaama-1","status":"2.05","links":"</3/0/9>;pmin=1;pmax=30"})");

    // Observe (1.0 §5.5.1) of Current Time; Wakaama's `change` command sets it and notifies.
    const std::string first = ask(11, R"("op":"observe","path":"/3/0/13")");
    CHECK(first.find(R"("status":"2.05")") != std::string::npos);
    CHECK(first.find(R"("observing":true)") != std::string::npos);
    wakaama.send("change /3/0/13 1234567");
    CHECK(server.wait_for({R"("event":"notify")"}) ==
          R"({"event":"notify","ep":"wakaama-1","id":11,"path":"/3/0/13","content":[{"n":"/3/0/13","v":1234567}],"seq":1})");
    // Cancel (RFC 7641 §3.6, GET with Observe 1): answered with the value; a later change is
    // no longer reported (Wakaama notifies a change at once: no pmin on /3/0/13).
    CHECK(ask(16, R"("op":"cancel-observe","path":"/3/0/13")").find(R"("status":"2.05")") != std::string::npos);
    server.mark();
    wakaama.send("change /3/0/13 7654321");
    CHECK(server.wait_for({R"("event":"notify")"}, 1s) == "");

    // Create (1.0 §5.4.6) of a test-object instance (its resource 1 is an integer 0..255, which
    // our server, without a schema for 31024, reads back as opaque bytes), then Delete (§5.4.7).
    // Wakaama follows each with an Update listing its instances.
    CHECK(ask(12, R"("op":"create","path":"/31024","content":[{"n":"/31024/20/1","v":42}])") ==
          R"({"id":12,"ep":"wakaama-1","status":"2.01","location":"/31024/20"})");
    CHECK(server.wait_for({R"("event":"updated")", R"("/31024/12","/31024/20"])"}) != "");
    CHECK(ask(13, R"("op":"read","path":"/31024/20/1")") ==
          R"({"id":13,"ep":"wakaama-1","status":"2.05","content":[{"n":"/31024/20/1","vd":"Kg"}]})");  // 42
    server.mark();
    CHECK(ask(14, R"("op":"delete","path":"/31024/20")") == R"({"id":14,"ep":"wakaama-1","status":"2.02"})");
    CHECK(server.wait_for({R"("event":"updated")", R"("/31024/12"])"}) != "");
    CHECK(ask(15, R"("op":"read","path":"/31024/20")") == R"({"id":15,"ep":"wakaama-1","status":"4.04"})");

    // De-register (1.0 §5.3.3) when Wakaama's client quits.
    server.mark();
    wakaama.send("quit");
    CHECK(server.wait_for({R"("event":"deregistered")"}) == R"({"event":"deregistered","ep":"wakaama-1"})");
    CHECK(wakaama.wait_exit(5s));
    server.send(R"({"id":17,"op":"list"})");
    CHECK(server.wait_for({R"({"id":17,)"}) == R"({"id":17,"status":"2.05","count":0,"registrations":[]})");
}

TEST_CASE("interop: the example client is managed by Wakaama's lwm2mserver (LwM2M 1.0 §5.3-§5.5)") {
    const std::string exe = client_exe();
    if (const std::string why = missing(exe, "LWM2M_CLIENT_EXE"); !why.empty()) {
        MESSAGE("SKIPPED: ", why);
        return;
    }
    ::signal(SIGPIPE, SIG_IGN);
    const std::uint16_t port = free_port();
    line_process wakaama{{wakaama_server(), "-4", "-l", std::to_string(port)}};
    INFO("Wakaama's server:\n", wakaama.transcript());

    // This Wakaama is LwM2M 1.0 only: it answers lwm2m=1.1 with 4.12 (and a 1.1 object link
    // with `;ver=` with 4.00), so our client registers as 1.0.
    line_process client{{exe, "--server", "coap://127.0.0.1:" + std::to_string(port), "--endpoint", "ours-1", "--port",
                         std::to_string(free_port()), "--lifetime", "60", "--lights", "2", "--lwm2m", "1.0"},
                        true};
    INFO("our client (stderr):\n", client.transcript());

    // Register (1.0 §5.3.1): Wakaama lists our objects (not the Security object, §5.3.1).
    REQUIRE(wakaama.wait_for({"New client #0 registered."}) != "");
    CHECK(wakaama.wait_for({"name: \"ours-1\""}) != "");
    CHECK(wakaama.wait_for({"lifetime: 60 sec"}) != "");
    CHECK(wakaama.wait_for({"objects: /1/0, /3/0, /4/0, /3311/0, /3311/1, "}) != "");

    // Each command prints OK at once, its result later (Client #0 <uri> : <code>, then the payload).
    const auto command = [&](const std::string& line, const std::string& result) {
        wakaama.mark();
        wakaama.send(line);
        return wakaama.wait_for({result});
    };
    // Read (1.0 §5.4.1) of our Device instance: Wakaama decodes the TLV (IDs, types, bytes).
    CHECK(command("read 0 /3/0", "Client #0 /3/0 : 2.05 (COAP_205_CONTENT)") != "");
    CHECK(wakaama.wait_for({"bytes received of type application/vnd.oma.lwm2m+tlv:"}) != "");
    CHECK(wakaama.wait_for({"ID: 0 type: Resource Value"}) != "");
    CHECK(wakaama.wait_for({"6C 77 6D 32  6D 20 74 6F  6F 6C 6B 69  74  lwm2m toolkit"}) != "");
    CHECK(wakaama.wait_for({"ID: 6 type: Multiple Instances"}) != "");  // Available Power Sources
    CHECK(wakaama.wait_for({"ID: 9 type: Resource Value"}) != "");      // Battery Level 100
    CHECK(wakaama.wait_for({"64  d"}) != "");

    // Write (1.0 §5.4.3; Wakaama sends text/plain) of the dimmer, read back (TLV: 42 = 0x2A).
    CHECK(command("write 0 /3311/0/5851 42", "Client #0 /3311/0/5851 : 2.04 (COAP_204_CHANGED)") != "");
    CHECK(command("read 0 /3311/0/5851", "Client #0 /3311/0/5851 : 2.05 (COAP_205_CONTENT)") != "");
    CHECK(wakaama.wait_for({"ID: 5851 type: Resource Value"}) != "");
    CHECK(wakaama.wait_for({"2A  *"}) != "");

    // Execute (1.0 §5.4.5) of the Registration Update Trigger: 2.04, then an Update.
    CHECK(command("exec 0 /1/0/8", "Client #0 /1/0/8 : 2.04 (COAP_204_CHANGED)") != "");
    CHECK(wakaama.wait_for({"Client #0 updated."}) != "");

    // Discover (1.0 §5.4.2) of a light, Write-Attributes (§5.4.4) and their effect on Discover.
    CHECK(command("disc 0 /3311/0", "Client #0 /3311/0 : 2.05 (COAP_205_CONTENT)") != "");
    CHECK(wakaama.wait_for({"</3311/0>,</3311/0/5701>,</3311/0/5706>,</3311/0/5750>,</3311/0/5805>,</3311/0/5820>,"
                            "</3311/0/5850>,</3311/0/5851>,</3311/0/5852>"}) != "");
    CHECK(command("time 0 /3311/0/5850 1 30", "Client #0 /3311/0/5850 : 2.04 (COAP_204_CHANGED)") != "");
    CHECK(command("attr 0 /3311/0/5851 10 90", "Client #0 /3311/0/5851 : 2.04 (COAP_204_CHANGED)") != "");
    CHECK(command("disc 0 /3311/0/5850", "Client #0 /3311/0/5850 : 2.05 (COAP_205_CONTENT)") != "");
    CHECK(wakaama.wait_for({"</3311/0/5850>;pmin=1;pmax=30"}) != "");
    CHECK(command("disc 0 /3311/0/5851", "Client #0 /3311/0/5851 : 2.05 (COAP_205_CONTENT)") != "");
    CHECK(wakaama.wait_for({"</3311/0/5851>;", ";lt=10", ";gt=90"}) != "");

    // Observe (1.0 §5.5.1) of On/Off: the first value (off), then a notification once a Write
    // turns it on (after pmin = 1 s).
    CHECK(command("observe 0 /3311/0/5850", "Notify from client #0 /3311/0/5850 number") != "");
    CHECK(wakaama.wait_for({"ID: 5850 type: Resource Value"}) != "");
    CHECK(wakaama.wait_for({"00  ."}) != "");
    CHECK(command("write 0 /3311/0/5850 1", "Client #0 /3311/0/5850 : 2.04 (COAP_204_CHANGED)") != "");
    CHECK(wakaama.wait_for({"Notify from client #0 /3311/0/5850 number"}) != "");
    CHECK(wakaama.wait_for({"01  ."}) != "");
    // Cancel (RFC 7641 §3.6; Wakaama sends a GET with Observe 1 and no Accept): answered with the
    // value, in text/plain (Wakaama prints a 2.05 to a cancel as status 0.00), and a later change
    // is no longer reported (1.5 s: past pmin).
    CHECK(command("cancel 0 /3311/0/5850", "Client #0 /3311/0/5850 : 0.00 (COAP_NO_ERROR)") != "");
    CHECK(wakaama.wait_for({"1 bytes received of type text/plain:"}) != "");
    CHECK(wakaama.wait_for({"31  1"}) != "");
    CHECK(command("write 0 /3311/0/5850 0", "Client #0 /3311/0/5850 : 2.04 (COAP_204_CHANGED)") != "");
    CHECK(wakaama.wait_for({"Notify from client"}, 1500ms) == "");

    // Clear (Wakaama's `clear`: Write-Attributes ?pmin&pmax&gt&lt&st, §5.4.4) on the Boolean
    // On/Off: gt/lt/st cannot be set there, but removing them is a no-op, so 2.04 and the
    // attributes are gone from Discover.
    CHECK(command("clear 0 /3311/0/5850", "Client #0 /3311/0/5850 : 2.04 (COAP_204_CHANGED)") != "");
    CHECK(command("disc 0 /3311/0/5850", "Client #0 /3311/0/5850 : 2.05 (COAP_205_CONTENT)") != "");
    const std::string cleared = wakaama.wait_for({"</3311/0/5850>"});
    CHECK(cleared != "");
    CHECK(cleared.find(";pm") == std::string::npos);

    // Delete (1.0 §5.4.7) of the second light: 2.02, then an Update without it.
    CHECK(command("del 0 /3311/1", "Client #0 /3311/1 : 2.02 (COAP_202_DELETED)") != "");
    CHECK(wakaama.wait_for({"Client #0 updated."}) != "");
    CHECK(wakaama.wait_for({"objects: /1/0, /3/0, /4/0, /3311/0, "}) != "");

    // De-register (1.0 §5.3.3) on SIGTERM; our client exits 0.
    wakaama.mark();
    CHECK(client.stop());
    CHECK(wakaama.wait_for({"Client #0 unregistered."}) != "");
    CHECK(command("list", "No client.") != "");
    wakaama.send("q");
    CHECK(wakaama.wait_exit(5s));
}

TEST_CASE("interop: Wakaama's lwm2mclient bootstraps from the example bootstrap server, then registers with the example server (LwM2M 1.0 §5.2)") {
    const std::string exe = server_exe();
    const std::string bs_exe = bootstrap_server_exe();
    if (const std::string why = missing(exe, "LWM2M_SERVER_EXE", bs_exe, "LWM2M_BOOTSTRAP_SERVER_EXE"); !why.empty()) {
        MESSAGE("SKIPPED: ", why);
        return;
    }
    ::signal(SIGPIPE, SIG_IGN);
    const std::uint16_t port = free_port();
    const std::uint16_t bs_port = free_port();
    line_process server{example_server_args(exe, port)};
    INFO("our server:\n", server.transcript());
    await_ready(server);
    // The one DM server account: our server, NoSec, Short Server ID 1, lifetime 60 s.
    line_process bootstrap{{bs_exe, "--port", std::to_string(bs_port), "--server-uri",
                            "coap://127.0.0.1:" + std::to_string(port), "--ssid", "1", "--lifetime", "60",
                            "--endpoint", "wakaama-bs"}};
    INFO("our bootstrap server:\n", bootstrap.transcript());
    // -b: Client-Initiated Bootstrap from the server given by -h/-p (its /0/0 account).
    line_process wakaama{{wakaama_client(), "-4", "-b", "-h", "127.0.0.1", "-p", std::to_string(bs_port), "-l",
                          std::to_string(free_port()), "-n", "wakaama-bs"}};
    INFO("Wakaama's client:\n", wakaama.transcript());

    // Bootstrap-Request without pct (a 1.0 client; after the 10 s Client Hold Off Time its
    // /0/0 account gives), Delete "/", the Security and Server instances written in TLV,
    // Finish: each answered as the operation's success.
    check_usual_bootstrap(bootstrap, "wakaama-bs");

    // Then it registers with the account it was given: our server, lifetime 60 from /1/0/1.
    const std::string registered = server.wait_for({R"("event":"registered")"});
    CHECK(registered.find(R"("ep":"wakaama-bs","lifetime":60,)") != std::string::npos);
    // The account is readable on the client: /1/0 as written.
    server.send(R"({"id":1,"ep":"wakaama-bs","op":"read","path":"/1/0","format":"tlv"})");
    const std::string account = server.wait_for({R"({"id":1,)"});
    CHECK(account.find(R"({"n":"/1/0/0","v":1})") != std::string::npos);
    CHECK(account.find(R"({"n":"/1/0/1","v":60})") != std::string::npos);
    CHECK(account.find(R"({"n":"/1/0/7","vs":"U"})") != std::string::npos);
    wakaama.send("quit");
    CHECK(wakaama.wait_exit(5s));
}

TEST_CASE("interop: the example client bootstraps from the example bootstrap server, then registers with the example server (LwM2M 1.1.1 §6.1)") {
    // Ours on both sides over UDP loopback (no Wakaama needed): lwm2m-client --bootstrap.
    const std::string exe = server_exe();
    const std::string client = client_exe();
    const std::string bs_exe = bootstrap_server_exe();
    if (!executable(exe) || !executable(client) || !executable(bs_exe)) {
        MESSAGE("SKIPPED: example binaries not given (LWM2M_SERVER_EXE, LWM2M_CLIENT_EXE, LWM2M_BOOTSTRAP_SERVER_EXE)");
        return;
    }
    ::signal(SIGPIPE, SIG_IGN);
    const std::uint16_t port = free_port();
    const std::uint16_t bs_port = free_port();
    line_process server{example_server_args(exe, port)};
    INFO("our server:\n", server.transcript());
    await_ready(server);
    line_process bootstrap{{bs_exe, "--port", std::to_string(bs_port), "--server-uri",
                            "coap://127.0.0.1:" + std::to_string(port), "--ssid", "3", "--lifetime", "60",
                            "--endpoint", "ours-bs"}};
    INFO("our bootstrap server:\n", bootstrap.transcript());
    line_process ours{{client, "--bootstrap", "coap://127.0.0.1:" + std::to_string(bs_port), "--endpoint", "ours-bs",
                       "--port", std::to_string(free_port()), "--lights", "1"},
                      true};
    INFO("our client (stderr):\n", ours.transcript());

    // Bootstrap-Request (no pct: the example prefers none), Delete "/", the Security and
    // Server instances (TLV), Finish: each answered as the operation's success.
    check_usual_bootstrap(bootstrap, "ours-bs");
    CHECK(ours.wait_for({"bootstrap finished"}) != "");

    // Then it registers with the account written: our server, lifetime 60 from /1/0/1, and
    // the Server instance reads back as written (Short Server ID 3).
    const std::string registered = server.wait_for({R"("event":"registered")"});
    CHECK(registered.find(R"("ep":"ours-bs","lifetime":60,)") != std::string::npos);
    server.send(R"({"id":1,"ep":"ours-bs","op":"read","path":"/1/0","format":"tlv"})");
    const std::string account = server.wait_for({R"({"id":1,)"});
    CHECK(account.find(R"({"n":"/1/0/0","v":3})") != std::string::npos);
    CHECK(account.find(R"({"n":"/1/0/1","v":60})") != std::string::npos);
}

TEST_CASE("interop: the example client bootstraps from Wakaama's bootstrap_server, then registers with the example server (LwM2M 1.0 §5.2)") {
    const std::string exe = server_exe();
    const std::string client = client_exe();
    if (const std::string why = missing(client, "LWM2M_CLIENT_EXE", exe, "LWM2M_SERVER_EXE"); !why.empty()) {
        MESSAGE("SKIPPED: ", why);
        return;
    }
    ::signal(SIGPIPE, SIG_IGN);
    const std::uint16_t port = free_port();
    const std::uint16_t bs_port = free_port();
    line_process server{example_server_args(exe, port)};
    INFO("our server:\n", server.transcript());
    await_ready(server);
    // Wakaama's bootstrap information: one NoSec account (Short Server ID and instance ids 4).
    const std::string ini = build_dir() + "/bootstrap_server." + std::to_string(::getpid()) + ".ini";
    REQUIRE(write_file(ini, "[Server]\nid=4\nuri=coap://127.0.0.1:" + std::to_string(port) +
                                "\nbootstrap=no\nlifetime=60\nsecurity=NoSec\n\n[Endpoint]\nDelete=/\nServer=4\n"));
    line_process wakaama{{wakaama_bootstrap_server(), "-4", "-l", std::to_string(bs_port), "-f", ini}};
    INFO("Wakaama's bootstrap server:\n", wakaama.transcript());
    REQUIRE(wakaama.wait_for({"now listening on port"}) != "");
    line_process ours{{client, "--bootstrap", "coap://127.0.0.1:" + std::to_string(bs_port), "--endpoint", "ours-wbs",
                       "--port", std::to_string(free_port()), "--lights", "1", "--lwm2m", "1.0"},
                      true};
    INFO("our client (stderr):\n", ours.transcript());

    // Wakaama's operations, each answered as the operation's success (its log prints the status).
    CHECK(wakaama.wait_for({"Bootstrap request from"}, 30s).find(R"("ours-wbs")") != std::string::npos);
    CHECK(wakaama.wait_for({"for URI / from"}).find("2.02") != std::string::npos);
    CHECK(wakaama.wait_for({"for URI /0/4 from"}).find("2.04") != std::string::npos);
    CHECK(wakaama.wait_for({"for URI /1/4 from"}).find("2.04") != std::string::npos);
    CHECK(ours.wait_for({"bootstrap finished"}) != "");
    // Then the Register with the account written: Server instance 4, lifetime 60.
    const std::string registered = server.wait_for({R"("event":"registered")"});
    CHECK(registered.find(R"("ep":"ours-wbs","lifetime":60,)") != std::string::npos);
    CHECK(registered.find(R"("/1/4")") != std::string::npos);
    server.send(R"({"id":1,"ep":"ours-wbs","op":"read","path":"/1/4","format":"tlv"})");
    const std::string account = server.wait_for({R"({"id":1,)"});
    CHECK(account.find(R"({"n":"/1/4/0","v":4})") != std::string::npos);
    wakaama.send("q");
    (void)std::remove(ini.c_str());
}
