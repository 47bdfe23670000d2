#pragma once
// A small parser for the AWS shared config/credentials file format (an INI dialect).
//
//   [section name]          ; or # start a comment line; "[a] ; note" is allowed
//   key = value             ; a value's trailing " ;..." or " #..." comment is dropped
//   nested =                ; an empty value followed by indented lines holds sub-properties:
//     sub_key = sub_value   ; (used by [services ...] sections)
//   key = first
//     continued             ; an indented line under a non-empty value continues it
//
// Section names and keys are trimmed; keys keep their case. Repeated sections merge and a
// repeated key keeps the last value. Malformed lines (no '=', unterminated '[') are ignored, and
// properties under a malformed section header are dropped. Never fails. Pure; thread-safe.

#include <map>
#include <string>
#include <vector>

namespace au::aws {

struct IniProperty {
    std::string value;
    std::map<std::string, std::string> subProperties;
};

struct IniSection {
    std::string name;
    std::map<std::string, IniProperty> properties;
    // The value of `key`, or nullptr.
    const std::string* get(const std::string& key) const;
};

struct IniFile {
    std::vector<IniSection> sections;
    // The section named exactly `name` (after trimming), or nullptr.
    const IniSection* find(const std::string& name) const;
};

IniFile parseIni(const std::string& text);

}  // namespace au::aws
