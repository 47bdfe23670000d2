#pragma once
// Container credentials (ECS task roles, EKS Pod Identity).
//
// URL: http://169.254.170.2<AWS_CONTAINER_CREDENTIALS_RELATIVE_URI>, else
// AWS_CONTAINER_CREDENTIALS_FULL_URI, which must be https or name a loopback host (127.0.0.0/8,
// localhost, [::1]) or 169.254.170.2 / 169.254.170.23 / [fd00:ec2::23]. Authorization header:
// the contents of AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, else AWS_CONTAINER_AUTHORIZATION_TOKEN.
// The metadata host is overridable only through the FULL_URI rules above; tests pass loopback.
//
// "NoCredentials" when neither URI variable is set; "CredentialsError" for a disallowed full
// URI, an unreadable token file, a token with CR/LF, a non-200 answer, or a bad document (see
// credentials_json.h); transport errors pass through. Timeouts: 1 s connect, 2 s total.
// Thread-safe when the HttpClient is.

#include "aws/credentials.h"
#include "aws/http_client.h"
#include "util/env.h"

namespace au::aws {

class ContainerCredentialsProvider final : public CredentialsProvider {
  public:
    ContainerCredentialsProvider(const Environment& env, HttpClient& http)
        : env_(env), http_(http) {}
    Result<Credentials> resolve() override;
    std::string name() const override { return "container"; }

  private:
    const Environment& env_;
    HttpClient& http_;
};

}  // namespace au::aws
