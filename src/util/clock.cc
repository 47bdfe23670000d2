#include "util/clock.h"

#include <chrono>
#include <thread>

namespace au {

int64_t SystemClock::nowMillis() const {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void SystemClock::sleepMillis(int64_t millis) {
    if (millis > 0) std::this_thread::sleep_for(std::chrono::milliseconds(millis));
}

int64_t ManualClock::nowMillis() const { return now_.load(); }
void ManualClock::sleepMillis(int64_t millis) {
    if (millis > 0) now_ += millis;
}
void ManualClock::set(int64_t millis) { now_.store(millis); }
void ManualClock::advance(int64_t millis) { now_ += millis; }

}  // namespace au
