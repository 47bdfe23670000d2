#pragma once
// FakeShard: an in-memory Kinesis shard behind the ShardReader interface, with Kinesis's read
// semantics: AT_TIMESTAMP starts at the first record that arrived at or after the time,
// AFTER_SEQUENCE_NUMBER after the given record, pages of at most min(the call's limit, the
// shard's `maxPage`) records (a small maxPage models a shard whose pages come back short),
// MillisBehindLatest = now - arrival of the page's last record while more records follow, 0 at
// the tip. Counts the reads and keeps the starts asked for. Iterators are the index of the next
// record, as text.

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "leases/sequence_number.h"
#include "leases/shard_reader.h"

namespace au::leases::testing {

class FakeShard final : public ShardReader {
  public:
    explicit FakeShard(int64_t nowMillis, size_t maxPage = 10'000)
        : now_(nowMillis), maxPage_(maxPage) {}

    // Appends a record that arrived at `arrivalMillis` (REQUIRES: not before the previous one).
    const ShardRecordRef& add(int64_t arrivalMillis) {
        char seq[40];
        std::snprintf(seq, sizeof seq, "4959%028zu", records_.size() + 1);
        records_.push_back({seq, arrivalMillis});
        return records_.back();
    }
    void addEvery(int64_t from, int64_t to, int64_t step) {
        for (int64_t t = from; t < to; t += step) add(t);
    }
    const std::vector<ShardRecordRef>& records() const { return records_; }
    int reads() const { return reads_; }
    void setNow(int64_t now) { now_ = now; }
    // Every read fails with `code` while set.
    void failWith(std::string code) { failure_ = std::move(code); }
    // Every start read() was asked for, in order.
    const std::vector<aws::IteratorStart>& starts() const { return starts_; }

    Result<ShardPage> read(const aws::IteratorStart& start, int limit) override {
        starts_.push_back(start);
        size_t from = 0;
        switch (start.type) {
            case aws::ShardIteratorType::TrimHorizon:
                break;
            case aws::ShardIteratorType::Latest:
                from = records_.size();
                break;
            case aws::ShardIteratorType::AtTimestamp:
                while (from < records_.size() &&
                       records_[from].arrivalMillis < start.timestampMillis)
                    ++from;
                break;
            case aws::ShardIteratorType::AtSequenceNumber:
            case aws::ShardIteratorType::AfterSequenceNumber: {
                const bool after = start.type == aws::ShardIteratorType::AfterSequenceNumber;
                while (from < records_.size() &&
                       compareSequenceNumbers(records_[from].sequenceNumber, start.sequenceNumber) <
                           (after ? 1 : 0))
                    ++from;
                break;
            }
        }
        return page(from, limit);
    }
    Result<ShardPage> readNext(const std::string& iterator, int limit) override {
        return page(std::stoul(iterator), limit);
    }

    // A ShardReader that forwards to this shard (which must outlive it).
    std::unique_ptr<ShardReader> view() {
        struct View final : ShardReader {
            explicit View(FakeShard& s) : shard(s) {}
            Result<ShardPage> read(const aws::IteratorStart& start, int limit) override {
                return shard.read(start, limit);
            }
            Result<ShardPage> readNext(const std::string& iterator, int limit) override {
                return shard.readNext(iterator, limit);
            }
            FakeShard& shard;
        };
        return std::make_unique<View>(*this);
    }

  private:
    Result<ShardPage> page(size_t from, int limit) {
        ++reads_;
        if (!failure_.empty()) return Status::error(failure_, "scripted");
        ShardPage p;
        const size_t size = std::min(maxPage_, static_cast<size_t>(std::max(1, limit)));
        const size_t to = std::min(records_.size(), from + size);
        for (size_t i = from; i < to; ++i) p.records.push_back(records_[i]);
        p.nextIterator = std::to_string(to);
        p.millisBehindLatest =
            to < records_.size() && to > from ? now_ - records_[to - 1].arrivalMillis : 0;
        return p;
    }

    int64_t now_;
    size_t maxPage_;
    std::vector<ShardRecordRef> records_;
    std::vector<aws::IteratorStart> starts_;
    int reads_ = 0;
    std::string failure_;
};

// One FakeShard per shard id, created on first use with `now`; factory() hands out views of them
// (fix_leases.h ShardReaderFactory).
class FakeShards : public std::map<std::string, FakeShard> {
  public:
    explicit FakeShards(int64_t nowMillis) : now_(nowMillis) {}
    FakeShard& operator[](const std::string& id) { return try_emplace(id, now_).first->second; }
    std::function<std::unique_ptr<ShardReader>(const std::string&)> factory() {
        return [this](const std::string& id) { return (*this)[id].view(); };
    }

  private:
    int64_t now_;
};

}  // namespace au::leases::testing
