#pragma once
// HistorySampler: `serve`'s sampler thread. Reads the count and the processors' stats from the
// source into the History at once and then every History::intervalMillis(), until destroyed
// (the destructor wakes and joins the thread; a read in progress ends within the source's own
// timeout).

#include <condition_variable>
#include <mutex>
#include <thread>

#include "serve/active_set_source.h"
#include "serve/history.h"
#include "util/clock.h"

namespace au::serve {

class HistorySampler {
  public:
    // REQUIRES: source, history and clock outlive this object.
    HistorySampler(ActiveSetSource& source, History& history, const Clock& clock);
    ~HistorySampler();
    HistorySampler(const HistorySampler&) = delete;
    HistorySampler& operator=(const HistorySampler&) = delete;

  private:
    void loop();

    ActiveSetSource& source_;
    History& history_;
    const Clock& clock_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread thread_;  // last: starts once the members above exist
};

}  // namespace au::serve
