#include "processor/heartbeat_decoder.h"

#include <simdjson.h>

#include <algorithm>

#include "util/base64.h"
#include "util/time_format.h"

namespace au::processor {

namespace od = simdjson::ondemand;

const char* reasonName(RejectReason reason) {
    switch (reason) {
        case RejectReason::kBadRecord:
            return "bad_record";
        case RejectReason::kBadBase64:
            return "bad_base64";
        case RejectReason::kInvalidUtf8:
            return "invalid_utf8";
        case RejectReason::kBinary:
            return "binary";
        case RejectReason::kNotJson:
            return "not_json";
        case RejectReason::kMissingId:
            return "missing_id";
        case RejectReason::kIdTooLong:
            return "id_too_long";
        case RejectReason::kNotGuid:
            return "not_guid";
        case RejectReason::kBadEventTime:
            return "bad_event_time";
        case RejectReason::kNoEventTime:
            return "no_event_time";
        case RejectReason::kCount:
            break;
    }
    return "unknown";
}

struct HeartbeatDecoder::Impl {
    od::parser parser;
    std::string payload;  // decoded record data, with simdjson's padding reserved
    std::string number;   // an integer id's text
};

HeartbeatDecoder::HeartbeatDecoder(HeartbeatSettings settings)
    : settings_(std::move(settings)), impl_(std::make_unique<Impl>()) {}
HeartbeatDecoder::~HeartbeatDecoder() = default;

namespace {

bool hasControlCharacters(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7F;
    });
}

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(" \t\r\n");
    return s.substr(first, last - first + 1);
}

}  // namespace

bool HeartbeatDecoder::decodeJson(Heartbeat& out, std::optional<int64_t>& payloadTime,
                                  RejectReason& why) {
    auto& payload = impl_->payload;
    try {
        od::document doc = impl_->parser.iterate(
            simdjson::padded_string_view(payload.data(), payload.size(), payload.capacity()));
        const od::json_type type = doc.type();
        if (type == od::json_type::string) {
            out.userId = doc.get_string();
            return true;
        }
        if (type != od::json_type::object) {
            why = RejectReason::kNotJson;
            return false;
        }
        bool haveId = false;
        for (auto field : doc.get_object()) {
            // Raw comparison: a key spelled with escapes does not match (producers don't do that).
            const od::raw_json_string key = field.key();
            if (key == settings_.userIdField) {
                od::value v = field.value();
                const od::json_type t = v.type();
                if (t == od::json_type::string) {
                    out.userId = v.get_string();
                    haveId = true;
                } else if (t == od::json_type::number) {
                    int64_t n;
                    if (v.get_int64().get(n) == simdjson::SUCCESS) {
                        impl_->number = std::to_string(n);
                        out.userId = impl_->number;
                        haveId = true;
                    }
                }
            } else if (!settings_.eventTimeField.empty() && key == settings_.eventTimeField) {
                od::value v = field.value();
                const od::json_type t = v.type();
                if (t == od::json_type::number) {
                    int64_t ms;
                    double d;
                    if (v.get_int64().get(ms) == simdjson::SUCCESS) {
                        payloadTime = ms;
                    } else if (v.get_double().get(d) == simdjson::SUCCESS && d > 0 && d < 9e15) {
                        payloadTime = static_cast<int64_t>(d);
                    } else {
                        why = RejectReason::kBadEventTime;
                        return false;
                    }
                } else if (t == od::json_type::string) {
                    payloadTime = parseIso8601Millis(std::string_view(v.get_string()));
                    if (!payloadTime) {
                        why = RejectReason::kBadEventTime;
                        return false;
                    }
                } else if (t != od::json_type::null) {
                    why = RejectReason::kBadEventTime;
                    return false;
                }
            }
        }
        if (!haveId) {
            why = RejectReason::kMissingId;
            return false;
        }
        return true;
    } catch (const simdjson::simdjson_error& e) {
        why =
            e.error() == simdjson::UTF8_ERROR ? RejectReason::kInvalidUtf8 : RejectReason::kNotJson;
        return false;
    }
}

bool HeartbeatDecoder::decode(const protocol::Record& record, Heartbeat& out, RejectReason& why) {
    if (!record.wellFormed) {
        why = RejectReason::kBadRecord;
        return false;
    }
    out = Heartbeat{};
    std::optional<int64_t> payloadTime;

    if (settings_.userIdSource == UserIdSource::kPartitionKey) {
        out.userId = record.partitionKey;
        // The codec hands over what the daemon sent; the id goes out in JSON (snapshots, query).
        if (!simdjson::validate_utf8(out.userId.data(), out.userId.size())) {
            why = RejectReason::kInvalidUtf8;
            return false;
        }
    } else {
        auto& payload = impl_->payload;
        payload.clear();
        payload.reserve(record.data.size() / 4 * 3 + 3 + simdjson::SIMDJSON_PADDING);
        if (!base64Decode(record.data, payload)) {
            why = RejectReason::kBadBase64;
            return false;
        }
        const std::string_view text = trim(payload);
        if (!text.empty() && (text.front() == '{' || text.front() == '"')) {
            // simdjson validates UTF-8 as it indexes the payload.
            if (!decodeJson(out, payloadTime, why)) return false;
        } else if (!simdjson::validate_utf8(payload.data(), payload.size())) {
            why = RejectReason::kInvalidUtf8;
            return false;
        } else {
            out.userId = text;
        }
    }

    if (out.userId.empty()) {
        why = RejectReason::kMissingId;
        return false;
    }
    if (out.userId.size() > kMaxIdBytes) {
        why = RejectReason::kIdTooLong;
        return false;
    }
    out.guid = parseGuid(out.userId);
    if (!out.guid) {
        if (hasControlCharacters(out.userId)) {
            why = RejectReason::kBinary;
            return false;
        }
        if (settings_.requireGuid) {
            why = RejectReason::kNotGuid;
            return false;
        }
    }

    const auto& arrival = record.approximateArrivalMillis;
    if (payloadTime && arrival) {
        out.eventTimeMillis = std::min(*payloadTime, *arrival + settings_.maxEventTimeSkewMillis);
    } else if (arrival) {
        out.eventTimeMillis = *arrival;
    } else if (payloadTime) {
        out.eventTimeMillis = *payloadTime;
    } else {
        why = RejectReason::kNoEventTime;
        return false;
    }
    return true;
}

}  // namespace au::processor
