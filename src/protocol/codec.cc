#include "protocol/codec.h"

#include <simdjson.h>

#include <nlohmann/json.hpp>

namespace au::protocol {

namespace od = simdjson::ondemand;

std::string_view actionName(const Message& message) {
    struct Visitor {
        std::string_view operator()(const Initialize&) const { return "initialize"; }
        std::string_view operator()(const ProcessRecords&) const { return "processRecords"; }
        std::string_view operator()(const Shutdown&) const { return "shutdown"; }
        std::string_view operator()(const ShutdownRequested&) const { return "shutdownRequested"; }
        std::string_view operator()(const LeaseLost&) const { return "leaseLost"; }
        std::string_view operator()(const ShardEnded&) const { return "shardEnded"; }
        std::string_view operator()(const CheckpointReply&) const { return "checkpoint"; }
        std::string_view operator()(const UnknownAction& u) const { return u.action; }
    };
    return std::visit(Visitor{}, message);
}

namespace {

// Reads a JSON value as a string; absent (nullopt) for null or any other type.
std::optional<std::string_view> stringOf(od::value v) {
    if (v.type() != od::json_type::string) return std::nullopt;
    return std::string_view(v.get_string());
}

// Reads an integral JSON number; absent for null, other types and values out of range.
std::optional<int64_t> intOf(od::value v) {
    if (v.type() != od::json_type::number) return std::nullopt;
    int64_t out;
    if (v.get_int64().get(out) == simdjson::SUCCESS) return out;
    double d;
    if (v.get_double().get(d) == simdjson::SUCCESS && d > -9.2e18 && d < 9.2e18) {
        return static_cast<int64_t>(d);
    }
    return std::nullopt;
}

// approximateArrivalTimestamp as the daemons serialise it: an integer is epoch ms (1.x Date,
// 2.2+/3.x Long, and Jackson's Instant without nanoseconds); a decimal below 1e11 is epoch seconds
// with a fraction (Jackson's Instant with nanoseconds); {"epochSecond":s,"nano":n} is a bean
// Instant.
std::optional<int64_t> arrivalMillisOf(od::value v) {
    const auto type = v.type().value();
    if (type == od::json_type::number) {
        int64_t i;
        if (v.get_int64().get(i) == simdjson::SUCCESS) return i;  // integers are always ms
        double d;
        if (v.get_double().get(d) != simdjson::SUCCESS) return std::nullopt;
        if (d > -1e11 && d < 1e11) return static_cast<int64_t>(d * 1000.0);  // seconds.fraction
        if (d > -9.2e18 && d < 9.2e18) return static_cast<int64_t>(d);
        return std::nullopt;
    }
    if (type == od::json_type::object) {
        std::optional<int64_t> seconds, nanos;
        for (auto field : v.get_object()) {
            std::string_view key = field.unescaped_key();
            if (key == "epochSecond") seconds = intOf(field.value());
            if (key == "nano") nanos = intOf(field.value());
        }
        if (seconds) return *seconds * 1000 + nanos.value_or(0) / 1'000'000;
    }
    return std::nullopt;
}

Record recordOf(od::value v) {
    Record r;
    if (v.type() != od::json_type::object) {
        r.wellFormed = false;
        return r;
    }
    bool haveSequence = false;
    for (auto field : v.get_object()) {
        const od::raw_json_string key = field.key();
        od::value value = field.value();
        if (key == "data") {
            auto t = value.type().value();
            if (t == od::json_type::string) {
                r.data = value.get_string();
            } else if (t != od::json_type::null) {
                r.wellFormed = false;
            }
        } else if (key == "partitionKey") {
            if (auto s = stringOf(value)) r.partitionKey = *s;
        } else if (key == "sequenceNumber") {
            if (auto s = stringOf(value)) {
                r.sequenceNumber = *s;
                haveSequence = true;
            }
        } else if (key == "subSequenceNumber" || key == "subsequenceNumber") {
            r.subSequenceNumber = intOf(value).value_or(0);
        } else if (key == "approximateArrivalTimestamp") {
            r.approximateArrivalMillis = arrivalMillisOf(value);
        }
    }
    if (!haveSequence) r.wellFormed = false;
    return r;
}

}  // namespace

struct MessageDecoder::Impl {
    od::parser parser;
    std::string buffer;  // a copy of the line plus simdjson's padding (string_view input)
    std::vector<Record> spare;
    Result<Message> parse(simdjson::padded_string_view input);
};

MessageDecoder::MessageDecoder() : impl_(std::make_unique<Impl>()) {}
MessageDecoder::~MessageDecoder() = default;

Result<Message> MessageDecoder::decode(std::string_view line) {
    auto& buffer = impl_->buffer;
    buffer.reserve(line.size() + simdjson::SIMDJSON_PADDING);
    buffer.assign(line.data(), line.size());
    return impl_->parse(
        simdjson::padded_string_view(buffer.data(), buffer.size(), buffer.capacity()));
}

Result<Message> MessageDecoder::decode(std::string& line) {
    if (line.capacity() < line.size() + simdjson::SIMDJSON_PADDING) {
        line.reserve(line.size() + line.size() / 2 + simdjson::SIMDJSON_PADDING);
    }
    return impl_->parse(simdjson::padded_string_view(line.data(), line.size(), line.capacity()));
}

void MessageDecoder::recycle(std::vector<Record>&& records) {
    if (records.capacity() > impl_->spare.capacity()) impl_->spare = std::move(records);
}

Result<Message> MessageDecoder::Impl::parse(simdjson::padded_string_view input) {
    try {
        od::document doc = parser.iterate(input);
        if (doc.type() != od::json_type::object) {
            return Status::error("NotAnObject", "not a JSON object");
        }
        std::optional<std::string> action;
        Initialize init;
        ProcessRecords batch;
        batch.records = std::move(spare);
        batch.records.clear();
        Shutdown shutdown;
        CheckpointReply reply;
        for (auto field : doc.get_object()) {
            // Raw key comparison: the daemon's keys carry no escapes, and unescaping costs.
            const od::raw_json_string key = field.key();
            od::value value = field.value();
            if (key == "action") {
                if (auto s = stringOf(value)) action = std::string(*s);
            } else if (key == "records") {
                if (value.type() == od::json_type::array) {
                    for (od::value element : value.get_array()) {
                        batch.records.push_back(recordOf(element));
                    }
                }
            } else if (key == "millisBehindLatest") {
                batch.millisBehindLatest = intOf(value);
            } else if (key == "shardId") {
                if (auto s = stringOf(value)) init.shardId = std::string(*s);
            } else if (key == "sequenceNumber") {
                if (auto s = stringOf(value))
                    init.sequenceNumber = reply.sequenceNumber = std::string(*s);
            } else if (key == "subSequenceNumber") {
                init.subSequenceNumber = reply.subSequenceNumber = intOf(value);
            } else if (key == "reason") {
                if (auto s = stringOf(value)) shutdown.reason = std::string(*s);
            } else if (key == "error") {
                if (auto s = stringOf(value)) reply.error = std::string(*s);
            }
        }
        if (!action) return Status::error("NoAction", "the object has no string \"action\"");

        const std::string& a = *action;
        if (a == "processRecords") return Message(std::move(batch));
        if (a == "initialize") return Message(std::move(init));
        if (a == "checkpoint") return Message(std::move(reply));
        if (a == "shutdown") return Message(std::move(shutdown));
        if (a == "shutdownRequested") return Message(ShutdownRequested{});
        if (a == "leaseLost") return Message(LeaseLost{});
        if (a == "shardEnded") return Message(ShardEnded{});
        return Message(UnknownAction{a});
    } catch (const simdjson::simdjson_error& e) {
        return Status::error("NotJson", e.what());
    }
}

std::string encodeStatus(std::string_view responseFor) {
    std::string out = R"({"action":"status","responseFor":)";
    out += nlohmann::json(std::string(responseFor))
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out += '}';
    return out;
}

std::string encodeCheckpoint(const std::optional<std::string>& sequenceNumber,
                             const std::optional<int64_t>& subSequenceNumber) {
    std::string out = R"({"action":"checkpoint","sequenceNumber":)";
    out += sequenceNumber ? nlohmann::json(*sequenceNumber).dump() : "null";
    out += R"(,"subSequenceNumber":)";
    out += subSequenceNumber ? std::to_string(*subSequenceNumber) : "null";
    out += '}';
    return out;
}

}  // namespace au::protocol
