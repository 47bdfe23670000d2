#pragma once
// Backoff: capped exponential delays between reconnection attempts, with "equal jitter" (half
// fixed, half random) so processors that lost the same Redis do not reconnect in lock-step.
// The n-th consecutive failure waits min(cap, base * 2^(n-1)) * (0.5 + 0.5 * random) ms.
// Pure apart from the injected random source; thread-compatible.

#include <cstdint>
#include <functional>

namespace au::redis {

class Backoff {
  public:
    // random() returns a number in [0, 1).
    Backoff(int64_t baseMillis, int64_t capMillis, std::function<double()> random)
        : base_(baseMillis), cap_(capMillis), random_(std::move(random)) {}

    // Records a failure and returns the delay before the next attempt.
    int64_t nextDelayMillis();
    void reset() { failures_ = 0; }
    int failures() const { return failures_; }

  private:
    int64_t base_;
    int64_t cap_;
    std::function<double()> random_;
    int failures_ = 0;
};

}  // namespace au::redis
