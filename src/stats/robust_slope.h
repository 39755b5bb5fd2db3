#ifndef INFERSCOPE_STATS_ROBUST_SLOPE_H_
#define INFERSCOPE_STATS_ROBUST_SLOPE_H_

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/status.h"

namespace inferscope {

// Robust linear trend of the last blocks * block_size values of a stream: Theil-Sen over a
// decimated window.
//
// Values are averaged in blocks of block_size (decimation); the last `blocks` block means
// (at most kMaxBlocks) are kept in a ring. Each time a block completes, the slope is the
// median of the pairwise slopes between block means (Theil-Sen, breakdown point 29%: a few
// spiky blocks do not tilt it) and the intercept is the median of mean_i - slope * t_i.
// Slope is in value units per point (not per second: gaps are not stretched).
// Cost: O(1) per value plus O(blocks^2) once per block, i.e. O(blocks^2 / block_size)
// amortised (16 blocks of 45: ~3 flops per value). Scratch for the pairwise slopes is a
// thread-local array, so there is no allocation at all. NaN values are ignored.
// Memory: the object, 8 * kMaxBlocks + 48 bytes. Not thread-safe.
class RobustSlope {
 public:
  static constexpr uint32_t kMaxBlocks = 32;

  // blocks in [3, kMaxBlocks], block_size >= 1.
  RobustSlope(uint32_t blocks, uint32_t block_size);

  void Add(double x);
  void Clear();

  // True once `blocks` blocks are complete (blocks * block_size values).
  bool ready() const { return filled_ == blocks_; }
  uint32_t blocks() const { return blocks_; }
  uint32_t block_size() const { return block_size_; }
  // Number of points spanned between the centres of the oldest and the newest block.
  double span_points() const;
  // Theil-Sen slope per point; NaN until two blocks are complete.
  double slope() const { return slope_; }
  // The fitted line at the centre of the oldest / newest complete block; NaN until two
  // blocks are complete.
  double fitted_oldest() const { return fitted_oldest_; }
  double fitted_newest() const { return fitted_newest_; }
  size_t StateBytes() const { return sizeof(*this); }

  template <typename Writer>
  void Save(Writer& w) const {
    w.U32(blocks_);
    w.U32(block_size_);
    w.U32(filled_);
    w.U32(head_);
    w.U32(in_block_);
    w.F64(block_sum_);
    w.F64(slope_);
    w.F64(fitted_oldest_);
    w.F64(fitted_newest_);
    w.Bytes(means_.data(), sizeof(double) * filled_);
  }
  template <typename Reader>
  Status Load(Reader& r) {
    uint32_t blocks = 0;
    uint32_t block_size = 0;
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&blocks));
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&block_size));
    if (blocks != blocks_ || block_size != block_size_) {
      return Status::InvalidArgument("robust slope configuration differs");
    }
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&filled_));
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&head_));
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&in_block_));
    if (filled_ > blocks_ || head_ >= blocks_ || in_block_ >= block_size_) {
      Clear();
      return Status::DataLoss("robust slope state is inconsistent");
    }
    INFERSCOPE_RETURN_IF_ERROR(r.F64(&block_sum_));
    INFERSCOPE_RETURN_IF_ERROR(r.F64(&slope_));
    INFERSCOPE_RETURN_IF_ERROR(r.F64(&fitted_oldest_));
    INFERSCOPE_RETURN_IF_ERROR(r.F64(&fitted_newest_));
    return r.Bytes(means_.data(), sizeof(double) * filled_);
  }

 private:
  void Refit();
  // i = 0 is the oldest complete block.
  double block(uint32_t i) const;

  uint32_t blocks_;
  uint32_t block_size_;
  uint32_t filled_ = 0;
  uint32_t head_ = 0;  // next ring slot (the oldest block once full)
  uint32_t in_block_ = 0;
  double block_sum_ = 0;
  double slope_;
  double fitted_oldest_;
  double fitted_newest_;
  std::array<double, kMaxBlocks> means_{};
};

}  // namespace inferscope

#endif  // INFERSCOPE_STATS_ROBUST_SLOPE_H_
