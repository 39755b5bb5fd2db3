// Test helper for the ingest tests: a temporary directory of log files.
#ifndef INFERSCOPE_TESTS_INGEST_LOG_TEMP_DIR_H_
#define INFERSCOPE_TESTS_INGEST_LOG_TEMP_DIR_H_

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace inferscope::testing {

// A fresh directory under $TMPDIR, removed with its contents on destruction.
class LogTempDir {
 public:
  LogTempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "inferscope_logs_XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~LogTempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  LogTempDir(const LogTempDir&) = delete;
  LogTempDir& operator=(const LogTempDir&) = delete;

  // Writes `bytes` to `name` (which may have directories) under the directory; its path.
  std::string File(const std::string& name, const std::string& bytes) const {
    std::filesystem::path p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
    return p.string();
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace inferscope::testing

#endif  // INFERSCOPE_TESTS_INGEST_LOG_TEMP_DIR_H_
