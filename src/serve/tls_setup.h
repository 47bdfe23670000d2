#pragma once
// TLS for `serve` (--tls-cert, --tls-key): the server's certificate chain and private key (PEM)
// loaded into an OpenSSL context, TLS 1.2 or newer, no compression or renegotiation.

#include <openssl/ssl.h>

#include <string>

#include "util/status.h"

namespace au::serve {

// Fills `ctx` (fresh, from cpp-httplib's SSLServer) with the chain in certFile (the server's
// certificate first, then any intermediates) and the key in keyFile. An error names the file and
// says why, with OpenSSL's reason: unreadable, not PEM, the key not matching the certificate.
Status setUpServerTls(SSL_CTX& ctx, const std::string& certFile, const std::string& keyFile);

}  // namespace au::serve
