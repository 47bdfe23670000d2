#pragma once
// Distinctive fake secrets that the fault tests put wherever a real one could be (the AWS
// environment variables, a Redis password), and the check that no captured output contains them:
// at log level trace, across every command and every fault, no line may carry a secret access
// key, a session token or a Redis password (issue 10 §3).

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>
#include <vector>

namespace au::test {

inline const std::string kFakeAccessKeyId = "AKIDFAULTSTEST000001";
inline const std::string kFakeSecretKey = "fAkEsEcReT/faults+K3y0123456789abcdefGHIJ";
inline const std::string kFakeSessionToken = "FaKeSeSsIoNtOkEn/faults+IQoJb3JpZ2luX2VjEFAKE==";
inline const std::string kFakeRedisPassword = "fAkE-rEdIs-PaSsWoRd-faults-7d1c";

// Puts the fake AWS credentials into this process's environment, so every child (the binary, and
// harmlessly the emulators) inherits them; and keeps the chain away from real profiles and IMDS.
inline void exportFakeAwsSecrets(const std::string& home) {
    ::setenv("AWS_ACCESS_KEY_ID", kFakeAccessKeyId.c_str(), 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", kFakeSecretKey.c_str(), 1);
    ::setenv("AWS_SESSION_TOKEN", kFakeSessionToken.c_str(), 1);
    ::setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    ::setenv("HOME", home.c_str(), 1);
    ::setenv("AWS_CONFIG_FILE", (home + "/no-config").c_str(), 1);
    ::setenv("AWS_SHARED_CREDENTIALS_FILE", (home + "/no-credentials").c_str(), 1);
}

// The "KEY=value ..." prefix for a shell command run under `env -i`.
inline std::string fakeAwsEnvironment(const std::string& home) {
    return "HOME=" + home + " AWS_ACCESS_KEY_ID=" + kFakeAccessKeyId + " AWS_SECRET_ACCESS_KEY='" +
           kFakeSecretKey + "' AWS_SESSION_TOKEN='" + kFakeSessionToken +
           "' AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=" + home +
           "/no-config AWS_SHARED_CREDENTIALS_FILE=" + home + "/no-credentials";
}

// Fails when `text` (captured stdout/stderr of `what`) contains a secret, as is or URL-encoded,
// or a long enough piece of one (16 characters: a truncated secret is still a leak).
inline void requireNoSecrets(const std::string& text, const std::string& what) {
    auto encoded = [](const std::string& s) {
        std::string out;
        for (char c : s) {
            if (c == '/')
                out += "%2F";
            else if (c == '+')
                out += "%2B";
            else if (c == '=')
                out += "%3D";
            else
                out += c;
        }
        return out;
    };
    INFO(what << " (" << text.size() << " bytes of output)");
    for (const std::string& secret : {kFakeSecretKey, kFakeSessionToken, kFakeRedisPassword}) {
        CHECK(text.find(encoded(secret)) == std::string::npos);
        for (size_t at = 0; at + 16 <= secret.size(); at += 8) {
            const std::string piece = secret.substr(at, 16);
            INFO("piece of a secret: " << piece);
            CHECK(text.find(piece) == std::string::npos);
        }
    }
}

}  // namespace au::test
