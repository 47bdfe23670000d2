#include "aws/profile_files.h"

#include "aws/file_text.h"

namespace au::aws {

std::string selectedProfileName(const Environment& env) {
    return env.getOr("AWS_PROFILE", "default");
}

ProfileFiles ProfileFiles::load(const Environment& env) {
    auto credentialsPath =
        expandHome(env.getOr("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"), env);
    auto configPath = expandHome(env.getOr("AWS_CONFIG_FILE", "~/.aws/config"), env);
    return fromText(readFileText(credentialsPath).value_or(""),
                    readFileText(configPath).value_or(""));
}

ProfileFiles ProfileFiles::fromText(const std::string& credentialsText,
                                    const std::string& configText) {
    ProfileFiles files;
    files.credentials_ = parseIni(credentialsText);
    files.config_ = parseIni(configText);
    return files;
}

const IniSection* ProfileFiles::configProfile(const std::string& profile) const {
    if (const IniSection* s = config_.find("profile " + profile)) return s;
    if (profile == "default") return config_.find("default");
    return nullptr;
}

bool ProfileFiles::hasProfile(const std::string& profile) const {
    return credentials_.find(profile) != nullptr || configProfile(profile) != nullptr;
}

std::optional<std::string> ProfileFiles::get(const std::string& profile,
                                             const std::string& key) const {
    if (const IniSection* s = credentials_.find(profile)) {
        if (const std::string* v = s->get(key)) return *v;
    }
    if (const IniSection* s = configProfile(profile)) {
        if (const std::string* v = s->get(key)) return *v;
    }
    return std::nullopt;
}

std::optional<std::string> ProfileFiles::serviceProperty(const std::string& profile,
                                                         const std::string& service,
                                                         const std::string& key) const {
    const IniSection* p = configProfile(profile);
    if (p == nullptr) return std::nullopt;
    const std::string* servicesName = p->get("services");
    if (servicesName == nullptr) return std::nullopt;
    const IniSection* services = config_.find("services " + *servicesName);
    if (services == nullptr) return std::nullopt;
    auto prop = services->properties.find(service);
    if (prop == services->properties.end()) return std::nullopt;
    auto sub = prop->second.subProperties.find(key);
    if (sub == prop->second.subProperties.end()) return std::nullopt;
    return sub->second;
}

}  // namespace au::aws
