#pragma once
// Connection: one connection to a Redis server, plain TCP or TLS (OpenSSL) over the same
// code path, with every step bounded by a timeout (non-blocking socket + poll). hiredis supplies
// the RESP parts only: redisFormatCommandArgv builds commands (command.h) and its redisReader
// parses replies (reply_reader.h) (Debian's hiredis 0.14 has no TLS, so its connection code is
// not used).
//
// connect(): resolves the host (resolver.h, within the same timeout), connects, does the TLS
// handshake (rediss://, with server certificate and host-name verification unless verify=false),
// then "AUTH [user] password" and "SELECT db" when the URL asks for them. Errors:
// "ConnectionError" (resolve, connect, reset), "Timeout", "TlsError", "AuthError" (the server
// refused AUTH or SELECT: its error text).
//
// pipeline(): writes every command in one go and reads exactly one reply per command. A Redis
// error reply is a reply (Reply::kError), not a failure. A failure ("Timeout",
// "ConnectionError", "ProtocolError") leaves the connection unusable: drop it and reconnect.
// send() and receive() are its two halves, for a caller that writes to several servers before
// reading from any (cluster_link.h): one receive() per command sent, in order.
//
// Never raises SIGPIPE (it is blocked for the calling thread during socket I/O).
// Thread-compatible: one thread at a time. Logs nothing.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "redis/command.h"
#include "redis/reply.h"
#include "redis/tls_settings.h"
#include "redis/url.h"
#include "util/status.h"

namespace au::redis {

using Deadline = std::chrono::steady_clock::time_point;

struct ConnectOptions {
    Endpoint endpoint;
    TlsSettings tls;
    int64_t timeoutMillis = 1'000;
};

class Connection {
  public:
    static Result<std::unique_ptr<Connection>> connect(const ConnectOptions& options);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // REQUIRES: every element is a formatCommand() result.
    Result<std::vector<Reply>> pipeline(const std::vector<std::string>& commands,
                                        int64_t timeoutMillis);
    // REQUIRES: every element is a formatCommand() result.
    Status send(const std::vector<std::string>& commands, Deadline deadline);
    Result<Reply> receive(Deadline deadline);
    // One command (formatted here).
    Result<Reply> command(const std::vector<std::string>& args, int64_t timeoutMillis);

  private:
    struct Impl;
    explicit Connection(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace au::redis
