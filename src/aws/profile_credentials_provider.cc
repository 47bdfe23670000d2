#include "aws/profile_credentials_provider.h"

#include "aws/profile_files.h"

namespace au::aws {

Result<Credentials> ProfileCredentialsProvider::resolve() {
    const std::string profile = profile_.value_or(selectedProfileName(env_));
    ProfileFiles files = ProfileFiles::load(env_);
    if (!files.hasProfile(profile)) {
        return Status::error("NoCredentials", "profile '" + profile + "' not found");
    }
    auto key = files.get(profile, "aws_access_key_id");
    auto secret = files.get(profile, "aws_secret_access_key");
    if (key && secret && !key->empty() && !secret->empty()) {
        Credentials c;
        c.accessKeyId = *key;
        c.secretAccessKey = *secret;
        auto token = files.get(profile, "aws_session_token");
        if (token && !token->empty()) c.sessionToken = *token;
        // e.g. a token continued on an indented line holds a newline.
        if (hasControlCharacters(c)) {
            return Status::error("CredentialsError", "profile '" + profile +
                                                         "': a key or token holds control "
                                                         "characters");
        }
        return c;
    }
    if (key || secret) {
        return Status::error("CredentialsError", "profile '" + profile +
                                                     "' has only one of aws_access_key_id and "
                                                     "aws_secret_access_key");
    }
    for (const char* unsupported : {"role_arn", "credential_process", "sso_session",
                                    "sso_start_url", "web_identity_token_file"}) {
        if (files.get(profile, unsupported)) {
            return Status::error("CredentialsError", "profile '" + profile + "' uses " +
                                                         unsupported +
                                                         ", which active-users does not support");
        }
    }
    return Status::error("NoCredentials", "profile '" + profile + "' has no static keys");
}

}  // namespace au::aws
