#pragma once
// An in-memory transport for session tests: a queue of input lines (with optional times) and the
// lines written.

#include <deque>
#include <string>
#include <vector>

#include "protocol/transport.h"
#include "util/clock.h"

namespace au::test {

class QueueTransport final : public protocol::LineTransport {
  public:
    explicit QueueTransport(ManualClock& clock) : clock_(clock) {}
    void push(std::string line, int64_t at = -1) { input_.push_back({std::move(line), at}); }

    protocol::ReadStatus readLine(std::string& line, int64_t deadline) override {
        if (input_.empty()) return protocol::ReadStatus::kEof;
        auto& next = input_.front();
        if (next.at >= 0 && next.at > deadline) {
            clock_.set(deadline);
            return protocol::ReadStatus::kTimeout;
        }
        if (next.at > clock_.nowMillis()) clock_.set(next.at);
        line = std::move(next.line);
        input_.pop_front();
        return protocol::ReadStatus::kLine;
    }
    bool writeLine(std::string_view line) override {
        written.emplace_back(line);
        return !broken;
    }

    std::vector<std::string> written;
    bool broken = false;

  private:
    struct Input {
        std::string line;
        int64_t at;
    };
    ManualClock& clock_;
    std::deque<Input> input_;
};

}  // namespace au::test
