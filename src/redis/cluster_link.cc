#include "redis/cluster_link.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "redis/command.h"
#include "redis/slot.h"

namespace au::redis {

namespace {

using SteadyClock = std::chrono::steady_clock;

class RealNode final : public NodeConnection {
  public:
    explicit RealNode(std::unique_ptr<Connection> c) : c_(std::move(c)) {}
    Status send(const std::vector<std::string>& commands, Deadline deadline) override {
        return c_->send(commands, deadline);
    }
    Result<Reply> receive(Deadline deadline) override { return c_->receive(deadline); }

  private:
    std::unique_ptr<Connection> c_;
};

bool startsWith(const std::string& s, std::string_view prefix) {
    return s.compare(0, prefix.size(), prefix) == 0;
}

// "MOVED <slot> <host:port>" / "ASK <slot> <host:port>".
struct Redirect {
    bool ask = false;
    int slot = 0;
    NodeAddress to;
};

std::optional<Redirect> parseRedirect(const std::string& error, const std::string& defaultHost) {
    Redirect r;
    size_t pos = 0;
    if (startsWith(error, "MOVED ")) {
        pos = 6;
    } else if (startsWith(error, "ASK ")) {
        r.ask = true;
        pos = 4;
    } else {
        return std::nullopt;
    }
    const size_t space = error.find(' ', pos);
    if (space == std::string::npos) return std::nullopt;
    const auto [ptr, ec] = std::from_chars(error.data() + pos, error.data() + space, r.slot);
    if (ec != std::errc() || ptr != error.data() + space || r.slot < 0 || r.slot >= kSlotCount) {
        return std::nullopt;
    }
    auto to = parseNodeAddress(std::string_view(error).substr(space + 1), defaultHost);
    if (!to) return std::nullopt;
    r.to = std::move(*to);
    return r;
}

bool clusterUnavailable(const std::string& error) {
    return startsWith(error, "CLUSTERDOWN") || startsWith(error, "TRYAGAIN") ||
           startsWith(error, "LOADING") || startsWith(error, "MASTERDOWN");
}

int64_t millisLeft(Deadline deadline) {
    return std::max<int64_t>(
        0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now())
               .count());
}

}  // namespace

NodeDialer connectionDialer(ConnectOptions options) {
    return [options](const NodeAddress& address,
                     Deadline deadline) -> Result<std::unique_ptr<NodeConnection>> {
        ConnectOptions o = options;
        o.endpoint.host = address.host;
        o.endpoint.port = address.port;
        o.endpoint.db = 0;
        o.timeoutMillis = std::max<int64_t>(1, millisLeft(deadline));
        auto c = Connection::connect(o);
        if (!c) return c.status();
        return std::unique_ptr<NodeConnection>(std::make_unique<RealNode>(std::move(c).value()));
    };
}

ClusterLink::ClusterLink(ClusterOptions options, NodeDialer dialer)
    : options_(std::move(options)), dialer_(std::move(dialer)) {}

Status ClusterLink::fail(Status why) {
    nodes_.clear();
    connected_ = false;
    return why;
}

Result<NodeConnection*> ClusterLink::node(const NodeAddress& address, Deadline deadline) {
    const std::string name = address.name();
    auto it = nodes_.find(name);
    if (it != nodes_.end()) return it->second.get();
    if (millisLeft(deadline) == 0) {
        return Status::error("Timeout", "no time left to connect to " + name);
    }
    auto c = dialer_(address, deadline);
    if (!c) return Status::error(c.status().code(), name + ": " + c.status().message());
    return nodes_.emplace(name, std::move(c).value()).first->second.get();
}

Status ClusterLink::readSlotMap(Deadline deadline) {
    // Where to ask: the nodes heard of, then the seeds; each attempt starts at another one.
    std::vector<NodeAddress> candidates = map_.knownNodes();
    for (const auto& seed : options_.seeds) {
        if (std::find(candidates.begin(), candidates.end(), seed) == candidates.end()) {
            candidates.push_back(seed);
        }
    }
    if (candidates.empty()) return Status::error("ClusterDown", "no seed nodes");
    const size_t first = attempts_++ % candidates.size();
    Status last = Status::error("ClusterDown", "no node answered CLUSTER SLOTS");
    for (size_t i = 0; i < candidates.size() && millisLeft(deadline) > 0; ++i) {
        const NodeAddress& address = candidates[(first + i) % candidates.size()];
        auto c = node(address, deadline);
        if (!c) {
            last = c.status();
            continue;
        }
        Status sent = c.value()->send({formatCommand({"CLUSTER", "SLOTS"})}, deadline);
        auto reply = sent ? c.value()->receive(deadline) : Result<Reply>(sent);
        if (!reply) {
            nodes_.erase(address.name());
            last = Status::error(reply.status().code(),
                                 address.name() + ": " + reply.status().message());
            continue;
        }
        auto map = SlotMap::fromClusterSlots(reply.value(), address.host);
        if (!map) {
            last =
                Status::error(map.status().code(), address.name() + ": " + map.status().message());
            if (map.status().code() == "ClusterError") return last;  // not a cluster at all
            continue;
        }
        if (const int missing = map->uncoveredSlots(); missing > 0) {
            last = Status::error("ClusterDown", address.name() + " serves a map without " +
                                                    std::to_string(missing) + " slots");
            continue;
        }
        map_ = std::move(map).value();
        ++counters_.mapReads;
        // Keep only the connections to masters.
        const auto masters = map_.masters();
        for (auto it = nodes_.begin(); it != nodes_.end();) {
            const bool isMaster = std::any_of(masters.begin(), masters.end(),
                                              [&](const auto& m) { return m.name() == it->first; });
            it = isMaster ? std::next(it) : nodes_.erase(it);
        }
        return Status::ok();
    }
    return last;
}

Status ClusterLink::connect() {
    nodes_.clear();
    connected_ = false;
    const Deadline deadline =
        SteadyClock::now() + std::chrono::milliseconds(options_.timeoutMillis);
    if (Status st = readSlotMap(deadline); !st) return fail(st);
    for (const auto& master : map_.masters()) {
        if (auto c = node(master, deadline); !c) return fail(c.status());
    }
    connected_ = true;
    return Status::ok();
}

Result<std::vector<Reply>> ClusterLink::pipeline(const std::vector<std::string>& commands) {
    timings_.assign(commands.size(), CommandTiming{});
    if (!connected_) return Status::error("ConnectionError", "not connected");
    const auto start = SteadyClock::now();
    const Deadline deadline = start + std::chrono::milliseconds(options_.timeoutMillis);
    static const std::string kAsking = formatCommand({"ASKING"});

    struct Route {
        size_t index;
        std::optional<NodeAddress> ask;  // set: send ASKING + the command to this node
    };
    struct Group {
        NodeAddress node;
        std::vector<Route> routes;
        std::vector<std::string> wire;
    };
    std::vector<Reply> replies(commands.size());
    std::vector<Route> pending;
    pending.reserve(commands.size());
    for (size_t i = 0; i < commands.size(); ++i) pending.push_back({i, std::nullopt});
    bool moved = false;

    for (int round = 0; !pending.empty(); ++round) {
        if (round > kMaxRedirects) {
            return fail(Status::error("TooManyRedirects", std::to_string(pending.size()) +
                                                              " commands still redirected after " +
                                                              std::to_string(kMaxRedirects) +
                                                              " redirections"));
        }
        std::map<std::string, Group> groups;
        for (auto& route : pending) {
            const NodeAddress* target = route.ask ? &*route.ask : nullptr;
            if (target == nullptr) {
                const auto key = commandKey(commands[route.index]);
                const int slot = key ? keySlot(*key) : 0;
                target = map_.masterOf(slot);
                if (target == nullptr) {
                    return fail(Status::error("ClusterDown",
                                              "slot " + std::to_string(slot) + " is not served"));
                }
            }
            Group& g = groups[target->name()];
            g.node = *target;
            if (route.ask) g.wire.push_back(kAsking);
            g.wire.push_back(commands[route.index]);
            g.routes.push_back(std::move(route));
        }
        for (auto& [name, g] : groups) {
            auto c = node(g.node, deadline);
            if (!c) return fail(c.status());
            if (Status st = c.value()->send(g.wire, deadline); !st) {
                return fail(Status::error(st.code(), name + ": " + st.message()));
            }
        }
        std::vector<Route> next;
        std::optional<std::string> unavailable;
        for (auto& [name, g] : groups) {
            NodeConnection* c = nodes_.at(name).get();
            for (auto& route : g.routes) {
                if (route.ask) {
                    auto ok = c->receive(deadline);  // ASKING's +OK
                    if (!ok)
                        return fail(
                            Status::error(ok.status().code(), name + ": " + ok.status().message()));
                }
                auto reply = c->receive(deadline);
                if (!reply) {
                    return fail(Status::error(reply.status().code(),
                                              name + ": " + reply.status().message()));
                }
                timings_[route.index] = {
                    name, std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() -
                                                                                start)
                              .count()};
                if (reply->isError()) {
                    if (auto r = parseRedirect(reply->str, g.node.host)) {
                        if (r->ask) {
                            ++counters_.asked;
                            next.push_back({route.index, r->to});
                        } else {
                            ++counters_.moved;
                            map_.assign(r->slot, r->to);
                            moved = true;
                            next.push_back({route.index, std::nullopt});
                        }
                        continue;
                    }
                    if (clusterUnavailable(reply->str)) unavailable = name + ": " + reply->str;
                }
                replies[route.index] = std::move(reply).value();
            }
        }
        if (unavailable) return fail(Status::error("ClusterDown", *unavailable));
        pending = std::move(next);
    }
    // The map moved under us (resharding, failover): read it whole once, best effort — the
    // patched map keeps working meanwhile.
    if (moved) (void)readSlotMap(deadline);
    return replies;
}

}  // namespace au::redis
