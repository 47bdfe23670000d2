#pragma once
// The command line `active-users COMMAND ARGS…` parsed with the CLI's own flag sets; the test fails
// when it does not parse.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "app/cli.h"

namespace au::test {

inline app::CommandLine commandLine(const std::string& command, std::vector<std::string> args) {
    args.insert(args.begin(), command);
    auto cl = app::parseCommandLine(args, app::kValuedFlags, app::kSwitches);
    REQUIRE(cl);
    return cl.value();
}

}  // namespace au::test
