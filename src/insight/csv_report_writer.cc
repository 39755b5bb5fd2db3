#include "insight/csv_report_writer.h"

#include <fmt/format.h>

#include <array>
#include <cstdint>

#include "core/time_format.h"
#include "insight/number_format.h"

namespace inferscope {
namespace {

// Accumulates rows of fields; separators and line ends are its business alone.
class CsvBuilder {
 public:
  explicit CsvBuilder(std::string* out) : out_(out) {}

  CsvBuilder& Field(std::string_view text) {
    if (!row_empty_) out_->push_back(',');
    row_empty_ = false;
    AppendCsvField(out_, text);
    return *this;
  }
  CsvBuilder& Number(double value) { return Field(FormatExact(value)); }
  CsvBuilder& Count(uint64_t value) { return Field(fmt::format("{}", value)); }
  CsvBuilder& Time(TimestampNs ts) { return Field(FormatIso8601(ts, /*with_millis=*/true)); }
  void EndRow() {
    out_->append("\r\n");
    row_empty_ = true;
  }
  template <size_t N>
  void Header(const std::array<std::string_view, N>& names) {
    for (std::string_view name : names) Field(name);
    EndRow();
  }

 private:
  std::string* out_;
  bool row_empty_ = true;
};

constexpr std::array<std::string_view, 8> kDistributionColumns = {"count", "avg", "min", "p50",
                                                                  "p90",   "p95", "p99", "max"};

void DistributionCells(CsvBuilder& csv, const Distribution& d) {
  csv.Count(d.count).Number(d.avg).Number(d.min).Number(d.p50).Number(d.p90).Number(d.p95);
  csv.Number(d.p99).Number(d.max);
}

void RenderModels(const AnalysisReport& report, CsvBuilder& csv) {
  csv.Field("model").Field("count").Field("share").Field("errors").Field("timeouts");
  csv.Field("error_rate").Field("requests_per_s");
  for (std::string_view prefix : {"latency_ms_", "ttft_ms_"}) {
    for (std::string_view column : kDistributionColumns) {
      csv.Field(std::string(prefix) + std::string(column));
    }
  }
  csv.Field("input_tokens").Field("output_tokens").Field("cost_usd").Field("cost_per_1k_requests");
  csv.Field("avg_batch_size").Field("avg_batch_fill_ratio").Field("avg_gpu_util");
  csv.Field("avg_queue_depth").Field("cache_hit_rate");
  csv.EndRow();
  for (const ModelSummary& m : report.models) {
    csv.Field(m.model).Count(m.count).Number(m.share).Count(m.errors).Count(m.timeouts);
    csv.Number(m.error_rate).Number(m.requests_per_s);
    DistributionCells(csv, m.latency_ms);
    DistributionCells(csv, m.ttft_ms);
    csv.Number(m.input_tokens).Number(m.output_tokens).Number(m.cost_usd);
    csv.Number(m.cost_per_1k_requests).Number(m.avg_batch_size).Number(m.avg_batch_fill_ratio);
    csv.Number(m.avg_gpu_util).Number(m.avg_queue_depth).Number(m.cache_hit_rate);
    csv.EndRow();
  }
}

void RenderTrends(const AnalysisReport& report, CsvBuilder& csv) {
  csv.Header(std::array<std::string_view, 13>{
      "model", "start", "window_s", "requests", "errors", "error_rate", "latency_mean_ms",
      "latency_p50_ms", "latency_p95_ms", "latency_p99_ms", "cost_usd", "tokens", "gpu_util_mean"});
  const double window_s = static_cast<double>(report.trends.window_ns) / 1e9;
  for (const TrendSeries& series : report.trends.series) {
    for (const TrendPoint& p : series.points) {
      csv.Field(series.model).Time(p.start_ns).Number(window_s).Count(p.requests).Count(p.errors);
      csv.Number(p.error_rate).Number(p.latency_mean_ms).Number(p.latency_p50_ms);
      csv.Number(p.latency_p95_ms).Number(p.latency_p99_ms).Number(p.cost_usd).Number(p.tokens);
      csv.Number(p.gpu_util_mean);
      csv.EndRow();
    }
  }
}

void RenderOutliers(const AnalysisReport& report, CsvBuilder& csv) {
  csv.Header(std::array<std::string_view, 9>{"rank", "method", "model", "request_id", "timestamp",
                                             "field", "value", "baseline", "score"});
  // `worst` is grouped by method; the rank restarts with each method.
  uint64_t rank = 0;
  std::string_view method;
  for (const RequestOutlier& o : report.outliers.worst) {
    rank = (rank == 0 || o.method != method) ? 1 : rank + 1;
    method = o.method;
    csv.Count(rank).Field(o.method).Field(o.model).Field(o.request_id).Time(o.timestamp_ns);
    csv.Field(o.field).Number(o.value).Number(o.baseline).Number(o.score);
    csv.EndRow();
  }
}

void RenderSummary(const AnalysisReport& report, CsvBuilder& csv) {
  csv.Header(std::array<std::string_view, 2>{"key", "value"});
  auto text = [&](std::string_view key, std::string_view value) {
    csv.Field(key).Field(value);
    csv.EndRow();
  };
  auto number = [&](std::string_view key, double value) { text(key, FormatExact(value)); };
  auto count = [&](std::string_view key, uint64_t value) { text(key, fmt::format("{}", value)); };
  auto distribution = [&](std::string_view prefix, const Distribution& d) {
    const std::array<double, 7> values = {d.avg, d.min, d.p50, d.p90, d.p95, d.p99, d.max};
    count(fmt::format("{}.count", prefix), d.count);
    for (size_t i = 0; i < values.size(); ++i) {
      number(fmt::format("{}.{}", prefix, kDistributionColumns[i + 1]), values[i]);
    }
  };

  const InputInfo& in = report.input;
  const Summary& s = report.summary;
  text("version", report.tool_version);
  for (size_t i = 0; i < in.sources.size(); ++i) {
    text(fmt::format("input.sources[{}]", i), in.sources[i]);
  }
  count("input.bytes", in.bytes);
  count("input.lines", in.lines);
  count("input.accepted", in.accepted);
  count("input.rejected", in.rejected);
  count("input.filtered_out", in.filtered_out);
  count("summary.total_requests", s.total_requests);
  // As in JSON: no request, no start or end (an empty cell, not 1970).
  text("summary.start", s.total_requests == 0 ? "" : FormatIso8601(s.start_ns, true));
  text("summary.end", s.total_requests == 0 ? "" : FormatIso8601(s.end_ns, true));
  number("summary.duration_s", s.duration_s);
  number("summary.throughput_rps", s.throughput_rps);
  count("summary.errors", s.errors);
  count("summary.timeouts", s.timeouts);
  number("summary.error_rate", s.error_rate);
  distribution("summary.latency_ms", s.latency_ms);
  distribution("summary.ttft_ms", s.ttft_ms);
  number("summary.input_tokens", s.input_tokens);
  number("summary.output_tokens", s.output_tokens);
  number("summary.cost_usd", s.cost_usd);
  number("summary.avg_batch_size", s.avg_batch_size);
  number("summary.avg_gpu_util", s.avg_gpu_util);
  number("summary.cache_hit_rate", s.cache_hit_rate);
}

void RenderCorrelations(const AnalysisReport& report, CsvBuilder& csv) {
  csv.Header(std::array<std::string_view, 4>{"field_a", "field_b", "pearson", "spearman"});
  const Correlations& c = report.correlations;
  const size_t k = c.fields.size();
  auto cell = [k](const std::vector<double>& m, size_t i, size_t j) {
    size_t index = i * k + j;
    return index < m.size() ? m[index] : kAbsent;
  };
  for (size_t i = 0; i < k; ++i) {
    for (size_t j = i + 1; j < k; ++j) {
      csv.Field(c.fields[i]).Field(c.fields[j]);
      csv.Number(cell(c.pearson, i, j)).Number(cell(c.spearman, i, j));
      csv.EndRow();
    }
  }
}

}  // namespace

std::string_view CsvSectionName(CsvSection section) {
  switch (section) {
    case CsvSection::kModels:
      return "models";
    case CsvSection::kTrends:
      return "trends";
    case CsvSection::kOutliers:
      return "outliers";
    case CsvSection::kSummary:
      return "summary";
    case CsvSection::kCorrelations:
      return "correlations";
  }
  return "models";
}

std::optional<CsvSection> ParseCsvSection(std::string_view name) {
  for (CsvSection section : {CsvSection::kModels, CsvSection::kTrends, CsvSection::kOutliers,
                             CsvSection::kSummary, CsvSection::kCorrelations}) {
    if (CsvSectionName(section) == name) return section;
  }
  return std::nullopt;
}

void AppendCsvField(std::string* out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(field);
    return;
  }
  out->push_back('"');
  for (char c : field) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

std::string CsvReportWriter::Render(const AnalysisReport& report, CsvSection section) const {
  std::string out;
  CsvBuilder csv(&out);
  switch (section) {
    case CsvSection::kModels:
      RenderModels(report, csv);
      break;
    case CsvSection::kTrends:
      RenderTrends(report, csv);
      break;
    case CsvSection::kOutliers:
      RenderOutliers(report, csv);
      break;
    case CsvSection::kSummary:
      RenderSummary(report, csv);
      break;
    case CsvSection::kCorrelations:
      RenderCorrelations(report, csv);
      break;
  }
  return out;
}

}  // namespace inferscope
