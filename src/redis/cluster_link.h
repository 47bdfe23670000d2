#pragma once
// ClusterLink: a Link (link.h) to a Redis Cluster. It routes each command to the master serving
// its key's slot (commandKey + keySlot), from a SlotMap read with CLUSTER SLOTS.
//
// connect(): reads the slot map from the first node that answers — the known nodes, then the
//   seeds, starting at a different one on each attempt so a dead node cannot block every attempt
//   — and connects to every master, all within one timeoutMillis. Fails with "ClusterDown" when
//   the map leaves slots unserved, "ClusterError" when the server is no cluster, or the failing
//   node's connection error (connection.h).
// pipeline(): one round trip per master per round: every master's commands are written before
//   any reply is read, so the masters work in parallel. Redirections are followed, at most
//   kMaxRedirects rounds: MOVED patches the map (the map is re-read once at the end of the call)
//   and resends the command to the new master; ASK sends ASKING + the command to the named node
//   and leaves the map alone. Replies come back in the commands' order, with each one's node and
//   the time from the start of the call to its reply in lastTimings(). The whole call is bounded
//   by timeoutMillis. A failure — a node's connection failing, TooManyRedirects, or a
//   CLUSTERDOWN / TRYAGAIN / LOADING / MASTERDOWN reply ("ClusterDown") — drops every connection
//   (some may hold unread replies) and leaves the link disconnected: reconnect (which re-reads
//   the map), then resend. Other error replies are replies.
// Thread-compatible: one thread at a time. Logs nothing.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "redis/connection.h"
#include "redis/link.h"
#include "redis/slot_map.h"

namespace au::redis {

// One connection to one node, the seam between the link and the network (tests script fakes).
class NodeConnection {
  public:
    virtual ~NodeConnection() = default;
    // Writes the commands; one receive() per command follows. A failure leaves it unusable.
    virtual Status send(const std::vector<std::string>& commands, Deadline deadline) = 0;
    virtual Result<Reply> receive(Deadline deadline) = 0;
};
using NodeDialer =
    std::function<Result<std::unique_ptr<NodeConnection>>(const NodeAddress&, Deadline)>;

// Real connections (connection.h) with `options`' TLS, AUTH and timeout; host and port are the
// node's, the database is 0 (a cluster has no other).
NodeDialer connectionDialer(ConnectOptions options);

struct ClusterOptions {
    std::vector<NodeAddress> seeds;
    int64_t timeoutMillis = 1'000;
};

class ClusterLink final : public Link {
  public:
    static constexpr int kMaxRedirects = 5;

    ClusterLink(ClusterOptions options, NodeDialer dialer);

    Status connect() override;
    bool connected() const override { return connected_; }
    Result<std::vector<Reply>> pipeline(const std::vector<std::string>& commands) override;
    const std::vector<CommandTiming>& lastTimings() const override { return timings_; }

    struct Counters {
        uint64_t moved = 0;     // MOVED redirections followed
        uint64_t asked = 0;     // ASK redirections followed
        uint64_t mapReads = 0;  // successful CLUSTER SLOTS reads
    };
    const Counters& counters() const { return counters_; }
    const SlotMap& slotMap() const { return map_; }

  private:
    Result<NodeConnection*> node(const NodeAddress& address, Deadline deadline);
    Status readSlotMap(Deadline deadline);
    Status fail(Status why);  // drops every connection; returns `why`

    ClusterOptions options_;
    NodeDialer dialer_;
    SlotMap map_;
    std::map<std::string, std::unique_ptr<NodeConnection>> nodes_;  // by NodeAddress::name()
    bool connected_ = false;
    size_t attempts_ = 0;  // rotates the first node asked for the map
    std::vector<CommandTiming> timings_;
    Counters counters_;
};

}  // namespace au::redis
