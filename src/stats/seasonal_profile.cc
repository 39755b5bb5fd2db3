#include "stats/seasonal_profile.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace inferscope {

SeasonalProfile::SeasonalProfile(uint32_t max_buckets)
    : max_buckets_(max_buckets),
      mean_(std::make_unique<float[]>(max_buckets)),
      var_(std::make_unique<float[]>(max_buckets)),
      count_(std::make_unique<uint16_t[]>(max_buckets)) {}

void SeasonalProfile::Reset(uint32_t buckets, int64_t bucket_ns) {
  buckets_ = std::min(buckets, max_buckets_);
  bucket_ns_ = bucket_ns > 0 ? bucket_ns : 1;
  std::fill(mean_.get(), mean_.get() + buckets_, 0.0f);
  std::fill(var_.get(), var_.get() + buckets_, 0.0f);
  std::fill(count_.get(), count_.get() + buckets_, uint16_t{0});
}

void SeasonalProfile::Seed(uint32_t bucket, double mean, double variance) {
  if (bucket >= buckets_ || std::isnan(mean)) return;
  mean_[bucket] = static_cast<float>(mean);
  var_[bucket] = static_cast<float>(std::max(0.0, variance));
  count_[bucket] = 1;
}

uint32_t SeasonalProfile::BucketOf(TimestampNs ts) const {
  const int64_t period = bucket_ns_ * buckets_;
  int64_t phase = ts % period;
  if (phase < 0) phase += period;
  return static_cast<uint32_t>(phase / bucket_ns_);
}

SeasonalProfile::Pair SeasonalProfile::Locate(TimestampNs ts) const {
  const int64_t period = bucket_ns_ * buckets_;
  int64_t phase = ts % period;
  if (phase < 0) phase += period;
  // Position relative to bucket centres: u = 0 at the centre of bucket 0.
  const double u = static_cast<double>(phase) / static_cast<double>(bucket_ns_) - 0.5;
  const double fl = std::floor(u);
  const auto b = static_cast<int64_t>(fl);
  const uint32_t b0 = b < 0 ? buckets_ - 1 : static_cast<uint32_t>(b);
  const uint32_t b1 = b0 + 1 == buckets_ ? 0 : b0 + 1;
  return {b0, b1, u - fl};
}

SeasonalProfile::Estimate SeasonalProfile::At(TimestampNs ts) const {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  if (buckets_ == 0) return {kNaN, kNaN};
  const Pair p = Locate(ts);
  if (count_[p.b0] == 0 || count_[p.b1] == 0) return {kNaN, kNaN};
  const double w0 = 1.0 - p.w1;
  return {w0 * mean_[p.b0] + p.w1 * mean_[p.b1], w0 * var_[p.b0] + p.w1 * var_[p.b1]};
}

void SeasonalProfile::Update(TimestampNs ts, double x, double alpha, double clip_sigmas,
                             double init_variance) {
  if (buckets_ == 0 || std::isnan(x)) return;
  const Pair p = Locate(ts);
  for (uint32_t b : {p.b0, p.b1}) {
    if (count_[b] == 0) {
      mean_[b] = static_cast<float>(x);
      var_[b] = static_cast<float>(std::max(0.0, init_variance));
      count_[b] = 1;
    }
  }
  const Estimate e = At(ts);
  double r = x - e.mean;
  if (clip_sigmas > 0 && e.variance > 0) {
    const double limit = clip_sigmas * std::sqrt(e.variance);
    r = std::clamp(r, -limit, limit);
  }
  const double weights[2] = {1.0 - p.w1, p.w1};
  const uint32_t ids[2] = {p.b0, p.b1};
  for (int k = 0; k < 2; ++k) {
    const double a = alpha * weights[k];
    const uint32_t b = ids[k];
    mean_[b] = static_cast<float>(mean_[b] + a * r);
    var_[b] = static_cast<float>(var_[b] + a * (r * r - var_[b]));
    if (count_[b] < UINT16_MAX) ++count_[b];
  }
}

}  // namespace inferscope
