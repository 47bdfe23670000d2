#include "activeset/ssl_api.h"

#include <mutex>

#include "util/dynamic_library.h"

namespace au::activeset {

Result<const SslApi*> loadSsl() {
    static std::once_flag once;
    static SslApi api;
    static Status failure = Status::ok();
    std::call_once(once, [] {
        auto ssl = DynamicLibrary::open({"libssl.so.3", "libssl.so"});
        auto crypto = DynamicLibrary::open({"libcrypto.so.3", "libcrypto.so"});
        if (!ssl || !crypto) {
            failure = Status::error(
                "LibraryNotFound", "OpenSSL: " + (!ssl ? ssl.status() : crypto.status()).message());
            return;
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
        if (!ok) failure = Status::error("LibraryNotFound", "OpenSSL lacks a needed function");
    });
    if (!failure) return failure;
    return static_cast<const SslApi*>(&api);
}

}  // namespace au::activeset
