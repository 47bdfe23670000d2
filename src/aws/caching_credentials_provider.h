#pragma once
// CachingCredentialsProvider: a decorator that caches another provider's credentials.
//
// Cached credentials are returned until `refreshBeforeExpiryMillis` before their Expiration
// (credentials without one are kept until invalidate()). Then the inner provider is asked again:
// on success the new credentials replace the old; on failure the old ones are still returned while
// they have not actually expired (logged as a warning), else the failure is returned. After a
// failure, or when fresh credentials are already inside the refresh window, the inner provider is
// not asked again for `minRefreshIntervalMillis` (the cached answer, good or bad, is returned), so
// a missing metadata service is not hit on every call.
//
// Thread-safe: any number of threads may call resolve()/invalidate(); the inner provider is only
// ever called by one thread at a time (under the lock).

#include <memory>
#include <mutex>
#include <optional>

#include "aws/credentials.h"
#include "util/clock.h"

namespace au::aws {

struct CachingOptions {
    int64_t refreshBeforeExpiryMillis = 5 * 60 * 1000;
    int64_t minRefreshIntervalMillis = 10 * 1000;
};

class CachingCredentialsProvider final : public CredentialsProvider {
  public:
    CachingCredentialsProvider(std::unique_ptr<CredentialsProvider> inner, Clock& clock,
                               CachingOptions options = {});
    Result<Credentials> resolve() override;
    void invalidate() override;
    std::string name() const override { return "cached " + inner_->name(); }

  private:
    std::unique_ptr<CredentialsProvider> inner_;
    Clock& clock_;
    CachingOptions options_;
    std::mutex mu_;
    std::optional<Credentials> cached_;
    std::optional<Status> lastFailure_;
    int64_t nextRefreshMillis_ = INT64_MIN;
};

}  // namespace au::aws
