#ifndef INFERSCOPE_STATS_EWMA_H_
#define INFERSCOPE_STATS_EWMA_H_

#include <cstdint>

#include "core/status.h"

namespace inferscope {

// Exponentially weighted mean and variance (EWMV, West 1979 / Finch 2009) of a stream.
//
// Each value updates mean += a * (x - mean) and var = (1 - a) * (var + (x - mean_old) *
// a * (x - mean_old)), with a = max(alpha, 1 / count): while fewer than 1 / alpha values have
// been seen it is the plain (population) mean and variance, so the start is not biased
// towards the first value. NaN values are ignored. 24 bytes of state, O(1), no allocation.
// Not thread-safe.
class Ewma {
 public:
  // alpha in (0, 1]: the weight of the newest value.
  explicit Ewma(double alpha) : alpha_(alpha) {}
  // alpha such that a value's weight halves every half_life values (half_life > 0).
  static double AlphaFromHalfLife(double half_life);

  void Add(double x);
  void Reset();

  uint64_t count() const { return n_; }
  double alpha() const { return alpha_; }
  double mean() const;      // NaN when empty
  double variance() const;  // exponentially weighted (population) variance; NaN when empty
  double stddev() const;

  // Checkpointing through a StateWriter / StateReader-like object (detect/series_detector.h);
  // a template so stats does not depend on detect.
  template <typename Writer>
  void Save(Writer& w) const {
    w.U64(n_);
    w.F64(mean_);
    w.F64(var_);
  }
  template <typename Reader>
  Status Load(Reader& r) {
    INFERSCOPE_RETURN_IF_ERROR(r.U64(&n_));
    INFERSCOPE_RETURN_IF_ERROR(r.F64(&mean_));
    return r.F64(&var_);
  }

 private:
  double alpha_;
  uint64_t n_ = 0;
  double mean_ = 0;
  double var_ = 0;
};

}  // namespace inferscope

#endif  // INFERSCOPE_STATS_EWMA_H_
