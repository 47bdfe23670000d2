#include "aws/curl_api.h"

#include "util/dynamic_library.h"

namespace au::aws {

Result<const CurlApi*> loadCurl() {
    return loadOnce<CurlApi>([](CurlApi& api) {
        auto lib = DynamicLibrary::open({"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so"});
        if (!lib) return Status::error("LibraryNotFound", "libcurl: " + lib.status().message());
        static std::shared_ptr<DynamicLibrary> keep = lib.value();
        decltype(&curl_global_init) globalInit = nullptr;
        const bool ok = keep->bind(globalInit, "curl_global_init") &&
                        keep->bind(api.easy_init, "curl_easy_init") &&
                        keep->bind(api.easy_cleanup, "curl_easy_cleanup") &&
                        keep->bind(api.easy_reset, "curl_easy_reset") &&
                        keep->bind(api.easy_setopt, "curl_easy_setopt") &&
                        keep->bind(api.easy_perform, "curl_easy_perform") &&
                        keep->bind(api.easy_getinfo, "curl_easy_getinfo") &&
                        keep->bind(api.easy_strerror, "curl_easy_strerror") &&
                        keep->bind(api.slist_append, "curl_slist_append") &&
                        keep->bind(api.slist_free_all, "curl_slist_free_all");
        if (!ok) {
            return Status::error("LibraryNotFound", keep->soname() + " lacks a needed function");
        }
        globalInit(CURL_GLOBAL_DEFAULT);
        return Status::ok();
    });
}

}  // namespace au::aws
