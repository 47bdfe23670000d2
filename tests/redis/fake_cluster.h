#pragma once
// FakeCluster: an in-memory Redis Cluster for unit tests of ClusterLink: masters named
// "127.0.0.1:<port>" own slot ranges, answer CLUSTER SLOTS from that ownership, execute keyed
// commands they own (":1", recorded in `executed`), answer MOVED for slots they do not own and
// ASK for a migrating slot whose key already left, and honour ASKING on the importing node. Tests
// change ownership, take nodes down, or force an error reply, between calls. Thread-compatible.

#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "redis/cluster_link.h"
#include "redis/fake_link.h"
#include "redis/slot.h"

namespace au::redis::testing {

class FakeCluster {
  public:
    struct Node {
        bool down = false;        // dial, send and receive fail with ConnectionError
        std::string forcedError;  // when set, every keyed command gets this error reply
        std::string movedTo;      // when set, every keyed command gets MOVED to this node
        int dials = 0;
        int sends = 0;
    };
    struct Executed {
        std::string node;
        std::vector<std::string> args;
    };

    // Masters on ports 7000, 7001, ...; slots split evenly in contiguous ranges, as
    // `redis-cli --cluster create` does.
    explicit FakeCluster(int masters) {
        owner.resize(kSlotCount);
        for (int m = 0; m < masters; ++m) nodes[name(7000 + m)];
        for (int slot = 0; slot < kSlotCount; ++slot)
            owner[static_cast<size_t>(slot)] = name(7000 + slot * masters / kSlotCount);
    }
    static std::string name(int port) { return "127.0.0.1:" + std::to_string(port); }
    static NodeAddress address(int port) { return {"127.0.0.1", port}; }

    NodeDialer dialer();
    ClusterOptions options(std::vector<int> seedPorts) {
        ClusterOptions o;
        for (int p : seedPorts) o.seeds.push_back(address(p));
        o.timeoutMillis = 1'000;
        return o;
    }
    // Gives every slot of `from` to `to` (a failover: `to` is the promoted replica).
    void promote(const std::string& from, const std::string& to) {
        nodes[to];
        for (auto& o : owner)
            if (o == from) o = to;
    }

    Reply clusterSlots() const {
        Reply out{Reply::Type::kArray, {}, 0, {}};
        for (int start = 0; start < kSlotCount;) {
            int end = start;
            const std::string& o = owner[static_cast<size_t>(start)];
            while (end + 1 < kSlotCount && owner[static_cast<size_t>(end + 1)] == o) ++end;
            if (!o.empty()) {
                const auto colon = o.rfind(':');
                Reply node{Reply::Type::kArray, {}, 0, {}};
                node.elements.push_back({Reply::Type::kString, o.substr(0, colon), 0, {}});
                node.elements.push_back(Reply::number(std::stoi(o.substr(colon + 1))));
                node.elements.push_back({Reply::Type::kString, "id-" + o, 0, {}});
                Reply range{Reply::Type::kArray, {}, 0, {}};
                range.elements = {Reply::number(start), Reply::number(end), node};
                out.elements.push_back(range);
            }
            start = end + 1;
        }
        return out;
    }

    Reply execute(const std::string& node, const std::vector<std::string>& args, bool asking) {
        if (args[0] == "CLUSTER")
            return slotsError.empty() ? clusterSlots() : Reply::error(slotsError);
        Node& n = nodes[node];
        if (!n.forcedError.empty()) return Reply::error(n.forcedError);
        const std::string& key = args[1];
        const int slot = keySlot(key);
        if (!n.movedTo.empty())
            return Reply::error("MOVED " + std::to_string(slot) + " " + n.movedTo);
        const std::string& o = owner[static_cast<size_t>(slot)];
        const auto migrating = migratingTo.find(slot);
        const bool importingHere = migrating != migratingTo.end() && migrating->second == node;
        if (o == node) {
            if (migrating != migratingTo.end() && migrated.count(key)) {
                return Reply::error("ASK " + std::to_string(slot) + " " + migrating->second);
            }
        } else if (!(asking && importingHere)) {
            return Reply::error("MOVED " + std::to_string(slot) + " " + o);
        }
        executed.push_back({node, args});
        return Reply::number(1);
    }

    std::vector<std::string> owner;          // slot -> node name ("" = not served)
    std::map<int, std::string> migratingTo;  // slot -> importing node
    std::set<std::string> migrated;          // keys already moved to the importing node
    std::map<std::string, Node> nodes;
    std::string slotsError;  // when set, CLUSTER SLOTS answers this error
    std::vector<Executed> executed;
};

class FakeNodeConnection final : public NodeConnection {
  public:
    FakeNodeConnection(FakeCluster& cluster, std::string name)
        : cluster_(cluster), name_(std::move(name)) {}
    Status send(const std::vector<std::string>& commands, Deadline) override {
        auto& node = cluster_.nodes[name_];
        if (node.down) return Status::error("ConnectionError", "reset");
        ++node.sends;
        bool asking = false;
        for (const auto& c : commands) {
            const auto args = parseCommand(c);
            if (args[0] == "ASKING") {
                replies_.push_back(Reply::status("OK"));
                asking = true;
                continue;
            }
            replies_.push_back(cluster_.execute(name_, args, asking));
            asking = false;
        }
        return Status::ok();
    }
    Result<Reply> receive(Deadline) override {
        if (cluster_.nodes[name_].down) return Status::error("ConnectionError", "reset");
        if (replies_.empty()) return Status::error("Timeout", "no reply pending");
        Reply r = std::move(replies_.front());
        replies_.pop_front();
        return r;
    }

  private:
    FakeCluster& cluster_;
    std::string name_;
    std::deque<Reply> replies_;
};

inline NodeDialer FakeCluster::dialer() {
    return [this](const NodeAddress& a, Deadline) -> Result<std::unique_ptr<NodeConnection>> {
        auto& node = nodes[a.name()];
        ++node.dials;
        if (node.down) return Status::error("ConnectionError", "connection refused");
        return std::unique_ptr<NodeConnection>(
            std::make_unique<FakeNodeConnection>(*this, a.name()));
    };
}

}  // namespace au::redis::testing
