#ifndef INFERSCOPE_DETECT_NAB_CORPUS_H_
#define INFERSCOPE_DETECT_NAB_CORPUS_H_

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace inferscope {

// Reading a corpus laid out like the Numenta Anomaly Benchmark (NAB), and reading / writing
// the per-row anomaly scores a detector produced for it. The layout and the scoring rules are
// described in docs/nab.md.
//
//   <dir>/<category>/<file>.csv   header "timestamp,value", rows "2014-04-01 00:00:00,12.5"
//   <dir>/windows.json            { "<category>/<file>.csv": [["<start>", "<end>"], ...] }
//
// All functions are thread-compatible and keep no state.

// A labelled anomaly window, both ends inclusive, in ns since the epoch (UTC).
using NabWindow = std::pair<TimestampNs, TimestampNs>;

// One data file of the corpus.
struct NabSeries {
  std::string relative_path;            // "realKnownCause/nyc_taxi.csv", '/'-separated
  std::vector<TimestampNs> timestamps;  // file order; NAB's own data repeats a few (DST)
  std::vector<double> values;           // same length as timestamps
  std::vector<NabWindow> windows;       // sorted by start, non-overlapping
};

// Loads every "<category>/<file>.csv" under dir (one level of folders, sorted by relative
// path) and attaches the windows from dir/windows.json. Fails on a malformed CSV row
// ("<file>:<line>: ..."), on a CSV that windows.json does not list, and on a windows.json
// entry with no CSV: a mismatch means a broken corpus, not something to score around.
Result<std::vector<NabSeries>> LoadNabCorpus(const std::string& dir);

// Parses one data CSV (header "timestamp,value"). name is used in error messages only.
Result<NabSeries> ParseNabSeriesCsv(std::string_view text, std::string_view name);

// Parses windows.json: an object mapping relative paths to arrays of [start, end] timestamp
// pairs. Windows are returned sorted by start; overlapping windows or start > end fail.
Result<std::map<std::string, std::vector<NabWindow>>> ParseNabWindowsJson(std::string_view text,
                                                                          std::string_view name);

// A detector's output for one file: the rows it read and the anomaly score it gave each.
struct NabScoredSeries {
  std::vector<TimestampNs> timestamps;
  std::vector<double> values;
  std::vector<double> scores;  // one per row
};

// Parses a detector output CSV whose header contains the columns "timestamp", "value" and
// "anomaly_score" in any order (extra columns, e.g. NAB's "label", are ignored).
Result<NabScoredSeries> ParseNabScoresCsv(std::string_view text, std::string_view name);

// Writes "timestamp,value,anomaly_score" rows for series with the given per-row scores;
// timestamps as "2014-04-01 00:00:00", numbers round-trip exactly. scores.size() must equal
// the number of rows.
std::string FormatNabScoresCsv(const NabSeries& series, const std::vector<double>& scores);

// Reads <results_dir>/<relative_path> for every series of corpus (the layout
// `inferscope nab` writes) and returns one score vector per series, in corpus order. Fails
// when a file is missing or its timestamps differ from the corpus file's.
Result<std::vector<std::vector<double>>> LoadNabScores(const std::string& results_dir,
                                                       const std::vector<NabSeries>& corpus);

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_NAB_CORPUS_H_
