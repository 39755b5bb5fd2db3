#include "insight/table_report_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <vector>

#include "core/time_format.h"
#include "detect/incident_grouping.h"
#include "insight/number_format.h"

namespace inferscope {
namespace {

constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kRed = "\x1b[31m";
constexpr std::string_view kYellow = "\x1b[33m";
constexpr std::string_view kReset = "\x1b[0m";
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026
constexpr size_t kIndent = 2;
constexpr size_t kGap = 2;
constexpr size_t kLabelWidth = 14;

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the UTF-8 sequence starting at s[i] (checking only the lead byte and the
// continuation bytes), or 0 if malformed.
size_t SequenceLength(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80             ? 1
             : (c & 0xE0) == 0xC0 ? 2
             : (c & 0xF0) == 0xE0 ? 3
             : (c & 0xF8) == 0xF0 ? 4
                                  : 0;
  if (n == 0 || c == 0xC0 || c == 0xC1 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if (!IsContinuation(static_cast<unsigned char>(s[i + k]))) return 0;
  }
  return n;
}

// Replaces C0/C1 control characters, DEL and malformed UTF-8 by '?': text from the logs must
// not reach the terminal as escape sequences, and the result is valid UTF-8.
std::string Sanitize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t n = SequenceLength(text, i);
    bool control = (n == 1 && (c < 0x20 || c == 0x7F)) ||
                   (n == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0);
    if (n == 0 || control) {
      out.push_back('?');
      i += n == 0 ? 1 : n;
      continue;
    }
    out.append(text.substr(i, n));
    i += n;
  }
  return out;
}

// Display columns of valid UTF-8 text: one per code point.
size_t DisplayWidth(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return !IsContinuation(static_cast<unsigned char>(c));
  }));
}

// At most `width` columns of valid UTF-8 text; a shortened text ends with "…".
std::string Truncate(std::string_view text, size_t width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  if (width == 0) return {};
  size_t i = 0;
  for (size_t kept = 0; kept + 1 < width && i < text.size(); ++kept) {
    ++i;
    while (i < text.size() && IsContinuation(static_cast<unsigned char>(text[i]))) ++i;
  }
  return std::string(text.substr(0, i)) + std::string(kEllipsis);
}

void RightTrim(std::string* line) {
  while (!line->empty() && line->back() == ' ') line->pop_back();
}

class Painter {
 public:
  explicit Painter(bool enabled) : enabled_(enabled) {}
  std::string Paint(std::string_view text, std::string_view code) const {
    if (!enabled_ || code.empty() || text.empty()) return std::string(text);
    return fmt::format("{}{}{}", code, text, kReset);
  }

 private:
  bool enabled_;
};

// Colour for an error rate (0..1): none below 1%, yellow to 5%, red above.
std::string_view ErrorRateColor(double rate) {
  if (!std::isfinite(rate) || rate <= 0.01) return {};
  return rate > 0.05 ? kRed : kYellow;
}

enum class Align { kLeft, kRight };

struct TextColumn {
  std::string_view title;
  Align align = Align::kRight;
  bool flexible = false;  // shrunk first when the table is too wide (names, ids)
};

struct Cell {
  Cell(std::string t) : text(std::move(t)) {}  // NOLINT(google-explicit-constructor)
  Cell(std::string t, std::string_view c) : text(std::move(t)), color(c) {}
  std::string text;
  std::string_view color;
};

// Aligned columns within a width budget: flexible columns shrink to 8 columns first, then
// any column down to 3, with "…" marking shortened cells.
class TextTable {
 public:
  explicit TextTable(std::vector<TextColumn> columns) : columns_(std::move(columns)) {}

  void AddRow(std::vector<Cell> cells) {
    cells.resize(columns_.size(), Cell(std::string()));
    for (Cell& cell : cells) cell.text = Sanitize(cell.text);
    rows_.push_back(std::move(cells));
  }

  bool empty() const { return rows_.empty(); }

  void AppendTo(std::string* out, size_t max_width, const Painter& painter) const {
    const size_t n = columns_.size();
    std::vector<size_t> widths(n);
    for (size_t i = 0; i < n; ++i) {
      widths[i] = DisplayWidth(columns_[i].title);
      for (const std::vector<Cell>& row : rows_) {
        widths[i] = std::max(widths[i], DisplayWidth(row[i].text));
      }
    }
    size_t total = kIndent + (n - 1) * kGap;
    for (size_t w : widths) total += w;
    Shrink(&widths, &total, max_width, /*flexible_only=*/true, 8);
    Shrink(&widths, &total, max_width, /*flexible_only=*/false, 3);

    std::string line(kIndent, ' ');
    for (size_t i = 0; i < n; ++i) {
      AppendCell(&line, Cell(std::string(columns_[i].title), kBold), widths[i], columns_[i].align,
                 i + 1 == n, painter);
    }
    RightTrim(&line);
    out->append(line).append("\n");
    for (const std::vector<Cell>& row : rows_) {
      line.assign(kIndent, ' ');
      for (size_t i = 0; i < n; ++i) {
        AppendCell(&line, row[i], widths[i], columns_[i].align, i + 1 == n, painter);
      }
      RightTrim(&line);
      out->append(line).append("\n");
    }
  }

 private:
  void Shrink(std::vector<size_t>* widths, size_t* total, size_t max_width, bool flexible_only,
              size_t min_width) const {
    while (*total > max_width) {
      size_t widest = widths->size();
      for (size_t i = 0; i < widths->size(); ++i) {
        if (flexible_only && !columns_[i].flexible) continue;
        if ((*widths)[i] <= min_width) continue;
        if (widest == widths->size() || (*widths)[i] > (*widths)[widest]) widest = i;
      }
      if (widest == widths->size()) return;
      --(*widths)[widest];
      --*total;
    }
  }

  static void AppendCell(std::string* line, const Cell& cell, size_t width, Align align, bool last,
                         const Painter& painter) {
    std::string text = Truncate(cell.text, width);
    std::string pad(width - DisplayWidth(text), ' ');
    std::string painted = painter.Paint(text, cell.color);
    if (align == Align::kRight) {
      line->append(pad).append(painted);
    } else {
      line->append(painted).append(pad);
    }
    if (!last) line->append(kGap, ' ');
  }

  std::vector<TextColumn> columns_;
  std::vector<std::vector<Cell>> rows_;
};

// Indices of at most `max_rows` elements of n, evenly spaced, first and last included.
std::vector<size_t> EvenlySpacedIndices(size_t n, size_t max_rows) {
  std::vector<size_t> indices;
  if (max_rows == 0 || n <= max_rows) {
    for (size_t i = 0; i < n; ++i) indices.push_back(i);
  } else if (max_rows == 1) {
    indices.push_back(0);
  } else {
    for (size_t i = 0; i < max_rows; ++i) indices.push_back(i * (n - 1) / (max_rows - 1));
  }
  return indices;
}

// "2024-05-01 12:00:00" (UTC; callers say so once per line).
std::string HumanTime(TimestampNs ts, bool with_millis = false) {
  std::string text = FormatIso8601(ts, with_millis);
  std::replace(text.begin(), text.end(), 'T', ' ');
  if (!text.empty() && text.back() == 'Z') text.pop_back();
  return text;
}

// "2024-05-01 12:00:00 to 12:09:59 UTC", the date repeated only when it changes.
std::string HumanRange(TimestampNs from, TimestampNs to) {
  std::string a = HumanTime(from);
  std::string b = HumanTime(to);
  if (a.size() > 11 && b.size() > 11 && a.compare(0, 11, b, 0, 11) == 0) b.erase(0, 11);
  return fmt::format("{} to {} UTC", a, b);
}

std::string GpuPercent(double percent) {
  return std::isfinite(percent) ? FormatNumber(percent, 1) + "%" : std::string(kMissingText);
}

std::string Plural(uint64_t n, std::string_view singular, std::string_view plural) {
  return fmt::format("{} {}", FormatCount(n), n == 1 ? singular : plural);
}

class Renderer {
 public:
  Renderer(const AnalysisReport& report, const TableReportOptions& options)
      : r_(report), options_(options), painter_(options.use_color) {}

  std::string Run() {
    Header();
    SummaryBlock();
    AnomaliesBlock();
    Models();
    Trend();
    Outliers();
    CorrelationsInWords();
    InvestigationBlock();
    Input();
    return std::move(out_);
  }

 private:
  // One line of already sanitised text, cut to the width budget. Lines carrying our own
  // colour codes are short by construction and left whole, since cutting could split a code
  // (sanitised text never holds ESC).
  void Line(std::string_view text) {
    std::string line = text.find('\x1b') == std::string_view::npos
                           ? Truncate(text, options_.max_width)
                           : std::string(text);
    RightTrim(&line);
    out_.append(line).append("\n");
  }

  void Title(std::string_view title) {
    out_.append("\n").append(painter_.Paint(Truncate(title, options_.max_width), kBold));
    out_.append("\n");
  }

  void KeyValue(std::string_view label, std::string_view value) {
    std::string line(kIndent, ' ');
    line.append(label);
    line.append(kLabelWidth > label.size() ? kLabelWidth - label.size() : 1, ' ');
    line.append(value);
    Line(line);
  }

  // Word-wrapped text; the first line starts with `first`, the others with `next`.
  void Wrapped(std::string_view text, std::string_view first, std::string_view next) {
    std::string line(first);
    bool line_has_word = false;
    size_t i = 0;
    while (i < text.size()) {
      size_t end = text.find(' ', i);
      if (end == std::string_view::npos) end = text.size();
      std::string_view word = text.substr(i, end - i);
      i = end + 1;
      if (word.empty()) continue;
      if (line_has_word && DisplayWidth(line) + 1 + DisplayWidth(word) > options_.max_width) {
        Line(line);
        line.assign(next);
        line_has_word = false;
      }
      if (line_has_word) line.push_back(' ');
      line.append(word);
      line_has_word = true;
    }
    Line(line);
  }

  void Header() {
    const Summary& s = r_.summary;
    std::string version = Sanitize(r_.tool_version);
    if (s.total_requests == 0) {
      Line(fmt::format("inferscope {}: no requests", version));
      return;
    }
    Line(fmt::format("inferscope {}: {}, {} ({})", version,
                     Plural(s.total_requests, "request", "requests"),
                     HumanRange(s.start_ns, s.end_ns),
                     FormatDurationHuman(static_cast<int64_t>(s.duration_s * 1e9))));
  }

  static std::string DistributionText(const Distribution& d) {
    if (d.count == 0) return std::string(kMissingText);
    return fmt::format("avg {}  p50 {}  p90 {}  p95 {}  p99 {}  max {}", FormatMs(d.avg),
                       FormatMs(d.p50), FormatMs(d.p90), FormatMs(d.p95), FormatMs(d.p99),
                       FormatMs(d.max));
  }

  void SummaryBlock() {
    const Summary& s = r_.summary;
    if (s.total_requests == 0) return;
    Title("Summary");
    std::string requests = FormatCount(s.total_requests);
    if (std::isfinite(s.throughput_rps)) {
      requests += fmt::format("  ({} req/s)", FormatNumber(s.throughput_rps, 2));
    }
    KeyValue("Requests", requests);
    std::string rate = painter_.Paint(FormatPercent(s.error_rate), ErrorRateColor(s.error_rate));
    KeyValue("Errors", fmt::format("{} ({}), {}", FormatCount(s.errors), rate,
                                   Plural(s.timeouts, "timeout", "timeouts")));
    KeyValue("Latency ms", DistributionText(s.latency_ms));
    KeyValue("TTFT ms", DistributionText(s.ttft_ms));
    KeyValue("Tokens", fmt::format("{} in, {} out", FormatNumber(s.input_tokens, 0),
                                   FormatNumber(s.output_tokens, 0)));
    KeyValue("Cost", FormatUsd(s.cost_usd));
    KeyValue("Serving",
             fmt::format("batch {}, GPU util {}, cache hits {}", FormatNumber(s.avg_batch_size, 1),
                         GpuPercent(s.avg_gpu_util), FormatPercent(s.cache_hit_rate)));
  }

  void Models() {
    if (r_.models.empty()) return;
    Title("Models");
    TextTable table({{"Model", Align::kLeft, true},
                     {"Requests"},
                     {"Share"},
                     {"Errors"},
                     {"Err rate"},
                     {"Req/s"},
                     {"p50 ms"},
                     {"p95 ms"},
                     {"p99 ms"},
                     {"TTFT p50"},
                     {"Cost"},
                     {"$/1k req"}});
    for (const ModelSummary& m : r_.models) {
      table.AddRow({m.model, FormatCount(m.count), FormatPercent(m.share), FormatCount(m.errors),
                    Cell(FormatPercent(m.error_rate), ErrorRateColor(m.error_rate)),
                    FormatNumber(m.requests_per_s, 2), FormatMs(m.latency_ms.p50),
                    FormatMs(m.latency_ms.p95), FormatMs(m.latency_ms.p99), FormatMs(m.ttft_ms.p50),
                    FormatUsd(m.cost_usd), FormatUsd(m.cost_per_1k_requests)});
    }
    table.AppendTo(&out_, options_.max_width, painter_);
  }

  void Trend() {
    const Trends& t = r_.trends;
    const TrendSeries* series = nullptr;
    for (const TrendSeries& s : t.series) {
      if (s.model == "*") series = &s;
    }
    if (series == nullptr || series->points.empty()) return;
    std::vector<size_t> rows = EvenlySpacedIndices(series->points.size(), options_.max_trend_rows);
    std::string title =
        fmt::format("Trend (all models, {} windows, UTC)", FormatDurationHuman(t.window_ns));
    if (rows.size() < series->points.size()) {
      title = fmt::format("Trend (all models, {} windows, UTC; {} of {} shown, evenly spaced)",
                          FormatDurationHuman(t.window_ns), rows.size(), series->points.size());
    }
    Title(title);
    TextTable table({{"Window", Align::kLeft},
                     {"Requests"},
                     {"Errors"},
                     {"Err rate"},
                     {"Mean ms"},
                     {"p50 ms"},
                     {"p95 ms"},
                     {"p99 ms"},
                     {"Cost"},
                     {"GPU util"}});
    for (size_t i : rows) {
      const TrendPoint& p = series->points[i];
      table.AddRow({HumanTime(p.start_ns), FormatCount(p.requests), FormatCount(p.errors),
                    Cell(FormatPercent(p.error_rate), ErrorRateColor(p.error_rate)),
                    FormatMs(p.latency_mean_ms), FormatMs(p.latency_p50_ms),
                    FormatMs(p.latency_p95_ms), FormatMs(p.latency_p99_ms), FormatUsd(p.cost_usd),
                    GpuPercent(p.gpu_util_mean)});
    }
    table.AppendTo(&out_, options_.max_width, painter_);
  }

  void Outliers() {
    const inferscope::Outliers& o = r_.outliers;
    if (o.methods.empty() && o.worst.empty() && o.aggregates.empty()) return;
    Title(fmt::format("Outliers ({})", Sanitize(o.field)));
    if (!o.methods.empty()) {
      std::string flagged;
      for (const OutlierMethod& m : o.methods) {
        if (!flagged.empty()) flagged.append(", ");
        fmt::format_to(std::back_inserter(flagged), "{} ({} {}) {}", Sanitize(m.method),
                       m.method == "iqr" ? "k =" : "|z| >", FormatExact(m.threshold),
                       FormatCount(m.flagged));
      }
      Wrapped(flagged, "  Flagged: ", "    ");
    }
    // `worst` is grouped by method and scores of different methods are not comparable, so
    // one method's list is shown: robust_z when present (the mean and SD of zscore are
    // themselves dragged by the outliers), else the first listed.
    std::string_view shown = o.worst.empty() ? std::string_view() : o.worst.front().method;
    for (const RequestOutlier& w : o.worst) {
      if (w.method == "robust_z") shown = w.method;
    }
    if (!o.worst.empty()) {
      Line(fmt::format("  Most extreme requests by {}:", Sanitize(shown)));
      TextTable table({{"#"},
                       {"Model", Align::kLeft, true},
                       {"Request", Align::kLeft, true},
                       {"Time (UTC)", Align::kLeft},
                       {"Value"},
                       {"Baseline"},
                       {"Score"}});
      size_t rank = 0;
      for (const RequestOutlier& w : o.worst) {
        if (w.method != shown || rank == options_.max_outliers) continue;
        table.AddRow({std::to_string(++rank), w.model, w.request_id,
                      HumanTime(w.timestamp_ns, /*with_millis=*/true),
                      FormatMetric(w.field, w.value), FormatMetric(w.field, w.baseline),
                      FormatNumber(w.score, 1)});
      }
      table.AppendTo(&out_, options_.max_width, painter_);
    }
    if (!o.aggregates.empty()) {
      Line("  Unusual minutes:");
      TextTable table({{"Model", Align::kLeft, true},
                       {"Minute (UTC)", Align::kLeft},
                       {"Metric", Align::kLeft},
                       {"Value"},
                       {"Baseline"},
                       {"Score"}});
      for (size_t i = 0; i < o.aggregates.size() && i < options_.max_outliers; ++i) {
        const AggregateOutlier& a = o.aggregates[i];
        table.AddRow({a.model, HumanTime(a.bucket_start_ns), a.metric,
                      FormatMetric(a.metric, a.value), FormatMetric(a.metric, a.baseline),
                      FormatNumber(a.score, 1)});
      }
      table.AppendTo(&out_, options_.max_width, painter_);
    }
  }

  static std::string_view StrengthWord(double r) {
    double a = std::fabs(r);
    if (a >= 0.7) return "strong";
    if (a >= 0.4) return "moderate";
    if (a >= 0.2) return "weak";
    return "negligible";
  }

  void CorrelationsInWords() {
    const Correlations& c = r_.correlations;
    const size_t k = c.fields.size();
    auto cell = [k](const std::vector<double>& m, size_t i, size_t j) {
      size_t index = i * k + j;
      return index < m.size() ? m[index] : kAbsent;
    };
    struct Pair {
      size_t i, j;
      double pearson, spearman, strength, sign;
    };
    std::vector<Pair> pairs;
    for (size_t i = 0; i < k; ++i) {
      for (size_t j = i + 1; j < k; ++j) {
        double p = cell(c.pearson, i, j);
        double s = cell(c.spearman, i, j);
        if (!std::isfinite(p) && !std::isfinite(s)) continue;
        double strength =
            std::max(std::isfinite(p) ? std::fabs(p) : 0.0, std::isfinite(s) ? std::fabs(s) : 0.0);
        pairs.push_back({i, j, p, s, strength, std::isfinite(p) ? p : s});
      }
    }
    if (pairs.empty()) return;
    std::stable_sort(pairs.begin(), pairs.end(),
                     [](const Pair& a, const Pair& b) { return a.strength > b.strength; });
    if (pairs.size() > options_.max_correlations) pairs.resize(options_.max_correlations);
    Title(
        fmt::format("Strongest correlations (Pearson over {} records, Spearman over a "
                    "sample of {})",
                    FormatCount(c.pearson_rows), FormatCount(c.spearman_rows)));
    for (const Pair& p : pairs) {
      Line(fmt::format("  {} ~ {}: Pearson {}, Spearman {} ({} {})", Sanitize(c.fields[p.i]),
                       Sanitize(c.fields[p.j]), FormatNumber(p.pearson, 2),
                       FormatNumber(p.spearman, 2), StrengthWord(p.strength),
                       p.sign < 0 ? "negative" : "positive"));
    }
  }

  void AnomaliesBlock() {
    if (!r_.anomalies_checked || r_.summary.total_requests == 0) return;
    if (r_.anomalies.empty()) {
      Title("Anomalies");
      Line("  None: every watched metric stayed within its baseline.");
      return;
    }
    const std::vector<IncidentView> incidents = IncidentViews(r_.anomalies);
    Title(
        incidents.size() == r_.anomalies.size()
            ? fmt::format("Anomalies ({})", r_.anomalies.size())
            : fmt::format("Anomalies ({} in {} incidents)", r_.anomalies.size(), incidents.size()));
    for (const IncidentView& incident : incidents) {
      // Anomalies of one incident are listed under its heading, indented one more step.
      std::string indent = "  ";
      if (incident.members.size() > 1) {
        Line(fmt::format(
            "  {} incident on {}, {}: {} anomalies", SeverityTag(incident.severity),
            incident.models == "*" ? std::string("all models") : Sanitize(incident.models),
            When(incident.firing, incident.start_ns, incident.end_ns), incident.members.size()));
        indent = "    ";
      }
      for (size_t i : incident.members) AnomalyLines(r_.anomalies[i], indent);
    }
  }

  static std::string When(bool firing, TimestampNs start_ns, TimestampNs end_ns) {
    return firing ? fmt::format("since {}, still firing", HumanTime(start_ns))
                  : HumanRange(start_ns, end_ns);
  }

  // "[high]", in red from high up when colour is on.
  std::string SeverityTag(Severity severity) const {
    std::string tag = fmt::format("[{}]", SeverityName(severity));
    return severity >= Severity::kHigh ? painter_.Paint(tag, kRed) : tag;
  }

  void AnomalyLines(const Anomaly& a, const std::string& indent) {
    const bool firing = a.state != AnomalyState::kResolved;
    Line(fmt::format("{}{} {} on {}, {}", indent, SeverityTag(a.severity), AnomalyKindName(a.kind),
                     a.model == "*" ? std::string("all models") : Sanitize(a.model),
                     When(firing, a.start_ns, a.end_ns)));
    const std::string body = indent + "  ";
    Wrapped(Sanitize(a.summary), body, body);
    if (!a.cause.empty()) Wrapped(Sanitize(a.cause), body + "Why: ", body + "     ");
    if (!a.recommendation.empty()) {
      Wrapped(Sanitize(a.recommendation), body + "Do:  ", body + "     ");
    }
  }

  void InvestigationBlock() {
    const Investigation& inv = r_.investigation;
    if (!inv.present) return;
    Title("Investigation");
    KeyValue("Window", HumanRange(inv.from_ns, inv.to_ns));
    KeyValue("Baseline", HumanRange(inv.baseline_from_ns, inv.baseline_to_ns));
    KeyValue("Model", inv.model == "*" ? std::string("all models") : Sanitize(inv.model));
    if (!inv.metrics.empty()) {
      TextTable table({{"Metric", Align::kLeft, true}, {"Baseline"}, {"Window"}, {"Change"}});
      for (const InvestigationMetric& m : inv.metrics) {
        table.AddRow({m.name, FormatMetric(m.name, m.baseline), FormatMetric(m.name, m.window),
                      FormatChangePercent(m.change_pct)});
      }
      table.AppendTo(&out_, options_.max_width, painter_);
    }
    if (!inv.findings.empty()) {
      Line("  Findings:");
      for (const std::string& finding : inv.findings) Wrapped(Sanitize(finding), "  - ", "    ");
    }
  }

  void Input() {
    const InputInfo& in = r_.input;
    out_.append("\n");
    Line(fmt::format("Input: {}, {}, {}: {} accepted, {} rejected, {} filtered out",
                     Plural(in.sources.size(), "source", "sources"), FormatBytes(in.bytes),
                     Plural(in.lines, "line", "lines"), FormatCount(in.accepted),
                     FormatCount(in.rejected), FormatCount(in.filtered_out)));
    if (in.rejected == 0) return;
    std::string text = fmt::format("{} rejected", Plural(in.rejected, "line", "lines"));
    if (!in.first_rejects.empty()) {
      const InputInfo::Reject& first = in.first_rejects.front();
      fmt::format_to(std::back_inserter(text), "; first: {}:{}: {}", Sanitize(first.source),
                     first.line, Sanitize(first.reason));
    }
    Line(painter_.Paint(Truncate(text, options_.max_width), kYellow));
  }

  const AnalysisReport& r_;
  const TableReportOptions& options_;
  Painter painter_;
  std::string out_;
};

}  // namespace

std::string TableReportWriter::Render(const AnalysisReport& report) const {
  return Renderer(report, options_).Run();
}

}  // namespace inferscope
