// Fuzz target: credential documents (src/aws/credentials_json.h: the container and EC2 metadata
// endpoints; web_identity_credentials_provider.h: STS AssumeRoleWithWebIdentity XML), and the
// provider around the JSON one. Input: "json" or "xml", a "%%" line, the document.
// Properties: accepted credentials have a non-empty key id and secret, hold no control characters
// (they go into HTTP headers), and an Expiration that parses as ISO-8601; a rejected document
// fails with "CredentialsError" and a message that does not change when the secret and the token
// do (so it cannot quote them).
#include <nlohmann/json.hpp>

#include "aws/container_credentials_provider.h"
#include "aws/credentials_json.h"
#include "aws/fake_http_client.h"
#include "aws/web_identity_credentials_provider.h"
#include "fuzz.h"

using namespace au;
using namespace au::aws;

namespace {

bool printable(const std::string& s) {
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) return false;
    }
    return true;
}

// Letters and digits moved to others of the same kind: same shape, other text.
std::string disguised(std::string text) {
    for (char& c : text) {
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>('a' + (c - 'a' + 1) % 26);
        else if (c >= 'A' && c <= 'Z')
            c = static_cast<char>('A' + (c - 'A' + 1) % 26);
        else if (c >= '0' && c <= '9')
            c = static_cast<char>('0' + (c - '0' + 1) % 10);
    }
    return text;
}

// The document with its secret and token disguised, or "" when it has none to disguise.
std::string withSecretsDisguised(const std::string& document, bool xml) {
    if (xml) {
        std::string out = document;
        for (const std::string& tag :
             {std::string("SecretAccessKey"), std::string("SessionToken")}) {
            const auto start = out.find("<" + tag + ">");
            if (start == std::string::npos) continue;
            const auto from = start + tag.size() + 2;
            const auto end = out.find("</" + tag + ">", from);
            const std::string inner = out.substr(from, end - from);
            if (end == std::string::npos || inner.find('<') != std::string::npos) continue;
            out.replace(from, end - from, disguised(inner));
        }
        return out;
    }
    auto j = nlohmann::json::parse(document, nullptr, false);
    if (!j.is_object()) return "";
    for (const char* key : {"SecretAccessKey", "Token"}) {
        auto it = j.find(key);
        if (it != j.end() && it->is_string()) *it = disguised(it->get<std::string>());
    }
    return j.dump();
}

Result<Credentials> parse(const std::string& document, bool xml) {
    return xml ? parseStsCredentialsXml(document)
               : parseCredentialsJson(document, "container endpoint");
}

void check(const Result<Credentials>& creds, const std::string& document, bool xml) {
    if (creds) {
        FUZZ_CHECK(!creds->accessKeyId.empty() && !creds->secretAccessKey.empty());
        FUZZ_CHECK(printable(creds->accessKeyId) && printable(creds->secretAccessKey));
        if (creds->sessionToken) FUZZ_CHECK(printable(*creds->sessionToken));
        return;
    }
    FUZZ_CHECK(creds.status().code() == "CredentialsError");
    // The message does not depend on the secret or the token: it cannot quote them.
    const std::string other = withSecretsDisguised(document, xml);
    if (other.empty()) return;
    const auto again = parse(other, xml);
    FUZZ_CHECK(!again && again.status().message() == creds.status().message());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto parts = fuzz::parts(fuzz::asText(data, size), 2);
    if (parts.size() < 2) return 0;
    const std::string document(parts[1]);
    if (parts[0] == "xml") {
        check(parse(document, true), document, true);
        return 0;
    }
    const auto creds = parse(document, false);
    check(creds, document, false);

    // The same document from a container endpoint: the provider adds nothing and hides nothing.
    testing::FakeHttpClient http;
    http.respond(200, document);
    MapEnvironment env({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/x"}});
    ContainerCredentialsProvider provider(env, http);
    const auto viaProvider = provider.resolve();
    FUZZ_CHECK(viaProvider.isOk() == creds.isOk());
    if (creds) {
        FUZZ_CHECK(viaProvider->secretAccessKey == creds->secretAccessKey);
        FUZZ_CHECK(viaProvider->expirationMillis == creds->expirationMillis);
    }
    return 0;
}
