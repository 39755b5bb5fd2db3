#ifndef INFERSCOPE_ALERT_ALERT_DISPATCHER_H_
#define INFERSCOPE_ALERT_ALERT_DISPATCHER_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

#include "alert/alert_event.h"
#include "alert/alert_outbox.h"
#include "alert/alert_sink.h"
#include "core/clock.h"
#include "core/http_client.h"

namespace inferscope {

// Turns the engine's incident list into alert deliveries (docs/alerting.md):
//
// Submit() diffs the anomalies (DetectionEngine::Anomalies() / AnomalyTracker::Incidents():
// firing and resolved incidents, the same ids on every call) against the transitions already
// enqueued and enqueues each new one for every sink, rendered, in one outbox transaction:
//   firing, not seen before                  -> firing (episode 1)
//   firing, last transition resolved         -> firing (next episode: a re-opened incident)
//   resolved, last transition firing         -> resolved (same episode)
//   resolved, never seen, ended within announce_window_ns -> firing + resolved (episode 1)
//   anything else (pending, repeats)         -> nothing
// What was enqueued is read back from the outbox when the dispatcher is created, so a restart
// neither repeats nor loses transitions. Sinks added to the configuration later get the
// transitions that happen from then on.
//
// Pump(now) does the delivery work once: drops pending items older than the outbox's max age;
// per sink, sends pending items in enqueue order (a sink receives an incident's resolved only
// after its firing) until one fails with a retryable error (that item is rescheduled with
// backoff and the sink's later items wait: a down receiver gets one request per backoff step,
// not one per item); items that fail permanently (4xx) are dropped and the next one is tried.
// Then, for sinks with a resend interval (Alertmanager) that answered this round, it re-posts
// the firing payload of every incident the last Submit reported as firing, once its firing
// transition was delivered and the interval since the last post has passed. Re-posts are not
// stored: a failed one is retried by the next round. An incident that disappears from the list
// without resolving is no longer re-posted, and Alertmanager lets it expire.
//
// Every drop is logged with its reason through Options::log (and kept in the outbox row).
//
// Threading: Submit and Pump may be called from any thread; Start and Stop from the owner's
// thread. Submit expects the full incident list each time (it defines what is firing). HTTP
// requests run without holding the lock Submit takes, so Submit never waits for a slow receiver.
// Either call Pump yourself (tests, with a ManualClock) or Start() a background thread that pumps
// every poll_interval_ns and right after each Submit.
class AlertDispatcher {
 public:
  struct Options {
    // A resolved incident that was never announced as firing (it fired and resolved between
    // two Submits, or before this dispatcher existed) is announced only if it ended this
    // recently; older history is not replayed into chat channels.
    int64_t announce_window_ns = kNanosPerHour;
    int64_t poll_interval_ns = kNanosPerSecond;
    // Pending items looked at per sink and round.
    size_t batch_per_sink = 100;
    // How often Pump deletes finished outbox rows past keep_done_ns.
    int64_t prune_interval_ns = kNanosPerHour;
    // Receives one line per drop or storage error; empty = stderr.
    std::function<void(std::string_view)> log;
  };

  struct PumpStats {
    size_t delivered = 0;  // outbox items acknowledged
    size_t retried = 0;    // attempts that failed and were rescheduled
    size_t dropped = 0;    // items given up (permanent failure, attempts, age)
    size_t resent = 0;     // firing re-posts acknowledged
    size_t resend_failed = 0;
  };

  // Sink names must be unique. `http` and `clock` are not owned and must outlive the
  // dispatcher. Reads the outbox to learn which transitions were already enqueued.
  static Result<std::unique_ptr<AlertDispatcher>> Create(
      std::vector<std::unique_ptr<AlertSink>> sinks, std::unique_ptr<AlertOutbox> outbox,
      HttpClient* http, const Clock* clock, Options options);
  ~AlertDispatcher();  // Stop()s
  AlertDispatcher(const AlertDispatcher&) = delete;
  AlertDispatcher& operator=(const AlertDispatcher&) = delete;

  // Enqueues the new transitions in `anomalies` (times from the clock). Returns how many
  // transitions were new (each counted once, whatever the number of sinks). Storage errors
  // are returned; the transitions not stored are retried by the next Submit.
  Result<size_t> Submit(const std::vector<LabeledAnomaly>& anomalies);
  Result<size_t> Submit(const std::vector<Anomaly>& anomalies);

  // One round of deliveries and re-posts at `now`.
  PumpStats Pump(TimestampNs now);

  // Starts / stops the background thread. Stop waits for the request in flight (bounded by
  // the sink's timeout). Both are idempotent.
  void Start();
  void Stop();

  const std::vector<std::unique_ptr<AlertSink>>& sinks() const { return sinks_; }

 private:
  // What has been enqueued for one anomaly id.
  struct Tracked {
    int episode = 0;
    AlertTransition last = AlertTransition::kFiring;
    Severity alert_severity = Severity::kLow;
  };
  // An incident the last Submit reported as firing.
  struct Firing {
    LabeledAnomaly subject;
    int episode = 1;
    Severity alert_severity = Severity::kLow;
  };
  using ResendKey = std::tuple<std::string, std::string, int>;  // sink, anomaly id, episode

  AlertDispatcher(std::vector<std::unique_ptr<AlertSink>> sinks,
                  std::unique_ptr<AlertOutbox> outbox, HttpClient* http, const Clock* clock,
                  Options options);
  void Log(std::string_view line) const;
  void AppendEntries(const AlertEvent& event, std::vector<OutboxEntry>* entries) const;
  void DeliverPending(const AlertSink& sink, TimestampNs now, PumpStats* stats, bool* healthy);
  void Resend(const AlertSink& sink, TimestampNs now, PumpStats* stats);
  void Run();

  std::vector<std::unique_ptr<AlertSink>> sinks_;
  HttpClient* http_;
  const Clock* clock_;
  Options options_;

  std::mutex pump_mu_;                            // one Pump at a time; taken before mu_
  TimestampNs last_prune_ns_ = 0;                 // guarded by pump_mu_
  std::map<ResendKey, TimestampNs> next_resend_;  // guarded by pump_mu_

  mutable std::mutex mu_;  // guards outbox_, tracked_, firing_, wake_, stop_
  std::unique_ptr<AlertOutbox> outbox_;
  std::map<std::string, Tracked> tracked_;
  std::map<std::string, Firing> firing_;
  std::condition_variable cv_;
  bool wake_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_ALERT_ALERT_DISPATCHER_H_
