#include "alert/alert_outbox.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <random>

namespace inferscope {
namespace {

constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS outbox (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  sink            TEXT    NOT NULL,
  anomaly_id      TEXT    NOT NULL,
  episode         INTEGER NOT NULL,
  transition      TEXT    NOT NULL,
  alert_severity  TEXT    NOT NULL,
  body            BLOB    NOT NULL,
  state           TEXT    NOT NULL DEFAULT 'pending',
  attempts        INTEGER NOT NULL DEFAULT 0,
  created_ns      INTEGER NOT NULL,
  next_attempt_ns INTEGER NOT NULL,
  done_ns         INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT    NOT NULL DEFAULT '',
  UNIQUE (sink, anomaly_id, episode, transition)
);
CREATE INDEX IF NOT EXISTS outbox_by_state ON outbox (state, sink, seq);
)sql";

constexpr const char* kColumns =
    "seq, sink, anomaly_id, episode, transition, alert_severity, state, attempts, created_ns, "
    "next_attempt_ns, done_ns, last_error";

std::optional<Severity> SeverityFromName(std::string_view name) {
  for (Severity s : {Severity::kLow, Severity::kMedium, Severity::kHigh, Severity::kCritical}) {
    if (SeverityName(s) == name) return s;
  }
  return std::nullopt;
}

std::optional<OutboxState> StateFromName(std::string_view name) {
  for (OutboxState s : {OutboxState::kPending, OutboxState::kDelivered, OutboxState::kDropped}) {
    if (OutboxStateName(s) == name) return s;
  }
  return std::nullopt;
}

Status SqliteError(sqlite3* db, std::string_view what) {
  return Status::IoError(fmt::format("alert outbox: {}: {}", what, sqlite3_errmsg(db)));
}

// A prepared statement, finalized on scope exit.
class Stmt {
 public:
  Stmt(sqlite3* db, std::string_view sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Status prepared() const { return rc_ == SQLITE_OK ? Status::Ok() : SqliteError(db_, "prepare"); }
  Stmt& Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    return *this;
  }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Stmt& Bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& BindBlob(int i, std::string_view v) {
    sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::string Text(int col) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : "";
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_OK;
};

// Reads the kColumns columns (and the body at `body_col` when >= 0).
Result<OutboxItem> ReadItem(const Stmt& s, int body_col) {
  OutboxItem item;
  item.seq = s.Int(0);
  item.sink = s.Text(1);
  item.anomaly_id = s.Text(2);
  item.episode = static_cast<int>(s.Int(3));
  auto transition = AlertTransitionByName(s.Text(4));
  auto severity = SeverityFromName(s.Text(5));
  auto state = StateFromName(s.Text(6));
  if (!transition || !severity || !state) {
    return Status::DataLoss(
        fmt::format("alert outbox: row {} has an unknown transition, "
                    "severity or state ('{}', '{}', '{}')",
                    item.seq, s.Text(4), s.Text(5), s.Text(6)));
  }
  item.transition = *transition;
  item.alert_severity = *severity;
  item.state = *state;
  item.attempts = static_cast<int>(s.Int(7));
  item.created_ns = s.Int(8);
  item.next_attempt_ns = s.Int(9);
  item.done_ns = s.Int(10);
  item.last_error = s.Text(11);
  if (body_col >= 0) item.body = s.Text(body_col);
  return item;
}

Result<std::vector<OutboxItem>> ReadAll(Stmt& s, int body_col) {
  std::vector<OutboxItem> items;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    INFERSCOPE_ASSIGN_OR_RETURN(OutboxItem item, ReadItem(s, body_col));
    items.push_back(std::move(item));
  }
  if (rc != SQLITE_DONE) return Status::IoError("alert outbox: read failed");
  return items;
}

}  // namespace

std::string_view OutboxStateName(OutboxState state) {
  switch (state) {
    case OutboxState::kPending:
      return "pending";
    case OutboxState::kDelivered:
      return "delivered";
    case OutboxState::kDropped:
      return "dropped";
  }
  return "unknown";
}

AlertOutbox::AlertOutbox(sqlite3* db, std::string path, Options options, Random random)
    : db_(db), path_(std::move(path)), options_(options), random_(std::move(random)) {}

AlertOutbox::~AlertOutbox() { sqlite3_close(db_); }

Status AlertOutbox::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    return Status::IoError(fmt::format("alert outbox {}: {}", path_, message));
  }
  return Status::Ok();
}

Result<std::unique_ptr<AlertOutbox>> AlertOutbox::Open(const std::string& path, Options options,
                                                       Random random) {
  if (options.max_attempts < 1) {
    return Status::InvalidArgument("alert outbox: max_attempts must be >= 1");
  }
  sqlite3* db = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status st = Status::IoError(fmt::format("alert outbox {}: cannot open: {}", path,
                                            db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_close(db);
    return st;
  }
  if (!random) {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    random = [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
  }
  std::unique_ptr<AlertOutbox> outbox(new AlertOutbox(db, path, options, std::move(random)));
  sqlite3_busy_timeout(db, 200);
  // Exclusive locking before the first WAL access: the write below takes the lock and keeps it
  // until close, so no second outbox can hand out the same items.
  INFERSCOPE_RETURN_IF_ERROR(outbox->Exec("PRAGMA locking_mode=EXCLUSIVE"));
  int64_t found = 0;
  {
    Stmt version(db, "PRAGMA user_version");
    if (!version.prepared().ok() || version.Step() != SQLITE_ROW) {
      const int code = sqlite3_errcode(db);
      if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
        return Status::IoError(fmt::format(
            "alert outbox {}: in use by another process (or another outbox in this one)", path));
      }
      return Status::DataLoss(
          fmt::format("alert outbox {}: not an outbox database: {}", path, sqlite3_errmsg(db)));
    }
    found = version.Int(0);
  }  // finalized: journal_mode cannot change while a statement is active
  if (found > kSchemaVersion) {
    return Status::DataLoss(
        fmt::format("alert outbox {}: schema version {} is newer than this binary's {}", path,
                    found, kSchemaVersion));
  }
  Status st = outbox->Exec("PRAGMA journal_mode=WAL");
  if (st.ok()) st = outbox->Exec("PRAGMA synchronous=FULL");
  if (st.ok()) st = outbox->Exec("BEGIN IMMEDIATE");
  if (!st.ok()) {
    const int code = sqlite3_errcode(db);
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
      return Status::IoError(fmt::format(
          "alert outbox {}: in use by another process (or another outbox in this one)", path));
    }
    return st;
  }
  st = outbox->Exec(kSchema);
  if (st.ok()) {
    st = outbox->Exec(fmt::format("PRAGMA user_version={}", kSchemaVersion).c_str());
  }
  if (!st.ok()) {
    (void)outbox->Exec("ROLLBACK");
    return st;
  }
  INFERSCOPE_RETURN_IF_ERROR(outbox->Exec("COMMIT"));
  return outbox;
}

Result<size_t> AlertOutbox::Enqueue(const std::vector<OutboxEntry>& entries, TimestampNs now) {
  if (entries.empty()) return size_t{0};
  INFERSCOPE_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  size_t added = 0;
  Status st;
  {
    Stmt s(db_,
           "INSERT OR IGNORE INTO outbox (sink, anomaly_id, episode, transition, alert_severity, "
           "body, created_ns, next_attempt_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)");
    st = s.prepared();
    for (size_t i = 0; st.ok() && i < entries.size(); ++i) {
      const OutboxEntry& e = entries[i];
      s.Reset()
          .Bind(1, e.sink)
          .Bind(2, e.anomaly_id)
          .Bind(3, static_cast<int64_t>(e.episode))
          .Bind(4, AlertTransitionName(e.transition))
          .Bind(5, SeverityName(e.alert_severity))
          .BindBlob(6, e.body)
          .Bind(7, now);
      if (s.Step() != SQLITE_DONE) {
        st = SqliteError(db_, "enqueue");
        break;
      }
      added += static_cast<size_t>(sqlite3_changes(db_));
    }
  }
  if (!st.ok()) {
    (void)Exec("ROLLBACK");
    return st;
  }
  INFERSCOPE_RETURN_IF_ERROR(Exec("COMMIT"));
  return added;
}

Result<std::vector<OutboxItem>> AlertOutbox::Pending(std::string_view sink, size_t limit) const {
  Stmt s(db_, fmt::format("SELECT {}, body FROM outbox WHERE state = 'pending' AND sink = ?1 "
                          "ORDER BY seq LIMIT ?2",
                          kColumns));
  INFERSCOPE_RETURN_IF_ERROR(s.prepared());
  s.Bind(1, sink).Bind(2, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  return ReadAll(s, 12);
}

Result<std::optional<OutboxItem>> AlertOutbox::Find(std::string_view sink,
                                                    std::string_view anomaly_id, int episode,
                                                    AlertTransition transition) const {
  Stmt s(db_, fmt::format("SELECT {}, body FROM outbox WHERE sink = ?1 AND anomaly_id = ?2 AND "
                          "episode = ?3 AND transition = ?4",
                          kColumns));
  INFERSCOPE_RETURN_IF_ERROR(s.prepared());
  s.Bind(1, sink)
      .Bind(2, anomaly_id)
      .Bind(3, static_cast<int64_t>(episode))
      .Bind(4, AlertTransitionName(transition));
  INFERSCOPE_ASSIGN_OR_RETURN(std::vector<OutboxItem> items, ReadAll(s, 12));
  if (items.empty()) return std::optional<OutboxItem>();
  return std::optional<OutboxItem>(std::move(items.front()));
}

Result<std::vector<OutboxItem>> AlertOutbox::Items(bool with_body) const {
  Stmt s(db_,
         fmt::format("SELECT {}{} FROM outbox ORDER BY seq", kColumns, with_body ? ", body" : ""));
  INFERSCOPE_RETURN_IF_ERROR(s.prepared());
  return ReadAll(s, with_body ? 12 : -1);
}

Status AlertOutbox::MarkDelivered(int64_t seq, TimestampNs now) {
  Stmt s(db_,
         "UPDATE outbox SET state = 'delivered', done_ns = ?2 WHERE seq = ?1 AND state = "
         "'pending'");
  INFERSCOPE_RETURN_IF_ERROR(s.prepared());
  s.Bind(1, seq).Bind(2, now);
  if (s.Step() != SQLITE_DONE) return SqliteError(db_, "mark delivered");
  if (sqlite3_changes(db_) != 1) {
    return Status::NotFound(fmt::format("alert outbox: no pending item {}", seq));
  }
  return Status::Ok();
}

Result<OutboxState> AlertOutbox::MarkFailed(int64_t seq, TimestampNs now, std::string_view error,
                                            int64_t retry_after_ns) {
  Stmt get(db_, "SELECT attempts FROM outbox WHERE seq = ?1 AND state = 'pending'");
  INFERSCOPE_RETURN_IF_ERROR(get.prepared());
  get.Bind(1, seq);
  if (get.Step() != SQLITE_ROW) {
    return Status::NotFound(fmt::format("alert outbox: no pending item {}", seq));
  }
  const int attempts = static_cast<int>(get.Int(0)) + 1;
  if (attempts >= options_.max_attempts) {
    std::string reason = fmt::format("gave up after {} attempts; last error: {}", attempts, error);
    Stmt s(db_,
           "UPDATE outbox SET state = 'dropped', attempts = ?2, done_ns = ?3, last_error = ?4 "
           "WHERE seq = ?1");
    INFERSCOPE_RETURN_IF_ERROR(s.prepared());
    s.Bind(1, seq).Bind(2, static_cast<int64_t>(attempts)).Bind(3, now).Bind(4, reason);
    if (s.Step() != SQLITE_DONE) return SqliteError(db_, "drop");
    return OutboxState::kDropped;
  }
  const int64_t delay =
      std::max(options_.backoff.DelayNs(attempts, random_()), std::max<int64_t>(retry_after_ns, 0));
  Stmt s(db_,
         "UPDATE outbox SET attempts = ?2, next_attempt_ns = ?3, last_error = ?4 WHERE seq = ?1");
  INFERSCOPE_RETURN_IF_ERROR(s.prepared());
  s.Bind(1, seq).Bind(2, static_cast<int64_t>(attempts)).Bind(3, now + delay).Bind(4, error);
  if (s.Step() != SQLITE_DONE) return SqliteError(db_, "reschedule");
  return OutboxState::kPending;
}

Status AlertOutbox::MarkDropped(int64_t seq, TimestampNs now, std::string_view reason) {
  Stmt s(db_,
         "UPDATE outbox SET state = 'dropped', attempts = attempts + 1, done_ns = ?2, "
         "last_error = ?3 WHERE seq = ?1 AND state = 'pending'");
  INFERSCOPE_RETURN_IF_ERROR(s.prepared());
  s.Bind(1, seq).Bind(2, now).Bind(3, reason);
  if (s.Step() != SQLITE_DONE) return SqliteError(db_, "drop");
  if (sqlite3_changes(db_) != 1) {
    return Status::NotFound(fmt::format("alert outbox: no pending item {}", seq));
  }
  return Status::Ok();
}

Result<std::vector<OutboxItem>> AlertOutbox::ExpireOld(TimestampNs now) {
  const TimestampNs cutoff = now - options_.max_age_ns;
  Stmt find(db_, fmt::format("SELECT {} FROM outbox WHERE state = 'pending' AND created_ns < ?1 "
                             "ORDER BY seq",
                             kColumns));
  INFERSCOPE_RETURN_IF_ERROR(find.prepared());
  find.Bind(1, cutoff);
  INFERSCOPE_ASSIGN_OR_RETURN(std::vector<OutboxItem> expired, ReadAll(find, -1));
  for (OutboxItem& item : expired) {
    std::string reason =
        fmt::format("not delivered within max_age ({} attempts); last error: {}", item.attempts,
                    item.last_error.empty() ? "none" : item.last_error);
    Stmt s(db_,
           "UPDATE outbox SET state = 'dropped', done_ns = ?2, last_error = ?3 WHERE seq = ?1");
    INFERSCOPE_RETURN_IF_ERROR(s.prepared());
    s.Bind(1, item.seq).Bind(2, now).Bind(3, reason);
    if (s.Step() != SQLITE_DONE) return SqliteError(db_, "expire");
    item.state = OutboxState::kDropped;
    item.done_ns = now;
    item.last_error = std::move(reason);
  }
  return expired;
}

Result<size_t> AlertOutbox::Prune(TimestampNs now) {
  Stmt s(db_, "DELETE FROM outbox WHERE state != 'pending' AND done_ns < ?1");
  INFERSCOPE_RETURN_IF_ERROR(s.prepared());
  s.Bind(1, now - options_.keep_done_ns);
  if (s.Step() != SQLITE_DONE) return SqliteError(db_, "prune");
  return static_cast<size_t>(sqlite3_changes(db_));
}

}  // namespace inferscope
