#pragma once
// Moto: moto's server mode (PyPI `moto[server]`, pinned; scripts/setup-stack installs it in a
// venv, <source>/.local-stack/moto/) on a free 127.0.0.1 port: a second, independent
// implementation of DynamoDB's semantics for the lease tests, beside dynalite (dynalite.h). Each
// object starts its own server and stops exactly that PID when it dies. docs/robustness.md
// records where the two disagree.

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "leases/dynalite.h"
#include "support/spawn_server.h"

namespace au::leases::testing {

class Moto {
  public:
    static std::string binary() {
        return std::string(AU_SOURCE_DIR) + "/.local-stack/moto/bin/moto_server";
    }
    static bool available() { return std::filesystem::exists(binary()); }
    static std::string missingHint() { return binary() + " is missing (run scripts/setup-stack)"; }

    // Starts moto_server and waits (up to 20 s) until it accepts connections; ok() tells.
    Moto() {
        port_ = freeLoopbackPort();
        const std::string portText = std::to_string(port_);
        const std::string bin = binary();
        const char* argv[] = {bin.c_str(), "-H", "127.0.0.1", "-p", portText.c_str(), nullptr};
        pid_ = test::spawnServer(bin.c_str(), const_cast<char**>(argv));
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (pid_ > 0 && std::chrono::steady_clock::now() < deadline) {
            if (canConnect(port_)) {
                ready_ = true;
                break;
            }
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    ~Moto() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
    }
    Moto(const Moto&) = delete;
    Moto& operator=(const Moto&) = delete;

    bool ok() const { return ready_; }
    int port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  private:
    pid_t pid_ = -1;
    int port_ = 0;
    bool ready_ = false;
};

}  // namespace au::leases::testing
