#include "aws/curl_http_client.h"

#include <curl/curl.h>

#include <mutex>

namespace au::aws {
namespace {

void globalInitOnce() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

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
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

Status mapError(CURLcode code, const char* detail) {
    std::string message = curl_easy_strerror(code);
    if (detail[0] != '\0') message += std::string(": ") + detail;
    switch (code) {
        case CURLE_OPERATION_TIMEDOUT:
            return Status::error("Timeout", message);
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

bool hasHeader(const Headers& headers, const char* lowerName) {
    HttpResponse view;
    view.headers = headers;
    return view.header(lowerName).has_value();
}

}  // namespace

CurlHttpClient::CurlHttpClient(CurlHttpClientOptions options) : options_(options) {
    globalInitOnce();
}

CurlHttpClient::~CurlHttpClient() {
    if (handle_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(handle_));
}

Result<HttpResponse> CurlHttpClient::send(const HttpRequest& request) {
    if (handle_ == nullptr) {
        handle_ = curl_easy_init();
        if (handle_ == nullptr) return Status::error("HttpError", "curl_easy_init failed");
    }
    CURL* curl = static_cast<CURL*>(handle_);
    curl_easy_reset(curl);  // keeps the connection cache

    HttpResponse response;
    char errorBuffer[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
    if (!options_.useEnvironmentProxy) curl_easy_setopt(curl, CURLOPT_PROXY, "");
    if (!options_.verifyTls) {
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(std::max<int64_t>(1, request.connectTimeoutMillis)));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(std::max<int64_t>(1, request.totalTimeoutMillis)));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &writeBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &writeHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);

    if (request.method == "GET") {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else {
        // POST mode carries the body (possibly empty, sent with Content-Length: 0); other verbs
        // such as PUT reuse it with a custom method name.
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body.size()));
        if (request.method != "POST") {
            curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
        }
    }

    curl_slist* raw = nullptr;
    for (const auto& [name, value] : request.headers) {
        std::string line = value.empty() ? name + ";" : name + ": " + value;
        raw = curl_slist_append(raw, line.c_str());
    }
    raw = curl_slist_append(raw, "Expect:");
    if (!hasHeader(request.headers, "content-type")) raw = curl_slist_append(raw, "Content-Type:");
    std::unique_ptr<curl_slist, SlistDeleter> headerList(raw);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headerList.get());

    CURLcode code = curl_easy_perform(curl);
    if (code != CURLE_OK) return mapError(code, errorBuffer);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    response.status = status;
    return response;
}

}  // namespace au::aws
