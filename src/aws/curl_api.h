#pragma once
// CurlApi: the libcurl functions this program uses, bound from libcurl.so.4 on first use
// (util/dynamic_library.h says why it is not linked). curl_global_init has run once loadCurl()
// returns an API.

#include <curl/curl.h>

#include "util/status.h"

namespace au::aws {

struct CurlApi {
    decltype(&curl_easy_init) easy_init;
    decltype(&curl_easy_cleanup) easy_cleanup;
    decltype(&curl_easy_reset) easy_reset;
    decltype(&curl_easy_setopt) easy_setopt;
    decltype(&curl_easy_perform) easy_perform;
    decltype(&curl_easy_getinfo) easy_getinfo;
    decltype(&curl_easy_strerror) easy_strerror;
    decltype(&curl_slist_append) slist_append;
    decltype(&curl_slist_free_all) slist_free_all;
};

// The API, or "LibraryNotFound" when libcurl cannot be loaded. Thread-safe; loads once.
Result<const CurlApi*> loadCurl();

}  // namespace au::aws
