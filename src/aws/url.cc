#include "aws/url.h"

#include <algorithm>
#include <cctype>

namespace au::aws {
namespace {

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

int defaultPort(const std::string& scheme) {
    if (scheme == "http") return 80;
    if (scheme == "https") return 443;
    return 0;
}

Status invalid(const std::string& text, const std::string& why) {
    return Status::error("InvalidUrl", "invalid URL '" + text + "': " + why);
}

bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 3986 scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
bool validScheme(const std::string& s) {
    return !s.empty() && isAlpha(s[0]) && std::all_of(s.begin(), s.end(), [](char c) {
        return isAlpha(c) || isDigit(c) || c == '+' || c == '-' || c == '.';
    });
}

// A reg-name or IPv4 address: unreserved, sub-delims and '%'. Anything else (a ':' or a bracket,
// a space, a control or non-ASCII byte) would be read differently once the URL is written back,
// or reach the Host header as is (found by fuzz/url and fuzz/sigv4).
bool validHostName(const std::string& h) {
    static const std::string kAllowed = "-._~!$&'()*+,;=%";
    return std::all_of(h.begin(), h.end(), [](char c) {
        return isAlpha(c) || isDigit(c) || kAllowed.find(c) != std::string::npos;
    });
}

// The inside of an IP-literal: an IPv6 address, with an optional zone ("%25eth0").
bool validIpLiteral(const std::string& h) {
    return !h.empty() && std::all_of(h.begin(), h.end(), [](char c) {
        return isAlpha(c) || isDigit(c) || c == ':' || c == '.' || c == '%' || c == '-';
    });
}

}  // namespace

std::string Url::authority() const {
    if (port != 0 && port != defaultPort(scheme)) return host + ":" + std::to_string(port);
    return host;
}

std::string Url::origin() const { return scheme + "://" + authority(); }

Result<Url> parseUrl(const std::string& text) {
    Url url;
    auto schemeEnd = text.find("://");
    if (schemeEnd == std::string::npos || schemeEnd == 0) return invalid(text, "no scheme");
    if (std::any_of(text.begin(), text.end(),
                    [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7F; })) {
        return invalid(text, "spaces or control characters");
    }
    url.scheme = lower(text.substr(0, schemeEnd));
    if (!validScheme(url.scheme)) return invalid(text, "bad scheme");
    size_t authStart = schemeEnd + 3;
    size_t authEnd = text.find_first_of("/?#", authStart);
    if (authEnd == std::string::npos) authEnd = text.size();
    std::string auth = text.substr(authStart, authEnd - authStart);
    if (auth.find('@') != std::string::npos) return invalid(text, "user info is not supported");

    std::string portText;
    if (!auth.empty() && auth[0] == '[') {
        auto close = auth.find(']');
        if (close == std::string::npos) return invalid(text, "unterminated IPv6 literal");
        url.host = lower(auth.substr(0, close + 1));
        if (!validIpLiteral(url.host.substr(1, close - 1)))
            return invalid(text, "bad IPv6 literal");
        if (close + 1 < auth.size()) {
            if (auth[close + 1] != ':') return invalid(text, "junk after IPv6 literal");
            portText = auth.substr(close + 2);
            url.explicitPort = true;
        }
    } else {
        auto colon = auth.rfind(':');
        if (colon != std::string::npos) {
            url.host = lower(auth.substr(0, colon));
            portText = auth.substr(colon + 1);
            url.explicitPort = true;
        } else {
            url.host = lower(auth);
        }
    }
    if (url.host.empty()) return invalid(text, "empty host");
    if (url.host[0] != '[' && !validHostName(url.host)) return invalid(text, "bad host name");
    if (url.explicitPort) {
        if (portText.empty() || portText.size() > 5) return invalid(text, "bad port");
        int port = 0;
        for (char c : portText) {
            if (!std::isdigit(static_cast<unsigned char>(c))) return invalid(text, "bad port");
            port = port * 10 + (c - '0');
        }
        if (port <= 0 || port > 65535) return invalid(text, "port out of range");
        url.port = port;
    } else {
        url.port = defaultPort(url.scheme);
    }

    std::string rest = text.substr(authEnd);
    auto hash = rest.find('#');
    if (hash != std::string::npos) rest.resize(hash);
    auto q = rest.find('?');
    if (q != std::string::npos) {
        url.query = rest.substr(q + 1);
        rest.resize(q);
    }
    url.path = rest.empty() ? "/" : rest;
    return url;
}

std::string percentEncode(const std::string& s, bool keepSlash) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        const bool unreserved = std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
        if (unreserved || (keepSlash && c == '/')) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0x0f]);
        }
    }
    return out;
}

}  // namespace au::aws
