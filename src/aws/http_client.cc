#include "aws/http_client.h"

#include <cctype>

namespace au::aws {

std::optional<std::string> HttpResponse::header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
        if (key.size() != name.size()) continue;
        bool same = true;
        for (size_t i = 0; i < key.size() && same; ++i) {
            same = std::tolower(static_cast<unsigned char>(key[i])) ==
                   std::tolower(static_cast<unsigned char>(name[i]));
        }
        if (same) return value;
    }
    return std::nullopt;
}

}  // namespace au::aws
