#pragma once
// LimitedKinesis: an in-memory Kinesis read side for unit tests, as an HttpClient: GetShardIterator
// and GetRecords over FakeShards (fake_shard.h), with the per-shard read limits of Kinesis (at most
// `callsPerSecond` GetRecords in any 1,000 ms, and a byte bucket of `bytesPerSecond` that may go
// negative: a call is admitted while the balance is >= 0, then its bytes are charged) answered with
// ProvisionedThroughputExceededException, and a competing consumer (the KCL's polling) that reads
// `daemonBytes` from every shard every `daemonEveryMillis` when the limits let it. Time is the
// ManualClock's; each call advances it by `latencyMillis`. Each record counts `recordBytes`.
// Counts the calls per operation. Not thread-safe (one test thread).

#include <cmath>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "aws/fake_http_client.h"
#include "aws/http_client.h"
#include "fake_shard.h"
#include "util/clock.h"

namespace au::leases::testing {

class LimitedKinesis final : public aws::HttpClient {
  public:
    struct Limits {
        int callsPerSecond = 5;
        int64_t bytesPerSecond = 2 * 1024 * 1024;
        int64_t recordBytes = 100;
        int64_t latencyMillis = 10;
        int64_t daemonEveryMillis = 0;  // 0: no competing consumer
        int64_t daemonBytes = 1'000'000;
    };

    LimitedKinesis(ManualClock& clock, FakeShards& shards, Limits limits)
        : clock_(clock), shards_(shards), limits_(limits), daemonNext_(clock.nowMillis()) {}

    Result<aws::HttpResponse> send(const aws::HttpRequest& request) override {
        clock_.advance(limits_.latencyMillis);
        const std::string target =
            aws::testing::FakeHttpClient::headerOf(request, "X-Amz-Target").value_or("");
        const auto body = nlohmann::json::parse(request.body);
        const std::string op = target.substr(target.find('.') + 1);
        ++calls[op];
        if (op == "GetShardIterator") return shardIterator(body);
        if (op == "GetRecords") return records(body);
        return answer(400, {{"__type", "UnknownOperationException"}, {"message", op}});
    }

    std::map<std::string, int> calls;  // per operation
    int throttled = 0;
    int daemonReads = 0;

  private:
    struct Bucket {
        std::deque<int64_t> admitted;
        double balance = 0;
        int64_t at = 0;
        bool init = false;
    };

    static aws::HttpResponse answer(long status, const nlohmann::json& body) {
        aws::HttpResponse r;
        r.status = status;
        r.body = body.dump();
        r.headers = {{"content-type", "application/x-amz-json-1.1"}};
        return r;
    }

    Bucket& bucket(const std::string& shard, int64_t now) {
        Bucket& b = buckets_[shard];
        if (!b.init) {
            b.init = true;
            b.balance = static_cast<double>(limits_.bytesPerSecond);
            b.at = now;
        }
        b.balance = std::min(static_cast<double>(limits_.bytesPerSecond),
                             b.balance + static_cast<double>(now - b.at) *
                                             static_cast<double>(limits_.bytesPerSecond) / 1000.0);
        b.at = now;
        while (!b.admitted.empty() && b.admitted.front() <= now - 1'000) b.admitted.pop_front();
        return b;
    }

    bool admit(const std::string& shard, int64_t now) {
        Bucket& b = bucket(shard, now);
        if (b.balance < 0 || static_cast<int>(b.admitted.size()) >= limits_.callsPerSecond) {
            return false;
        }
        b.admitted.push_back(now);
        return true;
    }

    void charge(const std::string& shard, int64_t bytes, int64_t now) {
        bucket(shard, now).balance -= static_cast<double>(bytes);
    }

    // The competing consumer's polls up to now, on every shard.
    void runDaemon(int64_t now) {
        if (limits_.daemonEveryMillis <= 0) return;
        for (; daemonNext_ <= now; daemonNext_ += limits_.daemonEveryMillis) {
            for (auto& [id, shard] : shards_) {
                if (admit(id, daemonNext_)) {
                    ++daemonReads;
                    charge(id, limits_.daemonBytes, daemonNext_);
                }
            }
        }
    }

    Result<aws::HttpResponse> shardIterator(const nlohmann::json& body) {
        aws::IteratorStart start;
        const std::string type = body.at("ShardIteratorType");
        if (type == "AT_TIMESTAMP") {
            start.type = aws::ShardIteratorType::AtTimestamp;
            start.timestampMillis =
                static_cast<int64_t>(std::llround(body.at("Timestamp").get<double>() * 1000.0));
        } else if (type == "AFTER_SEQUENCE_NUMBER" || type == "AT_SEQUENCE_NUMBER") {
            start.type = type == "AT_SEQUENCE_NUMBER" ? aws::ShardIteratorType::AtSequenceNumber
                                                      : aws::ShardIteratorType::AfterSequenceNumber;
            start.sequenceNumber = body.at("StartingSequenceNumber");
        } else if (type == "LATEST") {
            start.type = aws::ShardIteratorType::Latest;
        }
        const std::string shard = body.at("ShardId");
        // The position as an index: a read of 1 record from the start, without counting it.
        auto page = shards_[shard].read(start, 1);
        const size_t index = page->records.empty() ? std::stoul(*page->nextIterator)
                                                   : std::stoul(*page->nextIterator) - 1;
        return answer(200, {{"ShardIterator", shard + "/" + std::to_string(index)}});
    }

    Result<aws::HttpResponse> records(const nlohmann::json& body) {
        const std::string it = body.at("ShardIterator");
        const auto slash = it.rfind('/');
        const std::string shard = it.substr(0, slash);
        const int64_t now = clock_.nowMillis();
        runDaemon(now);
        if (!admit(shard, now)) {
            ++throttled;
            return answer(400, {{"__type", "ProvisionedThroughputExceededException"},
                                {"message", "Rate exceeded for shard " + shard}});
        }
        const int limit = body.value("Limit", 10'000);
        auto page = shards_[shard].readNext(it.substr(slash + 1), limit);
        nlohmann::json recs = nlohmann::json::array();
        for (const auto& r : page->records) {
            recs.push_back(
                {{"SequenceNumber", r.sequenceNumber},
                 {"PartitionKey", "p"},
                 {"Data", "e30="},
                 {"ApproximateArrivalTimestamp", static_cast<double>(r.arrivalMillis) / 1000.0}});
        }
        charge(shard, static_cast<int64_t>(page->records.size()) * limits_.recordBytes, now);
        return answer(200, {{"Records", recs},
                            {"MillisBehindLatest", page->millisBehindLatest},
                            {"NextShardIterator", shard + "/" + *page->nextIterator}});
    }

    ManualClock& clock_;
    FakeShards& shards_;
    Limits limits_;
    int64_t daemonNext_;
    std::map<std::string, Bucket> buckets_;
};

}  // namespace au::leases::testing
