#pragma once
// RedisReply: one RESP2 reply as a value (converted from hiredis's reader objects).

#include <string>
#include <vector>

namespace au::activeset {

struct RedisReply {
    enum class Type { kString, kArray, kInteger, kNil, kStatus, kError };
    Type type = Type::kNil;
    std::string str;  // kString, kStatus, kError
    long long integer = 0;
    std::vector<RedisReply> elements;  // kArray

    bool isError() const { return type == Type::kError; }
    static RedisReply status(std::string s) { return {Type::kStatus, std::move(s), 0, {}}; }
    static RedisReply error(std::string s) { return {Type::kError, std::move(s), 0, {}}; }
    static RedisReply number(long long n) { return {Type::kInteger, {}, n, {}}; }
};

}  // namespace au::activeset
