#pragma once
// TempDir: a fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace au::aws::testing {

class TempDir {
  public:
    TempDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "au-aws-test-XXXXXX").string();
        path_ = ::mkdtemp(pattern.data());
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const { return path_; }
    // Writes `content` to <dir>/<name> and returns the full path.
    std::string write(const std::string& name, const std::string& content) const {
        std::string full = path_ + "/" + name;
        std::filesystem::create_directories(std::filesystem::path(full).parent_path());
        std::ofstream(full, std::ios::binary) << content;
        return full;
    }

  private:
    std::string path_;
};

}  // namespace au::aws::testing
