#include "stats/robust_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace inferscope {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// sqrt(pi / 2): mean absolute deviation -> sigma for a normal distribution.
constexpr double kMeanAbsDevToSigma = 1.2533;

std::vector<double> WithoutNaN(std::span<const double> values) {
  std::vector<double> out;
  out.reserve(values.size());
  for (double v : values) {
    if (!std::isnan(v)) out.push_back(v);
  }
  return out;
}

// Type-7 quantile of `v`, reordering it; O(n) with two selections.
double QuantileInPlace(std::vector<double>& v, double q) {
  if (v.empty() || !(q >= 0 && q <= 1)) return kNaN;
  const double h = static_cast<double>(v.size() - 1) * q;
  const auto lo = static_cast<size_t>(std::floor(h));
  const double frac = h - static_cast<double>(lo);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(lo), v.end());
  const double x_lo = v[lo];
  if (frac == 0 || lo + 1 >= v.size()) return x_lo;
  // After nth_element everything past lo is >= x_lo, so the next order statistic is its min.
  const double x_hi = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(lo) + 1, v.end());
  return x_lo + frac * (x_hi - x_lo);
}

}  // namespace

double ExactQuantile(std::span<const double> values, double q) {
  std::vector<double> v = WithoutNaN(values);
  return QuantileInPlace(v, q);
}

double Median(std::span<const double> values) { return ExactQuantile(values, 0.5); }

double MedianAbsoluteDeviation(std::span<const double> values) {
  std::vector<double> v = WithoutNaN(values);
  const double median = QuantileInPlace(v, 0.5);
  if (std::isnan(median)) return kNaN;
  for (double& x : v) x = std::fabs(x - median);
  return QuantileInPlace(v, 0.5);
}

double RobustZ(double x, double median, double mad, double mean_abs_dev) {
  const double d = x - median;
  if (std::isnan(d)) return kNaN;
  if (mad > 0) return d / (kMadToSigma * mad);
  if (mean_abs_dev > 0) return d / (kMeanAbsDevToSigma * mean_abs_dev);
  if (d == 0) return 0;
  return d > 0 ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
}

}  // namespace inferscope
