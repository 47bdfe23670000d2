#include <spdlog/sinks/stdout_sinks.h>

#include <catch2/catch.hpp>

#include "util/base64.h"
#include "util/guid.h"
#include "util/log.h"
#include "util/properties.h"
#include "util/time_format.h"

using namespace au;

TEST_CASE("base64 decodes the RFC 4648 vectors and rejects what is not base64", "[util]") {
    const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                           {"Zg==", "f"},
                                                           {"Zm8=", "fo"},
                                                           {"Zm9v", "foo"},
                                                           {"Zm9vYg==", "foob"},
                                                           {"Zm9vYmE=", "fooba"},
                                                           {"Zm9vYmFy", "foobar"}};
    for (auto [encoded, plain] : vectors) {
        std::string out;
        CHECK(base64Decode(encoded, out));
        CHECK(out == plain);
        CHECK(base64Encode(plain) == encoded);
    }
    std::string out;
    CHECK(base64Decode("Zm9vYg", out));  // unpadded is accepted
    for (const char* bad : {"!!!", "Zm9v YmFy", "Z", "Zm9vY===", "Zg=a", "Zh==", "Zm9=", "Zm-v"}) {
        std::string o;
        INFO(bad);
        CHECK_FALSE(base64Decode(bad, o));
    }
}

TEST_CASE("GUIDs parse in any case and format canonically", "[util]") {
    auto g = parseGuid("3F2504E0-4F89-11D3-9A0C-0305E82C3301");
    REQUIRE(g);
    CHECK(formatGuid(*g) == "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
    CHECK(parseGuid("{3f2504e0-4f89-11d3-9a0c-0305e82c3301}") == g);
    CHECK(parseGuid("3f2504e0-4f89-11d3-9a0c-0305e82c3301") == g);
    CHECK_FALSE(parseGuid("3f2504e04f8911d39a0c0305e82c3301"));
    CHECK_FALSE(parseGuid("3f2504e0-4f89-11d3-9a0c-0305e82c330g"));
    CHECK_FALSE(parseGuid("user-42"));
}

TEST_CASE("ISO-8601 timestamps convert to epoch milliseconds and back", "[util]") {
    CHECK(parseIso8601Millis("1970-01-01T00:00:00Z") == 0);
    CHECK(parseIso8601Millis("2026-11-27T21:08:28.082Z") == 1795813708082);
    CHECK(parseIso8601Millis("2026-11-27T22:08:28.082+01:00") == 1795813708082);
    CHECK(parseIso8601Millis("2026-11-27 21:08:28.0821234z") == 1795813708082);
    CHECK(parseIso8601Millis("1969-12-31T23:59:59.999Z") == -1);
    CHECK_FALSE(parseIso8601Millis("2026-11-27T21:08:28"));  // no zone
    CHECK_FALSE(parseIso8601Millis("2026-13-27T21:08:28Z"));
    CHECK_FALSE(parseIso8601Millis("yesterday"));
    // Days the month does not have (found by fuzz/iso8601: they rolled into the next month).
    CHECK_FALSE(parseIso8601Millis("2022-02-29T23:59:40Z"));
    CHECK_FALSE(parseIso8601Millis("1900-02-29T00:00:00Z"));
    CHECK_FALSE(parseIso8601Millis("2026-04-31T00:00:00Z"));
    CHECK(parseIso8601Millis("2000-02-29T00:00:00Z") == 951782400000);
    CHECK(parseIso8601Millis("2024-02-29T00:00:00Z") == 1709164800000);
    CHECK(formatIso8601Millis(1795813708082) == "2026-11-27T21:08:28.082Z");
    CHECK(formatIso8601Millis(-1) == "1969-12-31T23:59:59.999Z");
    CHECK(floorDiv(-1, 1000) == -1);
    CHECK(floorDiv(1999, 1000) == 1);
}

TEST_CASE("Java properties: separators, comments, continuations and escapes", "[util]") {
    const auto p = parseProperties(
        "# comment\n"
        "! another\n"
        "streamName = heartbeats\n"
        "applicationName:app  \n"
        "regionName us-east-1\n"
        "executableName = build/active-users \\\n"
        "    --properties x.properties\n"
        "tab\\ key = a\\tb\\u0041\n"
        "  indented=yes\r\n"
        "empty=\n");
    CHECK(p.values.at("streamName") == "heartbeats");
    CHECK(p.values.at("applicationName") == "app");
    CHECK(p.values.at("regionName") == "us-east-1");
    CHECK(p.values.at("executableName") == "build/active-users --properties x.properties");
    CHECK(p.values.at("tab key") == "a\tbA");
    CHECK(p.values.at("indented") == "yes");
    CHECK(p.values.at("empty").empty());
    CHECK(p.lineOf.at("regionName") == 5);
    CHECK(p.values.size() == 7);
}

TEST_CASE("Java properties: backslash-u escapes are UTF-16, surrogate pairs included", "[util]") {
    // Found by fuzz/properties: each half of a pair was written as its own 3-byte sequence.
    const auto p =
        parseProperties("pair = \\uD83D\\uDE00\nlone = a\\uDC00b\\uD800\ntwo = \\u00e9\\u20AC\n");
    CHECK(p.values.at("pair") == "\xF0\x9F\x98\x80");  // U+1F600
    CHECK(p.values.at("lone") ==
          "a\xEF\xBF\xBD"
          "b\xEF\xBF\xBD");  // U+FFFD for each
    CHECK(p.values.at("two") == "\xC3\xA9\xE2\x82\xAC");
}

TEST_CASE("initLogging leaves no log sink on stdout", "[util]") {
    const auto previous = spdlog::default_logger();
    initLogging("test", "debug");
    const auto logger = spdlog::default_logger();
    REQUIRE_FALSE(logger->sinks().empty());
    for (const auto& sink : logger->sinks()) {
        CHECK(dynamic_cast<spdlog::sinks::stderr_sink_mt*>(sink.get()) != nullptr);
    }
    CHECK(logger->level() == spdlog::level::debug);
    setLogLevel("no-such-level");  // unknown names mean info
    CHECK(logger->level() == spdlog::level::info);
    spdlog::set_default_logger(previous);
}
