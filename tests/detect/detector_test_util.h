// Checks every SeriesDetector must pass: checkpoint/resume equality, truncated state,
// NaN skipping, learning silence. Used by the per-detector tests.
#ifndef INFERSCOPE_TESTS_DETECT_DETECTOR_TEST_UTIL_H_
#define INFERSCOPE_TESTS_DETECT_DETECTOR_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/clock.h"
#include "detect/series_detector.h"

namespace inferscope {

// Noisy flat series with a few spikes and a level shift.
inline std::vector<double> TestSeries(size_t n, uint64_t seed = 1) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> d(100, 5);
  std::vector<double> v(n);
  for (size_t i = 0; i < n; ++i) {
    v[i] = d(gen) + (i > n / 2 ? 20 : 0) + (i % 97 == 50 ? 80 : 0);
    if (i % 61 == 7) v[i] = std::nan("");
  }
  return v;
}

inline bool BitEqual(double a, double b) {
  return std::memcmp(&a, &b, sizeof(double)) == 0 || (std::isnan(a) && std::isnan(b));
}

inline void ExpectSameOutput(const DetectorOutput& a, const DetectorOutput& b, size_t i) {
  EXPECT_TRUE(BitEqual(a.score, b.score)) << "point " << i << ": " << a.score << " vs " << b.score;
  EXPECT_TRUE(BitEqual(a.expected, b.expected)) << "point " << i;
  EXPECT_TRUE(BitEqual(a.lower, b.lower)) << "point " << i;
  EXPECT_TRUE(BitEqual(a.upper, b.upper)) << "point " << i;
  EXPECT_EQ(a.direction, b.direction) << "point " << i;
  EXPECT_EQ(a.learning, b.learning) << "point " << i;
}

// Run half, Save, Load into CloneEmpty(), continue: identical to an uninterrupted run.
// Every strict prefix of the state is DataLoss (or InvalidArgument), never a crash.
inline void ExpectCheckpointContract(const SeriesDetector& proto, const std::vector<double>& v,
                                     int64_t step = kNanosPerMinute) {
  std::unique_ptr<SeriesDetector> whole = proto.CloneEmpty();
  std::unique_ptr<SeriesDetector> first = proto.CloneEmpty();
  const size_t half = v.size() / 2;
  std::vector<DetectorOutput> expected;
  for (size_t i = 0; i < v.size(); ++i) expected.push_back(whole->Update(i * step, v[i]));
  for (size_t i = 0; i < half; ++i) (void)first->Update(i * step, v[i]);
  std::string state;
  StateWriter w(&state);
  first->Save(w);
  std::unique_ptr<SeriesDetector> resumed = proto.CloneEmpty();
  StateReader r(state.data(), state.size());
  ASSERT_TRUE(resumed->Load(r).ok());
  EXPECT_EQ(r.remaining(), 0u);
  for (size_t i = half; i < v.size(); ++i) {
    ExpectSameOutput(resumed->Update(i * step, v[i]), expected[i], i);
    if (testing::Test::HasFailure()) return;
  }
  for (size_t cut = 0; cut < state.size(); ++cut) {
    std::unique_ptr<SeriesDetector> t = proto.CloneEmpty();
    StateReader tr(state.data(), cut);
    const Status st = t->Load(tr);
    ASSERT_FALSE(st.ok()) << "a state cut to " << cut << " of " << state.size() << " bytes loaded";
    // A failed load leaves a usable, empty detector.
    (void)t->Update(0, 1.0);
  }
  // Garbage must not crash either.
  std::string junk(state.size(), '\xff');
  std::unique_ptr<SeriesDetector> g = proto.CloneEmpty();
  StateReader gr(junk.data(), junk.size());
  (void)g->Load(gr);
  (void)g->Update(0, 1.0);
}

// NaN points score 0 and leave the learning flag as it was; learning points score 0.
inline void ExpectNaNAndLearningContract(SeriesDetector& d, const std::vector<double>& v) {
  bool learning = true;
  for (size_t i = 0; i < v.size(); ++i) {
    const DetectorOutput o = d.Update(static_cast<int64_t>(i) * kNanosPerMinute, v[i]);
    ASSERT_GE(o.score, 0) << i;
    ASSERT_LE(o.score, 1) << i;
    if (o.learning) {
      ASSERT_EQ(o.score, 0) << i;
    }
    if (std::isnan(v[i])) {
      ASSERT_EQ(o.score, 0) << i;
      ASSERT_EQ(o.learning, learning) << i;
    } else {
      learning = o.learning;
    }
  }
  EXPECT_FALSE(learning);
}

}  // namespace inferscope

#endif  // INFERSCOPE_TESTS_DETECT_DETECTOR_TEST_UTIL_H_
