#include "redis/resolver.h"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace au::redis {

namespace {

// Shared by the caller and the helper thread; whoever is last frees it (shared_ptr).
struct Lookup {
    std::mutex mu;
    std::condition_variable done;
    bool finished = false;
    int rc = 0;
    AddressList answer;
};

Status failure(const std::string& host, int rc) {
    return Status::error("ConnectionError", "cannot resolve " + host + ": " + ::gai_strerror(rc));
}

}  // namespace

Result<AddressList> resolveTcp(const std::string& host, const std::string& port,
                               std::chrono::steady_clock::time_point deadline,
                               ResolveFunction resolve) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;

    // A numeric address never touches DNS: answer inline.
    addrinfo numeric = hints;
    numeric.ai_flags = AI_NUMERICHOST;
    addrinfo* list = nullptr;
    int rc = resolve(host.c_str(), port.c_str(), &numeric, &list);
    if (rc == 0) return AddressList(list);
    if (rc != EAI_NONAME) return failure(host, rc);

    auto lookup = std::make_shared<Lookup>();
    try {
        std::thread([lookup, host, port, hints, resolve] {
            addrinfo* found = nullptr;
            const int code = resolve(host.c_str(), port.c_str(), &hints, &found);
            const std::lock_guard<std::mutex> lock(lookup->mu);
            lookup->rc = code;
            lookup->answer.reset(code == 0 ? found : nullptr);
            lookup->finished = true;
            lookup->done.notify_all();
        }).detach();
    } catch (const std::system_error& e) {
        return Status::error("ConnectionError",
                             "cannot start the resolver thread for " + host + ": " + e.what());
    }
    std::unique_lock<std::mutex> lock(lookup->mu);
    if (!lookup->done.wait_until(lock, deadline, [&] { return lookup->finished; })) {
        return Status::error("Timeout", "resolving " + host + " took too long");
    }
    if (lookup->rc != 0) return failure(host, lookup->rc);
    return std::move(lookup->answer);
}

}  // namespace au::redis
