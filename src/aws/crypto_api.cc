#include "aws/crypto_api.h"

#include "util/dynamic_library.h"

namespace au::aws {

Result<const CryptoApi*> loadCrypto() {
    return loadOnce<CryptoApi>([](CryptoApi& api) {
        auto lib = DynamicLibrary::open({"libcrypto.so.3", "libcrypto.so"});
        if (!lib) return Status::error("LibraryNotFound", "libcrypto: " + lib.status().message());
        static std::shared_ptr<DynamicLibrary> keep = lib.value();
        if (!keep->bind(api.digest, "EVP_Digest") || !keep->bind(api.sha256, "EVP_sha256") ||
            !keep->bind(api.hmac, "HMAC")) {
            return Status::error("LibraryNotFound", keep->soname() + " lacks a needed function");
        }
        return Status::ok();
    });
}

}  // namespace au::aws
