#pragma once
// Starts a test server (redis-server, node dynalite, ...) as a child that dies with the test
// process even when the test crashes (PR_SET_PDEATHSIG), with stdin from /dev/null and stdout (and
// stderr unless `keepStderr`) to /dev/null. Returns its pid, or -1.

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace au::test {

inline pid_t spawnServer(const char* file, char* const argv[], bool keepStderr = false) {
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid != 0) return pid;  // parent (or -1)
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);  // the test already died
    const int devNull = ::open("/dev/null", O_RDWR);
    ::dup2(devNull, 0);
    ::dup2(devNull, 1);
    if (!keepStderr) ::dup2(devNull, 2);
    ::execvp(file, argv);
    ::_exit(127);
}

}  // namespace au::test
