#pragma once
// SslApi: the OpenSSL functions the Redis TLS connection uses, bound from libssl.so.3 and
// libcrypto.so.3 on the first rediss:// connection (util/dynamic_library.h says why they are not
// linked). Member names are the OpenSSL function names.

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "util/status.h"

namespace au::redis {

struct SslApi {
    // libssl
    decltype(&::TLS_client_method) TLS_client_method;
    decltype(&::SSL_CTX_new) SSL_CTX_new;
    decltype(&::SSL_CTX_free) SSL_CTX_free;
    decltype(&::SSL_CTX_ctrl) SSL_CTX_ctrl;
    decltype(&::SSL_CTX_set_verify) SSL_CTX_set_verify;
    decltype(&::SSL_CTX_set_default_verify_paths) SSL_CTX_set_default_verify_paths;
    decltype(&::SSL_CTX_load_verify_locations) SSL_CTX_load_verify_locations;
    decltype(&::SSL_CTX_use_certificate_chain_file) SSL_CTX_use_certificate_chain_file;
    decltype(&::SSL_CTX_use_PrivateKey_file) SSL_CTX_use_PrivateKey_file;
    decltype(&::SSL_new) SSL_new;
    decltype(&::SSL_free) SSL_free;
    decltype(&::SSL_ctrl) SSL_ctrl;
    decltype(&::SSL_get0_param) SSL_get0_param;
    decltype(&::SSL_set_fd) SSL_set_fd;
    decltype(&::SSL_connect) SSL_connect;
    decltype(&::SSL_get_error) SSL_get_error;
    decltype(&::SSL_get_verify_result) SSL_get_verify_result;
    decltype(&::SSL_write) SSL_write;
    decltype(&::SSL_read) SSL_read;
    // libcrypto
    decltype(&::ERR_get_error) ERR_get_error;
    decltype(&::ERR_error_string_n) ERR_error_string_n;
    decltype(&::ERR_clear_error) ERR_clear_error;
    decltype(&::X509_VERIFY_PARAM_set1_ip_asc) X509_VERIFY_PARAM_set1_ip_asc;
    decltype(&::X509_VERIFY_PARAM_set1_host) X509_VERIFY_PARAM_set1_host;
    decltype(&::X509_verify_cert_error_string) X509_verify_cert_error_string;
};

// The API, or "LibraryNotFound". Thread-safe; loads once.
Result<const SslApi*> loadSsl();

}  // namespace au::redis
