#include "activeset/redis_link.h"

namespace au::activeset {

Status ConnectionLink::connect() {
    connection_.reset();
    auto c = RedisConnection::connect(options_);
    if (!c) return c.status();
    connection_ = std::move(c).value();
    return Status::ok();
}

Result<std::vector<RedisReply>> ConnectionLink::pipeline(const std::vector<std::string>& commands) {
    if (!connection_) return Status::error("ConnectionError", "not connected");
    auto r = connection_->pipeline(commands, options_.timeoutMillis);
    if (!r) connection_.reset();
    return r;
}

}  // namespace au::activeset
