#pragma once
// The interface a record processor implements, and the checkpoint round-trip it may use.
// Neither sees stdin/stdout: the Session owns the transport.

#include <cstdint>
#include <optional>
#include <string>

#include "protocol/messages.h"

namespace au::protocol {

struct CheckpointResult {
    enum class Kind {
        kOk,
        kRetryable,        // ThrottlingException, KinesisClientLibDependencyException
        kStop,             // ShutdownException, InvalidStateException: no more checkpoints
        kIllegalArgument,  // IllegalArgumentException: the value was out of range
        kFailed,           // any other error name, or a protocol violation
        kConnectionLost,   // stdin closed while waiting for the reply
    };
    Kind kind = Kind::kOk;
    std::string error;  // the daemon's exception name, or a description
    bool ok() const { return kind == Kind::kOk; }
};

// Maps the daemon's error name (null = success) to a result.
CheckpointResult classifyCheckpointError(const std::optional<std::string>& error);

class Checkpointer {
  public:
    virtual ~Checkpointer() = default;
    // Sends a checkpoint and waits for the daemon's reply. A null sequence number means "the
    // largest record delivered so far" (SHARD_END during shard end). Valid only inside the
    // processRecords / shardEnded / shutdownRequested call it was passed to.
    virtual CheckpointResult checkpoint(const std::optional<std::string>& sequenceNumber,
                                        const std::optional<int64_t>& subSequenceNumber) = 0;
};

class RecordProcessor {
  public:
    virtual ~RecordProcessor() = default;
    virtual void initialize(const Initialize& message) = 0;
    virtual void processRecords(const ProcessRecords& batch, Checkpointer& checkpointer) = 0;
    virtual void leaseLost() = 0;
    // Shard end: the processor must checkpoint with a null sequence number.
    virtual void shardEnded(Checkpointer& checkpointer) = 0;
    virtual void shutdownRequested(Checkpointer& checkpointer) = 0;

    // Timers: the session calls onWake() once nowMillis() >= nextWakeMillis() while it waits for
    // a message (INT64_MAX = no timer).
    virtual int64_t nextWakeMillis() const { return INT64_MAX; }
    virtual void onWake() {}
    // stdin reached EOF; the process is about to exit.
    virtual void onEndOfInput() {}
};

}  // namespace au::protocol
