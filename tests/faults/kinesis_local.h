#pragma once
// KinesisLocal: a real kinesis-local (npm, the bind-patched copy scripts/setup-stack makes in
// <source>/.local-stack/kinesis-local/, listening on 127.0.0.1 only) on a free loopback port, with
// a Kinesis client for it. Started by the test, stopped (exactly that PID) when the object dies.

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "aws/curl_http_client.h"
#include "aws/kinesis_client.h"
#include "leases/dynalite.h"
#include "support/spawn_server.h"

namespace au::test {

inline std::string kinesisLocalMain() {
    return std::string(AU_SOURCE_DIR) + "/.local-stack/kinesis-local/main.js";
}
inline bool kinesisLocalAvailable() { return std::filesystem::exists(kinesisLocalMain()); }

class KinesisLocal {
  public:
    // Starts it and waits (up to 20 s) until it answers ListStreams; ok() tells.
    KinesisLocal() {
        const std::string dir = std::filesystem::path(kinesisLocalMain()).parent_path().string();
        const std::string plain = "KINESIS_MOCK_PLAIN_PORT=" + std::to_string(port_);
        const std::string tls =
            "KINESIS_MOCK_TLS_PORT=" + std::to_string(leases::testing::freeLoopbackPort());
        const std::string cert = "KINESIS_MOCK_CERT_PATH=" + dir + "/server.json";
        const std::string main = kinesisLocalMain();
        const char* argv[] = {"env",
                              plain.c_str(),
                              tls.c_str(),
                              cert.c_str(),
                              "CREATE_STREAM_DURATION=0ms",
                              "SHOULD_PERSIST_DATA=false",
                              "LOG_LEVEL=ERROR",
                              "node",
                              main.c_str(),
                              nullptr};
        pid_ = spawnServer("env", const_cast<char**>(argv));
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (pid_ > 0 && std::chrono::steady_clock::now() < deadline) {
            if (leases::testing::canConnect(port_) &&
                kinesis.listShards("none").status().code() == "ResourceNotFoundException") {
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
    ~KinesisLocal() {
        if (pid_ > 0) {
            // SIGKILL: on SIGTERM it waits up to 30 s for open keep-alive connections (ours),
            // and it holds nothing worth a graceful stop (in memory only).
            ::kill(pid_, SIGKILL);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
    }
    KinesisLocal(const KinesisLocal&) = delete;
    KinesisLocal& operator=(const KinesisLocal&) = delete;

    bool ok() const { return ready_; }
    int port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

    // Creates the stream and waits until it is ACTIVE.
    Status createStream(const std::string& stream, int shards) {
        // kinesis-local answers CreateStream with an empty body, which our client calls a
        // BadResponse (real Kinesis answers with an empty JSON object).
        if (auto st = kinesis.createStream(stream, shards); !st && st.code() != "BadResponse") {
            return st;
        }
        for (int i = 0; i < 200; ++i) {
            auto d = kinesis.describeStreamSummary(stream);
            if (d && d.value()["StreamDescriptionSummary"]["StreamStatus"] == "ACTIVE") {
                return Status::ok();
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
        return Status::error("Timeout", "stream " + stream + " never became ACTIVE");
    }

  private:
    int port_ = leases::testing::freeLoopbackPort();  // before rpc_, which uses url()
    pid_t pid_ = -1;
    bool ready_ = false;
    SystemClock clock_;
    aws::CurlHttpClient http_;
    aws::StaticCredentialsProvider creds_{
        aws::Credentials{"AKIDTEST", "secret", std::nullopt, std::nullopt}};
    aws::AwsJsonClient rpc_{http_, creds_, clock_, aws::kinesisProtocol(), url(), "us-east-1"};

  public:
    aws::KinesisClient kinesis{rpc_};
};

}  // namespace au::test
