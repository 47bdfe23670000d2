#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <string>

#include "app/commands.h"

namespace au::app {

int execServe(char** argv) {
    char self[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        std::fprintf(stderr, "active-users serve: cannot find my own path: %s\n",
                     std::strerror(errno));
        return 1;
    }
    std::string path(self, static_cast<size_t>(n));
    path = path.substr(0, path.rfind('/') + 1) + "active-users-serve";
    ::execv(path.c_str(), argv);
    std::fprintf(stderr, "active-users serve: cannot run %s: %s\n", path.c_str(),
                 std::strerror(errno));
    return 1;
}

}  // namespace au::app
