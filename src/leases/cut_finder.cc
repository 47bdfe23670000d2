#include "leases/cut_finder.h"

#include <algorithm>

namespace au::leases {

namespace {

// ~400 days: wider than any Kinesis retention; past it the search reads from TRIM_HORIZON.
constexpr int64_t kWidestWindowMillis = 400LL * 24 * 3600 * 1000;

class Search {
  public:
    Search(ShardReader& reader, int64_t cutoff, const CutFinderOptions& options)
        : reader_(reader), cutoff_(cutoff), options_(options) {
        result_.cutoffMillis = cutoff;
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
        // Nearest time known to start with a fresh record (or nothing): the cutoff itself.
        int64_t freshFrom = cutoff_;
        for (;;) {
            if (consume(page)) return done();
            if (page.reachesTip()) return done();  // every record up to the tip is stale
            // Advance: bisect the unknown stretch while it is long, else read the next page.
            std::optional<ShardPage> advanced;
            while (!advanced) {
                const int64_t seen = lastStale_->arrivalMillis;
                if (freshFrom - seen <= options_.pageForwardBelowMillis) {
                    auto next = readNext(*page.nextIterator, options_.pageLimit);
                    if (!next) return next.status();
                    advanced = std::move(next).value();
                    break;
                }
                const int64_t mid = seen + (freshFrom - seen) / 2;
                auto probe = probeAt({aws::ShardIteratorType::AtTimestamp, "", mid});
                if (!probe) return probe.status();
                if (startsStale(probe.value())) {
                    advanced = std::move(probe).value();
                } else {
                    noteFresh(probe.value());
                    freshFrom = mid;
                }
            }
            page = std::move(*advanced);
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
            auto page = probeAt(start);
            if (!page) return page.status();
            if (startsStale(page.value())) return std::optional<ShardPage>(std::move(page).value());
            noteFresh(page.value());
            if (last) return std::optional<ShardPage>();
        }
    }

    // The first page at `start` that holds a record, reading through empty pages short of the tip.
    Result<ShardPage> probeAt(const aws::IteratorStart& start) {
        if (++result_.reads > options_.maxReads) return budgetExceeded();
        auto page = reader_.read(start, options_.probeLimit);
        if (!page) return page.status();
        while (page->records.empty() && !page->reachesTip()) {
            auto next = readNext(*page->nextIterator, options_.probeLimit);
            if (!next) return next.status();
            page = std::move(next);
        }
        return page;
    }

    Result<ShardPage> readNext(const std::string& iterator, int limit) {
        if (++result_.reads > options_.maxReads) return budgetExceeded();
        return reader_.readNext(iterator, limit);
    }

    Status budgetExceeded() const {
        return Status::error("CutSearchBudget", "more than " + std::to_string(options_.maxReads) +
                                                    " shard reads without finding the cut");
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
    const CutFinderOptions& options_;
    CutSearch result_;
    std::optional<CutPoint> lastStale_;
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
