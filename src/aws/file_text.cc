#include "aws/file_text.h"

#include <fstream>
#include <sstream>

namespace au::aws {

std::optional<std::string> readFileText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return std::nullopt;
    return ss.str();
}

std::string expandHome(const std::string& path, const Environment& env) {
    if (path == "~" || path.rfind("~/", 0) == 0) {
        return env.getOr("HOME", "") + path.substr(1);
    }
    return path;
}

}  // namespace au::aws
