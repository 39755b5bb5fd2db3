#include "ingest/log_reader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "log_temp_dir.h"
#include "test_sink.h"

namespace inferscope {
namespace {

namespace fs = std::filesystem;
using testing::CollectingSink;

using TempDir = testing::LogTempDir;

std::string Gzip(const std::string& data) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string Zstd(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

std::string Line(int i) {
  return R"({"timestamp":1714564800,"model":"m","request_id":"r)" + std::to_string(i) + "\"}";
}

// n good lines, with line k (1-based) made malformed for every k in bad.
std::string Lines(int n, const std::vector<int>& bad = {}, const std::string& eol = "\n") {
  std::string s;
  for (int i = 1; i <= n; ++i) {
    bool is_bad = std::find(bad.begin(), bad.end(), i) != bad.end();
    s += (is_bad ? std::string(R"({"timestamp":1714564800,"model":)") : Line(i)) + eol;
  }
  return s;
}

struct ReadOutput {
  Status status;
  LogReadStats stats;
  RejectLog rejects{100};
  std::vector<std::string> request_ids;
};

ReadOutput ReadFiles(const std::vector<std::string>& files, size_t chunk_bytes = 8 << 20) {
  LogReaderOptions options;
  options.chunk_bytes = chunk_bytes;
  LogReader reader(options);
  CollectingSink sink;
  ReadOutput out;
  out.status = reader.Read(files, sink, out.rejects, &out.stats);
  for (const auto& e : sink.events) out.request_ids.push_back(e.request_id);
  return out;
}

std::vector<uint64_t> RejectLines(const RejectLog& log) {
  std::vector<uint64_t> lines;
  for (const RecordReject& r : log.first()) lines.push_back(r.line);
  return lines;
}

TEST(LogReaderTest, KeepsExactLineNumbersAcrossTinyChunks) {
  TempDir dir;
  std::string file = dir.File("a.jsonl", Lines(40, {3, 17, 40}));
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{64}, size_t{1000}, size_t{8} << 20}) {
    ReadOutput out = ReadFiles({file}, chunk);
    ASSERT_TRUE(out.status.ok()) << out.status.ToString();
    EXPECT_EQ(out.stats.lines, 40u) << chunk;
    EXPECT_EQ(out.stats.accepted, 37u) << chunk;
    EXPECT_EQ(out.stats.rejected, 3u) << chunk;
    EXPECT_EQ(RejectLines(out.rejects), (std::vector<uint64_t>{3, 17, 40})) << chunk;
    ASSERT_EQ(out.request_ids.size(), 37u);
    EXPECT_EQ(out.request_ids[2], "r4");
  }
}

TEST(LogReaderTest, ReadsFilesEndingExactlyAtAPageBoundary) {
  // A mapped file needs readable padding after its last byte, also when that byte ends a
  // page; the last line has no '\n' and sits right at the end.
  TempDir dir;
  for (size_t size : {size_t{4096}, size_t{8192}, size_t{4095}, size_t{4097}}) {
    std::string text;
    while (text.size() + 200 < size) text += Line(static_cast<int>(text.size() % 7)) + "\n";
    std::string last = Line(9);
    last.insert(last.size() - 1,
                ",\"user\":\"" + std::string(size - text.size() - last.size() - 10, 'u') + "\"");
    text += last;
    ASSERT_EQ(text.size(), size);
    ReadOutput out = ReadFiles({dir.File("p" + std::to_string(size) + ".jsonl", text)});
    ASSERT_TRUE(out.status.ok());
    EXPECT_EQ(out.stats.rejected, 0u) << size;
    EXPECT_EQ(out.stats.bytes, size);
    ASSERT_FALSE(out.request_ids.empty());
    EXPECT_EQ(out.request_ids.back(), "r9") << size;
  }
}

TEST(LogReaderTest, ParsesLinesLongerThanTheChunk) {
  TempDir dir;
  std::string long_line =
      R"({"timestamp":1714564800,"model":"m","user":")" + std::string(100000, 'u') + "\"}";
  std::string file = dir.File("a.jsonl", Line(1) + "\n" + long_line + "\n" + Line(3));
  ReadOutput out = ReadFiles({file}, 100);
  ASSERT_TRUE(out.status.ok());
  EXPECT_EQ(out.stats.accepted, 3u);
  EXPECT_EQ(out.request_ids.back(), "r3");  // last line without '\n'
}

TEST(LogReaderTest, ReadsCrlfLineEndings) {
  TempDir dir;
  std::string file = dir.File("a.jsonl", Lines(10, {5}, "\r\n"));
  ReadOutput out = ReadFiles({file}, 13);
  EXPECT_EQ(out.stats.accepted, 9u);
  EXPECT_EQ(RejectLines(out.rejects), (std::vector<uint64_t>{5}));
}

TEST(LogReaderTest, ReadsAnEmptyFileAsNoLines) {
  TempDir dir;
  std::string file = dir.File("empty.jsonl", "");
  ReadOutput out = ReadFiles({file});
  EXPECT_TRUE(out.status.ok());
  EXPECT_EQ(out.stats.lines, 0u);
  EXPECT_EQ(out.stats.bytes, 0u);
  EXPECT_EQ(out.stats.sources, std::vector<std::string>{file});
}

TEST(LogReaderTest, DecompressesGzipAndZstdByName) {
  TempDir dir;
  std::string text = Lines(500, {250});
  std::string gz = dir.File("a.jsonl.gz", Gzip(text));
  std::string zst = dir.File("b.log.zst", Zstd(text));
  for (size_t chunk : {size_t{10}, size_t{4096}, size_t{8} << 20}) {
    ReadOutput out = ReadFiles({gz, zst}, chunk);
    ASSERT_TRUE(out.status.ok()) << out.status.ToString();
    EXPECT_EQ(out.stats.accepted, 998u);
    EXPECT_EQ(out.stats.bytes, 2 * text.size());
    EXPECT_EQ(RejectLines(out.rejects), (std::vector<uint64_t>{250, 250}));
    EXPECT_EQ(out.rejects.first()[0].source, gz);
    EXPECT_EQ(out.rejects.first()[1].source, zst);
  }
}

TEST(LogReaderTest, ReadsConcatenatedGzipMembersAndZstdFrames) {
  TempDir dir;
  std::string part1 = Lines(3), part2 = Line(4) + "\n" + Line(5) + "\n";
  std::string gz = dir.File("cat.jsonl.gz", Gzip(part1) + Gzip(part2));
  std::string zst = dir.File("cat.jsonl.zst", Zstd(part1) + Zstd(part2));
  for (const std::string& f : {gz, zst}) {
    ReadOutput out = ReadFiles({f}, 16);
    ASSERT_TRUE(out.status.ok()) << out.status.ToString();
    EXPECT_EQ(out.request_ids, (std::vector<std::string>{"r1", "r2", "r3", "r4", "r5"}));
  }
}

TEST(LogReaderTest, ReportsTruncatedCompressedStreamsAsDataLossKeepingEarlierRecords) {
  TempDir dir;
  // Incompressible payloads, so half the compressed bytes hold whole blocks of lines.
  std::string text;
  uint64_t x = 88172645463325252ULL;
  for (int i = 1; i <= 5000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    text += R"({"timestamp":1714564800,"model":"m","trace_id":")" + std::to_string(x) + "\"}\n";
  }
  std::string gz_bytes = Gzip(text), zst_bytes = Zstd(text);
  std::string gz = dir.File("t.jsonl.gz", gz_bytes.substr(0, gz_bytes.size() / 2));
  std::string zst = dir.File("t.jsonl.zst", zst_bytes.substr(0, zst_bytes.size() / 2));
  for (const std::string& f : {gz, zst}) {
    ReadOutput out = ReadFiles({f}, 4096);
    EXPECT_EQ(out.status.code(), StatusCode::kDataLoss) << f;
    EXPECT_NE(out.status.message().find(f), std::string::npos) << out.status.message();
    EXPECT_GT(out.stats.accepted, 0u) << f;
    EXPECT_LT(out.stats.accepted, 5000u) << f;
    EXPECT_EQ(out.stats.rejected, 0u) << "the torn last line is dropped, not rejected";
  }
}

TEST(LogReaderTest, ReportsCorruptGzipAsDataLoss) {
  TempDir dir;
  std::string bytes = Gzip(Lines(100));
  for (size_t i = 20; i < 40; ++i) bytes[i] = static_cast<char>(bytes[i] ^ 0x5a);
  std::string gz = dir.File("bad.jsonl.gz", bytes);
  ReadOutput out = ReadFiles({gz});
  EXPECT_EQ(out.status.code(), StatusCode::kDataLoss);
  EXPECT_NE(out.status.message().find("bad.jsonl.gz"), std::string::npos);
}

TEST(LogReaderTest, StopsAtAMissingFileKeepingWhatWasRead) {
  TempDir dir;
  std::string good = dir.File("a.jsonl", Lines(2));
  std::string missing = (dir.path() / "nope.jsonl").string();
  ReadOutput out = ReadFiles({good, missing});
  EXPECT_EQ(out.status.code(), StatusCode::kNotFound);
  EXPECT_EQ(out.status.message(), "no such file or directory: " + missing);
  EXPECT_EQ(out.stats.accepted, 2u);
}

TEST(LogReaderTest, SniffsCompressionOnStdin) {
  TempDir dir;
  std::string text = Lines(20, {7});
  for (const std::string& bytes : {text, Gzip(text), Zstd(text)}) {
    std::string file = dir.File("stdin.bin", bytes);
    int saved = ::dup(STDIN_FILENO);
    int fd = ::open(file.c_str(), O_RDONLY);
    ASSERT_GE(fd, 0);
    ::dup2(fd, STDIN_FILENO);
    ::close(fd);
    ReadOutput out = ReadFiles({"-"}, 50);
    ::dup2(saved, STDIN_FILENO);
    ::close(saved);
    ASSERT_TRUE(out.status.ok()) << out.status.ToString();
    EXPECT_EQ(out.stats.accepted, 19u);
    EXPECT_EQ(RejectLines(out.rejects), (std::vector<uint64_t>{7}));
    EXPECT_EQ(out.rejects.first()[0].source, "-");
  }
}

TEST(LogReaderTest, ReportsProgressEndingAtTheTotalOnDisk) {
  TempDir dir;
  std::string a = dir.File("a.jsonl", Lines(100));
  std::string b = dir.File("b.jsonl.gz", Gzip(Lines(100)));
  uint64_t total_on_disk = fs::file_size(a) + fs::file_size(b);
  LogReader reader;
  CollectingSink sink;
  RejectLog rejects;
  LogReadStats stats;
  uint64_t last_done = 0, last_total = 0;
  int calls = 0;
  Status st = reader.Read({a, b}, sink, rejects, &stats, [&](uint64_t done, uint64_t total) {
    EXPECT_GE(done, last_done);
    last_done = done;
    last_total = total;
    ++calls;
  });
  ASSERT_TRUE(st.ok());
  EXPECT_GE(calls, 2);
  EXPECT_EQ(last_done, total_on_disk);
  EXPECT_EQ(last_total, total_on_disk);
  EXPECT_EQ(stats.sources, (std::vector<std::string>{a, b}));
  EXPECT_EQ(stats.accepted, 200u);
}

TEST(LogReaderTest, ExpandsDirectoriesRecursivelyInSortedOrder) {
  TempDir dir;
  dir.File("b.jsonl", "");
  dir.File("a/z.ndjson.gz", "");
  dir.File("a/y.json", "");
  dir.File("c.log.zst", "");
  dir.File("notes.txt", "");
  dir.File("a/data.csv", "");
  dir.File("x.jsonl.bz2", "");
  std::string root = dir.path().string();
  Result<std::vector<std::string>> files = LogReader::ExpandPaths({root, "-"});
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(*files, (std::vector<std::string>{root + "/a/y.json", root + "/a/z.ndjson.gz",
                                              root + "/b.jsonl", root + "/c.log.zst", "-"}));
}

TEST(LogReaderTest, TakesAnExplicitFileAsIsWhateverItsName) {
  TempDir dir;
  std::string f = dir.File("requests.txt", "");
  Result<std::vector<std::string>> files = LogReader::ExpandPaths({f});
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(*files, std::vector<std::string>{f});
}

TEST(LogReaderTest, RejectsMissingPathsAndDirectoriesWithoutLogs) {
  TempDir dir;
  std::string missing = (dir.path() / "missing").string();
  Result<std::vector<std::string>> r = LogReader::ExpandPaths({missing});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "no such file or directory: " + missing);

  dir.File("sub/readme.md", "");
  r = LogReader::ExpandPaths({dir.path().string()});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("no log files (*.jsonl"), std::string::npos);
  EXPECT_NE(r.status().message().find(dir.path().string()), std::string::npos);
}

}  // namespace
}  // namespace inferscope
