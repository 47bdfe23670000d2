#include "serve/listen_address.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>

namespace au::serve {

Result<ListenAddress> parseListenAddress(const std::string& text) {
    const auto bad = [&] {
        return Status::error("Usage", "--listen \"" + text +
                                          "\" is not HOST:PORT (e.g. 127.0.0.1:8080, "
                                          "[::1]:8080, 0.0.0.0:8443; port 0-65535)");
    };
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) return bad();
    ListenAddress out;
    out.host = text.substr(0, colon);
    if (out.host.front() == '[') {
        if (out.host.size() < 3 || out.host.back() != ']') return bad();
        out.host = out.host.substr(1, out.host.size() - 2);
    } else if (out.host.find(':') != std::string::npos) {
        return bad();  // a bare IPv6 address: its port would be ambiguous
    }
    const std::string p = text.substr(colon + 1);
    const auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), out.port);
    if (p.empty() || ec != std::errc() || ptr != p.data() + p.size() || out.port < 0 ||
        out.port > 65535) {
        return bad();
    }
    return out;
}

bool isLoopbackHost(const std::string& host) {
    std::string lower = host;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "localhost" || lower == "localhost.") return true;
    in_addr v4{};
    if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) {
        return (ntohl(v4.s_addr) >> 24) == 127;
    }
    in6_addr v6{};
    if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
        if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
        return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
    }
    return false;
}

std::string listenFailureReason(const std::string& host, int port) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
        return std::string("cannot resolve \"") + host +
               "\": " + (rc == EAI_SYSTEM ? std::strerror(errno) : ::gai_strerror(rc));
    }
    std::string reason;
    for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            if (reason.empty()) reason = std::string("socket: ") + std::strerror(errno);
            continue;
        }
        const int yes = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        std::string failed;
        if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0) {
            failed = std::string("bind: ") + std::strerror(errno);
        } else if (::listen(fd, 1) != 0) {
            failed = std::string("listen: ") + std::strerror(errno);
        }
        ::close(fd);
        if (failed.empty()) {  // this address works now
            reason.clear();
            break;
        }
        if (reason.empty()) reason = failed;
    }
    ::freeaddrinfo(found);
    return reason;
}

}  // namespace au::serve
