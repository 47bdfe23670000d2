#include "aws/curl_http_client.h"

#include "aws/curl_api.h"

namespace au::aws {
namespace {

size_t writeBody(char* data, size_t size, size_t count, void* userdata) {
    static_cast<std::string*>(userdata)->append(data, size * count);
    return size * count;
}

std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    size_t e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

size_t writeHeader(char* data, size_t size, size_t count, void* userdata) {
    auto* headers = static_cast<Headers*>(userdata);
    std::string line(data, size * count);
    if (line.rfind("HTTP/", 0) == 0) {
        headers->clear();  // a new response (after 100 Continue or similar) starts over
    } else {
        auto colon = line.find(':');
        if (colon != std::string::npos) {
            headers->emplace_back(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
        }
    }
    return size * count;
}

struct SlistDeleter {
    const CurlApi* api;
    void operator()(curl_slist* list) const { api->slist_free_all(list); }
};

Status mapError(const CurlApi& api, CURLcode code, const char* detail) {
    std::string message = api.easy_strerror(code);
    if (detail[0] != '\0') message += std::string(": ") + detail;
    switch (code) {
        case CURLE_OPERATION_TIMEDOUT:
            return Status::error("Timeout", message);
        case CURLE_ABORTED_BY_CALLBACK:
            return Status::error("Cancelled", "the transfer was cancelled");
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_CONNECT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
            return Status::error("ConnectionError", message);
        default:
            return Status::error("HttpError", message);
    }
}

// CURLOPT_XFERINFOFUNCTION: non-zero aborts the transfer.
int cancelCheck(void* cancelled, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return (*static_cast<const std::function<bool()>*>(cancelled))() ? 1 : 0;
}

bool hasHeader(const Headers& headers, const char* lowerName) {
    HttpResponse view;
    view.headers = headers;
    return view.header(lowerName).has_value();
}

}  // namespace

CurlHttpClient::CurlHttpClient(CurlHttpClientOptions options) : options_(options) {}

CurlHttpClient::~CurlHttpClient() {
    if (handle_ != nullptr) loadCurl().value()->easy_cleanup(static_cast<CURL*>(handle_));
}

Result<HttpResponse> CurlHttpClient::send(const HttpRequest& request) {
    auto loaded = loadCurl();  // libcurl is loaded on the first request, not at start-up
    if (!loaded) return Status::error("HttpError", loaded.status().message());
    const CurlApi& api = *loaded.value();
    if (handle_ == nullptr) {
        handle_ = api.easy_init();
        if (handle_ == nullptr) return Status::error("HttpError", "curl_easy_init failed");
    }
    CURL* curl = static_cast<CURL*>(handle_);
    api.easy_reset(curl);  // keeps the connection cache

    HttpResponse response;
    char errorBuffer[CURL_ERROR_SIZE] = {0};
    api.easy_setopt(curl, CURLOPT_ERRORBUFFER, errorBuffer);
    api.easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    api.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    api.easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
    api.easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
    if (!options_.useEnvironmentProxy) api.easy_setopt(curl, CURLOPT_PROXY, "");
    if (!options_.verifyTls) {
        api.easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
        api.easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    api.easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    api.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                    static_cast<long>(std::max<int64_t>(1, request.connectTimeoutMillis)));
    api.easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                    static_cast<long>(std::max<int64_t>(1, request.totalTimeoutMillis)));
    api.easy_setopt(curl, CURLOPT_WRITEFUNCTION, &writeBody);
    api.easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
    api.easy_setopt(curl, CURLOPT_HEADERFUNCTION, &writeHeader);
    api.easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
    if (options_.cancelled) {
        if (options_.cancelled()) return Status::error("Cancelled", "the transfer was cancelled");
        api.easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &cancelCheck);
        api.easy_setopt(curl, CURLOPT_XFERINFODATA, &options_.cancelled);
        api.easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    }

    if (request.method == "GET") {
        api.easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
        api.easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else {
        // POST mode carries the body (possibly empty, sent with Content-Length: 0); other verbs
        // such as PUT reuse it with a custom method name.
        api.easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
        api.easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                        static_cast<curl_off_t>(request.body.size()));
        if (request.method != "POST") {
            api.easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
        }
    }

    curl_slist* raw = nullptr;
    for (const auto& [name, value] : request.headers) {
        std::string line = value.empty() ? name + ";" : name + ": " + value;
        raw = api.slist_append(raw, line.c_str());
    }
    raw = api.slist_append(raw, "Expect:");
    if (!hasHeader(request.headers, "content-type")) raw = api.slist_append(raw, "Content-Type:");
    std::unique_ptr<curl_slist, SlistDeleter> headerList(raw, SlistDeleter{&api});
    api.easy_setopt(curl, CURLOPT_HTTPHEADER, headerList.get());

    CURLcode code = api.easy_perform(curl);
    if (code != CURLE_OK) return mapError(api, code, errorBuffer);
    long status = 0;
    api.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    response.status = status;
    return response;
}

}  // namespace au::aws
