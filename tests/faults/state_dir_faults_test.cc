// State folder faults (labels "integration", "faults"): the real binary, driven over pipes as the
// daemon drives it, while its snapshot writes fail: a file-size limit (the write fails half-way),
// a full disk (a small tmpfs in a private mount namespace), the folder removed or replaced by a
// file, and SIGKILL in a loop while snapshots are written. Each test asserts that every reply
// comes within 2 s, that the failure is logged once (the throttle's interval is a minute), that
// the previous snapshot stays whole and readable meanwhile, that the write is retried and
// succeeds once the fault ends, and that no secret appears in the output at log level trace.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <random>
#include <thread>

#include "faults/fault_support.h"
#include "processor/snapshot.h"
#include "support/records.h"
#include "support/skip.h"
#include "support/temp_dir.h"

using namespace au;
using namespace au::test;
using nlohmann::json;

namespace {

const std::string kShard = "shardId-000000000007";

std::string stateProperties(const std::string& stateDir, int snapshotIntervalMillis = 50) {
    return "activeUsers.stateDir = " + stateDir +
           "\nactiveUsers.snapshotIntervalMillis = " + std::to_string(snapshotIntervalMillis) +
           "\nactiveUsers.logLevel = trace\n";
}

// A processRecords message: one heartbeat, arrived now, for each of users [from, to).
json heartbeats(int from, int to, int64_t& sequence) {
    json records = json::array();
    const int64_t now = wallMillis();
    for (int i = from; i < to; ++i) {
        records.push_back(recordJson(heartbeatPayload("user-" + std::to_string(i)),
                                     std::to_string(++sequence), now));
    }
    return {{"action", "processRecords"}, {"records", records}, {"millisBehindLatest", 0}};
}

// The number of users in the shard's snapshot under `dir`; -1 when it is missing or unreadable.
long snapshotUsers(const std::string& dir) {
    auto snap = processor::readSnapshot(processor::snapshotPath(dir, kShard));
    return snap ? static_cast<long>(snap->users.size()) : -1;
}

// Waits (at most `millis`) until the snapshot holds `users` users.
bool snapshotReaches(const std::string& dir, long users, int64_t millis = 3'000) {
    const auto t0 = std::chrono::steady_clock::now();
    while (millisSince(t0) < millis) {
        if (snapshotUsers(dir) == users) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

std::vector<std::string> temporaries(const std::string& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind(".tmp-", 0) == 0) out.push_back(name);
    }
    return out;
}

// True once no snapshot temporary file is in `dir` (at most `millis`). A write fails and removes
// its temporary every interval (50 ms), so a look at one instant can catch one in flight; a
// temporary that is left behind never goes away, and fails this.
bool temporariesGone(const std::string& dir, int64_t millis = 2'000) {
    const auto t0 = std::chrono::steady_clock::now();
    while (millisSince(t0) < millis) {
        if (temporaries(dir).empty()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    UNSCOPED_INFO("left in " << dir << ": " << temporaries(dir).size() << " temporary file(s)");
    return false;
}

// Keeps the daemon's rhythm for `millis`: a batch of the same users every 100 ms.
void keepSending(TimedDaemon& d, int users, int64_t& sequence, int64_t millis) {
    const auto t0 = std::chrono::steady_clock::now();
    while (millisSince(t0) < millis) {
        REQUIRE(d.exchange(heartbeats(0, users, sequence)) == "processRecords");
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

// Waits (at most 2 s) until a snapshot's temporary file is created in the watched folder.
void waitForSnapshotTemporary(int watch) {
    char buffer[4096] __attribute__((aligned(alignof(inotify_event))));
    while (::read(watch, buffer, sizeof buffer) > 0) {
    }  // older events
    const auto t0 = std::chrono::steady_clock::now();
    while (millisSince(t0) < 2'000) {
        pollfd p{watch, POLLIN, 0};
        if (::poll(&p, 1, 10) <= 0) continue;
        const ssize_t n = ::read(watch, buffer, sizeof buffer);
        for (ssize_t at = 0; at < n;) {
            const auto* e = reinterpret_cast<const inotify_event*>(buffer + at);
            const std::string name = e->len > 0 ? e->name : "";
            if (name.rfind(".tmp-", 0) == 0 && name.find(".stats.") == std::string::npos) return;
            at += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
        }
    }
}

// `active-users query --state-dir DIR --json`: exit 0 and a JSON document on stdout; its count.
long queryCount(const TempDir& scratch, const std::string& stateDir) {
    auto r = runActiveUsers(scratch.path(), "query --state-dir " + stateDir + " --json");
    INFO("query stdout: " << r.out.substr(0, 300) << "\nstderr: " << r.err);
    REQUIRE(r.exitCode == 0);
    const auto j = json::parse(r.out, nullptr, false);
    REQUIRE(j.is_object());
    requireNoSecrets(r.out + r.err, "query output");
    return j["count"].get<long>();
}

void checkStderr(const std::string& err, const std::string& errno_text) {
    figure(Catch::getResultCapture().getCurrentTestName() + ": " +
           std::to_string(countOf(err, "snapshot not written")) + " log line(s)");
    INFO("stderr:\n" << err);
    CHECK(countOf(err, "snapshot not written") == 1);
    CHECK(err.find(errno_text) != std::string::npos);
    requireNoSecrets(err, "processor stderr");
}

}  // namespace

TEST_CASE(
    "A file-size limit fails the snapshot write half-way: replies stay prompt, the previous "
    "snapshot stays whole, one log line, and the write succeeds once the limit is lifted",
    "[faults][state]") {
    TempDir dir;
    exportFakeAwsSecrets(dir.path());
    const std::string state = dir.file("state");
    const std::string props = dir.write("p.properties", stateProperties(state));
    int64_t sequence = 0;
    // Soft limit 16 KiB (hard unlimited, so a non-root test can lift it again): a 50-user
    // snapshot fits, a 1050-user one (~30 KiB) does not.
    DaemonDriver driver(Program{"/usr/bin/prlimit"},
                        {"--fsize=16384:unlimited", binaryPath(), "--properties", props},
                        dir.file("stderr"));
    TimedDaemon d(driver);
    REQUIRE(d.exchange(initializeMessage(kShard, "LATEST")) == "initialize");
    REQUIRE(d.exchange(heartbeats(0, 50, sequence)) == "processRecords");
    REQUIRE(snapshotReaches(state, 50));

    REQUIRE(d.exchange(heartbeats(50, 1'050, sequence)) == "processRecords");
    keepSending(d, 1'050, sequence, 1'500);
    CHECK(driver.running());            // SIGXFSZ would have killed it
    CHECK(snapshotUsers(state) == 50);  // the previous snapshot, whole
    CHECK(temporariesGone(state));  // the half-written temporary file was removed
    CHECK(queryCount(dir, state) == 50);

    const std::string lift =
        "prlimit --pid " + std::to_string(driver.pid()) + " --fsize=unlimited:unlimited";
    REQUIRE(std::system(lift.c_str()) == 0);
    CHECK(snapshotReaches(state, 1'050));  // retried at the next interval
    auto [code, took] = driver.closeAndWait();
    CHECK(code == 0);
    CHECK(took.count() < 2'000);
    CHECK(d.slowestMillis() < 2'000);
    figure("slowest reply " + std::to_string(d.slowestMillis()) + " ms");
    checkStderr(readText(dir.file("stderr")), "File too large");
}

TEST_CASE(
    "The disk fills (a small tmpfs in a private mount namespace): replies stay prompt, the "
    "previous snapshot stays readable, one log line, and the write succeeds once space is freed",
    "[faults][state]") {
    if (std::system("unshare -m true >/dev/null 2>&1") != 0) {
        AU_SKIP("unshare -m is not permitted here (needs root or CAP_SYS_ADMIN)");
    }
    TempDir dir;
    exportFakeAwsSecrets(dir.path());
    const std::string state = dir.file("state");
    std::filesystem::create_directories(state);
    const std::string props = dir.write("p.properties", stateProperties(state));
    int64_t sequence = 0;
    // unshare execs sh, which mounts a 256 KiB tmpfs on the state folder, visible only in the
    // processor's own mount namespace, and execs the processor: one PID throughout.
    DaemonDriver driver(Program{"/usr/bin/unshare"},
                        {"-m", "--propagation", "private", "/bin/sh", "-c",
                         "mount -t tmpfs -o size=256k tmpfs \"$0\" && exec \"$@\"", state,
                         binaryPath(), "--properties", props},
                        dir.file("stderr"));
    TimedDaemon d(driver);
    REQUIRE(d.exchange(initializeMessage(kShard, "LATEST")) == "initialize");
    // The processor's view of the folder: through /proc/PID/root, in its mount namespace.
    const std::string view = "/proc/" + std::to_string(driver.pid()) + "/root" + state;
    REQUIRE(d.exchange(heartbeats(0, 50, sequence)) == "processRecords");
    REQUIRE(snapshotReaches(view, 50));
    CHECK(snapshotUsers(state) == -1);  // the test's own namespace does not see the tmpfs

    // Fill it, then free 8 KiB: the ~30 KiB snapshot of 1050 users fails half-way (ENOSPC).
    const std::string filler = view + "/filler";
    {
        const int fd = ::open(filler.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        REQUIRE(fd >= 0);
        const std::string block(4096, 'x');
        off_t size = 0;
        while (::write(fd, block.data(), block.size()) == static_cast<ssize_t>(block.size())) {
            size += static_cast<off_t>(block.size());
        }
        CHECK(errno == ENOSPC);
        REQUIRE(::ftruncate(fd, size - 8192) == 0);
        ::close(fd);
    }
    REQUIRE(d.exchange(heartbeats(50, 1'050, sequence)) == "processRecords");
    keepSending(d, 1'050, sequence, 1'500);
    CHECK(snapshotUsers(view) == 50);
    CHECK(temporariesGone(view));
    CHECK(queryCount(dir, view) == 50);

    REQUIRE(::unlink(filler.c_str()) == 0);
    CHECK(snapshotReaches(view, 1'050));
    auto [code, took] = driver.closeAndWait();
    CHECK(code == 0);
    CHECK(took.count() < 2'000);
    CHECK(d.slowestMillis() < 2'000);
    figure("slowest reply " + std::to_string(d.slowestMillis()) + " ms");
    checkStderr(readText(dir.file("stderr")), "No space left on device");
}

TEST_CASE(
    "The state folder removed while running is made again, replaced by a file, the writes fail "
    "(one log line) until it is gone",
    "[faults][state]") {
    TempDir dir;
    exportFakeAwsSecrets(dir.path());
    const std::string state = dir.file("state");
    const std::string props = dir.write("p.properties", stateProperties(state));
    int64_t sequence = 0;
    DaemonDriver driver({"--properties", props}, dir.file("stderr"));
    TimedDaemon d(driver);
    REQUIRE(d.exchange(initializeMessage(kShard, "LATEST")) == "initialize");
    REQUIRE(d.exchange(heartbeats(0, 50, sequence)) == "processRecords");
    REQUIRE(snapshotReaches(state, 50));

    std::filesystem::remove_all(state);
    REQUIRE(d.exchange(heartbeats(0, 70, sequence)) == "processRecords");
    CHECK(snapshotReaches(state, 70));

    std::filesystem::remove_all(state);
    dir.write("state", "not a folder\n");
    keepSending(d, 90, sequence, 1'000);
    CHECK(snapshotUsers(state) == -1);
    std::filesystem::remove(state);
    CHECK(snapshotReaches(state, 90));

    auto [code, took] = driver.closeAndWait();
    CHECK(code == 0);
    CHECK(took.count() < 2'000);
    CHECK(d.slowestMillis() < 2'000);
    figure("slowest reply " + std::to_string(d.slowestMillis()) + " ms");
    checkStderr(readText(dir.file("stderr")), "Not a directory");
}

TEST_CASE(
    "SIGKILL while snapshots are written: every snapshot left behind parses, query works, and "
    "abandoned temporary files are removed by the next processor",
    "[faults][state]") {
    TempDir dir;
    exportFakeAwsSecrets(dir.path());
    const std::string state = dir.file("state");
    const std::string props = dir.write("p.properties", stateProperties(state, 10));
    std::filesystem::create_directories(state);
    const int watch = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    REQUIRE(watch >= 0);
    REQUIRE(::inotify_add_watch(watch, state.c_str(), IN_CREATE) >= 0);
    std::mt19937 random(20261202);
    int64_t sequence = 0;
    constexpr int kRounds = 12;  // half killed at a random moment, half as a write begins
    int leftBehind = 0;  // kills that caught a write between its temporary file and the rename
    for (int round = 0; round < kRounds; ++round) {
        {
            DaemonDriver driver({"--properties", props}, dir.file("stderr"));
            REQUIRE(driver.exchange(initializeMessage(kShard, "LATEST")) == "initialize");
            // Batches of 5,000 of 40,000 users, sent without waiting for their status, so the
            // processor applies them and writes a ~1.6 MB snapshot every 10 ms; a kill at a
            // random moment.
            for (int b = 0; b < 8; ++b) {
                driver.sendRaw(heartbeats(b * 5'000, (b + 1) * 5'000, sequence).dump());
            }
            if (round % 2 == 0) {
                std::this_thread::sleep_for(std::chrono::microseconds(random() % 80'000));
            } else {
                waitForSnapshotTemporary(watch);  // aimed: the moment a write begins
            }
            ::kill(driver.pid(), SIGKILL);
            for (int i = 0; i < 200 && driver.running(); ++i) {
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
            REQUIRE_FALSE(driver.running());
        }
        leftBehind += temporaries(state).empty() ? 0 : 1;
        for (const auto& e : std::filesystem::directory_iterator(state)) {
            const std::string name = e.path().filename().string();
            if (name.rfind(".tmp-", 0) == 0) continue;
            INFO("round " << round << ": " << name);
            if (name.size() > 11 && name.compare(name.size() - 11, 11, ".stats.json") == 0) {
                CHECK(json::parse(readText(e.path().string()), nullptr, false).is_object());
            } else {
                auto snap = processor::readSnapshot(e.path().string());
                REQUIRE(snap.isOk());
                CHECK(snap->users.size() % 5'000 == 0);  // whole batches only
            }
        }
        if (std::filesystem::exists(processor::snapshotPath(state, kShard))) {
            CHECK(queryCount(dir, state) == snapshotUsers(state));
        }
    }
    ::close(watch);
    INFO(leftBehind << " of " << kRounds << " kills left a temporary file behind");
    CHECK(leftBehind > 0);  // the aimed kills did land inside writes
    figure(std::to_string(leftBehind) + " of " + std::to_string(kRounds) +
           " kills left a temporary file behind");
    CHECK(snapshotUsers(state) == 40'000);

    // The next processor removes temporary files older than a minute, and only those.
    const auto leftovers = temporaries(state);
    const timespec old[2] = {{wallMillis() / 1000 - 120, 0}, {wallMillis() / 1000 - 120, 0}};
    for (const auto& name : leftovers) {
        REQUIRE(::utimensat(AT_FDCWD, (state + "/" + name).c_str(), old, 0) == 0);
    }
    dir.write("state/.tmp-999999-" + kShard + ".json", "{\"ver");  // a live writer's, just now
    DaemonDriver driver({"--properties", props}, dir.file("stderr"));
    REQUIRE(driver.exchange(initializeMessage(kShard, "LATEST")) == "initialize");
    REQUIRE(driver.exchange(heartbeats(0, 10, sequence)) == "processRecords");
    CHECK(driver.closeAndWait().first == 0);
    CHECK(temporaries(state) == std::vector<std::string>{".tmp-999999-" + kShard + ".json"});
    const std::string err = readText(dir.file("stderr"));
    if (!leftovers.empty()) {
        CHECK(err.find("removed " + std::to_string(leftovers.size()) +
                       " abandoned temporary file(s)") != std::string::npos);
    }
    requireNoSecrets(err, "processor stderr");
}
