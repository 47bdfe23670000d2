#include "leases/lease_editor.h"

#include <catch2/catch.hpp>

#include "lease_fixtures.h"

using namespace au::leases;
using namespace au::leases::testing;

namespace {
const RewriteTarget kToLatest{"LATEST", std::nullopt};
}

namespace {

nlohmann::json bodyOf(const au::aws::HttpRequest& r) { return nlohmann::json::parse(r.body); }

nlohmann::json rewritten(nlohmann::json item, const std::string& counter,
                         bool removeOwner = false) {
    item["checkpoint"] = {{"S", "LATEST"}};
    item["checkpointSubSequenceNumber"] = {{"N", "0"}};
    item["leaseCounter"] = {{"N", counter}};
    item.erase("pendingCheckpoint");
    item.erase("pendingCheckpointSubSequenceNumber");
    item.erase("pendingCheckpointState");
    if (removeOwner) item.erase("leaseOwner");
    return item;
}

}  // namespace

TEST_CASE("An owned lease is rewritten with the exact conditional UpdateItem of §5",
          "[leases][editor]") {
    au::ManualClock clock(1'700'000'000'000);
    DdbFixture f(clock);
    const auto item = kclLease("shardId-000000000001", "TRIM_HORIZON", "7");
    f.http.respond(200, getItemAnswer(item)).respond(200, updateAnswer(rewritten(item, "9")));
    LeaseEditor editor(f.ddb, "app-leases");
    auto r = editor.rewriteToLatest("shardId-000000000001");
    REQUIRE(r.isOk());
    CHECK(r->outcome == EditOutcome::kRewritten);
    CHECK(r->writes == 1);
    REQUIRE(r->after);
    CHECK(r->after->checkpoint == "LATEST");

    const auto requests = f.http.requests();
    REQUIRE(requests.size() == 2);
    CHECK(operationOf(requests[0]) == "GetItem");
    CHECK(bodyOf(requests[0])["ConsistentRead"] == true);
    CHECK(operationOf(requests[1]) == "UpdateItem");
    const auto sent = bodyOf(requests[1]);
    CHECK(sent["TableName"] == "app-leases");
    CHECK(sent["Key"] == nlohmann::json::parse(R"({"leaseKey":{"S":"shardId-000000000001"}})"));
    CHECK(sent["UpdateExpression"] ==
          "SET #cp = :target, #cpSub = :zero, #counter = :next "
          "REMOVE #pending, #pendingSub, #pendingState");
    CHECK(sent["ConditionExpression"] ==
          "attribute_exists(#key) AND #counter = :counter AND #cp = :cp AND "
          "attribute_not_exists(#cpOwner) AND (attribute_not_exists(#type) OR #type = :lease)");
    CHECK(sent["ExpressionAttributeNames"] == nlohmann::json::parse(R"({
        "#key":"leaseKey","#counter":"leaseCounter","#cp":"checkpoint",
        "#cpSub":"checkpointSubSequenceNumber","#pending":"pendingCheckpoint",
        "#pendingSub":"pendingCheckpointSubSequenceNumber","#pendingState":"pendingCheckpointState",
        "#cpOwner":"checkpointOwner","#type":"entityType"})"));
    CHECK(sent["ExpressionAttributeValues"] == nlohmann::json::parse(R"({
        ":target":{"S":"LATEST"},":zero":{"N":"0"},":next":{"N":"9"},":counter":{"N":"7"},
        ":cp":{"S":"TRIM_HORIZON"},":lease":{"S":"LEASE"}})"));
    CHECK(sent["ReturnValuesOnConditionCheckFailure"] == "ALL_OLD");
}

TEST_CASE("REMOVE leaseOwner is an option for owned leases", "[leases][editor]") {
    auto row = parseLeaseRow(kclLease("s", "AT_TIMESTAMP", "3")).value();
    auto req = LeaseEditor::buildRewrite("t", row, /*removeLeaseOwner=*/true, kToLatest);
    CHECK(req.updateExpression ==
          "SET #cp = :target, #cpSub = :zero, #counter = :next "
          "REMOVE #pending, #pendingSub, #pendingState, #owner");
    CHECK(req.condition.expressionAttributeNames["#owner"] == "leaseOwner");
    CHECK(req.condition.expressionAttributeValues[":next"]["N"] == "5");
}

TEST_CASE("An unowned lease is rewritten with attribute_not_exists(leaseOwner) and counter + 1",
          "[leases][editor]") {
    auto row = parseLeaseRow(kclLease("s", "TRIM_HORIZON", "12", nullptr)).value();
    for (bool removeOwner : {false, true}) {
        auto req = LeaseEditor::buildRewrite("t", row, removeOwner, kToLatest);
        CHECK(req.condition.conditionExpression->find("AND attribute_not_exists(#owner)") !=
              std::string::npos);
        CHECK(req.condition.expressionAttributeValues[":next"]["N"] == "13");
        CHECK(req.updateExpression.find("#owner") == std::string::npos);
    }
}

TEST_CASE("A cut writes the sequence number and the cut mark, and never moves a checkpoint back",
          "[leases][editor]") {
    const std::string cut = "49650000000000000000000000000000000000000000000000000100";
    auto row = parseLeaseRow(kclLease("s", "TRIM_HORIZON", "7")).value();
    auto req = LeaseEditor::buildRewrite("t", row, false, RewriteTarget{cut, 1'700'000'000'123});
    CHECK(req.updateExpression ==
          "SET #cp = :target, #cpSub = :zero, #counter = :next, #cutCp = :target, "
          "#cutAt = :cutAt REMOVE #pending, #pendingSub, #pendingState");
    CHECK(req.condition.expressionAttributeNames["#cutCp"] == "activeUsersCutCheckpoint");
    CHECK(req.condition.expressionAttributeNames["#cutAt"] == "activeUsersCutAtMillis");
    CHECK(req.condition.expressionAttributeValues[":target"] == nlohmann::json{{"S", cut}});
    CHECK(req.condition.expressionAttributeValues[":cutAt"] ==
          nlohmann::json{{"N", "1700000000123"}});

    // A lease already at or past the cut (a later sequence number) is not written.
    au::ManualClock clock(0);
    DdbFixture f(clock);
    f.http.respond(200, getItemAnswer(kclLease("s", cut, "7")))
        .respond(200, getItemAnswer(kclLease("s", cut + "0", "7")))    // 10x larger
        .respond(200, getItemAnswer(kclLease("s", "00" + cut, "7")));  // equal as a number
    LeaseEditor editor(f.ddb, "t");
    for (int i = 0; i < 3; ++i) {
        auto r = editor.rewriteCheckpoint("s", RewriteTarget{cut, 1});
        REQUIRE(r.isOk());
        CHECK(r->outcome == EditOutcome::kAlreadyAtTarget);
        CHECK(r->writes == 0);
    }
    // The cut mark round-trips through the row parser.
    auto marked = kclLease("s", cut, "9");
    marked["activeUsersCutCheckpoint"] = {{"S", cut}};
    marked["activeUsersCutAtMillis"] = {{"N", "1700000000123"}};
    auto parsed = parseLeaseRow(marked).value();
    CHECK(parsed.cutCheckpoint == cut);
    CHECK(parsed.cutAtMillis == 1'700'000'000'123);
    CHECK_FALSE(parsed.leaveAloneReason());
}

TEST_CASE("A failed condition means another writer won: read again and decide again",
          "[leases][editor]") {
    au::ManualClock clock(1'700'000'000'000);
    DdbFixture f(clock);
    auto item = kclLease("s", "TRIM_HORIZON", "7");
    auto bumped = kclLease("s", "TRIM_HORIZON", "8");  // the KCL renewed meanwhile
    f.http.respond(200, getItemAnswer(item))
        .respond(400, conditionFailedAnswer(bumped))
        .respond(200, getItemAnswer(bumped))
        .respond(200, updateAnswer(rewritten(bumped, "10")));
    LeaseEditor editor(f.ddb, "t");
    int decided = 0;
    auto r = editor.rewriteToLatest("s", [&](const LeaseRow&) {
        ++decided;
        return std::optional<std::string>();
    });
    REQUIRE(r.isOk());
    CHECK(r->outcome == EditOutcome::kRewritten);
    CHECK(r->conditionFailures == 1);
    CHECK(decided == 2);
    const auto requests = f.http.requests();
    REQUIRE(requests.size() == 4);
    CHECK(bodyOf(requests[2])["ConsistentRead"] == true);
    CHECK(bodyOf(requests[3])["ExpressionAttributeValues"][":counter"]["N"] == "8");
    CHECK(bodyOf(requests[3])["ExpressionAttributeValues"][":next"]["N"] == "10");
}

TEST_CASE("After a few lost races the editor gives up", "[leases][editor]") {
    au::ManualClock clock(0);
    DdbFixture f(clock);
    for (int i = 0; i < 3; ++i) {
        auto item = kclLease("s", "TRIM_HORIZON", std::to_string(7 + i));
        f.http.respond(200, getItemAnswer(item)).respond(400, conditionFailedAnswer(item));
    }
    f.http.respond(200, getItemAnswer(kclLease("s", "TRIM_HORIZON", "10")));
    LeaseEditor editor(f.ddb, "t", EditOptions{false, 3});
    auto r = editor.rewriteToLatest("s");
    REQUIRE(r.isOk());
    CHECK(r->outcome == EditOutcome::kGaveUp);
    CHECK(r->writes == 3);
    CHECK(f.http.remaining() == 0);
}

TEST_CASE("A re-read that finds a row §5 protects ends without writing", "[leases][editor]") {
    au::ManualClock clock(0);
    DdbFixture f(clock);
    auto item = kclLease("s", "TRIM_HORIZON", "7");
    auto handOff = item;
    handOff["checkpointOwner"] = {{"S", "worker-2"}};
    handOff["leaseCounter"] = {{"N", "8"}};
    f.http.respond(200, getItemAnswer(item))
        .respond(400, conditionFailedAnswer(handOff))
        .respond(200, getItemAnswer(handOff));
    LeaseEditor editor(f.ddb, "t");
    auto r = editor.rewriteToLatest("s");
    REQUIRE(r.isOk());
    CHECK(r->outcome == EditOutcome::kLeftAlone);
    CHECK(f.http.callCount() == 3);
}

TEST_CASE("Protected, finished, missing and LATEST rows are never written", "[leases][editor]") {
    au::ManualClock clock(0);
    DdbFixture f(clock);
    auto shardEnd = kclLease("a", "SHARD_END");
    auto metrics = kclLease("b", "TRIM_HORIZON");
    metrics["entityType"] = {{"S", "WORKER_METRICS"}};
    auto latest = kclLease("c", "LATEST");
    f.http.respond(200, getItemAnswer(shardEnd))
        .respond(200, getItemAnswer(metrics))
        .respond(200, getItemAnswer(latest))
        .respond(200, "{}");
    LeaseEditor editor(f.ddb, "t");
    CHECK(editor.rewriteToLatest("a")->outcome == EditOutcome::kLeftAlone);
    CHECK(editor.rewriteToLatest("b")->outcome == EditOutcome::kLeftAlone);
    CHECK(editor.rewriteToLatest("c")->outcome == EditOutcome::kAlreadyAtTarget);
    CHECK(editor.rewriteToLatest("d")->outcome == EditOutcome::kNotFound);
    for (const auto& r : f.http.requests()) CHECK(operationOf(r) == "GetItem");
}

TEST_CASE("The decider can decline", "[leases][editor]") {
    au::ManualClock clock(0);
    DdbFixture f(clock);
    f.http.respond(200, getItemAnswer(kclLease("s", "TRIM_HORIZON")));
    LeaseEditor editor(f.ddb, "t");
    auto r = editor.rewriteToLatest(
        "s", [](const LeaseRow&) { return std::optional<std::string>("caught up"); });
    CHECK(r->outcome == EditOutcome::kDeclined);
    CHECK(r->reason == "caught up");
    CHECK(f.http.callCount() == 1);
}

TEST_CASE("Throttling and 5xx are retried; their end is an error value", "[leases][editor]") {
    au::ManualClock clock(0);
    DdbFixture f(clock);
    const auto item = kclLease("s", "TRIM_HORIZON", "7");
    SECTION("throttled then served") {
        f.http
            .respond(400, errorAnswer("com.amazonaws.dynamodb.v20120810#"
                                      "ProvisionedThroughputExceededException"))
            .respond(503, "")
            .respond(200, getItemAnswer(item))
            .respond(500, errorAnswer("com.amazonaws.dynamodb.v20120810#InternalServerError"))
            .respond(200, updateAnswer(rewritten(item, "9")));
        LeaseEditor editor(f.ddb, "t");
        auto r = editor.rewriteToLatest("s");
        REQUIRE(r.isOk());
        CHECK(r->outcome == EditOutcome::kRewritten);
        CHECK(f.http.callCount() == 5);
    }
    SECTION("timeouts until the budget ends") {
        for (int i = 0; i < 10; ++i) f.http.fail("Timeout", "operation timed out");
        f.http.onSend([&](const au::aws::HttpRequest&) { clock.advance(400); });
        LeaseEditor editor(f.ddb, "t");
        auto r = editor.rewriteToLatest("s");
        REQUIRE_FALSE(r.isOk());
        CHECK(r.status().code() == "Timeout");
        CHECK(r.status().message().find("attempts") != std::string::npos);
    }
    SECTION("access denied is not retried") {
        f.http.respond(400, errorAnswer("com.amazon.coral.service#AccessDeniedException",
                                        "not authorized to perform: dynamodb:GetItem"));
        LeaseEditor editor(f.ddb, "t");
        auto r = editor.rewriteToLatest("s");
        REQUIRE_FALSE(r.isOk());
        CHECK(r.status().code() == "AccessDeniedException");
        CHECK(f.http.callCount() == 1);
    }
}

TEST_CASE("Bad bodies are errors, not crashes", "[leases][editor]") {
    au::ManualClock clock(0);
    DdbFixture f(clock);
    LeaseEditor editor(f.ddb, "t");
    SECTION("not JSON") {
        f.http.respond(200, "<html>gateway</html>");
        CHECK(editor.rewriteToLatest("s").status().code() == "BadResponse");
    }
    SECTION("Item is not an object") {
        f.http.respond(200, R"({"Item":[1,2]})");
        CHECK(editor.rewriteToLatest("s").status().code() == "BadResponse");
    }
    SECTION("Item without a leaseKey") {
        f.http.respond(200, R"({"Item":{"checkpoint":{"S":"TRIM_HORIZON"}}})");
        CHECK(editor.rewriteToLatest("s").status().code() == "BadLeaseRow");
    }
    SECTION("attributes of the wrong type are left alone") {
        auto item = kclLease("s", "TRIM_HORIZON");
        item["checkpoint"] = {{"N", "5"}};
        f.http.respond(200, getItemAnswer(item));
        CHECK(editor.rewriteToLatest("s")->outcome == EditOutcome::kLeftAlone);
    }
}

TEST_CASE("Expired credentials are refreshed once and the rewrite goes through",
          "[leases][editor]") {
    au::ManualClock clock(0);
    DdbFixture f(clock);
    const auto item = kclLease("s", "TRIM_HORIZON", "7");
    f.http.respond(200, getItemAnswer(item))
        .respond(400, errorAnswer("com.amazon.coral.service#ExpiredTokenException",
                                  "The security token included in the request is expired"))
        .respond(200, updateAnswer(rewritten(item, "9")));
    LeaseEditor editor(f.ddb, "t");
    auto r = editor.rewriteToLatest("s");
    REQUIRE(r.isOk());
    CHECK(r->outcome == EditOutcome::kRewritten);
    CHECK(f.creds.invalidations == 1);
    const auto requests = f.http.requests();
    CHECK(au::aws::testing::FakeHttpClient::headerOf(requests[2], "Authorization")
              .value_or("")
              .find("AKID1") != std::string::npos);
}

// ------------------------------------------------------------ leaseOwner policy "auto"

TEST_CASE("Table generation: the lease row's entityType, else the Migration3.0 row",
          "[leases][editor][owner]") {
    auto v2row = parseLeaseRow(kclLease("s", "TRIM_HORIZON", "3")).value();
    auto item3 = kclLease("s", "TRIM_HORIZON", "3");
    item3["entityType"] = {{"S", "LEASE"}};
    auto v3row = parseLeaseRow(item3).value();
    auto migration = [](const char* cv) {
        return std::optional<au::aws::Item>(
            nlohmann::json{{"leaseKey", {{"S", "Migration3.0"}}},
                           {"entityType", {{"S", "CLIENT_VERSION_MIGRATION"}}},
                           {"cv", {{"S", cv}}}});
    };
    CHECK(rowTellsGeneration(v3row));
    CHECK_FALSE(rowTellsGeneration(v2row));
    CHECK(detectTableGeneration(v3row, std::nullopt) == TableGeneration::kKcl3);
    CHECK(detectTableGeneration(v2row, std::nullopt) == TableGeneration::kKcl2);
    CHECK(detectTableGeneration(v2row, migration("CLIENT_VERSION_3X")) == TableGeneration::kKcl3);
    CHECK(detectTableGeneration(v2row, migration("CLIENT_VERSION_3X_WITH_ROLLBACK")) ==
          TableGeneration::kKcl3);
    CHECK(detectTableGeneration(v2row, migration("CLIENT_VERSION_UPGRADE_FROM_2X")) ==
          TableGeneration::kKcl2);
    CHECK(detectTableGeneration(v2row, migration("CLIENT_VERSION_2X")) == TableGeneration::kKcl2);
}

TEST_CASE(
    "Auto owner policy: a 2.x table (no entityType, no Migration3.0) removes leaseOwner, "
    "read once per editor",
    "[leases][editor][owner]") {
    au::ManualClock clock(0);
    DdbFixture f(clock);
    const auto a = kclLease("shardId-000000000001", "TRIM_HORIZON", "7");
    const auto b = kclLease("shardId-000000000002", "TRIM_HORIZON", "4");
    f.http.respond(200, getItemAnswer(a))
        .respond(200, "{}")  // GetItem Migration3.0: no such row
        .respond(200, updateAnswer(rewritten(a, "9", true)))
        .respond(200, getItemAnswer(b))
        .respond(200, updateAnswer(rewritten(b, "6", true)));
    LeaseEditor editor(f.ddb, "t", EditOptions{std::nullopt, 3});
    auto r1 = editor.rewriteToLatest("shardId-000000000001");
    auto r2 = editor.rewriteToLatest("shardId-000000000002");
    REQUIRE(r1.isOk());
    REQUIRE(r2.isOk());
    CHECK(r1->outcome == EditOutcome::kRewritten);
    CHECK(r1->reason.find("leaseOwner removed (auto: KCL 2.x table") != std::string::npos);
    const auto requests = f.http.requests();
    REQUIRE(requests.size() == 5);
    CHECK(operationOf(requests[1]) == "GetItem");
    CHECK(bodyOf(requests[1])["Key"]["leaseKey"]["S"] == "Migration3.0");
    CHECK(bodyOf(requests[1])["ConsistentRead"] == true);
    for (int i : {2, 4}) {
        CHECK(operationOf(requests[i]) == "UpdateItem");
        CHECK(bodyOf(requests[i])["UpdateExpression"].get<std::string>().find(", #owner") !=
              std::string::npos);
    }
}

TEST_CASE("Auto owner policy: a 3.x table keeps leaseOwner", "[leases][editor][owner]") {
    au::ManualClock clock(0);
    DdbFixture f(clock);
    SECTION("the lease row carries entityType LEASE: no extra read") {
        auto item = kclLease("s", "TRIM_HORIZON", "7");
        item["entityType"] = {{"S", "LEASE"}};
        f.http.respond(200, getItemAnswer(item)).respond(200, updateAnswer(rewritten(item, "9")));
        LeaseEditor editor(f.ddb, "t", EditOptions{std::nullopt, 3});
        auto r = editor.rewriteToLatest("s");
        REQUIRE(r.isOk());
        CHECK(r->reason.find("leaseOwner kept (auto: KCL 3.x table") != std::string::npos);
        const auto requests = f.http.requests();
        REQUIRE(requests.size() == 2);
        CHECK(bodyOf(requests[1])["UpdateExpression"].get<std::string>().find("#owner") ==
              std::string::npos);
    }
    SECTION("a row seeded without entityType, but the table has Migration3.0 (cv 3X)") {
        const auto item = kclLease("s", "TRIM_HORIZON", "7");
        const nlohmann::json migration = {{"leaseKey", {{"S", "Migration3.0"}}},
                                          {"entityType", {{"S", "CLIENT_VERSION_MIGRATION"}}},
                                          {"cv", {{"S", "CLIENT_VERSION_3X"}}}};
        f.http.respond(200, getItemAnswer(item))
            .respond(200, getItemAnswer(migration))
            .respond(200, updateAnswer(rewritten(item, "9")));
        LeaseEditor editor(f.ddb, "t", EditOptions{std::nullopt, 3});
        auto r = editor.rewriteToLatest("s");
        REQUIRE(r.isOk());
        const auto requests = f.http.requests();
        REQUIRE(requests.size() == 3);
        CHECK(bodyOf(requests[2])["UpdateExpression"].get<std::string>().find("#owner") ==
              std::string::npos);
    }
}

TEST_CASE("Auto owner policy: when Migration3.0 cannot be read the owner is kept",
          "[leases][editor][owner]") {
    au::ManualClock clock(0);
    DdbFixture f(clock);
    const auto item = kclLease("s", "TRIM_HORIZON", "7");
    f.http.respond(200, getItemAnswer(item))
        .respond(400, errorAnswer("com.amazonaws.dynamodb.v20120810#AccessDeniedException"))
        .respond(200, updateAnswer(rewritten(item, "9")));
    LeaseEditor editor(f.ddb, "t", EditOptions{std::nullopt, 3});
    auto r = editor.rewriteToLatest("s");
    REQUIRE(r.isOk());
    CHECK(r->outcome == EditOutcome::kRewritten);
    CHECK(r->reason.find("keeping the owner") != std::string::npos);
    const auto requests = f.http.requests();
    REQUIRE(requests.size() == 3);
    CHECK(bodyOf(requests[2])["UpdateExpression"].get<std::string>().find("#owner") ==
          std::string::npos);
}

TEST_CASE("Explicit owner policy never reads Migration3.0", "[leases][editor][owner]") {
    au::ManualClock clock(0);
    DdbFixture f(clock);
    const auto item = kclLease("s", "TRIM_HORIZON", "7");
    f.http.respond(200, getItemAnswer(item)).respond(200, updateAnswer(rewritten(item, "9", true)));
    LeaseEditor editor(f.ddb, "t", EditOptions{true, 3});
    auto r = editor.rewriteToLatest("s");
    REQUIRE(r.isOk());
    REQUIRE(f.http.requests().size() == 2);
    CHECK(r->reason.find("leaseOwner removed (fixRemovesLeaseOwner=true)") != std::string::npos);
}
