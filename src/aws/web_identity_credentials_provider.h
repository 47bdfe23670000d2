#pragma once
// Web identity (EKS IRSA): exchanges the token in AWS_WEB_IDENTITY_TOKEN_FILE for credentials of
// AWS_ROLE_ARN via STS AssumeRoleWithWebIdentity (an unsigned form POST).
//
// Endpoint: AWS_ENDPOINT_URL_STS, else https://sts.<region>.amazonaws.com (".com.cn" for cn-
// regions) with the region from AWS_REGION / AWS_DEFAULT_REGION, else https://sts.amazonaws.com.
// Session name: AWS_ROLE_SESSION_NAME, else "active-users-<epoch ms>".
//
// "NoCredentials" when AWS_ROLE_ARN or AWS_WEB_IDENTITY_TOKEN_FILE is unset; "CredentialsError"
// when the token file cannot be read, STS answers with an error (its Code and Message are
// included) or an unparsable document; transport errors pass through. The token file is re-read
// on every call (it rotates). One attempt per call. Thread-safe when the HttpClient is.

#include <optional>
#include <string>

#include "aws/credentials.h"
#include "aws/http_client.h"
#include "util/clock.h"
#include "util/env.h"

namespace au::aws {

class WebIdentityCredentialsProvider final : public CredentialsProvider {
  public:
    WebIdentityCredentialsProvider(const Environment& env, HttpClient& http, Clock& clock)
        : env_(env), http_(http), clock_(clock) {}
    Result<Credentials> resolve() override;
    std::string name() const override { return "web-identity"; }

  private:
    const Environment& env_;
    HttpClient& http_;
    Clock& clock_;
};

// Extracts the credentials from an AssumeRoleWithWebIdentity (or AssumeRole) XML answer; an
// <Error> document becomes "CredentialsError" with its Code and Message, and so do keys or a token
// with control characters. Exposed for tests.
Result<Credentials> parseStsCredentialsXml(const std::string& xml);

}  // namespace au::aws
