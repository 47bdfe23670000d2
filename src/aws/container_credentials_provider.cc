#include "aws/container_credentials_provider.h"

#include "aws/credentials_json.h"
#include "aws/file_text.h"
#include "aws/url.h"

namespace au::aws {
namespace {

bool allowedHttpHost(const std::string& host) {
    if (host == "localhost" || host == "[::1]" || host == "169.254.170.2" ||
        host == "169.254.170.23" || host == "[fd00:ec2::23]") {
        return true;
    }
    return host.rfind("127.", 0) == 0;
}

}  // namespace

Result<Credentials> ContainerCredentialsProvider::resolve() {
    std::string url;
    const std::string relative = env_.getOr("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "");
    const std::string full = env_.getOr("AWS_CONTAINER_CREDENTIALS_FULL_URI", "");
    if (!relative.empty()) {
        url = "http://169.254.170.2" + (relative[0] == '/' ? relative : "/" + relative);
    } else if (!full.empty()) {
        auto parsed = parseUrl(full);
        if (!parsed) return Status::error("CredentialsError", parsed.status().message());
        if (parsed->scheme != "https" &&
            !(parsed->scheme == "http" && allowedHttpHost(parsed->host))) {
            return Status::error("CredentialsError",
                                 "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or a loopback/"
                                 "container metadata host, not " +
                                     parsed->origin());
        }
        url = full;
    } else {
        return Status::error("NoCredentials",
                             "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and "
                             "AWS_CONTAINER_CREDENTIALS_FULL_URI are not set");
    }

    HttpRequest req;
    req.method = "GET";
    req.url = url;
    req.connectTimeoutMillis = 1000;
    req.totalTimeoutMillis = 2000;
    std::string token;
    const std::string tokenFile = env_.getOr("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "");
    if (!tokenFile.empty()) {
        auto text = readFileText(tokenFile);
        if (!text) return Status::error("CredentialsError", "cannot read " + tokenFile);
        token = *text;
        while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    } else {
        token = env_.getOr("AWS_CONTAINER_AUTHORIZATION_TOKEN", "");
    }
    if (token.find_first_of("\r\n") != std::string::npos) {
        return Status::error("CredentialsError", "container authorization token contains CR/LF");
    }
    if (!token.empty()) req.headers.emplace_back("Authorization", token);

    auto res = http_.send(req);
    if (!res) return res.status();
    if (res->status != 200) {
        return Status::error("CredentialsError",
                             "container endpoint answered HTTP " + std::to_string(res->status));
    }
    return parseCredentialsJson(res->body, "container endpoint");
}

}  // namespace au::aws
