#include "util/log.h"

#include <spdlog/sinks/stdout_sinks.h>

namespace au {

namespace {
std::string patternFor(const std::string& tag) { return "active-users[" + tag + "] %l: %v"; }
}  // namespace

void initLogging(const std::string& tag, const std::string& level) {
    spdlog::drop("active-users");
    auto logger = spdlog::stderr_logger_mt("active-users");
    logger->set_pattern(patternFor(tag));
    auto lvl = spdlog::level::from_str(level);
    if (lvl == spdlog::level::off && level != "off") lvl = spdlog::level::info;
    logger->set_level(lvl);
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(logger);
}

void setLogTag(const std::string& tag) { spdlog::default_logger()->set_pattern(patternFor(tag)); }

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
