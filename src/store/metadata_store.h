#ifndef INFERSCOPE_STORE_METADATA_STORE_H_
#define INFERSCOPE_STORE_METADATA_STORE_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

struct sqlite3;

namespace inferscope {

// An anomaly as persisted: the fields of the anomaly JSON object (docs/analyze-output.md,
// detect/anomaly.h) with enums as their stable names, so the store does not depend on
// detect. NaN doubles are stored as NULL and read back as NaN.
struct AnomalyRecord {
  std::string id;
  std::string kind;
  std::string model;
  std::string metric;
  std::string detector;
  std::string severity;   // low, medium, high, critical
  std::string state;      // pending, firing, resolved
  std::string direction;  // above, below
  double score = 0;
  TimestampNs start_ns = 0;
  TimestampNs end_ns = 0;
  TimestampNs last_seen_ns = 0;
  TimestampNs fired_ns = 0;
  TimestampNs peak_ns = 0;
  double observed = std::numeric_limits<double>::quiet_NaN();
  double expected = std::numeric_limits<double>::quiet_NaN();
  double lower = std::numeric_limits<double>::quiet_NaN();
  double upper = std::numeric_limits<double>::quiet_NaN();
  uint64_t points = 0;
  uint64_t affected_requests = 0;
  std::string summary;
  std::string cause;
  std::string recommendation;
  std::string labels_json;  // "" when the series had no labels
  std::string incident;     // Anomaly::incident; "" for rows written before schema 2
};

struct InsightRecord {
  std::string id;
  std::string anomaly_id;  // "" for insights not tied to an anomaly
  std::string category;
  std::string title;
  std::string text;
  int priority = 0;
  std::string evidence_json;
  std::string action;
  TimestampNs created_ns = 0;
};

// Delivery state of one anomaly transition (e.g. "firing", "resolved") to one alert sink.
struct AlertStateRecord {
  std::string sink;
  std::string anomaly_id;
  std::string transition;
  std::string status = "pending";  // pending, delivered, failed (gave up)
  int attempts = 0;
  TimestampNs next_attempt_ns = 0;
  std::string last_error;
  TimestampNs updated_ns = 0;
};

struct DetectorCheckpoint {
  std::string name;
  TimestampNs saved_ns = 0;
  std::string state;  // opaque bytes (detect's engine checkpoint)
};

struct AnomalyQuery {
  // Anomalies whose [start, end-or-now] overlaps [start_ns, end_ns).
  TimestampNs start_ns = INT64_MIN;
  TimestampNs end_ns = INT64_MAX;
  std::optional<std::string> model;
  std::optional<std::string> state;
  std::optional<std::string> incident;  // Anomaly::incident
  size_t limit = 1000;
  // Order by start time descending (the newest `limit`), instead of ascending.
  bool newest_first = false;
};

// SQLite (WAL journal, synchronous=NORMAL) database of what the engine derives: anomalies,
// insights, alert delivery states and detector checkpoints. Schema: docs/format/segment.md
// ("Metadata database"). One connection guarded by a mutex: thread-safe, calls serialise.
// Every SQLite error is IoError (DataLoss for a corrupt file) with SQLite's message.
class MetadataStore {
 public:
  static Result<std::unique_ptr<MetadataStore>> Open(const std::string& path);
  ~MetadataStore();
  MetadataStore(const MetadataStore&) = delete;
  MetadataStore& operator=(const MetadataStore&) = delete;

  // Inserts or replaces by id.
  Status UpsertAnomaly(const AnomalyRecord& anomaly);
  Result<std::optional<AnomalyRecord>> GetAnomaly(const std::string& id);
  // Ordered by start, then id.
  Result<std::vector<AnomalyRecord>> ListAnomalies(const AnomalyQuery& query);

  // Deletes resolved anomalies that ended before cutoff_ns; returns how many.
  Result<uint64_t> DeleteResolvedAnomaliesBefore(TimestampNs cutoff_ns);

  Status UpsertInsight(const InsightRecord& insight);
  // Newest first; all insights when anomaly_id is empty.
  Result<std::vector<InsightRecord>> ListInsights(const std::string& anomaly_id, size_t limit);

  // Inserts or replaces by (sink, anomaly_id, transition).
  Status UpsertAlertState(const AlertStateRecord& state);
  Result<std::optional<AlertStateRecord>> GetAlertState(const std::string& sink,
                                                        const std::string& anomaly_id,
                                                        const std::string& transition);
  // Pending deliveries whose next attempt is due at `now_ns`, earliest first.
  Result<std::vector<AlertStateRecord>> DueAlerts(TimestampNs now_ns, size_t limit);

  Status SaveCheckpoint(const DetectorCheckpoint& checkpoint);
  Result<std::optional<DetectorCheckpoint>> LoadCheckpoint(const std::string& name);

 private:
  explicit MetadataStore(sqlite3* db) : db_(db) {}
  Status Exec(const char* sql);
  std::mutex mu_;
  sqlite3* db_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_STORE_METADATA_STORE_H_
