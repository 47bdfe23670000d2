#pragma once
// Command-line parsing: `active-users [COMMAND] [--flag [value]]... [POSITIONAL]...`.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "util/status.h"

namespace au::app {

struct CommandLine {
    std::string command;                         // "" = processor mode
    std::map<std::string, std::string> options;  // "--json" -> "" for switches
    std::vector<std::string> positionals;

    bool has(const std::string& flag) const { return options.count(flag) != 0; }
    std::optional<std::string> get(const std::string& flag) const {
        auto it = options.find(flag);
        if (it == options.end()) return std::nullopt;
        return it->second;
    }
};

// Every command's flags: those that take a value, and switches.
extern const std::set<std::string> kValuedFlags;
extern const std::set<std::string> kSwitches;

// `valued` lists the flags that take a value, `switches` those that do not; anything else is an
// error. The first argument is the command when it does not start with "--".
Result<CommandLine> parseCommandLine(const std::vector<std::string>& args,
                                     const std::set<std::string>& valued,
                                     const std::set<std::string>& switches);

}  // namespace au::app
