#include "protocol/transport.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "util/log.h"

namespace au::protocol {

namespace {
constexpr size_t kReadChunk = 1 << 20;
}

FdTransport::FdTransport(int inFd, int outFd, const Clock& clock, size_t maxLineBytes)
    : inFd_(inFd), outFd_(outFd), clock_(clock), maxLineBytes_(maxLineBytes) {
#ifdef F_SETPIPE_SZ
    // A daemon message can be several MB: a larger pipe means fewer wake-ups (fails harmlessly
    // when stdin is not a pipe or the size is over the system's limit).
    ::fcntl(inFd_, F_SETPIPE_SZ, 1 << 20);
#endif
}

bool FdTransport::fill(int64_t deadlineMillis, bool& timedOut) {
    timedOut = false;
    for (;;) {
        int timeout = -1;
        if (deadlineMillis != INT64_MAX) {
            const int64_t left = deadlineMillis - clock_.nowMillis();
            if (left <= 0) {
                timedOut = true;
                return false;
            }
            timeout = static_cast<int>(std::min<int64_t>(left, INT_MAX));
        }
        pollfd pfd{inFd_, POLLIN, 0};
        const int rc = ::poll(&pfd, 1, timeout);
        if (rc < 0) {
            if (errno == EINTR) continue;
            spdlog::error("reading stdin failed: {}", std::strerror(errno));
            return false;
        }
        if (rc == 0) continue;  // re-check the deadline against the clock
        // Move unread data to the front, then make room for a chunk (without zero-filling it).
        if (start_ > 0) {
            std::memmove(buffer_.get(), buffer_.get() + start_, end_ - start_);
            end_ -= start_;
            start_ = 0;
        }
        if (capacity_ - end_ < kReadChunk) {
            const size_t grown = std::max(capacity_ * 2, end_ + kReadChunk);
            std::unique_ptr<char[]> bigger(new char[grown]);
            if (end_ > 0) std::memcpy(bigger.get(), buffer_.get(), end_);
            buffer_ = std::move(bigger);
            capacity_ = grown;
        }
        const ssize_t n = ::read(inFd_, buffer_.get() + end_, capacity_ - end_);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            spdlog::error("reading stdin failed: {}", std::strerror(errno));
            return false;
        }
        end_ += static_cast<size_t>(n);
        return n > 0;
    }
}

ReadStatus FdTransport::readLine(std::string& line, int64_t deadlineMillis) {
    size_t scanned = 0;  // bytes after start_ known to hold no newline
    for (;;) {
        const char* begin = buffer_.get() + start_;
        const size_t unscanned = end_ - start_ - scanned;
        const auto* nl =
            unscanned == 0
                ? nullptr
                : static_cast<const char*>(std::memchr(begin + scanned, '\n', unscanned));
        if (nl != nullptr) {
            const char* stop = nl;
            if (stop > begin && stop[-1] == '\r') --stop;
            if (discarding_) {
                discarding_ = false;
                line.clear();
            } else {
                line.assign(begin, static_cast<size_t>(stop - begin));
            }
            start_ = static_cast<size_t>(nl - buffer_.get()) + 1;
            return ReadStatus::kLine;
        }
        scanned = end_ - start_;
        if (scanned > maxLineBytes_) {
            if (!discarding_)
                spdlog::error("discarding a line longer than {} bytes", maxLineBytes_);
            discarding_ = true;
            start_ = end_ = 0;
            scanned = 0;
        }
        if (eof_) {
            if (start_ < end_ && !discarding_) {  // a last line without newline
                line.assign(buffer_.get() + start_, end_ - start_);
                start_ = end_ = 0;
                return ReadStatus::kLine;
            }
            return ReadStatus::kEof;
        }
        bool timedOut = false;
        if (!fill(deadlineMillis, timedOut)) {
            if (timedOut) return ReadStatus::kTimeout;
            eof_ = true;
        }
    }
}

bool FdTransport::writeLine(std::string_view line) {
    std::string out;
    out.reserve(line.size() + 1);
    out.append(line);
    out.push_back('\n');
    size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = ::write(outFd_, out.data() + done, out.size() - done);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            spdlog::error("writing to the daemon failed: {}", std::strerror(errno));
            return false;
        }
        done += static_cast<size_t>(n);
    }
    return true;
}

}  // namespace au::protocol
