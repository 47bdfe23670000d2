#pragma once
// Credentials and the CredentialsProvider interface.
//
// A provider either returns usable credentials or a Status:
//   "NoCredentials"     the source is not configured / has nothing (the chain moves on);
//   "CredentialsError"  the source is configured but failed (bad file, HTTP error, bad answer);
//   transport codes ("Timeout", "ConnectionError", ...) passed through from HttpClient.
// Messages never contain secrets or tokens.

#include <cstdint>
#include <optional>
#include <string>

#include "util/status.h"

namespace au::aws {

struct Credentials {
    std::string accessKeyId;
    std::string secretAccessKey;
    std::optional<std::string> sessionToken;
    std::optional<int64_t> expirationMillis;  // epoch ms; nullopt = does not expire

    // True when the credentials expire at or before `epochMillis`.
    bool expiresBy(int64_t epochMillis) const {
        return expirationMillis && *expirationMillis <= epochMillis;
    }
};

// Keys and tokens go into HTTP headers: true when one holds a control character (CR, LF, NUL,
// ...), which a provider must refuse ("CredentialsError") rather than send.
inline bool hasControlCharacters(const Credentials& c) {
    auto bad = [](const std::string& s) {
        for (char ch : s) {
            const auto u = static_cast<unsigned char>(ch);
            if (u < 0x20 || u == 0x7F) return true;
        }
        return false;
    };
    return bad(c.accessKeyId) || bad(c.secretAccessKey) || (c.sessionToken && bad(*c.sessionToken));
}

class CredentialsProvider {
  public:
    virtual ~CredentialsProvider() = default;
    // Current credentials, or an error Status as described above. Implementations document their
    // own thread-safety; the caching decorator is the one meant to be shared between threads.
    virtual Result<Credentials> resolve() = 0;
    // Forget anything cached (e.g. after the service said the token expired). Default: no-op.
    virtual void invalidate() {}
    // Short name for logs and error messages, e.g. "environment".
    virtual std::string name() const = 0;
};

// Returns the given credentials, always. For tests and for wiring explicit keys.
class StaticCredentialsProvider final : public CredentialsProvider {
  public:
    explicit StaticCredentialsProvider(Credentials credentials)
        : credentials_(std::move(credentials)) {}
    Result<Credentials> resolve() override { return credentials_; }
    std::string name() const override { return "static"; }

  private:
    Credentials credentials_;
};

}  // namespace au::aws
