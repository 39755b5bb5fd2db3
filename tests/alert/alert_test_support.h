#ifndef INFERSCOPE_TESTS_ALERT_ALERT_TEST_SUPPORT_H_
#define INFERSCOPE_TESTS_ALERT_ALERT_TEST_SUPPORT_H_

// Test support for the alert sinks: a recording HTTP receiver (what Slack, a webhook and
// Alertmanager's webhook_config POST to), a real Alertmanager started on 127.0.0.1, temporary
// directories and anomalies. Header-only, tests only.

#include <gtest/gtest.h>
#include <httplib.h>
#include <stdlib.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/time_format.h"
#include "detect/anomaly.h"
#include "detect/anomaly_tracker.h"
#include "ingest/httplib_client.h"
#include "support/child_process.h"

namespace inferscope::testing {

// A fresh directory under the test temp dir, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "inferscope-alert-XXXXXX");
    char* made = ::mkdtemp(pattern.data());
    path_ = made ? made : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct ReceivedRequest {
  std::string path;
  std::string body;
  std::string content_type;
  std::string authorization;
  std::string idempotency_key;
};

// An httplib::Server on 127.0.0.1 that records every POST and answers with `status()`
// (200 unless changed). Listens on a given port or any free one.
class RecordingServer {
 public:
  explicit RecordingServer(int port = 0) {
    server_.Post(".*", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      received_.push_back(ReceivedRequest{req.path, req.body, req.get_header_value("Content-Type"),
                                          req.get_header_value("Authorization"),
                                          req.get_header_value("Idempotency-Key")});
      res.status = status_;
      if (!retry_after_.empty()) res.set_header("Retry-After", retry_after_);
      res.set_content(status_ < 300 ? "ok" : "nope", "text/plain");
      cv_.notify_all();
    });
    if (port == 0) {
      port_ = server_.bind_to_any_port("127.0.0.1");
    } else {
      port_ = server_.bind_to_port("127.0.0.1", port) ? port : -1;
    }
    if (port_ > 0) thread_ = std::thread([this] { server_.listen_after_bind(); });
    started_ = port_ > 0 && WaitForPort(port_, std::chrono::seconds(5));
  }
  ~RecordingServer() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  RecordingServer(const RecordingServer&) = delete;
  RecordingServer& operator=(const RecordingServer&) = delete;

  bool started() const { return started_; }
  int port() const { return port_; }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void set_status(int status, std::string retry_after = "") {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = status;
    retry_after_ = std::move(retry_after);
  }
  std::vector<ReceivedRequest> received() const {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }
  // Waits until at least n requests arrived; false on timeout.
  bool WaitFor(size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return received_.size() >= n; });
  }
  // Waits until a request satisfies `pred`; returns its body or "" on timeout.
  std::string WaitForMatch(const std::function<bool(const ReceivedRequest&)>& pred,
                           std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    std::string found;
    cv_.wait_for(lock, timeout, [&] {
      for (const auto& r : received_) {
        if (pred(r)) {
          found = r.body;
          return true;
        }
      }
      return false;
    });
    return found;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ReceivedRequest> received_;
  int status_ = 200;
  std::string retry_after_;
  int port_ = -1;
  bool started_ = false;
};

inline constexpr const char* kAlertmanagerBinary = "/usr/bin/prometheus-alertmanager";

// A real Alertmanager 0.25 (Debian package) on 127.0.0.1:port, clustering off, routing every
// alert to one webhook receiver with send_resolved and 1 s group_wait/group_interval.
class AlertmanagerProcess {
 public:
  // Fails the calling test (ADD_FAILURE) when the binary is missing or does not come up.
  bool Start(const TempDir& dir, int port, const std::string& webhook_url) {
    if (!std::filesystem::exists(kAlertmanagerBinary)) {
      ADD_FAILURE() << kAlertmanagerBinary
                    << " is missing: run scripts/install-deps.sh (Debian package "
                       "prometheus-alertmanager)";
      return false;
    }
    port_ = port;
    const std::string config = dir.File("alertmanager-" + std::to_string(port) + ".yml");
    std::ofstream(config) << "route:\n"
                             "  receiver: test\n"
                             "  group_by: ['alertname', 'model', 'metric']\n"
                             "  group_wait: 1s\n"
                             "  group_interval: 1s\n"
                             "  repeat_interval: 4h\n"
                             "receivers:\n"
                             "  - name: test\n"
                             "    webhook_configs:\n"
                             "      - url: '"
                          << webhook_url
                          << "'\n"
                             "        send_resolved: true\n";
    const std::string storage = dir.File("am-data-" + std::to_string(port));
    std::filesystem::create_directories(storage);
    log_ = dir.File("alertmanager-" + std::to_string(port) + ".log");
    if (!child_.Start(
            {kAlertmanagerBinary, "--config.file=" + config, "--storage.path=" + storage,
             "--web.listen-address=127.0.0.1:" + std::to_string(port), "--cluster.listen-address="},
            log_)) {
      ADD_FAILURE() << "cannot start " << kAlertmanagerBinary;
      return false;
    }
    // Ready = the API answers, not just the port.
    HttplibClient client;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      HttpRequest request;
      request.url = "http://127.0.0.1:" + std::to_string(port) + "/-/ready";
      request.timeout = std::chrono::milliseconds(500);
      auto response = client.Send(request);
      if (response.ok() && response->status == 200) return true;
      if (!child_.running()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::ifstream in(log_);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ADD_FAILURE() << "alertmanager did not become ready on port " << port << "; log:\n" << text;
    return false;
  }
  void Stop() { child_.Kill(SIGTERM); }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  ChildProcess child_;
  int port_ = 0;
  std::string log_;
};

// A firing anomaly with insight text, starting at `start`.
inline Anomaly MakeAnomaly(TimestampNs start, const std::string& model = "llama-3-70b",
                           AnomalyKind kind = AnomalyKind::kLatencySpike,
                           const std::string& metric = "latency_p95_ms") {
  Anomaly a;
  a.kind = kind;
  a.model = model;
  a.metric = metric;
  a.id = MakeAnomalyId(model, metric, kind, start);
  a.detector = "robust_z";
  a.severity = Severity::kHigh;
  a.state = AnomalyState::kFiring;
  a.score = 0.93;
  a.start_ns = start;
  a.fired_ns = start + 2 * kNanosPerMinute;
  a.last_seen_ns = start + 3 * kNanosPerMinute;
  a.peak_ns = start + kNanosPerMinute;
  a.observed = 2140;
  a.expected = 1080;
  a.lower = 900;
  a.upper = 1300;
  a.points = 4;
  a.affected_requests = 5321;
  a.summary = "p95 latency of " + model + " is 2,140 ms, expected 1,080 ms, since 14:02 UTC";
  a.cause = "queue depth rose 6x and batch fill fell from 0.8 to 0.3 against the hour before";
  a.recommendation = "add replicas or raise max batch size; check the scheduler's batching";
  return a;
}

// The same anomaly after it resolved at `end`.
inline Anomaly Resolved(Anomaly a, TimestampNs end, Severity severity = Severity::kCritical) {
  a.state = AnomalyState::kResolved;
  a.end_ns = end;
  a.severity = severity;
  a.summary += " (recovered)";
  return a;
}

}  // namespace inferscope::testing

#endif  // INFERSCOPE_TESTS_ALERT_ALERT_TEST_SUPPORT_H_
