#pragma once
// DaemonDriver: plays the MultiLangDaemon's side against the built binary, as a child process,
// over real pipes. Every line the child writes to stdout is checked to be a protocol message with
// exactly the protocol's fields.

#include <boost/process.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace au::test {

namespace bp = boost::process;

inline std::string binaryPath() { return std::string(AU_BINARY_DIR) + "/active-users"; }

// Another program to start instead of the binary, e.g. a wrapper (prlimit, unshare) that execs it
// with the given arguments.
struct Program {
    std::string path;
};

// Checks a stdout line against the protocol: a JSON object that is a status or a checkpoint with
// exactly its fields.
inline void requireProtocolLine(const std::string& line) {
    INFO("stdout line: " << line);
    const auto j = nlohmann::json::parse(line, nullptr, false);
    REQUIRE(j.is_object());
    const std::string action = j.value("action", "");
    if (action == "status") {
        REQUIRE(j.size() == 2);
        REQUIRE(j["responseFor"].is_string());
    } else {
        REQUIRE(action == "checkpoint");
        REQUIRE(j.size() == 3);
        REQUIRE((j["sequenceNumber"].is_string() || j["sequenceNumber"].is_null()));
        REQUIRE((j["subSequenceNumber"].is_number_integer() || j["subSequenceNumber"].is_null()));
    }
}

class DaemonDriver {
  public:
    // clang-format reads Boost.Process's redirection operators as template brackets:
    // clang-format off
    explicit DaemonDriver(std::vector<std::string> args,
                          const std::string& stderrPath = "/dev/null")
        : DaemonDriver(Program{binaryPath()}, std::move(args), stderrPath) {}
    DaemonDriver(const Program& program, std::vector<std::string> args,
                 const std::string& stderrPath = "/dev/null")
        : child_((ignoreSigpipe(), program.path), bp::args(std::move(args)),
                 bp::std_in < in_, bp::std_out > out_, bp::std_err > stderrPath) {}
    // clang-format on

    ~DaemonDriver() {
        if (child_.running()) child_.terminate();
    }

    pid_t pid() const { return child_.id(); }
    bool running() { return child_.running(); }

    // The daemon's answers to our checkpoints, in order (nullopt = success).
    std::deque<std::optional<std::string>> checkpointErrors;
    // Every checkpoint request the child made.
    std::vector<nlohmann::json> checkpoints;

    // Sends one raw line (no status expected).
    void sendRaw(const std::string& line) {
        in_ << line << '\n';
        in_.flush();
    }

    // Sends a message and reads until its status, answering checkpoints on the way. Returns the
    // status's responseFor.
    std::string exchange(const nlohmann::json& message) { return exchangeRaw(message.dump()); }

    std::string exchangeRaw(const std::string& line) {
        sendRaw(line);
        for (;;) {
            std::string reply;
            REQUIRE(std::getline(out_, reply));
            if (reply.empty()) continue;
            requireProtocolLine(reply);
            const auto j = nlohmann::json::parse(reply);
            if (j["action"] == "status") return j["responseFor"].get<std::string>();
            checkpoints.push_back(j);
            std::optional<std::string> error;
            if (!checkpointErrors.empty()) {
                error = checkpointErrors.front();
                checkpointErrors.pop_front();
            }
            nlohmann::json answer = {{"action", "checkpoint"},
                                     {"sequenceNumber", j["sequenceNumber"]},
                                     {"subSequenceNumber", j["subSequenceNumber"]}};
            answer["error"] = error ? nlohmann::json(*error) : nlohmann::json();
            sendRaw(answer.dump());
        }
    }

    // Closes stdin as the daemon does after a lease ends; returns the exit code and how long the
    // child took to exit. Fails when it does not exit within `limit`.
    std::pair<int, std::chrono::milliseconds> closeAndWait(
        std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
        in_.pipe().close();
        const auto start = std::chrono::steady_clock::now();
        // Polled: Boost 1.74's wait_for waits for SIGCHLD, which another thread of a
        // multi-threaded test may take, and then sleeps out the whole limit.
        while (child_.running() && std::chrono::steady_clock::now() - start < limit) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - start);
        const bool exited = !child_.running();
        REQUIRE(exited);
        // Nothing but protocol lines may follow.
        std::string rest;
        while (std::getline(out_, rest)) {
            if (!rest.empty()) requireProtocolLine(rest);
        }
        return {child_.exit_code(), took};
    }

  private:
    // A child that exits early (e.g. on a bad configuration) must fail the write, not kill the
    // test.
    static int ignoreSigpipe() {
        std::signal(SIGPIPE, SIG_IGN);
        return 0;
    }

    bp::opstream in_;
    bp::ipstream out_;
    bp::child child_;
};

}  // namespace au::test
