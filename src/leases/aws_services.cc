#include "leases/aws_services.h"

#include "aws/credentials_chain.h"

namespace au::leases {

aws::RetryPolicy shortRetryPolicy() {
    aws::RetryPolicy p;
    p.maxAttempts = 3;
    p.totalBudgetMillis = 1500;
    p.baseDelayMillis = 50;
    p.maxDelayMillis = 500;
    p.connectTimeoutMillis = 500;
    p.attemptTimeoutMillis = 1000;
    return p;
}

aws::RetryPolicy fixerRetryPolicy() {
    aws::RetryPolicy p;
    p.maxAttempts = 3;
    p.totalBudgetMillis = 30'000;
    p.baseDelayMillis = 100;
    p.maxDelayMillis = 500;
    p.connectTimeoutMillis = 1'000;
    p.attemptTimeoutMillis = 10'000;
    return p;
}

Result<AwsAccessSettings> resolveAwsAccess(const aws::EndpointSettings& daemon,
                                           const Environment& env, aws::RetryPolicy retry) {
    auto endpoints = aws::resolveEndpoints(daemon, env);
    if (!endpoints) return endpoints.status();
    AwsAccessSettings s;
    s.endpoints = std::move(endpoints).value();
    s.profile = daemon.profile;
    s.retry = retry;
    return s;
}

namespace {
aws::CurlHttpClientOptions cancellable(std::function<bool()> cancelled) {
    aws::CurlHttpClientOptions o;
    o.cancelled = std::move(cancelled);
    return o;
}
}  // namespace

AwsServices::AwsServices(const AwsAccessSettings& settings, const Environment& env, Clock& clock,
                         std::function<bool()> cancelled)
    : clock_(clock),
      credentialsHttp_(cancellable(cancelled)),
      dynamodbHttp_(cancellable(cancelled)),
      kinesisHttp_(cancellable(cancelled)),
      credentials_(
          aws::makeDefaultCredentialsChain(env, credentialsHttp_, clock, settings.profile)),
      dynamodbRpc_(dynamodbHttp_, *credentials_, clock, aws::dynamoDbProtocol(),
                   settings.endpoints.dynamodb.url, settings.endpoints.region, settings.retry),
      kinesisRpc_(kinesisHttp_, *credentials_, clock, aws::kinesisProtocol(),
                  settings.endpoints.kinesis.url, settings.endpoints.region, settings.retry),
      dynamodb_(dynamodbRpc_),
      kinesis_(kinesisRpc_) {}

std::unique_ptr<ShardReader> AwsServices::shardReader(const std::string& stream,
                                                      const std::string& shardId,
                                                      WaitFunction wait) {
    ShardReaderOptions options;
    options.now = [this] { return clock_.nowMillis(); };
    return std::make_unique<KinesisShardReader>(kinesis_, stream, shardId, std::move(wait),
                                                std::move(options));
}

}  // namespace au::leases
