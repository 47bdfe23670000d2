#pragma once
// LeaseEditor: the conditional rewrite of a lease to checkpoint LATEST (docs/leases.md,
// kcl-multilang.md §5), and reading the lease table.
//
// rewriteToLatest(key):
//   1. reads the row with ConsistentRead (or starts from a row the caller already holds);
//   2. leaves it alone when leaveAloneReason() says so (not a lease, checkpointOwner set,
//      SHARD_END, mistyped attributes), when it is already LATEST, or when the caller's Decider
//      declines (e.g. the shard caught up meanwhile);
//   3. sends ONE UpdateItem (see buildRewrite):
//      owned (leaseOwner present):
//        SET checkpoint = "LATEST", checkpointSubSequenceNumber = 0, leaseCounter = c + 2
//        REMOVE pendingCheckpoint, pendingCheckpointSubSequenceNumber, pendingCheckpointState
//               [, leaseOwner when EditOptions.removeLeaseOwner]
//        IF attribute_exists(leaseKey) AND leaseCounter = c AND checkpoint = cp
//           AND attribute_not_exists(checkpointOwner)
//           AND (attribute_not_exists(entityType) OR entityType = "LEASE")
//      unowned: the same with leaseCounter = c + 1 and, in addition,
//        attribute_not_exists(leaseOwner) in the condition (nobody is forced to drop it);
//   4. on a failed condition (another writer won) goes back to 1 with a fresh consistent read,
//      at most EditOptions.maxAttempts writes in all, then gives up (kGaveUp).
// Every attribute not named above is untouched and keeps its DynamoDB type; numbers are sent as
// N strings. Errors (transport, credentials, access denied, bad answers) are returned as the
// Status of the DynamoDbClient; a failed condition is never an error.
// Thread-compatible: one LeaseEditor per thread, like the DynamoDbClient it uses.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "aws/dynamodb_client.h"
#include "leases/lease_row.h"
#include "util/status.h"

namespace au::leases {

struct EditOptions {
    bool removeLeaseOwner = false;  // owned leases: also REMOVE leaseOwner (faster re-take on 2.6+)
    int maxAttempts = 3;            // UpdateItem calls before giving up on lost races
};

enum class EditOutcome {
    kRewritten,      // the UpdateItem succeeded
    kAlreadyLatest,  // the checkpoint is LATEST already
    kLeftAlone,      // §5 says never to write this row (reason says why)
    kDeclined,       // the Decider said no (reason is its answer)
    kNotFound,       // no such row
    kGaveUp,         // every attempt lost a race
};
const char* editOutcomeName(EditOutcome outcome);

struct EditResult {
    EditOutcome outcome = EditOutcome::kNotFound;
    std::string reason;
    std::optional<LeaseRow> before;  // the last row read (the one written, on kRewritten)
    std::optional<LeaseRow> after;   // the row as written (ALL_NEW), on kRewritten
    int writes = 0;                  // UpdateItem calls sent
    int conditionFailures = 0;
};

// Asked with every row read before writing it: nullopt to go on, or the reason to stop.
using Decider = std::function<std::optional<std::string>(const LeaseRow&)>;

class LeaseEditor {
  public:
    // REQUIRES: ddb outlives this object.
    LeaseEditor(aws::DynamoDbClient& ddb, std::string table, EditOptions options = {});

    // The row (ConsistentRead), nullopt when absent; "BadLeaseRow" when it lacks a leaseKey.
    Result<std::optional<LeaseRow>> read(const std::string& leaseKey);
    // Every parsable row of the table (ConsistentRead scan); rows without a string leaseKey are
    // counted in `unparsable` when it is given.
    Result<std::vector<LeaseRow>> scan(size_t* unparsable = nullptr);

    // The procedure above. `firstRead`, when given, is used instead of the first read.
    Result<EditResult> rewriteToLatest(const std::string& leaseKey, const Decider& decider = {},
                                       std::optional<LeaseRow> firstRead = std::nullopt);

    // The UpdateItem request for `row`. REQUIRES: !row.leaveAloneReason().
    static aws::UpdateItemRequest buildRewrite(const std::string& table, const LeaseRow& row,
                                               bool removeLeaseOwner);

    // Test hook: runs after each row is read and accepted, just before its UpdateItem.
    void setBeforeWriteHook(std::function<void(const LeaseRow&)> hook) {
        beforeWrite_ = std::move(hook);
    }

    const std::string& table() const { return table_; }
    const EditOptions& options() const { return options_; }

  private:
    aws::DynamoDbClient& ddb_;
    std::string table_;
    EditOptions options_;
    std::function<void(const LeaseRow&)> beforeWrite_;
};

}  // namespace au::leases
