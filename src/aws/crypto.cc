#include "aws/crypto.h"

#include <array>

#include "aws/crypto_api.h"

namespace au::aws {

std::string toHex(std::string_view bytes) {
    static const char* kDigits = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out.push_back(kDigits[c >> 4]);
        out.push_back(kDigits[c & 0x0f]);
    }
    return out;
}

std::string sha256Hex(std::string_view data) {
    auto api = loadCrypto();
    if (!api) return {};
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    api.value()->digest(data.data(), data.size(), digest, &len, api.value()->sha256(), nullptr);
    return toHex(std::string_view(reinterpret_cast<const char*>(digest), len));
}

std::string hmacSha256(std::string_view key, std::string_view data) {
    auto api = loadCrypto();
    if (!api) return {};
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    api.value()->hmac(api.value()->sha256(), key.data(), static_cast<int>(key.size()),
                      reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest,
                      &len);
    return std::string(reinterpret_cast<const char*>(digest), len);
}

uint32_t crc32(std::string_view data) {
    static const std::array<uint32_t, 256> kTable = [] {
        std::array<uint32_t, 256> t{};
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    uint32_t crc = 0xFFFFFFFFu;
    for (unsigned char b : data) crc = kTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
    return crc ^ 0xFFFFFFFFu;
}

}  // namespace au::aws
