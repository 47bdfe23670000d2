#include "activeset/pending_updates.h"

#include <catch2/catch.hpp>
#include <map>

using namespace au::activeset;

TEST_CASE("The pending buffer coalesces per user (max) and drops new users beyond its bound",
          "[activeset][unit]") {
    PendingUpdates p(2);
    CHECK(p.add("a", 10));
    CHECK(p.add("a", 5));
    CHECK(p.add("b", 7));
    CHECK_FALSE(p.add("c", 9));  // full
    CHECK(p.add("a", 20));       // known users are still updated
    CHECK(p.size() == 2);
    CHECK(p.takeDropped() == 1);
    CHECK(p.takeDropped() == 0);
    auto taken = p.take();
    std::map<std::string, int64_t> m(taken.begin(), taken.end());
    CHECK(m == std::map<std::string, int64_t>{{"a", 20}, {"b", 7}});
    CHECK(p.empty());
}
