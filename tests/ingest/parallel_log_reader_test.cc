#include "ingest/parallel_log_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "log_temp_dir.h"
#include "test_sink.h"

namespace inferscope {
namespace {

namespace fs = std::filesystem;
using testing::CollectingSink;

using TempDir = testing::LogTempDir;

std::string Line(int i, const std::string& extra = "") {
  return "{\"timestamp\":" + std::to_string(1'767'225'600 + i) + ",\"request_id\":\"r" +
         std::to_string(i) + "\",\"model\":\"m" + std::to_string(i % 3) +
         "\",\"latency_ms\":" + std::to_string(10 + i % 17) + extra + "}";
}

// Lines with rejects (bad JSON, a wrong type) and blank lines sprinkled in.
std::string MixedLog(int lines, int first_id, const std::string& eol = "\n") {
  std::string out;
  for (int i = 0; i < lines; ++i) {
    const int id = first_id + i;
    if (id % 7 == 3) {
      out += "{\"timestamp\": oops" + eol;
    } else if (id % 11 == 5) {
      out += "{\"timestamp\":1767225600,\"model\":\"m\",\"latency_ms\":\"slow\"}" + eol;
    } else if (id % 13 == 0) {
      out += eol;
    } else {
      out += Line(id) + eol;
    }
  }
  return out;
}

struct Outcome {
  Status status;
  std::vector<std::string> events;  // request ids, in the order the sinks saw them
  std::vector<size_t> per_sink;
  LogReadStats stats;
  RejectLog rejects{5};
};

Outcome ReadWith(const std::vector<std::string>& files, size_t threads,
                 size_t chunk_bytes = 8 << 20) {
  Outcome o;
  std::vector<std::unique_ptr<CollectingSink>> owned;
  std::vector<EventSink*> sinks;
  for (size_t t = 0; t < threads; ++t)
    sinks.push_back(owned.emplace_back(new CollectingSink).get());
  LogReaderOptions options;
  options.chunk_bytes = chunk_bytes;
  o.status = ParallelLogReader(options).Read(files, sinks, o.rejects, &o.stats);
  for (const auto& s : owned) {
    o.per_sink.push_back(s->events.size());
    for (const auto& e : s->events) o.events.push_back(e.request_id);
  }
  return o;
}

// Everything observable must equal the single-threaded reader's outcome.
void ExpectSameAsOneThread(const std::vector<std::string>& files, size_t threads,
                           size_t chunk_bytes = 8 << 20) {
  const Outcome one = ReadWith(files, 1, chunk_bytes);
  const Outcome many = ReadWith(files, threads, chunk_bytes);
  ASSERT_TRUE(one.status.ok()) << one.status.message();
  ASSERT_TRUE(many.status.ok()) << many.status.message();
  EXPECT_EQ(many.events, one.events) << threads << " threads";
  EXPECT_EQ(many.stats.sources, one.stats.sources);
  EXPECT_EQ(many.stats.bytes, one.stats.bytes);
  EXPECT_EQ(many.stats.lines, one.stats.lines);
  EXPECT_EQ(many.stats.accepted, one.stats.accepted);
  EXPECT_EQ(many.stats.rejected, one.stats.rejected);
  EXPECT_EQ(many.rejects.total(), one.rejects.total());
  ASSERT_EQ(many.rejects.first().size(), one.rejects.first().size());
  for (size_t i = 0; i < one.rejects.first().size(); ++i) {
    EXPECT_EQ(many.rejects.first()[i].source, one.rejects.first()[i].source) << i;
    EXPECT_EQ(many.rejects.first()[i].line, one.rejects.first()[i].line) << i;
    EXPECT_EQ(many.rejects.first()[i].reason, one.rejects.first()[i].reason) << i;
  }
}

TEST(ParallelLogReaderTest, AnyThreadCountGivesTheSingleThreadedEventsStatsAndRejects) {
  TempDir dir;
  // Three files, one of them empty; rejects in every one, so the first five rejects and
  // their line numbers depend on counting the lines of the parts before them.
  const std::vector<std::string> files = {dir.File("a.jsonl", MixedLog(400, 0)),
                                          dir.File("empty.jsonl", ""),
                                          dir.File("b.jsonl", MixedLog(250, 400))};
  for (size_t threads : {2u, 3u, 4u, 7u, 16u}) ExpectSameAsOneThread(files, threads);
  // Small chunks: every part is parsed in several buffers.
  ExpectSameAsOneThread(files, 4, 300);
  const Outcome four = ReadWith(files, 4);
  for (size_t n : four.per_sink) EXPECT_GT(n, 0u);  // the work was spread
  // Rejects are reported in file order with their true line numbers (1-based).
  EXPECT_EQ(four.rejects.first()[0].line, 4u);  // id 3: "oops"
  EXPECT_EQ(four.rejects.first()[1].line, 6u);  // id 5: a string latency
}

TEST(ParallelLogReaderTest, RejectsAtTheEndOfLaterPartsKeepTheirFileLineNumbers) {
  TempDir dir;
  // The only rejects are near the end of the file, in the last part.
  std::string log;
  for (int i = 0; i < 300; ++i) log += Line(i) + "\n";
  log += "not json\n";
  log += Line(300) + "\n";
  log += "[1,2]\n";
  const std::string file = dir.File("late.jsonl", log);
  const Outcome o = ReadWith({file}, 4);
  ASSERT_EQ(o.rejects.total(), 2u);
  EXPECT_EQ(o.rejects.first()[0].line, 301u);
  EXPECT_EQ(o.rejects.first()[1].line, 303u);
  EXPECT_EQ(o.rejects.first()[1].source, file);
}

TEST(ParallelLogReaderTest, ALineLongerThanAPartMovesTheCutPastIt) {
  TempDir dir;
  // The middle line is most of the file, so several cuts fall inside it.
  std::string log;
  for (int i = 0; i < 5; ++i) log += Line(i) + "\n";
  log += Line(5, ",\"user\":\"" + std::string(200'000, 'u') + "\"") + "\n";
  log += "{\"broken\": " + std::string(50'000, ' ') + "\n";
  for (int i = 6; i < 12; ++i) log += Line(i) + "\n";
  const std::string file = dir.File("long.jsonl", log);
  ExpectSameAsOneThread({file}, 4);
  ExpectSameAsOneThread({file}, 8, 1000);
  const Outcome o = ReadWith({file}, 4);
  EXPECT_EQ(o.events.size(), 12u);
  ASSERT_EQ(o.rejects.total(), 1u);
  EXPECT_EQ(o.rejects.first()[0].line, 7u);
}

TEST(ParallelLogReaderTest, AFileWithFewerLinesThanThreadsLeavesSomeSinksIdle) {
  TempDir dir;
  const std::string file = dir.File("two.jsonl", Line(1) + "\n" + Line(2) + "\n");
  ExpectSameAsOneThread({file}, 8);
  const Outcome o = ReadWith({file}, 8);
  EXPECT_EQ(o.events, (std::vector<std::string>{"r1", "r2"}));
  size_t busy = 0;
  for (size_t n : o.per_sink) busy += n > 0 ? 1 : 0;
  EXPECT_LE(busy, 2u);
}

TEST(ParallelLogReaderTest, CrlfLineEndsSplitAndNumberLikeLf) {
  TempDir dir;
  const std::string file = dir.File("crlf.jsonl", MixedLog(300, 0, "\r\n"));
  ExpectSameAsOneThread({file}, 5);
  ExpectSameAsOneThread({file}, 3, 200);
  const Outcome o = ReadWith({file}, 5);
  EXPECT_GT(o.events.size(), 200u);
  EXPECT_EQ(o.rejects.first()[0].line, 4u);
}

TEST(ParallelLogReaderTest, ALastLineWithoutNewlineIsRead) {
  TempDir dir;
  std::string log = MixedLog(100, 0);
  log += Line(1000);  // no '\n'
  const std::string file = dir.File("tail.jsonl", log);
  ExpectSameAsOneThread({file}, 4);
  const Outcome o = ReadWith({file}, 4);
  EXPECT_EQ(o.events.back(), "r1000");
  // And a file that is one line without a newline.
  const std::string single = dir.File("single.jsonl", Line(7));
  ExpectSameAsOneThread({single}, 4);
  EXPECT_EQ(ReadWith({single}, 4).events, std::vector<std::string>{"r7"});
}

TEST(ParallelLogReaderTest, OnlyEmptyFilesAreListedAndYieldNothing) {
  TempDir dir;
  const std::vector<std::string> files = {dir.File("a.jsonl", ""), dir.File("b.jsonl", "")};
  ExpectSameAsOneThread(files, 3);
  const Outcome o = ReadWith(files, 3);
  ASSERT_TRUE(o.status.ok());
  EXPECT_EQ(o.stats.sources, files);
  EXPECT_EQ(o.stats.lines, 0u);
  EXPECT_TRUE(o.events.empty());
}

TEST(ParallelLogReaderTest, CompressedInputIsReadByTheFirstSinkOnly) {
  TempDir dir;
  const std::string plain = MixedLog(50, 0);
  z_stream zs{};
  ASSERT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string gz(deflateBound(&zs, plain.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  zs.avail_in = static_cast<uInt>(plain.size());
  zs.next_out = reinterpret_cast<Bytef*>(gz.data());
  zs.avail_out = static_cast<uInt>(gz.size());
  ASSERT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  gz.resize(zs.total_out);
  deflateEnd(&zs);
  const std::vector<std::string> files = {dir.File("a.jsonl", plain), dir.File("b.jsonl.gz", gz)};
  EXPECT_FALSE(ParallelLogReader::Splittable(files));
  EXPECT_FALSE(ParallelLogReader::Splittable({"-"}));
  EXPECT_TRUE(ParallelLogReader::Splittable({files[0]}));
  const Outcome o = ReadWith(files, 4);
  ASSERT_TRUE(o.status.ok());
  EXPECT_EQ(o.per_sink[0], o.events.size());
  EXPECT_GT(o.events.size(), 0u);
  ExpectSameAsOneThread(files, 4);
}

TEST(ParallelLogReaderTest, AMissingFileIsReportedAsByTheSingleThreadedReader) {
  TempDir dir;
  const std::string ok = dir.File("a.jsonl", MixedLog(10, 0));
  const Outcome o = ReadWith({ok, "/nonexistent/inferscope/x.jsonl"}, 4);
  EXPECT_EQ(o.status.code(), StatusCode::kNotFound);
}

TEST(ParallelLogReaderTest, ProgressIsReportedUpToTheTotal) {
  TempDir dir;
  const std::string file = dir.File("p.jsonl", MixedLog(2000, 0));
  CollectingSink a, b;
  RejectLog rejects;
  uint64_t last_done = 0, last_total = 0;
  int calls = 0;
  Status st = ParallelLogReader().Read({file}, {&a, &b}, rejects, nullptr,
                                       [&](uint64_t done, uint64_t total) {
                                         EXPECT_GE(done, last_done);
                                         last_done = done;
                                         last_total = total;
                                         ++calls;
                                       });
  ASSERT_TRUE(st.ok());
  EXPECT_GE(calls, 1);
  EXPECT_EQ(last_total, fs::file_size(file));
  EXPECT_EQ(last_done, last_total);
}

}  // namespace
}  // namespace inferscope
