#include "demo/incident_schedule.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/time_format.h"
#include "demo/random.h"
#include "demo/user_population.h"

namespace inferscope {
namespace {

constexpr int64_t kMinGapNs = 30 * kNanosPerMinute;
constexpr int64_t kMinIncidentNs = 2 * kNanosPerMinute;
// Salt so the schedule's random stream is independent of the traffic's.
constexpr uint64_t kScheduleSalt = 0x5CED'0A1E'D1CE'0001ULL;

bool CanShow(IncidentKind kind, const ModelProfile& m) {
  switch (kind) {
    case IncidentKind::kGpuUnderutil:
    case IncidentKind::kPoorBatching:
      return m.self_hosted;
    case IncidentKind::kCostSpike:
      return m.produces_output();
    default:
      return true;
  }
}

int64_t BaseDurationNs(IncidentKind kind, Rng& rng) {
  const double minutes =
      kind == IncidentKind::kLatencyDrift ? rng.Uniform(180, 360) : rng.Uniform(10, 40);
  return static_cast<int64_t>(std::llround(minutes * 60)) * kNanosPerSecond;
}

std::string Describe(const ScheduledIncident& inc, const std::vector<ModelProfile>& models) {
  const std::string where =
      inc.model_index < 0 ? "fleet-wide" : fmt::format("on {}", models[inc.model_index].name);
  const std::string how_long = FormatDurationHuman(inc.label.end_ns - inc.label.start_ns);
  switch (inc.label.kind) {
    case IncidentKind::kLatencySpike:
      return fmt::format("latency and ttft multiplied by {:.1f} {} for {}", inc.magnitude, where,
                         how_long);
    case IncidentKind::kErrorBurst:
      return fmt::format(
          "error rate raised to {:.0f}% (upstream_unavailable, internal_server_error, timeout) "
          "{} for {}",
          inc.magnitude * 100, where, how_long);
    case IncidentKind::kGpuUnderutil:
      return fmt::format(
          "gpu_util dropped to about {:.0f}% while queue_depth climbed to about {:.0f} and "
          "requests waited in the queue {} for {}",
          inc.magnitude, inc.secondary, where, how_long);
    case IncidentKind::kPoorBatching:
      return fmt::format(
          "batching collapsed: batch_fill_ratio about {:.2f} (batch_size {} of {}), latency "
          "x{:.1f} {} for {}",
          inc.magnitude,
          std::max(1L, std::lround(inc.magnitude * models[inc.model_index].max_batch)),
          models[inc.model_index].max_batch, inc.secondary, where, how_long);
    case IncidentKind::kCostSpike:
      return fmt::format(
          "runaway client: requests from user-{:03d} produced {:.0f}x their usual output tokens "
          "and {:.0f}x their input tokens, multiplying their cost, {} for {}",
          UserPopulation::IdForRank(inc.user_rank), inc.magnitude, inc.magnitude / 3, where,
          how_long);
    case IncidentKind::kCacheDegradation:
      return fmt::format(
          "cache hit rate fell from about 30% to {:.0f}%, latency x{:.2f} on misses {} for {}",
          inc.magnitude * 100, inc.secondary, where, how_long);
    case IncidentKind::kLatencyDrift:
      return fmt::format("latency rose linearly to x{:.1f} over {} then fell back over {} {}",
                         inc.magnitude,
                         FormatDurationHuman((inc.label.end_ns - inc.label.start_ns) * 4 / 5),
                         FormatDurationHuman((inc.label.end_ns - inc.label.start_ns) / 5), where);
    case IncidentKind::kTrafficDrop:
      return fmt::format("request rate fell to {:.0f}% of normal {} for {}", inc.magnitude * 100,
                         where, how_long);
  }
  return "";
}

}  // namespace

Result<std::vector<ScheduledIncident>> ScheduleIncidents(const DemoOptions& options,
                                                         const std::vector<ModelProfile>& models) {
  std::vector<ScheduledIncident> incidents;
  const size_t n = options.incidents.size();
  if (n == 0) return incidents;
  Rng rng(MixSeed(options.seed, kScheduleSalt));

  // Parameters first, in the order given, so a kind's magnitude does not depend on the
  // placement.
  std::vector<int64_t> durations;
  for (IncidentKind kind : options.incidents) {
    ScheduledIncident inc;
    inc.label.kind = kind;
    std::vector<int> eligible;
    for (size_t i = 0; i < models.size(); ++i) {
      if (CanShow(kind, models[i])) eligible.push_back(static_cast<int>(i));
    }
    if (eligible.empty()) {
      return Status::InvalidArgument(fmt::format(
          "no model can show incident '{}' (it needs a {} model)", IncidentKindName(kind),
          kind == IncidentKind::kCostSpike ? "text-generating" : "self-hosted"));
    }
    inc.model_index = eligible[rng.UniformInt(eligible.size())];
    switch (kind) {
      case IncidentKind::kLatencySpike:
        inc.magnitude = rng.Uniform(3, 6);
        break;
      case IncidentKind::kErrorBurst:
        inc.magnitude = rng.Uniform(0.15, 0.40);
        break;
      case IncidentKind::kGpuUnderutil:
        inc.magnitude = rng.Uniform(10, 25);
        inc.secondary = rng.Uniform(10, 40);
        break;
      case IncidentKind::kPoorBatching:
        inc.magnitude = rng.Uniform(0.05, 0.2);
        inc.secondary = rng.Uniform(1.3, 1.7);
        break;
      case IncidentKind::kCostSpike:
        inc.magnitude = rng.Uniform(10, 30);
        inc.user_rank = 0;  // the busiest user, so the fleet-level cost moves too
        break;
      case IncidentKind::kCacheDegradation:
        inc.magnitude = rng.Uniform(0.01, 0.03);
        inc.secondary = rng.Uniform(1.1, 1.25);
        break;
      case IncidentKind::kLatencyDrift:
        inc.magnitude = rng.Uniform(2.2, 2.8);
        break;
      case IncidentKind::kTrafficDrop:
        inc.magnitude = rng.Uniform(0.10, 0.20);
        if (rng.Bernoulli(0.5)) inc.model_index = -1;
        break;
    }
    inc.label.model = inc.model_index < 0 ? "*" : models[inc.model_index].name;
    durations.push_back(BaseDurationNs(kind, rng));
    incidents.push_back(std::move(inc));
  }

  // Placement: [window_start, end) holds the n windows, each followed by a gap of at least
  // kMinGapNs (so the last one ends in time for a recovery to be seen); the free time left
  // is split at random among the n + 1 gaps.
  const int64_t window_start = options.start_ns + options.duration_ns / 5;
  const int64_t available = options.start_ns + options.duration_ns - window_start;
  int64_t needed = static_cast<int64_t>(n) * kMinGapNs;
  for (int64_t d : durations) needed += d;
  int64_t min_gap = kMinGapNs;
  if (needed > available) {
    const double scale = 0.9 * static_cast<double>(available) / static_cast<double>(needed);
    for (int64_t& d : durations) {
      d = static_cast<int64_t>(static_cast<double>(d) * scale) / kNanosPerSecond * kNanosPerSecond;
    }
    min_gap = static_cast<int64_t>(static_cast<double>(kMinGapNs) * scale);
  }
  int64_t used = static_cast<int64_t>(n) * min_gap;
  for (int64_t d : durations) {
    if (d < kMinIncidentNs) {
      return Status::InvalidArgument(fmt::format(
          "duration {} is too short to inject {} incident(s); use at least {}",
          FormatDurationHuman(options.duration_ns), n,
          FormatDurationHuman(static_cast<int64_t>(static_cast<double>(options.duration_ns) *
                                                   kMinIncidentNs / std::max<int64_t>(d, 1)) +
                              kNanosPerMinute)));
    }
    used += d;
  }
  const int64_t free_ns = std::max<int64_t>(0, available - used);

  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  for (size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng.UniformInt(i)]);
  std::vector<double> parts(n + 1);
  double parts_total = 0;
  for (double& p : parts) parts_total += (p = rng.Exponential());

  int64_t cursor = window_start;
  for (size_t slot = 0; slot < n; ++slot) {
    cursor += static_cast<int64_t>(static_cast<double>(free_ns) * parts[slot] / parts_total);
    // Whole seconds, so the ISO-8601 label (no fraction) is the exact window.
    cursor = (cursor + kNanosPerSecond - 1) / kNanosPerSecond * kNanosPerSecond;
    ScheduledIncident& inc = incidents[order[slot]];
    inc.label.start_ns = cursor;
    inc.label.end_ns = cursor + durations[order[slot]];
    cursor = inc.label.end_ns + min_gap;
  }
  for (ScheduledIncident& inc : incidents) inc.label.description = Describe(inc, models);
  std::sort(incidents.begin(), incidents.end(),
            [](const ScheduledIncident& a, const ScheduledIncident& b) {
              return a.label.start_ns < b.label.start_ns;
            });
  return incidents;
}

}  // namespace inferscope
