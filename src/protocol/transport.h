#pragma once
// LineTransport: the byte stream between the daemon and us, one message per line.
//
// FdTransport reads the daemon's lines from a file descriptor (stdin) with a deadline so the
// processor can run timers while no message arrives, and writes our lines to another descriptor
// (the original stdout). It is the only code that writes to the protocol stream.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/clock.h"

namespace au::protocol {

enum class ReadStatus { kLine, kTimeout, kEof };

class LineTransport {
  public:
    virtual ~LineTransport() = default;
    // Reads the next line (without "\n" or "\r\n") into `line`, waiting until `deadlineMillis`
    // (in the transport clock's time; INT64_MAX = no deadline). kTimeout leaves `line` untouched.
    virtual ReadStatus readLine(std::string& line, int64_t deadlineMillis) = 0;
    // Writes one line and flushes it. Returns false when the peer is gone (broken pipe).
    virtual bool writeLine(std::string_view line) = 0;
};

class FdTransport final : public LineTransport {
  public:
    // Lines longer than `maxLineBytes` are discarded up to their newline and reported as an
    // empty line (logged once each); the daemon never sends one that long (GetRecords <= 10 MB).
    FdTransport(int inFd, int outFd, const Clock& clock, size_t maxLineBytes = 64u << 20);
    ReadStatus readLine(std::string& line, int64_t deadlineMillis) override;
    bool writeLine(std::string_view line) override;

  private:
    bool fill(int64_t deadlineMillis, bool& timedOut);

    int inFd_;
    int outFd_;
    const Clock& clock_;
    size_t maxLineBytes_;
    std::unique_ptr<char[]> buffer_;
    size_t capacity_ = 0;
    size_t start_ = 0;  // unread data is buffer_[start_, end_)
    size_t end_ = 0;
    bool eof_ = false;
    bool discarding_ = false;
};

}  // namespace au::protocol
