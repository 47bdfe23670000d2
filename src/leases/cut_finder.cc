#include "leases/cut_finder.h"

#include <algorithm>

namespace au::leases {

namespace {

// ~400 days: wider than any Kinesis retention; past it the search reads from TRIM_HORIZON.
constexpr int64_t kWidestWindowMillis = 400LL * 24 * 3600 * 1000;

class Search {
  public:
    Search(ShardReader& reader, int64_t cutoff, const CutFinderOptions& options)
        : reader_(reader), cutoff_(cutoff), freshFrom_(cutoff), options_(options) {
        result_.cutoffMillis = cutoff;
        if (options_.clock != nullptr) startedAt_ = options_.clock->nowMillis();
    }

    Result<CutSearch> run(const std::optional<CutPoint>& knownStale) {
        auto first = findStaleStart(knownStale);
        if (!first) return first.status();
        if (!first.value()) {
            result_.outcome =
                result_.firstFresh ? CutOutcome::kNothingStale : CutOutcome::kNoRecords;
            return result_;
        }
        ShardPage page = std::move(*first.value());
        for (;;) {
            if (consume(page)) return done();
            if (page.reachesTip()) return done();  // every record up to the tip is stale
            next_ = *page.nextIterator;
            noteDensity(page);
            auto advanced = advance();
            if (!advanced) return advanced.status();
            page = std::move(advanced).value();
        }
    }

  private:
    // Phase 1: a page whose first record is before the cutoff, or nullopt when there is none.
    Result<std::optional<ShardPage>> findStaleStart(const std::optional<CutPoint>& knownStale) {
        for (int64_t window = options_.firstWindowMillis;; window *= 4) {
            aws::IteratorStart start{aws::ShardIteratorType::AtTimestamp, "", cutoff_ - window};
            bool last = false;
            if (knownStale && start.timestampMillis <= knownStale->arrivalMillis) {
                start.timestampMillis = knownStale->arrivalMillis;
                last = true;
            } else if (!knownStale &&
                       (window >= kWidestWindowMillis || start.timestampMillis <= 0)) {
                start = {aws::ShardIteratorType::TrimHorizon, "", 0};
                last = true;
            }
            auto page = probeAt(start, options_.probeLimit);
            if (!page) return page.status();
            if (startsStale(page.value())) return std::optional<ShardPage>(std::move(page).value());
            noteFresh(page.value());
            if (start.type == aws::ShardIteratorType::AtTimestamp) {
                freshFrom_ = std::min(freshFrom_, start.timestampMillis);
            }
            if (last) return std::optional<ShardPage>();
        }
    }

    // Phase 2: the next page to consume after the last stale record seen (lastStale_, next_):
    // probes narrow the stretch [lastStale_, freshFrom_) until one small page covers it, then
    // that page is read forward.
    Result<ShardPage> advance() {
        for (;;) {
            const int64_t seen = lastStale_->arrivalMillis;
            const int64_t stretch = freshFrom_ - seen;
            const double expected =
                density_ ? *density_ * static_cast<double>(std::max<int64_t>(stretch, 1)) : -1;
            // Interpolate while it works: interpolateRecords before freshFrom_, read with twice
            // that so that it reaches the fresh side. Not when a probe already found nothing
            // stale between freshFrom_ and the cutoff: the stale records end before it (a burst,
            // then a gap), where only bisection finds their end.
            const bool interpolating = interpolate_ && density_ && freshFrom_ == cutoff_;
            const bool small = expected >= 0 && expected <= options_.interpolateRecords;
            const bool fits = expected >= 0 && expected <= options_.pageLimit / 2.0;
            if (stretch <= 1 || small || (fits && !interpolating)) {
                const double want = expected < 0 ? options_.pageLimit : 2 * expected;
                return readNext(next_, std::clamp(static_cast<int>(want) + options_.probeLimit,
                                                  options_.probeLimit, options_.pageLimit));
            }
            // Interpolate, else bisect.
            int64_t at = seen + stretch / 2;
            int limit = options_.probeLimit;
            if (interpolating) {
                const auto span = static_cast<int64_t>(options_.interpolateRecords / *density_);
                at = std::clamp<int64_t>(freshFrom_ - std::max<int64_t>(span, 1), seen + 1,
                                         freshFrom_ - 1);
                limit = 2 * options_.interpolateRecords;
            }
            auto probe = probeAt({aws::ShardIteratorType::AtTimestamp, "", at}, limit);
            if (!probe) return probe.status();
            if (startsStale(probe.value())) return std::move(probe).value();
            if (interpolating) interpolate_ = false;  // the stale part ends earlier
            noteFresh(probe.value());
            freshFrom_ = at;
        }
    }

    // The first page at `start` that holds a record, reading through empty pages short of the tip.
    Result<ShardPage> probeAt(const aws::IteratorStart& start, int limit) {
        if (auto over = overBudget()) return *over;
        ++result_.reads;
        ++result_.probes;
        auto page = reader_.read(start, limit);
        if (!page) return page.status();
        result_.recordsRead += static_cast<int64_t>(page->records.size());
        while (page->records.empty() && !page->reachesTip()) {
            auto next = readNext(*page->nextIterator, limit);
            if (!next) return next.status();
            page = std::move(next);
        }
        return page;
    }

    Result<ShardPage> readNext(const std::string& iterator, int limit) {
        if (auto over = overBudget()) return *over;
        ++result_.reads;
        auto page = reader_.readNext(iterator, limit);
        if (page) result_.recordsRead += static_cast<int64_t>(page->records.size());
        return page;
    }

    std::optional<Status> overBudget() const {
        if (result_.reads >= options_.maxReads) {
            return Status::error("CutSearchBudget", "more than " +
                                                        std::to_string(options_.maxReads) +
                                                        " shard reads without finding the cut");
        }
        if (options_.clock != nullptr && options_.budgetMillis > 0 &&
            options_.clock->nowMillis() - startedAt_ > options_.budgetMillis) {
            return Status::error("CutSearchBudget",
                                 "no cut after " + std::to_string(options_.budgetMillis) + " ms (" +
                                     std::to_string(result_.reads) + " shard reads)");
        }
        return std::nullopt;
    }

    bool startsStale(const ShardPage& page) const {
        return !page.records.empty() && page.records.front().arrivalMillis < cutoff_;
    }

    void noteFresh(const ShardPage& page) {
        if (page.records.empty()) return;
        const auto& r = page.records.front();
        if (!result_.firstFresh || r.arrivalMillis < result_.firstFresh->arrivalMillis) {
            result_.firstFresh = CutPoint{r.sequenceNumber, r.arrivalMillis};
        }
    }

    // Records per ms of a page of stale records (a lower bound on the span keeps it an upper
    // bound on the density: the search then narrows once more rather than reads too much).
    void noteDensity(const ShardPage& page) {
        if (page.records.size() < 2) return;
        const int64_t span = page.records.back().arrivalMillis - page.records.front().arrivalMillis;
        density_ = static_cast<double>(page.records.size()) /
                   static_cast<double>(std::max<int64_t>(span, 1));
    }

    // Takes the page's records in order; true once a fresh record is met (the cut is known).
    bool consume(const ShardPage& page) {
        for (const auto& r : page.records) {
            if (r.arrivalMillis >= cutoff_) {
                result_.firstFresh = CutPoint{r.sequenceNumber, r.arrivalMillis};
                return true;
            }
            lastStale_ = CutPoint{r.sequenceNumber, r.arrivalMillis};
        }
        return false;
    }

    Result<CutSearch> done() {
        result_.outcome = CutOutcome::kCut;
        result_.cut = lastStale_;
        return result_;
    }

    ShardReader& reader_;
    const int64_t cutoff_;
    // The first record at or after this time is fresh (or there is none).
    int64_t freshFrom_;
    const CutFinderOptions& options_;
    CutSearch result_;
    std::optional<CutPoint> lastStale_;
    std::string next_;  // the iterator after lastStale_
    std::optional<double> density_;
    bool interpolate_ = true;
    int64_t startedAt_ = 0;
};

}  // namespace

const char* cutOutcomeName(CutOutcome outcome) {
    switch (outcome) {
        case CutOutcome::kCut:
            return "cut";
        case CutOutcome::kNothingStale:
            return "nothing-stale";
        case CutOutcome::kNoRecords:
            return "no-records";
    }
    return "unknown";
}

Result<CutSearch> findCut(ShardReader& reader, int64_t cutoffMillis,
                          const std::optional<CutPoint>& knownStale,
                          const CutFinderOptions& options) {
    return Search(reader, cutoffMillis, options).run(knownStale);
}

}  // namespace au::leases
