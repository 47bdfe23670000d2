#include "protocol/transport.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "util/log.h"

namespace au::protocol {

FdTransport::FdTransport(int inFd, int outFd, const Clock& clock, size_t maxLineBytes)
    : inFd_(inFd), outFd_(outFd), clock_(clock), maxLineBytes_(maxLineBytes) {}

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
            timeout = static_cast<int>(left > INT_MAX ? INT_MAX : left);
        }
        pollfd pfd{inFd_, POLLIN, 0};
        const int rc = ::poll(&pfd, 1, timeout);
        if (rc < 0) {
            if (errno == EINTR) continue;
            spdlog::error("reading stdin failed: {}", std::strerror(errno));
            return false;
        }
        if (rc == 0) continue;  // re-check the deadline against the clock
        if (start_ > 0 && start_ == buffer_.size()) {
            buffer_.clear();
            start_ = 0;
        }
        const size_t old = buffer_.size();
        const size_t chunk = 1 << 16;
        buffer_.resize(old + chunk);
        const ssize_t n = ::read(inFd_, buffer_.data() + old, chunk);
        if (n < 0) {
            buffer_.resize(old);
            if (errno == EINTR || errno == EAGAIN) continue;
            spdlog::error("reading stdin failed: {}", std::strerror(errno));
            return false;
        }
        buffer_.resize(old + static_cast<size_t>(n));
        return n > 0;
    }
}

ReadStatus FdTransport::readLine(std::string& line, int64_t deadlineMillis) {
    size_t scanFrom = start_;
    for (;;) {
        const size_t nl = buffer_.find('\n', scanFrom);
        if (nl != std::string::npos) {
            size_t end = nl;
            if (end > start_ && buffer_[end - 1] == '\r') --end;
            if (discarding_) {
                discarding_ = false;
                line.clear();
            } else {
                line.assign(buffer_, start_, end - start_);
            }
            start_ = nl + 1;
            if (start_ > (1u << 20) && start_ * 2 > buffer_.size()) {
                buffer_.erase(0, start_);
                start_ = 0;
            }
            return ReadStatus::kLine;
        }
        if (buffer_.size() - start_ > maxLineBytes_) {
            if (!discarding_) spdlog::error("discarding a line longer than {} bytes", maxLineBytes_);
            discarding_ = true;
            buffer_.clear();
            start_ = 0;
        }
        const size_t scanned = buffer_.size() - start_;
        if (eof_) {
            if (start_ < buffer_.size() && !discarding_) {  // a last line without newline
                line.assign(buffer_, start_, std::string::npos);
                buffer_.clear();
                start_ = 0;
                return ReadStatus::kLine;
            }
            return ReadStatus::kEof;
        }
        bool timedOut = false;
        if (!fill(deadlineMillis, timedOut)) {
            if (timedOut) return ReadStatus::kTimeout;
            eof_ = true;
        }
        scanFrom = start_ + scanned;  // fill() may have moved the unread data
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
