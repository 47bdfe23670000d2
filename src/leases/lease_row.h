#pragma once
// LeaseRow: one row of the KCL's lease table, parsed from a DynamoDB item (docs/leases.md,
// kcl-multilang.md §3). The raw item is kept as received, so nothing is lost and a caller can
// compare every attribute (with its DynamoDB type) before and after an edit.
//
// Parsing never fails for a row that has a string `leaseKey`: an attribute with an unexpected
// DynamoDB type (e.g. leaseCounter sent as S) is recorded in `typeProblems`, and such a row is
// never edited; so is a leaseCounter above INT64_MAX - 2, which a rewrite could not increment.
// Pure; thread-compatible.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aws/dynamodb_client.h"
#include "util/status.h"

namespace au::leases {

// The checkpoint sentinels the KCL writes.
inline constexpr const char* kTrimHorizon = "TRIM_HORIZON";
inline constexpr const char* kLatest = "LATEST";
inline constexpr const char* kAtTimestamp = "AT_TIMESTAMP";
inline constexpr const char* kShardEnd = "SHARD_END";
// entityType of a lease row (KCL 3.5+); rows without entityType are leases too.
inline constexpr const char* kLeaseEntityType = "LEASE";
// The cut mark: our own attributes, written with each cut (lease_editor.h). The KCL ignores
// attributes it does not know and never replaces whole rows, so they stay until the next cut.
inline constexpr const char* kCutCheckpointAttribute = "activeUsersCutCheckpoint";  // S
inline constexpr const char* kCutAtAttribute = "activeUsersCutAtMillis";            // N

struct LeaseRow {
    aws::Item raw;  // the item exactly as DynamoDB returned it

    std::string leaseKey;
    std::optional<std::string> leaseOwner;
    std::optional<std::string> leaseCounterText;  // the N value as sent
    std::optional<int64_t> leaseCounter;          // parsed; nullopt when absent or not an integer
    std::optional<std::string> checkpoint;
    std::optional<std::string> checkpointSubSequenceNumber;  // N as sent
    std::vector<std::string> parentShardIds;                 // SS parentShardId
    std::vector<std::string> childShardIds;                  // SS childShardIds
    std::optional<std::string> checkpointOwner;
    std::optional<std::string> entityType;
    bool hasPendingCheckpoint = false;         // any pendingCheckpoint* attribute present
    std::optional<std::string> cutCheckpoint;  // the cut mark, when the row has one
    std::optional<int64_t> cutAtMillis;
    std::vector<std::string> typeProblems;  // "leaseCounter is S, expected N", ...

    bool isOwned() const { return leaseOwner.has_value(); }
    // entityType absent or "LEASE".
    bool isLease() const { return !entityType || *entityType == kLeaseEntityType; }
    bool isShardEnd() const { return checkpoint && *checkpoint == kShardEnd; }
    bool isLatest() const { return checkpoint && *checkpoint == kLatest; }
    // The checkpoint is a sequence number (all digits).
    bool checkpointIsSequenceNumber() const;

    // Why this row must never be rewritten (kcl-multilang.md §5), or nullopt when it may be:
    // not a lease (entityType), a graceful hand-off in progress (checkpointOwner), SHARD_END,
    // a missing or mistyped leaseCounter / checkpoint, or any other type problem.
    std::optional<std::string> leaveAloneReason() const;
};

// The key item {"leaseKey": {"S": key}}.
aws::Item leaseKeyItem(const std::string& leaseKey);

// Fails with "BadLeaseRow" when the item is not an object or lacks a string leaseKey.
Result<LeaseRow> parseLeaseRow(const aws::Item& item);

}  // namespace au::leases
