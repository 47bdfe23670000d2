#pragma once
// DynamicLibrary: a shared library loaded on first use (dlopen), for the heavy dependencies that
// only some runs need (libcurl and OpenSSL for AWS calls and Redis TLS). Linking them normally
// would cost every processor — one per shard — ~8 MB of resident memory at start-up (their
// relocated data pages), used or not.
//
// Libraries stay loaded until the process exits. Thread-safe.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "util/status.h"

namespace au {

class DynamicLibrary {
  public:
    // Opens the first of `sonames` that loads. Fails with code "LibraryNotFound" and dlerror().
    static Result<std::shared_ptr<DynamicLibrary>> open(const std::vector<std::string>& sonames);

    // Binds `fn` to the symbol; false when the library lacks it.
    template <class F>
    bool bind(F*& fn, const char* symbol) const {
        fn = reinterpret_cast<F*>(address(symbol));
        return fn != nullptr;
    }

    const std::string& soname() const { return soname_; }

  private:
    DynamicLibrary(void* handle, std::string soname)
        : handle_(handle), soname_(std::move(soname)) {}
    void* address(const char* symbol) const;

    void* handle_;
    std::string soname_;
};

// A table of library functions, filled once per process by `load(api)` (ok, or why not); every
// call returns that table or that failure. One instantiation per loader (Load is its lambda).
template <class Api, class Load>
Result<const Api*> loadOnce(Load load) {
    static std::once_flag once;
    static Api api;
    static Status failure = Status::ok();
    std::call_once(once, [&] { failure = load(api); });
    if (!failure) return failure;
    return static_cast<const Api*>(&api);
}

}  // namespace au
