#pragma once
// HttpService: `serve`'s HTTP endpoints (cpp-httplib) over an ActiveSetSource.
//   GET /active-users[?at=MS]        200 {"count":N,"users":[{"userId":..,"lastSeen":ms},..]}
//   GET /active-users/count[?at=MS]  200 {"count":N}
//   GET /healthz                     200 {"status":"ok","source":".."} or 503 when unreadable
//   GET /metrics                     200 Prometheus text (serve/metrics.h)
// Errors are JSON {"error":"<message>"}: 400 for a bad or unknown query parameter, 404 for an
// unknown path, 405 (with Allow: GET) for another method on a known path, 503 when the source
// cannot be read. Requests are served by httplib's thread pool; the source must be thread-safe.

#include <memory>
#include <string>

#include "serve/active_set_source.h"
#include "util/clock.h"
#include "util/status.h"

namespace au::serve {

class HttpService {
  public:
    // REQUIRES: source and clock outlive this object.
    HttpService(ActiveSetSource& source, const Clock& clock);
    ~HttpService();
    HttpService(const HttpService&) = delete;
    HttpService& operator=(const HttpService&) = delete;

    // Binds host:port (port 0: any free port). Returns the bound port.
    Result<int> bind(const std::string& host, int port);
    // Serves until stop(). REQUIRES: bind() succeeded.
    void run();
    // Safe from any thread (not from a signal handler).
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace au::serve
