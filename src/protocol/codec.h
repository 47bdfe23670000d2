#pragma once
// Decoding of daemon lines and encoding of our replies.
//
// Decoding policy (docs/protocol.md): a line that is not a JSON object, or has no string "action",
// is an error (the caller logs and skips it). Fields of the wrong type never fail a known message:
// they read as absent, and a malformed record is flagged (Record::wellFormed) so the processor
// counts and skips it while the batch still gets its status.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/messages.h"
#include "util/status.h"

namespace au::protocol {

class MessageDecoder {
  public:
    MessageDecoder();
    ~MessageDecoder();
    MessageDecoder(const MessageDecoder&) = delete;
    MessageDecoder& operator=(const MessageDecoder&) = delete;

    // Decodes one line (without its newline). Errors: "NotJson" (also invalid UTF-8),
    // "NotAnObject", "NoAction". Text after the closing brace is not examined. The string views
    // inside a returned ProcessRecords stay valid until the next decode().
    Result<Message> decode(std::string_view line);
    // The same, parsing in place: `line`'s spare capacity is grown (once) to hold simdjson's
    // padding instead of copying the line. `line` may be reused as soon as this returns.
    Result<Message> decode(std::string& line);

    // Hands a finished batch's record vector back so the next decode reuses its capacity.
    void recycle(std::vector<Record>&& records);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// {"action":"status","responseFor":"<action>"}
std::string encodeStatus(std::string_view responseFor);

// {"action":"checkpoint","sequenceNumber":<string|null>,"subSequenceNumber":<number|null>}
std::string encodeCheckpoint(const std::optional<std::string>& sequenceNumber,
                             const std::optional<int64_t>& subSequenceNumber);

}  // namespace au::protocol
