#include "protocol/transport.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <thread>

#include "protocol/transcript.h"
#include "support/temp_dir.h"

using namespace au;
using namespace au::protocol;

namespace {
struct Pipe {
    int fds[2];
    Pipe() { REQUIRE(::pipe(fds) == 0); }
    ~Pipe() {
        closeWrite();
        ::close(fds[0]);
    }
    void write(const std::string& s) {
        REQUIRE(::write(fds[1], s.data(), s.size()) == ssize_t(s.size()));
    }
    void closeWrite() {
        if (fds[1] >= 0) ::close(fds[1]);
        fds[1] = -1;
    }
};
}  // namespace

TEST_CASE("FdTransport splits lines, strips CR, and reports EOF after the last line",
          "[protocol]") {
    Pipe in, out;
    SystemClock clock;
    FdTransport t(in.fds[0], out.fds[1], clock);
    in.write("first\r\nsecond\n\nlast-without-newline");
    in.closeWrite();
    std::string line;
    CHECK(t.readLine(line, INT64_MAX) == ReadStatus::kLine);
    CHECK(line == "first");
    CHECK(t.readLine(line, INT64_MAX) == ReadStatus::kLine);
    CHECK(line == "second");
    CHECK(t.readLine(line, INT64_MAX) == ReadStatus::kLine);
    CHECK(line.empty());
    CHECK(t.readLine(line, INT64_MAX) == ReadStatus::kLine);
    CHECK(line == "last-without-newline");
    CHECK(t.readLine(line, INT64_MAX) == ReadStatus::kEof);

    CHECK(t.writeLine("{\"a\":1}"));
    char buf[16] = {};
    CHECK(::read(out.fds[0], buf, sizeof buf) == 8);
    CHECK(std::string(buf) == "{\"a\":1}\n");
}

TEST_CASE("FdTransport returns at the deadline when no line arrives", "[protocol]") {
    Pipe in, out;
    SystemClock clock;
    FdTransport t(in.fds[0], out.fds[1], clock);
    in.write("partial");
    std::string line = "untouched";
    CHECK(t.readLine(line, clock.nowMillis() - 1) == ReadStatus::kTimeout);
    CHECK(line == "untouched");
    in.write(" line\n");
    CHECK(t.readLine(line, INT64_MAX) == ReadStatus::kLine);
    CHECK(line == "partial line");
}

TEST_CASE("FdTransport reads lines of many megabytes and drops only over-long ones", "[protocol]") {
    Pipe in, out;
    SystemClock clock;
    FdTransport t(in.fds[0], out.fds[1], clock, /*maxLineBytes=*/1 << 20);
    const std::string big(900'000, 'x');
    const std::string huge(3'000'000, 'y');
    std::thread writer([&] {
        in.write(big + "\n" + huge + "\nafter\n");
        in.closeWrite();
    });
    std::string line;
    CHECK(t.readLine(line, INT64_MAX) == ReadStatus::kLine);
    CHECK(line.size() == big.size());
    CHECK(t.readLine(line, INT64_MAX) == ReadStatus::kLine);
    CHECK(line.empty());  // the over-long line, discarded
    CHECK(t.readLine(line, INT64_MAX) == ReadStatus::kLine);
    CHECK(line == "after");
    CHECK(t.readLine(line, INT64_MAX) == ReadStatus::kEof);
    writer.join();
}

TEST_CASE("A recorded transcript replays with the recorded times and finds differences",
          "[protocol]") {
    test::TempDir dir;
    Pipe in, out;
    ManualClock clock(1'000);
    FdTransport fd(in.fds[0], out.fds[1], clock);
    auto file = RecordingTransport::openFileIn(dir.path(), clock);
    REQUIRE(file);
    std::string path;
    {
        RecordingTransport rec(fd, file.value(), clock);
        in.write("{\"action\":\"leaseLost\"}\n");
        in.closeWrite();
        std::string line;
        REQUIRE(rec.readLine(line, INT64_MAX) == ReadStatus::kLine);
        clock.advance(5);
        REQUIRE(rec.writeLine(R"({"action":"status","responseFor":"leaseLost"})"));
        REQUIRE(rec.writeLine(std::string("\xff binary")));
        REQUIRE(rec.readLine(line, INT64_MAX) == ReadStatus::kEof);
    }
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) path = e.path();
    auto entries = loadTranscript(path);
    REQUIRE(entries);
    REQUIRE(entries->size() == 4);
    CHECK(entries->at(0).t == 1000);
    CHECK(entries->at(1).t == 1005);
    CHECK(entries->at(2).line == "\xff binary");
    CHECK(entries->at(3).dir == TranscriptEntry::Dir::kEof);

    ManualClock replayClock;
    ScriptedTransport replay(entries.value(), replayClock);
    std::string line;
    CHECK(replay.readLine(line, INT64_MAX) == ReadStatus::kLine);
    CHECK(replayClock.nowMillis() == 1000);
    replay.writeLine(R"({"responseFor":"leaseLost","action":"status"})");  // same JSON, other order
    replay.writeLine("something else");
    CHECK(replay.readLine(line, INT64_MAX) == ReadStatus::kEof);
    replay.finish();
    REQUIRE(replay.differences().size() == 1);
    CHECK(replay.differences()[0].find("something else") != std::string::npos);
}
