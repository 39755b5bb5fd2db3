#ifndef INFERSCOPE_CLI_WATCH_CONFIG_H_
#define INFERSCOPE_CLI_WATCH_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/series_detect_config.h"
#include "core/clock.h"
#include "core/result.h"

namespace inferscope {

// One watched PromQL query.
struct WatchQuery {
  std::string name;  // unique; the metric name of unnamed result series
  std::string expr;  // aliases already expanded
  SeriesDetectConfig detect;
  // Added to every result series of this query (a series' own label of the same name wins).
  std::vector<std::pair<std::string, std::string>> labels;
};

// `inferscope watch --config FILE` (docs/watch.md).
struct WatchConfig {
  std::string source;  // the file, for messages
  std::string prometheus_url;
  PrometheusAccessConfig access;
  int64_t timeout_ns = 30 * kNanosPerSecond;
  int64_t poll_interval_ns = kNanosPerMinute;
  int64_t lookback_ns = 6 * kNanosPerHour;  // history read on the first poll
  int64_t step_ns = kNanosPerMinute;
  int64_t delay_ns = 30 * kNanosPerSecond;  // the newest point evaluated is now - delay
  int64_t pending_for_ns = 2 * kNanosPerMinute;
  std::string checkpoint;        // "" = no checkpoint
  std::string remote_write_url;  // "" = no write-back
  // Points older than now - this are not written back (0 = no limit): Prometheus refuses
  // samples older than its head block ("out of bounds") unless out-of-order ingestion is on,
  // and the first poll reads `lookback` of history.
  int64_t remote_write_max_age_ns = kNanosPerHour;
  std::vector<WatchQuery> queries;
  std::string alerting_yaml;  // the `alerting:` mapping as YAML text; "" = no alerts
};

// A preset file (presets/<name>.yaml): queries for one serving stack with `{{metric}}`
// placeholders and an alias table of metric renames across versions.
struct WatchPreset {
  std::string name;
  // canonical metric -> older/other names of the same metric
  std::map<std::string, std::vector<std::string>> aliases;
  std::vector<WatchQuery> queries;  // expr still with placeholders
};

// Replaces each `{{metric}}` in `expr` by the metric name. When a placeholder's metric has
// aliases, the expression is repeated once per name and the copies are joined with `or`
// ("(A) or (B)"), so the query works whichever name the server exports; copy k uses name k
// of every placeholder (the canonical name is copy 0; a list shorter than k uses its last).
// InvalidArgument for an unterminated placeholder.
Result<std::string> ExpandMetricAliases(
    std::string_view expr, const std::map<std::string, std::vector<std::string>>& aliases);

Result<WatchPreset> LoadWatchPreset(const std::string& path);

// Parses the watch YAML. `preset_dirs` are searched in order for `<preset>.yaml` when a
// query says `preset: vllm/ttft_p95` (or `presets: [vllm]` adds all of a preset's queries).
// Unknown keys are errors; messages read "<source>:<line>: <key>: ...".
Result<WatchConfig> ParseWatchConfig(std::string_view yaml, std::string_view source,
                                     const std::vector<std::string>& preset_dirs);

// Reads the file; presets are looked up in `presets_dir:` if set (relative to the file),
// else <file's dir>/presets, ./presets and $INFERSCOPE_PRESETS.
Result<WatchConfig> LoadWatchConfig(const std::string& path);

}  // namespace inferscope

#endif  // INFERSCOPE_CLI_WATCH_CONFIG_H_
