#include "redis/connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "redis/reply_reader.h"
#include "redis/resolver.h"
#include "redis/ssl_api.h"

namespace au::redis {

namespace {

using SteadyClock = std::chrono::steady_clock;

int64_t millisLeft(Deadline deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now())
            .count();
    return left < 0 ? 0 : static_cast<int64_t>(left);
}

std::string sslErrors(const SslApi& api) {
    std::string out;
    while (const unsigned long e = api.ERR_get_error()) {
        char buffer[256];
        api.ERR_error_string_n(e, buffer, sizeof buffer);
        if (!out.empty()) out += "; ";
        out += buffer;
    }
    return out.empty() ? "unknown TLS error" : out;
}

// OpenSSL writes with write(2), which raises SIGPIPE on a connection the peer closed. While one
// is alive, SIGPIPE is blocked for the calling thread; a SIGPIPE raised meanwhile is consumed, so
// the write fails with EPIPE instead of killing a process that did not ignore SIGPIPE.
class ScopedSigpipeBlock {
  public:
    ScopedSigpipeBlock() {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    }
    ~ScopedSigpipeBlock() {
        if (!sigismember(&old_, SIGPIPE)) {
            const timespec zero{0, 0};
            while (sigtimedwait(&pipe_, nullptr, &zero) == SIGPIPE) {
            }
        }
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    ScopedSigpipeBlock(const ScopedSigpipeBlock&) = delete;
    ScopedSigpipeBlock& operator=(const ScopedSigpipeBlock&) = delete;

  private:
    sigset_t pipe_;
    sigset_t old_;
};

}  // namespace

struct Connection::Impl {
    int fd = -1;
    const SslApi* openssl = nullptr;  // set by startTls
    SSL_CTX* ctx = nullptr;
    SSL* ssl = nullptr;
    ReplyReader reader;
    bool broken = false;

    ~Impl() {
        if (ssl != nullptr) openssl->SSL_free(ssl);
        if (ctx != nullptr) openssl->SSL_CTX_free(ctx);
        if (fd >= 0) ::close(fd);
    }

    // Waits until fd is readable/writable; false on timeout or poll error (status set).
    Status waitFor(short events, Deadline deadline) {
        for (;;) {
            pollfd p{fd, events, 0};
            const int n = ::poll(&p, 1, static_cast<int>(millisLeft(deadline)));
            if (n > 0) return Status::ok();
            if (n == 0) return Status::error("Timeout", "Redis did not answer in time");
            if (errno != EINTR) return Status::error("ConnectionError", std::strerror(errno));
        }
    }

    Status connectTcp(const Endpoint& ep, Deadline deadline) {
        const std::string port = std::to_string(ep.port);
        auto list = resolveTcp(ep.host, port, deadline);
        if (!list) return list.status();
        Status last = Status::error("ConnectionError", "no address for " + ep.host);
        for (addrinfo* a = list->get(); a != nullptr; a = a->ai_next) {
            const int s = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                                   a->ai_protocol);
            if (s < 0) continue;
            fd = s;
            if (::connect(s, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) {
                Status st = waitFor(POLLOUT, deadline);
                int err = 0;
                socklen_t len = sizeof err;
                if (st && ::getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) {
                    const int one = 1;
                    ::setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    return Status::ok();
                }
                last = st ? Status::error("ConnectionError", "connecting to " + ep.host + ":" +
                                                                 port + ": " + std::strerror(err))
                          : st;
            } else {
                last = Status::error("ConnectionError", "connecting to " + ep.host + ":" + port +
                                                            ": " + std::strerror(errno));
            }
            ::close(s);
            fd = -1;
            if (millisLeft(deadline) == 0) break;
        }
        return last;
    }

    Status startTls(const Endpoint& ep, const TlsSettings& tls, Deadline deadline) {
        auto api = loadSsl();  // OpenSSL is loaded on the first TLS connection
        if (!api) return Status::error("TlsError", api.status().message());
        openssl = api.value();
        const SslApi& o = *openssl;
        ctx = o.SSL_CTX_new(o.TLS_client_method());
        if (ctx == nullptr) return Status::error("TlsError", sslErrors(o));
        o.SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, nullptr);
        if (tls.verify) {
            o.SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
            const int ok = tls.caFile.empty()
                               ? o.SSL_CTX_set_default_verify_paths(ctx)
                               : o.SSL_CTX_load_verify_locations(ctx, tls.caFile.c_str(), nullptr);
            if (ok != 1)
                return Status::error("TlsError", "loading CA " + tls.caFile + ": " + sslErrors(o));
        } else {
            o.SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
        }
        if (!tls.certFile.empty()) {
            if (o.SSL_CTX_use_certificate_chain_file(ctx, tls.certFile.c_str()) != 1) {
                return Status::error("TlsError", "loading " + tls.certFile + ": " + sslErrors(o));
            }
            const std::string& key = tls.keyFile.empty() ? tls.certFile : tls.keyFile;
            if (o.SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1) {
                return Status::error("TlsError", "loading " + key + ": " + sslErrors(o));
            }
        }
        ssl = o.SSL_new(ctx);
        if (ssl == nullptr) return Status::error("TlsError", sslErrors(o));
        o.SSL_ctrl(ssl, SSL_CTRL_MODE,
                   SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER, nullptr);
        in6_addr ip6{};
        in_addr ip4{};
        const bool isIp = ::inet_pton(AF_INET, ep.host.c_str(), &ip4) == 1 ||
                          ::inet_pton(AF_INET6, ep.host.c_str(), &ip6) == 1;
        if (!isIp) {
            o.SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                       const_cast<char*>(ep.host.c_str()));
        }
        if (tls.verify) {
            X509_VERIFY_PARAM* param = o.SSL_get0_param(ssl);
            const int ok = isIp ? o.X509_VERIFY_PARAM_set1_ip_asc(param, ep.host.c_str())
                                : o.X509_VERIFY_PARAM_set1_host(param, ep.host.c_str(), 0);
            if (ok != 1) return Status::error("TlsError", "cannot set the expected host name");
        }
        o.SSL_set_fd(ssl, fd);
        ScopedSigpipeBlock noSigpipe;
        for (;;) {
            o.ERR_clear_error();
            const int rc = o.SSL_connect(ssl);
            if (rc == 1) return Status::ok();
            const int err = o.SSL_get_error(ssl, rc);
            if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
                Status st = waitFor(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
                if (!st) return st;
                continue;
            }
            std::string why = sslErrors(o);
            const long verify = o.SSL_get_verify_result(ssl);
            if (verify != X509_V_OK)
                why += " (" + std::string(o.X509_verify_cert_error_string(verify)) + ")";
            return Status::error("TlsError", "TLS handshake with " + ep.host + " failed: " + why);
        }
    }

    Status writeAll(const std::string& data, Deadline deadline) {
        ScopedSigpipeBlock noSigpipe;
        size_t done = 0;
        while (done < data.size()) {
            const size_t chunk = std::min<size_t>(data.size() - done, 1 << 20);
            if (ssl != nullptr) {
                openssl->ERR_clear_error();
                const int n = openssl->SSL_write(ssl, data.data() + done, static_cast<int>(chunk));
                if (n > 0) {
                    done += static_cast<size_t>(n);
                    continue;
                }
                const int err = openssl->SSL_get_error(ssl, n);
                if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
                    Status st = waitFor(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
                    if (!st) return st;
                    continue;
                }
                return Status::error("ConnectionError", "TLS write failed: " + sslErrors(*openssl));
            }
            const ssize_t n = ::send(fd, data.data() + done, chunk, MSG_NOSIGNAL);
            if (n > 0) {
                done += static_cast<size_t>(n);
            } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                Status st = waitFor(POLLOUT, deadline);
                if (!st) return st;
            } else if (n < 0 && errno == EINTR) {
                continue;
            } else {
                return Status::error("ConnectionError",
                                     std::string("write failed: ") + std::strerror(errno));
            }
        }
        return Status::ok();
    }

    // Reads more bytes into the reader.
    Status readSome(Deadline deadline) {
        ScopedSigpipeBlock noSigpipe;
        char buffer[64 * 1024];
        for (;;) {
            if (ssl != nullptr) {
                openssl->ERR_clear_error();
                const int n = openssl->SSL_read(ssl, buffer, sizeof buffer);
                if (n > 0) {
                    reader.feed(buffer, static_cast<size_t>(n));
                    return Status::ok();
                }
                const int err = openssl->SSL_get_error(ssl, n);
                if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
                    Status st = waitFor(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
                    if (!st) return st;
                    continue;
                }
                if (err == SSL_ERROR_ZERO_RETURN)
                    return Status::error("ConnectionError", "Redis closed the connection");
                return Status::error("ConnectionError", "TLS read failed: " + sslErrors(*openssl));
            }
            const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n > 0) {
                reader.feed(buffer, static_cast<size_t>(n));
                return Status::ok();
            }
            if (n == 0) return Status::error("ConnectionError", "Redis closed the connection");
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                return Status::error("ConnectionError",
                                     std::string("read failed: ") + std::strerror(errno));
            }
            Status st = waitFor(POLLIN, deadline);
            if (!st) return st;
        }
    }

    Result<Reply> readReply(Deadline deadline) {
        for (;;) {
            auto reply = reader.next();
            if (!reply) return reply.status();
            if (reply.value()) return std::move(*reply.value());
            Status st = readSome(deadline);
            if (!st) return st;
        }
    }

    Status send(const std::vector<std::string>& commands, Deadline deadline) {
        if (broken) return Status::error("ConnectionError", "the connection failed earlier");
        std::string out;
        size_t total = 0;
        for (const auto& c : commands) total += c.size();
        out.reserve(total);
        for (const auto& c : commands) out += c;
        Status st = writeAll(out, deadline);
        if (!st) broken = true;
        return st;
    }

    Result<Reply> receive(Deadline deadline) {
        if (broken) return Status::error("ConnectionError", "the connection failed earlier");
        auto r = readReply(deadline);
        if (!r) broken = true;
        return r;
    }

    Result<std::vector<Reply>> pipeline(const std::vector<std::string>& commands,
                                        int64_t timeoutMillis) {
        const auto deadline = SteadyClock::now() + std::chrono::milliseconds(timeoutMillis);
        if (Status st = send(commands, deadline); !st) return st;
        std::vector<Reply> replies;
        replies.reserve(commands.size());
        for (size_t i = 0; i < commands.size(); ++i) {
            auto r = receive(deadline);
            if (!r) return r.status();
            replies.push_back(std::move(r).value());
        }
        return replies;
    }
};

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::~Connection() = default;

Result<std::unique_ptr<Connection>> Connection::connect(const ConnectOptions& options) {
    const auto deadline = SteadyClock::now() + std::chrono::milliseconds(options.timeoutMillis);
    auto impl = std::make_unique<Impl>();
    const Endpoint& ep = options.endpoint;
    if (Status st = impl->connectTcp(ep, deadline); !st) return st;
    if (ep.tls) {
        if (Status st = impl->startTls(ep, options.tls, deadline); !st) return st;
    }
    std::vector<std::string> setup;
    if (ep.password) {
        setup.push_back(ep.user ? formatCommand({"AUTH", *ep.user, *ep.password})
                                : formatCommand({"AUTH", *ep.password}));
    }
    if (ep.db != 0) setup.push_back(formatCommand({"SELECT", std::to_string(ep.db)}));
    if (!setup.empty()) {
        auto replies = impl->pipeline(setup, millisLeft(deadline));
        if (!replies) return replies.status();
        for (const auto& r : replies.value()) {
            if (r.isError()) return Status::error("AuthError", r.str);
        }
    }
    return std::unique_ptr<Connection>(new Connection(std::move(impl)));
}

Result<std::vector<Reply>> Connection::pipeline(const std::vector<std::string>& commands,
                                                int64_t timeoutMillis) {
    return impl_->pipeline(commands, timeoutMillis);
}

Status Connection::send(const std::vector<std::string>& commands, Deadline deadline) {
    return impl_->send(commands, deadline);
}

Result<Reply> Connection::receive(Deadline deadline) { return impl_->receive(deadline); }

Result<Reply> Connection::command(const std::vector<std::string>& args, int64_t timeoutMillis) {
    auto replies = impl_->pipeline({formatCommand(args)}, timeoutMillis);
    if (!replies) return replies.status();
    return std::move(replies.value().front());
}

}  // namespace au::redis
