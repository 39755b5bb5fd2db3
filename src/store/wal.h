#ifndef INFERSCOPE_STORE_WAL_H_
#define INFERSCOPE_STORE_WAL_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/result.h"
#include "store/fsync_policy.h"

namespace inferscope {

struct WalOptions {
  FsyncPolicy fsync = FsyncPolicy::Always();
  // A file past this size is closed and a new one started (after the write that crossed it).
  uint64_t max_file_bytes = uint64_t{64} << 20;
};

// What Open found on disk.
struct WalRecovery {
  size_t files = 0;
  size_t records_replayed = 0;        // seq > after_seq, handed to the replay callback
  size_t records_skipped = 0;         // seq <= after_seq (already in segments)
  uint64_t dropped_bytes = 0;         // torn / corrupt tails truncated away
  std::vector<std::string> problems;  // one line per truncated file: name, offset, reason
  uint64_t last_seq = 0;
};

// A write-ahead log of framed, CRC-checked records (docs/format/wal.md) in files
// `<dir>/wal-<first seq, 16 hex digits>.log`.
//
// Group commit: Append is thread-safe; concurrent callers queue their records in one buffer
// and whoever finds the log idle becomes the leader, writes the whole buffer with one
// write(2) and (policy `always`) one fdatasync, then wakes the others. Append returns only
// once its record is acknowledged under the policy (see FsyncPolicy). After an I/O error
// the log refuses every later Append (the error is sticky): what reached the disk is unknown.
class Wal {
 public:
  using ReplayFn = std::function<Status(uint64_t seq, std::string_view payload)>;

  // Opens (creating) `dir`, replays every record with seq > after_seq through `replay` in
  // sequence order, truncates a torn or corrupt tail (reported in `recovery`), deletes files
  // holding only records <= after_seq, and starts a fresh file for appends.
  // A replay callback error aborts Open with that error.
  static Result<std::unique_ptr<Wal>> Open(const std::string& dir, const WalOptions& options,
                                           uint64_t after_seq, const ReplayFn& replay,
                                           WalRecovery* recovery);
  ~Wal();
  Wal(const Wal&) = delete;
  Wal& operator=(const Wal&) = delete;

  // Appends one record (payload <= kMaxWalPayloadBytes); returns its sequence number once
  // acknowledged.
  Result<uint64_t> Append(std::string_view payload);
  // Closes the current file and starts a new one. Returns the highest sequence number in
  // the closed files (every record acknowledged so far).
  Result<uint64_t> Rotate();
  // Deletes closed files whose records all have seq <= `seq`.
  Status DeleteUpTo(uint64_t seq);
  // fdatasync of the current file, whatever the policy.
  Status Sync();

  uint64_t last_seq() const;
  // Bytes in the WAL files (closed and current).
  uint64_t bytes() const;
  size_t file_count() const;

 private:
  struct ClosedFile {
    std::string path;
    uint64_t max_seq;
    uint64_t bytes;
  };
  Wal(std::string dir, const WalOptions& options);
  Status OpenNewFile(uint64_t first_seq);  // caller holds the writer role
  Status CloseCurrent();                   // caller holds the writer role
  void AcquireWriter(std::unique_lock<std::mutex>& lk);
  void ReleaseWriter(std::unique_lock<std::mutex>& lk);
  void SyncLoop();

  const std::string dir_;
  const WalOptions options_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool busy_ = false;       // someone holds the writer role (fd_, file state, writing_)
  Status error_;            // sticky
  uint64_t last_seq_ = 0;   // last assigned
  uint64_t acked_seq_ = 0;  // last acknowledged
  std::string pending_;     // framed records not yet written
  uint64_t pending_hi_ = 0;
  std::vector<ClosedFile> closed_;
  bool stop_ = false;

  // Owned by the writer role.
  std::string writing_;
  int fd_ = -1;
  std::string path_;
  std::atomic<uint64_t> file_bytes_{0};  // written by the writer role, read by bytes()

  std::thread sync_thread_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_STORE_WAL_H_
