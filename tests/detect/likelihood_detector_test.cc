#include "detect/likelihood_detector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "core/clock.h"
#include "detector_test_util.h"

namespace inferscope {
namespace {

TEST(LikelihoodDetectorTest, CheckpointResumesIdenticallyAndTruncatedStateIsRejected) {
  LikelihoodDetector d(LikelihoodOptions{});
  // 1-minute steps: a day is 1440 points, so the seasonal part is off.
  ExpectCheckpointContract(d, TestSeries(3000));
}

TEST(LikelihoodDetectorTest, CheckpointIncludesTheSeasonalRing) {
  LikelihoodDetector d(LikelihoodOptions{});
  // 5-minute steps: a day is 288 points, the seasonal ring is in use.
  ExpectCheckpointContract(d, TestSeries(3000), 5 * kNanosPerMinute);
}

TEST(LikelihoodDetectorTest, SkipsNaNAndIsSilentWhileLearning) {
  LikelihoodDetector d(LikelihoodOptions{});
  ExpectNaNAndLearningContract(d, TestSeries(3000, 2));
}

TEST(LikelihoodDetectorTest, LearningPeriodIsSilent) {
  LikelihoodOptions o;
  o.min_points = 50;
  LikelihoodDetector d(o);
  for (int i = 0; i < 50; ++i) {
    const DetectorOutput out = d.Update(i * kNanosPerMinute, i == 30 ? 1e6 : 10.0 + (i % 3));
    EXPECT_TRUE(out.learning) << i;
    EXPECT_EQ(out.score, 0) << i;
  }
  EXPECT_FALSE(d.Update(50 * kNanosPerMinute, 10).learning);
}

TEST(LikelihoodDetectorTest, SpikeOutranksNoiseAndRepeatsAreDamped) {
  LikelihoodDetector d(LikelihoodOptions{});
  std::mt19937_64 gen(7);
  std::normal_distribution<double> noise(100, 2);
  double max_noise = 0;
  for (int i = 0; i < 2000; ++i) {
    const DetectorOutput out = d.Update(i * kNanosPerMinute, noise(gen));
    if (i >= 1000) max_noise = std::fmax(max_noise, out.score);
  }
  const DetectorOutput spike = d.Update(2000 * kNanosPerMinute, 160);
  EXPECT_GT(spike.score, 0.5);
  EXPECT_GT(spike.score, max_noise + 0.2);
  EXPECT_LE(spike.score, 1.0);
  EXPECT_EQ(spike.direction, Direction::kAbove);
  (void)d.Update(2001 * kNanosPerMinute, 100);
  // The same spike again soon after scores lower (only the first detection counts).
  const DetectorOutput again = d.Update(2002 * kNanosPerMinute, 160);
  EXPECT_LT(again.score, spike.score);
}

// The corpus-wide threshold `inferscope nab` picks for the standard profile (docs/nab.md):
// a score at or above it is a detection.
constexpr double kNabThreshold = 0.3763;

// Gaussian noise (mean 100, sd 2, 1-minute steps so the daily part is off) for `quiet` points,
// then `shape(k)` added for k = 0, 1, ... Returns the scores.
template <typename Shape>
std::vector<double> ScoresOf(const LikelihoodOptions& options, int quiet, int total, Shape shape) {
  LikelihoodDetector d(options);
  std::mt19937_64 gen(11);
  std::normal_distribution<double> noise(100, 2);
  std::vector<double> scores;
  for (int i = 0; i < total; ++i) {
    const double x = noise(gen) + (i >= quiet ? shape(i - quiet) : 0.0);
    scores.push_back(d.Update(i * kNanosPerMinute, x).score);
  }
  return scores;
}

int FirstAtOrAbove(const std::vector<double>& scores, int from, double threshold) {
  for (int i = from; i < static_cast<int>(scores.size()); ++i) {
    if (scores[i] >= threshold) return i;
  }
  return -1;
}

double MaxIn(const std::vector<double>& scores, int from, int to) {
  return *std::max_element(scores.begin() + from, scores.begin() + to);
}

TEST(LikelihoodDetectorTest, StepShiftFiresAtTheShiftRowWellAboveTheNoise) {
  // +40 (20 sd) from row 3000 on. (A 10-sd step scores about like the largest 4-sd noise
  // point of 2700: the value z is weighted 0.35.)
  const std::vector<double> scores =
      ScoresOf(LikelihoodOptions{}, 3000, 3200, [](int) { return 40.0; });
  // Past the first 10% (NAB's probation is 15%), the noise peaks are far below the shift.
  const double noise = MaxIn(scores, 300, 3000);
  EXPECT_GE(scores[3000], kNabThreshold);
  EXPECT_GT(scores[3000], noise + 0.1);
  EXPECT_EQ(FirstAtOrAbove(scores, 3000, kNabThreshold), 3000);
  EXPECT_LT(scores[2999], kNabThreshold);
}

TEST(LikelihoodDetectorTest, SlowRampIsCaughtByTheLevelComponent) {
  // 100 -> 70 over 300 points: each step (0.1) is lost in the noise of the difference (sd
  // 2.8) and the baseline variance absorbs the drift, so once the onset has passed (150
  // points) only the level-shift statistic (short EWMA against the long baseline) keeps
  // the ramp above the noise.
  auto ramp = [](int k) { return -0.1 * std::min(k, 300); };
  const std::vector<double> with_level = ScoresOf(LikelihoodOptions{}, 3000, 3400, ramp);
  LikelihoodOptions off;
  off.level_weight = 0;
  const std::vector<double> without = ScoresOf(off, 3000, 3400, ramp);
  const double noise = MaxIn(with_level, 300, 3000);
  EXPECT_EQ(noise, MaxIn(without, 300, 3000)) << "the level term is quiet on noise";
  EXPECT_GT(MaxIn(with_level, 3150, 3400), std::max(noise, kNabThreshold) + 0.08);
  EXPECT_LT(MaxIn(without, 3150, 3400), noise + 0.02);
}

// Gaussian noise (mean 100, sd 2) at `step` per point, plus `events(i)` added to point i.
// Returns the scores.
template <typename Events>
std::vector<double> ScoresWithEvents(const LikelihoodOptions& options, int total, int64_t step,
                                     Events events) {
  LikelihoodDetector d(options);
  std::mt19937_64 gen(5);
  std::normal_distribution<double> noise(100, 2);
  std::vector<double> scores;
  for (int i = 0; i < total; ++i) {
    scores.push_back(d.Update(i * step, noise(gen) + events(i)).score);
  }
  return scores;
}

TEST(LikelihoodDetectorTest, HoldOffSuppressesASecondSpikeWithinItAndNotAfter) {
  // 1-minute steps (no daily model, so no daily recurrence); three equal spikes, the second
  // 50 points after the first (inside the 100-point hold-off), the third 150 points after it.
  // Three spikes are no periodic train (that needs recur_train = 4 equal intervals).
  LikelihoodOptions o;
  ASSERT_EQ(o.holdoff_points, 100u);
  auto spikes = [](int i) { return i == 2000 || i == 2050 || i == 2150 ? 40.0 : 0.0; };
  const std::vector<double> scores = ScoresWithEvents(o, 2300, kNanosPerMinute, spikes);
  EXPECT_GE(scores[2000], kNabThreshold);
  EXPECT_LT(scores[2050], kNabThreshold) << "a second firing inside the hold-off costs in NAB";
  EXPECT_LT(MaxIn(scores, 2001, 2150), kNabThreshold);
  EXPECT_GE(scores[2150], kNabThreshold) << "after the hold-off a new event fires again";
  // Without the hold-off the second spike fires too: the hold-off is what suppresses it.
  o.holdoff_damp = 1;
  const std::vector<double> no_holdoff = ScoresWithEvents(o, 2300, kNanosPerMinute, spikes);
  EXPECT_GE(no_holdoff[2050], kNabThreshold);
}

// A burst (+30 for 3 points) at the same time of day on several days, 5-minute steps (a day
// is 288 points). Day d's burst starts at 100 + shift(d) points into the day.
template <typename Shift>
std::vector<double> DailyBurstScores(const LikelihoodOptions& options, Shift shift) {
  return ScoresWithEvents(options, 288 * 7, 5 * kNanosPerMinute, [&](int i) {
    const int day = i / 288;
    const int start = 100 + shift(day);
    const int k = i % 288 - start;
    return day >= 3 && k >= 0 && k < 3 ? 30.0 : 0.0;
  });
}

TEST(LikelihoodDetectorTest, AnEpisodeAtTheSameTimeOfDayAsAnEarlierOneIsDamped) {
  // The burst drifts 3 points (15 minutes) later every day, so yesterday's range in the
  // seasonal residual (x[t-P .. t-P+6]) misses it and only the recurrence memory recognises
  // it: an episode's onset is within the tolerance (2% of a day = 5.76 points) of the
  // previous day's even when it comes a point or two into the burst.
  auto drift = [](int day) { return 3 * (day - 3); };
  const std::vector<double> scores = DailyBurstScores(LikelihoodOptions{}, drift);
  LikelihoodOptions off;
  off.recur_days = 0;
  const std::vector<double> without = DailyBurstScores(off, drift);
  const int first = 3 * 288 + 100;
  EXPECT_GE(scores[first], kNabThreshold) << "the first burst is news";
  for (int day = 4; day < 7; ++day) {
    const int start = day * 288 + 100 + drift(day);
    EXPECT_LT(MaxIn(scores, start, start + 10), kNabThreshold) << "day " << day;
    EXPECT_GE(MaxIn(without, start, start + 10), kNabThreshold) << "day " << day;
  }
}

TEST(LikelihoodDetectorTest, AnEpisodeAtANewTimeOfDayIsNotDamped) {
  // The burst moves by 30 points (2.5 hours) every day: no earlier onset within the
  // tolerance, so every burst fires.
  const std::vector<double> scores =
      DailyBurstScores(LikelihoodOptions{}, [](int day) { return 30 * (day - 3); });
  for (int day = 3; day < 7; ++day) {
    const int start = day * 288 + 100 + 30 * (day - 3);
    EXPECT_GE(MaxIn(scores, start, start + 10), kNabThreshold) << "day " << day;
  }
}

TEST(LikelihoodDetectorTest, ARecurringEpisodeThatGrowsPastTwiceTheUsualPeakFiresAgain) {
  // Day 3: +30 for 3 points at 100 points into the day. Day 4: the same 3 points later
  // (damped as a recurrence), then +300 for 3 points: far past twice day 3's peak.
  auto run = [](const LikelihoodOptions& options, double* usual, double* grown) {
    LikelihoodDetector d(options);
    std::mt19937_64 gen(5);
    std::normal_distribution<double> noise(100, 2);
    *usual = *grown = 0;
    for (int i = 0; i < 288 * 5; ++i) {
      const int day = i / 288, k = i % 288 - 100 - (day == 4 ? 3 : 0);
      double x = noise(gen);
      if (day >= 3 && k >= 0 && k < 3) x += 30;
      if (day == 4 && k >= 3 && k < 6) x += 300;
      const double score = d.Update(i * 5 * kNanosPerMinute, x).score;
      if (day == 4 && k >= 0 && k < 3) *usual = std::max(*usual, score);
      if (day == 4 && k >= 3 && k < 6) *grown = std::max(*grown, score);
    }
  };
  double usual = 0, grown = 0;
  run(LikelihoodOptions{}, &usual, &grown);
  EXPECT_LT(usual, kNabThreshold);
  EXPECT_GE(grown, kNabThreshold);
  LikelihoodOptions off;
  off.recur_days = 0;
  run(off, &usual, &grown);
  EXPECT_GE(usual, kNabThreshold) << "without the recurrence memory day 4's start fires";
}

TEST(LikelihoodDetectorTest, AnEpisodeRepeatingOneFromTenDaysEarlierIsDamped) {
  // A burst at the same time of day on day 3 and day 13 (a fortnightly job, say): the
  // recurrence memory looks back two weeks, so the second is expected; with one week it is not.
  auto run = [](const LikelihoodOptions& options, double* first, double* second) {
    const std::vector<double> scores =
        ScoresWithEvents(options, 288 * 15, 5 * kNanosPerMinute, [](int i) {
          const int day = i / 288, k = i % 288 - 100;
          return (day == 3 || day == 13) && k >= 0 && k < 3 ? 30.0 : 0.0;
        });
    *first = MaxIn(scores, 3 * 288 + 100, 3 * 288 + 110);
    *second = MaxIn(scores, 13 * 288 + 100, 13 * 288 + 110);
  };
  double first = 0, second = 0;
  ASSERT_EQ(LikelihoodOptions{}.recur_days, 14u);
  run(LikelihoodOptions{}, &first, &second);
  EXPECT_GE(first, kNabThreshold) << "the first burst is news";
  EXPECT_LT(second, kNabThreshold) << "ten days later it is a recurrence";
  LikelihoodOptions week;
  week.recur_days = 7;
  run(week, &first, &second);
  EXPECT_GE(second, kNabThreshold) << "a one-week memory does not reach back ten days";
}

TEST(LikelihoodDetectorTest, TheSeasonalResidualOnlyScoresOnceItHasMinPointsValues) {
  // Only the smoothed seasonal residual can score here (value weight 0 makes the point
  // surprise 0; no likelihood, no level term). A departure from yesterday's shape (+10, 5 sd,
  // for 10 points) right after the first day is not scored: the residual's baseline has fewer
  // than min_points values and a variance near 0. The same departure later stands out.
  LikelihoodOptions o;
  o.value_weight = 0;
  o.likelihood_weight = 0;
  o.level_weight = 0;
  auto departure = [](int i) {
    const int k = i - 288;
    return (k >= 3 && k < 13) || (k >= 200 && k < 210) ? 10.0 : 0.0;
  };
  const std::vector<double> scores = ScoresWithEvents(o, 288 * 2, 5 * kNanosPerMinute, departure);
  for (int i = 0; i < 288 + static_cast<int>(o.min_points); ++i) {
    EXPECT_EQ(scores[i], 0.0) << i;
  }
  const double noise = MaxIn(scores, 288 + static_cast<int>(o.min_points), 288 + 200);
  EXPECT_GT(MaxIn(scores, 288 + 200, 288 + 215), noise + 0.1);
}

// Day 3: +first for 3 points at 100 points into the day; day 4: +25 for 3 points at `second_at`.
std::vector<double> EchoScores(const LikelihoodOptions& options, double first, int second_at) {
  return ScoresWithEvents(options, 288 * 5, 5 * kNanosPerMinute, [&](int i) {
    const int day = i / 288, k = i % 288;
    if (day == 3 && k >= 100 && k < 103) return first;
    if (day == 4 && k >= second_at && k < second_at + 3) return 25.0;
    return 0.0;
  });
}

TEST(LikelihoodDetectorTest, AWeakerEpisodeALittleLateOneDayAfterAStrongOneIsItsEcho) {
  // The seasonal residual compares today with yesterday, so a strong event comes back weakly
  // one day later, a few points late. Day 4's burst 10 points later than day 3's onset is
  // outside the daily tolerance (5.76 points) but within the echo's lateness (short_window +
  // 2 seasonal_jitter = 16 points), and day 3's episode peaked more than recur_growth = 2
  // times higher than day 4's onset.
  const int day4 = 4 * 288;
  LikelihoodOptions no_echo;
  no_echo.recur_echo = false;
  const std::vector<double> echo = EchoScores(LikelihoodOptions{}, 30, 110);
  const std::vector<double> without = EchoScores(no_echo, 30, 110);
  EXPECT_GE(echo[3 * 288 + 100], kNabThreshold) << "day 3's burst is news";
  EXPECT_LT(MaxIn(echo, day4 + 110, day4 + 120), kNabThreshold);
  EXPECT_GE(MaxIn(without, day4 + 110, day4 + 120), kNabThreshold);
  // Not an echo: 10 points early, 22 points late (past 16 + 5.76), or after a day-3 episode
  // that was not twice as strong.
  EXPECT_GE(MaxIn(EchoScores(LikelihoodOptions{}, 30, 90), day4 + 90, day4 + 100), kNabThreshold);
  EXPECT_GE(MaxIn(EchoScores(LikelihoodOptions{}, 30, 122), day4 + 122, day4 + 132), kNabThreshold);
  const std::vector<double> weak_first = EchoScores(LikelihoodOptions{}, 20, 110);
  EXPECT_GE(weak_first[3 * 288 + 100], kNabThreshold);
  EXPECT_GE(MaxIn(weak_first, day4 + 110, day4 + 120), kNabThreshold);
}

TEST(LikelihoodDetectorTest, DeparturesFromYesterdayThatKeepComingAreCalibratedByTheirOwnTail) {
  // Only the smoothed seasonal residual scores (as above). A +10 departure (5 sd) for 10
  // points roughly every 1000 points (3.5 days) at ever different times of day: between them
  // the residual's baseline forgets them (half-life 500), so each scores like news, but the
  // residual's own 99.8% quantile climbs past seasonal_tail_level and later ones are scaled
  // down. A single departure in a quiet series still fires.
  LikelihoodOptions o;
  o.value_weight = 0;
  o.likelihood_weight = 0;
  o.level_weight = 0;
  LikelihoodOptions uncalibrated = o;
  uncalibrated.seasonal_tail_quantile = 0;
  std::vector<int> starts;
  for (int j = 0, start = 400; start < 288 * 20; ++j, start += 1000 + (j * 37) % 50) {
    starts.push_back(start);
  }
  auto departures = [&](int i) {
    for (int start : starts) {
      if (i >= start && i < start + 10) return 10.0;
    }
    return 0.0;
  };
  const std::vector<double> with = ScoresWithEvents(o, 288 * 20, 5 * kNanosPerMinute, departures);
  const std::vector<double> without =
      ScoresWithEvents(uncalibrated, 288 * 20, 5 * kNanosPerMinute, departures);
  int late = 0;
  for (int start : starts) {
    if (start < 288 * 8) continue;
    ++late;
    EXPECT_LT(MaxIn(with, start, start + 20), kNabThreshold) << start;
    EXPECT_GE(MaxIn(without, start, start + 20), kNabThreshold) << start;
  }
  EXPECT_GE(late, 3);
  auto lone = [](int i) { return i >= 288 * 5 && i < 288 * 5 + 10 ? 10.0 : 0.0; };
  EXPECT_GE(MaxIn(ScoresWithEvents(o, 288 * 6, 5 * kNanosPerMinute, lone), 288 * 5, 288 * 6),
            kNabThreshold);
}

TEST(LikelihoodDetectorTest, CheckpointKeepsTheSeasonalTailQuantile) {
  // Departures from yesterday every ~1000 points (5-minute steps): by the middle of the
  // series the tail quantile is past seasonal_tail_level, so resuming without it would score
  // the later departures differently.
  std::vector<double> v;
  std::mt19937_64 gen(3);
  std::normal_distribution<double> noise(100, 2);
  for (int i = 0; i < 288 * 12; ++i) {
    v.push_back(noise(gen) + ((i - 400) % 1000 >= 0 && (i - 400) % 1000 < 10 ? 10.0 : 0.0));
  }
  LikelihoodDetector d(LikelihoodOptions{});
  ExpectCheckpointContract(d, v, 5 * kNanosPerMinute);
  LikelihoodDetector half(LikelihoodOptions{});
  for (size_t i = 0; i < v.size() / 2; ++i) {
    (void)half.Update(static_cast<int64_t>(i) * 5 * kNanosPerMinute, v[i]);
  }
  std::string state;
  StateWriter w(&state);
  half.Save(w);
  StateReader last(state.data() + state.size() - 8, 8);
  double q = 0;
  ASSERT_TRUE(last.F64(&q).ok());
  EXPECT_GT(q, LikelihoodOptions{}.seasonal_tail_level) << "the state's last value";
}

TEST(LikelihoodDetectorTest, AnExactlyPeriodicSpikeTrainIsDampedButAnOffBeatSpikeFires) {
  // A spike every 150 points (1-minute steps: no daily model). Once four equal intervals
  // precede a spike it is a train; a spike between two beats is still news.
  auto train = [](int i) {
    if (i == 2000 + 6 * 150 + 75) return 40.0;  // off-beat
    return i >= 2000 && (i - 2000) % 150 == 0 ? 40.0 : 0.0;
  };
  const int total = 2000 + 10 * 150;
  const std::vector<double> scores =
      ScoresWithEvents(LikelihoodOptions{}, total, kNanosPerMinute, train);
  LikelihoodOptions off;
  off.recur_train = 0;
  const std::vector<double> without = ScoresWithEvents(off, total, kNanosPerMinute, train);
  for (int beat = 0; beat < 4; ++beat) {
    EXPECT_GE(scores[2000 + beat * 150], kNabThreshold) << "beat " << beat;
  }
  for (int beat = 4; beat < 10; ++beat) {
    EXPECT_LT(scores[2000 + beat * 150], kNabThreshold) << "beat " << beat;
    EXPECT_GE(without[2000 + beat * 150], kNabThreshold) << "beat " << beat;
  }
  EXPECT_GE(scores[2000 + 6 * 150 + 75], kNabThreshold) << "off-beat";
}

TEST(LikelihoodDetectorTest, CheckpointWithRecurrenceMemoryResumesIdentically) {
  // Daily bursts: by the middle of the series the onset memory holds several onsets.
  std::vector<double> v, quiet;
  std::mt19937_64 gen(3);
  std::normal_distribution<double> noise(100, 2);
  for (int i = 0; i < 288 * 8; ++i) {
    const int k = i % 288 - 100 - 5 * (i / 288);
    quiet.push_back(noise(gen));
    v.push_back(quiet.back() + (k >= 0 && k < 3 ? 30.0 : 0.0));
  }
  LikelihoodDetector d(LikelihoodOptions{});
  ExpectCheckpointContract(d, v, 5 * kNanosPerMinute);
  // Each remembered onset adds 16 bytes (u64 point index + f64 peak) to the state. (Without
  // the seasonal tail calibration, which by day 3 scales the routine bursts' departure from
  // yesterday below the fire level, so that fewer of them start an episode.)
  LikelihoodOptions o;
  o.seasonal_tail_quantile = 0;
  auto state_after_half = [&o](const std::vector<double>& series) {
    LikelihoodDetector h(o);
    for (size_t i = 0; i < series.size() / 2; ++i) {
      (void)h.Update(static_cast<int64_t>(i) * 5 * kNanosPerMinute, series[i]);
    }
    std::string state;
    StateWriter w(&state);
    h.Save(w);
    return state.size();
  };
  EXPECT_GE(state_after_half(v), state_after_half(quiet) + 2 * 16);
}

TEST(LikelihoodDetectorTest, VersionTwoToFourStatesStillLoad) {
  // 1-minute steps: no seasonal model, so period and lag are 0 and the ring is empty. A
  // version-5 state then ends with: the lag (u32), the seasonal position (u32), seven f64 of
  // the seasonal baselines, the recurrence memory (u32 count 0, u32 position 0, u8 flags,
  // f64 reference peak: 17 bytes when no onset was seen) and the seasonal tail quantile
  // (f64; 0 here). Without the lag and with version byte 4 it is what version 4 wrote;
  // without the quantile too and with version byte 3, what version 3 wrote; without the
  // recurrence memory too and with version byte 2, what version 2 wrote.
  std::vector<double> v;
  std::mt19937_64 gen(3);
  std::normal_distribution<double> noise(100, 2);
  for (int i = 0; i < 400; ++i) v.push_back(noise(gen));
  LikelihoodDetector whole(LikelihoodOptions{});
  LikelihoodDetector first(LikelihoodOptions{});
  std::vector<DetectorOutput> expected;
  for (int i = 0; i < 400; ++i) expected.push_back(whole.Update(i * kNanosPerMinute, v[i]));
  for (int i = 0; i < 200; ++i) (void)first.Update(i * kNanosPerMinute, v[i]);
  std::string state;
  StateWriter w(&state);
  first.Save(w);
  const size_t after_lag = 4 + 7 * 8 + 17 + 8;
  ASSERT_GT(state.size(), after_lag + 4 + 5);
  ASSERT_EQ(state[4], 5) << "version byte";
  ASSERT_EQ(state.substr(state.size() - 8), std::string(8, '\0')) << "tail quantile 0";
  const std::string tail = state.substr(state.size() - 8 - 17, 17);
  ASSERT_EQ(tail.substr(0, 8), std::string(8, '\0')) << "no onset so far";
  const size_t lag_at = state.size() - after_lag - 4;
  ASSERT_EQ(state.substr(lag_at - 4, 8), std::string(8, '\0')) << "period and lag 0";
  std::string v4 = state.substr(0, lag_at) + state.substr(lag_at + 4);
  v4[4] = 4;
  std::string v3 = v4.substr(0, v4.size() - 8);
  v3[4] = 3;
  std::string v2 = v4.substr(0, v4.size() - 8 - 17);
  v2[4] = 2;
  for (const std::string& old : {v4, v3, v2}) {
    LikelihoodDetector resumed(LikelihoodOptions{});
    StateReader r(old.data(), old.size());
    ASSERT_TRUE(resumed.Load(r).ok()) << int(old[4]);
    EXPECT_EQ(r.remaining(), 0u);
    for (int i = 200; i < 400; ++i) {
      ExpectSameOutput(resumed.Update(i * kNanosPerMinute, v[i]), expected[i], i);
    }
  }
  // Unknown versions are rejected.
  for (char version : {'\1', '\6'}) {
    std::string bad = state;
    bad[4] = version;
    LikelihoodDetector other(LikelihoodOptions{});
    StateReader br(bad.data(), bad.size());
    EXPECT_FALSE(other.Load(br).ok()) << int(version);
  }
}

// Hourly points over `weeks` weeks: 100 on weekdays, 60 at weekends (days 5 and 6 of each
// week), a daily swing of +-10 and noise of sd 1; in the last week the weekend dip does not
// come (the weekend stays at the weekday level).
std::vector<double> HourlyWeekendDipScores(const LikelihoodOptions& options, int weeks) {
  const int total = weeks * 7 * 24;
  std::mt19937_64 gen(11);
  std::normal_distribution<double> noise(0, 1);
  LikelihoodDetector d(options);
  std::vector<double> scores;
  for (int i = 0; i < total; ++i) {
    const int day = (i / 24) % 7, week = i / (7 * 24);
    const bool dip = (day == 5 || day == 6) && week < weeks - 1;
    const double x =
        (dip ? 60.0 : 100.0) + 10 * std::sin(2 * std::numbers::pi * (i % 24) / 24.0) + noise(gen);
    scores.push_back(d.Update(static_cast<int64_t>(i) * kNanosPerHour, x).score);
  }
  return scores;
}

TEST(LikelihoodDetectorTest, HourlySeriesAreComparedWithTheSameHourLastWeek) {
  // A missing weekend dip is the weekday level one day too many: yesterday (a weekday) looks
  // the same, the same hours last week do not. Only the weekly reference sees it.
  const int weeks = 5;
  const int last_weekend = (weeks - 1) * 7 * 24 + 5 * 24;
  LikelihoodOptions daily;
  daily.seasonal_weekly = false;
  const std::vector<double> weekly_scores = HourlyWeekendDipScores(LikelihoodOptions{}, weeks);
  const std::vector<double> daily_scores = HourlyWeekendDipScores(daily, weeks);
  EXPECT_GE(MaxIn(weekly_scores, last_weekend, last_weekend + 48), kNabThreshold);
  EXPECT_LT(MaxIn(daily_scores, last_weekend, last_weekend + 48), kNabThreshold);
}

TEST(LikelihoodDetectorTest, CheckpointIncludesTheWeeklyRing) {
  LikelihoodDetector d(LikelihoodOptions{});
  // Hourly steps: the lag is a week, 168 points of ring.
  ExpectCheckpointContract(d, TestSeries(1000), kNanosPerHour);
}

TEST(LikelihoodDetectorTest, FlatSeriesStaysQuiet) {
  LikelihoodDetector d(LikelihoodOptions{});
  for (int i = 0; i < 3000; ++i) {
    EXPECT_LT(d.Update(i * 5 * kNanosPerMinute, 42.0).score, 0.05) << i;
  }
}

TEST(LikelihoodDetectorTest, StateBytesIsFixed) {
  LikelihoodDetector d(LikelihoodOptions{});
  const size_t before = d.StateBytes();
  for (double x : TestSeries(2000)) (void)d.Update(0, x);
  EXPECT_EQ(d.StateBytes(), before);
  EXPECT_LE(before, 4096u);
}

TEST(LikelihoodDetectorTest, ValidateRejectsBadOptions) {
  EXPECT_TRUE(LikelihoodOptions{}.Validate().ok());
  LikelihoodOptions o;
  o.short_window = 0;
  EXPECT_FALSE(o.Validate().ok());
  o = LikelihoodOptions{};
  o.damp = 2;
  EXPECT_FALSE(o.Validate().ok());
  o = LikelihoodOptions{};
  o.value_half_life = 0;
  EXPECT_FALSE(o.Validate().ok());
  o = LikelihoodOptions{};
  o.holdoff_damp = -1;
  EXPECT_FALSE(o.Validate().ok());
  o = LikelihoodOptions{};
  o.level_half_life = 0;
  EXPECT_FALSE(o.Validate().ok());
  o = LikelihoodOptions{};
  o.level_weight = -1;
  EXPECT_FALSE(o.Validate().ok());
  o = LikelihoodOptions{};
  o.recur_damp = 1.5;
  EXPECT_FALSE(o.Validate().ok());
  o = LikelihoodOptions{};
  o.recur_day_tolerance = 0.5;
  EXPECT_FALSE(o.Validate().ok());
  o = LikelihoodOptions{};
  o.recur_growth = 0.5;
  EXPECT_FALSE(o.Validate().ok());
  o = LikelihoodOptions{};
  o.recur_train = LikelihoodDetector::kOnsets;
  EXPECT_FALSE(o.Validate().ok());
  o = LikelihoodOptions{};
  o.seasonal_tail_quantile = 1;
  EXPECT_FALSE(o.Validate().ok());
  o = LikelihoodOptions{};
  o.seasonal_tail_level = 0;
  EXPECT_FALSE(o.Validate().ok());
  o = LikelihoodOptions{};
  o.seasonal_tail_step = -0.1;
  EXPECT_FALSE(o.Validate().ok());
}

}  // namespace
}  // namespace inferscope
