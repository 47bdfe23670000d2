#include "leases/fix_leases.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "leases/shard_peek.h"
#include "leases/staleness.h"
#include "util/time_format.h"

namespace au::leases {

namespace {

bool replaysData(const LeaseRow& row) {
    return row.checkpoint && (*row.checkpoint == kTrimHorizon || *row.checkpoint == kAtTimestamp ||
                              row.checkpointIsSequenceNumber());
}

LeaseReportEntry entryFor(const LeaseRow& row) {
    LeaseReportEntry e;
    e.leaseKey = row.leaseKey;
    e.owner = row.leaseOwner.value_or("");
    e.checkpoint = row.checkpoint.value_or("");
    e.counter = row.leaseCounterText.value_or("");
    e.parents = row.parentShardIds;
    return e;
}

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
    return out;
}

// "TRIM_HORIZON -> 4959... (the last record older than 2m, arrived 2026-...Z); skips 3h of stale
// data; leaseCounter 7 -> 9 (the owner drops it)"
std::string describeCut(const LeaseReportEntry& e, const LeaseRow& row,
                        const StalenessDecision& d) {
    std::string text = d.reason + "; " + *row.checkpoint + " -> ";
    if (e.cut && e.cut->cut) {
        text += e.target + " (the last record older than the cutoff, arrived " +
                formatIso8601Millis(e.cut->cut->arrivalMillis) + ")";
    } else {
        text += "LATEST (the shard has no record)";
    }
    if (e.skippedMillis) text += "; skips " + formatDuration(*e.skippedMillis) + " of stale data";
    text += "; leaseCounter " + e.counter + " -> " +
            std::to_string(*row.leaseCounter + (row.isOwned() ? 2 : 1)) +
            (row.isOwned() ? " (the owner drops it)" : "");
    return text;
}

void fail(LeaseReportEntry& e, const std::string& what, const Status& status) {
    e.action = "failed";
    e.detail = what + ": " + status.toString();
}

// A lease that replays data: peek, decide, and find the cut of a stale one. True when there is a
// rewrite to plan (e.target, e.detail); otherwise e says why not (keep, failed).
bool planCut(LeaseReportEntry& e, ShardReader& reader, const LeaseRow& row,
             const FixLeasesOptions& options, int64_t now) {
    auto peek = peekShard(reader, *row.checkpoint, options.atTimestampMillis);
    if (!peek) {
        fail(e, "cannot read the shard", peek.status());
        return false;
    }
    StalenessInput in;
    in.startingCheckpoint = row.checkpoint;
    in.millisBehindLatest = peek->millisBehindLatest;
    if (peek->first) in.firstArrivalMillis = peek->first->arrivalMillis;
    in.recordCount = peek->first ? 1 : 0;
    in.nowMillis = now;
    in.maxReplayMillis = options.maxReplayMillis;
    const StalenessDecision d = decideStaleness(in);
    e.backlogMillis = d.backlogMillis;
    if (d.verdict != Verdict::kStale) {
        e.action = "keep";
        e.detail = d.reason;
        return false;
    }
    auto search = findCut(reader, now - options.maxReplayMillis, peek->first, options.cutFinder);
    if (!search) {
        fail(e, "cannot find the cut", search.status());
        return false;
    }
    e.cut = search.value();
    if (search->outcome == CutOutcome::kNothingStale) {
        e.action = "keep";
        e.detail =
            "no record older than " + formatDuration(options.maxReplayMillis) + " ahead any more";
        return false;
    }
    e.target = search->cut ? search->cut->sequenceNumber : std::string(kLatest);
    if (search->cut && peek->first) {
        e.skippedMillis = search->cut->arrivalMillis - peek->first->arrivalMillis;
    }
    e.detail = describeCut(e, row, d);
    return true;
}

// With --resume-latest, a lease at LATEST or AT_TIMESTAMP: position it at the cut, so that the
// consumer resumes with the last maxReplay of data. LATEST would skip it (the tip); AT_TIMESTAMP
// reads from the timestamp the daemon is configured with when it takes the lease, which fix-leases
// does not know (the launcher sets a new one, now - maxReplay, at every start; a lease left at the
// sentinel would make a move hours later replay from that start).
bool resumesAtCut(const LeaseRow& row, const FixLeasesOptions& options) {
    return row.isLatest() || (options.resumeLatest && row.checkpoint == kAtTimestamp);
}

bool planResume(LeaseReportEntry& e, ShardReader& reader, const LeaseRow& row,
                const FixLeasesOptions& options, int64_t now) {
    auto search = findCut(reader, now - options.maxReplayMillis, std::nullopt, options.cutFinder);
    if (!search) {
        fail(e, "cannot find the cut", search.status());
        return false;
    }
    e.cut = search.value();
    if (search->outcome == CutOutcome::kNoRecords) {
        e.action = "keep";
        e.detail = "the shard has no record: LATEST resumes with nothing missed";
        return false;
    }
    // Every record younger than maxReplay: all of them are resumed.
    e.target = search->cut ? search->cut->sequenceNumber : std::string(kTrimHorizon);
    e.detail = "resume the last " + formatDuration(options.maxReplayMillis) + ": " +
               *row.checkpoint + " -> " +
               (search->cut ? e.target + " (the last record older than the cutoff, arrived " +
                                  formatIso8601Millis(search->cut->arrivalMillis) + ")"
                            : "TRIM_HORIZON (every record is younger than the cutoff)") +
               "; leaseCounter " + e.counter + " -> " +
               std::to_string(*row.leaseCounter + (row.isOwned() ? 2 : 1)) +
               (row.isOwned() ? " (the owner drops it)" : "");
    return true;
}

// Dry run: "would-rewrite". --apply: the conditional rewrite (declined when the checkpoint moved
// since the scan).
void applyPlan(LeaseReportEntry& e, LeaseEditor& editor, const LeaseRow& row,
               const FixLeasesOptions& options, int64_t now) {
    if (!options.apply) {
        e.action = "would-rewrite";
        return;
    }
    const std::string scanned = *row.checkpoint;
    auto edit = editor.rewriteCheckpoint(
        row.leaseKey, RewriteTarget{e.target, now},
        [&](const LeaseRow& current) -> std::optional<std::string> {
            if (current.checkpoint != scanned) {
                return "checkpoint changed since the peek (" + scanned + " -> " +
                       current.checkpoint.value_or("none") + ")";
            }
            return std::nullopt;
        },
        row);
    if (!edit) {
        fail(e, "UpdateItem failed", edit.status());
        const std::string& code = edit.status().code();
        if (code == "Timeout" || code == "ConnectionError") {
            e.detail +=
                "; no answer came, so the write may still be applied: run fix-leases again to see "
                "the lease as it is";
        }
    } else if (edit->outcome == EditOutcome::kRewritten) {
        e.action = "rewritten";
        e.detail += "; " + edit->reason;
    } else if (edit->outcome == EditOutcome::kGaveUp) {
        e.action = "failed";
        e.detail = edit->reason;
    } else {
        e.action = "unchanged";
        e.detail = std::string(editOutcomeName(edit->outcome)) + ": " + edit->reason;
    }
}

}  // namespace

Result<FixLeasesReport> runFixLeases(LeaseEditor& editor, const ShardReaderFactory& shards,
                                     const FixLeasesOptions& options, const Clock& clock) {
    const int64_t started = clock.nowMillis();
    FixLeasesReport report;
    report.applied = options.apply;
    report.maxReplayMillis = options.maxReplayMillis;
    auto rows = editor.scan(&report.unparsable);
    if (!rows) return rows.status();
    report.scanned = rows->size();

    std::map<std::string, const LeaseRow*> byKey;
    for (const auto& row : rows.value()) byKey[row.leaseKey] = &row;
    std::map<std::string, StuckParent> stuck;

    // Entries in scan order; the leases to plan point at theirs.
    std::vector<LeaseReportEntry> entries;
    std::vector<std::pair<size_t, const LeaseRow*>> work;
    for (const auto& row : rows.value()) {
        if (options.onlyLeaseKey && row.leaseKey != *options.onlyLeaseKey) continue;
        if (!row.isLease() || !(replaysData(row) || (options.resumeLatest && row.isLatest())))
            continue;
        LeaseReportEntry e = entryFor(row);
        if (auto why = row.leaveAloneReason()) {
            e.action = "left-alone";
            e.detail = *why;
            entries.push_back(std::move(e));
            continue;
        }
        std::vector<std::string> unfinished;
        for (const auto& parent : row.parentShardIds) {
            auto it = byKey.find(parent);
            if (it != byKey.end() && !it->second->isShardEnd()) {
                unfinished.push_back(parent);
                auto& s = stuck[parent];
                s.leaseKey = parent;
                s.checkpoint = it->second->checkpoint.value_or("");
                s.owner = it->second->leaseOwner.value_or("");
                s.waitingChildren.push_back(row.leaseKey);
            }
        }
        if (!unfinished.empty()) {
            e.action = "waiting-on-parent";
            e.detail = "parent " + joined(unfinished) + " is not at SHARD_END yet";
            entries.push_back(std::move(e));
            continue;
        }
        work.emplace_back(entries.size(), &row);
        entries.push_back(std::move(e));
    }

    FixLeasesOptions planOptions = options;
    planOptions.cutFinder.clock = &clock;
    // Workers plan (peek, cut search); this thread writes each plan as it comes in.
    std::mutex mu;
    std::condition_variable planned;
    std::vector<std::pair<size_t, int64_t>> ready;  // work index, the plan's `now`
    size_t nextWork = 0;
    std::vector<char> toWrite(work.size(), 0);
    auto worker = [&] {
        for (;;) {
            size_t k;
            {
                std::lock_guard<std::mutex> lock(mu);
                if (nextWork >= work.size()) return;
                k = nextWork++;
            }
            LeaseReportEntry& e = entries[work[k].first];
            const LeaseRow& row = *work[k].second;
            bool plan = false;
            // The plan's cutoff is now - maxReplay: the write's mark must carry the same time.
            const int64_t now = clock.nowMillis();
            try {
                auto reader = shards(row.leaseKey);
                plan = resumesAtCut(row, planOptions) ? planResume(e, *reader, row, planOptions, now)
                                                     : planCut(e, *reader, row, planOptions, now);
                e.planMillis = clock.nowMillis() - now;
                e.kinesisCalls = reader->calls();
                e.throttled = reader->throttled();
            } catch (const std::exception& ex) {  // e.g. the AWS clients could not be set up
                fail(e, "cannot read the shard", Status::error("InternalError", ex.what()));
                plan = false;
            }
            {
                std::lock_guard<std::mutex> lock(mu);
                toWrite[k] = plan ? 1 : 0;
                ready.emplace_back(k, now);
            }
            planned.notify_one();
        }
    };
    const int threads =
        static_cast<int>(std::min<size_t>(std::max(1, options.concurrency), work.size()));
    report.concurrency = std::max(1, options.concurrency);
    std::vector<std::thread> pool;
    if (threads <= 1) {
        worker();
    } else {
        for (int i = 0; i < threads; ++i) pool.emplace_back(worker);
    }
    for (size_t done = 0; done < work.size(); ++done) {
        std::pair<size_t, int64_t> item;
        {
            std::unique_lock<std::mutex> lock(mu);
            planned.wait(lock, [&] { return !ready.empty(); });
            item = ready.front();
            ready.erase(ready.begin());
        }
        LeaseReportEntry& e = entries[work[item.first].first];
        if (toWrite[item.first])
            applyPlan(e, editor, *work[item.first].second, options, item.second);
    }
    for (auto& t : pool) t.join();

    for (auto& e : entries) {
        if (e.action == "failed") ++report.failures;
        if (e.action == "would-rewrite") ++report.wouldRewrite;
        if (e.action == "rewritten") ++report.rewritten;
        report.kinesisCalls += e.kinesisCalls;
        report.throttled += e.throttled;
        report.leases.push_back(std::move(e));
    }
    for (auto& [key, s] : stuck) report.stuckParents.push_back(std::move(s));
    report.startedMillis = started;
    report.elapsedMillis = clock.nowMillis() - started;
    return report;
}

std::string formatReportTable(const FixLeasesReport& r) {
    std::ostringstream out;
    auto pad = [](std::string s, size_t width) {
        if (s.size() < width) s.append(width - s.size(), ' ');
        return s + "  ";
    };
    size_t keyWidth = 8, cpWidth = 10, ownerWidth = 5;
    for (const auto& e : r.leases) {
        keyWidth = std::max(keyWidth, e.leaseKey.size());
        cpWidth = std::max(cpWidth, std::min<size_t>(e.checkpoint.size(), 24));
        ownerWidth = std::max(ownerWidth, e.owner.size());
    }
    out << pad("LEASE", keyWidth) << pad("CHECKPOINT", cpWidth) << pad("OWNER", ownerWidth)
        << pad("BACKLOG", 8) << pad("ACTION", 17) << "DETAIL\n";
    for (const auto& e : r.leases) {
        std::string cp =
            e.checkpoint.size() > 24 ? e.checkpoint.substr(0, 21) + "..." : e.checkpoint;
        out << pad(e.leaseKey, keyWidth) << pad(cp, cpWidth)
            << pad(e.owner.empty() ? "-" : e.owner, ownerWidth)
            << pad(e.backlogMillis ? formatDuration(*e.backlogMillis) : "-", 8) << pad(e.action, 17)
            << e.detail << "\n";
    }
    for (const auto& s : r.stuckParents) {
        out << "parent " << s.leaseKey << " is at "
            << (s.checkpoint.empty() ? "no checkpoint" : s.checkpoint) << " (owner "
            << (s.owner.empty() ? "none" : s.owner)
            << "), not SHARD_END; waiting: " << joined(s.waitingChildren) << "\n";
    }
    out << (r.applied ? "applied" : "dry run") << ": " << r.scanned << " rows scanned, "
        << (r.applied ? std::to_string(r.rewritten) + " rewritten"
                      : std::to_string(r.wouldRewrite) + " would be rewritten (use --apply)")
        << ", " << r.failures << " failed, maxReplay " << formatDuration(r.maxReplayMillis) << "; "
        << r.elapsedMillis << " ms from " << formatIso8601Millis(r.startedMillis) << ", "
        << r.concurrency << " shards at a time, " << r.kinesisCalls
        << " Kinesis calls (" << r.throttled << " throttled)";
    if (r.unparsable > 0) out << ", " << r.unparsable << " rows without a leaseKey ignored";
    out << "\n";
    return out.str();
}

namespace {

// null, or {"target", "cutoffMillis", "sequenceNumber", "arrivalMillis", "arrival",
// "skippedSeconds", "firstFresh": {...} | null}
nlohmann::json cutToJson(const LeaseReportEntry& e) {
    if (!e.cut || e.target.empty()) return nullptr;
    const CutSearch& s = *e.cut;
    auto point = [](const std::optional<CutPoint>& p) -> nlohmann::json {
        if (!p) return nullptr;
        return {{"sequenceNumber", p->sequenceNumber},
                {"arrivalMillis", p->arrivalMillis},
                {"arrival", formatIso8601Millis(p->arrivalMillis)}};
    };
    nlohmann::json j = point(s.cut);
    if (j.is_null()) j = nlohmann::json::object({{"sequenceNumber", nullptr}});
    j["target"] = e.target;
    j["cutoffMillis"] = s.cutoffMillis;
    j["skippedSeconds"] = e.skippedMillis
                              ? nlohmann::json(static_cast<double>(*e.skippedMillis) / 1000.0)
                              : nlohmann::json(nullptr);
    j["firstFresh"] = point(s.firstFresh);
    return j;
}

}  // namespace

nlohmann::json reportToJson(const FixLeasesReport& r) {
    nlohmann::json leases = nlohmann::json::array();
    for (const auto& e : r.leases) {
        leases.push_back(
            {{"leaseKey", e.leaseKey},
             {"owner", e.owner.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.owner)},
             {"checkpoint", e.checkpoint},
             {"leaseCounter", e.counter},
             {"parents", e.parents},
             {"action", e.action},
             {"backlogMillis",
              e.backlogMillis ? nlohmann::json(*e.backlogMillis) : nlohmann::json(nullptr)},
             {"cut", cutToJson(e)},
             {"planMillis", e.planMillis},
             {"kinesisCalls", e.kinesisCalls},
             {"throttled", e.throttled},
             {"detail", e.detail}});
    }
    nlohmann::json parents = nlohmann::json::array();
    for (const auto& s : r.stuckParents) {
        parents.push_back(
            {{"leaseKey", s.leaseKey},
             {"checkpoint", s.checkpoint},
             {"owner", s.owner.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.owner)},
             {"waitingChildren", s.waitingChildren}});
    }
    return {{"applied", r.applied},
            {"maxReplayMillis", r.maxReplayMillis},
            {"scanned", r.scanned},
            {"unparsable", r.unparsable},
            {"rewritten", r.rewritten},
            {"wouldRewrite", r.wouldRewrite},
            {"failures", r.failures},
            {"leases", leases},
            {"startedMillis", r.startedMillis},
            {"elapsedMillis", r.elapsedMillis},
            {"concurrency", r.concurrency},
            {"kinesisCalls", r.kinesisCalls},
            {"throttled", r.throttled},
            {"stuckParents", parents}};
}

}  // namespace au::leases
