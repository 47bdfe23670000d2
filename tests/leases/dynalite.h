#pragma once
// Dynalite: a real, in-memory dynalite (npm) on 127.0.0.1 for integration tests, started from
// <source>/node_modules and stopped (exactly that PID) when the object dies. Also: DynamoDB
// clients for it, the KCL's lease table shape, and a free / closed loopback port.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "aws/curl_http_client.h"
#include "aws/dynamodb_client.h"
#include "aws/json_rpc.h"
#include "support/free_port.h"
#include "support/spawn_server.h"
#include "util/clock.h"

extern char** environ;

namespace au::leases::testing {

inline std::string dynaliteCli() {
    return std::string(AU_SOURCE_DIR) + "/node_modules/dynalite/cli.js";
}
inline bool dynaliteAvailable() { return std::filesystem::exists(dynaliteCli()); }

// A port nothing listens on, reserved for this test process (support/free_port.h).
using au::test::freeLoopbackPort;

inline bool canConnect(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

class Dynalite {
  public:
    static bool available() { return dynaliteAvailable(); }
    static std::string missingHint() {
        return dynaliteCli() + " is missing (run npm ci in the source folder)";
    }

    // Starts dynalite and waits (up to 15 s) until it accepts connections; ok() tells.
    Dynalite() {
        port_ = freeLoopbackPort();
        const std::string portText = std::to_string(port_);
        std::string cli = dynaliteCli();
        const char* argv[] = {"node",
                              cli.c_str(),
                              "--host",
                              "127.0.0.1",
                              "--port",
                              portText.c_str(),
                              "--createTableMs",
                              "0",
                              "--deleteTableMs",
                              "0",
                              "--updateTableMs",
                              "0",
                              nullptr};
        // Dies with the test process, also when a test crashes.
        pid_ = test::spawnServer("node", const_cast<char**>(argv), /*keepStderr=*/true);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
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
    ~Dynalite() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
    }
    Dynalite(const Dynalite&) = delete;
    Dynalite& operator=(const Dynalite&) = delete;

    bool ok() const { return ready_; }
    int port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  private:
    pid_t pid_ = -1;
    int port_ = 0;
    bool ready_ = false;
};

// A DynamoDbClient for a loopback endpoint with static test credentials (real HTTP).
struct LoopbackDynamoDb {
    explicit LoopbackDynamoDb(const std::string& url) : endpoint(url) {}
    std::string endpoint;
    SystemClock clock;
    aws::CurlHttpClient http;
    aws::StaticCredentialsProvider creds{
        aws::Credentials{"AKIDTEST", "secret", std::nullopt, std::nullopt}};
    aws::AwsJsonClient rpc{http, creds, clock, aws::dynamoDbProtocol(), endpoint, "us-east-1"};
    aws::DynamoDbClient ddb{rpc};
};

// Creates `table` exactly as the KCL does (leaseKey S hash key, the LeaseOwnerToLeaseKeyIndex
// GSI) and waits until it is ACTIVE.
inline Status createKclLeaseTable(aws::DynamoDbClient& ddb, const std::string& table) {
    const nlohmann::json request = {
        {"TableName", table},
        {"AttributeDefinitions",
         {{{"AttributeName", "leaseKey"}, {"AttributeType", "S"}},
          {{"AttributeName", "leaseOwner"}, {"AttributeType", "S"}}}},
        {"KeySchema", {{{"AttributeName", "leaseKey"}, {"KeyType", "HASH"}}}},
        {"BillingMode", "PAY_PER_REQUEST"},
        {"GlobalSecondaryIndexes",
         {{{"IndexName", "LeaseOwnerToLeaseKeyIndex"},
           {"KeySchema",
            {{{"AttributeName", "leaseOwner"}, {"KeyType", "HASH"}},
             {{"AttributeName", "leaseKey"}, {"KeyType", "RANGE"}}}},
           {"Projection", {{"ProjectionType", "KEYS_ONLY"}}}}}}};
    auto created = ddb.createTable(request);
    if (!created) return created.status();
    for (int i = 0; i < 200; ++i) {
        auto d = ddb.describeTable(table);
        if (!d) return d.status();
        if (d.value()["Table"]["TableStatus"] == "ACTIVE") return Status::ok();
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return Status::error("Timeout", "table " + table + " never became ACTIVE");
}

}  // namespace au::leases::testing
