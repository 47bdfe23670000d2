#pragma once
// EC2 instance metadata (IMDSv2 only) credentials.
//
// Flow: PUT <endpoint>/latest/api/token with x-aws-ec2-metadata-token-ttl-seconds: 21600; then,
// with x-aws-ec2-metadata-token, GET /latest/meta-data/iam/security-credentials/ (the role name,
// first line) and GET .../<role> (the JSON document, see credentials_json.h). Endpoint:
// AWS_EC2_METADATA_SERVICE_ENDPOINT, else http://169.254.169.254. 1 s timeouts.
//
// "NoCredentials" when AWS_EC2_METADATA_DISABLED=true, or when the token or role call fails with
// a transport error or 404 (no metadata service / no role: the usual case off EC2);
// "CredentialsError" for other non-200 answers or a bad document. Thread-safe when the HttpClient
// is.

#include "aws/credentials.h"
#include "aws/http_client.h"
#include "util/env.h"

namespace au::aws {

class ImdsCredentialsProvider final : public CredentialsProvider {
  public:
    ImdsCredentialsProvider(const Environment& env, HttpClient& http) : env_(env), http_(http) {}
    Result<Credentials> resolve() override;
    std::string name() const override { return "ec2-metadata"; }

  private:
    const Environment& env_;
    HttpClient& http_;
};

}  // namespace au::aws
