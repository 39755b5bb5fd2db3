#include "detect/nab_corpus.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/time_format.h"

namespace inferscope {
namespace {

namespace fs = std::filesystem;

TimestampNs Ts(const char* text) { return ParseIso8601(text).value(); }

TEST(NabCorpusTest, ParsesSeriesCsvWithSpaceSeparatedTimestamps) {
  Result<NabSeries> s = ParseNabSeriesCsv(
      "timestamp,value\r\n2014-04-01 00:00:00,10.5\r\n2014-04-01 00:05:00,-3\r\n\r\n", "x.csv");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->timestamps.size(), 2u);
  EXPECT_EQ(s->timestamps[0], Ts("2014-04-01T00:00:00Z"));
  EXPECT_EQ(s->timestamps[1] - s->timestamps[0], 300'000'000'000);
  EXPECT_EQ(s->values[0], 10.5);
  EXPECT_EQ(s->values[1], -3.0);
}

TEST(NabCorpusTest, ReportsFileAndLineOfAMalformedRow) {
  const char* bad_rows[] = {
      "2014-04-01 00:05:00,abc",  // bad value
      "2014-04-01 00:05:00",      // missing field
      "2014-13-01 00:05:00,1",    // bad timestamp
      "2014-04-01 00:05:00,1,2",  // extra field
      "2014-04-01 00:05:00,nan",  // not finite
  };
  for (const char* row : bad_rows) {
    std::string text = "timestamp,value\n2014-04-01 00:00:00,1\n" + std::string(row) + "\n";
    Result<NabSeries> s = ParseNabSeriesCsv(text, "cat/f.csv");
    ASSERT_FALSE(s.ok()) << row;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.status().message().rfind("cat/f.csv:3: ", 0), 0u) << s.status().message();
  }
}

TEST(NabCorpusTest, RejectsAWrongHeader) {
  Result<NabSeries> s = ParseNabSeriesCsv("time,value\n2014-04-01 00:00:00,1\n", "f.csv");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("f.csv:1:"), std::string::npos);
}

TEST(NabCorpusTest, ParsesWindowsJsonAndSortsWindows) {
  Result<std::map<std::string, std::vector<NabWindow>>> w = ParseNabWindowsJson(R"({
    "a/x.csv": [],
    "b/y.csv": [
      ["2014-04-12 00:00:00.000000", "2014-04-12 01:00:00.000000"],
      ["2014-04-10 07:15:00.000000", "2014-04-11 16:45:00.000000"]
    ]
  })",
                                                                                "windows.json");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_EQ(w->size(), 2u);
  EXPECT_TRUE(w->at("a/x.csv").empty());
  const auto& y = w->at("b/y.csv");
  ASSERT_EQ(y.size(), 2u);
  EXPECT_EQ(y[0].first, Ts("2014-04-10T07:15:00Z"));
  EXPECT_EQ(y[0].second, Ts("2014-04-11T16:45:00Z"));
  EXPECT_EQ(y[1].first, Ts("2014-04-12T00:00:00Z"));
}

TEST(NabCorpusTest, ReportsLineOfMalformedWindowsJson) {
  const char* bad[] = {
      "{\n\"a.csv\": [[\"2014-04-10 07:15:00\"]]\n}",                         // one timestamp
      "{\n\"a.csv\": [[\"2014-04-12 00:00:00\", \"2014-04-10 00:00:00\"]]}",  // start > end
      "{\n\"a.csv\": [[\"yesterday\", \"2014-04-10 00:00:00\"]]}",            // bad time
      "{\n\"a.csv\": [], \"a.csv\": []}",                                     // duplicate
      "{\n\"a.csv\": [[\"2014-04-10 00:00:00\", \"2014-04-12 00:00:00\"],"
      " [\"2014-04-11 00:00:00\", \"2014-04-13 00:00:00\"]]}",  // overlap
      "{\n\"a.csv\": [] ",                                      // unterminated
  };
  for (const char* text : bad) {
    auto w = ParseNabWindowsJson(text, "windows.json");
    ASSERT_FALSE(w.ok()) << text;
    EXPECT_NE(w.status().message().find("windows.json:2:"), std::string::npos)
        << w.status().message();
  }
}

TEST(NabCorpusTest, ParsesDetectorOutputWithExtraColumns) {
  Result<NabScoredSeries> s = ParseNabScoresCsv(
      "timestamp,value,anomaly_score,label\n"
      "2014-04-01 00:00:00,1.5,0.25,0\n"
      "2014-04-01 00:05:00,2,1.0,1\n",
      "r.csv");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->scores.size(), 2u);
  EXPECT_EQ(s->scores[0], 0.25);
  EXPECT_EQ(s->values[1], 2.0);
  Result<NabScoredSeries> missing = ParseNabScoresCsv("timestamp,value\n", "r.csv");
  EXPECT_FALSE(missing.ok());
  Result<NabScoredSeries> bad =
      ParseNabScoresCsv("timestamp,value,anomaly_score\n2014-04-01 00:00:00,1,x\n", "r.csv");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("r.csv:2:"), std::string::npos);
}

TEST(NabCorpusTest, DetectorOutputRoundTripsExactly) {
  NabSeries s;
  s.relative_path = "a/x.csv";
  s.timestamps = {Ts("2014-04-01T00:00:00Z"), Ts("2014-04-01T00:05:00Z")};
  s.values = {0.1, 123456.789};
  const std::vector<double> scores = {1.0 / 3.0, 0.999999965604};
  const std::string text = FormatNabScoresCsv(s, scores);
  EXPECT_EQ(text.substr(0, 50), "timestamp,value,anomaly_score\n2014-04-01 00:00:00,");
  Result<NabScoredSeries> back = ParseNabScoresCsv(text, "x");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->timestamps, s.timestamps);
  EXPECT_EQ(back->values, s.values);
  EXPECT_EQ(back->scores, scores);
}

class NabCorpusDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("nab_corpus_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "b");
    fs::create_directories(dir_ / "a");
    Write("a/z.csv", "timestamp,value\n2014-04-01 00:00:00,1\n2014-04-01 00:05:00,2\n");
    Write("a/m.csv", "timestamp,value\n2014-04-01 00:00:00,3\n");
    Write("b/c.csv", "timestamp,value\n2014-04-01 00:00:00,4\n");
    Write("README.md", "not data");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& rel, const std::string& text) {
    std::ofstream(dir_ / rel, std::ios::binary) << text;
  }

  fs::path dir_;
};

TEST_F(NabCorpusDirTest, LoadsFilesInSortedOrderWithTheirWindows) {
  Write(
      "windows.json",
      R"({"b/c.csv": [], "a/z.csv": [["2014-04-01 00:05:00.000000", "2014-04-01 00:05:00.000000"]],
            "a/m.csv": []})");
  Result<std::vector<NabSeries>> corpus = LoadNabCorpus(dir_.string());
  ASSERT_TRUE(corpus.ok()) << corpus.status().ToString();
  ASSERT_EQ(corpus->size(), 3u);
  EXPECT_EQ((*corpus)[0].relative_path, "a/m.csv");
  EXPECT_EQ((*corpus)[1].relative_path, "a/z.csv");
  EXPECT_EQ((*corpus)[2].relative_path, "b/c.csv");
  ASSERT_EQ((*corpus)[1].windows.size(), 1u);
  EXPECT_EQ((*corpus)[1].windows[0].first, (*corpus)[1].timestamps[1]);

  // Scores written next to nothing else are read back in corpus order.
  const fs::path results = dir_ / "results";
  for (const NabSeries& s : *corpus) {
    fs::create_directories((results / s.relative_path).parent_path());
    std::ofstream(results / s.relative_path)
        << FormatNabScoresCsv(s, std::vector<double>(s.timestamps.size(), 0.5));
  }
  Result<std::vector<std::vector<double>>> scores = LoadNabScores(results.string(), *corpus);
  ASSERT_TRUE(scores.ok()) << scores.status().ToString();
  ASSERT_EQ(scores->size(), 3u);
  EXPECT_EQ((*scores)[1], std::vector<double>({0.5, 0.5}));

  // A results file whose rows differ from the corpus file's is refused.
  std::ofstream(results / "a/z.csv") << "timestamp,value,anomaly_score\n2014-04-01 00:00:00,1,0\n";
  Result<std::vector<std::vector<double>>> mismatch = LoadNabScores(results.string(), *corpus);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.status().message().find("a/z.csv"), std::string::npos);
}

TEST_F(NabCorpusDirTest, RefusesACsvMissingFromWindowsJson) {
  Write("windows.json", R"({"b/c.csv": [], "a/z.csv": []})");
  Result<std::vector<NabSeries>> corpus = LoadNabCorpus(dir_.string());
  ASSERT_FALSE(corpus.ok());
  EXPECT_NE(corpus.status().message().find("a/m.csv"), std::string::npos);
}

TEST_F(NabCorpusDirTest, RefusesAWindowsEntryWithoutCsv) {
  Write("windows.json", R"({"b/c.csv": [], "a/z.csv": [], "a/m.csv": [], "a/gone.csv": []})");
  Result<std::vector<NabSeries>> corpus = LoadNabCorpus(dir_.string());
  ASSERT_FALSE(corpus.ok());
  EXPECT_NE(corpus.status().message().find("a/gone.csv"), std::string::npos);
}

TEST_F(NabCorpusDirTest, ReportsTheFileOfAMalformedRow) {
  Write("windows.json", R"({"b/c.csv": [], "a/z.csv": [], "a/m.csv": []})");
  Write("b/c.csv", "timestamp,value\n2014-04-01 00:00:00,1\n2014-04-01 00:05:00,oops\n");
  Result<std::vector<NabSeries>> corpus = LoadNabCorpus(dir_.string());
  ASSERT_FALSE(corpus.ok());
  EXPECT_NE(corpus.status().message().find("c.csv:3: bad value 'oops'"), std::string::npos)
      << corpus.status().message();
}

TEST(NabCorpusTest, MissingFolderIsNotFound) {
  Result<std::vector<NabSeries>> corpus = LoadNabCorpus("/nonexistent/nab");
  ASSERT_FALSE(corpus.ok());
  EXPECT_EQ(corpus.status().code(), StatusCode::kNotFound);
}

TEST(NabCorpusTest, LoadsTheSharedNabSubset) {
  const std::string dir = std::string(INFERSCOPE_SOURCE_DIR) + "/../shared/data/nab";
  if (!fs::is_directory(dir)) GTEST_SKIP() << "no corpus at " << dir;
  Result<std::vector<NabSeries>> corpus = LoadNabCorpus(dir);
  ASSERT_TRUE(corpus.ok()) << corpus.status().ToString();
  ASSERT_EQ(corpus->size(), 35u);
  size_t windows = 0;
  for (const NabSeries& s : *corpus) {
    windows += s.windows.size();
    EXPECT_EQ(s.values.size(), s.timestamps.size());
    // NAB's sweeper requires window edges to be timestamps of the file; check they are.
    for (const NabWindow& w : s.windows) {
      EXPECT_TRUE(std::binary_search(s.timestamps.begin(), s.timestamps.end(), w.first));
      EXPECT_TRUE(std::binary_search(s.timestamps.begin(), s.timestamps.end(), w.second));
    }
  }
  EXPECT_EQ(windows, 55u);
  EXPECT_EQ(corpus->front().relative_path, "artificialNoAnomaly/art_daily_no_noise.csv");
  EXPECT_EQ(corpus->back().relative_path, "realKnownCause/rogue_agent_key_updown.csv");
}

}  // namespace
}  // namespace inferscope
