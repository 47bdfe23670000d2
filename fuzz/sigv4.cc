// Fuzz target: the SigV4 canonicalisation inputs (src/aws/sigv4.h): method, URL (path, query),
// headers and body. Input: the method, the URL, then "Name: value" header lines up to an empty
// line, then the body. Properties:
//  - a request signs exactly when its URL parses and it can be sent: the method and the header
//    names are HTTP tokens, and no header value holds CR, LF or NUL;
//  - signing a signed request again, at the same time, changes nothing;
//  - the canonical request does not depend on the order of headers with distinct names, nor on
//    the order of the query's parameters;
//  - the canonical request has one line per signed header plus five.
#include "aws/sigv4.h"

#include <algorithm>

#include "aws/url.h"
#include "fuzz.h"

using namespace au;
using namespace au::aws;

namespace {

constexpr int64_t kNow = 1'440'938'160'000;  // 2015-08-30T12:36:00Z
const Credentials kCreds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "token",
                         std::nullopt};

bool isToken(const std::string& name) {
    static const std::string kSpecial = "!#$%&'*+-.^_`|~";
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || kSpecial.find(c) != std::string::npos;
    });
}

bool sendable(const HttpRequest& r) {
    return std::all_of(r.headers.begin(), r.headers.end(), [](const auto& h) {
        return isToken(h.first) &&
               h.second.find_first_of(std::string("\r\n\0", 3)) == std::string::npos;
    });
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input = fuzz::asText(data, size);
    const auto lines = fuzz::lines(input);
    if (lines.size() < 2) return 0;
    HttpRequest request;
    request.method = std::string(lines[0]);
    request.url = std::string(lines[1]);
    size_t i = 2, offset = lines[0].size() + lines[1].size() + 2;
    for (; i < lines.size() && !lines[i].empty(); ++i) {
        offset += lines[i].size() + 1;
        const auto colon = lines[i].find(':');
        request.headers.emplace_back(std::string(lines[i].substr(0, colon)),
                                     colon == std::string_view::npos
                                         ? std::string()
                                         : std::string(lines[i].substr(colon + 1)));
    }
    request.body = offset + 1 <= input.size() ? std::string(input.substr(offset + 1)) : "";

    const auto url = parseUrl(request.url);
    HttpRequest signedRequest = request;
    auto signature = sign(signedRequest, kCreds, "us-east-1", "dynamodb", kNow);
    FUZZ_CHECK(signature.isOk() == (url.isOk() && isToken(request.method) && sendable(request)));
    if (!signature) return 0;

    HttpRequest again = signedRequest;
    auto second = sign(again, kCreds, "us-east-1", "dynamodb", kNow);
    FUZZ_CHECK(second);
    FUZZ_CHECK(second->authorization == signature->authorization);
    FUZZ_CHECK(again.headers == signedRequest.headers);

    const std::string& text = signature->canonicalRequest.text;
    const size_t signedCount = std::count(signature->canonicalRequest.signedHeaders.begin(),
                                          signature->canonicalRequest.signedHeaders.end(), ';') +
                               1;
    FUZZ_CHECK(static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) == signedCount + 5);

    const std::string hash(64, '0');
    const auto canonical = canonicalRequest(request, hash);
    FUZZ_CHECK(canonical);
    std::vector<std::string> names;
    for (const auto& h : request.headers) names.push_back(lower(h.first));
    std::sort(names.begin(), names.end());
    if (std::adjacent_find(names.begin(), names.end()) == names.end()) {
        HttpRequest reversed = request;
        std::reverse(reversed.headers.begin(), reversed.headers.end());
        FUZZ_CHECK(canonicalRequest(reversed, hash)->text == canonical->text);
    }
    std::vector<std::string> params;
    for (size_t start = 0; start <= url->query.size();) {
        const size_t end = std::min(url->query.find('&', start), url->query.size());
        params.push_back(url->query.substr(start, end - start));
        start = end + 1;
    }
    std::reverse(params.begin(), params.end());
    std::string query;
    for (const auto& p : params) query += (query.empty() ? "" : "&") + p;
    HttpRequest permuted = request;
    permuted.url = url->origin() + url->path + (query.empty() ? "" : "?" + query);
    FUZZ_CHECK(canonicalRequest(permuted, hash)->text == canonical->text);
    return 0;
}
