#include "redis/link.h"

namespace au::redis {

Status NodeLink::connect() {
    connection_.reset();
    auto c = Connection::connect(options_);
    if (!c) return c.status();
    connection_ = std::move(c).value();
    return Status::ok();
}

Result<std::vector<Reply>> NodeLink::pipeline(const std::vector<std::string>& commands) {
    if (!connection_) return Status::error("ConnectionError", "not connected");
    auto r = connection_->pipeline(commands, options_.timeoutMillis);
    if (!r) connection_.reset();
    return r;
}

}  // namespace au::redis
