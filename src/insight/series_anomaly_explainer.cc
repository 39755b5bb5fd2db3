#include "insight/series_anomaly_explainer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "core/time_format.h"

namespace inferscope {
namespace {

bool Contains(std::string_view text, std::string_view word) {
  return text.find(word) != std::string_view::npos;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string Value(double v) {
  if (!std::isfinite(v)) return "n/a";
  return fmt::format("{:.4g}", v);
}

struct Advice {
  std::string_view cause_up;
  std::string_view cause_down;
  std::string_view action_up;
  std::string_view action_down;
};

Advice AdviceFor(SeriesMetricFamily family) {
  switch (family) {
    case SeriesMetricFamily::kLatency:
      return {
          "requests are waiting longer: usually load above capacity (queueing), longer "
          "prompts or outputs, KV-cache pressure causing preemptions, or a slow GPU/node",
          "latency fell: less load, shorter requests, or requests failing fast",
          "Compare with request rate, queue length and KV-cache usage for the same labels; "
          "if the queue grew, scale out replicas or lower max concurrency; if one instance "
          "only, drain it and check its GPU (DCGM) and recent deploys.",
          "Check the error ratio for the same labels: a latency drop with rising errors "
          "means requests fail early."};
    case SeriesMetricFamily::kErrors:
      return {
          "requests are failing: a bad deploy, an upstream dependency, out-of-memory "
          "errors, or requests rejected by limits (context length, rate limits)",
          "errors fell back",
          "Look at the server logs of the affected instances for the first error after "
          "the start time; roll back a deploy made just before it; check GPU memory and "
          "OOM kills.",
          "No action needed unless traffic also stopped."};
    case SeriesMetricFamily::kQueue:
      return {
          "more requests are waiting than usual: arrivals above serving capacity, a "
          "replica lost, or slower generation per request",
          "the queue emptied: less traffic, or the server stopped accepting requests",
          "Scale out (more replicas or GPUs), check that all replicas are healthy, and "
          "consider admission control / lower max batch wait.",
          "Check the request rate and that the endpoint is still reachable."};
    case SeriesMetricFamily::kKvCache:
      return {
          "KV-cache usage is unusually high: long contexts or many concurrent sequences; "
          "near 100% the server preempts and recomputes requests, raising latency",
          "KV-cache usage dropped: fewer or shorter concurrent sequences",
          "Check preemptions and TTFT; reduce max-num-seqs or max-model-len, raise "
          "gpu-memory-utilization, enable prefix caching, or add capacity.",
          "Usually benign; confirm traffic did not drop unexpectedly."};
    case SeriesMetricFamily::kGpuUtil:
      return {
          "GPU utilisation rose above its usual level: more load or less efficient "
          "kernels",
          "GPU utilisation fell: less load, or the GPU waits on something else (CPU "
          "tokenisation, data loading, a stuck process, small batches)",
          "Compare with request rate; if latency also rose, add capacity.",
          "Compare with request rate and queue length: utilisation down with a queue means "
          "the GPU is starved (batching, CPU bottleneck, a hung worker) — restart or "
          "inspect the worker; down with traffic down is expected."};
    case SeriesMetricFamily::kGpuMemory:
      return {"GPU memory usage rose: a larger model or batch, a leak, or fragmentation",
              "GPU memory usage fell: a process restarted or unloaded a model",
              "Check for OOM errors and restarts; cap batch size or memory utilisation.",
              "Check whether the serving process restarted (uptime, error logs)."};
    case SeriesMetricFamily::kBatch:
      return {"batches are fuller than usual: more concurrent load",
              "batches are emptier than usual: less load, or the batcher flushes too early",
              "If latency rose too, add capacity.",
              "Tune the batching delay / max batch size, or consolidate replicas to raise "
              "occupancy."};
    case SeriesMetricFamily::kThroughput:
      return {
          "throughput rose: more traffic than usual (a batch job, a retry storm, a new "
          "client)",
          "throughput fell: less traffic, or upstream failures / routing changes",
          "Check where the extra traffic comes from and that capacity keeps up.",
          "Check upstream gateways and clients, and the error ratio."};
    case SeriesMetricFamily::kOther:
      break;
  }
  return {"the series rose outside its usual range", "the series fell outside its usual range",
          "Check recent deploys, configuration changes and traffic for these labels around "
          "the start time.",
          "Check recent deploys, configuration changes and traffic for these labels around "
          "the start time."};
}

}  // namespace

SeriesMetricFamily GuessSeriesMetricFamily(std::string_view metric_or_query) {
  const std::string m = Lower(metric_or_query);
  if (Contains(m, "kv_cache") || Contains(m, "cache_usage") || Contains(m, "gpu_cache")) {
    return SeriesMetricFamily::kKvCache;
  }
  if (Contains(m, "error") || Contains(m, "fail") || Contains(m, "status=\"5") ||
      Contains(m, "aborted")) {
    return SeriesMetricFamily::kErrors;
  }
  if (Contains(m, "queue") || Contains(m, "waiting") || Contains(m, "pending")) {
    return SeriesMetricFamily::kQueue;
  }
  if (Contains(m, "fb_used") || Contains(m, "memory")) return SeriesMetricFamily::kGpuMemory;
  if (Contains(m, "gpu_util") || Contains(m, "utilization") || Contains(m, "util")) {
    return SeriesMetricFamily::kGpuUtil;
  }
  if (Contains(m, "batch")) return SeriesMetricFamily::kBatch;
  if (Contains(m, "latency") || Contains(m, "time_to_first") || Contains(m, "ttft") ||
      Contains(m, "duration") || Contains(m, "_seconds") || Contains(m, "time_per_output") ||
      Contains(m, "_us") || Contains(m, "_ms")) {
    return SeriesMetricFamily::kLatency;
  }
  if (Contains(m, "request") || Contains(m, "tokens") || Contains(m, "throughput") ||
      Contains(m, "_total")) {
    return SeriesMetricFamily::kThroughput;
  }
  return SeriesMetricFamily::kOther;
}

std::string FormatSeriesLabels(const std::vector<std::pair<std::string, std::string>>& labels) {
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += ", ";
    out += fmt::format("{}=\"{}\"", labels[i].first, labels[i].second);
  }
  out += "}";
  return out;
}

void SeriesAnomalyExplainer::Explain(std::string_view metric_hint, Anomaly* a) const {
  const std::string metric = !a->metric.empty() ? a->metric : std::string(metric_hint);
  const bool up = a->direction != Direction::kBelow;
  const std::string verb = up ? "rose to" : "fell to";
  const TimestampNs until = a->state == AnomalyState::kResolved ? a->end_ns : a->last_seen_ns;
  if (a->summary.empty()) {
    std::string band;
    if (std::isfinite(a->lower) && std::isfinite(a->upper)) {
      band = fmt::format(" (usual band {}..{})", Value(a->lower), Value(a->upper));
    }
    a->summary = fmt::format(
        "{} of {} {} {} against expected {}{} since {}, for {}{}.", metric,
        FormatSeriesLabels(a->labels), verb, Value(a->observed), Value(a->expected), band,
        FormatIso8601(a->start_ns), FormatDurationHuman(std::max<int64_t>(until - a->start_ns, 0)),
        a->state == AnomalyState::kResolved ? " (resolved)" : " (still firing)");
    if (a->peak_ns != 0) a->summary += fmt::format(" Peak at {}.", FormatIso8601(a->peak_ns));
  }
  const Advice advice =
      AdviceFor(GuessSeriesMetricFamily(a->metric.empty() ? metric_hint : a->metric));
  if (a->cause.empty()) {
    a->cause = fmt::format("Likely: {}.", up ? advice.cause_up : advice.cause_down);
  }
  if (a->recommendation.empty()) {
    a->recommendation = std::string(up ? advice.action_up : advice.action_down);
  }
}

}  // namespace inferscope
