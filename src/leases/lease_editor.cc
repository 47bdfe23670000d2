#include "leases/lease_editor.h"

#include <algorithm>

#include "leases/sequence_number.h"

namespace au::leases {

const char* editOutcomeName(EditOutcome outcome) {
    switch (outcome) {
        case EditOutcome::kRewritten:
            return "rewritten";
        case EditOutcome::kAlreadyAtTarget:
            return "already-at-target";
        case EditOutcome::kLeftAlone:
            return "left-alone";
        case EditOutcome::kDeclined:
            return "declined";
        case EditOutcome::kNotFound:
            return "not-found";
        case EditOutcome::kGaveUp:
            return "gave-up";
    }
    return "unknown";
}

const char* tableGenerationName(TableGeneration generation) {
    return generation == TableGeneration::kKcl3 ? "KCL 3.x" : "KCL 2.x";
}

bool rowTellsGeneration(const LeaseRow& row) { return row.entityType.has_value(); }

TableGeneration detectTableGeneration(const LeaseRow& row,
                                      const std::optional<aws::Item>& migration) {
    if (rowTellsGeneration(row)) return TableGeneration::kKcl3;
    if (!migration || !migration->is_object()) return TableGeneration::kKcl2;
    const auto cv = migration->find("cv");
    if (cv != migration->end() && cv->is_object() && cv->contains("S") && (*cv)["S"].is_string()) {
        const auto text = (*cv)["S"].get<std::string>();
        if (text.find("2X") != std::string::npos) return TableGeneration::kKcl2;
    }
    return TableGeneration::kKcl3;
}

bool LeaseEditor::removesOwnerFor(const LeaseRow& row, std::string* why) {
    if (options_.removeLeaseOwner) {
        if (why)
            *why = *options_.removeLeaseOwner ? "fixRemovesLeaseOwner=true"
                                              : "fixRemovesLeaseOwner=false";
        return *options_.removeLeaseOwner;
    }
    if (!generation_) {
        if (rowTellsGeneration(row)) {
            generation_ = detectTableGeneration(row, std::nullopt);
        } else {
            auto migration = ddb_.getItem(table_, leaseKeyItem(kMigrationLeaseKey), true);
            if (!migration) {
                if (why)
                    *why = "auto: cannot read " + std::string(kMigrationLeaseKey) + " (" +
                           migration.status().toString() + "), keeping the owner";
                return false;
            }
            generation_ = detectTableGeneration(row, migration.value());
        }
    }
    const bool remove = *generation_ == TableGeneration::kKcl2;
    if (why)
        *why = std::string("auto: ") + tableGenerationName(*generation_) + " table, " +
               (remove ? "removing" : "keeping") + " the owner";
    return remove;
}

LeaseEditor::LeaseEditor(aws::DynamoDbClient& ddb, std::string table, EditOptions options)
    : ddb_(ddb), table_(std::move(table)), options_(options) {
    options_.maxAttempts = std::max(1, options_.maxAttempts);
}

Result<std::optional<LeaseRow>> LeaseEditor::read(const std::string& leaseKey) {
    auto item = ddb_.getItem(table_, leaseKeyItem(leaseKey), /*consistentRead=*/true);
    if (!item) return item.status();
    if (!item.value()) return std::optional<LeaseRow>();
    auto row = parseLeaseRow(*item.value());
    if (!row) return row.status();
    return std::optional<LeaseRow>(std::move(row).value());
}

Result<std::vector<LeaseRow>> LeaseEditor::scan(size_t* unparsable) {
    aws::ScanOptions options;
    options.consistentRead = true;
    auto items = ddb_.scan(table_, options);
    if (!items) return items.status();
    std::vector<LeaseRow> rows;
    size_t bad = 0;
    for (const auto& item : items.value()) {
        auto row = parseLeaseRow(item);
        if (row) {
            rows.push_back(std::move(row).value());
        } else {
            ++bad;
        }
    }
    if (unparsable != nullptr) *unparsable = bad;
    std::sort(rows.begin(), rows.end(),
              [](const LeaseRow& a, const LeaseRow& b) { return a.leaseKey < b.leaseKey; });
    return rows;
}

aws::UpdateItemRequest LeaseEditor::buildRewrite(const std::string& table, const LeaseRow& row,
                                                 bool removeLeaseOwner,
                                                 const RewriteTarget& target) {
    const bool owned = row.isOwned();
    const int64_t next = *row.leaseCounter + (owned ? 2 : 1);

    aws::UpdateItemRequest req;
    req.table = table;
    req.key = leaseKeyItem(row.leaseKey);
    req.returnValues = "ALL_NEW";
    req.updateExpression = "SET #cp = :target, #cpSub = :zero, #counter = :next";
    if (target.markCutAtMillis) req.updateExpression += ", #cutCp = :target, #cutAt = :cutAt";
    req.updateExpression += " REMOVE #pending, #pendingSub, #pendingState";
    nlohmann::json names = {{"#key", "leaseKey"},
                            {"#counter", "leaseCounter"},
                            {"#cp", "checkpoint"},
                            {"#cpSub", "checkpointSubSequenceNumber"},
                            {"#pending", "pendingCheckpoint"},
                            {"#pendingSub", "pendingCheckpointSubSequenceNumber"},
                            {"#pendingState", "pendingCheckpointState"},
                            {"#cpOwner", "checkpointOwner"},
                            {"#type", "entityType"}};
    std::string condition =
        "attribute_exists(#key) AND #counter = :counter AND #cp = :cp AND "
        "attribute_not_exists(#cpOwner) AND (attribute_not_exists(#type) OR #type = :lease)";
    if (owned && removeLeaseOwner) {
        req.updateExpression += ", #owner";
        names["#owner"] = "leaseOwner";
    }
    if (!owned) {
        condition += " AND attribute_not_exists(#owner)";
        names["#owner"] = "leaseOwner";
    }
    if (target.markCutAtMillis) {
        names["#cutCp"] = kCutCheckpointAttribute;
        names["#cutAt"] = kCutAtAttribute;
    }
    req.condition.conditionExpression = condition;
    req.condition.expressionAttributeNames = std::move(names);
    req.condition.expressionAttributeValues = {
        {":target", {{"S", target.checkpoint}}},  {":zero", {{"N", "0"}}},
        {":next", {{"N", std::to_string(next)}}}, {":counter", {{"N", *row.leaseCounterText}}},
        {":cp", {{"S", *row.checkpoint}}},        {":lease", {{"S", kLeaseEntityType}}}};
    if (target.markCutAtMillis) {
        req.condition.expressionAttributeValues[":cutAt"] = {
            {"N", std::to_string(*target.markCutAtMillis)}};
    }
    return req;
}

Result<EditResult> LeaseEditor::rewriteToLatest(const std::string& leaseKey, const Decider& decider,
                                                std::optional<LeaseRow> firstRead) {
    return rewriteCheckpoint(leaseKey, RewriteTarget{kLatest, std::nullopt}, decider,
                             std::move(firstRead));
}

Result<EditResult> LeaseEditor::rewriteCheckpoint(const std::string& leaseKey,
                                                  const RewriteTarget& target,
                                                  const Decider& decider,
                                                  std::optional<LeaseRow> firstRead) {
    EditResult result;
    std::optional<LeaseRow> row = std::move(firstRead);
    for (;;) {
        if (!row) {
            auto r = read(leaseKey);
            if (!r) return r.status();
            if (!r.value()) {
                result.outcome = EditOutcome::kNotFound;
                result.reason = "no lease " + leaseKey + " in " + table_;
                return result;
            }
            row = std::move(*r.value());
        }
        result.before = row;
        if (auto why = row->leaveAloneReason()) {
            result.outcome = EditOutcome::kLeftAlone;
            result.reason = *why;
            return result;
        }
        if (*row->checkpoint == target.checkpoint) {
            result.outcome = EditOutcome::kAlreadyAtTarget;
            result.reason = "checkpoint is " + target.checkpoint + " already";
            return result;
        }
        if (row->checkpointIsSequenceNumber() && isSequenceNumber(target.checkpoint) &&
            compareSequenceNumbers(*row->checkpoint, target.checkpoint) >= 0) {
            result.outcome = EditOutcome::kAlreadyAtTarget;
            result.reason = "checkpoint " + *row->checkpoint + " is at or past the cut already";
            return result;
        }
        if (decider) {
            if (auto why = decider(*row)) {
                result.outcome = EditOutcome::kDeclined;
                result.reason = *why;
                return result;
            }
        }
        if (result.writes >= options_.maxAttempts) {
            result.outcome = EditOutcome::kGaveUp;
            result.reason =
                "lost " + std::to_string(result.conditionFailures) + " races with other writers";
            return result;
        }
        std::string ownerWhy;
        const bool removeOwner = row->isOwned() && removesOwnerFor(*row, &ownerWhy);
        if (beforeWrite_) beforeWrite_(*row);
        auto written = ddb_.updateItem(buildRewrite(table_, *row, removeOwner, target));
        ++result.writes;
        if (!written) return written.status();
        if (!written->conditionFailed) {
            result.outcome = EditOutcome::kRewritten;
            result.reason = std::string(row->isOwned() ? "owned" : "unowned") +
                            " lease: " + *row->checkpoint + " -> " + target.checkpoint +
                            ", leaseCounter " + *row->leaseCounterText + " -> " +
                            std::to_string(*row->leaseCounter + (row->isOwned() ? 2 : 1));
            if (row->isOwned()) {
                result.reason +=
                    std::string(removeOwner ? ", leaseOwner removed" : ", leaseOwner kept") + " (" +
                    ownerWhy + ")";
            }
            auto after = parseLeaseRow(written->attributes);
            if (after) result.after = std::move(after).value();
            return result;
        }
        ++result.conditionFailures;
        row.reset();  // another writer won: read again and decide again
    }
}

}  // namespace au::leases
