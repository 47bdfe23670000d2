#include "redis/slot_map.h"

#include <algorithm>
#include <charconv>

namespace au::redis {

std::string NodeAddress::name() const {
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<NodeAddress> parseNodeAddress(std::string_view text, const std::string& defaultHost) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    NodeAddress out;
    std::string_view host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    out.host = host.empty() || host == "?" ? defaultHost : std::string(host);
    const std::string_view port = text.substr(colon + 1);
    const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
    if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || out.port < 1 ||
        out.port > 65535) {
        return std::nullopt;
    }
    return out;
}

SlotMap::SlotMap() : slots_(kSlotCount, -1) {}

int SlotMap::indexOf(const NodeAddress& node) {
    const auto it = std::find(nodes_.begin(), nodes_.end(), node);
    if (it != nodes_.end()) return static_cast<int>(it - nodes_.begin());
    nodes_.push_back(node);
    return static_cast<int>(nodes_.size() - 1);
}

Result<SlotMap> SlotMap::fromClusterSlots(const Reply& reply, const std::string& answeredBy) {
    if (reply.isError()) return Status::error("ClusterError", reply.str);
    const auto bad = [](const std::string& why) {
        return Status::error("ProtocolError", "unexpected CLUSTER SLOTS reply: " + why);
    };
    if (reply.type != Reply::Type::kArray) return bad("not an array");
    auto nodeOf = [&](const Reply& r) -> std::optional<NodeAddress> {
        if (r.type != Reply::Type::kArray || r.elements.size() < 2) return std::nullopt;
        const Reply& host = r.elements[0];
        const Reply& port = r.elements[1];
        if (host.type != Reply::Type::kString || port.type != Reply::Type::kInteger ||
            port.integer < 1 || port.integer > 65535) {
            return std::nullopt;
        }
        NodeAddress n;
        n.host = host.str.empty() || host.str == "?" ? answeredBy : host.str;
        n.port = static_cast<int>(port.integer);
        return n;
    };
    SlotMap map;
    std::vector<NodeAddress> replicas;
    for (const Reply& range : reply.elements) {
        if (range.type != Reply::Type::kArray || range.elements.size() < 3) {
            return bad("a slot range has fewer than 3 elements");
        }
        const Reply& start = range.elements[0];
        const Reply& end = range.elements[1];
        if (start.type != Reply::Type::kInteger || end.type != Reply::Type::kInteger ||
            start.integer < 0 || end.integer >= kSlotCount || start.integer > end.integer) {
            return bad("bad slot range");
        }
        const auto master = nodeOf(range.elements[2]);
        if (!master) return bad("bad node entry");
        const int index = map.indexOf(*master);
        for (auto slot = start.integer; slot <= end.integer; ++slot) {
            map.slots_[static_cast<size_t>(slot)] = index;
        }
        for (size_t i = 3; i < range.elements.size(); ++i) {
            if (auto replica = nodeOf(range.elements[i])) replicas.push_back(*replica);
        }
    }
    for (const auto& r : replicas) map.indexOf(r);
    return map;
}

const NodeAddress* SlotMap::masterOf(int slot) const {
    if (slot < 0 || slot >= kSlotCount) return nullptr;
    const int index = slots_[static_cast<size_t>(slot)];
    return index < 0 ? nullptr : &nodes_[static_cast<size_t>(index)];
}

void SlotMap::assign(int slot, const NodeAddress& node) {
    if (slot < 0 || slot >= kSlotCount) return;
    slots_[static_cast<size_t>(slot)] = indexOf(node);
}

std::vector<NodeAddress> SlotMap::masters() const {
    std::vector<bool> seen(nodes_.size(), false);
    std::vector<NodeAddress> out;
    for (const int index : slots_) {
        if (index < 0 || seen[static_cast<size_t>(index)]) continue;
        seen[static_cast<size_t>(index)] = true;
        out.push_back(nodes_[static_cast<size_t>(index)]);
    }
    return out;
}

int SlotMap::uncoveredSlots() const {
    return static_cast<int>(std::count(slots_.begin(), slots_.end(), -1));
}

bool SlotMap::sameMasters(const SlotMap& other) const {
    for (int slot = 0; slot < kSlotCount; ++slot) {
        const NodeAddress* a = masterOf(slot);
        const NodeAddress* b = other.masterOf(slot);
        if ((a == nullptr) != (b == nullptr) || (a != nullptr && *a != *b)) return false;
    }
    return true;
}

}  // namespace au::redis
