#pragma once
// Region and endpoint resolution for DynamoDB and Kinesis.
//
// Region: the daemon's regionName property > AWS_REGION > AWS_DEFAULT_REGION > the profile's
// `region`. Endpoint, per service: the daemon's property (dynamoDBEndpoint / kinesisEndpoint) >
// AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_KINESIS > AWS_ENDPOINT_URL > the profile's
// "[services x]" sub-property `<service> = endpoint_url = ...` > the profile's `endpoint_url` >
// https://dynamodb.<region>.amazonaws.com / https://kinesis.<region>.amazonaws.com (".com.cn"
// for cn- regions). AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (or the profile's
// ignore_configured_endpoint_urls=true when the variable is unset) skips the environment and
// profile endpoints, never the daemon's own properties. An endpoint without a scheme gets
// "https://". The SigV4 Host comes from the chosen URL (with the port when non-default).
//
// Fails with "NoRegion" when no source names a region, "InvalidRegion" for a region with other
// characters than letters, digits and '-', or "InvalidUrl" for an unparsable endpoint. Pure apart
// from reading the profile files in the convenience overload; thread-safe.

#include <optional>
#include <string>

#include "aws/profile_files.h"
#include "util/env.h"
#include "util/status.h"

namespace au::aws {

struct EndpointSettings {
    std::optional<std::string> regionName;        // the daemon's regionName property
    std::optional<std::string> dynamoDBEndpoint;  // the daemon's dynamoDBEndpoint property
    std::optional<std::string> kinesisEndpoint;   // the daemon's kinesisEndpoint property
    std::optional<std::string> profile;           // else AWS_PROFILE, else "default"
};

struct ServiceEndpoint {
    std::string url;     // e.g. "https://dynamodb.us-east-1.amazonaws.com"
    std::string source;  // where it came from, for a startup log line (e.g. "AWS_ENDPOINT_URL")
};

struct ResolvedEndpoints {
    std::string region;
    std::string regionSource;
    ServiceEndpoint dynamodb;
    ServiceEndpoint kinesis;
};

Result<ResolvedEndpoints> resolveEndpoints(const EndpointSettings& settings, const Environment& env,
                                           const ProfileFiles& profiles);
// Same, loading the profile files named by `env`.
Result<ResolvedEndpoints> resolveEndpoints(const EndpointSettings& settings,
                                           const Environment& env);

// The public AWS endpoint of `service` ("dynamodb", "kinesis", "sts") in `region`.
std::string defaultServiceUrl(const std::string& service, const std::string& region);

}  // namespace au::aws
