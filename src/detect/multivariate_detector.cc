#include "detect/multivariate_detector.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "detect/detector_common.h"

namespace inferscope {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr uint32_t kTag = StateTag("mvf1");
constexpr uint8_t kVersion = 1;
constexpr size_t kDims = kMultivariateFeatures;

constexpr std::string_view kNames[kMultivariateFeatures] = {
    "latency_p95_ms", "error_rate",       "gpu_util",
    "queue_depth",    "batch_fill_ratio", "tokens_per_request"};

// Smallest robust scale per feature, in its unit: a flat feature (error rate 0 all day, a
// constant batch fill) would otherwise make any change infinitely many sigmas.
constexpr double kScaleFloor[kMultivariateFeatures] = {1.0, 0.005, 1.0, 0.25, 0.01, 1.0};
// ... and as a fraction of the feature's median.
constexpr double kRelativeScaleFloor = 0.02;

double Median(std::vector<double>& v) {
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<long>(mid), v.end());
  double m = v[mid];
  if (v.size() % 2 == 0) {
    m = 0.5 * (m + *std::max_element(v.begin(), v.begin() + static_cast<long>(mid)));
  }
  return m;
}

}  // namespace

std::string_view MultivariateFeatureName(int feature) {
  return feature >= 0 && feature < kMultivariateFeatures ? kNames[feature] : "unknown";
}

FeatureVector MultivariateFeatures(const BucketStats& b) {
  FeatureVector f;
  f.fill(kNaN);
  if (b.requests == 0) return f;
  if (b.latency_ms.count() > 0) f[0] = b.latency_ms.Quantile(0.95);
  f[1] = static_cast<double>(b.errors) / static_cast<double>(b.requests);
  f[2] = b.Mean(EventField::kGpuUtil);
  f[3] = b.Mean(EventField::kQueueDepth);
  f[4] = b.Mean(EventField::kBatchFillRatio);
  const double in = b.Mean(EventField::kInputTokens), out = b.Mean(EventField::kOutputTokens);
  if (!std::isnan(in) || !std::isnan(out)) {
    f[5] = (std::isnan(in) ? 0 : in) + (std::isnan(out) ? 0 : out);
  }
  return f;
}

Status MultivariateOptions::Validate() const {
  if (window < 16 || window > 100000) {
    return Status::InvalidArgument("multivariate: window in 16..100000");
  }
  if (min_train < 16 || min_train > window) {
    return Status::InvalidArgument("multivariate: min_train in 16..window");
  }
  if (retrain_every < 1 || retrain_every > window) {
    return Status::InvalidArgument("multivariate: retrain_every in 1..window");
  }
  if (!(threshold > 0.5 && threshold < 1)) {
    return Status::InvalidArgument("multivariate: threshold in (0.5, 1)");
  }
  if (!(min_feature_z >= 0) || !std::isfinite(min_feature_z)) {
    return Status::InvalidArgument("multivariate: min_feature_z >= 0");
  }
  IsolationForestOptions f;
  f.trees = static_cast<int>(std::min<uint32_t>(trees, 1u << 30));
  f.sample_size = static_cast<int>(std::min<uint32_t>(sample_size, 1u << 30));
  return f.Validate().WithContext("multivariate");
}

Result<MultivariateOptions> ParseMultivariateSpec(std::string_view spec) {
  MultivariateOptions o;
  size_t i = 0;
  bool first = true;
  while (i < spec.size()) {
    while (i < spec.size() && (spec[i] == ' ' || spec[i] == '\t')) ++i;
    const size_t start = i;
    while (i < spec.size() && spec[i] != ' ' && spec[i] != '\t') ++i;
    if (i == start) break;
    std::string_view word = spec.substr(start, i - start);
    const bool is_first = first;
    first = false;
    const size_t eq = word.find('=');
    if (eq == std::string_view::npos) {
      if (is_first && word == "isolation_forest") continue;
      return Status::InvalidArgument(
          fmt::format("multivariate: '{}' is not key=value (or the name isolation_forest)", word));
    }
    std::string_view key = word.substr(0, eq), value = word.substr(eq + 1);
    const char* end = value.data() + value.size();
    auto count = [&](auto* out) -> Status {
      auto [ptr, ec] = std::from_chars(value.data(), end, *out);
      if (ec != std::errc() || ptr != end) {
        return Status::InvalidArgument(
            fmt::format("multivariate: option {}: '{}' is not a count", key, value));
      }
      return Status::Ok();
    };
    auto number = [&](double* out) -> Status {
      auto [ptr, ec] = std::from_chars(value.data(), end, *out);
      if (ec != std::errc() || ptr != end || std::isnan(*out)) {
        return Status::InvalidArgument(
            fmt::format("multivariate: option {}: '{}' is not a number", key, value));
      }
      return Status::Ok();
    };
    if (key == "window") {
      INFERSCOPE_RETURN_IF_ERROR(count(&o.window));
    } else if (key == "min_train") {
      INFERSCOPE_RETURN_IF_ERROR(count(&o.min_train));
    } else if (key == "retrain_every") {
      INFERSCOPE_RETURN_IF_ERROR(count(&o.retrain_every));
    } else if (key == "trees") {
      INFERSCOPE_RETURN_IF_ERROR(count(&o.trees));
    } else if (key == "sample_size") {
      INFERSCOPE_RETURN_IF_ERROR(count(&o.sample_size));
    } else if (key == "seed") {
      INFERSCOPE_RETURN_IF_ERROR(count(&o.seed));
    } else if (key == "threshold") {
      INFERSCOPE_RETURN_IF_ERROR(number(&o.threshold));
    } else if (key == "min_feature_z") {
      INFERSCOPE_RETURN_IF_ERROR(number(&o.min_feature_z));
    } else {
      return Status::InvalidArgument(fmt::format("multivariate: unknown option '{}'", key));
    }
  }
  INFERSCOPE_RETURN_IF_ERROR(o.Validate());
  return o;
}

MultivariateDetector::MultivariateDetector(MultivariateOptions options)
    : options_(options), ring_(capacity() * kDims, kNaN) {
  Reset();
}

void MultivariateDetector::Reset() {
  std::fill(ring_.begin(), ring_.end(), kNaN);
  head_ = count_ = 0;
  seen_ = fits_ = 0;
  since_fit_ = 0;
  forest_ = IsolationForest();
  median_.fill(0);
  scale_.fill(1);
  active_.fill(false);
  expected_ = 0;
  last_isolation_ = kNaN;
  last_z_.fill(kNaN);
  details_.clear();
}

const double* MultivariateDetector::Row(size_t i) const {
  const size_t slot = (head_ + capacity() - count_ + i) % capacity();
  return ring_.data() + slot * kDims;
}

void MultivariateDetector::Fit(size_t skip_newest) {
  const size_t avail = count_ - skip_newest;
  const size_t n = std::min<size_t>(options_.window, avail);
  const size_t first = avail - n;
  // Robust standardisation from the training rows.
  std::vector<double> column;
  column.reserve(n);
  for (size_t d = 0; d < kDims; ++d) {
    column.clear();
    for (size_t i = 0; i < n; ++i) {
      const double v = Row(first + i)[d];
      if (!std::isnan(v)) column.push_back(v);
    }
    active_[d] = column.size() >= 8 && 2 * column.size() >= n;
    if (!active_[d]) {
      median_[d] = 0;
      scale_[d] = 1;
      continue;
    }
    const double med = Median(column);
    for (double& v : column) v = std::fabs(v - med);
    const double mad = Median(column);
    median_[d] = med;
    scale_[d] = std::max({1.4826 * mad, kScaleFloor[d], kRelativeScaleFloor * std::fabs(med)});
  }
  scratch_.assign(n * kDims, 0.0);
  for (size_t i = 0; i < n; ++i) {
    const double* row = Row(first + i);
    for (size_t d = 0; d < kDims; ++d) {
      const double v = row[d];
      // Missing values of a feature the model reports are imputed at its median.
      scratch_[i * kDims + d] = active_[d] && !std::isnan(v) ? (v - median_[d]) / scale_[d] : 0;
    }
  }
  IsolationForestOptions fo;
  fo.trees = static_cast<int>(options_.trees);
  fo.sample_size = static_cast<int>(options_.sample_size);
  fo.seed = options_.seed + fits_;
  fo.range_aware = true;
  forest_ = IsolationForest(fo);
  // Cannot fail: n >= min_train >= 16 rows without NaN, options validated.
  (void)forest_.Fit(scratch_, static_cast<int>(kDims));
  // expected = median isolation score of (up to 128 evenly spaced) training rows: scoring
  // all of them would cost more than the fit itself.
  const size_t stride = (n + 127) / 128;
  std::vector<double> scores;
  scores.reserve(n / stride + 1);
  for (size_t i = 0; i < n; i += stride) {
    scores.push_back(forest_.Score(std::span<const double>(scratch_.data() + i * kDims, kDims)));
  }
  expected_ = Median(scores);
  ++fits_;
  since_fit_ = 0;
}

DetectorOutput MultivariateDetector::Update(TimestampNs /*ts*/,
                                            std::span<const double, kMultivariateFeatures> x) {
  last_isolation_ = kNaN;
  last_z_.fill(kNaN);
  details_.clear();
  bool any = false;
  for (double v : x) any |= !std::isnan(v);
  if (!any) return QuietOutput(learning());

  DetectorOutput out = QuietOutput(learning());
  if (!learning()) {
    double row[kDims];
    double max_z = 0;
    for (size_t d = 0; d < kDims; ++d) {
      if (!active_[d]) {
        row[d] = 0;
        continue;
      }
      row[d] = (x[d] - median_[d]) / scale_[d];  // NaN stays NaN: both branches
      last_z_[d] = row[d];
      if (!std::isnan(row[d])) max_z = std::max(max_z, std::fabs(row[d]));
    }
    const double s = forest_.Score(std::span<const double>(row, kDims));
    last_isolation_ = s;
    const double ratio = std::max(0.0, s - 0.5) / (options_.threshold - 0.5);
    double score = ScoreFromRatio(ratio);
    if (options_.min_feature_z > 0 && max_z < options_.min_feature_z) score = 0;
    out.learning = false;
    out.score = score;
    out.expected = expected_;
    out.lower = 0;
    out.upper = options_.threshold;
    out.direction = score > 0 ? Direction::kAbove : Direction::kBoth;
    if (score > 0) {
      // The features that moved most, largest first.
      const double cut = std::max(2.0, options_.min_feature_z / 2);
      int order[kMultivariateFeatures];
      for (int d = 0; d < kMultivariateFeatures; ++d) order[d] = d;
      std::stable_sort(order, order + kMultivariateFeatures, [&](int a, int b) {
        const double za = std::isnan(row[a]) ? 0 : std::fabs(row[a]);
        const double zb = std::isnan(row[b]) ? 0 : std::fabs(row[b]);
        return za > zb;
      });
      for (int k = 0, listed = 0; k < kMultivariateFeatures && listed < 3; ++k) {
        const int d = order[k];
        if (std::isnan(row[d]) || std::fabs(row[d]) < cut) break;
        if (listed++ > 0) details_ += ", ";
        details_ += fmt::format("{} z={:+.1f} ({:.4g} vs median {:.4g})", kNames[d], row[d], x[d],
                                median_[d]);
      }
    }
  }

  // The row joins the training ring.
  double* slot = ring_.data() + head_ * kDims;
  std::copy(x.begin(), x.end(), slot);
  head_ = (head_ + 1) % capacity();
  count_ = std::min(count_ + 1, capacity());
  ++seen_;
  if (learning()) {
    if (seen_ >= options_.min_train) Fit(0);
  } else if (++since_fit_ >= options_.retrain_every) {
    Fit(0);
  }
  return out;
}

size_t MultivariateDetector::StateBytes() const {
  return sizeof(*this) + ring_.capacity() * sizeof(double) + forest_.NodeBytes() +
         scratch_.capacity() * sizeof(double);
}

void MultivariateDetector::Save(StateWriter& w) const {
  WriteStateHeader(w, kTag, kVersion);
  w.U32(options_.window);
  w.U32(options_.retrain_every);
  w.U32(options_.trees);
  w.U32(options_.sample_size);
  w.U64(options_.seed);
  w.U64(seen_);
  w.U64(fits_);
  w.U32(since_fit_);
  w.U32(static_cast<uint32_t>(count_));
  for (size_t i = 0; i < count_; ++i) {
    const double* row = Row(i);
    for (size_t d = 0; d < kDims; ++d) w.F64(row[d]);
  }
}

Status MultivariateDetector::Load(StateReader& r) {
  Reset();
  Status st = [&]() -> Status {
    INFERSCOPE_RETURN_IF_ERROR(ReadStateHeader(r, kTag, kVersion));
    uint32_t window = 0, retrain = 0, trees = 0, sample = 0, since = 0, count = 0;
    uint64_t seed = 0, seen = 0, fits = 0;
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&window));
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&retrain));
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&trees));
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&sample));
    INFERSCOPE_RETURN_IF_ERROR(r.U64(&seed));
    if (window != options_.window || retrain != options_.retrain_every || trees != options_.trees ||
        sample != options_.sample_size || seed != options_.seed) {
      return Status::InvalidArgument(
          "multivariate state was written with another window, retrain_every, trees, "
          "sample_size or seed");
    }
    INFERSCOPE_RETURN_IF_ERROR(r.U64(&seen));
    INFERSCOPE_RETURN_IF_ERROR(r.U64(&fits));
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&since));
    INFERSCOPE_RETURN_IF_ERROR(r.U32(&count));
    if (count != std::min<uint64_t>(seen, capacity()) || since >= retrain ||
        (fits == 0 && since != 0) || (fits > 0 && count - since < 16)) {
      return Status::InvalidArgument("multivariate state is inconsistent");
    }
    if (static_cast<uint64_t>(count) * kDims * 8 > r.remaining()) {
      return Status::DataLoss("multivariate state is truncated");
    }
    for (size_t i = 0; i < count; ++i) {
      for (size_t d = 0; d < kDims; ++d) {
        INFERSCOPE_RETURN_IF_ERROR(r.F64(&ring_[i * kDims + d]));
      }
    }
    count_ = count;
    head_ = count % capacity();
    seen_ = seen;
    if (fits > 0) {
      // Refit exactly as the saved instance did: same rows, same seed.
      fits_ = fits - 1;
      Fit(since);
      since_fit_ = since;
    }
    return Status::Ok();
  }();
  if (!st.ok()) Reset();
  return st;
}

std::unique_ptr<MultivariateDetector> MultivariateDetector::CloneEmpty() const {
  return std::make_unique<MultivariateDetector>(options_);
}

}  // namespace inferscope
