#include "serve/history.h"

#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>

namespace au::serve {

History::History(int64_t intervalMillis, int64_t windowMillis, size_t maxEvents)
    : interval_(intervalMillis),
      window_(windowMillis),
      capacity_(static_cast<size_t>(windowMillis / intervalMillis) + 1),
      maxEvents_(maxEvents) {}

void History::record(int64_t now, const Result<size_t>& count,
                     const Result<std::vector<activeset::ShardStats>>& shards) {
    std::lock_guard<std::mutex> lock(mu_);
    HistorySample sample;
    sample.t = now;
    if (count) {
        sample.count = count.value();
        if (sourceDown_) addEvent(now, {now, "sourceUp", "", "the active set is readable again"});
        sourceDown_ = false;
    } else {
        if (!sourceDown_) {
            addEvent(now, {now, "sourceDown", "",
                           "cannot read the active set: " + count.status().toString()});
        }
        sourceDown_ = true;
    }
    if (shards) {
        for (const auto& s : shards.value()) {
            if (s.endReason.empty() && s.millisBehindLatest) {
                sample.behindMillis =
                    std::max(sample.behindMillis.value_or(0), *s.millisBehindLatest);
            }
        }
    }
    samples_.push_back(sample);
    while (samples_.size() > capacity_) samples_.pop_front();
    if (shards) {
        for (const auto& s : shards.value()) {
            eventsFrom(now, s);
            Seen& seen = seen_[s.shardId];
            if (seen.pid == s.pid && s.writtenAt > seen.writtenAt && s.records >= seen.records) {
                seen.rate = static_cast<double>(s.records - seen.records) * 1000.0 /
                            static_cast<double>(s.writtenAt - seen.writtenAt);
            } else if (seen.pid != s.pid) {
                seen.rate.reset();
            }
            seen.pid = s.pid;
            seen.writtenAt = s.writtenAt;
            seen.records = s.records;
        }
    }
    prune(now);
}

void History::eventsFrom(int64_t now, const activeset::ShardStats& s) {
    const std::string pid = "pid " + std::to_string(s.pid);
    if (s.startedAt > 0) {
        std::string text = "processor " + pid + " started";
        if (const auto& w = s.warmStart) {
            text += "; warm start: " + std::to_string(w->own) + " users from its own snapshot";
            if (w->parentsUnknown.empty())
                text += ", " + std::to_string(w->parents) + " from parent shards";
            else
                text += " (parents unknown: " + w->parentsUnknown + ")";
        }
        addEvent(now, {s.startedAt, "start", s.shardId, text});
    }
    if (!s.endReason.empty() && s.endedAt > 0) {
        if (s.endReason == "leaseLost") {
            addEvent(now, {s.endedAt, "leaseLost", s.shardId, pid + " lost the lease"});
        } else if (s.endReason == "shardEnded") {
            addEvent(now, {s.endedAt, "shardEnded", s.shardId,
                           pid + " reached the shard's end (reshard): the children take over"});
        } else {
            addEvent(now,
                     {s.endedAt, "shutdown", s.shardId, pid + " stopped (" + s.endReason + ")"});
        }
    }
    if (s.fixer && s.fixer->action == "cut" && s.fixer->at > 0) {
        addEvent(now, {s.fixer->at, "fixerCut", s.shardId,
                       "lease fixer cut the stale backlog: " + s.fixer->detail});
    }
    if (const auto& r = s.redis) {
        if (r->lastDownAt > 0) {
            addEvent(now, {r->lastDownAt, "redisDown", s.shardId, pid + " lost Redis"});
        }
        if (r->lastUpAt > 0) {
            addEvent(now, {r->lastUpAt, "redisUp", s.shardId, pid + " reached Redis again"});
        }
    }
}

void History::addEvent(int64_t now, HistoryEvent event) {
    if (event.t < now - window_) return;
    for (const auto& e : events_) {
        if (e.t == event.t && e.kind == event.kind && e.shard == event.shard) return;
    }
    // Kept in time order (a shard's stats may tell of an older event than the last one seen).
    auto at = events_.end();
    while (at != events_.begin() && std::prev(at)->t > event.t) --at;
    events_.insert(at, std::move(event));
    while (events_.size() > maxEvents_) events_.pop_front();
}

void History::prune(int64_t now) {
    while (!events_.empty() && events_.front().t < now - window_) events_.pop_front();
}

std::vector<HistorySample> History::samples() const {
    std::lock_guard<std::mutex> lock(mu_);
    return {samples_.begin(), samples_.end()};
}

std::vector<HistoryEvent> History::events() const {
    std::lock_guard<std::mutex> lock(mu_);
    return {events_.begin(), events_.end()};
}

std::optional<double> History::recordsPerSecond(const std::string& shardId) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = seen_.find(shardId);
    if (it == seen_.end()) return std::nullopt;
    return it->second.rate;
}

std::string History::json() const {
    std::lock_guard<std::mutex> lock(mu_);
    nlohmann::ordered_json j;
    j["intervalMillis"] = interval_;
    j["windowMillis"] = window_;
    auto samples = nlohmann::ordered_json::array();
    for (const auto& s : samples_) {
        samples.push_back({s.t, s.count ? nlohmann::ordered_json(*s.count) : nullptr,
                           s.behindMillis ? nlohmann::ordered_json(*s.behindMillis) : nullptr});
    }
    j["samples"] = std::move(samples);
    auto events = nlohmann::ordered_json::array();
    for (const auto& e : events_) {
        events.push_back({{"t", e.t}, {"kind", e.kind}, {"shard", e.shard}, {"text", e.text}});
    }
    j["events"] = std::move(events);
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace au::serve
