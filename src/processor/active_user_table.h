#pragma once
// ActiveUserTable: user id -> last seen, with TTL eviction (a user is active at t when
// t - lastSeen < ttl). GUID ids are stored as 16 bytes and compared case-insensitively; any other
// id is kept as its exact text.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "processor/expiring_table.h"
#include "util/guid.h"

namespace au::processor {

// at - lastSeen >= ttl: whether an entry last seen at `lastSeen` has expired at `at`. Exact for
// every int64 input (times come from the daemon, payloads and files; found by fuzz/snapshot).
inline bool isExpiredAt(int64_t lastSeen, int64_t at, int64_t ttl) {
    int64_t age;
    if (__builtin_sub_overflow(at, lastSeen, &age)) return at > lastSeen;
    return age >= ttl;
}

struct GuidKeyTraits {
    using View = Guid;
    static View view(const Guid& g) { return g; }
    static Guid make(View g) { return g; }
    static size_t hash(View g) { return GuidHash{}(g); }
};

struct TextKeyTraits {
    using View = std::string_view;
    static View view(const std::string& s) { return s; }
    static std::string make(View s) { return std::string(s); }
    static size_t hash(View s) { return std::hash<std::string_view>{}(s); }
};

class ActiveUserTable {
  public:
    explicit ActiveUserTable(int64_t ttlMillis) : ttlMillis_(ttlMillis) {}

    int64_t ttlMillis() const { return ttlMillis_; }

    // Applies a heartbeat: lastSeen = max(lastSeen, t). `guid`, when set, is the id's GUID and the
    // key; `userId` is used only for non-GUID ids. Returns true when the table changed.
    bool apply(std::string_view userId, const std::optional<Guid>& guid, int64_t t) {
        return guid ? guids_.upsert(*guid, t) : texts_.upsert(userId, t);
    }

    // Cache warming for a coming apply() of a GUID id (see ExpiringTable::prefetchSlot).
    void prefetchSlot(const Guid& guid) const { guids_.prefetchSlot(guid); }
    void prefetchEntry(const Guid& guid) const { guids_.prefetchEntry(guid); }
    void prefetchLinks(const Guid& guid) const { guids_.prefetchLinks(guid); }

    // Drops the users that are no longer active at `now`; returns how many.
    size_t evictExpired(int64_t now) {
        const int64_t cutoff = now - ttlMillis_;
        return guids_.evictUpTo(cutoff) + texts_.evictUpTo(cutoff);
    }

    // Whether a heartbeat with this event time is already expired at `now`.
    bool isStale(int64_t eventTime, int64_t now) const {
        return isExpiredAt(eventTime, now, ttlMillis_);
    }

    std::optional<int64_t> lastSeen(std::string_view userId) const {
        if (auto g = parseGuid(userId)) return guids_.lastSeen(*g);
        return texts_.lastSeen(userId);
    }

    size_t size() const { return guids_.size() + texts_.size(); }

    // Calls f(std::string_view userId, int64_t lastSeen) for every entry (GUIDs in canonical
    // lower case; the view is valid during the call only), in no particular order.
    template <class F>
    void forEach(F&& f) const {
        char buffer[36];
        guids_.forEach([&](const Guid& g, int64_t t) {
            formatGuidTo(g, buffer);
            f(std::string_view(buffer, sizeof buffer), t);
        });
        texts_.forEach([&](std::string_view s, int64_t t) { f(s, t); });
    }

    size_t memoryBytes() const { return guids_.memoryBytes() + texts_.memoryBytes(); }

  private:
    int64_t ttlMillis_;
    ExpiringTable<Guid, GuidKeyTraits> guids_;
    ExpiringTable<std::string, TextKeyTraits> texts_;
};

}  // namespace au::processor
