#pragma once
// RedisReplyReader: RESP2 bytes in, RedisReply values out (hiredis's redisReader underneath).
// feed() takes the bytes as they arrive, in chunks of any size; next() returns the next complete
// reply, nullopt while the buffered bytes hold none, or "ProtocolError" (with hiredis's reason)
// once the bytes are not RESP — the reader is then unusable: drop the connection.
// Thread-compatible. Logs nothing.

#include <cstddef>
#include <optional>

#include "activeset/redis_reply.h"
#include "util/status.h"

struct redisReader;

namespace au::activeset {

class RedisReplyReader {
  public:
    RedisReplyReader();  // throws std::bad_alloc when hiredis cannot allocate its reader
    ~RedisReplyReader();
    RedisReplyReader(const RedisReplyReader&) = delete;
    RedisReplyReader& operator=(const RedisReplyReader&) = delete;

    void feed(const char* data, size_t size);
    Result<std::optional<RedisReply>> next();

  private:
    redisReader* reader_;
};

}  // namespace au::activeset
