#pragma once
// Clock: the only source of time (and of waiting) in the program, injected everywhere so that
// timeouts, retries, eviction and snapshots are testable without sleeping.

#include <atomic>
#include <cstdint>

namespace au {

class Clock {
  public:
    virtual ~Clock() = default;
    // Wall-clock time, milliseconds since the Unix epoch.
    virtual int64_t nowMillis() const = 0;
    // Blocks the calling thread for `millis` (a fake clock just advances).
    virtual void sleepMillis(int64_t millis) = 0;
};

class SystemClock final : public Clock {
  public:
    int64_t nowMillis() const override;
    void sleepMillis(int64_t millis) override;
};

// A clock that moves only when told to; sleeping advances it. Safe to read from any thread.
class ManualClock final : public Clock {
  public:
    explicit ManualClock(int64_t startMillis = 0) : now_(startMillis) {}
    int64_t nowMillis() const override;
    void sleepMillis(int64_t millis) override;
    void set(int64_t millis);
    void advance(int64_t millis);

  private:
    std::atomic<int64_t> now_;
};

}  // namespace au
