#include "util/log.h"

#include <spdlog/sinks/stdout_sinks.h>

namespace au {

namespace {
std::string patternFor(const std::string& tag) { return "active-users[" + tag + "] %l: %v"; }

spdlog::level::level_enum levelFor(const std::string& level) {
    const auto lvl = spdlog::level::from_str(level);
    return lvl == spdlog::level::off && level != "off" ? spdlog::level::info : lvl;
}
}  // namespace

void initLogging(const std::string& tag, const std::string& level) {
    spdlog::drop("active-users");
    auto logger = spdlog::stderr_logger_mt("active-users");
    logger->set_pattern(patternFor(tag));
    logger->set_level(levelFor(level));
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(logger);
}

void setLogTag(const std::string& tag) { spdlog::default_logger()->set_pattern(patternFor(tag)); }

void setLogLevel(const std::string& level) { spdlog::default_logger()->set_level(levelFor(level)); }

bool LogThrottle::allow(const Clock& clock, uint64_t* suppressed) {
    const int64_t now = clock.nowMillis();
    if (last_ != INT64_MIN && now - last_ < interval_) {
        ++held_;
        return false;
    }
    last_ = now;
    if (suppressed != nullptr) *suppressed = held_;
    held_ = 0;
    return true;
}

}  // namespace au
