#include "util/env.h"

#include <cstdlib>

namespace au {

std::string Environment::getOr(const std::string& name, const std::string& fallback) const {
    auto v = get(name);
    return v && !v->empty() ? *v : fallback;
}

std::optional<std::string> ProcessEnvironment::get(const std::string& name) const {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
}

std::optional<std::string> MapEnvironment::get(const std::string& name) const {
    auto it = vars_.find(name);
    if (it == vars_.end()) return std::nullopt;
    return it->second;
}

}  // namespace au
