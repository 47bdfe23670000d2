#include "aws/crypto_api.h"

#include <mutex>

#include "util/dynamic_library.h"

namespace au::aws {

Result<const CryptoApi*> loadCrypto() {
    static std::once_flag once;
    static CryptoApi api;
    static Status failure = Status::ok();
    std::call_once(once, [] {
        auto lib = DynamicLibrary::open({"libcrypto.so.3", "libcrypto.so"});
        if (!lib) {
            failure = Status::error("LibraryNotFound", "libcrypto: " + lib.status().message());
            return;
        }
        static std::shared_ptr<DynamicLibrary> keep = lib.value();
        if (!keep->bind(api.digest, "EVP_Digest") || !keep->bind(api.sha256, "EVP_sha256") ||
            !keep->bind(api.hmac, "HMAC")) {
            failure = Status::error("LibraryNotFound", keep->soname() + " lacks a needed function");
        }
    });
    if (!failure) return failure;
    return static_cast<const CryptoApi*>(&api);
}

}  // namespace au::aws
