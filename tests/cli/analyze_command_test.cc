// End-to-end tests of `inferscope analyze`: the real binary on real files.
#include "cli/analyze_command.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "cli_runner.h"

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

}  // namespace
}  // namespace inferscope
