#include "util/dynamic_library.h"

#include <dlfcn.h>

namespace au {

Result<std::shared_ptr<DynamicLibrary>> DynamicLibrary::open(
    const std::vector<std::string>& sonames) {
    std::string errors;
    for (const auto& name : sonames) {
        if (void* handle = ::dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL)) {
            return std::shared_ptr<DynamicLibrary>(new DynamicLibrary(handle, name));
        }
        const char* e = ::dlerror();
        errors += (errors.empty() ? "" : "; ") + std::string(e != nullptr ? e : name);
    }
    return Status::error("LibraryNotFound", errors);
}

void* DynamicLibrary::address(const char* symbol) const { return ::dlsym(handle_, symbol); }

}  // namespace au
