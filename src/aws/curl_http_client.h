#pragma once
// CurlHttpClient: HttpClient over one libcurl easy handle.
//
// The handle is kept between calls, so connections (and TLS sessions) are reused. Bodies and
// headers go to memory through callbacks (libcurl's default would write bodies to stdout, the
// daemon protocol stream). Per request: CURLOPT_CONNECTTIMEOUT_MS / CURLOPT_TIMEOUT_MS from the
// HttpRequest, no signals, no redirects, http/https only, no "Expect: 100-continue", and no proxy
// unless `useEnvironmentProxy` is set (so credentials endpoints can never go through a proxy).
//
// send() returns the response whatever its HTTP status; it fails only when no complete response
// arrived: "Timeout" (connect or total timeout), "ConnectionError" (resolve/connect/TLS/send/
// receive failures), "Cancelled" (the `cancelled` option said so; libcurl asks at least about once
// a second while a transfer waits, so a cancelled call ends within ~1 s), "HttpError" (anything
// else libcurl reports, e.g. a malformed URL).
//
// Thread-compatible: one instance per thread (the easy handle is not shareable).

#include <functional>
#include <memory>

#include "aws/http_client.h"

namespace au::aws {

struct CurlHttpClientOptions {
    bool useEnvironmentProxy = false;  // honour http_proxy/https_proxy/no_proxy
    bool verifyTls = true;
    // When set, asked while a transfer runs (from the calling thread); true aborts it.
    std::function<bool()> cancelled;
};

class CurlHttpClient final : public HttpClient {
  public:
    explicit CurlHttpClient(CurlHttpClientOptions options = {});
    ~CurlHttpClient() override;
    CurlHttpClient(const CurlHttpClient&) = delete;
    CurlHttpClient& operator=(const CurlHttpClient&) = delete;

    Result<HttpResponse> send(const HttpRequest& request) override;

  private:
    CurlHttpClientOptions options_;
    void* handle_ = nullptr;  // CURL*
};

}  // namespace au::aws
