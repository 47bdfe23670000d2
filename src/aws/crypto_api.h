#pragma once
// CryptoApi: the OpenSSL libcrypto functions SigV4 needs, bound from libcrypto.so.3 on first use
// (util/dynamic_library.h says why it is not linked).

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util/status.h"

namespace au::aws {

struct CryptoApi {
    decltype(&EVP_Digest) digest;
    decltype(&EVP_sha256) sha256;
    decltype(&HMAC) hmac;
};

// The API, or "LibraryNotFound" when libcrypto cannot be loaded. Thread-safe; loads once.
Result<const CryptoApi*> loadCrypto();

}  // namespace au::aws
