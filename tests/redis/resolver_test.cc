#include "redis/resolver.h"

#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

using namespace au::redis;
using SteadyClock = std::chrono::steady_clock;

namespace {

// A resolver the test holds: names block until released, numeric lookups answer as getaddrinfo
// does.
struct Gate {
    std::mutex mu;
    std::condition_variable cv;
    bool open = false;
    bool returned = false;
    int nameCalls = 0;
};

ResolveFunction heldResolver(std::shared_ptr<Gate> gate) {
    return [gate](const char* host, const char* port, const addrinfo* hints, addrinfo** out) {
        if ((hints->ai_flags & AI_NUMERICHOST) != 0) return ::getaddrinfo(host, port, hints, out);
        std::unique_lock<std::mutex> lock(gate->mu);
        ++gate->nameCalls;
        gate->cv.notify_all();
        gate->cv.wait(lock, [&] { return gate->open; });
        const int rc = ::getaddrinfo("127.0.0.1", port, hints, out);  // a late, real answer
        gate->returned = true;
        gate->cv.notify_all();
        return rc;
    };
}

int port(const addrinfo* a) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(a->ai_addr)->sin_port);
}

}  // namespace

TEST_CASE("Numeric addresses resolve inline", "[resolver]") {
    int calls = 0;
    auto counting = [&](const char* h, const char* p, const addrinfo* hints, addrinfo** out) {
        ++calls;
        CHECK((hints->ai_flags & AI_NUMERICHOST) != 0);
        return ::getaddrinfo(h, p, hints, out);
    };
    auto list = resolveTcp("127.0.0.1", "6379", SteadyClock::now(), counting);
    REQUIRE(list);
    CHECK(calls == 1);
    CHECK(port(list->get()) == 6379);
}

TEST_CASE("A slow name lookup ends at the deadline, its late answer is freed", "[resolver]") {
    auto gate = std::make_shared<Gate>();
    // The deadline has already passed: no waiting at all.
    auto list = resolveTcp("redis.internal", "6379", SteadyClock::now(), heldResolver(gate));
    REQUIRE_FALSE(list);
    CHECK(list.status().code() == "Timeout");
    CHECK(list.status().message() == "resolving redis.internal took too long");
    // Release the abandoned lookup, then wait until the helper thread is gone: it drops its copy of
    // the resolver (and so of `gate`) only after freeing the late answer (LeakSanitizer checks).
    {
        std::unique_lock<std::mutex> lock(gate->mu);
        gate->cv.wait(lock, [&] { return gate->nameCalls == 1; });
        gate->open = true;
        gate->cv.notify_all();
        gate->cv.wait(lock, [&] { return gate->returned; });
    }
    while (gate.use_count() > 1) std::this_thread::yield();
}

TEST_CASE("A name lookup that answers in time returns its addresses", "[resolver]") {
    auto gate = std::make_shared<Gate>();
    gate->open = true;
    auto list = resolveTcp("redis.internal", "6380", SteadyClock::now() + std::chrono::hours(1),
                           heldResolver(gate));
    REQUIRE(list);
    CHECK(gate->nameCalls == 1);
    CHECK(port(list->get()) == 6380);
}

TEST_CASE("An unknown host is a ConnectionError", "[resolver]") {
    auto unknown = [](const char*, const char*, const addrinfo*, addrinfo**) { return EAI_NONAME; };
    auto list =
        resolveTcp("nowhere.invalid", "6379", SteadyClock::now() + std::chrono::hours(1), unknown);
    REQUIRE_FALSE(list);
    CHECK(list.status().code() == "ConnectionError");
    CHECK(list.status().message().rfind("cannot resolve nowhere.invalid: ", 0) == 0);
}

TEST_CASE("The system resolver answers a name from /etc/hosts on the helper thread", "[resolver]") {
    auto list = resolveTcp("localhost", "6379", SteadyClock::now() + std::chrono::seconds(10));
    REQUIRE(list);
    CHECK(port(list->get()) == 6379);
}
