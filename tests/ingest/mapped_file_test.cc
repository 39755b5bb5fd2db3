#include "ingest/mapped_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace inferscope {
namespace {

namespace fs = std::filesystem;

std::string WriteTemp(const std::string& bytes) {
  std::string tmpl = (fs::temp_directory_path() / "inferscope_mapped_XXXXXX").string();
  int fd = ::mkstemp(tmpl.data());
  ::close(fd);
  std::ofstream(tmpl, std::ios::binary) << bytes;
  return tmpl;
}

TEST(MappedFileTest, MapsTheBytesFollowedByZeroPadding) {
  const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  for (size_t size : {size_t{1}, size_t{100}, page - 10, page, page + 1, 3 * page}) {
    std::string bytes(size, 'x');
    bytes[size - 1] = 'y';
    std::string path = WriteTemp(bytes);
    std::unique_ptr<MappedFile> m = MappedFile::Open(path, 64);
    ASSERT_NE(m, nullptr) << size;
    ASSERT_EQ(m->size(), size);
    EXPECT_EQ(std::string(m->data(), size), bytes);
    for (size_t i = 0; i < 64; ++i) EXPECT_EQ(m->data()[size + i], '\0') << size;
    m->Release(size / 2);
    EXPECT_EQ(std::string(m->data(), size), bytes);  // released pages read back
    fs::remove(path);
  }
}

TEST(MappedFileTest, LeavesEmptyMissingAndNonRegularFilesToTheCaller) {
  std::string empty = WriteTemp("");
  EXPECT_EQ(MappedFile::Open(empty, 64), nullptr);
  fs::remove(empty);
  EXPECT_EQ(MappedFile::Open("/nonexistent/inferscope.jsonl", 64), nullptr);
  EXPECT_EQ(MappedFile::Open(fs::temp_directory_path().string(), 64), nullptr);
}

}  // namespace
}  // namespace inferscope
