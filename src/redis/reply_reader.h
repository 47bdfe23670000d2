#pragma once
// ReplyReader: RESP2 bytes in, Reply values out (hiredis's redisReader underneath).
// feed() takes the bytes as they arrive, in chunks of any size; next() returns the next complete
// reply, nullopt while the buffered bytes hold none, or "ProtocolError" (with hiredis's reason)
// once the bytes are not RESP — the reader is then unusable: drop the connection.
// Thread-compatible. Logs nothing.

#include <cstddef>
#include <optional>

#include "redis/reply.h"
#include "util/status.h"

struct redisReader;

namespace au::redis {

class ReplyReader {
  public:
    ReplyReader();  // throws std::bad_alloc when hiredis cannot allocate its reader
    ~ReplyReader();
    ReplyReader(const ReplyReader&) = delete;
    ReplyReader& operator=(const ReplyReader&) = delete;

    void feed(const char* data, size_t size);
    Result<std::optional<Reply>> next();

  private:
    redisReader* reader_;
};

}  // namespace au::redis
