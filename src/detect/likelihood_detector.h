#ifndef INFERSCOPE_DETECT_LIKELIHOOD_DETECTOR_H_
#define INFERSCOPE_DETECT_LIKELIHOOD_DETECTOR_H_

#include <array>
#include <cstdint>
#include <memory>

#include "detect/series_detector.h"

namespace inferscope {

struct LikelihoodOptions {
  // The defaults are the configuration `inferscope nab` runs (MakeDefaultUnivariateDetector);
  // they were tuned on the NAB subset, see docs/nab.md "Results".
  //
  // Half-lives (in points) of the EWMA baselines of the value and of its first difference.
  // Until a baseline has seen ~1/alpha points it is the plain running mean/variance.
  double value_half_life = 2000;
  double diff_half_life = 500;
  // Short-term window (points, <= kMaxShort) averaged for the anomaly likelihood, and the
  // half-life of the long-term distribution of that average.
  uint32_t short_window = 10;
  double likelihood_half_life = 500;
  // Weights of the point statistics. The point surprise is the MINIMUM of the weighted |z| of
  // the value, of its first difference and (once a day of history exists) of the seasonal
  // residual: a point must be unexpected under every model at once.
  double value_weight = 0.35;
  double diff_weight = 1.0;
  double seasonal_weight = 0.5;
  // Weight of the likelihood statistic (short-term mean of the raw anomaly vs its long-term
  // distribution; ranks sustained changes).
  double likelihood_weight = 1.0;
  // Seasonal residual x[t] - (range of x[t-L .. t-L+2*seasonal_jitter]); the lag L is a day,
  // P points per day from the first sampling interval (off when P > kMaxSeason or P < 4), or
  // a week, 7P, when seasonal_weekly and a week fits the kMaxSeason-point ring (sampling
  // every 35 minutes or slower: hourly series are compared with the same hour last week,
  // which holds their daily shape too); its baseline half-life.
  uint32_t seasonal_jitter = 3;
  bool seasonal_weekly = true;
  double seasonal_half_life = 500;
  // Weight of the smoothed seasonal residual (EWMA with seasonal_short_half_life points)
  // against its own long-term distribution (a sustained departure from yesterday's shape).
  double seasonal_smooth_weight = 0.4;
  double seasonal_short_half_life = 5;
  // Tail calibration of that weighted smoothed-seasonal term: q = streaming
  // seasonal_tail_quantile-quantile of the term (stochastic-gradient tracker, step
  // seasonal_tail_step: +step * p above q, -step * (1 - p) below, q >= 0). Where q exceeds
  // seasonal_tail_level the term is scaled by seasonal_tail_level / q: in a series whose days
  // rarely repeat (bursts at irregular times) a departure from yesterday is routine, and it
  // must be rarer than in a Gaussian world to score as much (0: off).
  double seasonal_tail_quantile = 0.998;
  double seasonal_tail_level = 1.5;
  double seasonal_tail_step = 0.15;
  // Suppression: a point only scores fully when its statistic exceeds the recent maximum,
  // which decays with this half-life (points); otherwise it is multiplied by `damp`.
  double suppress_half_life = 100;
  double damp = 0.5;
  // Hold-off: for holdoff_points after a (suppressed) statistic >= fire_level (sigma units),
  // statistics are multiplied by holdoff_damp. Later points of the same episode can only
  // cost false positives.
  double fire_level = 3.0;
  uint32_t holdoff_points = 100;
  double holdoff_damp = 0.25;
  // Recurrence: an episode (a run of points whose suppressed statistic is >= fire_level)
  // whose onset repeats the pattern of earlier onsets is expected behaviour (a daily job, a
  // scheduled spike), not news. Only earlier episodes whose peak statistic was at least
  // 1/recur_growth of this onset's count. The episode's statistics are multiplied by
  // recur_damp while it lasts, unless it grows past recur_growth times the largest peak of
  // the episodes it repeats (then it is news again).
  //  * daily: such an onset lies within +- max(0.5, recur_day_tolerance * P) points of
  //    t - k P for some k in 1..recur_days (P = points per day, as for the seasonal residual;
  //    off while P is unknown, and when recur_days = 0);
  //  * train: such onsets at exactly t - d, t - 2d, ..., t - recur_train d for some interval
  //    d >= kMinTrainInterval points (0: off).
  //  * echo (when recur_echo): an onset up to short_window + 2 seasonal_jitter points later
  //    than one seasonal lag L (a day, or a week, see seasonal_weekly) after an onset whose
  //    episode peaked at least recur_growth times higher. The seasonal residual compares
  //    now with one lag ago, so a strong event comes back weakly one lag later, a few points
  //    late (the width of the seasonal range and of the likelihood's short window).
  // Only the last kOnsets onsets are remembered, and none from the first day (start-up
  // transients of young baselines). Two weeks, so weekly and fortnightly jobs count too.
  uint32_t recur_days = 14;
  bool recur_echo = true;
  double recur_day_tolerance = 0.02;
  uint32_t recur_train = 4;
  double recur_damp = 0.1;
  double recur_growth = 2.0;
  // Level shift: |EWMA of the value (half-life level_half_life points) - value baseline| /
  // value scale, times level_weight, joins the max of step 3. Catches drifts and ramps whose
  // single points are unremarkable under the difference model (0 weight: off).
  double level_half_life = 30;
  double level_weight = 1.4;
  // Baseline mean updates are clipped to +- clip sigma (0: off), so outliers barely move
  // the level; the variance sees the unclipped value so real shifts are absorbed.
  double clip = 2.0;
  // Statistic -> score: s / (s + score_scale). Never saturates, so the ranking survives.
  double score_scale = 5.0;
  // Points needed before scoring; >= 2. The seasonal residual likewise only joins once it
  // has min_points values (one day plus min_points points into the series).
  uint32_t min_points = 30;

  Status Validate() const;
};

// A scale-free streaming detector for series of unknown meaning (NAB-like), per point:
//  1. point surprise = min(value_weight |z_value|, diff_weight |z_diff|, seasonal_weight
//     |z_seasonal|): z of the value, of its first difference and of the residual against
//     the same time yesterday (last week for series sampled every 35 minutes or slower),
//     each against an EWMA Gaussian baseline (Huber-clipped mean,
//     scale floored at 1e-3 of the level so flat series stay quiet);
//  2. Numenta-style anomaly likelihood: the mean of the last `short_window` raw anomalies
//     erf(surprise / sqrt 2) against the long-term distribution of that mean, and a smoothed
//     seasonal residual against its own distribution (rank sustained changes; scaled down
//     where its own tail is heavy);
//  3. statistic s = max of the above and of a level-shift z (short EWMA of the value
//     against the value baseline: ramps and drifts); suppression (only new peaks of s over a
//     decaying recent maximum score fully), damping of episodes that recur (same time of day
//     as an earlier episode or the echo, one seasonal lag later, of a much stronger one, or an
//     exactly periodic train) and a hold-off after a strong statistic, because in NAB only the
//     earliest detection of a window counts and every later one costs;
//  4. score = s / (s + score_scale) in [0, 1), never saturating.
// Strictly causal, O(1) per point (O(seasonal_jitter) for the seasonal range; O(kOnsets^2) only
// at an episode's onset), fixed state (~3.3 KiB, dominated by the 288-value seasonal ring).
class LikelihoodDetector final : public SeriesDetector {
 public:
  static constexpr uint32_t kMaxShort = 32;
  static constexpr uint32_t kMaxSeason = 288;
  static constexpr uint32_t kOnsets = 16;
  static constexpr uint32_t kMinTrainInterval = 10;

  explicit LikelihoodDetector(const LikelihoodOptions& options);

  DetectorOutput Update(TimestampNs ts, double value) override;
  std::string_view name() const override { return "likelihood"; }
  size_t StateBytes() const override { return sizeof(*this); }
  void Save(StateWriter& out) const override;
  Status Load(StateReader& in) override;
  std::unique_ptr<SeriesDetector> CloneEmpty() const override;

 private:
  // Running/EWMA mean and variance; alpha_t = max(alpha, 1/n).
  struct Moments {
    double n = 0, mean = 0, var = 0;
    void Add(double x, double alpha, double clip);
  };
  void Clear();
  // If an onset at point index t with statistic `stat` repeats remembered episodes (see
  // LikelihoodOptions), the largest peak statistic among them; else 0.
  double RecurringPeak(uint64_t t, double stat) const;

  LikelihoodOptions options_;
  double a_value_, a_diff_, a_lik_, a_season_, a_season_short_, suppress_decay_, a_level_;
  uint64_t seen_ = 0;
  double prev_ = 0;
  Moments value_, diff_, lik_;
  std::array<double, kMaxShort> ring_{};
  uint32_t ring_pos_ = 0, ring_count_ = 0;
  double ring_sum_ = 0;
  double peak_ = 0;
  double level_short_ = 0;
  static constexpr uint32_t kNever = 0xffffffffu;
  uint32_t since_fire_ = kNever;  // points since the last statistic >= fire_level
  TimestampNs first_ts_ = 0;
  uint32_t period_ = 0;  // points per day; 0: not known yet or off
  uint32_t lag_ = 0;     // seasonal lag L in points: period_ or 7 * period_ (0: off)
  uint32_t season_pos_ = 0;
  Moments season_;
  double season_short_ = 0;
  Moments season_smooth_;
  double season_tail_q_ = 0;  // the tracked quantile of the weighted smoothed-seasonal term
  std::array<double, kMaxSeason> season_ring_{};
  // Recurrence: point indices (seen_) of the last onsets, a ring.
  std::array<uint64_t, kOnsets> onsets_{};
  std::array<double, kOnsets> onset_peaks_{};  // peak statistic of each onset's episode
  uint32_t onset_count_ = 0, onset_pos_ = 0;
  bool above_ = false;     // the previous scored point's suppressed statistic >= fire_level
  bool recorded_ = false;  // the current episode is in the onset memory
  double recur_ref_ = 0;   // > 0: the current episode repeats earlier ones peaking at this
};

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_LIKELIHOOD_DETECTOR_H_
