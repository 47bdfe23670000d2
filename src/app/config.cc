#include "app/config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>
#include <map>
#include <string_view>

#include "redis/url.h"

namespace au::app {

namespace {
constexpr const char* kPrefix = "activeUsers.";

std::string lowerCase(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Edits (insert, delete, substitute, swap two neighbours) from a to b, or limit + 1 when more.
size_t editDistance(const std::string& a, const std::string& b, size_t limit) {
    if ((a.size() > b.size() ? a.size() - b.size() : b.size() - a.size()) > limit) return limit + 1;
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.size()][b.size()];
}

// The known key `key` most likely meant: the same but for case, or at most 2 edits away
// (case-insensitive); "" when none is that close.
std::string nearMiss(const std::string& key, const std::vector<std::string>& known) {
    constexpr size_t kLimit = 2;
    const std::string lower = lowerCase(key);
    std::string best;
    size_t bestDistance = kLimit + 1;
    for (const auto& k : known) {
        if (k == key) continue;
        const size_t dist = editDistance(lower, lowerCase(k), kLimit);
        if (dist < bestDistance) {
            bestDistance = dist;
            best = k;
        }
    }
    return best;
}
}  // namespace

const std::vector<ConfigKey>& configKeys() {
    static const std::vector<ConfigKey> keys = {
        {"userIdSource", "payload",
         "where the user id is: payload (JSON field, JSON string or bare text) or partitionKey"},
        {"userIdField", "userId", "the JSON field holding the user id"},
        {"eventTimeField", "",
         "optional JSON field with the heartbeat's time (epoch ms or ISO-8601); capped at arrival "
         "+ "
         "maxEventTimeSkewMillis. Empty: the record's arrival time"},
        {"requireGuid", "false", "reject ids that are not GUIDs"},
        {"ttlSeconds", "120", "a user is active while now - lastSeen < ttl"},
        {"maxEventTimeSkewMillis", "5000", "how far a payload time may run ahead of arrival"},
        {"checkpointIntervalSeconds", "0",
         "checkpoint while processing at most this often; 0 = never (restarts resume at LATEST)"},
        {"stateDir", "", "folder for per-shard snapshots (<shardId>.json); empty = none"},
        {"snapshotIntervalMillis", "1000", "at most one snapshot per interval, when changed"},
        {"statsIntervalSeconds", "60", "interval of the stats line on stderr"},
        {"logLevel", "info", "trace, debug, info, warn, error or off (stderr)"},
        {"fixStaleLeases", "true",
         "when this shard's lease starts with data older than maxReplaySeconds and reading through "
         "it would take longer than a lease re-acquisition, cut it: rewrite its checkpoint to the "
         "last record older than maxReplaySeconds (docs/leases.md)"},
        {"maxReplaySeconds", "ttlSeconds",
         "never replay data older than this; never skip data younger than this"},
        {"fixRemovesLeaseOwner", "auto",
         "the lease fixer also removes leaseOwner: auto = only on KCL 2.x lease tables (faster "
         "re-take there; 3.x re-adopts faster with the owner kept), or true / false "
         "(docs/leases.md)"},
        {"cutLoopGuardSeconds", "600",
         "the in-process fixer cuts a lease at most once per this interval while the lease still "
         "sits at its previous cut (a re-acquisition slower than maxReplay must not cut again and "
         "again)"},
        {"warmStart", "true",
         "at initialize, seed the table from stateDir: the shard's own snapshot and its parent "
         "shards' "
         "(parentShardId of the lease row, read from the lease table within ~2 s)"},
        {"redisUrl", "",
         "shared active set: redis://[user:password@]host:port[/db] or rediss:// (TLS); a Redis "
         "Cluster: redis+cluster://[user:password@]host:port[,host:port...] (seed nodes) or "
         "rediss+cluster://; empty = none"},
        {"redisCluster", "false",
         "the redisUrl's hosts are seed nodes of a Redis Cluster (as redis+cluster://)"},
        {"redisPartitions", "256 on a cluster",
         "cluster only: the number of sorted sets the set is split into (by a stable hash of the "
         "user id; keys <redisKey>:p<i>:{<tag>}); every processor and reader must use the same"},
        {"redisMemberFormat", "binary on a cluster, else text",
         "how a user is stored: text (the id) or binary (a GUID as 0xFF + its 16 bytes, 11 % less "
         "Redis memory; other ids as text); readers accept both"},
        {"redisKey", "active-users:<applicationName>",
         "the sorted set (member = user id, score = last seen ms); stats go to <redisKey>:stats"},
        {"redisPasswordEnv", "",
         "name of an environment variable holding the Redis password (replaces the URL's)"},
        {"redisTlsCaFile", "", "PEM CA bundle for rediss://; empty = the system's default CAs"},
        {"redisTlsCertFile", "", "client certificate (PEM) for rediss://, when the server asks"},
        {"redisTlsKeyFile", "", "the client certificate's private key (PEM)"},
        {"redisTlsVerify", "true", "verify the server's certificate and host name"},
        {"redisTimeoutMillis", "1000",
         "connect timeout, and the bound of each pipelined round trip"},
        {"redisMaxPendingUsers", "1000000",
         "bound of the buffer of unsent updates (per processor); beyond it new users wait for the "
         "whole-table resend that follows a reconnection"},
    };
    return keys;
}

namespace {

class Reader {
  public:
    explicit Reader(const Properties& p) : p_(p) {}

    // A daemon key's positive integer value, or the fallback (never an error: the daemon
    // validates its own keys).
    int64_t daemonInteger(const std::string& key, int64_t fallback) {
        const auto* v = raw(key);
        if (v == nullptr) return fallback;
        int64_t out = 0;
        const auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
        return ec == std::errc() && ptr == v->data() + v->size() && out > 0 ? out : fallback;
    }
    const std::string* raw(const std::string& key) {
        seen_[key] = true;
        auto it = p_.values.find(key);
        return it == p_.values.end() ? nullptr : &it->second;
    }
    void fail(const std::string& key, const std::string& message) {
        std::string where;
        auto it = p_.lineOf.find(key);
        if (it != p_.lineOf.end()) where = " (line " + std::to_string(it->second) + ")";
        errors_.push_back(key + where + ": " + message);
    }
    std::string string(const std::string& key, const std::string& fallback = "") {
        const auto* v = raw(key);
        return v ? *v : fallback;
    }
    int64_t integer(const std::string& key, int64_t fallback, int64_t min, int64_t max) {
        const auto* v = raw(key);
        if (v == nullptr || v->empty()) return fallback;
        int64_t out = 0;
        const auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
        if (ec != std::errc() || ptr != v->data() + v->size()) {
            fail(key, "\"" + *v + "\" is not an integer");
            return fallback;
        }
        if (out < min || out > max) {
            fail(key, std::to_string(out) + " is out of range [" + std::to_string(min) + ", " +
                          std::to_string(max) + "]");
            return fallback;
        }
        return out;
    }
    bool boolean(const std::string& key, bool fallback) {
        const auto* v = raw(key);
        if (v == nullptr || v->empty()) return fallback;
        if (*v == "true" || *v == "TRUE" || *v == "True") return true;
        if (*v == "false" || *v == "FALSE" || *v == "False") return false;
        fail(key, "\"" + *v + "\" is not true or false");
        return fallback;
    }
    // An activeUsers.* key nobody reads is an error, and so is a near miss of one (a wrong case,
    // a typo in the prefix): each with the key it probably meant.
    void rejectUnknownOwnKeys() {
        std::vector<std::string> known;
        for (const auto& [key, read] : seen_) {
            if (key.rfind(kPrefix, 0) == 0) known.push_back(key);
        }
        for (const auto& [key, value] : p_.values) {
            if (seen_.count(key)) continue;
            const std::string meant = nearMiss(key, known);
            if (key.rfind(kPrefix, 0) == 0) {
                fail(key,
                     meant.empty() ? "unknown key" : "unknown key; did you mean " + meant + "?");
            } else if (!meant.empty()) {
                fail(key, "unknown key; did you mean " + meant + "?");
            }
        }
    }
    const std::vector<std::string>& errors() const { return errors_; }

  private:
    const Properties& p_;
    std::map<std::string, bool> seen_;
    std::vector<std::string> errors_;
};

// The daemon's retrievalMode and its polling keys (PollingConfigBean.anyPropertiesSet in
// multilang 2.5.4 / 3.1.3): the Integer ones count with any value, the long/int ones when their
// value is a non-zero integer (BeanUtils turns anything else into 0).
void readRetrievalKeys(Reader& r, DaemonSettings& d) {
    if (const auto* v = r.raw("retrievalMode")) {
        d.retrievalMode = *v;
        d.retrievalModeSet = true;
    }
    for (const char* key : {"retryGetRecordsInSeconds", "maxGetRecordsThreadPool"}) {
        if (r.raw(key) != nullptr) d.pollingKeys.emplace_back(key);
    }
    for (const char* key : {"idleTimeBetweenReadsInMillis", "maxRecords",
                            "millisBehindLatestThresholdForReducedTps"}) {
        const auto* v = r.raw(key);
        if (v == nullptr) continue;
        std::string_view text(*v);
        if (!text.empty() && text.front() == '+') text.remove_prefix(1);
        int64_t out = 0;
        const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
        if (ec == std::errc() && ptr == text.data() + text.size() && out != 0) {
            d.pollingKeys.emplace_back(key);
        }
    }
}

}  // namespace

Result<Config> configFromProperties(const Properties& properties) {
    Reader r(properties);
    Config c;
    auto& d = c.daemon;
    d.applicationName = r.string("applicationName");
    d.tableName = r.string("tableName", d.applicationName);
    if (d.tableName.empty()) d.tableName = d.applicationName;
    d.streamName = r.string("streamName");
    d.streamArn = r.string("streamArn");
    d.regionName = r.string("regionName");
    d.dynamoDBEndpoint = r.string("dynamoDBEndpoint");
    d.kinesisEndpoint = r.string("kinesisEndpoint");
    d.initialPositionInStream = r.string("initialPositionInStream");
    d.initialPositionInStreamExtended = r.string("initialPositionInStreamExtended");
    d.workerId = r.string("workerId");
    d.executableName = r.string("executableName");
    d.failoverTimeMillis = r.daemonInteger("failoverTimeMillis", d.failoverTimeMillis);
    d.idleTimeBetweenReadsInMillis =
        r.daemonInteger("idleTimeBetweenReadsInMillis", d.idleTimeBetweenReadsInMillis);
    d.maxRecords = r.daemonInteger("maxRecords", d.maxRecords);
    readRetrievalKeys(r, d);

    const std::string p = kPrefix;
    auto& s = c.processor;
    auto& hb = s.heartbeat;
    const std::string source = r.string(p + "userIdSource", "payload");
    if (source == "payload") {
        hb.userIdSource = processor::UserIdSource::kPayload;
    } else if (source == "partitionKey") {
        hb.userIdSource = processor::UserIdSource::kPartitionKey;
    } else {
        r.fail(p + "userIdSource", "\"" + source + "\" is not payload or partitionKey");
    }
    hb.userIdField = r.string(p + "userIdField", "userId");
    if (hb.userIdField.empty()) r.fail(p + "userIdField", "must not be empty");
    hb.eventTimeField = r.string(p + "eventTimeField");
    hb.requireGuid = r.boolean(p + "requireGuid", false);
    hb.maxEventTimeSkewMillis = r.integer(p + "maxEventTimeSkewMillis", 5'000, 0, 3'600'000);

    const int64_t day = 86'400;
    s.ttlMillis = r.integer(p + "ttlSeconds", 120, 1, 7 * day) * 1000;
    s.checkpointIntervalMillis = r.integer(p + "checkpointIntervalSeconds", 0, 0, 7 * day) * 1000;
    s.stateDir = r.string(p + "stateDir");
    s.snapshotIntervalMillis = r.integer(p + "snapshotIntervalMillis", 1'000, 10, day * 1000);
    s.statsIntervalMillis = r.integer(p + "statsIntervalSeconds", 60, 1, day) * 1000;

    c.logLevel = r.string(p + "logLevel", "info");
    static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
    if (std::none_of(std::begin(kLevels), std::end(kLevels),
                     [&](const char* l) { return c.logLevel == l; })) {
        r.fail(p + "logLevel",
               "\"" + c.logLevel + "\" is not one of trace, debug, info, warn, error, off");
    }
    c.fixStaleLeases = r.boolean(p + "fixStaleLeases", true);
    c.maxReplayMillis = r.integer(p + "maxReplaySeconds", s.ttlMillis / 1000, 1, 7 * day) * 1000;
    c.maxReplaySet = r.raw(p + "maxReplaySeconds") != nullptr || r.raw(p + "ttlSeconds") != nullptr;
    {
        const std::string owner = r.string(p + "fixRemovesLeaseOwner", "auto");
        if (owner.empty() || owner == "auto" || owner == "AUTO" || owner == "Auto") {
            c.fixRemovesLeaseOwner = std::nullopt;
        } else {
            c.fixRemovesLeaseOwner = r.boolean(p + "fixRemovesLeaseOwner", false);
        }
    }

    c.cutLoopGuardMillis = r.integer(p + "cutLoopGuardSeconds", 600, 0, 7 * day) * 1000;
    c.warmStart.enabled = r.boolean(p + "warmStart", true);
    auto& redis = c.redis;
    redis.url = r.string(p + "redisUrl");
    redis.key = r.string(p + "redisKey");
    if (redis.key.empty()) redis.key = activeset::defaultRedisKey(d.applicationName);
    redis.passwordEnv = r.string(p + "redisPasswordEnv");
    redis.tls.caFile = r.string(p + "redisTlsCaFile");
    redis.tls.certFile = r.string(p + "redisTlsCertFile");
    redis.tls.keyFile = r.string(p + "redisTlsKeyFile");
    redis.tls.verify = r.boolean(p + "redisTlsVerify", true);
    redis.timeoutMillis = r.integer(p + "redisTimeoutMillis", 1'000, 10, 60'000);
    redis.maxPendingUsers =
        static_cast<size_t>(r.integer(p + "redisMaxPendingUsers", 1'000'000, 1, 1'000'000'000));
    redis.cluster = r.boolean(p + "redisCluster", false);
    if (!redis.url.empty()) {
        if (auto ep = redis::parseUrl(redis.url, redis.cluster); !ep) {
            r.fail(p + "redisUrl", ep.status().message());
        } else {
            redis.cluster = ep->cluster;
        }
    }
    const std::string* partitionsText = r.raw(p + "redisPartitions");
    const bool partitionsSet = partitionsText != nullptr && !partitionsText->empty();
    redis.partitions = static_cast<int>(
        r.integer(p + "redisPartitions", activeset::kDefaultClusterPartitions, 1, 16'384));
    if (!redis.cluster) {
        if (partitionsSet) {
            r.fail(
                p + "redisPartitions",
                "only for a Redis Cluster (redis+cluster:// or activeUsers.redisCluster = true)");
        }
        redis.partitions = 0;
    } else if (redis.key.find_first_of("{}") != std::string::npos) {
        r.fail(p + "redisKey",
               "must not hold '{' or '}' on a cluster (the partitions' hash tags follow it)");
    }
    const std::string format = r.string(p + "redisMemberFormat", redis.cluster ? "binary" : "text");
    if (format == "binary") {
        redis.memberFormat = activeset::MemberFormat::kBinary;
    } else if (format == "text") {
        redis.memberFormat = activeset::MemberFormat::kText;
    } else {
        r.fail(p + "redisMemberFormat", "\"" + format + "\" is not text or binary");
    }

    r.rejectUnknownOwnKeys();
    if (!r.errors().empty()) {
        std::string message;
        for (const auto& e : r.errors()) message += (message.empty() ? "" : "\n") + e;
        return Status::error("InvalidConfig", message);
    }
    return c;
}

Result<Config> loadConfig(const std::string& path) {
    auto props = loadProperties(path);
    if (!props) return props.status();
    return configFromProperties(props.value());
}

std::string processorProgram(const std::string& executableName) {
    const size_t start = executableName.find_first_not_of(" \t");
    if (start == std::string::npos) return "";
    const size_t end = executableName.find_first_of(" \t", start);
    return executableName.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

bool isOurProcessor(const std::string& executableName) {
    const std::string program = processorProgram(executableName);
    const size_t slash = program.rfind('/');
    const std::string base = slash == std::string::npos ? program : program.substr(slash + 1);
    return base.rfind("active-users", 0) == 0;
}

bool forOurProcessor(const DaemonSettings& daemon) {
    return daemon.executableName.empty() || isOurProcessor(daemon.executableName);
}

aws::EndpointSettings endpointSettings(const DaemonSettings& d) {
    aws::EndpointSettings out;
    if (!d.regionName.empty()) out.regionName = d.regionName;
    if (!d.dynamoDBEndpoint.empty()) out.dynamoDBEndpoint = d.dynamoDBEndpoint;
    if (!d.kinesisEndpoint.empty()) out.kinesisEndpoint = d.kinesisEndpoint;
    return out;
}

}  // namespace au::app
