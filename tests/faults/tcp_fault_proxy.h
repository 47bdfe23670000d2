#pragma once
// TcpFaultProxy: a byte-level TCP proxy on 127.0.0.1 in front of one server (redis-server), whose
// fault can be switched while connections are open:
//   kPass       forwards both ways as the bytes come
//   kSlow       holds every server -> client chunk for `delayMillis` before forwarding it
//   kBlackhole  a half-open link: connections stay open (no FIN, no RST) and nothing is
//               forwarded either way; new connections are accepted into the same silence (as
//               when the server's host vanished behind a NAT or a dead link)
// One thread per connection; stop() and the destructor end them all.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "faults/socket_io.h"

namespace au::test {

class TcpFaultProxy {
  public:
    enum class Mode { kPass, kSlow, kBlackhole };

    explicit TcpFaultProxy(int upstreamPort) : upstreamPort_(upstreamPort) {
        listenFd_ = listenLoopback(&port_);
        if (listenFd_ >= 0) acceptor_ = std::thread([this] { acceptLoop(); });
    }
    ~TcpFaultProxy() { stop(); }
    TcpFaultProxy(const TcpFaultProxy&) = delete;
    TcpFaultProxy& operator=(const TcpFaultProxy&) = delete;

    bool ok() const { return listenFd_ >= 0; }
    int port() const { return port_; }

    void setMode(Mode mode, int64_t delayMillis = 0) {
        delayMillis_ = delayMillis;
        mode_ = mode;
    }
    int connectionsAccepted() const { return accepted_.load(); }

    void stop() {
        if (stop_.exchange(true)) return;
        if (acceptor_.joinable()) acceptor_.join();
        std::vector<std::thread> threads;
        {
            std::lock_guard<std::mutex> lock(mu_);
            threads.swap(connections_);
        }
        for (auto& t : threads) t.join();
        if (listenFd_ >= 0) ::close(listenFd_);
    }

  private:
    using Clock = std::chrono::steady_clock;

    void acceptLoop() {
        while (waitReadable(listenFd_, stop_)) {
            const int fd = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) continue;
            ++accepted_;
            std::lock_guard<std::mutex> lock(mu_);
            connections_.emplace_back([this, fd] { relay(fd); });
        }
    }

    void relay(int client) {
        const int server = connectLoopback(upstreamPort_);
        if (server < 0) {
            ::close(client);
            return;
        }
        std::deque<std::pair<Clock::time_point, std::string>> held;  // server -> client
        char buffer[16384];
        bool open = true;
        while (open && !stop_.load()) {
            const Mode mode = mode_.load();
            // Due held chunks go out first, in order.
            while (!held.empty() && held.front().first <= Clock::now() &&
                   mode != Mode::kBlackhole) {
                if (!writeAll(client, held.front().second)) open = false;
                held.pop_front();
            }
            if (mode == Mode::kBlackhole) {
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
                continue;
            }
            pollfd p[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
            if (::poll(p, 2, 10) <= 0) continue;
            if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
                const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
                if (n <= 0 || !writeAll(server, std::string(buffer, static_cast<size_t>(n)))) {
                    open = false;
                }
            }
            if (open && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
                const ssize_t n = ::recv(server, buffer, sizeof buffer, 0);
                if (n <= 0) {
                    open = false;
                } else if (mode == Mode::kSlow) {
                    held.emplace_back(Clock::now() + std::chrono::milliseconds(delayMillis_.load()),
                                      std::string(buffer, static_cast<size_t>(n)));
                } else if (!writeAll(client, std::string(buffer, static_cast<size_t>(n)))) {
                    open = false;
                }
            }
        }
        ::close(server);
        ::close(client);
    }

    const int upstreamPort_;
    int listenFd_ = -1;
    int port_ = 0;
    std::atomic<Mode> mode_{Mode::kPass};
    std::atomic<int64_t> delayMillis_{0};
    std::atomic<bool> stop_{false};
    std::atomic<int> accepted_{0};
    std::mutex mu_;
    std::vector<std::thread> connections_;
    std::thread acceptor_;
};

}  // namespace au::test
