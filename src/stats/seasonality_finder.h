#ifndef INFERSCOPE_STATS_SEASONALITY_FINDER_H_
#define INFERSCOPE_STATS_SEASONALITY_FINDER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "core/clock.h"
#include "core/status.h"

namespace inferscope {

// Finds which of a few candidate periods (e.g. 1 day, 1 week) a stream repeats with, or
// none, from the autocorrelation of a decimated history.
//
// Values are averaged into time bins of bin_ns (default use: 1 hour); the last history_bins
// bin means are kept as floats (a skipped bin is NaN). Each time a bin completes, for each
// candidate period L (in bins) with at least 2 * L bins of history it computes the sample
// autocorrelation r(L) and r(L / 2). A candidate passes when r(L) >= min_acf and
// r(L) - r(L / 2) >= min_acf: a real cycle is out of phase at half its period, whereas a
// trend or a slow wander correlates at every lag and fails the second test. Among passing
// candidates the shortest whose r(L) is within 0.1 of the best wins (a daily cycle also
// repeats weekly). Cost: O(candidates * history_bins) per completed bin, nothing per value.
// NaN values are ignored. Memory: 4 * history_bins bytes plus the object. Not thread-safe.
class SeasonalityFinder {
 public:
  static constexpr size_t kMaxCandidates = 4;

  // candidate_periods in bins, each >= 2, at most kMaxCandidates (extra ones are ignored);
  // history_bins >= 2 * the largest for it to ever be picked.
  SeasonalityFinder(int64_t bin_ns, uint32_t history_bins,
                    std::span<const uint32_t> candidate_periods, double min_acf);

  // Returns true when this value completed a bin (the decision may have changed).
  bool Add(TimestampNs ts, double x);

  // The chosen period in bins, 0 for none.
  uint32_t period_bins() const { return period_; }
  double period_acf() const { return period_acf_; }
  int64_t bin_ns() const { return bin_ns_; }
  // Mean of the stored bin means whose absolute bin index (ts / bin_ns) is congruent to
  // phase modulo period; NaN when there is none.
  double PhaseMean(uint32_t phase, uint32_t period) const;
  // Average number of values per completed, non-empty bin; 0 before one.
  double points_per_bin() const;
  // Sample autocorrelation of the stored bins at a lag; NaN without enough pairs.
  double Autocorrelation(uint32_t lag) const;
  size_t StateBytes() const { return sizeof(*this) + sizeof(float) * history_bins_; }

  template <typename Writer>
  void Save(Writer& w) const {
    w.U32(history_bins_);
    w.I64(bin_ns_);
    w.U32(stored_);
    w.U32(head_);
    w.I64(current_bin_);
    w.U8(has_current_ ? 1 : 0);
    w.F64(bin_sum_);
    w.U64(bin_count_);
    w.U64(points_in_bins_);
    w.U64(nonempty_bins_);
    w.U32(period_);
    w.F64(period_acf_);
    w.Bytes(history_.get(), sizeof(float) * stored_);
  }
  template <typename Reader>
  Status Load(Reader& r) {
    uint32_t history_bins = 0;
    int64_t bin_ns = 0;
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&history_bins));
    INFERSCOPE_RETURN_IF_ERROR(r.I64(&bin_ns));
    if (history_bins != history_bins_ || bin_ns != bin_ns_) {
      return Status::InvalidArgument("seasonality finder configuration differs");
    }
    uint8_t has_current = 0;
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&stored_));
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&head_));
    INFERSCOPE_RETURN_IF_ERROR(r.I64(&current_bin_));
    INFERSCOPE_RETURN_IF_ERROR(r.U8(&has_current));
    has_current_ = has_current != 0;
    INFERSCOPE_RETURN_IF_ERROR(r.F64(&bin_sum_));
    INFERSCOPE_RETURN_IF_ERROR(r.U64(&bin_count_));
    INFERSCOPE_RETURN_IF_ERROR(r.U64(&points_in_bins_));
    INFERSCOPE_RETURN_IF_ERROR(r.U64(&nonempty_bins_));
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&period_));
    INFERSCOPE_RETURN_IF_ERROR(r.F64(&period_acf_));
    if (stored_ > history_bins_ || head_ >= history_bins_) {
      stored_ = head_ = 0;
      return Status::DataLoss("seasonality finder state is inconsistent");
    }
    const uint32_t stored = stored_;
    stored_ = 0;
    INFERSCOPE_RETURN_IF_ERROR(r.Bytes(history_.get(), sizeof(float) * stored));
    stored_ = stored;
    return Status::Ok();
  }

 private:
  void PushBin(float mean);
  void Decide();
  // i = 0 is the oldest stored bin.
  float bin(uint32_t i) const;

  int64_t bin_ns_;
  uint32_t history_bins_;
  double min_acf_;
  std::array<uint32_t, kMaxCandidates> candidates_{};
  uint32_t num_candidates_ = 0;
  uint32_t stored_ = 0;
  uint32_t head_ = 0;
  int64_t current_bin_ = 0;  // absolute index of the bin being filled
  bool has_current_ = false;
  double bin_sum_ = 0;
  uint64_t bin_count_ = 0;
  uint64_t points_in_bins_ = 0;
  uint64_t nonempty_bins_ = 0;
  uint32_t period_ = 0;
  double period_acf_ = 0;
  std::unique_ptr<float[]> history_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_STATS_SEASONALITY_FINDER_H_
