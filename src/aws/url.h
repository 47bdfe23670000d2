#pragma once
// Url: splits an absolute http(s) URL into the parts the signer and the providers need.
//
// parseUrl succeeds for "scheme://host[:port][/path][?query]" (IPv6 literals in brackets); the
// path defaults to "/". Fails with code "InvalidUrl" for anything else: no scheme or one that is
// not RFC 3986's, an empty host or one with other characters than a host name or an IPv6 literal
// may have, a bad port, user-info, or a space or control character anywhere. No percent-decoding
// is done: path and query are kept as written. Pure functions; thread-safe.

#include <string>

#include "util/status.h"

namespace au::aws {

struct Url {
    std::string scheme;  // lower case: "http" or "https" (others are accepted but unusual)
    std::string host;    // lower case; IPv6 literals keep their brackets, e.g. "[::1]"
    int port = 0;        // explicit port, or the scheme's default (80/443)
    bool explicitPort = false;
    std::string path = "/";
    std::string query;  // without the '?'

    // "host" or "host:port" when the port is not the scheme's default: the Host header value.
    std::string authority() const;
    // scheme://authority (no path), e.g. "http://localhost:4567".
    std::string origin() const;
};

Result<Url> parseUrl(const std::string& text);

// RFC 3986 percent-encoding as SigV4 and form bodies want it: unreserved characters
// (A-Z a-z 0-9 - _ . ~) stay, every other byte becomes %XX (upper-case hex); '/' stays when
// `keepSlash` (paths).
std::string percentEncode(const std::string& s, bool keepSlash = false);

}  // namespace au::aws
