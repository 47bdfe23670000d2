#include "protocol/session.h"

#include <exception>

namespace au::protocol {

CheckpointResult classifyCheckpointError(const std::optional<std::string>& error) {
    using Kind = CheckpointResult::Kind;
    if (!error) return {Kind::kOk, ""};
    const std::string& e = *error;
    if (e == "ThrottlingException" || e == "KinesisClientLibDependencyException") {
        return {Kind::kRetryable, e};
    }
    if (e == "ShutdownException" || e == "InvalidStateException") return {Kind::kStop, e};
    if (e == "IllegalArgumentException") return {Kind::kIllegalArgument, e};
    return {Kind::kFailed, e};
}

Session::Session(LineTransport& transport, RecordProcessor& processor, const Clock& clock)
    : transport_(transport), processor_(processor), clock_(clock) {}

void Session::logSkipped(std::string_view line, const Status& why) {
    ++counters_.skippedLines;
    uint64_t suppressed = 0;
    if (!skippedLog_.allow(clock_, &suppressed)) return;
    constexpr size_t kShown = 120;
    std::string shown(line.substr(0, kShown));
    for (char& c : shown) {
        if (static_cast<unsigned char>(c) < 0x20) c = '?';
    }
    spdlog::warn(
        "skipping an input line ({}, {} bytes): {}{}{}", why.toString(), line.size(), shown,
        line.size() > kShown ? "..." : "",
        suppressed ? " [" + std::to_string(suppressed) + " more since the last such line]" : "");
}

bool Session::reply(std::string_view action) {
    if (!transport_.writeLine(encodeStatus(action))) writeFailed_ = true;
    return !writeFailed_;
}

int Session::run() {
    std::string line;
    for (;;) {
        if (writeFailed_) return 1;
        // Timers run between messages too, so a steady stream of batches cannot starve them.
        if (clock_.nowMillis() >= processor_.nextWakeMillis()) processor_.onWake();
        if (pending_) {
            line = std::move(*pending_);
            pending_.reset();
        } else {
            const ReadStatus status = transport_.readLine(line, processor_.nextWakeMillis());
            if (status == ReadStatus::kTimeout) continue;
            if (status == ReadStatus::kEof) {
                processor_.onEndOfInput();
                return 0;
            }
        }
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        auto decoded = decoder_.decode(line);
        if (!decoded) {
            logSkipped(line, decoded.status());
            continue;
        }
        ++counters_.messages;
        const bool alive = dispatch(decoded.value());
        if (auto* batch = std::get_if<ProcessRecords>(&decoded.value())) {
            decoder_.recycle(std::move(batch->records));
        }
        if (!alive) return 1;
    }
}

bool Session::dispatch(const Message& message) {
    if (std::holds_alternative<CheckpointReply>(message)) {
        spdlog::warn("ignoring a checkpoint reply that answers no checkpoint of ours");
        return true;
    }
    if (const auto* unknown = std::get_if<UnknownAction>(&message)) {
        ++counters_.unknownActions;
        spdlog::warn("unknown action \"{}\": answering with a status and otherwise ignoring it",
                     unknown->action);
        return reply(unknown->action);
    }
    const std::string action(actionName(message));
    try {
        if (const auto* m = std::get_if<Initialize>(&message)) {
            processor_.initialize(*m);
        } else if (const auto* batch = std::get_if<ProcessRecords>(&message)) {
            processor_.processRecords(*batch, *this);
        } else if (const auto* shutdown = std::get_if<Shutdown>(&message)) {
            if (shutdown->isShardEnd()) {
                processor_.shardEnded(*this);
            } else {
                processor_.leaseLost();
            }
        } else if (std::holds_alternative<ShutdownRequested>(message)) {
            processor_.shutdownRequested(*this);
        } else if (std::holds_alternative<LeaseLost>(message)) {
            processor_.leaseLost();
        } else if (std::holds_alternative<ShardEnded>(message)) {
            processor_.shardEnded(*this);
        }
    } catch (const std::exception& e) {
        // Last resort: the processor is written not to throw; the daemon still gets its status.
        spdlog::error("handling {} failed: {}", action, e.what());
    }
    return reply(action);
}

CheckpointResult Session::checkpoint(const std::optional<std::string>& sequenceNumber,
                                     const std::optional<int64_t>& subSequenceNumber) {
    using Kind = CheckpointResult::Kind;
    if (writeFailed_ ||
        !transport_.writeLine(encodeCheckpoint(sequenceNumber, subSequenceNumber))) {
        writeFailed_ = true;
        return {Kind::kConnectionLost, "stdout closed"};
    }
    std::string line;
    for (;;) {
        if (transport_.readLine(line, INT64_MAX) != ReadStatus::kLine) {
            return {Kind::kConnectionLost, "stdin closed while waiting for the checkpoint reply"};
        }
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        auto decoded = replyDecoder_.decode(line);
        if (!decoded) {
            logSkipped(line, decoded.status());
            continue;
        }
        if (const auto* r = std::get_if<CheckpointReply>(&decoded.value())) {
            return classifyCheckpointError(r->error);
        }
        // The daemon never does this; keep the message for the main loop rather than lose it.
        spdlog::warn("expected a checkpoint reply, got \"{}\"", actionName(decoded.value()));
        pending_ = std::move(line);
        return {Kind::kFailed, "no checkpoint reply"};
    }
}

}  // namespace au::protocol
