#ifndef INFERSCOPE_STATS_ROLLING_MEDIAN_H_
#define INFERSCOPE_STATS_ROLLING_MEDIAN_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/status.h"

namespace inferscope {

// Exact order statistics (median, MAD, any quantile) of the last `capacity` values of a
// stream. Typical capacity 32-128.
//
// Layout: a ring of values in arrival order plus the same values kept sorted. A push finds
// the evicted value and the new value's place by branchless binary search (O(log W)) and
// shifts the doubles between them with one memmove (O(W) but ~W/3 * 8 bytes for independent
// values: a few ns at W = 64). quantile() is O(1); mad() is O(log W): the absolute deviations left
// and right of the median are two sorted sequences, and their k-th smallest is a binary search.
// Quantiles are type 7 (linear interpolation, like robust_stats' ExactQuantile).
//
// NaN values are the caller's to filter. Memory: 16 * capacity bytes plus the object.
// Allocates once, at construction. Not thread-safe.
class RollingMedian {
 public:
  explicit RollingMedian(uint32_t capacity);

  void Push(double x);
  void Clear();

  uint32_t capacity() const { return capacity_; }
  uint32_t size() const { return size_; }
  bool full() const { return size_ == capacity_; }
  // q in [0, 1]; NaN when empty.
  double quantile(double q) const;
  double median() const { return quantile(0.5); }
  // Median absolute deviation from the median (unscaled); NaN when empty.
  double mad() const;
  size_t StateBytes() const { return sizeof(*this) + 2 * sizeof(double) * capacity_; }

  template <typename Writer>
  void Save(Writer& w) const {
    w.U32(capacity_);
    w.U32(size_);
    w.U32(head_);
    w.Bytes(ring_, sizeof(double) * size_);
  }
  // The sorted copy is rebuilt from the ring. DataLoss on truncation, InvalidArgument when
  // the capacity differs from this instance's.
  template <typename Reader>
  Status Load(Reader& r) {
    uint32_t capacity = 0;
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&capacity));
    if (capacity != capacity_) return Status::InvalidArgument("rolling median capacity differs");
    uint32_t size = 0;
    uint32_t head = 0;
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&size));
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&head));
    if (size > capacity_ || head >= capacity_) {
      return Status::DataLoss("rolling median state is inconsistent");
    }
    INFERSCOPE_RETURN_IF_ERROR(r.Bytes(ring_, sizeof(double) * size));
    size_ = size;
    head_ = head;
    RebuildSorted();
    return Status::Ok();
  }

 private:
  void RebuildSorted();
  // k-th smallest (0-based) of |x - median| over the window.
  double KthAbsDeviation(uint32_t k, double median, uint32_t split) const;

  uint32_t capacity_;
  uint32_t size_ = 0;
  uint32_t head_ = 0;  // next ring slot to write (the oldest value once full)
  std::unique_ptr<double[]> storage_;
  double* ring_;    // storage_[0, capacity)
  double* sorted_;  // storage_[capacity, 2 * capacity)
};

}  // namespace inferscope

#endif  // INFERSCOPE_STATS_ROLLING_MEDIAN_H_
