#include "stats/rolling_median.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>

namespace inferscope {
namespace {

// std::lower_bound without data-dependent branches (the compiler emits cmov): on a window of
// noisy values every comparison is a coin flip, and mispredictions would dominate.
uint32_t LowerBound(const double* v, uint32_t n, double x) {
  if (n == 0) return 0;
  const double* base = v;
  while (n > 1) {
    const uint32_t half = n / 2;
    base = base[half] < x ? base + half : base;
    n -= half;
  }
  return static_cast<uint32_t>(base - v) + (*base < x ? 1 : 0);
}

}  // namespace

RollingMedian::RollingMedian(uint32_t capacity)
    : capacity_(capacity),
      storage_(std::make_unique<double[]>(2 * static_cast<size_t>(capacity))),
      ring_(storage_.get()),
      sorted_(storage_.get() + capacity) {
  assert(capacity > 0);
}

void RollingMedian::Push(double x) {
  uint32_t i;
  if (size_ < capacity_) {
    ring_[size_] = x;
    i = size_++;
    head_ = size_ == capacity_ ? 0 : size_;
    sorted_[i] = x;
    while (i > 0 && sorted_[i - 1] > x) {
      sorted_[i] = sorted_[i - 1];
      --i;
    }
    sorted_[i] = x;
    return;
  }
  const double old = ring_[head_];
  ring_[head_] = x;
  head_ = head_ + 1 == capacity_ ? 0 : head_ + 1;
  // Any slot holding `old` will do: shift the values between it and x's place by one (a
  // memmove of ~W/3 doubles for independent values) and drop x in.
  i = LowerBound(sorted_, size_, old);
  const uint32_t p = LowerBound(sorted_, size_, x);
  if (p > i) {
    std::memmove(sorted_ + i, sorted_ + i + 1, sizeof(double) * (p - 1 - i));
    sorted_[p - 1] = x;
  } else {
    std::memmove(sorted_ + p + 1, sorted_ + p, sizeof(double) * (i - p));
    sorted_[p] = x;
  }
}

void RollingMedian::Clear() {
  size_ = 0;
  head_ = 0;
}

void RollingMedian::RebuildSorted() {
  std::copy(ring_, ring_ + size_, sorted_);
  std::sort(sorted_, sorted_ + size_);
}

double RollingMedian::quantile(double q) const {
  if (size_ == 0 || !(q >= 0 && q <= 1)) return std::numeric_limits<double>::quiet_NaN();
  const double h = static_cast<double>(size_ - 1) * q;
  const auto lo = static_cast<uint32_t>(h);
  const double frac = h - static_cast<double>(lo);
  if (frac == 0 || lo + 1 >= size_) return sorted_[lo];
  return sorted_[lo] + frac * (sorted_[lo + 1] - sorted_[lo]);
}

// Left deviations A[a] = median - sorted[split - 1 - a] (a < split) and right deviations
// B[b] = sorted[split + b] - median are both ascending; binary-search how many of the k + 1
// smallest come from A.
double RollingMedian::KthAbsDeviation(uint32_t k, double median, uint32_t split) const {
  const uint32_t na = split;
  const uint32_t nb = size_ - split;
  auto a = [&](uint32_t idx) { return median - sorted_[split - 1 - idx]; };
  auto b = [&](uint32_t idx) { return sorted_[split + idx] - median; };
  uint32_t lo = k + 1 > nb ? k + 1 - nb : 0;
  uint32_t hi = std::min(k + 1, na);
  while (lo < hi) {
    const uint32_t i = (lo + hi) / 2;
    const uint32_t j = k + 1 - i;  // >= 1 since i < hi <= k + 1
    const bool more_from_a = a(i) < b(j - 1);
    lo = more_from_a ? i + 1 : lo;
    hi = more_from_a ? hi : i;
  }
  const uint32_t i = lo;
  const uint32_t j = k + 1 - i;
  const double from_a = i > 0 ? a(i - 1) : -std::numeric_limits<double>::infinity();
  const double from_b = j > 0 ? b(j - 1) : -std::numeric_limits<double>::infinity();
  return std::max(from_a, from_b);
}

double RollingMedian::mad() const {
  if (size_ == 0) return std::numeric_limits<double>::quiet_NaN();
  const double med = median();
  const uint32_t split = LowerBound(sorted_, size_, med);
  const uint32_t k0 = (size_ - 1) / 2;
  const double d0 = KthAbsDeviation(k0, med, split);
  if ((size_ - 1) % 2 == 0) return d0;
  const double d1 = KthAbsDeviation(k0 + 1, med, split);
  return d0 + 0.5 * (d1 - d0);
}

}  // namespace inferscope
