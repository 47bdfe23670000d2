#pragma once
// freeLoopbackPort(): a TCP port on 127.0.0.1 for a test server, reserved for the life of the test
// process.
//
// Two races made "bind port 0, close, hand the number to redis-server" fail now and then when the
// suite runs tests in parallel (CI once: "redis-server did not start on port 36857"):
//  - the kernel hands out the same ephemeral range (32768-60999 by default) to outgoing
//    connections, so any client socket of a parallel test could take the port before the server
//    binds it;
//  - two test processes (or one cluster picking 12 ports) could be given the same number.
// So ports come from 15000-23999, below the default ephemeral range (scripts/lib/stack.sh uses
// 24000-32767), and each one is claimed with flock() on a file named after it under
// $TMPDIR/active-users-test-ports. The lock is held by an open descriptor until the process exits
// (the kernel drops it even on a crash), so no other test process, nor this one, gets that port
// again meanwhile; the files stay (empty) and are reused. A port something already listens on
// fails the bind check and is skipped.

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>

namespace au::test {

inline constexpr int kTestPortFirst = 15000;
inline constexpr int kTestPortLast = 23999;

inline bool loopbackPortBindable(int port) {
    const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) return false;
    const int one = 1;
    ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // as the servers bind
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    const bool ok = ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(s);
    return ok;
}

inline int freeLoopbackPort() {
    const char* tmp = std::getenv("TMPDIR");
    const std::string dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/active-users-test-ports";
    if (::mkdir(dir.c_str(), 0777) == 0) ::chmod(dir.c_str(), 01777);  // shared by all users
    static std::mt19937 rng{std::random_device{}()};
    std::uniform_int_distribution<int> pick(kTestPortFirst, kTestPortLast);
    for (int attempt = 0; attempt < 2000; ++attempt) {
        const int port = pick(rng);
        const std::string lock = dir + "/" + std::to_string(port);
        const int fd = ::open(lock.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) continue;  // not creatable here (a folder of another user): skip the port
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {  // another test (or this one) holds it
            ::close(fd);
            continue;
        }
        if (!loopbackPortBindable(port)) {
            ::close(fd);
            continue;
        }
        return port;  // fd stays open: the reservation lasts until this process exits
    }
    throw std::runtime_error("no free loopback port in " + std::to_string(kTestPortFirst) + "-" +
                             std::to_string(kTestPortLast));
}

}  // namespace au::test
