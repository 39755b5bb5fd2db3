#include "stats/running_moments.h"

#include <cmath>
#include <limits>

namespace inferscope {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

void RunningMoments::Add(double x) {
  if (std::isnan(x)) return;
  ++n_;
  if (n_ == 1) {
    mean_ = x;
    m2_ = 0;
    min_ = max_ = x;
    return;
  }
  // Welford: update the mean, then M2 with the pre- and post-update deviations, which avoids
  // the cancellation of sum(x^2) - n * mean^2.
  const double delta = x - mean_;
  mean_ += delta / static_cast<double>(n_);
  m2_ += delta * (x - mean_);
  if (x < min_) min_ = x;
  if (x > max_) max_ = x;
}

void RunningMoments::Merge(const RunningMoments& other) {
  if (other.n_ == 0) return;
  if (n_ == 0) {
    *this = other;
    return;
  }
  // Chan, Golub, LeVeque: combine means and M2 with the correction for the mean difference.
  const double na = static_cast<double>(n_);
  const double nb = static_cast<double>(other.n_);
  const double n = na + nb;
  const double delta = other.mean_ - mean_;
  mean_ += delta * (nb / n);
  m2_ += other.m2_ + delta * delta * (na * nb / n);
  n_ += other.n_;
  if (other.min_ < min_) min_ = other.min_;
  if (other.max_ > max_) max_ = other.max_;
}

double RunningMoments::mean() const { return n_ == 0 ? kNaN : mean_; }

double RunningMoments::variance() const {
  return n_ < 2 ? kNaN : m2_ / static_cast<double>(n_ - 1);
}

double RunningMoments::stddev() const { return std::sqrt(variance()); }

double RunningMoments::min() const { return n_ == 0 ? kNaN : min_; }

double RunningMoments::max() const { return n_ == 0 ? kNaN : max_; }

}  // namespace inferscope
