#pragma once
// AWS Signature Version 4 (header signing), in the named stages of the specification:
//
//   canonicalRequest(request, payloadHash)            -> CanonicalRequest {text, signedHeaders}
//   stringToSign(canonicalRequestText, amzDate, scope) -> string
//   signature(secret, dateStamp, region, service, stringToSign) -> hex
//   sign(request, credentials, region, service, epochMillis)  -> adds the headers
//
// The time is always an argument; nothing here reads a clock. Every function is pure apart from
// sign() mutating its request argument; all are thread-safe.
//
// Canonicalisation rules (checked against the aws-c-auth suite):
//  - path: with normalizePath, empty and "." segments are dropped and ".." pops one segment (a
//    trailing slash is kept); then every byte other than unreserved characters and '/' is
//    percent-encoded once. (So an already-encoded path such as "/a%20b" is encoded again, which
//    is the rule for every service except S3.)
//  - query: pairs are percent-decoded, re-encoded strictly, and sorted by name then value.
//  - headers: names lower-cased, values trimmed with internal whitespace runs (including line
//    folds) collapsed to one space, repeated names joined with ',' in their original order.
//    Hop-by-hop and proxy-owned headers (authorization, user-agent, expect, connection, ...)
//    are not signed, as in the AWS SDKs.

#include <cstdint>
#include <string>

#include "aws/credentials.h"
#include "aws/http_client.h"
#include "util/status.h"

namespace au::aws {

struct CanonicalRequest {
    std::string text;           // the canonical request, lines joined by '\n', no trailing newline
    std::string signedHeaders;  // e.g. "content-type;host;x-amz-date;x-amz-target"
};

struct SigningOptions {
    bool normalizePath = true;
    // Add "x-amz-content-sha256: <payload hash>" and sign it (S3 style; DynamoDB does not need it).
    bool addContentSha256Header = false;
    // When false, X-Amz-Security-Token is added after signing and not signed (some STS-like
    // services want that). Default: signed.
    bool signSessionToken = true;
};

// What sign() computed, for diagnostics and tests. Contains no secret.
struct SigningResult {
    CanonicalRequest canonicalRequest;
    std::string stringToSign;
    std::string signature;
    std::string authorization;
};

// Stage 1. `payloadHash` is the lower-case hex SHA-256 of the body. The request's URL must parse
// (see url.h), otherwise code "InvalidUrl".
Result<CanonicalRequest> canonicalRequest(const HttpRequest& request,
                                          const std::string& payloadHash,
                                          bool normalizePath = true);

// "20150830/us-east-1/dynamodb/aws4_request" for amzDate "20150830T123600Z".
std::string credentialScope(const std::string& amzDate, const std::string& region,
                            const std::string& service);

// Stage 2.
std::string stringToSign(const std::string& canonicalRequestText, const std::string& amzDate,
                         const std::string& scope);

// Stage 3. `dateStamp` is the YYYYMMDD part of the amz date.
std::string signature(const std::string& secretAccessKey, const std::string& dateStamp,
                      const std::string& region, const std::string& service,
                      const std::string& stringToSignText);

// Signs `request` in place: removes any previous Authorization / X-Amz-Date /
// X-Amz-Security-Token, adds Host (from the URL, with the port when it is not the default) unless
// present, X-Amz-Date, X-Amz-Security-Token when the credentials carry a session token,
// optionally x-amz-content-sha256, and Authorization.
// Fails with "InvalidUrl" for an unparsable URL, "NoCredentials" for empty keys, or
// "InvalidRequest" for a request that cannot be sent as signed: a method or header name that is
// not an HTTP token, a header value (or key, or token) with CR, LF or NUL. The request is then
// unchanged.
Result<SigningResult> sign(HttpRequest& request, const Credentials& credentials,
                           const std::string& region, const std::string& service,
                           int64_t epochMillis, const SigningOptions& options = {});

}  // namespace au::aws
