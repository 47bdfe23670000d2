#pragma once
// RedisCluster: a real Redis Cluster of Debian's redis-server for integration tests: `masters`
// masters with `replicas` replicas each on free loopback ports (each with its own cluster bus
// port), persistence off, created with `redis-cli --cluster create ... --cluster-replicas N
// --cluster-yes`. A short cluster-node-timeout makes failovers take seconds. Every node is a child
// of the test (it dies with it) and is stopped by its exact PID; a stopped node can be started
// again on the same ports with its nodes.conf (it rejoins the cluster, empty).

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "redis/connection.h"
#include "redis/redis_server.h"
#include "support/spawn_server.h"
#include "support/temp_dir.h"

namespace au::test {

class RedisCluster {
  public:
    struct Node {
        int port = 0;
        int busPort = 0;
        pid_t pid = -1;
    };

    explicit RedisCluster(int masters = 3, int replicas = 1, int nodeTimeoutMillis = 1'000)
        : nodeTimeoutMillis_(nodeTimeoutMillis) {
        for (int i = 0; i < masters * (1 + replicas); ++i) {
            Node n;
            n.port = freeLoopbackPort();  // reserved: never the same number twice
            n.busPort = freeLoopbackPort();
            nodes_.push_back(n);
        }
        try {
            createCluster(replicas);
        } catch (...) {
            for (size_t i = 0; i < nodes_.size(); ++i) stop(i, SIGKILL);  // the destructor won't
            throw;
        }
    }
    ~RedisCluster() {
        for (size_t i = 0; i < nodes_.size(); ++i) stop(i, SIGKILL);
    }
    RedisCluster(const RedisCluster&) = delete;
    RedisCluster& operator=(const RedisCluster&) = delete;

    const std::vector<Node>& nodes() const { return nodes_; }
    // redis+cluster:// with the first three nodes as seeds.
    std::string url() const {
        std::string out = "redis+cluster://";
        for (size_t i = 0; i < nodes_.size() && i < 3; ++i) {
            out += (i ? ",127.0.0.1:" : "127.0.0.1:") + std::to_string(nodes_[i].port);
        }
        return out;
    }
    redis::ConnectOptions connectOptions() const {
        redis::ConnectOptions o;
        o.endpoint = redis::parseUrl(url()).value();
        o.timeoutMillis = 1'000;
        return o;
    }

    // One command on one node; a failure when the node is unreachable.
    Result<redis::Reply> command(int port, const std::vector<std::string>& args) const {
        redis::ConnectOptions o;
        o.endpoint.host = "127.0.0.1";
        o.endpoint.port = port;
        o.timeoutMillis = 2'000;
        auto c = redis::Connection::connect(o);
        if (!c) return c.status();
        return c.value()->command(args, 5'000);
    }
    std::string info(int port, const std::string& section) const {
        auto r = command(port, {"INFO", section});
        return r ? r->str : std::string();
    }
    std::string nodeId(int port) const {
        auto r = command(port, {"CLUSTER", "MYID"});
        return r ? r->str : std::string();
    }
    bool isMaster(int port) const {
        return info(port, "replication").find("role:master") != std::string::npos;
    }
    // The master serving `slot`, as `askPort` sees it (0 when unknown).
    int masterOf(int slot, int askPort) const {
        auto r = command(askPort, {"CLUSTER", "SLOTS"});
        if (!r) return 0;
        for (const auto& range : r->elements) {
            if (range.elements.size() >= 3 && range.elements[0].integer <= slot &&
                slot <= range.elements[1].integer) {
                return static_cast<int>(range.elements[2].elements[1].integer);
            }
        }
        return 0;
    }
    bool alive(size_t i) const { return nodes_[i].pid > 0; }

    // Starts node i (again: same ports, same folder and nodes.conf).
    void start(size_t i) {
        Node& n = nodes_[i];
        const std::string dir = dir_.path() + "/node" + std::to_string(i);
        std::system(("mkdir -p " + dir).c_str());
        std::vector<std::string> args = {"redis-server",
                                         "--port",
                                         std::to_string(n.port),
                                         "--cluster-port",
                                         std::to_string(n.busPort),
                                         "--bind",
                                         "127.0.0.1",
                                         "--cluster-enabled",
                                         "yes",
                                         "--cluster-config-file",
                                         "nodes.conf",
                                         "--cluster-node-timeout",
                                         std::to_string(nodeTimeoutMillis_),
                                         "--cluster-replica-validity-factor",
                                         "0",
                                         "--save",
                                         "",
                                         "--appendonly",
                                         "no",
                                         "--dir",
                                         dir,
                                         "--daemonize",
                                         "no",
                                         "--loglevel",
                                         "warning",
                                         "--logfile",
                                         dir + "/redis.log"};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        n.pid = spawnServer("redis-server", argv.data());
        if (n.pid < 0) throw std::runtime_error("cannot start redis-server");
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < deadline) {
            auto pong = command(n.port, {"PING"});
            if (pong && pong->str == "PONG") return;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        const auto error = redisStartError(n.pid, n.port, dir + "/redis.log");
        n.pid = -1;  // reaped
        throw error;
    }
    // Stops exactly node i (SIGKILL = a crash) and reaps it.
    void stop(size_t i, int signal = SIGKILL) {
        Node& n = nodes_[i];
        if (n.pid <= 0) return;
        ::kill(n.pid, signal);
        int status = 0;
        ::waitpid(n.pid, &status, 0);
        n.pid = -1;
    }
    size_t indexOfPort(int port) const {
        for (size_t i = 0; i < nodes_.size(); ++i)
            if (nodes_[i].port == port) return i;
        throw std::runtime_error("no node on port " + std::to_string(port));
    }

    // Every running node says cluster_state:ok, and every running replica is in sync.
    bool healthy() const {
        for (const auto& n : nodes_) {
            if (n.pid <= 0) continue;
            if (info(n.port, "replication").find("role:slave") != std::string::npos &&
                info(n.port, "replication").find("master_link_status:up") == std::string::npos) {
                return false;
            }
            auto r = command(n.port, {"CLUSTER", "INFO"});
            if (!r || r->str.find("cluster_state:ok") == std::string::npos) return false;
        }
        return true;
    }
    bool waitHealthy(std::chrono::milliseconds timeout) const {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (healthy()) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return false;
    }

  private:
    void createCluster(int replicas) {
        for (size_t i = 0; i < nodes_.size(); ++i) start(i);
        std::string create = "redis-cli --cluster create";
        for (const auto& n : nodes_) create += " 127.0.0.1:" + std::to_string(n.port);
        create += " --cluster-replicas " + std::to_string(replicas) + " --cluster-yes >" +
                  dir_.file("create.log") + " 2>&1";
        if (std::system(create.c_str()) != 0) {
            throw std::runtime_error("redis-cli --cluster create failed (" +
                                     dir_.file("create.log") + ")");
        }
        if (!waitHealthy(std::chrono::seconds(20))) {
            throw std::runtime_error("the cluster did not become healthy");
        }
    }

    int nodeTimeoutMillis_;
    TempDir dir_;
    std::vector<Node> nodes_;
};

}  // namespace au::test
