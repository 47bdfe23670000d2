#pragma once
// Standard base64 (RFC 4648, with padding), as used for DynamoDB "B" values and Kinesis data.
// Pure; thread-safe.

#include <optional>
#include <string>
#include <string_view>

namespace au::aws {

std::string base64Encode(std::string_view bytes);
// The decoded bytes, or nullopt when `text` is not valid padded base64.
std::optional<std::string> base64Decode(std::string_view text);

}  // namespace au::aws
