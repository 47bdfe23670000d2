#include "serve/http_service.h"

#include <httplib.h>
#include <sys/socket.h>

#include <charconv>
#include <nlohmann/json.hpp>
#include <set>

#include "activeset/user_list_format.h"
#include "serve/dashboard_assets.h"
#include "serve/listen_address.h"
#include "serve/metrics.h"
#include "serve/shard_table.h"
#include "serve/tls_setup.h"

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

const DashboardAsset* findAsset(const std::string& path) {
    for (const auto& asset : dashboardAssets()) {
        if (path == asset.path) return &asset;
    }
    return nullptr;
}

// The sign-in form (web/login.html), with `note` in place of its <!--note--> marker.
std::string loginPage(const std::string& note) {
    const DashboardAsset* page = findAsset("/login");
    std::string html(page ? page->body()
                          : std::string_view("<p>sign in: POST /login token=...</p>"));
    if (const auto at = html.find("<!--note-->"); at != std::string::npos && !note.empty()) {
        html.replace(at, 11, "<p class=\"bad\">" + note + "</p>");
    }
    return html;
}

// Sockets: SO_REUSEADDR only (a restart binds again at once), not cpp-httplib's default
// SO_REUSEPORT, with which a second server on a port in use would start and share it silently.
void reuseAddressOnly(int fd) {
    const int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
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
    const AccessPolicy access;
    const bool tls;
    Status tlsSetup;  // why the TLS context could not be made, if it could not
    std::unique_ptr<httplib::Server> serverPtr;
    httplib::Server& server;

    Impl(ActiveSetSource& s, const Clock& c, const History& h, HttpOptions options)
        : source(s),
          clock(c),
          history(h),
          access(std::move(options.access)),
          tls(!options.tlsCertFile.empty() || !options.tlsKeyFile.empty()),
          serverPtr(makeServer(options)),
          server(*serverPtr) {
        server.set_socket_options(reuseAddressOnly);
        // Each answer goes out at once: with Nagle's algorithm, a keep-alive client's delayed ACK
        // held every answer's second segment back by ~40 ms.
        server.set_tcp_nodelay(true);
        server.set_payload_max_length(64 * 1024);  // GETs, and a token posted to /login
        guard();
        routes();
    }

    std::unique_ptr<httplib::Server> makeServer(const HttpOptions& options) {
        if (!tls) return std::make_unique<httplib::Server>();
        return std::make_unique<httplib::SSLServer>([this, &options](SSL_CTX& ctx) {
            tlsSetup = setUpServerTls(ctx, options.tlsCertFile, options.tlsKeyFile);
            return tlsSetup.isOk();
        });
    }

    // The cookie a successful sign-in sets: this browser session only, never sent cross-site,
    // unreadable by scripts, and over TLS never sent in clear text.
    std::string tokenCookie(const std::string& token) const {
        return std::string(kTokenCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict" +
               (tls ? "; Secure" : "");
    }

    // Before any route: the token (serve/access_policy.h), and headers every answer carries.
    void guard() {
        server.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
            res.set_header("X-Content-Type-Options", "nosniff");
            res.set_header("X-Frame-Options", "DENY");
            res.set_header("Referrer-Policy", "no-referrer");
        });
        if (!access.token) return;
        server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
            const Access a = checkAccess(access, req.path, req.get_header_value("Authorization"),
                                         req.get_header_value("Cookie"));
            if (a == Access::kAllowed) return httplib::Server::HandlerResponse::Unhandled;
            res.set_header("WWW-Authenticate",
                           a == Access::kWrong
                               ? "Bearer realm=\"active-users\", error=\"invalid_token\""
                               : "Bearer realm=\"active-users\"");
            res.set_header("Cache-Control", "no-store");
            const bool browser = req.path == "/" && req.get_header_value("Accept").find(
                                                        "text/html") != std::string::npos;
            if (browser) {
                res.status = 401;
                res.set_content(
                    loginPage(a == Access::kWrong ? "That token is not right (did it change?)."
                                                  : ""),
                    "text/html; charset=utf-8");
            } else {
                sendError(res, 401,
                          a == Access::kWrong
                              ? "the token presented is not right"
                              : "this service needs its token: send Authorization: Bearer <token>, "
                                "or sign in at /login");
            }
            return httplib::Server::HandlerResponse::Handled;
        });
    }

    void routes() {
        static const std::set<std::string> kPaths = {"/",
                                                     "/login",
                                                     "/favicon.ico",
                                                     "/active-users",
                                                     "/active-users/count",
                                                     "/active-users/history",
                                                     "/healthz",
                                                     "/active-users/shards",
                                                     "/metrics"};
        // The dashboard: the page takes an optional ?refresh=MS, read by its script.
        for (const auto& asset : dashboardAssets()) {
            if (std::string_view(asset.path) == "/login") continue;  // below
            server.Get(asset.path, [&asset](const httplib::Request&, httplib::Response& res) {
                res.set_header("Cache-Control", "no-cache");
                res.set_content(asset.body().data(), asset.size, asset.contentType);
            });
        }
        // Sign-in: the form, and the token posted from it (application/x-www-form-urlencoded).
        server.Get("/login", [this](const httplib::Request&, httplib::Response& res) {
            res.set_header("Cache-Control", "no-store");
            if (!access.token) {  // nothing to sign in to
                res.status = 303;
                res.set_header("Location", "/");
                return;
            }
            res.set_content(loginPage(""), "text/html; charset=utf-8");
        });
        server.Post("/login", [this](const httplib::Request& req, httplib::Response& res) {
            res.set_header("Cache-Control", "no-store");
            if (!access.token) {  // nothing to sign in to
                res.status = 303;
                res.set_header("Location", "/");
                return;
            }
            // As pasted: without surrounding whitespace (a copied file ends with a newline).
            std::string token = req.get_param_value("token");
            token.erase(0, token.find_first_not_of(" \t\r\n"));
            token.erase(token.find_last_not_of(" \t\r\n") + 1);
            if (token.empty() || !access.token->matches(token)) {
                res.status = 401;
                res.set_header("WWW-Authenticate",
                               "Bearer realm=\"active-users\", error=\"invalid_token\"");
                res.set_content(
                    loginPage(token.empty() ? "Enter the token." : "That token is not right."),
                    "text/html; charset=utf-8");
                return;
            }
            res.status = 303;
            res.set_header("Location", "/");
            res.set_header("Set-Cookie", tokenCookie(token));
        });
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

HttpService::HttpService(ActiveSetSource& source, const Clock& clock, const History& history,
                         HttpOptions options)
    : impl_(std::make_unique<Impl>(source, clock, history, std::move(options))) {}
HttpService::~HttpService() = default;

bool HttpService::tls() const { return impl_->tls; }

Result<int> HttpService::bind(const std::string& host, int port) {
    if (impl_->tls && !impl_->server.is_valid()) {
        return impl_->tlsSetup ? Status::error("TlsError", "cannot set up TLS") : impl_->tlsSetup;
    }
    const int bound = port == 0 ? impl_->server.bind_to_any_port(host)
                                : (impl_->server.bind_to_port(host, port) ? port : -1);
    if (bound > 0) return bound;
    const std::string where = (host.find(':') != std::string::npos ? "[" + host + "]" : host) +
                              ":" + std::to_string(port);
    std::string reason = listenFailureReason(host, port);
    if (reason.empty()) reason = "the address was refused, then free again when probed";
    return Status::error("BindError", "cannot listen on " + where + ": " + reason);
}

void HttpService::run() { impl_->server.listen_after_bind(); }

void HttpService::stop() { impl_->server.stop(); }

}  // namespace au::serve
