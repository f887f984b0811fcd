#pragma once
// A child process driven through stdin and read line by line, for the tests that script real
// programs over loopback (tests/interop/server_libcoap_test.cpp, tests/interop/node_lwm2m_test.cpp).

#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace lwm2m::test {

/**
 * A child process whose stdin is a pipe and one of whose output streams (stdout, or stderr
 * with `capture_stderr`) is read line by line by a thread; the other goes to the file
 * `other_output` (created or truncated). posix_spawnp: `args[0]` is looked up in PATH when it
 * has no slash.
 */
class line_process {
public:
    explicit line_process(std::vector<std::string> args, bool capture_stderr = false,
                          const std::string& other_output = "/dev/null") {
        int in[2], out[2];
        REQUIRE(::pipe2(in, O_CLOEXEC) == 0);  // CLOEXEC: later children must not hold them
        REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
        std::vector<char*> argv;
        for (std::string& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, in[0], 0);
        posix_spawn_file_actions_adddup2(&fa, out[1], capture_stderr ? 2 : 1);
        posix_spawn_file_actions_addopen(&fa, capture_stderr ? 1 : 2, other_output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int rc = ::posix_spawnp(&pid_, argv[0], &fa, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&fa);
        ::close(in[0]);
        ::close(out[1]);
        stdin_ = in[1];
        out_ = out[0];
        REQUIRE(rc == 0);
        reader_ = std::thread([this] { read_lines(); });
    }
    line_process(const line_process&) = delete;
    line_process& operator=(const line_process&) = delete;
    ~line_process() {
        (void)stop();
        if (reader_.joinable()) reader_.join();
        ::close(out_);
    }

    /** Writes one line to the process's stdin. */
    void send(const std::string& line) {
        const std::string l = line + "\n";
        CHECK(::write(stdin_, l.data(), l.size()) == static_cast<ssize_t>(l.size()));
    }
    void close_stdin() {
        if (stdin_ >= 0) ::close(stdin_);
        stdin_ = -1;
    }

    /** The first line after the mark (seen before or arriving within `limit`) containing every needle; "" if none. */
    std::string wait_for(const std::vector<std::string>& needles, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
        const auto end = std::chrono::steady_clock::now() + limit;
        for (;;) {
            {
                std::lock_guard<std::mutex> l(m_);
                for (std::size_t i = mark_; i < lines_.size(); ++i) {
                    bool all = true;
                    for (const std::string& n : needles) all = all && lines_[i].find(n) != std::string::npos;
                    if (all) return lines_[i];
                }
            }
            if (std::chrono::steady_clock::now() > end) return {};
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    /** Only lines printed after this call are searched by `wait_for`. */
    void mark() {
        std::lock_guard<std::mutex> l(m_);
        mark_ = lines_.size();
    }
    /** Every line so far (for failure messages). */
    std::string transcript() {
        std::lock_guard<std::mutex> l(m_);
        std::string all;
        for (const std::string& s : lines_) all += s + "\n";
        return all;
    }

    /** Waits up to `limit` for the process to end by itself; true on exit status 0. */
    bool wait_exit(std::chrono::milliseconds limit) {
        const auto end = std::chrono::steady_clock::now() + limit;
        while (pid_ > 0) {
            if (::waitpid(pid_, &status_, WNOHANG) == pid_) {
                pid_ = -1;
                return WIFEXITED(status_) && WEXITSTATUS(status_) == 0;
            }
            if (std::chrono::steady_clock::now() > end) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return exited_ok();
    }
    /** SIGTERM, then up to 5 s for it to end (then SIGKILL); true on exit status 0. */
    bool stop() {
        close_stdin();
        if (pid_ <= 0) return exited_ok();
        ::kill(pid_, SIGTERM);
        if (wait_exit(std::chrono::seconds(5))) return true;
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status_, 0);
            pid_ = -1;
        }
        return false;
    }
    /** SIGKILL: ends it at once (no clean shutdown), and waits for it. */
    void kill() {
        close_stdin();
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status_, 0);
        pid_ = -1;
    }
    bool running() { return pid_ > 0 && ::waitpid(pid_, &status_, WNOHANG) == 0; }

private:
    bool exited_ok() const { return WIFEXITED(status_) && WEXITSTATUS(status_) == 0; }
    void read_lines() {
        std::string partial;
        char buf[4096];
        for (;;) {
            const ssize_t n = ::read(out_, buf, sizeof buf);
            if (n <= 0) return;  // EOF: the process (and its children) closed it
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
    int out_ = -1;
    std::thread reader_;
    std::mutex m_;
    std::vector<std::string> lines_;
    std::size_t mark_ = 0;
};

} // namespace lwm2m::test
