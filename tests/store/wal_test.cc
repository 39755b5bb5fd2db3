#include "store/wal.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "store/file_util.h"
#include "store/wal_reader.h"
#include "store_test_util.h"

namespace inferscope {
namespace {

using testing::TempDir;

struct Replayed {
  std::vector<std::pair<uint64_t, std::string>> records;
  Wal::ReplayFn Fn() {
    return [this](uint64_t seq, std::string_view payload) {
      records.emplace_back(seq, std::string(payload));
      return Status::Ok();
    };
  }
};

std::vector<std::string> WalFiles(const std::string& dir) {
  auto names = ListFiles(dir, "wal-", ".log");
  return names.ok() ? *names : std::vector<std::string>{};
}

TEST(WalTest, ReplaysAcknowledgedRecordsAfterReopen) {
  TempDir dir;
  {
    Replayed r;
    auto wal = Wal::Open(dir.path(), WalOptions{}, 0, r.Fn(), nullptr);
    ASSERT_TRUE(wal.ok()) << wal.status().ToString();
    EXPECT_TRUE(r.records.empty());
    for (int i = 1; i <= 3; ++i) {
      auto seq = (*wal)->Append("payload" + std::to_string(i));
      ASSERT_TRUE(seq.ok());
      EXPECT_EQ(*seq, static_cast<uint64_t>(i));
    }
  }
  Replayed r;
  WalRecovery rec;
  auto wal = Wal::Open(dir.path(), WalOptions{}, 0, r.Fn(), &rec);
  ASSERT_TRUE(wal.ok());
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.records[2], (std::pair<uint64_t, std::string>{3, "payload3"}));
  EXPECT_EQ(rec.dropped_bytes, 0u);
  EXPECT_EQ(rec.last_seq, 3u);
  auto next = (*wal)->Append("x");
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, 4u);
}

TEST(WalTest, SkipsRecordsAtOrBelowTheFlushedSequence) {
  TempDir dir;
  {
    auto wal = Wal::Open(dir.path(), WalOptions{}, 0, Replayed().Fn(), nullptr);
    ASSERT_TRUE(wal.ok());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE((*wal)->Append("p").ok());
  }
  Replayed r;
  WalRecovery rec;
  auto wal = Wal::Open(dir.path(), WalOptions{}, 3, r.Fn(), &rec);
  ASSERT_TRUE(wal.ok());
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0].first, 4u);
  EXPECT_EQ(rec.records_skipped, 3u);
}

TEST(WalTest, TruncatesATornTailAndReportsTheDroppedBytes) {
  TempDir dir;
  {
    auto wal = Wal::Open(dir.path(), WalOptions{}, 0, Replayed().Fn(), nullptr);
    ASSERT_TRUE(wal.ok());
    ASSERT_TRUE((*wal)->Append("first").ok());
    ASSERT_TRUE((*wal)->Append("second").ok());
  }
  auto files = WalFiles(dir.path());
  ASSERT_EQ(files.size(), 1u);
  const std::string path = dir.path() + "/" + files[0];
  // Simulate a crash in the middle of writing a third record: half a header and payload.
  std::string torn;
  AppendWalRecord(3, "third-record", &torn);
  {
    std::ofstream f(path, std::ios::app | std::ios::binary);
    f.write(torn.data(), 20);
  }
  const uint64_t size_before = *FileSize(path);
  Replayed r;
  WalRecovery rec;
  auto wal = Wal::Open(dir.path(), WalOptions{}, 0, r.Fn(), &rec);
  ASSERT_TRUE(wal.ok());
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(rec.dropped_bytes, 20u);
  ASSERT_EQ(rec.problems.size(), 1u);
  EXPECT_NE(rec.problems[0].find(files[0]), std::string::npos);
  EXPECT_EQ(*FileSize(path), size_before - 20);
  // New appends continue after the recovered sequence; a second reopen sees all three.
  ASSERT_TRUE((*wal)->Append("third").ok());
  wal->reset();
  Replayed again;
  WalRecovery rec2;
  ASSERT_TRUE(Wal::Open(dir.path(), WalOptions{}, 0, again.Fn(), &rec2).ok());
  ASSERT_EQ(again.records.size(), 3u);
  EXPECT_EQ(again.records[2], (std::pair<uint64_t, std::string>{3, "third"}));
  EXPECT_EQ(rec2.dropped_bytes, 0u);
}

TEST(WalTest, RotatesBySizeAndDeletesFilesCoveredByAFlush) {
  TempDir dir;
  WalOptions options;
  options.max_file_bytes = 100;
  auto wal = Wal::Open(dir.path(), options, 0, Replayed().Fn(), nullptr);
  ASSERT_TRUE(wal.ok());
  const std::string payload(60, 'x');
  for (int i = 0; i < 6; ++i) ASSERT_TRUE((*wal)->Append(payload).ok());
  // 76-byte records, rotation after each file passes 100 bytes: 2 records per file.
  EXPECT_EQ(WalFiles(dir.path()).size(), 4u);
  ASSERT_TRUE((*wal)->DeleteUpTo(4).ok());
  EXPECT_EQ(WalFiles(dir.path()).size(), 2u);
  auto hi = (*wal)->Rotate();
  ASSERT_TRUE(hi.ok());
  EXPECT_EQ(*hi, 6u);
  ASSERT_TRUE((*wal)->DeleteUpTo(6).ok());
  EXPECT_EQ(WalFiles(dir.path()).size(), 1u);  // the fresh, empty current file
  wal->reset();
  Replayed r;
  ASSERT_TRUE(Wal::Open(dir.path(), options, 6, r.Fn(), nullptr).ok());
  EXPECT_TRUE(r.records.empty());
}

TEST(WalTest, ConcurrentAppendersGetDistinctSequencesAndAllSurvive) {
  for (auto policy :
       {FsyncPolicy::Always(), FsyncPolicy::Never(), FsyncPolicy::Interval(2 * kNanosPerMilli)}) {
    TempDir dir;
    WalOptions options;
    options.fsync = policy;
    options.max_file_bytes = 4096;
    constexpr int kThreads = 4;
    constexpr int kPerThread = 100;
    std::vector<std::vector<uint64_t>> seqs(kThreads);
    {
      auto wal = Wal::Open(dir.path(), options, 0, Replayed().Fn(), nullptr);
      ASSERT_TRUE(wal.ok());
      std::vector<std::thread> threads;
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
          for (int i = 0; i < kPerThread; ++i) {
            auto s = (*wal)->Append(std::to_string(t) + ":" + std::to_string(i));
            if (s.ok()) seqs[t].push_back(*s);
          }
        });
      }
      for (auto& th : threads) th.join();
    }
    Replayed r;
    ASSERT_TRUE(Wal::Open(dir.path(), options, 0, r.Fn(), nullptr).ok());
    ASSERT_EQ(r.records.size(), static_cast<size_t>(kThreads * kPerThread))
        << FormatFsyncPolicy(policy);
    for (size_t i = 0; i < r.records.size(); ++i) EXPECT_EQ(r.records[i].first, i + 1);
    // Each thread's records appear in its own order with the sequence it was given.
    std::map<uint64_t, std::string> by_seq(r.records.begin(), r.records.end());
    for (int t = 0; t < kThreads; ++t) {
      ASSERT_EQ(seqs[t].size(), static_cast<size_t>(kPerThread));
      for (int i = 0; i < kPerThread; ++i) {
        EXPECT_EQ(by_seq[seqs[t][i]], std::to_string(t) + ":" + std::to_string(i));
      }
    }
  }
}

TEST(WalTest, RejectsPayloadsOverTheRecordLimit) {
  TempDir dir;
  auto wal = Wal::Open(dir.path(), WalOptions{}, 0, Replayed().Fn(), nullptr);
  ASSERT_TRUE(wal.ok());
  std::string big(kMaxWalPayloadBytes + 1, 'x');
  EXPECT_EQ((*wal)->Append(big).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE((*wal)->Append("small").ok());  // not sticky: nothing was written
}

TEST(WalTest, AReplayErrorFailsOpen) {
  TempDir dir;
  {
    auto wal = Wal::Open(dir.path(), WalOptions{}, 0, Replayed().Fn(), nullptr);
    ASSERT_TRUE(wal.ok());
    ASSERT_TRUE((*wal)->Append("p").ok());
  }
  auto wal = Wal::Open(
      dir.path(), WalOptions{}, 0,
      [](uint64_t, std::string_view) { return Status::DataLoss("undecodable"); }, nullptr);
  EXPECT_EQ(wal.status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace inferscope
