#ifndef INFERSCOPE_STATS_RUNNING_MOMENTS_H_
#define INFERSCOPE_STATS_RUNNING_MOMENTS_H_

#include <cstdint>

namespace inferscope {

// Count, mean, variance (Welford), min and max of a stream; mergeable (Chan et al.).
// NaN values are ignored. 40 bytes, O(1) per value, no allocation. Not thread-safe.
class RunningMoments {
 public:
  void Add(double x);
  void Merge(const RunningMoments& other);

  uint64_t count() const { return n_; }
  double mean() const;      // NaN when empty
  double variance() const;  // sample variance (n - 1); NaN when n < 2
  double stddev() const;
  double min() const;  // NaN when empty
  double max() const;
  double sum() const { return mean_ * static_cast<double>(n_); }

 private:
  uint64_t n_ = 0;
  double mean_ = 0;
  double m2_ = 0;
  double min_ = 0;
  double max_ = 0;
};

}  // namespace inferscope

#endif  // INFERSCOPE_STATS_RUNNING_MOMENTS_H_
