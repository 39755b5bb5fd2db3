#include "alert/alert_dispatcher.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>

namespace inferscope {

Result<std::unique_ptr<AlertDispatcher>> AlertDispatcher::Create(
    std::vector<std::unique_ptr<AlertSink>> sinks, std::unique_ptr<AlertOutbox> outbox,
    HttpClient* http, const Clock* clock, Options options) {
  if (!outbox || !http || !clock) {
    return Status::InvalidArgument("alert dispatcher: outbox, http client and clock are required");
  }
  std::set<std::string> names;
  for (const auto& sink : sinks) {
    if (!sink) return Status::InvalidArgument("alert dispatcher: null sink");
    if (!names.insert(sink->name()).second) {
      return Status::InvalidArgument(
          fmt::format("alert dispatcher: two sinks are named '{}'", sink->name()));
    }
  }
  if (options.announce_window_ns >= outbox->options().keep_done_ns) {
    return Status::InvalidArgument(
        "alert dispatcher: announce_window must be shorter than the outbox's keep_done, or "
        "incidents whose rows were pruned would be announced again");
  }
  if (options.poll_interval_ns <= 0 || options.batch_per_sink == 0) {
    return Status::InvalidArgument("alert dispatcher: poll_interval and batch must be > 0");
  }
  INFERSCOPE_ASSIGN_OR_RETURN(std::vector<OutboxItem> items, outbox->Items(/*with_body=*/false));
  std::unique_ptr<AlertDispatcher> d(
      new AlertDispatcher(std::move(sinks), std::move(outbox), http, clock, std::move(options)));
  for (const OutboxItem& item : items) {  // enqueue order: the last row per id is its state
    Tracked& t = d->tracked_[item.anomaly_id];
    if (item.episode < t.episode) continue;
    t.episode = item.episode;
    t.last = item.transition;
    t.alert_severity = item.alert_severity;
  }
  return d;
}

AlertDispatcher::AlertDispatcher(std::vector<std::unique_ptr<AlertSink>> sinks,
                                 std::unique_ptr<AlertOutbox> outbox, HttpClient* http,
                                 const Clock* clock, Options options)
    : sinks_(std::move(sinks)),
      http_(http),
      clock_(clock),
      options_(std::move(options)),
      outbox_(std::move(outbox)) {}

AlertDispatcher::~AlertDispatcher() { Stop(); }

void AlertDispatcher::Log(std::string_view line) const {
  if (options_.log) {
    options_.log(line);
  } else {
    std::fprintf(stderr, "inferscope alert: %.*s\n", static_cast<int>(line.size()), line.data());
  }
}

void AlertDispatcher::AppendEntries(const AlertEvent& event,
                                    std::vector<OutboxEntry>* entries) const {
  for (const auto& sink : sinks_) {
    OutboxEntry e;
    e.sink = sink->name();
    e.anomaly_id = event.anomaly.id;
    e.episode = event.episode;
    e.transition = event.transition;
    e.alert_severity = event.alert_severity;
    e.body = sink->Render(event);
    entries->push_back(std::move(e));
  }
}

Result<size_t> AlertDispatcher::Submit(const std::vector<Anomaly>& anomalies) {
  std::vector<LabeledAnomaly> labeled;
  labeled.reserve(anomalies.size());
  for (const Anomaly& a : anomalies) labeled.push_back(LabeledAnomaly{a, {}});
  return Submit(labeled);
}

Result<size_t> AlertDispatcher::Submit(const std::vector<LabeledAnomaly>& anomalies) {
  const TimestampNs now = clock_->Now();
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<OutboxEntry> entries;
  std::map<std::string, Tracked> updates;  // applied once the outbox has committed
  std::map<std::string, Firing> firing;
  size_t transitions = 0;

  for (const LabeledAnomaly& la : anomalies) {
    const Anomaly& a = la.anomaly;
    if (a.state == AnomalyState::kPending) continue;
    std::optional<Tracked> cur;
    if (auto u = updates.find(a.id); u != updates.end()) {
      cur = u->second;
    } else if (auto t = tracked_.find(a.id); t != tracked_.end()) {
      cur = t->second;
    }

    if (a.state == AnomalyState::kFiring) {
      if (!cur || cur->last == AlertTransition::kResolved) {
        Tracked next{cur ? cur->episode + 1 : 1, AlertTransition::kFiring, a.severity};
        AppendEntries(AlertEvent{AlertTransition::kFiring, next.episode, a, la.labels, a.severity},
                      &entries);
        updates[a.id] = next;
        cur = next;
        ++transitions;
      }
      firing[a.id] = Firing{la, cur->episode, cur->alert_severity};
      continue;
    }

    // Resolved.
    if (!cur) {
      if (now - a.end_ns > options_.announce_window_ns) continue;
      Anomaly as_fired = a;
      as_fired.state = AnomalyState::kFiring;
      as_fired.end_ns = 0;
      AppendEntries(AlertEvent{AlertTransition::kFiring, 1, as_fired, la.labels, a.severity},
                    &entries);
      AppendEntries(AlertEvent{AlertTransition::kResolved, 1, a, la.labels, a.severity}, &entries);
      updates[a.id] = Tracked{1, AlertTransition::kResolved, a.severity};
      transitions += 2;
    } else if (cur->last == AlertTransition::kFiring) {
      AppendEntries(
          AlertEvent{AlertTransition::kResolved, cur->episode, a, la.labels, cur->alert_severity},
          &entries);
      updates[a.id] = Tracked{cur->episode, AlertTransition::kResolved, cur->alert_severity};
      ++transitions;
    }
  }

  auto added = outbox_->Enqueue(entries, now);
  if (!added.ok()) {
    Log(added.status().ToString());
    return added.status();
  }
  for (auto& [id, t] : updates) tracked_[id] = t;
  firing_ = std::move(firing);
  if (!entries.empty()) {
    wake_ = true;
    cv_.notify_all();
  }
  return transitions;
}

AlertDispatcher::PumpStats AlertDispatcher::Pump(TimestampNs now) {
  std::lock_guard<std::mutex> pump(pump_mu_);
  PumpStats stats;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto expired = outbox_->ExpireOld(now);
    if (!expired.ok()) {
      Log(expired.status().ToString());
    } else {
      for (const OutboxItem& item : *expired) {
        Log(fmt::format("dropped {} for sink '{}': {}", item.DeliveryKey(), item.sink,
                        item.last_error));
        ++stats.dropped;
      }
    }
    if (now - last_prune_ns_ >= options_.prune_interval_ns) {
      auto pruned = outbox_->Prune(now);
      if (!pruned.ok()) Log(pruned.status().ToString());
      last_prune_ns_ = now;
    }
  }
  for (const auto& sink : sinks_) {
    bool healthy = true;
    DeliverPending(*sink, now, &stats, &healthy);
    if (healthy && sink->resend_interval_ns() > 0) Resend(*sink, now, &stats);
  }
  return stats;
}

void AlertDispatcher::DeliverPending(const AlertSink& sink, TimestampNs now, PumpStats* stats,
                                     bool* healthy) {
  std::vector<OutboxItem> items;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto pending = outbox_->Pending(sink.name(), options_.batch_per_sink);
    if (!pending.ok()) {
      Log(pending.status().ToString());
      *healthy = false;
      return;
    }
    items = std::move(pending).value();
  }
  for (const OutboxItem& item : items) {
    if (item.next_attempt_ns > now) {
      *healthy = false;  // backing off: later items wait behind this one
      return;
    }
    const std::string key = item.DeliveryKey();
    DeliveryResult result = sink.Deliver(*http_, item.body, key);
    std::lock_guard<std::mutex> lock(mu_);
    switch (result.outcome) {
      case DeliveryOutcome::kDelivered: {
        Status st = outbox_->MarkDelivered(item.seq, now);
        if (!st.ok()) Log(st.ToString());
        ++stats->delivered;
        if (item.transition == AlertTransition::kFiring && sink.resend_interval_ns() > 0) {
          next_resend_[ResendKey(sink.name(), item.anomaly_id, item.episode)] =
              now + sink.resend_interval_ns();
        }
        break;
      }
      case DeliveryOutcome::kRetry: {
        auto state = outbox_->MarkFailed(item.seq, now, result.detail, result.retry_after_ns);
        if (!state.ok()) {
          Log(state.status().ToString());
        } else if (*state == OutboxState::kDropped) {
          Log(fmt::format("dropped {} for sink '{}': gave up after {} attempts: {}", key,
                          sink.name(), item.attempts + 1, result.detail));
          ++stats->dropped;
        } else {
          ++stats->retried;
        }
        *healthy = false;
        return;
      }
      case DeliveryOutcome::kPermanentFailure: {
        std::string reason = "rejected: " + result.detail;
        Status st = outbox_->MarkDropped(item.seq, now, reason);
        if (!st.ok()) Log(st.ToString());
        Log(fmt::format("dropped {} for sink '{}': {}", key, sink.name(), reason));
        ++stats->dropped;
        break;
      }
    }
  }
}

void AlertDispatcher::Resend(const AlertSink& sink, TimestampNs now, PumpStats* stats) {
  std::vector<Firing> firing;
  {
    std::lock_guard<std::mutex> lock(mu_);
    firing.reserve(firing_.size());
    for (const auto& [id, f] : firing_) firing.push_back(f);
  }
  const int64_t interval = sink.resend_interval_ns();
  std::set<ResendKey> live;
  for (const Firing& f : firing) live.emplace(sink.name(), f.subject.anomaly.id, f.episode);
  for (auto it = next_resend_.begin(); it != next_resend_.end();) {
    if (std::get<0>(it->first) == sink.name() && !live.count(it->first)) {
      it = next_resend_.erase(it);
    } else {
      ++it;
    }
  }
  for (const Firing& f : firing) {
    const Anomaly& a = f.subject.anomaly;
    ResendKey key(sink.name(), a.id, f.episode);
    auto it = next_resend_.find(key);
    if (it == next_resend_.end()) {
      std::lock_guard<std::mutex> lock(mu_);
      auto found = outbox_->Find(sink.name(), a.id, f.episode, AlertTransition::kFiring);
      if (!found.ok()) {
        Log(found.status().ToString());
        continue;
      }
      // Not delivered yet: the outbox item comes first. Dropped: the receiver refused it.
      if (!found->has_value() || (*found)->state != OutboxState::kDelivered) continue;
      it = next_resend_.emplace(key, (*found)->done_ns + interval).first;
    }
    if (now < it->second) continue;
    AlertEvent event{AlertTransition::kFiring, f.episode, a, f.subject.labels, f.alert_severity};
    DeliveryResult result = sink.Deliver(
        *http_, sink.Render(event), AlertDeliveryKey(a.id, f.episode, AlertTransition::kFiring));
    if (result.outcome == DeliveryOutcome::kDelivered) {
      it->second = now + interval;
      ++stats->resent;
    } else {
      ++stats->resend_failed;
      // The next round tries again; the incident stays firing on the receiver until expiry.
      std::lock_guard<std::mutex> lock(mu_);
      it->second = now + std::min(interval, outbox_->options().backoff.initial_ns);
      break;
    }
  }
}

void AlertDispatcher::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void AlertDispatcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void AlertDispatcher::Run() {
  while (true) {
    Pump(clock_->Now());
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::nanoseconds(options_.poll_interval_ns),
                 [this] { return stop_ || wake_; });
    if (stop_) return;
    wake_ = false;
  }
}

}  // namespace inferscope
