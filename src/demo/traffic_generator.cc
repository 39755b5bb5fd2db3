#include "demo/traffic_generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <string>
#include <string_view>

#include "core/time_format.h"
#include "demo/incident_schedule.h"
#include "demo/line_buffer.h"
#include "demo/load_curve.h"
#include "demo/model_profile.h"
#include "demo/random.h"
#include "demo/user_population.h"

namespace inferscope {
namespace {

constexpr uint64_t kArrivalSalt = 0xA11'1A1ULL;
constexpr uint64_t kRequestIdSalt = 0x1D'5EEDULL;
constexpr size_t kBlockBytes = size_t{1} << 20;
// Longest possible line: fixed text and numbers (< 600 bytes) plus a 128-byte model name and
// its service name.
constexpr size_t kMaxLineBytes = 1024;

constexpr double kBackgroundErrorRate = 0.003;
constexpr double kCacheHitRate = 0.30;
constexpr double kPrefixShareOfHits = 0.65;
constexpr double kSlowRequestRate = 0.005;  // heavy tail: 5-20x the usual latency
constexpr int kMaxOutputTokens = 32768;

struct ErrorType {
  std::string_view name;
  double weight;
};
// Background failures of a healthy fleet, and what an outage looks like.
constexpr ErrorType kBackgroundErrors[] = {
    {"internal_server_error", 0.35}, {"rate_limited", 0.25},  {"upstream_unavailable", 0.15},
    {"invalid_request", 0.15},       {"out_of_memory", 0.05}, {"timeout", 0.05},
};
constexpr ErrorType kBurstErrors[] = {
    {"upstream_unavailable", 0.55},
    {"internal_server_error", 0.35},
    {"timeout", 0.10},
};

template <size_t N>
std::string_view PickError(const ErrorType (&types)[N], Rng& rng) {
  double u = rng.Uniform();
  for (const ErrorType& t : types) {
    if (u < t.weight) return t.name;
    u -= t.weight;
  }
  return types[N - 1].name;
}

// What the incidents active for one request change; neutral values mean "no incident".
struct Effects {
  double keep_fraction = 1;  // traffic_drop
  double latency_factor = 1;
  double miss_latency_factor = 1;  // cache_degradation: misses are slower (colder KV)
  double error_rate = kBackgroundErrorRate;
  bool error_burst = false;
  double cache_hit_rate = kCacheHitRate;
  double gpu_level = -1;    // gpu_underutil: gpu_util percent, < 0 when inactive
  double queue_level = -1;  // gpu_underutil: queue depth reached
  double queue_ramp = 1;    // gpu_underutil: 0..1, the queue builds over the first 10%
  double batch_fill = -1;   // poor_batching, < 0 when inactive
  int cost_user_rank = -1;  // cost_spike
  double token_factor = 1;
};

Effects EffectsAt(const std::vector<ScheduledIncident>& incidents, TimestampNs t, int model) {
  Effects e;
  for (const ScheduledIncident& inc : incidents) {
    if (!inc.Affects(t, model)) continue;
    const double span = static_cast<double>(inc.label.end_ns - inc.label.start_ns);
    const double frac = static_cast<double>(t - inc.label.start_ns) / span;
    switch (inc.label.kind) {
      case IncidentKind::kLatencySpike:
        e.latency_factor *= inc.magnitude;
        break;
      case IncidentKind::kErrorBurst:
        e.error_rate = std::max(e.error_rate, inc.magnitude);
        e.error_burst = true;
        break;
      case IncidentKind::kGpuUnderutil:
        e.gpu_level = inc.magnitude;
        e.queue_level = inc.secondary;
        e.queue_ramp = std::min(1.0, frac / 0.1);
        break;
      case IncidentKind::kPoorBatching:
        e.batch_fill = inc.magnitude;
        e.latency_factor *= inc.secondary;
        break;
      case IncidentKind::kCostSpike:
        e.cost_user_rank = inc.user_rank;
        e.token_factor = inc.magnitude;
        break;
      case IncidentKind::kCacheDegradation:
        e.cache_hit_rate = inc.magnitude;
        e.miss_latency_factor = inc.secondary;
        break;
      case IncidentKind::kLatencyDrift:
        // Creeps up for 80% of the window, then falls back (a fix rolling out).
        e.latency_factor *= frac < 0.8 ? 1 + (inc.magnitude - 1) * frac / 0.8
                                       : 1 + (inc.magnitude - 1) * (1 - frac) / 0.2;
        break;
      case IncidentKind::kTrafficDrop:
        e.keep_fraction = inc.magnitude;
        break;
    }
  }
  return e;
}

int LogNormalTokens(Rng& rng, double median, double sigma, int cap) {
  const double v = rng.LogNormal(median, sigma);
  return static_cast<int>(std::clamp(std::round(v), 1.0, static_cast<double>(cap)));
}

// A geometric count with the given mean (0, 1, 2, ... with P(k) falling by a constant ratio).
int GeometricCount(Rng& rng, double mean) {
  const double ratio = mean / (1.0 + mean);
  const double k = std::floor(std::log1p(-rng.Uniform()) / std::log(ratio));
  return static_cast<int>(std::min(k, 1000.0));
}

struct Request {
  std::string_view status = "ok";
  std::string_view error_type;
  double latency_ms = 0;
  double ttft_ms = 0;
  int input_tokens = 0;
  int output_tokens = 0;
  double cost_usd = 0;
  int batch_size = 0;
  double batch_fill = 0;
  double gpu_util = 0;
  double memory_gb = 0;
  int queue_depth = 0;
  bool cache_hit = false;
  std::string_view cache_tier = "none";
  TaskType task = TaskType::kChat;
  int user_id = 0;
};

// Fills `req` for one request of model `m` under effects `e`, drawing from rng. `load` is
// LoadCurve::Utilization at the request's time.
void Simulate(const ModelProfile& m, const UserPopulation& users, const Effects& e, double load,
              Rng& rng, Request& req) {
  req = Request();
  double u = rng.Uniform();
  int task = 0;
  while (task < 3 && u >= m.task_mix[task]) u -= m.task_mix[task++];
  req.task = static_cast<TaskType>(task);
  const TokenProfile& tp = TokenProfileFor(req.task);
  req.input_tokens = LogNormalTokens(rng, tp.input_median, tp.input_sigma,
                                     std::min(tp.input_cap, m.max_context - 1));
  if (tp.output_median > 0) {
    req.output_tokens = LogNormalTokens(rng, tp.output_median, tp.output_sigma, tp.output_cap);
  }
  const int rank = users.SampleRank(rng);
  req.user_id = UserPopulation::IdForRank(rank);
  if (rank == e.cost_user_rank && req.output_tokens > 0) {
    // A runaway agent loop: very long answers, fed back as ever longer prompts.
    req.output_tokens = static_cast<int>(std::min<double>(
        std::round(req.output_tokens * e.token_factor * rng.LogNormal(1, 0.15)), kMaxOutputTokens));
    req.input_tokens = static_cast<int>(
        std::min<double>(std::round(req.input_tokens * e.token_factor / 3), m.max_context - 1));
  }

  req.queue_depth = GeometricCount(rng, 0.1 + 1.4 * load * load * load);
  if (e.queue_level >= 0) {
    req.queue_depth = std::max(
        req.queue_depth,
        static_cast<int>(std::round(e.queue_level * e.queue_ramp * rng.LogNormal(1, 0.2))));
  }

  double contention = 1;
  if (m.self_hosted) {
    double batch = m.max_batch * (0.15 + 0.75 * load) * rng.LogNormal(1, 0.25);
    // Decode slows with the number of sequences sharing the GPU. Under poor batching the
    // same load is served in small batches one after another, which is no faster per
    // request (and the incident's latency factor adds the queueing that follows).
    contention = 1 + 0.35 * std::clamp(batch / m.max_batch, 0.0, 1.0);
    if (e.batch_fill >= 0) batch = m.max_batch * e.batch_fill * rng.LogNormal(1, 0.2);
    req.batch_size = static_cast<int>(std::clamp(std::round(batch), 1.0, 1.0 * m.max_batch));
    req.batch_fill = static_cast<double>(req.batch_size) / m.max_batch;
    req.gpu_util =
        std::clamp(15 + 80 * (0.45 * load + 0.55 * req.batch_fill) + 3 * rng.Normal(), 1.0, 99.5);
    if (e.gpu_level >= 0) req.gpu_util = std::clamp(e.gpu_level + 2.5 * rng.Normal(), 2.0, 40.0);
    req.memory_gb = std::min(m.weights_gb + m.kv_gb_per_seq * req.batch_size * rng.Uniform(0.6, 1),
                             0.96 * m.gpu_memory_gb);
  }

  req.cache_hit = rng.Bernoulli(e.cache_hit_rate);
  const bool prefix_hit = req.cache_hit && rng.Bernoulli(kPrefixShareOfHits);
  const bool semantic_hit = req.cache_hit && !prefix_hit;
  req.cache_tier = prefix_hit ? "prefix" : (semantic_hit ? "semantic" : "none");

  // Latency: prefill then decode, both slower under load (queueing, bigger batches); a
  // prefix hit skips most of the prefill; a semantic hit returns a stored answer.
  const double load_mult = 1 + 0.5 * load * load * load * load;
  double ttft =
      (m.ttft_base_ms + m.prefill_ms_per_token * req.input_tokens * (prefix_hit ? 0.3 : 1)) *
          load_mult * rng.LogNormal(1, 0.25) +
      req.queue_depth * m.queue_ms_per_item * rng.Uniform(0.5, 1.5);
  double decode =
      m.decode_ms_per_token * req.output_tokens * load_mult * contention * rng.LogNormal(1, 0.2);
  if (semantic_hit) {
    ttft = rng.LogNormal(18, 0.4);
    decode = 0;
  }
  if (rng.Bernoulli(kSlowRequestRate)) {
    const double k = rng.Uniform(5, 20);
    ttft *= k;
    decode *= k;
  }
  double factor = e.latency_factor * (req.cache_hit ? 1 : e.miss_latency_factor);
  ttft *= factor;
  decode *= factor;
  req.ttft_ms = ttft;
  req.latency_ms = ttft + decode;

  const double input_price = m.input_price_per_m * (prefix_hit ? 0.5 : 1);
  req.cost_usd =
      semantic_hit
          ? 0
          : (req.input_tokens * input_price + req.output_tokens * m.output_price_per_m) / 1e6;

  const bool failed = rng.Bernoulli(e.error_rate);
  if (failed) {
    req.error_type =
        e.error_burst ? PickError(kBurstErrors, rng) : PickError(kBackgroundErrors, rng);
    if (req.error_type == "out_of_memory" && !m.self_hosted)
      req.error_type = "internal_server_error";
    if (req.error_type == "rate_limited" || req.error_type == "invalid_request") {
      req.latency_ms = rng.LogNormal(6, 0.5);
    } else if (req.error_type == "timeout") {
      req.latency_ms = m.timeout_ms;
    } else {
      req.latency_ms *= rng.Uniform(0.05, 0.5);
    }
  } else if (req.latency_ms > m.timeout_ms) {
    // The client gave up; the tokens generated until then are still billed.
    req.status = "timeout";
    req.error_type = "timeout";
    req.output_tokens = static_cast<int>(
        std::max(0.0, req.output_tokens * (m.timeout_ms - ttft) / std::max(decode, 1.0)));
    req.cost_usd =
        (req.input_tokens * input_price + req.output_tokens * m.output_price_per_m) / 1e6;
    req.latency_ms = m.timeout_ms;
    req.cache_hit = false;
    req.cache_tier = "none";
    return;
  }
  if (failed) {
    req.status = req.error_type == "timeout" ? "timeout" : "error";
    req.output_tokens = 0;
    req.cost_usd = 0;
    req.cache_hit = false;
    req.cache_tier = "none";
  }
}

}  // namespace

TrafficGenerator::TrafficGenerator(DemoOptions options) : options_(std::move(options)) {}

Result<std::vector<IncidentLabel>> TrafficGenerator::Write(std::FILE* out) {
  lines_written_ = 0;
  if (out == nullptr) return Status::InvalidArgument("no output stream");
  if (!(options_.requests_per_s > 0) || !std::isfinite(options_.requests_per_s)) {
    return Status::InvalidArgument(
        fmt::format("requests per second must be > 0, got {}", options_.requests_per_s));
  }
  if (options_.duration_ns <= 0) {
    return Status::InvalidArgument("duration must be > 0");
  }
  if (options_.duration_ns > 366 * kNanosPerDay ||
      options_.start_ns > INT64_MAX - options_.duration_ns - kNanosPerDay) {
    return Status::InvalidArgument("duration must be at most 366 days and end before 2262");
  }
  INFERSCOPE_ASSIGN_OR_RETURN(const std::vector<ModelProfile> models,
                              ModelProfilesFor(options_.models));
  INFERSCOPE_ASSIGN_OR_RETURN(const std::vector<ScheduledIncident> incidents,
                              ScheduleIncidents(options_, models));

  std::vector<double> model_cdf;
  double share_total = 0;
  for (const ModelProfile& m : models) model_cdf.push_back(share_total += m.traffic_share);
  for (double& c : model_cdf) c /= share_total;

  const UserPopulation users;
  const uint64_t seed = options_.seed;
  const uint64_t id_base = MixSeed(seed, kRequestIdSalt) >> 24;  // 40 bits; 12 hex digits
  const TimestampNs end_ns = options_.start_ns + options_.duration_ns;
  const double max_factor = LoadCurve::MaxRateFactor();
  const double mean_gap_ns = 1e9 / (options_.requests_per_s * max_factor);

  LineBuffer buf(out, kBlockBytes);
  // '{"timestamp":"YYYY-MM-DDTHH:MM:SS.' for the current second, rebuilt when it changes.
  std::string line_start;
  int64_t cached_second = INT64_MIN;
  Rng arrivals(MixSeed(seed, kArrivalSalt));
  Request req;
  uint64_t arrival = 0;
  TimestampNs t = options_.start_ns;
  while (true) {
    // A Poisson process with a time-varying rate, by thinning: candidates at the peak rate,
    // each kept with probability rate(t) / peak rate.
    t += static_cast<int64_t>(arrivals.Exponential() * mean_gap_ns);
    if (t >= end_ns) break;
    const double load = LoadCurve::RateFactor(t) / max_factor;
    if (!arrivals.Bernoulli(load)) continue;
    Rng rng(MixSeed(seed, ++arrival));

    const double pick = rng.Uniform();
    const int model = static_cast<int>(std::min<size_t>(
        std::upper_bound(model_cdf.begin(), model_cdf.end(), pick) - model_cdf.begin(),
        models.size() - 1));
    const double keep = rng.Uniform();
    const Effects effects = EffectsAt(incidents, t, model);
    if (keep >= effects.keep_fraction) continue;
    const ModelProfile& m = models[model];
    Simulate(m, users, effects, load, rng, req);

    const int64_t second = t >= 0 ? t / kNanosPerSecond : -((-t - 1) / kNanosPerSecond) - 1;
    if (second != cached_second) {
      cached_second = second;
      std::string iso = FormatIso8601(second * kNanosPerSecond);  // "...THH:MM:SSZ"
      iso.pop_back();
      line_start = fmt::format("{{\"timestamp\":\"{}.", iso);
    }
    INFERSCOPE_RETURN_IF_ERROR(buf.FlushIfFuller(kMaxLineBytes));
    buf.Append(line_start);
    buf.AppendUintPadded(static_cast<uint64_t>((t - second * kNanosPerSecond) / kNanosPerMilli), 3);
    buf.Append("Z\",\"request_id\":\"req-");
    buf.AppendHex(id_base + lines_written_, 12);
    buf.Append("\",\"model\":\"");
    buf.Append(m.name);
    buf.Append("\",\"status\":\"");
    buf.Append(req.status);
    if (!req.error_type.empty()) {
      buf.Append("\",\"error_type\":\"");
      buf.Append(req.error_type);
    }
    buf.Append("\",\"latency_ms\":");
    buf.AppendFixed(req.latency_ms, 1);
    // A failed request never produced a first token.
    if (req.error_type.empty()) {
      buf.Append(",\"ttft_ms\":");
      buf.AppendFixed(req.ttft_ms, 1);
    }
    buf.Append(",\"input_tokens\":");
    buf.AppendInt(req.input_tokens);
    buf.Append(",\"output_tokens\":");
    buf.AppendInt(req.output_tokens);
    buf.Append(",\"cost_usd\":");
    buf.AppendFixed(req.cost_usd, 6);
    // A hosted API behind a gateway does not report its batches or GPUs.
    if (m.self_hosted) {
      buf.Append(",\"batch_size\":");
      buf.AppendInt(req.batch_size);
      buf.Append(",\"batch_fill_ratio\":");
      buf.AppendFixedTrimmed(req.batch_fill, 3);
      buf.Append(",\"gpu_util\":");
      buf.AppendFixed(req.gpu_util, 1);
      buf.Append(",\"memory_used_gb\":");
      buf.AppendFixed(req.memory_gb, 1);
    }
    buf.Append(",\"queue_depth\":");
    buf.AppendInt(req.queue_depth);
    buf.Append(req.cache_hit ? ",\"cache_hit\":true,\"cache_tier\":\""
                             : ",\"cache_hit\":false,\"cache_tier\":\"");
    buf.Append(req.cache_tier);
    buf.Append("\",\"task_type\":\"");
    buf.Append(TaskTypeName(req.task));
    buf.Append("\",\"user\":\"user-");
    buf.AppendUintPadded(static_cast<uint64_t>(req.user_id), 3);
    buf.Append("\",\"service\":\"");
    buf.Append(m.service);
    buf.Append("\"}\n");
    ++lines_written_;
  }
  INFERSCOPE_RETURN_IF_ERROR(buf.Flush());
  if (std::fflush(out) != 0) {
    return Status::IoError(fmt::format("flushing demo traffic: {}", std::strerror(errno)));
  }

  std::vector<IncidentLabel> labels;
  labels.reserve(incidents.size());
  for (const ScheduledIncident& inc : incidents) labels.push_back(inc.label);
  return labels;
}

}  // namespace inferscope
