#include "store/wal.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "store/file_util.h"
#include "store/wal_reader.h"

namespace inferscope {
namespace {

constexpr std::string_view kPrefix = "wal-";
constexpr std::string_view kSuffix = ".log";

std::string WalFileName(uint64_t first_seq) {
  return fmt::format("{}{:016x}{}", kPrefix, first_seq, kSuffix);
}

}  // namespace

Wal::Wal(std::string dir, const WalOptions& options) : dir_(std::move(dir)), options_(options) {}

Result<std::unique_ptr<Wal>> Wal::Open(const std::string& dir, const WalOptions& options,
                                       uint64_t after_seq, const ReplayFn& replay,
                                       WalRecovery* recovery) {
  if (options.fsync.mode == FsyncPolicy::Mode::kInterval && options.fsync.interval_ns <= 0) {
    return Status::InvalidArgument("WAL fsync interval must be > 0");
  }
  WalRecovery local;
  WalRecovery& rec = recovery != nullptr ? *recovery : local;
  rec = WalRecovery{};
  INFERSCOPE_RETURN_IF_ERROR(CreateDirs(dir));
  INFERSCOPE_ASSIGN_OR_RETURN(auto names, ListFiles(dir, kPrefix, kSuffix));
  std::unique_ptr<Wal> wal(new Wal(dir, options));
  uint64_t max_seq = after_seq;
  for (const auto& name : names) {
    const std::string path = dir + "/" + name;
    INFERSCOPE_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(path));
    ++rec.files;
    uint64_t file_max = 0;
    WalScanResult scan = ScanWalRecords(bytes, [&](const WalRecordView& r) -> Status {
      file_max = r.seq;
      if (r.seq <= max_seq) {
        ++rec.records_skipped;
        return Status::Ok();
      }
      INFERSCOPE_RETURN_IF_ERROR(replay(r.seq, r.payload));
      ++rec.records_replayed;
      max_seq = r.seq;
      return Status::Ok();
    });
    if (!scan.callback_status.ok()) return scan.callback_status.WithContext(path);
    if (scan.valid_bytes < bytes.size()) {
      // A torn tail (the process died mid-write) or corruption: keep the good prefix.
      rec.dropped_bytes += bytes.size() - scan.valid_bytes;
      rec.problems.push_back(fmt::format("{}: dropped {} bytes: {}", name,
                                         bytes.size() - scan.valid_bytes, scan.tail_error));
      if (::truncate(path.c_str(), static_cast<off_t>(scan.valid_bytes)) != 0) {
        return Status::IoError(fmt::format("truncate {}: {}", path, std::strerror(errno)));
      }
    }
    if (scan.records == 0 || file_max <= after_seq) {
      INFERSCOPE_RETURN_IF_ERROR(RemoveFile(path));
    } else {
      wal->closed_.push_back({path, file_max, scan.valid_bytes});
    }
  }
  wal->last_seq_ = wal->acked_seq_ = max_seq;
  rec.last_seq = max_seq;
  INFERSCOPE_RETURN_IF_ERROR(wal->OpenNewFile(max_seq + 1));
  if (options.fsync.mode == FsyncPolicy::Mode::kInterval) {
    wal->sync_thread_ = std::thread([w = wal.get()] { w->SyncLoop(); });
  }
  return wal;
}

Wal::~Wal() {
  {
    std::unique_lock lk(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  if (sync_thread_.joinable()) sync_thread_.join();
  std::unique_lock lk(mu_);
  AcquireWriter(lk);
  if (fd_ >= 0) {
    if (options_.fsync.mode != FsyncPolicy::Mode::kNever) (void)SyncFd(fd_, path_);
    ::close(fd_);
    fd_ = -1;
  }
}

Status Wal::OpenNewFile(uint64_t first_seq) {
  path_ = dir_ + "/" + WalFileName(first_seq);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) return Status::IoError(fmt::format("open {}: {}", path_, std::strerror(errno)));
  file_bytes_ = 0;
  // The new name must survive a crash before the first fdatasync of its data matters.
  return SyncDir(dir_);
}

Status Wal::CloseCurrent() {
  Status st = Status::Ok();
  if (options_.fsync.mode != FsyncPolicy::Mode::kNever) st = SyncFd(fd_, path_);
  ::close(fd_);
  fd_ = -1;
  return st;
}

void Wal::AcquireWriter(std::unique_lock<std::mutex>& lk) {
  cv_.wait(lk, [&] { return !busy_; });
  busy_ = true;
}

void Wal::ReleaseWriter(std::unique_lock<std::mutex>& lk) {
  (void)lk;
  busy_ = false;
  cv_.notify_all();
}

Result<uint64_t> Wal::Append(std::string_view payload) {
  if (payload.size() > kMaxWalPayloadBytes) {
    return Status::InvalidArgument(fmt::format("WAL record of {} bytes over the {} limit",
                                               payload.size(), kMaxWalPayloadBytes));
  }
  std::unique_lock lk(mu_);
  if (!error_.ok()) return error_;
  const uint64_t seq = ++last_seq_;
  AppendWalRecord(seq, payload, &pending_);
  pending_hi_ = seq;
  while (acked_seq_ < seq) {
    if (!error_.ok()) return error_;
    if (busy_) {
      cv_.wait(lk);
      continue;
    }
    // Leader: write everything queued so far in one go.
    busy_ = true;
    writing_.clear();
    writing_.swap(pending_);
    const uint64_t hi = pending_hi_;
    lk.unlock();
    Status st = WriteAllFd(fd_, writing_, path_);
    if (st.ok()) file_bytes_ += writing_.size();
    if (st.ok() && options_.fsync.mode == FsyncPolicy::Mode::kAlways) st = SyncFd(fd_, path_);
    std::string rotated_path;
    if (st.ok() && file_bytes_ >= options_.max_file_bytes) {
      rotated_path = path_;
      const uint64_t rotated_bytes = file_bytes_.load();
      st = CloseCurrent();
      if (st.ok()) st = OpenNewFile(hi + 1);
      lk.lock();
      closed_.push_back({rotated_path, hi, rotated_bytes});
      lk.unlock();
    }
    lk.lock();
    if (st.ok()) {
      acked_seq_ = hi;
    } else {
      error_ = st;
    }
    ReleaseWriter(lk);
  }
  return seq;
}

Result<uint64_t> Wal::Rotate() {
  std::unique_lock lk(mu_);
  AcquireWriter(lk);
  if (!error_.ok()) {
    Status err = error_;
    ReleaseWriter(lk);
    return err;
  }
  const uint64_t hi = acked_seq_;
  const std::string old_path = path_;
  const uint64_t old_bytes = file_bytes_.load();
  lk.unlock();
  Status st = Status::Ok();
  if (old_bytes > 0) {
    st = CloseCurrent();
    if (st.ok()) st = OpenNewFile(hi + 1);
  }
  lk.lock();
  if (old_bytes > 0) closed_.push_back({old_path, hi, old_bytes});
  if (!st.ok()) error_ = st;
  ReleaseWriter(lk);
  if (!st.ok()) return st;
  return hi;
}

Status Wal::DeleteUpTo(uint64_t seq) {
  std::vector<std::string> doomed;
  {
    std::lock_guard lk(mu_);
    auto it = closed_.begin();
    while (it != closed_.end()) {
      if (it->max_seq <= seq) {
        doomed.push_back(it->path);
        it = closed_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const auto& p : doomed) INFERSCOPE_RETURN_IF_ERROR(RemoveFile(p));
  if (!doomed.empty()) INFERSCOPE_RETURN_IF_ERROR(SyncDir(dir_));
  return Status::Ok();
}

Status Wal::Sync() {
  std::unique_lock lk(mu_);
  AcquireWriter(lk);
  lk.unlock();
  Status st = SyncFd(fd_, path_);
  lk.lock();
  if (!st.ok()) error_ = st;
  ReleaseWriter(lk);
  return st;
}

void Wal::SyncLoop() {
  std::unique_lock lk(mu_);
  while (!stop_) {
    cv_.wait_for(lk, std::chrono::nanoseconds(options_.fsync.interval_ns), [&] { return stop_; });
    if (stop_) break;
    cv_.wait(lk, [&] { return !busy_ || stop_; });
    if (stop_) break;
    busy_ = true;
    lk.unlock();
    Status st = SyncFd(fd_, path_);
    lk.lock();
    if (!st.ok()) error_ = st;
    ReleaseWriter(lk);
  }
}

uint64_t Wal::last_seq() const {
  std::lock_guard lk(mu_);
  return acked_seq_;
}

uint64_t Wal::bytes() const {
  std::lock_guard lk(mu_);
  uint64_t n = file_bytes_.load();
  for (const auto& f : closed_) n += f.bytes;
  return n;
}

size_t Wal::file_count() const {
  std::lock_guard lk(mu_);
  return closed_.size() + 1;
}

}  // namespace inferscope
