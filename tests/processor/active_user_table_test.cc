#include "processor/active_user_table.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>

using namespace au;
using namespace au::processor;

TEST_CASE("The table keeps the latest time per user and GUIDs match in any case", "[processor]") {
    ActiveUserTable t(120'000);
    const auto g = parseGuid("3F2504E0-4F89-11D3-9A0C-0305E82C3301");
    CHECK(t.apply("3F2504E0-4F89-11D3-9A0C-0305E82C3301", g, 1000));
    CHECK_FALSE(t.apply("3f2504e0-4f89-11d3-9a0c-0305e82c3301", g, 500));  // older: ignored
    CHECK(t.apply("x", std::nullopt, 700));
    CHECK(t.apply("3f2504e0-4f89-11d3-9a0c-0305e82c3301", g, 2000));
    CHECK(t.size() == 2);
    CHECK(t.lastSeen("3f2504e0-4f89-11d3-9a0c-0305e82c3301") == 2000);
    CHECK(t.lastSeen("X") == std::nullopt);  // non-GUID ids are exact
    std::map<std::string, int64_t> all;
    t.forEach([&](std::string_view id, int64_t ts) { all[std::string(id)] = ts; });
    CHECK(all == std::map<std::string, int64_t>{{"3f2504e0-4f89-11d3-9a0c-0305e82c3301", 2000},
                                                {"x", 700}});
}

TEST_CASE("A user is active while now - lastSeen < ttl", "[processor]") {
    ActiveUserTable t(120'000);
    t.apply("a", std::nullopt, 10'000);
    CHECK(t.evictExpired(129'999) == 0);
    CHECK_FALSE(t.isStale(10'000, 129'999));
    CHECK(t.isStale(10'000, 130'000));
    CHECK(t.evictExpired(130'000) == 1);
    CHECK(t.size() == 0);
}

TEST_CASE("Eviction matches a reference model under random updates", "[processor]") {
    ActiveUserTable t(10'000);
    std::map<std::string, int64_t> model;
    std::mt19937 rng(7);
    int64_t now = 1'000'000;
    for (int step = 0; step < 200'000; ++step) {
        now += rng() % 3;
        const std::string id = "u" + std::to_string(rng() % 5000);
        const int64_t seen = now - static_cast<int64_t>(rng() % 9000);
        t.apply(id, std::nullopt, seen);
        auto& m = model[id];
        m = std::max(m, seen);
        if (step % 997 == 0) {
            t.evictExpired(now);
            for (auto it = model.begin(); it != model.end();) {
                it = now - it->second >= 10'000 ? model.erase(it) : std::next(it);
            }
            REQUIRE(t.size() == model.size());
        }
    }
    for (const auto& [id, seen] : model) REQUIRE(t.lastSeen(id) == seen);
}

TEST_CASE("GUID entries stay compact and survive heavy churn", "[processor]") {
    ActiveUserTable t(60'000);
    std::mt19937_64 rng(11);
    std::vector<Guid> ids(100'000);
    for (auto& g : ids) g = Guid{rng(), rng()};
    for (size_t i = 0; i < ids.size(); ++i) t.apply("", ids[i], static_cast<int64_t>(i));
    CHECK(t.size() == ids.size());
    CHECK(t.memoryBytes() / t.size() <= 64);
    // Evict the first half, re-add half of those: positions are reused, lookups still work.
    CHECK(t.evictExpired(60'000 + 49'999) == 50'000);
    for (size_t i = 0; i < 25'000; ++i) t.apply("", ids[i], 200'000);
    for (size_t i = 0; i < ids.size(); ++i) {
        const auto seen = t.lastSeen(formatGuid(ids[i]));
        if (i < 25'000) {
            REQUIRE(seen == 200'000);
        } else if (i < 50'000) {
            REQUIRE_FALSE(seen);
        } else {
            REQUIRE(seen == static_cast<int64_t>(i));
        }
    }
}
