#pragma once
// Shared by the fuzz targets (one libFuzzer target per file in this folder; docs/robustness.md).
//
// A target checks properties, not only "no crash": FUZZ_CHECK(condition) prints the property and
// aborts, which libFuzzer reports as a crash and saves the input. Inputs with several parts
// separate them with a line holding exactly "%%", so the seeds in corpus/<target>/ stay readable.

#include <simdjson.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#define FUZZ_CHECK(condition)                                                   \
    do {                                                                        \
        if (!(condition)) ::au::fuzz::violated(#condition, __FILE__, __LINE__); \
    } while (0)

namespace au::fuzz {

[[noreturn]] inline void violated(const char* property, const char* file, int line) {
    std::fprintf(stderr, "property violated: %s (%s:%d)\n", property, file, line);
    std::abort();
}

inline std::string_view asText(const uint8_t* data, size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// Splits `input` at lines "%%" into at most `maxParts` parts (the last one keeps the rest).
inline std::vector<std::string_view> parts(std::string_view input, size_t maxParts) {
    std::vector<std::string_view> out;
    while (out.size() + 1 < maxParts) {
        const size_t at = input.find("\n%%\n");
        if (at == std::string_view::npos) break;
        out.push_back(input.substr(0, at));
        input.remove_prefix(at + 4);
    }
    out.push_back(input);
    return out;
}

// Lines of `text` without their '\n'.
inline std::vector<std::string_view> lines(std::string_view text) {
    std::vector<std::string_view> out;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

// Whether `s` is well-formed UTF-8 (simdjson's strict validator: no surrogates, no overlong forms).
inline bool isUtf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

}  // namespace au::fuzz
