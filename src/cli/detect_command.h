#ifndef INFERSCOPE_CLI_DETECT_COMMAND_H_
#define INFERSCOPE_CLI_DETECT_COMMAND_H_

#include <string>
#include <vector>

#include "cli/series_detect_config.h"

namespace CLI {
class App;
}

namespace inferscope {

// `inferscope detect --prometheus URL --query PROMQL [--since 24h | --from T --to T]`
// (docs/detect.md).
struct DetectFlags {
  std::string prometheus;  // base URL
  std::string query;
  std::string since = "24h";
  std::string from;
  std::string to;
  std::string step = "1m";
  std::string name;  // metric name for unnamed result series; "" = the query text
  std::string format = "table";
  std::string output;  // "" = stdout
  std::string report;  // Markdown incident report
  std::string plot;    // .svg or .png
  std::string write_back;
  std::string pending_for = "2m";
  std::string timeout = "30s";
  bool timings = false;
  SeriesDetectConfig detect;
  PrometheusAccessConfig access;
};

CLI::App* AddDetectCommand(CLI::App& app, DetectFlags& flags);
int RunDetect(const DetectFlags& flags);

// Hidden `inferscope testdata-write`: writes deterministic synthetic series with injected
// anomalies through remote_write, for the integration tests and bench/ (there is no other
// way to put arbitrary series into a Prometheus). Not a user feature.
struct TestdataWriteFlags {
  std::string url;  // remote_write endpoint
  std::string metric = "inferscope_test_metric";
  int series = 3;
  int points = 360;
  std::string step = "1m";
  std::string end_ago = "1m";          // the newest point is this long before now
  std::vector<std::string> labels;     // key=value on every series
  std::vector<std::string> anomalies;  // "series=I,start=P,points=K,add=V"
  double base = 100;
  double amplitude = 10;  // daily sine
  double noise = 1;
  int batch = 10000;  // samples per request
};

CLI::App* AddTestdataWriteCommand(CLI::App& app, TestdataWriteFlags& flags);
int RunTestdataWrite(const TestdataWriteFlags& flags);

}  // namespace inferscope

#endif  // INFERSCOPE_CLI_DETECT_COMMAND_H_
