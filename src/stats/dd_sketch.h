#ifndef INFERSCOPE_STATS_DD_SKETCH_H_
#define INFERSCOPE_STATS_DD_SKETCH_H_

#include <cstdint>
#include <vector>

namespace inferscope {

// DDSketch (Masson, Rim, Lee, VLDB 2019): a mergeable quantile sketch with relative-error
// guarantee. For any quantile q, Quantile(q) returns x' with |x' - x| <= alpha * |x| where x
// is the exact q-quantile (lower quantile: the value of rank floor(q * (n - 1))).
//
// Values in (-min_indexable, min_indexable) land in a zero bucket; negative values have
// their own store. Stores are dense arrays with an offset that grow as values arrive
// (logarithmic mapping, gamma = (1 + alpha) / (1 - alpha)); for latencies between 0.1 ms
// and 10 min with alpha = 0.5% that is at most ~1,600 uint32 bins, and a per-minute sketch
// typically uses a few hundred bytes. Memory is bounded by max_bins per store: past it the
// lowest bins collapse into one (accuracy kept for high quantiles, which is what latency
// analysis needs).
//
// Add is O(1) amortised and allocation-free once the range is seen. Not thread-safe.
class DDSketch {
 public:
  explicit DDSketch(double relative_accuracy = 0.005, int max_bins = 4096);

  void Add(double value);
  void Add(double value, uint64_t count);
  // Merges another sketch built with the same relative_accuracy (checked by assert).
  void Merge(const DDSketch& other);
  void Clear();

  // q in [0, 1]. NaN when empty.
  double Quantile(double q) const;
  // Approximate number of values <= value.
  uint64_t Rank(double value) const;

  uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  double min() const { return min_; }  // exact; NaN when empty
  double max() const { return max_; }  // exact; NaN when empty
  double relative_accuracy() const { return alpha_; }
  // Heap bytes held by the bins.
  size_t MemoryBytes() const;

 private:
  struct Store {
    int32_t offset = 0;            // bin index of counts[0]
    std::vector<uint32_t> counts;  // may be empty
    uint64_t total = 0;
  };
  int32_t Index(double positive_value) const;
  double Value(int32_t index) const;  // representative value of a bin
  void AddToStore(Store& store, int32_t index, uint64_t count);

  double alpha_;
  double gamma_;
  double log_gamma_inv_;  // 1 / ln(gamma)
  double min_indexable_;
  int max_bins_;
  Store positive_;
  Store negative_;
  uint64_t zero_count_ = 0;
  uint64_t count_ = 0;
  double sum_ = 0;
  double min_;
  double max_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_STATS_DD_SKETCH_H_
