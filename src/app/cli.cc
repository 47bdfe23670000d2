#include "app/cli.h"

namespace au::app {

const std::set<std::string> kValuedFlags = {"--properties",
                                            "--record-transcript",
                                            "--shard",
                                            "--state-dir",
                                            "--at",
                                            "--redis",
                                            "--redis-password-env",
                                            "--key",
                                            "--listen",
                                            "--history-interval-ms",
                                            "--history-window-s",
                                            "--kcl",
                                            "--auth-token-file",
                                            "--metrics-auth",
                                            "--tls-cert",
                                            "--tls-key",
                                            "--concurrency",
                                            "--table",
                                            "--stream",
                                            "--region",
                                            "--kinesis-endpoint",
                                            "--dynamodb-endpoint",
                                            "--max-replay"};
const std::set<std::string> kSwitches = {
    "--apply",   "--json",    "--list",          "--help",
    "--version", "--verbose", "--resume-latest", "--insecure-no-auth"};

Result<CommandLine> parseCommandLine(const std::vector<std::string>& args,
                                     const std::set<std::string>& valued,
                                     const std::set<std::string>& switches) {
    CommandLine cl;
    size_t i = 0;
    if (!args.empty() && args[0].rfind("--", 0) != 0) cl.command = args[i++];
    for (; i < args.size(); ++i) {
        std::string arg = args[i];
        if (arg.rfind("--", 0) != 0) {
            cl.positionals.push_back(arg);
            continue;
        }
        std::optional<std::string> inlineValue;
        if (const auto eq = arg.find('='); eq != std::string::npos) {
            inlineValue = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
        }
        if (valued.count(arg)) {
            if (inlineValue) {
                cl.options[arg] = *inlineValue;
            } else if (i + 1 < args.size()) {
                cl.options[arg] = args[++i];
            } else {
                return Status::error("Usage", arg + " needs a value");
            }
        } else if (switches.count(arg) && !inlineValue) {
            cl.options[arg] = "";
        } else {
            return Status::error("Usage", "unknown option " + arg);
        }
    }
    return cl;
}

}  // namespace au::app
