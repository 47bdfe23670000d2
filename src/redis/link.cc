#include "redis/link.h"

#include "redis/cluster_link.h"

namespace au::redis {

const std::vector<CommandTiming>& Link::lastTimings() const {
    static const std::vector<CommandTiming> kNone;
    return kNone;
}

Status NodeLink::connect() {
    connection_.reset();
    auto c = Connection::connect(options_);
    if (!c) return c.status();
    connection_ = std::move(c).value();
    return Status::ok();
}

Result<std::vector<Reply>> NodeLink::pipeline(const std::vector<std::string>& commands) {
    timings_.clear();
    if (!connection_) return Status::error("ConnectionError", "not connected");
    const auto start = std::chrono::steady_clock::now();
    const Deadline deadline = start + std::chrono::milliseconds(options_.timeoutMillis);
    const std::string node = NodeAddress{options_.endpoint.host, options_.endpoint.port}.name();
    std::vector<Reply> replies;
    replies.reserve(commands.size());
    Status st = connection_->send(commands, deadline);
    for (size_t i = 0; st && i < commands.size(); ++i) {
        auto r = connection_->receive(deadline);
        if (!r) {
            st = r.status();
            break;
        }
        replies.push_back(std::move(r).value());
        timings_.push_back({node, std::chrono::duration_cast<std::chrono::microseconds>(
                                      std::chrono::steady_clock::now() - start)
                                      .count()});
    }
    if (!st) {
        connection_.reset();
        return st;
    }
    return replies;
}

std::unique_ptr<Link> makeLink(const ConnectOptions& options) {
    if (!options.endpoint.cluster) return std::make_unique<NodeLink>(options);
    ClusterOptions cluster;
    for (const auto& [host, port] : options.endpoint.seeds) cluster.seeds.push_back({host, port});
    cluster.timeoutMillis = options.timeoutMillis;
    return std::make_unique<ClusterLink>(std::move(cluster), connectionDialer(options));
}

}  // namespace au::redis
