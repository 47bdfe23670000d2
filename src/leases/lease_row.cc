#include "leases/lease_row.h"

#include <algorithm>
#include <charconv>

#include "leases/sequence_number.h"

namespace au::leases {

namespace {

// The single DynamoDB type tag of an attribute value ({"S": ..} -> "S"), or "" when malformed.
std::string typeOf(const nlohmann::json& value) {
    if (!value.is_object() || value.size() != 1) return "";
    return value.begin().key();
}

class Reader {
  public:
    Reader(const aws::Item& item, std::vector<std::string>& problems)
        : item_(item), problems_(problems) {}

    // The attribute's payload when present with type `type`; records a problem when present with
    // another type.
    const nlohmann::json* get(const char* name, const char* type) {
        auto it = item_.find(name);
        if (it == item_.end()) return nullptr;
        const std::string actual = typeOf(*it);
        if (actual != type) {
            problems_.push_back(std::string(name) + " is " +
                                (actual.empty() ? "malformed" : actual) + ", expected " + type);
            return nullptr;
        }
        return &it->begin().value();
    }
    std::optional<std::string> string(const char* name, const char* type = "S") {
        const auto* v = get(name, type);
        if (v == nullptr) return std::nullopt;
        if (!v->is_string()) {
            problems_.push_back(std::string(name) + " has a non-string payload");
            return std::nullopt;
        }
        return v->get<std::string>();
    }
    std::vector<std::string> stringSet(const char* name) {
        std::vector<std::string> out;
        const auto* v = get(name, "SS");
        if (v == nullptr) return out;
        if (!v->is_array()) {
            problems_.push_back(std::string(name) + " has a non-list payload");
            return out;
        }
        for (const auto& s : *v) {
            if (s.is_string()) out.push_back(s.get<std::string>());
        }
        return out;
    }

  private:
    const aws::Item& item_;
    std::vector<std::string>& problems_;
};

std::optional<int64_t> parseInteger(const std::string& text) {
    int64_t value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace

bool LeaseRow::checkpointIsSequenceNumber() const {
    return checkpoint && isSequenceNumber(*checkpoint);
}

std::optional<std::string> LeaseRow::leaveAloneReason() const {
    if (!isLease()) return "not a lease (entityType " + *entityType + ")";
    if (checkpointOwner)
        return "graceful hand-off in progress (checkpointOwner " + *checkpointOwner + ")";
    if (!typeProblems.empty()) return "unexpected attribute type: " + typeProblems.front();
    if (!checkpoint) return "no checkpoint";
    if (isShardEnd()) return "checkpoint is SHARD_END";
    if (!leaseCounter) return "no integer leaseCounter";
    return std::nullopt;
}

aws::Item leaseKeyItem(const std::string& leaseKey) { return {{"leaseKey", {{"S", leaseKey}}}}; }

Result<LeaseRow> parseLeaseRow(const aws::Item& item) {
    if (!item.is_object()) return Status::error("BadLeaseRow", "lease row is not an object");
    LeaseRow row;
    row.raw = item;
    Reader r(item, row.typeProblems);
    auto key = r.string("leaseKey");
    if (!key || key->empty()) {
        return Status::error("BadLeaseRow", "lease row without a string leaseKey");
    }
    row.leaseKey = std::move(*key);
    row.leaseOwner = r.string("leaseOwner");
    row.leaseCounterText = r.string("leaseCounter", "N");
    if (row.leaseCounterText) {
        row.leaseCounter = parseInteger(*row.leaseCounterText);
        if (!row.leaseCounter) {
            row.typeProblems.push_back("leaseCounter is not an integer");
        } else if (*row.leaseCounter > INT64_MAX - 2) {
            // A rewrite adds 1 or 2: past INT64_MAX it would overflow (found by
            // fuzz/aws_responses).
            row.typeProblems.push_back("leaseCounter is too large to increment");
        }
    }
    row.checkpoint = r.string("checkpoint");
    row.checkpointSubSequenceNumber = r.string("checkpointSubSequenceNumber", "N");
    row.parentShardIds = r.stringSet("parentShardId");
    row.childShardIds = r.stringSet("childShardIds");
    row.checkpointOwner = r.string("checkpointOwner");
    row.entityType = r.string("entityType");
    row.cutCheckpoint = r.string(kCutCheckpointAttribute);
    if (auto at = r.string(kCutAtAttribute, "N")) row.cutAtMillis = parseInteger(*at);
    row.hasPendingCheckpoint = item.contains("pendingCheckpoint") ||
                               item.contains("pendingCheckpointSubSequenceNumber") ||
                               item.contains("pendingCheckpointState");
    return row;
}

}  // namespace au::leases
