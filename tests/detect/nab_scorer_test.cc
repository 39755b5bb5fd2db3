#include "detect/nab_scorer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <limits>
#include <random>
#include <set>

#include "detect/nab_corpus.h"

namespace inferscope {
namespace {

constexpr int64_t kStep = 300'000'000'000;             // 5 min in ns
constexpr int64_t kStart = 1'396'310'400'000'000'000;  // 2014-04-01

// σ(p) = 2/(1+e^{5p}) - 1 = -tanh(5p/2): an independent spelling for the expectations.
double Sigma(double p) { return -std::tanh(2.5 * p); }
double Tp(double p) { return Sigma(p) / Sigma(-1.0); }

// A series of n rows at a 5-minute step with windows given as inclusive row ranges.
NabSeries MakeSeries(std::string name, size_t n, std::vector<std::pair<size_t, size_t>> rows) {
  NabSeries s;
  s.relative_path = std::move(name);
  for (size_t i = 0; i < n; ++i) {
    s.timestamps.push_back(kStart + static_cast<int64_t>(i) * kStep);
    s.values.push_back(0.0);
  }
  for (auto [l, r] : rows) s.windows.emplace_back(s.timestamps[l], s.timestamps[r]);
  return s;
}

std::vector<double> Fire(size_t n, std::initializer_list<size_t> rows) {
  std::vector<double> v(n, 0.0);
  for (size_t r : rows) v[r] = 1.0;
  return v;
}

const NabProfile kStandard{"standard", 1.0, 1.0, 0.11};

// Raw score of one file with detections at `rows` (threshold 0.5), standard profile.
double ScoreOne(const NabSeries& s, std::initializer_list<size_t> rows,
                const NabProfile& profile = kStandard) {
  Result<NabResult> r =
      NabScorer().ScoreAtThreshold({s}, {Fire(s.timestamps.size(), rows)}, profile, 0.5);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? r->raw : std::nan("");
}

// 100 rows: probation is rows 0..14; one window on rows 40..49 (width 10).
NabSeries OneWindow() { return MakeSeries("a/one.csv", 100, {{40, 49}}); }

TEST(NabScorerTest, ScaledSigmoidMatchesNabValues) {
  EXPECT_NEAR(NabScorer::ScaledSigmoid(-1.0), 0.98661, 1e-5);
  EXPECT_NEAR(NabScorer::ScaledSigmoid(-0.5), 0.84828, 1e-5);
  EXPECT_DOUBLE_EQ(NabScorer::ScaledSigmoid(0.0), 0.0);
  EXPECT_NEAR(NabScorer::ScaledSigmoid(1.0), -0.98661, 1e-5);
  EXPECT_NEAR(NabScorer::ScaledSigmoid(3.0), Sigma(3.0), 1e-15);  // 3 itself is not capped
  EXPECT_EQ(NabScorer::ScaledSigmoid(3.0000001), -1.0);
}

TEST(NabScorerTest, ProbationIsFifteenPercentCappedAt750Rows) {
  NabScorer scorer;
  EXPECT_EQ(scorer.ProbationLength(100), 15u);
  EXPECT_EQ(scorer.ProbationLength(4032), 604u);
  EXPECT_EQ(scorer.ProbationLength(5000), 750u);
  EXPECT_EQ(scorer.ProbationLength(22695), 750u);
  EXPECT_EQ(scorer.ProbationLength(6), 0u);
}

TEST(NabScorerTest, DetectionAtLeftEdgeIsWorthTheFullTpWeight) {
  EXPECT_NEAR(ScoreOne(OneWindow(), {40}), 1.0, 1e-12);
}

TEST(NabScorerTest, DetectionAtRightEdgeIsWorthSigmaOfMinusOneOverWidth) {
  EXPECT_NEAR(ScoreOne(OneWindow(), {49}), Tp(-0.1), 1e-12);
}

TEST(NabScorerTest, DetectionJustAfterWindowCostsLittle) {
  // Window missed (-1) plus an FP at distance 1 / (width - 1).
  EXPECT_NEAR(ScoreOne(OneWindow(), {50}), -1.0 + 0.11 * Sigma(1.0 / 9.0), 1e-12);
}

TEST(NabScorerTest, DetectionFarAfterWindowCostsTheFullFpWeight) {
  EXPECT_NEAR(ScoreOne(OneWindow(), {95}), -1.0 - 0.11, 1e-12);
}

TEST(NabScorerTest, PositionAboveThreeIsCappedAtMinusOne) {
  // right edge 49, width 10: row 76 is at p = 27/9 = 3 (formula), row 77 at 28/9 (capped).
  EXPECT_NEAR(ScoreOne(OneWindow(), {76}), -1.0 + 0.11 * Sigma(3.0), 1e-12);
  EXPECT_NEAR(ScoreOne(OneWindow(), {77}), -1.0 - 0.11, 1e-12);
}

TEST(NabScorerTest, DetectionBeforeFirstWindowCostsTheFullFpWeight) {
  EXPECT_NEAR(ScoreOne(OneWindow(), {20}), -1.0 - 0.11, 1e-12);
}

TEST(NabScorerTest, DetectionDuringProbationIsIgnored) {
  Result<NabResult> r =
      NabScorer().ScoreAtThreshold({OneWindow()}, {Fire(100, {5, 14})}, kStandard, 0.5);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->raw, -1.0, 1e-12);
  EXPECT_EQ(r->fp, 0);
  EXPECT_EQ(r->fn, 1);
}

TEST(NabScorerTest, OnlyTheEarliestDetectionInAWindowCounts) {
  Result<NabResult> r =
      NabScorer().ScoreAtThreshold({OneWindow()}, {Fire(100, {45, 42, 49})}, kStandard, 0.5);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->raw, Tp(-0.8), 1e-12);  // row 42: -(49 - 42 + 1) / 10
  EXPECT_EQ(r->tp, 1);
  EXPECT_EQ(r->files[0].tp_rows, 3);
  EXPECT_EQ(r->files[0].fn_rows, 7);
}

TEST(NabScorerTest, FalsePositivesAreMeasuredFromThePrecedingWindow) {
  NabSeries s = MakeSeries("a/two.csv", 100, {{40, 49}, {70, 79}});
  const double expected = Tp(-0.5)                  // row 45 in window 1
                          + 0.11 * Sigma(11.0 / 9)  // row 60, after window 1
                          + Tp(-0.8)                // row 72 in window 2
                          + 0.11 * Sigma(6.0 / 9);  // row 85, after window 2
  EXPECT_NEAR(ScoreOne(s, {45, 60, 72, 85}), expected, 1e-12);
  // Nothing fires: two misses.
  EXPECT_NEAR(ScoreOne(s, {}), -2.0, 1e-12);
  // Every FP point counts.
  EXPECT_NEAR(ScoreOne(s, {20, 21, 22}), -2.0 - 3 * 0.11, 1e-12);
}

TEST(NabScorerTest, WindowStraddlingProbationKeepsItsFullWidth) {
  NabSeries s = MakeSeries("a/early.csv", 100, {{10, 19}});
  EXPECT_NEAR(ScoreOne(s, {12}), -1.0, 1e-12);      // row 12 is in probation
  EXPECT_NEAR(ScoreOne(s, {16}), Tp(-0.4), 1e-12);  // -(19 - 16 + 1) / 10
}

TEST(NabScorerTest, WindowInsideProbationIsNotScored) {
  NabSeries s = MakeSeries("a/probation.csv", 100, {{2, 8}});
  Result<NabResult> r = NabScorer().ScoreAtThreshold({s}, {Fire(100, {})}, kStandard, 0.5);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->raw, 0.0);
  EXPECT_EQ(r->windows, 0);
}

TEST(NabScorerTest, ProfilesWeighTheTermsDifferently) {
  NabSeries s = OneWindow();
  const auto profiles = NabScorer::StandardProfiles();
  ASSERT_EQ(profiles.size(), 3u);
  EXPECT_EQ(profiles[0].name, "standard");
  EXPECT_NEAR(ScoreOne(s, {20}, profiles[1]), -1.0 - 0.22, 1e-12);
  EXPECT_NEAR(ScoreOne(s, {20}, profiles[2]), -2.0 - 0.11, 1e-12);
  EXPECT_NEAR(ScoreOne(s, {40}, profiles[2]), 1.0, 1e-12);
}

// Per-file scores printed by NAB's own scorer (results/windowedGaussian/
// windowedGaussian_standard_scores.csv, threshold 1.0) for files of this subset, rebuilt from
// the files' window rows and the detections that explain them. They pin the "+1" in the
// position, the window width and the 1/σ(-1) scaling to NAB's code.
TEST(NabScorerTest, ReproducesScoresPrintedByTheOfficialScorer) {
  // rds_cpu_utilization_e47b3b: 4032 rows, windows on rows 846..1046 and 2485..2685; one
  // window caught 101 rows before its right edge (counting the edge), the other missed.
  NabSeries rds = MakeSeries("rds.csv", 4032, {{846, 1046}, {2485, 2685}});
  EXPECT_NEAR(ScoreOne(rds, {946}), -0.13844919792440225, 1e-13);
  // ec2_network_in_257a54: one window on rows 1437..1839 (403 rows), caught at k = 202.
  NabSeries net = MakeSeries("net.csv", 4032, {{1437, 1839}});
  EXPECT_NEAR(ScoreOne(net, {1638}), 0.8606718242697022, 1e-13);
  // ec2_cpu_utilization_fe7f93: windows of 135 rows; first missed, the others caught at
  // k = 68 and 73, and one false positive far from any window.
  NabSeries cpu = MakeSeries("cpu.csv", 4032, {{698, 832}, {2064, 2198}, {2535, 2669}});
  EXPECT_NEAR(ScoreOne(cpu, {650, 2131, 2597}), 0.6387577917723906, 1e-13);
}

std::vector<NabSeries> SmallCorpus() {
  return {MakeSeries("a/1.csv", 200, {{60, 79}}), MakeSeries("a/2.csv", 300, {}),
          MakeSeries("b/3.csv", 400, {{100, 139}, {250, 289}})};
}

TEST(NabScorerTest, NullDetectorScoresZeroAndPerfectDetectorScoresHundred) {
  const std::vector<NabSeries> corpus = SmallCorpus();
  std::vector<std::vector<double>> null_scores, perfect_scores;
  for (const NabSeries& s : corpus) {
    null_scores.emplace_back(s.timestamps.size(), 0.0);
    std::vector<double> p(s.timestamps.size(), 0.0);
    for (const NabWindow& w : s.windows) {
      p[static_cast<size_t>((w.first - kStart) / kStep)] = 1.0;
    }
    perfect_scores.push_back(std::move(p));
  }
  NabScorer scorer;
  Result<std::vector<NabResult>> null_r = scorer.Score(corpus, null_scores);
  Result<std::vector<NabResult>> perfect_r = scorer.Score(corpus, perfect_scores);
  ASSERT_TRUE(null_r.ok() && perfect_r.ok());
  for (size_t k = 0; k < 3; ++k) {
    const NabResult& n = (*null_r)[k];
    const NabResult& p = (*perfect_r)[k];
    SCOPED_TRACE(n.profile.name);
    EXPECT_NEAR(n.null_score, -3.0 * n.profile.fn_weight, 1e-12);
    EXPECT_NEAR(n.perfect, 3.0 * n.profile.tp_weight, 1e-12);
    EXPECT_NEAR(n.normalized, 0.0, 1e-9);
    EXPECT_NEAR(p.normalized, 100.0, 1e-9);
    EXPECT_EQ(n.threshold, std::numeric_limits<double>::infinity());
    EXPECT_EQ(p.threshold, 1.0);
    EXPECT_EQ(p.tp, 3);
    EXPECT_EQ(p.fp, 0);
    ASSERT_EQ(p.files.size(), 3u);
    EXPECT_NEAR(p.files[2].score, 2.0, 1e-12);
  }
}

TEST(NabScorerTest, SweepMatchesBruteForceOverEveryDistinctThreshold) {
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 6; ++trial) {
    std::vector<NabSeries> corpus;
    std::vector<std::vector<double>> scores;
    std::set<double> thresholds;
    for (int f = 0; f < 5; ++f) {
      const size_t n = 150 + rng() % 400;
      std::vector<std::pair<size_t, size_t>> windows;
      size_t at = rng() % 60;
      while (true) {
        const size_t len = 1 + rng() % 30;
        if (at + len + 1 >= n) break;
        windows.emplace_back(at, at + len - 1);
        at += len + 1 + rng() % 150;
      }
      corpus.push_back(MakeSeries("f" + std::to_string(f) + ".csv", n, windows));
      std::vector<double> s(n);
      // Coarse values so that many rows share a score, as real detectors' outputs do.
      for (double& v : s) v = static_cast<double>(rng() % 50) / 49.0;
      thresholds.insert(s.begin(), s.end());
      scores.push_back(std::move(s));
    }
    NabScorer scorer;
    for (const NabProfile& profile : NabScorer::StandardProfiles()) {
      Result<NabResult> best = scorer.ScoreProfile(corpus, scores, profile);
      ASSERT_TRUE(best.ok()) << best.status().ToString();
      double brute = scorer.ScoreAtThreshold(corpus, scores, profile, 2.0)->raw;
      for (double t : thresholds) {
        brute = std::max(brute, scorer.ScoreAtThreshold(corpus, scores, profile, t)->raw);
      }
      EXPECT_NEAR(best->raw, brute, 1e-9) << "trial " << trial << " " << profile.name;
    }
  }
}

TEST(NabScorerTest, RejectsMismatchedOrNonFiniteScores) {
  NabScorer scorer;
  const std::vector<NabSeries> corpus = {OneWindow()};
  EXPECT_FALSE(scorer.Score(corpus, {}).ok());
  EXPECT_FALSE(scorer.Score(corpus, {std::vector<double>(99, 0.0)}).ok());
  std::vector<double> nan_scores(100, 0.0);
  nan_scores[50] = std::nan("");
  EXPECT_FALSE(scorer.Score(corpus, {nan_scores}).ok());
}

TEST(NabScorerTest, RejectsOverlappingOrEmptyWindows) {
  NabScorer scorer;
  NabSeries overlap = MakeSeries("o.csv", 100, {{40, 49}, {45, 60}});
  EXPECT_FALSE(scorer.Score({overlap}, {std::vector<double>(100, 0.0)}).ok());
  NabSeries empty = OneWindow();
  empty.windows = {{kStart - 10, kStart - 5}};
  Result<std::vector<NabResult>> r = scorer.Score({empty}, {std::vector<double>(100, 0.0)});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no rows"), std::string::npos);
}

// --- Sanity run on the real NAB subset ---------------------------------------------------

std::string CorpusDir() { return std::string(INFERSCOPE_SOURCE_DIR) + "/../shared/data/nab"; }

// NAB's windowed Gaussian as used for its published scores: mean and standard deviation of up
// to the last 6400 values (the window slides 100 rows at a time once full; strictly causal),
// score = 1 - two-sided tail probability of the current value. Scores are rounded to 12
// significant digits as NAB's result CSVs hold them: that decides which rows saturate to 1.0,
// and the optimal threshold of this detector is exactly 1.0.
std::vector<double> WindowedGaussian(const std::vector<double>& values) {
  constexpr size_t kWindow = 6400, kSlide = 100;
  std::vector<double> out(values.size(), 0.0);
  std::vector<double> window, pending;
  double mean = 0, m2 = 0;  // Welford while the window grows
  for (size_t i = 0; i < values.size(); ++i) {
    if (!window.empty()) {
      double stdev = std::sqrt(m2 / static_cast<double>(window.size()));
      if (stdev == 0.0) stdev = 1e-6;
      const double z = std::abs(values[i] - mean) / stdev;
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.12g", std::erf(z / std::sqrt(2.0)));
      out[i] = std::strtod(buf, nullptr);
    }
    if (window.size() < kWindow) {
      window.push_back(values[i]);
      const double delta = values[i] - mean;
      mean += delta / static_cast<double>(window.size());
      m2 += delta * (values[i] - mean);
      continue;
    }
    pending.push_back(values[i]);
    if (pending.size() < kSlide) continue;
    window.erase(window.begin(), window.begin() + kSlide);
    window.insert(window.end(), pending.begin(), pending.end());
    pending.clear();
    mean = 0;
    for (double v : window) mean += v;
    mean /= static_cast<double>(window.size());
    m2 = 0;
    for (double v : window) m2 += (v - mean) * (v - mean);
  }
  return out;
}

void Report(const std::string& name, const std::vector<NabResult>& results) {
  std::cout << "[nab] " << name << ":";
  for (const NabResult& r : results) {
    std::cout << "  " << r.profile.name << " " << r.normalized << " (raw " << r.raw << ", thr "
              << r.threshold << ", tp " << r.tp << ", fn " << r.fn << ", fp " << r.fp << ")";
  }
  std::cout << "\n";
}

TEST(NabScorerTest, RealCorpusGivesPublishedOrdersOfMagnitude) {
  if (!std::filesystem::is_directory(CorpusDir())) GTEST_SKIP() << "no corpus at " << CorpusDir();
  Result<std::vector<NabSeries>> corpus = LoadNabCorpus(CorpusDir());
  ASSERT_TRUE(corpus.ok()) << corpus.status().ToString();
  NabScorer scorer;

  std::vector<std::vector<double>> gaussian, random;
  std::mt19937_64 rng(42);
  for (const NabSeries& s : *corpus) {
    gaussian.push_back(WindowedGaussian(s.values));
    std::vector<double> r(s.values.size());
    for (double& v : r) v = static_cast<double>(rng() >> 11) * 0x1.0p-53;
    random.push_back(std::move(r));
  }
  Result<std::vector<NabResult>> g = scorer.Score(*corpus, gaussian);
  Result<std::vector<NabResult>> r = scorer.Score(*corpus, random);
  ASSERT_TRUE(g.ok() && r.ok());
  Report("windowed gaussian", *g);
  Report("random", *r);

  for (const NabResult& res : *g) {
    EXPECT_EQ(res.windows, 55);
    EXPECT_NEAR(res.null_score, -55.0 * res.profile.fn_weight, 1e-9);
    EXPECT_NEAR(res.perfect, 55.0, 1e-9);  // NAB: number of windows × tp_weight
    double sum = 0;
    for (const NabFileResult& f : res.files) sum += f.score;
    EXPECT_NEAR(sum, res.raw, 1e-9);
  }
  // Published on this subset with the official scorer: 22.0 / 4.9 / 29.8.
  EXPECT_NEAR((*g)[0].normalized, 22.0, 3.0);
  EXPECT_NEAR((*g)[1].normalized, 4.9, 3.0);
  EXPECT_NEAR((*g)[2].normalized, 29.8, 3.0);
  // A random detector's score depends mostly on the seed (about 2 to 19 standard over a dozen
  // seeds); only its range is checked. "Never fire" is always a candidate, hence >= 0.
  for (const NabResult& res : *r) {
    EXPECT_GE(res.normalized, 0.0);
    EXPECT_LT(res.normalized, 40.0);
  }
}

}  // namespace
}  // namespace inferscope
