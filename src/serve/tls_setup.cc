#include "serve/tls_setup.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace au::serve {

namespace {

// OpenSSL's last queued error as text (and the queue emptied), or `fallback`.
std::string openSslReason(const char* fallback) {
    const unsigned long code = ::ERR_peek_last_error();
    ::ERR_clear_error();
    if (code == 0) return fallback;
    char text[256];
    ::ERR_error_string_n(code, text, sizeof text);
    return text;
}

Status readable(const char* flag, const std::string& file) {
    if (::access(file.c_str(), R_OK) != 0) {
        return Status::error("TlsError",
                             std::string(flag) + " " + file + ": " + std::strerror(errno));
    }
    return Status::ok();
}

}  // namespace

Status setUpServerTls(SSL_CTX& ctx, const std::string& certFile, const std::string& keyFile) {
    ::ERR_clear_error();
    if (Status st = readable("--tls-cert", certFile); !st) return st;
    if (Status st = readable("--tls-key", keyFile); !st) return st;
    ::SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
    ::SSL_CTX_set_options(
        &ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    // An encrypted key fails instead of asking for its passphrase on the terminal.
    ::SSL_CTX_set_default_passwd_cb(&ctx, [](char*, int, int, void*) { return 0; });
    if (::SSL_CTX_use_certificate_chain_file(&ctx, certFile.c_str()) != 1) {
        return Status::error("TlsError", "--tls-cert " + certFile +
                                             ": not a PEM certificate chain (" +
                                             openSslReason("no certificate") + ")");
    }
    if (::SSL_CTX_use_PrivateKey_file(&ctx, keyFile.c_str(), SSL_FILETYPE_PEM) != 1) {
        if (ERR_GET_REASON(::ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
            return Status::error("TlsError", "--tls-key " + keyFile +
                                                 " does not match the certificate in " + certFile +
                                                 " (" + openSslReason("mismatch") + ")");
        }
        return Status::error("TlsError", "--tls-key " + keyFile +
                                             ": not an unencrypted PEM private key (" +
                                             openSslReason("no key") + ")");
    }
    if (::SSL_CTX_check_private_key(&ctx) != 1) {
        return Status::error("TlsError", "--tls-key " + keyFile +
                                             " does not match the certificate in " + certFile +
                                             " (" + openSslReason("mismatch") + ")");
    }
    return Status::ok();
}

}  // namespace au::serve
