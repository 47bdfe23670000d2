#include "activeset/set_layout.h"

#include "redis/slot.h"
#include "util/guid.h"

namespace au::activeset {

namespace {

constexpr unsigned char kBinaryGuidTag = 0xFF;

}  // namespace

uint64_t stableHash(std::string_view bytes) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (const char c : bytes) {
        h ^= static_cast<uint8_t>(c);
        h *= 0x100000001b3ull;
    }
    return h;
}

const std::string& hashTagForSlot(int slot) {
    // Every slot is reached by n < 300,000 (about 170,000 steps: a few ms, once).
    static const std::vector<std::string> tags = [] {
        std::vector<std::string> out(redis::kSlotCount);
        int missing = redis::kSlotCount;
        for (uint64_t n = 0; missing > 0; ++n) {
            std::string text = std::to_string(n);
            auto& tag = out[static_cast<size_t>(redis::keySlot(text))];
            if (tag.empty()) {
                tag = std::move(text);
                --missing;
            }
        }
        return out;
    }();
    return tags[static_cast<size_t>(slot)];
}

SetLayout SetLayout::single(std::string key, MemberFormat format) {
    SetLayout layout(std::move(key), false, format);
    layout.keys_.push_back(layout.key_);
    return layout;
}

SetLayout SetLayout::partitioned(std::string key, int partitions, MemberFormat format) {
    SetLayout layout(std::move(key), true, format);
    const int64_t p = partitions;
    for (int64_t i = 0; i < p; ++i) {
        const auto slot = static_cast<int>((2 * i + 1) * redis::kSlotCount / (2 * p));
        layout.keys_.push_back(layout.key_ + ":p" + std::to_string(i) + ":{" +
                               hashTagForSlot(slot) + "}");
    }
    return layout;
}

SetLayout SetLayout::of(std::string key, int partitions, MemberFormat format) {
    return partitions > 0 ? partitioned(std::move(key), partitions, format)
                          : single(std::move(key), format);
}

size_t SetLayout::partitionOf(std::string_view userId) const {
    return keys_.size() == 1 ? 0 : static_cast<size_t>(stableHash(userId) % keys_.size());
}

std::string SetLayout::member(std::string_view userId) const {
    if (format_ == MemberFormat::kBinary) {
        if (const auto guid = parseGuid(userId)) {
            std::string out(17, '\0');
            out[0] = static_cast<char>(kBinaryGuidTag);
            for (int i = 0; i < 8; ++i) {
                out[static_cast<size_t>(1 + i)] = static_cast<char>(guid->hi >> (56 - 8 * i));
                out[static_cast<size_t>(9 + i)] = static_cast<char>(guid->lo >> (56 - 8 * i));
            }
            return out;
        }
    }
    return std::string(userId);
}

std::string userIdOfMember(std::string_view member) {
    if (member.size() != 17 || static_cast<unsigned char>(member[0]) != kBinaryGuidTag) {
        return std::string(member);
    }
    Guid g;
    for (int i = 0; i < 8; ++i) {
        g.hi = (g.hi << 8) | static_cast<uint8_t>(member[static_cast<size_t>(1 + i)]);
        g.lo = (g.lo << 8) | static_cast<uint8_t>(member[static_cast<size_t>(9 + i)]);
    }
    return formatGuid(g);
}

}  // namespace au::activeset
