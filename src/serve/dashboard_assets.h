#pragma once
// The dashboard page's files, embedded in active-users-serve at build time (src/serve/web/ and
// the chart library uPlot from npm; cmake/EmbedFiles.cmake): "/" is the page, the rest is under
// "/assets/". No network is needed to show it (no CDN).

#include <cstddef>
#include <string_view>
#include <vector>

namespace au::serve {

struct DashboardAsset {
    const char* path;  // URL path
    const char* contentType;
    const unsigned char* data;
    size_t size;

    std::string_view body() const { return {reinterpret_cast<const char*>(data), size}; }
};

const std::vector<DashboardAsset>& dashboardAssets();

}  // namespace au::serve
