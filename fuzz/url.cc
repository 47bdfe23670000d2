// Fuzz target: URLs and endpoints — the AWS endpoint URLs (src/aws/url.h, endpoints.h) and the
// redis:// / rediss:// / redis+cluster:// URLs (src/redis/url.h), each read as one server's and
// as a cluster's (activeUsers.redisCluster). Input: the URL text. Properties:
//  - a URL that parses, written back from its parts, parses to the same parts (a cluster's seed
//    list included);
//  - a Redis URL's user and password survive the round trip (percent-encoded), and when it does
//    not parse, the message does not depend on the user information (up to the last '@' before
//    the first '/') — where a password would be — so it cannot echo a password;
//  - an endpoint the resolver accepts parses, with "https://" added when it had no scheme.
#include "aws/url.h"

#include "aws/endpoints.h"
#include "fuzz.h"
#include "redis/url.h"

using namespace au;

namespace {

void checkHttpUrl(const std::string& text) {
    auto url = aws::parseUrl(text);
    if (!url) {
        FUZZ_CHECK(url.status().code() == "InvalidUrl");
        return;
    }
    FUZZ_CHECK(!url->host.empty() && !url->path.empty() && url->path[0] == '/');
    FUZZ_CHECK(url->port >= 0 && url->port <= 65535);
    const std::string written =
        url->origin() + url->path + (url->query.empty() ? "" : "?" + url->query);
    auto again = aws::parseUrl(written);
    FUZZ_CHECK(again);
    FUZZ_CHECK(again->scheme == url->scheme && again->host == url->host);
    FUZZ_CHECK(again->port == url->port && again->path == url->path);
    FUZZ_CHECK(again->query == url->query);
}

std::string writeRedisUrl(const redis::Endpoint& ep) {
    std::string out =
        std::string(ep.tls ? "rediss" : "redis") + (ep.cluster ? "+cluster://" : "://");
    if (ep.password) {
        out +=
            aws::percentEncode(ep.user.value_or("")) + ":" + aws::percentEncode(*ep.password) + "@";
    }
    for (size_t i = 0; i < ep.seeds.size(); ++i) {
        const auto& [host, port] = ep.seeds[i];
        out += (i ? "," : "") + (host.find(':') != std::string::npos ? "[" + host + "]" : host) +
               ":" + std::to_string(port);
    }
    return out + "/" + std::to_string(ep.db);
}

// Letters and digits moved to others of the same kind (hex digits stay hex digits), so a URL
// keeps its shape — what parses still parses, what fails fails the same way — but not its text.
std::string disguised(std::string text, size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
        char& c = text[i];
        if (c >= 'a' && c <= 'f')
            c = static_cast<char>('a' + (c - 'a' + 1) % 6);
        else if (c >= 'g' && c <= 'z')
            c = static_cast<char>('g' + (c - 'g' + 1) % 20);
        else if (c >= 'A' && c <= 'F')
            c = static_cast<char>('A' + (c - 'A' + 1) % 6);
        else if (c >= 'G' && c <= 'Z')
            c = static_cast<char>('G' + (c - 'G' + 1) % 20);
        else if (c >= '1' && c <= '8')
            c = static_cast<char>(c + 1);
    }
    return text;
}

void checkRedisUrl(const std::string& text, bool cluster) {
    auto ep = redis::parseUrl(text, cluster);
    if (ep) {
        FUZZ_CHECK(!ep->host.empty() && ep->port >= 1 && ep->port <= 65535 && ep->db >= 0);
        FUZZ_CHECK(!ep->seeds.empty() && (ep->cluster || ep->seeds.size() == 1));
        FUZZ_CHECK(ep->seeds.front() == std::make_pair(ep->host, ep->port));
        for (const auto& [host, port] : ep->seeds) {
            FUZZ_CHECK(!host.empty() && port >= 1 && port <= 65535);
        }
        FUZZ_CHECK(ep->cluster >= cluster && (!ep->cluster || ep->db == 0));
        const std::string written = writeRedisUrl(ep.value());
        auto again = redis::parseUrl(written);
        FUZZ_CHECK(again);
        FUZZ_CHECK(again->tls == ep->tls && again->host == ep->host && again->port == ep->port);
        FUZZ_CHECK(again->cluster == ep->cluster && again->seeds == ep->seeds);
        FUZZ_CHECK(again->user == ep->user && again->password == ep->password);
        FUZZ_CHECK(again->db == ep->db);
        FUZZ_CHECK(again->redacted() == ep->redacted());
        return;
    }
    FUZZ_CHECK(ep.status().code() == "InvalidRedisUrl");
    // The user information as the parser reads it: up to the last '@' before the first '/' (a
    // password with a '/' must be percent-encoded; RFC 3986).
    const size_t scheme = text.find("://");
    if (scheme == std::string::npos) return;
    const size_t slash = text.find('/', scheme + 3);
    const size_t at = text.rfind('@', slash == std::string::npos ? std::string::npos : slash - 1);
    if (at == std::string::npos || at < scheme + 3) return;
    auto other = redis::parseUrl(disguised(text, scheme + 3, at), cluster);
    if (!other) FUZZ_CHECK(other.status().message() == ep.status().message());
}

void checkEndpoint(const std::string& text) {
    aws::EndpointSettings settings;
    settings.regionName = "eu-west-1";
    settings.dynamoDBEndpoint = text;
    MapEnvironment env;
    auto resolved = aws::resolveEndpoints(settings, env, aws::ProfileFiles::fromText("", ""));
    if (!resolved) {
        FUZZ_CHECK(resolved.status().code() == "InvalidUrl");
        return;
    }
    const auto& url = resolved->dynamodb.url;
    FUZZ_CHECK(aws::parseUrl(url).isOk());
    if (text.empty()) {
        FUZZ_CHECK(resolved->dynamodb.source == "default");
    } else {
        FUZZ_CHECK(url == (text.find("://") == std::string::npos ? "https://" + text : text));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(fuzz::asText(data, size));
    checkHttpUrl(text);
    checkRedisUrl(text, false);
    checkRedisUrl(text, true);
    checkEndpoint(text);
    return 0;
}
