#include "serve/http_service.h"

#include <httplib.h>

#include <charconv>
#include <nlohmann/json.hpp>
#include <set>

#include "activeset/user_list_format.h"
#include "serve/dashboard_assets.h"
#include "serve/metrics.h"
#include "serve/shard_table.h"
#include "util/log.h"

namespace au::serve {

namespace {

constexpr const char* kJson = "application/json";

void sendError(httplib::Response& res, int status, const std::string& message) {
    res.status = status;
    res.set_content(nlohmann::json{{"error", message}}.dump(
                        -1, ' ', false, nlohmann::json::error_handler_t::replace) +
                        "\n",
                    kJson);
}

// The `at` parameter (epoch ms, default now); false (and a 400 sent) when the query is bad.
bool readAt(const httplib::Request& req, httplib::Response& res, const Clock& clock, int64_t& at) {
    for (const auto& [name, value] : req.params) {
        if (name != "at") {
            sendError(res, 400, "unknown query parameter \"" + name + "\" (allowed: at)");
            return false;
        }
    }
    at = clock.nowMillis();
    if (!req.has_param("at")) return true;
    const std::string text = req.get_param_value("at");
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), at);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
        sendError(res, 400, "query parameter at=\"" + text + "\" is not epoch milliseconds");
        return false;
    }
    return true;
}

bool noParams(const httplib::Request& req, httplib::Response& res) {
    if (req.params.empty()) return true;
    sendError(res, 400,
              "unknown query parameter \"" + req.params.begin()->first + "\" (none allowed)");
    return false;
}

}  // namespace

struct HttpService::Impl {
    ActiveSetSource& source;
    const Clock& clock;
    const History& history;
    httplib::Server server;

    Impl(ActiveSetSource& s, const Clock& c, const History& h) : source(s), clock(c), history(h) {
        routes();
    }

    void routes() {
        static const std::set<std::string> kPaths = {"/",
                                                     "/active-users",
                                                     "/active-users/count",
                                                     "/active-users/history",
                                                     "/healthz",
                                                     "/active-users/shards",
                                                     "/metrics"};
        // The dashboard: the page takes an optional ?refresh=MS, read by its script.
        for (const auto& asset : dashboardAssets()) {
            server.Get(asset.path, [&asset](const httplib::Request&, httplib::Response& res) {
                res.set_header("Cache-Control", "no-cache");
                res.set_content(asset.body().data(), asset.size, asset.contentType);
            });
        }
        server.Get("/active-users/history",
                   [this](const httplib::Request& req, httplib::Response& res) {
                       if (!noParams(req, res)) return;
                       res.set_content(history.json() + "\n", kJson);
                   });
        server.Get("/active-users/shards", [this](const httplib::Request& req,
                                                  httplib::Response& res) {
            if (!noParams(req, res)) return;
            auto stats = source.shardStats();
            if (!stats)
                return sendError(res, 503,
                                 "cannot read the processors' stats: " + stats.status().toString());
            res.set_content(shardTableJson(stats.value(), clock.nowMillis(), history) + "\n",
                            kJson);
        });
        server.Get("/active-users", [this](const httplib::Request& req, httplib::Response& res) {
            int64_t at = 0;
            if (!readAt(req, res, clock, at)) return;
            auto users = source.activeUsers(at);
            if (!users)
                return sendError(res, 503,
                                 "cannot read the active set: " + users.status().toString());
            res.set_content(activeset::usersAsJson(users.value()) + "\n", kJson);
        });
        server.Get(
            "/active-users/count", [this](const httplib::Request& req, httplib::Response& res) {
                int64_t at = 0;
                if (!readAt(req, res, clock, at)) return;
                auto count = source.activeCount(at);
                if (!count)
                    return sendError(res, 503,
                                     "cannot read the active set: " + count.status().toString());
                res.set_content(nlohmann::json{{"count", count.value()}}.dump() + "\n", kJson);
            });
        server.Get("/healthz", [this](const httplib::Request& req, httplib::Response& res) {
            if (!noParams(req, res)) return;
            auto count = source.activeCount(clock.nowMillis());
            nlohmann::ordered_json body;
            body["status"] = count ? "ok" : "unavailable";
            body["source"] = source.describe();
            if (!count) body["error"] = count.status().toString();
            res.status = count ? 200 : 503;
            res.set_content(
                body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n",
                kJson);
        });
        server.Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
            if (!noParams(req, res)) return;
            const int64_t now = clock.nowMillis();
            auto count = source.activeCount(now);
            auto stats = source.shardStats();
            std::vector<activeset::ShardStats> shards;
            if (stats) shards = std::move(stats).value();
            res.set_content(
                renderMetrics(count ? std::optional<size_t>(count.value()) : std::nullopt, shards,
                              now) +
                    renderPartitionMetrics(source.partitionReads()),
                "text/plain; version=0.0.4; charset=utf-8");
        });
        // Anything else: 405 on a known path, 404 elsewhere.
        auto other = [](const httplib::Request& req, httplib::Response& res) {
            if (kPaths.count(req.path)) {
                res.set_header("Allow", "GET, HEAD");
                return sendError(
                    res, 405,
                    "method " + req.method + " is not allowed on " + req.path + " (use GET)");
            }
            sendError(res, 404,
                      "no such endpoint: " + req.path +
                          " (try /, /active-users, /active-users/count, /active-users/history, "
                          "/active-users/shards, /healthz, /metrics)");
        };
        server.Get(".*", other);
        server.Post(".*", other);
        server.Put(".*", other);
        server.Patch(".*", other);
        server.Delete(".*", other);
        server.Options(".*", other);
        server.set_exception_handler(
            [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
                std::string what = "internal error";
                try {
                    if (ep) std::rethrow_exception(ep);
                } catch (const std::exception& e) {
                    what += std::string(": ") + e.what();
                } catch (...) {
                }
                sendError(res, 500, what);
            });
        server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
            if (res.body.empty()) sendError(res, res.status, "HTTP " + std::to_string(res.status));
        });
    }
};

HttpService::HttpService(ActiveSetSource& source, const Clock& clock, const History& history)
    : impl_(std::make_unique<Impl>(source, clock, history)) {}
HttpService::~HttpService() = default;

Result<int> HttpService::bind(const std::string& host, int port) {
    if (port == 0) {
        const int bound = impl_->server.bind_to_any_port(host);
        if (bound <= 0) return Status::error("BindError", "cannot listen on " + host + ":0");
        return bound;
    }
    if (!impl_->server.bind_to_port(host, port)) {
        return Status::error("BindError", "cannot listen on " + host + ":" + std::to_string(port));
    }
    return port;
}

void HttpService::run() { impl_->server.listen_after_bind(); }

void HttpService::stop() { impl_->server.stop(); }

}  // namespace au::serve
