#include "stats/rolling_window.h"

#include <cassert>
#include <cmath>
#include <limits>

namespace inferscope {

RollingWindow::RollingWindow(uint32_t capacity)
    : capacity_(capacity), values_(std::make_unique<double[]>(capacity)) {
  assert(capacity > 0);
}

void RollingWindow::Push(double x) {
  if (size_ < capacity_) {
    values_[size_] = x;
    ++size_;
    head_ = size_ == capacity_ ? 0 : size_;
    const double delta = x - mean_;
    mean_ += delta / static_cast<double>(size_);
    m2_ += delta * (x - mean_);
    return;
  }
  const double old = values_[head_];
  values_[head_] = x;
  head_ = head_ + 1 == capacity_ ? 0 : head_ + 1;
  if (++since_recompute_ >= capacity_) {
    Recompute();
    return;
  }
  const double old_mean = mean_;
  mean_ += (x - old) / static_cast<double>(size_);
  m2_ += (x - old) * (x - mean_ + old - old_mean);
  if (m2_ < 0) m2_ = 0;
}

void RollingWindow::Recompute() {
  since_recompute_ = 0;
  double sum = 0;
  for (uint32_t i = 0; i < size_; ++i) sum += values_[i];
  mean_ = sum / static_cast<double>(size_);
  double ss = 0;
  for (uint32_t i = 0; i < size_; ++i) ss += (values_[i] - mean_) * (values_[i] - mean_);
  m2_ = ss;
}

void RollingWindow::Clear() {
  size_ = 0;
  head_ = 0;
  since_recompute_ = 0;
  mean_ = 0;
  m2_ = 0;
}

double RollingWindow::operator[](uint32_t i) const {
  assert(i < size_);
  const uint32_t start = size_ < capacity_ ? 0 : head_;
  uint32_t j = start + i;
  if (j >= capacity_) j -= capacity_;
  return values_[j];
}

double RollingWindow::mean() const {
  return size_ == 0 ? std::numeric_limits<double>::quiet_NaN() : mean_;
}

double RollingWindow::variance() const {
  return size_ < 2 ? std::numeric_limits<double>::quiet_NaN()
                   : m2_ / static_cast<double>(size_ - 1);
}

double RollingWindow::stddev() const { return std::sqrt(variance()); }

}  // namespace inferscope
