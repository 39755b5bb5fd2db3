// Golden-file tests: `inferscope analyze` on a small committed fixture
// (tests/data/small_requests.jsonl: 169 demo records and 3 bad lines), compared byte for byte
// with tests/data/golden/analyze_small.*. After an intended change, regenerate with
//   INFERSCOPE_UPDATE_GOLDEN=1 build-asan/bin/cli_tests --gtest_filter='AnalyzeGolden*'
// and review the diff.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "cli_runner.h"

namespace inferscope {
namespace {

using testing::CliResult;
using testing::ReadFile;
using testing::RunCli;
using testing::TempDir;
using testing::WriteFile;

const std::string kFixture = "tests/data/small_requests.jsonl";

void ExpectGolden(const std::string& golden_name, const std::string& actual) {
  const std::string path = std::string(INFERSCOPE_SOURCE_DIR) + "/tests/data/golden/" + golden_name;
  const char* update = std::getenv("INFERSCOPE_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    WriteFile(path, actual);
    GTEST_SKIP() << "rewrote " << path;
  }
  std::string expected = ReadFile(path);
  ASSERT_FALSE(expected.empty()) << "missing golden " << path;
  EXPECT_EQ(actual, expected) << "output differs from " << path;
}

TEST(AnalyzeGoldenTest, JsonMatchesGolden) {
  CliResult r = RunCli("analyze " + kFixture + " --format json --window 15m");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectGolden("analyze_small.json", r.out);
}

TEST(AnalyzeGoldenTest, MarkdownMatchesGolden) {
  CliResult r = RunCli("analyze " + kFixture + " --format markdown");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectGolden("analyze_small.md", r.out);
}

TEST(AnalyzeGoldenTest, TableMatchesGolden) {
  CliResult r = RunCli("analyze " + kFixture + " --color never");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectGolden("analyze_small.txt", r.out);
}

TEST(AnalyzeGoldenTest, CsvModelsMatchGolden) {
  CliResult r = RunCli("analyze " + kFixture + " --format csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectGolden("analyze_small_models.csv", r.out);
}

TEST(AnalyzeGoldenTest, HtmlReportMatchesGolden) {
  TempDir d;
  CliResult r =
      RunCli("analyze " + kFixture + " --window 15m --format json --report " + (d / "r.html"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectGolden("analyze_small.html", ReadFile(d / "r.html"));
}

TEST(AnalyzeGoldenTest, InvestigationMatchesGolden) {
  // The fixture's injected latency spike on llama-3-8b: 00:36:15 - 00:52:11.
  CliResult r = RunCli("analyze " + kFixture +
                       " --format markdown --model llama-3-8b --investigate"
                       " --from 2026-01-05T00:36:15Z --to 2026-01-05T00:52:11Z");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("latency\\_p50\\_ms rose"), std::string::npos) << r.out;
  ExpectGolden("analyze_small_investigation.md", r.out);
}

}  // namespace
}  // namespace inferscope
