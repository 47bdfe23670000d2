#pragma once
// Host name resolution with a deadline. getaddrinfo cannot be interrupted, so a name (not a numeric
// address) is resolved on a detached helper thread; when the deadline passes first, the caller gets
// a Timeout and the helper frees its late answer itself. Numeric addresses resolve inline, no
// thread.

#include <netdb.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "util/status.h"

namespace au::redis {

struct AddrInfoFree {
    void operator()(addrinfo* list) const {
        if (list != nullptr) ::freeaddrinfo(list);
    }
};
using AddressList = std::unique_ptr<addrinfo, AddrInfoFree>;

// getaddrinfo's shape (the seam for tests): returns 0 or an EAI_* code, fills *out.
using ResolveFunction =
    std::function<int(const char* host, const char* port, const addrinfo* hints, addrinfo** out)>;

// TCP addresses of host:port, or ConnectionError (unknown host) / Timeout (deadline passed).
Result<AddressList> resolveTcp(const std::string& host, const std::string& port,
                               std::chrono::steady_clock::time_point deadline,
                               ResolveFunction resolve = ::getaddrinfo);

}  // namespace au::redis
