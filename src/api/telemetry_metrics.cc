#include "api/telemetry_metrics.h"

#include <algorithm>

#include "api/prometheus_text_writer.h"

namespace inferscope {
namespace {

constexpr std::string_view kUnknown = "unknown";
constexpr std::string_view kOther = "other";

std::string OrUnknown(std::string_view value) {
  return value.empty() ? std::string(kUnknown) : std::string(value);
}

// A raw JSON attribute value as a label: strings unquoted (simple escapes only), others as
// written.
std::string AttributeText(std::string_view raw) {
  if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') {
    std::string out;
    for (size_t i = 1; i + 1 < raw.size(); ++i) {
      if (raw[i] == '\\' && i + 2 < raw.size()) ++i;
      out += raw[i];
    }
    return out;
  }
  return std::string(raw);
}

std::string_view FindAttribute(const Event& event, std::initializer_list<std::string_view> keys) {
  for (const auto& [key, value] : event.attributes) {
    for (std::string_view k : keys) {
      if (key == k) return value;
    }
  }
  return {};
}

}  // namespace

const std::vector<double>& TelemetryMetrics::LatencyBoundsSeconds() {
  static const std::vector<double> bounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                             1,     2.5,  5,     10,   30,  60};
  return bounds;
}

const std::vector<double>& TelemetryMetrics::TokenBounds() {
  static const std::vector<double> bounds = {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536};
  return bounds;
}

const std::vector<double>& TelemetryMetrics::BatchSizeBounds() {
  static const std::vector<double> bounds = {1, 2, 4, 8, 16, 32, 64, 128, 256};
  return bounds;
}

void TelemetryMetrics::Histogram::Add(const std::vector<double>& bounds, double value) {
  if (counts.empty()) counts.assign(bounds.size() + 1, 0);
  size_t i =
      static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), value) - bounds.begin());
  ++counts[i];
  sum += value;
}

TelemetryMetrics::TelemetryMetrics(TelemetryMetricsOptions options)
    : options_(std::move(options)) {}

template <typename Map, typename Key>
typename Map::mapped_type& TelemetryMetrics::Slot(Map& map, Key key, Key overflow) {
  auto it = map.find(key);
  if (it != map.end()) return it->second;
  if (map.size() >= options_.max_series_per_family) return map[overflow];
  return map[std::move(key)];
}

void TelemetryMetrics::Record(const Event& event) {
  std::string model = OrUnknown(event.model);
  std::string task = OrUnknown(event.task_type);
  std::string tier = OrUnknown(event.cache_tier);
  const std::string other(kOther);

  std::lock_guard<std::mutex> lock(mu_);
  ++Slot(requests_, Key3{model, task, tier}, Key3{other, other, other});
  if (event.Has(EventField::kCostUsd)) {
    Slot(cost_, model, other) += event.Get(EventField::kCostUsd);
  }
  if (event.Has(EventField::kLatencyMs)) {
    Slot(latency_, Key2{model, tier}, Key2{other, other})
        .Add(LatencyBoundsSeconds(), event.Get(EventField::kLatencyMs) / 1000.0);
  }
  if (event.Has(EventField::kCacheHit)) {
    CacheCounts& c = Slot(cache_, tier, other);
    if (event.Get(EventField::kCacheHit) >= 0.5) {
      ++c.hits;
    } else {
      ++c.misses;
    }
  }
  if (event.Has(EventField::kInputTokens)) {
    tokens_[0].Add(TokenBounds(), event.Get(EventField::kInputTokens));
  }
  if (event.Has(EventField::kOutputTokens)) {
    tokens_[1].Add(TokenBounds(), event.Get(EventField::kOutputTokens));
  }
  if (event.Has(EventField::kBatchSize)) {
    batch_size_.Add(BatchSizeBounds(), event.Get(EventField::kBatchSize));
  }
  if (event.status != EventStatus::kOk) {
    std::string_view type_attr = FindAttribute(event, {"error.type", "error_type"});
    std::string error_type = !type_attr.empty() ? AttributeText(type_attr)
                             : !event.status_text.empty()
                                 ? std::string(event.status_text)
                                 : std::string(EventStatusName(event.status));
    std::string_view component_attr = FindAttribute(event, {"component"});
    std::string component =
        !component_attr.empty() ? AttributeText(component_attr) : OrUnknown(event.service);
    ++Slot(errors_, Key2{error_type, component}, Key2{other, other});
  }
}

void TelemetryMetrics::SetFiringAnomalies(
    const std::map<std::pair<std::string, std::string>, int>& firing) {
  std::lock_guard<std::mutex> lock(mu_);
  firing_ = firing;
}

void TelemetryMetrics::Render(std::string* out) const {
  const std::string& p = options_.prefix;
  PrometheusTextWriter w(out);
  std::lock_guard<std::mutex> lock(mu_);

  w.Family(p + "requests_total", "counter", "Inference requests ingested.");
  for (const auto& [key, n] : requests_) {
    const auto& [model, task, tier] = key;
    w.Sample(p + "requests_total", {{"model", model}, {"task_type", task}, {"cache_tier", tier}},
             static_cast<double>(n));
  }
  w.Family(p + "cost_dollars_total", "counter", "Cost of the ingested requests in US dollars.");
  for (const auto& [model, dollars] : cost_) {
    w.Sample(p + "cost_dollars_total", {{"model", model}}, dollars);
  }
  w.Family(p + "latency_seconds", "histogram", "End-to-end request latency in seconds.");
  for (const auto& [key, h] : latency_) {
    w.Histogram(p + "latency_seconds", {{"model", key.first}, {"cache_tier", key.second}},
                LatencyBoundsSeconds(), h.counts, h.sum);
  }
  w.Family(p + "cache_hits_total", "counter", "Requests answered from a cache, per tier.");
  for (const auto& [tier, c] : cache_) {
    w.Sample(p + "cache_hits_total", {{"tier", tier}}, static_cast<double>(c.hits));
  }
  w.Family(p + "cache_misses_total", "counter", "Requests that missed the cache, per tier.");
  for (const auto& [tier, c] : cache_) {
    w.Sample(p + "cache_misses_total", {{"tier", tier}}, static_cast<double>(c.misses));
  }
  w.Family(p + "cache_hit_rate", "gauge",
           "Cache hits over hits plus misses since start, per tier (0..1).");
  for (const auto& [tier, c] : cache_) {
    w.Sample(p + "cache_hit_rate", {{"tier", tier}},
             static_cast<double>(c.hits) / static_cast<double>(c.hits + c.misses));
  }
  w.Family(p + "token_count", "histogram", "Tokens per request, by direction.");
  const char* directions[] = {"input", "output"};
  for (int i = 0; i < 2; ++i) {
    if (tokens_[i].counts.empty()) continue;
    w.Histogram(p + "token_count", {{"direction", directions[i]}}, TokenBounds(), tokens_[i].counts,
                tokens_[i].sum);
  }
  w.Family(p + "errors_total", "counter", "Failed requests by error type and component.");
  for (const auto& [key, n] : errors_) {
    w.Sample(p + "errors_total", {{"error_type", key.first}, {"component", key.second}},
             static_cast<double>(n));
  }
  w.Family(p + "batch_size", "histogram", "Batch size the request was served in.");
  if (!batch_size_.counts.empty()) {
    w.Histogram(p + "batch_size", {}, BatchSizeBounds(), batch_size_.counts, batch_size_.sum);
  }
  w.Family(p + "anomalies_firing", "gauge", "Anomalies currently firing, by kind and severity.");
  for (const auto& [key, n] : firing_) {
    w.Sample(p + "anomalies_firing", {{"kind", key.first}, {"severity", key.second}},
             static_cast<double>(n));
  }
}

}  // namespace inferscope
