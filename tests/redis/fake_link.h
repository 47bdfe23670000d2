#pragma once
// FakeLink: a scripted Link for tests. Connect outcomes and pipeline outcomes are
// consumed in order; when a script is empty, connect succeeds and a pipeline answers every
// command with ":1". Records every pipeline's commands. Thread-compatible.

#include <deque>
#include <map>
#include <string>
#include <vector>

#include "redis/link.h"

namespace au::redis::testing {

class FakeLink final : public Link {
  public:
    std::deque<Status> connectScript;
    std::deque<Result<std::vector<Reply>>> pipelineScript;
    std::vector<std::vector<std::string>> sent;  // per pipeline
    int connectCalls = 0;
    bool down = false;  // every connect fails with ConnectionError while set

    Status connect() override {
        ++connectCalls;
        Status st;
        if (down) {
            st = Status::error("ConnectionError", "refused");
        } else if (!connectScript.empty()) {
            st = connectScript.front();
            connectScript.pop_front();
        }
        connected_ = st.isOk();
        return st;
    }
    bool connected() const override { return connected_; }
    Result<std::vector<Reply>> pipeline(const std::vector<std::string>& commands) override {
        sent.push_back(commands);
        if (down) {
            connected_ = false;
            return Status::error("ConnectionError", "reset");
        }
        if (!pipelineScript.empty()) {
            auto r = std::move(pipelineScript.front());
            pipelineScript.pop_front();
            if (!r) connected_ = false;
            return r;
        }
        return std::vector<Reply>(commands.size(), Reply::number(1));
    }
    void drop() { connected_ = false; }

    // Every member sent with ZADD (member -> highest score), from all pipelines so far.
    std::map<std::string, int64_t> zaddMembers() const;

  private:
    bool connected_ = false;
};

// Splits a RESP command back into its arguments.
inline std::vector<std::string> parseCommand(const std::string& resp) {
    std::vector<std::string> args;
    size_t pos = resp.find("\r\n") + 2;  // "*N"
    while (pos < resp.size()) {
        const size_t eol = resp.find("\r\n", pos);  // "$len"
        const size_t len = std::stoul(resp.substr(pos + 1, eol - pos - 1));
        args.push_back(resp.substr(eol + 2, len));
        pos = eol + 2 + len + 2;
    }
    return args;
}

inline std::map<std::string, int64_t> FakeLink::zaddMembers() const {
    std::map<std::string, int64_t> out;
    for (const auto& pipeline : sent) {
        for (const auto& command : pipeline) {
            const auto args = parseCommand(command);
            if (args.empty() || args[0] != "ZADD") continue;
            for (size_t i = 3; i + 1 < args.size(); i += 2) {
                const int64_t t = std::stoll(args[i]);
                auto [it, inserted] = out.try_emplace(args[i + 1], t);
                if (!inserted && t > it->second) it->second = t;
            }
        }
    }
    return out;
}

}  // namespace au::redis::testing
