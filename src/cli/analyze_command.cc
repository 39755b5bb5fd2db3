#include "cli/analyze_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <thread>

#include "cli/output_file.h"
#include "cli/progress_bar.h"
#include "core/time_format.h"
#include "detect/detector_config.h"
#include "ingest/event_filter.h"
#include "ingest/filtering_sink.h"
#include "ingest/log_reader.h"
#include "ingest/parallel_log_reader.h"
#include "insight/analyzer.h"
#include "insight/csv_report_writer.h"
#include "insight/event_csv_exporter.h"
#include "insight/html_report_writer.h"
#include "insight/json_report_writer.h"
#include "insight/markdown_report_writer.h"
#include "insight/table_report_writer.h"

#ifndef INFERSCOPE_VERSION
#define INFERSCOPE_VERSION "0.1.0"
#endif

namespace inferscope {
namespace {

int Fail(const Status& status) {
  fmt::print(stderr, "inferscope analyze: {}\n", status.message());
  return ExitCodeFor(status);
}

struct Plan {
  EventFilter filter;
  AnalyzerOptions analyzer;
  LogReaderOptions reader;
};

Result<Plan> MakePlan(const AnalyzeFlags& f) {
  Plan p;
  if (f.format != "table" && f.format != "json" && f.format != "csv" && f.format != "markdown") {
    return Status::InvalidArgument(
        fmt::format("invalid --format '{}': expected table, json, csv or markdown", f.format));
  }
  LatencyUnit unit;
  if (f.latency_unit == "s") {
    unit = LatencyUnit::kSeconds;
  } else if (f.latency_unit == "ms") {
    unit = LatencyUnit::kMilliseconds;
  } else {
    return Status::InvalidArgument(
        fmt::format("invalid --latency-unit '{}': expected s or ms", f.latency_unit));
  }
  INFERSCOPE_ASSIGN_OR_RETURN(p.reader.parser.mapping, FieldMapping::FromSpecs(f.maps, unit));

  std::optional<TimestampNs> from, to;
  if (!f.from.empty()) {
    INFERSCOPE_ASSIGN_OR_RETURN(TimestampNs t, ParseUserTime(f.from));
    from = t;
  }
  if (!f.to.empty()) {
    INFERSCOPE_ASSIGN_OR_RETURN(TimestampNs t, ParseUserTime(f.to));
    to = t;
  }
  if (from && to && *from >= *to) {
    return Status::InvalidArgument("--from must be earlier than --to");
  }
  if (f.investigate) {
    if (!from || !to) {
      return Status::InvalidArgument("--investigate needs both --from and --to (the spike window)");
    }
    p.analyzer.investigate_from_ns = from;
    p.analyzer.investigate_to_ns = to;
    if (!f.baseline.empty()) {
      INFERSCOPE_ASSIGN_OR_RETURN(p.analyzer.investigate_baseline_ns, ParseDuration(f.baseline));
    }
  } else {
    p.filter.from_ns = from;
    p.filter.to_ns = to;
  }
  for (const auto& m : f.models) p.filter.models.push_back(m);
  for (const auto& s : f.statuses) {
    INFERSCOPE_ASSIGN_OR_RETURN(EventStatus st, ParseEventStatus(s));
    p.filter.statuses.push_back(st);
  }
  for (const auto& w : f.where) {
    INFERSCOPE_ASSIGN_OR_RETURN(FieldCondition c, FieldCondition::Parse(w));
    p.filter.conditions.push_back(c);
  }
  if (!f.window.empty()) {
    INFERSCOPE_ASSIGN_OR_RETURN(p.analyzer.trend_window_ns, ParseDuration(f.window));
    p.analyzer.bucket_ns = std::min<int64_t>(kNanosPerMinute, p.analyzer.trend_window_ns);
  }
  if (f.zscore <= 0 || f.robust_z <= 0 || f.iqr_k <= 0) {
    return Status::InvalidArgument("outlier thresholds must be > 0");
  }
  p.analyzer.zscore_threshold = f.zscore;
  p.analyzer.robust_z_threshold = f.robust_z;
  p.analyzer.iqr_k = f.iqr_k;
  p.analyzer.top_outliers = f.top;
  if (f.detectors == "default") {
    p.analyzer.detectors = AnalyzerOptions::Detectors::kDefault;
  } else if (f.detectors == "naive") {
    p.analyzer.detectors = AnalyzerOptions::Detectors::kNaive;
  } else if (f.detectors == "none") {
    p.analyzer.detectors = AnalyzerOptions::Detectors::kNone;
  } else {
    return Status::InvalidArgument(
        fmt::format("invalid --detectors '{}': expected default, naive or none", f.detectors));
  }
  if (f.series_by == "task_type") {
    p.analyzer.series_by = AnalyzerOptions::SeriesBy::kTaskType;
  } else if (f.series_by == "user") {
    p.analyzer.series_by = AnalyzerOptions::SeriesBy::kUser;
  } else if (f.series_by == "service") {
    p.analyzer.series_by = AnalyzerOptions::SeriesBy::kService;
  } else if (!f.series_by.empty()) {
    return Status::InvalidArgument(
        fmt::format("invalid --series-by '{}': expected task_type, user or service", f.series_by));
  }
  if (!f.detector_config.empty()) {
    INFERSCOPE_ASSIGN_OR_RETURN(p.analyzer.detector_config, LoadDetectorConfig(f.detector_config));
  }
  return p;
}

uint64_t InputBytes(const std::vector<std::string>& files) {
  uint64_t total = 0;
  for (const std::string& file : files) {
    std::error_code ec;
    const uintmax_t size = std::filesystem::file_size(file, ec);
    if (!ec) total += size;
  }
  return total;
}

}  // namespace

size_t AnalyzeThreads(size_t requested, unsigned hardware_threads, uint64_t input_bytes,
                      bool splittable, bool one_pass) {
  if (!splittable || one_pass) return 1;
  if (requested > 0) return std::min(requested, AnalyzeFlags::kMaxThreads);
  if (input_bytes < AnalyzeFlags::kMinParallelBytes) return 1;
  return std::clamp<size_t>(hardware_threads, 1, AnalyzeFlags::kMaxAutoThreads);
}

CLI::App* AddAnalyzeCommand(CLI::App& app, AnalyzeFlags& f) {
  CLI::App* cmd = app.add_subcommand(
      "analyze",
      "Analyze JSON-lines inference request logs: summary, per-model comparison, "
      "trends, outliers, correlations, spike investigation");
  cmd->add_option("paths", f.paths,
                  "Log files or directories (recursive); '-' for stdin. "
                  ".gz and .zst are decompressed")
      ->required();
  cmd->add_option("--format", f.format, "Output format: table, json, csv, markdown")
      ->capture_default_str();
  cmd->add_option("-o,--output", f.output, "Write the output here instead of stdout");
  cmd->add_option("--report", f.report, "Also write a self-contained HTML report to this file");
  cmd->add_option("--export-csv", f.export_csv,
                  "Also write the parsed, normalised records (filters applied) as CSV");
  cmd->add_option("--csv-section", f.csv_section,
                  "Table printed by --format csv: models, trends, summary, outliers, correlations")
      ->capture_default_str();
  cmd->add_option("--from", f.from, "Keep records at or after this time (ISO-8601 or epoch)");
  cmd->add_option("--to", f.to, "Keep records before this time (ISO-8601 or epoch)");
  cmd->add_option("--model", f.models, "Keep only this model (repeatable, or comma-separated)")
      ->delimiter(',');
  cmd->add_option("--status", f.statuses, "Keep only these statuses: ok, error, timeout")
      ->delimiter(',');
  cmd->add_option("--where", f.where,
                  "Numeric filter like 'latency_ms>500' or 'output_tokens<=100' (repeatable)");
  cmd->add_option("--window", f.window, "Trend window: 1m, 5m, 1h, 1d, ... (default: from span)");
  cmd->add_option("--map", f.maps,
                  "Map a field of yours onto ours: ours=their.dotted.path (repeatable)");
  cmd->add_option("--latency-unit", f.latency_unit, "Unit of a 'latency' field: s or ms")
      ->capture_default_str();
  cmd->add_flag("--strict", f.strict, "Exit with code 1 if any record was rejected");
  cmd->add_flag("--investigate", f.investigate,
                "Treat --from/--to as a spike window and compare it with the window before it "
                "(instead of filtering)");
  cmd->add_option("--baseline", f.baseline,
                  "Baseline length before the investigated window (default: the window's length)");
  cmd->add_option("--zscore", f.zscore, "Per-request z-score threshold")->capture_default_str();
  cmd->add_option("--robust-z", f.robust_z, "Per-request robust z (median/MAD) threshold")
      ->capture_default_str();
  cmd->add_option("--iqr-k", f.iqr_k, "IQR fence multiplier")->capture_default_str();
  cmd->add_option("--top", f.top, "Outliers listed per method")->capture_default_str();
  cmd->add_option("--max-errors", f.max_errors, "Rejected lines reported in full")
      ->capture_default_str();
  cmd->add_flag("--no-progress", f.no_progress, "Never draw a progress bar");
  cmd->add_option("--threads", f.threads,
                  "Parsing threads: 0 = one per hardware thread (at most 16; one for inputs "
                  "under 8 MiB), 1 = single-threaded. Plain files only: stdin, .gz, .zst, "
                  "--export-csv and --series-by use one")
      ->capture_default_str();
  cmd->add_option("--detectors", f.detectors,
                  "Anomaly detection over per-minute metrics: default, naive (the classic "
                  "threshold rules, for comparison) or none")
      ->capture_default_str();
  cmd->add_option("--detector-config", f.detector_config,
                  "YAML detector configuration (metrics, detectors, floors, incident "
                  "lifecycle; see docs/detectors.md); replaces --detectors");
  cmd->add_option("--series-by", f.series_by,
                  "Also detect anomalies per model and value of this dimension: task_type, "
                  "user or service (subjects like 'llama-3-8b/task_type=chat')");
  cmd->add_option("--color", f.color, "Colour in table output: auto, always, never")
      ->capture_default_str();
  return cmd;
}

int RunAnalyze(const AnalyzeFlags& f) {
  Result<Plan> plan = MakePlan(f);
  if (!plan.ok()) return Fail(plan.status());
  std::optional<CsvSection> section = ParseCsvSection(f.csv_section);
  if (!section) {
    return Fail(Status::InvalidArgument(fmt::format(
        "invalid --csv-section '{}': expected models, trends, summary, outliers or correlations",
        f.csv_section)));
  }

  Result<std::vector<std::string>> files = LogReader::ExpandPaths(f.paths);
  if (!files.ok()) return Fail(files.status());

  std::unique_ptr<EventCsvExporter> exporter;
  if (!f.export_csv.empty()) {
    auto opened = EventCsvExporter::Open(f.export_csv);
    if (!opened.ok()) return Fail(opened.status());
    exporter = std::move(opened).value();
  }
  const size_t threads = AnalyzeThreads(
      f.threads, std::thread::hardware_concurrency(), InputBytes(*files),
      ParallelLogReader::Splittable(*files),
      exporter != nullptr || plan->analyzer.series_by != AnalyzerOptions::SeriesBy::kNone);
  // One Analyzer (and filter) per thread, each fed a contiguous part of the input; merged in
  // input order below.
  std::vector<std::unique_ptr<Analyzer>> analyzers;
  std::vector<std::unique_ptr<FilteringSink>> filters;
  std::vector<EventSink*> sinks;
  for (size_t t = 0; t < threads; ++t) {
    Analyzer& analyzer = *analyzers.emplace_back(std::make_unique<Analyzer>(plan->analyzer));
    std::vector<EventSink*> downstream = {&analyzer};
    if (exporter) downstream.push_back(exporter.get());
    // Without a filter or a second sink the events go straight to the analyzer: the
    // filter's per-event check is ~1.5% of an unfiltered run.
    if (plan->filter.Empty() && downstream.size() == 1) {
      sinks.push_back(&analyzer);
    } else {
      sinks.push_back(
          filters.emplace_back(std::make_unique<FilteringSink>(plan->filter, downstream)).get());
    }
  }
  RejectLog rejects(f.max_errors);
  LogReadStats stats;
  {
    ProgressBar bar(stderr, !f.no_progress && isatty(STDERR_FILENO));
    const ProgressFn progress = [&bar](uint64_t done, uint64_t total) { bar.Update(done, total); };
    Status st =
        threads == 1
            ? LogReader(plan->reader).Read(*files, *sinks[0], rejects, &stats, progress)
            : ParallelLogReader(plan->reader).Read(*files, sinks, rejects, &stats, progress);
    bar.Finish();
    if (!st.ok()) return Fail(st);
  }
  Analyzer& analyzer = *analyzers[0];
  for (size_t t = 1; t < analyzers.size(); ++t) analyzer.Merge(std::move(*analyzers[t]));
  analyzers.resize(1);
  uint64_t dropped = 0;
  for (const auto& filter : filters) dropped += filter->dropped();
  if (exporter) {
    Status st = exporter->Close();
    if (!st.ok()) return Fail(st);
  }

  if (stats.lines == 0) {
    return Fail(Status::InvalidArgument(
        fmt::format("no records: the input is empty ({})", fmt::join(stats.sources, ", "))));
  }
  if (stats.accepted == 0) {
    const auto& first = rejects.first();
    std::string detail = first.empty() ? ""
                                       : fmt::format(" (first: {}:{}: {})", first[0].source,
                                                     first[0].line, first[0].reason);
    return Fail(Status::InvalidArgument(
        fmt::format("no valid records: all {} lines were rejected{}", rejects.total(), detail)));
  }

  AnalysisReport report = analyzer.Finish(stats, rejects, dropped);
  report.tool_version = INFERSCOPE_VERSION;

  std::string out;
  if (f.format == "json") {
    out = JsonReportWriter().Render(report);
  } else if (f.format == "markdown") {
    out = MarkdownReportWriter().Render(report);
  } else if (f.format == "csv") {
    out = CsvReportWriter().Render(report, *section);
  } else {
    bool color =
        f.color == "always" || (f.color == "auto" && f.output.empty() && isatty(STDOUT_FILENO) &&
                                std::getenv("NO_COLOR") == nullptr);
    TableReportOptions table_options;
    table_options.use_color = color;
    out = TableReportWriter(table_options).Render(report);
  }
  Status st = WriteOutput(f.output, out);
  if (!st.ok()) return Fail(st);
  if (!f.report.empty()) {
    st = WriteOutput(f.report, HtmlReportWriter().Render(report));
    if (!st.ok()) return Fail(st);
  }
  if (report.summary.total_requests == 0) {
    fmt::print(stderr, "inferscope analyze: warning: no record matched the filters ({} dropped)\n",
               dropped);
  }
  if (rejects.total() > 0) {
    fmt::print(stderr, "inferscope analyze: {} of {} lines rejected", rejects.total(), stats.lines);
    if (!rejects.first().empty()) {
      const auto& r = rejects.first()[0];
      fmt::print(stderr, "; first: {}:{}: {}", r.source, r.line, r.reason);
    }
    fmt::print(stderr, "\n");
    if (f.strict) return 1;
  }
  return 0;
}

}  // namespace inferscope
