#ifndef INFERSCOPE_CLI_OUTPUT_FILE_H_
#define INFERSCOPE_CLI_OUTPUT_FILE_H_

#include <string>
#include <string_view>

#include "core/status.h"

namespace inferscope {

// Writes `content` to `path` ("" or "-" = stdout), reporting any failed write or close
// (disk full, permission denied) as an IoError naming the path.
Status WriteOutput(const std::string& path, std::string_view content);

}  // namespace inferscope

#endif  // INFERSCOPE_CLI_OUTPUT_FILE_H_
