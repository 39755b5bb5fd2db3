#ifndef INFERSCOPE_STATS_DD_SKETCH_H_
#define INFERSCOPE_STATS_DD_SKETCH_H_

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "core/status.h"

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

  // Serialisation (format: docs/format/segment.md, "DDSketch"), with the Writer/Reader shape
  // of the other stats Save/Load templates (U8/U32/U64/F64, remaining()). Save writes the
  // occupied bins only. Load replaces this sketch with the decoded one after validating
  // every field (accuracy, bin range, counts adding up), so corrupt bytes are DataLoss,
  // never a crash; on error this sketch is unchanged.
  template <typename Writer>
  void Save(Writer& w) const;
  template <typename Reader>
  Status Load(Reader& r);

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

template <typename Writer>
void DDSketch::Save(Writer& w) const {
  w.U8(1);  // layout version
  w.F64(alpha_);
  w.U32(static_cast<uint32_t>(max_bins_));
  w.U64(count_);
  w.F64(sum_);
  w.F64(min_);
  w.F64(max_);
  w.U64(zero_count_);
  for (const Store* s : {&positive_, &negative_}) {
    size_t lo = 0;
    size_t hi = s->counts.size();
    while (lo < hi && s->counts[lo] == 0) ++lo;
    while (hi > lo && s->counts[hi - 1] == 0) --hi;
    w.U32(static_cast<uint32_t>(s->offset + static_cast<int32_t>(lo)));
    w.U32(static_cast<uint32_t>(hi - lo));
    for (size_t i = lo; i < hi; ++i) w.U32(s->counts[i]);
    w.U32(static_cast<uint32_t>(s->carry.size()));
    for (const auto& [index, extra] : s->carry) {
      w.U32(static_cast<uint32_t>(index));
      w.U64(extra);
    }
  }
}

template <typename Reader>
Status DDSketch::Load(Reader& r) {
  uint8_t version = 0;
  double alpha = 0;
  uint32_t max_bins = 0;
  if (Status st = r.U8(&version); !st.ok()) return st;
  if (version != 1) return Status::DataLoss("DDSketch: unknown layout version");
  if (Status st = r.F64(&alpha); !st.ok()) return st;
  if (Status st = r.U32(&max_bins); !st.ok()) return st;
  if (!(alpha >= 1e-6 && alpha <= 0.5)) return Status::DataLoss("DDSketch: bad accuracy");
  if (max_bins < 2 || max_bins > (1u << 24)) return Status::DataLoss("DDSketch: bad max_bins");
  DDSketch s(alpha, static_cast<int>(max_bins));
  uint64_t count = 0;
  uint64_t zero = 0;
  if (Status st = r.U64(&count); !st.ok()) return st;
  if (Status st = r.F64(&s.sum_); !st.ok()) return st;
  if (Status st = r.F64(&s.min_); !st.ok()) return st;
  if (Status st = r.F64(&s.max_); !st.ok()) return st;
  if (Status st = r.U64(&zero); !st.ok()) return st;
  // Bins of finite doubles lie within +-(1024 + 2) units of approximate log2.
  const double bound = 1100.0 * s.multiplier_;
  uint64_t total = zero;
  for (Store* store : {&s.positive_, &s.negative_}) {
    uint32_t offset_bits = 0;
    uint32_t n = 0;
    if (Status st = r.U32(&offset_bits); !st.ok()) return st;
    if (Status st = r.U32(&n); !st.ok()) return st;
    const auto offset = static_cast<int32_t>(offset_bits);
    if (n > max_bins || static_cast<uint64_t>(n) * 4 > r.remaining()) {
      return Status::DataLoss("DDSketch: bad bin count");
    }
    if (n > 0 && (offset < -bound || static_cast<double>(offset) + n > bound)) {
      return Status::DataLoss("DDSketch: bins out of range");
    }
    store->offset = n > 0 ? offset : 0;
    store->counts.resize(n);
    for (uint32_t i = 0; i < n; ++i) {
      if (Status st = r.U32(&store->counts[i]); !st.ok()) return st;
      store->total += store->counts[i];
    }
    uint32_t carries = 0;
    if (Status st = r.U32(&carries); !st.ok()) return st;
    if (carries > n) return Status::DataLoss("DDSketch: bad carry count");
    for (uint32_t i = 0; i < carries; ++i) {
      uint32_t index_bits = 0;
      uint64_t extra = 0;
      if (Status st = r.U32(&index_bits); !st.ok()) return st;
      if (Status st = r.U64(&extra); !st.ok()) return st;
      const int64_t pos = static_cast<int64_t>(static_cast<int32_t>(index_bits)) - offset;
      if (pos < 0 || pos >= n || store->counts[static_cast<size_t>(pos)] != UINT32_MAX ||
          extra == 0 || store->total + extra < store->total) {
        return Status::DataLoss("DDSketch: bad carry");
      }
      for (const auto& [index, c] : store->carry) {
        if (index == static_cast<int32_t>(index_bits)) {
          return Status::DataLoss("DDSketch: duplicate carry");
        }
      }
      store->carry.emplace_back(static_cast<int32_t>(index_bits), extra);
      store->total += extra;
    }
    if (total + store->total < total) return Status::DataLoss("DDSketch: count overflow");
    total += store->total;
  }
  if (total != count) return Status::DataLoss("DDSketch: bins do not add up to the count");
  s.zero_count_ = zero;
  s.count_ = count;
  if (count == 0) {
    s.sum_ = 0;
    s.min_ = s.max_ = std::numeric_limits<double>::quiet_NaN();
  } else if (!(s.min_ <= s.max_) || !(std::abs(s.min_) <= std::numeric_limits<double>::max()) ||
             !(std::abs(s.max_) <= std::numeric_limits<double>::max())) {
    return Status::DataLoss("DDSketch: bad min/max");
  }
  *this = std::move(s);
  return Status::Ok();
}

}  // namespace inferscope

#endif  // INFERSCOPE_STATS_DD_SKETCH_H_
