#ifndef INFERSCOPE_STORE_FILE_UTIL_H_
#define INFERSCOPE_STORE_FILE_UTIL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace inferscope {

// Thin POSIX helpers for the store's files; every failure is IoError naming the path and
// errno's text. Thread-safe (no shared state).

Status CreateDirs(const std::string& path);
Result<std::string> ReadWholeFile(const std::string& path);
// Reads [offset, offset + n) of an open file; short reads are DataLoss.
Status ReadAt(int fd, uint64_t offset, size_t n, std::string* out);
Status WriteAllFd(int fd, std::string_view data, const std::string& path);
// fdatasync, retried on EINTR.
Status SyncFd(int fd, const std::string& path);
// fsync of a directory, so that created, renamed and deleted entries are durable.
Status SyncDir(const std::string& dir);
// Writes `data` to path.tmp, fsyncs it, renames it over `path` and fsyncs the directory:
// readers see the old or the new content, never a mix, even after a crash.
Status WriteFileAtomic(const std::string& dir, const std::string& name, std::string_view data);
// Names (not paths) of the regular files in `dir` starting with `prefix` and ending with
// `suffix`, sorted.
Result<std::vector<std::string>> ListFiles(const std::string& dir, std::string_view prefix,
                                           std::string_view suffix);
Status RemoveFile(const std::string& path);
Result<uint64_t> FileSize(const std::string& path);

}  // namespace inferscope

#endif  // INFERSCOPE_STORE_FILE_UTIL_H_
