#ifndef INFERSCOPE_CLI_SERIES_DETECT_CONFIG_H_
#define INFERSCOPE_CLI_SERIES_DETECT_CONFIG_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/http_client.h"
#include "core/result.h"
#include "detect/series_engine.h"

namespace inferscope {

// How `detect` and `watch` reach a Prometheus-compatible server: TLS and auth, as given on
// the command line or in the watch YAML. Secrets come from files, never from flags.
struct PrometheusAccessConfig {
  std::string bearer_token_file;  // the token, one line
  std::string basic_auth;         // "user:/path/to/password-file"
  std::string ca_file;
  bool insecure_skip_verify = false;
};

// Reads the secret files into HttpClientOptions. InvalidArgument for a malformed
// basic_auth, IoError for an unreadable file (the path is named, the secret never).
Result<HttpClientOptions> MakeHttpClientOptions(const PrometheusAccessConfig& access);

// How the raw series of one query are judged.
struct SeriesDetectConfig {
  std::string name;                    // the spec's name (checkpoints, errors)
  std::vector<std::string> detectors;  // spec lines; empty = DefaultSeriesDetectors()
  std::string direction = "both";      // above | below | both
  double min_deviation = 0;            // absolute, in the series' unit
  double min_rel_deviation = 0;        // fraction of |expected|
  std::string kind;                    // anomaly kind name; "" = guessed from `hint`
};

// robust_z (spikes and dips) and cusum (level shifts), the pair the engine's default
// latency spec uses, both sides; direction is applied by the ensemble.
std::vector<std::string> DefaultSeriesDetectors();

// Builds the SeriesSpec (validated later by SeriesEngine::Create). `hint` (query text or
// metric name) picks the anomaly kind when config.kind is empty: latency_spike for latency
// metrics, error_burst for errors, outlier otherwise. InvalidArgument for an unknown
// direction or kind, or negative floors.
Result<SeriesSpec> MakeSeriesSpec(const SeriesDetectConfig& config, std::string_view hint);

}  // namespace inferscope

#endif  // INFERSCOPE_CLI_SERIES_DETECT_CONFIG_H_
