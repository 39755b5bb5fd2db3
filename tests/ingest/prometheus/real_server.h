#ifndef INFERSCOPE_TESTS_INGEST_PROMETHEUS_REAL_SERVER_H_
#define INFERSCOPE_TESTS_INGEST_PROMETHEUS_REAL_SERVER_H_

// Test support for the tests against real Prometheus and VictoriaMetrics servers (Debian
// packages): temporary directories, readiness polling, and the series with a known injected
// spike that both suites write and read back. Header-only, tests only.

#include <stdlib.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/http_client.h"
#include "ingest/prometheus/prometheus_response_parser.h"

namespace inferscope::testing {

// "" when `path` is an executable, else the message a test fails with.
inline std::string MissingBinaryMessage(const std::string& path) {
  if (::access(path.c_str(), X_OK) == 0) return "";
  return path + " is not installed: run scripts/install-deps.sh";
}

// A fresh directory under $TMPDIR (or /tmp), removed by RemoveTree.
inline std::string MakeTempDir(const std::string& prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "XXXXXX")).string();
  char* made = ::mkdtemp(pattern.data());
  return made == nullptr ? std::string() : std::string(made);
}

inline void RemoveTree(const std::string& dir) {
  std::error_code ec;
  if (!dir.empty()) std::filesystem::remove_all(dir, ec);
}

inline bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

inline std::string ReadFileTail(const std::string& path, size_t bytes = 2000) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

// Polls GET url until it answers 200, up to `attempts` times 100 ms apart.
inline bool WaitForHttpOk(HttpClient& http, const std::string& url, int attempts = 200) {
  for (int i = 0; i < attempts; ++i) {
    HttpRequest request;
    request.url = url;
    request.timeout = std::chrono::milliseconds(1000);
    auto response = http.Send(request);
    if (response.ok() && response->status == 200) return true;
    ::usleep(100'000);
  }
  return false;
}

// The test data: kSeriesCount series "inferscope_wire_test{model="m<i>"}" with one sample a
// minute for three hours, the newest two minutes before `now` (on a whole minute), so
// every timestamp is in the recent past. Values are 100 + 10 i + (minute index % 7); model
// m1 has a spike of 1000 at minute index kSpikeIndex.
struct WireTestData {
  static constexpr int kSeriesCount = 3;
  static constexpr int kPoints = 180;
  static constexpr int kSpikeIndex = 120;

  TimestampNs first = 0;  // timestamp of minute index 0
  std::vector<PrometheusSeries> series;

  static double Value(int series_index, int minute_index) {
    if (series_index == 1 && minute_index == kSpikeIndex) return 1000.0;
    return 100.0 + 10.0 * series_index + (minute_index % 7);
  }

  TimestampNs At(int minute_index) const { return first + minute_index * kNanosPerMinute; }
  TimestampNs last() const { return At(kPoints - 1); }

  static WireTestData Make(TimestampNs now) {
    WireTestData d;
    TimestampNs newest = now / kNanosPerMinute * kNanosPerMinute - 2 * kNanosPerMinute;
    d.first = newest - (kPoints - 1) * kNanosPerMinute;
    for (int s = 0; s < kSeriesCount; ++s) {
      PrometheusSeries series;
      series.key =
          SeriesKey("inferscope_wire_test", {{"model", "m" + std::to_string(s)}, {"job", "wire"}});
      for (int i = 0; i < kPoints; ++i) series.samples.push_back({d.At(i), Value(s, i)});
      d.series.push_back(std::move(series));
    }
    return d;
  }
};

}  // namespace inferscope::testing

#endif  // INFERSCOPE_TESTS_INGEST_PROMETHEUS_REAL_SERVER_H_
