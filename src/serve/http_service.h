#pragma once
// HttpService: `serve`'s HTTP endpoints (cpp-httplib) over an ActiveSetSource.
//   GET /active-users[?at=MS]        200 {"count":N,"users":[{"userId":..,"lastSeen":ms},..]}
//   GET /active-users/count[?at=MS]  200 {"count":N}
//   GET /healthz                     200 {"status":"ok","source":".."} or 503 when unreadable
//   GET /metrics                     200 Prometheus text (serve/metrics.h)
//   GET /                            the dashboard page (embedded; serve/dashboard_assets.h),
//   GET /assets/<file>               its script, styles and chart library
//   GET /active-users/history        200 History::json(): the count's samples and the events
//   GET /active-users/shards         200 the per-shard table (serve/shard_table.h), 503 unreadable
//   GET /favicon.ico                 the page's icon (SVG)
//   GET /login, POST /login          with a token: the sign-in form; POST token=<token> sets the
//                                    cookie (HttpOnly, SameSite=Strict, Secure over TLS) and
//                                    redirects to / (303), or answers 401 with the form again
// Errors are JSON {"error":"<message>"}: 400 for a bad or unknown query parameter, 404 for an
// unknown path, 405 (with Allow: GET) for another method on a known path, 503 when the source
// cannot be read, 401 (with WWW-Authenticate: Bearer) without the token where one is needed
// (serve/access_policy.h; a browser asking for / gets the sign-in form with the 401). Requests are
// served by httplib's thread pool; the source must be thread-safe. Nothing here logs a request,
// a header or a token.

#include <memory>
#include <string>

#include "serve/access_policy.h"
#include "serve/active_set_source.h"
#include "serve/history.h"
#include "util/clock.h"
#include "util/status.h"

namespace au::serve {

struct HttpOptions {
    AccessPolicy access;  // default: open
    // Both set: HTTPS with this PEM certificate chain and private key (serve/tls_setup.h).
    std::string tlsCertFile;
    std::string tlsKeyFile;
};

class HttpService {
  public:
    // REQUIRES: source, clock and history outlive this object. `history` is filled by its owner.
    HttpService(ActiveSetSource& source, const Clock& clock, const History& history,
                HttpOptions options = {});
    ~HttpService();
    HttpService(const HttpService&) = delete;
    HttpService& operator=(const HttpService&) = delete;

    // Binds host:port (port 0: any free port). Returns the bound port, or an error that says why:
    // the TLS files could not be loaded, or the OS's reason the address cannot be bound
    // (serve/listen_address.h).
    Result<int> bind(const std::string& host, int port);
    bool tls() const;
    // Serves until stop(). REQUIRES: bind() succeeded.
    void run();
    // Safe from any thread (not from a signal handler).
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace au::serve
