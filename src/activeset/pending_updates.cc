#include "activeset/pending_updates.h"

namespace au::activeset {

bool PendingUpdates::add(std::string_view userId, int64_t t) {
    std::string key(userId);
    const auto it = users_.find(key);
    if (it != users_.end()) {
        if (t > it->second) it->second = t;
        return true;
    }
    if (users_.size() >= maxUsers_) {
        ++dropped_;
        return false;
    }
    users_.emplace(std::move(key), t);
    return true;
}

UserScores PendingUpdates::take() {
    UserScores out;
    out.reserve(users_.size());
    for (auto& [id, t] : users_) out.emplace_back(id, t);
    users_.clear();
    return out;
}

}  // namespace au::activeset
