#include "processor/snapshot.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "support/temp_dir.h"

using namespace au;
using namespace au::processor;

TEST_CASE("Snapshots round-trip every id, including ones that need escaping", "[processor]") {
    test::TempDir dir;
    ActiveUserTable t(120'000);
    t.apply("3F2504E0-4F89-11D3-9A0C-0305E82C3301",
            parseGuid("3F2504E0-4F89-11D3-9A0C-0305E82C3301"), 5);
    t.apply("quote\"back\\slash", std::nullopt, 6);
    t.apply("ünïcödé", std::nullopt, 7);
    REQUIRE(writeSnapshot(dir.path(), "shardId-000000000003", 99, t));
    auto snap = readSnapshot(snapshotPath(dir.path(), "shardId-000000000003"));
    REQUIRE(snap);
    CHECK(snap->shardId == "shardId-000000000003");
    CHECK(snap->writtenAt == 99);
    CHECK(snap->ttlMillis == 120'000);
    CHECK(snap->users == std::map<std::string, int64_t>{{"3f2504e0-4f89-11d3-9a0c-0305e82c3301", 5},
                                                        {"quote\"back\\slash", 6},
                                                        {"ünïcödé", 7}});
    // Only the snapshot is left in the folder: the temporary file was renamed.
    size_t files = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
        (void)e;
        ++files;
    }
    CHECK(files == 1);
}

TEST_CASE("Shard ids cannot escape the state folder", "[processor]") {
    CHECK(snapshotPath("/d", "shardId-1") == "/d/shardId-1.json");
    CHECK(snapshotPath("/d", "../../etc/passwd") == "/d/_.._.._etc_passwd.json");
    CHECK(snapshotPath("/d", "") == "/d/_.json");
}

TEST_CASE("The merged view keeps each user's latest time among active entries", "[processor]") {
    test::TempDir dir;
    ActiveUserTable a(10'000), b(10'000);
    a.apply("u1", std::nullopt, 1'000);
    a.apply("u2", std::nullopt, 5'000);
    b.apply("u2", std::nullopt, 8'000);
    b.apply("u3", std::nullopt, 9'000);
    REQUIRE(writeSnapshot(dir.path(), "shard-a", 0, a));
    REQUIRE(writeSnapshot(dir.path(), "shard-b", 0, b));
    std::ofstream(dir.file("broken.json")) << "{not json";
    std::ofstream(dir.file(".tmp-1-x.json")) << "{}";

    auto at12 = mergeActiveUsers(dir.path(), 12'000);
    REQUIRE(at12);
    CHECK(at12.value() == std::map<std::string, int64_t>{{"u2", 8'000}, {"u3", 9'000}});
    auto at18 = mergeActiveUsers(dir.path(), 18'000);
    CHECK(at18.value() == std::map<std::string, int64_t>{{"u3", 9'000}});
    CHECK_FALSE(mergeActiveUsers(dir.file("missing"), 0));
}

TEST_CASE("Temporary files older than the limit are removed, and nothing else", "[processor]") {
    test::TempDir dir;
    const std::string old = dir.write(".tmp-41-shardId-000000000001.json", "{\"vers");
    const std::string young = dir.write(".tmp-42-shardId-000000000001.stats.json", "{");
    const std::string snapshot = dir.write("shardId-000000000001.json", "{}");
    const auto setModified = [](const std::string& path, time_t seconds) {
        const timespec t[2] = {{seconds, 0}, {seconds, 0}};
        REQUIRE(::utimensat(AT_FDCWD, path.c_str(), t, 0) == 0);
    };
    setModified(old, 1'000);
    setModified(young, 1'060);
    setModified(snapshot, 1);
    const int64_t now = 1'061'000;  // the old one is 61 s old, the young one 1 s
    CHECK(removeAbandonedTemporaries(dir.path(), now, 60'000) == 1);
    CHECK_FALSE(std::filesystem::exists(old));
    CHECK(std::filesystem::exists(young));
    CHECK(std::filesystem::exists(snapshot));
    CHECK(removeAbandonedTemporaries(dir.path() + "/missing", now, 0) == 0);
}

TEST_CASE("Times at the ends of the int64 range merge without overflow", "[processor]") {
    // Found by fuzz/snapshot: "at - lastSeen" overflowed for a lastSeen of -2^63 in a file.
    Snapshot s;
    s.ttlMillis = 120'000;
    s.users = {{"old", INT64_MIN}, {"future", INT64_MAX}, {"now", 1'000'000}};
    std::map<std::string, int64_t> merged;
    mergeActiveUsers(s, 1'000'000, merged);
    CHECK(merged == std::map<std::string, int64_t>{{"future", INT64_MAX}, {"now", 1'000'000}});
    merged.clear();
    mergeActiveUsers(s, INT64_MIN, merged);  // everything is in the future of that instant
    CHECK(merged.size() == 3);
    CHECK(isExpiredAt(INT64_MIN, INT64_MAX, 1));
    CHECK_FALSE(isExpiredAt(INT64_MAX, INT64_MIN, 1));
}
