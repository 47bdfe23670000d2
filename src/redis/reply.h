#pragma once
// Reply: one RESP2 reply as a value (built by reply_reader.h).

#include <string>
#include <vector>

namespace au::redis {

struct Reply {
    enum class Type { kString, kArray, kInteger, kNil, kStatus, kError };
    Type type = Type::kNil;
    std::string str;  // kString, kStatus, kError
    long long integer = 0;
    std::vector<Reply> elements;  // kArray

    bool isError() const { return type == Type::kError; }
    static Reply status(std::string s) { return {Type::kStatus, std::move(s), 0, {}}; }
    static Reply error(std::string s) { return {Type::kError, std::move(s), 0, {}}; }
    static Reply number(long long n) { return {Type::kInteger, {}, n, {}}; }
};

}  // namespace au::redis
