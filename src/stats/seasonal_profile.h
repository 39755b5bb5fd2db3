#ifndef INFERSCOPE_STATS_SEASONAL_PROFILE_H_
#define INFERSCOPE_STATS_SEASONAL_PROFILE_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/clock.h"
#include "core/status.h"

namespace inferscope {

// A seasonal profile: the period (e.g. a day or a week) is cut into equal buckets (hours:
// 24 for hour-of-day, 168 for hour-of-week), each holding an exponentially weighted mean and
// variance as floats.
//
// The expected value at a time is linearly interpolated between the centres of the two
// nearest buckets (so a smooth daily curve is not a staircase), and Update is the matching
// least-mean-squares step: both buckets move towards the value in proportion to their
// interpolation weight. Residuals are clipped to +-clip_sigmas * sigma before they update the
// profile (Huber), so an incident bends the profile by a bounded amount per point.
// Bucket of a time: (ts mod period) / bucket_ns, with the epoch as phase origin.
//
// Memory: 10 bytes per bucket (max_buckets allocated once) plus the object. Not thread-safe.
class SeasonalProfile {
 public:
  struct Estimate {
    double mean;      // NaN when a needed bucket is empty
    double variance;  // NaN when a needed bucket is empty
  };

  explicit SeasonalProfile(uint32_t max_buckets);

  // Starts a new, empty profile of `buckets` (<= max_buckets) buckets of bucket_ns each;
  // buckets == 0 makes it inactive.
  void Reset(uint32_t buckets, int64_t bucket_ns);
  void Seed(uint32_t bucket, double mean, double variance);

  bool active() const { return buckets_ > 0; }
  uint32_t buckets() const { return buckets_; }
  int64_t bucket_ns() const { return bucket_ns_; }
  uint32_t BucketOf(TimestampNs ts) const;
  Estimate At(TimestampNs ts) const;
  // alpha in (0, 1]: the weight of a point on a bucket it falls on fully. Empty buckets are
  // initialised to (x, init_variance).
  void Update(TimestampNs ts, double x, double alpha, double clip_sigmas, double init_variance);

  size_t StateBytes() const { return sizeof(*this) + 10 * static_cast<size_t>(max_buckets_); }

  template <typename Writer>
  void Save(Writer& w) const {
    w.U32(buckets_);
    w.I64(bucket_ns_);
    w.Bytes(mean_.get(), sizeof(float) * buckets_);
    w.Bytes(var_.get(), sizeof(float) * buckets_);
    w.Bytes(count_.get(), sizeof(uint16_t) * buckets_);
  }
  template <typename Reader>
  Status Load(Reader& r) {
    uint32_t buckets = 0;
    int64_t bucket_ns = 0;
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&buckets));
    INFERSCOPE_RETURN_IF_ERROR(r.I64(&bucket_ns));
    if (buckets > max_buckets_ || (buckets > 0 && bucket_ns <= 0)) {
      return Status::DataLoss("seasonal profile state is inconsistent");
    }
    buckets_ = 0;
    INFERSCOPE_RETURN_IF_ERROR(r.Bytes(mean_.get(), sizeof(float) * buckets));
    INFERSCOPE_RETURN_IF_ERROR(r.Bytes(var_.get(), sizeof(float) * buckets));
    INFERSCOPE_RETURN_IF_ERROR(r.Bytes(count_.get(), sizeof(uint16_t) * buckets));
    buckets_ = buckets;
    bucket_ns_ = bucket_ns;
    return Status::Ok();
  }

 private:
  struct Pair {
    uint32_t b0;
    uint32_t b1;
    double w1;  // weight of b1; b0 gets 1 - w1
  };
  Pair Locate(TimestampNs ts) const;

  uint32_t max_buckets_;
  uint32_t buckets_ = 0;
  int64_t bucket_ns_ = 0;
  std::unique_ptr<float[]> mean_;
  std::unique_ptr<float[]> var_;
  std::unique_ptr<uint16_t[]> count_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_STATS_SEASONAL_PROFILE_H_
