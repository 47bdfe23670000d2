#include "app/active_set_wiring.h"

#include <random>

#include "activeset/lease_parents.h"
#include "app/fixer_note.h"
#include "redis/link.h"
#include "redis/url.h"
#include "util/env.h"
#include "util/log.h"

namespace au::app {

void ActiveSetParts::attachTo(processor::ActiveUsersProcessor& processor,
                              const leases::StaleLeaseFixer* fixer) {
    notes->setFixerProbe(fixerProbe(fixer));
    if (seeder) processor.setSeeder(seeder.get());
    if (statsFile) processor.addListener(statsFile.get());
    if (redis) processor.addListener(redis.get());
}

ActiveSetParts makeActiveSetParts(const Config& config, Clock& clock, const Environment& env) {
    ActiveSetParts parts;
    const auto& s = config.processor;
    if (!s.stateDir.empty()) {
        parts.statsFile = std::make_unique<activeset::StatsFilePublisher>(
            s.stateDir, s.ttlMillis, s.snapshotIntervalMillis, clock, parts.notes.get());
        if (config.warmStart.enabled) {
            aws::EndpointSettings endpoints;
            if (!config.daemon.regionName.empty()) endpoints.regionName = config.daemon.regionName;
            if (!config.daemon.dynamoDBEndpoint.empty())
                endpoints.dynamoDBEndpoint = config.daemon.dynamoDBEndpoint;
            auto lookup =
                activeset::makeAwsLeaseParents(config.daemon.tableName, endpoints, env, clock);
            if (lookup) {
                parts.seeder = std::make_unique<activeset::SnapshotSeeder>(
                    s.stateDir, std::make_unique<activeset::BoundedLeaseParents>(
                                    std::move(lookup).value(), config.warmStart.timeoutMillis));
            } else {
                parts.seeder = std::make_unique<activeset::SnapshotSeeder>(
                    s.stateDir, nullptr, "lease table unavailable: " + lookup.status().toString());
            }
            parts.seeder->setNotes(parts.notes.get());
        }
    }
    if (!config.redis.url.empty()) {
        auto endpoint = redis::parseUrl(config.redis.url, config.redis.cluster);
        if (!endpoint) {
            spdlog::error("not using Redis: {}", endpoint.status().toString());
            return parts;
        }
        // Without the password the server refuses: an outage like any other (processing goes on).
        if (Status st =
                redis::takePasswordFromEnvironment(endpoint.value(), config.redis.passwordEnv, env);
            !st) {
            spdlog::error("redis: {}: connecting without a password", st.message());
        }
        redis::ConnectOptions connect{endpoint.value(), config.redis.tls,
                                      config.redis.timeoutMillis};
        activeset::RedisSink::Options options;
        options.settings = config.redis;
        options.ttlMillis = s.ttlMillis;
        options.endpointForLogs = endpoint->redacted() + " key " + config.redis.key;
        options.notes = parts.notes.get();
        parts.redis =
            std::make_unique<activeset::RedisSink>(options, redis::makeLink(connect), clock, [] {
                // The worker thread's reconnection jitter.
                thread_local std::mt19937_64 generator{std::random_device{}()};
                return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
            });
    }
    return parts;
}

}  // namespace au::app
