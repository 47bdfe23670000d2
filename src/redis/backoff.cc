#include "redis/backoff.h"

#include <algorithm>

namespace au::redis {

int64_t Backoff::nextDelayMillis() {
    ++failures_;
    const int shift = std::min(failures_ - 1, 30);
    const int64_t ceiling = std::min(cap_, base_ << shift);
    const double r = random_ ? random_() : 0.5;
    return ceiling / 2 + static_cast<int64_t>(static_cast<double>(ceiling - ceiling / 2) * r);
}

}  // namespace au::redis
