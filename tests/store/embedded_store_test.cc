#include "store/embedded_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include "store/file_util.h"
#include "store/manifest.h"
#include "store_test_util.h"

namespace inferscope {
namespace {

using testing::MakeStoredEvent;
using testing::TempDir;

constexpr TimestampNs kT0 =
    1'700'000'000 * kNanosPerSecond - 1'700'000'000 % 3600 * kNanosPerSecond;

EmbeddedStoreOptions Options(const std::string& dir, const Clock* clock = nullptr) {
  EmbeddedStoreOptions o;
  o.data_dir = dir;
  o.wal.fsync = FsyncPolicy::Never();  // durability has its own tests; keep these fast
  if (clock != nullptr) o.clock = clock;
  return o;
}

std::unique_ptr<EmbeddedStore> MustOpen(const EmbeddedStoreOptions& o) {
  auto s = EmbeddedStore::Open(o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(*s) : nullptr;
}

// Events over ~3.5 hours from kT0 - 20 min: three models, two task types, two tiers, some
// errors, some without a latency.
std::vector<StoredEvent> Corpus(int n, uint32_t seed = 7,
                                TimestampNs from = kT0 - 20 * kNanosPerMinute,
                                TimestampNs to = kT0 + 190 * kNanosPerMinute) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int64_t> ts(from, to);
  std::lognormal_distribution<double> lat(4.0, 0.6);
  const char* models[] = {"llama", "gpt", "mistral"};
  std::vector<StoredEvent> out;
  for (int i = 0; i < n; ++i) {
    StoredEvent e = MakeStoredEvent(ts(rng), models[rng() % 3], lat(rng),
                                    rng() % 10 == 0 ? EventStatus::kError : EventStatus::kOk,
                                    "req-" + std::to_string(i));
    e.task_type = rng() % 2 ? "chat" : "embed";
    e.cache_tier = rng() % 3 ? "gpu" : "cpu";
    e.trace_id = "trace-" + std::to_string(i % 50);
    if (rng() % 20 == 0) e.present &= ~1u;  // no latency
    if (i % 3 != 0) e.Set(EventField::kTtftMs, 0.1 * e.Get(EventField::kLatencyMs) + i % 7);
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<StoredEvent> ScanAll(EmbeddedStore& store, const EventFilter& filter = {},
                                 size_t page = 1000, ScanOrder order = ScanOrder::kOldestFirst) {
  std::vector<StoredEvent> all;
  ScanRequest req;
  req.filter = filter;
  req.limit = page;
  req.order = order;
  while (true) {
    auto p = store.Scan(req);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    if (!p.ok()) break;
    for (auto& e : p->events) all.push_back(std::move(e));
    if (p->next_cursor.empty()) break;
    req.cursor = p->next_cursor;
  }
  return all;
}

std::multiset<std::string> RequestIds(const std::vector<StoredEvent>& events) {
  std::multiset<std::string> ids;
  for (const auto& e : events) ids.insert(e.request_id);
  return ids;
}

TEST(EmbeddedStoreTest, AppendedEventsScanBackInTimeOrderWithUniqueIds) {
  TempDir dir;
  auto store = MustOpen(Options(dir.path()));
  auto corpus = Corpus(300);
  ASSERT_TRUE(store->AppendStored(corpus).ok());
  auto all = ScanAll(*store);
  ASSERT_EQ(all.size(), corpus.size());
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.timestamp_ns < b.timestamp_ns;
  }));
  std::set<uint64_t> ids;
  for (const auto& e : all) ids.insert(e.id);
  EXPECT_EQ(ids.size(), corpus.size());
  EXPECT_EQ(RequestIds(all), RequestIds(corpus));
}

TEST(EmbeddedStoreTest, FlushMovesEventsIntoHourlySegmentsAndDeletesTheirWal) {
  TempDir dir;
  auto store = MustOpen(Options(dir.path()));
  auto corpus = Corpus(2000);
  ASSERT_TRUE(store->AppendStored(corpus).ok());
  const auto before = ScanAll(*store);
  ASSERT_TRUE(store->Flush().ok());
  StoreStats s = store->stats();
  EXPECT_EQ(s.memtable_events, 0u);
  EXPECT_EQ(s.segment_rows, 2000u);
  // kT0 - 20 min .. kT0 + 190 min touches 5 hour partitions.
  EXPECT_EQ(s.segments, 5u);
  EXPECT_EQ(s.wal_bytes, 0u);
  auto after = ScanAll(*store);
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) EXPECT_EQ(after[i], before[i]) << i;
}

TEST(EmbeddedStoreTest, ReopenFindsFlushedAndUnflushedEventsExactlyOnce) {
  TempDir dir;
  auto corpus = Corpus(1000);
  {
    auto store = MustOpen(Options(dir.path()));
    ASSERT_TRUE(store->AppendStored(std::span(corpus).subspan(0, 600)).ok());
    ASSERT_TRUE(store->Flush().ok());
    ASSERT_TRUE(store->AppendStored(std::span(corpus).subspan(600)).ok());
  }
  auto store = MustOpen(Options(dir.path()));
  EXPECT_EQ(store->recovery().wal.records_replayed, 1u);
  EXPECT_EQ(store->recovery().segments, 5u);
  EXPECT_EQ(RequestIds(ScanAll(*store)), RequestIds(corpus));
}

TEST(EmbeddedStoreTest, WalLeftBehindByACrashAfterTheManifestIsNotReplayedTwice) {
  TempDir dir;
  auto corpus = Corpus(400);
  const std::string wal_dir = dir.path() + "/wal";
  const std::string saved = dir.path() + "/saved-wal";
  {
    auto store = MustOpen(Options(dir.path()));
    ASSERT_TRUE(store->AppendStored(corpus).ok());
    std::filesystem::copy(wal_dir, saved);
    ASSERT_TRUE(store->Flush().ok());
  }
  // As if the process died after writing the manifest but before deleting the WAL files.
  std::filesystem::remove_all(wal_dir);
  std::filesystem::copy(saved, wal_dir);
  auto store = MustOpen(Options(dir.path()));
  EXPECT_EQ(store->recovery().wal.records_replayed, 0u);
  EXPECT_EQ(store->recovery().wal.records_skipped, 1u);
  EXPECT_EQ(RequestIds(ScanAll(*store)), RequestIds(corpus));
}

TEST(EmbeddedStoreTest, SegmentsOfAnUnfinishedFlushAreRemovedOnOpen) {
  TempDir dir;
  auto corpus = Corpus(100);
  {
    auto store = MustOpen(Options(dir.path()));
    ASSERT_TRUE(store->AppendStored(corpus).ok());
  }
  // A segment file the manifest never listed (the flush died before committing).
  const std::string orphan = dir.path() + "/segments/" + SegmentFileName(42);
  ASSERT_TRUE(WriteFileAtomic(dir.path() + "/segments", SegmentFileName(42), "junk").ok());
  auto store = MustOpen(Options(dir.path()));
  EXPECT_EQ(store->recovery().orphan_files_removed, 1u);
  EXPECT_FALSE(std::filesystem::exists(orphan));
  EXPECT_EQ(RequestIds(ScanAll(*store)), RequestIds(corpus));
}

TEST(EmbeddedStoreTest, FiltersMatchABruteForceFilterAcrossSegmentsAndMemtable) {
  TempDir dir;
  auto store = MustOpen(Options(dir.path()));
  auto corpus = Corpus(3000);
  ASSERT_TRUE(store->AppendStored(std::span(corpus).subspan(0, 2000)).ok());
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_TRUE(store->AppendStored(std::span(corpus).subspan(2000)).ok());
  std::vector<EventFilter> filters(5);
  filters[0].model = "gpt";
  filters[1].status = EventStatus::kError;
  filters[1].start_ns = kT0;
  filters[1].end_ns = kT0 + kNanosPerHour;
  filters[2].min_latency_ms = 100;
  filters[3].trace_id = "trace-7";
  filters[4].model = "llama";
  filters[4].min_latency_ms = 50;
  filters[4].start_ns = kT0 + 30 * kNanosPerMinute;
  for (const auto& f : filters) {
    std::vector<StoredEvent> expected;
    for (const auto& e : corpus) {
      if (f.Matches(e)) expected.push_back(e);
    }
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(RequestIds(ScanAll(*store, f, 97)), RequestIds(expected));
  }
}

TEST(EmbeddedStoreTest, PagesConcatenateToTheFullOrderInBothDirections) {
  TempDir dir;
  auto store = MustOpen(Options(dir.path()));
  auto corpus = Corpus(1500);
  // Equal timestamps must still page deterministically (ties broken by id).
  for (int i = 0; i < 100; ++i) corpus[i].timestamp_ns = kT0;
  ASSERT_TRUE(store->AppendStored(std::span(corpus).subspan(0, 1000)).ok());
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_TRUE(store->AppendStored(std::span(corpus).subspan(1000)).ok());
  auto one = ScanAll(*store, {}, 5000);
  ASSERT_EQ(one.size(), corpus.size());
  auto paged = ScanAll(*store, {}, 33);
  ASSERT_EQ(paged.size(), one.size());
  for (size_t i = 0; i < one.size(); ++i) EXPECT_EQ(paged[i].id, one[i].id) << i;
  auto newest = ScanAll(*store, {}, 41, ScanOrder::kNewestFirst);
  ASSERT_EQ(newest.size(), one.size());
  for (size_t i = 0; i < one.size(); ++i) EXPECT_EQ(newest[i].id, one[one.size() - 1 - i].id);
}

TEST(EmbeddedStoreTest, PagingThroughTheMemtableSkipsNoEventWhereBatchesOverlapOrArriveLate) {
  // Scans skip memtable batches whose time range cannot hold the next page. Batches here are
  // mostly in time order, with ties across batch boundaries, a late batch that reaches back
  // over earlier ones, one spanning everything and late ties; every paging must give the
  // unpaged order.
  TempDir dir;
  auto store = MustOpen(Options(dir.path()));
  std::vector<std::vector<StoredEvent>> batches;
  int n = 0;
  auto event = [&](TimestampNs ts) {
    return MakeStoredEvent(ts, "llama", 100, EventStatus::kOk, "r-" + std::to_string(n++));
  };
  for (int b = 0; b < 40; ++b) {
    std::vector<StoredEvent>& batch = batches.emplace_back();
    for (int i = 0; i < 10; ++i) batch.push_back(event(kT0 + (b * 10 + i) * kNanosPerSecond));
    batch.push_back(event(kT0 + (b * 10 + 10) * kNanosPerSecond));  // tie with the next batch
  }
  std::vector<StoredEvent>& late = batches.emplace_back();
  for (int i = 0; i < 30; ++i) late.push_back(event(kT0 + (37 + 11 * i) * kNanosPerSecond));
  batches.push_back({event(kT0 - kNanosPerHour), event(kT0 + kNanosPerHour)});
  // Late single events tying earlier timestamps: whatever the worst kept event of a page is,
  // some later batch holds a tie with a larger id (after it oldest first, before it newest
  // first).
  for (int t = 0; t <= 400; t += 3) batches.push_back({event(kT0 + t * kNanosPerSecond)});
  for (const auto& batch : batches) ASSERT_TRUE(store->AppendStored(batch).ok());
  EventFilter window;
  window.start_ns = kT0 + 95 * kNanosPerSecond;
  window.end_ns = kT0 + 301 * kNanosPerSecond;
  for (const EventFilter& filter : {EventFilter{}, window}) {
    for (ScanOrder order : {ScanOrder::kOldestFirst, ScanOrder::kNewestFirst}) {
      const std::vector<StoredEvent> all = ScanAll(*store, filter, 100000, order);
      size_t expected = 0;
      for (const auto& batch : batches) {
        for (const StoredEvent& e : batch) {
          expected += e.timestamp_ns >= filter.start_ns && e.timestamp_ns < filter.end_ns;
        }
      }
      ASSERT_EQ(all.size(), expected);
      for (size_t page : {1, 7, 50}) {
        const std::vector<StoredEvent> paged = ScanAll(*store, filter, page, order);
        ASSERT_EQ(paged.size(), all.size()) << page;
        for (size_t i = 0; i < all.size(); ++i)
          EXPECT_EQ(paged[i].id, all[i].id) << page << " " << i;
      }
    }
  }
}

TEST(EmbeddedStoreTest, ScanRejectsABadCursorAndAZeroLimit) {
  TempDir dir;
  auto store = MustOpen(Options(dir.path()));
  ScanRequest req;
  req.cursor = "nope";
  EXPECT_EQ(store->Scan(req).status().code(), StatusCode::kInvalidArgument);
  req.cursor.clear();
  req.limit = 0;
  EXPECT_EQ(store->Scan(req).status().code(), StatusCode::kInvalidArgument);
}

// The reference: BucketStats built directly from the raw events of each bucket.
std::map<std::pair<TimestampNs, RollupKey>, BucketStats> Expected(
    const std::vector<StoredEvent>& events, const RollupQuery& q) {
  std::map<std::pair<TimestampNs, RollupKey>, BucketStats> out;
  const int64_t step = q.step_ns == 0 ? q.end_ns - q.start_ns : q.step_ns;
  for (const auto& e : events) {
    if (e.timestamp_ns < q.start_ns || e.timestamp_ns >= q.end_ns) continue;
    if (q.model && e.model != *q.model) continue;
    if (q.task_type && e.task_type != *q.task_type) continue;
    if (q.cache_tier && e.cache_tier != *q.cache_tier) continue;
    const TimestampNs bucket = q.start_ns + (e.timestamp_ns - q.start_ns) / step * step;
    RollupKey k{q.by_model ? e.model : "*", q.by_task_type ? e.task_type : "*",
                q.by_cache_tier ? e.cache_tier : "*"};
    out[{bucket, k}].Add(e.View());
  }
  return out;
}

void ExpectRollupsMatch(EmbeddedStore& store, const std::vector<StoredEvent>& events,
                        const RollupQuery& q) {
  auto rows = store.QueryRollups(q);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  auto expected = Expected(events, q);
  ASSERT_EQ(rows->size(), expected.size());
  for (const auto& row : *rows) {
    auto it = expected.find({row.start_ns, row.key});
    ASSERT_NE(it, expected.end()) << row.start_ns << " " << row.key.model;
    const BucketStats& want = it->second;
    EXPECT_EQ(row.stats.requests, want.requests);
    EXPECT_EQ(row.stats.errors, want.errors);
    EXPECT_EQ(row.stats.Present(EventField::kLatencyMs), want.Present(EventField::kLatencyMs));
    EXPECT_NEAR(row.stats.Sum(EventField::kLatencyMs), want.Sum(EventField::kLatencyMs),
                1e-9 * want.Sum(EventField::kLatencyMs));
    for (double q95 : {0.5, 0.95, 0.99}) {
      EXPECT_EQ(row.stats.latency_ms.Quantile(q95), want.latency_ms.Quantile(q95));
      EXPECT_EQ(row.stats.ttft_ms.Quantile(q95), want.ttft_ms.Quantile(q95));
    }
    EXPECT_EQ(row.stats.ttft_ms.count(), want.ttft_ms.count());
  }
}

std::vector<RollupQuery> Queries() {
  std::vector<RollupQuery> qs;
  RollupQuery whole;
  whole.start_ns = kT0 - 20 * kNanosPerMinute;
  whole.end_ns = kT0 + 200 * kNanosPerMinute;
  qs.push_back(whole);  // one bucket, per model: hour tier + minute edges + memtable
  RollupQuery fleet = whole;
  fleet.by_model = false;
  qs.push_back(fleet);
  RollupQuery hourly = whole;
  hourly.start_ns = kT0;
  hourly.end_ns = kT0 + 3 * kNanosPerHour;
  hourly.step_ns = kNanosPerHour;
  hourly.by_task_type = true;
  qs.push_back(hourly);  // full-key hour tier
  RollupQuery five = whole;
  five.start_ns = kT0 + 7 * kNanosPerMinute;
  five.end_ns = kT0 + 97 * kNanosPerMinute;
  five.step_ns = 5 * kNanosPerMinute;
  five.model = "gpt";
  five.cache_tier = "cpu";
  qs.push_back(five);  // minute data only
  RollupQuery odd = whole;
  odd.start_ns = kT0 + 13 * kNanosPerMinute;
  odd.end_ns = kT0 + 173 * kNanosPerMinute;
  odd.step_ns = 80 * kNanosPerMinute;  // buckets straddling hours
  odd.by_cache_tier = true;
  qs.push_back(odd);
  return qs;
}

TEST(EmbeddedStoreTest, RollupQueriesEqualAggregatesOfTheRawEvents) {
  TempDir dir;
  auto store = MustOpen(Options(dir.path()));
  auto corpus = Corpus(4000);
  ASSERT_TRUE(store->AppendStored(std::span(corpus).subspan(0, 2500)).ok());
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_TRUE(store->AppendStored(std::span(corpus).subspan(2500)).ok());
  for (const auto& q : Queries()) ExpectRollupsMatch(*store, corpus, q);
}

// The quantiles the store computes per row (RollupQuery::quantiles, memoised for tier cells)
// against those of the rows' merged sketches.
void ExpectStoreQuantilesMatchMergedSketches(EmbeddedStore* store) {
  std::vector<RollupQuery> queries = Queries();
  RollupQuery hourly;  // one hour-tier cell per row: the memoised path
  hourly.start_ns = kT0 - kNanosPerHour;
  hourly.end_ns = kT0 + 4 * kNanosPerHour;
  hourly.step_ns = kNanosPerHour;
  queries.push_back(hourly);
  hourly.by_task_type = hourly.by_cache_tier = true;  // the full-key hour tier
  queries.push_back(hourly);
  for (RollupSketch which : {RollupSketch::kLatency, RollupSketch::kTtft}) {
    for (RollupQuery full : queries) {
      auto want = store->QueryRollups(full);
      ASSERT_TRUE(want.ok());
      RollupQuery lean = full;
      lean.keep_sketches = false;
      lean.quantiles = {0.0, 0.5, 0.95, 0.99, 1.0};
      lean.quantile_sketch = which;
      auto got = store->QueryRollups(lean);
      ASSERT_TRUE(got.ok());
      ASSERT_EQ(got->size(), want->size());
      for (size_t i = 0; i < got->size(); ++i) {
        const RollupRow& g = (*got)[i];
        const RollupRow& w = (*want)[i];
        EXPECT_EQ(g.start_ns, w.start_ns);
        EXPECT_EQ(g.key, w.key);
        EXPECT_EQ(g.stats.requests, w.stats.requests);
        EXPECT_EQ(g.stats.errors, w.stats.errors);
        EXPECT_EQ(g.stats.Present(EventField::kLatencyMs), w.stats.Present(EventField::kLatencyMs));
        EXPECT_EQ(g.stats.latency_ms.count(), 0u);  // not kept
        EXPECT_EQ(g.stats.ttft_ms.count(), 0u);
        const DDSketch& merged = SketchOf(w.stats, which);
        ASSERT_EQ(g.quantiles.size(), 5u);
        for (size_t k = 0; k < 5; ++k) {
          const double expected =
              merged.count() == 0 ? std::nan("") : merged.Quantile(lean.quantiles[k]);
          EXPECT_TRUE(g.quantiles[k] == expected ||
                      (std::isnan(expected) && std::isnan(g.quantiles[k])))
              << "row " << i << " q " << lean.quantiles[k] << " got " << g.quantiles[k] << " want "
              << expected;
        }
      }
    }
  }
}

TEST(EmbeddedStoreTest, QuantilesComputedByTheStoreEqualThoseOfTheMergedSketches) {
  TempDir dir;
  auto corpus = Corpus(6000, 5);
  EmbeddedStoreOptions o = Options(dir.path());
  o.minute_cache_hours = 1;  // minute edges re-read from disk: cells that are not kept
  auto store = MustOpen(o);
  ASSERT_TRUE(store->AppendStored(std::span(corpus).subspan(0, 2500)).ok());
  ASSERT_TRUE(store->Flush().ok());
  ExpectStoreQuantilesMatchMergedSketches(store.get());  // tier cells alone: memoised
  ExpectStoreQuantilesMatchMergedSketches(store.get());  // read from the memo
  ASSERT_TRUE(store->AppendStored(std::span(corpus).subspan(2500, 2000)).ok());
  ExpectStoreQuantilesMatchMergedSketches(store.get());  // tier + memtable cells merged
  // The flush merges into the same tier cells (same addresses, new contents): the memoised
  // quantiles must not survive it.
  ASSERT_TRUE(store->Flush().ok());
  ExpectStoreQuantilesMatchMergedSketches(store.get());
  ASSERT_TRUE(store->AppendStored(std::span(corpus).subspan(4500)).ok());
  ExpectStoreQuantilesMatchMergedSketches(store.get());
}

TEST(EmbeddedStoreTest, OnlyQuantilesOfTierCellsReadInPlaceAreMemoised) {
  // A group made of one hour-tier cell reads that cell's sketch in place and memoises its
  // quantiles until the tiers change. A group that also has memtable cells is merged into a
  // sketch of the query's own, whose address later queries reuse: memoising it would hand
  // them stale quantiles. (The comparison test above only sees such reuse without ASan's
  // quarantine; this one does not depend on addresses.)
  TempDir dir;
  auto corpus = Corpus(1500, 21, kT0, kT0 + 59 * kNanosPerMinute);
  auto store = MustOpen(Options(dir.path()));
  ASSERT_TRUE(store->AppendStored(std::span(corpus).subspan(0, 1000)).ok());
  ASSERT_TRUE(store->Flush().ok());
  RollupQuery q;
  q.start_ns = kT0;
  q.end_ns = kT0 + kNanosPerHour;
  q.by_model = true;
  q.keep_sketches = false;
  q.quantiles = {0.5, 0.99};
  auto tier_only = store->QueryRollups(q);
  ASSERT_TRUE(tier_only.ok());
  ASSERT_EQ(tier_only->size(), 3u);
  EXPECT_EQ(store->stats().quantile_memo_entries, 3u * 2u);
  // The same hour with memtable cells too: merged groups, nothing more memoised, and the
  // quantiles are those of the merged sketches.
  ASSERT_TRUE(store->AppendStored(std::span(corpus).subspan(1000)).ok());
  auto merged = store->QueryRollups(q);
  ASSERT_TRUE(merged.ok());
  ASSERT_EQ(merged->size(), 3u);
  EXPECT_EQ(store->stats().quantile_memo_entries, 3u * 2u);
  RollupQuery full = q;
  full.keep_sketches = true;
  full.quantiles.clear();
  auto want = store->QueryRollups(full);
  ASSERT_TRUE(want.ok());
  for (size_t i = 0; i < merged->size(); ++i) {
    for (size_t k = 0; k < q.quantiles.size(); ++k) {
      EXPECT_EQ((*merged)[i].quantiles[k], (*want)[i].stats.latency_ms.Quantile(q.quantiles[k]))
          << i << " " << k;
    }
  }
}

TEST(EmbeddedStoreTest, RollupQueriesAreTheSameAfterReopen) {
  TempDir dir;
  auto corpus = Corpus(3000, 11);
  {
    auto store = MustOpen(Options(dir.path()));
    ASSERT_TRUE(store->AppendStored(std::span(corpus).subspan(0, 1000)).ok());
    ASSERT_TRUE(store->Flush().ok());
    ASSERT_TRUE(store->AppendStored(std::span(corpus).subspan(1000, 1000)).ok());
    ASSERT_TRUE(store->Flush().ok());  // a second segment in the same partitions
    ASSERT_TRUE(store->AppendStored(std::span(corpus).subspan(2000)).ok());
  }
  EmbeddedStoreOptions o = Options(dir.path());
  o.minute_cache_hours = 1;  // forces minute data back from disk
  auto store = MustOpen(o);
  for (const auto& q : Queries()) ExpectRollupsMatch(*store, corpus, q);
}

TEST(EmbeddedStoreTest, RollupQueriesOverDaysMergeDayHourAndMinuteTiersExactly) {
  TempDir dir;
  const TimestampNs day0 = kT0 - kT0 % kNanosPerDay;
  auto corpus =
      Corpus(6000, 5, day0 - 5 * kNanosPerHour, day0 + 3 * kNanosPerDay + 7 * kNanosPerHour);
  ManualClock clock(day0 + 4 * kNanosPerDay);
  EmbeddedStoreOptions o = Options(dir.path(), &clock);
  o.minute_cache_hours = 2;
  auto store = MustOpen(o);
  ASSERT_TRUE(store->AppendStored(std::span(corpus).subspan(0, 5000)).ok());
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_TRUE(store->AppendStored(std::span(corpus).subspan(5000)).ok());
  std::vector<RollupQuery> qs;
  RollupQuery all;
  all.start_ns = day0 - 5 * kNanosPerHour;
  all.end_ns = day0 + 4 * kNanosPerDay;
  qs.push_back(all);  // days + hours + memtable
  RollupQuery ragged = all;
  ragged.start_ns = day0 - 3 * kNanosPerHour + 11 * kNanosPerMinute;
  ragged.end_ns = day0 + 2 * kNanosPerDay + 5 * kNanosPerHour + 29 * kNanosPerMinute;
  ragged.by_task_type = true;
  qs.push_back(ragged);  // full-key day tier, hours and minutes on both sides
  RollupQuery daily = all;
  daily.start_ns = day0;
  daily.step_ns = kNanosPerDay;
  daily.by_model = false;
  qs.push_back(daily);
  RollupQuery six = ragged;
  six.step_ns = 6 * kNanosPerHour + 7 * kNanosPerMinute;
  six.model = "llama";
  qs.push_back(six);
  for (const auto& q : qs) ExpectRollupsMatch(*store, corpus, q);
  // The flush adds cells to tiers the queries above walked (views of them must not outlive
  // the change).
  ASSERT_TRUE(store->Flush().ok());
  for (const auto& q : qs) ExpectRollupsMatch(*store, corpus, q);
  // Retention rebuilds the day a dropped hour belonged to (erasing tier cells the queries
  // before it walked).
  EmbeddedStoreOptions r = o;
  r.retention_age_ns = 3 * kNanosPerDay + 12 * kNanosPerHour;  // keep day0 + 12h onwards
  store.reset();
  store = MustOpen(r);
  for (const auto& q : qs) ExpectRollupsMatch(*store, corpus, q);
  ASSERT_TRUE(store->EnforceRetention().ok());
  std::vector<StoredEvent> kept;
  for (const auto& e : corpus) {
    if (e.timestamp_ns >= day0 + 12 * kNanosPerHour) kept.push_back(e);
  }
  for (const auto& q : qs) ExpectRollupsMatch(*store, kept, q);
}

TEST(EmbeddedStoreTest, RollupQueryRejectsStepsThatAreNotWholeMinutes) {
  TempDir dir;
  auto store = MustOpen(Options(dir.path()));
  RollupQuery q;
  q.start_ns = 0;
  q.end_ns = kNanosPerHour;
  q.step_ns = 90 * kNanosPerSecond;
  EXPECT_EQ(store->QueryRollups(q).status().code(), StatusCode::kInvalidArgument);
}

TEST(EmbeddedStoreTest, RetentionByAgeDropsOldSegmentsAndTheirRollups) {
  TempDir dir;
  ManualClock clock(kT0 + 4 * kNanosPerHour);
  EmbeddedStoreOptions o = Options(dir.path(), &clock);
  o.retention_age_ns = 2 * kNanosPerHour;  // keep events newer than kT0 + 2h
  auto store = MustOpen(o);
  auto corpus = Corpus(2000);
  ASSERT_TRUE(store->AppendStored(corpus).ok());
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_TRUE(store->EnforceRetention().ok());
  // Partitions kT0-1h, kT0, kT0+1h end before kT0+2h: dropped. kT0+2h, kT0+3h stay.
  EXPECT_EQ(store->stats().segments, 2u);
  EXPECT_EQ(store->stats().segments_dropped, 3u);
  std::vector<StoredEvent> kept;
  for (const auto& e : corpus) {
    if (e.timestamp_ns >= kT0 + 2 * kNanosPerHour) kept.push_back(e);
  }
  EXPECT_EQ(RequestIds(ScanAll(*store)), RequestIds(kept));
  for (const auto& q : Queries()) ExpectRollupsMatch(*store, kept, q);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path() + "/segments"),
                          std::filesystem::directory_iterator()),
            3);  // two segments and the MANIFEST
}

TEST(EmbeddedStoreTest, RetentionBySizeDropsOldestSegmentsFirst) {
  TempDir dir;
  EmbeddedStoreOptions o = Options(dir.path());
  auto corpus = Corpus(2000);
  uint64_t newest_two = 0;
  {
    auto store = MustOpen(o);
    ASSERT_TRUE(store->AppendStored(corpus).ok());
    ASSERT_TRUE(store->Flush().ok());
    auto m = ReadManifest(dir.path() + "/segments");
    ASSERT_TRUE(m.ok());
    ASSERT_EQ(m->segments.size(), 5u);
    std::vector<SegmentMeta> segs = m->segments;
    std::sort(segs.begin(), segs.end(), [](const auto& a, const auto& b) {
      return a.partition_start_ns < b.partition_start_ns;
    });
    newest_two = segs[3].bytes + segs[4].bytes;
  }
  o.retention_bytes = newest_two;
  auto store = MustOpen(o);
  ASSERT_TRUE(store->EnforceRetention().ok());
  EXPECT_EQ(store->stats().segments, 2u);
  EXPECT_EQ(store->stats().segment_bytes, newest_two);
  for (const auto& e : ScanAll(*store)) EXPECT_GE(e.timestamp_ns, kT0 + 2 * kNanosPerHour);
}

TEST(EmbeddedStoreTest, MaybeFlushFlushesOnceTheOldestEventIsOldEnough) {
  TempDir dir;
  ManualClock clock(kT0);
  EmbeddedStoreOptions o = Options(dir.path(), &clock);
  o.flush_interval_ns = 10 * kNanosPerMinute;
  auto store = MustOpen(o);
  ASSERT_TRUE(store->AppendStored(Corpus(10)).ok());
  clock.Advance(9 * kNanosPerMinute);
  ASSERT_TRUE(store->MaybeFlush().ok());
  EXPECT_EQ(store->stats().flushes, 0u);
  clock.Advance(kNanosPerMinute);
  ASSERT_TRUE(store->MaybeFlush().ok());
  EXPECT_EQ(store->stats().flushes, 1u);
  EXPECT_EQ(store->stats().memtable_events, 0u);
}

TEST(EmbeddedStoreTest, BackgroundThreadFlushesBySize) {
  TempDir dir;
  EmbeddedStoreOptions o = Options(dir.path());
  o.background = true;
  o.flush_bytes = 1;
  o.maintenance_interval_ns = 5 * kNanosPerMilli;
  auto store = MustOpen(o);
  ASSERT_TRUE(store->AppendStored(Corpus(50)).ok());
  for (int i = 0; i < 400 && store->stats().flushes == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GE(store->stats().flushes, 1u);
  EXPECT_TRUE(store->background_status().ok());
  EXPECT_EQ(ScanAll(*store).size(), 50u);
}

TEST(EmbeddedStoreTest, ASecondOpenOfTheSameDirectoryIsRefused) {
  TempDir dir;
  auto first = MustOpen(Options(dir.path()));
  auto second = EmbeddedStore::Open(Options(dir.path()));
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
}

TEST(EmbeddedStoreTest, ConcurrentAppendersScannersAndFlushesLoseNothing) {
  TempDir dir;
  auto store = MustOpen(Options(dir.path()));
  auto corpus = Corpus(4000);
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t * 1000; i < (t + 1) * 1000; i += 50) {
        ASSERT_TRUE(store->AppendStored(std::span(corpus).subspan(i, 50)).ok());
      }
    });
  }
  std::thread flusher([&] {
    while (!done) {
      ASSERT_TRUE(store->Flush().ok());
      RollupQuery q;
      q.start_ns = kT0 - kNanosPerHour;
      q.end_ns = kT0 + 4 * kNanosPerHour;
      ASSERT_TRUE(store->QueryRollups(q).ok());
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  for (auto& th : threads) th.join();
  done = true;
  flusher.join();
  EXPECT_EQ(RequestIds(ScanAll(*store)), RequestIds(corpus));
  RollupQuery q;
  q.start_ns = kT0 - kNanosPerHour;
  q.end_ns = kT0 + 4 * kNanosPerHour;
  q.by_model = false;
  auto rows = store->QueryRollups(q);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].stats.requests, 4000u);
}

TEST(EmbeddedStoreTest, UnflushedBytesStayBoundedWhenAppendsOutpaceTheFlush) {
  TempDir dir;
  EmbeddedStoreOptions o = Options(dir.path());
  o.background = true;
  o.flush_bytes = 4 << 10;
  o.max_unflushed_bytes = 16 << 10;
  o.maintenance_interval_ns = kNanosPerHour;  // only appends crossing flush_bytes wake it
  auto store = MustOpen(o);
  auto corpus = Corpus(8000);
  constexpr int kThreads = 4;
  constexpr size_t kBatch = 20;
  std::atomic<uint64_t> worst{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = t * 2000; i < (t + 1) * 2000u; i += kBatch) {
        ASSERT_TRUE(store->AppendStored(std::span(corpus).subspan(i, kBatch)).ok());
        const uint64_t bytes = store->stats().memtable_bytes;
        uint64_t seen = worst.load();
        while (bytes > seen && !worst.compare_exchange_weak(seen, bytes)) {
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  // Each appender may pass the check just before the limit is reached: at most one batch
  // (~3 KB here) each beyond it.
  EXPECT_LE(worst.load(), o.max_unflushed_bytes + kThreads * (4u << 10));
  EXPECT_GE(store->stats().flushes, 1u);
  EXPECT_EQ(store->stats().rejected_appends, 0u);
  EXPECT_EQ(RequestIds(ScanAll(*store)), RequestIds(corpus));
}

TEST(EmbeddedStoreTest, AnAppendOverTheLimitFailsCleanlyWhenTheFlushCannotMakeRoom) {
  TempDir dir;
  EmbeddedStoreOptions o = Options(dir.path());
  o.background = true;
  o.flush_bytes = uint64_t{1} << 40;  // never due by size: only the stall asks for a flush
  o.max_unflushed_bytes = 1;
  o.maintenance_interval_ns = kNanosPerHour;
  auto store = MustOpen(o);
  auto corpus = Corpus(40);
  ASSERT_TRUE(store->AppendStored(std::span(corpus).subspan(0, 20)).ok());
  // The flush that the next append waits for fails: its segment files cannot be created.
  std::filesystem::remove_all(dir.path() + "/segments");
  Status st = store->AppendStored(std::span(corpus).subspan(20, 20));
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
  EXPECT_NE(st.message().find("flushing into segments failed"), std::string::npos) << st.message();
  EXPECT_EQ(store->stats().stalled_appends, 1u);
  EXPECT_EQ(store->stats().rejected_appends, 1u);
  // Nothing of the refused batch was written; the acknowledged one is still readable.
  auto all = ScanAll(*store);
  EXPECT_EQ(RequestIds(all), RequestIds({corpus.begin(), corpus.begin() + 20}));
}

}  // namespace
}  // namespace inferscope
