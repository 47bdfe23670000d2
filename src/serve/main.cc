// active-users-serve: wiring only; normally started as `active-users serve ...`.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "app/cli.h"
#include "app/commands.h"
#include "util/log.h"

int main(int argc, char** argv) {
    au::initLogging("serve");  // before anything can log: spdlog's default writes to stdout
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] != "serve") args.insert(args.begin(), "serve");
    auto cl = au::app::parseCommandLine(args, au::app::kValuedFlags, au::app::kSwitches);
    if (!cl) {
        std::fprintf(stderr, "active-users serve: %s (see active-users --help)\n",
                     cl.status().message().c_str());
        return 2;
    }
    if (cl.value().has("--version")) {
        std::printf("active-users-serve %s\n", AU_VERSION);
        return 0;
    }
    try {
        return au::app::runServe(cl.value());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "active-users serve: fatal: %s\n", e.what());
        return 1;
    }
}
