#include "api/live_detection.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "api/anomaly_record_codec.h"
#include "insight/anomaly_explainer.h"

namespace inferscope {
namespace {

constexpr char kCheckpointName[] = "live";
constexpr uint32_t kCheckpointMagic = 0x4c495645;  // "LIVE"

TimestampNs FloorTo(TimestampNs t, int64_t width) {
  TimestampNs q = t / width * width;
  return q > t ? q - width : q;
}

void PutU64(std::string* out, uint64_t v) { out->append(reinterpret_cast<const char*>(&v), 8); }

bool GetU64(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  std::memcpy(v, in->data(), 8);
  in->remove_prefix(8);
  return true;
}

bool Changed(const Anomaly& before, const Anomaly& now) {
  return before.state != now.state || before.severity != now.severity ||
         before.end_ns != now.end_ns || before.incident != now.incident;
}

}  // namespace

LiveDetection::LiveDetection(std::unique_ptr<DetectionEngine> engine, EventStore* store,
                             MetadataStore* metadata, const Clock* clock,
                             LiveDetectionOptions options)
    : options_(options),
      store_(store),
      metadata_(metadata),
      clock_(clock),
      engine_(std::move(engine)) {}

void LiveDetection::OnEvents(std::span<const Event> events) {
  const int64_t width = options_.bucket_ns;
  const TimestampNs now = clock_->Now();
  const TimestampNs horizon = now + options_.lateness_ns;
  const TimestampNs oldest = now - options_.max_backfill_ns;
  std::lock_guard<std::mutex> lock(open_mu_);
  for (const Event& e : events) {
    TimestampNs start = FloorTo(e.timestamp_ns, width);
    // Too late (its bucket was judged), older than max_backfill, or implausibly far in the
    // future (clock skew):
    // stored, but not judged.
    if (start < closed_before_ || e.timestamp_ns > horizon || e.timestamp_ns < oldest) {
      ++late_;
      continue;
    }
    open_[start][std::string(e.model.empty() ? std::string_view("unknown") : e.model)].Add(e);
  }
}

std::vector<Anomaly> LiveDetection::Tick(TimestampNs now) {
  const int64_t width = options_.bucket_ns;
  const TimestampNs closed_before = FloorTo(now - options_.lateness_ns, width);
  std::map<TimestampNs, std::map<std::string, BucketStats>> closing;
  {
    std::lock_guard<std::mutex> lock(open_mu_);
    if (closed_before <= closed_before_) return {};
    // Nothing seen yet: time does not advance, so a first ingest of history (a backfill) is
    // judged rather than counted late.
    if (open_.empty() && closed_before_ == INT64_MIN) {
      std::lock_guard<std::mutex> engine_lock(engine_mu_);
      if (next_bucket_.empty()) return {};
    }
    auto end = open_.lower_bound(closed_before);
    for (auto it = open_.begin(); it != end;) {
      closing.insert(open_.extract(it++));
    }
    closed_before_ = closed_before;
  }

  std::vector<Anomaly> changed;
  {
    std::lock_guard<std::mutex> lock(engine_mu_);
    // Every bucket start from the earliest one owed to a known model (or the first closing
    // bucket) up to closed_before: known models get their bucket, or an empty one while
    // they have been silent for at most max_gap_buckets.
    TimestampNs from = closing.empty() ? closed_before : closing.begin()->first;
    for (const auto& [model, next] : next_bucket_) from = std::min(from, next);
    // After a long downtime, resume at most max_backfill ago (not every minute since).
    from = std::max(from, FloorTo(closed_before - options_.max_backfill_ns, width));
    for (auto& [model, next] : next_bucket_) next = std::max(next, from);
    static const BucketStats kEmpty;
    for (TimestampNs t = from; t < closed_before; t += width) {
      auto bucket = closing.find(t);
      BucketStats fleet;
      bool fleet_data = false;
      if (bucket != closing.end()) {
        for (const auto& [model, stats] : bucket->second) {
          if (next_bucket_.count(model) == 0) next_bucket_[model] = t;
          fleet.MergeCounters(stats);
          fleet_data = true;
        }
        if (next_bucket_.count("*") == 0) next_bucket_["*"] = t;
      }
      for (auto& [model, next] : next_bucket_) {
        if (next > t) continue;
        const BucketStats* stats = &kEmpty;
        if (model == "*") {
          if (fleet_data) stats = &fleet;
        } else if (bucket != closing.end()) {
          auto it = bucket->second.find(model);
          if (it != bucket->second.end()) stats = &it->second;
        }
        if (stats != &kEmpty) {
          last_data_[model] = t;
        } else {
          // Silent: feed empties only while the gap is short; beyond it the model is gone
          // and its next bucket moves with time.
          auto seen = last_data_.find(model);
          TimestampNs last = seen != last_data_.end() ? seen->second : next - width;
          if ((t - last) / width > options_.max_gap_buckets) {
            next = t + width;
            continue;
          }
        }
        engine_->Observe(model, t, *stats);
        next = t + width;
      }
    }
    engine_->AdvanceTo(closed_before);

    std::set<std::string> present;
    for (Anomaly& a : engine_->Anomalies()) {
      present.insert(a.id);
      auto it = known_.find(a.id);
      if (it != known_.end() && !Changed(it->second, a)) continue;
      Explain(&a);
      known_[a.id] = a;
      changed.push_back(a);
    }
    // Incidents open before a restart that the restored engine does not carry: the
    // detector state was restored, the incident was not; close it at the restart.
    for (auto& [id, a] : known_) {
      if (present.count(id) || a.state == AnomalyState::kResolved) continue;
      a.state = AnomalyState::kResolved;
      a.end_ns = std::max(a.last_seen_ns, a.start_ns);
      changed.push_back(a);
    }
    // Keep resolved incidents out of memory once reported (the metadata store has them).
    for (auto it = known_.begin(); it != known_.end();) {
      if (it->second.state == AnomalyState::kResolved && !present.count(it->first)) {
        it = known_.erase(it);
      } else {
        ++it;
      }
    }
  }
  if (metadata_ != nullptr) {
    for (const Anomaly& a : changed) (void)metadata_->UpsertAnomaly(ToAnomalyRecord(a));
  }
  if (on_change_ && !changed.empty()) on_change_(changed);
  return changed;
}

void LiveDetection::Explain(Anomaly* a) const {
  const int64_t width = options_.bucket_ns;
  TimestampNs end = (a->state == AnomalyState::kResolved ? a->end_ns : a->last_seen_ns) + width;
  auto merged = [&](TimestampNs from, TimestampNs to) {
    BucketStats out;
    if (from >= to) return out;
    RollupQuery q;
    q.start_ns = from;
    q.end_ns = to;
    q.by_model = false;
    if (a->model != "*") q.model = a->model;
    auto rows = store_->QueryRollups(q);
    if (rows.ok()) {
      for (const RollupRow& row : *rows) out.Merge(row.stats);
    }
    return out;
  };
  BucketStats window = merged(a->start_ns, end);
  BucketStats baseline = merged(a->start_ns - options_.baseline_ns, a->start_ns);
  AnomalyExplainer explainer;
  explainer.Explain(window, baseline, a, {});
}

std::vector<Anomaly> LiveDetection::Anomalies() const {
  std::vector<Anomaly> out;
  {
    std::lock_guard<std::mutex> lock(engine_mu_);
    for (const auto& [id, a] : known_) out.push_back(a);
  }
  std::sort(out.begin(), out.end(), [](const Anomaly& x, const Anomaly& y) {
    return x.start_ns != y.start_ns ? x.start_ns > y.start_ns : x.id < y.id;
  });
  return out;
}

std::map<std::pair<std::string, std::string>, int> LiveDetection::FiringCounts() const {
  std::map<std::pair<std::string, std::string>, int> out;
  std::lock_guard<std::mutex> lock(engine_mu_);
  for (const auto& [id, a] : known_) {
    if (a.state != AnomalyState::kFiring) continue;
    ++out[{std::string(AnomalyKindName(a.kind)), std::string(SeverityName(a.severity))}];
  }
  return out;
}

Status LiveDetection::Checkpoint() {
  if (metadata_ == nullptr) return Status::Ok();
  std::string bytes;
  PutU64(&bytes, kCheckpointMagic);
  {
    std::lock_guard<std::mutex> lock(open_mu_);
    PutU64(&bytes, static_cast<uint64_t>(closed_before_));
  }
  std::lock_guard<std::mutex> lock(engine_mu_);
  PutU64(&bytes, next_bucket_.size());
  for (const auto& [model, next] : next_bucket_) {
    PutU64(&bytes, model.size());
    bytes += model;
    PutU64(&bytes, static_cast<uint64_t>(next));
  }
  bytes += engine_->SaveCheckpoint();
  DetectorCheckpoint checkpoint;
  checkpoint.name = kCheckpointName;
  checkpoint.saved_ns = clock_->Now();
  checkpoint.state = std::move(bytes);
  return metadata_->SaveCheckpoint(checkpoint);
}

Status LiveDetection::Restore() {
  if (metadata_ == nullptr) return Status::Ok();
  INFERSCOPE_ASSIGN_OR_RETURN(auto checkpoint, metadata_->LoadCheckpoint(kCheckpointName));
  if (!checkpoint.has_value()) return Status::Ok();
  std::string_view in = checkpoint->state;
  uint64_t magic = 0, closed = 0, models = 0;
  if (!GetU64(&in, &magic) || magic != kCheckpointMagic || !GetU64(&in, &closed) ||
      !GetU64(&in, &models) || models > (1u << 20)) {
    return Status::DataLoss("live detection checkpoint: bad header");
  }
  std::map<std::string, TimestampNs> next;
  for (uint64_t i = 0; i < models; ++i) {
    uint64_t len = 0, t = 0;
    if (!GetU64(&in, &len) || in.size() < len) {
      return Status::DataLoss("live detection checkpoint: truncated model list");
    }
    std::string model(in.substr(0, len));
    in.remove_prefix(len);
    if (!GetU64(&in, &t)) return Status::DataLoss("live detection checkpoint: truncated");
    next[model] = static_cast<TimestampNs>(t);
  }
  {
    std::lock_guard<std::mutex> lock(engine_mu_);
    INFERSCOPE_RETURN_IF_ERROR(engine_->LoadCheckpoint(in));
    next_bucket_ = std::move(next);
    // Open incidents from before the restart, so they are not reported again as new.
    AnomalyQuery query;
    for (const char* state : {"pending", "firing"}) {
      query.state = state;
      auto open = metadata_->ListAnomalies(query);
      if (open.ok()) {
        for (const AnomalyRecord& r : *open) known_[r.id] = FromAnomalyRecord(r);
      }
    }
  }
  // Events acknowledged after the checkpoint are in the store: re-read their buckets so
  // detection resumes where it stopped.
  const TimestampNs resume = static_cast<TimestampNs>(closed);
  if (resume == INT64_MIN) return Status::Ok();
  RollupQuery q;
  q.start_ns = resume;
  q.end_ns = clock_->Now() + options_.bucket_ns;
  q.step_ns = options_.bucket_ns;
  q.by_model = true;
  auto rows = store_->QueryRollups(q);
  std::lock_guard<std::mutex> lock(open_mu_);
  closed_before_ = resume;
  if (rows.ok()) {
    for (const RollupRow& row : *rows) open_[row.start_ns][row.key.model].Merge(row.stats);
  }
  return rows.ok() ? Status::Ok() : rows.status();
}

uint64_t LiveDetection::late_events() const {
  std::lock_guard<std::mutex> lock(open_mu_);
  return late_;
}

TimestampNs LiveDetection::last_closed_bucket() const {
  std::lock_guard<std::mutex> lock(open_mu_);
  return closed_before_;
}

}  // namespace inferscope
