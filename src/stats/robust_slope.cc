#include "stats/robust_slope.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace inferscope {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Median of v[0, n), reordering it (type 7: the mean of the two middle values for even n).
double MedianInPlace(double* v, uint32_t n) {
  const uint32_t mid = n / 2;
  std::nth_element(v, v + mid, v + n);
  const double upper = v[mid];
  if (n % 2 == 1) return upper;
  const double lower = *std::max_element(v, v + mid);
  return lower + 0.5 * (upper - lower);
}

}  // namespace

RobustSlope::RobustSlope(uint32_t blocks, uint32_t block_size)
    : blocks_(std::clamp<uint32_t>(blocks, 3, kMaxBlocks)),
      block_size_(std::max<uint32_t>(block_size, 1)),
      slope_(kNaN),
      fitted_oldest_(kNaN),
      fitted_newest_(kNaN) {
  assert(blocks >= 3 && blocks <= kMaxBlocks && block_size >= 1);
}

void RobustSlope::Add(double x) {
  if (std::isnan(x)) return;
  block_sum_ += x;
  if (++in_block_ < block_size_) return;
  means_[head_] = block_sum_ / static_cast<double>(block_size_);
  head_ = head_ + 1 == blocks_ ? 0 : head_ + 1;
  if (filled_ < blocks_) ++filled_;
  in_block_ = 0;
  block_sum_ = 0;
  Refit();
}

void RobustSlope::Clear() {
  filled_ = 0;
  head_ = 0;
  in_block_ = 0;
  block_sum_ = 0;
  slope_ = fitted_oldest_ = fitted_newest_ = kNaN;
}

double RobustSlope::block(uint32_t i) const {
  const uint32_t start = filled_ < blocks_ ? 0 : head_;
  uint32_t j = start + i;
  if (j >= blocks_) j -= blocks_;
  return means_[j];
}

double RobustSlope::span_points() const {
  return filled_ < 2 ? 0 : static_cast<double>((filled_ - 1) * block_size_);
}

void RobustSlope::Refit() {
  if (filled_ < 2) return;
  thread_local std::array<double, kMaxBlocks*(kMaxBlocks - 1) / 2> scratch;
  std::array<double, kMaxBlocks> m;
  for (uint32_t i = 0; i < filled_; ++i) m[i] = block(i);
  uint32_t n = 0;
  for (uint32_t i = 0; i < filled_; ++i) {
    for (uint32_t j = i + 1; j < filled_; ++j) {
      scratch[n++] = (m[j] - m[i]) / static_cast<double>(j - i);
    }
  }
  const double per_block = MedianInPlace(scratch.data(), n);
  for (uint32_t i = 0; i < filled_; ++i) scratch[i] = m[i] - per_block * static_cast<double>(i);
  const double intercept = MedianInPlace(scratch.data(), filled_);
  slope_ = per_block / static_cast<double>(block_size_);
  fitted_oldest_ = intercept;
  fitted_newest_ = intercept + per_block * static_cast<double>(filled_ - 1);
}

}  // namespace inferscope
