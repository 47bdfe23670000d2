#include "aws/json_rpc.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "aws/crypto.h"
#include "aws/sigv4.h"

namespace au::aws {
namespace {

std::string errorName(const std::string& type) {
    auto hash = type.rfind('#');
    std::string name = hash == std::string::npos ? type : type.substr(hash + 1);
    auto colon = name.find(':');  // some services append ":http://internal.amazon.com/..."
    if (colon != std::string::npos) name.resize(colon);
    return name;
}

std::string messageOf(const nlohmann::json& body) {
    for (const char* key : {"message", "Message", "errorMessage"}) {
        auto it = body.find(key);
        if (it != body.end() && it->is_string()) return it->get<std::string>();
    }
    return "";
}

}  // namespace

const AwsJsonProtocol& dynamoDbProtocol() {
    static const AwsJsonProtocol p{"application/x-amz-json-1.0", "DynamoDB_20120810", "dynamodb"};
    return p;
}

const AwsJsonProtocol& kinesisProtocol() {
    static const AwsJsonProtocol p{"application/x-amz-json-1.1", "Kinesis_20131202", "kinesis"};
    return p;
}

bool isRetryableError(const std::string& code, long httpStatus) {
    static const std::set<std::string> kCodes = {"ProvisionedThroughputExceededException",
                                                 "ThrottlingException",
                                                 "Throttling",
                                                 "RequestLimitExceeded",
                                                 "LimitExceededException",
                                                 "TooManyRequestsException",
                                                 "KMSThrottlingException",
                                                 "InternalServerError",
                                                 "InternalFailure",
                                                 "ServiceUnavailable",
                                                 "ServiceUnavailableException",
                                                 "Timeout",
                                                 "ConnectionError",
                                                 "CRC32Mismatch"};
    if (kCodes.count(code) > 0) return true;
    return httpStatus == 500 || httpStatus == 502 || httpStatus == 503 || httpStatus == 504;
}

AwsJsonClient::AwsJsonClient(HttpClient& http, CredentialsProvider& credentials, Clock& clock,
                             AwsJsonProtocol protocol, std::string endpointUrl, std::string region,
                             RetryPolicy policy, RandomSource random)
    : http_(http),
      credentials_(credentials),
      clock_(clock),
      protocol_(std::move(protocol)),
      endpoint_(std::move(endpointUrl)),
      region_(std::move(region)),
      policy_(policy),
      random_(std::move(random)) {
    if (endpoint_.find('/', endpoint_.find("://") + 3) == std::string::npos) endpoint_ += '/';
    policy_.maxAttempts = std::max(1, policy_.maxAttempts);
}

Result<nlohmann::json> AwsJsonClient::call(const std::string& operation,
                                           const nlohmann::json& request) {
    auto outcome = callDetailed(operation, request);
    if (!outcome.status) return outcome.status;
    return std::move(outcome.body);
}

JsonCallOutcome AwsJsonClient::callDetailed(const std::string& operation,
                                            const nlohmann::json& request) {
    std::string body;
    try {
        body = request.dump();
    } catch (const std::exception& e) {
        JsonCallOutcome bad;
        bad.status = Status::error("SerializationError",
                                   operation + ": cannot encode the request: " + e.what());
        return bad;
    }

    const int64_t start = clock_.nowMillis();
    const int64_t deadline = start + policy_.totalBudgetMillis;
    bool refreshedCredentials = false;
    JsonCallOutcome outcome;
    for (int attemptNo = 1;; ++attemptNo) {
        int64_t left = deadline - clock_.nowMillis();
        int64_t timeout = std::max<int64_t>(1, std::min(policy_.attemptTimeoutMillis, left));
        outcome = attempt(operation, body, timeout);
        outcome.attempts = attemptNo;
        if (outcome.status) return outcome;

        const std::string& code = outcome.status.code();
        bool retry = isRetryableError(code, outcome.httpStatus);
        if (code == "ExpiredTokenException" && !refreshedCredentials) {
            credentials_.invalidate();
            refreshedCredentials = true;
            retry = true;
        }
        if (!retry) return outcome;

        int64_t delay = backoffDelayMillis(policy_, attemptNo, random_());
        if (attemptNo >= policy_.maxAttempts || clock_.nowMillis() + delay >= deadline) {
            outcome.status = Status::error(
                code, outcome.status.message() + " (after " + std::to_string(attemptNo) +
                          " attempts, " + std::to_string(clock_.nowMillis() - start) + " ms)");
            return outcome;
        }
        spdlog::debug("{} {}: {} (HTTP {}), retry {} in {} ms", protocol_.signingName, operation,
                      code, outcome.httpStatus, attemptNo, delay);
        clock_.sleepMillis(delay);
    }
}

JsonCallOutcome AwsJsonClient::attempt(const std::string& operation, const std::string& body,
                                       int64_t timeoutMillis) {
    JsonCallOutcome out;
    auto creds = credentials_.resolve();
    if (!creds) {
        out.status =
            Status::error("NoCredentials", "no AWS credentials for " + protocol_.signingName + " " +
                                               operation + ": " + creds.status().toString());
        return out;
    }

    HttpRequest req;
    req.method = "POST";
    req.url = endpoint_;
    req.headers = {{"Content-Type", protocol_.contentType},
                   {"X-Amz-Target", protocol_.targetPrefix + "." + operation}};
    req.body = body;
    req.connectTimeoutMillis = std::min(policy_.connectTimeoutMillis, timeoutMillis);
    req.totalTimeoutMillis = timeoutMillis;
    auto signedOk = sign(req, creds.value(), region_, protocol_.signingName, clock_.nowMillis());
    if (!signedOk) {
        out.status = signedOk.status();
        return out;
    }

    auto res = http_.send(req);
    if (!res) {
        out.status = res.status();
        return out;
    }
    out.httpStatus = res->status;
    const std::string requestId = res->header("x-amzn-RequestId").value_or("-");

    if (auto crc = res->header("x-amz-crc32")) {
        uint32_t expected = 0;
        bool parsed =
            !crc->empty() && crc->size() <= 10 && std::all_of(crc->begin(), crc->end(), ::isdigit);
        if (parsed) expected = static_cast<uint32_t>(std::stoull(*crc));
        if (!parsed || expected != crc32(res->body)) {
            out.status = Status::error("CRC32Mismatch", operation + ": x-amz-crc32 " + *crc +
                                                            " does not match the body (request " +
                                                            requestId + ")");
            return out;
        }
    }

    out.body = nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false);
    if (out.body.is_discarded()) out.body = nullptr;

    if (res->status >= 200 && res->status < 300) {
        if (!out.body.is_object()) {
            out.body = nullptr;
            out.status =
                Status::error("BadResponse", operation + ": HTTP " + std::to_string(res->status) +
                                                 " with a body that is not a JSON "
                                                 "object (request " +
                                                 requestId + ")");
        }
        return out;
    }

    std::string code;
    std::string message;
    if (out.body.is_object()) {
        auto type = out.body.find("__type");
        if (type != out.body.end() && type->is_string()) code = errorName(type->get<std::string>());
        message = messageOf(out.body);
    }
    if (code.empty()) {
        if (auto header = res->header("x-amzn-ErrorType")) code = errorName(*header);
    }
    if (code.empty()) code = "HttpStatus" + std::to_string(res->status);
    out.status =
        Status::error(code, operation + ": " + (message.empty() ? code : message) + " (HTTP " +
                                std::to_string(res->status) + ", request " + requestId + ")");
    return out;
}

}  // namespace au::aws
