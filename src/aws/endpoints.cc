#include "aws/endpoints.h"

#include <algorithm>
#include <cctype>

#include "aws/url.h"

namespace au::aws {
namespace {

std::optional<std::string> nonEmpty(const std::optional<std::string>& v) {
    if (v && !v->empty()) return v;
    return std::nullopt;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), ::tolower);
    return s;
}

Result<ServiceEndpoint> pick(const std::string& service, const std::string& envSuffix,
                             const std::optional<std::string>& property, bool ignoreConfigured,
                             const std::string& region, const std::string& profile,
                             const Environment& env, const ProfileFiles& profiles) {
    std::optional<ServiceEndpoint> chosen;
    if (auto v = nonEmpty(property)) {
        chosen = ServiceEndpoint{*v, "property"};
    } else if (!ignoreConfigured) {
        const std::string specific = "AWS_ENDPOINT_URL_" + envSuffix;
        if (auto v1 = nonEmpty(env.get(specific))) {
            chosen = ServiceEndpoint{*v1, specific};
        } else if (auto v2 = nonEmpty(env.get("AWS_ENDPOINT_URL"))) {
            chosen = ServiceEndpoint{*v2, "AWS_ENDPOINT_URL"};
        } else if (auto v3 = nonEmpty(profiles.serviceProperty(profile, service, "endpoint_url"))) {
            chosen = ServiceEndpoint{*v3, "profile " + profile + " services " + service};
        } else if (auto v4 = nonEmpty(profiles.get(profile, "endpoint_url"))) {
            chosen = ServiceEndpoint{*v4, "profile " + profile + " endpoint_url"};
        }
    }
    if (!chosen) return ServiceEndpoint{defaultServiceUrl(service, region), "default"};
    if (chosen->url.find("://") == std::string::npos) chosen->url = "https://" + chosen->url;
    auto parsed = parseUrl(chosen->url);
    if (!parsed) {
        return Status::error("InvalidUrl", service + " endpoint from " + chosen->source + ": " +
                                               parsed.status().message());
    }
    return *chosen;
}

}  // namespace

std::string defaultServiceUrl(const std::string& service, const std::string& region) {
    std::string suffix = region.rfind("cn-", 0) == 0 ? ".amazonaws.com.cn" : ".amazonaws.com";
    return "https://" + service + "." + region + suffix;
}

Result<ResolvedEndpoints> resolveEndpoints(const EndpointSettings& settings, const Environment& env,
                                           const ProfileFiles& profiles) {
    const std::string profile = settings.profile.value_or(selectedProfileName(env));
    ResolvedEndpoints out;
    if (auto r = nonEmpty(settings.regionName)) {
        out.region = *r, out.regionSource = "property";
    } else if (auto r1 = nonEmpty(env.get("AWS_REGION"))) {
        out.region = *r1, out.regionSource = "AWS_REGION";
    } else if (auto r2 = nonEmpty(env.get("AWS_DEFAULT_REGION"))) {
        out.region = *r2, out.regionSource = "AWS_DEFAULT_REGION";
    } else if (auto r3 = nonEmpty(profiles.get(profile, "region"))) {
        out.region = *r3, out.regionSource = "profile " + profile;
    } else {
        return Status::error("NoRegion",
                             "no region: set regionName in the properties, AWS_REGION, "
                             "AWS_DEFAULT_REGION or a region in profile '" +
                                 profile + "'");
    }

    // The default endpoints are built from it: a ':' or '/' there would make them unparsable or
    // point elsewhere (found by fuzz/ini_profile with region = cn-nort:0).
    if (!std::all_of(out.region.begin(), out.region.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
        })) {
        return Status::error("InvalidRegion", "region \"" + out.region + "\" from " +
                                                  out.regionSource + " is not a region name");
    }

    bool ignoreConfigured;
    if (auto flag = nonEmpty(env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))) {
        ignoreConfigured = lower(*flag) == "true";
    } else {
        ignoreConfigured =
            lower(profiles.get(profile, "ignore_configured_endpoint_urls").value_or("")) == "true";
    }

    auto ddb = pick("dynamodb", "DYNAMODB", settings.dynamoDBEndpoint, ignoreConfigured, out.region,
                    profile, env, profiles);
    if (!ddb) return ddb.status();
    auto kin = pick("kinesis", "KINESIS", settings.kinesisEndpoint, ignoreConfigured, out.region,
                    profile, env, profiles);
    if (!kin) return kin.status();
    out.dynamodb = ddb.value();
    out.kinesis = kin.value();
    return out;
}

Result<ResolvedEndpoints> resolveEndpoints(const EndpointSettings& settings,
                                           const Environment& env) {
    return resolveEndpoints(settings, env, ProfileFiles::load(env));
}

}  // namespace au::aws
