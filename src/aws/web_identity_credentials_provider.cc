#include "aws/web_identity_credentials_provider.h"

#include <cctype>

#include "aws/file_text.h"
#include "aws/url.h"
#include "util/time_format.h"

namespace au::aws {
namespace {

std::string xmlUnescape(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '&') {
            auto semi = s.find(';', i);
            if (semi != std::string::npos) {
                std::string entity = s.substr(i + 1, semi - i - 1);
                const char* rep = entity == "amp"    ? "&"
                                  : entity == "lt"   ? "<"
                                  : entity == "gt"   ? ">"
                                  : entity == "quot" ? "\""
                                  : entity == "apos" ? "'"
                                                     : nullptr;
                if (rep != nullptr) {
                    out += rep;
                    i = semi;
                    continue;
                }
            }
        }
        out.push_back(s[i]);
    }
    return out;
}

// Text of the first <tag>...</tag> inside [from, to) of `xml`, unescaped and trimmed.
std::optional<std::string> element(const std::string& xml, const std::string& tag, size_t from = 0,
                                   size_t to = std::string::npos) {
    const std::string open = "<" + tag + ">", close = "</" + tag + ">";
    size_t start = xml.find(open, from);
    if (start == std::string::npos || (to != std::string::npos && start >= to)) return std::nullopt;
    start += open.size();
    size_t end = xml.find(close, start);
    if (end == std::string::npos || (to != std::string::npos && end > to)) return std::nullopt;
    // A text element only: a value spanning other tags (a malformed document) is no value, so an
    // error message never quotes what those tags hold, such as a session token (fuzz/credentials).
    if (xml.find('<', start) < end) return std::nullopt;
    std::string text = xmlUnescape(xml.substr(start, end - start));
    size_t b = text.find_first_not_of(" \t\r\n"), e = text.find_last_not_of(" \t\r\n");
    return b == std::string::npos ? std::string() : text.substr(b, e - b + 1);
}

std::string trimNewlines(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
}

}  // namespace

Result<Credentials> parseStsCredentialsXml(const std::string& xml) {
    if (xml.find("<Error>") != std::string::npos) {
        return Status::error("CredentialsError", "STS error " + element(xml, "Code").value_or("?") +
                                                     ": " + element(xml, "Message").value_or(""));
    }
    size_t block = xml.find("<Credentials>");
    size_t blockEnd = xml.find("</Credentials>");
    if (block == std::string::npos || blockEnd == std::string::npos) {
        return Status::error("CredentialsError", "STS answer has no <Credentials> element");
    }
    Credentials c;
    c.accessKeyId = element(xml, "AccessKeyId", block, blockEnd).value_or("");
    c.secretAccessKey = element(xml, "SecretAccessKey", block, blockEnd).value_or("");
    auto token = element(xml, "SessionToken", block, blockEnd);
    if (c.accessKeyId.empty() || c.secretAccessKey.empty() || !token || token->empty()) {
        return Status::error("CredentialsError",
                             "STS answer lacks AccessKeyId, SecretAccessKey "
                             "or SessionToken");
    }
    c.sessionToken = *token;
    if (hasControlCharacters(c)) {
        return Status::error("CredentialsError",
                             "STS answer: a key or token holds control characters");
    }
    if (auto expiration = element(xml, "Expiration", block, blockEnd)) {
        auto millis = parseIso8601Millis(*expiration);
        if (!millis) return Status::error("CredentialsError", "STS answer has a bad Expiration");
        c.expirationMillis = millis.value();
    }
    return c;
}

Result<Credentials> WebIdentityCredentialsProvider::resolve() {
    const std::string roleArn = env_.getOr("AWS_ROLE_ARN", "");
    const std::string tokenFile = env_.getOr("AWS_WEB_IDENTITY_TOKEN_FILE", "");
    if (roleArn.empty() || tokenFile.empty()) {
        return Status::error("NoCredentials",
                             "AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are not both set");
    }
    auto token = readFileText(tokenFile);
    if (!token || trimNewlines(*token).empty()) {
        return Status::error("CredentialsError",
                             "cannot read web identity token file " + tokenFile);
    }
    const std::string sessionName =
        env_.getOr("AWS_ROLE_SESSION_NAME", "active-users-" + std::to_string(clock_.nowMillis()));

    std::string endpoint = env_.getOr("AWS_ENDPOINT_URL_STS", "");
    if (endpoint.empty()) {
        std::string region = env_.getOr("AWS_REGION", env_.getOr("AWS_DEFAULT_REGION", ""));
        if (region.empty()) {
            endpoint = "https://sts.amazonaws.com";
        } else {
            endpoint = "https://sts." + region + ".amazonaws.com" +
                       (region.rfind("cn-", 0) == 0 ? ".cn" : "");
        }
    }
    if (endpoint.back() != '/') endpoint += '/';

    HttpRequest req;
    req.method = "POST";
    req.url = endpoint;
    req.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                   {"Accept", "text/xml"}};
    req.body =
        "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" + percentEncode(roleArn) +
        "&RoleSessionName=" + percentEncode(sessionName) +
        "&WebIdentityToken=" + percentEncode(trimNewlines(*token));
    req.connectTimeoutMillis = 2000;
    req.totalTimeoutMillis = 5000;
    auto res = http_.send(req);
    if (!res) return res.status();
    auto creds = parseStsCredentialsXml(res->body);
    if (!creds && res->status != 200) {
        return Status::error("CredentialsError", "STS HTTP " + std::to_string(res->status) + ": " +
                                                     creds.status().message());
    }
    return creds;
}

}  // namespace au::aws
