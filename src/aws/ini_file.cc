#include "aws/ini_file.h"

namespace au::aws {
namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string trim(const std::string& s) {
    size_t b = 0, e = s.size();
    while (b < e && isSpace(s[b])) ++b;
    while (e > b && isSpace(s[e - 1])) --e;
    return s.substr(b, e - b);
}

// Drops an inline comment: ';' or '#' preceded by whitespace.
std::string stripInlineComment(const std::string& value) {
    for (size_t i = 1; i < value.size(); ++i) {
        if ((value[i] == ';' || value[i] == '#') && isSpace(value[i - 1])) {
            return trim(value.substr(0, i));
        }
    }
    return value;
}

bool splitKeyValue(const std::string& line, std::string* key, std::string* value) {
    auto eq = line.find('=');
    if (eq == std::string::npos) return false;
    *key = trim(line.substr(0, eq));
    *value = stripInlineComment(trim(line.substr(eq + 1)));
    return !key->empty();
}

}  // namespace

const std::string* IniSection::get(const std::string& key) const {
    auto it = properties.find(key);
    return it == properties.end() ? nullptr : &it->second.value;
}

const IniSection* IniFile::find(const std::string& name) const {
    for (const auto& s : sections) {
        if (s.name == name) return &s;
    }
    return nullptr;
}

IniFile parseIni(const std::string& text) {
    IniFile file;
    IniSection* section = nullptr;
    IniProperty* property = nullptr;
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string raw = text.substr(pos, end - pos);
        pos = end + 1;
        if (!raw.empty() && raw.back() == '\r') raw.pop_back();
        std::string line = trim(raw);
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;

        const bool indented = isSpace(raw[0]);
        if (!indented && line[0] == '[') {
            property = nullptr;
            auto close = line.find(']');
            if (close == std::string::npos) {
                section = nullptr;
                continue;
            }
            std::string name = trim(line.substr(1, close - 1));
            section = nullptr;
            for (auto& s : file.sections) {
                if (s.name == name) section = &s;
            }
            if (section == nullptr) {
                file.sections.push_back(IniSection{name, {}});
                section = &file.sections.back();
            }
            continue;
        }
        if (section == nullptr) continue;

        std::string key, value;
        if (indented && property != nullptr) {
            if (property->value.empty() || !property->subProperties.empty()) {
                if (splitKeyValue(line, &key, &value)) property->subProperties[key] = value;
            } else {
                property->value += "\n" + stripInlineComment(line);
            }
            continue;
        }
        if (!splitKeyValue(line, &key, &value)) continue;
        property = &section->properties[key];
        property->value = value;
        property->subProperties.clear();
    }
    return file;
}

}  // namespace au::aws
