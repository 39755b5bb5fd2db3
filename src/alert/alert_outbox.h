#ifndef INFERSCOPE_ALERT_ALERT_OUTBOX_H_
#define INFERSCOPE_ALERT_ALERT_OUTBOX_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "alert/alert_event.h"
#include "alert/backoff_policy.h"
#include "core/clock.h"
#include "core/result.h"

struct sqlite3;

namespace inferscope {

enum class OutboxState { kPending, kDelivered, kDropped };
std::string_view OutboxStateName(OutboxState state);

// One transition for one sink, with the body rendered for it when it was enqueued.
struct OutboxEntry {
  std::string sink;
  std::string anomaly_id;
  int episode = 1;
  AlertTransition transition = AlertTransition::kFiring;
  Severity alert_severity = Severity::kLow;  // see AlertEvent::alert_severity
  std::string body;
};

// A stored entry and its delivery state.
struct OutboxItem : OutboxEntry {
  int64_t seq = 0;  // enqueue order, unique
  OutboxState state = OutboxState::kPending;
  int attempts = 0;  // failed attempts so far
  TimestampNs created_ns = 0;
  TimestampNs next_attempt_ns = 0;  // pending: not before this
  TimestampNs done_ns = 0;          // when delivered or dropped
  std::string last_error;           // last failure, or the reason for dropping
  std::string DeliveryKey() const { return AlertDeliveryKey(anomaly_id, episode, transition); }
};

// The durable outbox of alert deliveries: every (sink, anomaly id, episode, transition) is
// stored once, before any attempt to send it, and marked delivered once the receiver
// acknowledged it (2xx). Pending items survive a crash or restart: reopening the file gives
// them back; delivered ones are never handed out again.
//
// Why SQLite (WAL mode) rather than an append-only file with CRCs: the outbox needs keyed
// idempotent inserts (UNIQUE constraint), in-place state changes (attempts, next attempt,
// delivered) and ordered scans per sink; with a log file these become a compaction and an
// index of our own. Alerts are rare (a handful per hour), so the cost of a transaction per
// change is irrelevant, and SQLite gives atomic multi-row enqueues (all sinks of one
// transition or none) and crash safety. The outbox uses its own file (e.g.
// <data_dir>/alert-outbox.db), independent of any other store; synchronous=FULL so an
// acknowledged state change survives power loss too; locking_mode=EXCLUSIVE so a second
// process (or a second AlertOutbox) cannot open the same file and deliver the same items.
// Schema in docs/alerting.md#outbox.
//
// Delivery is at-least-once with a window of one request: a crash after the receiver answered
// 2xx but before MarkDelivered committed sends that item again after the restart (receivers
// can de-duplicate with the Idempotency-Key header); there is no other path to a second send.
//
// Bounds: a pending item is dropped, with its reason kept in last_error, after max_attempts
// failed attempts or when it is older than max_age_ns (ExpireOld). Delivered and dropped rows
// are kept keep_done_ns (they are the memory that makes a repeated enqueue a no-op), then
// Prune deletes them.
//
// Not thread-safe: one owner (AlertDispatcher) serialises calls.
class AlertOutbox {
 public:
  struct Options {
    BackoffPolicy backoff;
    int max_attempts = 20;
    int64_t max_age_ns = kNanosPerDay;
    int64_t keep_done_ns = 7 * kNanosPerDay;
  };
  // Uniform in [0, 1): the jitter of each backoff. Tests pass a fixed value.
  using Random = std::function<double()>;

  // Opens or creates the outbox file. IoError when the file cannot be opened or is locked by
  // another outbox, DataLoss when it is not an outbox (or a newer schema). An empty `random`
  // uses a std::mt19937_64 seeded from std::random_device.
  static Result<std::unique_ptr<AlertOutbox>> Open(const std::string& path, Options options,
                                                   Random random = {});
  ~AlertOutbox();
  AlertOutbox(const AlertOutbox&) = delete;
  AlertOutbox& operator=(const AlertOutbox&) = delete;

  // Stores the entries in one transaction; an entry whose (sink, anomaly_id, episode,
  // transition) is already stored, in any state, is skipped. Returns how many were new.
  Result<size_t> Enqueue(const std::vector<OutboxEntry>& entries, TimestampNs now);

  // Pending items of `sink` in enqueue order (at most `limit`).
  Result<std::vector<OutboxItem>> Pending(std::string_view sink, size_t limit) const;
  // The item with this identity, if stored.
  Result<std::optional<OutboxItem>> Find(std::string_view sink, std::string_view anomaly_id,
                                         int episode, AlertTransition transition) const;
  // Every stored item in enqueue order; bodies are left empty unless with_body.
  Result<std::vector<OutboxItem>> Items(bool with_body = false) const;

  // The receiver acknowledged the item.
  Status MarkDelivered(int64_t seq, TimestampNs now);
  // One failed attempt: schedules the next one at now + max(jittered backoff, retry_after_ns),
  // or drops the item when this was attempt max_attempts. Returns the item's new state.
  Result<OutboxState> MarkFailed(int64_t seq, TimestampNs now, std::string_view error,
                                 int64_t retry_after_ns = 0);
  // Gives up on the item (a permanent failure); `reason` is kept in last_error.
  Status MarkDropped(int64_t seq, TimestampNs now, std::string_view reason);
  // Drops pending items enqueued more than max_age_ns before now; returns them as dropped.
  Result<std::vector<OutboxItem>> ExpireOld(TimestampNs now);
  // Deletes delivered and dropped rows finished more than keep_done_ns before now.
  Result<size_t> Prune(TimestampNs now);

  const Options& options() const { return options_; }
  const std::string& path() const { return path_; }

 private:
  AlertOutbox(sqlite3* db, std::string path, Options options, Random random);
  Status Exec(const char* sql);

  sqlite3* db_;
  std::string path_;
  Options options_;
  Random random_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_ALERT_ALERT_OUTBOX_H_
