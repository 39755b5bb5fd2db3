#include "insight/anomaly_explainer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "core/time_format.h"

namespace inferscope {
namespace {

struct Mover {
  std::string_view name;  // dimension, as in the log format
  double base;
  double window;
  double change_pct;  // signed
};

std::string FormatNumber(double v) {
  if (!std::isfinite(v)) return "n/a";
  double a = std::fabs(v);
  if (a >= 1000) return fmt::format("{:.0f}", v);
  if (a >= 10) return fmt::format("{:.1f}", v);
  if (a >= 0.1) return fmt::format("{:.2f}", v);
  return fmt::format("{:.3g}", v);
}

std::string MetricValue(std::string_view metric, double v) {
  if (!std::isfinite(v)) return "n/a";
  if (metric == "error_rate" || metric == "cache_hit_rate" || metric == "batch_fill_ratio") {
    return fmt::format("{:.1f}%", 100 * v);
  }
  if (metric == "gpu_util") return fmt::format("{:.0f}%", v);
  if (metric.ends_with("_ms")) return fmt::format("{} ms", FormatNumber(v));
  if (metric == "cost_usd") return fmt::format("${}", FormatNumber(v));
  if (metric == "requests") return fmt::format("{} requests/min", FormatNumber(v));
  return FormatNumber(v);
}

std::string_view MetricTitle(std::string_view metric) {
  if (metric == "latency_p95_ms") return "p95 latency";
  if (metric == "latency_p50_ms") return "median latency";
  if (metric == "ttft_p95_ms") return "p95 time to first token";
  if (metric == "ttft_ms") return "mean time to first token";
  if (metric == "error_rate") return "error rate";
  if (metric == "requests") return "traffic";
  if (metric == "gpu_util") return "GPU utilisation";
  if (metric == "batch_fill_ratio") return "batch fill ratio";
  if (metric == "cost_usd") return "cost per minute";
  if (metric == "cache_hit_rate") return "cache hit rate";
  if (metric == "quality_score") return "quality score";
  return metric;
}

std::vector<Mover> Movers(const BucketStats& w, const BucketStats& b) {
  std::vector<Mover> out;
  auto add = [&](std::string_view name, double base, double win) {
    if (!std::isfinite(base) || !std::isfinite(win)) return;
    double pct;
    if (base == 0) {
      if (win == 0) return;
      pct = 1000;  // from nothing: treat as a large move
    } else {
      pct = 100 * (win - base) / std::fabs(base);
    }
    out.push_back({name, base, win, pct});
  };
  const double wr = static_cast<double>(w.requests), br = static_cast<double>(b.requests);
  add("queue_depth", b.Mean(EventField::kQueueDepth), w.Mean(EventField::kQueueDepth));
  add("batch_size", b.Mean(EventField::kBatchSize), w.Mean(EventField::kBatchSize));
  add("batch_fill_ratio", b.Mean(EventField::kBatchFillRatio), w.Mean(EventField::kBatchFillRatio));
  add("gpu_util", b.Mean(EventField::kGpuUtil), w.Mean(EventField::kGpuUtil));
  add("memory_used_gb", b.Mean(EventField::kMemoryUsedGb), w.Mean(EventField::kMemoryUsedGb));
  add("input_tokens", b.Mean(EventField::kInputTokens), w.Mean(EventField::kInputTokens));
  add("output_tokens", b.Mean(EventField::kOutputTokens), w.Mean(EventField::kOutputTokens));
  // TTFT by its tail, where stalls show (a few percent of requests waiting for prefill),
  // when both sides have the sketch; by its mean for buckets stored before TTFT sketches.
  if (b.ttft_ms.count() > 0 && w.ttft_ms.count() > 0) {
    add("ttft_p95_ms", b.ttft_ms.Quantile(0.95), w.ttft_ms.Quantile(0.95));
  } else {
    add("ttft_ms", b.Mean(EventField::kTtftMs), w.Mean(EventField::kTtftMs));
  }
  add("cache_hit_rate", b.Mean(EventField::kCacheHit), w.Mean(EventField::kCacheHit));
  add("cost_per_request", b.Mean(EventField::kCostUsd), w.Mean(EventField::kCostUsd));
  if (br > 0 && wr > 0) {
    add("error_rate", static_cast<double>(b.errors) / br, static_cast<double>(w.errors) / wr);
  }
  // Rates move by large percentages on tiny bases (0.2% -> 0.5% errors is "+150%"); they
  // count only if they moved by at least 2 points.
  std::erase_if(out, [](const Mover& m) {
    return (m.name == "error_rate" || m.name == "cache_hit_rate" || m.name == "batch_fill_ratio") &&
           std::fabs(m.window - m.base) < 0.02;
  });
  std::sort(out.begin(), out.end(), [](const Mover& a, const Mover& c) {
    return std::fabs(a.change_pct) > std::fabs(c.change_pct);
  });
  return out;
}

const Mover* Find(const std::vector<Mover>& movers, std::string_view name, double min_pct) {
  for (const auto& m : movers) {
    if (m.name == name && std::fabs(m.change_pct) >= min_pct) return &m;
  }
  return nullptr;
}

bool Rose(const Mover* m) { return m != nullptr && m->change_pct > 0; }
bool Fell(const Mover* m) { return m != nullptr && m->change_pct < 0; }

// The largest shift of one user's share (of cost first, else of requests), if any.
const ShareShift* UserShift(std::span<const ShareShift> shifts) {
  const ShareShift* best = nullptr;
  for (const ShareShift& s : shifts) {
    if (s.dimension != "user") continue;
    if (best == nullptr || (s.of_cost && !best->of_cost)) best = &s;
    if (best->of_cost) break;
  }
  return best;
}

std::string Recommend(const Anomaly& a, const std::vector<Mover>& movers,
                      std::span<const ShareShift> shifts) {
  const Mover* queue = Find(movers, "queue_depth", 50);
  const Mover* out_tokens = Find(movers, "output_tokens", 30);
  const Mover* in_tokens = Find(movers, "input_tokens", 30);
  const Mover* gpu = Find(movers, "gpu_util", 20);
  const Mover* fill = Find(movers, "batch_fill_ratio", 30);
  const Mover* cache = Find(movers, "cache_hit_rate", 30);
  const Mover* memory = Find(movers, "memory_used_gb", 10);
  switch (a.kind) {
    case AnomalyKind::kLatencySpike:
    case AnomalyKind::kSpike:
      if (Rose(out_tokens) || Rose(in_tokens)) {
        return "Requests got longer: cap max_tokens for this model or route long prompts to a "
               "separate pool; check which client changed its prompts.";
      }
      if (Rose(queue) && Rose(gpu)) {
        return "The model is saturated (queue and GPU both up): add replicas or shed load; "
               "raise the autoscaler's target if this recurs at this hour.";
      }
      if (Rose(queue)) {
        return "Requests are queueing without more GPU work: check the batcher (max batch "
               "size, batch wait timeout) and for a stuck or restarting replica.";
      }
      if (Fell(fill)) {
        return "Batches are emptier than usual: raise the batch wait timeout so requests are "
               "served together.";
      }
      if (Fell(cache)) {
        return "Fewer cache hits mean more full prefills: check the prefix/semantic cache "
               "(capacity, eviction, a deploy that changed prompt templates).";
      }
      if (Rose(memory)) {
        return "Memory use rose with latency: check KV-cache pressure and swapping; lower "
               "max concurrent sequences or add memory headroom.";
      }
      if (a.metric == "ttft_p95_ms" || a.metric == "ttft_ms") {
        return "The first token is late for a share of requests while the request mix is "
               "unchanged: the stall is in prefill or scheduling; check KV-cache pressure and "
               "preemptions, the scheduler's prefill budget (chunked prefill, max batched "
               "tokens) and long prompts queued ahead of short ones.";
      }
      if (Rose(Find(movers, "ttft_p95_ms", 50)) || Rose(Find(movers, "ttft_ms", 50))) {
        return "Time to first token rose with it, with the same request mix: the slowdown is "
               "in prefill or scheduling; check KV-cache pressure and preemptions, the "
               "scheduler's prefill budget, and the node (thermal throttling, a degraded GPU).";
      }
      return "No serving dimension moved: look at recent deploys, the node (throttling, noisy "
             "neighbours) and downstream dependencies for this model.";
    case AnomalyKind::kLatencyDrift:
    case AnomalyKind::kDrift:
      if (Rose(memory)) {
        return "Latency and memory creep up together: suspect a leak or cache fragmentation; "
               "schedule a rolling restart and profile memory.";
      }
      return "Latency is creeping up: compare with the last deploy and with traffic growth; "
             "if it keeps rising, scale out before it becomes an outage.";
    case AnomalyKind::kErrorBurst:
      if (Rose(queue)) {
        return "Errors came with a growing queue: requests are timing out under load; add "
               "capacity or tighten admission control.";
      }
      return "Check the error types and the logs of this model's replicas and its upstream "
             "dependencies; roll back a recent deploy if the burst started with it.";
    case AnomalyKind::kGpuUnderutil:
      return "GPUs idle while requests wait: the bottleneck is before the GPU (tokenisation, "
             "CPU pre-processing, a starved scheduler) or the batcher waits too little; raise "
             "the batch wait timeout and check CPU and data-loading saturation.";
    case AnomalyKind::kPoorBatching:
      return "Batches run nearly empty: raise the batch wait timeout (e.g. max_queue_delay) or "
             "lower the number of replicas so each sees enough traffic to batch.";
    case AnomalyKind::kCostSpike:
      if (const ShareShift* user = UserShift(shifts)) {
        if (Rose(out_tokens) || Rose(in_tokens)) {
          return fmt::format(
              "A single user's token explosion drives cost: rate-limit or cap max_tokens for "
              "user '{}'.",
              user->value);
        }
        return fmt::format(
            "A single user's extra traffic drives cost: rate-limit user '{}' or confirm the "
            "load is expected.",
            user->value);
      }
      if (Rose(out_tokens) || Rose(in_tokens)) {
        return "Token counts per request exploded: find the client or user behind it "
               "(inferscope analyze --investigate on this window) and cap max_tokens or "
               "rate-limit it.";
      }
      return "Cost rose with traffic: check whether the extra load is expected and whether a "
             "cheaper model could serve part of it.";
    case AnomalyKind::kCacheDegradation:
      return "The cache stopped hitting: check cache capacity and eviction, and a deploy or "
             "client change that altered prompt prefixes.";
    case AnomalyKind::kTrafficDrop:
      return "Traffic fell sharply: check upstream clients, gateway routing, DNS and health "
             "checks; a silent failure upstream often looks like this.";
    case AnomalyKind::kQualityDrop:
      return "Quality fell: compare the model version and prompts with the baseline period; "
             "consider rolling back.";
    default:
      return "Compare this window with the baseline before it (inferscope analyze "
             "--investigate) to see what changed.";
  }
}

}  // namespace

void AnomalyExplainer::Explain(const BucketStats& window, const BucketStats& baseline, Anomaly* a,
                               std::span<const ShareShift> shifts) const {
  const bool fleet = a->model == "*";
  const std::string who = fleet ? "all models" : a->model;
  const TimestampNs end = a->state == AnomalyState::kResolved ? a->end_ns : a->last_seen_ns;
  const int64_t duration = std::max<int64_t>(end - a->start_ns, 0) + kNanosPerMinute;
  std::string ratio;
  if (std::isfinite(a->observed) && std::isfinite(a->expected) && a->expected > 0 &&
      a->observed > 0) {
    double r = a->observed / a->expected;
    ratio = r >= 1 ? fmt::format(" ({:.1f}x)", r) : fmt::format(" ({:.0f}% lower)", 100 * (1 - r));
  }
  std::string when =
      a->state == AnomalyState::kResolved
          ? fmt::format("from {} to {} ({})", FormatIso8601(a->start_ns),
                        FormatIso8601(end + kNanosPerMinute), FormatDurationHuman(duration))
          : fmt::format("since {} ({} so far)", FormatIso8601(a->start_ns),
                        FormatDurationHuman(duration));
  a->summary = fmt::format("{} of {} {} to {} against an expected {}{} {}", MetricTitle(a->metric),
                           who, a->direction == Direction::kBelow ? "fell" : "rose",
                           MetricValue(a->metric, a->observed), MetricValue(a->metric, a->expected),
                           ratio, when);
  if (a->affected_requests > 0) {
    a->summary += fmt::format(", affecting {} requests", a->affected_requests);
  }
  a->summary += ".";
  if (!a->summary.empty() && a->summary[0] >= 'a' && a->summary[0] <= 'z') {
    a->summary[0] = static_cast<char>(a->summary[0] - 'a' + 'A');
  }

  std::vector<Mover> movers = Movers(window, baseline);
  std::vector<std::string> parts;
  for (const Mover& m : movers) {
    if (parts.size() == 3 || std::fabs(m.change_pct) < 20) break;
    if (m.name == a->metric) continue;
    std::string size = m.change_pct >= 900 && m.base > 0
                           ? fmt::format("{:.0f}x", m.window / m.base)
                           : fmt::format("{:.0f}%", std::fabs(m.change_pct));
    parts.push_back(fmt::format("{} {} {} ({} -> {})", m.name, m.change_pct > 0 ? "rose" : "fell",
                                size, FormatNumber(m.base), FormatNumber(m.window)));
  }
  auto join = [](const std::vector<std::string>& items) {
    std::string joined;
    for (size_t i = 0; i < items.size(); ++i) {
      if (i) joined += i + 1 == items.size() ? " and " : ", ";
      joined += items[i];
    }
    return joined;
  };
  std::vector<std::string> mix;
  for (const ShareShift& s : shifts) {
    if (mix.size() == 3) break;
    mix.push_back(s.text);
  }
  if (baseline.requests == 0) {
    a->cause = "No baseline traffic before the incident to compare with.";
  } else if (parts.empty() && mix.empty()) {
    a->cause =
        "No serving dimension (batching, queue, GPU, memory, tokens, cache) moved by 20% "
        "or more against the hour before; the cause is likely outside the request "
        "mix: a deploy, the node, or a dependency.";
  } else if (parts.empty()) {
    a->cause = fmt::format(
        "No serving dimension (batching, queue, GPU, memory, tokens, cache) moved by 20% or "
        "more against the hour before, but the request mix did: {}.",
        join(mix));
  } else {
    a->cause = fmt::format("Compared with the hour before, {}.", join(parts));
    if (!mix.empty()) a->cause += fmt::format(" In the request mix, {}.", join(mix));
  }
  a->recommendation = Recommend(*a, movers, baseline.requests > 0 ? shifts : decltype(shifts){});
}

}  // namespace inferscope
