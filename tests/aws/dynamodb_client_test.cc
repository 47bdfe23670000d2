#include "aws/dynamodb_client.h"

#include <catch2/catch.hpp>

#include "fake_http_client.h"
#include "util/clock.h"

using namespace au::aws;
using au::aws::testing::FakeHttpClient;

namespace {

// Every attribute type, with numbers that a double would mangle; keys sorted, compact, as
// nlohmann::json prints them.
const std::string kItem =
    R"({"b":{"B":"AAEC/w=="},"bool":{"BOOL":true},"bs":{"BS":["AA==","AQ=="]},)"
    R"("l":{"L":[{"N":"1"},{"S":"two"},{"NULL":true}]},)"
    R"("leaseKey":{"S":"shardId-000000000001"},)"
    R"("m":{"M":{"big":{"N":"123456789012345678901234567890.123456789"},"neg":{"N":"-0.000001E-130"}}},)"
    R"("n":{"N":"9007199254740993"},"ns":{"NS":["1","1.50","1e3"]},"null":{"NULL":true},)"
    R"("s":{"S":"tab\tquote\"ünïcødé ✓"},"ss":{"SS":["a","b"]}})";

struct Fixture {
    au::ManualClock clock{1'700'000'000'000};
    FakeHttpClient http;
    StaticCredentialsProvider creds{Credentials{"AKID", "SECRET", std::nullopt, std::nullopt}};
    AwsJsonClient rpc{http,
                      creds,
                      clock,
                      dynamoDbProtocol(),
                      "http://localhost:4567",
                      "us-east-1",
                      RetryPolicy{},
                      [] { return 0.0; }};
    DynamoDbClient ddb{rpc};
};

}  // namespace

TEST_CASE("GetItem preserves every attribute type byte for byte", "[aws][dynamodb]") {
    Fixture f;
    f.http.respond(200, R"({"Item":)" + kItem + "}");
    auto key = nlohmann::json::parse(R"({"leaseKey":{"S":"shardId-000000000001"}})");
    auto r = f.ddb.getItem("leases", key, true);
    REQUIRE(r.isOk());
    REQUIRE(r.value().has_value());
    CHECK(r.value()->dump() == kItem);
    CHECK((*r.value())["n"]["N"].is_string());
    CHECK(f.http.requests().at(0).body ==
          R"({"ConsistentRead":true,"Key":{"leaseKey":{"S":"shardId-000000000001"}},)"
          R"("TableName":"leases"})");
}

TEST_CASE("GetItem of a missing item is an empty optional", "[aws][dynamodb]") {
    Fixture f;
    f.http.respond(200, "{}");
    auto r = f.ddb.getItem("leases", {{"k", {{"S", "x"}}}});
    REQUIRE(r.isOk());
    CHECK_FALSE(r.value().has_value());
}

TEST_CASE("UpdateItem sends values untouched and returns ALL_NEW attributes byte for byte",
          "[aws][dynamodb]") {
    Fixture f;
    f.http.respond(200, R"({"Attributes":)" + kItem + "}");
    UpdateItemRequest req;
    req.table = "leases";
    req.key = nlohmann::json::parse(R"({"leaseKey":{"S":"shardId-000000000001"}})");
    req.updateExpression = "SET #v = :v";
    req.condition.conditionExpression = "attribute_exists(leaseKey)";
    req.condition.expressionAttributeNames = {{"#v", "value"}};
    req.condition.expressionAttributeValues = {{":v", nlohmann::json::parse(kItem)["m"]}};
    auto r = f.ddb.updateItem(req);
    REQUIRE(r.isOk());
    CHECK_FALSE(r->conditionFailed);
    CHECK(r->attributes.dump() == kItem);
    auto sent = nlohmann::json::parse(f.http.requests().at(0).body);
    CHECK(sent["ReturnValues"] == "ALL_NEW");
    CHECK(sent["ReturnValuesOnConditionCheckFailure"] == "ALL_OLD");
    CHECK(sent["ConditionExpression"] == "attribute_exists(leaseKey)");
    CHECK(f.http.requests().at(0).body.find(
              R"(":v":{"M":{"big":{"N":"123456789012345678901234567890.123456789"})") !=
          std::string::npos);
}

TEST_CASE("A failed condition is a decision carrying the current item, not an error",
          "[aws][dynamodb]") {
    Fixture f;
    f.http.respond(
        400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
             R"("message":"The conditional request failed","Item":)" +
                 kItem + "}");
    UpdateItemRequest req;
    req.table = "leases";
    req.key = {{"leaseKey", {{"S", "shardId-000000000001"}}}};
    req.updateExpression = "SET leaseCounter = :c";
    req.condition.conditionExpression = "leaseCounter = :old";
    auto r = f.ddb.updateItem(req);
    REQUIRE(r.isOk());
    CHECK(r->conditionFailed);
    CHECK(r->attributes.dump() == kItem);
    CHECK(f.http.callCount() == 1);

    SECTION("without an item (it does not exist) the attributes are empty") {
        f.http.respond(400, R"({"__type":"x#ConditionalCheckFailedException"})");
        auto r2 = f.ddb.deleteItem("leases", req.key, req.condition);
        REQUIRE(r2.isOk());
        CHECK(r2->conditionFailed);
        CHECK(r2->attributes == nlohmann::json::object());
    }
}

TEST_CASE("Other write errors stay errors", "[aws][dynamodb]") {
    Fixture f;
    f.http.respond(400, R"({"__type":"x#ResourceNotFoundException","message":"no table"})");
    auto r = f.ddb.putItem("missing", nlohmann::json::parse(kItem));
    REQUIRE_FALSE(r.isOk());
    CHECK(r.status().code() == "ResourceNotFoundException");
}

TEST_CASE("Scan follows LastEvaluatedKey until it is absent", "[aws][dynamodb]") {
    Fixture f;
    f.http
        .respond(
            200,
            R"({"Items":[{"k":{"S":"1"}},{"k":{"S":"2"}}],"LastEvaluatedKey":{"k":{"S":"2"}}})")
        .respond(200, R"({"Items":[],"LastEvaluatedKey":{"k":{"S":"2b"}}})")
        .respond(200, R"({"Items":[{"k":{"S":"3"}}],"Count":1})");
    ScanOptions options;
    options.pageLimit = 2;
    options.consistentRead = true;
    auto r = f.ddb.scan("leases", options);
    REQUIRE(r.isOk());
    REQUIRE(r->size() == 3);
    CHECK(r.value()[2]["k"]["S"] == "3");
    auto reqs = f.http.requests();
    REQUIRE(reqs.size() == 3);
    auto first = nlohmann::json::parse(reqs[0].body);
    CHECK_FALSE(first.contains("ExclusiveStartKey"));
    CHECK(first["Limit"] == 2);
    CHECK(first["ConsistentRead"] == true);
    CHECK(nlohmann::json::parse(reqs[1].body)["ExclusiveStartKey"]["k"]["S"] == "2");
    CHECK(nlohmann::json::parse(reqs[2].body)["ExclusiveStartKey"]["k"]["S"] == "2b");
}

TEST_CASE("A scan page that keeps failing fails the scan", "[aws][dynamodb]") {
    Fixture f;
    f.http.respond(200, R"({"Items":[{"k":{"S":"1"}}],"LastEvaluatedKey":{"k":{"S":"1"}}})")
        .respond(400, R"({"__type":"x#ValidationException","message":"bad"})");
    auto r = f.ddb.scan("leases");
    REQUIRE_FALSE(r.isOk());
    CHECK(r.status().code() == "ValidationException");
}

TEST_CASE("Table administration passes documents through", "[aws][dynamodb]") {
    Fixture f;
    f.http.respond(200, R"({"TableDescription":{"TableStatus":"CREATING"}})")
        .respond(200, R"({"Table":{"TableStatus":"ACTIVE"}})")
        .respond(200, "{}");
    auto create = f.ddb.createTable(
        {{"TableName", "leases"},
         {"KeySchema", {{{"AttributeName", "leaseKey"}, {"KeyType", "HASH"}}}},
         {"AttributeDefinitions", {{{"AttributeName", "leaseKey"}, {"AttributeType", "S"}}}},
         {"BillingMode", "PAY_PER_REQUEST"}});
    REQUIRE(create.isOk());
    CHECK(f.ddb.describeTable("leases").value()["Table"]["TableStatus"] == "ACTIVE");
    CHECK(f.ddb.deleteTable("leases").isOk());
    CHECK(FakeHttpClient::headerOf(f.http.requests()[0], "x-amz-target") ==
          "DynamoDB_20120810.CreateTable");
    CHECK(FakeHttpClient::headerOf(f.http.requests()[2], "x-amz-target") ==
          "DynamoDB_20120810.DeleteTable");
}
