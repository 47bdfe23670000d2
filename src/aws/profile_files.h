#pragma once
// ProfileFiles: the shared credentials and config files, read together.
//
// Files: AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials; sections "[name]") and
// AWS_CONFIG_FILE (default ~/.aws/config; sections "[profile name]", and "[default]" for the
// default profile). Other config sections ("[services x]", "[sso-session x]", a bare "[name]"
// other than default) are not profiles. A property is looked up in the credentials file first,
// then in the config file. Missing or unreadable files count as empty. Immutable after load;
// thread-safe.

#include <optional>
#include <string>

#include "aws/ini_file.h"
#include "util/env.h"

namespace au::aws {

// AWS_PROFILE when set and non-empty, else "default".
std::string selectedProfileName(const Environment& env);

class ProfileFiles {
  public:
    // Reads the two files named by `env` (see above); HOME comes from `env` too.
    static ProfileFiles load(const Environment& env);
    static ProfileFiles fromText(const std::string& credentialsText, const std::string& configText);

    bool hasProfile(const std::string& profile) const;
    std::optional<std::string> get(const std::string& profile, const std::string& key) const;
    // For a profile with "services = <name>", the sub-property `key` of property `service` in
    // section "[services <name>]", e.g. serviceProperty("default", "dynamodb", "endpoint_url").
    std::optional<std::string> serviceProperty(const std::string& profile,
                                               const std::string& service,
                                               const std::string& key) const;

  private:
    const IniSection* configProfile(const std::string& profile) const;

    IniFile credentials_;
    IniFile config_;
};

}  // namespace au::aws
