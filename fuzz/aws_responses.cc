// Fuzz target: DynamoDB and Kinesis HTTP responses through the JSON-protocol client and what reads
// them (src/aws/json_rpc.h, dynamodb_client.h, kinesis_client.h; src/leases/lease_row.h,
// lease_editor.h, fix_leases.h). The HTTP layer is the scripted fake of the unit tests.
// Input, parts separated by "%%" lines: first the operation — getitem, scan, update,
// getrecords, listshards, putrecords or fixleases (a dry run: Scan, then per lease to check the
// reads of its shard — GetShardIterator and GetRecords — that peek at it and search the cut, with
// --resume-latest) — then one part per HTTP response, "<status>\n<body>".
// Properties:
//  - a call succeeds exactly when the answer is 2xx with a JSON object; an error always has a
//    non-empty code; one attempt per call (no retries configured);
//  - lease rows keep their raw item; a row the editor may rewrite gets exactly one UpdateItem
//    whose new counter is the old one plus 2 (owned) or 1, conditioned on the old counter text
//    and checkpoint, that sets the target checkpoint (and the cut mark when asked), and which
//    serialises;
//  - GetRecords data decodes and re-encodes to the exact base64 sent;
//  - a dry run of fix-leases never writes, and its report serialises (JSON and table).
#include <spdlog/spdlog.h>

#include <charconv>

#include "aws/fake_http_client.h"
#include "aws/json_rpc.h"
#include "fuzz.h"
#include "leases/fix_leases.h"
#include "util/base64.h"

using namespace au;
using namespace au::aws;
using au::aws::testing::FakeHttpClient;
using nlohmann::json;

namespace {

constexpr int64_t kNow = 1'795'800'000'000;

struct Services {
    ManualClock clock{kNow};
    FakeHttpClient http;
    StaticCredentialsProvider creds{Credentials{"AKIDEXAMPLE", "SECRET", "TOKEN", std::nullopt}};
    RetryPolicy policy = [] {
        RetryPolicy p;
        p.maxAttempts = 1;
        return p;
    }();
    AwsJsonClient ddbRpc{
        http, creds, clock, dynamoDbProtocol(), "http://127.0.0.1:4567", "us-east-1", policy, [] {
            return 0.0;
        }};
    AwsJsonClient kinesisRpc{
        http, creds, clock, kinesisProtocol(), "http://127.0.0.1:4568", "us-east-1", policy, [] {
            return 0.0;
        }};
    DynamoDbClient ddb{ddbRpc};
    KinesisClient kinesis{kinesisRpc};
};

long statusOf(std::string_view line) {
    long status = 200;
    std::from_chars(line.data(), line.data() + line.size(), status);
    return status;
}

// The JSON-RPC contract, on the first response alone.
void checkCall(long status, const std::string& body) {
    Services s;
    s.http.respond(status, body);
    const auto outcome = s.ddbRpc.callDetailed("Probe", json::object());
    const auto parsed = json::parse(body, nullptr, false);
    const bool success = status >= 200 && status < 300 && parsed.is_object();
    FUZZ_CHECK(outcome.status.isOk() == success);
    FUZZ_CHECK(outcome.attempts == 1);
    FUZZ_CHECK(outcome.httpStatus == status);
    if (!success) FUZZ_CHECK(!outcome.status.code().empty());
    if (success) FUZZ_CHECK(outcome.body == parsed);
}

void checkRewrite(const leases::LeaseRow& row) {
    for (const bool removeOwner : {false, true}) {
        const leases::RewriteTarget target{
            "49590338271490256608559692538361571095921575989136588898",
            removeOwner ? std::optional<int64_t>(kNow) : std::nullopt};
        const auto req = leases::LeaseEditor::buildRewrite("leases", row, removeOwner, target);
        const json& values = req.condition.expressionAttributeValues;
        const __int128 expected =
            static_cast<__int128>(*row.leaseCounter) + (row.isOwned() ? 2 : 1);
        int64_t next = 0;
        const std::string nextText = values[":next"]["N"].get<std::string>();
        const auto [ptr, ec] =
            std::from_chars(nextText.data(), nextText.data() + nextText.size(), next);
        FUZZ_CHECK(ec == std::errc() && ptr == nextText.data() + nextText.size());
        FUZZ_CHECK(next == expected);
        FUZZ_CHECK(values[":counter"]["N"] == *row.leaseCounterText);
        FUZZ_CHECK(values[":cp"]["S"] == *row.checkpoint);
        FUZZ_CHECK(values[":target"]["S"] == target.checkpoint);
        const bool marks = req.updateExpression.find("#cutAt = :cutAt") != std::string::npos;
        FUZZ_CHECK(marks == target.markCutAtMillis.has_value());
        const bool removes = req.updateExpression.find("#owner") != std::string::npos;
        FUZZ_CHECK(removes == (row.isOwned() && removeOwner));
        json body = {{"Key", req.key}, {"Values", values}};
        FUZZ_CHECK(!body.dump().empty());  // throws on a string that is not UTF-8
    }
}

void checkRows(const std::vector<leases::LeaseRow>& rows) {
    for (size_t i = 0; i < rows.size(); ++i) {
        const auto& row = rows[i];
        if (i > 0) FUZZ_CHECK(rows[i - 1].leaseKey <= row.leaseKey);
        FUZZ_CHECK(!row.leaseKey.empty());
        FUZZ_CHECK(row.raw["leaseKey"]["S"] == row.leaseKey);
        auto again = leases::parseLeaseRow(row.raw);
        FUZZ_CHECK(again && again->leaveAloneReason() == row.leaveAloneReason());
        if (!row.leaveAloneReason()) {
            FUZZ_CHECK(row.leaseCounter && row.checkpoint && row.isLease());
            FUZZ_CHECK(!row.checkpointOwner && row.typeProblems.empty() && !row.isShardEnd());
            checkRewrite(row);
        }
    }
}

void checkRecords(const GetRecordsResult& result, const json& sent) {
    size_t i = 0;
    for (const auto& record : result.records) {
        const json& item = sent["Records"][i++];
        const auto data = item.find("Data");
        FUZZ_CHECK(base64Encode(record.data) ==
                   (data != item.end() && data->is_string() ? data->get<std::string>() : ""));
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    spdlog::set_level(spdlog::level::off);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto parts = fuzz::parts(fuzz::asText(data, size), 8);
    if (parts.size() < 2) return 0;
    const std::string_view op = fuzz::lines(parts[0]).front();
    Services s;
    std::vector<std::pair<long, std::string>> responses;
    for (size_t i = 1; i < parts.size(); ++i) {
        const auto nl = parts[i].find('\n');
        const std::string_view first = parts[i].substr(0, nl);
        const std::string body(nl == std::string_view::npos ? "" : parts[i].substr(nl + 1));
        responses.emplace_back(statusOf(first), body);
        s.http.respond(statusOf(first), body);
    }
    checkCall(responses[0].first, responses[0].second);

    if (op == "getitem") {
        auto item = s.ddb.getItem("leases", leases::leaseKeyItem("shardId-1"));
        if (item && item.value()) FUZZ_CHECK(item.value()->is_object());
    } else if (op == "scan") {
        leases::LeaseEditor editor(s.ddb, "leases");
        size_t unparsable = 0;
        auto rows = editor.scan(&unparsable);
        if (rows) checkRows(rows.value());
    } else if (op == "update") {
        UpdateItemRequest req;
        req.table = "leases";
        req.key = leases::leaseKeyItem("shardId-1");
        req.updateExpression = "SET #cp = :latest";
        auto written = s.ddb.updateItem(req);
        if (written) FUZZ_CHECK(written->attributes.is_object());
        if (written && written->conditionFailed) {
            const auto parsed = json::parse(responses[0].second, nullptr, false);
            FUZZ_CHECK(!(responses[0].first >= 200 && responses[0].first < 300));
            FUZZ_CHECK(parsed.is_object());
        }
    } else if (op == "getrecords") {
        auto records = s.kinesis.getRecords("iterator", 10);
        if (records) checkRecords(records.value(), json::parse(responses[0].second));
    } else if (op == "listshards") {
        auto shards = s.kinesis.listShards("stream");
        if (shards) FUZZ_CHECK(s.http.callCount() >= 1);
    } else if (op == "putrecords") {
        auto put = s.kinesis.putRecords("stream", {{"a", "pk", std::nullopt}, {"b", "pk", "1"}});
        if (put) FUZZ_CHECK(put->records.size() == 2);
    } else if (op == "fixleases") {
        leases::LeaseEditor editor(s.ddb, "leases");
        leases::FixLeasesOptions options;
        options.stream = "stream";
        options.resumeLatest = true;
        // Throttling is retried at once: the script, not the clock, decides what comes next.
        const leases::ShardReaderFactory shards = [&](const std::string& shardId) {
            return std::make_unique<leases::KinesisShardReader>(s.kinesis, "stream", shardId,
                                                                [](int64_t) { return true; });
        };
        auto report = leases::runFixLeases(editor, shards, options, s.clock);
        for (const auto& request : s.http.requests()) {
            FUZZ_CHECK(FakeHttpClient::headerOf(request, "X-Amz-Target") !=
                       "DynamoDB_20120810.UpdateItem");
        }
        if (report) {
            FUZZ_CHECK(report->rewritten == 0);
            FUZZ_CHECK(!leases::reportToJson(report.value()).dump().empty());
            FUZZ_CHECK(!leases::formatReportTable(report.value()).empty());
        }
    }
    return 0;
}
