#include "redis/ssl_api.h"

#include "util/dynamic_library.h"

namespace au::redis {

Result<const SslApi*> loadSsl() {
    return loadOnce<SslApi>([](SslApi& api) {
        auto ssl = DynamicLibrary::open({"libssl.so.3", "libssl.so"});
        auto crypto = DynamicLibrary::open({"libcrypto.so.3", "libcrypto.so"});
        if (!ssl || !crypto) {
            return Status::error("LibraryNotFound",
                                 "OpenSSL: " + (!ssl ? ssl.status() : crypto.status()).message());
        }
        static std::shared_ptr<DynamicLibrary> s = ssl.value(), c = crypto.value();
#define AU_BIND(lib, name) lib->bind(api.name, #name)
        const bool ok =
            AU_BIND(s, TLS_client_method) && AU_BIND(s, SSL_CTX_new) && AU_BIND(s, SSL_CTX_free) &&
            AU_BIND(s, SSL_CTX_ctrl) && AU_BIND(s, SSL_CTX_set_verify) &&
            AU_BIND(s, SSL_CTX_set_default_verify_paths) &&
            AU_BIND(s, SSL_CTX_load_verify_locations) &&
            AU_BIND(s, SSL_CTX_use_certificate_chain_file) &&
            AU_BIND(s, SSL_CTX_use_PrivateKey_file) && AU_BIND(s, SSL_new) &&
            AU_BIND(s, SSL_free) && AU_BIND(s, SSL_ctrl) && AU_BIND(s, SSL_get0_param) &&
            AU_BIND(s, SSL_set_fd) && AU_BIND(s, SSL_connect) && AU_BIND(s, SSL_get_error) &&
            AU_BIND(s, SSL_get_verify_result) && AU_BIND(s, SSL_write) && AU_BIND(s, SSL_read) &&
            AU_BIND(c, ERR_get_error) && AU_BIND(c, ERR_error_string_n) &&
            AU_BIND(c, ERR_clear_error) && AU_BIND(c, X509_VERIFY_PARAM_set1_ip_asc) &&
            AU_BIND(c, X509_VERIFY_PARAM_set1_host) && AU_BIND(c, X509_verify_cert_error_string);
#undef AU_BIND
        return ok ? Status::ok()
                  : Status::error("LibraryNotFound", "OpenSSL lacks a needed function");
    });
}

}  // namespace au::redis
