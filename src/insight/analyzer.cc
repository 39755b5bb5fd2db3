#include "insight/analyzer.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <tuple>
#include <unordered_map>

#include "insight/aggregate_outlier_finder.h"
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

// Numeric fields in the correlation matrix, in output order.
constexpr EventField kCorrelationFields[] = {
    EventField::kLatencyMs,      EventField::kTtftMs,   EventField::kInputTokens,
    EventField::kOutputTokens,   EventField::kCostUsd,  EventField::kBatchSize,
    EventField::kBatchFillRatio, EventField::kGpuUtil,  EventField::kMemoryUsedGb,
    EventField::kQueueDepth,     EventField::kCacheHit,
};
constexpr int kCorrelationCount = static_cast<int>(std::size(kCorrelationFields));

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
        rollup(bucket_ns) {}
  std::string name;
  BucketStats totals;  // merge of the rollup's buckets, filled by Finish
  DDSketch ttft_ms;
  RunningMoments latency;
  TopK<Candidate> high;  // largest latencies
  TopK<Candidate> low;   // smallest latencies (score = -latency)
  TimeRollup rollup;
  TimestampNs first_ns = std::numeric_limits<TimestampNs>::max();
  TimestampNs last_ns = std::numeric_limits<TimestampNs>::min();
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

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

  ModelState& Model(std::string_view name) {
    if (last_model != nullptr && last_model->name == name) return *last_model;
    auto it = model_index.find(name);
    if (it == model_index.end()) {
      models.push_back(std::make_unique<ModelState>(std::string(name), options.bucket_ns));
      it = model_index.emplace(std::string(name), models.size() - 1).first;
    }
    last_model = models[it->second].get();
    return *last_model;
  }

  AnalyzerOptions options;
  std::vector<std::unique_ptr<ModelState>> models;
  std::unordered_map<std::string, size_t, StringHash, std::equal_to<>> model_index;
  ModelState* last_model = nullptr;
  CorrelationMatrix correlation;
  uint64_t correlation_present[kCorrelationCount] = {};
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
  m.first_ns = std::min(m.first_ns, e.timestamp_ns);
  m.last_ns = std::max(m.last_ns, e.timestamp_ns);
  if (e.Has(EventField::kTtftMs)) m.ttft_ms.Add(e.Get(EventField::kTtftMs));
  if (e.Has(EventField::kLatencyMs)) {
    double v = e.Get(EventField::kLatencyMs);
    m.latency.Add(v);
    if (m.high.WouldAccept(v))
      m.high.Push(v, Candidate{std::string(e.request_id), e.timestamp_ns, v});
    if (m.low.WouldAccept(-v))
      m.low.Push(-v, Candidate{std::string(e.request_id), e.timestamp_ns, v});
  }
  if (s.options.correlations) {
    double row[kCorrelationCount];
    for (int i = 0; i < kCorrelationCount; ++i) {
      EventField f = kCorrelationFields[i];
      if (e.Has(f)) {
        row[i] = e.Get(f);
        ++s.correlation_present[i];
      } else {
        row[i] = std::numeric_limits<double>::quiet_NaN();
      }
    }
    s.correlation.AddRow(row);
  }
  if (s.investigation) s.investigation->Add(e);
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

  // Per-model totals are merges of their buckets (cheaper than a second update per event).
  for (const auto& m : s.models) {
    m->totals = BucketStats();
    for (const auto& [start, b] : m->rollup.Sorted()) m->totals.Merge(*b);
  }
  // Models by descending count, then name.
  std::vector<const ModelState*> models;
  for (const auto& m : s.models) models.push_back(m.get());
  std::sort(models.begin(), models.end(), [](const ModelState* a, const ModelState* b) {
    if (a->totals.requests != b->totals.requests) return a->totals.requests > b->totals.requests;
    return a->name < b->name;
  });

  // Summary: merges of the per-model state.
  BucketStats all;
  DDSketch ttft_all;
  TimestampNs first = std::numeric_limits<TimestampNs>::max();
  TimestampNs last = std::numeric_limits<TimestampNs>::min();
  for (const ModelState* m : models) {
    all.Merge(m->totals);
    ttft_all.Merge(m->ttft_ms);
    first = std::min(first, m->first_ns);
    last = std::max(last, m->last_ns);
  }
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
  sum.ttft_ms = MakeDistribution(ttft_all);
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
    ms.ttft_ms = MakeDistribution(m->ttft_ms);
    ms.input_tokens = m->totals.Sum(EventField::kInputTokens);
    ms.output_tokens = m->totals.Sum(EventField::kOutputTokens);
    ms.cost_usd = m->totals.Sum(EventField::kCostUsd);
    if (m->totals.Present(EventField::kCostUsd) > 0) {
      ms.cost_per_1k_requests = 1000.0 * ms.cost_usd / static_cast<double>(ms.count);
    }
    SetAverages(m->totals, &ms);
    r.models.push_back(std::move(ms));
  }

  // Trends: re-bucket each model's rollup into windows; "*" is the merge across models.
  int64_t width = o.bucket_ns;
  for (const ModelState* m : models) width = std::max(width, m->rollup.width_ns());
  int64_t window = o.trend_window_ns > 0 ? o.trend_window_ns
                                         : AutoWindow(all.requests ? last - first : 0, width);
  if (window % width != 0) window = (window / width + 1) * width;
  // Never more than 200k windows per series, whatever was asked.
  if (all.requests > 0) {
    while ((last - first) / window > 200'000) window *= 2;
  }
  r.trends.window_ns = window;
  if (all.requests > 0) {
    const int64_t first_w = FloorDiv(first, window);
    const int64_t last_w = FloorDiv(last, window);
    const size_t n_windows = static_cast<size_t>(last_w - first_w + 1);
    std::vector<BucketStats> overall(n_windows);
    std::vector<TrendSeries> per_model;
    for (const ModelState* m : models) {
      std::vector<BucketStats> windows(n_windows);
      for (const auto& [start, b] : m->rollup.Sorted()) {
        size_t idx = static_cast<size_t>(FloorDiv(start, window) - first_w);
        windows[idx].Merge(*b);
        overall[idx].Merge(*b);
      }
      TrendSeries ts;
      ts.model = m->name;
      for (size_t i = 0; i < n_windows; ++i) {
        ts.points.push_back(
            MakeTrendPoint((first_w + static_cast<int64_t>(i)) * window, windows[i]));
      }
      per_model.push_back(std::move(ts));
    }
    TrendSeries star;
    star.model = "*";
    for (size_t i = 0; i < n_windows; ++i) {
      star.points.push_back(
          MakeTrendPoint((first_w + static_cast<int64_t>(i)) * window, overall[i]));
    }
    r.trends.series.push_back(std::move(star));
    for (auto& ts : per_model) r.trends.series.push_back(std::move(ts));
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
    finder.Find(m->name, m->rollup.Sorted(), m->rollup.width_ns(), &aggregates);
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
      if (s.correlation_present[i] > 0) kept.push_back(i);
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
  return r;
}

}  // namespace inferscope
