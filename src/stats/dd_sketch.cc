#include "stats/dd_sketch.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace inferscope {
namespace {

// Smallest slope of the approximate log2 against ln(x): (3A s^2 + 2B s + C) * (1 + s) has its
// minimum 10/7 at s = 0 and s = 2/3 (the exact log2 has slope 1/ln 2 = 1.4427). A bin spans
// 1/multiplier of approximate log2, hence at most 1 / (multiplier * kMinSlope) of ln(x).
constexpr double kMinSlope = 10.0 / 7.0;
// Bins are made this much narrower than needed so that rounding in the mapping (~1e-16
// relative) can never push the relative error past alpha.
constexpr double kSafety = 1e-7;

constexpr uint64_t kMaxBin = std::numeric_limits<uint32_t>::max();
constexpr size_t kInitialBins = 64;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

DDSketch::DDSketch(double relative_accuracy, int max_bins)
    : alpha_(relative_accuracy),
      gamma_((1 + relative_accuracy) / (1 - relative_accuracy)),
      multiplier_((1 + kSafety) / (kMinSlope * std::log(gamma_))),
      min_indexable_(std::numeric_limits<double>::min()),
      max_bins_(std::max(max_bins, 2)),
      min_(kNaN),
      max_(kNaN) {
  assert(relative_accuracy > 0 && relative_accuracy < 1);
  assert(max_bins >= 2);
}

// Inverse of the approximate log2 of DDSketch::Index.
double DDSketch::ApproxLog2Inverse(double y) {
  const double e = std::floor(y);
  const double f = y - e;
  // Cardano's formula for A s^3 + B s^2 + C s - f = 0 (one real root in [0, 1)), then two
  // Newton steps to clean up the rounding of cbrt/sqrt.
  const double d0 = kB * kB - 3 * kA * kC;
  const double d1 = 2 * kB * kB * kB - 9 * kA * kB * kC - 27 * kA * kA * f;
  const double p = std::cbrt((d1 - std::sqrt(d1 * d1 - 4 * d0 * d0 * d0)) / 2);
  double s = -(kB + p + d0 / p) / (3 * kA);
  for (int i = 0; i < 2; ++i) {
    const double g = ((kA * s + kB) * s + kC) * s - f;
    const double slope = (3 * kA * s + 2 * kB) * s + kC;
    s -= g / slope;
  }
  s = std::clamp(s, 0.0, 1.0);
  return std::ldexp(1.0 + s, static_cast<int>(e));
}

double DDSketch::Value(int32_t index) const {
  // Bin i holds the values whose approximate log2 lies in ((i - 1) / m, i / m].
  const double lo = ApproxLog2Inverse((static_cast<double>(index) - 1) / multiplier_);
  const double hi = ApproxLog2Inverse(static_cast<double>(index) / multiplier_);
  // The harmonic mean is off by the same relative amount from both bounds:
  // (hi / lo - 1) / (hi / lo + 1) <= alpha.
  return 2 / (1 / lo + 1 / hi);
}

void DDSketch::Add(double value, uint64_t count) {
  // NaN fails the comparison, +-inf exceeds max(): both ignored.
  if (count == 0 || !(std::fabs(value) <= std::numeric_limits<double>::max())) return;
  if (value >= min_indexable_) {
    AddToStore(positive_, Index(value), count);
  } else if (value <= -min_indexable_) {
    AddToStore(negative_, Index(-value), count);
  } else {
    zero_count_ += count;
  }
  count_ += count;
  sum_ += value * static_cast<double>(count);
  if (!(value >= min_)) min_ = value;
  if (!(value <= max_)) max_ = value;
}

inline void DDSketch::AddToStore(Store& store, int32_t index, uint64_t count) {
  const auto pos = static_cast<uint64_t>(static_cast<int64_t>(index) - store.offset);
  if (pos < store.counts.size()) [[likely]] {
    uint32_t& bin = store.counts[pos];
    if (count <= kMaxBin - bin) [[likely]] {
      bin += static_cast<uint32_t>(count);
      store.total += count;
      return;
    }
  }
  AddToStoreSlow(store, index, count);
}

void DDSketch::AddToStoreSlow(Store& store, int32_t index, uint64_t count) {
  size_t pos;
  if (store.counts.empty()) {
    const size_t size = std::min(kInitialBins, static_cast<size_t>(max_bins_));
    store.counts.assign(size, 0);
    store.offset = index - static_cast<int32_t>(size / 2);
    pos = size / 2;
  } else {
    const int64_t rel = static_cast<int64_t>(index) - store.offset;
    if (rel >= 0 && rel < static_cast<int64_t>(store.counts.size())) {
      pos = static_cast<size_t>(rel);  // in range: the bin saturated
    } else {
      pos = Reposition(store, index);
    }
  }
  BumpBin(store, pos, count);
  store.total += count;
}

size_t DDSketch::Reposition(Store& store, int32_t index) {
  const size_t size = store.counts.size();
  const auto first =
      std::find_if(store.counts.begin(), store.counts.end(), [](uint32_t c) { return c != 0; });
  if (first == store.counts.end()) {
    // Empty (after Clear): re-centre the existing buffer, no allocation.
    store.offset = index - static_cast<int32_t>(size / 2);
    return size / 2;
  }
  const auto last =
      std::find_if(store.counts.rbegin(), store.counts.rend(), [](uint32_t c) { return c != 0; });
  const int64_t lo = store.offset + (first - store.counts.begin());
  const int64_t hi = store.offset + static_cast<int64_t>(size) - 1 - (last - store.counts.rbegin());
  const int64_t new_hi = std::max<int64_t>(hi, index);
  int64_t new_lo = std::min<int64_t>(lo, index);
  if (new_hi - new_lo + 1 > max_bins_) new_lo = new_hi - max_bins_ + 1;  // collapse
  const int64_t span = new_hi - new_lo + 1;

  size_t new_size = size;
  if (span > static_cast<int64_t>(size)) {
    // Geometric growth (x1.5, or the span plus a quarter) keeps Add amortised O(1) while
    // wasting less than doubling would in the many small per-minute sketches.
    const auto needed = static_cast<size_t>(span);
    new_size =
        std::min(static_cast<size_t>(max_bins_), std::max(size + size / 2, needed + needed / 4));
  }
  // Leave most of the slack on the side the data is growing towards.
  const int64_t extra = static_cast<int64_t>(new_size) - span;
  const int64_t new_offset = index > hi ? new_lo - extra / 4 : new_lo - (extra - extra / 4);
  const int64_t clamped = std::max<int64_t>(index, new_lo);

  if (new_size == size && new_offset == store.offset) {
    return static_cast<size_t>(clamped - store.offset);  // collapsed and already in place
  }

  std::vector<uint32_t> fresh(new_size, 0);
  uint64_t folded = 0;
  for (size_t p = 0; p < size; ++p) {
    const uint32_t c = store.counts[p];
    if (c == 0) continue;
    const int64_t idx = store.offset + static_cast<int64_t>(p);
    if (idx < new_lo) {
      folded += c;
    } else {
      fresh[static_cast<size_t>(idx - new_offset)] = c;
    }
  }
  store.counts.swap(fresh);
  store.offset = static_cast<int32_t>(new_offset);
  const auto floor_pos = static_cast<size_t>(new_lo - new_offset);
  for (auto it = store.carry.begin(); it != store.carry.end();) {
    if (it->first < new_lo) {
      folded += it->second;
      it = store.carry.erase(it);
    } else {
      ++it;
    }
  }
  if (folded != 0) BumpBin(store, floor_pos, folded);
  return static_cast<size_t>(clamped - new_offset);
}

void DDSketch::BumpBin(Store& store, size_t pos, uint64_t count) {
  uint32_t& bin = store.counts[pos];
  const uint64_t sum = bin + count;  // cannot wrap: count comes from uint64 totals
  if (sum <= kMaxBin) {
    bin = static_cast<uint32_t>(sum);
    return;
  }
  bin = static_cast<uint32_t>(kMaxBin);
  const int32_t index = store.offset + static_cast<int32_t>(pos);
  for (auto& [i, c] : store.carry) {
    if (i == index) {
      c += sum - kMaxBin;
      return;
    }
  }
  store.carry.emplace_back(index, sum - kMaxBin);
}

uint64_t DDSketch::BinCount(const Store& store, size_t pos) {
  uint64_t c = store.counts[pos];
  if (!store.carry.empty()) [[unlikely]] {
    const int32_t index = store.offset + static_cast<int32_t>(pos);
    for (const auto& [i, extra] : store.carry) {
      if (i == index) c += extra;
    }
  }
  return c;
}

void DDSketch::MergeStore(Store& dst, const Store& src) {
  if (src.total == 0) return;
  size_t first = 0;
  size_t last = src.counts.size() - 1;
  while (src.counts[first] == 0) ++first;
  while (src.counts[last] == 0) --last;
  auto index_at = [&](size_t p) { return src.offset + static_cast<int32_t>(p); };
  // The two extremes first, so dst grows (or collapses) at most twice.
  AddToStore(dst, index_at(last), BinCount(src, last));
  if (first != last) AddToStore(dst, index_at(first), BinCount(src, first));
  if (last - first < 2) return;
  // The bins in between: when they all fall inside dst's window and no bin can saturate
  // (the totals bound every bin), adding them per AddToStore would take its fast path for
  // each, which is this vectorisable loop.
  const int64_t lo = static_cast<int64_t>(index_at(first + 1)) - dst.offset;
  const int64_t hi = static_cast<int64_t>(index_at(last - 1)) - dst.offset;
  if (src.carry.empty() && lo >= 0 && hi < static_cast<int64_t>(dst.counts.size()) &&
      dst.total + src.total <= kMaxBin) {
    uint32_t* __restrict d = dst.counts.data() + lo;
    const uint32_t* __restrict s = src.counts.data() + first + 1;
    const size_t n = last - first - 1;
    for (size_t i = 0; i < n; ++i) d[i] += s[i];
    dst.total += src.total - src.counts[first] - src.counts[last];
    return;
  }
  for (size_t p = first + 1; p < last; ++p) {
    if (src.counts[p] != 0) AddToStore(dst, index_at(p), BinCount(src, p));
  }
}

void DDSketch::Merge(const DDSketch& other) {
  assert(other.alpha_ == alpha_);
  if (other.count_ == 0) return;
  if (&other == this) {
    const DDSketch copy = other;
    Merge(copy);
    return;
  }
  if (count_ == 0 && max_bins_ == other.max_bins_) {
    *this = other;  // the same result as merging bin by bin, at the cost of a copy
    return;
  }
  MergeStore(positive_, other.positive_);
  MergeStore(negative_, other.negative_);
  zero_count_ += other.zero_count_;
  count_ += other.count_;
  sum_ += other.sum_;
  if (!(other.min_ >= min_)) min_ = other.min_;
  if (!(other.max_ <= max_)) max_ = other.max_;
}

void DDSketch::ReserveStoreLike(Store& dst, const Store& like) const {
  if (!dst.counts.empty() || like.total == 0) return;
  size_t first = 0;
  size_t last = like.counts.size() - 1;
  while (like.counts[first] == 0) ++first;
  while (like.counts[last] == 0) --last;
  const size_t span = last - first + 1;
  const size_t size =
      std::min(static_cast<size_t>(max_bins_), std::max(kInitialBins, span + span / 4));
  dst.counts.assign(size, 0);
  dst.offset = like.offset + static_cast<int32_t>(first) -
               static_cast<int32_t>((size - std::min(size, span)) / 2);
}

void DDSketch::ReserveLike(const DDSketch& like) {
  assert(like.alpha_ == alpha_);
  if (count_ != 0) return;
  ReserveStoreLike(positive_, like.positive_);
  ReserveStoreLike(negative_, like.negative_);
}

void DDSketch::Clear() {
  for (Store* s : {&positive_, &negative_}) {
    std::fill(s->counts.begin(), s->counts.end(), 0);
    s->carry.clear();
    s->total = 0;
  }
  zero_count_ = 0;
  count_ = 0;
  sum_ = 0;
  min_ = kNaN;
  max_ = kNaN;
}

namespace {

// Quantile scans bins to the first one where a running count crosses a limit. These skip
// whole blocks of bins at a time (a vectorised sum) while the running count stays at or
// below `limit`, and return where the bin-by-bin scan must resume; the bin found is the
// same. Only for stores without carries (a carry adds to a bin beyond its uint32 count).
constexpr size_t kScanBlock = 16;

size_t SkipBlocksUp(const std::vector<uint32_t>& counts, size_t p, uint64_t* sum, uint64_t limit) {
  const uint32_t* c = counts.data();
  for (; p + kScanBlock <= counts.size(); p += kScanBlock) {
    uint64_t block = 0;
    for (size_t i = 0; i < kScanBlock; ++i) block += c[p + i];
    if (*sum + block > limit) break;
    *sum += block;
  }
  return p;
}

// The same downwards: `end` is one past the next bin to read; returns the new end.
size_t SkipBlocksDown(const std::vector<uint32_t>& counts, size_t end, uint64_t* sum,
                      uint64_t limit) {
  const uint32_t* c = counts.data();
  for (; end >= kScanBlock; end -= kScanBlock) {
    uint64_t block = 0;
    for (size_t i = end - kScanBlock; i < end; ++i) block += c[i];
    if (*sum + block > limit) break;
    *sum += block;
  }
  return end;
}

}  // namespace

double DDSketch::Quantile(double q) const {
  if (count_ == 0 || !(q >= 0 && q <= 1)) return kNaN;
  const auto rank = static_cast<uint64_t>(std::floor(q * static_cast<double>(count_ - 1)));
  if (rank == 0) return min_;
  if (rank >= count_ - 1) return max_;

  double value = 0;
  if (rank < negative_.total) {
    // Most negative first: highest index of the negative store.
    uint64_t seen = 0;
    size_t end = negative_.counts.size();
    if (negative_.carry.empty()) end = SkipBlocksDown(negative_.counts, end, &seen, rank);
    for (size_t p = end; p-- > 0;) {
      seen += BinCount(negative_, p);
      if (seen > rank) {
        value = -Value(negative_.offset + static_cast<int32_t>(p));
        break;
      }
    }
  } else if (rank < negative_.total + zero_count_) {
    value = 0;
  } else {
    // The first bin whose cumulative count exceeds r. For high quantiles, scanning down
    // from the top finds the same bin in fewer steps: it is the last one (going down)
    // before the count below it drops to r or less.
    const uint64_t r = rank - negative_.total - zero_count_;
    const uint64_t total = positive_.total;
    if (r >= total / 2) {
      uint64_t at_or_above = 0;
      size_t end = positive_.counts.size();
      // Nothing is counted above the maximum's bin: start there (a store's window often
      // has room above its values). If that bin was collapsed away, scan the whole store.
      if (max_ >= min_indexable_) {
        const int64_t top = static_cast<int64_t>(Index(max_)) - positive_.offset + 1;
        if (top > 0 && top < static_cast<int64_t>(end)) end = static_cast<size_t>(top);
      }
      // Stops once at_or_above >= total - r, i.e. skips while it stays <= total - r - 1.
      if (positive_.carry.empty()) {
        end = SkipBlocksDown(positive_.counts, end, &at_or_above, total - r - 1);
      }
      for (size_t p = end; p-- > 0;) {
        at_or_above += BinCount(positive_, p);
        if (total - at_or_above <= r) {
          value = Value(positive_.offset + static_cast<int32_t>(p));
          break;
        }
      }
    } else {
      uint64_t seen = 0;
      size_t p = 0;
      // Likewise nothing is counted below the minimum's bin (collapsed bins sit at 0).
      if (min_ >= min_indexable_) {
        const int64_t bottom = static_cast<int64_t>(Index(min_)) - positive_.offset;
        if (bottom > 0 && bottom < static_cast<int64_t>(positive_.counts.size())) {
          p = static_cast<size_t>(bottom);
        }
      }
      if (positive_.carry.empty()) p = SkipBlocksUp(positive_.counts, p, &seen, r);
      for (; p < positive_.counts.size(); ++p) {
        seen += BinCount(positive_, p);
        if (seen > r) {
          value = Value(positive_.offset + static_cast<int32_t>(p));
          break;
        }
      }
    }
  }
  return std::clamp(value, min_, max_);
}

uint64_t DDSketch::Rank(double value) const {
  if (count_ == 0 || std::isnan(value) || value < min_) return 0;
  if (value >= max_) return count_;
  if (value >= min_indexable_) {
    const int64_t last = static_cast<int64_t>(Index(value)) - positive_.offset;
    const int64_t end = std::min<int64_t>(last + 1, static_cast<int64_t>(positive_.counts.size()));
    uint64_t r = negative_.total + zero_count_;
    for (int64_t p = 0; p < end; ++p) r += BinCount(positive_, static_cast<size_t>(p));
    return r;
  }
  if (value <= -min_indexable_) {
    // Values <= value are those at least as far below zero: bins with index >= Index(-value).
    const int64_t first =
        std::max<int64_t>(static_cast<int64_t>(Index(-value)) - negative_.offset, 0);
    uint64_t r = 0;
    for (auto p = static_cast<size_t>(first); p < negative_.counts.size(); ++p) {
      r += BinCount(negative_, p);
    }
    return r;
  }
  return negative_.total + zero_count_;
}

size_t DDSketch::MemoryBytes() const {
  size_t bytes = 0;
  for (const Store* s : {&positive_, &negative_}) {
    bytes += s->counts.capacity() * sizeof(uint32_t);
    bytes += s->carry.capacity() * sizeof(std::pair<int32_t, uint64_t>);
  }
  return bytes;
}

}  // namespace inferscope
