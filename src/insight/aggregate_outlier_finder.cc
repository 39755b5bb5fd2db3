#include "insight/aggregate_outlier_finder.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "stats/robust_stats.h"

namespace inferscope {
namespace {

// A rolling window of the last n values of one metric, kept both in arrival order (a ring)
// and sorted, so a baseline costs O(n) without copying or selecting: the median is read off
// the sorted values and the MAD by walking outwards from it. Results are exactly those of
// Median / MedianAbsoluteDeviation on the window (same order statistics, same arithmetic;
// NaN values are skipped by both).
class RollingValues {
 public:
  explicit RollingValues(size_t n) : n_(n) {
    ring_.reserve(n);
    sorted_.reserve(n + 1);
  }
  void Push(double v) {
    if (n_ == 0) return;
    if (ring_.size() < n_) {
      ring_.push_back(v);
    } else {
      Unsort(ring_[head_]);
      ring_[head_] = v;
      head_ = head_ + 1 == n_ ? 0 : head_ + 1;
    }
    if (!std::isnan(v)) sorted_.insert(std::upper_bound(sorted_.begin(), sorted_.end(), v), v);
  }
  size_t size() const { return ring_.size(); }
  // Median and MAD of the window, as Median() and MedianAbsoluteDeviation() compute them.
  void Baseline(double* median, double* mad) const {
    const size_t m = sorted_.size();
    if (m == 0) {
      *median = *mad = std::numeric_limits<double>::quiet_NaN();
      return;
    }
    // Type-7 quantile at 0.5, as QuantileInPlace.
    const double h = static_cast<double>(m - 1) * 0.5;
    const auto lo = static_cast<size_t>(std::floor(h));
    const double frac = h - static_cast<double>(lo);
    const bool interpolate = !(frac == 0 || lo + 1 >= m);
    const double med =
        interpolate ? sorted_[lo] + frac * (sorted_[lo + 1] - sorted_[lo]) : sorted_[lo];
    *median = med;
    // |x - med| grows walking left from the first value >= med and walking right from it,
    // so merging the two walks yields the deviations in ascending order.
    size_t right = static_cast<size_t>(std::lower_bound(sorted_.begin(), sorted_.end(), med) -
                                       sorted_.begin());
    size_t left = right;  // next on the left is sorted_[left - 1]
    double dev_lo = 0, dev_hi = 0;
    for (size_t rank = 0; rank <= lo + (interpolate ? 1 : 0); ++rank) {
      double d;
      if (right < m &&
          (left == 0 || std::fabs(sorted_[right] - med) <= std::fabs(sorted_[left - 1] - med))) {
        d = std::fabs(sorted_[right++] - med);
      } else {
        d = std::fabs(sorted_[--left] - med);
      }
      if (rank == lo) dev_lo = d;
      dev_hi = d;
    }
    *mad = interpolate ? dev_lo + frac * (dev_hi - dev_lo) : dev_lo;
  }
  // Mean absolute deviation from `median`, summed in arrival order.
  double MeanAbsDev(double median) const {
    double s = 0;
    for (size_t i = head_; i < ring_.size(); ++i) s += std::fabs(ring_[i] - median);
    for (size_t i = 0; i < head_; ++i) s += std::fabs(ring_[i] - median);
    return s / static_cast<double>(ring_.size());
  }

 private:
  void Unsort(double v) {
    if (std::isnan(v)) return;
    sorted_.erase(std::lower_bound(sorted_.begin(), sorted_.end(), v));
  }
  size_t n_;
  std::vector<double> ring_;  // oldest at head_ once full
  size_t head_ = 0;
  std::vector<double> sorted_;  // the non-NaN values of ring_, ascending
};

enum class Metric { kLatencyP95, kErrorRate, kRequests };

struct MetricTracker {
  const char* name;
  Metric metric;
  RollingValues window;
};

}  // namespace

void AggregateOutlierFinder::Find(
    const std::string& model,
    const std::vector<std::pair<TimestampNs, const BucketStats*>>& buckets, int64_t width_ns,
    std::vector<AggregateOutlier>* out) const {
  if (buckets.empty() || width_ns <= 0) return;
  const size_t n = static_cast<size_t>(options_.baseline_buckets);
  MetricTracker latency{"latency_p95_ms", Metric::kLatencyP95, RollingValues(n)};
  MetricTracker errors{"error_rate", Metric::kErrorRate, RollingValues(n)};
  MetricTracker requests{"requests", Metric::kRequests, RollingValues(n)};
  const double min_requests = static_cast<double>(options_.min_requests);

  auto judge = [&](MetricTracker& t, TimestampNs start, double value) {
    if (static_cast<int>(t.window.size()) >= options_.min_baseline) {
      double median, mad;
      t.window.Baseline(&median, &mad);
      // RobustZ looks at the mean absolute deviation only when the MAD is not positive.
      const double mean_abs_dev = mad > 0 ? 0 : t.window.MeanAbsDev(median);
      double z = RobustZ(value, median, mad, mean_abs_dev);
      bool material = false;
      bool over = z >= options_.z_threshold;
      switch (t.metric) {
        case Metric::kErrorRate:
          material = value - median >= 0.05;
          break;
        case Metric::kLatencyP95:
          material = value >= 1.25 * median;
          break;
        case Metric::kRequests:
          material = std::fabs(value - median) >= 0.5 * std::max(median, min_requests);
          over = std::fabs(z) >= options_.z_threshold;
          break;
      }
      if (over && material) {
        double score = std::isfinite(z) ? z : (z > 0 ? 1e3 : -1e3);
        out->push_back({model, start, t.name, value, median, score});
      }
    }
    t.window.Push(value);
  };

  // Walk every bucket from first to last, filling gaps with zero requests. Gaps longer than
  // the baseline are skipped in one step: their zeros would only fill the window.
  TimestampNs expected = buckets.front().first;
  for (const auto& [start, stats] : buckets) {
    if (start > expected) {
      int64_t missing = (start - expected) / width_ns;
      int64_t fill = std::min<int64_t>(missing, static_cast<int64_t>(n));
      for (int64_t i = missing - fill; i < missing; ++i) {
        judge(requests, expected + i * width_ns, 0.0);
      }
    }
    expected = start + width_ns;
    judge(requests, start, static_cast<double>(stats->requests));
    if (stats->requests >= options_.min_requests) {
      judge(errors, start, static_cast<double>(stats->errors) / stats->requests);
      if (stats->latency_ms.count() >= options_.min_requests) {
        judge(latency, start, stats->latency_ms.Quantile(0.95));
      }
    }
  }
}

}  // namespace inferscope
