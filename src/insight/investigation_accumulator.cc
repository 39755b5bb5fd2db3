#include "insight/investigation_accumulator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "insight/share_shift.h"

namespace inferscope {
namespace {

// Cost shares of fewer requests than this are too noisy to call a shift.
constexpr uint64_t kMinRequestsForCostShare = 30;

double Div(double a, double b) { return b > 0 ? a / b : kAbsent; }

double ChangePct(double base, double window) {
  if (!std::isfinite(base) || !std::isfinite(window)) return kAbsent;
  if (base == 0) return window == 0 ? 0 : kAbsent;
  return 100.0 * (window - base) / std::fabs(base);
}

std::string FormatValue(double v) {
  if (!std::isfinite(v)) return "n/a";
  if (std::fabs(v) >= 100) return fmt::format("{:.0f}", v);
  if (std::fabs(v) >= 1) return fmt::format("{:.2f}", v);
  return fmt::format("{:.3g}", v);
}

}  // namespace

InvestigationAccumulator::InvestigationAccumulator(TimestampNs from_ns, TimestampNs to_ns,
                                                   int64_t baseline_ns)
    : from_ns_(from_ns),
      to_ns_(to_ns),
      baseline_from_ns_(from_ns - (baseline_ns > 0 ? baseline_ns : to_ns - from_ns)) {}

void InvestigationAccumulator::AddDimension(Side& side, std::string_view dim,
                                            std::string_view value, const Event& e) {
  if (value.empty()) return;
  auto it = side.dims.find(dim);
  if (it == side.dims.end()) it = side.dims.emplace(std::string(dim), decltype(it->second){}).first;
  auto& slot = it->second[std::string(value)];
  ++slot.first;
  if (e.Has(EventField::kCostUsd)) slot.second += e.Get(EventField::kCostUsd);
}

void InvestigationAccumulator::Add(const Event& e) {
  Side* side;
  if (e.timestamp_ns >= from_ns_ && e.timestamp_ns < to_ns_) {
    side = &window_;
  } else if (e.timestamp_ns >= baseline_from_ns_ && e.timestamp_ns < from_ns_) {
    side = &baseline_;
  } else {
    return;
  }
  side->stats.Add(e);
  AddDimension(*side, "model", e.model, e);
  AddDimension(*side, "user", e.user, e);
  AddDimension(*side, "task_type", e.task_type, e);
  AddDimension(*side, "cache_tier", e.cache_tier, e);
  AddDimension(*side, "service", e.service, e);
}

void InvestigationAccumulator::Merge(const InvestigationAccumulator& other) {
  if (other.from_ns_ != from_ns_ || other.to_ns_ != to_ns_ ||
      other.baseline_from_ns_ != baseline_from_ns_) {
    return;
  }
  auto merge = [](Side& to, const Side& from) {
    to.stats.Merge(from.stats);
    for (const auto& [dim, values] : from.dims) {
      auto& into = to.dims[dim];
      for (const auto& [value, rc] : values) {
        auto& slot = into[value];
        slot.first += rc.first;
        slot.second += rc.second;
      }
    }
  };
  merge(window_, other.window_);
  merge(baseline_, other.baseline_);
}

Investigation InvestigationAccumulator::Finish(const std::string& model) const {
  Investigation inv;
  inv.present = true;
  inv.model = model;
  inv.from_ns = from_ns_;
  inv.to_ns = to_ns_;
  inv.baseline_from_ns = baseline_from_ns_;
  inv.baseline_to_ns = from_ns_;
  const double window_s = static_cast<double>(to_ns_ - from_ns_) / 1e9;
  const double base_s = static_cast<double>(from_ns_ - baseline_from_ns_) / 1e9;

  auto add = [&](const char* name, double base, double win) {
    inv.metrics.push_back({name, base, win, ChangePct(base, win)});
  };
  const BucketStats& b = baseline_.stats;
  const BucketStats& w = window_.stats;
  add("requests_per_s", Div(b.requests, base_s), Div(w.requests, window_s));
  // Little's law: mean requests in flight = arrival rate x mean latency.
  add("concurrency", Div(b.Sum(EventField::kLatencyMs) / 1000.0, base_s),
      Div(w.Sum(EventField::kLatencyMs) / 1000.0, window_s));
  add("latency_p50_ms", b.latency_ms.Quantile(0.5), w.latency_ms.Quantile(0.5));
  add("latency_p95_ms", b.latency_ms.Quantile(0.95), w.latency_ms.Quantile(0.95));
  add("error_rate", Div(b.errors, b.requests), Div(w.errors, w.requests));
  add("ttft_ms", b.Mean(EventField::kTtftMs), w.Mean(EventField::kTtftMs));
  add("ttft_p95_ms", b.ttft_ms.Quantile(0.95), w.ttft_ms.Quantile(0.95));
  add("batch_size", b.Mean(EventField::kBatchSize), w.Mean(EventField::kBatchSize));
  add("batch_fill_ratio", b.Mean(EventField::kBatchFillRatio), w.Mean(EventField::kBatchFillRatio));
  add("gpu_util", b.Mean(EventField::kGpuUtil), w.Mean(EventField::kGpuUtil));
  add("memory_used_gb", b.Mean(EventField::kMemoryUsedGb), w.Mean(EventField::kMemoryUsedGb));
  add("queue_depth", b.Mean(EventField::kQueueDepth), w.Mean(EventField::kQueueDepth));
  add("input_tokens", b.Mean(EventField::kInputTokens), w.Mean(EventField::kInputTokens));
  add("output_tokens", b.Mean(EventField::kOutputTokens), w.Mean(EventField::kOutputTokens));
  add("cache_hit_rate", b.Mean(EventField::kCacheHit), w.Mean(EventField::kCacheHit));
  add("cost_per_request", b.Mean(EventField::kCostUsd), w.Mean(EventField::kCostUsd));
  add("cost_usd_per_s", Div(b.Sum(EventField::kCostUsd), base_s),
      Div(w.Sum(EventField::kCostUsd), window_s));

  if (w.requests == 0) {
    inv.findings.push_back("No requests in the investigated window.");
    return inv;
  }
  if (b.requests == 0) {
    inv.findings.push_back("No requests in the baseline window before it; nothing to compare.");
    return inv;
  }

  // Metric movers: |change| >= 20%, largest first.
  std::vector<const InvestigationMetric*> movers;
  for (const auto& m : inv.metrics) {
    if (std::isfinite(m.change_pct) && std::fabs(m.change_pct) >= 20) movers.push_back(&m);
  }
  std::sort(movers.begin(), movers.end(),
            [](auto* a, auto* c) { return std::fabs(a->change_pct) > std::fabs(c->change_pct); });
  for (const auto* m : movers) {
    inv.findings.push_back(
        fmt::format("{} {} {:.0f}% ({} -> {})", m->name, m->change_pct > 0 ? "rose" : "fell",
                    std::fabs(m->change_pct), FormatValue(m->baseline), FormatValue(m->window)));
  }

  // Dimension shifts: a value whose share of requests (or of cost) grew by >= 10 points.
  std::vector<ShareShift> shifts;
  ShareShiftOptions options;
  options.min_requests_for_cost = kMinRequestsForCostShare;
  for (const auto& [dim, win_values] : window_.dims) {
    auto base_it = baseline_.dims.find(dim);
    ShareCounts win_counts, base_counts;
    double win_cost_total = 0, base_cost_total = 0;
    for (const auto& [v, rc] : win_values) {
      win_cost_total += rc.second;
      win_counts.emplace(v, ShareCount{rc.first, rc.second});
    }
    if (base_it != baseline_.dims.end()) {
      for (const auto& [v, rc] : base_it->second) {
        base_cost_total += rc.second;
        base_counts.emplace(v, ShareCount{rc.first, rc.second});
      }
    }
    FindShareShifts(dim, {&win_counts, w.requests, win_cost_total},
                    {&base_counts, b.requests, base_cost_total}, &shifts, options);
  }
  std::stable_sort(shifts.begin(), shifts.end(),
                   [](const ShareShift& a, const ShareShift& c) { return a.points > c.points; });
  for (ShareShift& s : shifts) inv.findings.push_back(std::move(s.text));
  if (inv.findings.empty()) {
    inv.findings.push_back("Nothing moved by 20% or more against the baseline.");
  }
  return inv;
}

}  // namespace inferscope
