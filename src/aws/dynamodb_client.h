#pragma once
// DynamoDbClient: the few DynamoDB operations active-users needs, over an AwsJsonClient.
//
// Items, keys and attribute values are nlohmann::json in DynamoDB's typed form
// ({"S":"x"}, {"N":"12"}, {"B":"<base64>"}, {"SS":[..]}, {"M":{..}}, ...). They are passed
// through untouched in both directions: numbers stay strings, nothing is converted.
//
// Errors are the AwsJsonClient's (see json_rpc.h), plus "BadResponse" when an answer lacks an
// expected field. A failed condition is NOT an error for the write operations: it comes back as
// WriteResult{conditionFailed = true, attributes = the current item (ALL_OLD) or empty}.
// Thread-compatible, like the AwsJsonClient it uses.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aws/json_rpc.h"
#include "util/status.h"

namespace au::aws {

using Item = nlohmann::json;  // attribute name -> typed value

struct ConditionalWrite {
    std::optional<std::string> conditionExpression;
    nlohmann::json expressionAttributeNames = nullptr;   // {"#n": "name"} or null
    nlohmann::json expressionAttributeValues = nullptr;  // {":v": {"S": "x"}} or null
};

struct UpdateItemRequest {
    std::string table;
    Item key;
    std::string updateExpression;
    ConditionalWrite condition;            // names/values also serve the update expression
    std::string returnValues = "ALL_NEW";  // NONE | ALL_OLD | UPDATED_OLD | ALL_NEW | UPDATED_NEW
};

struct WriteResult {
    bool conditionFailed = false;
    // On success: the attributes asked for by returnValues (empty object for NONE).
    // On conditionFailed: the item as it is now (ALL_OLD), empty object when it does not exist.
    Item attributes = Item::object();
};

struct ScanOptions {
    std::optional<int> pageLimit;  // Limit per request
    bool consistentRead = false;
    std::optional<std::string> filterExpression;
    nlohmann::json expressionAttributeNames = nullptr;
    nlohmann::json expressionAttributeValues = nullptr;
    size_t maxPages = 10'000;  // safety stop; reaching it is "ScanTooLarge"
};

class DynamoDbClient {
  public:
    // REQUIRES: rpc uses dynamoDbProtocol() and outlives this object.
    explicit DynamoDbClient(AwsJsonClient& rpc) : rpc_(rpc) {}

    // The item, or nullopt when there is none.
    Result<std::optional<Item>> getItem(const std::string& table, const Item& key,
                                        bool consistentRead = true);
    // UpdateItem with ReturnValuesOnConditionCheckFailure=ALL_OLD.
    Result<WriteResult> updateItem(const UpdateItemRequest& request);
    // PutItem; `returnValues` NONE or ALL_OLD.
    Result<WriteResult> putItem(const std::string& table, const Item& item,
                                const ConditionalWrite& condition = {},
                                const std::string& returnValues = "NONE");
    // DeleteItem; `returnValues` NONE or ALL_OLD.
    Result<WriteResult> deleteItem(const std::string& table, const Item& key,
                                   const ConditionalWrite& condition = {},
                                   const std::string& returnValues = "NONE");
    // Every item of the table, following LastEvaluatedKey. Each page is one retried call.
    Result<std::vector<Item>> scan(const std::string& table, const ScanOptions& options = {});

    // Table administration, for tools and tests: raw request / response documents.
    Result<nlohmann::json> createTable(const nlohmann::json& request);
    Result<nlohmann::json> describeTable(const std::string& table);
    Status deleteTable(const std::string& table);

  private:
    Result<WriteResult> write(const std::string& operation, nlohmann::json request);
    AwsJsonClient& rpc_;
};

}  // namespace au::aws
