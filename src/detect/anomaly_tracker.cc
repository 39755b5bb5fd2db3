#include "detect/anomaly_tracker.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>

namespace inferscope {
namespace {

// Size of a deviation as a ratio: max/min - 1 for positive values (so a drop to 15% and a
// rise to 6.7x weigh the same), |obs - exp| / |exp| otherwise.
double RelativeDeviation(double observed, double expected) {
  if (!std::isfinite(observed) || !std::isfinite(expected)) return 0;
  if (observed >= 0 && expected > 0) {
    double hi = std::max(observed, expected), lo = std::min(observed, expected);
    return lo > 0 ? hi / lo - 1 : 1e9;
  }
  double denom = std::fabs(expected);
  return denom > 0 ? std::fabs(observed - expected) / denom : (observed == expected ? 0 : 1e9);
}

}  // namespace

std::string_view AnomalyStateName(AnomalyState state) {
  switch (state) {
    case AnomalyState::kPending:
      return "pending";
    case AnomalyState::kFiring:
      return "firing";
    case AnomalyState::kResolved:
      return "resolved";
  }
  return "unknown";
}

std::string MakeAnomalyId(const std::string& model, const std::string& metric, AnomalyKind kind,
                          TimestampNs start_ns) {
  // FNV-1a over the identity: stable across runs and platforms.
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= 0xff;
    h *= 1099511628211ULL;
  };
  mix(model);
  mix(metric);
  mix(AnomalyKindName(kind));
  mix(fmt::format("{}", start_ns));
  return fmt::format("a-{:016x}", h);
}

Severity AnomalyTracker::SeverityFor(double r, int64_t duration_ns, double score) {
  const bool long_lived = duration_ns >= 30 * kNanosPerMinute;
  if (r >= 4.0 || (r >= 2.0 && duration_ns >= 10 * kNanosPerMinute)) return Severity::kCritical;
  if (r >= 1.0 || (r >= 0.5 && long_lived)) return Severity::kHigh;
  if (r >= 0.3 || long_lived || score >= 0.9) return Severity::kMedium;
  return Severity::kLow;
}

void AnomalyTracker::UpdateSeverity(Track& t) {
  Anomaly& a = t.anomaly;
  TimestampNs end = a.state == AnomalyState::kResolved ? a.end_ns : a.last_seen_ns;
  a.severity = SeverityFor(t.peak_deviation, end - a.start_ns, a.score);
}

void AnomalyTracker::Resolve(Track& t, TimestampNs end) {
  t.open = false;
  t.anomaly.state = AnomalyState::kResolved;
  t.anomaly.end_ns = end;
  t.quiet_since = 0;
  UpdateSeverity(t);
}

bool AnomalyTracker::Observe(const std::string& model, const std::string& metric, AnomalyKind kind,
                             const std::string& detector, const Point& p) {
  Track& t = tracks_[Key(model, metric, kind)];
  const DetectorOutput& out = p.output;
  const bool bad = !out.learning && out.score >= options_.fire_threshold;
  bool changed = false;

  auto absorb = [&]() {
    Anomaly& a = t.anomaly;
    a.last_seen_ns = p.ts;
    ++a.points;
    a.affected_requests += p.requests;
    a.score = std::max(a.score, out.score);
    double dev = RelativeDeviation(p.value, out.expected);
    if (a.points == 1 || dev > t.peak_deviation) {
      t.peak_deviation = dev;
      a.peak_ns = p.ts;
      a.observed = p.value;
      a.expected = out.expected;
      a.lower = out.lower;
      a.upper = out.upper;
      a.direction = out.direction;
      a.detector = detector;
      a.details.assign(p.details);
    }
    t.quiet_since = 0;
  };

  if (!t.open) {
    if (!bad) return false;
    if (t.reported && p.ts - t.anomaly.end_ns <= options_.cooldown_ns) {
      // Flapping: the same incident comes back.
      t.open = true;
      t.anomaly.state = AnomalyState::kFiring;
      t.anomaly.end_ns = 0;
      absorb();
      UpdateSeverity(t);
      return true;
    }
    if (t.reported) closed_.push_back(t.anomaly);
    t = Track{};
    t.open = true;
    Anomaly& a = t.anomaly;
    a.kind = kind;
    a.model = model;
    a.metric = metric;
    a.detector = detector;
    a.state = AnomalyState::kPending;
    a.start_ns = p.ts;
    a.id = MakeAnomalyId(model, metric, kind, p.ts);
    absorb();
    if (options_.pending_for_ns <= 0) {
      a.state = AnomalyState::kFiring;
      a.fired_ns = p.ts;
      t.reported = true;
      changed = true;
    }
    UpdateSeverity(t);
    return changed;
  }

  if (bad) {
    absorb();
    if (t.anomaly.state == AnomalyState::kPending &&
        p.ts - t.anomaly.start_ns >= options_.pending_for_ns) {
      t.anomaly.state = AnomalyState::kFiring;
      t.anomaly.fired_ns = p.ts;
      t.reported = true;
      changed = true;
    }
    UpdateSeverity(t);
    return changed;
  }

  if (t.anomaly.state == AnomalyState::kPending) {
    // Like Prometheus' `for:`, a pending alert that recovers is forgotten; a score still
    // between the two thresholds keeps it pending (hysteresis, as while firing), so a
    // sustained shift whose score wobbles around the threshold is not lost.
    if (out.learning || out.score < options_.resolve_threshold) t = Track{};
    return false;
  }
  if (out.score < options_.resolve_threshold || out.learning) {
    if (t.quiet_since == 0) t.quiet_since = p.ts;
    if (p.ts - t.quiet_since >= options_.resolve_after_ns) {
      Resolve(t, t.anomaly.last_seen_ns);
      return true;
    }
  } else {
    t.quiet_since = 0;  // between the thresholds: still firing (hysteresis)
  }
  return false;
}

void AnomalyTracker::AdvanceTo(TimestampNs now) {
  for (auto& [key, t] : tracks_) {
    if (!t.open) continue;
    if (t.anomaly.state == AnomalyState::kPending) {
      if (now - t.anomaly.last_seen_ns >= options_.resolve_after_ns) t = Track{};
      continue;
    }
    if (now - t.anomaly.last_seen_ns >= options_.resolve_after_ns) {
      Resolve(t, t.anomaly.last_seen_ns);
    }
  }
}

std::vector<Anomaly> AnomalyTracker::Incidents() const {
  std::vector<Anomaly> out = closed_;
  for (const auto& [key, t] : tracks_) {
    if (t.reported) out.push_back(t.anomaly);
  }
  std::sort(out.begin(), out.end(), [](const Anomaly& a, const Anomaly& b) {
    return std::tie(a.start_ns, a.model, a.metric) < std::tie(b.start_ns, b.model, b.metric);
  });
  return out;
}

}  // namespace inferscope
