#include "detect/cusum_detector.h"

#include <cmath>

#include "detect/detector_common.h"
#include "stats/robust_stats.h"

namespace inferscope {
namespace {
constexpr uint32_t kTag = StateTag("cus1");
constexpr uint8_t kVersion = 1;
}  // namespace

Status CusumOptions::Validate() const {
  if (window < 3 || window > 1024) {
    return Status::InvalidArgument("cusum: window must be in [3, 1024]");
  }
  if (!(k >= 0)) return Status::InvalidArgument("cusum: k must be >= 0");
  if (!(h > 0)) return Status::InvalidArgument("cusum: h must be > 0");
  if (!(min_abs_deviation >= 0)) {
    return Status::InvalidArgument("cusum: min_abs_deviation must be >= 0");
  }
  if (min_points < 3) return Status::InvalidArgument("cusum: min_points must be >= 3");
  return Status::Ok();
}

CusumDetector::CusumDetector(const CusumOptions& options)
    : options_(options), window_(options.window) {}

DetectorOutput CusumDetector::Update(TimestampNs /*ts*/, double value) {
  if (std::isnan(value)) return QuietOutput(seen_ < options_.min_points);
  DetectorOutput out = QuietOutput(true);
  if (seen_ >= options_.min_points) {
    const double median = window_.median();
    const double scale = kMadToSigma * window_.mad();
    const double sigma = FloorSigma(scale, median);
    // Cap z so one absurd value cannot keep a sum high for hundreds of points.
    const double z = std::fmax(-1e6, std::fmin(1e6, (value - median) / sigma));
    const double k = options_.k;
    s_hi_ += z - k;
    s_lo_ += -z - k;
    if (s_hi_ > 0) {
      ++n_hi_;
    } else {
      s_hi_ = 0;
      n_hi_ = 0;
    }
    if (s_lo_ > 0) {
      ++n_lo_;
    } else {
      s_lo_ = 0;
      n_lo_ = 0;
    }
    const Direction watch = options_.direction;
    const double hi = watch == Direction::kBelow ? 0 : s_hi_;
    const double lo = watch == Direction::kAbove ? 0 : s_lo_;
    const bool up = hi >= lo;
    const double s = up ? hi : lo;
    const uint32_t n = up ? n_hi_ : n_lo_;
    // Shift estimate: the allowance plus the mean excess since the sum left 0.
    const double shift = n == 0 ? 0 : (k + s / n) * scale;
    const double band = (k + options_.h) * scale;
    out = ScoreDeviation(up ? shift : -shift, s / options_.h, watch, options_.min_abs_deviation,
                         median, median - band, median + band);
    if (s_hi_ >= options_.h) {
      s_hi_ = options_.hold ? options_.h : 0;
      if (!options_.hold) n_hi_ = 0;
    }
    if (s_lo_ >= options_.h) {
      s_lo_ = options_.hold ? options_.h : 0;
      if (!options_.hold) n_lo_ = 0;
    }
  }
  window_.Push(value);
  ++seen_;
  return out;
}

size_t CusumDetector::StateBytes() const {
  return sizeof(*this) + (window_.StateBytes() - sizeof(window_));
}

void CusumDetector::Save(StateWriter& out) const {
  SaveCountedWindow(out, kTag, kVersion, seen_, window_);
  out.F64(s_hi_);
  out.F64(s_lo_);
  out.U32(n_hi_);
  out.U32(n_lo_);
}

Status CusumDetector::Load(StateReader& in) {
  Status st = LoadCountedWindow(in, kTag, kVersion, &seen_, &window_);
  if (st.ok()) st = in.F64(&s_hi_);
  if (st.ok()) st = in.F64(&s_lo_);
  if (st.ok()) st = in.U32(&n_hi_);
  if (st.ok()) st = in.U32(&n_lo_);
  if (!st.ok()) Clear();
  return st;
}

void CusumDetector::Clear() {
  seen_ = 0;
  window_.Clear();
  s_hi_ = s_lo_ = 0;
  n_hi_ = n_lo_ = 0;
}

std::unique_ptr<SeriesDetector> CusumDetector::CloneEmpty() const {
  return std::make_unique<CusumDetector>(options_);
}

}  // namespace inferscope
