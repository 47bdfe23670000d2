#include "processor/heartbeat_decoder.h"

#include <catch2/catch.hpp>

#include "util/base64.h"

using namespace au;
using namespace au::processor;

namespace {

struct Decoded {
    bool ok;
    std::string userId;
    std::optional<Guid> guid;
    int64_t time;
    RejectReason why;
};

Decoded decodeWith(HeartbeatDecoder& d, const std::string& payload, std::optional<int64_t> arrival,
                   const std::string& partitionKey = "pk", bool encode = true) {
    const std::string data = encode ? base64Encode(payload) : payload;
    protocol::Record r;
    r.data = data;
    r.partitionKey = partitionKey;
    r.sequenceNumber = "1";
    r.approximateArrivalMillis = arrival;
    Heartbeat hb;
    RejectReason why = RejectReason::kCount;
    const bool ok = d.decode(r, hb, why);
    return {ok, std::string(hb.userId), hb.guid, hb.eventTimeMillis, why};
}

constexpr const char* kGuid = "3F2504E0-4F89-11D3-9A0C-0305E82C3301";

}  // namespace

TEST_CASE("Heartbeats decode from the shapes producers send", "[processor]") {
    HeartbeatDecoder d(HeartbeatSettings{});
    auto json = decodeWith(d, std::string(R"({"userId":")") + kGuid + R"(","other":[1,2]})", 1000);
    CHECK(json.ok);
    CHECK(json.guid == parseGuid(kGuid));
    CHECK(json.time == 1000);

    auto bare = decodeWith(d, std::string("  ") + kGuid + "\n", 2000);
    CHECK(bare.ok);
    CHECK(bare.guid == parseGuid(kGuid));

    auto quoted = decodeWith(d, "\"user-7\"", 3000);
    CHECK(quoted.ok);
    CHECK(quoted.userId == "user-7");
    CHECK_FALSE(quoted.guid);

    auto number = decodeWith(d, R"({"userId":12345})", 4000);
    CHECK(number.ok);
    CHECK(number.userId == "12345");

    auto text = decodeWith(d, "alice", 5000);
    CHECK(text.ok);
    CHECK(text.userId == "alice");
}

TEST_CASE("The id can come from another field or from the partition key", "[processor]") {
    HeartbeatSettings s;
    s.userIdField = "uid";
    HeartbeatDecoder field(s);
    CHECK(decodeWith(field, R"({"userId":"no","uid":"yes"})", 1).userId == "yes");

    s.userIdSource = UserIdSource::kPartitionKey;
    HeartbeatDecoder pk(s);
    auto r = decodeWith(pk, "!!! not even base64", 1, kGuid, /*encode=*/false);
    CHECK(r.ok);
    CHECK(r.guid == parseGuid(kGuid));
    // Found by fuzz/heartbeat: a partition key that is not UTF-8 became an id (ids go out in JSON).
    auto bad = decodeWith(pk, "", 1, "user\xff\xfe", /*encode=*/false);
    CHECK_FALSE(bad.ok);
    CHECK(bad.why == RejectReason::kInvalidUtf8);
}

TEST_CASE("The event time is the arrival time, or the payload's capped at arrival plus skew",
          "[processor]") {
    HeartbeatSettings s;
    s.eventTimeField = "ts";
    s.maxEventTimeSkewMillis = 5000;
    HeartbeatDecoder d(s);
    CHECK(decodeWith(d, R"({"userId":"a","ts":90000})", 100000).time == 90000);
    CHECK(decodeWith(d, R"({"userId":"a","ts":999999})", 100000).time == 105000);
    CHECK(decodeWith(d, R"({"userId":"a","ts":"1970-01-01T00:01:30Z"})", 100000).time == 90000);
    CHECK(decodeWith(d, R"({"userId":"a"})", 100000).time == 100000);
    CHECK(decodeWith(d, R"({"userId":"a","ts":null})", 100000).time == 100000);
    CHECK(decodeWith(d, R"({"userId":"a","ts":90000})", std::nullopt).time == 90000);
    CHECK(decodeWith(d, R"({"userId":"a","ts":"soon"})", 1).why == RejectReason::kBadEventTime);
    CHECK(decodeWith(d, R"({"userId":"a","ts":[1]})", 1).why == RejectReason::kBadEventTime);
    CHECK(decodeWith(d, R"({"userId":"a"})", std::nullopt).why == RejectReason::kNoEventTime);

    HeartbeatDecoder arrivalOnly{HeartbeatSettings{}};
    CHECK(decodeWith(arrivalOnly, R"({"userId":"a","ts":1})", 100000).time == 100000);
}

TEST_CASE("Bad records are rejected with a reason", "[processor]") {
    HeartbeatSettings s;
    HeartbeatDecoder d(s);
    CHECK(decodeWith(d, "%%%", 1, "pk", false).why == RejectReason::kBadBase64);
    CHECK(decodeWith(d, "{\"userId\":", 1).why == RejectReason::kNotJson);
    CHECK(decodeWith(d, "{\"user\":\"a\"}", 1).why == RejectReason::kMissingId);
    CHECK(decodeWith(d, "{\"userId\":\"\"}", 1).why == RejectReason::kMissingId);
    CHECK(decodeWith(d, "{\"userId\":true}", 1).why == RejectReason::kMissingId);
    CHECK(decodeWith(d, "", 1).why == RejectReason::kMissingId);
    CHECK(decodeWith(d, "   \n", 1).why == RejectReason::kMissingId);
    CHECK(decodeWith(d, std::string(257, 'a'), 1).why == RejectReason::kIdTooLong);
    CHECK(decodeWith(d, std::string(256, 'a'), 1).ok);
    CHECK(decodeWith(d, "\xff\xfe\x00\x01", 1).why == RejectReason::kInvalidUtf8);
    CHECK(decodeWith(d, std::string("ab\x01\x02", 4), 1).why == RejectReason::kBinary);
    CHECK(decodeWith(d, R"({"userId":"a\u0000b"})", 1).why == RejectReason::kBinary);
    CHECK(decodeWith(d, "[1,2,3]", 1).ok);  // bare text that merely looks odd is an id

    s.requireGuid = true;
    HeartbeatDecoder strict(s);
    CHECK(decodeWith(strict, "alice", 1).why == RejectReason::kNotGuid);
    CHECK(decodeWith(strict, kGuid, 1).ok);

    protocol::Record malformed;
    malformed.wellFormed = false;
    Heartbeat hb;
    RejectReason why{};
    CHECK_FALSE(d.decode(malformed, hb, why));
    CHECK(why == RejectReason::kBadRecord);
}

TEST_CASE("Records of a megabyte of junk are rejected without harm", "[processor]") {
    HeartbeatDecoder d(HeartbeatSettings{});
    std::string junk(1 << 20, '\0');
    uint32_t x = 12345;
    for (auto& c : junk) {
        x = x * 1103515245 + 12345;
        c = static_cast<char>(x >> 24);
    }
    CHECK_FALSE(decodeWith(d, junk, 1).ok);
    std::string bigJson = R"({"pad":")" + std::string(1 << 20, 'x') + R"(","userId":"u"})";
    auto r = decodeWith(d, bigJson, 1);
    CHECK(r.ok);
    CHECK(r.userId == "u");
    std::string deep(100000, '[');
    CHECK(decodeWith(d, "{\"a\":" + deep, 1).why == RejectReason::kNotJson);
}
