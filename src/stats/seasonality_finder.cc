#include "stats/seasonality_finder.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace inferscope {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

SeasonalityFinder::SeasonalityFinder(int64_t bin_ns, uint32_t history_bins,
                                     std::span<const uint32_t> candidate_periods, double min_acf)
    : bin_ns_(bin_ns > 0 ? bin_ns : 1),
      history_bins_(std::max<uint32_t>(history_bins, 1)),
      min_acf_(min_acf),
      history_(std::make_unique<float[]>(history_bins_)) {
  for (uint32_t p : candidate_periods) {
    if (num_candidates_ == kMaxCandidates) break;
    if (p >= 2) candidates_[num_candidates_++] = p;
  }
  std::sort(candidates_.begin(), candidates_.begin() + num_candidates_);
}

bool SeasonalityFinder::Add(TimestampNs ts, double x) {
  if (std::isnan(x)) return false;
  const int64_t b = FloorDiv(ts, bin_ns_);
  bool completed = false;
  if (!has_current_) {
    has_current_ = true;
    current_bin_ = b;
  } else if (b > current_bin_) {
    PushBin(static_cast<float>(bin_sum_ / static_cast<double>(bin_count_)));
    points_in_bins_ += bin_count_;
    ++nonempty_bins_;
    const int64_t skipped = std::min<int64_t>(b - current_bin_ - 1, history_bins_);
    for (int64_t i = 0; i < skipped; ++i) PushBin(std::numeric_limits<float>::quiet_NaN());
    current_bin_ = b;
    bin_sum_ = 0;
    bin_count_ = 0;
    Decide();
    completed = true;
  }
  // A value older than the current bin (out of order) is folded into the current bin.
  bin_sum_ += x;
  ++bin_count_;
  return completed;
}

void SeasonalityFinder::PushBin(float mean) {
  history_[head_] = mean;
  head_ = head_ + 1 == history_bins_ ? 0 : head_ + 1;
  if (stored_ < history_bins_) ++stored_;
}

float SeasonalityFinder::bin(uint32_t i) const {
  const uint32_t start = stored_ < history_bins_ ? 0 : head_;
  uint32_t j = start + i;
  if (j >= history_bins_) j -= history_bins_;
  return history_[j];
}

double SeasonalityFinder::Autocorrelation(uint32_t lag) const {
  if (lag == 0 || lag >= stored_) return kNaN;
  double sum = 0;
  uint32_t n = 0;
  for (uint32_t i = 0; i < stored_; ++i) {
    const float v = bin(i);
    if (!std::isnan(v)) {
      sum += v;
      ++n;
    }
  }
  if (n < 2) return kNaN;
  const double mean = sum / n;
  double var = 0;
  for (uint32_t i = 0; i < stored_; ++i) {
    const float v = bin(i);
    if (!std::isnan(v)) var += (v - mean) * (v - mean);
  }
  double cov = 0;
  uint32_t pairs = 0;
  for (uint32_t i = lag; i < stored_; ++i) {
    const float a = bin(i);
    const float b = bin(i - lag);
    if (std::isnan(a) || std::isnan(b)) continue;
    cov += (a - mean) * (b - mean);
    ++pairs;
  }
  if (pairs < 2 || var <= 0) return kNaN;
  return (cov / pairs) / (var / n);
}

void SeasonalityFinder::Decide() {
  double best = -std::numeric_limits<double>::infinity();
  std::array<double, kMaxCandidates> acf;
  for (uint32_t c = 0; c < num_candidates_; ++c) {
    acf[c] = kNaN;
    const uint32_t lag = candidates_[c];
    if (stored_ < 2 * lag) continue;
    const double r = Autocorrelation(lag);
    const double half = Autocorrelation(lag / 2);
    if (!(r >= min_acf_) || !(r - half >= min_acf_)) continue;
    acf[c] = r;
    best = std::max(best, r);
  }
  period_ = 0;
  period_acf_ = 0;
  for (uint32_t c = 0; c < num_candidates_; ++c) {
    if (acf[c] >= best - 0.1) {
      period_ = candidates_[c];
      period_acf_ = acf[c];
      break;
    }
  }
}

double SeasonalityFinder::PhaseMean(uint32_t phase, uint32_t period) const {
  if (period == 0 || stored_ == 0) return kNaN;
  // The newest stored bin has absolute index current_bin_ - 1.
  const int64_t oldest = current_bin_ - static_cast<int64_t>(stored_);
  double sum = 0;
  uint32_t n = 0;
  for (uint32_t i = 0; i < stored_; ++i) {
    int64_t p = (oldest + i) % period;
    if (p < 0) p += period;
    if (static_cast<uint32_t>(p) != phase) continue;
    const float v = bin(i);
    if (std::isnan(v)) continue;
    sum += v;
    ++n;
  }
  return n == 0 ? kNaN : sum / n;
}

double SeasonalityFinder::points_per_bin() const {
  return nonempty_bins_ == 0
             ? 0
             : static_cast<double>(points_in_bins_) / static_cast<double>(nonempty_bins_);
}

}  // namespace inferscope
