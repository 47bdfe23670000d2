#pragma once
// Runs a shell command for a test (popen): its wait status and its stdout.

#include <cstdio>
#include <string>
#include <utility>

namespace au::test {

inline std::pair<int, std::string> runShell(const std::string& cmd) {
    FILE* pipe = ::popen(cmd.c_str(), "r");
    if (pipe == nullptr) return {-1, ""};
    std::string out;
    char buffer[4096];
    while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
    return {::pclose(pipe), out};
}

}  // namespace au::test
