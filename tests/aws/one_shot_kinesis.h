#pragma once
// A KinesisClient that makes one attempt per call (no retries of its own), signed with static
// credentials, over any HttpClient (a scripted fake, or a modelled Kinesis): a test then sees the
// caller's own backoff, not the client's.
#include "aws/credentials.h"
#include "aws/http_client.h"
#include "aws/json_rpc.h"
#include "aws/kinesis_client.h"
#include "util/clock.h"

namespace au::aws::testing {

struct OneShotKinesisClient {
    OneShotKinesisClient(HttpClient& http, Clock& clock)
        : rpc{http,
              creds,
              clock,
              kinesisProtocol(),
              "http://127.0.0.1:1",
              "us-east-1",
              RetryPolicy{1, 1'000, 1, 1, 100, 100},
              [] { return 0.5; }},
          kinesis{rpc} {}
    StaticCredentialsProvider creds{Credentials{"AKID", "SECRET", std::nullopt, std::nullopt}};
    AwsJsonClient rpc;
    KinesisClient kinesis;
};

}  // namespace au::aws::testing
