#pragma once
// Session: the protocol loop. Reads a message, dispatches it to the RecordProcessor, answers with
// the status, until stdin ends. Malformed input is handled here, in one place (docs/protocol.md):
// blank lines are ignored; a line that is not a JSON object with an action is logged (truncated,
// rate-limited) and skipped; an unknown action is logged and answered with a status for it.

#include <cstdint>
#include <optional>
#include <string>

#include "protocol/codec.h"
#include "protocol/record_processor.h"
#include "protocol/transport.h"
#include "util/clock.h"
#include "util/log.h"

namespace au::protocol {

class Session : private Checkpointer {
  public:
    Session(LineTransport& transport, RecordProcessor& processor, const Clock& clock);

    // Runs until stdin ends (returns 0) or the daemon's side of stdout breaks (returns 1).
    int run();

    struct Counters {
        uint64_t messages = 0;
        uint64_t skippedLines = 0;
        uint64_t unknownActions = 0;
    };
    const Counters& counters() const { return counters_; }

  private:
    CheckpointResult checkpoint(const std::optional<std::string>& sequenceNumber,
                                const std::optional<int64_t>& subSequenceNumber) override;
    // Handles one message; false when the peer is gone.
    bool dispatch(const Message& message);
    bool reply(std::string_view action);
    void logSkipped(std::string_view line, const Status& why);

    LineTransport& transport_;
    RecordProcessor& processor_;
    const Clock& clock_;
    MessageDecoder decoder_;       // messages; a batch's views live here while it is handled
    MessageDecoder replyDecoder_;  // checkpoint replies, so they cannot invalidate the batch
    std::optional<std::string>
        pending_;  // a message that arrived while awaiting a checkpoint reply
    bool writeFailed_ = false;
    Counters counters_;
    LogThrottle skippedLog_{10'000};
};

}  // namespace au::protocol
