#include "aws/environment_credentials_provider.h"

namespace au::aws {

Result<Credentials> EnvironmentCredentialsProvider::resolve() {
    Credentials c;
    c.accessKeyId = env_.getOr("AWS_ACCESS_KEY_ID", "");
    c.secretAccessKey = env_.getOr("AWS_SECRET_ACCESS_KEY", "");
    if (c.accessKeyId.empty() || c.secretAccessKey.empty()) {
        return Status::error("NoCredentials",
                             "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set");
    }
    std::string token = env_.getOr("AWS_SESSION_TOKEN", "");
    if (!token.empty()) c.sessionToken = token;
    if (hasControlCharacters(c)) {
        return Status::error("CredentialsError",
                             "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY or AWS_SESSION_TOKEN holds "
                             "control characters");
    }
    return c;
}

}  // namespace au::aws
