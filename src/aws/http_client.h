#pragma once
// HttpClient: the seam between the AWS clients and the network. The real implementation is
// CurlHttpClient; tests use a scripted fake.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "util/status.h"

namespace au::aws {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
    std::string method = "POST";
    std::string url;  // absolute: scheme://host[:port]/path[?query]
    Headers headers;
    std::string body;
    int64_t connectTimeoutMillis = 2000;
    int64_t totalTimeoutMillis = 10000;
};

struct HttpResponse {
    long status = 0;
    Headers headers;  // names as received
    std::string body;
    // The first header with this name, compared case-insensitively.
    std::optional<std::string> header(const std::string& name) const;
};

class HttpClient {
  public:
    virtual ~HttpClient() = default;
    // Sends the request and returns the response, whatever its HTTP status. Fails only when no
    // response was received: code "Timeout", "ConnectionError" or "HttpError" with a message.
    // Thread-compatible: one instance per thread.
    virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

}  // namespace au::aws
