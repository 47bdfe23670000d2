#pragma once
// ExpiringTable<Key>: key -> last-seen time (the maximum ever applied), with eviction whose cost
// grows with the number of expired entries, not with the table size.
//
// Layout: entries live in fixed-size chunks (key, lastSeen, prev, next = 16 bytes + the key; chunks
// never move, so growing costs no copy and no transient double allocation); an open-addressing
// index (linear probing, backward-shift deletion) of 4-byte positions maps keys to entries; every
// entry is also on the doubly linked list of its time bucket (lastSeen >> 10: 1.024 s, a shift
// rather than a division on the hot path), and
// the buckets are ordered. Eviction drops whole buckets that lie before the cutoff and scans only
// the one bucket that straddles it.
//
// Thread-compatible: one thread at a time.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <tuple>
#include <vector>

namespace au::processor {

// KeyTraits<Key> provides: using View; static View view(const Key&); static Key make(View);
// static size_t hash(View); and View must be equality-comparable.
template <class Key, class Traits>
class ExpiringTable {
  public:
    using View = typename Traits::View;

    ExpiringTable() = default;
    ExpiringTable(const ExpiringTable&) = delete;  // lastBucket_ points into buckets_
    ExpiringTable& operator=(const ExpiringTable&) = delete;

    // Sets the key's last-seen time to max(current, t). Returns true when the entry was added or
    // moved forward.
    bool upsert(View key, int64_t t) {
        if ((size_ + 1) * 10 > slots_.size() * 7) grow();
        size_t slot = Traits::hash(key) & mask_;
        for (;;) {
            const uint32_t idx = slots_[slot];
            if (idx == kNil) break;
            Entry& e = entry(idx);
            if (Traits::view(e.key) == key) {
                if (t <= e.lastSeen) return false;
                if (bucketOf(t) != bucketOf(e.lastSeen)) {
                    unlink(idx);
                    e.lastSeen = t;
                    link(idx);
                } else {
                    e.lastSeen = t;
                }
                return true;
            }
            slot = (slot + 1) & mask_;
        }
        uint32_t idx;
        if (!free_.empty()) {
            idx = free_.back();
            free_.pop_back();
        } else {
            if ((used_ & kChunkMask) == 0) chunks_.emplace_back(new Entry[kChunkSize]);
            idx = static_cast<uint32_t>(used_++);
        }
        entry(idx).key = Traits::make(key);
        entry(idx).lastSeen = t;
        slots_[slot] = idx;
        link(idx);
        ++size_;
        return true;
    }

    std::optional<int64_t> lastSeen(View key) const {
        if (size_ == 0) return std::nullopt;
        for (size_t slot = Traits::hash(key) & mask_;; slot = (slot + 1) & mask_) {
            const uint32_t idx = slots_[slot];
            if (idx == kNil) return std::nullopt;
            if (Traits::view(entry(idx).key) == key) return entry(idx).lastSeen;
        }
    }

    // Removes every entry with lastSeen <= cutoff; returns how many.
    size_t evictUpTo(int64_t cutoff) {
        size_t removed = 0;
        while (!buckets_.empty()) {
            const auto it = buckets_.begin();
            const int64_t first = it->first * kBucketMillis;
            if (first > cutoff) break;
            const bool whole = first + kBucketMillis - 1 <= cutoff;
            uint32_t idx = it->second;
            while (idx != kNil) {
                const uint32_t next = entry(idx).next;
                if (whole || entry(idx).lastSeen <= cutoff) {
                    erase(idx);
                    ++removed;
                }
                idx = next;
            }
            if (!whole) break;  // the straddling bucket is the last one to look at
        }
        return removed;
    }

    size_t size() const { return size_; }

    // Calls f(View key, int64_t lastSeen) for every entry, in no particular order.
    template <class F>
    void forEach(F&& f) const {
        for (const auto& [bucket, head] : buckets_) {
            for (uint32_t idx = head; idx != kNil; idx = entry(idx).next) {
                f(Traits::view(entry(idx).key), entry(idx).lastSeen);
            }
        }
    }

    // Warms the cache for a coming upsert/lookup of `key`: first its index slot, then (once the
    // slot is in cache) its entry. Used to overlap the two memory misses of many keys.
    void prefetchSlot(View key) const {
        if (!slots_.empty()) __builtin_prefetch(&slots_[Traits::hash(key) & mask_]);
    }
    void prefetchEntry(View key) const {
        if (slots_.empty()) return;
        const uint32_t idx = slots_[Traits::hash(key) & mask_];
        if (idx != kNil) __builtin_prefetch(&entry(idx));
    }

    // Third stage: the entry's list neighbours, which a move to another bucket rewrites.
    void prefetchLinks(View key) const {
        if (slots_.empty()) return;
        const uint32_t idx = slots_[Traits::hash(key) & mask_];
        if (idx == kNil) return;
        const Entry& e = entry(idx);
        if (e.prev != kNil) __builtin_prefetch(&entry(e.prev));
        if (e.next != kNil) __builtin_prefetch(&entry(e.next));
    }

    // Heap bytes held (entries, index, free list, buckets), for the memory figures.
    size_t memoryBytes() const {
        return chunks_.size() * kChunkSize * sizeof(Entry) + chunks_.capacity() * sizeof(void*) +
               slots_.capacity() * sizeof(uint32_t) + free_.capacity() * sizeof(uint32_t) +
               buckets_.size() * 48;
    }

  private:
    static constexpr uint32_t kNil = UINT32_MAX;
    static constexpr size_t kChunkBits = 12;
    static constexpr size_t kChunkSize = size_t{1} << kChunkBits;
    static constexpr size_t kChunkMask = kChunkSize - 1;
    struct Entry {
        Key key;
        int64_t lastSeen;
        uint32_t prev;
        uint32_t next;
    };

    Entry& entry(uint32_t idx) { return chunks_[idx >> kChunkBits][idx & kChunkMask]; }
    const Entry& entry(uint32_t idx) const { return chunks_[idx >> kChunkBits][idx & kChunkMask]; }

    static constexpr int kBucketBits = 10;
    static constexpr int64_t kBucketMillis = int64_t{1} << kBucketBits;
    // Arithmetic shift: floor division by kBucketMillis, also for times before 1970.
    static int64_t bucketOf(int64_t t) { return t >> kBucketBits; }

    void link(uint32_t idx) {
        Entry& e = entry(idx);
        const int64_t bucket = bucketOf(e.lastSeen);
        // Most links go to the bucket of the current second: remember it to skip the tree search.
        auto it = lastBucket_;
        if (it == buckets_.end() || it->first != bucket) {
            bool inserted;
            std::tie(it, inserted) = buckets_.try_emplace(bucket, kNil);
            lastBucket_ = it;
        }
        e.prev = kNil;
        e.next = it->second;
        if (it->second != kNil) entry(it->second).prev = idx;
        it->second = idx;
    }

    void unlink(uint32_t idx) {
        Entry& e = entry(idx);
        if (e.next != kNil) entry(e.next).prev = e.prev;
        if (e.prev != kNil) {
            entry(e.prev).next = e.next;
        } else {
            const int64_t bucket = bucketOf(e.lastSeen);
            const auto it = lastBucket_ != buckets_.end() && lastBucket_->first == bucket
                                ? lastBucket_
                                : buckets_.find(bucket);
            if (e.next == kNil) {
                if (it == lastBucket_) lastBucket_ = buckets_.end();
                buckets_.erase(it);
            } else {
                it->second = e.next;
            }
        }
    }

    void erase(uint32_t idx) {
        unlink(idx);
        // Find the index slot, then close the gap (backward-shift deletion keeps probes short).
        size_t slot = Traits::hash(Traits::view(entry(idx).key)) & mask_;
        while (slots_[slot] != idx) slot = (slot + 1) & mask_;
        size_t hole = slot;
        for (size_t next = (hole + 1) & mask_; slots_[next] != kNil; next = (next + 1) & mask_) {
            const size_t home = Traits::hash(Traits::view(entry(slots_[next]).key)) & mask_;
            // Move the entry back when its home does not lie cyclically in (hole, next].
            const bool between =
                hole <= next ? (home > hole && home <= next) : (home > hole || home <= next);
            if (!between) {
                slots_[hole] = slots_[next];
                hole = next;
            }
        }
        slots_[hole] = kNil;
        entry(idx).key = Key{};
        free_.push_back(idx);
        --size_;
    }

    void grow() {
        const size_t capacity = slots_.empty() ? 1024 : slots_.size() * 2;
        slots_.assign(capacity, kNil);
        mask_ = capacity - 1;
        for (const auto& [bucket, head] : buckets_) {
            for (uint32_t idx = head; idx != kNil; idx = entry(idx).next) {
                size_t slot = Traits::hash(Traits::view(entry(idx).key)) & mask_;
                while (slots_[slot] != kNil) slot = (slot + 1) & mask_;
                slots_[slot] = idx;
            }
        }
    }

    std::vector<std::unique_ptr<Entry[]>> chunks_;
    size_t used_ = 0;  // entry positions handed out so far (freed ones are on free_)
    std::vector<uint32_t> free_;
    std::vector<uint32_t> slots_;
    size_t mask_ = 0;
    size_t size_ = 0;
    std::map<int64_t, uint32_t> buckets_;  // bucket number -> first entry of its list
    typename std::map<int64_t, uint32_t>::iterator lastBucket_ = buckets_.end();
};

}  // namespace au::processor
