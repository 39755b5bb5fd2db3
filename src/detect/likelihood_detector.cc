#include "detect/likelihood_detector.h"

#include <algorithm>
#include <cmath>

#include "detect/detector_common.h"

namespace inferscope {
namespace {
constexpr uint32_t kTag = StateTag("lik1");
// 2: + level_short_; 3: + recurrence state; 4: + seasonal tail quantile (v2, v3 still load).
constexpr uint8_t kVersion = 5;

double AlphaFromHalfLife(double h) { return 1.0 - std::exp2(-1.0 / h); }

// Relative floor on a scale: flat or quantised series must not turn tiny wiggles into
// infinite surprise.
double Scale(double var, double level) {
  const double sd = std::sqrt(std::max(var, 0.0));
  return std::max({sd, 1e-3 * std::fabs(level), 1e-9});
}
}  // namespace

Status LikelihoodOptions::Validate() const {
  for (double h : {value_half_life, diff_half_life, likelihood_half_life, suppress_half_life,
                   seasonal_half_life, seasonal_short_half_life, level_half_life}) {
    if (!(h > 0) || !std::isfinite(h)) {
      return Status::InvalidArgument("likelihood: half-lives must be > 0");
    }
  }
  if (short_window < 1 || short_window > LikelihoodDetector::kMaxShort) {
    return Status::InvalidArgument("likelihood: short_window must be in [1, 32]");
  }
  if (!(value_weight >= 0) || !(diff_weight >= 0) || !(likelihood_weight >= 0) ||
      !(seasonal_weight >= 0) || !(seasonal_smooth_weight >= 0) || !(level_weight >= 0)) {
    return Status::InvalidArgument("likelihood: weights must be >= 0");
  }
  if (!(damp >= 0 && damp <= 1)) return Status::InvalidArgument("likelihood: damp in [0, 1]");
  if (!(holdoff_damp >= 0 && holdoff_damp <= 1)) {
    return Status::InvalidArgument("likelihood: holdoff_damp in [0, 1]");
  }
  if (!(fire_level >= 0) || !(clip >= 0)) {
    return Status::InvalidArgument("likelihood: fire_level and clip must be >= 0");
  }
  if (seasonal_jitter > LikelihoodDetector::kMaxSeason) {
    return Status::InvalidArgument("likelihood: seasonal_jitter must be <= 288");
  }
  if (!(recur_day_tolerance >= 0 && recur_day_tolerance < 0.5)) {
    return Status::InvalidArgument("likelihood: recur_day_tolerance in [0, 0.5)");
  }
  if (!(recur_damp >= 0 && recur_damp <= 1)) {
    return Status::InvalidArgument("likelihood: recur_damp in [0, 1]");
  }
  if (!(recur_growth >= 1)) return Status::InvalidArgument("likelihood: recur_growth must be >= 1");
  if (recur_train >= LikelihoodDetector::kOnsets) {
    return Status::InvalidArgument("likelihood: recur_train must be < 16");
  }
  if (!(seasonal_tail_quantile >= 0 && seasonal_tail_quantile < 1)) {
    return Status::InvalidArgument("likelihood: seasonal_tail_quantile in [0, 1)");
  }
  if (!(seasonal_tail_level > 0) || !(seasonal_tail_step >= 0) ||
      !std::isfinite(seasonal_tail_level) || !std::isfinite(seasonal_tail_step)) {
    return Status::InvalidArgument(
        "likelihood: seasonal_tail_level must be > 0 and seasonal_tail_step >= 0");
  }
  if (!(score_scale > 0)) return Status::InvalidArgument("likelihood: score_scale must be > 0");
  if (min_points < 2) return Status::InvalidArgument("likelihood: min_points must be >= 2");
  return Status::Ok();
}

void LikelihoodDetector::Moments::Add(double x, double alpha, double clip) {
  n += 1;
  const double a = std::max(alpha, 1.0 / n);
  const double d = x - mean;
  // Huber-style clipping of the mean update only: one outlier moves the level by at most
  // a * clip sigma, while the variance still sees it (so a real level shift widens the
  // scale and the baseline catches up instead of locking out).
  double dm = d;
  if (clip > 0 && n > 10) {
    const double lim = clip * std::sqrt(std::max(var, 0.0));
    dm = std::clamp(d, -lim, lim);
  }
  mean += a * dm;
  var = (1 - a) * (var + a * d * d);
}

LikelihoodDetector::LikelihoodDetector(const LikelihoodOptions& options)
    : options_(options),
      a_value_(AlphaFromHalfLife(options.value_half_life)),
      a_diff_(AlphaFromHalfLife(options.diff_half_life)),
      a_lik_(AlphaFromHalfLife(options.likelihood_half_life)),
      a_season_(AlphaFromHalfLife(options.seasonal_half_life)),
      a_season_short_(AlphaFromHalfLife(options.seasonal_short_half_life)),
      suppress_decay_(std::exp2(-1.0 / options.suppress_half_life)),
      a_level_(AlphaFromHalfLife(options.level_half_life)) {}

DetectorOutput LikelihoodDetector::Update(TimestampNs ts, double value) {
  if (std::isnan(value)) return QuietOutput(seen_ < options_.min_points);
  // The short level includes the current point (strictly causal: rows <= t).
  level_short_ = seen_ == 0 ? value : level_short_ + a_level_ * (value - level_short_);
  DetectorOutput out = QuietOutput(true);
  const double level = std::fabs(value_.mean) + std::sqrt(std::max(value_.var, 0.0));
  const double zv = seen_ >= 2 ? (value - value_.mean) / Scale(value_.var, level) : 0.0;
  const double d = seen_ >= 1 ? value - prev_ : 0.0;
  const double zd = seen_ >= 3 ? (d - diff_.mean) / Scale(diff_.var, level) : 0.0;
  if (seen_ == 0) first_ts_ = ts;
  if (seen_ == 1 && ts > first_ts_) {
    const int64_t p = (kNanosPerDay + (ts - first_ts_) / 2) / (ts - first_ts_);
    if (p >= 4 && p <= kMaxSeason) {
      period_ = static_cast<uint32_t>(p);
      lag_ = options_.seasonal_weekly && 7 * period_ <= kMaxSeason ? 7 * period_ : period_;
    }
  }
  double zs = 0;
  double zss = 0;
  double sdiff = 0;
  const bool season_ready = lag_ > 0 && seen_ >= lag_;
  // The seasonal residual's baselines, like the others, need min_points values before they
  // score: with only a handful, their variance is near 0 and ordinary noise looks like a
  // departure from yesterday's shape (a start-up transient one day into every series).
  const double season_min = static_cast<double>(options_.min_points);
  if (season_ready) {
    // Distance to the range of the values around this time one lag ago (x[t-L .. t-L+2j]),
    // so seasonal events that drift by a few points are still "expected".
    double lo = season_ring_[season_pos_];
    double hi = lo;
    const uint32_t span = std::min(2 * options_.seasonal_jitter, lag_ - 1);
    for (uint32_t k = 1; k <= span; ++k) {
      const double y = season_ring_[(season_pos_ + k) % lag_];
      lo = std::min(lo, y);
      hi = std::max(hi, y);
    }
    sdiff = value - std::clamp(value, lo, hi);
    if (season_.n >= season_min) zs = (sdiff - season_.mean) / Scale(season_.var, level);
    // Smoothed seasonal residual: a sustained departure from yesterday's shape.
    season_short_ += a_season_short_ * (sdiff - season_short_);
    if (season_smooth_.n >= season_min) {
      zss = std::fabs(season_short_ - season_smooth_.mean) / Scale(season_smooth_.var, level);
    }
  }
  // Point surprise: how unexpected the point is under every model at once (a daily
  // transition surprises the difference model but not the seasonal one).
  double point = options_.value_weight * std::fabs(zv);
  point = std::min(point, options_.diff_weight * std::fabs(zd));
  if (season_ready && season_.n >= season_min) {
    point = std::min(point, options_.seasonal_weight * std::fabs(zs));
  }
  // Raw anomaly in [0, 1): two-sided Gaussian confidence of the point surprise.
  const double raw = std::erf(point / std::sqrt(2.0));
  if (ring_count_ == options_.short_window) {
    ring_sum_ -= ring_[ring_pos_];
  } else {
    ++ring_count_;
  }
  ring_[ring_pos_] = raw;
  ring_sum_ += raw;
  ring_pos_ = (ring_pos_ + 1) % options_.short_window;
  const double short_mean = ring_sum_ / ring_count_;
  const double zl =
      lik_.n >= 2 ? std::max(0.0, (short_mean - lik_.mean) / Scale(lik_.var, 1e-3)) : 0.0;

  if (seen_ >= options_.min_points) {
    // Level shift: the recent (EWMA) level against the long baseline.
    const double zlev = std::fabs(level_short_ - value_.mean) / Scale(value_.var, level);
    double seasonal_term = options_.seasonal_smooth_weight * zss;
    if (options_.seasonal_tail_quantile > 0 && season_ready && season_smooth_.n >= season_min) {
      // Calibrated by its own tail (the quantile before this point), then the quantile
      // tracker steps: up by step * p if the term is above it, else down by step * (1 - p).
      const double raw_term = seasonal_term;
      const double p = options_.seasonal_tail_quantile;
      const double ref = options_.seasonal_tail_level;
      seasonal_term *= ref / std::max(ref, season_tail_q_);
      season_tail_q_ =
          std::max(0.0, season_tail_q_ + options_.seasonal_tail_step *
                                             ((raw_term > season_tail_q_ ? 1.0 : 0.0) - (1 - p)));
    }
    const double s = std::max(
        {point, options_.likelihood_weight * zl, seasonal_term, options_.level_weight * zlev});
    // Suppression: only a new peak of the statistic (against a decaying recent maximum)
    // scores fully.
    double eff = s > peak_ ? s : s * options_.damp;
    // Recurrence: an episode that starts where earlier ones did (same time of day, or the
    // next beat of an exactly periodic train) is expected; damp it while it lasts.
    const bool above = eff >= options_.fire_level;
    if (above && !above_) {
      recur_ref_ = RecurringPeak(seen_, s);
      // Onsets of the first day are start-up transients of young baselines, not events to
      // compare later ones with.
      recorded_ = seen_ >= period_;
      if (recorded_) {
        onset_peaks_[onset_pos_] = s;
        onsets_[onset_pos_] = seen_;
        onset_pos_ = (onset_pos_ + 1) % kOnsets;
        onset_count_ = std::min(onset_count_ + 1, kOnsets);
      }
    }
    if (above && recorded_) {
      // The episode's peak, for later episodes to compare with.
      double& own = onset_peaks_[(onset_pos_ + kOnsets - 1) % kOnsets];
      own = std::max(own, s);
    }
    if (above) {
      // Grown well past the episodes it repeats: news again.
      if (s > options_.recur_growth * recur_ref_) recur_ref_ = 0;
      if (recur_ref_ > 0) eff *= options_.recur_damp;
    }
    above_ = above;
    // Hold-off: after a strong detection, later points of the same episode cost false
    // positives and earn nothing, so they are damped for holdoff_points.
    if (since_fire_ < options_.holdoff_points) eff *= options_.holdoff_damp;
    if (eff >= options_.fire_level) {
      since_fire_ = 0;
    } else if (since_fire_ < options_.holdoff_points) {
      ++since_fire_;
    }
    peak_ = std::max(s, peak_ * suppress_decay_);
    const double sd = std::sqrt(std::max(value_.var, 0.0));
    out.learning = false;
    out.score = eff / (eff + options_.score_scale);
    out.expected = value_.mean;
    out.lower = value_.mean - 3 * sd;
    out.upper = value_.mean + 3 * sd;
    out.direction =
        out.score > 0 ? (zv >= 0 ? Direction::kAbove : Direction::kBelow) : Direction::kBoth;
  }
  if (seen_ >= 1) diff_.Add(d, a_diff_, options_.clip);
  value_.Add(value, a_value_, options_.clip);
  lik_.Add(short_mean, a_lik_, 0);
  if (season_ready) {
    season_.Add(sdiff, a_season_, options_.clip);
    season_smooth_.Add(season_short_, a_season_, 0);
  }
  if (lag_ > 0) {
    season_ring_[season_pos_] = value;
    season_pos_ = (season_pos_ + 1) % lag_;
  }
  prev_ = value;
  ++seen_;
  return out;
}

double LikelihoodDetector::RecurringPeak(uint64_t t, double stat) const {
  // Only earlier episodes whose peak was at least 1/recur_growth of this onset count.
  const double floor = stat / options_.recur_growth;
  // The largest peak of at least `min_peak` among onsets within `tolerance` of `at` (0: none).
  auto peak_near = [&](double at, double tolerance, double min_peak) {
    double best = 0;
    for (uint32_t j = 0; j < onset_count_; ++j) {
      if (std::fabs(static_cast<double>(onsets_[j]) - at) <= tolerance &&
          onset_peaks_[j] >= min_peak) {
        best = std::max(best, onset_peaks_[j]);
      }
    }
    return best;
  };
  double ref = 0;
  if (period_ > 0) {
    const double tolerance = std::max(0.5, options_.recur_day_tolerance * period_);
    for (uint32_t k = 1; k <= options_.recur_days; ++k) {
      ref = std::max(ref, peak_near(static_cast<double>(t) - static_cast<double>(k) * period_,
                                    tolerance, floor));
    }
    if (options_.recur_days > 0 && options_.recur_echo) {
      // Echo: an onset in [t - L - late - tolerance, t - L + tolerance] whose episode peaked
      // at least recur_growth times higher than this onset.
      const double late = options_.short_window + 2.0 * options_.seasonal_jitter;
      const double centre = static_cast<double>(t) - lag_ - 0.5 * late;
      ref = std::max(ref, peak_near(centre, tolerance + 0.5 * late, stat * options_.recur_growth));
    }
  }
  if (options_.recur_train == 0) return ref;
  for (uint32_t i = 0; i < onset_count_; ++i) {
    if (onsets_[i] >= t || t - onsets_[i] < kMinTrainInterval || onset_peaks_[i] < floor) {
      continue;
    }
    const uint64_t d = t - onsets_[i];
    uint32_t m = 2;
    while (m <= options_.recur_train && m * d <= t &&
           peak_near(static_cast<double>(t - m * d), 0.0, floor) > 0) {
      ++m;
    }
    if (m > options_.recur_train) ref = std::max(ref, onset_peaks_[i]);
  }
  return ref;
}

void LikelihoodDetector::Save(StateWriter& out) const {
  WriteStateHeader(out, kTag, kVersion);
  out.U32(options_.short_window);
  out.U64(seen_);
  out.F64(prev_);
  out.F64(level_short_);
  for (const Moments* m : {&value_, &diff_, &lik_}) {
    out.F64(m->n);
    out.F64(m->mean);
    out.F64(m->var);
  }
  for (uint32_t i = 0; i < options_.short_window; ++i) out.F64(ring_[i]);
  out.U32(ring_pos_);
  out.U32(ring_count_);
  out.F64(ring_sum_);
  out.F64(peak_);
  out.U32(since_fire_);
  out.I64(first_ts_);
  out.U32(period_);
  out.U32(lag_);  // version 5
  out.U32(season_pos_);
  out.F64(season_.n);
  out.F64(season_.mean);
  out.F64(season_.var);
  out.F64(season_short_);
  out.F64(season_smooth_.n);
  out.F64(season_smooth_.mean);
  out.F64(season_smooth_.var);
  for (uint32_t i = 0; i < lag_; ++i) out.F64(season_ring_[i]);
  // Version 3: the recurrence memory.
  out.U32(onset_count_);
  out.U32(onset_pos_);
  for (uint32_t i = 0; i < onset_count_; ++i) {
    out.U64(onsets_[i]);
    out.F64(onset_peaks_[i]);
  }
  out.U8(static_cast<uint8_t>((above_ ? 1 : 0) | (recorded_ ? 2 : 0)));
  out.F64(recur_ref_);
  // Version 4: the seasonal tail quantile.
  out.F64(season_tail_q_);
}

Status LikelihoodDetector::Load(StateReader& in) {
  // Header by hand: version 2 (no recurrence memory) still loads, with an empty memory;
  // versions 2 and 3 (no seasonal tail quantile) start that quantile at 0; versions 2-4 (no
  // weekly lag) keep comparing with one day ago.
  uint32_t tag = 0;
  uint8_t version = 0;
  Status st = in.U32(&tag);
  if (st.ok()) st = in.U8(&version);
  if (st.ok() && tag != kTag) {
    st = Status::InvalidArgument("detector state is for another detector");
  }
  if (st.ok() && (version < 2 || version > kVersion)) {
    st = Status::InvalidArgument("detector state has an unknown format version");
  }
  uint32_t window = 0;
  if (st.ok()) st = in.U32(&window);
  if (st.ok() && window != options_.short_window) {
    st = Status::InvalidArgument("likelihood: state has another short_window");
  }
  if (st.ok()) st = in.U64(&seen_);
  if (st.ok()) st = in.F64(&prev_);
  if (st.ok()) st = in.F64(&level_short_);
  for (Moments* m : {&value_, &diff_, &lik_}) {
    if (st.ok()) st = in.F64(&m->n);
    if (st.ok()) st = in.F64(&m->mean);
    if (st.ok()) st = in.F64(&m->var);
  }
  for (uint32_t i = 0; st.ok() && i < options_.short_window; ++i) st = in.F64(&ring_[i]);
  if (st.ok()) st = in.U32(&ring_pos_);
  if (st.ok()) st = in.U32(&ring_count_);
  if (st.ok() && (ring_pos_ >= window || ring_count_ > window)) {
    st = Status::DataLoss("likelihood: corrupt ring state");
  }
  if (st.ok()) st = in.F64(&ring_sum_);
  if (st.ok()) st = in.F64(&peak_);
  if (st.ok()) st = in.U32(&since_fire_);
  if (st.ok()) st = in.I64(&first_ts_);
  if (st.ok()) st = in.U32(&period_);
  lag_ = period_;
  if (st.ok() && version >= 5) st = in.U32(&lag_);
  if (st.ok()) st = in.U32(&season_pos_);
  if (st.ok() &&
      (period_ > kMaxSeason || (lag_ != period_ && lag_ != 7 * period_) || lag_ > kMaxSeason ||
       (lag_ > 0 && season_pos_ >= lag_) || (lag_ == 0 && season_pos_ != 0))) {
    st = Status::DataLoss("likelihood: corrupt seasonal state");
  }
  if (st.ok()) st = in.F64(&season_.n);
  if (st.ok()) st = in.F64(&season_.mean);
  if (st.ok()) st = in.F64(&season_.var);
  if (st.ok()) st = in.F64(&season_short_);
  if (st.ok()) st = in.F64(&season_smooth_.n);
  if (st.ok()) st = in.F64(&season_smooth_.mean);
  if (st.ok()) st = in.F64(&season_smooth_.var);
  for (uint32_t i = 0; st.ok() && i < lag_; ++i) st = in.F64(&season_ring_[i]);
  onset_count_ = onset_pos_ = 0;
  above_ = recorded_ = false;
  recur_ref_ = 0;
  if (st.ok() && version >= 3) {
    st = in.U32(&onset_count_);
    if (st.ok()) st = in.U32(&onset_pos_);
    if (st.ok() && (onset_count_ > kOnsets || onset_pos_ >= kOnsets ||
                    (onset_count_ < kOnsets && onset_pos_ != onset_count_))) {
      st = Status::DataLoss("likelihood: corrupt recurrence state");
    }
    for (uint32_t i = 0; st.ok() && i < onset_count_; ++i) {
      st = in.U64(&onsets_[i]);
      if (st.ok()) st = in.F64(&onset_peaks_[i]);
    }
    uint8_t flags = 0;
    if (st.ok()) st = in.U8(&flags);
    if (st.ok() && flags > 3) st = Status::DataLoss("likelihood: corrupt recurrence flags");
    above_ = (flags & 1) != 0;
    recorded_ = (flags & 2) != 0;
    if (st.ok()) st = in.F64(&recur_ref_);
  }
  season_tail_q_ = 0;
  if (st.ok() && version >= 4) {
    st = in.F64(&season_tail_q_);
    if (st.ok() && !(season_tail_q_ >= 0 && std::isfinite(season_tail_q_))) {
      st = Status::DataLoss("likelihood: corrupt seasonal tail quantile");
    }
  }
  if (!st.ok()) Clear();
  return st;
}

void LikelihoodDetector::Clear() {
  seen_ = 0;
  prev_ = 0;
  level_short_ = 0;
  value_ = diff_ = lik_ = Moments{};
  ring_.fill(0);
  ring_pos_ = ring_count_ = 0;
  ring_sum_ = 0;
  peak_ = 0;
  since_fire_ = kNever;
  first_ts_ = 0;
  period_ = lag_ = season_pos_ = 0;
  season_ = season_smooth_ = Moments{};
  season_short_ = 0;
  season_tail_q_ = 0;
  season_ring_.fill(0);
  onsets_.fill(0);
  onset_peaks_.fill(0);
  onset_count_ = onset_pos_ = 0;
  above_ = recorded_ = false;
  recur_ref_ = 0;
}

std::unique_ptr<SeriesDetector> LikelihoodDetector::CloneEmpty() const {
  return std::make_unique<LikelihoodDetector>(options_);
}

}  // namespace inferscope
