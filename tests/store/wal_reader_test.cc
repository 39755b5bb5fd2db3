#include "store/wal_reader.h"

#include <gtest/gtest.h>

#include <vector>

namespace inferscope {
namespace {

std::vector<std::pair<uint64_t, std::string>> Collect(std::string_view bytes,
                                                      WalScanResult* result) {
  std::vector<std::pair<uint64_t, std::string>> out;
  *result = ScanWalRecords(bytes, [&](const WalRecordView& r) {
    out.emplace_back(r.seq, std::string(r.payload));
    return Status::Ok();
  });
  return out;
}

TEST(WalReaderTest, ReadsBackRecordsInOrder) {
  std::string log;
  AppendWalRecord(1, "one", &log);
  AppendWalRecord(2, "", &log);
  AppendWalRecord(5, "five", &log);
  WalScanResult r;
  auto recs = Collect(log, &r);
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs[0], (std::pair<uint64_t, std::string>{1, "one"}));
  EXPECT_EQ(recs[1], (std::pair<uint64_t, std::string>{2, ""}));
  EXPECT_EQ(recs[2], (std::pair<uint64_t, std::string>{5, "five"}));
  EXPECT_EQ(r.valid_bytes, log.size());
  EXPECT_TRUE(r.tail_error.empty());
  EXPECT_EQ(log.size(), 3 * kWalHeaderBytes + 7);
}

TEST(WalReaderTest, EveryTornTailKeepsTheCompleteRecordsBeforeIt) {
  std::string log;
  AppendWalRecord(1, "alpha", &log);
  const size_t first_end = log.size();
  AppendWalRecord(2, "beta", &log);
  for (size_t cut = first_end; cut < log.size(); ++cut) {
    WalScanResult r;
    auto recs = Collect(std::string_view(log).substr(0, cut), &r);
    ASSERT_EQ(recs.size(), 1u) << cut;
    EXPECT_EQ(r.valid_bytes, first_end) << cut;
    EXPECT_EQ(r.tail_error.empty(), cut == first_end) << cut;
  }
}

TEST(WalReaderTest, AFlippedBitStopsTheScanAtThatRecord) {
  std::string log;
  AppendWalRecord(1, "alpha", &log);
  const size_t first_end = log.size();
  AppendWalRecord(2, "beta", &log);
  AppendWalRecord(3, "gamma", &log);
  for (size_t i = first_end; i < first_end + kWalHeaderBytes + 4; ++i) {
    std::string bad = log;
    bad[i] ^= 0x10;
    WalScanResult r;
    auto recs = Collect(bad, &r);
    EXPECT_EQ(recs.size(), 1u) << i;
    EXPECT_EQ(r.valid_bytes, first_end) << i;
    EXPECT_FALSE(r.tail_error.empty()) << i;
  }
}

TEST(WalReaderTest, RejectsSequenceNumbersThatDoNotIncrease) {
  std::string log;
  AppendWalRecord(7, "a", &log);
  AppendWalRecord(7, "b", &log);
  WalScanResult r;
  auto recs = Collect(log, &r);
  EXPECT_EQ(recs.size(), 1u);
  EXPECT_NE(r.tail_error.find("sequence"), std::string::npos);
}

TEST(WalReaderTest, ACallbackErrorStopsTheScanBeforeThatRecord) {
  std::string log;
  AppendWalRecord(1, "a", &log);
  AppendWalRecord(2, "b", &log);
  WalScanResult r = ScanWalRecords(log, [](const WalRecordView& v) {
    return v.seq == 2 ? Status::DataLoss("nope") : Status::Ok();
  });
  EXPECT_EQ(r.records, 1u);
  EXPECT_EQ(r.valid_bytes, kWalHeaderBytes + 1);
  EXPECT_EQ(r.callback_status.code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace inferscope
