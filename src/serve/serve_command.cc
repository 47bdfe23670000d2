#include <pthread.h>

#include <charconv>
#include <csignal>
#include <cstdio>
#include <memory>
#include <thread>

#include "app/commands.h"
#include "app/redis_target.h"
#include "serve/active_set_source.h"
#include "serve/history.h"
#include "serve/history_sampler.h"
#include "serve/http_service.h"
#include "serve/listen_address.h"
#include "util/clock.h"
#include "util/env.h"
#include "util/log.h"

namespace au::app {

namespace {

constexpr const char* kUsage =
    "usage: active-users serve (--state-dir DIR | --redis URL (--key K | --properties F))\n"
    "                          [--redis-password-env NAME (with --redis)]\n"
    "                          [--listen HOST:PORT (127.0.0.1:8080)]\n"
    "                          [--auth-token-file FILE [--metrics-auth on|off (on)]]\n"
    "                          [--tls-cert FILE --tls-key FILE] [--insecure-no-auth]\n"
    "                          [--history-interval-ms MS (5000)] [--history-window-s S (7200)]\n"
    "  A HOST other than loopback (127.0.0.0/8, ::1, localhost) needs --auth-token-file, or\n"
    "  --insecure-no-auth to serve every user id to whoever reaches it.\n";

// A positive integer flag, or `fallback` when absent; false when present but not one.
bool positiveFlag(const CommandLine& cl, const char* flag, int64_t fallback, int64_t& value) {
    value = fallback;
    const auto text = cl.get(flag);
    if (!text) return true;
    const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    return !text->empty() && ec == std::errc() && ptr == text->data() + text->size() && value > 0;
}

// The access flags (docs/active-set.md, "Access"): the token, /metrics, TLS and the rule that an
// address other hosts can reach needs a token. False (with the reason on stderr) to stop.
bool accessOptions(const CommandLine& cl, const std::string& host, serve::HttpOptions& http) {
    const auto tokenFile = cl.get("--auth-token-file");
    const bool insecure = cl.has("--insecure-no-auth");
    if (tokenFile && insecure) {
        std::fprintf(stderr,
                     "serve: --auth-token-file and --insecure-no-auth exclude each other\n");
        return false;
    }
    if (tokenFile) {
        auto token = serve::AccessToken::fromFile(*tokenFile);
        if (!token) {
            std::fprintf(stderr, "serve: --auth-token-file %s\n", token.status().message().c_str());
            return false;
        }
        http.access.token = std::move(token).value();
    }
    if (auto metrics = cl.get("--metrics-auth")) {
        if (*metrics != "on" && *metrics != "off") {
            std::fprintf(stderr, "serve: --metrics-auth takes on or off, not \"%s\"\n%s",
                         metrics->c_str(), kUsage);
            return false;
        }
        if (!tokenFile) {
            std::fprintf(stderr, "serve: --metrics-auth needs --auth-token-file\n");
            return false;
        }
        http.access.metricsNeedToken = *metrics == "on";
    }
    const auto cert = cl.get("--tls-cert");
    const auto key = cl.get("--tls-key");
    if (cert.has_value() != key.has_value() || (cert && (cert->empty() || key->empty()))) {
        std::fprintf(stderr, "serve: TLS needs both --tls-cert FILE and --tls-key FILE\n%s",
                     kUsage);
        return false;
    }
    if (cert) {
        http.tlsCertFile = *cert;
        http.tlsKeyFile = *key;
    }
    if (!serve::isLoopbackHost(host)) {
        if (!tokenFile && !insecure) {
            std::fprintf(
                stderr,
                "serve: refusing to listen on %s without a token: other hosts could read "
                "every active user id. Give --auth-token-file FILE (e.g. openssl rand -hex "
                "32 > FILE; chmod 600 FILE), listen on 127.0.0.1, or say "
                "--insecure-no-auth\n",
                host.c_str());
            return false;
        }
        if (insecure) {
            spdlog::warn("--insecure-no-auth: {} serves every active user id to whoever reaches it",
                         host);
        } else if (!cert) {
            spdlog::warn("the token travels in clear text to {} (no --tls-cert/--tls-key)", host);
        }
    }
    return true;
}

}  // namespace

int runServe(const CommandLine& cl) {
    if (cl.has("--help")) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    const auto dir = cl.get("--state-dir");
    const bool redis = cl.has("--redis");
    if ((!dir || dir->empty()) == !redis) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    serve::ListenAddress listen{"127.0.0.1", 8080};
    if (auto text = cl.get("--listen")) {
        auto parsed = serve::parseListenAddress(*text);
        if (!parsed) {
            std::fprintf(stderr, "serve: %s\n%s", parsed.status().message().c_str(), kUsage);
            return 2;
        }
        listen = parsed.value();
    }
    const std::string& host = listen.host;
    const int port = listen.port;
    serve::HttpOptions http;
    if (!accessOptions(cl, host, http)) return 2;
    int64_t intervalMillis = 0;
    int64_t windowSeconds = 0;
    if (!positiveFlag(cl, "--history-interval-ms", 5'000, intervalMillis) ||
        !positiveFlag(cl, "--history-window-s", 7'200, windowSeconds) ||
        windowSeconds * 1000 < intervalMillis) {
        std::fprintf(stderr,
                     "serve: --history-interval-ms and --history-window-s take positive "
                     "integers, the window at least one interval\n%s",
                     kUsage);
        return 2;
    }
    std::unique_ptr<serve::ActiveSetSource> source;
    if (redis) {
        auto target = redisTargetFrom(cl, ProcessEnvironment());
        if (!target) {
            std::fprintf(stderr, "serve: %s\n%s", target.status().message().c_str(), kUsage);
            return 2;
        }
        source = std::make_unique<serve::RedisSource>(target->connect, target->key,
                                                      target->ttlMillis, target->partitions);
    } else {
        source = std::make_unique<serve::StateDirSource>(*dir);
    }

    // SIGINT/SIGTERM are taken by a dedicated thread (sigwait), which stops the server: blocked
    // here, before any other thread exists, so every thread inherits the mask.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    SystemClock clock;
    serve::History history(intervalMillis, windowSeconds * 1000);
    const bool tokenRequired = http.access.token.has_value();
    const bool metricsOpen = !http.access.metricsNeedToken;
    serve::HttpService service(*source, clock, history, std::move(http));
    auto bound = service.bind(host, port);
    if (!bound) {
        spdlog::critical("{}", bound.status().message());
        return 1;
    }
    spdlog::info("listening on {}://{}:{}/ ({}); dashboard at /; {}",
                 service.tls() ? "https" : "http",
                 host.find(':') != std::string::npos ? "[" + host + "]" : host, bound.value(),
                 source->describe(),
                 !tokenRequired ? "no token needed"
                 : metricsOpen  ? "token needed (not for /healthz, /metrics)"
                                : "token needed (not for /healthz)");
    serve::HistorySampler sampler(*source, history, clock);
    std::thread waiter([&] {
        int received = 0;
        sigwait(&signals, &received);
        spdlog::info("signal {}: stopping", received);
        service.stop();
    });
    service.run();
    // run() also returns when the listening socket fails: wake the waiter so it can be joined.
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
    spdlog::info("stopped");
    return 0;
}

}  // namespace au::app
