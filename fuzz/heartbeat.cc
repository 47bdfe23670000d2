// Fuzz target: heartbeat records (base64 -> JSON / text -> user id, GUID, event time) through the
// decoder and the processor (src/processor/heartbeat_decoder.h, active_users_processor.h).
// Input, parts separated by "%%" lines:
//   settings: "<flags> [now] [skew]" — flags: k = id from the partition key, g = requireGuid,
//             t = eventTimeField "ts", r = the record's data is sent as written (else the target
//             base64-encodes it, so the fuzzer works on the payload itself)
//   then one part per record: "<arrival ms or ->\n<partition key>\n<data>"
// Properties, per record: it is counted exactly once — applied, stale, or rejected under exactly
// one reason — and as the decoder says; an accepted id is non-empty, at most 256 bytes, valid
// UTF-8, and a GUID id formats back to its own text (lower case, without braces); the event time
// never runs past arrival + skew; an applied heartbeat is in the table with at least its time.
#include <spdlog/spdlog.h>

#include <charconv>

#include "fuzz.h"
#include "processor/active_users_processor.h"
#include "util/base64.h"

using namespace au;
using namespace au::processor;

namespace {

struct NoCheckpoints final : protocol::Checkpointer {
    protocol::CheckpointResult checkpoint(const std::optional<std::string>&,
                                          const std::optional<int64_t>&) override {
        return {};
    }
};

std::optional<int64_t> integer(std::string_view text) {
    int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
    return v;
}

std::string lowerCase(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

uint64_t sum(const ProcessorStats& s) { return s.applied + s.stale + s.malformed(); }

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    spdlog::set_level(spdlog::level::off);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto parts = fuzz::parts(fuzz::asText(data, size), 64);
    const auto words = fuzz::lines(parts[0]).front();
    const std::string_view flags = words.substr(0, words.find(' '));
    ProcessorSettings settings;
    auto& hb = settings.heartbeat;
    if (flags.find('k') != std::string_view::npos) hb.userIdSource = UserIdSource::kPartitionKey;
    hb.requireGuid = flags.find('g') != std::string_view::npos;
    if (flags.find('t') != std::string_view::npos) hb.eventTimeField = "ts";
    const bool raw = flags.find('r') != std::string_view::npos;
    int64_t now = 1'795'800'000'000;
    std::string_view rest = words.size() > flags.size() ? words.substr(flags.size() + 1) : "";
    if (auto n = integer(rest.substr(0, rest.find(' ')))) now = *n;
    if (rest.find(' ') != std::string_view::npos) {
        if (auto s = integer(rest.substr(rest.find(' ') + 1)); s && *s >= 0) {
            hb.maxEventTimeSkewMillis = *s;
        }
    }

    ManualClock clock(now);
    ActiveUsersProcessor processor(settings, clock);
    HeartbeatDecoder decoder(hb);
    NoCheckpoints checkpointer;
    for (size_t i = 1; i < parts.size(); ++i) {
        const auto fields = fuzz::lines(parts[i]);
        if (fields.size() < 3) continue;
        const size_t payloadAt = fields[0].size() + fields[1].size() + 2;
        const std::string_view payload = parts[i].substr(payloadAt);
        const std::string encoded = raw ? std::string(payload) : base64Encode(payload);
        protocol::Record record;
        record.data = encoded;
        record.partitionKey = fields[1];
        record.sequenceNumber = "49590338271490256608559692538361571095921575989136588898";
        record.approximateArrivalMillis = integer(fields[0]);
        protocol::ProcessRecords batch;
        batch.records.push_back(record);

        Heartbeat heartbeat;
        RejectReason why = RejectReason::kCount;
        const bool accepted = decoder.decode(record, heartbeat, why);
        if (accepted) {
            const std::string_view id = heartbeat.userId;
            FUZZ_CHECK(!id.empty() && id.size() <= kMaxIdBytes);
            FUZZ_CHECK(fuzz::isUtf8(id));
            if (heartbeat.guid) {
                const std::string_view bare = id.size() == 38 ? id.substr(1, 36) : id;
                FUZZ_CHECK(formatGuid(*heartbeat.guid) == lowerCase(bare));
            } else {
                FUZZ_CHECK(!hb.requireGuid);
            }
            if (const auto arrival = record.approximateArrivalMillis;
                arrival && *arrival <= INT64_MAX - hb.maxEventTimeSkewMillis) {
                FUZZ_CHECK(heartbeat.eventTimeMillis <= *arrival + hb.maxEventTimeSkewMillis);
            }
        } else {
            FUZZ_CHECK(why != RejectReason::kCount);
        }
        const std::string id(heartbeat.userId);
        const std::optional<Guid> guid = heartbeat.guid;

        const ProcessorStats before = processor.stats();
        processor.processRecords(batch, checkpointer);
        const ProcessorStats& after = processor.stats();
        FUZZ_CHECK(after.records == before.records + 1);
        FUZZ_CHECK(sum(after) == sum(before) + 1);  // exactly one outcome
        if (!accepted) {
            const auto r = static_cast<size_t>(why);
            FUZZ_CHECK(after.rejected[r] == before.rejected[r] + 1);
        } else if (after.applied == before.applied + 1) {
            const auto seen = processor.table().lastSeen(guid ? formatGuid(*guid) : id);
            FUZZ_CHECK(seen && *seen >= heartbeat.eventTimeMillis);
        } else {
            FUZZ_CHECK(after.stale == before.stale + 1);
        }
    }
    return 0;
}
