#pragma once
// Shared helpers of the fault tests: time, files, running the binary as a command with the fake
// secrets in a clean environment, and timing the replies of a DaemonDriver.

#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "e2e/daemon_driver.h"
#include "faults/secrets.h"

namespace au::test {

inline int64_t wallMillis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

inline int64_t millisSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 t0)
        .count();
}

inline std::string readText(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

inline size_t countOf(const std::string& text, const std::string& needle) {
    size_t n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        ++n;
    }
    return n;
}

// With AU_FAULTS_FIGURES set, prints a measured figure (for docs/robustness.md) to stderr.
inline void figure(const std::string& text) {
    if (std::getenv("AU_FAULTS_FIGURES") != nullptr)
        std::fprintf(stderr, "figure: %s\n", text.c_str());
}

struct CommandResult {
    int exitCode = -1;
    std::string out;
    std::string err;
    int64_t millis = 0;
};

// Runs `active-users ARGS` under `env -i` with only PATH and the fake AWS credentials; stdout and
// stderr are captured in files of `dir`.
inline CommandResult runActiveUsers(const std::string& dir, const std::string& args,
                                    const std::string& extraEnv = "") {
    const std::string out = dir + "/cmd.stdout", err = dir + "/cmd.stderr";
    const std::string cmd = "env -i PATH=/usr/bin:/bin " + fakeAwsEnvironment(dir) + " " +
                            extraEnv + " " + binaryPath() + " " + args + " >" + out + " 2>" + err;
    const auto t0 = std::chrono::steady_clock::now();
    const int status = std::system(cmd.c_str());
    CommandResult r;
    r.millis = millisSince(t0);
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = readText(out);
    r.err = readText(err);
    return r;
}

// A DaemonDriver's exchanges, timed: the slowest reply so far.
class TimedDaemon {
  public:
    explicit TimedDaemon(DaemonDriver& driver) : d_(driver) {}
    std::string exchange(const nlohmann::json& message) {
        const auto t0 = std::chrono::steady_clock::now();
        std::string r = d_.exchange(message);
        const int64_t took = millisSince(t0);
        if (took > slowest_) {
            slowest_ = took;
            slowestAction_ = message.value("action", "");
        }
        ++exchanges_;
        return r;
    }
    int64_t slowestMillis() const { return slowest_; }
    const std::string& slowestAction() const { return slowestAction_; }
    int exchanges() const { return exchanges_; }

  private:
    DaemonDriver& d_;
    int64_t slowest_ = 0;
    std::string slowestAction_;
    int exchanges_ = 0;
};

inline nlohmann::json initializeMessage(const std::string& shard, const std::string& checkpoint) {
    return {{"action", "initialize"},
            {"shardId", shard},
            {"sequenceNumber", checkpoint},
            {"subSequenceNumber", 0}};
}

}  // namespace au::test
