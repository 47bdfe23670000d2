#pragma once
// AwsJsonClient: calls one AWS JSON-protocol service (DynamoDB: x-amz-json-1.0,
// "DynamoDB_20120810.<Op>"; Kinesis: x-amz-json-1.1, "Kinesis_20131202.<Op>").
//
// Each attempt resolves credentials (so refreshed ones are picked up), signs with the clock's
// current time, and POSTs the JSON body to the endpoint. Outcomes:
//  - HTTP 200 with a JSON body (and a matching x-amz-crc32 when present): the parsed body.
//  - An AWS error: Status code = the `__type` name after '#' (e.g.
//    "ConditionalCheckFailedException"), message = the service's message plus HTTP status and
//    request id. Without a parsable `__type` the code is "HttpStatus<nnn>".
//  - Transport failures: "Timeout", "ConnectionError", "HttpError" from the HttpClient.
//  - "CRC32Mismatch" when x-amz-crc32 disagrees with the body; "BadResponse" for a 200 whose body
//    is not a JSON object; "NoCredentials" when no credentials can be resolved (the provider's
//    reason in the message); "SerializationError" when the request cannot be encoded (e.g.
//    invalid UTF-8).
// Retried with full-jitter backoff (Clock::sleepMillis), within RetryPolicy.maxAttempts AND
// totalBudgetMillis: throttling (ProvisionedThroughputExceededException, ThrottlingException,
// Throttling, RequestLimitExceeded, LimitExceededException, TooManyRequestsException,
// KMSThrottlingException), InternalServerError/ServiceUnavailable, HTTP 500/502/503/504,
// Timeout, ConnectionError, CRC32Mismatch, and once ExpiredTokenException (after invalidating the
// credentials provider). Everything else — ConditionalCheckFailedException (a decision),
// ValidationException, ResourceNotFoundException, AccessDeniedException,
// UnrecognizedClientException, signature errors — returns at once. After the last attempt, the
// last error is returned with "(after N attempts)" appended to its message.
//
// Never logs bodies, credentials or signatures. Thread-compatible, like its HttpClient: use one
// AwsJsonClient (and HttpClient) per thread; the CredentialsProvider may be shared if it is
// thread-safe (the caching provider is).

#include <nlohmann/json.hpp>
#include <string>

#include "aws/credentials.h"
#include "aws/http_client.h"
#include "aws/retry_policy.h"
#include "util/clock.h"
#include "util/status.h"

namespace au::aws {

struct AwsJsonProtocol {
    std::string contentType;   // "application/x-amz-json-1.0"
    std::string targetPrefix;  // "DynamoDB_20120810"
    std::string signingName;   // "dynamodb"
};

const AwsJsonProtocol& dynamoDbProtocol();
const AwsJsonProtocol& kinesisProtocol();

// The full outcome of a call, for callers that need the error body (e.g. the item DynamoDB
// returns with ReturnValuesOnConditionCheckFailure=ALL_OLD).
struct JsonCallOutcome {
    Status status;        // ok, or the error described above
    nlohmann::json body;  // the parsed response body (success or AWS error), else null
    long httpStatus = 0;  // 0 when no response arrived
    int attempts = 0;
};

// Whether an error code is retried (see the list above; "ExpiredTokenException" is not included
// since it is retried only once, after a credential refresh).
bool isRetryableError(const std::string& code, long httpStatus);

class AwsJsonClient {
  public:
    // REQUIRES: http, credentials and clock outlive this object.
    AwsJsonClient(HttpClient& http, CredentialsProvider& credentials, Clock& clock,
                  AwsJsonProtocol protocol, std::string endpointUrl, std::string region,
                  RetryPolicy policy = {}, RandomSource random = defaultRandomSource());

    // The parsed response, or the error Status.
    Result<nlohmann::json> call(const std::string& operation, const nlohmann::json& request);
    JsonCallOutcome callDetailed(const std::string& operation, const nlohmann::json& request);

    const RetryPolicy& policy() const { return policy_; }
    const std::string& endpointUrl() const { return endpoint_; }

  private:
    JsonCallOutcome attempt(const std::string& operation, const std::string& body,
                            int64_t timeoutMillis);

    HttpClient& http_;
    CredentialsProvider& credentials_;
    Clock& clock_;
    AwsJsonProtocol protocol_;
    std::string endpoint_;
    std::string region_;
    RetryPolicy policy_;
    RandomSource random_;
};

}  // namespace au::aws
