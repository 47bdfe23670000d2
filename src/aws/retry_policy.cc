#include "aws/retry_policy.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <random>

namespace au::aws {

RandomSource defaultRandomSource() {
    struct State {
        std::mutex mu;
        std::mt19937_64 engine{std::random_device{}()};
        std::uniform_real_distribution<double> dist{0.0, 1.0};
    };
    auto state = std::make_shared<State>();
    return [state] {
        std::lock_guard<std::mutex> lock(state->mu);
        return state->dist(state->engine);
    };
}

int64_t backoffDelayMillis(const RetryPolicy& policy, int retryNumber, double random01) {
    int shift = std::clamp(retryNumber - 1, 0, 30);
    int64_t ceiling = std::min(policy.maxDelayMillis, policy.baseDelayMillis << shift);
    double r = std::clamp(random01, 0.0, 1.0);
    return static_cast<int64_t>(r * static_cast<double>(ceiling));
}

}  // namespace au::aws
