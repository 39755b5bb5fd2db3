#include "detect/ensemble_detector.h"

#include <cmath>

#include "detect/detector_common.h"
#include "detect/detector_factory.h"

namespace inferscope {
namespace {
constexpr uint32_t kTag = StateTag("ens1");
constexpr uint8_t kVersion = 1;
}  // namespace

EnsembleDetector::EnsembleDetector(std::vector<std::unique_ptr<SeriesDetector>> members,
                                   EnsembleOptions options)
    : members_(std::move(members)), options_(options) {}

Result<std::unique_ptr<EnsembleDetector>> EnsembleDetector::FromSpecs(
    const std::vector<std::string>& specs, EnsembleOptions options) {
  if (specs.empty()) return Status::InvalidArgument("an ensemble needs at least one detector");
  std::vector<std::unique_ptr<SeriesDetector>> members;
  for (const auto& spec : specs) {
    INFERSCOPE_ASSIGN_OR_RETURN(auto d, ParseDetectorSpec(spec));
    members.push_back(std::move(d));
  }
  return std::make_unique<EnsembleDetector>(std::move(members), options);
}

DetectorOutput EnsembleDetector::Update(TimestampNs ts, double value) {
  DetectorOutput out;
  bool all_learning = true;
  bool have_expected = false;
  double best = 0;
  Direction best_side = Direction::kBoth;
  last_winner_ = {};
  for (auto& m : members_) {
    DetectorOutput o = m->Update(ts, value);
    all_learning &= o.learning;
    if (!have_expected && !o.learning && !std::isnan(o.expected)) {
      out.expected = o.expected;
      out.lower = o.lower;
      out.upper = o.upper;
      have_expected = true;
    }
    if (o.learning || o.score <= best) continue;
    if (options_.direction != Direction::kBoth && o.direction != options_.direction) continue;
    best = o.score;
    best_side = o.direction;
    last_winner_ = m->name();
  }
  out.learning = all_learning;
  if (std::isnan(value) || all_learning || best == 0) return out;
  if (have_expected) {
    // The value itself must sit on the watched side of what was expected: a trend detector
    // may still see "a rise over the window" while the series is already back below it.
    if ((options_.direction == Direction::kAbove && value <= out.expected) ||
        (options_.direction == Direction::kBelow && value >= out.expected)) {
      last_winner_ = {};
      return out;
    }
    const double dev = std::fabs(value - out.expected);
    if (dev < options_.min_abs_deviation ||
        dev < options_.min_rel_deviation * std::fabs(out.expected)) {
      last_winner_ = {};
      return out;
    }
  }
  out.score = best;
  out.direction = best_side;
  return out;
}

size_t EnsembleDetector::StateBytes() const {
  size_t n = sizeof(*this) + members_.capacity() * sizeof(members_[0]);
  for (const auto& m : members_) n += m->StateBytes();
  return n;
}

void EnsembleDetector::Save(StateWriter& out) const {
  WriteStateHeader(out, kTag, kVersion);
  out.U32(static_cast<uint32_t>(members_.size()));
  for (const auto& m : members_) m->Save(out);
}

Status EnsembleDetector::Load(StateReader& in) {
  INFERSCOPE_RETURN_IF_ERROR(ReadStateHeader(in, kTag, kVersion));
  uint32_t n = 0;
  INFERSCOPE_RETURN_IF_ERROR(in.U32(&n));
  if (n != members_.size()) return Status::InvalidArgument("ensemble state has other members");
  for (auto& m : members_) INFERSCOPE_RETURN_IF_ERROR(m->Load(in));
  return Status::Ok();
}

std::unique_ptr<SeriesDetector> EnsembleDetector::CloneEmpty() const {
  std::vector<std::unique_ptr<SeriesDetector>> members;
  for (const auto& m : members_) members.push_back(m->CloneEmpty());
  return std::make_unique<EnsembleDetector>(std::move(members), options_);
}

}  // namespace inferscope
