#pragma once
// Small file helpers for the credential providers. Thread-safe.

#include <optional>
#include <string>

#include "util/env.h"

namespace au::aws {

// The whole file, or nullopt when it cannot be opened or read.
std::optional<std::string> readFileText(const std::string& path);
// Expands a leading "~/" with HOME (from `env`), leaving other paths unchanged.
std::string expandHome(const std::string& path, const Environment& env);

}  // namespace au::aws
