#ifndef INFERSCOPE_CLI_ANALYZE_COMMAND_H_
#define INFERSCOPE_CLI_ANALYZE_COMMAND_H_

#include <cstddef>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace inferscope {

// Flags of `inferscope analyze`, as typed (validated by RunAnalyze).
struct AnalyzeFlags {
  std::vector<std::string> paths;
  std::string format = "table";  // table | json | csv | markdown
  std::string output;            // default stdout
  std::string report;            // HTML report path
  std::string export_csv;        // normalised records
  std::string csv_section = "models";
  std::string from, to;
  std::vector<std::string> models;
  std::vector<std::string> statuses;
  std::vector<std::string> where;
  std::string window;
  std::vector<std::string> maps;
  std::string latency_unit = "s";
  bool strict = false;
  bool investigate = false;
  std::string baseline;
  double zscore = 3.0;
  double robust_z = 3.5;
  double iqr_k = 1.5;
  size_t top = 20;
  size_t max_errors = 20;
  bool no_progress = false;
  std::string color = "auto";         // auto | always | never
  std::string detectors = "default";  // default | naive | none
  std::string series_by;              // "" | task_type | user | service
  std::string detector_config;        // YAML file (detect/detector_config.h); wins over detectors
  // Parsing threads: 0 = automatic (hardware threads, at most kMaxAutoThreads; one thread
  // below kMinParallelBytes of input); 1 = the single-threaded reader.
  size_t threads = 0;
  static constexpr size_t kMaxAutoThreads = 16;
  static constexpr size_t kMaxThreads = 256;
  static constexpr uint64_t kMinParallelBytes = 8 << 20;
};

// The number of parsing threads analyze uses: `requested` if non-zero (at most kMaxThreads),
// else the hardware's thread count capped at kMaxAutoThreads, and 1 when the input is below
// kMinParallelBytes (`input_bytes`, automatic only), cannot be split (stdin, .gz, .zst:
// `splittable` false) or needs one pass in input order (`one_pass`: --export-csv writes the
// records in input order; with --series-by, which values get a series of their own is
// decided by their first appearance in the whole input).
size_t AnalyzeThreads(size_t requested, unsigned hardware_threads, uint64_t input_bytes,
                      bool splittable, bool one_pass);

// Registers the subcommand; `flags` must outlive parsing.
CLI::App* AddAnalyzeCommand(CLI::App& app, AnalyzeFlags& flags);

// Runs it; returns the exit code. Messages go to stderr, results to stdout or --output.
int RunAnalyze(const AnalyzeFlags& flags);

}  // namespace inferscope

#endif  // INFERSCOPE_CLI_ANALYZE_COMMAND_H_
