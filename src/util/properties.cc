#include "util/properties.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace au {

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\f'; }

void appendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Reads up to four hex digits at s[pos] (as Java, fewer end the escape early).
uint32_t hexUnit(std::string_view s, size_t& pos) {
    uint32_t unit = 0;
    for (size_t n = 0; n < 4 && pos < s.size() && std::isxdigit(static_cast<unsigned char>(s[pos]));
         ++n) {
        const char h = s[pos++];
        unit = unit * 16 + static_cast<uint32_t>(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
    }
    return unit;
}

bool isHighSurrogate(uint32_t u) { return u >= 0xD800 && u <= 0xDBFF; }
bool isLowSurrogate(uint32_t u) { return u >= 0xDC00 && u <= 0xDFFF; }

// Unescapes s[pos, end) up to the first unescaped character for which stop() is true.
template <class Stop>
std::string unescape(std::string_view s, size_t& pos, Stop stop) {
    std::string out;
    while (pos < s.size()) {
        const char c = s[pos];
        if (c != '\\') {
            if (stop(c)) break;
            out += c;
            ++pos;
            continue;
        }
        if (++pos >= s.size()) break;
        const char e = s[pos++];
        switch (e) {
            case 't':
                out += '\t';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 'f':
                out += '\f';
                break;
            case 'u': {
                // \uXXXX are UTF-16 units: a surrogate pair is one character; a lone surrogate
                // has no UTF-8 form and becomes U+FFFD.
                uint32_t cp = hexUnit(s, pos);
                if (isHighSurrogate(cp) && s.substr(pos, 2) == "\\u") {
                    size_t next = pos + 2;
                    const uint32_t low = hexUnit(s, next);
                    if (isLowSurrogate(low)) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                        pos = next;
                    }
                }
                if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
                appendUtf8(out, cp);
                break;
            }
            default:
                out += e;
        }
    }
    return out;
}

}  // namespace

Properties parseProperties(std::string_view text) {
    Properties props;
    size_t pos = 0;
    size_t lineNo = 0;
    while (pos <= text.size()) {
        // Gather one logical line: physical lines joined while they end in an odd number of '\'.
        std::string logical;
        const size_t startLine = lineNo + 1;
        bool more = true;
        bool first = true;
        while (more && pos <= text.size()) {
            size_t eol = text.find('\n', pos);
            if (eol == std::string_view::npos) eol = text.size();
            std::string_view line = text.substr(pos, eol - pos);
            pos = eol + 1;
            ++lineNo;
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            size_t lead = 0;
            while (lead < line.size() && isSpace(line[lead])) ++lead;
            line.remove_prefix(lead);
            if (first && (line.empty() || line[0] == '#' || line[0] == '!')) {
                more = false;
                logical.clear();
                break;
            }
            first = false;
            size_t slashes = 0;
            while (slashes < line.size() && line[line.size() - 1 - slashes] == '\\') ++slashes;
            more = slashes % 2 == 1;
            if (more) line.remove_suffix(1);
            logical.append(line);
        }
        if (logical.empty()) continue;

        size_t p = 0;
        std::string key =
            unescape(logical, p, [](char c) { return c == '=' || c == ':' || isSpace(c); });
        while (p < logical.size() && isSpace(logical[p])) ++p;
        if (p < logical.size() && (logical[p] == '=' || logical[p] == ':')) ++p;
        while (p < logical.size() && isSpace(logical[p])) ++p;
        std::string value = unescape(logical, p, [](char) { return false; });
        while (!value.empty() && isSpace(value.back())) value.pop_back();
        props.lineOf[key] = startLine;
        props.values[std::move(key)] = std::move(value);
    }
    return props;
}

Result<Properties> loadProperties(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::error("NotFound", "cannot read " + path + ": " + std::strerror(errno));
    std::stringstream buffer;
    buffer << in.rdbuf();
    return parseProperties(buffer.str());
}

}  // namespace au
