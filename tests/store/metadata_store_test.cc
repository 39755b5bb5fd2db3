#include "store/metadata_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "store_test_util.h"

namespace inferscope {
namespace {

using testing::TempDir;

AnomalyRecord SampleAnomaly(std::string id, TimestampNs start, std::string state = "firing") {
  AnomalyRecord a;
  a.id = std::move(id);
  a.kind = "latency_spike";
  a.model = "llama";
  a.metric = "latency_p95_ms";
  a.detector = "robust_z";
  a.severity = "high";
  a.state = std::move(state);
  a.direction = "above";
  a.score = 0.93;
  a.start_ns = start;
  a.end_ns = a.state == "resolved" ? start + 10 * kNanosPerMinute : 0;
  a.last_seen_ns = start + 5 * kNanosPerMinute;
  a.fired_ns = start + 2 * kNanosPerMinute;
  a.peak_ns = start + kNanosPerMinute;
  a.observed = 812.5;
  a.expected = 240;
  a.upper = 300;  // lower stays NaN
  a.points = 9;
  a.affected_requests = 5400;
  a.summary = "p95 latency of llama rose to 812 ms";
  a.cause = "queue depth";
  a.recommendation = "add replicas";
  a.incident = "i-7";
  return a;
}

TEST(MetadataStoreTest, AnomaliesRoundTripIncludingNaNs) {
  TempDir dir;
  auto db = MetadataStore::Open(dir.path() + "/meta.db");
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const AnomalyRecord a = SampleAnomaly("a-1", 1000);
  ASSERT_TRUE((*db)->UpsertAnomaly(a).ok());
  auto got = (*db)->GetAnomaly("a-1");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  const AnomalyRecord& b = **got;
  EXPECT_EQ(b.id, a.id);
  EXPECT_EQ(b.kind, a.kind);
  EXPECT_EQ(b.state, a.state);
  EXPECT_EQ(b.score, a.score);
  EXPECT_EQ(b.start_ns, a.start_ns);
  EXPECT_EQ(b.fired_ns, a.fired_ns);
  EXPECT_EQ(b.observed, a.observed);
  EXPECT_TRUE(std::isnan(b.lower));
  EXPECT_EQ(b.upper, 300);
  EXPECT_EQ(b.affected_requests, 5400u);
  EXPECT_EQ(b.summary, a.summary);
  EXPECT_EQ(b.incident, "i-7");
  auto none = (*db)->GetAnomaly("a-2");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

// Runs `sql` on the SQLite file at `path` (creating it), outside MetadataStore.
void ExecRaw(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << err;
  sqlite3_free(err);
  sqlite3_close(db);
}

TEST(MetadataStoreTest, AVersionOneFileGainsTheIncidentColumnAndKeepsItsRows) {
  TempDir dir;
  const std::string path = dir.path() + "/meta.db";
  // The anomalies table exactly as schema version 1 created it, with one row.
  ExecRaw(path, R"sql(
CREATE TABLE anomalies (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, model TEXT NOT NULL, metric TEXT NOT NULL,
  detector TEXT NOT NULL, severity TEXT NOT NULL, state TEXT NOT NULL, direction TEXT NOT NULL,
  score REAL NOT NULL, start_ns INTEGER NOT NULL, end_ns INTEGER NOT NULL,
  last_seen_ns INTEGER NOT NULL, fired_ns INTEGER NOT NULL, peak_ns INTEGER NOT NULL,
  observed REAL, expected REAL, lower REAL, upper REAL,
  points INTEGER NOT NULL, affected_requests INTEGER NOT NULL,
  summary TEXT NOT NULL, cause TEXT NOT NULL, recommendation TEXT NOT NULL,
  labels_json TEXT NOT NULL);
INSERT INTO anomalies VALUES ('a-old', 'error_burst', 'llama', 'error_rate', 'robust_z',
  'high', 'resolved', 'above', 0.9, 100, 200, 200, 120, 150, 0.3, 0.01, NULL, NULL, 5, 60,
  's', 'c', 'r', '');
PRAGMA user_version=1;
)sql");
  for (int open = 0; open < 2; ++open) {  // the second open finds version 2: no ALTER again
    auto db = MetadataStore::Open(path);
    ASSERT_TRUE(db.ok()) << open << ": " << db.status().ToString();
    auto old = (*db)->GetAnomaly("a-old");
    ASSERT_TRUE(old.ok() && old->has_value()) << open;
    EXPECT_EQ((*old)->kind, "error_burst");
    EXPECT_EQ((*old)->affected_requests, 60u);
    EXPECT_EQ((*old)->incident, open == 0 ? "" : "i-old");
    AnomalyRecord updated = **old;
    updated.incident = "i-old";
    ASSERT_TRUE((*db)->UpsertAnomaly(updated).ok());
  }
}

TEST(MetadataStoreTest, AFileOfANewerSchemaIsRefusedAndLeftAlone) {
  TempDir dir;
  const std::string path = dir.path() + "/meta.db";
  ExecRaw(path, "CREATE TABLE future (x INTEGER); PRAGMA user_version=3;");
  auto db = MetadataStore::Open(path);
  ASSERT_FALSE(db.ok());
  EXPECT_NE(db.status().message().find("schema version 3 is newer"), std::string::npos)
      << db.status().ToString();
  // Nothing was created in it.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(raw, "SELECT group_concat(name) FROM sqlite_master", -1, &stmt, nullptr),
      SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "future");
  sqlite3_finalize(stmt);
  sqlite3_close(raw);
}

TEST(MetadataStoreTest, UpsertReplacesAnAnomalyAsItsStateMoves) {
  TempDir dir;
  auto db = MetadataStore::Open(dir.path() + "/meta.db");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->UpsertAnomaly(SampleAnomaly("a-1", 1000, "firing")).ok());
  ASSERT_TRUE((*db)->UpsertAnomaly(SampleAnomaly("a-1", 1000, "resolved")).ok());
  auto all = (*db)->ListAnomalies({});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].state, "resolved");
}

TEST(MetadataStoreTest, ListsAnomaliesOverlappingARange) {
  TempDir dir;
  auto db = MetadataStore::Open(dir.path() + "/meta.db");
  ASSERT_TRUE(db.ok());
  const TimestampNs h = kNanosPerHour;
  ASSERT_TRUE((*db)->UpsertAnomaly(SampleAnomaly("old", 0, "resolved")).ok());      // [0, 10m]
  ASSERT_TRUE((*db)->UpsertAnomaly(SampleAnomaly("mid", 2 * h, "resolved")).ok());  // [2h, 2h10m]
  ASSERT_TRUE((*db)->UpsertAnomaly(SampleAnomaly("open", h, "firing")).ok());       // [1h, now)
  AnomalyRecord other = SampleAnomaly("other", 2 * h, "resolved");
  other.model = "gpt";
  ASSERT_TRUE((*db)->UpsertAnomaly(other).ok());
  AnomalyQuery q;
  q.start_ns = 2 * h + kNanosPerMinute;
  q.end_ns = 3 * h;
  auto got = (*db)->ListAnomalies(q);
  ASSERT_TRUE(got.ok());
  std::vector<std::string> ids;
  for (const auto& a : *got) ids.push_back(a.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"open", "mid", "other"}));
  q.model = "gpt";
  got = (*db)->ListAnomalies(q);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].id, "other");
  q.model.reset();
  q.state = "firing";
  got = (*db)->ListAnomalies(q);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].id, "open");
}

TEST(MetadataStoreTest, InsightsListNewestFirstPerAnomaly) {
  TempDir dir;
  auto db = MetadataStore::Open(dir.path() + "/meta.db");
  ASSERT_TRUE(db.ok());
  for (int i = 0; i < 3; ++i) {
    InsightRecord r;
    r.id = "i" + std::to_string(i);
    r.anomaly_id = i < 2 ? "a-1" : "a-2";
    r.category = "capacity";
    r.title = "t";
    r.text = "x";
    r.priority = i;
    r.evidence_json = "{\"n\":1}";
    r.created_ns = i * 10;
    ASSERT_TRUE((*db)->UpsertInsight(r).ok());
  }
  auto got = (*db)->ListInsights("a-1", 10);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].id, "i1");
  EXPECT_EQ((*got)[0].evidence_json, "{\"n\":1}");
  auto all = (*db)->ListInsights("", 2);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
}

TEST(MetadataStoreTest, DueAlertsAreThePendingOnesWhoseTimeHasCome) {
  TempDir dir;
  auto db = MetadataStore::Open(dir.path() + "/meta.db");
  ASSERT_TRUE(db.ok());
  AlertStateRecord r;
  r.sink = "slack";
  r.anomaly_id = "a-1";
  r.transition = "firing";
  r.next_attempt_ns = 100;
  ASSERT_TRUE((*db)->UpsertAlertState(r).ok());
  r.sink = "webhook";
  r.next_attempt_ns = 50;
  ASSERT_TRUE((*db)->UpsertAlertState(r).ok());
  r.sink = "pager";
  r.next_attempt_ns = 500;
  ASSERT_TRUE((*db)->UpsertAlertState(r).ok());
  auto due = (*db)->DueAlerts(100, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].sink, "webhook");
  EXPECT_EQ((*due)[1].sink, "slack");
  // Delivered: no longer due.
  AlertStateRecord done = (*due)[0];
  done.status = "delivered";
  done.attempts = 1;
  ASSERT_TRUE((*db)->UpsertAlertState(done).ok());
  due = (*db)->DueAlerts(1000, 10);
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(due->size(), 2u);
  auto got = (*db)->GetAlertState("webhook", "a-1", "firing");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->status, "delivered");
  EXPECT_EQ((*got)->attempts, 1);
}

TEST(MetadataStoreTest, CheckpointsKeepArbitraryBytesAcrossReopen) {
  TempDir dir;
  const std::string path = dir.path() + "/meta.db";
  std::string blob("\0\x01\xff binary", 10);
  {
    auto db = MetadataStore::Open(path);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->SaveCheckpoint({"engine", 123, blob}).ok());
  }
  auto db = MetadataStore::Open(path);
  ASSERT_TRUE(db.ok());
  auto got = (*db)->LoadCheckpoint("engine");
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->state, blob);
  EXPECT_EQ((*got)->saved_ns, 123);
  auto missing = (*db)->LoadCheckpoint("other");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST(MetadataStoreTest, UsesTheWalJournal) {
  TempDir dir;
  const std::string path = dir.path() + "/meta.db";
  auto db = MetadataStore::Open(path);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->SaveCheckpoint({"x", 1, "y"}).ok());
  EXPECT_TRUE(std::filesystem::exists(path + "-wal"));
}

TEST(MetadataStoreTest, AFileThatIsNotADatabaseIsRefused) {
  TempDir dir;
  const std::string path = dir.path() + "/meta.db";
  {
    std::ofstream f(path);
    f << std::string(4096, 'x');
  }
  auto db = MetadataStore::Open(path);
  EXPECT_FALSE(db.ok());
}

}  // namespace
}  // namespace inferscope
