// End-to-end tests of `inferscope analyze`: the real binary on real files.
#include "cli/analyze_command.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "cli_runner.h"
#include "support/json_near.h"

namespace inferscope {
namespace {

using testing::CliResult;
using testing::ReadFile;
using testing::RunCli;
using testing::TempDir;
using testing::WriteFile;

const char kGood1[] =
    R"({"timestamp":"2026-01-05T00:00:00Z","request_id":"a1","model":"m1","status":"ok","latency_ms":100,"cost_usd":0.01})";
const char kGood2[] =
    R"({"timestamp":"2026-01-05T00:00:01Z","request_id":"a2","model":"m2","status":"error","latency_ms":300,"cost_usd":0.02})";
const char kGood3[] =
    R"({"timestamp":"2026-01-05T00:10:00Z","request_id":"a3","model":"m1","status":"ok","latency_ms":200,"cost_usd":0.03})";

std::string Lines(std::initializer_list<const char*> lines) {
  std::string s;
  for (const char* l : lines) s.append(l).append("\n");
  return s;
}

size_t CountLines(const std::string& s) { return std::count(s.begin(), s.end(), '\n'); }

TEST(AnalyzeCommandTest, MissingFileIsAOneLineErrorWithExitCode2) {
  CliResult r = RunCli("analyze /nonexistent/requests.jsonl");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(CountLines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("/nonexistent/requests.jsonl"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(AnalyzeCommandTest, EmptyFileIsAOneLineErrorWithExitCode2) {
  TempDir d;
  WriteFile(d / "empty.jsonl", "");
  CliResult r = RunCli("analyze " + (d / "empty.jsonl"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(CountLines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("empty"), std::string::npos) << r.err;
}

TEST(AnalyzeCommandTest, DirectoryWithoutLogsIsAOneLineErrorWithExitCode2) {
  TempDir d;
  WriteFile(d / "notes.txt", "hello\n");
  CliResult r = RunCli("analyze " + d.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(CountLines(r.err), 1u) << r.err;
}

TEST(AnalyzeCommandTest, AllLinesRejectedIsAnErrorThatShowsTheFirstReason) {
  TempDir d;
  WriteFile(d / "bad.jsonl", "not json\n{\"model\":\"m\"}\n");
  CliResult r = RunCli("analyze " + (d / "bad.jsonl"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.jsonl:1"), std::string::npos) << r.err;
}

TEST(AnalyzeCommandTest, BadLinesAreReportedAndGoodNeighboursKept) {
  TempDir d;
  WriteFile(
      d / "mixed.jsonl",
      Lines({kGood1, "{broken", kGood2,
             R"({"timestamp":"2026-01-05T00:00:02Z","model":"m1","latency_ms":"fast"})", kGood3}));
  CliResult r = RunCli("analyze " + (d / "mixed.jsonl") + " --format json");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"total_requests\": 3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"rejected\": 2"), std::string::npos);
  EXPECT_NE(r.err.find("2 of 5 lines rejected"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("mixed.jsonl:2"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("latency_ms"), std::string::npos);

  CliResult strict = RunCli("analyze " + (d / "mixed.jsonl") + " --format json --strict");
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_EQ(strict.out, r.out);  // the analysis is still printed
}

TEST(AnalyzeCommandTest, UsageErrorsExitWith2) {
  TempDir d;
  WriteFile(d / "ok.jsonl", Lines({kGood1}));
  const std::string f = d / "ok.jsonl";
  for (const std::string& args : std::vector<std::string>{
           "analyze", "analyze " + f + " --format yaml", "analyze " + f + " --where 'latency>5'",
           "analyze " + f + " --where 'latency_ms>>5'", "analyze " + f + " --investigate",
           "analyze " + f + " --from 2026-13-01", "analyze " + f + " --window 5x",
           "analyze " + f + " --status broken", "analyze " + f + " --map nonsense=x",
           "analyze " + f + " --no-such-flag", "frobnicate"}) {
    CliResult r = RunCli(args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_FALSE(r.err.empty()) << args;
  }
}

TEST(AnalyzeCommandTest, HelpAndVersionExitWith0) {
  EXPECT_EQ(RunCli("--help").exit_code, 0);
  CliResult r = RunCli("analyze --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--investigate"), std::string::npos);
  CliResult v = RunCli("version");
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find("inferscope "), std::string::npos);
}

TEST(AnalyzeCommandTest, ReadsStdinAndGzipAndDirectoriesAlike) {
  TempDir d;
  WriteFile(d / "a.jsonl", Lines({kGood1, kGood2, kGood3}));
  ASSERT_EQ(
      std::system(("gzip -c '" + (d / "a.jsonl") + "' > '" + (d / "b.jsonl.gz") + "'").c_str()), 0);
  CliResult from_stdin = RunCli("analyze - --format csv --csv-section summary", d / "a.jsonl");
  CliResult from_gz =
      RunCli("analyze " + (d / "b.jsonl.gz") + " --format csv --csv-section summary");
  EXPECT_EQ(from_stdin.exit_code, 0) << from_stdin.err;
  EXPECT_EQ(from_gz.exit_code, 0) << from_gz.err;
  // Identical but for the source name.
  auto without_sources = [](std::string s) {
    size_t at = s.find("input.sources[0],");
    return s.erase(at, s.find('\n', at) - at);
  };
  EXPECT_NE(from_stdin.out.find("input.sources[0],-"), std::string::npos);
  EXPECT_EQ(without_sources(from_stdin.out), without_sources(from_gz.out));
  CliResult dir = RunCli("analyze " + d.path() + " --format json");
  EXPECT_EQ(dir.exit_code, 0) << dir.err;
  EXPECT_NE(dir.out.find("\"total_requests\": 6"), std::string::npos);
}

TEST(AnalyzeCommandTest, FiltersAndExportCsvAgree) {
  TempDir d;
  WriteFile(d / "a.jsonl", Lines({kGood1, kGood2, kGood3}));
  CliResult r =
      RunCli("analyze " + (d / "a.jsonl") +
             " --format json --model m1 --where 'latency_ms>=150' --export-csv " + (d / "out.csv"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"total_requests\": 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"filtered_out\": 2"), std::string::npos);
  std::string csv = ReadFile(d / "out.csv");
  EXPECT_EQ(CountLines(csv), 2u) << csv;  // header + a3
  EXPECT_NE(csv.find("a3"), std::string::npos);

  CliResult t = RunCli("analyze " + (d / "a.jsonl") +
                       " --format json --from 2026-01-05T00:00:01Z --to 2026-01-05T00:05:00Z");
  EXPECT_NE(t.out.find("\"total_requests\": 1"), std::string::npos) << t.out;
}

TEST(AnalyzeCommandTest, WritesASelfContainedHtmlReport) {
  TempDir d;
  WriteFile(d / "a.jsonl", Lines({kGood1, kGood2, kGood3}));
  CliResult r = RunCli("analyze " + (d / "a.jsonl") + " --report " + (d / "r.html"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string html = ReadFile(d / "r.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
}

TEST(AnalyzeCommandTest, UnwritableOutputIsAnError) {
  TempDir d;
  WriteFile(d / "a.jsonl", Lines({kGood1}));
  CliResult r = RunCli("analyze " + (d / "a.jsonl") + " -o /nonexistent/dir/out.json");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/nonexistent/dir/out.json"), std::string::npos);
}

TEST(AnalyzeCommandTest, ThreadCountFollowsTheFlagTheHardwareAndTheInput) {
  constexpr uint64_t kBig = uint64_t{1} << 30;
  EXPECT_EQ(AnalyzeThreads(0, 8, kBig, true, false), 8u);
  EXPECT_EQ(AnalyzeThreads(0, 64, kBig, true, false), AnalyzeFlags::kMaxAutoThreads);
  EXPECT_EQ(AnalyzeThreads(0, 0, kBig, true, false), 1u);  // hardware count unknown
  EXPECT_EQ(AnalyzeThreads(0, 8, AnalyzeFlags::kMinParallelBytes - 1, true, false), 1u);
  EXPECT_EQ(AnalyzeThreads(4, 2, 100, true, false), 4u);  // asked for: even a small input
  EXPECT_EQ(AnalyzeThreads(100'000, 2, kBig, true, false), AnalyzeFlags::kMaxThreads);
  EXPECT_EQ(AnalyzeThreads(4, 8, kBig, false, false), 1u);  // stdin, .gz, .zst
  EXPECT_EQ(AnalyzeThreads(4, 8, kBig, true, true), 1u);    // --export-csv or --series-by
  EXPECT_EQ(AnalyzeThreads(1, 8, kBig, true, false), 1u);
}

// A generated multi-model log (the demo's traffic, under the 50k rows Spearman samples, so it
// is exact too) with rejected lines sprinkled in, across two files.
class ThreadsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const std::string raw = (*dir_) / "raw.jsonl";
    CliResult gen = RunCli("demo --duration 3h --rps 4 --seed 7 --incidents all --out " + raw);
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    const std::string text = ReadFile(raw);
    std::string a, b;
    size_t line = 0;
    for (size_t pos = 0; pos < text.size(); ++line) {
      const size_t end = text.find('\n', pos);
      const std::string l = text.substr(pos, end - pos + 1);
      std::string& out = line < 12'000 ? a : b;
      if (line % 997 == 13) out += "{\"timestamp\": not-json\n";
      if (line % 1499 == 7)
        out += "{\"timestamp\":1767225600,\"model\":\"x\",\"latency_ms\":\"slow\"}\r\n";
      out += l;
      pos = end + 1;
    }
    WriteFile((*dir_) / "a.jsonl", a);
    WriteFile((*dir_) / "b.jsonl", b);
    files_ = (*dir_) / "a.jsonl" + " " + (*dir_) / "b.jsonl";
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static TempDir* dir_;
  static std::string files_;
};
TempDir* ThreadsTest::dir_ = nullptr;
std::string ThreadsTest::files_;

TEST_F(ThreadsTest, FourThreadsGiveTheOneThreadReport) {
  // Anomaly explanations cite dimension shares from a 1-in-16 sample that restarts in each
  // thread's part, so they are compared with detection off; everything else is compared
  // whole: counts, percentiles, top-k outliers and rejects (with file:line) exactly, sums,
  // means and correlations within 1e-9.
  for (const char* max_errors : {"7", "40"}) {  // the first 7 in file order; all 38
    const std::string args =
        "analyze " + files_ + " --format json --detectors none --max-errors " + max_errors;
    CliResult one = RunCli(args + " --threads 1");
    ASSERT_EQ(one.exit_code, 0) << one.err;
    for (int threads : {2, 4, 7}) {
      CliResult many = RunCli(args + " --threads " + std::to_string(threads));
      ASSERT_EQ(many.exit_code, 0) << many.err;
      EXPECT_TRUE(inferscope::testing::JsonNear(many.out, one.out, 1e-9))
          << threads << " threads, --max-errors " << max_errors;
      EXPECT_EQ(many.err, one.err);  // "N of M lines rejected; first: FILE:LINE: ..."
    }
  }
  CliResult one = RunCli("analyze " + files_ + " --format json --detectors none --threads 1");
  // The first rejects: inserted before generated lines 7 and 13 of a.jsonl, and in b.jsonl.
  EXPECT_NE(one.out.find("\"line\": 8,"), std::string::npos);
  EXPECT_NE(one.out.find("\"line\": 15,"), std::string::npos);
  EXPECT_NE(one.err.find("a.jsonl:8: field 'latency_ms'"), std::string::npos) << one.err;
}

TEST_F(ThreadsTest, FiltersAndDetectionWorkWithThreads) {
  const std::string args =
      "analyze " + files_ + " --format json --model llama-3-8b,mistral-7b --where 'latency_ms>50'";
  CliResult one = RunCli(args + " --threads 1");
  CliResult four = RunCli(args + " --threads 4");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  ASSERT_EQ(four.exit_code, 0) << four.err;
  // Everything before the anomalies (which cite sampled dimension shares) is the same.
  const size_t cut_one = one.out.find("\"anomalies\"");
  const size_t cut_four = four.out.find("\"anomalies\"");
  ASSERT_NE(cut_one, std::string::npos);
  EXPECT_TRUE(inferscope::testing::JsonNear(four.out.substr(0, cut_four),
                                            one.out.substr(0, cut_one), 1e-9));
  EXPECT_EQ(one.out.find("\"filtered_out\": 0,"), std::string::npos) << "the filter dropped some";
}

TEST_F(ThreadsTest, ExportCsvKeepsTheInputOrderWhateverTheThreads) {
  CliResult one =
      RunCli("analyze " + files_ + " --format csv --threads 1 --export-csv " + (*dir_) / "one.csv");
  CliResult four = RunCli("analyze " + files_ + " --format csv --threads 4 --export-csv " +
                          (*dir_) / "four.csv");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  ASSERT_EQ(four.exit_code, 0) << four.err;
  EXPECT_EQ(ReadFile((*dir_) / "four.csv"), ReadFile((*dir_) / "one.csv"));
  EXPECT_EQ(four.out, one.out);
}

}  // namespace
}  // namespace inferscope
