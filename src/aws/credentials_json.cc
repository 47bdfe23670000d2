#include "aws/credentials_json.h"

#include <nlohmann/json.hpp>

#include "util/time_format.h"

namespace au::aws {

Result<Credentials> parseCredentialsJson(const std::string& body, const std::string& source) {
    auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object()) {
        return Status::error("CredentialsError", source + ": answer is not a JSON object");
    }
    auto text = [&](const char* key) -> std::string {
        auto it = doc.find(key);
        return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    std::string code = text("Code");
    if (!code.empty() && code != "Success") {
        return Status::error("CredentialsError", source + ": Code=" + code + " " + text("Message"));
    }
    Credentials c;
    c.accessKeyId = text("AccessKeyId");
    c.secretAccessKey = text("SecretAccessKey");
    if (c.accessKeyId.empty() || c.secretAccessKey.empty()) {
        return Status::error("CredentialsError",
                             source + ": answer lacks AccessKeyId or SecretAccessKey");
    }
    std::string token = text("Token");
    if (!token.empty()) c.sessionToken = token;
    if (hasControlCharacters(c)) {
        return Status::error("CredentialsError",
                             source + ": a key or token holds control characters");
    }
    std::string expiration = text("Expiration");
    if (!expiration.empty()) {
        auto millis = parseIso8601Millis(expiration);
        if (!millis) {
            return Status::error("CredentialsError",
                                 source + ": bad Expiration '" + expiration + "'");
        }
        c.expirationMillis = millis.value();
    }
    return c;
}

}  // namespace au::aws
