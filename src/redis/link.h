#pragma once
// Link: "a connection that can be (re)made", the seam between the users of Redis (the set's
// writer and readers, src/activeset/) and the network. NodeLink is the real one for one server
// (Connection); tests script a fake.
// Thread-compatible: one thread at a time (the sink's worker thread, or a reader under a lock).

#include <memory>
#include <string>
#include <vector>

#include "redis/connection.h"

namespace au::redis {

class Link {
  public:
    virtual ~Link() = default;
    // Connects (and authenticates); replaces any previous connection.
    virtual Status connect() = 0;
    virtual bool connected() const = 0;
    // One round trip; on a failure the link is disconnected.
    virtual Result<std::vector<Reply>> pipeline(const std::vector<std::string>& commands) = 0;
};

class NodeLink final : public Link {
  public:
    explicit NodeLink(ConnectOptions options) : options_(std::move(options)) {}
    Status connect() override;
    bool connected() const override { return connection_ != nullptr; }
    Result<std::vector<Reply>> pipeline(const std::vector<std::string>& commands) override;

  private:
    ConnectOptions options_;
    std::unique_ptr<Connection> connection_;
};

}  // namespace au::redis
