#include "insight/aggregate_outlier_finder.h"

#include <cmath>
#include <deque>

#include "stats/robust_stats.h"

namespace inferscope {
namespace {

// A rolling window of the last n values of one metric.
class RollingValues {
 public:
  explicit RollingValues(size_t n) : n_(n) {}
  void Push(double v) {
    values_.push_back(v);
    if (values_.size() > n_) values_.pop_front();
  }
  size_t size() const { return values_.size(); }
  // (median, MAD, mean absolute deviation from the median)
  void Baseline(double* median, double* mad, double* mean_abs_dev) {
    scratch_.assign(values_.begin(), values_.end());
    *median = Median(scratch_);
    *mad = MedianAbsoluteDeviation(scratch_);
    double s = 0;
    for (double v : values_) s += std::fabs(v - *median);
    *mean_abs_dev = s / static_cast<double>(values_.size());
  }

 private:
  size_t n_;
  std::deque<double> values_;
  std::vector<double> scratch_;
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
      double median, mad, mean_abs_dev;
      t.window.Baseline(&median, &mad, &mean_abs_dev);
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
