#pragma once
// Credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and optional AWS_SESSION_TOKEN.
// "NoCredentials" unless both keys are set and non-empty; "CredentialsError" when one holds
// control characters. Reads the Environment on every call;
// thread-safe when the Environment is.

#include "aws/credentials.h"
#include "util/env.h"

namespace au::aws {

class EnvironmentCredentialsProvider final : public CredentialsProvider {
  public:
    explicit EnvironmentCredentialsProvider(const Environment& env) : env_(env) {}
    Result<Credentials> resolve() override;
    std::string name() const override { return "environment"; }

  private:
    const Environment& env_;
};

}  // namespace au::aws
