#pragma once
// Standard base64 (RFC 4648 §4, alphabet A-Z a-z 0-9 + /) decoding, strict about the alphabet.

#include <cstddef>
#include <string>
#include <string_view>

namespace au {

// Decodes `in` and appends the bytes to `out`. Padding ('=') is optional but, when present, must be
// correct; whitespace and any other character are errors. Returns false on invalid input (`out`
// then holds an unspecified prefix of the decoding).
bool base64Decode(std::string_view in, std::string& out);

// Standard base64 with padding.
std::string base64Encode(std::string_view in);

}  // namespace au
