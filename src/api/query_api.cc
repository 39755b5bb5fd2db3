#include "api/query_api.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <tuple>
#include <unordered_map>

#include "core/json_writer.h"
#include "core/time_format.h"
#include "insight/event_csv_exporter.h"
#include "stats/time_rollup.h"
#include "store/user_rollup_table.h"

namespace inferscope {
namespace {

constexpr int64_t kDefaultWindowNs = kNanosPerHour;
constexpr int64_t kMaxRangeNs = 400 * kNanosPerDay;
constexpr size_t kMaxTrendPoints = 2000;

struct TimeRange {
  TimestampNs from = 0;
  TimestampNs to = 0;
};

// from/to (RFC 3339 or unix seconds) or window (duration back from `to`, default now).
Result<TimeRange> ParseRange(const ApiRequest& req, const Clock& clock) {
  TimeRange range;
  range.to = clock.Now();
  if (const std::string* to = req.Query("to")) {
    auto t = ParseUserTime(*to);
    if (!t.ok()) return Status::InvalidArgument("to: " + t.status().message());
    range.to = *t;
  }
  if (const std::string* from = req.Query("from")) {
    if (req.Query("window") != nullptr) {
      return Status::InvalidArgument("give either from or window, not both");
    }
    auto t = ParseUserTime(*from);
    if (!t.ok()) return Status::InvalidArgument("from: " + t.status().message());
    range.from = *t;
  } else {
    int64_t window = kDefaultWindowNs;
    if (const std::string* w = req.Query("window")) {
      auto d = ParseDuration(*w);
      if (!d.ok()) return Status::InvalidArgument("window: " + d.status().message());
      window = *d;
    }
    range.from = range.to - window;
  }
  if (range.from >= range.to) return Status::InvalidArgument("from must be before to");
  if (range.to - range.from > kMaxRangeNs) {
    return Status::InvalidArgument("time range longer than 400 days");
  }
  return range;
}

struct Grouping {
  bool model = false;
  bool task_type = false;
  bool cache_tier = false;
  bool user = false;  // trends only (per-user hourly rollups)
};

Result<Grouping> ParseGroupBy(const ApiRequest& req, bool default_model, bool allow_user) {
  Grouping g;
  const std::string* text = req.Query("group_by");
  if (text == nullptr) {
    g.model = default_model;
    return g;
  }
  std::string_view rest = *text;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view part = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (part == "model") {
      g.model = true;
    } else if (part == "task_type") {
      g.task_type = true;
    } else if (part == "cache_tier" || part == "tier") {
      g.cache_tier = true;
    } else if (part == "user") {
      if (!allow_user) {
        return Status::InvalidArgument("group_by: 'user' is supported by /api/v1/trends only");
      }
      g.user = true;
    } else if (part == "none" || part.empty()) {
    } else {
      return Status::InvalidArgument("group_by: unknown dimension '" + std::string(part) +
                                     "' (model, task_type, cache_tier" +
                                     (allow_user ? ", user" : "") + ", none)");
    }
  }
  if (g.user && (g.task_type || g.cache_tier || req.Query("task_type") != nullptr ||
                 req.Query("cache_tier") != nullptr)) {
    return Status::InvalidArgument(
        "group_by=user combines with model only: per-user rollups are not kept per task_type "
        "or cache_tier");
  }
  return g;
}

RollupQuery MakeRollupQuery(const ApiRequest& req, const TimeRange& range, const Grouping& g,
                            int64_t step) {
  RollupQuery q;
  q.start_ns = range.from;
  q.end_ns = range.to;
  q.step_ns = step;
  if (const std::string* m = req.Query("model")) q.model = *m;
  if (const std::string* t = req.Query("task_type")) q.task_type = *t;
  if (const std::string* c = req.Query("cache_tier")) q.cache_tier = *c;
  q.by_model = g.model;
  q.by_task_type = g.task_type;
  q.by_cache_tier = g.cache_tier;
  return q;
}

void WriteLabels(JsonWriter& w, const RollupKey& key, const Grouping& g) {
  w.Key("labels").BeginObject();
  if (g.model) w.Key("model").String(key.model);
  if (g.task_type) w.Key("task_type").String(key.task_type);
  if (g.cache_tier) w.Key("cache_tier").String(key.cache_tier);
  w.EndObject();
}

// A metric of one bucket; NaN when it has no value (no records carrying the field).
struct MetricDef {
  std::string_view name;
  bool count_like;  // 0 (not null) for an empty bucket
  double (*value)(const BucketStats&);
  // For percentiles: the quantile of `sketch`, computed by the store (RollupQuery::quantiles)
  // so that no sketch is copied per row; NaN for the others, which read counters and sums.
  double quantile = std::nan("");
  RollupSketch sketch = RollupSketch::kLatency;
};

double Rate(uint64_t part, uint64_t whole) {
  return whole == 0 ? std::nan("") : static_cast<double>(part) / static_cast<double>(whole);
}
double LatencyQuantile(const BucketStats& b, double q) {
  return b.latency_ms.count() == 0 ? std::nan("") : b.latency_ms.Quantile(q);
}
double TtftQuantile(const BucketStats& b, double q) {
  return b.ttft_ms.count() == 0 ? std::nan("") : b.ttft_ms.Quantile(q);
}
double SumIfPresent(const BucketStats& b, EventField f) {
  return b.Present(f) == 0 ? 0.0 : b.Sum(f);
}

const MetricDef kMetrics[] = {
    {"requests", true, [](const BucketStats& b) { return static_cast<double>(b.requests); }},
    {"errors", true, [](const BucketStats& b) { return static_cast<double>(b.errors); }},
    {"timeouts", true, [](const BucketStats& b) { return static_cast<double>(b.timeouts); }},
    {"error_rate", false, [](const BucketStats& b) { return Rate(b.errors, b.requests); }},
    {"latency_mean_ms", false, [](const BucketStats& b) { return b.Mean(EventField::kLatencyMs); }},
    {"latency_p50_ms", false, [](const BucketStats& b) { return LatencyQuantile(b, 0.5); }, 0.5},
    {"latency_p90_ms", false, [](const BucketStats& b) { return LatencyQuantile(b, 0.9); }, 0.9},
    {"latency_p95_ms", false, [](const BucketStats& b) { return LatencyQuantile(b, 0.95); }, 0.95},
    {"latency_p99_ms", false, [](const BucketStats& b) { return LatencyQuantile(b, 0.99); }, 0.99},
    {"ttft_mean_ms", false, [](const BucketStats& b) { return b.Mean(EventField::kTtftMs); }},
    {"ttft_p50_ms", false, [](const BucketStats& b) { return TtftQuantile(b, 0.5); }, 0.5,
     RollupSketch::kTtft},
    {"ttft_p90_ms", false, [](const BucketStats& b) { return TtftQuantile(b, 0.9); }, 0.9,
     RollupSketch::kTtft},
    {"ttft_p95_ms", false, [](const BucketStats& b) { return TtftQuantile(b, 0.95); }, 0.95,
     RollupSketch::kTtft},
    {"ttft_p99_ms", false, [](const BucketStats& b) { return TtftQuantile(b, 0.99); }, 0.99,
     RollupSketch::kTtft},
    {"gpu_util", false, [](const BucketStats& b) { return b.Mean(EventField::kGpuUtil); }},
    {"queue_depth", false, [](const BucketStats& b) { return b.Mean(EventField::kQueueDepth); }},
    {"batch_size", false, [](const BucketStats& b) { return b.Mean(EventField::kBatchSize); }},
    {"batch_fill_ratio", false,
     [](const BucketStats& b) { return b.Mean(EventField::kBatchFillRatio); }},
    {"memory_used_gb", false,
     [](const BucketStats& b) { return b.Mean(EventField::kMemoryUsedGb); }},
    {"quality_score", false,
     [](const BucketStats& b) { return b.Mean(EventField::kQualityScore); }},
    {"cache_hit_rate", false, [](const BucketStats& b) { return b.Mean(EventField::kCacheHit); }},
    {"input_tokens", true,
     [](const BucketStats& b) { return SumIfPresent(b, EventField::kInputTokens); }},
    {"output_tokens", true,
     [](const BucketStats& b) { return SumIfPresent(b, EventField::kOutputTokens); }},
    {"tokens", true,
     [](const BucketStats& b) {
       return SumIfPresent(b, EventField::kInputTokens) +
              SumIfPresent(b, EventField::kOutputTokens);
     }},
    {"cost_usd", true, [](const BucketStats& b) { return SumIfPresent(b, EventField::kCostUsd); }},
};

const MetricDef* FindMetric(std::string_view name) {
  for (const MetricDef& m : kMetrics) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

std::string MetricNames() {
  std::string out;
  for (const MetricDef& m : kMetrics) {
    if (!out.empty()) out += ", ";
    out += m.name;
  }
  return out;
}

void NumberOrNull(JsonWriter& w, double v) {
  if (std::isnan(v)) {
    w.Null();
  } else {
    w.Number(v);
  }
}

void WriteRange(JsonWriter& w, const TimeRange& range) {
  w.Key("from").String(FormatIso8601(range.from));
  w.Key("to").String(FormatIso8601(range.to));
}

// The aggregates of one merged bucket, as summary and models print them.
void WriteAggregates(JsonWriter& w, const BucketStats& b) {
  w.Key("requests").Uint(b.requests);
  w.Key("errors").Uint(b.errors);
  w.Key("timeouts").Uint(b.timeouts);
  w.Key("error_rate");
  NumberOrNull(w, Rate(b.errors, b.requests));
  w.Key("latency_ms").BeginObject();
  w.Key("mean");
  NumberOrNull(w, b.Mean(EventField::kLatencyMs));
  for (auto [label, q] : {std::pair{"p50", 0.5}, {"p90", 0.9}, {"p95", 0.95}, {"p99", 0.99}}) {
    w.Key(label);
    NumberOrNull(w, LatencyQuantile(b, q));
  }
  w.Key("max");
  NumberOrNull(w, b.latency_ms.count() == 0 ? std::nan("") : b.latency_ms.max());
  w.EndObject();
  w.Key("ttft_mean_ms");
  NumberOrNull(w, b.Mean(EventField::kTtftMs));
  w.Key("ttft_ms").BeginObject();
  w.Key("mean");
  NumberOrNull(w, b.Mean(EventField::kTtftMs));
  for (auto [label, q] : {std::pair{"p50", 0.5}, {"p90", 0.9}, {"p95", 0.95}, {"p99", 0.99}}) {
    w.Key(label);
    NumberOrNull(w, TtftQuantile(b, q));
  }
  w.Key("max");
  NumberOrNull(w, b.ttft_ms.count() == 0 ? std::nan("") : b.ttft_ms.max());
  w.EndObject();
  w.Key("input_tokens").Number(SumIfPresent(b, EventField::kInputTokens));
  w.Key("output_tokens").Number(SumIfPresent(b, EventField::kOutputTokens));
  w.Key("cost_usd").Number(SumIfPresent(b, EventField::kCostUsd));
  w.Key("cache_hit_rate");
  NumberOrNull(w, b.Mean(EventField::kCacheHit));
  w.Key("gpu_util_mean");
  NumberOrNull(w, b.Mean(EventField::kGpuUtil));
  w.Key("batch_fill_ratio_mean");
  NumberOrNull(w, b.Mean(EventField::kBatchFillRatio));
}

// Parses "0.5,0.95,0.99"; each in (0, 1).
Result<std::vector<double>> ParseQuantiles(const std::string* text) {
  if (text == nullptr) return std::vector<double>{0.5, 0.9, 0.95, 0.99};
  std::vector<double> out;
  std::string_view rest = *text;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view part = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    double q = 0;
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), q);
    if (ec != std::errc() || ptr != part.data() + part.size() || !(q > 0 && q < 1)) {
      return Status::InvalidArgument("q: expected numbers in (0, 1) like 0.5,0.99, got '" +
                                     std::string(part) + "'");
    }
    out.push_back(q);
  }
  if (out.empty() || out.size() > 20) {
    return Status::InvalidArgument("q: give 1 to 20 quantiles");
  }
  return out;
}

std::string QuantileLabel(double q) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "p%g", q * 100);
  return buf;
}

Result<uint64_t> ParseCount(const std::string* text, uint64_t fallback, uint64_t max,
                            std::string_view name) {
  if (text == nullptr) return fallback;
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || ptr != text->data() + text->size() || v == 0 || v > max) {
    return Status::InvalidArgument(std::string(name) + ": expected a number from 1 to " +
                                   std::to_string(max) + ", got '" + *text + "'");
  }
  return v;
}

void WriteEventJson(JsonWriter& w, const StoredEvent& e) {
  w.BeginObject();
  w.Key("id").String(std::to_string(e.id));
  w.Key("timestamp").String(FormatIso8601(e.timestamp_ns, true));
  w.Key("status").String(EventStatusName(e.status));
  auto str = [&](std::string_view key, const std::string& v) {
    if (!v.empty()) w.Key(key).String(v);
  };
  str("request_id", e.request_id);
  str("model", e.model);
  str("status_text", e.status_text);
  for (int f = 0; f < kEventFieldCount; ++f) {
    auto field = static_cast<EventField>(f);
    if (e.Has(field)) w.Key(EventFieldName(field)).Number(e.Get(field));
  }
  str("cache_tier", e.cache_tier);
  str("task_type", e.task_type);
  str("user", e.user);
  str("service", e.service);
  str("trace_id", e.trace_id);
  str("span_id", e.span_id);
  str("parent_span_id", e.parent_span_id);
  if (!e.attributes.empty()) {
    w.Key("attributes").BeginObject();
    for (const auto& [key, value] : e.attributes) w.Key(key).Raw(value);
    w.EndObject();
  }
  w.EndObject();
}

// The RFC 3339 time of every interval of the range, formatted once per answer (not once per
// series and point).
std::vector<std::string> IntervalTimes(const TimeRange& range, int64_t step) {
  std::vector<std::string> times;
  times.reserve(static_cast<size_t>((range.to - range.from + step - 1) / step));
  for (TimestampNs t = range.from; t < range.to; t += step) times.push_back(FormatIso8601(t));
  return times;
}

// A series' "points": [time, value] for every interval of the range, in order (`times` from
// IntervalTimes). value_at(t) is the bucket's value (NaN: no value, written null), or nullopt
// for a bucket without events: 0 for count-like metrics, null otherwise.
template <typename ValueAt>
void WritePoints(JsonWriter& w, const TimeRange& range, int64_t step,
                 const std::vector<std::string>& times, bool count_like, ValueAt&& value_at) {
  w.Key("points").BeginArray();
  size_t i = 0;
  for (TimestampNs t = range.from; t < range.to; t += step, ++i) {
    w.BeginArray();
    w.String(times[i]);
    if (std::optional<double> v = value_at(t)) {
      NumberOrNull(w, *v);
    } else if (count_like) {
      w.Number(0);
    } else {
      w.Null();
    }
    w.EndArray();
  }
  w.EndArray();
}

// trends with group_by=user: the per-user hourly rollups, the `top` (default 10) users by
// the metric's total over the range (count-like metrics) or by requests (the others), and
// the remaining users merged per bucket into "(other)" (per model when grouped by model).
//
// Two store queries, neither of which reads every user of every hour: the ranking over the
// whole range (whole days come from the store's day tier), then the shown users' buckets
// with the rest merged (the store looks the shown users' cells up and derives "(other)" from
// per-model totals).
void UserTrends(EventStore* store, const ApiRequest& req, const MetricDef& metric,
                const TimeRange& range, bool by_model, int64_t step, ApiResponse& res) {
  auto top = ParseCount(req.Query("top"), 10, 1000, "top");
  if (!top.ok()) return res.Error(top.status());
  UserRollupQuery query;
  query.start_ns = range.from;
  query.end_ns = range.to;
  query.step_ns = 0;  // the ranking: one bucket
  query.by_model = by_model;
  if (const std::string* m = req.Query("model")) query.model = *m;
  auto totals = store->QueryUserRollups(query);
  if (!totals.ok()) return res.Error(totals.status());

  BucketStats scratch;  // the metric reads counters only: no sketch is built per value
  auto value_of = [&](const EventCounters& c) {
    static_cast<EventCounters&>(scratch) = c;
    return metric.value(scratch);
  };
  std::vector<std::pair<double, const UserRollupRow*>> ranked;
  for (const UserRollupRow& row : *totals) {
    if (row.user == UserRollupTable::kOtherUser) continue;
    const double rank =
        metric.count_like ? value_of(row.counters) : static_cast<double>(row.counters.requests);
    ranked.emplace_back(std::isnan(rank) ? -1.0 : rank, &row);
  }
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return std::tie(a.second->model, a.second->user) < std::tie(b.second->model, b.second->user);
  });
  const size_t shown = std::min<size_t>(*top, ranked.size());
  query.step_ns = step;
  query.only.emplace();
  for (size_t i = 0; i < shown; ++i) {
    query.only->emplace_back(ranked[i].second->model, ranked[i].second->user);
  }
  query.merge_rest = true;
  auto rows = store->QueryUserRollups(query);
  if (!rows.ok()) return res.Error(rows.status());

  // Per shown key its rows, per model its "(other)" rows, each in time order (rows come
  // sorted by time, then key).
  using Key = std::pair<std::string_view, std::string_view>;  // (model, user)
  struct KeyHash {
    size_t operator()(const Key& k) const {
      return std::hash<std::string_view>()(k.first) * 31 + std::hash<std::string_view>()(k.second);
    }
  };
  std::unordered_map<Key, size_t, KeyHash> series_of;  // -> index into series
  std::vector<std::vector<const UserRollupRow*>> series(shown);
  for (size_t i = 0; i < shown; ++i) {
    series_of.emplace(Key(ranked[i].second->model, ranked[i].second->user), i);
  }
  std::map<std::string_view, std::vector<const UserRollupRow*>> other;
  for (const UserRollupRow& row : *rows) {
    if (row.user == UserRollupTable::kOtherUser) {
      other[row.model].push_back(&row);
    } else if (auto it = series_of.find(Key(row.model, row.user)); it != series_of.end()) {
      series[it->second].push_back(&row);
    }
  }

  std::string out;
  out.reserve(4096 + rows->size() * 48);  // ~45 bytes a point: no regrowth copies
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("metric").String(metric.name);
  WriteRange(w, range);
  w.Key("interval_seconds").Int(step / kNanosPerSecond);
  w.Key("users").Int(static_cast<int64_t>(ranked.size()));
  const std::vector<std::string> times = IntervalTimes(range, step);
  w.Key("series").BeginArray();
  auto write_series = [&](std::string_view model, std::string_view user,
                          const std::vector<const UserRollupRow*>& key_rows) {
    w.BeginObject();
    w.Key("labels").BeginObject();
    if (by_model) w.Key("model").String(model);
    w.Key("user").String(user);
    w.EndObject();
    size_t next = 0;
    WritePoints(w, range, step, times, metric.count_like,
                [&](TimestampNs t) -> std::optional<double> {
                  if (next < key_rows.size() && key_rows[next]->start_ns == t) {
                    return value_of(key_rows[next++]->counters);
                  }
                  return std::nullopt;
                });
    w.EndObject();
  };
  for (size_t i = 0; i < shown; ++i) {
    write_series(ranked[i].second->model, ranked[i].second->user, series[i]);
  }
  for (const auto& [model, key_rows] : other) {
    write_series(model, UserRollupTable::kOtherUser, key_rows);
  }
  w.EndArray();
  w.EndObject();
  res.Json(200, std::move(out));
}

}  // namespace

void QueryApi::Register(HttpServer& server) {
  auto bind = [this](void (QueryApi::*method)(const ApiRequest&, ApiResponse&) const) {
    return [this, method](const ApiRequest& req, ApiResponse& res) { (this->*method)(req, res); };
  };
  server.Route("GET", "/api/v1/summary", AuthScope::kApi, "summary", bind(&QueryApi::Summary));
  server.Route("GET", "/api/v1/percentiles", AuthScope::kApi, "percentiles",
               bind(&QueryApi::Percentiles));
  server.Route("GET", "/api/v1/trends", AuthScope::kApi, "trends", bind(&QueryApi::Trends));
  server.Route("GET", "/api/v1/models", AuthScope::kApi, "models", bind(&QueryApi::Models));
  server.Route("GET", "/api/v1/events", AuthScope::kApi, "events", bind(&QueryApi::Events));
}

void QueryApi::Summary(const ApiRequest& req, ApiResponse& res) const {
  auto range = ParseRange(req, *clock_);
  if (!range.ok()) return res.Error(range.status());
  if (req.Query("group_by") != nullptr) {
    return res.Error(Status::InvalidArgument(
        "group_by: the summary is one total over the fleet (filter with model=); use "
        "/api/v1/models for aggregates per model, or percentiles/trends with group_by"));
  }
  Grouping by_model{.model = true};
  auto rows = store_->QueryRollups(MakeRollupQuery(req, *range, by_model, 0));
  if (!rows.ok()) return res.Error(rows.status());
  BucketStats total;
  for (const RollupRow& row : *rows) total.Merge(row.stats);
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  WriteRange(w, *range);
  w.Key("models").Uint(rows->size());
  WriteAggregates(w, total);
  w.EndObject();
  res.Json(200, std::move(out));
}

void QueryApi::Percentiles(const ApiRequest& req, ApiResponse& res) const {
  auto range = ParseRange(req, *clock_);
  if (!range.ok()) return res.Error(range.status());
  const std::string* metric = req.Query("metric");
  if (metric != nullptr && *metric != "latency_ms" && *metric != "ttft_ms") {
    return res.Error(Status::InvalidArgument(
        "metric: percentiles are kept for latency_ms and ttft_ms, got '" + *metric + "'"));
  }
  const bool ttft = metric != nullptr && *metric == "ttft_ms";
  const RollupSketch sketch = ttft ? RollupSketch::kTtft : RollupSketch::kLatency;
  auto quantiles = ParseQuantiles(req.Query("q"));
  if (!quantiles.ok()) return res.Error(quantiles.status());
  auto grouping = ParseGroupBy(req, /*default_model=*/true, /*allow_user=*/false);
  if (!grouping.ok()) return res.Error(grouping.status());
  auto rows = store_->QueryRollups(MakeRollupQuery(req, *range, *grouping, 0));
  if (!rows.ok()) return res.Error(rows.status());
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("metric").String(ttft ? "ttft_ms" : "latency_ms");
  WriteRange(w, *range);
  w.Key("relative_accuracy").Number(SketchOf(BucketStats(), sketch).relative_accuracy());
  w.Key("groups").BeginArray();
  for (const RollupRow& row : *rows) {
    w.BeginObject();
    WriteLabels(w, row.key, *grouping);
    const DDSketch& values = SketchOf(row.stats, sketch);
    w.Key("count").Uint(values.count());
    w.Key("values").BeginObject();
    for (double q : *quantiles) {
      w.Key(QuantileLabel(q));
      NumberOrNull(w, values.count() == 0 ? std::nan("") : values.Quantile(q));
    }
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  res.Json(200, std::move(out));
}

void QueryApi::Trends(const ApiRequest& req, ApiResponse& res) const {
  const std::string* metric_name = req.Query("metric");
  if (metric_name == nullptr) {
    return res.Error(Status::InvalidArgument("metric is required (" + MetricNames() + ")"));
  }
  const MetricDef* metric = FindMetric(*metric_name);
  if (metric == nullptr) {
    return res.Error(
        Status::InvalidArgument("metric: unknown '" + *metric_name + "' (" + MetricNames() + ")"));
  }
  auto range = ParseRange(req, *clock_);
  if (!range.ok()) return res.Error(range.status());
  auto grouping = ParseGroupBy(req, /*default_model=*/false, /*allow_user=*/true);
  if (!grouping.ok()) return res.Error(grouping.status());
  const bool quantile = !std::isnan(metric->quantile);
  if (grouping->user && quantile) {
    return res.Error(Status::InvalidArgument(
        "metric: per-user rollups keep counters and sums only, so '" + *metric_name +
        "' is not available with group_by=user (use latency_mean_ms, ttft_mean_ms, requests, "
        "errors, error_rate, cost_usd, tokens, ...)"));
  }
  // Align the range to whole minutes, as the rollups are (hours for the per-user ones).
  const int64_t unit = grouping->user ? kNanosPerHour : kNanosPerMinute;
  const char* unit_name = grouping->user ? "hours (group_by=user)" : "minutes";
  range->from = FloorDiv(range->from, unit) * unit;
  range->to = FloorDiv(range->to + unit - 1, unit) * unit;
  const int64_t span = range->to - range->from;
  int64_t step = 0;
  if (const std::string* interval = req.Query("interval")) {
    auto d = ParseDuration(*interval);
    if (!d.ok()) return res.Error(Status::InvalidArgument("interval: " + d.status().message()));
    if (*d < unit || *d % unit != 0) {
      return res.Error(
          Status::InvalidArgument(std::string("interval: must be a whole number of ") + unit_name));
    }
    step = *d;
  } else if (grouping->user) {
    // Hours up to two days (the per-user hours the store keeps cached), else days: a day
    // step reads the in-memory day tier, where any shorter one reads every hour of the range
    // back from the segments (docs/serve.md, "Per-user trends").
    step = span <= 2 * kNanosPerDay ? kNanosPerHour : kNanosPerDay;
  } else {
    // About 120 points, in whole units.
    step = std::max<int64_t>(1, span / 120 / unit) * unit;
  }
  const int64_t points = (span + step - 1) / step;
  if (points > static_cast<int64_t>(kMaxTrendPoints)) {
    return res.Error(Status::InvalidArgument("interval: " + std::to_string(points) +
                                             " points requested, at most " +
                                             std::to_string(kMaxTrendPoints)));
  }
  if (grouping->user) return UserTrends(store_, req, *metric, *range, grouping->model, step, res);
  RollupQuery query = MakeRollupQuery(req, *range, *grouping, step);
  query.keep_sketches = false;
  if (quantile) {
    query.quantiles = {metric->quantile};
    query.quantile_sketch = metric->sketch;
  }
  auto rows = store_->QueryRollups(query);
  if (!rows.ok()) return res.Error(rows.status());

  // Series in key order. Rows come in (time, key) order, each bucket's keys mostly those of
  // the previous bucket in the same order: a cursor over the series finds them without a
  // lookup, the index is the fallback.
  std::vector<std::pair<const RollupKey*, std::vector<const RollupRow*>>> series;
  std::map<RollupKey, size_t> series_index;
  size_t cursor = 0;
  TimestampNs bucket = INT64_MIN;
  for (const RollupRow& row : *rows) {
    if (row.start_ns != bucket) {
      bucket = row.start_ns;
      cursor = 0;
    }
    if (cursor >= series.size() || *series[cursor].first != row.key) {
      auto [it, added] = series_index.try_emplace(row.key, series.size());
      if (added) series.emplace_back(&row.key, std::vector<const RollupRow*>());
      cursor = it->second;
    }
    series[cursor++].second.push_back(&row);
  }
  std::sort(series.begin(), series.end(),
            [](const auto& a, const auto& b) { return *a.first < *b.first; });
  const std::vector<std::string> times = IntervalTimes(*range, step);
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("metric").String(metric->name);
  WriteRange(w, *range);
  w.Key("interval_seconds").Int(step / kNanosPerSecond);
  w.Key("series").BeginArray();
  for (const auto& entry : series) {
    const auto& key_rows = entry.second;  // not a binding: captured below (clang 14)
    w.BeginObject();
    WriteLabels(w, *entry.first, *grouping);
    size_t next = 0;
    WritePoints(w, *range, step, times, metric->count_like,
                [&](TimestampNs t) -> std::optional<double> {
                  if (next == key_rows.size() || key_rows[next]->start_ns != t) return std::nullopt;
                  const RollupRow& row = *key_rows[next++];
                  return quantile ? row.quantiles[0] : metric->value(row.stats);
                });
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  res.Json(200, std::move(out));
}

void QueryApi::Models(const ApiRequest& req, ApiResponse& res) const {
  auto range = ParseRange(req, *clock_);
  if (!range.ok()) return res.Error(range.status());
  Grouping by_model{.model = true};
  auto rows = store_->QueryRollups(MakeRollupQuery(req, *range, by_model, 0));
  if (!rows.ok()) return res.Error(rows.status());
  std::vector<const RollupRow*> sorted;
  for (const RollupRow& row : *rows) sorted.push_back(&row);
  std::sort(sorted.begin(), sorted.end(), [](const RollupRow* a, const RollupRow* b) {
    return a->stats.requests != b->stats.requests ? a->stats.requests > b->stats.requests
                                                  : a->key.model < b->key.model;
  });
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  WriteRange(w, *range);
  w.Key("models").BeginArray();
  for (const RollupRow* row : sorted) {
    w.BeginObject();
    w.Key("model").String(row->key.model);
    WriteAggregates(w, row->stats);
    double cost = SumIfPresent(row->stats, EventField::kCostUsd);
    w.Key("cost_per_1k_requests_usd")
        .Number(row->stats.requests == 0
                    ? 0.0
                    : cost * 1000.0 / static_cast<double>(row->stats.requests));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  res.Json(200, std::move(out));
}

void QueryApi::Events(const ApiRequest& req, ApiResponse& res) const {
  ScanRequest scan;
  if (req.Query("from") != nullptr || req.Query("to") != nullptr ||
      req.Query("window") != nullptr) {
    auto range = ParseRange(req, *clock_);
    if (!range.ok()) return res.Error(range.status());
    scan.filter.start_ns = range->from;
    scan.filter.end_ns = range->to;
  }
  if (const std::string* m = req.Query("model")) scan.filter.model = *m;
  if (const std::string* t = req.Query("trace_id")) scan.filter.trace_id = *t;
  if (const std::string* s = req.Query("status")) {
    if (*s == "ok") {
      scan.filter.status = EventStatus::kOk;
    } else if (*s == "error") {
      scan.filter.status = EventStatus::kError;
    } else if (*s == "timeout") {
      scan.filter.status = EventStatus::kTimeout;
    } else {
      return res.Error(
          Status::InvalidArgument("status: expected ok, error or timeout, got '" + *s + "'"));
    }
  }
  if (const std::string* l = req.Query("min_latency_ms")) {
    double v = 0;
    auto [ptr, ec] = std::from_chars(l->data(), l->data() + l->size(), v);
    if (ec != std::errc() || ptr != l->data() + l->size() || !(v >= 0)) {
      return res.Error(
          Status::InvalidArgument("min_latency_ms: expected a number >= 0, got '" + *l + "'"));
    }
    scan.filter.min_latency_ms = v;
  }
  auto limit = ParseCount(req.Query("limit"), 100, 10000, "limit");
  if (!limit.ok()) return res.Error(limit.status());
  scan.limit = *limit;
  if (const std::string* c = req.Query("cursor")) scan.cursor = *c;
  if (const std::string* o = req.Query("order")) {
    if (*o == "asc") {
      scan.order = ScanOrder::kOldestFirst;
    } else if (*o == "desc") {
      scan.order = ScanOrder::kNewestFirst;
    } else {
      return res.Error(Status::InvalidArgument("order: expected asc or desc, got '" + *o + "'"));
    }
  }
  bool csv = false;
  if (const std::string* f = req.Query("format")) {
    if (*f == "csv") {
      csv = true;
    } else if (*f != "json") {
      return res.Error(Status::InvalidArgument("format: expected json or csv, got '" + *f + "'"));
    }
  }
  auto page = store_->Scan(scan);
  if (!page.ok()) return res.Error(page.status());
  std::string out;
  if (csv) {
    EventCsvExporter::AppendHeader(&out);
    for (const StoredEvent& e : page->events) EventCsvExporter::AppendRow(e.View(), &out);
    res.status = 200;
    res.content_type = "text/csv; charset=utf-8";
    res.body = std::move(out);
    if (!page->next_cursor.empty()) res.headers.emplace_back("X-Next-Cursor", page->next_cursor);
    return;
  }
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("events").BeginArray();
  for (const StoredEvent& e : page->events) WriteEventJson(w, e);
  w.EndArray();
  w.Key("next_cursor");
  if (page->next_cursor.empty()) {
    w.Null();
  } else {
    w.String(page->next_cursor);
  }
  w.EndObject();
  res.Json(200, std::move(out));
}

}  // namespace inferscope
