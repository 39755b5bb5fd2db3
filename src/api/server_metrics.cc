#include "api/server_metrics.h"

#include <algorithm>

#include "api/prometheus_text_writer.h"

namespace inferscope {

const std::vector<double>& ServerMetrics::DurationBoundsSeconds() {
  static const std::vector<double> bounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                             0.05,   0.1,   0.25,   0.5,   1,    2.5};
  return bounds;
}

void ServerMetrics::ObserveRequest(const std::string& handler, int status, double seconds) {
  const auto& bounds = DurationBoundsSeconds();
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{handler, std::to_string(status)}];
  Duration& d = durations_[handler];
  if (d.counts.empty()) d.counts.assign(bounds.size() + 1, 0);
  ++d.counts[static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), seconds) -
                                 bounds.begin())];
  d.sum += seconds;
}

void ServerMetrics::AddIngested(const std::string& endpoint, uint64_t accepted, uint64_t rejected) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& counts = ingested_[endpoint];
  counts.first += accepted;
  counts.second += rejected;
}

void ServerMetrics::AddGauge(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard<std::mutex> lock(mu_);
  gauges_.push_back({std::move(name), std::move(help), std::move(read)});
}

void ServerMetrics::Render(std::string* out) const {
  PrometheusTextWriter w(out);
  std::lock_guard<std::mutex> lock(mu_);
  const std::string p = prefix_;
  w.Family(p + "http_requests_total", "counter", "HTTP requests served, by handler and status.");
  for (const auto& [key, n] : requests_) {
    w.Sample(p + "http_requests_total", {{"handler", key.first}, {"code", key.second}},
             static_cast<double>(n));
  }
  w.Family(p + "http_request_duration_seconds", "histogram",
           "Time to answer an HTTP request, by handler.");
  for (const auto& [handler, d] : durations_) {
    w.Histogram(p + "http_request_duration_seconds", {{"handler", handler}},
                DurationBoundsSeconds(), d.counts, d.sum);
  }
  w.Family(p + "ingested_records_total", "counter",
           "Records accepted (durably stored) by ingest endpoint.");
  for (const auto& [endpoint, counts] : ingested_) {
    w.Sample(p + "ingested_records_total", {{"endpoint", endpoint}},
             static_cast<double>(counts.first));
  }
  w.Family(p + "rejected_records_total", "counter",
           "Records rejected as malformed by ingest endpoint.");
  for (const auto& [endpoint, counts] : ingested_) {
    w.Sample(p + "rejected_records_total", {{"endpoint", endpoint}},
             static_cast<double>(counts.second));
  }
  for (const Gauge& g : gauges_) {
    w.Family(p + g.name, "gauge", g.help);
    w.Sample(p + g.name, {}, g.read());
  }
}

}  // namespace inferscope
