#include "stats/correlation_matrix.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace inferscope {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kMaxMaskColumns = 64;

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Uniform in [0, bound) from 64 random bits by multiply-high (Lemire), avoiding a 64-bit
// division per row; the bias is at most bound / 2^64.
// Uniform in (0, 1): never 0, so its logarithm is finite.
double UnitOpen(uint64_t& state) {
  return (static_cast<double>(SplitMix64(state) >> 11) + 0.5) * 0x1.0p-53;
}

uint64_t Below(uint64_t random, uint64_t bound) {
#if defined(__SIZEOF_INT128__)
  __extension__ using U128 = unsigned __int128;
  return static_cast<uint64_t>((static_cast<U128>(random) * bound) >> 64);
#else
  const uint64_t a_lo = random & 0xFFFFFFFF, a_hi = random >> 32;
  const uint64_t b_lo = bound & 0xFFFFFFFF, b_hi = bound >> 32;
  const uint64_t lo_lo = a_lo * b_lo, hi_lo = a_hi * b_lo, lo_hi = a_lo * b_hi;
  const uint64_t mid = (lo_lo >> 32) + (hi_lo & 0xFFFFFFFF) + lo_hi;
  return a_hi * b_hi + (hi_lo >> 32) + (mid >> 32);
#endif
}

size_t PairIndex(size_t i, size_t j, size_t k) {  // i <= j, upper triangle incl. diagonal
  return i * k - i * (i - 1) / 2 + (j - i);
}

// Folds a block of `block_n` rows, given as the product matrix `cross` of rows d (whose
// column m is 1, so cross[r][m] = Σ d_r) relative to the same reference as `mean`, into
// (n, mean, m2) with Chan et al.'s update. Only entries [r][c], c >= r, are touched.
void FoldInto(uint64_t& n, double* mean, double* m2, uint32_t block_n, const double* cross, int m,
              int stride) {
  if (block_n == 0) return;
  const double nb = block_n;
  const double n_new = static_cast<double>(n) + nb;
  const double f = static_cast<double>(n) * nb / n_new;
  double sum[kMaxMaskColumns];
  double delta[kMaxMaskColumns];
  for (int t = 0; t < m; ++t) {
    sum[t] = cross[t * stride + m];
    delta[t] = sum[t] / nb - mean[t];
  }
  for (int r = 0; r < m; ++r) {
    const double* cr = cross + r * stride;
    double* mr = m2 + r * stride;
    for (int c = r; c < m; ++c) mr[c] += (cr[c] - sum[r] * sum[c] / nb) + delta[r] * delta[c] * f;
  }
  for (int t = 0; t < m; ++t) mean[t] += delta[t] * (nb / n_new);
  n += block_n;
}

// cross[r][c] += d[r] · d[c] for one row. Starting each row at the even column at or before
// the diagonal costs one redundant product on odd rows and keeps every access 16-byte
// aligned, so -O2 -march=x86-64-v2 emits packed SSE2 multiply-adds.
void AddProducts(double* __restrict cross, const double* __restrict d, int m, int stride) {
  for (int r = 0; r < m; ++r, cross += stride) {
    const double dr = d[r];
    for (int c = r & ~1; c < stride; c += 2) {
      cross[c] += dr * d[c];
      cross[c + 1] += dr * d[c + 1];
    }
  }
}

// The same for four rows d0..d3 at once: each product-matrix entry is loaded and stored once
// per four rows, which is what bounds the single-row loop.
#if defined(__clang__)
// The M == 0 instantiation has a runtime trip count that clang cannot unroll fully; it says
// so with a -Wpass-failed warning. GCC unrolls partially without a word. Both are intended.
#pragma clang diagnostic ignored "-Wpass-failed"
#endif

template <int M>  // M > 0: m known at compile time, so the loops unroll completely
[[gnu::always_inline]] inline void AddProducts4(double* __restrict cross,
                                                const double* __restrict d0, int m, int stride) {
  if constexpr (M > 0) {
    m = M;
    stride = (M + 2) & ~1;
  }
  const double* __restrict d1 = d0 + stride;
  const double* __restrict d2 = d1 + stride;
  const double* __restrict d3 = d2 + stride;
#pragma GCC unroll 16
  for (int r = 0; r < m; ++r) {
    double* __restrict cr = cross + r * stride;
    const double a0 = d0[r], a1 = d1[r], a2 = d2[r], a3 = d3[r];
#pragma GCC unroll 16
    for (int c = r & ~1; c < stride; c += 2) {
      cr[c] += (a0 * d0[c] + a1 * d1[c]) + (a2 * d2[c] + a3 * d3[c]);
      cr[c + 1] += (a0 * d0[c + 1] + a1 * d1[c + 1]) + (a2 * d2[c + 1] + a3 * d3[c + 1]);
    }
  }
}

// Masks of up to 12 columns (the analyzer has 11) get a fully unrolled update. The same
// code is also compiled for AVX (256-bit vectors, no FMA, so every entry sees the same IEEE
// operations in the same order: identical sums) and picked at run time.
[[gnu::always_inline]] inline void AddProducts4Switch(double* cross, const double* d0, int m,
                                                      int stride) {
  switch (m) {
    case 1:
      return AddProducts4<1>(cross, d0, m, stride);
    case 2:
      return AddProducts4<2>(cross, d0, m, stride);
    case 3:
      return AddProducts4<3>(cross, d0, m, stride);
    case 4:
      return AddProducts4<4>(cross, d0, m, stride);
    case 5:
      return AddProducts4<5>(cross, d0, m, stride);
    case 6:
      return AddProducts4<6>(cross, d0, m, stride);
    case 7:
      return AddProducts4<7>(cross, d0, m, stride);
    case 8:
      return AddProducts4<8>(cross, d0, m, stride);
    case 9:
      return AddProducts4<9>(cross, d0, m, stride);
    case 10:
      return AddProducts4<10>(cross, d0, m, stride);
    case 11:
      return AddProducts4<11>(cross, d0, m, stride);
    case 12:
      return AddProducts4<12>(cross, d0, m, stride);
    default:
      return AddProducts4<0>(cross, d0, m, stride);
  }
}

void AddProducts4Sse(double* cross, const double* d0, int m, int stride) {
  AddProducts4Switch(cross, d0, m, stride);
}

#if defined(__x86_64__) && defined(__GNUC__)
[[gnu::target("avx")]] void AddProducts4Avx(double* cross, const double* d0, int m, int stride) {
  AddProducts4Switch(cross, d0, m, stride);
}
#endif

void AddProducts4Dispatch(double* cross, const double* d0, int m, int stride) {
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool kAvx = __builtin_cpu_supports("avx");
  if (kAvx) return AddProducts4Avx(cross, d0, m, stride);
#endif
  AddProducts4Sse(cross, d0, m, stride);
}

// Bit i set when row[i] is finite; n <= 64.
uint64_t PresenceMask(const double* row, int n) {
  uint64_t mask = 0;
  int i = 0;
#if defined(__SSE2__)
  // Two columns per compare: |x| <= DBL_MAX is false for NaN and ±inf.
  const __m128d abs_bits = _mm_castsi128_pd(_mm_set1_epi64x(0x7FFFFFFFFFFFFFFF));
  const __m128d max = _mm_set1_pd(std::numeric_limits<double>::max());
  for (; i + 2 <= n; i += 2) {
    const __m128d v = _mm_and_pd(_mm_loadu_pd(row + i), abs_bits);
    mask |= static_cast<uint64_t>(_mm_movemask_pd(_mm_cmple_pd(v, max))) << i;
  }
#endif
  for (; i < n; ++i) mask |= static_cast<uint64_t>(std::isfinite(row[i])) << i;
  return mask;
}

// Order-preserving map of a finite double to an unsigned key; -0.0 and +0.0 share one key.
uint64_t SortKey(double v) {
  const auto bits = std::bit_cast<uint64_t>(v + 0.0);
  return (bits >> 63) != 0 ? ~bits : bits | (uint64_t{1} << 63);
}

struct Keyed {
  uint64_t key;
  uint32_t row;
};

// Stable LSD radix sort by key, 11 bits per pass; passes where every key has the same digit
// (typical for the exponent bits of one column) are skipped. `tmp` is scratch.
void RadixSort(std::vector<Keyed>& v, std::vector<Keyed>& tmp) {
  constexpr int kBits = 11;
  constexpr int kPasses = (64 + kBits - 1) / kBits;
  constexpr size_t kBuckets = size_t{1} << kBits;
  const size_t n = v.size();
  std::vector<uint32_t> hist(kPasses * kBuckets, 0);
  for (const Keyed& e : v) {
    for (int p = 0; p < kPasses; ++p)
      ++hist[p * kBuckets + ((e.key >> (p * kBits)) & (kBuckets - 1))];
  }
  tmp.resize(n);
  for (int p = 0; p < kPasses; ++p) {
    uint32_t* h = hist.data() + p * kBuckets;
    const int shift = p * kBits;
    if (n == 0 || h[(v[0].key >> shift) & (kBuckets - 1)] == n) continue;
    uint32_t offset = 0;
    for (size_t b = 0; b < kBuckets; ++b) {
      const uint32_t count = h[b];
      h[b] = offset;
      offset += count;
    }
    for (const Keyed& e : v) tmp[h[(e.key >> shift) & (kBuckets - 1)]++] = e;
    v.swap(tmp);
  }
}

// Writes centred average ranks (rank − (n+1)/2, ties sharing the mean of their ranks) of the
// rows in `sorted` (ascending, n entries) into out[row]; returns Σ rank². Centring keeps the
// later dot products small and exact, as ranks are half-integers.
double CentredRanks(const Keyed* sorted, size_t n, double* out) {
  double sum_sq = 0;
  const double centre = static_cast<double>(n - 1);
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j + 1 < n && sorted[j + 1].key == sorted[i].key) ++j;
    const double rank = (static_cast<double>(i + j) - centre) / 2;
    for (size_t t = i; t <= j; ++t) out[sorted[t].row] = rank;
    sum_sq += rank * rank * static_cast<double>(j - i + 1);
    i = j + 1;
  }
  return sum_sq;
}

double Dot(const double* x, const double* y, size_t n) {
  // Four partial sums so the loop vectorises without -ffast-math.
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += x[i] * y[i];
    s1 += x[i + 1] * y[i + 1];
    s2 += x[i + 2] * y[i + 2];
    s3 += x[i + 3] * y[i + 3];
  }
  for (; i < n; ++i) s0 += x[i] * y[i];
  return (s0 + s1) + (s2 + s3);
}

double RankCorrelation(size_t n, double sxy, double sxx, double syy) {
  if (n < 3 || !(sxx > 0) || !(syy > 0)) return kNaN;
  return std::clamp(sxy / (std::sqrt(sxx) * std::sqrt(syy)), -1.0, 1.0);
}

}  // namespace

CorrelationMatrix::CorrelationMatrix(int variables, int reservoir_rows, uint64_t seed)
    : k_(std::max(variables, 1)),
      reservoir_rows_(std::max(reservoir_rows, 0)),
      rng_state_(seed),
      anchor_(static_cast<size_t>(k_), 0.0),
      anchored_(static_cast<size_t>(k_), 0),
      pairs_(static_cast<size_t>(k_) * static_cast<size_t>(k_ + 1) / 2) {
  assert(variables >= 1);
}

void CorrelationMatrix::AddRow(const double* row) {
  ++rows_;
  if (k_ <= kMaxMaskColumns) {
    const uint64_t mask = PresenceMask(row, k_);
    MaskAccumulator* a = nullptr;
    if (last_mask_ < masks_.size() && masks_[last_mask_].mask == mask) {
      a = &masks_[last_mask_];
    } else if (mask != 0) {
      a = FindOrAddMask(mask, row);
    }
    if (a != nullptr) {
      AddToMask(*a, row);
    } else if (mask != 0) {
      AddRowPairwise(row);
    }
  } else {
    AddRowPairwise(row);
  }
  if (reservoir_rows_ == 0) return;
  if (rows_ <= static_cast<uint64_t>(reservoir_rows_)) {
    Sample(row, sample_.size() / static_cast<size_t>(k_));
    if (rows_ == static_cast<uint64_t>(reservoir_rows_)) {
      w_ = std::exp(std::log(UnitOpen(rng_state_)) / reservoir_rows_);
      ScheduleNextReplacement();
    }
    return;
  }
  if (rows_ == next_replace_) [[unlikely]] {
    Sample(row, static_cast<size_t>(
                    Below(SplitMix64(rng_state_), static_cast<uint64_t>(reservoir_rows_))));
    w_ *= std::exp(std::log(UnitOpen(rng_state_)) / reservoir_rows_);
    ScheduleNextReplacement();
  }
}

CorrelationMatrix::MaskAccumulator* CorrelationMatrix::FindOrAddMask(uint64_t mask,
                                                                     const double* row) {
  for (size_t i = 0; i < masks_.size(); ++i) {
    if (masks_[i].mask == mask) {
      last_mask_ = i;
      return &masks_[i];
    }
  }
  if (masks_.size() >= static_cast<size_t>(kMaxMasks)) return nullptr;
  MaskAccumulator& a = masks_.emplace_back();
  last_mask_ = masks_.size() - 1;
  const int m = std::popcount(mask);
  a.mask = mask;
  a.m = m;
  a.leading = mask == (m == 64 ? ~uint64_t{0} : (uint64_t{1} << m) - 1);
  a.stride = (m + 2) & ~1;
  a.data.assign(static_cast<size_t>(3 + 2 * m + kPendingRows) * static_cast<size_t>(a.stride), 0.0);
  int t = 0;
  for (int i = 0; i < k_; ++i) {
    if ((mask >> i & 1) == 0) continue;
    a.columns[t] = static_cast<uint8_t>(i);
    // The first row is the first block's reference: values near it sum without cancellation.
    a.ref()[t] = row[i];
    a.scale()[t] = 1;
    if (anchored_[i] == 0) {
      anchored_[i] = 1;
      anchor_[i] = row[i];
    }
    ++t;
  }
  for (; t < a.stride; ++t) a.columns[t] = a.columns[0];
  a.ref()[m] = -1;  // the constant-1 column; scale is 0 there and in the padding
  return &a;
}

// Hot path: branch-free and contiguous; the gather works on pairs so it vectorises too.
void CorrelationMatrix::AddToMask(MaskAccumulator& a, const double* __restrict row) {
  const int stride = a.stride;
  double* __restrict d = a.pending() + a.pending_n * stride;
  const double* __restrict ref = a.ref();
  const double* __restrict scale = a.scale();
#if defined(__SSE2__)
  // Written as whole pairs: AddProducts4 reads d back as pairs, and a pair load spanning two
  // scalar stores would stall on store forwarding.
  if (a.leading) {
    const int m = a.m;
    int t = 0;
    for (; t + 2 <= m; t += 2) {
      _mm_store_pd(d + t, _mm_sub_pd(_mm_loadu_pd(row + t), _mm_load_pd(ref + t)));
    }
    // The last value if m is odd, then the constant 1 and the padding; nothing past row[m-1].
    const __m128d tail = _mm_set_pd(0.0, t < m ? row[t] : 0.0);
    _mm_store_pd(d + t, _mm_sub_pd(_mm_mul_pd(tail, _mm_load_pd(scale + t)), _mm_load_pd(ref + t)));
  } else {
    for (int t = 0; t < stride; t += 2) {
      const __m128d x = _mm_set_pd(row[a.columns[t + 1]], row[a.columns[t]]);
      _mm_store_pd(d + t, _mm_sub_pd(_mm_mul_pd(x, _mm_load_pd(scale + t)), _mm_load_pd(ref + t)));
    }
  }
#else
  for (int t = 0; t < stride; ++t) d[t] = row[a.columns[t]] * scale[t] - ref[t];
#endif
  if (++a.pending_n < kPendingRows) return;
  AddProducts4Dispatch(a.cross(), a.pending(), a.m, stride);
  a.pending_n = 0;
  a.block_n += kPendingRows;
  if (a.block_n == kBlockRows) FoldBlock(a);
}

void CorrelationMatrix::FoldBlock(MaskAccumulator& a) {
  const int m = a.m;
  const int stride = a.stride;
  FoldInto(a.n, a.mean(), a.m2(), a.block_n, a.cross(), m, stride);
  a.block_n = 0;
  std::fill(a.cross(), a.cross() + static_cast<size_t>(m) * static_cast<size_t>(stride), 0.0);
  // Move the reference to the running mean, so the next block's sums stay small even when the
  // first row was far from typical. `moved` is the exactly representable step actually taken.
  double* ref = a.ref();
  double* mean = a.mean();
  for (int t = 0; t < m; ++t) {
    const double next = ref[t] + mean[t];
    const double moved = next - ref[t];
    mean[t] -= moved;
    ref[t] = next;
  }
}

void CorrelationMatrix::Merge(PairMoments& into, const PairMoments& from) {
  if (from.n == 0) return;
  if (into.n == 0) {
    into = from;
    return;
  }
  const double na = static_cast<double>(into.n);
  const double nb = static_cast<double>(from.n);
  const double n = na + nb;
  const double f = na * nb / n;
  const double dx = from.mean_x - into.mean_x;
  const double dy = from.mean_y - into.mean_y;
  into.m2_x += from.m2_x + dx * dx * f;
  into.m2_y += from.m2_y + dy * dy * f;
  into.c_xy += from.c_xy + dx * dy * f;
  into.mean_x += dx * (nb / n);
  into.mean_y += dy * (nb / n);
  into.n += from.n;
}

// Rows whose mask has no dense accumulator: Welford's update per pair, on values shifted by
// the column anchor so that means stay small.
void CorrelationMatrix::AddRowPairwise(const double* row) {
  for (int i = 0; i < k_; ++i) {
    if (anchored_[i] == 0 && std::isfinite(row[i])) {
      anchored_[i] = 1;
      anchor_[i] = row[i];
    }
  }
  uint64_t last_n = 0;
  double inv_n = 0;
  PairMoments* p = pairs_.data();
  for (int i = 0; i < k_; ++i) {
    if (!std::isfinite(row[i])) {
      p += k_ - i;
      continue;
    }
    const double x = row[i] - anchor_[i];
    for (int j = i; j < k_; ++j, ++p) {
      if (!std::isfinite(row[j])) continue;
      const double y = row[j] - anchor_[j];
      const uint64_t n = ++p->n;
      if (n != last_n) {
        last_n = n;
        inv_n = 1.0 / static_cast<double>(n);
      }
      // Welford's update extended to the co-moment.
      const double dx = x - p->mean_x;
      const double dy = y - p->mean_y;
      p->mean_x += dx * inv_n;
      p->mean_y += dy * inv_n;
      p->m2_x += dx * (x - p->mean_x);
      p->m2_y += dy * (y - p->mean_y);
      p->c_xy += dx * (y - p->mean_y);
    }
  }
}

void CorrelationMatrix::MergeMask(MaskAccumulator& a, const MaskAccumulator& b) {
  const int m = a.m;
  const int stride = a.stride;
  // Fold a's pending rows and block first, so all of a is in (n, mean, m2).
  for (int t = 0; t < a.pending_n; ++t) {
    AddProducts(a.cross(), a.pending() + t * stride, m, stride);
  }
  a.block_n += static_cast<uint32_t>(a.pending_n);
  a.pending_n = 0;
  FoldBlock(a);
  std::vector<double> mean_b, m2_b;
  const uint64_t nb = Folded(b, &mean_b, &m2_b);
  if (nb == 0) return;
  // Chan et al.: b's mean relative to a's reference, then the co-moment correction.
  const double na_d = static_cast<double>(a.n);
  const double nb_d = static_cast<double>(nb);
  const double n = na_d + nb_d;
  const double f = na_d * nb_d / n;
  double delta[kMaxMaskColumns];
  double* mean = a.mean();
  for (int t = 0; t < m; ++t) delta[t] = ((b.ref()[t] - a.ref()[t]) + mean_b[t]) - mean[t];
  double* m2 = a.m2();
  for (int r = 0; r < m; ++r) {
    for (int c = r; c < m; ++c) {
      m2[r * stride + c] += m2_b[static_cast<size_t>(r * stride + c)] + delta[r] * delta[c] * f;
    }
  }
  for (int t = 0; t < m; ++t) mean[t] += delta[t] * (nb_d / n);
  a.n += nb;
}

void CorrelationMatrix::MergeReservoir(const CorrelationMatrix& o) {
  const auto k = static_cast<size_t>(k_);
  const auto capacity = static_cast<uint64_t>(reservoir_rows_);
  if (capacity == 0) return;
  const uint64_t na = rows_, nb = o.rows_;
  if (na + nb <= capacity) {
    // Both samples hold every row of their side.
    sample_.insert(sample_.end(), o.sample_.begin(), o.sample_.end());
    return;
  }
  // How many of the merged sample's rows come from this side: capacity draws without
  // replacement from na + nb rows (hypergeometric), one draw at a time.
  uint64_t left_a = na, left_b = nb, take_a = 0;
  for (uint64_t i = 0; i < capacity; ++i) {
    if (Below(SplitMix64(rng_state_), left_a + left_b) < left_a) {
      ++take_a;
      --left_a;
    } else {
      --left_b;
    }
  }
  // A uniform subset of a uniform sample is a uniform sample: partial Fisher-Yates on each.
  auto pick = [&](const std::vector<double>& from, uint64_t take, std::vector<double>* to) {
    const size_t rows = from.size() / k;
    std::vector<uint32_t> idx(rows);
    for (size_t i = 0; i < rows; ++i) idx[i] = static_cast<uint32_t>(i);
    for (uint64_t i = 0; i < take && i < rows; ++i) {
      const uint64_t j = i + Below(SplitMix64(rng_state_), rows - i);
      std::swap(idx[i], idx[j]);
      to->insert(to->end(), from.begin() + static_cast<ptrdiff_t>(idx[i] * k),
                 from.begin() + static_cast<ptrdiff_t>((idx[i] + 1) * k));
    }
  };
  std::vector<double> merged;
  merged.reserve(capacity * k);
  pick(sample_, take_a, &merged);
  pick(o.sample_, capacity - take_a, &merged);
  sample_ = std::move(merged);
}

bool CorrelationMatrix::Merge(const CorrelationMatrix& o) {
  if (o.k_ != k_ || o.reservoir_rows_ != reservoir_rows_) return false;
  if (o.rows_ == 0) return true;
  for (int i = 0; i < k_; ++i) {
    if (anchored_[i] == 0 && o.anchored_[i] != 0) {
      anchored_[i] = 1;
      anchor_[i] = o.anchor_[i];
    }
  }
  // The other's per-pair moments, moved to this matrix's anchors.
  for (int i = 0; i < k_; ++i) {
    for (int j = i; j < k_; ++j) {
      const size_t p = PairIndex(i, j, static_cast<size_t>(k_));
      PairMoments pm = o.pairs_[p];
      if (pm.n == 0) continue;
      pm.mean_x += o.anchor_[i] - anchor_[i];
      pm.mean_y += o.anchor_[j] - anchor_[j];
      Merge(pairs_[p], pm);
    }
  }
  for (const MaskAccumulator& b : o.masks_) {
    auto it = std::find_if(masks_.begin(), masks_.end(),
                           [&](const MaskAccumulator& a) { return a.mask == b.mask; });
    if (it != masks_.end()) {
      MergeMask(*it, b);
    } else if (masks_.size() < static_cast<size_t>(kMaxMasks)) {
      masks_.push_back(b);  // self-contained: its references are absolute values
    } else {
      AddMaskToPairs(b, anchor_, k_, &pairs_);
    }
  }
  MergeReservoir(o);
  rows_ += o.rows_;
  if (reservoir_rows_ > 0 && rows_ >= static_cast<uint64_t>(reservoir_rows_)) {
    // Algorithm L's weight is the largest of the sampled rows' keys: Beta(R, rows - R + 1),
    // taken at its mean (a fresh draw when the reservoir has just filled, as AddRow does).
    w_ = rows_ == static_cast<uint64_t>(reservoir_rows_)
             ? std::exp(std::log(UnitOpen(rng_state_)) / reservoir_rows_)
             : static_cast<double>(reservoir_rows_) / (static_cast<double>(rows_) + 1.0);
    ScheduleNextReplacement();
  }
  return true;
}

void CorrelationMatrix::ScheduleNextReplacement() {
  // Skip floor(log(U) / log(1 - w)) rows, then replace (Li 1994, Algorithm L).
  const double skip = std::floor(std::log(UnitOpen(rng_state_)) / std::log1p(-w_));
  next_replace_ =
      rows_ + 1 +
      (skip < 9e18 ? static_cast<uint64_t>(skip) : uint64_t{9'000'000'000'000'000'000u});
}

void CorrelationMatrix::Sample(const double* row, size_t slot) {
  const auto k = static_cast<size_t>(k_);
  if (slot * k == sample_.size()) sample_.resize(sample_.size() + k);
  double* dst = sample_.data() + slot * k;
  for (size_t i = 0; i < k; ++i) dst[i] = std::isfinite(row[i]) ? row[i] : kNaN;
}

uint64_t CorrelationMatrix::Folded(const MaskAccumulator& a, std::vector<double>* mean,
                                   std::vector<double>* m2) {
  const int m = a.m;
  const int stride = a.stride;
  const size_t cells = static_cast<size_t>(m) * static_cast<size_t>(stride);
  mean->assign(a.mean(), a.mean() + m);
  m2->assign(a.m2(), a.m2() + cells);
  std::vector<double> cross(a.cross(), a.cross() + cells);
  for (int t = 0; t < a.pending_n; ++t) {
    AddProducts(cross.data(), a.pending() + t * stride, m, stride);
  }
  uint64_t n = a.n;
  FoldInto(n, mean->data(), m2->data(), a.block_n + static_cast<uint32_t>(a.pending_n),
           cross.data(), m, stride);
  return n;
}

void CorrelationMatrix::AddMaskToPairs(const MaskAccumulator& a, const std::vector<double>& anchor,
                                       int k, std::vector<PairMoments>* pairs) {
  std::vector<double> mean, m2;
  const uint64_t n = Folded(a, &mean, &m2);
  if (n == 0) return;
  const int m = a.m;
  const int stride = a.stride;
  std::vector<double> offset(static_cast<size_t>(m));
  for (int t = 0; t < m; ++t) offset[t] = (a.ref()[t] - anchor[a.columns[t]]) + mean[t];
  for (int r = 0; r < m; ++r) {
    const double* mr = m2.data() + r * stride;
    for (int c = r; c < m; ++c) {
      PairMoments pm;
      pm.n = n;
      pm.mean_x = offset[r];
      pm.mean_y = offset[c];
      pm.m2_x = mr[r];
      pm.m2_y = m2[static_cast<size_t>(c) * static_cast<size_t>(stride) + c];
      pm.c_xy = mr[c];
      Merge((*pairs)[PairIndex(a.columns[r], a.columns[c], static_cast<size_t>(k))], pm);
    }
  }
}

std::vector<double> CorrelationMatrix::Pearson() const {
  const auto k = static_cast<size_t>(k_);
  std::vector<PairMoments> total(pairs_.size());
  for (const MaskAccumulator& a : masks_) AddMaskToPairs(a, anchor_, k_, &total);
  for (size_t p = 0; p < pairs_.size(); ++p) Merge(total[p], pairs_[p]);

  std::vector<double> out(k * k, kNaN);
  const PairMoments* p = total.data();
  for (size_t i = 0; i < k; ++i) {
    for (size_t j = i; j < k; ++j, ++p) {
      double r = kNaN;
      if (p->n >= 3 && p->m2_x > 0 && p->m2_y > 0) {
        r = i == j ? 1.0
                   : std::clamp(p->c_xy / (std::sqrt(p->m2_x) * std::sqrt(p->m2_y)), -1.0, 1.0);
      }
      out[i * k + j] = r;
      out[j * k + i] = r;
    }
  }
  return out;
}

std::vector<double> CorrelationMatrix::Spearman() const {
  const auto k = static_cast<size_t>(k_);
  const size_t rows = sampled_rows();
  std::vector<double> out(k * k, kNaN);
  if (rows == 0) return out;

  // Each column is sorted once: order[c] holds its present rows by value, ranks[c][row] its
  // centred average rank (0 where absent, so absent rows drop out of the dot products) and
  // present[c] a bitmap of its present rows.
  const size_t words = (rows + 63) / 64;
  std::vector<std::vector<Keyed>> order(k);
  std::vector<double> ranks(k * rows, 0.0);
  std::vector<double> sum_sq(k, 0.0);
  std::vector<uint64_t> present(k * words, 0);
  std::vector<Keyed> tmp;
  for (size_t c = 0; c < k; ++c) {
    std::vector<Keyed>& o = order[c];
    o.reserve(rows);
    uint64_t* bits = present.data() + c * words;
    for (size_t r = 0; r < rows; ++r) {
      const double v = sample_[r * k + c];
      if (std::isnan(v)) continue;
      o.push_back({SortKey(v), static_cast<uint32_t>(r)});
      bits[r / 64] |= uint64_t{1} << (r % 64);
    }
    RadixSort(o, tmp);
    sum_sq[c] = CentredRanks(o.data(), o.size(), ranks.data() + c * rows);
    // Diagonal: 1 when the column has >= 3 values that are not all equal.
    if (o.size() >= 3 && o.front().key != o.back().key) out[c * k + c] = 1.0;
  }

  std::vector<double> rx(rows), ry(rows);
  std::vector<Keyed> joint;
  // Keeps the entries of `sorted` whose row is present in both bitmaps: the joint subset,
  // still in sorted order.
  const auto filter = [&](const std::vector<Keyed>& sorted, const uint64_t* a, const uint64_t* b) {
    joint.clear();
    for (const Keyed& e : sorted) {
      const size_t w = e.row / 64;
      if (((a[w] & b[w]) >> (e.row % 64) & 1) != 0) joint.push_back(e);
    }
  };
  for (size_t i = 0; i < k; ++i) {
    const uint64_t* pi = present.data() + i * words;
    for (size_t j = i + 1; j < k; ++j) {
      const uint64_t* pj = present.data() + j * words;
      double r;
      if (std::equal(pi, pi + words, pj)) {
        // The usual case: same rows, so the column ranks are the joint ranks.
        r = RankCorrelation(order[i].size(),
                            Dot(ranks.data() + i * rows, ranks.data() + j * rows, rows), sum_sq[i],
                            sum_sq[j]);
      } else {
        std::fill(rx.begin(), rx.end(), 0.0);
        std::fill(ry.begin(), ry.end(), 0.0);
        filter(order[i], pi, pj);
        const size_t n = joint.size();
        const double sxx = CentredRanks(joint.data(), n, rx.data());
        filter(order[j], pi, pj);
        const double syy = CentredRanks(joint.data(), joint.size(), ry.data());
        r = RankCorrelation(n, Dot(rx.data(), ry.data(), rows), sxx, syy);
      }
      out[i * k + j] = r;
      out[j * k + i] = r;
    }
  }
  return out;
}

}  // namespace inferscope
