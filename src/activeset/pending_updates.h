#pragma once
// PendingUpdates: the bounded buffer of heartbeats not yet sent to Redis, coalesced per user (the
// maximum last seen wins, like ZADD GT). At most `maxUsers` distinct users: an update of a user
// already buffered always succeeds; a new user beyond the bound is dropped and counted. Dropped
// updates are not lost for good: the shard's whole table is resent on the next (re)connection
// (docs/active-set.md). Thread-compatible.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace au::activeset {

using UserScores = std::vector<std::pair<std::string, int64_t>>;

class PendingUpdates {
  public:
    explicit PendingUpdates(size_t maxUsers) : maxUsers_(maxUsers) {}

    // lastSeen = max(buffered, t). False when the user is new and the buffer is full (dropped).
    bool add(std::string_view userId, int64_t t);
    size_t size() const { return users_.size(); }
    bool empty() const { return users_.empty(); }
    size_t maxUsers() const { return maxUsers_; }
    // Updates dropped since the last takeDropped().
    uint64_t takeDropped() { return std::exchange(dropped_, 0); }
    uint64_t dropped() const { return dropped_; }
    // The buffered updates (in no particular order); the buffer is empty afterwards.
    UserScores take();
    void clear() { users_.clear(); }
    void swap(PendingUpdates& other) noexcept {
        users_.swap(other.users_);
        std::swap(dropped_, other.dropped_);
    }

  private:
    size_t maxUsers_;
    std::unordered_map<std::string, int64_t> users_;
    uint64_t dropped_ = 0;
};

}  // namespace au::activeset
