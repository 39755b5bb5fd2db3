#ifndef INFERSCOPE_API_SERVER_METRICS_H_
#define INFERSCOPE_API_SERVER_METRICS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace inferscope {

// The server's own metrics on /metrics: HTTP requests and their latency per handler,
// ingested and rejected records per endpoint, and gauges read at render time (WAL bytes,
// segment count, ...). Thread-safe.
class ServerMetrics {
 public:
  explicit ServerMetrics(std::string prefix = "inferscope_") : prefix_(std::move(prefix)) {}

  void ObserveRequest(const std::string& handler, int status, double seconds);
  void AddIngested(const std::string& endpoint, uint64_t accepted, uint64_t rejected);
  // A gauge whose value is read by `read` at every render (must be thread-safe itself).
  void AddGauge(std::string name, std::string help, std::function<double()> read);

  void Render(std::string* out) const;

  static const std::vector<double>& DurationBoundsSeconds();

 private:
  struct Duration {
    std::vector<uint64_t> counts;
    double sum = 0;
  };
  struct Gauge {
    std::string name;
    std::string help;
    std::function<double()> read;
  };
  std::string prefix_;
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, uint64_t> requests_;  // handler, code
  std::map<std::string, Duration> durations_;                         // handler
  std::map<std::string, std::pair<uint64_t, uint64_t>> ingested_;     // accepted, rejected
  std::vector<Gauge> gauges_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_API_SERVER_METRICS_H_
