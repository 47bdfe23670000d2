#pragma once
// HttpFaultProxy: a fault-injecting HTTP/1.1 proxy on 127.0.0.1 in front of one local AWS
// JSON-protocol server (dynalite, moto, kinesis-local), for fault tests of our real clients.
//
// Each request is matched by its operation (the X-Amz-Target after the '.', e.g. "UpdateItem")
// against the rules, in the order they were added; the first rule with shots left applies and
// uses one shot (shots < 0: every time). Faults:
//   kThroughputExceeded  400, the service's ProvisionedThroughputExceededException JSON
//   kThrottling          400, DynamoDB's ThrottlingException / Kinesis' LimitExceededException
//   kHttp500             500 with the service's internal-error JSON (InternalServerError /
//                        InternalFailure)
//   kHttp503             503 with a plain-text body (as a load balancer answers)
//   kSlow                waits `delayMillis`, then forwards and relays the answer: the client has
//                        given up by then, but the request still reaches the server
//   kResetBefore         resets the client connection (RST) without forwarding
//   kResetAfter          forwards, waits for the server's answer, then resets the client
//                        connection: the write happened, the client never hears of it
// Requests without a matching rule are forwarded unchanged (each over a new upstream connection
// with "Connection: close", read to EOF). Counters per operation: requests received, forwarded
// (the upstream answered) and faulted.
// One thread per client connection; stop() and the destructor end them all (every wait polls a
// stop flag every 20 ms).

#include <atomic>
#include <cctype>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "faults/socket_io.h"

namespace au::test {

enum class AwsService { kDynamoDb, kKinesis };

enum class HttpFault {
    kThroughputExceeded,
    kThrottling,
    kHttp500,
    kHttp503,
    kSlow,
    kResetBefore,
    kResetAfter
};

struct HttpFaultRule {
    std::string operation;  // e.g. "UpdateItem"; "*" matches every operation
    HttpFault fault;
    int shots = 1;  // < 0: unlimited
    int64_t delayMillis = 0;
};

class HttpFaultProxy {
  public:
    HttpFaultProxy(AwsService service, int upstreamPort)
        : service_(service), upstreamPort_(upstreamPort) {
        listenFd_ = listenLoopback(&port_);
        if (listenFd_ >= 0) acceptor_ = std::thread([this] { acceptLoop(); });
    }
    ~HttpFaultProxy() { stop(); }
    HttpFaultProxy(const HttpFaultProxy&) = delete;
    HttpFaultProxy& operator=(const HttpFaultProxy&) = delete;

    bool ok() const { return listenFd_ >= 0; }
    int port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

    void addRule(HttpFaultRule rule) {
        std::lock_guard<std::mutex> lock(mu_);
        rules_.push_back(std::move(rule));
    }
    void clearRules() {
        std::lock_guard<std::mutex> lock(mu_);
        rules_.clear();
    }
    void resetCounts() {
        std::lock_guard<std::mutex> lock(mu_);
        received_.clear();
        forwarded_.clear();
        faulted_.clear();
    }
    int received(const std::string& operation) const { return count(received_, operation); }
    int forwarded(const std::string& operation) const { return count(forwarded_, operation); }
    int faulted(const std::string& operation) const { return count(faulted_, operation); }
    // Requests being handled right now (a kSlow one counts until its upstream answer arrived).
    int inFlight() const { return inFlight_.load(); }

    void stop() {
        if (stop_.exchange(true)) return;
        if (acceptor_.joinable()) acceptor_.join();
        std::vector<std::thread> threads;
        {
            std::lock_guard<std::mutex> lock(mu_);
            threads.swap(connections_);
        }
        for (auto& t : threads) t.join();
        if (listenFd_ >= 0) ::close(listenFd_);
    }

  private:
    int count(const std::map<std::string, int>& m, const std::string& operation) const {
        std::lock_guard<std::mutex> lock(mu_);
        if (operation == "*") {
            int n = 0;
            for (const auto& [op, c] : m) n += c;
            return n;
        }
        auto it = m.find(operation);
        return it == m.end() ? 0 : it->second;
    }

    void acceptLoop() {
        while (waitReadable(listenFd_, stop_)) {
            const int fd = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) continue;
            std::lock_guard<std::mutex> lock(mu_);
            connections_.emplace_back([this, fd] { serve(fd); });
        }
    }

    static std::string lower(std::string s) {
        for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return s;
    }

    // The value of header `name` (lower case) in `head`, or "".
    static std::string header(const std::string& head, const std::string& name) {
        const std::string l = lower(head);
        const auto at = l.find("\r\n" + name + ":");
        if (at == std::string::npos) return "";
        const auto start = at + name.size() + 3;
        const auto end = head.find("\r\n", start);
        std::string v = head.substr(start, end - start);
        while (!v.empty() && v.front() == ' ') v.erase(0, 1);
        while (!v.empty() && (v.back() == ' ' || v.back() == '\r')) v.pop_back();
        return v;
    }

    // The head with its Connection header replaced by "Connection: close".
    static std::string closingHead(const std::string& head) {
        std::string out;
        size_t pos = 0;
        while (pos < head.size()) {
            size_t end = head.find("\r\n", pos);
            if (end == std::string::npos) end = head.size();
            const std::string line = head.substr(pos, end - pos);
            if (lower(line).rfind("connection:", 0) != 0) out += line + "\r\n";
            pos = end + 2;
        }
        return out + "Connection: close\r\n\r\n";
    }

    std::optional<HttpFaultRule> match(const std::string& operation) {
        std::lock_guard<std::mutex> lock(mu_);
        ++received_[operation];
        for (auto& rule : rules_) {
            if (rule.shots == 0) continue;
            if (rule.operation != "*" && rule.operation != operation) continue;
            if (rule.shots > 0) --rule.shots;
            ++faulted_[operation];
            return rule;
        }
        return std::nullopt;
    }

    std::string errorResponse(int status, const std::string& type, const std::string& message) {
        const bool ddb = service_ == AwsService::kDynamoDb;
        const std::string body = "{\"__type\":\"" +
                                 std::string(ddb ? "com.amazonaws.dynamodb.v20120810#" : "") +
                                 type + "\",\"message\":\"" + message + "\"}";
        return "HTTP/1.1 " + std::to_string(status) +
               " Error\r\nContent-Type: application/x-amz-json-" + (ddb ? "1.0" : "1.1") +
               "\r\nx-amzn-RequestId: FAULTPROXY0000000000000000000000000000000000000000000\r\n"
               "Content-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body;
    }

    std::string faultAnswer(HttpFault fault) {
        const bool ddb = service_ == AwsService::kDynamoDb;
        switch (fault) {
            case HttpFault::kThroughputExceeded:
                return errorResponse(
                    400, "ProvisionedThroughputExceededException",
                    ddb ? "The level of configured provisioned throughput for the table was "
                          "exceeded. Consider increasing your provisioning level with the "
                          "UpdateTable API."
                        : "Rate exceeded for shard shardId-000000000000 in stream heartbeats "
                          "under account 111122223333.");
            case HttpFault::kThrottling:
                return ddb ? errorResponse(400, "ThrottlingException",
                                           "Rate of requests exceeds the allowed throughput.")
                           : errorResponse(400, "LimitExceededException",
                                           "Rate exceeded for stream heartbeats under account "
                                           "111122223333.");
            case HttpFault::kHttp500:
                return ddb ? errorResponse(500, "InternalServerError", "Internal server error")
                           : errorResponse(500, "InternalFailure",
                                           "The request processing has failed because of an "
                                           "unknown error, exception or failure.");
            case HttpFault::kHttp503: {
                const std::string body = "Service Unavailable";
                return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
                       "Content-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n" + body;
            }
            default:
                return "";
        }
    }

    // Sends the request upstream and returns the whole answer ("" when the upstream failed).
    std::string forward(const std::string& head, const std::string& body,
                        const std::string& operation) {
        const int up = connectLoopback(upstreamPort_);
        if (up < 0) return "";
        std::string answer;
        if (writeAll(up, closingHead(head) + body)) {
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
            while (readSome(up, answer, stop_, deadline)) {
            }
        }
        ::close(up);
        if (!answer.empty()) {
            std::lock_guard<std::mutex> lock(mu_);
            ++forwarded_[operation];
        }
        return answer;
    }

    void serve(int fd) {
        std::string buffer;
        while (!stop_.load()) {
            size_t headEnd;
            while ((headEnd = buffer.find("\r\n\r\n")) == std::string::npos) {
                if (!readSome(fd, buffer, stop_)) {
                    ::close(fd);
                    return;
                }
            }
            const std::string head = buffer.substr(0, headEnd);
            const std::string lengthText = header(head, "content-length");
            const size_t length = lengthText.empty() ? 0 : std::stoul(lengthText);
            while (buffer.size() < headEnd + 4 + length) {
                if (!readSome(fd, buffer, stop_)) {
                    ::close(fd);
                    return;
                }
            }
            const std::string body = buffer.substr(headEnd + 4, length);
            buffer.erase(0, headEnd + 4 + length);
            const std::string target = header(head, "x-amz-target");
            const std::string operation = target.substr(target.find('.') + 1);

            ++inFlight_;
            const auto rule = match(operation);
            std::string answer;
            bool reset = false;
            if (!rule) {
                answer = forward(head, body, operation);
            } else if (rule->fault == HttpFault::kSlow) {
                const auto until =
                    std::chrono::steady_clock::now() + std::chrono::milliseconds(rule->delayMillis);
                while (!stop_.load() && std::chrono::steady_clock::now() < until) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(10));
                }
                answer = forward(head, body, operation);
            } else if (rule->fault == HttpFault::kResetBefore) {
                reset = true;
            } else if (rule->fault == HttpFault::kResetAfter) {
                forward(head, body, operation);
                reset = true;
            } else {
                answer = faultAnswer(rule->fault);
            }
            --inFlight_;
            if (reset || answer.empty()) {
                closeWithReset(fd);
                return;
            }
            if (!writeAll(fd, answer)) break;
            if (lower(answer.substr(0, answer.find("\r\n\r\n"))).find("connection: close") !=
                std::string::npos) {
                break;
            }
        }
        ::close(fd);
    }

    const AwsService service_;
    const int upstreamPort_;
    int listenFd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> inFlight_{0};
    mutable std::mutex mu_;
    std::vector<HttpFaultRule> rules_;
    std::map<std::string, int> received_, forwarded_, faulted_;
    std::vector<std::thread> connections_;
    std::thread acceptor_;
};

}  // namespace au::test
