#include "store/metadata_store.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <cmath>

namespace inferscope {
namespace {

// 1: first release; 2: anomalies.incident (added to version-1 files on open).
constexpr int kSchemaVersion = 2;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS anomalies (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, model TEXT NOT NULL, metric TEXT NOT NULL,
  detector TEXT NOT NULL, severity TEXT NOT NULL, state TEXT NOT NULL, direction TEXT NOT NULL,
  score REAL NOT NULL, start_ns INTEGER NOT NULL, end_ns INTEGER NOT NULL,
  last_seen_ns INTEGER NOT NULL, fired_ns INTEGER NOT NULL, peak_ns INTEGER NOT NULL,
  observed REAL, expected REAL, lower REAL, upper REAL,
  points INTEGER NOT NULL, affected_requests INTEGER NOT NULL,
  summary TEXT NOT NULL, cause TEXT NOT NULL, recommendation TEXT NOT NULL,
  labels_json TEXT NOT NULL, incident TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS anomalies_start ON anomalies(start_ns);
CREATE INDEX IF NOT EXISTS anomalies_model ON anomalies(model, start_ns);
CREATE TABLE IF NOT EXISTS insights (
  id TEXT PRIMARY KEY, anomaly_id TEXT NOT NULL, category TEXT NOT NULL, title TEXT NOT NULL,
  text TEXT NOT NULL, priority INTEGER NOT NULL, evidence_json TEXT NOT NULL,
  action TEXT NOT NULL, created_ns INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS insights_anomaly ON insights(anomaly_id, created_ns);
CREATE TABLE IF NOT EXISTS alert_states (
  sink TEXT NOT NULL, anomaly_id TEXT NOT NULL, transition TEXT NOT NULL,
  status TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_ns INTEGER NOT NULL,
  last_error TEXT NOT NULL, updated_ns INTEGER NOT NULL,
  PRIMARY KEY (sink, anomaly_id, transition));
CREATE INDEX IF NOT EXISTS alert_states_due ON alert_states(status, next_attempt_ns);
CREATE TABLE IF NOT EXISTS detector_checkpoints (
  name TEXT PRIMARY KEY, saved_ns INTEGER NOT NULL, state BLOB NOT NULL);
)sql";

Status SqlError(sqlite3* db, std::string_view what) {
  const int code = sqlite3_errcode(db);
  std::string msg = fmt::format("sqlite {}: {}", what, sqlite3_errmsg(db));
  if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) return Status::DataLoss(std::move(msg));
  return Status::IoError(std::move(msg));
}

// A prepared statement with positional binds; finalised on destruction.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : rc_(sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr)) {}
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return rc_ == SQLITE_OK; }

  void Bind(const std::string& v) {
    sqlite3_bind_text(stmt_, ++n_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void Bind(int64_t v) { sqlite3_bind_int64(stmt_, ++n_, v); }
  void BindU(uint64_t v) { sqlite3_bind_int64(stmt_, ++n_, static_cast<int64_t>(v)); }
  void Bind(double v) {
    if (std::isnan(v)) {
      sqlite3_bind_null(stmt_, ++n_);
    } else {
      sqlite3_bind_double(stmt_, ++n_, v);
    }
  }
  void BindBlob(const std::string& v) {
    sqlite3_bind_blob(stmt_, ++n_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }

  std::string Text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p == nullptr ? std::string()
                        : std::string(reinterpret_cast<const char*>(p),
                                      static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
  }
  std::string Blob(int col) const {
    const void* p = sqlite3_column_blob(stmt_, col);
    return p == nullptr ? std::string()
                        : std::string(static_cast<const char*>(p),
                                      static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
  }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Real(int col) const {
    return sqlite3_column_type(stmt_, col) == SQLITE_NULL ? std::nan("")
                                                          : sqlite3_column_double(stmt_, col);
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;  // initialised before rc_, whose initialiser prepares into it
  int rc_;
  int n_ = 0;
};

constexpr const char* kAnomalyColumns =
    "id, kind, model, metric, detector, severity, state, direction, score, start_ns, end_ns, "
    "last_seen_ns, fired_ns, peak_ns, observed, expected, lower, upper, points, "
    "affected_requests, summary, cause, recommendation, labels_json, incident";

AnomalyRecord ReadAnomaly(const Stmt& s) {
  AnomalyRecord a;
  int c = 0;
  a.id = s.Text(c++);
  a.kind = s.Text(c++);
  a.model = s.Text(c++);
  a.metric = s.Text(c++);
  a.detector = s.Text(c++);
  a.severity = s.Text(c++);
  a.state = s.Text(c++);
  a.direction = s.Text(c++);
  a.score = s.Real(c++);
  a.start_ns = s.Int(c++);
  a.end_ns = s.Int(c++);
  a.last_seen_ns = s.Int(c++);
  a.fired_ns = s.Int(c++);
  a.peak_ns = s.Int(c++);
  a.observed = s.Real(c++);
  a.expected = s.Real(c++);
  a.lower = s.Real(c++);
  a.upper = s.Real(c++);
  a.points = static_cast<uint64_t>(s.Int(c++));
  a.affected_requests = static_cast<uint64_t>(s.Int(c++));
  a.summary = s.Text(c++);
  a.cause = s.Text(c++);
  a.recommendation = s.Text(c++);
  a.labels_json = s.Text(c++);
  a.incident = s.Text(c++);
  return a;
}

constexpr const char* kInsightColumns =
    "id, anomaly_id, category, title, text, priority, evidence_json, action, created_ns";

InsightRecord ReadInsight(const Stmt& s) {
  InsightRecord r;
  r.id = s.Text(0);
  r.anomaly_id = s.Text(1);
  r.category = s.Text(2);
  r.title = s.Text(3);
  r.text = s.Text(4);
  r.priority = static_cast<int>(s.Int(5));
  r.evidence_json = s.Text(6);
  r.action = s.Text(7);
  r.created_ns = s.Int(8);
  return r;
}

constexpr const char* kAlertColumns =
    "sink, anomaly_id, transition, status, attempts, next_attempt_ns, last_error, updated_ns";

AlertStateRecord ReadAlert(const Stmt& s) {
  AlertStateRecord r;
  r.sink = s.Text(0);
  r.anomaly_id = s.Text(1);
  r.transition = s.Text(2);
  r.status = s.Text(3);
  r.attempts = static_cast<int>(s.Int(4));
  r.next_attempt_ns = s.Int(5);
  r.last_error = s.Text(6);
  r.updated_ns = s.Int(7);
  return r;
}

}  // namespace

Result<std::unique_ptr<MetadataStore>> MetadataStore::Open(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status st = Status::IoError(
        fmt::format("sqlite open {}: {}", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_close(db);
    return st;
  }
  std::unique_ptr<MetadataStore> store(new MetadataStore(db));
  sqlite3_busy_timeout(db, 5000);
  INFERSCOPE_RETURN_IF_ERROR(store->Exec("PRAGMA journal_mode=WAL"));
  INFERSCOPE_RETURN_IF_ERROR(store->Exec("PRAGMA synchronous=NORMAL"));
  // Schema creation and upgrade are one transaction: a crash in between leaves the file as
  // it was, never with the column added but the version not raised.
  INFERSCOPE_RETURN_IF_ERROR(store->Exec("BEGIN IMMEDIATE"));
  Status setup = [&]() -> Status {
    int64_t version = 0;
    {
      Stmt s(db, "PRAGMA user_version");
      if (!s.ok() || s.Step() != SQLITE_ROW) return SqlError(db, "read schema version");
      version = s.Int(0);
    }
    if (version > kSchemaVersion) {
      return Status::InvalidArgument(fmt::format(
          "{}: schema version {} is newer than this build's {}", path, version, kSchemaVersion));
    }
    INFERSCOPE_RETURN_IF_ERROR(store->Exec(kSchema));
    if (version == 1) {
      // Version-1 files lack the incident column; their rows belong to no known incident.
      INFERSCOPE_RETURN_IF_ERROR(
          store->Exec("ALTER TABLE anomalies ADD COLUMN incident TEXT NOT NULL DEFAULT ''"));
    }
    return store->Exec(fmt::format("PRAGMA user_version={}", kSchemaVersion).c_str());
  }();
  if (!setup.ok()) {
    (void)store->Exec("ROLLBACK");
    return setup;
  }
  INFERSCOPE_RETURN_IF_ERROR(store->Exec("COMMIT"));
  return store;
}

MetadataStore::~MetadataStore() { sqlite3_close(db_); }

Status MetadataStore::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    Status st = SqlError(db_, err ? err : "exec");
    sqlite3_free(err);
    return st;
  }
  return Status::Ok();
}

Status MetadataStore::UpsertAnomaly(const AnomalyRecord& a) {
  std::lock_guard lk(mu_);
  const std::string sql = fmt::format(
      "INSERT OR REPLACE INTO anomalies ({}) VALUES "
      "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
      kAnomalyColumns);
  Stmt s(db_, sql.c_str());
  if (!s.ok()) return SqlError(db_, "prepare anomaly upsert");
  s.Bind(a.id);
  s.Bind(a.kind);
  s.Bind(a.model);
  s.Bind(a.metric);
  s.Bind(a.detector);
  s.Bind(a.severity);
  s.Bind(a.state);
  s.Bind(a.direction);
  s.Bind(a.score);
  s.Bind(int64_t{a.start_ns});
  s.Bind(int64_t{a.end_ns});
  s.Bind(int64_t{a.last_seen_ns});
  s.Bind(int64_t{a.fired_ns});
  s.Bind(int64_t{a.peak_ns});
  s.Bind(a.observed);
  s.Bind(a.expected);
  s.Bind(a.lower);
  s.Bind(a.upper);
  s.BindU(a.points);
  s.BindU(a.affected_requests);
  s.Bind(a.summary);
  s.Bind(a.cause);
  s.Bind(a.recommendation);
  s.Bind(a.labels_json);
  s.Bind(a.incident);
  if (s.Step() != SQLITE_DONE) return SqlError(db_, "upsert anomaly");
  return Status::Ok();
}

Result<std::optional<AnomalyRecord>> MetadataStore::GetAnomaly(const std::string& id) {
  std::lock_guard lk(mu_);
  const std::string sql = fmt::format("SELECT {} FROM anomalies WHERE id = ?", kAnomalyColumns);
  Stmt s(db_, sql.c_str());
  if (!s.ok()) return SqlError(db_, "prepare anomaly get");
  s.Bind(id);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<AnomalyRecord>();
  if (rc != SQLITE_ROW) return SqlError(db_, "get anomaly");
  return std::optional<AnomalyRecord>(ReadAnomaly(s));
}

Result<std::vector<AnomalyRecord>> MetadataStore::ListAnomalies(const AnomalyQuery& q) {
  std::lock_guard lk(mu_);
  // A resolved anomaly spans [start, end]; an open one reaches to now (end_ns unused).
  std::string sql = fmt::format(
      "SELECT {} FROM anomalies WHERE start_ns < ? AND "
      "(state != 'resolved' OR end_ns >= ?)",
      kAnomalyColumns);
  if (q.model) sql += " AND model = ?";
  if (q.state) sql += " AND state = ?";
  if (q.incident) sql += " AND incident = ?";
  sql += q.newest_first ? " ORDER BY start_ns DESC, id LIMIT ?" : " ORDER BY start_ns, id LIMIT ?";
  Stmt s(db_, sql.c_str());
  if (!s.ok()) return SqlError(db_, "prepare anomaly list");
  s.Bind(int64_t{q.end_ns});
  s.Bind(int64_t{q.start_ns});
  if (q.model) s.Bind(*q.model);
  if (q.state) s.Bind(*q.state);
  if (q.incident) s.Bind(*q.incident);
  s.BindU(q.limit);
  std::vector<AnomalyRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadAnomaly(s));
  if (rc != SQLITE_DONE) return SqlError(db_, "list anomalies");
  return out;
}

Result<uint64_t> MetadataStore::DeleteResolvedAnomaliesBefore(TimestampNs cutoff_ns) {
  std::lock_guard lk(mu_);
  Stmt s(db_, "DELETE FROM anomalies WHERE state = 'resolved' AND end_ns < ?");
  if (!s.ok()) return SqlError(db_, "prepare anomaly delete");
  s.Bind(int64_t{cutoff_ns});
  if (s.Step() != SQLITE_DONE) return SqlError(db_, "delete anomalies");
  return static_cast<uint64_t>(sqlite3_changes(db_));
}

Status MetadataStore::UpsertInsight(const InsightRecord& r) {
  std::lock_guard lk(mu_);
  const std::string sql = fmt::format(
      "INSERT OR REPLACE INTO insights ({}) VALUES (?,?,?,?,?,?,?,?,?)", kInsightColumns);
  Stmt s(db_, sql.c_str());
  if (!s.ok()) return SqlError(db_, "prepare insight upsert");
  s.Bind(r.id);
  s.Bind(r.anomaly_id);
  s.Bind(r.category);
  s.Bind(r.title);
  s.Bind(r.text);
  s.Bind(int64_t{r.priority});
  s.Bind(r.evidence_json);
  s.Bind(r.action);
  s.Bind(int64_t{r.created_ns});
  if (s.Step() != SQLITE_DONE) return SqlError(db_, "upsert insight");
  return Status::Ok();
}

Result<std::vector<InsightRecord>> MetadataStore::ListInsights(const std::string& anomaly_id,
                                                               size_t limit) {
  std::lock_guard lk(mu_);
  std::string sql = fmt::format("SELECT {} FROM insights", kInsightColumns);
  if (!anomaly_id.empty()) sql += " WHERE anomaly_id = ?";
  sql += " ORDER BY created_ns DESC, id LIMIT ?";
  Stmt s(db_, sql.c_str());
  if (!s.ok()) return SqlError(db_, "prepare insight list");
  if (!anomaly_id.empty()) s.Bind(anomaly_id);
  s.BindU(limit);
  std::vector<InsightRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadInsight(s));
  if (rc != SQLITE_DONE) return SqlError(db_, "list insights");
  return out;
}

Status MetadataStore::UpsertAlertState(const AlertStateRecord& r) {
  std::lock_guard lk(mu_);
  const std::string sql = fmt::format(
      "INSERT OR REPLACE INTO alert_states ({}) VALUES (?,?,?,?,?,?,?,?)", kAlertColumns);
  Stmt s(db_, sql.c_str());
  if (!s.ok()) return SqlError(db_, "prepare alert upsert");
  s.Bind(r.sink);
  s.Bind(r.anomaly_id);
  s.Bind(r.transition);
  s.Bind(r.status);
  s.Bind(int64_t{r.attempts});
  s.Bind(int64_t{r.next_attempt_ns});
  s.Bind(r.last_error);
  s.Bind(int64_t{r.updated_ns});
  if (s.Step() != SQLITE_DONE) return SqlError(db_, "upsert alert state");
  return Status::Ok();
}

Result<std::optional<AlertStateRecord>> MetadataStore::GetAlertState(
    const std::string& sink, const std::string& anomaly_id, const std::string& transition) {
  std::lock_guard lk(mu_);
  const std::string sql = fmt::format(
      "SELECT {} FROM alert_states WHERE sink = ? AND anomaly_id = ? AND transition = ?",
      kAlertColumns);
  Stmt s(db_, sql.c_str());
  if (!s.ok()) return SqlError(db_, "prepare alert get");
  s.Bind(sink);
  s.Bind(anomaly_id);
  s.Bind(transition);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<AlertStateRecord>();
  if (rc != SQLITE_ROW) return SqlError(db_, "get alert state");
  return std::optional<AlertStateRecord>(ReadAlert(s));
}

Result<std::vector<AlertStateRecord>> MetadataStore::DueAlerts(TimestampNs now_ns, size_t limit) {
  std::lock_guard lk(mu_);
  const std::string sql = fmt::format(
      "SELECT {} FROM alert_states WHERE status = 'pending' AND next_attempt_ns <= ? "
      "ORDER BY next_attempt_ns, sink, anomaly_id, transition LIMIT ?",
      kAlertColumns);
  Stmt s(db_, sql.c_str());
  if (!s.ok()) return SqlError(db_, "prepare due alerts");
  s.Bind(int64_t{now_ns});
  s.BindU(limit);
  std::vector<AlertStateRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) out.push_back(ReadAlert(s));
  if (rc != SQLITE_DONE) return SqlError(db_, "due alerts");
  return out;
}

Status MetadataStore::SaveCheckpoint(const DetectorCheckpoint& c) {
  std::lock_guard lk(mu_);
  Stmt s(db_, "INSERT OR REPLACE INTO detector_checkpoints (name, saved_ns, state) VALUES (?,?,?)");
  if (!s.ok()) return SqlError(db_, "prepare checkpoint save");
  s.Bind(c.name);
  s.Bind(int64_t{c.saved_ns});
  s.BindBlob(c.state);
  if (s.Step() != SQLITE_DONE) return SqlError(db_, "save checkpoint");
  return Status::Ok();
}

Result<std::optional<DetectorCheckpoint>> MetadataStore::LoadCheckpoint(const std::string& name) {
  std::lock_guard lk(mu_);
  Stmt s(db_, "SELECT name, saved_ns, state FROM detector_checkpoints WHERE name = ?");
  if (!s.ok()) return SqlError(db_, "prepare checkpoint load");
  s.Bind(name);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<DetectorCheckpoint>();
  if (rc != SQLITE_ROW) return SqlError(db_, "load checkpoint");
  return std::optional<DetectorCheckpoint>(DetectorCheckpoint{s.Text(0), s.Int(1), s.Blob(2)});
}

}  // namespace inferscope
