#pragma once
// Protocol transcripts (docs/transcripts.md): every line read and written, with its direction and
// time, one JSON object per line:
//   {"t":<epoch ms>,"dir":"in"|"out","line":"<the line>"}   ("lineBase64" when not UTF-8)
//   {"t":<epoch ms>,"dir":"eof"}                             stdin ended
//
// RecordingTransport writes one while passing lines through. ScriptedTransport plays the daemon's
// side of one back: it feeds the "in" lines, moves a ManualClock to each line's time, and compares
// what the processor writes with the recorded "out" lines.

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "protocol/transport.h"
#include "util/clock.h"
#include "util/status.h"

namespace au::protocol {

struct TranscriptEntry {
    enum class Dir { kIn, kOut, kEof };
    int64_t t = 0;
    Dir dir = Dir::kIn;
    std::string line;
    size_t fileLine = 0;  // 1-based line in the transcript file, for messages
};

// Reads a transcript file. Fails with the file line of the first bad entry.
Result<std::vector<TranscriptEntry>> loadTranscript(const std::string& path);

// One transcript line for an entry.
std::string encodeTranscriptEntry(const TranscriptEntry& entry);

class RecordingTransport final : public LineTransport {
  public:
    // Takes ownership of `file` (opened for writing); each entry is flushed as it is written.
    RecordingTransport(LineTransport& inner, std::FILE* file, const Clock& clock);
    ~RecordingTransport() override;
    ReadStatus readLine(std::string& line, int64_t deadlineMillis) override;
    bool writeLine(std::string_view line) override;

    // Creates <dir>/transcript-<start time>-<pid>.jsonl (and dir itself when missing).
    static Result<std::FILE*> openFileIn(const std::string& dir, const Clock& clock);

  private:
    void append(TranscriptEntry::Dir dir, std::string_view line);
    LineTransport& inner_;
    std::FILE* file_;
    const Clock& clock_;
};

class ScriptedTransport final : public LineTransport {
  public:
    ScriptedTransport(std::vector<TranscriptEntry> entries, ManualClock& clock);
    ReadStatus readLine(std::string& line, int64_t deadlineMillis) override;
    bool writeLine(std::string_view line) override;

    // Differences found so far (each a readable paragraph), and the number of lines compared.
    const std::vector<std::string>& differences() const { return differences_; }
    size_t compared() const { return compared_; }
    // Records recorded outputs that the processor never wrote. Call once, after the run.
    void finish();

  private:
    void skipMissingOutputs();
    std::vector<TranscriptEntry> entries_;
    size_t next_ = 0;
    ManualClock& clock_;
    std::vector<std::string> differences_;
    size_t compared_ = 0;
};

}  // namespace au::protocol
