#include "stats/correlation_matrix.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace inferscope {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using Rows = std::vector<std::vector<double>>;

// Straightforward two-pass Pearson over the rows where both columns are present.
double ReferencePearson(const Rows& rows, int i, int j) {
  std::vector<double> x, y;
  for (const auto& r : rows) {
    if (std::isnan(r[i]) || std::isnan(r[j])) continue;
    x.push_back(r[i]);
    y.push_back(r[j]);
  }
  const size_t n = x.size();
  if (n < 3) return kNaN;
  long double mx = 0, my = 0;
  for (size_t t = 0; t < n; ++t) {
    mx += x[t];
    my += y[t];
  }
  mx /= n;
  my /= n;
  long double sxx = 0, syy = 0, sxy = 0;
  for (size_t t = 0; t < n; ++t) {
    sxx += (x[t] - mx) * (x[t] - mx);
    syy += (y[t] - my) * (y[t] - my);
    sxy += (x[t] - mx) * (y[t] - my);
  }
  if (sxx == 0 || syy == 0) return kNaN;
  return static_cast<double>(sxy / std::sqrt(sxx * syy));
}

// rank = (number of smaller values) + (number of equal values + 1) / 2.
std::vector<double> ReferenceRanks(const std::vector<double>& v) {
  std::vector<double> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> ranks;
  for (double x : v) {
    const auto lo = std::lower_bound(sorted.begin(), sorted.end(), x) - sorted.begin();
    const auto hi = std::upper_bound(sorted.begin(), sorted.end(), x) - sorted.begin();
    ranks.push_back(static_cast<double>(lo) + static_cast<double>(hi - lo + 1) / 2);
  }
  return ranks;
}

double ReferenceSpearman(const Rows& rows, int i, int j) {
  std::vector<double> x, y;
  for (const auto& r : rows) {
    if (std::isnan(r[i]) || std::isnan(r[j])) continue;
    x.push_back(r[i]);
    y.push_back(r[j]);
  }
  Rows ranked;
  const std::vector<double> rx = ReferenceRanks(x), ry = ReferenceRanks(y);
  for (size_t t = 0; t < x.size(); ++t) ranked.push_back({rx[t], ry[t]});
  return ReferencePearson(ranked, 0, 1);
}

CorrelationMatrix Feed(const Rows& rows, int reservoir = 50'000) {
  CorrelationMatrix m(static_cast<int>(rows.front().size()), reservoir);
  for (const auto& r : rows) m.AddRow(r.data());
  return m;
}

void ExpectMatrixNear(const std::vector<double>& got, const Rows& rows, bool spearman, double tol) {
  const int k = static_cast<int>(rows.front().size());
  ASSERT_EQ(got.size(), static_cast<size_t>(k * k));
  for (int i = 0; i < k; ++i) {
    for (int j = 0; j < k; ++j) {
      const double want = spearman ? ReferenceSpearman(rows, i, j) : ReferencePearson(rows, i, j);
      const double have = got[i * k + j];
      if (std::isnan(want)) {
        EXPECT_TRUE(std::isnan(have)) << i << "," << j << " got " << have;
      } else {
        EXPECT_NEAR(have, want, tol) << i << "," << j;
      }
    }
  }
}

// Presence pattern p (0 = all present, 1-3 = some fields absent) applied to a row of at
// least five fields.
void BlankFields(int p, std::vector<double>& r) {
  if (p == 1) r[2] = kNaN;
  if (p == 2) r[0] = r[4] = kNaN;
  if (p == 3) r[1] = r[2] = r[3] = kNaN;
}

// Rows with four presence patterns, centred far from zero.
Rows MixedRows(int count, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> n(0, 1);
  std::discrete_distribution<int> pattern({70, 15, 10, 5});
  Rows rows;
  for (int t = 0; t < count; ++t) {
    const double a = n(gen);
    std::vector<double> r = {1e6 + a, 50 + 3 * a + n(gen), std::exp(a) + n(gen), -3e3 + n(gen),
                             std::round(a * 4)};
    BlankFields(pattern(gen), r);
    rows.push_back(r);
  }
  return rows;
}

// Feeds rows [cuts[i], cuts[i+1]) to matrix i and merges them in order into the first.
CorrelationMatrix FeedInParts(const Rows& rows, const std::vector<size_t>& cuts,
                              int reservoir = 50'000) {
  std::vector<CorrelationMatrix> parts;
  for (size_t p = 0; p + 1 < cuts.size(); ++p) {
    CorrelationMatrix& m = parts.emplace_back(static_cast<int>(rows.front().size()), reservoir);
    for (size_t r = cuts[p]; r < cuts[p + 1]; ++r) m.AddRow(rows[r].data());
  }
  for (size_t p = 1; p < parts.size(); ++p) EXPECT_TRUE(parts[0].Merge(parts[p]));
  return std::move(parts[0]);
}

TEST(CorrelationMatrixTest, MergeOfConsecutivePartsEqualsOnePass) {
  // Part sizes that are not multiples of the 4-row buffer nor of the block, one empty part.
  const Rows rows = MixedRows(9001, 21);
  const CorrelationMatrix whole = Feed(rows);
  const CorrelationMatrix merged = FeedInParts(rows, {0, 1, 2050, 2050, 6003, 9001});
  EXPECT_EQ(merged.rows(), whole.rows());
  EXPECT_EQ(merged.sampled_rows(), whole.sampled_rows());
  const std::vector<double> pw = whole.Pearson(), pm = merged.Pearson();
  for (size_t i = 0; i < pw.size(); ++i) {
    if (std::isnan(pw[i])) {
      EXPECT_TRUE(std::isnan(pm[i])) << i;
    } else {
      EXPECT_NEAR(pm[i], pw[i], 1e-12 * std::max(1.0, std::fabs(pw[i]))) << i;
    }
  }
  ExpectMatrixNear(pm, rows, false, 1e-9);
  // Both reservoirs hold every row, in input order: Spearman is the same to the bit.
  const std::vector<double> sw = whole.Spearman(), sm = merged.Spearman();
  for (size_t i = 0; i < sw.size(); ++i) {
    if (std::isnan(sw[i])) {
      EXPECT_TRUE(std::isnan(sm[i])) << i;
    } else {
      EXPECT_EQ(sm[i], sw[i]) << i;
    }
  }
}

TEST(CorrelationMatrixTest, MergePastTheMaskCapFallsBackToPairwiseMoments) {
  // Each part has its own set of masks; together they exceed kMaxMasks, so some of the
  // second part's masks must be folded into the per-pair moments.
  std::mt19937_64 gen(22);
  std::normal_distribution<double> n(0, 1);
  Rows rows;
  for (int t = 0; t < 2 * CorrelationMatrix::kMaxMasks * 30; ++t) {
    const int q = t / 30;  // mask number, 0..2*kMaxMasks-1, 30 rows each
    const double a = n(gen);
    std::vector<double> r(9);
    for (int c = 0; c < 9; ++c) r[c] = (q >> (c % 7) & 1) != 0 ? kNaN : 1e5 * c + a * c + n(gen);
    r[8] = (q & 64) != 0 ? kNaN : 3 * a + n(gen);
    rows.push_back(r);
  }
  const CorrelationMatrix merged = FeedInParts(rows, {0, rows.size() / 2, rows.size()});
  ExpectMatrixNear(merged.Pearson(), rows, false, 1e-9);
  ExpectMatrixNear(merged.Spearman(), rows, true, 1e-12);
}

TEST(CorrelationMatrixTest, MergedReservoirIsAUniformSampleOfBothSides) {
  // Side A: 100k rows marked 0, side B: 300k rows marked 1; column 1 numbers the rows.
  constexpr int kReservoir = 10'000;
  CorrelationMatrix a(2, kReservoir), b(2, kReservoir);
  for (int i = 0; i < 100'000; ++i) {
    const double r[2] = {0, static_cast<double>(i)};
    a.AddRow(r);
  }
  for (int i = 0; i < 300'000; ++i) {
    const double r[2] = {1, static_cast<double>(100'000 + i)};
    b.AddRow(r);
  }
  CorrelationMatrix again = a;
  ASSERT_TRUE(a.Merge(b));
  ASSERT_TRUE(again.Merge(b));
  EXPECT_EQ(a.rows(), 400'000u);
  ASSERT_EQ(a.sampled_rows(), static_cast<uint64_t>(kReservoir));
  // Every A row numbers below every B row, so over a sample with a share p of B rows the
  // marker's rank correlation with the row number is sqrt(3 p (1 - p)): 0.75 for the
  // uniform share p = 3/4 (hypergeometric sd of p ~ 0.004; p = 1/2 would give 0.87).
  const double rho = a.Spearman()[1];
  EXPECT_NEAR(rho, 0.75, 0.02);
  // The same merge draws the same sample.
  EXPECT_EQ(again.Spearman()[1], rho);
  // Sampling continues after a merge.
  for (int i = 0; i < 400'000; ++i) {
    const double r[2] = {2, static_cast<double>(400'000 + i)};
    a.AddRow(r);
  }
  EXPECT_EQ(a.rows(), 800'000u);
  EXPECT_EQ(a.sampled_rows(), static_cast<uint64_t>(kReservoir));
}

TEST(CorrelationMatrixTest, MergeOfSmallMatricesThenMoreRowsKeepsEveryRow) {
  const Rows rows = MixedRows(3000, 23);
  CorrelationMatrix m = FeedInParts(rows, {0, 1000, 2000}, 2500);
  for (size_t r = 2000; r < rows.size(); ++r) m.AddRow(rows[r].data());
  EXPECT_EQ(m.sampled_rows(), 2500u);
  // Below the reservoir size the merged sample is every row; past it sampling goes on.
  const Rows head(rows.begin(), rows.begin() + 2000);
  CorrelationMatrix small = FeedInParts(head, {0, 700, 2000}, 2500);
  ExpectMatrixNear(small.Spearman(), head, true, 1e-12);
}

TEST(CorrelationMatrixTest, MergeRefusesAMatrixOfAnotherShape) {
  CorrelationMatrix a(3), b(4), c(3, 10);
  const double r[4] = {1, 2, 3, 4};
  b.AddRow(r);
  c.AddRow(r);
  EXPECT_FALSE(a.Merge(b));
  EXPECT_FALSE(a.Merge(c));
  EXPECT_EQ(a.rows(), 0u);
}

TEST(CorrelationMatrixTest, PerfectLinearRelationsGivePlusAndMinusOne) {
  Rows rows;
  for (int t = 0; t < 200; ++t) {
    const double x = t * 0.37 - 11;
    rows.push_back({x, 2 * x + 3, -0.5 * x + 1});
  }
  const CorrelationMatrix m = Feed(rows);
  const auto p = m.Pearson();
  const auto s = m.Spearman();
  const std::vector<double> want = {1, 1, -1, 1, 1, -1, -1, -1, 1};
  for (size_t c = 0; c < want.size(); ++c) {
    EXPECT_NEAR(p[c], want[c], 1e-12) << c;
    EXPECT_NEAR(s[c], want[c], 1e-12) << c;
  }
  EXPECT_EQ(m.rows(), 200u);
  EXPECT_EQ(m.sampled_rows(), 200u);
  EXPECT_EQ(m.variables(), 3);
}

TEST(CorrelationMatrixTest, MonotoneNonlinearRelationHasSpearmanOneAndPearsonBelowOne) {
  std::mt19937_64 gen(1);
  std::uniform_real_distribution<double> u(0, 8);
  Rows rows;
  for (int t = 0; t < 1000; ++t) {
    const double x = u(gen);
    rows.push_back({x, std::exp(x)});
  }
  const CorrelationMatrix m = Feed(rows);
  EXPECT_NEAR(m.Spearman()[1], 1.0, 1e-12);
  EXPECT_LT(m.Pearson()[1], 0.9);
  ExpectMatrixNear(m.Pearson(), rows, false, 1e-12);
}

TEST(CorrelationMatrixTest, IndependentVariablesAreNearZero) {
  std::mt19937_64 gen(2);
  std::normal_distribution<double> n(0, 1);
  Rows rows;
  for (int t = 0; t < 20'000; ++t) rows.push_back({n(gen), n(gen) * 100 + 5, n(gen)});
  const CorrelationMatrix m = Feed(rows);
  const auto p = m.Pearson();
  const auto s = m.Spearman();
  for (int c : {1, 2, 5}) {
    EXPECT_LT(std::fabs(p[c]), 0.03) << c;
    EXPECT_LT(std::fabs(s[c]), 0.03) << c;
  }
  ExpectMatrixNear(p, rows, false, 1e-10);
  ExpectMatrixNear(s, rows, true, 1e-10);
}

TEST(CorrelationMatrixTest, MissingValuesArePairwiseComplete) {
  std::mt19937_64 gen(3);
  std::normal_distribution<double> n(0, 1);
  std::bernoulli_distribution missing(0.2);
  Rows rows;
  for (int t = 0; t < 3000; ++t) {
    const double a = n(gen);
    std::vector<double> r = {a, a + 0.5 * n(gen), std::exp(a) + n(gen), n(gen)};
    for (double& v : r) {
      if (missing(gen)) v = kNaN;
    }
    rows.push_back(r);
  }
  // Column 3 also gets infinities, which count as missing.
  rows[5][3] = std::numeric_limits<double>::infinity();
  const CorrelationMatrix m = Feed(rows);
  for (auto& r : rows) {
    if (std::isinf(r[3])) r[3] = kNaN;
  }
  ExpectMatrixNear(m.Pearson(), rows, false, 1e-10);
  ExpectMatrixNear(m.Spearman(), rows, true, 1e-10);
}

TEST(CorrelationMatrixTest, TiesGetAverageRanks) {
  std::mt19937_64 gen(4);
  std::uniform_int_distribution<int> small(0, 4);
  Rows rows;
  for (int t = 0; t < 500; ++t) {
    const double a = small(gen);
    rows.push_back({a, a + small(gen), static_cast<double>(small(gen))});
  }
  const CorrelationMatrix m = Feed(rows);
  ExpectMatrixNear(m.Spearman(), rows, true, 1e-12);
}

TEST(CorrelationMatrixTest, ConstantColumnAndTooFewRowsGiveNaN) {
  Rows rows = {{1, 5, 2}, {2, 5, kNaN}, {3, 5, kNaN}, {4, 5, 1}};
  const CorrelationMatrix m = Feed(rows);
  for (const auto& mat : {m.Pearson(), m.Spearman()}) {
    EXPECT_EQ(mat[0], 1);             // x has variance
    EXPECT_TRUE(std::isnan(mat[4]));  // constant column: no variance
    EXPECT_TRUE(std::isnan(mat[1]));  // x vs constant
    EXPECT_TRUE(std::isnan(mat[3]));  // symmetric
    EXPECT_TRUE(std::isnan(mat[2]));  // x vs z: only 2 joint rows
    EXPECT_TRUE(std::isnan(mat[8]));  // z alone: only 2 rows
  }
}

TEST(CorrelationMatrixTest, EmptyMatrixIsAllNaN) {
  CorrelationMatrix m(2);
  for (double v : m.Pearson()) EXPECT_TRUE(std::isnan(v));
  for (double v : m.Spearman()) EXPECT_TRUE(std::isnan(v));
}

TEST(CorrelationMatrixTest, PearsonIsStableForLargeMeans) {
  std::mt19937_64 gen(5);
  std::normal_distribution<double> n(0, 1);
  Rows rows;
  for (int t = 0; t < 10'000; ++t) {
    const double a = n(gen);
    rows.push_back({1e9 + a, 1e9 - a + n(gen)});
  }
  const CorrelationMatrix m = Feed(rows);
  ExpectMatrixNear(m.Pearson(), rows, false, 1e-6);
  EXPECT_NEAR(m.Pearson()[1], -1 / std::sqrt(2.0), 0.02);
}

TEST(CorrelationMatrixTest, ReservoirSmallerThanRowsGivesCloseSpearman) {
  std::mt19937_64 gen(6);
  std::normal_distribution<double> n(0, 1);
  Rows rows;
  for (int t = 0; t < 20'000; ++t) {
    const double a = n(gen);
    rows.push_back({a, std::exp(a + 0.8 * n(gen)), n(gen)});
  }
  const CorrelationMatrix m = Feed(rows, 2000);
  EXPECT_EQ(m.rows(), 20'000u);
  EXPECT_EQ(m.sampled_rows(), 2000u);
  ExpectMatrixNear(m.Spearman(), rows, true, 0.05);
  ExpectMatrixNear(m.Pearson(), rows, false, 1e-10);  // Pearson still uses every row

  // Deterministic: same seed, same sample.
  const CorrelationMatrix again = Feed(rows, 2000);
  EXPECT_EQ(again.Spearman(), m.Spearman());
}

TEST(CorrelationMatrixTest, ZeroReservoirDisablesSpearmanOnly) {
  Rows rows;
  for (int t = 0; t < 10; ++t) rows.push_back({double(t), double(t * t)});
  const CorrelationMatrix m = Feed(rows, 0);
  EXPECT_EQ(m.sampled_rows(), 0u);
  EXPECT_TRUE(std::isnan(m.Spearman()[1]));
  EXPECT_GT(m.Pearson()[1], 0.9);
}

TEST(CorrelationMatrixTest, PearsonCorrelationIsStableForLargeOffsets) {
  std::mt19937_64 gen(7);
  std::normal_distribution<double> n(0, 1);
  Rows rows;
  // The first row is far from the rest, so the initial reference is a poor shift.
  rows.push_back({1e9 + 1e5, 2e9 + 2e5, -1e5});
  for (int t = 0; t < 30'000; ++t) {
    const double x = 1e9 + n(gen);
    rows.push_back({x, 2 * x + n(gen), 0.3 * n(gen) - (x - 1e9)});
  }
  const CorrelationMatrix m = Feed(rows);
  ExpectMatrixNear(m.Pearson(), rows, false, 1e-9);
}

TEST(CorrelationMatrixTest, MixedMasksMatchPairwiseTwoPass) {
  std::mt19937_64 gen(8);
  std::normal_distribution<double> n(0, 1);
  std::discrete_distribution<int> pattern({70, 15, 10, 5});
  Rows rows;
  for (int t = 0; t < 20'000; ++t) {
    const double a = n(gen);
    std::vector<double> r = {1e6 + a, 50 + 3 * a + n(gen), std::exp(a) + n(gen), -3e3 + n(gen),
                             a * a,   1e-3 * (a + n(gen))};
    BlankFields(pattern(gen), r);
    rows.push_back(r);
  }
  const CorrelationMatrix m = Feed(rows);
  ExpectMatrixNear(m.Pearson(), rows, false, 1e-9);
  ExpectMatrixNear(m.Spearman(), rows, true, 1e-12);
}

TEST(CorrelationMatrixTest, ManyDistinctMasksBeyondCapMatchPairwiseTwoPass) {
  std::mt19937_64 gen(9);
  std::normal_distribution<double> n(0, 1);
  std::bernoulli_distribution missing(0.3);
  Rows rows;
  for (int t = 0; t < 6000; ++t) {
    const double a = n(gen);
    std::vector<double> r(12);
    for (size_t c = 0; c < r.size(); ++c) r[c] = 100.0 * c + a * (c % 3) + n(gen);
    for (double& v : r) {
      if (missing(gen)) v = kNaN;
    }
    rows.push_back(r);
  }
  const CorrelationMatrix m = Feed(rows);
  ExpectMatrixNear(m.Pearson(), rows, false, 1e-9);
  ExpectMatrixNear(m.Spearman(), rows, true, 1e-12);
}

TEST(CorrelationMatrixTest, ColumnFirstSeenAfterMaskCapIsHandled) {
  std::mt19937_64 gen(10);
  std::normal_distribution<double> n(0, 1);
  Rows rows;
  // Exactly kMaxMasks distinct masks over columns 0..6; column 7 absent throughout.
  for (int t = 0; t < CorrelationMatrix::kMaxMasks * 40; ++t) {
    const int q = t % CorrelationMatrix::kMaxMasks;
    const double a = n(gen);
    std::vector<double> r(8);
    for (int c = 0; c < 7; ++c) r[c] = (c < 6 && (q >> c & 1) != 0) ? kNaN : a * c + n(gen);
    r[7] = kNaN;
    rows.push_back(r);
  }
  // Then a new mask: every column present, column 7 for the first time, far from zero.
  for (int t = 0; t < 3000; ++t) {
    const double a = n(gen);
    std::vector<double> r(8);
    for (int c = 0; c < 7; ++c) r[c] = a * c + n(gen);
    r[7] = 1e8 - 5 * a + n(gen);
    rows.push_back(r);
  }
  const CorrelationMatrix m = Feed(rows);
  ExpectMatrixNear(m.Pearson(), rows, false, 1e-9);
  ExpectMatrixNear(m.Spearman(), rows, true, 1e-12);
}

TEST(CorrelationMatrixTest, SpearmanHandlesDifferentPresencePerColumn) {
  std::mt19937_64 gen(11);
  std::normal_distribution<double> n(0, 1);
  std::bernoulli_distribution missing(0.25);
  Rows rows;
  for (int t = 0; t < 4000; ++t) {
    const double a = n(gen);
    const bool even = t % 2 == 0;
    rows.push_back({
        a,                                              // always present
        even ? kNaN : std::exp(a) + 0.3 * n(gen),       // odd rows only
        even ? kNaN : std::round(2 * a + n(gen)),       // same rows as column 1, with ties
        missing(gen) ? kNaN : -a * a + n(gen),          // random gaps
        t < 2000 ? kNaN : std::round(a * 3) + 0.0 * a,  // second half only, with ties
    });
  }
  const CorrelationMatrix m = Feed(rows);
  ExpectMatrixNear(m.Spearman(), rows, true, 1e-12);
  ExpectMatrixNear(m.Pearson(), rows, false, 1e-9);
}

TEST(CorrelationMatrixTest, NegativeAndPositiveZeroTieInRanks) {
  Rows rows = {{-0.0, 1}, {0.0, 2}, {1, 3}, {-1, 0}, {0.0, 4}, {-0.0, 2}};
  const CorrelationMatrix m = Feed(rows);
  ExpectMatrixNear(m.Spearman(), rows, true, 1e-12);
}

TEST(CorrelationMatrixTest, MoreThanSixtyFourVariablesUsePairwisePath) {
  std::mt19937_64 gen(12);
  std::normal_distribution<double> n(0, 1);
  std::bernoulli_distribution missing(0.1);
  Rows rows;
  for (int t = 0; t < 200; ++t) {
    const double a = n(gen);
    std::vector<double> r(66);
    for (size_t c = 0; c < r.size(); ++c) r[c] = 1e7 * (c % 2) + a * (c % 5) + n(gen);
    for (double& v : r) {
      if (missing(gen)) v = kNaN;
    }
    rows.push_back(r);
  }
  const CorrelationMatrix m = Feed(rows);
  ExpectMatrixNear(m.Pearson(), rows, false, 1e-9);
  ExpectMatrixNear(m.Spearman(), rows, true, 1e-12);
}

}  // namespace
}  // namespace inferscope
