#pragma once
// Builders for daemon messages in tests.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "util/base64.h"

namespace au::test {

inline nlohmann::json recordJson(const std::string& payload, const std::string& sequenceNumber,
                                 std::optional<int64_t> arrivalMillis,
                                 const std::string& partitionKey = "pk") {
    nlohmann::json r = {{"action", "record"},
                        {"data", base64Encode(payload)},
                        {"partitionKey", partitionKey},
                        {"sequenceNumber", sequenceNumber},
                        {"subSequenceNumber", 0}};
    r["approximateArrivalTimestamp"] =
        arrivalMillis ? nlohmann::json(*arrivalMillis) : nlohmann::json();
    return r;
}

inline std::string heartbeatPayload(const std::string& userId) {
    return nlohmann::json{{"userId", userId}}.dump();
}

inline std::string processRecordsLine(const nlohmann::json& records,
                                      std::optional<int64_t> millisBehindLatest = 0) {
    nlohmann::json m = {{"action", "processRecords"}, {"records", records}};
    m["millisBehindLatest"] =
        millisBehindLatest ? nlohmann::json(*millisBehindLatest) : nlohmann::json();
    return m.dump();
}

}  // namespace au::test
