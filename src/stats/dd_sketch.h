#ifndef INFERSCOPE_STATS_DD_SKETCH_H_
#define INFERSCOPE_STATS_DD_SKETCH_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace inferscope {

// DDSketch (Masson, Rim, Lee, VLDB 2019): a mergeable quantile sketch with relative-error
// guarantee. For any quantile q, Quantile(q) returns x' with |x' - x| <= alpha * |x| where x
// is the exact q-quantile (lower quantile: the value of rank floor(q * (n - 1))).
//
// Values in (-min_indexable, min_indexable) land in a zero bucket; negative values have
// their own store. Stores are dense arrays with an offset that grow as values arrive
// (logarithmic mapping, gamma = (1 + alpha) / (1 - alpha)); for latencies between 0.1 ms
// and 10 min with alpha = 0.5% that is at most ~1,600 uint32 bins; a per-minute latency
// sketch typically holds 1-4 KB (lognormal sigma 0.3: 0.9 KB, 0.6: 1.9 KB, 1.3: 4 KB).
// Memory is bounded by max_bins per store: past it the lowest bins collapse into one
// (accuracy kept for high quantiles, which is what latency analysis needs).
//
// The mapping is DDSketch's cubically interpolated approximation of log2 (no std::log on
// the hot path); bins are narrowed by ~1% so the alpha guarantee still holds exactly. A
// bin's representative value is the harmonic mean of its bounds (2 * gamma^i / (gamma + 1)
// for an exact log mapping). min_indexable is the smallest normal double. NaN and ±inf are
// ignored by Add. Ranks 0 and n - 1 return the exact min and max. See docs/stats.md.
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
  // Sizes the stores of an empty sketch to the bins `like` occupies, with some room either
  // side, so that values in that range are counted without regrowing (a new time bucket
  // hinted with the previous one). Changes only the memory layout, never what the sketch
  // holds or answers; a no-op unless this sketch is empty and unallocated.
  void ReserveLike(const DDSketch& like);

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
    // Counts beyond UINT32_MAX of a saturated bin, by bin index; empty in practice.
    std::vector<std::pair<int32_t, uint64_t>> carry;
  };
  // DDSketch's CubicallyInterpolatedMapping: log2(2^e * (1 + s)) ~ e + ((A*s + B)*s + C)*s
  // for s in [0, 1); exact at powers of two, continuous and increasing.
  static constexpr double kA = 6.0 / 35.0;
  static constexpr double kB = -3.0 / 5.0;
  static constexpr double kC = 10.0 / 7.0;

  int32_t Index(double positive_value) const;
  static double ApproxLog2Inverse(double y);
  double Value(int32_t index) const;  // representative value of a bin
  void AddToStore(Store& store, int32_t index, uint64_t count);
  void AddToStoreSlow(Store& store, int32_t index, uint64_t count);
  // Moves/grows the window so that `index` fits, collapsing the lowest bins past max_bins;
  // returns the position to count `index` at.
  size_t Reposition(Store& store, int32_t index);
  static void BumpBin(Store& store, size_t pos, uint64_t count);
  static uint64_t BinCount(const Store& store, size_t pos);
  void MergeStore(Store& dst, const Store& src);
  void ReserveStoreLike(Store& dst, const Store& like) const;

  double alpha_;
  double gamma_;
  double multiplier_;  // bins per unit of the approximate log2
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

// The hot path is inline so callers pay no call: a positive finite value landing in an
// allocated, unsaturated bin. Everything else goes through Add(value, 1).

[[gnu::always_inline]] inline int32_t DDSketch::Index(double positive_value) const {
  const auto bits = std::bit_cast<uint64_t>(positive_value);
  const auto exponent = static_cast<double>(static_cast<int64_t>(bits >> 52) - 1023);
  const double s = std::bit_cast<double>((bits & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000) - 1.0;
  const double v = (((kA * s + kB) * s + kC) * s + exponent) * multiplier_;
  // ceil() by truncation: no libm call on baseline x86-64.
  const auto t = static_cast<int32_t>(v);
  return t + (static_cast<double>(t) < v ? 1 : 0);
}

[[gnu::always_inline]] inline void DDSketch::Add(double value) {
  if (value >= min_indexable_ && value <= std::numeric_limits<double>::max()) [[likely]] {
    const auto pos = static_cast<uint64_t>(static_cast<int64_t>(Index(value)) - positive_.offset);
    if (pos < positive_.counts.size() && positive_.counts[pos] != UINT32_MAX) [[likely]] {
      ++positive_.counts[pos];
      ++positive_.total;
      ++count_;
      sum_ += value;
      // Written so that a NaN (empty) min_/max_ is replaced.
      if (!(value >= min_)) min_ = value;
      if (!(value <= max_)) max_ = value;
      return;
    }
  }
  Add(value, 1);
}

}  // namespace inferscope

#endif  // INFERSCOPE_STATS_DD_SKETCH_H_
