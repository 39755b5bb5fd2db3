#include "insight/html_report_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time_format.h"
#include "detect/incident_grouping.h"
#include "insight/svg_chart.h"

namespace inferscope {
namespace {

constexpr std::string_view kDash = "\xE2\x80\x93";
constexpr std::string_view kOutlierRed = "#d62728";
constexpr std::string_view kRequestOutlier = "#7a0177";

constexpr std::string_view kCss = R"css(
:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0;background:#f5f6f8;color:#1f2328;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1200px;margin:0 auto;padding:24px 20px 40px}
h1{font-size:26px;margin:0 0 6px}
h2{font-size:19px;margin:0 0 12px}
h3{font-size:15px;margin:20px 0 8px}
.meta{color:#57606a;margin:2px 0;overflow-wrap:anywhere}
nav{margin:12px 0 0;display:flex;flex-wrap:wrap;gap:4px 14px}
nav a{color:#0969da;text-decoration:none;white-space:nowrap}
section{background:#fff;border:1px solid #e1e4e8;border-radius:8px;padding:16px 20px;margin:16px 0;overflow-x:auto}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(128px,1fr));gap:8px;margin:16px 0 8px}
.card{background:#fff;border:1px solid #e1e4e8;border-radius:8px;padding:10px 12px}
.card .label{font-size:12px;color:#57606a}
.card .value{font-size:19px;font-weight:600;font-variant-numeric:tabular-nums;white-space:nowrap}
.card.bad .value{color:#cf222e}
svg.chart{display:block;max-width:100%;height:auto}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(440px,100%),1fr));gap:16px 24px}
.grid4{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(240px,100%),1fr));gap:16px 24px}
figure{margin:0;min-width:0;overflow-x:auto}
figcaption{font-weight:600;font-size:13px;color:#333;margin:0 0 4px}
.note{color:#57606a;font-size:12px;margin:6px 0 0}
.nodata{color:#57606a;font-style:italic}
.incident{border:1px solid #e1e4e8;border-radius:6px;padding:2px 12px;margin:10px 0}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;font-size:13px;font-variant-numeric:tabular-nums;margin:4px 0}
th,td{padding:4px 9px;border-bottom:1px solid #eaecef;text-align:left;white-space:nowrap}
th{background:#f6f8fa;font-weight:600}
td.num,th.num{text-align:right}
td.big{font-weight:600}
details{margin:8px 0}
details summary{cursor:pointer;color:#0969da}
ul.findings li{margin:3px 0}
footer{color:#8c959f;font-size:12px;text-align:center;margin-top:24px}
)css";

std::string Esc(std::string_view s) { return HtmlEscape(s); }

std::string Time(TimestampNs ns) { return FormatIso8601(ns); }

// Picks a display format from a field or metric name ("latency_p95_ms", "error_rate").
ValueFormat FormatForName(std::string_view name) {
  auto ends_with = [&](std::string_view suffix) {
    return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  if (ends_with("_ms")) return ValueFormat::kMilliseconds;
  if (ends_with("_rate") || ends_with("_ratio") || name == "share") return ValueFormat::kPercent;
  if (name.find("cost") != std::string_view::npos) return ValueFormat::kUsd;
  if (name == "requests" || name == "count") return ValueFormat::kCount;
  return ValueFormat::kNumber;
}

std::string Count(uint64_t v) { return FormatThousands(v); }
std::string Ms(double v) { return FormatValue(v, ValueFormat::kMilliseconds); }
std::string Pct(double v) { return FormatValue(v, ValueFormat::kPercent); }
std::string Usd(double v) { return FormatValue(v, ValueFormat::kUsd); }
std::string Num(double v) { return FormatValue(v, ValueFormat::kNumber); }
std::string PerSecond(double v) {
  return std::isfinite(v) ? FormatValue(v, ValueFormat::kNumber) + " req/s" : std::string(kDash);
}
// "1 min", "5 min", "1 h", "30 s": the trend window in the unit it was probably given in.
std::string WindowLabel(int64_t ns) {
  if (ns <= 0) return std::string(kDash);
  if (ns % kNanosPerDay == 0) return fmt::format("{} d", ns / kNanosPerDay);
  if (ns % kNanosPerHour == 0) return fmt::format("{} h", ns / kNanosPerHour);
  if (ns % kNanosPerMinute == 0) return fmt::format("{} min", ns / kNanosPerMinute);
  return FormatDurationHuman(ns);
}

std::string Change(double pct) {
  if (!std::isfinite(pct)) return std::string(kDash);
  return fmt::format("{}{:.1f}%", pct > 0 ? "+" : pct < 0 ? "\xE2\x88\x92" : "", std::fabs(pct));
}

// A table whose cells are already HTML; `numeric[i]` right-aligns column i.
void AppendTable(std::string* out, const std::vector<std::string>& headers,
                 const std::vector<bool>& numeric,
                 const std::vector<std::vector<std::string>>& rows) {
  *out += "<div class=\"table-wrap\"><table>\n<thead><tr>";
  for (size_t i = 0; i < headers.size(); ++i) {
    *out += fmt::format("<th{}>{}</th>", numeric[i] ? " class=\"num\"" : "", headers[i]);
  }
  *out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : rows) {
    *out += "<tr>";
    for (size_t i = 0; i < row.size(); ++i) {
      *out += fmt::format("<td{}>{}</td>", i < numeric.size() && numeric[i] ? " class=\"num\"" : "",
                          row[i]);
    }
    *out += "</tr>\n";
  }
  *out += "</tbody></table></div>\n";
}

// Column flags for a table whose first column is text and the rest numbers.
std::vector<bool> FirstColumnText(size_t columns) {
  std::vector<bool> numeric(columns, true);
  numeric[0] = false;
  return numeric;
}

void AppendFigure(std::string* out, std::string_view caption, const std::string& svg) {
  *out += fmt::format("<figure>\n<figcaption>{}</figcaption>\n{}</figure>\n", caption, svg);
}

void AppendNoData(std::string* out, std::string_view what) {
  *out += fmt::format("<p class=\"nodata\">No data: {}</p>\n", what);
}

const TrendSeries* AllModelsSeries(const Trends& trends) {
  for (const TrendSeries& s : trends.series) {
    if (s.model == "*") return &s;
  }
  return trends.series.empty() ? nullptr : &trends.series.front();
}

// Per-model series (everything but "*"), largest first as the analyzer ordered them.
std::vector<const TrendSeries*> ModelSeries(const Trends& trends, size_t limit) {
  std::vector<const TrendSeries*> out;
  for (const TrendSeries& s : trends.series) {
    if (s.model != "*" && out.size() < limit) out.push_back(&s);
  }
  return out;
}

template <typename F>
std::vector<XY> Points(const TrendSeries& s, F value) {
  std::vector<XY> out;
  out.reserve(s.points.size());
  for (const TrendPoint& p : s.points) {
    out.push_back({static_cast<double>(p.start_ns), value(p)});
  }
  return out;
}

class Page {
 public:
  Page(const AnalysisReport& r, const HtmlReportWriter::Options& o) : r_(r), o_(o) {}

  std::string Build() {
    out_ += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    out_ += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out_ += "<title>inferscope analysis</title>\n<style>";
    out_ += kCss;
    out_ += "</style>\n</head>\n<body>\n<main>\n";
    Header();
    AnomaliesSection();
    LatencySection();
    Traffic();
    Models();
    Cost();
    CorrelationSection();
    Tables();
    out_ += fmt::format("<footer>Generated by inferscope {}</footer>\n", Version());
    out_ += "</main>\n</body>\n</html>\n";
    return std::move(out_);
  }

 private:
  bool Empty() const { return r_.summary.total_requests == 0; }
  std::string Version() const {
    return r_.tool_version.empty() ? std::string("(unknown version)") : Esc(r_.tool_version);
  }

  SvgChart::Options ChartOptions(int width, int height, std::string y_label, ValueFormat f,
                                 bool time_axis) const {
    SvgChart::Options c;
    c.width = width;
    c.height = height;
    c.y_label = std::move(y_label);
    c.y_format = f;
    c.time_axis = time_axis;
    c.max_points_per_series = o_.max_points_per_series;
    return c;
  }

  void SectionOpen(std::string_view id, std::string_view title) {
    out_ += fmt::format("<section id=\"{}\">\n<h2>{}</h2>\n", id, title);
  }
  void SectionClose() { out_ += "</section>\n"; }

  void DownsampleNote(const TrendSeries* s) {
    if (s != nullptr && s->points.size() > o_.max_points_per_series) {
      out_ += fmt::format(
          "<p class=\"note\">{} windows; lines are reduced to at most {} points per series, "
          "keeping each bucket's minimum and maximum so spikes stay visible.</p>\n",
          Count(s->points.size()), Count(o_.max_points_per_series));
    }
  }

  void Card(std::string_view label, const std::string& value, bool bad = false) {
    out_ += fmt::format(
        "<div class=\"card{}\"><div class=\"label\">{}</div><div class=\"value\">{}</div></div>\n",
        bad ? " bad" : "", label, value);
  }

  void Header() {
    const Summary& s = r_.summary;
    out_ += "<header>\n<h1>inferscope analysis</h1>\n";
    std::string sources;
    const size_t shown = std::min<size_t>(r_.input.sources.size(), 5);
    for (size_t i = 0; i < shown; ++i) {
      if (i > 0) sources += ", ";
      sources += "<code>" + Esc(r_.input.sources[i]) + "</code>";
    }
    if (r_.input.sources.size() > shown) {
      sources += fmt::format(" and {} more", r_.input.sources.size() - shown);
    }
    if (sources.empty()) sources = std::string(kDash);
    out_ += fmt::format("<p class=\"meta\">Sources: {} ({} lines, {} bytes)</p>\n", sources,
                        Count(r_.input.lines), Count(r_.input.bytes));
    if (Empty()) {
      out_ += fmt::format("<p class=\"meta\">Time span: {}</p>\n", kDash);
    } else {
      out_ +=
          fmt::format("<p class=\"meta\">Time span: {} \xE2\x80\x93 {} ({})</p>\n",
                      Time(s.start_ns), Time(s.end_ns), FormatDurationHuman(s.end_ns - s.start_ns));
    }
    out_ += fmt::format("<p class=\"meta\">Generated by inferscope {}</p>\n", Version());
    out_ +=
        "<nav><a href=\"#anomalies\">Anomalies</a><a href=\"#latency\">Latency</a><a "
        "href=\"#traffic\">Requests &amp; errors</a>"
        "<a href=\"#models\">Models</a><a href=\"#cost\">Cost</a>"
        "<a href=\"#correlations\">Correlations</a><a href=\"#tables\">Tables</a></nav>\n";
    out_ += "<div class=\"cards\">\n";
    Card("Requests", Count(s.total_requests));
    Card("Throughput", PerSecond(s.throughput_rps));
    Card("Error rate", Empty() ? std::string(kDash) : Pct(s.error_rate), s.error_rate > 0.05);
    Card("p50 latency", Ms(s.latency_ms.p50));
    Card("p95 latency", Ms(s.latency_ms.p95));
    Card("p99 latency", Ms(s.latency_ms.p99));
    Card("Total cost", Usd(s.cost_usd));
    Card("Rejected lines", Count(r_.input.rejected), r_.input.rejected > 0);
    out_ += "</div>\n";
    if (!r_.input.first_rejects.empty()) {
      out_ += fmt::format("<details>\n<summary>First {} rejected lines (of {})</summary>\n",
                          Count(r_.input.first_rejects.size()), Count(r_.input.rejected));
      std::vector<std::vector<std::string>> rows;
      for (const InputInfo::Reject& rej : r_.input.first_rejects) {
        rows.push_back({"<code>" + Esc(rej.source) + "</code>", Count(rej.line), Esc(rej.reason)});
      }
      AppendTable(&out_, {"Source", "Line", "Reason"}, {false, true, false}, rows);
      out_ += "</details>\n";
    }
    if (Empty()) {
      AppendNoData(&out_,
                   "the input contained no accepted requests, so there is nothing to chart.");
    }
    out_ += "</header>\n";
  }

  void AnomaliesSection() {
    if (!r_.anomalies_checked || Empty()) return;
    const std::vector<IncidentView> views = IncidentViews(r_.anomalies);
    const size_t incidents = views.size();
    SectionOpen("anomalies", incidents == r_.anomalies.size()
                                 ? fmt::format("Anomalies ({})", r_.anomalies.size())
                                 : fmt::format("Anomalies ({} in {} incidents)",
                                               r_.anomalies.size(), incidents));
    if (r_.anomalies.empty()) {
      out_ += "<p>None: every watched metric stayed within its baseline.</p>\n";
    }
    for (const IncidentView& incident : views) {
      // An incident of several anomalies: a heading and its anomalies in one block.
      const bool grouped = incident.members.size() > 1;
      if (grouped) {
        out_ += fmt::format(
            "<div class=\"incident\">\n<p><strong>[{}] incident</strong> on <code>{}</code>, "
            "{} \xE2\x80\x93 {}: {} anomalies</p>\n",
            SeverityName(incident.severity),
            incident.models == "*" ? std::string("all models") : Esc(incident.models),
            Time(incident.start_ns),
            incident.firing ? std::string("still firing") : Time(incident.end_ns),
            incident.members.size());
      }
      for (size_t i : incident.members) {
        const Anomaly& a = r_.anomalies[i];
        const bool firing = a.state != AnomalyState::kResolved;
        const bool severe = a.severity >= Severity::kHigh;
        out_ += fmt::format(
            "<div class=\"anomaly\" style=\"border-left:4px solid {};padding:4px 12px;margin:10px "
            "0\">\n<p><strong>[{}] {}</strong> on <code>{}</code>, {} \xE2\x80\x93 {}</p>\n"
            "<p>{}</p>\n<p><em>Why:</em> {}</p>\n<p><em>Do:</em> {}</p>\n</div>\n",
            severe ? "#c0392b" : "#e0a800", SeverityName(a.severity), AnomalyKindName(a.kind),
            a.model == "*" ? std::string("all models") : Esc(a.model), Time(a.start_ns),
            firing ? std::string("still firing") : Time(a.end_ns), Esc(a.summary), Esc(a.cause),
            Esc(a.recommendation));
      }
      if (grouped) out_ += "</div>\n";
    }
    SectionClose();
  }

  void LatencySection() {
    SectionOpen("latency", "Latency percentiles over time");
    const TrendSeries* all = AllModelsSeries(r_.trends);
    SvgChart chart(ChartOptions(1140, 320, "latency, ms", ValueFormat::kMilliseconds, true));
    if (all != nullptr) {
      chart.AddLine("p50", Points(*all, [](const TrendPoint& p) { return p.latency_p50_ms; }),
                    "#4e79a7");
      chart.AddLine("p95", Points(*all, [](const TrendPoint& p) { return p.latency_p95_ms; }),
                    "#f28e2b");
      chart.AddLine("p99", Points(*all, [](const TrendPoint& p) { return p.latency_p99_ms; }),
                    "#b07aa1");
    }
    std::vector<SvgChart::Marker> aggregate;
    for (const AggregateOutlier& a : r_.outliers.aggregates) {
      if (a.metric != "latency_p95_ms") continue;
      aggregate.push_back(
          {static_cast<double>(a.bucket_start_ns), a.value,
           fmt::format("{} at {}: p95 {} vs baseline {} (score {:.1f})", a.model,
                       Time(a.bucket_start_ns), Ms(a.value), Ms(a.baseline), a.score)});
    }
    std::vector<SvgChart::Marker> requests;
    for (const RequestOutlier& o : r_.outliers.worst) {
      if (o.field != "latency_ms") continue;
      requests.push_back(
          {static_cast<double>(o.timestamp_ns), o.value,
           fmt::format("request {} ({}) at {}: {} vs {} ({}, score {:.1f})", o.request_id, o.model,
                       Time(o.timestamp_ns), Ms(o.value), Ms(o.baseline), o.method, o.score)});
    }
    const bool marked = !aggregate.empty() || !requests.empty();
    chart.AddMarkers("p95 outlier (per-minute)", std::move(aggregate), std::string(kOutlierRed));
    chart.AddMarkers("outlier request", std::move(requests), std::string(kRequestOutlier),
                     SvgChart::MarkerShape::kDiamond);
    out_ += chart.Render();
    out_ += "<p class=\"note\">All models together, per trend window (UTC).";
    if (marked) {
      out_ +=
          " Red dots: per-minute p95 far from its rolling baseline; purple diamonds: the most "
          "extreme single requests. Hover a marker for details.";
    }
    out_ += "</p>\n";
    DownsampleNote(all);
    SectionClose();
  }

  void Traffic() {
    SectionOpen("traffic", "Requests and error rate over time");
    const TrendSeries* all = AllModelsSeries(r_.trends);
    out_ += "<div class=\"grid2\">\n";
    SvgChart requests(ChartOptions(560, 260, "requests per window", ValueFormat::kCount, true));
    if (all != nullptr) {
      requests.AddColumns(
          "requests",
          Points(*all, [](const TrendPoint& p) { return static_cast<double>(p.requests); }),
          static_cast<double>(r_.trends.window_ns), "#4e79a7");
    }
    const std::string window = WindowLabel(r_.trends.window_ns);
    AppendFigure(&out_,
                 r_.trends.window_ns > 0 ? fmt::format("Requests per {} window", window)
                                         : std::string("Requests per window"),
                 requests.Render());
    SvgChart errors(ChartOptions(560, 260, "error rate", ValueFormat::kPercent, true));
    if (all != nullptr) {
      errors.AddLine("all models", Points(*all, [](const TrendPoint& p) { return p.error_rate; }),
                     "#333333");
    }
    const auto per_model = ModelSeries(r_.trends, o_.max_models_in_charts);
    if (per_model.size() > 1) {
      size_t color = 0;
      for (const TrendSeries* s : per_model) {
        errors.AddLine(s->model, Points(*s, [](const TrendPoint& p) { return p.error_rate; }),
                       std::string(SvgChart::PaletteColor(color++)));
      }
    }
    AppendFigure(&out_, "Error rate (errors + timeouts)", errors.Render());
    out_ += "</div>\n";
    DownsampleNote(all);
    SectionClose();
  }

  void Models() {
    SectionOpen("models", "Per-model comparison");
    if (r_.models.empty()) {
      AppendNoData(&out_, "no per-model statistics.");
      SectionClose();
      return;
    }
    const size_t n = std::min(r_.models.size(), o_.max_models_in_charts);
    auto bars = [&](auto value) {
      std::vector<SvgChart::Bar> out;
      for (size_t i = 0; i < n; ++i) out.push_back({r_.models[i].model, value(r_.models[i])});
      return out;
    };
    struct Panel {
      std::string_view caption;
      ValueFormat format;
      std::vector<SvgChart::Bar> bars;
      std::string_view color;
    };
    Panel panels[] = {
        {"Requests", ValueFormat::kCount,
         bars([](const ModelSummary& m) { return static_cast<double>(m.count); }), "#4e79a7"},
        {"p95 latency", ValueFormat::kMilliseconds,
         bars([](const ModelSummary& m) { return m.latency_ms.p95; }), "#f28e2b"},
        {"Error rate", ValueFormat::kPercent,
         bars([](const ModelSummary& m) { return m.error_rate; }), "#e15759"},
        {"Cost", ValueFormat::kUsd, bars([](const ModelSummary& m) { return m.cost_usd; }),
         "#59a14f"},
    };
    out_ += "<div class=\"grid4\">\n";
    for (Panel& p : panels) {
      SvgChart chart(ChartOptions(300, 0, "", p.format, false));
      chart.SetBars(std::move(p.bars), std::string(p.color));
      AppendFigure(&out_, p.caption, chart.Render());
    }
    out_ += "</div>\n";
    if (r_.models.size() > n) {
      out_ += fmt::format("<p class=\"note\">The {} largest of {} models are shown.</p>\n", n,
                          r_.models.size());
    }
    SectionClose();
  }

  void Cost() {
    SectionOpen("cost", "Cost over time");
    SvgChart chart(ChartOptions(1140, 280, "cost per window, USD", ValueFormat::kUsd, true));
    const auto per_model = ModelSeries(r_.trends, o_.max_models_in_charts);
    const TrendSeries* all = AllModelsSeries(r_.trends);
    if (per_model.size() > 1) {
      if (all != nullptr && all->model == "*") {
        chart.AddLine("all models", Points(*all, [](const TrendPoint& p) { return p.cost_usd; }),
                      "#333333");
      }
      size_t color = 0;
      for (const TrendSeries* s : per_model) {
        chart.AddLine(s->model, Points(*s, [](const TrendPoint& p) { return p.cost_usd; }),
                      std::string(SvgChart::PaletteColor(color++)));
      }
    } else if (all != nullptr) {
      chart.AddLine("cost", Points(*all, [](const TrendPoint& p) { return p.cost_usd; }),
                    "#59a14f");
    }
    out_ += chart.Render();
    DownsampleNote(all);
    SectionClose();
  }

  void CorrelationSection() {
    SectionOpen("correlations", "Correlations");
    const Correlations& c = r_.correlations;
    if (c.fields.empty()) {
      AppendNoData(&out_, "no numeric fields to correlate.");
      SectionClose();
      return;
    }
    out_ += "<div class=\"grid2\">\n";
    SvgChart pearson(ChartOptions(540, 0, "", ValueFormat::kNumber, false));
    pearson.SetHeatmap(c.fields, c.pearson);
    AppendFigure(&out_, fmt::format("Pearson (linear), {} records", Count(c.pearson_rows)),
                 pearson.Render());
    SvgChart spearman(ChartOptions(540, 0, "", ValueFormat::kNumber, false));
    spearman.SetHeatmap(c.fields, c.spearman);
    AppendFigure(&out_, fmt::format("Spearman (rank), {} sampled rows", Count(c.spearman_rows)),
                 spearman.Render());
    out_ += "</div>\n";
    out_ +=
        "<p class=\"note\">Red: the two fields rise together; blue: one falls as the other "
        "rises. Grey \xE2\x80\x93: fewer than 3 joint observations or no variance.</p>\n";
    SectionClose();
  }

  void SummaryTable() {
    const Summary& s = r_.summary;
    const InputInfo& in = r_.input;
    out_ += "<h3>Summary</h3>\n";
    auto dist = [](const Distribution& d) {
      return fmt::format("{} / {} / {} / {} / {}", Ms(d.avg), Ms(d.p50), Ms(d.p95), Ms(d.p99),
                         Ms(d.max));
    };
    std::vector<std::vector<std::string>> rows = {
        {"Requests", Count(s.total_requests)},
        {"Duration", Empty() || !std::isfinite(s.duration_s)
                         ? std::string(kDash)
                         : FormatDurationHuman(static_cast<int64_t>(s.duration_s * 1e9))},
        {"Throughput", PerSecond(s.throughput_rps)},
        {"Errors (of which timeouts)", fmt::format("{} ({})", Count(s.errors), Count(s.timeouts))},
        {"Error rate", Empty() ? std::string(kDash) : Pct(s.error_rate)},
        {"Latency avg / p50 / p95 / p99 / max", dist(s.latency_ms)},
        {"TTFT avg / p50 / p95 / p99 / max", dist(s.ttft_ms)},
        {"Tokens in / out", Num(s.input_tokens) + " / " + Num(s.output_tokens)},
        {"Cost", Usd(s.cost_usd)},
        {"Avg batch size", Num(s.avg_batch_size)},
        {"Avg GPU utilisation",
         std::isfinite(s.avg_gpu_util) ? Num(s.avg_gpu_util) + "%" : std::string(kDash)},
        {"Cache hit rate", Pct(s.cache_hit_rate)},
        {"Lines read / accepted / rejected / filtered out",
         fmt::format("{} / {} / {} / {}", Count(in.lines), Count(in.accepted), Count(in.rejected),
                     Count(in.filtered_out))},
    };
    AppendTable(&out_, {"Metric", "Value"}, {false, true}, rows);
  }

  void ModelTable() {
    out_ += "<h3>Model comparison</h3>\n";
    if (r_.models.empty()) {
      AppendNoData(&out_, "no models.");
      return;
    }
    std::vector<std::vector<std::string>> rows;
    for (const ModelSummary& m : r_.models) {
      rows.push_back({Esc(m.model), Count(m.count), Pct(m.share), PerSecond(m.requests_per_s),
                      Pct(m.error_rate), Count(m.timeouts), Ms(m.latency_ms.p50),
                      Ms(m.latency_ms.p95), Ms(m.latency_ms.p99), Ms(m.ttft_ms.p95),
                      Num(m.input_tokens), Num(m.output_tokens), Usd(m.cost_usd),
                      Usd(m.cost_per_1k_requests), Num(m.avg_batch_size),
                      Pct(m.avg_batch_fill_ratio), Num(m.avg_gpu_util), Num(m.avg_queue_depth),
                      Pct(m.cache_hit_rate)});
    }
    AppendTable(&out_,
                {"Model", "Requests", "Share", "Rate", "Error rate", "Timeouts", "p50", "p95",
                 "p99", "TTFT p95", "Tokens in", "Tokens out", "Cost", "Cost / 1k", "Batch",
                 "Batch fill", "GPU %", "Queue", "Cache hit"},
                FirstColumnText(19), rows);
  }

  void OutlierTables() {
    const Outliers& o = r_.outliers;
    out_ += "<h3>Worst request outliers</h3>\n";
    if (!o.methods.empty()) {
      std::string methods;
      for (const OutlierMethod& m : o.methods) {
        if (!methods.empty()) methods += "; ";
        methods += fmt::format("{} ({} {}): {} flagged", Esc(m.method),
                               m.method == "iqr" ? "k =" : "|score| &gt;",
                               fmt::format("{:g}", m.threshold), Count(m.flagged));
      }
      out_ +=
          fmt::format("<p class=\"note\">Field <code>{}</code>. {}.</p>\n", Esc(o.field), methods);
    }
    if (o.worst.empty()) {
      AppendNoData(&out_, "no request was flagged.");
    } else {
      std::vector<std::vector<std::string>> rows;
      for (const RequestOutlier& w : o.worst) {
        const ValueFormat f = FormatForName(w.field);
        rows.push_back({"<code>" + Esc(w.request_id) + "</code>", Esc(w.model),
                        Time(w.timestamp_ns), FormatValue(w.value, f), FormatValue(w.baseline, f),
                        fmt::format("{:.2f}", w.score), Esc(w.method)});
      }
      AppendTable(&out_, {"Request id", "Model", "Time", "Value", "Baseline", "Score", "Method"},
                  {false, false, false, true, true, true, false}, rows);
    }
    out_ += "<h3>Aggregate outliers</h3>\n";
    if (o.aggregates.empty()) {
      AppendNoData(&out_, "no per-minute aggregate was far from its baseline.");
    } else {
      std::vector<std::vector<std::string>> rows;
      for (const AggregateOutlier& a : o.aggregates) {
        const ValueFormat f = FormatForName(a.metric);
        rows.push_back({Esc(a.model == "*" ? "all models" : a.model), Time(a.bucket_start_ns),
                        Esc(a.metric), FormatValue(a.value, f), FormatValue(a.baseline, f),
                        fmt::format("{:.2f}", a.score)});
      }
      AppendTable(&out_, {"Model", "Minute", "Metric", "Value", "Baseline", "Score"},
                  {false, false, false, true, true, true}, rows);
    }
  }

  void InvestigationTable() {
    const Investigation& inv = r_.investigation;
    out_ += "<h3>Spike investigation</h3>\n";
    if (!inv.present) {
      out_ +=
          "<p class=\"nodata\">Not requested (run <code>inferscope analyze --investigate "
          "--from T1 --to T2</code>).</p>\n";
      return;
    }
    out_ += fmt::format(
        "<p>Model <code>{}</code>: window {} \xE2\x80\x93 {} compared with the baseline {} "
        "\xE2\x80\x93 {}.</p>\n",
        Esc(inv.model == "*" ? "all models" : inv.model), Time(inv.from_ns), Time(inv.to_ns),
        Time(inv.baseline_from_ns), Time(inv.baseline_to_ns));
    std::vector<std::vector<std::string>> rows;
    for (const InvestigationMetric& m : inv.metrics) {
      const ValueFormat f = FormatForName(m.name);
      rows.push_back({Esc(m.name), FormatValue(m.baseline, f), FormatValue(m.window, f),
                      Change(m.change_pct)});
    }
    out_ +=
        "<div class=\"table-wrap\"><table>\n<thead><tr><th>Metric</th><th class=\"num\">"
        "Baseline</th><th class=\"num\">Window</th><th class=\"num\">Change</th></tr></thead>"
        "\n<tbody>\n";
    for (size_t i = 0; i < rows.size(); ++i) {
      const bool big =
          std::isfinite(inv.metrics[i].change_pct) && std::fabs(inv.metrics[i].change_pct) >= 25;
      out_ += fmt::format(
          "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
          "class=\"num{}\">{}</td></tr>\n",
          rows[i][0], rows[i][1], rows[i][2], big ? " big" : "", rows[i][3]);
    }
    out_ += "</tbody></table></div>\n";
    if (!inv.findings.empty()) {
      out_ += "<h4>Findings</h4>\n<ul class=\"findings\">\n";
      for (const std::string& f : inv.findings) out_ += "<li>" + Esc(f) + "</li>\n";
      out_ += "</ul>\n";
    }
  }

  void Tables() {
    SectionOpen("tables", "Tables");
    SummaryTable();
    ModelTable();
    OutlierTables();
    InvestigationTable();
    SectionClose();
  }

  const AnalysisReport& r_;
  const HtmlReportWriter::Options& o_;
  std::string out_;
};

}  // namespace

std::string HtmlReportWriter::Render(const AnalysisReport& report) const {
  return Page(report, options_).Build();
}

Status WriteHtmlReport(const AnalysisReport& report, const std::string& path) {
  const std::string html = HtmlReportWriter().Render(report);
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) return Status::IoError("cannot open " + path + " for writing");
  file.write(html.data(), static_cast<std::streamsize>(html.size()));
  file.close();
  if (!file) return Status::IoError("cannot write " + path);
  return Status::Ok();
}

}  // namespace inferscope
