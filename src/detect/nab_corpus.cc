#include "detect/nab_corpus.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "core/time_format.h"

namespace inferscope {
namespace {

namespace fs = std::filesystem;

Result<std::string> ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(fmt::format("cannot open {}", path.string()));
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return Status::IoError(fmt::format("cannot read {}", path.string()));
  return buf.str();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Splits text into lines (without "\n" / "\r\n"), calling fn(line_number, line) for each;
// stops at the first non-ok Status. Line numbers start at 1.
template <typename Fn>
Status ForEachLine(std::string_view text, Fn&& fn) {
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    INFERSCOPE_RETURN_IF_ERROR(fn(line_no, Trim(line)));
  }
  return Status::Ok();
}

std::vector<std::string_view> SplitCommas(std::string_view line) {
  std::vector<std::string_view> fields;
  while (true) {
    const size_t comma = line.find(',');
    fields.push_back(Trim(line.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    line.remove_prefix(comma + 1);
  }
  return fields;
}

// A finite double, the whole field.
bool ParseFiniteDouble(std::string_view s, double* out) {
  if (s.empty()) return false;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, *out);
  return ec == std::errc() && ptr == end && std::isfinite(*out);
}

Status RowError(std::string_view name, size_t line_no, std::string_view what) {
  return Status::InvalidArgument(fmt::format("{}:{}: {}", name, line_no, what));
}

// Column positions of a CSV header.
struct CsvColumns {
  size_t timestamp = 0;
  size_t value = 0;
  size_t score = 0;  // only for score files
  size_t count = 0;
};

// Reads a CSV with a header; `need_score` asks for an "anomaly_score" column. Rows go to
// timestamps / values / scores (scores untouched when !need_score).
Status ParseCsv(std::string_view text, std::string_view name, bool need_score,
                std::vector<TimestampNs>* timestamps, std::vector<double>* values,
                std::vector<double>* scores) {
  bool have_header = false;
  CsvColumns cols;
  return ForEachLine(text, [&](size_t line_no, std::string_view line) -> Status {
    if (line.empty()) return Status::Ok();
    std::vector<std::string_view> fields = SplitCommas(line);
    if (!have_header) {
      have_header = true;
      bool ts = false, val = false, sc = false;
      // The first column of each name wins.
      for (size_t i = fields.size(); i-- > 0;) {
        if (fields[i] == "timestamp") {
          cols.timestamp = i;
          ts = true;
        } else if (fields[i] == "value") {
          cols.value = i;
          val = true;
        } else if (fields[i] == "anomaly_score") {
          cols.score = i;
          sc = true;
        }
      }
      cols.count = fields.size();
      if (!need_score &&
          !(fields.size() == 2 && cols.timestamp == 0 && cols.value == 1 && ts && val)) {
        return RowError(name, line_no,
                        fmt::format("header must be 'timestamp,value', got '{}'", line));
      }
      if (need_score && !(ts && val && sc)) {
        return RowError(
            name, line_no,
            fmt::format("header needs columns timestamp, value, anomaly_score; got '{}'", line));
      }
      return Status::Ok();
    }
    if (fields.size() != cols.count) {
      return RowError(name, line_no,
                      fmt::format("expected {} fields, got {}", cols.count, fields.size()));
    }
    Result<TimestampNs> ts = ParseIso8601(fields[cols.timestamp]);
    if (!ts.ok()) {
      return RowError(
          name, line_no,
          fmt::format("bad timestamp '{}': {}", fields[cols.timestamp], ts.status().message()));
    }
    double value = 0;
    if (!ParseFiniteDouble(fields[cols.value], &value)) {
      return RowError(name, line_no, fmt::format("bad value '{}'", fields[cols.value]));
    }
    if (need_score) {
      double score = 0;
      if (!ParseFiniteDouble(fields[cols.score], &score)) {
        return RowError(name, line_no, fmt::format("bad anomaly_score '{}'", fields[cols.score]));
      }
      scores->push_back(score);
    }
    timestamps->push_back(*ts);
    values->push_back(value);
    return Status::Ok();
  });
}

// A reader for exactly the JSON shape of windows.json: {"path": [["t1","t2"], ...], ...}.
class WindowsJsonReader {
 public:
  WindowsJsonReader(std::string_view text, std::string_view name) : text_(text), name_(name) {}

  Result<std::map<std::string, std::vector<NabWindow>>> Read() {
    std::map<std::string, std::vector<NabWindow>> out;
    INFERSCOPE_RETURN_IF_ERROR(Expect('{'));
    if (!Consume('}')) {
      do {
        std::string key;
        INFERSCOPE_RETURN_IF_ERROR(ReadString(&key));
        const size_t key_line = line_;
        INFERSCOPE_RETURN_IF_ERROR(Expect(':'));
        std::vector<NabWindow> windows;
        INFERSCOPE_RETURN_IF_ERROR(ReadWindows(&windows));
        std::sort(windows.begin(), windows.end());
        for (size_t i = 1; i < windows.size(); ++i) {
          if (windows[i].first <= windows[i - 1].second) {
            return Error(fmt::format("windows of '{}' overlap", key), key_line);
          }
        }
        if (!out.emplace(key, std::move(windows)).second) {
          return Error(fmt::format("duplicate key '{}'", key), key_line);
        }
      } while (Consume(','));
      INFERSCOPE_RETURN_IF_ERROR(Expect('}'));
    }
    SkipSpace();
    if (pos_ != text_.size()) return Error("trailing characters after the object", line_);
    return out;
  }

 private:
  Status Error(std::string_view what, size_t line) const {
    return Status::InvalidArgument(fmt::format("{}:{}: {}", name_, line, what));
  }

  void SkipSpace() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        ++line_;
      } else if (c != ' ' && c != '\t' && c != '\r') {
        break;
      }
      ++pos_;
    }
  }

  bool Consume(char c) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  Status Expect(char c) {
    if (Consume(c)) return Status::Ok();
    if (pos_ >= text_.size())
      return Error(fmt::format("expected '{}', got end of input", c), line_);
    return Error(fmt::format("expected '{}', got '{}'", c, text_[pos_]), line_);
  }

  // Strings in windows.json are paths and timestamps; simple escapes are enough.
  Status ReadString(std::string* out) {
    INFERSCOPE_RETURN_IF_ERROR(Expect('"'));
    out->clear();
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return Status::Ok();
      if (c == '\n') return Error("newline inside a string", line_);
      if (c == '\\') {
        if (pos_ >= text_.size()) break;
        const char e = text_[pos_++];
        if (e == '"' || e == '\\' || e == '/') {
          out->push_back(e);
        } else {
          return Error(fmt::format("unsupported escape '\\{}'", e), line_);
        }
        continue;
      }
      out->push_back(c);
    }
    return Error("unterminated string", line_);
  }

  Status ReadTimestamp(TimestampNs* out) {
    std::string text;
    INFERSCOPE_RETURN_IF_ERROR(ReadString(&text));
    Result<TimestampNs> ts = ParseIso8601(text);
    if (!ts.ok()) {
      return Error(fmt::format("bad timestamp '{}': {}", text, ts.status().message()), line_);
    }
    *out = *ts;
    return Status::Ok();
  }

  Status ReadWindows(std::vector<NabWindow>* out) {
    INFERSCOPE_RETURN_IF_ERROR(Expect('['));
    if (Consume(']')) return Status::Ok();
    do {
      INFERSCOPE_RETURN_IF_ERROR(Expect('['));
      NabWindow w;
      INFERSCOPE_RETURN_IF_ERROR(ReadTimestamp(&w.first));
      INFERSCOPE_RETURN_IF_ERROR(Expect(','));
      INFERSCOPE_RETURN_IF_ERROR(ReadTimestamp(&w.second));
      INFERSCOPE_RETURN_IF_ERROR(Expect(']'));
      if (w.first > w.second) return Error("window starts after it ends", line_);
      out->push_back(w);
    } while (Consume(','));
    return Expect(']');
  }

  std::string_view text_;
  std::string_view name_;
  size_t pos_ = 0;
  size_t line_ = 1;
};

// "2014-04-01T00:00:00Z" → "2014-04-01 00:00:00", NAB's own spelling.
std::string FormatNabTimestamp(TimestampNs ts) {
  std::string s = FormatIso8601(ts, /*with_millis=*/ts % 1'000'000'000 != 0);
  std::replace(s.begin(), s.end(), 'T', ' ');
  if (!s.empty() && s.back() == 'Z') s.pop_back();
  return s;
}

}  // namespace

Result<NabSeries> ParseNabSeriesCsv(std::string_view text, std::string_view name) {
  NabSeries series;
  series.relative_path = std::string(name);
  INFERSCOPE_RETURN_IF_ERROR(
      ParseCsv(text, name, /*need_score=*/false, &series.timestamps, &series.values, nullptr));
  return series;
}

Result<std::map<std::string, std::vector<NabWindow>>> ParseNabWindowsJson(std::string_view text,
                                                                          std::string_view name) {
  return WindowsJsonReader(text, name).Read();
}

Result<NabScoredSeries> ParseNabScoresCsv(std::string_view text, std::string_view name) {
  NabScoredSeries out;
  INFERSCOPE_RETURN_IF_ERROR(
      ParseCsv(text, name, /*need_score=*/true, &out.timestamps, &out.values, &out.scores));
  return out;
}

std::string FormatNabScoresCsv(const NabSeries& series, const std::vector<double>& scores) {
  std::string out = "timestamp,value,anomaly_score\n";
  const size_t n = std::min(series.timestamps.size(), scores.size());
  for (size_t i = 0; i < n; ++i) {
    const double value = i < series.values.size() ? series.values[i] : 0.0;
    fmt::format_to(std::back_inserter(out), "{},{},{}\n", FormatNabTimestamp(series.timestamps[i]),
                   value, scores[i]);
  }
  return out;
}

Result<std::vector<NabSeries>> LoadNabCorpus(const std::string& dir) {
  const fs::path root(dir);
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return Status::NotFound(fmt::format("NAB corpus folder {} does not exist", dir));
  }
  INFERSCOPE_ASSIGN_OR_RETURN(std::string windows_text, ReadWholeFile(root / "windows.json"));
  INFERSCOPE_ASSIGN_OR_RETURN(auto windows,
                              ParseNabWindowsJson(windows_text, (root / "windows.json").string()));

  std::vector<std::string> relative_paths;
  for (fs::directory_iterator cat(root, ec), end; !ec && cat != end; cat.increment(ec)) {
    if (!cat->is_directory(ec)) continue;
    for (fs::directory_iterator f(cat->path(), ec); !ec && f != end; f.increment(ec)) {
      if (!f->is_regular_file(ec) || f->path().extension() != ".csv") continue;
      relative_paths.push_back(cat->path().filename().string() + "/" +
                               f->path().filename().string());
    }
  }
  if (ec) return Status::IoError(fmt::format("cannot list {}: {}", dir, ec.message()));
  std::sort(relative_paths.begin(), relative_paths.end());

  std::vector<NabSeries> corpus;
  corpus.reserve(relative_paths.size());
  for (const std::string& rel : relative_paths) {
    auto it = windows.find(rel);
    if (it == windows.end()) {
      return Status::InvalidArgument(fmt::format("{}/windows.json has no entry for {}", dir, rel));
    }
    const fs::path path = root / rel;
    INFERSCOPE_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
    INFERSCOPE_ASSIGN_OR_RETURN(NabSeries series, ParseNabSeriesCsv(text, path.string()));
    series.relative_path = rel;
    series.windows = std::move(it->second);
    windows.erase(it);
    corpus.push_back(std::move(series));
  }
  if (!windows.empty()) {
    return Status::NotFound(fmt::format("{}/windows.json lists {}, which has no CSV file", dir,
                                        windows.begin()->first));
  }
  return corpus;
}

Result<std::vector<std::vector<double>>> LoadNabScores(const std::string& results_dir,
                                                       const std::vector<NabSeries>& corpus) {
  std::vector<std::vector<double>> all;
  all.reserve(corpus.size());
  for (const NabSeries& series : corpus) {
    const fs::path path = fs::path(results_dir) / series.relative_path;
    INFERSCOPE_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
    INFERSCOPE_ASSIGN_OR_RETURN(NabScoredSeries scored, ParseNabScoresCsv(text, path.string()));
    if (scored.timestamps != series.timestamps) {
      return Status::InvalidArgument(
          fmt::format("{}: rows do not match the corpus file {} ({} vs {} rows)", path.string(),
                      series.relative_path, scored.timestamps.size(), series.timestamps.size()));
    }
    all.push_back(std::move(scored.scores));
  }
  return all;
}

}  // namespace inferscope
