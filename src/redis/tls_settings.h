#pragma once
// TlsSettings: how a rediss:// connection authenticates the server and itself (connection.h).

#include <string>

namespace au::redis {

struct TlsSettings {
    std::string caFile;    // PEM bundle to verify the server; empty: the system's default paths
    std::string certFile;  // client certificate (PEM), for servers that require one
    std::string keyFile;   // its private key (PEM)
    bool verify = true;    // verify the server's certificate and host name
};

}  // namespace au::redis
