#ifndef INFERSCOPE_STATS_ROLLING_WINDOW_H_
#define INFERSCOPE_STATS_ROLLING_WINDOW_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/status.h"

namespace inferscope {

// The last `capacity` values of a stream (a ring buffer allocated once, at construction)
// with their mean and sample variance maintained in O(1) per value.
//
// Sliding Welford: on eviction the mean and M2 are updated for the (old -> new) swap; to keep
// rounding drift bounded they are recomputed exactly (two passes) once every `capacity`
// evictions, which is O(1) amortised. NaN values are the caller's to filter (they would
// poison the sums). Memory: 8 * capacity bytes plus 48 for the object. Not thread-safe.
class RollingWindow {
 public:
  explicit RollingWindow(uint32_t capacity);

  void Push(double x);
  void Clear();

  uint32_t capacity() const { return capacity_; }
  uint32_t size() const { return size_; }
  bool full() const { return size_ == capacity_; }
  // i = 0 is the oldest value, size() - 1 the newest.
  double operator[](uint32_t i) const;
  double mean() const;      // NaN when empty
  double variance() const;  // sample variance (n - 1); NaN when size < 2
  double stddev() const;
  size_t StateBytes() const { return sizeof(*this) + sizeof(double) * capacity_; }

  template <typename Writer>
  void Save(Writer& w) const {
    w.U32(capacity_);
    w.U32(size_);
    w.U32(head_);
    w.U32(since_recompute_);
    w.F64(mean_);
    w.F64(m2_);
    w.Bytes(values_.get(), sizeof(double) * size_);
  }
  // DataLoss on truncation, InvalidArgument when the capacity differs from this instance's.
  template <typename Reader>
  Status Load(Reader& r) {
    uint32_t capacity = 0;
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&capacity));
    if (capacity != capacity_) return Status::InvalidArgument("rolling window capacity differs");
    uint32_t size = 0;
    uint32_t head = 0;
    uint32_t since = 0;
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&size));
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&head));
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&since));
    if (size > capacity_ || head >= capacity_ || since > capacity_) {
      return Status::DataLoss("rolling window state is inconsistent");
    }
    INFERSCOPE_RETURN_IF_ERROR(r.F64(&mean_));
    INFERSCOPE_RETURN_IF_ERROR(r.F64(&m2_));
    INFERSCOPE_RETURN_IF_ERROR(r.Bytes(values_.get(), sizeof(double) * size));
    size_ = size;
    head_ = head;
    since_recompute_ = since;
    return Status::Ok();
  }

 private:
  void Recompute();

  uint32_t capacity_;
  uint32_t size_ = 0;
  uint32_t head_ = 0;  // next slot to write (the oldest value once full)
  uint32_t since_recompute_ = 0;
  double mean_ = 0;
  double m2_ = 0;
  std::unique_ptr<double[]> values_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_STATS_ROLLING_WINDOW_H_
