#include "serve/history_sampler.h"

#include <chrono>

namespace au::serve {

HistorySampler::HistorySampler(ActiveSetSource& source, History& history, const Clock& clock)
    : source_(source), history_(history), clock_(clock), thread_([this] { loop(); }) {}

HistorySampler::~HistorySampler() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

void HistorySampler::loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
        lock.unlock();
        const int64_t now = clock_.nowMillis();
        auto users = source_.activeUsers(now);
        const Result<size_t> count = users ? Result<size_t>(users->size()) : users.status();
        history_.record(now, count, source_.shardStats());
        lock.lock();
        cv_.wait_for(lock, std::chrono::milliseconds(history_.intervalMillis()),
                     [this] { return stop_; });
    }
}

}  // namespace au::serve
