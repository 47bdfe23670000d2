#pragma once
// RedisServer: a real redis-server (Debian's) for integration tests, started on a free loopback
// port with persistence off, stopped by its exact PID (SIGKILL to simulate a crash, SIGTERM
// otherwise), restartable on the same port. With tls=true it listens with TLS only, using a
// self-signed certificate made by `openssl req` at start-up; tlsSupported() says whether this
// redis-server build can.

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "redis/connection.h"
#include "support/free_port.h"
#include "support/spawn_server.h"
#include "support/temp_dir.h"

extern char** environ;

namespace au::test {

inline int runQuietly(const std::string& command) {
    return std::system((command + " >/dev/null 2>&1").c_str());
}

// For a redis-server that does not answer PING: reaps it (killing it first if it still runs) and
// returns the error, with the last lines of its log when it exited by itself (a port taken, a bad
// option).
inline std::runtime_error redisStartError(pid_t pid, int port, const std::string& logFile) {
    int status = 0;
    std::string what = "redis-server did not start on port " + std::to_string(port);
    if (::waitpid(pid, &status, WNOHANG) == pid) {
        std::ifstream in(logFile);
        std::deque<std::string> last;
        for (std::string line; std::getline(in, line);) {
            last.push_back(line);
            if (last.size() > 5) last.pop_front();
        }
        what += " (it exited; the end of " + logFile + ":";
        for (const auto& line : last) what += "\n  " + line;
        what += ")";
    } else {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        what += " (no PONG within 10 s)";
    }
    return std::runtime_error(what);
}

class RedisServer {
  public:
    explicit RedisServer(bool tls = false) : tls_(tls), port_(freeLoopbackPort()) {
        if (tls_) makeCertificate();
        start();
    }
    ~RedisServer() { stop(SIGKILL); }

    static bool tlsSupported() {
        // A TLS-less build rejects the tls-* directives; try a throwaway one.
        TempDir dir;
        const std::string cmd =
            "timeout 5 redis-server --port 0 --tls-port 0 --save '' --appendonly no "
            "--dir " +
            dir.path() +
            " --daemonize no --loglevel warning "
            "--tls-cert-file /nonexistent 2>&1 | grep -qi 'unrecognized\\|Bad directive'";
        return std::system(cmd.c_str()) != 0;
    }

    int port() const { return port_; }
    std::string url() const {
        return std::string(tls_ ? "rediss" : "redis") + "://127.0.0.1:" + std::to_string(port_);
    }
    std::string caFile() const { return dir_.file("cert.pem"); }
    pid_t pid() const { return pid_; }

    redis::ConnectOptions connectOptions() const {
        redis::ConnectOptions o;
        o.endpoint.tls = tls_;
        o.endpoint.host = "127.0.0.1";
        o.endpoint.port = port_;
        o.tls.caFile = tls_ ? caFile() : "";
        o.timeoutMillis = 2'000;
        return o;
    }

    void start() {
        std::vector<std::string> args = {
            "redis-server", "--bind",     "127.0.0.1", "--save",    "",
            "--appendonly", "no",         "--dir",     dir_.path(), "--daemonize",
            "no",           "--loglevel", "warning",   "--logfile", dir_.file("redis.log")};
        if (tls_) {
            for (const char* a : {"--port", "0", "--tls-port"}) args.emplace_back(a);
            args.push_back(std::to_string(port_));
            for (const char* a : {"--tls-cert-file"}) args.emplace_back(a);
            args.push_back(dir_.file("cert.pem"));
            args.emplace_back("--tls-key-file");
            args.push_back(dir_.file("key.pem"));
            args.emplace_back("--tls-ca-cert-file");
            args.push_back(dir_.file("cert.pem"));
            args.emplace_back("--tls-auth-clients");
            args.emplace_back("no");
        } else {
            args.emplace_back("--port");
            args.push_back(std::to_string(port_));
        }
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        // Its own output goes to its log file: it must not hold the test's stdout/stderr open. It
        // dies with the test process, also when a test crashes.
        pid_ = test::spawnServer("redis-server", argv.data());
        if (pid_ < 0) throw std::runtime_error("cannot start redis-server");
        // Ready when it answers PING (at most 10 s).
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < deadline) {
            auto c = redis::Connection::connect(connectOptions());
            if (c) {
                auto pong = c.value()->command({"PING"}, 1'000);
                if (pong && pong->str == "PONG") return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        const auto error = redisStartError(pid_, port_, dir_.file("redis.log"));
        pid_ = -1;  // reaped
        throw error;
    }

    // Stops exactly this server (SIGKILL = a crash) and reaps it.
    void stop(int signal = SIGTERM) {
        if (pid_ <= 0) return;
        ::kill(pid_, signal);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }
    void restart() {
        stop(SIGKILL);
        start();
    }

  private:
    void makeCertificate() {
        const std::string cmd =
            "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
            "-addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " +
            dir_.file("key.pem") + " -out " + dir_.file("cert.pem");
        if (runQuietly(cmd) != 0) throw std::runtime_error("openssl req failed");
    }

    bool tls_;
    TempDir dir_;
    int port_;
    pid_t pid_ = -1;
};

}  // namespace au::test
