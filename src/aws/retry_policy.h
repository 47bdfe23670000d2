#pragma once
// RetryPolicy: how often and how long the JSON-protocol caller retries, and the full-jitter
// exponential backoff it sleeps between attempts. Pure; thread-safe.

#include <cstdint>
#include <functional>

namespace au::aws {

struct RetryPolicy {
    int maxAttempts = 5;               // including the first; >= 1
    int64_t totalBudgetMillis = 2000;  // no new attempt/sleep would end after start + budget
    int64_t baseDelayMillis = 50;
    int64_t maxDelayMillis = 2000;
    int64_t connectTimeoutMillis = 1000;
    int64_t attemptTimeoutMillis = 5000;  // per HTTP attempt, further capped by what is left of
                                          // the budget
};

// Uniform random numbers in [0, 1). Injected so tests are deterministic.
using RandomSource = std::function<double()>;
// A thread-safe RandomSource seeded from std::random_device.
RandomSource defaultRandomSource();

// Full jitter: random * min(maxDelay, base * 2^(retryNumber-1)), for retryNumber >= 1.
int64_t backoffDelayMillis(const RetryPolicy& policy, int retryNumber, double random01);

}  // namespace au::aws
