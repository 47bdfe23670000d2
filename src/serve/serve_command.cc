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
#include "util/clock.h"
#include "util/log.h"

namespace au::app {

namespace {

constexpr const char* kUsage =
    "usage: active-users serve (--state-dir DIR | --redis URL (--key K | --properties F))\n"
    "                          [--listen 127.0.0.1:PORT] [--history-interval-ms MS (5000)]\n"
    "                          [--history-window-s S (7200)]\n";

// "host:port" or "[v6]:port"; port 0 = any free port.
bool parseListen(const std::string& text, std::string& host, int& port) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) return false;
    host = text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    const std::string p = text.substr(colon + 1);
    const auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
    return !p.empty() && ec == std::errc() && ptr == p.data() + p.size() && port >= 0 &&
           port <= 65535;
}

// A positive integer flag, or `fallback` when absent; false when present but not one.
bool positiveFlag(const CommandLine& cl, const char* flag, int64_t fallback, int64_t& value) {
    value = fallback;
    const auto text = cl.get(flag);
    if (!text) return true;
    const auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
    return !text->empty() && ec == std::errc() && ptr == text->data() + text->size() && value > 0;
}

}  // namespace

int runServe(const CommandLine& cl) {
    const auto dir = cl.get("--state-dir");
    const bool redis = cl.has("--redis");
    if ((!dir || dir->empty()) == !redis) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    std::string host = "127.0.0.1";
    int port = 8080;
    if (auto listen = cl.get("--listen"); listen && !parseListen(*listen, host, port)) {
        std::fprintf(stderr, "serve: --listen \"%s\" is not HOST:PORT\n%s", listen->c_str(),
                     kUsage);
        return 2;
    }
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
        auto target = redisTargetFrom(cl);
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
    serve::HttpService service(*source, clock, history);
    auto bound = service.bind(host, port);
    if (!bound) {
        spdlog::critical("{}", bound.status().message());
        return 1;
    }
    spdlog::info("listening on http://{}:{}/ ({}); dashboard at /",
                 host.find(':') != std::string::npos ? "[" + host + "]" : host, bound.value(),
                 source->describe());
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
