// Fuzz target: the AWS shared credentials and config files (src/aws/ini_file.h, profile_files.h)
// and the region/endpoint resolution that reads them (src/aws/endpoints.h).
// Input: the credentials file, a "%%" line, the config file. Properties:
//  - section names, keys and values come out trimmed; keys are non-empty and hold no '=';
//  - a file written back from what was parsed parses to the same sections, properties and
//    sub-properties (keys that begin with '[' aside: the format can write those only first in
//    their section);
//  - a profile property is the credentials file's value when it has one, else the config file's;
//  - the resolved endpoints are URLs that parse, and the region is never empty.
#include "aws/endpoints.h"
#include "aws/ini_file.h"
#include "aws/url.h"
#include "fuzz.h"

using namespace au;
using namespace au::aws;

namespace {

bool trimmed(const std::string& s) {
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    return s.empty() || (!space(s.front()) && !space(s.back()));
}

bool writable(const IniFile& file) {
    for (const auto& s : file.sections) {
        for (const auto& [key, p] : s.properties) {
            if (key[0] == '[') return false;
        }
    }
    return true;
}

std::string write(const IniFile& file) {
    std::string out;
    for (const auto& s : file.sections) {
        out += "[" + s.name + "]\n";
        for (const auto& [key, p] : s.properties) {
            std::string value = p.value;
            for (size_t at = value.find('\n'); at != std::string::npos; at = value.find('\n', at))
                value.replace(at, 1, "\n  "), at += 3;
            out += key + " = " + value + "\n";
            for (const auto& [sub, subValue] : p.subProperties) {
                out += "  " + sub + " = " + subValue + "\n";
            }
        }
    }
    return out;
}

std::string describe(const IniFile& file) {
    std::string out;
    for (const auto& s : file.sections) {
        out += "[" + std::to_string(s.name.size()) + ":" + s.name + "]";
        for (const auto& [key, p] : s.properties) {
            out += "{" + key + "=" + std::to_string(p.value.size()) + ":" + p.value;
            for (const auto& [sub, v] : p.subProperties) out += "(" + sub + "=" + v + ")";
            out += "}";
        }
    }
    return out;
}

void checkFile(const IniFile& file) {
    for (const auto& s : file.sections) {
        FUZZ_CHECK(trimmed(s.name));
        for (const auto& [key, p] : s.properties) {
            FUZZ_CHECK(!key.empty() && trimmed(key) && key.find('=') == std::string::npos);
            FUZZ_CHECK(trimmed(p.value));
            for (const auto& [sub, v] : p.subProperties) {
                FUZZ_CHECK(!sub.empty() && trimmed(sub) && trimmed(v));
            }
        }
    }
    if (writable(file)) FUZZ_CHECK(describe(parseIni(write(file))) == describe(file));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto parts = fuzz::parts(fuzz::asText(data, size), 2);
    const std::string credentialsText(parts[0]);
    const std::string configText(parts.size() > 1 ? parts[1] : "");
    const IniFile credentials = parseIni(credentialsText);
    const IniFile config = parseIni(configText);
    checkFile(credentials);
    checkFile(config);

    const ProfileFiles profiles = ProfileFiles::fromText(credentialsText, configText);
    for (const auto& s : credentials.sections) {
        for (const auto& [key, p] : s.properties) {
            // The first section of that name holds the property (repeated sections merge).
            FUZZ_CHECK(profiles.get(s.name, key) == credentials.find(s.name)->get(key)[0]);
        }
    }
    for (const auto& s : config.sections) {
        const bool isProfile = s.name.rfind("profile ", 0) == 0;
        if (!isProfile) continue;
        const std::string name = s.name.substr(8);
        for (const auto& [key, p] : s.properties) {
            auto got = profiles.get(name, key);
            FUZZ_CHECK(got.has_value());
            const IniSection* c = credentials.find(name);
            if (c == nullptr || c->get(key) == nullptr) {
                // The config file's "[profile name]" (or "[default]" for default) answers.
                const IniSection* own = config.find("profile " + name);
                FUZZ_CHECK(*got == *own->get(key));
            }
        }
    }

    for (const std::string profile : {"default", "dev"}) {
        MapEnvironment env;
        EndpointSettings settings;
        settings.profile = profile;
        auto resolved = resolveEndpoints(settings, env, profiles);
        if (!resolved) {
            FUZZ_CHECK(resolved.status().code() == "NoRegion" ||
                       resolved.status().code() == "InvalidRegion" ||
                       resolved.status().code() == "InvalidUrl");
            continue;
        }
        FUZZ_CHECK(!resolved->region.empty());
        FUZZ_CHECK(parseUrl(resolved->dynamodb.url).isOk());
        FUZZ_CHECK(parseUrl(resolved->kinesis.url).isOk());
    }
    return 0;
}
