// Every command keeps stdout for its output (issue 10 §1). Each test puts a warning-worthy input in
// front of one command of the built binary — a corrupt snapshot, an unknown shard, an unreachable
// endpoint, a bad key, a transcript that does not match — and checks that stdout holds exactly the
// documented output (JSON with --json) while the warning appears on stderr.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "app/retrieval_mode.h"
#include "processor/snapshot.h"
#include "support/temp_dir.h"
#include "util/clock.h"
#include "util/guid.h"

using namespace au;
using au::test::TempDir;
namespace bp = boost::process;
using nlohmann::json;

namespace {

const std::string kBinary = std::string(AU_BINARY_DIR) + "/active-users";
constexpr int64_t kNow = 1'800'000'000'000;
const char* kAlice = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";

// check-config's cost lines for a retrieval mode, as it prints them.
std::string costLines(const std::string& mode) {
    std::string out;
    const auto m = mode == "fan-out" ? au::leases::RetrievalMode::kFanOut
                                     : au::leases::RetrievalMode::kPolling;
    for (const auto& line : au::app::retrievalModeCosts(m, 1'500)) out += "    " + line + "\n";
    return out;
}

std::string readFile(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

std::vector<std::string> linesOf(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

struct Outcome {
    int code = -1;
    std::string out;
    std::string err;
};

// Runs the binary to completion with stdin from /dev/null and stdout/stderr in two new files
// (Boost.Process does not truncate a file it redirects to).
Outcome run(const TempDir& dir, const std::vector<std::string>& args,
            bp::environment env = boost::this_process::environment()) {
    static int runs = 0;
    const std::string n = std::to_string(++runs);
    const std::string out = dir.file("stdout-" + n), err = dir.file("stderr-" + n);
    bp::child c(kBinary, bp::args(args), bp::std_in<bp::null, bp::std_out> out, bp::std_err > err,
                env);
    // Poll rather than wait_for: Boost.Process 1.74's wait_for can sleep its whole timeout.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (c.running() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    REQUIRE_FALSE(c.running());
    Outcome o{c.exit_code(), readFile(out), readFile(err)};
    INFO("stdout:\n" << o.out << "stderr:\n" << o.err);
    return o;
}

// No log line of ours ("active-users[<tag>] <level>: ...") may reach stdout.
void requireNoLogLines(const std::string& out) {
    for (const auto& line : linesOf(out)) {
        INFO("stdout line: " << line);
        REQUIRE(line.find("active-users[") == std::string::npos);
    }
}

// A loopback TCP port that refuses connections: bound (so nobody else takes it) but not listening.
class RefusingPort {
  public:
    RefusingPort() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        socklen_t len = sizeof a;
        REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
        port_ = ntohs(a.sin_port);
    }
    ~RefusingPort() { ::close(fd_); }
    RefusingPort(const RefusingPort&) = delete;
    RefusingPort& operator=(const RefusingPort&) = delete;
    int port() const { return port_; }

  private:
    int fd_ = -1;
    int port_ = 0;
};

// A state folder with one good snapshot (alice, seen at `lastSeen`) and one corrupt one.
void writeStateWithCorruptSnapshot(const TempDir& dir, int64_t lastSeen = kNow) {
    processor::ActiveUserTable table(120'000);
    table.apply(kAlice, parseGuid(kAlice), lastSeen);
    REQUIRE(processor::writeSnapshot(dir.file("state"), "shardId-000000000001", kNow, table));
    dir.write("state/shardId-000000000002.json", "{\"version\":1,\"users\":{\"bob\":");
}

}  // namespace

TEST_CASE("query --json: a corrupt snapshot is skipped on stderr, stdout is only the JSON",
          "[cli]") {
    TempDir dir;
    writeStateWithCorruptSnapshot(dir);
    const std::string at = std::to_string(kNow + 1'000);

    auto o = run(dir, {"query", "--state-dir", dir.file("state"), "--json", "--at", at});
    CHECK(o.code == 0);
    const auto doc = json::parse(o.out, nullptr, false);
    REQUIRE_FALSE(doc.is_discarded());
    CHECK(doc == json{{"count", 1}, {"users", {{{"userId", kAlice}, {"lastSeen", kNow}}}}});
    CHECK(o.err.find("skipping BadSnapshot") != std::string::npos);
    CHECK(o.err.find("shardId-000000000002.json") != std::string::npos);

    // The text form: the count, then "<id> <ISO time>" per user, and nothing else.
    o = run(dir, {"query", "--state-dir", dir.file("state"), "--at", at});
    CHECK(o.code == 0);
    CHECK(o.out == "1\n" + std::string(kAlice) + " 2027-01-15T08:00:00.000Z\n");
    CHECK(o.err.find("skipping BadSnapshot") != std::string::npos);
}

TEST_CASE("query --redis: an unreachable server leaves stdout empty and says why on stderr",
          "[cli]") {
    TempDir dir;
    RefusingPort closed;
    const std::string url = "redis://127.0.0.1:" + std::to_string(closed.port());
    for (const bool asJson : {true, false}) {
        std::vector<std::string> args = {"query", "--redis", url, "--key", "k"};
        if (asJson) args.push_back("--json");
        const auto o = run(dir, args);
        CHECK(o.code == 1);
        CHECK(o.out.empty());
        CHECK(o.err.find("ConnectionError") != std::string::npos);
    }
}

TEST_CASE("fix-leases --json: an unreachable endpoint and an unknown shard leave stdout empty",
          "[cli]") {
    TempDir dir;
    RefusingPort closed;
    const std::string endpoint = "http://127.0.0.1:" + std::to_string(closed.port());
    dir.write("app.properties",
              "applicationName = cli-test\nstreamName = heartbeats\n"
              "regionName = us-east-1\ndynamoDBEndpoint = " +
                  endpoint + "\nkinesisEndpoint = " + endpoint + "\n");
    auto env = boost::this_process::environment();
    env["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE";
    env["AWS_SECRET_ACCESS_KEY"] = "not-a-real-secret";
    env.erase("AWS_PROFILE");
    // --verbose: the retries are logged (debug), and they must go to stderr too.
    const auto o = run(dir,
                       {"fix-leases", "--properties", dir.file("app.properties"), "--shard",
                        "shardId-does-not-exist", "--json", "--verbose"},
                       env);
    CHECK(o.code == 1);
    CHECK(o.out.empty());
    CHECK(o.err.find("cannot scan lease table cli-test") != std::string::npos);
    CHECK(o.err.find("ConnectionError") != std::string::npos);
    CHECK(o.err.find("debug: dynamodb Scan: ConnectionError") != std::string::npos);
}

TEST_CASE("shards: an unreachable Kinesis leaves stdout empty and says why on stderr", "[cli]") {
    TempDir dir;
    RefusingPort closed;
    const std::string endpoint = "http://127.0.0.1:" + std::to_string(closed.port());
    dir.write("app.properties",
              "applicationName = cli-test\nstreamName = heartbeats\n"
              "regionName = us-east-1\nkinesisEndpoint = " +
                  endpoint + "\n");
    auto env = boost::this_process::environment();
    env["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE";
    env["AWS_SECRET_ACCESS_KEY"] = "not-a-real-secret";
    env.erase("AWS_PROFILE");
    const auto o = run(dir, {"shards", "--properties", dir.file("app.properties"), "--json"}, env);
    CHECK(o.code == 1);
    CHECK(o.out.empty());
    CHECK(o.err.find("ListShards heartbeats") != std::string::npos);
    CHECK(o.err.find("ConnectionError") != std::string::npos);
}

TEST_CASE("check-config: a bad key is reported on stderr only, a good file prints the summary",
          "[cli]") {
    TempDir dir;
    dir.write("bad.properties", "applicationName = a\nactiveUsers.ttlSecond = 60\n");
    auto o = run(dir, {"check-config", "--properties", dir.file("bad.properties")});
    CHECK(o.code == 2);
    CHECK(o.out.empty());
    CHECK(o.err.find("activeUsers.ttlSecond (line 2): unknown key; did you mean "
                     "activeUsers.ttlSeconds?") != std::string::npos);

    // workerId: without it check-config warns (on stderr) about KCL 3.x's random worker ids.
    dir.write("good.properties",
              "applicationName = a\nstreamName = s\nregionName = eu-west-1\nworkerId = host-1\n"
              "activeUsers.ttlSeconds = 60\n");
    o = run(dir, {"check-config", "--properties", dir.file("good.properties")});
    CHECK(o.code == 0);
    CHECK(o.err.empty());
    CHECK(o.out == dir.file("good.properties") +
                       ": OK\n"
                       "  lease table: a, stream: s, region: eu-west-1\n"
                       "  ttl: 60 s, checkpoint interval: 0 s, state dir: (none), fix stale "
                       "leases: yes (max replay 60 s)\n"
                       "  retrieval: fan-out (the daemon's default: no retrievalMode, no polling "
                       "key; KCL 3)\n" +
                       costLines("fan-out"));
    // An explicit mode, and one the daemon refuses (a warning on stderr).
    dir.write("polling.properties",
              "applicationName = a\nstreamName = s\nworkerId = h\nretrievalMode = POLLING\n"
              "idleTimeBetweenReadsInMillis = 250\n");
    o = run(dir,
            {"check-config", "--properties", dir.file("polling.properties"), "--kcl", "2.7.2"});
    CHECK(o.code == 0);
    CHECK(o.out.find("  retrieval: polling (retrievalMode = POLLING; KCL 2.7.2)\n    polling: "
                     "GetRecords pages (maxRecords) every idleTimeBetweenReadsInMillis = 250 ms") !=
          std::string::npos);
    dir.write("odd.properties", "applicationName = a\nworkerId = h\nretrievalMode = PUSH\n");
    o = run(dir, {"check-config", "--properties", dir.file("odd.properties")});
    CHECK(o.code == 0);
    CHECK(o.err.find("warning: retrievalMode = \"PUSH\" is not FANOUT, POLLING or DEFAULT") !=
          std::string::npos);
}

TEST_CASE("check-config on a peer application's file: the daemon's keys, and what it cannot check",
          "[cli]") {
    TempDir dir;
    dir.write("peer.properties",
              "executableName = node sample_kcl_app.js\napplicationName = orders\n"
              "streamName = s\nworkerId = h\nretrievalMode = POLLING\n");
    auto o = run(dir, {"check-config", "--properties", dir.file("peer.properties")});
    CHECK(o.code == 0);
    CHECK(o.err.empty());
    const auto lines = linesOf(o.out);
    REQUIRE(lines.size() >= 4);
    CHECK(lines[0] == dir.file("peer.properties") +
                          ": OK for the MultiLangDaemon's keys; the processor is \"node "
                          "sample_kcl_app.js\", not active-users");
    CHECK(lines[1] == "  lease table: orders, stream: s, region: (from the environment)");
    CHECK(lines[2].rfind("  max replay: not set: the startup fixer needs --max-replay", 0) == 0);
    CHECK(lines[3].rfind("  not checked: the processor itself", 0) == 0);
    CHECK(o.out.find("ttl:") == std::string::npos);  // our processor's settings are not its own

    // fix-leases on it without --max-replay: refused, the reason on stderr, nothing on stdout.
    o = run(dir, {"fix-leases", "--properties", dir.file("peer.properties")});
    CHECK(o.code == 2);
    CHECK(o.out.empty());
    CHECK(o.err.find("--max-replay DURATION is required: the processor of " +
                     dir.file("peer.properties") + " is \"node\", not active-users") !=
          std::string::npos);
}

TEST_CASE("replay --verbose: the processor's warnings go to stderr, the differences to stdout",
          "[cli]") {
    TempDir dir;
    // A recorded session with bad input (warnings), its last reply changed (a difference).
    std::string transcript =
        readFile(std::string(AU_SOURCE_DIR) + "/tests/replay/malformed-input-lease-lost.jsonl");
    const std::string from = R"(responseFor\":\"leaseLost)";
    const auto pos = transcript.rfind(from);
    REQUIRE(pos != std::string::npos);
    transcript.replace(pos, from.size(), R"(responseFor\":\"shardEnded)");
    const std::string file = dir.write("changed.jsonl", transcript);

    const auto o = run(dir, {"replay", file, "--verbose"});
    CHECK(o.code == 1);
    requireNoLogLines(o.out);
    const auto lines = linesOf(o.out);
    REQUIRE(lines.size() == 4);
    CHECK(std::regex_match(lines[0], std::regex(R"(transcript line \d+:)")));
    CHECK(lines[1].rfind("  - expected ", 0) == 0);
    CHECK(lines[1].find("shardEnded") != std::string::npos);
    CHECK(lines[2].rfind("  + actual   ", 0) == 0);
    CHECK(lines[2].find("leaseLost") != std::string::npos);
    CHECK(lines[3] == "replay " + file + ": 4 lines written, 1 differences");
    CHECK(o.err.find("warning: skipping record") != std::string::npos);
    CHECK(o.err.find("warning: unknown action \"somethingFromKcl4\"") != std::string::npos);
}

TEST_CASE("Every binary prints --version and --help on stdout", "[cli]") {
    TempDir dir;
    auto o = run(dir, {"--version"});
    CHECK(o.code == 0);
    CHECK(o.out == "active-users " AU_VERSION "\n");
    CHECK(o.err.empty());
    o = run(dir, {"--help"});
    CHECK(o.code == 0);
    CHECK(o.out.find("usage:") == 0);
    CHECK(o.err.empty());
    // active-users-serve itself, and `active-users serve --help` (which runs it).
    const std::string serveBinary = std::string(AU_BINARY_DIR) + "/active-users-serve";
    const std::string out = dir.file("serve-version");
    bp::child serveVersion(serveBinary, "--version", bp::std_in<bp::null, bp::std_out> out,
                           bp::std_err > dir.file("serve-version.err"));
    serveVersion.wait();
    CHECK(serveVersion.exit_code() == 0);
    CHECK(readFile(out) == "active-users-serve " AU_VERSION "\n");
    o = run(dir, {"serve", "--help"});
    CHECK(o.code == 0);
    CHECK(o.out.find("usage: active-users serve") == 0);
    CHECK(o.out.find("--auth-token-file") != std::string::npos);
    // The launcher: the version of the binary it runs.
    const auto [rc, launcher] = [&] {
        const std::string f = dir.file("run-version");
        bp::child c(std::string(AU_SOURCE_DIR) + "/scripts/run", "--version",
                    bp::std_in<bp::null, bp::std_out> f, bp::std_err > dir.file("run-version.err"),
                    bp::env["ACTIVE_USERS_BIN"] = kBinary);
        c.wait();
        return std::make_pair(c.exit_code(), readFile(f));
    }();
    CHECK(rc == 0);
    CHECK(launcher == "active-users-run " AU_VERSION "\n");
}

TEST_CASE("serve: stdout stays empty while it serves and logs a corrupt snapshot", "[cli]") {
    TempDir dir;
    writeStateWithCorruptSnapshot(dir, SystemClock().nowMillis());
    const std::string out = dir.file("stdout"), err = dir.file("stderr");
    bp::child serve(kBinary, "serve", "--state-dir", dir.file("state"), "--listen", "127.0.0.1:0",
                    bp::std_in<bp::null, bp::std_out> out, bp::std_err > err);
    // The port it bound is in its first log line: "listening on http://127.0.0.1:<port>/".
    int port = 0;
    const std::regex listening(R"(listening on http://127\.0\.0\.1:(\d+)/)");
    for (int i = 0; i < 200 && port == 0; ++i) {
        std::smatch m;
        const std::string text = readFile(err);
        if (std::regex_search(text, m, listening)) {
            port = std::stoi(m[1]);
        } else {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    INFO("stderr:\n" << readFile(err));
    REQUIRE(port != 0);

    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(2);
    client.set_read_timeout(5);
    const auto r = client.Get("/active-users");
    REQUIRE(r);
    CHECK(r->status == 200);
    const auto doc = json::parse(r->body, nullptr, false);
    REQUIRE(doc.is_object());
    CHECK(doc.value("count", -1) == 1);
    CHECK(r->body.find(kAlice) != std::string::npos);

    ::kill(serve.id(), SIGTERM);
    REQUIRE(serve.wait_for(std::chrono::seconds(10)));
    CHECK(serve.exit_code() == 0);
    const std::string logged = readFile(err);
    INFO("stderr:\n" << logged);
    CHECK(logged.find("skipping BadSnapshot") != std::string::npos);
    CHECK(logged.find("stopped") != std::string::npos);
    CHECK(readFile(out).empty());
}
