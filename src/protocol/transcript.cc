#include "protocol/transcript.h"

#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "util/base64.h"
#include "util/time_format.h"

namespace au::protocol {

using Dir = TranscriptEntry::Dir;

std::string encodeTranscriptEntry(const TranscriptEntry& entry) {
    nlohmann::json j;
    j["t"] = entry.t;
    j["dir"] = entry.dir == Dir::kIn ? "in" : entry.dir == Dir::kOut ? "out" : "eof";
    if (entry.dir != Dir::kEof) {
        if (simdjson::validate_utf8(entry.line.data(), entry.line.size())) {
            j["line"] = entry.line;
        } else {
            j["lineBase64"] = base64Encode(entry.line);
        }
    }
    return j.dump();
}

Result<std::vector<TranscriptEntry>> loadTranscript(const std::string& path) {
    std::ifstream in(path);
    if (!in) return Status::error("NotFound", "cannot open " + path + ": " + std::strerror(errno));
    std::vector<TranscriptEntry> entries;
    std::string text;
    size_t lineNo = 0;
    while (std::getline(in, text)) {
        ++lineNo;
        if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
        auto bad = [&](const std::string& why) {
            return Status::error("BadTranscript", path + ":" + std::to_string(lineNo) + ": " + why);
        };
        nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
        if (!j.is_object()) return bad("not a JSON object");
        TranscriptEntry e;
        e.fileLine = lineNo;
        if (!j.contains("t") || !j["t"].is_number_integer()) return bad("\"t\" must be epoch ms");
        e.t = j["t"].get<int64_t>();
        const std::string dir = j.value("dir", "");
        if (dir == "in") {
            e.dir = Dir::kIn;
        } else if (dir == "out") {
            e.dir = Dir::kOut;
        } else if (dir == "eof") {
            e.dir = Dir::kEof;
        } else {
            return bad("\"dir\" must be in, out or eof");
        }
        if (e.dir != Dir::kEof) {
            if (j.contains("line") && j["line"].is_string()) {
                e.line = j["line"].get<std::string>();
            } else if (j.contains("lineBase64") && j["lineBase64"].is_string()) {
                if (!base64Decode(j["lineBase64"].get<std::string>(), e.line)) {
                    return bad("\"lineBase64\" is not base64");
                }
            } else {
                return bad("\"line\" is missing");
            }
        }
        entries.push_back(std::move(e));
    }
    return entries;
}

RecordingTransport::RecordingTransport(LineTransport& inner, std::FILE* file, const Clock& clock)
    : inner_(inner), file_(file), clock_(clock) {}

RecordingTransport::~RecordingTransport() {
    if (file_ != nullptr) std::fclose(file_);
}

Result<std::FILE*> RecordingTransport::openFileIn(const std::string& dir, const Clock& clock) {
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
        return Status::error("IoError", "cannot create " + dir + ": " + std::strerror(errno));
    }
    std::string stamp = formatIso8601Millis(clock.nowMillis());
    for (char& c : stamp) {
        if (c == ':') c = '-';
    }
    const std::string path =
        dir + "/transcript-" + stamp + "-" + std::to_string(::getpid()) + ".jsonl";
    std::FILE* f = std::fopen(path.c_str(), "we");
    if (f == nullptr) {
        return Status::error("IoError", "cannot create " + path + ": " + std::strerror(errno));
    }
    return f;
}

void RecordingTransport::append(Dir dir, std::string_view line) {
    TranscriptEntry e;
    e.t = clock_.nowMillis();
    e.dir = dir;
    e.line = std::string(line);
    const std::string text = encodeTranscriptEntry(e) + "\n";
    std::fwrite(text.data(), 1, text.size(), file_);
    std::fflush(file_);
}

ReadStatus RecordingTransport::readLine(std::string& line, int64_t deadlineMillis) {
    const ReadStatus status = inner_.readLine(line, deadlineMillis);
    if (status == ReadStatus::kLine) append(Dir::kIn, line);
    if (status == ReadStatus::kEof) append(Dir::kEof, "");
    return status;
}

bool RecordingTransport::writeLine(std::string_view line) {
    append(Dir::kOut, line);
    return inner_.writeLine(line);
}

ScriptedTransport::ScriptedTransport(std::vector<TranscriptEntry> entries, ManualClock& clock)
    : entries_(std::move(entries)), clock_(clock) {
    if (!entries_.empty()) clock_.set(entries_.front().t);
}

void ScriptedTransport::skipMissingOutputs() {
    while (next_ < entries_.size() && entries_[next_].dir == Dir::kOut) {
        differences_.push_back("transcript line " + std::to_string(entries_[next_].fileLine) +
                               ": expected output\n    " + entries_[next_].line +
                               "\n  but the processor wrote nothing before reading on");
        ++next_;
    }
}

ReadStatus ScriptedTransport::readLine(std::string& line, int64_t deadlineMillis) {
    skipMissingOutputs();
    if (next_ >= entries_.size()) return ReadStatus::kEof;
    const TranscriptEntry& e = entries_[next_];
    if (e.t > deadlineMillis) {
        // Time passes up to the processor's timer, exactly as the real clock would have.
        if (deadlineMillis > clock_.nowMillis()) clock_.set(deadlineMillis);
        return ReadStatus::kTimeout;
    }
    if (e.t > clock_.nowMillis()) clock_.set(e.t);
    ++next_;
    if (e.dir == Dir::kEof) {
        next_ = entries_.size();
        return ReadStatus::kEof;
    }
    line = e.line;
    return ReadStatus::kLine;
}

bool ScriptedTransport::writeLine(std::string_view line) {
    ++compared_;
    if (next_ >= entries_.size() || entries_[next_].dir != Dir::kOut) {
        const std::string where =
            next_ < entries_.size()
                ? "before transcript line " + std::to_string(entries_[next_].fileLine)
                : "after the end of the transcript";
        differences_.push_back(where + ": unexpected output\n    " + std::string(line));
        return true;
    }
    const TranscriptEntry& e = entries_[next_++];
    const auto got = nlohmann::json::parse(line, nullptr, false);
    const auto want = nlohmann::json::parse(e.line, nullptr, false);
    const bool same = got.is_discarded() || want.is_discarded() ? line == e.line : got == want;
    if (!same) {
        differences_.push_back("transcript line " + std::to_string(e.fileLine) +
                               ":\n  - expected " + e.line + "\n  + actual   " + std::string(line));
    }
    return true;
}

void ScriptedTransport::finish() {
    while (next_ < entries_.size()) {
        if (entries_[next_].dir == Dir::kOut) {
            skipMissingOutputs();
        } else {
            ++next_;
        }
    }
}

}  // namespace au::protocol
