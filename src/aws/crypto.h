#pragma once
// Hashing primitives for SigV4 and response checks (OpenSSL's libcrypto underneath, loaded on first
// use: crypto_api.h). Pure; thread-safe. When libcrypto cannot be loaded the hashes are empty
// strings; sign() checks for that first and fails with "LibraryNotFound".

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
