#pragma once
// SetLayout: where the active set lives in Redis and how users are written into it
// (docs/active-set.md "The shared set in Redis").
//
//  - One server: one sorted set named `key`.
//  - A Redis Cluster: P sorted sets ("partitions") "<key>:p<i>:{<tag>}", i = 0..P-1. A user is in
//    partition stableHash(id) mod P, where id is the canonical id (GUIDs in lower case) whatever
//    the member format, so a user always lands in the same partition. The hash tag <tag> is
//    hashTagForSlot((2i+1) * 16384 / (2P)): partition i sits in the middle of the i-th of P equal
//    slot ranges, which spreads the partitions evenly over the masters of a cluster whose slots
//    are split in equal ranges (what `redis-cli --cluster create` does).
//  - Members: the id's text (MemberFormat::kText), or for GUIDs 0xFF + the 16 bytes
//    (kBinary). 0xFF never starts a UTF-8 id (the decoder accepts only valid UTF-8), so
//    userIdOfMember reads both forms without knowing the setting.
//
// Changing P or the key of a live set moves every user: readers then miss users until every
// processor writes the new layout (at most one TTL). Immutable after construction; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "activeset/settings.h"

namespace au::activeset {

class SetLayout {
  public:
    // One sorted set named `key`.
    static SetLayout single(std::string key, MemberFormat format = MemberFormat::kText);
    // REQUIRES: 1 <= partitions <= 16384; `key` holds no '{' (its own hash tag would put every
    // partition in one slot; configuration rejects it).
    static SetLayout partitioned(std::string key, int partitions, MemberFormat format);
    // partitioned() when partitions > 0, else single().
    static SetLayout of(std::string key, int partitions, MemberFormat format);

    const std::string& key() const { return key_; }
    std::string statsKey() const { return statsKeyOf(key_); }
    bool isPartitioned() const { return partitioned_; }
    MemberFormat format() const { return format_; }
    size_t partitions() const { return keys_.size(); }
    const std::string& partitionKey(size_t i) const { return keys_[i]; }
    // REQUIRES: userId is canonical (as the processor's table gives it).
    size_t partitionOf(std::string_view userId) const;
    // The member that stands for `userId` in this layout's format.
    std::string member(std::string_view userId) const;

  private:
    SetLayout(std::string key, bool partitioned, MemberFormat format)
        : key_(std::move(key)), partitioned_(partitioned), format_(format) {}

    std::string key_;
    bool partitioned_;
    MemberFormat format_;
    std::vector<std::string> keys_;
};

// The canonical id a member stands for (either format).
std::string userIdOfMember(std::string_view member);

// 64-bit FNV-1a of the bytes: stable across versions, compilers and machines (it decides which
// partition holds a user, so it must never change).
uint64_t stableHash(std::string_view bytes);

// The decimal text of the smallest n >= 0 whose key slot (redis/slot.h) is `slot`.
// REQUIRES: 0 <= slot < 16384.
const std::string& hashTagForSlot(int slot);

}  // namespace au::activeset
