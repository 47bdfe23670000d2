#include "aws/dynamodb_client.h"

namespace au::aws {
namespace {

void addCondition(nlohmann::json& request, const ConditionalWrite& condition) {
    if (condition.conditionExpression) {
        request["ConditionExpression"] = *condition.conditionExpression;
    }
    if (!condition.expressionAttributeNames.is_null()) {
        request["ExpressionAttributeNames"] = condition.expressionAttributeNames;
    }
    if (!condition.expressionAttributeValues.is_null()) {
        request["ExpressionAttributeValues"] = condition.expressionAttributeValues;
    }
}

}  // namespace

Result<std::optional<Item>> DynamoDbClient::getItem(const std::string& table, const Item& key,
                                                    bool consistentRead) {
    auto r = rpc_.call("GetItem",
                       {{"TableName", table}, {"Key", key}, {"ConsistentRead", consistentRead}});
    if (!r) return r.status();
    auto it = r->find("Item");
    if (it == r->end()) return std::optional<Item>();
    if (!it->is_object()) return Status::error("BadResponse", "GetItem: Item is not an object");
    return std::optional<Item>(std::move(*it));
}

Result<WriteResult> DynamoDbClient::write(const std::string& operation, nlohmann::json request) {
    request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD";
    auto outcome = rpc_.callDetailed(operation, request);
    WriteResult result;
    if (outcome.status.code() == "ConditionalCheckFailedException") {
        result.conditionFailed = true;
        if (outcome.body.is_object()) {
            auto it = outcome.body.find("Item");
            if (it != outcome.body.end() && it->is_object()) result.attributes = *it;
        }
        return result;
    }
    if (!outcome.status) return outcome.status;
    auto it = outcome.body.find("Attributes");
    if (it != outcome.body.end() && it->is_object()) result.attributes = *it;
    return result;
}

Result<WriteResult> DynamoDbClient::updateItem(const UpdateItemRequest& request) {
    nlohmann::json body = {{"TableName", request.table},
                           {"Key", request.key},
                           {"UpdateExpression", request.updateExpression},
                           {"ReturnValues", request.returnValues}};
    addCondition(body, request.condition);
    return write("UpdateItem", std::move(body));
}

Result<WriteResult> DynamoDbClient::putItem(const std::string& table, const Item& item,
                                            const ConditionalWrite& condition,
                                            const std::string& returnValues) {
    nlohmann::json body = {{"TableName", table}, {"Item", item}, {"ReturnValues", returnValues}};
    addCondition(body, condition);
    return write("PutItem", std::move(body));
}

Result<WriteResult> DynamoDbClient::deleteItem(const std::string& table, const Item& key,
                                               const ConditionalWrite& condition,
                                               const std::string& returnValues) {
    nlohmann::json body = {{"TableName", table}, {"Key", key}, {"ReturnValues", returnValues}};
    addCondition(body, condition);
    return write("DeleteItem", std::move(body));
}

Result<std::vector<Item>> DynamoDbClient::scan(const std::string& table,
                                               const ScanOptions& options) {
    std::vector<Item> items;
    nlohmann::json startKey = nullptr;
    for (size_t page = 0; page < options.maxPages; ++page) {
        nlohmann::json request = {{"TableName", table}, {"ConsistentRead", options.consistentRead}};
        if (options.pageLimit) request["Limit"] = *options.pageLimit;
        if (options.filterExpression) request["FilterExpression"] = *options.filterExpression;
        if (!options.expressionAttributeNames.is_null()) {
            request["ExpressionAttributeNames"] = options.expressionAttributeNames;
        }
        if (!options.expressionAttributeValues.is_null()) {
            request["ExpressionAttributeValues"] = options.expressionAttributeValues;
        }
        if (!startKey.is_null()) request["ExclusiveStartKey"] = startKey;
        auto r = rpc_.call("Scan", request);
        if (!r) return r.status();
        auto list = r->find("Items");
        if (list != r->end()) {
            if (!list->is_array()) return Status::error("BadResponse", "Scan: Items is not a list");
            for (auto& item : *list) items.push_back(std::move(item));
        }
        auto last = r->find("LastEvaluatedKey");
        if (last == r->end() || last->is_null() || last->empty()) return items;
        startKey = std::move(*last);
    }
    return Status::error("ScanTooLarge", "Scan of " + table + " exceeded " +
                                             std::to_string(options.maxPages) + " pages");
}

Result<nlohmann::json> DynamoDbClient::createTable(const nlohmann::json& request) {
    return rpc_.call("CreateTable", request);
}

Result<nlohmann::json> DynamoDbClient::describeTable(const std::string& table) {
    return rpc_.call("DescribeTable", {{"TableName", table}});
}

Status DynamoDbClient::deleteTable(const std::string& table) {
    auto r = rpc_.call("DeleteTable", {{"TableName", table}});
    return r ? Status::ok() : r.status();
}

}  // namespace au::aws
