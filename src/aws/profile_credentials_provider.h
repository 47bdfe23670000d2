#pragma once
// Credentials from the shared files (see profile_files.h): aws_access_key_id,
// aws_secret_access_key and optional aws_session_token of one profile (the explicit name, else
// AWS_PROFILE, else "default").
//
// "NoCredentials" when the profile does not exist or has no static keys; "CredentialsError" when
// the profile exists but only half of the key pair, a key or token with control characters (a
// value continued on an indented line), or asks for a source this project does not
// implement (role_arn, credential_process, sso_*) — so a misconfiguration is not silently skipped.
// Re-reads the files on every call (wrap it in the caching provider). Thread-safe.

#include <optional>

#include "aws/credentials.h"
#include "util/env.h"

namespace au::aws {

class ProfileCredentialsProvider final : public CredentialsProvider {
  public:
    explicit ProfileCredentialsProvider(const Environment& env,
                                        std::optional<std::string> profile = std::nullopt)
        : env_(env), profile_(std::move(profile)) {}
    Result<Credentials> resolve() override;
    std::string name() const override { return "profile"; }

  private:
    const Environment& env_;
    std::optional<std::string> profile_;
};

}  // namespace au::aws
