// Fuzz target: one line from the daemon through the protocol codec (src/protocol/codec.h).
// Input: the line (without its newline). Properties:
//  - both decode() overloads (copying and in place) agree;
//  - every string a decoded message carries is valid UTF-8 (it goes back out in JSON);
//  - decode -> encode (the daemon's form, below) -> decode gives the same message;
//  - our replies for it — the status, and a checkpoint with its sequence numbers — are JSON
//    objects with exactly the protocol's fields, and a checkpoint reply decodes to the same values.
#include <nlohmann/json.hpp>

#include "fuzz.h"
#include "protocol/codec.h"

using namespace au;
using namespace au::protocol;
using nlohmann::json;

namespace {

// An owned, unambiguous description of a message (its views die with the next decode()).
std::string describe(const Message& m) {
    std::string out(actionName(m));
    auto add = [&](std::string_view s) {
        out += "|" + std::to_string(s.size()) + ":";
        out += s;
    };
    auto addOpt = [&](const auto& v) {
        if (!v) {
            out += "|null";
        } else if constexpr (std::is_same_v<std::decay_t<decltype(*v)>, std::string>) {
            add(*v);
        } else {
            out += "|" + std::to_string(*v);
        }
    };
    if (const auto* i = std::get_if<Initialize>(&m)) {
        add(i->shardId), addOpt(i->sequenceNumber), addOpt(i->subSequenceNumber);
    } else if (const auto* b = std::get_if<ProcessRecords>(&m)) {
        addOpt(b->millisBehindLatest);
        for (const auto& r : b->records) {
            if (!r.wellFormed) {
                out += "|bad";
                continue;
            }
            add(r.data), add(r.partitionKey), add(r.sequenceNumber);
            out += "|" + std::to_string(r.subSequenceNumber);
            addOpt(r.approximateArrivalMillis);
        }
    } else if (const auto* s = std::get_if<Shutdown>(&m)) {
        add(s->reason);
    } else if (const auto* c = std::get_if<CheckpointReply>(&m)) {
        addOpt(c->sequenceNumber), addOpt(c->subSequenceNumber), addOpt(c->error);
    }
    return out;
}

// Every string of the message.
std::vector<std::string_view> stringsOf(const Message& m) {
    std::vector<std::string_view> out{actionName(m)};
    if (const auto* i = std::get_if<Initialize>(&m)) {
        out.push_back(i->shardId);
        if (i->sequenceNumber) out.push_back(*i->sequenceNumber);
    } else if (const auto* b = std::get_if<ProcessRecords>(&m)) {
        for (const auto& r : b->records) {
            out.insert(out.end(), {r.data, r.partitionKey, r.sequenceNumber});
        }
    } else if (const auto* s = std::get_if<Shutdown>(&m)) {
        out.push_back(s->reason);
    } else if (const auto* c = std::get_if<CheckpointReply>(&m)) {
        if (c->sequenceNumber) out.push_back(*c->sequenceNumber);
        if (c->error) out.push_back(*c->error);
    }
    return out;
}

template <class T>
json orNull(const std::optional<T>& v) {
    return v ? json(*v) : json();
}

// The message as the daemon would write it.
std::string encodeAsDaemon(const Message& m) {
    json j = {{"action", std::string(actionName(m))}};
    if (const auto* i = std::get_if<Initialize>(&m)) {
        j["shardId"] = i->shardId;
        j["sequenceNumber"] = orNull(i->sequenceNumber);
        j["subSequenceNumber"] = orNull(i->subSequenceNumber);
    } else if (const auto* b = std::get_if<ProcessRecords>(&m)) {
        json records = json::array();
        for (const auto& r : b->records) {
            if (!r.wellFormed) {
                records.push_back(0);  // decodes as a malformed record again
                continue;
            }
            json record = {{"action", "record"},
                           {"data", std::string(r.data)},
                           {"partitionKey", std::string(r.partitionKey)},
                           {"sequenceNumber", std::string(r.sequenceNumber)},
                           {"subSequenceNumber", r.subSequenceNumber}};
            record["approximateArrivalTimestamp"] = orNull(r.approximateArrivalMillis);
            records.push_back(std::move(record));
        }
        j["records"] = std::move(records);
        j["millisBehindLatest"] = orNull(b->millisBehindLatest);
    } else if (const auto* s = std::get_if<Shutdown>(&m)) {
        j["reason"] = s->reason;
    } else if (const auto* c = std::get_if<CheckpointReply>(&m)) {
        j["sequenceNumber"] = orNull(c->sequenceNumber);
        j["subSequenceNumber"] = orNull(c->subSequenceNumber);
        j["error"] = orNull(c->error);
    }
    return j.dump();
}

void checkReplies(const Message& m) {
    const auto status = json::parse(encodeStatus(actionName(m)), nullptr, false);
    FUZZ_CHECK(status.is_object() && status.size() == 2 && status["action"] == "status");
    FUZZ_CHECK(status["responseFor"] == std::string(actionName(m)));

    std::optional<std::string> sequence;
    std::optional<int64_t> sub;
    if (const auto* i = std::get_if<Initialize>(&m)) sequence = i->sequenceNumber;
    if (const auto* i = std::get_if<Initialize>(&m)) sub = i->subSequenceNumber;
    if (const auto* b = std::get_if<ProcessRecords>(&m); b && !b->records.empty()) {
        sequence = std::string(b->records.back().sequenceNumber);
        sub = b->records.back().subSequenceNumber;
    }
    const std::string line = encodeCheckpoint(sequence, sub);
    const auto checkpoint = json::parse(line, nullptr, false);
    FUZZ_CHECK(checkpoint.is_object() && checkpoint.size() == 3);
    FUZZ_CHECK(checkpoint["action"] == "checkpoint");
    MessageDecoder decoder;
    auto back = decoder.decode(std::string_view(line));
    FUZZ_CHECK(back);
    const auto* reply = std::get_if<CheckpointReply>(&back.value());
    FUZZ_CHECK(reply != nullptr);
    FUZZ_CHECK(reply->sequenceNumber == sequence && reply->subSequenceNumber == sub);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input = fuzz::asText(data, size);
    MessageDecoder decoder;
    auto copied = decoder.decode(input);
    const std::string first = copied ? describe(copied.value()) : copied.status().code();

    std::string inPlace(input);
    MessageDecoder other;
    auto parsed = other.decode(inPlace);
    FUZZ_CHECK((parsed ? describe(parsed.value()) : parsed.status().code()) == first);
    if (!copied) return 0;

    const Message& m = copied.value();
    for (auto s : stringsOf(m)) FUZZ_CHECK(fuzz::isUtf8(s));

    const std::string again = encodeAsDaemon(m);
    auto redecoded = other.decode(std::string_view(again));
    FUZZ_CHECK(redecoded);
    FUZZ_CHECK(describe(redecoded.value()) == first);

    checkReplies(m);
    return 0;
}
