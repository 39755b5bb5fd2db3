#include "insight/analyzer.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <string_view>
#include <tuple>
#include <unordered_map>

#if defined(__SSE4_1__)
#include <smmintrin.h>
#endif

#include "insight/aggregate_outlier_finder.h"
#include "insight/anomaly_replay.h"
#include "insight/dimension_rollup.h"
#include "insight/investigation_accumulator.h"
#include "stats/bucket_stats.h"
#include "stats/correlation_matrix.h"
#include "stats/dd_sketch.h"
#include "stats/robust_stats.h"
#include "stats/running_moments.h"
#include "stats/time_rollup.h"
#include "stats/top_k.h"

namespace inferscope {
namespace {

// Requests kept per model as outlier candidates, at each end of the latency distribution.
constexpr size_t kCandidatesPerModel = 64;

// One event in this many (per model, deterministically) feeds the categorical dimension
// rollup that anomaly explanations attribute shifts of request and cost share with.
constexpr uint32_t kDimensionSampleEvery = 16;

// Numeric fields in the correlation matrix, in output order.
constexpr EventField kCorrelationFields[] = {
    EventField::kLatencyMs,      EventField::kTtftMs,   EventField::kInputTokens,
    EventField::kOutputTokens,   EventField::kCostUsd,  EventField::kBatchSize,
    EventField::kBatchFillRatio, EventField::kGpuUtil,  EventField::kMemoryUsedGb,
    EventField::kQueueDepth,     EventField::kCacheHit,
};
constexpr int kCorrelationCount = static_cast<int>(std::size(kCorrelationFields));
constexpr bool CorrelationFieldsLead() {
  for (int i = 0; i < kCorrelationCount; ++i) {
    if (static_cast<int>(kCorrelationFields[i]) != i) return false;
  }
  return true;
}
static_assert(CorrelationFieldsLead(), "OnEvent builds the row from fields 0..count-1");

// Heterogeneous hashing, so a string_view finds a std::string key without a copy.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

constexpr std::string_view kOtherSeriesValue = "(other)";

std::string_view SeriesDimensionName(AnalyzerOptions::SeriesBy by) {
  switch (by) {
    case AnalyzerOptions::SeriesBy::kTaskType:
      return "task_type";
    case AnalyzerOptions::SeriesBy::kUser:
      return "user";
    case AnalyzerOptions::SeriesBy::kService:
      return "service";
    case AnalyzerOptions::SeriesBy::kNone:
      break;
  }
  return "";
}

struct Candidate {
  std::string request_id;
  TimestampNs timestamp_ns = 0;
  double value = 0;
};

struct ModelState {
  explicit ModelState(std::string model_name, int64_t bucket_ns)
      : name(std::move(model_name)),
        high(kCandidatesPerModel),
        low(kCandidatesPerModel),
        rollup(bucket_ns),
        dimensions(bucket_ns) {}
  std::string name;
  // Filled by Finish: the rollup's buckets by time, their request count and their merge.
  std::vector<std::pair<TimestampNs, const BucketStats*>> buckets;
  uint64_t requests = 0;
  BucketStats totals;
  RunningMoments latency;
  TopK<Candidate> high;  // largest latencies
  TopK<Candidate> low;   // smallest latencies (score = -latency)
  TimeRollup rollup;
  DimensionRollup dimensions;  // 1 in kDimensionSampleEvery events
  uint32_t sample_countdown = kDimensionSampleEvery;
  TimestampNs first_ns = std::numeric_limits<TimestampNs>::max();
  TimestampNs last_ns = std::numeric_limits<TimestampNs>::min();
  // AnalyzerOptions::series_by: a rollup per value of the dimension, by value (a value past
  // the cap is counted under kOtherSeriesValue), and the last one used.
  std::unordered_map<std::string, std::unique_ptr<TimeRollup>, StringHash, std::equal_to<>> series;
  std::vector<std::string> series_order;  // keys of `series` in order of first appearance
  std::string last_series_value;
  TimeRollup* last_series = nullptr;
};

uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

uint32_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Model names are short: compared with a few overlapping word loads instead of a memcmp call.
[[gnu::always_inline]] inline bool SameName(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  const char* x = a.data();
  const char* y = b.data();
  if (n >= 8) {
    if (Load64(x) != Load64(y) || Load64(x + n - 8) != Load64(y + n - 8)) return false;
    return n <= 16 || std::memcmp(x + 8, y + 8, n - 16) == 0;
  }
  if (n >= 4) return Load32(x) == Load32(y) && Load32(x + n - 4) == Load32(y + n - 4);
  for (size_t i = 0; i < n; ++i) {
    if (x[i] != y[i]) return false;
  }
  return true;
}

// A cheap hash of a model name (its length and first and last bytes); collisions only cost
// a probe, names are compared in full.
uint64_t NameHash(std::string_view s) {
  const size_t n = s.size();
  const char* p = s.data();
  uint64_t h = n;
  if (n >= 8) {
    h ^= Load64(p) * 0x9E3779B97F4A7C15ULL ^ Load64(p + n - 8) * 0xC2B2AE3D27D4EB4FULL;
  } else if (n >= 4) {
    h ^= (uint64_t{Load32(p)} << 32 | Load32(p + n - 4)) * 0x9E3779B97F4A7C15ULL;
  } else {
    for (size_t i = 0; i < n; ++i)
      h = (h << 8 | static_cast<unsigned char>(p[i])) * 0x100000001B3ULL;
  }
  return h ^ (h >> 29) ^ (h >> 47);
}

double Div(double a, double b) { return b > 0 ? a / b : kAbsent; }

Distribution MakeDistribution(const DDSketch& sketch) {
  Distribution d;
  d.count = sketch.count();
  if (d.count == 0) return d;
  d.avg = sketch.sum() / static_cast<double>(d.count);
  d.min = sketch.min();
  d.max = sketch.max();
  d.p50 = sketch.Quantile(0.50);
  d.p90 = sketch.Quantile(0.90);
  d.p95 = sketch.Quantile(0.95);
  d.p99 = sketch.Quantile(0.99);
  return d;
}

// Median absolute deviation from a sketch: the d with Rank(m + d) - Rank(m - d) = n / 2,
// found by bisection (accurate to the sketch's relative error).
double SketchMad(const DDSketch& s, double median) {
  if (s.count() < 2) return kAbsent;
  double lo = 0, hi = std::max(s.max() - median, median - s.min());
  const double half = static_cast<double>(s.count()) / 2.0;
  for (int i = 0; i < 60 && hi - lo > 1e-9 * std::max(1.0, hi); ++i) {
    double mid = (lo + hi) / 2;
    double inside = static_cast<double>(s.Rank(median + mid)) -
                    static_cast<double>(s.Rank(std::nextafter(median - mid, -INFINITY)));
    (inside >= half ? hi : lo) = mid;
  }
  return hi;
}

// Requests strictly beyond [lower, upper], estimated from the sketch.
uint64_t CountOutside(const DDSketch& s, double lower, double upper) {
  uint64_t above = s.count() - std::min(s.count(), s.Rank(upper));
  uint64_t below = std::isfinite(lower) ? s.Rank(std::nextafter(lower, -INFINITY)) : 0;
  return above + below;
}

void SetAverages(const BucketStats& b, ModelSummary* m) {
  m->avg_batch_size = b.Mean(EventField::kBatchSize);
  m->avg_batch_fill_ratio = b.Mean(EventField::kBatchFillRatio);
  m->avg_gpu_util = b.Mean(EventField::kGpuUtil);
  m->avg_queue_depth = b.Mean(EventField::kQueueDepth);
  m->cache_hit_rate = b.Mean(EventField::kCacheHit);
}

int64_t AutoWindow(int64_t span_ns, int64_t min_width) {
  static constexpr int64_t kCandidates[] = {
      kNanosPerMinute, 5 * kNanosPerMinute, 15 * kNanosPerMinute, 30 * kNanosPerMinute,
      kNanosPerHour,   3 * kNanosPerHour,   6 * kNanosPerHour,    12 * kNanosPerHour,
      kNanosPerDay,    7 * kNanosPerDay,    30 * kNanosPerDay};
  constexpr int64_t kMaxWindows = 240;
  for (int64_t w : kCandidates) {
    if (w >= min_width && span_ns / w <= kMaxWindows) return w;
  }
  // Longer than ~20 years: whole days, as many as it takes.
  int64_t days = span_ns / kMaxWindows / kNanosPerDay + 1;
  return std::max(min_width, days * kNanosPerDay);
}

TrendPoint MakeTrendPoint(TimestampNs start, const BucketStats& b) {
  TrendPoint p;
  p.start_ns = start;
  p.requests = b.requests;
  p.errors = b.errors;
  p.error_rate = Div(static_cast<double>(b.errors), static_cast<double>(b.requests));
  p.latency_mean_ms = b.Mean(EventField::kLatencyMs);
  if (b.latency_ms.count() > 0) {
    p.latency_p50_ms = b.latency_ms.Quantile(0.50);
    p.latency_p95_ms = b.latency_ms.Quantile(0.95);
    p.latency_p99_ms = b.latency_ms.Quantile(0.99);
  }
  p.cost_usd = b.Sum(EventField::kCostUsd);
  p.tokens = b.Sum(EventField::kInputTokens) + b.Sum(EventField::kOutputTokens);
  p.gpu_util_mean = b.Mean(EventField::kGpuUtil);
  return p;
}

}  // namespace

struct Analyzer::State {
  explicit State(AnalyzerOptions opts) : options(std::move(opts)), correlation(kCorrelationCount) {
    if (options.investigate_from_ns && options.investigate_to_ns) {
      investigation.emplace(*options.investigate_from_ns, *options.investigate_to_ns,
                            options.investigate_baseline_ns);
    }
  }

  // Models interleave in most logs, so a cache of the last model alone would mostly miss:
  // `recent_models` is a direct-mapped cache of models by a hash of the name's length and last
  // four bytes, checked with a full compare (a collision only costs a lookup).
  ModelState& Model(std::string_view name) {
    const size_t n = name.size();
    if (n < 4) [[unlikely]] {
      return FindOrAddModel(name);
    }
    const uint32_t h = (Load32(name.data() + n - 4) ^ static_cast<uint32_t>(n)) * 0x9E3779B1u;
    ModelState*& slot = recent_models[h >> (32 - kRecentModelBits)];
    if (slot != nullptr && SameName(slot->name, name)) [[likely]] {
      return *slot;
    }
    slot = &FindOrAddModel(name);
    return *slot;
  }
  void ForgetRecentModels() {
    std::fill(std::begin(recent_models), std::end(recent_models), nullptr);
  }

  // Open addressing with linear probing over `model_slots` (a power of two, at most half
  // full), each holding 1 + an index into `models`, or 0 when free.
  ModelState& FindOrAddModel(std::string_view name) {
    if (model_slots.empty()) model_slots.assign(16, 0);
    const size_t mask = model_slots.size() - 1;
    for (size_t i = NameHash(name) & mask;; i = (i + 1) & mask) {
      const uint32_t slot = model_slots[i];
      if (slot == 0) break;
      ModelState& m = *models[slot - 1];
      if (SameName(m.name, name)) return m;
    }
    models.push_back(std::make_unique<ModelState>(std::string(name), options.bucket_ns));
    if (2 * models.size() > model_slots.size()) {
      model_slots.assign(model_slots.size() * 2, 0);
      for (size_t m = 0; m + 1 < models.size(); ++m) InsertSlot(m);
    }
    InsertSlot(models.size() - 1);
    return *models.back();
  }

  void InsertSlot(size_t model) {
    const size_t mask = model_slots.size() - 1;
    size_t i = NameHash(models[model]->name) & mask;
    while (model_slots[i] != 0) i = (i + 1) & mask;
    model_slots[i] = static_cast<uint32_t>(model + 1);
  }

  // Off the hot path (only with AnalyzerOptions::series_by): the event's (model, value)
  // series rollup.
  [[gnu::noinline]] void AddToSeries(ModelState& m, const Event& e) {
    std::string_view value;
    switch (options.series_by) {
      case AnalyzerOptions::SeriesBy::kTaskType:
        value = e.task_type;
        break;
      case AnalyzerOptions::SeriesBy::kUser:
        value = e.user;
        break;
      case AnalyzerOptions::SeriesBy::kService:
        value = e.service;
        break;
      case AnalyzerOptions::SeriesBy::kNone:
        return;
    }
    if (m.last_series == nullptr || value != m.last_series_value) {
      auto it = m.series.find(value);
      if (it == m.series.end()) {
        if (m.series.size() >= AnalyzerOptions::kMaxSeriesValuesPerModel) {
          it = m.series.find(kOtherSeriesValue);
        }
        if (it == m.series.end()) {
          const std::string_view key = m.series.size() >= AnalyzerOptions::kMaxSeriesValuesPerModel
                                           ? kOtherSeriesValue
                                           : value;
          it = m.series.emplace(std::string(key), std::make_unique<TimeRollup>(options.bucket_ns))
                   .first;
          m.series_order.emplace_back(key);
        }
      }
      m.last_series_value.assign(value.data(), value.size());
      m.last_series = it->second.get();
    }
    m.last_series->Add(e);
  }

  // Off the hot path: interns the sampled event's dimension values and counts them.
  [[gnu::noinline]] void SampleDimensions(ModelState& m, const Event& e) {
    const std::array<uint32_t, kDimensionCount> ids = {
        dictionaries[0].Intern(e.user), dictionaries[1].Intern(e.task_type),
        dictionaries[2].Intern(e.cache_tier), dictionaries[3].Intern(e.service)};
    m.dimensions.Add(e.timestamp_ns, ids,
                     e.Has(EventField::kCostUsd) ? e.Get(EventField::kCostUsd) : 0.0);
  }

  AnalyzerOptions options;
  DimensionDictionaries dictionaries;
  std::vector<std::unique_ptr<ModelState>> models;
  std::vector<uint32_t> model_slots;
  static constexpr int kRecentModelBits = 4;
  ModelState* recent_models[1 << kRecentModelBits] = {};
  CorrelationMatrix correlation;
  uint32_t fields_seen = 0;  // union of the events' presence masks
  std::optional<InvestigationAccumulator> investigation;
  uint64_t events = 0;
};

Analyzer::Analyzer(AnalyzerOptions options) : state_(std::make_unique<State>(std::move(options))) {}
Analyzer::~Analyzer() = default;

uint64_t Analyzer::events() const { return state_->events; }

void Analyzer::OnEvent(const Event& e) {
  State& s = *state_;
  ++s.events;
  ModelState& m = s.Model(e.model);
  m.rollup.Add(e);
  if (s.options.series_by != AnalyzerOptions::SeriesBy::kNone) [[unlikely]] {
    s.AddToSeries(m, e);
  }
  if (--m.sample_countdown == 0) [[unlikely]] {
    m.sample_countdown = kDimensionSampleEvery;
    s.SampleDimensions(m, e);
  }
  m.first_ns = std::min(m.first_ns, e.timestamp_ns);
  m.last_ns = std::max(m.last_ns, e.timestamp_ns);
  const uint32_t mask = e.present_mask();
  s.fields_seen |= mask;
  if (e.Has(EventField::kLatencyMs)) {
    double v = e.Get(EventField::kLatencyMs);
    m.latency.Add(v);
    // Candidates are numbered by event, so ties go to the earlier request (also across Merge).
    if (m.high.WouldAccept(v)) [[unlikely]] {
      m.high.Push(v, s.events, Candidate{std::string(e.request_id), e.timestamp_ns, v});
    }
    if (m.low.WouldAccept(-v)) [[unlikely]] {
      m.low.Push(-v, s.events, Candidate{std::string(e.request_id), e.timestamp_ns, v});
    }
  }
  if (s.options.correlations) {
    // The correlation fields are the first kCorrelationCount event fields, in order.
    // Absent fields are NaN, selected without branches: which fields are present varies
    // from record to record (by model, typically), so branches would mispredict.
    constexpr auto kNaNBits = std::bit_cast<uint64_t>(std::numeric_limits<double>::quiet_NaN());
    double row[kCorrelationCount];
    int first_scalar = 0;
#if defined(__SSE4_1__)
    // Two fields at a time: the presence bits as lane masks, then a blend (the same bits).
    const __m128i mask64 = _mm_set1_epi64x(mask);
    const __m128d nan = _mm_castsi128_pd(_mm_set1_epi64x(static_cast<int64_t>(kNaNBits)));
#pragma GCC unroll 8
    for (int i = 0; i + 2 <= kCorrelationCount; i += 2) {
      const __m128i bits = _mm_set_epi64x(int64_t{2} << i, int64_t{1} << i);
      const __m128d has = _mm_castsi128_pd(_mm_cmpeq_epi64(_mm_and_si128(mask64, bits), bits));
      const __m128d v =
          _mm_set_pd(e.Get(static_cast<EventField>(i + 1)), e.Get(static_cast<EventField>(i)));
      _mm_storeu_pd(row + i, _mm_blendv_pd(nan, v, has));
    }
    first_scalar = kCorrelationCount & ~1;
#endif
#pragma GCC unroll 16
    for (int i = first_scalar; i < kCorrelationCount; ++i) {
      const uint64_t keep = uint64_t{0} - ((mask >> i) & 1u);
      const auto bits = std::bit_cast<uint64_t>(e.Get(static_cast<EventField>(i)));
      row[i] = std::bit_cast<double>((bits & keep) | (kNaNBits & ~keep));
    }
    s.correlation.AddRow(row);
  }
  if (s.investigation) [[unlikely]] {
    s.investigation->Add(e);
  }
}

void Analyzer::Merge(Analyzer&& other) {
  State& s = *state_;
  State& o = *other.state_;
  DimensionIdMaps maps;
  for (int d = 0; d < kDimensionCount; ++d)
    maps[d] = s.dictionaries[d].MergeFrom(o.dictionaries[d]);
  // `other`'s candidates are numbered after this one's events.
  const uint64_t order_offset = s.events;
  for (auto& from : o.models) {
    ModelState& m = s.FindOrAddModel(from->name);
    m.rollup.Merge(std::move(from->rollup));
    m.dimensions.Merge(from->dimensions, maps);
    m.latency.Merge(from->latency);
    m.high.Merge(std::move(from->high), order_offset);
    m.low.Merge(std::move(from->low), order_offset);
    m.first_ns = std::min(m.first_ns, from->first_ns);
    m.last_ns = std::max(m.last_ns, from->last_ns);
    // Values in `other`'s order of first appearance, after this one's: the merged order of
    // first appearance, so the first kMaxSeriesValuesPerModel get a series as in a single
    // pass (but for the caveat in the header: `other` may have lumped into "(other)" a value
    // that only an earlier part had given a series).
    for (const std::string& value : from->series_order) {
      TimeRollup& rollup = *from->series.at(value);
      auto it = m.series.find(value);
      if (it == m.series.end()) {
        const bool full = m.series.size() >= AnalyzerOptions::kMaxSeriesValuesPerModel;
        const std::string_view key = full ? kOtherSeriesValue : std::string_view(value);
        it = m.series.find(key);
        if (it == m.series.end()) {
          it = m.series.emplace(std::string(key), std::make_unique<TimeRollup>(s.options.bucket_ns))
                   .first;
          m.series_order.emplace_back(key);
        }
      }
      it->second->Merge(std::move(rollup));
    }
    m.last_series = nullptr;
    from.reset();  // frees the part's buckets before the next model's are merged
  }
  s.ForgetRecentModels();
  s.correlation.Merge(o.correlation);
  s.fields_seen |= o.fields_seen;
  if (s.investigation && o.investigation) s.investigation->Merge(*o.investigation);
  s.events += o.events;
  o.models.clear();
  o.model_slots.clear();
  o.ForgetRecentModels();
  o.events = 0;
}

AnalysisReport Analyzer::Finish(const LogReadStats& read, const RejectLog& rejects,
                                uint64_t filtered_out) {
  State& s = *state_;
  const AnalyzerOptions& o = s.options;
  AnalysisReport r;

  r.input.sources = read.sources;
  r.input.bytes = read.bytes;
  r.input.lines = read.lines;
  r.input.accepted = read.accepted;
  r.input.rejected = rejects.total();
  r.input.filtered_out = filtered_out;
  for (const auto& rej : rejects.first()) {
    r.input.first_rejects.push_back({rej.source, rej.line, rej.reason});
  }

  // Models by descending count, then name. Counts are integer sums over the buckets, so
  // they are known before any sketch is merged.
  std::vector<ModelState*> models;
  uint64_t all_requests = 0;
  TimestampNs first = std::numeric_limits<TimestampNs>::max();
  TimestampNs last = std::numeric_limits<TimestampNs>::min();
  for (const auto& m : s.models) {
    m->buckets = m->rollup.Sorted();
    m->requests = 0;
    for (const auto& [start, b] : m->buckets) m->requests += b->requests;
    all_requests += m->requests;
    first = std::min(first, m->first_ns);
    last = std::max(last, m->last_ns);
    models.push_back(m.get());
  }
  std::sort(models.begin(), models.end(), [](const ModelState* a, const ModelState* b) {
    if (a->requests != b->requests) return a->requests > b->requests;
    return a->name < b->name;
  });

  // Trend windows: the rollup re-bucketed; "*" is the merge across models.
  int64_t width = o.bucket_ns;
  for (const ModelState* m : models) width = std::max(width, m->rollup.width_ns());
  int64_t window = o.trend_window_ns > 0 ? o.trend_window_ns
                                         : AutoWindow(all_requests ? last - first : 0, width);
  if (window % width != 0) window = (window / width + 1) * width;
  // Never more than 200k windows per series, whatever was asked.
  if (all_requests > 0) {
    while ((last - first) / window > 200'000) window *= 2;
  }
  r.trends.window_ns = window;

  // One pass over each model's buckets merges every bucket into the model's totals (cheaper
  // than a second update per event), its trend window and the fleet-wide window while it is
  // in cache. Each target sees the same merges in the same order as separate passes would
  // (models in report order, buckets by time), so floating-point sums are unchanged.
  const int64_t first_w = all_requests > 0 ? FloorDiv(first, window) : 0;
  const size_t n_windows =
      all_requests > 0 ? static_cast<size_t>(FloorDiv(last, window) - first_w + 1) : 0;
  std::vector<BucketStats> overall(n_windows);
  std::vector<TrendSeries> per_model;
  for (ModelState* m : models) {
    m->totals = BucketStats();
    if (n_windows == 0) {
      for (const auto& [start, b] : m->buckets) m->totals.Merge(*b);
      continue;
    }
    std::vector<BucketStats> windows(n_windows);
    for (const auto& [start, b] : m->buckets) {
      m->totals.Merge(*b);
      const auto idx = static_cast<size_t>(FloorDiv(start, window) - first_w);
      // Trend points read latency percentiles, never TTFT ones.
      windows[idx].MergeWithoutTtft(*b);
      overall[idx].MergeWithoutTtft(*b);
    }
    TrendSeries ts;
    ts.model = m->name;
    ts.points.reserve(n_windows);
    for (size_t i = 0; i < n_windows; ++i) {
      ts.points.push_back(MakeTrendPoint((first_w + static_cast<int64_t>(i)) * window, windows[i]));
    }
    per_model.push_back(std::move(ts));
  }
  if (n_windows > 0) {
    TrendSeries star;
    star.model = "*";
    star.points.reserve(n_windows);
    for (size_t i = 0; i < n_windows; ++i) {
      star.points.push_back(
          MakeTrendPoint((first_w + static_cast<int64_t>(i)) * window, overall[i]));
    }
    r.trends.series.push_back(std::move(star));
    for (auto& ts : per_model) r.trends.series.push_back(std::move(ts));
  }
  overall = {};

  // Summary: merges of the per-model state.
  BucketStats all;
  for (const ModelState* m : models) all.Merge(m->totals);
  Summary& sum = r.summary;
  sum.total_requests = all.requests;
  if (all.requests > 0) {
    sum.start_ns = first;
    sum.end_ns = last;
    sum.duration_s = static_cast<double>(last - first) / 1e9;
    sum.throughput_rps = Div(static_cast<double>(all.requests), sum.duration_s);
  }
  sum.errors = all.errors;
  sum.timeouts = all.timeouts;
  sum.error_rate = all.requests ? static_cast<double>(all.errors) / all.requests : 0;
  sum.latency_ms = MakeDistribution(all.latency_ms);
  sum.ttft_ms = MakeDistribution(all.ttft_ms);
  sum.input_tokens = all.Sum(EventField::kInputTokens);
  sum.output_tokens = all.Sum(EventField::kOutputTokens);
  sum.cost_usd = all.Sum(EventField::kCostUsd);
  sum.avg_batch_size = all.Mean(EventField::kBatchSize);
  sum.avg_gpu_util = all.Mean(EventField::kGpuUtil);
  sum.cache_hit_rate = all.Mean(EventField::kCacheHit);

  for (const ModelState* m : models) {
    ModelSummary ms;
    ms.model = m->name;
    ms.count = m->totals.requests;
    ms.share = Div(static_cast<double>(ms.count), static_cast<double>(all.requests));
    ms.errors = m->totals.errors;
    ms.timeouts = m->totals.timeouts;
    ms.error_rate = Div(static_cast<double>(ms.errors), static_cast<double>(ms.count));
    ms.requests_per_s = Div(static_cast<double>(ms.count), sum.duration_s);
    ms.latency_ms = MakeDistribution(m->totals.latency_ms);
    ms.ttft_ms = MakeDistribution(m->totals.ttft_ms);
    ms.input_tokens = m->totals.Sum(EventField::kInputTokens);
    ms.output_tokens = m->totals.Sum(EventField::kOutputTokens);
    ms.cost_usd = m->totals.Sum(EventField::kCostUsd);
    if (m->totals.Present(EventField::kCostUsd) > 0) {
      ms.cost_per_1k_requests = 1000.0 * ms.cost_usd / static_cast<double>(ms.count);
    }
    SetAverages(m->totals, &ms);
    r.models.push_back(std::move(ms));
  }

  // Per-request outliers on latency, per model, three methods.
  Outliers& out = r.outliers;
  out.methods = {{"zscore", o.zscore_threshold, 0},
                 {"robust_z", o.robust_z_threshold, 0},
                 {"iqr", o.iqr_k, 0}};
  std::vector<TopK<RequestOutlier>> worst_by_method;
  for (size_t i = 0; i < out.methods.size(); ++i) worst_by_method.emplace_back(o.top_outliers);
  for (const ModelState* m : models) {
    const DDSketch& sk = m->totals.latency_ms;
    if (sk.count() < 3) continue;
    const double mean = m->latency.mean();
    const double sd = m->latency.stddev();
    const double median = sk.Quantile(0.5);
    const double mad = SketchMad(sk, median);
    const double q1 = sk.Quantile(0.25), q3 = sk.Quantile(0.75), iqr = q3 - q1;
    const double robust_sigma = kMadToSigma * mad;

    if (sd > 0) {
      out.methods[0].flagged +=
          CountOutside(sk, mean - o.zscore_threshold * sd, mean + o.zscore_threshold * sd);
    }
    if (robust_sigma > 0) {
      out.methods[1].flagged += CountOutside(sk, median - o.robust_z_threshold * robust_sigma,
                                             median + o.robust_z_threshold * robust_sigma);
    }
    if (iqr > 0) {
      out.methods[2].flagged += CountOutside(sk, q1 - o.iqr_k * iqr, q3 + o.iqr_k * iqr);
    }

    auto consider = [&](const Candidate& c) {
      auto add = [&](size_t method, double baseline, double score) {
        RequestOutlier ro{out.methods[method].method,
                          m->name,
                          c.request_id,
                          c.timestamp_ns,
                          "latency_ms",
                          c.value,
                          baseline,
                          score};
        worst_by_method[method].Push(std::fabs(score), std::move(ro));
      };
      if (sd > 0) {
        double z = (c.value - mean) / sd;
        if (std::fabs(z) > o.zscore_threshold) add(0, mean, z);
      }
      if (robust_sigma > 0) {
        double z = (c.value - median) / robust_sigma;
        if (std::fabs(z) > o.robust_z_threshold) add(1, median, z);
      }
      if (iqr > 0) {
        double hi = q3 + o.iqr_k * iqr, lo = q1 - o.iqr_k * iqr;
        if (c.value > hi) add(2, median, (c.value - q3) / iqr);
        if (c.value < lo) add(2, median, (c.value - q1) / iqr);
      }
    };
    // With fewer requests than candidates the two lists overlap: judge each request once.
    std::vector<Candidate> candidates;
    for (const auto& [score, c] : m->high.SortedDescending()) candidates.push_back(c);
    for (const auto& [score, c] : m->low.SortedDescending()) candidates.push_back(c);
    auto key = [](const Candidate& c) { return std::tie(c.timestamp_ns, c.request_id, c.value); };
    std::sort(candidates.begin(), candidates.end(),
              [&](const Candidate& a, const Candidate& b) { return key(a) < key(b); });
    candidates.erase(
        std::unique(candidates.begin(), candidates.end(),
                    [&](const Candidate& a, const Candidate& b) { return key(a) == key(b); }),
        candidates.end());
    for (const Candidate& c : candidates) consider(c);
  }
  for (auto& top : worst_by_method) {
    for (auto& [score, ro] : top.SortedDescending()) out.worst.push_back(std::move(ro));
  }

  // Per-model per-bucket aggregates against a rolling robust baseline.
  AggregateOutlierFinder finder(
      {o.aggregate_z_threshold, o.aggregate_baseline_buckets, 10, o.aggregate_min_requests});
  std::vector<AggregateOutlier> aggregates;
  for (const ModelState* m : models) {
    finder.Find(m->name, m->buckets, m->rollup.width_ns(), &aggregates);
  }
  std::stable_sort(aggregates.begin(), aggregates.end(), [](const auto& a, const auto& b) {
    return std::fabs(a.score) > std::fabs(b.score);
  });
  if (aggregates.size() > o.top_outliers) aggregates.resize(o.top_outliers);
  out.aggregates = std::move(aggregates);

  // Correlations over the fields that appeared at all.
  if (o.correlations && s.correlation.rows() > 0) {
    std::vector<int> kept;
    for (int i = 0; i < kCorrelationCount; ++i) {
      if ((s.fields_seen >> static_cast<int>(kCorrelationFields[i]) & 1u) != 0) kept.push_back(i);
    }
    std::vector<double> pearson = s.correlation.Pearson();
    std::vector<double> spearman = s.correlation.Spearman();
    Correlations& c = r.correlations;
    for (int i : kept) c.fields.emplace_back(EventFieldName(kCorrelationFields[i]));
    for (int i : kept) {
      for (int j : kept) {
        c.pearson.push_back(pearson[i * kCorrelationCount + j]);
        c.spearman.push_back(spearman[i * kCorrelationCount + j]);
      }
    }
    c.pearson_rows = s.correlation.rows();
    c.spearman_rows = s.correlation.sampled_rows();
  }

  if (s.investigation) {
    r.investigation = s.investigation->Finish(models.size() == 1 ? models[0]->name : "*");
  }

  // Anomalies: the detection engine replays the per-model buckets as if they were live.
  if ((o.detector_config || o.detectors != AnalyzerOptions::Detectors::kNone) && all_requests > 0) {
    AnomalyReplay::Options replay_options;
    if (o.detector_config) {
      replay_options.specs = o.detector_config->specs;
      replay_options.tracker = o.detector_config->tracker;
    } else if (o.detectors == AnalyzerOptions::Detectors::kNaive) {
      replay_options.specs = NaiveMetricSpecs();
      replay_options.tracker = NaiveTrackerOptions();
    }
    // The engine needs one bucket width across models; a model whose rollup coarsened
    // (a very long span) sets it for all.
    std::vector<std::pair<std::string, const TimeRollup*>> rollups;
    AnomalyReplay::Dimensions dimensions;
    dimensions.dictionaries = &s.dictionaries;
    for (ModelState* m : models) {
      m->rollup.Coarsen(width);
      m->dimensions.Coarsen(width);
      rollups.emplace_back(m->name, &m->rollup);
      dimensions.models.emplace_back(m->name, &m->dimensions);
    }
    // Per (model, dimension value) series: replayed like models, not part of the fleet.
    std::vector<std::pair<std::string, const TimeRollup*>> series;
    const std::string_view dimension = SeriesDimensionName(o.series_by);
    for (ModelState* m : models) {
      for (auto& [value, rollup] : m->series) {
        rollup->Coarsen(width);
        series.emplace_back(fmt::format("{}/{}={}", m->name, dimension, value), rollup.get());
      }
    }
    std::sort(series.begin(), series.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    Result<std::vector<Anomaly>> anomalies =
        AnomalyReplay(replay_options).Run(rollups, &dimensions, series);
    if (anomalies.ok()) {
      r.anomalies = std::move(anomalies).value();
      r.anomalies_checked = true;
    }
  }
  return r;
}

}  // namespace inferscope
