#include "cli/output_file.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace inferscope {

Status WriteOutput(const std::string& path, std::string_view content) {
  const bool to_stdout = path.empty() || path == "-";
  std::FILE* f = to_stdout ? stdout : std::fopen(path.c_str(), "wb");
  const std::string name = to_stdout ? "stdout" : path;
  if (f == nullptr) {
    return Status::IoError(fmt::format("cannot write {}: {}", name, std::strerror(errno)));
  }
  bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size();
  ok = (to_stdout ? std::fflush(f) == 0 : std::fclose(f) == 0) && ok;
  if (!ok) return Status::IoError(fmt::format("writing {} failed: {}", name, std::strerror(errno)));
  return Status::Ok();
}

}  // namespace inferscope
