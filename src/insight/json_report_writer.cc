#include "insight/json_report_writer.h"

#include <string_view>

#include "core/json_writer.h"
#include "core/time_format.h"
#include "insight/anomaly_json.h"

namespace inferscope {
namespace {

constexpr double kNanosPerSecondF = 1e9;

void WriteTime(JsonWriter& w, std::string_view key, TimestampNs ts) {
  w.Key(key).String(FormatIso8601(ts, /*with_millis=*/true));
}

void WriteDistribution(JsonWriter& w, std::string_view key, const Distribution& d) {
  w.Key(key).BeginObject();
  w.Key("count").Uint(d.count);
  w.Key("avg").Number(d.avg);
  w.Key("min").Number(d.min);
  w.Key("p50").Number(d.p50);
  w.Key("p90").Number(d.p90);
  w.Key("p95").Number(d.p95);
  w.Key("p99").Number(d.p99);
  w.Key("max").Number(d.max);
  w.EndObject();
}

void WriteInput(JsonWriter& w, const InputInfo& in) {
  w.Key("input").BeginObject();
  w.Key("sources").BeginArray();
  for (const std::string& source : in.sources) w.String(source);
  w.EndArray();
  w.Key("bytes").Uint(in.bytes);
  w.Key("lines").Uint(in.lines);
  w.Key("accepted").Uint(in.accepted);
  w.Key("rejected").Uint(in.rejected);
  w.Key("filtered_out").Uint(in.filtered_out);
  w.Key("first_rejects").BeginArray();
  for (const InputInfo::Reject& r : in.first_rejects) {
    w.BeginObject();
    w.Key("source").String(r.source);
    w.Key("line").Uint(r.line);
    w.Key("reason").String(r.reason);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void WriteSummary(JsonWriter& w, const Summary& s) {
  w.Key("summary").BeginObject();
  w.Key("total_requests").Uint(s.total_requests);
  // With no request there is no first or last event; 1970-01-01 would be a lie.
  if (s.total_requests == 0) {
    w.Key("start").Null();
    w.Key("end").Null();
  } else {
    WriteTime(w, "start", s.start_ns);
    WriteTime(w, "end", s.end_ns);
  }
  w.Key("duration_s").Number(s.duration_s);
  w.Key("throughput_rps").Number(s.throughput_rps);
  w.Key("errors").Uint(s.errors);
  w.Key("timeouts").Uint(s.timeouts);
  w.Key("error_rate").Number(s.error_rate);
  WriteDistribution(w, "latency_ms", s.latency_ms);
  WriteDistribution(w, "ttft_ms", s.ttft_ms);
  w.Key("input_tokens").Number(s.input_tokens);
  w.Key("output_tokens").Number(s.output_tokens);
  w.Key("cost_usd").Number(s.cost_usd);
  w.Key("avg_batch_size").Number(s.avg_batch_size);
  w.Key("avg_gpu_util").Number(s.avg_gpu_util);
  w.Key("cache_hit_rate").Number(s.cache_hit_rate);
  w.EndObject();
}

void WriteModels(JsonWriter& w, const std::vector<ModelSummary>& models) {
  w.Key("models").BeginObject();
  for (const ModelSummary& m : models) {
    w.Key(m.model).BeginObject();
    w.Key("count").Uint(m.count);
    w.Key("share").Number(m.share);
    w.Key("errors").Uint(m.errors);
    w.Key("timeouts").Uint(m.timeouts);
    w.Key("error_rate").Number(m.error_rate);
    w.Key("requests_per_s").Number(m.requests_per_s);
    WriteDistribution(w, "latency_ms", m.latency_ms);
    WriteDistribution(w, "ttft_ms", m.ttft_ms);
    w.Key("input_tokens").Number(m.input_tokens);
    w.Key("output_tokens").Number(m.output_tokens);
    w.Key("cost_usd").Number(m.cost_usd);
    w.Key("cost_per_1k_requests").Number(m.cost_per_1k_requests);
    w.Key("avg_batch_size").Number(m.avg_batch_size);
    w.Key("avg_batch_fill_ratio").Number(m.avg_batch_fill_ratio);
    w.Key("avg_gpu_util").Number(m.avg_gpu_util);
    w.Key("avg_queue_depth").Number(m.avg_queue_depth);
    w.Key("cache_hit_rate").Number(m.cache_hit_rate);
    w.EndObject();
  }
  w.EndObject();
}

void WriteTrends(JsonWriter& w, const Trends& t) {
  w.Key("trends").BeginObject();
  w.Key("window_s").Number(static_cast<double>(t.window_ns) / kNanosPerSecondF);
  w.Key("series").BeginObject();
  for (const TrendSeries& series : t.series) {
    w.Key(series.model).BeginArray();
    for (const TrendPoint& p : series.points) {
      w.BeginObject();
      WriteTime(w, "start", p.start_ns);
      w.Key("requests").Uint(p.requests);
      w.Key("errors").Uint(p.errors);
      w.Key("error_rate").Number(p.error_rate);
      w.Key("latency_mean_ms").Number(p.latency_mean_ms);
      w.Key("latency_p50_ms").Number(p.latency_p50_ms);
      w.Key("latency_p95_ms").Number(p.latency_p95_ms);
      w.Key("latency_p99_ms").Number(p.latency_p99_ms);
      w.Key("cost_usd").Number(p.cost_usd);
      w.Key("tokens").Number(p.tokens);
      w.Key("gpu_util_mean").Number(p.gpu_util_mean);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  w.EndObject();
}

void WriteOutliers(JsonWriter& w, const Outliers& o) {
  w.Key("outliers").BeginObject();
  w.Key("field").String(o.field);
  w.Key("methods").BeginArray();
  for (const OutlierMethod& m : o.methods) {
    w.BeginObject();
    w.Key("method").String(m.method);
    w.Key("threshold").Number(m.threshold);
    w.Key("flagged").Uint(m.flagged);
    w.EndObject();
  }
  w.EndArray();
  w.Key("worst").BeginArray();
  for (const RequestOutlier& r : o.worst) {
    w.BeginObject();
    w.Key("method").String(r.method);
    w.Key("model").String(r.model);
    w.Key("request_id").String(r.request_id);
    WriteTime(w, "timestamp", r.timestamp_ns);
    w.Key("field").String(r.field);
    w.Key("value").Number(r.value);
    w.Key("baseline").Number(r.baseline);
    w.Key("score").Number(r.score);
    w.EndObject();
  }
  w.EndArray();
  w.Key("aggregates").BeginArray();
  for (const AggregateOutlier& a : o.aggregates) {
    w.BeginObject();
    w.Key("model").String(a.model);
    WriteTime(w, "bucket_start", a.bucket_start_ns);
    w.Key("metric").String(a.metric);
    w.Key("value").Number(a.value);
    w.Key("baseline").Number(a.baseline);
    w.Key("score").Number(a.score);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

// A k×k row-major matrix as k arrays of k numbers. Cells missing from a short vector are
// written as null rather than read out of bounds.
void WriteMatrix(JsonWriter& w, std::string_view key, const std::vector<double>& cells, size_t k) {
  w.Key(key).BeginArray();
  for (size_t i = 0; i < k; ++i) {
    w.BeginArray();
    for (size_t j = 0; j < k; ++j) {
      size_t index = i * k + j;
      w.Number(index < cells.size() ? cells[index] : kAbsent);
    }
    w.EndArray();
  }
  w.EndArray();
}

void WriteCorrelations(JsonWriter& w, const Correlations& c) {
  w.Key("correlations").BeginObject();
  w.Key("fields").BeginArray();
  for (const std::string& field : c.fields) w.String(field);
  w.EndArray();
  WriteMatrix(w, "pearson", c.pearson, c.fields.size());
  WriteMatrix(w, "spearman", c.spearman, c.fields.size());
  w.Key("pearson_rows").Uint(c.pearson_rows);
  w.Key("spearman_rows").Uint(c.spearman_rows);
  w.EndObject();
}

void WriteInvestigation(JsonWriter& w, const Investigation& inv) {
  w.Key("investigation");
  if (!inv.present) {
    w.Null();
    return;
  }
  w.BeginObject();
  w.Key("model").String(inv.model);
  WriteTime(w, "from", inv.from_ns);
  WriteTime(w, "to", inv.to_ns);
  WriteTime(w, "baseline_from", inv.baseline_from_ns);
  WriteTime(w, "baseline_to", inv.baseline_to_ns);
  w.Key("metrics").BeginArray();
  for (const InvestigationMetric& m : inv.metrics) {
    w.BeginObject();
    w.Key("name").String(m.name);
    w.Key("baseline").Number(m.baseline);
    w.Key("window").Number(m.window);
    w.Key("change_pct").Number(m.change_pct);
    w.EndObject();
  }
  w.EndArray();
  w.Key("findings").BeginArray();
  for (const std::string& finding : inv.findings) w.String(finding);
  w.EndArray();
  w.EndObject();
}

}  // namespace

std::string JsonReportWriter::Render(const AnalysisReport& report) const {
  std::string out;
  JsonWriter w(&out, options_.indent);
  w.BeginObject();
  w.Key("version").String(report.tool_version);
  if (options_.include_input) WriteInput(w, report.input);
  WriteSummary(w, report.summary);
  WriteModels(w, report.models);
  if (options_.include_trends) WriteTrends(w, report.trends);
  if (options_.include_outliers) WriteOutliers(w, report.outliers);
  if (options_.include_correlations) WriteCorrelations(w, report.correlations);
  if (options_.include_investigation) WriteInvestigation(w, report.investigation);
  if (options_.include_anomalies && report.anomalies_checked) {
    w.Key("anomalies").BeginArray();
    for (const Anomaly& a : report.anomalies) WriteAnomalyJson(w, a);
    w.EndArray();
  }
  w.EndObject();
  out.push_back('\n');
  return out;
}

}  // namespace inferscope
