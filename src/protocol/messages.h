#pragma once
// The MultiLangDaemon protocol's messages, as plain structs (docs/protocol.md).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace au::protocol {

// One record of a processRecords message. The views point into the decoder's buffers and stay
// valid until the next call to MessageDecoder::decode.
struct Record {
    std::string_view data;  // base64 as sent; empty when the daemon sent null
    std::string_view partitionKey;
    std::string_view sequenceNumber;  // digits; never parsed into an integer
    int64_t subSequenceNumber = 0;
    std::optional<int64_t> approximateArrivalMillis;  // epoch ms
    bool wellFormed = true;                           // false when a field had the wrong JSON type
};

struct Initialize {
    std::string shardId;
    std::optional<std::string>
        sequenceNumber;  // TRIM_HORIZON, LATEST, AT_TIMESTAMP, SHARD_END, digits
    std::optional<int64_t> subSequenceNumber;
};

struct ProcessRecords {
    std::vector<Record> records;
    std::optional<int64_t> millisBehindLatest;
};

// 1.x and 2.0.x: reason TERMINATE / SHARD_END (shard end) or ZOMBIE / LEASE_LOST (lease lost).
struct Shutdown {
    std::string reason;
    bool isShardEnd() const { return reason == "TERMINATE" || reason == "SHARD_END"; }
};

struct ShutdownRequested {};
struct LeaseLost {};
struct ShardEnded {};

// The daemon's answer to a checkpoint we sent. `error` is the Java exception's simple name.
struct CheckpointReply {
    std::optional<std::string> sequenceNumber;
    std::optional<int64_t> subSequenceNumber;
    std::optional<std::string> error;
};

// An action this program does not know (a newer daemon): answered with a status all the same.
struct UnknownAction {
    std::string action;
};

using Message = std::variant<Initialize, ProcessRecords, Shutdown, ShutdownRequested, LeaseLost,
                             ShardEnded, CheckpointReply, UnknownAction>;

// The action name a message answers to ("initialize", "processRecords", ...).
std::string_view actionName(const Message& message);

}  // namespace au::protocol
