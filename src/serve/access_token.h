#pragma once
// AccessToken: the bearer token that guards `serve` (--auth-token-file). Only its SHA-256 digest is
// kept; a presented token is hashed and the two digests are compared with CRYPTO_memcmp, so the
// time taken does not depend on how much of the token a guess got right. Nothing here logs, and no
// error message quotes the file's content.

#include <array>
#include <string>
#include <string_view>

#include "util/status.h"

namespace au::serve {

class AccessToken {
  public:
    // The token in `path`: its content without surrounding whitespace. Refused (an error naming
    // the path and the rule, never the content): a file that cannot be read or is not a regular
    // file, readable or writable by others (chmod 600, or 640 for a group), larger than 4 KiB,
    // empty, shorter than kMinLength, or not one RFC 6750 token (letters, digits, - . _ ~ + /,
    // then optional '=') — e.g. `openssl rand -hex 32 > FILE`.
    static Result<AccessToken> fromFile(const std::string& path);
    // The same rules on a token's text (`origin` names it in errors).
    static Result<AccessToken> fromText(std::string_view text, const std::string& origin);

    // True when `presented` is the token. Its time depends on presented.size() only.
    bool matches(std::string_view presented) const;

    static constexpr size_t kMinLength = 16;

  private:
    explicit AccessToken(const std::array<unsigned char, 32>& digest) : digest_(digest) {}
    std::array<unsigned char, 32> digest_;
};

}  // namespace au::serve
