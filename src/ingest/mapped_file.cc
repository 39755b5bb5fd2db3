#include "ingest/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

namespace inferscope {

MappedFile::~MappedFile() { ::munmap(data_, mapped_); }

std::unique_ptr<MappedFile> MappedFile::Open(const std::string& path, size_t padding) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
    ::close(fd);
    return nullptr;
  }
  const auto size = static_cast<size_t>(st.st_size);
  const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const size_t mapped = (size + padding + page - 1) / page * page;
  // Reserve file + padding as anonymous zero pages, then lay the file over the front: the
  // pages past the file's last one stay readable zeros (a file mapping alone would fault
  // there), and the tail of the file's last page reads as zeros too.
  void* base = ::mmap(nullptr, mapped, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) {
    ::close(fd);
    return nullptr;
  }
  void* file = ::mmap(base, size, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
  ::close(fd);
  if (file == MAP_FAILED) {
    ::munmap(base, mapped);
    return nullptr;
  }
  ::madvise(base, size, MADV_SEQUENTIAL);
  return std::unique_ptr<MappedFile>(new MappedFile(static_cast<char*>(base), mapped, size));
}

void MappedFile::Release(size_t offset) {
  const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  size_t end = offset / page * page;
  if (end <= released_) return;
  ::madvise(data_ + released_, end - released_, MADV_DONTNEED);
  released_ = end;
}

void MappedFile::ReleaseRange(size_t begin, size_t end) const {
  const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const size_t from = (begin + page - 1) / page * page;
  const size_t to = std::min(end, size_) / page * page;
  if (to <= from) return;
  ::madvise(data_ + from, to - from, MADV_DONTNEED);
}

}  // namespace inferscope
