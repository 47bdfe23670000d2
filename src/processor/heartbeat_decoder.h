#pragma once
// HeartbeatDecoder: turns a Kinesis record into (user id, event time), or a reason to skip it.
//
// Accepted payloads (after base64): a JSON object with the id in `userIdField` (a string, or an
// integer) and optionally an event time in `eventTimeField` (epoch ms, or an ISO-8601 string with a
// zone); a JSON string; or the bare id as text. With UserIdSource::kPartitionKey the id is the
// partition key and the payload is not read. The event time is the record's arrival time, or the
// payload's time capped at arrival + maxEventTimeSkewMillis: never the processing time.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "processor/settings.h"
#include "protocol/messages.h"
#include "util/guid.h"

namespace au::processor {

enum class RejectReason : uint8_t {
    kBadRecord,     // the record's fields had the wrong JSON types
    kBadBase64,     // data is not valid base64
    kInvalidUtf8,   // payload is not UTF-8 text
    kBinary,        // control characters in the payload or the id
    kNotJson,       // starts like JSON but does not parse
    kMissingId,     // no id, or an empty one
    kIdTooLong,     // id over kMaxIdBytes
    kNotGuid,       // requireGuid and the id is not a GUID
    kBadEventTime,  // eventTimeField present but not epoch ms or ISO-8601
    kNoEventTime,   // neither an arrival time nor a payload time
    kCount
};
const char* reasonName(RejectReason reason);

constexpr size_t kMaxIdBytes = 256;

struct Heartbeat {
    std::string_view userId;   // as sent; valid until the next decode()
    std::optional<Guid> guid;  // set when userId is a GUID: the table keys on it, not on the text
    int64_t eventTimeMillis = 0;
};

class HeartbeatDecoder {
  public:
    explicit HeartbeatDecoder(HeartbeatSettings settings);
    ~HeartbeatDecoder();
    HeartbeatDecoder(const HeartbeatDecoder&) = delete;
    HeartbeatDecoder& operator=(const HeartbeatDecoder&) = delete;

    // Decodes one record into `out` (true), or sets `why` (false). Never throws.
    bool decode(const protocol::Record& record, Heartbeat& out, RejectReason& why);

  private:
    bool decodeJson(Heartbeat& out, std::optional<int64_t>& payloadTime, RejectReason& why);

    HeartbeatSettings settings_;
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace au::processor
