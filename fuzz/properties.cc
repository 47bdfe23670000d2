// Fuzz target: a .properties file (src/util/properties.h) and the configuration read from it
// (src/app/config.h). Input: the file. Properties:
//  - a UTF-8 file gives UTF-8 keys and values (\uXXXX escapes, surrogate pairs included);
//  - parse -> write back (escaping as java.util.Properties does) -> parse gives the same pairs;
//  - every key's line number is within the file;
//  - the configuration either loads or says why (never throws), the same for the written copy.
#include "util/properties.h"

#include "app/config.h"
#include "fuzz.h"

using namespace au;

namespace {

std::string escaped(std::string_view s, bool isKey) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\f':
                out += "\\f";
                break;
            case ' ':
                out += isKey || i == 0 ? "\\ " : " ";
                break;
            case '=':
            case ':':
                out += isKey ? std::string("\\") + c : std::string(1, c);
                break;
            case '#':
            case '!':
                out += isKey && i == 0 ? std::string("\\") + c : std::string(1, c);
                break;
            default:
                out += c;
        }
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text = fuzz::asText(data, size);
    const Properties p = parseProperties(text);

    const bool utf8 = fuzz::isUtf8(text);
    const size_t lineCount = fuzz::lines(text).size();
    std::string written;
    for (const auto& [key, value] : p.values) {
        if (utf8) FUZZ_CHECK(fuzz::isUtf8(key) && fuzz::isUtf8(value));
        FUZZ_CHECK(p.lineOf.count(key) == 1);
        FUZZ_CHECK(p.lineOf.at(key) >= 1 && p.lineOf.at(key) <= lineCount);
        written += escaped(key, true) + " = " + escaped(value, false) + "\n";
    }
    const Properties again = parseProperties(written);
    FUZZ_CHECK(again.values == p.values);

    // The same pairs make the same configuration (or the same complaint).
    auto config = app::configFromProperties(p);
    auto configAgain = app::configFromProperties(again);
    FUZZ_CHECK(config.isOk() == configAgain.isOk());
    if (!config) FUZZ_CHECK(!config.status().message().empty());
    return 0;
}
