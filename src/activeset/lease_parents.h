#pragma once
// LeaseParents: the parent shards of a shard, from its lease row's `parentShardId` (SS) in the
// KCL lease table (kcl-multilang.md §3), for the warm start.
//
//  - DynamoDbLeaseParents: one consistent GetItem on the lease table. A missing row or attribute
//    means no parents. Errors are the DynamoDB client's.
//  - BoundedLeaseParents: runs another LeaseParents on a helper thread and gives up after
//    `timeoutMillis` ("Timeout"); the abandoned call finishes in the background and is joined
//    when this object is destroyed (the AWS client's own budget bounds it).
//  - makeAwsLeaseParents: the real clients (curl, the standard credentials chain, the daemon's
//    region/endpoint settings) with a short retry budget; fails like resolveEndpoints.
// Thread-compatible: one caller at a time.

#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "aws/dynamodb_client.h"
#include "aws/endpoints.h"
#include "util/clock.h"
#include "util/env.h"
#include "util/status.h"

namespace au::activeset {

class LeaseParents {
  public:
    virtual ~LeaseParents() = default;
    virtual Result<std::vector<std::string>> parentsOf(const std::string& shardId) = 0;
};

class DynamoDbLeaseParents final : public LeaseParents {
  public:
    // REQUIRES: ddb outlives this object.
    DynamoDbLeaseParents(aws::DynamoDbClient& ddb, std::string table)
        : ddb_(ddb), table_(std::move(table)) {}
    Result<std::vector<std::string>> parentsOf(const std::string& shardId) override;

  private:
    aws::DynamoDbClient& ddb_;
    std::string table_;
};

class BoundedLeaseParents final : public LeaseParents {
  public:
    BoundedLeaseParents(std::unique_ptr<LeaseParents> inner, int64_t timeoutMillis)
        : inner_(std::move(inner)), timeoutMillis_(timeoutMillis) {}
    ~BoundedLeaseParents() override;
    Result<std::vector<std::string>> parentsOf(const std::string& shardId) override;

  private:
    std::unique_ptr<LeaseParents> inner_;
    int64_t timeoutMillis_;
    std::thread thread_;
};

// REQUIRES: env and clock outlive the result.
Result<std::unique_ptr<LeaseParents>> makeAwsLeaseParents(const std::string& table,
                                                          const aws::EndpointSettings& endpoints,
                                                          const Environment& env, Clock& clock);

}  // namespace au::activeset
