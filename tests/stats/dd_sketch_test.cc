#include "stats/dd_sketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace inferscope {
namespace {

constexpr double kQuantiles[] = {0, 0.01, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999, 1};

// The contract's lower quantile: the value of rank floor(q * (n - 1)) of sorted values.
double LowerQuantileOfSorted(const std::vector<double>& sorted, double q) {
  const auto rank = static_cast<size_t>(std::floor(q * static_cast<double>(sorted.size() - 1)));
  return sorted[rank];
}

double ExactLowerQuantile(std::vector<double> values, double q) {
  std::sort(values.begin(), values.end());
  return LowerQuantileOfSorted(values, q);
}

void ExpectWithinRelativeError(const DDSketch& sketch, const std::vector<double>& values,
                               double alpha, const std::string& label) {
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  for (double q : kQuantiles) {
    const double exact = LowerQuantileOfSorted(sorted, q);
    const double got = sketch.Quantile(q);
    EXPECT_LE(std::fabs(got - exact), alpha * std::fabs(exact))
        << label << " n=" << values.size() << " q=" << q << " exact=" << exact << " got=" << got;
  }
}

struct Distribution {
  std::string name;
  std::function<double(std::mt19937_64&)> draw;
};

std::vector<Distribution> Distributions() {
  return {
      {"uniform",
       [](std::mt19937_64& g) { return std::uniform_real_distribution<double>(0, 1000)(g); }},
      {"lognormal_heavy_tail",
       [](std::mt19937_64& g) { return std::lognormal_distribution<double>(3, 2)(g); }},
      {"exponential",
       [](std::mt19937_64& g) { return std::exponential_distribution<double>(0.01)(g); }},
      {"constant", [](std::mt19937_64&) { return 42.5; }},
      {"two_point",
       [](std::mt19937_64& g) { return std::bernoulli_distribution(0.3)(g) ? 1000.0 : 1.0; }},
      {"log_uniform_1e-3_to_1e6",
       [](std::mt19937_64& g) {
         return std::pow(10.0, std::uniform_real_distribution<double>(-3, 6)(g));
       }},
      {"normal_with_negatives",
       [](std::mt19937_64& g) { return std::normal_distribution<double>(5, 100)(g); }},
      {"all_negative",
       [](std::mt19937_64& g) { return -std::lognormal_distribution<double>(0, 1)(g); }},
      {"zeros_and_positives",
       [](std::mt19937_64& g) {
         return std::bernoulli_distribution(0.4)(g) ? 0.0
                                                    : std::exponential_distribution<double>(1)(g);
       }},
      {"mixed_signs_and_zeros",
       [](std::mt19937_64& g) {
         const int kind = std::uniform_int_distribution<int>(0, 2)(g);
         const double mag = std::lognormal_distribution<double>(0, 3)(g);
         return kind == 0 ? -mag : kind == 1 ? 0.0 : mag;
       }},
  };
}

// Equal in everything a caller can observe.
void ExpectSameAnswers(const DDSketch& a, const DDSketch& b) {
  ASSERT_EQ(a.count(), b.count());
  // Sums may differ in rounding (merged partial sums against one running sum).
  EXPECT_NEAR(a.sum(), b.sum(), 1e-9 * std::fabs(b.sum()));
  for (int i = 0; i <= 1000; ++i) {
    const double q = i / 1000.0;
    const double x = a.Quantile(q), y = b.Quantile(q);
    EXPECT_TRUE(x == y || (std::isnan(x) && std::isnan(y))) << "q=" << q;
  }
  for (double v : {-1e3, -1.0, 0.0, 0.5, 1.0, 10.0, 99.0, 1e3, 1e5}) {
    EXPECT_EQ(a.Rank(v), b.Rank(v)) << v;
  }
}

TEST(DDSketchTest, HighQuantilesScanningDownMatchTheBinCountedFromBelow) {
  // Quantile scans from the top for q past the middle; check it against Rank's view of the
  // bins (counted from below): the answer's bin holds the rank, the bin before does not.
  std::mt19937_64 g(11);
  DDSketch s;
  for (int i = 0; i < 5000; ++i) s.Add(std::lognormal_distribution<double>(3, 1.5)(g));
  for (int i = 1; i < 1000; ++i) {
    const double q = i / 1000.0;
    const double v = s.Quantile(q);
    const auto rank = static_cast<uint64_t>(std::floor(q * static_cast<double>(s.count() - 1)));
    if (rank == 0 || rank >= s.count() - 1) continue;
    EXPECT_GT(s.Rank(v), rank) << q;
    EXPECT_LE(s.Rank(v * (1 - 0.02)), rank) << q;
  }
}

TEST(DDSketchTest, NegativeQuantilesFindTheBinRankCountsTheRankIn) {
  // The negative store is scanned from its most negative bin, in blocks where it can; the
  // answer's bin must hold the rank and the (more negative) bin before it must not.
  std::mt19937_64 g(12);
  DDSketch s;
  for (int i = 0; i < 5000; ++i) s.Add(-std::lognormal_distribution<double>(3, 1.5)(g));
  for (int i = 0; i < 300; ++i) s.Add(std::lognormal_distribution<double>(1, 1)(g));
  for (int i = 1; i < 900; ++i) {
    const double q = i / 1000.0;
    const double v = s.Quantile(q);
    const auto rank = static_cast<uint64_t>(std::floor(q * static_cast<double>(s.count() - 1)));
    if (rank == 0 || rank >= s.count() - 1 || v >= 0) continue;
    EXPECT_GT(s.Rank(v), rank) << q;
    EXPECT_LE(s.Rank(v * (1 + 0.02)), rank) << q;
  }
}

TEST(DDSketchTest, ReserveLikeChangesNothingObservable) {
  std::mt19937_64 g(5);
  DDSketch hint;
  for (int i = 0; i < 500; ++i) hint.Add(std::lognormal_distribution<double>(5, 1)(g));
  for (const auto& d : Distributions()) {
    DDSketch plain, reserved;
    reserved.ReserveLike(hint);
    EXPECT_GT(reserved.MemoryBytes(), 0u);
    EXPECT_EQ(reserved.count(), 0u);
    EXPECT_TRUE(std::isnan(reserved.Quantile(0.5)));
    std::mt19937_64 gd(3);
    for (int i = 0; i < 3000; ++i) {
      const double v = d.draw(gd);
      plain.Add(v);
      reserved.Add(v);
    }
    ExpectSameAnswers(plain, reserved);
  }
  DDSketch used;
  used.Add(1);
  const size_t bytes = used.MemoryBytes();
  used.ReserveLike(hint);  // not empty: a no-op
  EXPECT_EQ(used.MemoryBytes(), bytes);
}

TEST(DDSketchTest, MergeIntoAWiderSketchEqualsAddingTheValues) {
  // Merges whose bins fit inside the destination take a vectorised path; it must agree with
  // adding the values one by one, including near a destination that has to regrow.
  std::mt19937_64 g(9);
  for (const auto& d : Distributions()) {
    DDSketch wide, direct;
    for (int i = 0; i < 20000; ++i) {
      const double v = d.draw(g);
      wide.Add(v);
      direct.Add(v);
    }
    for (int part = 0; part < 50; ++part) {
      DDSketch piece;
      for (int i = 0; i < 200; ++i) {
        const double v = d.draw(g) * (part % 7 == 0 ? 50 : 1);
        piece.Add(v);
        direct.Add(v);
      }
      wide.Merge(piece);
    }
    ExpectSameAnswers(wide, direct);
  }
}

TEST(DDSketchTest, QuantilesAreWithinRelativeAccuracyOfExactLowerQuantiles) {
  for (double alpha : {0.005, 0.01, 0.001}) {
    for (const Distribution& dist : Distributions()) {
      for (size_t n : {size_t{1}, size_t{2}, size_t{10}, size_t{100'000}}) {
        std::mt19937_64 gen(n * 31 + 7);
        // alpha = 0.001 needs ~10,000 bins for nine decades; give it room so nothing collapses.
        DDSketch sketch(alpha, alpha < 0.005 ? 20'000 : 4096);
        std::vector<double> values(n);
        for (double& v : values) {
          v = dist.draw(gen);
          sketch.Add(v);
        }
        ASSERT_EQ(sketch.count(), n);
        ExpectWithinRelativeError(sketch, values, alpha,
                                  dist.name + " alpha=" + std::to_string(alpha));
      }
    }
  }
}

TEST(DDSketchTest, MappingMeetsTheGuaranteeAcrossTheWholeDoubleRange) {
  // With values {x / 1.5, x, 1.5 x} the median is x's bin representative, so sweeping x checks
  // the approximate mapping itself, including points next to powers of two.
  const double alpha = 0.005;
  DDSketch sketch(alpha);
  std::mt19937_64 gen(1);
  std::uniform_real_distribution<double> exponent(-300, 300);
  std::vector<double> xs;
  for (int i = 0; i < 100'000; ++i) xs.push_back(std::pow(10.0, exponent(gen)));
  for (int e = -1000; e <= 1000; e += 7) {
    const double p = std::ldexp(1.0, e);
    xs.insert(xs.end(), {p, std::nextafter(p, 0.0), std::nextafter(p, 1e308), p * 1.5, p / 1.5});
  }
  double worst = 0;
  for (double x : xs) {
    sketch.Clear();
    sketch.Add(x / 1.5);
    sketch.Add(x);
    sketch.Add(x * 1.5);
    const double err = std::fabs(sketch.Quantile(0.5) - x) / x;
    ASSERT_LE(err, alpha) << "x=" << x;
    worst = std::max(worst, err);
  }
  // The bins are not needlessly narrow: the error budget is nearly used.
  EXPECT_GT(worst, 0.95 * alpha);
}

TEST(DDSketchTest, EmptySketchReturnsNaN) {
  DDSketch sketch;
  EXPECT_TRUE(std::isnan(sketch.Quantile(0.5)));
  EXPECT_TRUE(std::isnan(sketch.min()));
  EXPECT_TRUE(std::isnan(sketch.max()));
  EXPECT_EQ(sketch.count(), 0u);
  EXPECT_EQ(sketch.Rank(1.0), 0u);
  EXPECT_EQ(sketch.MemoryBytes(), 0u);
}

TEST(DDSketchTest, QuantileOutsideUnitIntervalIsNaN) {
  DDSketch sketch;
  sketch.Add(1.0);
  EXPECT_TRUE(std::isnan(sketch.Quantile(-0.1)));
  EXPECT_TRUE(std::isnan(sketch.Quantile(1.1)));
  EXPECT_TRUE(std::isnan(sketch.Quantile(std::numeric_limits<double>::quiet_NaN())));
}

TEST(DDSketchTest, IgnoresNaNAndInfinity) {
  DDSketch sketch;
  sketch.Add(std::numeric_limits<double>::quiet_NaN());
  sketch.Add(std::numeric_limits<double>::infinity());
  sketch.Add(-std::numeric_limits<double>::infinity(), 5);
  EXPECT_EQ(sketch.count(), 0u);
  sketch.Add(3.0);
  EXPECT_EQ(sketch.count(), 1u);
  EXPECT_EQ(sketch.min(), 3.0);
  EXPECT_EQ(sketch.max(), 3.0);
}

TEST(DDSketchTest, TracksExactMinMaxCountAndSum) {
  DDSketch sketch;
  for (double v : {3.0, -2.0, 0.0, 10.5, 1e-9}) sketch.Add(v);
  EXPECT_EQ(sketch.min(), -2.0);
  EXPECT_EQ(sketch.max(), 10.5);
  EXPECT_EQ(sketch.count(), 5u);
  EXPECT_DOUBLE_EQ(sketch.sum(), 3.0 - 2.0 + 10.5 + 1e-9);
  EXPECT_EQ(sketch.Quantile(0), -2.0);
  EXPECT_EQ(sketch.Quantile(1), 10.5);
}

TEST(DDSketchTest, WeightedAddEqualsRepeatedAdd) {
  DDSketch weighted, repeated;
  for (double v : {0.5, 7.0, 7.0, 100.0}) {
    weighted.Add(v, 3);
    for (int i = 0; i < 3; ++i) repeated.Add(v);
  }
  weighted.Add(50.0, 0);  // no-op
  EXPECT_EQ(weighted.count(), repeated.count());
  EXPECT_DOUBLE_EQ(weighted.sum(), repeated.sum());
  for (double q : kQuantiles) EXPECT_EQ(weighted.Quantile(q), repeated.Quantile(q)) << q;
}

TEST(DDSketchTest, MergeOfSplitStreamsEqualsSingleSketch) {
  std::mt19937_64 gen(5);
  std::lognormal_distribution<double> lat(4, 1.5);
  std::normal_distribution<double> noise(0, 10);
  DDSketch whole;
  DDSketch parts[3];
  for (int i = 0; i < 50'000; ++i) {
    // Shards see different ranges, so merging has to grow the destination both ways.
    const int shard = i % 3;
    const double v = shard == 0 ? lat(gen) : shard == 1 ? noise(gen) : lat(gen) * 1000;
    whole.Add(v);
    parts[shard].Add(v);
  }
  DDSketch merged;
  for (const DDSketch& p : parts) merged.Merge(p);
  EXPECT_EQ(merged.count(), whole.count());
  EXPECT_EQ(merged.min(), whole.min());
  EXPECT_EQ(merged.max(), whole.max());
  EXPECT_NEAR(merged.sum(), whole.sum(), 1e-9 * std::fabs(whole.sum()));
  for (double q : kQuantiles) EXPECT_EQ(merged.Quantile(q), whole.Quantile(q)) << q;
  for (double q = 0; q <= 1; q += 0.001) EXPECT_EQ(merged.Quantile(q), whole.Quantile(q)) << q;
}

TEST(DDSketchTest, MergeWithItselfDoublesCounts) {
  DDSketch sketch;
  for (int i = 1; i <= 100; ++i) sketch.Add(i);
  const double median = sketch.Quantile(0.5);
  sketch.Merge(sketch);
  EXPECT_EQ(sketch.count(), 200u);
  EXPECT_EQ(sketch.Quantile(0.5), median);
}

TEST(DDSketchTest, MergeIntoEmptyAndFromEmpty) {
  DDSketch a, empty;
  a.Add(5);
  a.Merge(empty);
  EXPECT_EQ(a.count(), 1u);
  empty.Merge(a);
  EXPECT_EQ(empty.count(), 1u);
  EXPECT_EQ(empty.min(), 5);
  EXPECT_EQ(empty.Quantile(0.5), 5);
}

TEST(DDSketchTest, CollapsingKeepsHighQuantilesAccurateAndMemoryBounded) {
  const int max_bins = 256;  // covers a factor of ~1.01^256 = 12.8 below the maximum
  const double alpha = 0.005;
  DDSketch sketch(alpha, max_bins);
  std::mt19937_64 gen(9);
  std::vector<double> values;
  for (int i = 0; i < 100'000; ++i) {
    // 1e-3 .. 1e3: ~1,400 bins wide, so the lowest collapse.
    const double v = std::pow(10.0, std::uniform_real_distribution<double>(-3, 3)(gen));
    values.push_back(v);
    sketch.Add(v);
  }
  EXPECT_EQ(sketch.count(), values.size());
  EXPECT_LE(sketch.MemoryBytes(), max_bins * sizeof(uint32_t));
  for (double q : {0.9, 0.95, 0.99, 0.999, 1.0}) {
    const double exact = ExactLowerQuantile(values, q);
    EXPECT_LE(std::fabs(sketch.Quantile(q) - exact), alpha * exact) << q;
  }
  EXPECT_EQ(sketch.Quantile(0), sketch.min());  // exact min still tracked
  // Collapsed low quantiles are over-estimated, never beyond the window floor.
  EXPECT_GE(sketch.Quantile(0.01), ExactLowerQuantile(values, 0.01));
}

TEST(DDSketchTest, CollapsingWhileMaximumKeepsRising) {
  const double alpha = 0.005;
  DDSketch sketch(alpha, 100);
  std::vector<double> values;
  for (int i = 0; i < 20'000; ++i) {
    const double v = 1e-3 * std::pow(1.001, i);  // rising: the window slides up each time
    values.push_back(v);
    sketch.Add(v);
  }
  EXPECT_EQ(sketch.count(), values.size());
  EXPECT_LE(sketch.MemoryBytes(), 100 * sizeof(uint32_t));
  for (double q : {0.99, 0.999, 1.0}) {
    const double exact = ExactLowerQuantile(values, q);
    EXPECT_LE(std::fabs(sketch.Quantile(q) - exact), alpha * exact) << q;
  }
}

TEST(DDSketchTest, MergeRespectsDestinationMaxBins) {
  DDSketch small(0.005, 64), wide;
  for (int i = 0; i < 1000; ++i) wide.Add(std::pow(1.02, i));
  small.Merge(wide);
  EXPECT_EQ(small.count(), 1000u);
  EXPECT_LE(small.MemoryBytes(), 64 * sizeof(uint32_t));
  EXPECT_LE(std::fabs(small.Quantile(0.99) - wide.Quantile(0.99)), 0.01 * wide.Quantile(0.99));
}

TEST(DDSketchTest, BinCountsBeyondUint32DoNotOverflow) {
  const uint64_t huge = 5'000'000'000;  // > UINT32_MAX
  DDSketch sketch;
  sketch.Add(5.0, huge);
  sketch.Add(5.0, huge);
  sketch.Add(700.0, 3);
  EXPECT_EQ(sketch.count(), 2 * huge + 3);
  EXPECT_NEAR(sketch.Quantile(0.5), 5.0, 0.005 * 5.0);
  EXPECT_NEAR(sketch.Quantile(0.9999999), 5.0, 0.005 * 5.0);
  EXPECT_EQ(sketch.Quantile(1), 700.0);
  EXPECT_EQ(sketch.Rank(6.0), 2 * huge);

  DDSketch merged;
  merged.Merge(sketch);
  merged.Merge(sketch);
  EXPECT_EQ(merged.count(), 4 * huge + 6);
  EXPECT_EQ(merged.Rank(6.0), 4 * huge);

  // Collapsing a saturated bin into the window floor keeps every count.
  DDSketch collapsing(0.005, 16);
  collapsing.Add(1.0, huge);
  collapsing.Add(1e6);
  EXPECT_EQ(collapsing.count(), huge + 1);
  EXPECT_EQ(collapsing.Quantile(0), 1.0);
  // The folded mass now sits in the floor bin, about 1.01^15 below 1e6.
  EXPECT_GT(collapsing.Quantile(0.5), 5e5);
  EXPECT_GT(collapsing.Quantile(0.999999), 5e5);
}

TEST(DDSketchTest, RankApproximatesNumberOfValuesAtOrBelow) {
  const double alpha = 0.005;
  DDSketch sketch(alpha);
  std::mt19937_64 gen(3);
  std::vector<double> values;
  for (int i = 0; i < 20'000; ++i) {
    const double v = std::normal_distribution<double>(0, 50)(gen);
    values.push_back(v);
    sketch.Add(v);
  }
  std::sort(values.begin(), values.end());
  auto exact_le = [&](double x) {
    return static_cast<uint64_t>(std::upper_bound(values.begin(), values.end(), x) -
                                 values.begin());
  };
  for (double x : {-120.0, -30.0, -1.0, 0.0, 0.5, 10.0, 60.0, 200.0}) {
    // Values within the bin of x may fall either side; bins are alpha-wide around x.
    const double slack = 2 * alpha * std::fabs(x);
    EXPECT_GE(sketch.Rank(x), exact_le(x - slack)) << x;
    EXPECT_LE(sketch.Rank(x), exact_le(x + slack)) << x;
  }
  EXPECT_EQ(sketch.Rank(values.back()), values.size());
  EXPECT_EQ(sketch.Rank(values.front() - 1), 0u);
  EXPECT_EQ(sketch.Rank(std::numeric_limits<double>::quiet_NaN()), 0u);
}

TEST(DDSketchTest, ClearKeepsBuffersForReuse) {
  DDSketch sketch;
  for (int i = 1; i <= 1000; ++i) sketch.Add(i * 0.37);
  const size_t bytes = sketch.MemoryBytes();
  const double p90 = sketch.Quantile(0.9);
  sketch.Clear();
  EXPECT_EQ(sketch.count(), 0u);
  EXPECT_TRUE(std::isnan(sketch.Quantile(0.5)));
  EXPECT_EQ(sketch.sum(), 0);
  for (int i = 1; i <= 1000; ++i) sketch.Add(i * 0.37);
  EXPECT_EQ(sketch.MemoryBytes(), bytes);
  EXPECT_EQ(sketch.Quantile(0.9), p90);
}

TEST(DDSketchTest, TypicalMinuteOfLatenciesIsSmall) {
  // ~300 requests in a minute, median 200 ms, lognormal spread (about 20 ms .. 3 s).
  DDSketch sketch;
  std::mt19937_64 gen(11);
  std::lognormal_distribution<double> lat(std::log(200.0), 0.6);
  for (int i = 0; i < 300; ++i) sketch.Add(lat(gen));
  EXPECT_LE(sketch.MemoryBytes(), 2048u);
  EXPECT_EQ(sketch.relative_accuracy(), 0.005);
}

}  // namespace
}  // namespace inferscope
