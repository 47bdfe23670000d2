// `active-users fix-leases [--properties FILE] [--table T --stream S --max-replay D --region R
// --kinesis-endpoint U --dynamodb-endpoint U] [--apply] [--resume-latest] [--shard ID] [--json]
// [--concurrency N]`: the startup lease fixer (docs/leases.md), for our processor's daemon file or
// for any KCL application's lease table (app/fixer_target.h). N shards are read at once (default
// 8, at most 32), each worker thread with its own AWS clients. Prints the plan (dry run) or what it
// changed on stdout, diagnostics on stderr. Exit codes: 0 done, 1 a lease or the scan failed, 2
// usage or configuration error.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "app/commands.h"
#include "app/config.h"
#include "app/fixer_target.h"
#include "aws/endpoints.h"
#include "leases/aws_services.h"
#include "leases/fix_leases.h"
#include "leases/shard_peek.h"
#include "util/env.h"
#include "util/log.h"

namespace au::app {

namespace {

int usageError(const std::string& message) {
    std::fprintf(stderr, "active-users fix-leases: %s\n", message.c_str());
    return 2;
}

// initialPositionInStreamExtended: epoch seconds (a fraction is allowed) -> epoch ms.
std::optional<int64_t> parseEpochSeconds(const std::string& text) {
    if (text.empty()) return std::nullopt;
    double seconds = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc() || ptr != text.data() + text.size() || !(seconds >= 0)) {
        return std::nullopt;
    }
    return static_cast<int64_t>(std::llround(seconds * 1000.0));
}

}  // namespace

int runFixLeases(const CommandLine& cl) {
    setLogLevel(cl.has("--verbose") ? "debug" : "warn");
    auto target = fixerTargetFrom(cl);
    if (!target) return usageError(target.status().message());
    const auto& d = target->daemon;
    const std::string& stream = target->stream;

    leases::FixLeasesOptions options;
    options.stream = stream;
    options.maxReplayMillis = target->maxReplayMillis;
    options.apply = cl.has("--apply");
    options.onlyLeaseKey = cl.get("--shard");
    options.resumeLatest = cl.has("--resume-latest");
    options.concurrency = 8;
    if (auto c = cl.get("--concurrency")) {
        int n = 0;
        const auto [ptr, ec] = std::from_chars(c->data(), c->data() + c->size(), n);
        if (ec != std::errc() || ptr != c->data() + c->size() || n < 1 || n > 32) {
            return usageError("--concurrency takes 1..32");
        }
        options.concurrency = n;
    }
    if (!d.initialPositionInStreamExtended.empty()) {
        options.atTimestampMillis = parseEpochSeconds(d.initialPositionInStreamExtended);
        if (!options.atTimestampMillis) {
            return usageError("initialPositionInStreamExtended \"" +
                              d.initialPositionInStreamExtended + "\" is not epoch seconds");
        }
    }

    static const ProcessEnvironment env;
    const aws::EndpointSettings daemon = endpointSettings(d);
    // The in-process fixer's policy: attempts of up to 10 s (a GetRecords of a busy shard, or an
    // AT_TIMESTAMP iterator of a big one, can take seconds), 30 s per call.
    // ... and, like the default policy, 5 attempts per call: a start-up step waits throttling out.
    aws::RetryPolicy retry = leases::fixerRetryPolicy();
    retry.maxAttempts = aws::RetryPolicy{}.maxAttempts;
    auto access = leases::resolveAwsAccess(daemon, env, retry);
    if (!access) return usageError("cannot resolve AWS settings: " + access.status().toString());

    SystemClock clock;
    leases::AwsServices services(access.value(), env, clock);
    leases::LeaseEditor editor(services.dynamodb(), d.tableName,
                               leases::EditOptions{target->fixRemovesLeaseOwner, 3});
    // One set of AWS clients per worker thread (the clients are thread-compatible).
    std::mutex servicesMu;
    std::map<std::thread::id, std::unique_ptr<leases::AwsServices>> perThread;
    const leases::ShardReaderFactory shards = [&](const std::string& shardId) {
        leases::AwsServices* mine = nullptr;
        {
            std::lock_guard<std::mutex> lock(servicesMu);
            auto& slot = perThread[std::this_thread::get_id()];
            if (!slot) slot = std::make_unique<leases::AwsServices>(access.value(), env, clock);
            mine = slot.get();
        }
        return mine->shardReader(stream, shardId, [&clock](int64_t millis) {
            clock.sleepMillis(millis);
            return true;
        });
    };
    auto report = leases::runFixLeases(editor, shards, options, clock);
    if (!report) {
        std::fprintf(stderr, "active-users fix-leases: cannot scan lease table %s at %s: %s\n",
                     d.tableName.c_str(), access->endpoints.dynamodb.url.c_str(),
                     report.status().toString().c_str());
        return 1;
    }
    const std::string out = cl.has("--json") ? leases::reportToJson(report.value()).dump(2) + "\n"
                                             : leases::formatReportTable(report.value());
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
    return report->failures > 0 ? 1 : 0;
}

}  // namespace au::app
