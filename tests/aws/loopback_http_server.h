#pragma once
// LoopbackHttpServer: a tiny HTTP/1.1 server on 127.0.0.1 for tests of the real HTTP client.
// One background thread, one connection at a time (or, with `concurrent`, a thread per connection,
// as a real server serves parallel clients; the handler is still called one request at a time),
// keep-alive supported. The handler gets the
// raw request (head + body) and returns the full raw response; returning std::nullopt makes the
// server hold the connection open without answering (to provoke client timeouts) until stop().
// Never used for anything but loopback.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace au::aws::testing {

struct RawRequest {
    std::string head;  // request line + headers, "\r\n" separated, without the blank line
    std::string body;
};

class LoopbackHttpServer {
  public:
    using Handler = std::function<std::optional<std::string>(const RawRequest&)>;

    explicit LoopbackHttpServer(Handler handler, bool concurrent = false)
        : handler_(std::move(handler)), concurrent_(concurrent) {
        listenFd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(listenFd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        ::bind(listenFd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        ::listen(listenFd_, 8);
        socklen_t len = sizeof addr;
        ::getsockname(listenFd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { run(); });
    }
    ~LoopbackHttpServer() { stop(); }

    int port() const { return port_; }
    std::string url(const std::string& path = "/") const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }
    int connectionsAccepted() const { return accepted_.load(); }
    std::vector<RawRequest> requests() {
        std::lock_guard<std::mutex> lock(mu_);
        return requests_;
    }
    void stop() {
        if (stopping_.exchange(true)) return;
        ::shutdown(listenFd_, SHUT_RDWR);
        if (thread_.joinable()) thread_.join();
        for (auto& t : connections_) t.join();
        ::close(listenFd_);
    }

    static std::string response(int status, const std::string& body,
                                const std::string& extraHeaders = "") {
        return "HTTP/1.1 " + std::to_string(status) +
               " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extraHeaders +
               "\r\n" + body;
    }

  private:
    bool waitReadable(int fd) {
        while (!stopping_) {
            pollfd p{fd, POLLIN, 0};
            int r = ::poll(&p, 1, 20);
            if (r > 0) return true;
            if (r < 0) return false;
        }
        return false;
    }

    void run() {
        while (waitReadable(listenFd_)) {
            int fd = ::accept(listenFd_, nullptr, nullptr);
            if (fd < 0) continue;
            ++accepted_;
            if (concurrent_) {
                connections_.emplace_back([this, fd] {
                    serve(fd);
                    ::close(fd);
                });
                continue;
            }
            serve(fd);
            ::close(fd);
        }
    }

    void serve(int fd) {
        std::string buffer;
        char chunk[4096];
        while (true) {
            size_t headEnd;
            while ((headEnd = buffer.find("\r\n\r\n")) == std::string::npos) {
                if (!waitReadable(fd)) return;
                ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
                if (n <= 0) return;
                buffer.append(chunk, static_cast<size_t>(n));
            }
            RawRequest req;
            req.head = buffer.substr(0, headEnd);
            size_t contentLength = 0;
            std::string lowerHead = req.head;
            for (char& c : lowerHead) c = static_cast<char>(::tolower(c));
            auto cl = lowerHead.find("\r\ncontent-length:");
            if (cl != std::string::npos) contentLength = std::stoul(req.head.substr(cl + 17));
            while (buffer.size() < headEnd + 4 + contentLength) {
                if (!waitReadable(fd)) return;
                ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
                if (n <= 0) return;
                buffer.append(chunk, static_cast<size_t>(n));
            }
            req.body = buffer.substr(headEnd + 4, contentLength);
            buffer.erase(0, headEnd + 4 + contentLength);
            {
                std::lock_guard<std::mutex> lock(mu_);
                requests_.push_back(req);
            }
            std::optional<std::string> answer;
            {
                std::lock_guard<std::mutex> lock(handlerMu_);
                answer = handler_(req);
            }
            if (!answer) {
                while (waitReadable(fd)) {
                    if (::recv(fd, chunk, sizeof chunk, 0) <= 0) return;
                }
                return;
            }
            size_t sent = 0;
            while (sent < answer->size()) {
                ssize_t n = ::send(fd, answer->data() + sent, answer->size() - sent, MSG_NOSIGNAL);
                if (n <= 0) return;
                sent += static_cast<size_t>(n);
            }
        }
    }

    Handler handler_;
    const bool concurrent_;
    std::mutex handlerMu_;
    std::vector<std::thread> connections_;  // concurrent_: one per accepted connection (run() only)
    int listenFd_ = -1;
    int port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<int> accepted_{0};
    std::mutex mu_;
    std::vector<RawRequest> requests_;
    std::thread thread_;
};

}  // namespace au::aws::testing
