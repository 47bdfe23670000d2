#include "leases/lease_row.h"

#include <catch2/catch.hpp>

#include "lease_fixtures.h"

using namespace au::leases;
using au::leases::testing::kclLease;

TEST_CASE("A KCL lease row parses with every attribute and keeps the raw item", "[leases]") {
    const auto item = kclLease("shardId-000000000001", "TRIM_HORIZON", "42");
    auto row = parseLeaseRow(item);
    REQUIRE(row.isOk());
    CHECK(row->raw == item);
    CHECK(row->leaseKey == "shardId-000000000001");
    CHECK(row->leaseOwner == "worker-1");
    CHECK(row->leaseCounter == 42);
    CHECK(row->leaseCounterText == "42");
    CHECK(row->checkpoint == "TRIM_HORIZON");
    CHECK(row->parentShardIds == std::vector<std::string>{"shardId-000000000000"});
    CHECK(row->hasPendingCheckpoint);
    CHECK(row->typeProblems.empty());
    CHECK(row->isLease());
    CHECK_FALSE(row->leaveAloneReason());
}

TEST_CASE("Rows the lease fixer must never write say why", "[leases]") {
    auto reasonFor = [](nlohmann::json item) {
        auto row = parseLeaseRow(item);
        REQUIRE(row.isOk());
        return row->leaveAloneReason().value_or("");
    };
    auto base = kclLease("shardId-1", "TRIM_HORIZON");
    SECTION("graceful hand-off") {
        base["checkpointOwner"] = {{"S", "worker-2"}};
        CHECK(reasonFor(base).find("checkpointOwner") != std::string::npos);
    }
    SECTION("not a lease") {
        base["entityType"] = {{"S", "WORKER_METRICS"}};
        CHECK(reasonFor(base).find("not a lease") != std::string::npos);
    }
    SECTION("entityType LEASE is a lease") {
        base["entityType"] = {{"S", "LEASE"}};
        CHECK(reasonFor(base).empty());
    }
    SECTION("shard end") {
        base["checkpoint"] = {{"S", "SHARD_END"}};
        CHECK(reasonFor(base) == "checkpoint is SHARD_END");
    }
    SECTION("counter stored as a string") {
        base["leaseCounter"] = {{"S", "7"}};
        CHECK(reasonFor(base).find("leaseCounter is S, expected N") != std::string::npos);
    }
    SECTION("counter that is not an integer") {
        base["leaseCounter"] = {{"N", "7.5"}};
        CHECK(reasonFor(base).find("not an integer") != std::string::npos);
    }
    SECTION("counter that cannot be incremented") {
        // Found by fuzz/aws_responses: the rewrite's counter + 2 overflowed int64.
        base["leaseCounter"] = {{"N", "9223372036854775806"}};
        CHECK(reasonFor(base).find("too large to increment") != std::string::npos);
        base["leaseCounter"] = {{"N", "9223372036854775805"}};
        CHECK(reasonFor(base).empty());
    }
    SECTION("no counter") {
        base.erase("leaseCounter");
        CHECK(reasonFor(base) == "no integer leaseCounter");
    }
    SECTION("no checkpoint") {
        base.erase("checkpoint");
        CHECK(reasonFor(base) == "no checkpoint");
    }
}

TEST_CASE("A row without a string leaseKey is not a lease row", "[leases]") {
    CHECK(parseLeaseRow(nlohmann::json::array()).status().code() == "BadLeaseRow");
    CHECK(parseLeaseRow({{"leaseKey", {{"N", "1"}}}}).status().code() == "BadLeaseRow");
    CHECK(parseLeaseRow({{"other", {{"S", "x"}}}}).status().code() == "BadLeaseRow");
}

TEST_CASE("Sequence-number checkpoints are recognised", "[leases]") {
    auto row =
        parseLeaseRow(kclLease("s", "49590338271490256608559692538361571095921575989136588898"));
    REQUIRE(row.isOk());
    CHECK(row->checkpointIsSequenceNumber());
    auto th = parseLeaseRow(kclLease("s", "TRIM_HORIZON"));
    CHECK_FALSE(th->checkpointIsSequenceNumber());
}
