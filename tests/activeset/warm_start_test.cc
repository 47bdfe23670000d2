// Warm start: the table is seeded from the shard's own snapshot and its parents' snapshots (the
// parents read from the lease row over a scripted DynamoDB), keeping only users within the TTL.
#include "activeset/warm_start.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>

#include "activeset/lease_parents.h"
#include "leases/lease_fixtures.h"
#include "log_capture.h"
#include "processor/active_users_processor.h"
#include "processor/snapshot.h"
#include "support/temp_dir.h"
#include "util/clock.h"

using namespace au;
using namespace au::activeset;

namespace {

constexpr int64_t kNow = 1'800'000'000'000;
constexpr int64_t kTtl = 120'000;

void writeSnapshotOf(const std::string& dir, const std::string& shard,
                     std::initializer_list<std::pair<const char*, int64_t>> users) {
    processor::ActiveUserTable t(kTtl);
    for (const auto& [id, seen] : users) t.apply(id, parseGuid(id), seen);
    REQUIRE(processor::writeSnapshot(dir, shard, kNow - 1'000, t));
}

class StaticParents final : public LeaseParents {
  public:
    explicit StaticParents(std::vector<std::string> p) : parents_(std::move(p)) {}
    Result<std::vector<std::string>> parentsOf(const std::string&) override { return parents_; }

  private:
    std::vector<std::string> parents_;
};

}  // namespace

TEST_CASE("The lease row's parentShardId (SS) names the parents, read with a consistent GetItem",
          "[activeset][warmstart][unit]") {
    ManualClock clock(kNow);
    leases::testing::DdbFixture d(clock);
    d.http.respond(200, R"({"Item":{"leaseKey":{"S":"shardId-2"},"leaseCounter":{"N":"3"},)"
                        R"("parentShardId":{"SS":["shardId-0","shardId-1"]}}})");
    DynamoDbLeaseParents parents(d.ddb, "app-leases");
    auto r = parents.parentsOf("shardId-2");
    REQUIRE(r);
    CHECK(r.value() == std::vector<std::string>{"shardId-0", "shardId-1"});
    const auto body = nlohmann::json::parse(d.http.requests().at(0).body);
    CHECK(body["TableName"] == "app-leases");
    CHECK(body["ConsistentRead"] == true);
    CHECK(body["Key"] == nlohmann::json::parse(R"({"leaseKey":{"S":"shardId-2"}})"));

    d.http.respond(200, "{}");  // no such row
    auto none = parents.parentsOf("shardId-9");
    REQUIRE(none);
    CHECK(none->empty());
}

TEST_CASE("Warm start after a split: the children hold every active user of the parent",
          "[activeset][warmstart][unit]") {
    test::TempDir dir;
    writeSnapshotOf(dir.path(), "shardId-0",
                    {{"alice", kNow - 10'000},
                     {"bob", kNow - 119'000},
                     {"gone", kNow - kTtl},
                     {"old", kNow - 500'000}});
    ManualClock clock(kNow);
    leases::testing::DdbFixture d(clock);
    d.http.respond(
        200, R"({"Item":{"leaseKey":{"S":"shardId-1"},"parentShardId":{"SS":["shardId-0"]}}})");
    SnapshotSeeder seeder(dir.path(), std::make_unique<DynamoDbLeaseParents>(d.ddb, "leases"));
    ShardNotes notes;
    seeder.setNotes(&notes);
    processor::ActiveUserTable child(kTtl);
    CHECK(seeder.seed("shardId-1", kNow, child) == 2);
    REQUIRE(notes.warmStart());
    CHECK(notes.warmStart()->at == kNow);
    CHECK(notes.warmStart()->own == 0);
    CHECK(notes.warmStart()->parents == 2);
    CHECK(notes.warmStart()->parentsUnknown.empty());
    CHECK(child.lastSeen("alice") == kNow - 10'000);
    CHECK(child.lastSeen("bob") == kNow - 119'000);
    CHECK_FALSE(child.lastSeen("gone"));  // exactly the TTL old: no longer active
    CHECK_FALSE(child.lastSeen("old"));
}

TEST_CASE("Warm start after a restart merges the own snapshot and the parents' (max last seen)",
          "[activeset][warmstart][unit]") {
    test::TempDir dir;
    const char* guid = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
    writeSnapshotOf(dir.path(), "shardId-2", {{guid, kNow - 5'000}, {"carol", kNow - 1'000}});
    writeSnapshotOf(dir.path(), "shardId-0",
                    {{"3F2504E0-4F89-11D3-9A0C-0305E82C3301", kNow - 2'000}});
    writeSnapshotOf(dir.path(), "shardId-1", {{"dave", kNow - 3'000}});
    SnapshotSeeder seeder(dir.path(), std::make_unique<StaticParents>(std::vector<std::string>{
                                          "shardId-0", "shardId-1", "shardId-7"}));
    processor::ActiveUserTable t(kTtl);
    seeder.seed("shardId-2", kNow, t);
    CHECK(t.size() == 3);
    CHECK(t.lastSeen(guid) == kNow - 2'000);
    CHECK(t.lastSeen("carol") == kNow - 1'000);
    CHECK(t.lastSeen("dave") == kNow - 3'000);
}

TEST_CASE("Without the lease table the warm start uses the own snapshot and logs one line",
          "[activeset][warmstart][unit]") {
    test::TempDir dir;
    writeSnapshotOf(dir.path(), "shardId-3", {{"erin", kNow - 1'000}});
    writeSnapshotOf(dir.path(), "shardId-0", {{"frank", kNow - 1'000}});
    ManualClock clock(kNow);
    leases::testing::DdbFixture d(clock);
    d.http.fail("ConnectionError", "refused")
        .fail("ConnectionError", "refused")
        .fail("ConnectionError", "refused")
        .fail("ConnectionError", "refused")
        .fail("ConnectionError", "refused");
    test::LogCapture logs;
    SnapshotSeeder seeder(dir.path(), std::make_unique<DynamoDbLeaseParents>(d.ddb, "leases"));
    processor::ActiveUserTable t(kTtl);
    CHECK(seeder.seed("shardId-3", kNow, t) == 1);
    CHECK(t.lastSeen("erin"));
    CHECK(logs.lines().size() == 1);
    CHECK(logs.count("own snapshot only") == 1);

    SnapshotSeeder noTable(dir.path(), nullptr, "no lease table configured");
    processor::ActiveUserTable t2(kTtl);
    CHECK(noTable.seed("shardId-3", kNow, t2) == 1);
    CHECK(logs.count("no lease table configured") == 1);
}

TEST_CASE("The parent lookup is bounded: a lease table that does not answer is given up on",
          "[activeset][warmstart][unit]") {
    struct Blocking final : LeaseParents {
        std::mutex mu;
        std::condition_variable cv;
        bool release = false;
        Result<std::vector<std::string>> parentsOf(const std::string&) override {
            std::unique_lock<std::mutex> lock(mu);
            cv.wait(lock, [&] { return release; });
            return std::vector<std::string>{"shardId-0"};
        }
    };
    auto inner = std::make_unique<Blocking>();
    Blocking* blocking = inner.get();
    {
        BoundedLeaseParents bounded(std::move(inner), /*timeoutMillis=*/0);
        auto r = bounded.parentsOf("shardId-1");
        REQUIRE_FALSE(r);
        CHECK(r.status().code() == "Timeout");
        {
            std::lock_guard<std::mutex> lock(blocking->mu);
            blocking->release = true;
        }
        blocking->cv.notify_all();
    }  // joins the abandoned call
}

TEST_CASE("A processor restarted at LATEST keeps every active user through the warm start",
          "[activeset][warmstart][unit]") {
    test::TempDir dir;
    ManualClock clock(kNow);
    processor::ProcessorSettings settings;
    settings.stateDir = dir.path();
    // What the previous processor of this shard left behind (at kNow).
    writeSnapshotOf(dir.path(), "shardId-5", {{"gina", kNow - 30'000}, {"hank", kNow - 60'000}});
    clock.advance(30'000);
    SnapshotSeeder seeder(dir.path(), std::make_unique<StaticParents>(std::vector<std::string>{}));
    processor::ActiveUsersProcessor second(settings, clock);
    second.setSeeder(&seeder);
    second.initialize({"shardId-5", std::string("LATEST"), 0});
    CHECK(second.table().size() == 2);
    CHECK(second.table().lastSeen("gina") == kNow - 30'000);
    CHECK(second.table().lastSeen("hank") == kNow - 60'000);
}
