#include "aws/ini_file.h"

#include <catch2/catch.hpp>

#include "aws/profile_files.h"

using namespace au::aws;

TEST_CASE("The INI parser handles comments, whitespace, continuations and sub-properties",
          "[aws][profile]") {
    auto ini = parseIni(
        "# leading comment\n"
        "; another\n"
        "[default]   ; trailing comment\n"
        "  region  =  eu-west-1   # inline\n"
        "aws_secret_access_key = abc#def\r\n"
        "no equals sign here\n"
        "long = first\n"
        "   second\n"
        "[services local]\n"
        "dynamodb =\n"
        "  endpoint_url = http://localhost:8000\n"
        "kinesis =\n"
        "  endpoint_url = http://localhost:4567 ; comment\n"
        "[broken\n"
        "ignored = yes\n"
        "[default]\n"
        "output = json\n");
    const IniSection* def = ini.find("default");
    REQUIRE(def != nullptr);
    CHECK(*def->get("region") == "eu-west-1");
    CHECK(*def->get("aws_secret_access_key") == "abc#def");
    CHECK(*def->get("long") == "first\nsecond");
    CHECK(*def->get("output") == "json");
    CHECK(def->get("no equals sign here") == nullptr);
    const IniSection* services = ini.find("services local");
    REQUIRE(services != nullptr);
    CHECK(services->properties.at("dynamodb").subProperties.at("endpoint_url") ==
          "http://localhost:8000");
    CHECK(services->properties.at("kinesis").subProperties.at("endpoint_url") ==
          "http://localhost:4567");
    CHECK(ini.find("broken") == nullptr);
    for (const auto& s : ini.sections) CHECK(s.properties.count("ignored") == 0);
}

TEST_CASE(
    "Profile files: credentials file wins, config uses [profile x], sub-sections are not "
    "profiles",
    "[aws][profile]") {
    auto files = ProfileFiles::fromText(
        "[default]\naws_access_key_id = CREDS_KEY\n[dev]\naws_access_key_id = DEV\n",
        "[default]\naws_access_key_id = CONFIG_KEY\nregion = us-west-2\nservices = local\n"
        "[profile dev]\nregion = eu-central-1\n"
        "[ops]\nregion = ap-south-1\n"
        "[services local]\ndynamodb =\n  endpoint_url = http://localhost:8000\n");
    CHECK(files.get("default", "aws_access_key_id") == "CREDS_KEY");
    CHECK(files.get("default", "region") == "us-west-2");
    CHECK(files.get("dev", "region") == "eu-central-1");
    CHECK(files.get("dev", "aws_access_key_id") == "DEV");
    CHECK_FALSE(files.hasProfile("ops"));
    CHECK_FALSE(files.hasProfile("services local"));
    CHECK_FALSE(files.hasProfile("local"));
    CHECK(files.serviceProperty("default", "dynamodb", "endpoint_url") == "http://localhost:8000");
    CHECK_FALSE(files.serviceProperty("default", "kinesis", "endpoint_url"));
    CHECK_FALSE(files.serviceProperty("dev", "dynamodb", "endpoint_url"));
}
