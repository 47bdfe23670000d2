#pragma once
// `serve --listen HOST:PORT`: parsing, the loopback test behind the "no token off loopback" rule,
// and the OS's reason when an address cannot be bound.

#include <string>

#include "util/status.h"

namespace au::serve {

struct ListenAddress {
    std::string host;  // as given, without the brackets of "[v6]:port"
    int port = 0;      // 0: any free port
};

// "host:port" or "[v6]:port", port 0-65535. An error names the text and the expected form.
Result<ListenAddress> parseListenAddress(const std::string& text);

// True for 127.0.0.0/8, ::1, ::ffff:127.x.y.z and "localhost" (any case): addresses only this
// host can reach. Anything else (0.0.0.0, ::, another address, another host name) is not.
bool isLoopbackHost(const std::string& host);

// Why host:port cannot be listened on, as the OS says it: tries the same thing a server does
// (getaddrinfo, socket, SO_REUSEADDR, bind, listen) and returns the first failure, e.g. "bind:
// Address already in use", "bind: Permission denied", "bind: Cannot assign requested address",
// "cannot resolve host: Name or service not known". Empty when every step succeeds now (the
// address was free again when probed). Called after a bind failed: it holds the port for no longer
// than the probe.
std::string listenFailureReason(const std::string& host, int port);

}  // namespace au::serve
