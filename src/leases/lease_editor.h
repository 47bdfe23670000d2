#pragma once
// LeaseEditor: the conditional rewrite of a lease's checkpoint (docs/leases.md,
// kcl-multilang.md §5), and reading the lease table. The new checkpoint is the exact cut (a
// sequence number, cut_finder.h) or LATEST.
//
// rewriteCheckpoint(key, target):
//   1. reads the row with ConsistentRead (or starts from a row the caller already holds);
//   2. leaves it alone when leaveAloneReason() says so (not a lease, checkpointOwner set,
//      SHARD_END, mistyped attributes), when it is at the target already or past it (a
//      sequence-number checkpoint at or after the target is never moved back), or when the
//      caller's Decider declines (e.g. the shard caught up meanwhile);
//   3. sends ONE UpdateItem (see buildRewrite):
//      owned (leaseOwner present):
//        SET checkpoint = target, checkpointSubSequenceNumber = 0, leaseCounter = c + 2
//            [, activeUsersCutCheckpoint = target, activeUsersCutAtMillis = t: the cut mark]
//        REMOVE pendingCheckpoint, pendingCheckpointSubSequenceNumber, pendingCheckpointState
//               [, leaseOwner when the owner policy says so, see EditOptions]
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
    // Owned leases: also REMOVE leaseOwner? true / false force it; nullopt = auto: keep it on
    // tables of KCL 3.x (its own worker re-adopts the lease in ~4-7 s; without an owner the lease
    // waits for the leader's assignment), remove it on 2.x tables (the LeaseTaker grabs an
    // unowned lease at its next run instead of after two scans). docs/leases.md, docs/e2e.md.
    std::optional<bool> removeLeaseOwner = false;
    int maxAttempts = 3;  // UpdateItem calls before giving up on lost races
};

// Which KCL generation writes a lease table, for the auto owner policy.
enum class TableGeneration { kKcl2, kKcl3 };
const char* tableGenerationName(TableGeneration generation);
// The lease key of the KCL 3.x migration-state row (entityType CLIENT_VERSION_MIGRATION).
inline constexpr const char* kMigrationLeaseKey = "Migration3.0";
// Pure part of the detection. `row` is the lease about to be written; `migration` is the
// "Migration3.0" row (nullopt: absent; only consulted when the row does not tell). A lease row
// with entityType (3.5+ writes "LEASE") -> 3.x. Else the migration row: absent -> 2.x; its client
// version `cv` naming 2X (CLIENT_VERSION_2X, CLIENT_VERSION_UPGRADE_FROM_2X: a 3.x worker running
// the 2.x-compatible lease taker) -> 2.x; otherwise (CLIENT_VERSION_3X...) -> 3.x.
TableGeneration detectTableGeneration(const LeaseRow& row,
                                      const std::optional<aws::Item>& migration);
// True when `row` alone decides (it has an entityType), so no read of the migration row is needed.
bool rowTellsGeneration(const LeaseRow& row);

// Where a rewrite puts the lease.
struct RewriteTarget {
    std::string checkpoint;  // a sequence number (the cut) or "LATEST"
    // When set, the row also records the cut (activeUsersCutCheckpoint = checkpoint,
    // activeUsersCutAtMillis = this time) for the in-process fixer's cut-loop guard.
    std::optional<int64_t> markCutAtMillis;
};

enum class EditOutcome {
    kRewritten,        // the UpdateItem succeeded
    kAlreadyAtTarget,  // the checkpoint is the target already, or a sequence number past it
    kLeftAlone,        // §5 says never to write this row (reason says why)
    kDeclined,         // the Decider said no (reason is its answer)
    kNotFound,         // no such row
    kGaveUp,           // every attempt lost a race
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
    Result<EditResult> rewriteCheckpoint(const std::string& leaseKey, const RewriteTarget& target,
                                         const Decider& decider = {},
                                         std::optional<LeaseRow> firstRead = std::nullopt);
    // rewriteCheckpoint to LATEST, without a cut mark.
    Result<EditResult> rewriteToLatest(const std::string& leaseKey, const Decider& decider = {},
                                       std::optional<LeaseRow> firstRead = std::nullopt);

    // The UpdateItem request for `row`. REQUIRES: !row.leaveAloneReason().
    static aws::UpdateItemRequest buildRewrite(const std::string& table, const LeaseRow& row,
                                               bool removeLeaseOwner, const RewriteTarget& target);

    // Test hook: runs after each row is read and accepted, just before its UpdateItem.
    void setBeforeWriteHook(std::function<void(const LeaseRow&)> hook) {
        beforeWrite_ = std::move(hook);
    }

    const std::string& table() const { return table_; }
    const EditOptions& options() const { return options_; }

    // Whether the rewrite of the owned `row` removes leaseOwner: the explicit option, or (auto)
    // the table's generation, read once per LeaseEditor (one consistent GetItem of
    // "Migration3.0" unless the row tells; a failed read falls back to keeping the owner and is
    // retried next time). `why`, when given, receives a short explanation for logs.
    bool removesOwnerFor(const LeaseRow& row, std::string* why = nullptr);

  private:
    aws::DynamoDbClient& ddb_;
    std::string table_;
    EditOptions options_;
    std::optional<TableGeneration> generation_;  // cached auto detection
    std::function<void(const LeaseRow&)> beforeWrite_;
};

}  // namespace au::leases
