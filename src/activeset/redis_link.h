#pragma once
// RedisLink: "a connection that can be (re)made", the seam between the writer's logic and the
// network. ConnectionLink is the real one (RedisConnection); tests script a fake.
// Thread-compatible: used by the sink's worker thread only.

#include <memory>
#include <string>
#include <vector>

#include "activeset/redis_connection.h"

namespace au::activeset {

class RedisLink {
  public:
    virtual ~RedisLink() = default;
    // Connects (and authenticates); replaces any previous connection.
    virtual Status connect() = 0;
    virtual bool connected() const = 0;
    // One round trip; on a failure the link is disconnected.
    virtual Result<std::vector<RedisReply>> pipeline(const std::vector<std::string>& commands) = 0;
};

class ConnectionLink final : public RedisLink {
  public:
    explicit ConnectionLink(RedisConnectOptions options) : options_(std::move(options)) {}
    Status connect() override;
    bool connected() const override { return connection_ != nullptr; }
    Result<std::vector<RedisReply>> pipeline(const std::vector<std::string>& commands) override;

  private:
    RedisConnectOptions options_;
    std::unique_ptr<RedisConnection> connection_;
};

}  // namespace au::activeset
