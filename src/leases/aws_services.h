#pragma once
// AwsServices: one thread's DynamoDB and Kinesis clients for the lease fixers, each over its own
// CurlHttpClient (plus one for the credential sources), signed with the standard credentials
// chain (aws/credentials_chain.h). It is the in-process fixer's FixerAccess (stale_lease_fixer.h),
// which tests substitute with clients over a scripted HTTP client and an in-memory shard.
//
// Thread-compatible: build one per thread (the in-process fixer builds it on its worker thread).

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "aws/credentials.h"
#include "aws/curl_http_client.h"
#include "aws/dynamodb_client.h"
#include "aws/endpoints.h"
#include "aws/kinesis_client.h"
#include "leases/stale_lease_fixer.h"
#include "util/clock.h"
#include "util/env.h"
#include "util/status.h"

namespace au::leases {

struct AwsAccessSettings {
    aws::ResolvedEndpoints endpoints;
    std::optional<std::string> profile;
    aws::RetryPolicy retry;
};

// Short HTTP timeouts and a small time budget (~1.5 s per call), for callers that cannot cancel.
aws::RetryPolicy shortRetryPolicy();
// The in-process fixer's: attempts of up to 10 s (a 10,000-record GetRecords may take seconds, and
// a busy stream's endpoint longer), 30 s per call. Its clients are cancelled when the lease ends,
// so this never delays an exit.
aws::RetryPolicy fixerRetryPolicy();

// Region and endpoints from the daemon's properties first, then the environment and profile
// (aws/endpoints.h). Fails like resolveEndpoints ("NoRegion", "InvalidUrl").
Result<AwsAccessSettings> resolveAwsAccess(const aws::EndpointSettings& daemon,
                                           const Environment& env, aws::RetryPolicy retry);

class AwsServices final : public FixerAccess {
  public:
    // REQUIRES: env and clock outlive this object. `cancelled`, when set, aborts a running HTTP
    // call once it returns true (CurlHttpClientOptions::cancelled).
    AwsServices(const AwsAccessSettings& settings, const Environment& env, Clock& clock,
                std::function<bool()> cancelled = {});
    AwsServices(const AwsServices&) = delete;
    AwsServices& operator=(const AwsServices&) = delete;

    aws::DynamoDbClient& dynamodb() override { return dynamodb_; }
    // A KinesisShardReader over kinesis(), pacing its GetShardIterator calls by the clock.
    std::unique_ptr<ShardReader> shardReader(const std::string& stream, const std::string& shardId,
                                             WaitFunction wait) override;
    aws::KinesisClient& kinesis() { return kinesis_; }
    aws::CredentialsProvider& credentials() { return *credentials_; }

  private:
    Clock& clock_;
    aws::CurlHttpClient credentialsHttp_;
    aws::CurlHttpClient dynamodbHttp_;
    aws::CurlHttpClient kinesisHttp_;
    std::unique_ptr<aws::CredentialsProvider> credentials_;
    aws::AwsJsonClient dynamodbRpc_;
    aws::AwsJsonClient kinesisRpc_;
    aws::DynamoDbClient dynamodb_;
    aws::KinesisClient kinesis_;
};

}  // namespace au::leases
