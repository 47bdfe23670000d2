#pragma once
// Drives an ActiveUsersProcessor in-process, as the daemon would, with heartbeats stamped with the
// real time, and keeps the ground truth (user -> last seen) of what it was fed.

#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "processor/active_users_processor.h"
#include "protocol/codec.h"
#include "support/records.h"
#include "util/clock.h"

namespace au::test {

struct AlwaysOkCheckpointer final : protocol::Checkpointer {
    protocol::CheckpointResult checkpoint(const std::optional<std::string>&,
                                          const std::optional<int64_t>&) override {
        return {};
    }
};

class ProcessorHarness {
  public:
    ProcessorHarness(processor::ProcessorSettings settings, Clock& clock)
        : clock_(clock), processor_(settings, clock) {}
    processor::ActiveUsersProcessor& processor() { return processor_; }

    void initialize(const std::string& shardId) {
        processor_.initialize({shardId, std::string("LATEST"), 0});
    }

    // One batch: every user in `users` sends a heartbeat now. Returns how long processRecords took
    // (ms).
    int64_t batch(const std::vector<std::string>& users) {
        const int64_t now = clock_.nowMillis();
        nlohmann::json list = nlohmann::json::array();
        for (const auto& u : users) {
            list.push_back(recordJson(heartbeatPayload(u), std::to_string(++sequence_), now));
            auto [it, inserted] = truth_.try_emplace(u, now);
            if (!inserted && now > it->second) it->second = now;
        }
        auto m = decoder_.decode(processRecordsLine(list, 0));
        REQUIRE(m);
        const auto start = std::chrono::steady_clock::now();
        processor_.processRecords(std::get<protocol::ProcessRecords>(m.value()), checkpointer_);
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - start)
            .count();
    }
    void wake() {
        if (clock_.nowMillis() >= processor_.nextWakeMillis()) processor_.onWake();
    }
    const std::map<std::string, int64_t>& truth() const { return truth_; }

  private:
    Clock& clock_;
    processor::ActiveUsersProcessor processor_;
    protocol::MessageDecoder decoder_;
    AlwaysOkCheckpointer checkpointer_;
    std::map<std::string, int64_t> truth_;
    int sequence_ = 0;
};

}  // namespace au::test
