#include "stats/ewma.h"

#include <cmath>
#include <limits>

namespace inferscope {

double Ewma::AlphaFromHalfLife(double half_life) { return 1.0 - std::exp2(-1.0 / half_life); }

void Ewma::Add(double x) {
  if (std::isnan(x)) return;
  ++n_;
  if (n_ == 1) {
    mean_ = x;
    var_ = 0;
    return;
  }
  const double inv_n = 1.0 / static_cast<double>(n_);
  const double a = alpha_ > inv_n ? alpha_ : inv_n;
  const double diff = x - mean_;
  const double incr = a * diff;
  mean_ += incr;
  var_ = (1.0 - a) * (var_ + diff * incr);
}

void Ewma::Reset() {
  n_ = 0;
  mean_ = 0;
  var_ = 0;
}

double Ewma::mean() const { return n_ == 0 ? std::numeric_limits<double>::quiet_NaN() : mean_; }

double Ewma::variance() const { return n_ == 0 ? std::numeric_limits<double>::quiet_NaN() : var_; }

double Ewma::stddev() const { return std::sqrt(variance()); }

}  // namespace inferscope
