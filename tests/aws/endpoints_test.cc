#include "aws/endpoints.h"

#include <catch2/catch.hpp>

#include "util/env.h"

using namespace au::aws;
using au::MapEnvironment;

TEST_CASE("Region comes from the property, then AWS_REGION, AWS_DEFAULT_REGION, the profile",
          "[aws][endpoints]") {
    MapEnvironment env;
    auto profiles = ProfileFiles::fromText("",
                                           "[default]\nregion = ap-south-1\n"
                                           "[profile other]\nregion = sa-east-1\n");
    EndpointSettings settings;
    CHECK(resolveEndpoints(settings, env, profiles)->region == "ap-south-1");
    env.set("AWS_PROFILE", "other");
    CHECK(resolveEndpoints(settings, env, profiles)->region == "sa-east-1");
    env.set("AWS_DEFAULT_REGION", "eu-north-1");
    CHECK(resolveEndpoints(settings, env, profiles)->region == "eu-north-1");
    env.set("AWS_REGION", "us-west-1");
    CHECK(resolveEndpoints(settings, env, profiles)->region == "us-west-1");
    settings.regionName = "us-east-2";
    auto r = resolveEndpoints(settings, env, profiles);
    CHECK(r->region == "us-east-2");
    CHECK(r->regionSource == "property");
    CHECK(r->dynamodb.url == "https://dynamodb.us-east-2.amazonaws.com");
    CHECK(r->kinesis.url == "https://kinesis.us-east-2.amazonaws.com");
}

TEST_CASE("No region anywhere is NoRegion", "[aws][endpoints]") {
    MapEnvironment env;
    auto r = resolveEndpoints(EndpointSettings{}, env, ProfileFiles::fromText("", ""));
    REQUIRE_FALSE(r.isOk());
    CHECK(r.status().code() == "NoRegion");
}

TEST_CASE("A region that is not a region name is InvalidRegion, naming its source",
          "[aws][endpoints]") {
    // Found by fuzz/ini_profile: "cn-nort:0" made a default endpoint that does not parse.
    for (const char* region : {"cn-nort:0", "us-east-1/x", "eu west 1", "us-east-1@evil.example"}) {
        INFO(region);
        MapEnvironment env;
        auto r = resolveEndpoints(
            EndpointSettings{}, env,
            ProfileFiles::fromText("", std::string("[default]\nregion = ") + region + "\n"));
        REQUIRE_FALSE(r);
        CHECK(r.status().code() == "InvalidRegion");
        CHECK(r.status().message().find("profile default") != std::string::npos);
    }
}

TEST_CASE("China regions use the .amazonaws.com.cn suffix", "[aws][endpoints]") {
    MapEnvironment env(std::map<std::string, std::string>{{"AWS_REGION", "cn-northwest-1"}});
    auto r = resolveEndpoints(EndpointSettings{}, env, ProfileFiles::fromText("", ""));
    CHECK(r->dynamodb.url == "https://dynamodb.cn-northwest-1.amazonaws.com.cn");
    CHECK(r->kinesis.url == "https://kinesis.cn-northwest-1.amazonaws.com.cn");
}

TEST_CASE(
    "Endpoint precedence: property, service variable, global variable, services section, "
    "profile endpoint_url",
    "[aws][endpoints]") {
    MapEnvironment env(std::map<std::string, std::string>{{"AWS_REGION", "us-east-1"}});
    auto profiles = ProfileFiles::fromText(
        "",
        "[default]\nendpoint_url = http://profile-global:1\nservices = local\n"
        "[services local]\ndynamodb =\n  endpoint_url = http://profile-ddb:2\n");
    EndpointSettings settings;
    auto r = resolveEndpoints(settings, env, profiles);
    CHECK(r->dynamodb.url == "http://profile-ddb:2");
    CHECK(r->kinesis.url == "http://profile-global:1");

    env.set("AWS_ENDPOINT_URL", "http://env-global:3");
    r = resolveEndpoints(settings, env, profiles);
    CHECK(r->dynamodb.url == "http://env-global:3");
    CHECK(r->kinesis.url == "http://env-global:3");

    env.set("AWS_ENDPOINT_URL_DYNAMODB", "http://env-ddb:4");
    env.set("AWS_ENDPOINT_URL_KINESIS", "http://env-kinesis:5");
    r = resolveEndpoints(settings, env, profiles);
    CHECK(r->dynamodb.url == "http://env-ddb:4");
    CHECK(r->dynamodb.source == "AWS_ENDPOINT_URL_DYNAMODB");
    CHECK(r->kinesis.url == "http://env-kinesis:5");

    settings.dynamoDBEndpoint = "http://localhost:4567";
    settings.kinesisEndpoint = "kinesis.local:4568";
    r = resolveEndpoints(settings, env, profiles);
    CHECK(r->dynamodb.url == "http://localhost:4567");
    CHECK(r->dynamodb.source == "property");
    CHECK(r->kinesis.url == "https://kinesis.local:4568");
}

TEST_CASE("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS skips configured endpoints but not properties",
          "[aws][endpoints]") {
    MapEnvironment env(
        std::map<std::string, std::string>{{"AWS_REGION", "us-east-1"},
                                           {"AWS_ENDPOINT_URL", "http://env-global:3"},
                                           {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}});
    auto profiles = ProfileFiles::fromText("", "[default]\nendpoint_url = http://p:1\n");
    EndpointSettings settings;
    settings.kinesisEndpoint = "http://localhost:4568";
    auto r = resolveEndpoints(settings, env, profiles);
    CHECK(r->dynamodb.url == "https://dynamodb.us-east-1.amazonaws.com");
    CHECK(r->kinesis.url == "http://localhost:4568");

    SECTION("the profile flag applies when the variable is unset") {
        MapEnvironment env2(std::map<std::string, std::string>{{"AWS_REGION", "us-east-1"}});
        auto p2 = ProfileFiles::fromText(
            "", "[default]\nendpoint_url = http://p:1\nignore_configured_endpoint_urls = true\n");
        CHECK(resolveEndpoints(EndpointSettings{}, env2, p2)->dynamodb.url ==
              "https://dynamodb.us-east-1.amazonaws.com");
    }
}

TEST_CASE("An unparsable endpoint is InvalidUrl", "[aws][endpoints]") {
    MapEnvironment env(std::map<std::string, std::string>{{"AWS_REGION", "us-east-1"}});
    EndpointSettings settings;
    settings.dynamoDBEndpoint = "http://:99999";
    auto r = resolveEndpoints(settings, env, ProfileFiles::fromText("", ""));
    REQUIRE_FALSE(r.isOk());
    CHECK(r.status().code() == "InvalidUrl");
}
