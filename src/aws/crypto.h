#pragma once
// Hashing primitives for SigV4 and response checks (OpenSSL underneath). Pure; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

namespace au::aws {

// Lower-case hex of arbitrary bytes.
std::string toHex(std::string_view bytes);
// SHA-256 of `data` as lower-case hex (64 chars).
std::string sha256Hex(std::string_view data);
// HMAC-SHA256(key, data) as 32 raw bytes.
std::string hmacSha256(std::string_view key, std::string_view data);
// CRC-32 (IEEE 802.3, as in zlib and in DynamoDB's x-amz-crc32 header).
uint32_t crc32(std::string_view data);

}  // namespace au::aws
