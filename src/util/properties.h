#pragma once
// A reader for Java .properties files, as java.util.Properties reads them: '#' and '!' comments,
// "key = value", "key: value" and "key value" separators, backslash line continuation, and the
// escapes \t \n \r \f \uXXXX (any other escaped character stands for itself). Values are also
// stripped of trailing whitespace, as the KCL's configurator does with every value it reads.

#include <map>
#include <string>
#include <string_view>

#include "util/status.h"

namespace au {

struct Properties {
    std::map<std::string, std::string> values;
    std::map<std::string, size_t> lineOf;  // key -> 1-based line where it was (last) defined
};

Properties parseProperties(std::string_view text);
Result<Properties> loadProperties(const std::string& path);

}  // namespace au
