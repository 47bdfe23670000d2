#include "aws/caching_credentials_provider.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace au::aws {

CachingCredentialsProvider::CachingCredentialsProvider(std::unique_ptr<CredentialsProvider> inner,
                                                       Clock& clock, CachingOptions options)
    : inner_(std::move(inner)), clock_(clock), options_(options) {}

Result<Credentials> CachingCredentialsProvider::resolve() {
    std::lock_guard<std::mutex> lock(mu_);
    const int64_t now = clock_.nowMillis();
    const bool cachedUsable = cached_ && !cached_->expiresBy(now);
    if (now < nextRefreshMillis_) {
        if (cachedUsable) return *cached_;
        if (lastFailure_) return *lastFailure_;
    }

    auto fresh = inner_->resolve();
    if (fresh) {
        cached_ = fresh.value();
        lastFailure_.reset();
        if (cached_->expirationMillis) {
            nextRefreshMillis_ =
                std::max(*cached_->expirationMillis - options_.refreshBeforeExpiryMillis,
                         now + options_.minRefreshIntervalMillis);
        } else {
            nextRefreshMillis_ = INT64_MAX;
        }
        return *cached_;
    }
    lastFailure_ = fresh.status();
    nextRefreshMillis_ = now + options_.minRefreshIntervalMillis;
    if (cachedUsable) {
        spdlog::warn("credential refresh failed ({}); using cached credentials until they expire",
                     fresh.status().code());
        return *cached_;
    }
    return fresh.status();
}

void CachingCredentialsProvider::invalidate() {
    std::lock_guard<std::mutex> lock(mu_);
    cached_.reset();
    lastFailure_.reset();
    nextRefreshMillis_ = INT64_MIN;
    inner_->invalidate();
}

}  // namespace au::aws
