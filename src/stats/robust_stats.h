#ifndef INFERSCOPE_STATS_ROBUST_STATS_H_
#define INFERSCOPE_STATS_ROBUST_STATS_H_

#include <span>
#include <vector>

namespace inferscope {

// Exact statistics of small in-memory samples (baselines, windows). Each copies its input
// where it must reorder it. NaN values in the input are skipped; NaN for an empty input
// (or one of only NaNs) and for q outside [0, 1].

// Exact q-quantile with linear interpolation between order statistics (type 7, like numpy's
// default), q in [0, 1].
double ExactQuantile(std::span<const double> values, double q);
double Median(std::span<const double> values);
// Median absolute deviation from the median (unscaled). Multiply by 1.4826 for a normal-
// consistent sigma.
double MedianAbsoluteDeviation(std::span<const double> values);

inline constexpr double kMadToSigma = 1.4826;

// Robust z of x given a median and a MAD: (x - median) / (1.4826 * mad). When mad is 0 it
// falls back to the mean absolute deviation scaled by 1.2533, and to 0 / ±inf when that is
// 0 too (x equal to / different from the median).
double RobustZ(double x, double median, double mad, double mean_abs_dev = 0);

}  // namespace inferscope

#endif  // INFERSCOPE_STATS_ROBUST_STATS_H_
