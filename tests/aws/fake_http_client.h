#pragma once
// FakeHttpClient: a scripted HttpClient for tests (header-only, reusable by other test folders).
//
// Script outcomes in the order the calls will happen: respond(status, body, headers) or
// fail(code, message). Each send() records the request and consumes the next outcome; with an
// empty script it fails with code "ConnectionError" and message "no scripted response", so an
// unexpected extra call shows up as an error rather than a hang. An optional onSend hook runs
// before each outcome is returned (e.g. to advance a ManualClock to model latency).
// Thread-safe.

#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "aws/http_client.h"

namespace au::aws::testing {

class FakeHttpClient final : public HttpClient {
  public:
    FakeHttpClient& respond(long status, std::string body, Headers headers = {}) {
        HttpResponse r;
        r.status = status;
        r.body = std::move(body);
        r.headers = std::move(headers);
        std::lock_guard<std::mutex> lock(mu_);
        script_.emplace_back(std::move(r));
        return *this;
    }
    FakeHttpClient& fail(std::string code, std::string message = "scripted failure") {
        std::lock_guard<std::mutex> lock(mu_);
        script_.emplace_back(Status::error(std::move(code), std::move(message)));
        return *this;
    }
    void onSend(std::function<void(const HttpRequest&)> hook) {
        std::lock_guard<std::mutex> lock(mu_);
        hook_ = std::move(hook);
    }

    Result<HttpResponse> send(const HttpRequest& request) override {
        std::function<void(const HttpRequest&)> hook;
        std::optional<Result<HttpResponse>> next;
        {
            std::lock_guard<std::mutex> lock(mu_);
            requests_.push_back(request);
            hook = hook_;
            if (!script_.empty()) {
                next.emplace(std::move(script_.front()));
                script_.pop_front();
            }
        }
        if (hook) hook(request);
        if (!next) return Status::error("ConnectionError", "no scripted response");
        return std::move(*next);
    }

    std::vector<HttpRequest> requests() const {
        std::lock_guard<std::mutex> lock(mu_);
        return requests_;
    }
    size_t callCount() const {
        std::lock_guard<std::mutex> lock(mu_);
        return requests_.size();
    }
    size_t remaining() const {
        std::lock_guard<std::mutex> lock(mu_);
        return script_.size();
    }

    // The first header of `request` with this name (case-insensitive).
    static std::optional<std::string> headerOf(const HttpRequest& request,
                                               const std::string& name) {
        HttpResponse view;
        view.headers = request.headers;
        return view.header(name);
    }

  private:
    mutable std::mutex mu_;
    std::deque<Result<HttpResponse>> script_;
    std::vector<HttpRequest> requests_;
    std::function<void(const HttpRequest&)> hook_;
};

}  // namespace au::aws::testing
