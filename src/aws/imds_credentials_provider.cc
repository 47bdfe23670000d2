#include "aws/imds_credentials_provider.h"

#include <algorithm>
#include <cctype>

#include "aws/credentials_json.h"

namespace au::aws {
namespace {

HttpRequest metadataRequest(const std::string& method, const std::string& url) {
    HttpRequest req;
    req.method = method;
    req.url = url;
    req.connectTimeoutMillis = 1000;
    req.totalTimeoutMillis = 1000;
    return req;
}

Status unavailable(const std::string& step, const Status& cause) {
    return Status::error("NoCredentials",
                         "EC2 metadata unavailable (" + step + "): " + cause.toString());
}

}  // namespace

Result<Credentials> ImdsCredentialsProvider::resolve() {
    std::string disabled = env_.getOr("AWS_EC2_METADATA_DISABLED", "");
    std::transform(disabled.begin(), disabled.end(), disabled.begin(), ::tolower);
    if (disabled == "true") {
        return Status::error("NoCredentials", "EC2 metadata disabled by AWS_EC2_METADATA_DISABLED");
    }
    std::string endpoint =
        env_.getOr("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://169.254.169.254");
    while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();

    auto tokenReq = metadataRequest("PUT", endpoint + "/latest/api/token");
    tokenReq.headers.emplace_back("x-aws-ec2-metadata-token-ttl-seconds", "21600");
    auto tokenRes = http_.send(tokenReq);
    if (!tokenRes) return unavailable("token", tokenRes.status());
    if (tokenRes->status != 200) {
        return Status::error(
            tokenRes->status == 404 ? "NoCredentials" : "CredentialsError",
            "EC2 metadata token request answered HTTP " + std::to_string(tokenRes->status));
    }
    const std::string token = tokenRes->body;

    const std::string base = endpoint + "/latest/meta-data/iam/security-credentials/";
    auto roleReq = metadataRequest("GET", base);
    roleReq.headers.emplace_back("x-aws-ec2-metadata-token", token);
    auto roleRes = http_.send(roleReq);
    if (!roleRes) return unavailable("role", roleRes.status());
    if (roleRes->status == 404) {
        return Status::error("NoCredentials", "no IAM role is attached to this instance");
    }
    if (roleRes->status != 200) {
        return Status::error("CredentialsError", "EC2 metadata role request answered HTTP " +
                                                     std::to_string(roleRes->status));
    }
    std::string role = roleRes->body.substr(0, roleRes->body.find_first_of("\r\n"));
    while (!role.empty() && std::isspace(static_cast<unsigned char>(role.back()))) role.pop_back();
    if (role.empty()) return Status::error("NoCredentials", "EC2 metadata lists no IAM role");

    auto credsReq = metadataRequest("GET", base + role);
    credsReq.headers.emplace_back("x-aws-ec2-metadata-token", token);
    auto credsRes = http_.send(credsReq);
    if (!credsRes) return credsRes.status();
    if (credsRes->status != 200) {
        return Status::error("CredentialsError", "EC2 metadata credentials request answered HTTP " +
                                                     std::to_string(credsRes->status));
    }
    return parseCredentialsJson(credsRes->body, "EC2 metadata");
}

}  // namespace au::aws
