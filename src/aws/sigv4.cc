#include "aws/sigv4.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <vector>

#include "aws/crypto.h"
#include "aws/crypto_api.h"
#include "aws/time_format.h"
#include "aws/url.h"

namespace au::aws {
namespace {

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string decode(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            int hi = hexValue(s[i + 1]), lo = hexValue(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(s[i]);
    }
    return out;
}

std::string canonicalPath(const std::string& path, bool normalize) {
    std::string p = path.empty() ? "/" : path;
    if (normalize) {
        std::vector<std::string> segments;
        size_t start = 0;
        while (start <= p.size()) {
            size_t end = p.find('/', start);
            if (end == std::string::npos) end = p.size();
            std::string seg = p.substr(start, end - start);
            if (seg == "..") {
                if (!segments.empty()) segments.pop_back();
            } else if (!seg.empty() && seg != ".") {
                segments.push_back(seg);
            }
            start = end + 1;
        }
        std::string joined = "/";
        for (size_t i = 0; i < segments.size(); ++i) {
            if (i > 0) joined += '/';
            joined += segments[i];
        }
        if (!segments.empty() && p.back() == '/') joined += '/';
        p = joined;
    }
    return percentEncode(p, /*keepSlash=*/true);
}

std::string canonicalQuery(const std::string& query) {
    std::vector<std::pair<std::string, std::string>> params;
    size_t start = 0;
    while (start <= query.size() && !query.empty()) {
        size_t end = query.find('&', start);
        if (end == std::string::npos) end = query.size();
        std::string pair = query.substr(start, end - start);
        if (!pair.empty()) {
            size_t eq = pair.find('=');
            std::string k = eq == std::string::npos ? pair : pair.substr(0, eq);
            std::string v = eq == std::string::npos ? "" : pair.substr(eq + 1);
            params.emplace_back(percentEncode(decode(k), false), percentEncode(decode(v), false));
        }
        start = end + 1;
    }
    std::sort(params.begin(), params.end());
    std::string out;
    for (const auto& [k, v] : params) {
        if (!out.empty()) out += '&';
        out += k + "=" + v;
    }
    return out;
}

std::string trimAndCollapse(const std::string& value) {
    std::string out;
    bool pendingSpace = false;
    for (char c : value) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            pendingSpace = !out.empty();
        } else {
            if (pendingSpace) out.push_back(' ');
            pendingSpace = false;
            out.push_back(c);
        }
    }
    return out;
}

bool isUnsignable(const std::string& lowerName) {
    static const std::set<std::string> kNames = {
        "authorization", "cache-control",     "connection", "expect",     "from",
        "keep-alive",    "max-forwards",      "pragma",     "referer",    "te",
        "trailer",       "transfer-encoding", "upgrade",    "user-agent", "x-amzn-trace-id"};
    return kNames.count(lowerName) > 0 || lowerName.rfind("proxy-", 0) == 0 ||
           lowerName.rfind("sec-", 0) == 0;
}

void removeHeader(Headers& headers, const std::string& lowerName) {
    headers.erase(std::remove_if(headers.begin(), headers.end(),
                                 [&](const auto& h) { return lower(h.first) == lowerName; }),
                  headers.end());
}

// RFC 9110 token: what a method and a header name may be.
bool isToken(const std::string& s) {
    static const std::string kSpecial = "!#$%&'*+-.^_`|~";
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || kSpecial.find(c) != std::string::npos;
    });
}

// Why the request cannot be sent as it is (a header line would be split or merged, so what is
// sent would differ from what is signed), or "" when it can.
std::string unsendable(const HttpRequest& request) {
    if (!isToken(request.method)) return "the method is not an HTTP token";
    for (const auto& [name, value] : request.headers) {
        if (!isToken(name)) return "a header name is not an HTTP token";
        if (value.find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
            return "the value of header " + name + " holds CR, LF or NUL";
    }
    return "";
}

bool hasHeader(const Headers& headers, const std::string& lowerName) {
    return std::any_of(headers.begin(), headers.end(),
                       [&](const auto& h) { return lower(h.first) == lowerName; });
}

}  // namespace

Result<CanonicalRequest> canonicalRequest(const HttpRequest& request,
                                          const std::string& payloadHash, bool normalizePath) {
    auto url = parseUrl(request.url);
    if (!url) return url.status();

    std::map<std::string, std::string> headers;  // sorted by lower-case name
    for (const auto& [name, value] : request.headers) {
        std::string key = lower(name);
        if (isUnsignable(key)) continue;
        auto it = headers.find(key);
        if (it == headers.end()) {
            headers.emplace(key, trimAndCollapse(value));
        } else {
            it->second += "," + trimAndCollapse(value);
        }
    }

    CanonicalRequest out;
    std::string canonicalHeaders;
    for (const auto& [name, value] : headers) {
        canonicalHeaders += name + ":" + value + "\n";
        if (!out.signedHeaders.empty()) out.signedHeaders += ';';
        out.signedHeaders += name;
    }
    out.text = request.method + "\n" + canonicalPath(url->path, normalizePath) + "\n" +
               canonicalQuery(url->query) + "\n" + canonicalHeaders + "\n" + out.signedHeaders +
               "\n" + payloadHash;
    return out;
}

std::string credentialScope(const std::string& amzDate, const std::string& region,
                            const std::string& service) {
    return amzDate.substr(0, 8) + "/" + region + "/" + service + "/aws4_request";
}

std::string stringToSign(const std::string& canonicalRequestText, const std::string& amzDate,
                         const std::string& scope) {
    return "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + sha256Hex(canonicalRequestText);
}

std::string signature(const std::string& secretAccessKey, const std::string& dateStamp,
                      const std::string& region, const std::string& service,
                      const std::string& stringToSignText) {
    std::string key = hmacSha256("AWS4" + secretAccessKey, dateStamp);
    key = hmacSha256(key, region);
    key = hmacSha256(key, service);
    key = hmacSha256(key, "aws4_request");
    return toHex(hmacSha256(key, stringToSignText));
}

Result<SigningResult> sign(HttpRequest& request, const Credentials& credentials,
                           const std::string& region, const std::string& service,
                           int64_t epochMillis, const SigningOptions& options) {
    if (credentials.accessKeyId.empty() || credentials.secretAccessKey.empty()) {
        return Status::error("NoCredentials", "cannot sign: empty access key or secret");
    }
    if (const std::string why = unsendable(request); !why.empty()) {
        return Status::error("InvalidRequest", "cannot sign: " + why);
    }
    if (hasControlCharacters(credentials)) {
        return Status::error("InvalidRequest",
                             "cannot sign: a key or token holds control characters");
    }
    if (auto crypto = loadCrypto(); !crypto) return crypto.status();
    auto url = parseUrl(request.url);
    if (!url) return url.status();

    HttpRequest signed_ = request;
    removeHeader(signed_.headers, "authorization");
    removeHeader(signed_.headers, "x-amz-date");
    removeHeader(signed_.headers, "x-amz-security-token");
    if (!hasHeader(signed_.headers, "host")) signed_.headers.emplace_back("Host", url->authority());

    const std::string amzDate = formatAmzDate(epochMillis);
    const std::string payloadHash = sha256Hex(signed_.body);
    signed_.headers.emplace_back("X-Amz-Date", amzDate);
    const bool hasToken = credentials.sessionToken && !credentials.sessionToken->empty();
    if (hasToken && options.signSessionToken) {
        signed_.headers.emplace_back("X-Amz-Security-Token", *credentials.sessionToken);
    }
    if (options.addContentSha256Header) {
        removeHeader(signed_.headers, "x-amz-content-sha256");
        signed_.headers.emplace_back("x-amz-content-sha256", payloadHash);
    }

    auto canonical = canonicalRequest(signed_, payloadHash, options.normalizePath);
    if (!canonical) return canonical.status();

    SigningResult result;
    result.canonicalRequest = std::move(canonical.value());
    const std::string scope = credentialScope(amzDate, region, service);
    result.stringToSign = stringToSign(result.canonicalRequest.text, amzDate, scope);
    result.signature = signature(credentials.secretAccessKey, amzDate.substr(0, 8), region, service,
                                 result.stringToSign);
    result.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.accessKeyId + "/" + scope +
                           ", SignedHeaders=" + result.canonicalRequest.signedHeaders +
                           ", Signature=" + result.signature;

    if (hasToken && !options.signSessionToken) {
        signed_.headers.emplace_back("X-Amz-Security-Token", *credentials.sessionToken);
    }
    signed_.headers.emplace_back("Authorization", result.authorization);
    request = std::move(signed_);
    return result;
}

}  // namespace au::aws
