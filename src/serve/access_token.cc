#include "serve/access_token.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace au::serve {

namespace {

constexpr size_t kMaxFileBytes = 4096;

std::array<unsigned char, 32> sha256(std::string_view text) {
    std::array<unsigned char, 32> out{};
    ::SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), out.data());
    return out;
}

Status refuse(const std::string& origin, const std::string& why) {
    return Status::error("BadToken", origin + ": " + why);
}

bool isTokenChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

}  // namespace

Result<AccessToken> AccessToken::fromText(std::string_view text, const std::string& origin) {
    const auto isSpace = [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    };
    while (!text.empty() && isSpace(text.front())) text.remove_prefix(1);
    while (!text.empty() && isSpace(text.back())) text.remove_suffix(1);
    if (text.empty()) return refuse(origin, "the token file is empty (e.g. openssl rand -hex 32)");
    size_t i = 0;
    while (i < text.size() && isTokenChar(text[i])) ++i;
    while (i < text.size() && text[i] == '=') ++i;
    if (i != text.size()) {
        return refuse(
            origin,
            "the token is not one word of letters, digits and - . _ ~ + / (with "
            "optional trailing =), as a bearer token must be (e.g. openssl rand -hex 32)");
    }
    if (text.size() < kMinLength) {
        return refuse(origin, "the token has " + std::to_string(text.size()) +
                                  " characters, fewer than " + std::to_string(kMinLength) +
                                  " (e.g. openssl rand -hex 32)");
    }
    return AccessToken(sha256(text));
}

Result<AccessToken> AccessToken::fromFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return refuse(path, std::string("cannot open the token file: ") + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return refuse(path, "the token file is not a regular file");
    }
    if ((st.st_mode & (S_IROTH | S_IWOTH)) != 0) {
        ::close(fd);
        return refuse(path,
                      "the token file is readable or writable by every user (chmod 600, or 640 "
                      "with a group)");
    }
    if (static_cast<size_t>(st.st_size) > kMaxFileBytes) {
        ::close(fd);
        return refuse(path, "the token file is larger than 4 KiB");
    }
    std::string text(kMaxFileBytes + 1, '\0');
    size_t got = 0;
    while (got < text.size()) {
        const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int err = errno;
            ::close(fd);
            return refuse(path, std::string("cannot read the token file: ") + std::strerror(err));
        }
        if (n == 0) break;
        got += static_cast<size_t>(n);
    }
    ::close(fd);
    if (got > kMaxFileBytes) return refuse(path, "the token file is larger than 4 KiB");
    auto token = fromText(std::string_view(text.data(), got), path);
    ::OPENSSL_cleanse(text.data(), text.size());
    return token;
}

bool AccessToken::matches(std::string_view presented) const {
    const auto digest = sha256(presented);
    return ::CRYPTO_memcmp(digest.data(), digest_.data(), digest_.size()) == 0;
}

}  // namespace au::serve
