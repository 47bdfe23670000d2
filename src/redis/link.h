#pragma once
// Link: "a connection that can be (re)made", the seam between the users of Redis (the set's
// writer and readers, src/activeset/) and the network. NodeLink talks to one server
// (Connection), ClusterLink (cluster_link.h) to a Redis Cluster; tests script fakes. makeLink
// picks one for an endpoint.
// Thread-compatible: one thread at a time (the sink's worker thread, or a reader under a lock).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "redis/connection.h"

namespace au::redis {

// Which node answered a command of the last pipeline(), and how long after the call began.
struct CommandTiming {
    std::string node;  // "host:port"
    int64_t micros = -1;
};

class Link {
  public:
    virtual ~Link() = default;
    // Connects (and authenticates); replaces any previous connection.
    virtual Status connect() = 0;
    virtual bool connected() const = 0;
    // One round trip; on a failure the link is disconnected.
    virtual Result<std::vector<Reply>> pipeline(const std::vector<std::string>& commands) = 0;
    // One entry per command of the last pipeline() (none for a link that does not measure).
    virtual const std::vector<CommandTiming>& lastTimings() const;
};

class NodeLink final : public Link {
  public:
    explicit NodeLink(ConnectOptions options) : options_(std::move(options)) {}
    Status connect() override;
    bool connected() const override { return connection_ != nullptr; }
    Result<std::vector<Reply>> pipeline(const std::vector<std::string>& commands) override;
    const std::vector<CommandTiming>& lastTimings() const override { return timings_; }

  private:
    ConnectOptions options_;
    std::unique_ptr<Connection> connection_;
    std::vector<CommandTiming> timings_;
};

// A ClusterLink for a cluster endpoint (url.h: endpoint.cluster, its seeds), else a NodeLink.
std::unique_ptr<Link> makeLink(const ConnectOptions& options);

}  // namespace au::redis
