#include "activeset/lease_parents.h"

#include <chrono>

#include "aws/credentials_chain.h"
#include "aws/curl_http_client.h"
#include "aws/json_rpc.h"

namespace au::activeset {

Result<std::vector<std::string>> DynamoDbLeaseParents::parentsOf(const std::string& shardId) {
    auto item = ddb_.getItem(table_, aws::Item{{"leaseKey", {{"S", shardId}}}}, true);
    if (!item) return item.status();
    std::vector<std::string> parents;
    if (!item.value()) return parents;
    const auto& row = *item.value();
    const auto it = row.find("parentShardId");
    if (it == row.end() || !it->is_object()) return parents;
    const auto ss = it->find("SS");
    if (ss == it->end() || !ss->is_array()) return parents;
    for (const auto& p : *ss) {
        if (p.is_string()) parents.push_back(p.get<std::string>());
    }
    return parents;
}

BoundedLeaseParents::~BoundedLeaseParents() {
    if (thread_.joinable()) thread_.join();
}

Result<std::vector<std::string>> BoundedLeaseParents::parentsOf(const std::string& shardId) {
    if (thread_.joinable()) thread_.join();  // a previous abandoned call
    auto promise = std::make_shared<std::promise<Result<std::vector<std::string>>>>();
    auto future = promise->get_future();
    LeaseParents* inner = inner_.get();
    thread_ =
        std::thread([promise, inner, shardId] { promise->set_value(inner->parentsOf(shardId)); });
    if (future.wait_for(std::chrono::milliseconds(timeoutMillis_)) != std::future_status::ready) {
        return Status::error("Timeout", "the lease table did not answer within " +
                                            std::to_string(timeoutMillis_) + " ms");
    }
    thread_.join();
    return future.get();
}

namespace {

aws::RetryPolicy warmStartRetryPolicy() {
    aws::RetryPolicy p;
    p.maxAttempts = 3;
    p.totalBudgetMillis = 1'500;
    p.baseDelayMillis = 50;
    p.maxDelayMillis = 400;
    p.connectTimeoutMillis = 500;
    p.attemptTimeoutMillis = 1'000;
    return p;
}

struct AwsLeaseParents final : LeaseParents {
    AwsLeaseParents(const std::string& table, const aws::ResolvedEndpoints& endpoints,
                    std::optional<std::string> profile, const Environment& env, Clock& clock)
        : credentials(
              aws::makeDefaultCredentialsChain(env, credentialsHttp, clock, std::move(profile))),
          rpc(dynamodbHttp, *credentials, clock, aws::dynamoDbProtocol(), endpoints.dynamodb.url,
              endpoints.region, warmStartRetryPolicy()),
          ddb(rpc),
          parents(ddb, table) {}
    Result<std::vector<std::string>> parentsOf(const std::string& shardId) override {
        return parents.parentsOf(shardId);
    }

    aws::CurlHttpClient credentialsHttp;
    aws::CurlHttpClient dynamodbHttp;
    std::unique_ptr<aws::CredentialsProvider> credentials;
    aws::AwsJsonClient rpc;
    aws::DynamoDbClient ddb;
    DynamoDbLeaseParents parents;
};

}  // namespace

Result<std::unique_ptr<LeaseParents>> makeAwsLeaseParents(const std::string& table,
                                                          const aws::EndpointSettings& endpoints,
                                                          const Environment& env, Clock& clock) {
    if (table.empty())
        return Status::error("NoTable", "no tableName or applicationName configured");
    auto resolved = aws::resolveEndpoints(endpoints, env);
    if (!resolved) return resolved.status();
    return std::unique_ptr<LeaseParents>(
        std::make_unique<AwsLeaseParents>(table, resolved.value(), endpoints.profile, env, clock));
}

}  // namespace au::activeset
