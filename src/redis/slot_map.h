#pragma once
// SlotMap: which master serves each of the cluster's 16384 slots (slot.h), read from CLUSTER SLOTS
// and patched slot by slot by MOVED redirections between two reads. It also remembers every node
// it has heard of (masters and replicas), the places to ask for the next read. Pure data;
// thread-compatible.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "redis/reply.h"
#include "redis/slot.h"
#include "util/status.h"

namespace au::redis {

struct NodeAddress {
    std::string host;
    int port = 0;
    // "host:port" ("[v6]:port"): the node's name in logs, metrics and maps.
    std::string name() const;
    bool operator==(const NodeAddress& o) const { return host == o.host && port == o.port; }
    bool operator!=(const NodeAddress& o) const { return !(*this == o); }
};

// "host:port" as MOVED/ASK write it (the last ':' separates the port, so a bare IPv6 address
// works; brackets are removed). An empty host (a node that does not know its own address) is
// `defaultHost`. nullopt when the port is not a number in [1, 65535].
std::optional<NodeAddress> parseNodeAddress(std::string_view text, const std::string& defaultHost);

class SlotMap {
  public:
    SlotMap();

    // The reply of CLUSTER SLOTS: [[start, end, [host, port, id, ...], replica..., ...], ...]. A
    // host that is empty or "?" (unknown endpoint) is `answeredBy`, the host that was asked.
    // Fails with "ProtocolError" on a reply of another shape and "ClusterError" on an error reply
    // (e.g. a server without cluster support).
    static Result<SlotMap> fromClusterSlots(const Reply& reply, const std::string& answeredBy);

    // The master serving `slot`, or nullptr when none does.
    const NodeAddress* masterOf(int slot) const;
    // A MOVED redirection: `slot` is now served by `node`.
    void assign(int slot, const NodeAddress& node);

    // Every distinct master serving at least one slot, in order of their first slot.
    std::vector<NodeAddress> masters() const;
    // Every node heard of (masters first, then replicas), without duplicates.
    const std::vector<NodeAddress>& knownNodes() const { return nodes_; }
    // Slots no master serves.
    int uncoveredSlots() const;
    // Whether any slot's master differs from `other`'s.
    bool sameMasters(const SlotMap& other) const;

  private:
    int indexOf(const NodeAddress& node);  // adds the node when new

    std::vector<NodeAddress> nodes_;
    std::vector<int> slots_;  // slot -> index in nodes_, -1 = not served
};

}  // namespace au::redis
