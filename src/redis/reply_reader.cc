#include "redis/reply_reader.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <memory>
#include <new>
#include <string>

namespace au::redis {

namespace {

// hiredis builds the replies through these callbacks, straight into Reply values. Its own
// builder allocates an array's element table as soon as it reads the count: "*2000000001" from a
// broken or hostile peer was a 16 GB allocation (found by fuzz/redis_reply). Here an array grows
// as its elements arrive. A callback that returns null makes hiredis fail the stream with an
// out-of-memory error, which next() reports as a ProtocolError.

void* attach(const redisReadTask* task, Reply&& value) noexcept {
    try {
        if (task->parent == nullptr) return new Reply(std::move(value));
        auto* parent = static_cast<Reply*>(task->parent->obj);
        if (task->idx < 0 || static_cast<size_t>(task->idx) != parent->elements.size()) {
            return nullptr;
        }
        parent->elements.push_back(std::move(value));
        // Stable until the parent grows, which hiredis does only once this element is complete.
        return &parent->elements.back();
    } catch (const std::bad_alloc&) {
        return nullptr;
    }
}

void* createString(const redisReadTask* task, char* data, size_t size) {
    Reply r;
    r.type = task->type == REDIS_REPLY_ERROR    ? Reply::Type::kError
             : task->type == REDIS_REPLY_STATUS ? Reply::Type::kStatus
                                                : Reply::Type::kString;
    try {
        r.str.assign(data, size);
    } catch (const std::bad_alloc&) {
        return nullptr;
    }
    return attach(task, std::move(r));
}

void* createArray(const redisReadTask* task, int elements) {
    if (elements < 0) return nullptr;  // hiredis 0.14 passes an int: a huge count wraps
    Reply r;
    r.type = Reply::Type::kArray;
    try {
        r.elements.reserve(std::min(elements, 1024));
    } catch (const std::bad_alloc&) {
        return nullptr;
    }
    return attach(task, std::move(r));
}

void* createInteger(const redisReadTask* task, long long value) {
    return attach(task, Reply::number(value));
}

void* createNil(const redisReadTask* task) { return attach(task, Reply{}); }

// hiredis frees only the reply it is building (the root), on errors and when the reader goes.
void freeObject(void* reply) { delete static_cast<Reply*>(reply); }

redisReplyObjectFunctions kFunctions = {createString, createArray, createInteger, createNil,
                                        freeObject};

}  // namespace

ReplyReader::ReplyReader() : reader_(redisReaderCreateWithFunctions(&kFunctions)) {
    if (reader_ == nullptr) throw std::bad_alloc();
}

ReplyReader::~ReplyReader() { redisReaderFree(reader_); }

void ReplyReader::feed(const char* data, size_t size) {
    // A failure here (reader already in error, out of memory) shows in the next next().
    redisReaderFeed(reader_, data, size);
}

Result<std::optional<Reply>> ReplyReader::next() {
    void* raw = nullptr;
    if (redisReaderGetReply(reader_, &raw) != REDIS_OK) {
        return Status::error("ProtocolError", std::string("bad reply from Redis: ") +
                                                  (reader_->err != 0 ? reader_->errstr : "?"));
    }
    if (raw == nullptr) return std::optional<Reply>();
    std::unique_ptr<Reply> reply(static_cast<Reply*>(raw));
    return std::optional<Reply>(std::move(*reply));
}

}  // namespace au::redis
