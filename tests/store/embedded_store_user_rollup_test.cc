// EmbeddedStore's per-user rollups (QueryUserRollups): checked against aggregates computed
// here from the raw events, through the memtable, flushes, reopen, the day tier, the cap and
// retention.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "store/embedded_store.h"
#include "store/segment_reader.h"
#include "store/segment_writer.h"
#include "store_test_util.h"

namespace inferscope {
namespace {

using testing::MakeStoredEvent;
using testing::TempDir;

const TimestampNs kDay0 = 1'700'006'400 * kNanosPerSecond;  // a UTC midnight (2023-11-15)

EmbeddedStoreOptions Options(const std::string& dir, const Clock* clock) {
  EmbeddedStoreOptions o;
  o.data_dir = dir;
  o.wal.fsync = FsyncPolicy::Never();
  o.clock = clock;
  return o;
}

std::unique_ptr<EmbeddedStore> MustOpen(const EmbeddedStoreOptions& o) {
  auto s = EmbeddedStore::Open(o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(*s) : nullptr;
}

// Events in [from, to): three models, 15 users with skewed shares (and some without a
// user), errors, costs, some without a latency.
std::vector<StoredEvent> UserCorpus(int n, uint32_t seed, TimestampNs from, TimestampNs to) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int64_t> ts(from, to - 1);
  std::geometric_distribution<int> user(0.25);
  const char* models[] = {"llama", "gpt", "mistral"};
  std::vector<StoredEvent> out;
  for (int i = 0; i < n; ++i) {
    StoredEvent e = MakeStoredEvent(ts(rng), models[rng() % 3], 10.0 + rng() % 1000,
                                    rng() % 9 == 0 ? EventStatus::kError : EventStatus::kOk);
    const int u = std::min(user(rng), 14);
    e.user = u == 14 ? "" : "user-" + std::to_string(u);
    e.Set(EventField::kCostUsd, 0.001 * (1 + rng() % 50));
    if (rng() % 10 == 0) e.present &= ~1u;  // no latency
    out.push_back(std::move(e));
  }
  return out;
}

struct Want {
  uint64_t requests = 0, errors = 0;
  uint32_t latency_n = 0, cost_n = 0;
  double latency_sum = 0, cost_sum = 0;
  void Add(const Want& o) {
    requests += o.requests;
    errors += o.errors;
    latency_n += o.latency_n;
    cost_n += o.cost_n;
    latency_sum += o.latency_sum;
    cost_sum += o.cost_sum;
  }
};
using WantKey = std::tuple<TimestampNs, std::string, std::string>;  // (bucket, model, user)

// Per (hour, model, user) from the raw events, then capped per (hour, model) as the store
// caps each segment (every hour here is flushed in one segment), then bucketed as `q` asks.
std::map<WantKey, Want> Expected(const std::vector<StoredEvent>& events, const UserRollupQuery& q,
                                 size_t cap) {
  std::map<WantKey, Want> hourly;
  for (const auto& e : events) {
    Want& w = hourly[{e.timestamp_ns - e.timestamp_ns % kNanosPerHour, e.model, e.user}];
    ++w.requests;
    w.errors += e.status != EventStatus::kOk;
    if (e.Has(EventField::kLatencyMs)) {
      ++w.latency_n;
      w.latency_sum += e.Get(EventField::kLatencyMs);
    }
    ++w.cost_n;
    w.cost_sum += e.Get(EventField::kCostUsd);
  }
  std::map<std::pair<TimestampNs, std::string>, std::vector<std::pair<std::string, Want>>> groups;
  for (const auto& [k, w] : hourly)
    groups[{std::get<0>(k), std::get<1>(k)}].emplace_back(std::get<2>(k), w);
  std::map<WantKey, Want> capped;
  for (auto& [g, users] : groups) {
    std::sort(users.begin(), users.end(), [](const auto& a, const auto& b) {
      return a.second.requests != b.second.requests ? a.second.requests > b.second.requests
                                                    : a.first < b.first;
    });
    for (size_t i = 0; i < users.size(); ++i) {
      capped[{g.first, g.second, i < cap ? users[i].first : "(other)"}].Add(users[i].second);
    }
  }
  const TimestampNs start =
      q.start_ns - ((q.start_ns % kNanosPerHour) + kNanosPerHour) % kNanosPerHour;
  const TimestampNs end = (q.end_ns + kNanosPerHour - 1) / kNanosPerHour * kNanosPerHour;
  const int64_t step = q.step_ns == 0 ? end - start : q.step_ns;
  std::map<WantKey, Want> out;
  for (const auto& [k, w] : capped) {
    const auto& [hour, model, user] = k;
    if (hour < start || hour >= end || (q.model && model != *q.model)) continue;
    std::string shown_as = user;
    if (q.only && std::none_of(q.only->begin(), q.only->end(), [&](const auto& key) {
          return key.second == user && (!q.by_model || key.first == model);
        })) {
      if (!q.merge_rest) continue;
      shown_as = "(other)";
    }
    out[{start + (hour - start) / step * step, q.by_model ? model : "*", shown_as}].Add(w);
  }
  return out;
}

void ExpectUserRollupsMatch(EmbeddedStore& store, const std::vector<StoredEvent>& events,
                            const UserRollupQuery& q, size_t cap = SIZE_MAX) {
  auto rows = store.QueryUserRollups(q);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  auto expected = Expected(events, q, cap);
  ASSERT_EQ(rows->size(), expected.size());
  for (size_t i = 0; i < rows->size(); ++i) {
    const UserRollupRow& row = (*rows)[i];
    if (i > 0) {
      const UserRollupRow& prev = (*rows)[i - 1];
      EXPECT_LT(std::tie(prev.start_ns, prev.model, prev.user),
                std::tie(row.start_ns, row.model, row.user));
    }
    auto it = expected.find({row.start_ns, row.model, row.user});
    ASSERT_NE(it, expected.end()) << row.start_ns << " " << row.model << " " << row.user;
    const Want& want = it->second;
    const UserCounters& c = row.counters;
    EXPECT_EQ(c.requests, want.requests) << row.user;
    EXPECT_EQ(c.errors, want.errors);
    EXPECT_EQ(c.present[static_cast<int>(EventField::kLatencyMs)], want.latency_n);
    EXPECT_EQ(c.present[static_cast<int>(EventField::kCostUsd)], want.cost_n);
    EXPECT_NEAR(c.sum[static_cast<int>(EventField::kLatencyMs)], want.latency_sum,
                1e-9 * want.latency_sum);
    EXPECT_NEAR(c.sum[static_cast<int>(EventField::kCostUsd)], want.cost_sum, 1e-9 * want.cost_sum);
  }
}

std::vector<UserRollupQuery> Queries() {
  std::vector<UserRollupQuery> qs;
  UserRollupQuery all;
  all.start_ns = kDay0 - 5 * kNanosPerHour;
  all.end_ns = kDay0 + 3 * kNanosPerDay + 7 * kNanosPerHour;
  qs.push_back(all);  // one bucket: day tier, disk hours on both sides, memtable
  UserRollupQuery hourly = all;
  hourly.step_ns = kNanosPerHour;
  hourly.by_model = true;
  qs.push_back(hourly);
  UserRollupQuery daily = all;
  daily.start_ns = kDay0;
  daily.step_ns = kNanosPerDay;
  daily.model = "gpt";
  daily.by_model = true;
  qs.push_back(daily);
  UserRollupQuery ragged = all;  // unaligned ends (floored / ceiled to hours), odd step
  ragged.start_ns = kDay0 - 3 * kNanosPerHour + 11 * kNanosPerMinute;
  ragged.end_ns = kDay0 + 2 * kNanosPerDay + 5 * kNanosPerHour + 29 * kNanosPerMinute;
  ragged.step_ns = 7 * kNanosPerHour;
  qs.push_back(ragged);
  UserRollupQuery recent = all;  // few enough hours to go through the cache
  recent.start_ns = kDay0 + 3 * kNanosPerDay + 4 * kNanosPerHour;
  recent.step_ns = kNanosPerHour;
  qs.push_back(recent);
  // Only some keys: the path that looks cells up instead of reading them all. A user that
  // exists with another model, one that does not exist, the empty user, a repeated key.
  UserRollupQuery some = hourly;
  some.only = std::vector<std::pair<std::string, std::string>>{
      {"gpt", "user-0"},     {"llama", "user-3"},   {"gpt", "user-3"}, {"gpt", ""},
      {"mistral", "nobody"}, {"nomodel", "user-1"}, {"gpt", "user-0"}};
  qs.push_back(some);
  UserRollupQuery some_merged = ragged;  // by user over all models: the pairs' model ignored
  some_merged.only = std::vector<std::pair<std::string, std::string>>{
      {"", "user-1"}, {"", "user-4"}, {"", "nobody"}};
  qs.push_back(some_merged);
  UserRollupQuery some_of_one_model = some;
  some_of_one_model.model = "llama";
  qs.push_back(some_of_one_model);
  some_merged.model = "gpt";
  some_merged.step_ns = kNanosPerDay;
  qs.push_back(some_merged);
  // The same with the rest merged as "(other)" (hours from the cache derive it from their
  // per-model totals).
  for (UserRollupQuery rest : {some, some_of_one_model, some_merged, qs[qs.size() - 3]}) {
    rest.merge_rest = true;
    qs.push_back(rest);
  }
  return qs;
}

class EmbeddedStoreUserRollupCacheTest : public ::testing::TestWithParam<uint64_t> {};

// With the default cache every hour read back stays packed in memory (and hours flushed
// again are repacked); with a one-byte cache each hour read evicts the others (and frees
// their names) and longer queries bypass it.
INSTANTIATE_TEST_SUITE_P(CacheSizes, EmbeddedStoreUserRollupCacheTest,
                         ::testing::Values(EmbeddedStoreOptions().user_cache_bytes, 1));

TEST_P(EmbeddedStoreUserRollupCacheTest,
       QueriesEqualAggregatesOfTheRawEventsThroughFlushAndReopen) {
  TempDir dir;
  auto corpus =
      UserCorpus(8000, 3, kDay0 - 5 * kNanosPerHour, kDay0 + 3 * kNanosPerDay + 7 * kNanosPerHour);
  // Flushed in one go: every hour is one segment, so no (other) below the default cap.
  std::sort(corpus.begin(), corpus.end(),
            [](const auto& a, const auto& b) { return a.timestamp_ns < b.timestamp_ns; });
  ManualClock clock(kDay0 + 4 * kNanosPerDay);
  EmbeddedStoreOptions o = Options(dir.path(), &clock);
  o.user_cache_bytes = GetParam();
  auto store = MustOpen(o);
  const size_t flushed = 6500;
  ASSERT_TRUE(store->AppendStored(std::span(corpus).subspan(0, flushed)).ok());
  const std::vector<StoredEvent> first(corpus.begin(), corpus.begin() + flushed);
  for (const auto& q : Queries()) ExpectUserRollupsMatch(*store, first, q);  // memtable only
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_TRUE(store->AppendStored(std::span(corpus).subspan(flushed)).ok());
  for (const auto& q : Queries()) ExpectUserRollupsMatch(*store, corpus, q);
  store.reset();  // the memtable part comes back from the WAL, the rest from segments
  store = MustOpen(o);
  // In reverse: with an empty cache the first query (one that looks keys up) goes through
  // it, and with the one-byte cache each hour it loads frees the previous hour's names.
  const std::vector<UserRollupQuery> queries = Queries();
  for (auto q = queries.rbegin(); q != queries.rend(); ++q) {
    ExpectUserRollupsMatch(*store, corpus, *q);
  }
  ASSERT_TRUE(store->Flush().ok());
  for (const auto& q : Queries()) ExpectUserRollupsMatch(*store, corpus, q);
  const StoreStats stats = store->stats();
  EXPECT_GE(stats.user_cache_hours, 1u);
  if (GetParam() == 1) {
    EXPECT_EQ(stats.user_cache_hours, 1u);
  } else {
    EXPECT_GT(stats.user_cache_hours, 10u);
  }
  EXPECT_GT(stats.user_cache_bytes, 0u);
}

TEST_P(EmbeddedStoreUserRollupCacheTest, KeysAreFoundByNameWhereNamesComeAndGoBetweenHours) {
  // "a" is in hours 1 and 3, not 2; "0" appears in hour 3. With the one-byte cache each
  // hour loaded evicts the others, and the id "a" had may be handed to "0": keys must be
  // looked up by name in each hour, never by an id from another hour.
  TempDir dir;
  ManualClock clock(kDay0 + kNanosPerDay);
  EmbeddedStoreOptions o = Options(dir.path(), &clock);
  o.user_cache_bytes = GetParam();
  auto store = MustOpen(o);
  std::vector<StoredEvent> events;
  auto add = [&](int hour, const char* user, int n) {
    for (int i = 0; i < n; ++i) {
      StoredEvent e = MakeStoredEvent(kDay0 + hour * kNanosPerHour + i, "m", 10);
      e.user = user;
      events.push_back(std::move(e));
    }
  };
  add(1, "a", 1);
  add(2, "b", 2);
  add(3, "0", 5);
  add(3, "a", 3);
  ASSERT_TRUE(store->AppendStored(events).ok());
  ASSERT_TRUE(store->Flush().ok());
  UserRollupQuery q;
  q.start_ns = kDay0 + kNanosPerHour;
  q.end_ns = kDay0 + 4 * kNanosPerHour;
  q.step_ns = kNanosPerHour;
  q.by_model = true;
  q.only = std::vector<std::pair<std::string, std::string>>{{"m", "a"}};
  auto rows = store->QueryUserRollups(q);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].start_ns, kDay0 + kNanosPerHour);
  EXPECT_EQ((*rows)[0].counters.requests, 1u);
  EXPECT_EQ((*rows)[1].start_ns, kDay0 + 3 * kNanosPerHour);
  EXPECT_EQ((*rows)[1].user, "a");
  EXPECT_EQ((*rows)[1].counters.requests, 3u);
}

TEST(EmbeddedStoreUserRollupTest, HoursLargerThanTheCacheExpectedAreReadWithoutItAndAnswerTheSame) {
  // The cache's average comes from a small hour (3 users); the query's 10 hours hold 300
  // users each: more than the budget once pinned, so the query lets go of them and reads
  // the segments directly. The answer must not depend on which way it went.
  TempDir dir;
  ManualClock clock(kDay0 + kNanosPerDay);
  EmbeddedStoreOptions o = Options(dir.path(), &clock);
  o.user_cache_bytes = 64 << 10;
  auto store = MustOpen(o);
  std::vector<StoredEvent> events;
  for (int u = 0; u < 3; ++u) {
    StoredEvent e = MakeStoredEvent(kDay0 + u, "m", 10);
    e.user = "small-" + std::to_string(u);
    e.Set(EventField::kCostUsd, 0.5);  // Expected() counts a cost on every event
    events.push_back(std::move(e));
  }
  for (int h = 1; h <= 10; ++h) {
    for (int u = 0; u < 300; ++u) {
      StoredEvent e = MakeStoredEvent(kDay0 + h * kNanosPerHour + u, u % 2 ? "m" : "n", 10 + u);
      e.user = "user-" + std::to_string(u);
      e.Set(EventField::kCostUsd, 0.01 * u);
      events.push_back(std::move(e));
    }
  }
  ASSERT_TRUE(store->AppendStored(events).ok());
  ASSERT_TRUE(store->Flush().ok());
  UserRollupQuery small;
  small.start_ns = kDay0;
  small.end_ns = kDay0 + kNanosPerHour;
  small.step_ns = kNanosPerHour;
  small.by_model = true;
  ExpectUserRollupsMatch(*store, events, small);
  ASSERT_EQ(store->stats().user_cache_hours, 1u);
  UserRollupQuery big = small;
  big.end_ns = kDay0 + 11 * kNanosPerHour;
  big.only = std::vector<std::pair<std::string, std::string>>{{"m", "user-1"}, {"n", "user-8"}};
  big.merge_rest = true;
  ExpectUserRollupsMatch(*store, events, big);
  big.only.reset();
  big.merge_rest = false;
  ExpectUserRollupsMatch(*store, events, big);
  // The cache kept within its budget (plus the pooled names) instead of all 10 hours.
  EXPECT_LT(store->stats().user_cache_hours, 10u);
  EXPECT_LE(store->stats().user_cache_bytes, 2 * o.user_cache_bytes);
}

TEST(EmbeddedStoreUserRollupTest, EachSegmentHourKeepsItsBusiestUsersAndMergesTheRestAsOther) {
  TempDir dir;
  auto corpus = UserCorpus(5000, 11, kDay0, kDay0 + 30 * kNanosPerHour);
  ManualClock clock(kDay0 + 2 * kNanosPerDay);
  EmbeddedStoreOptions o = Options(dir.path(), &clock);
  o.max_users_per_model_hour = 4;
  auto store = MustOpen(o);
  ASSERT_TRUE(store->AppendStored(corpus).ok());
  UserRollupQuery hourly;
  hourly.start_ns = kDay0;
  hourly.end_ns = kDay0 + 30 * kNanosPerHour;
  hourly.step_ns = kNanosPerHour;
  hourly.by_model = true;
  // Unflushed: every user, uncapped.
  ExpectUserRollupsMatch(*store, corpus, hourly);
  ASSERT_TRUE(store->Flush().ok());
  UserRollupQuery whole = hourly;
  whole.step_ns = 0;
  for (const auto& q : {hourly, whole}) ExpectUserRollupsMatch(*store, corpus, q, 4);
  auto rows = store->QueryUserRollups(hourly);
  ASSERT_TRUE(rows.ok());
  size_t other = 0;
  for (const auto& row : *rows) other += row.user == "(other)";
  EXPECT_GT(other, 0u);  // the cap did bite
}

TEST(EmbeddedStoreUserRollupTest, RetentionDropsThePerUserRollupsOfDroppedSegments) {
  TempDir dir;
  auto corpus = UserCorpus(4000, 5, kDay0 - 5 * kNanosPerHour, kDay0 + 2 * kNanosPerDay);
  ManualClock clock(kDay0 + 2 * kNanosPerDay);
  EmbeddedStoreOptions o = Options(dir.path(), &clock);
  auto store = MustOpen(o);
  ASSERT_TRUE(store->AppendStored(corpus).ok());
  ASSERT_TRUE(store->Flush().ok());
  UserRollupQuery daily;
  daily.start_ns = kDay0 - kNanosPerDay;
  daily.end_ns = kDay0 + 2 * kNanosPerDay;
  daily.step_ns = kNanosPerDay;
  UserRollupQuery hourly = daily;
  hourly.step_ns = kNanosPerHour;
  for (const auto& q : {daily, hourly}) ExpectUserRollupsMatch(*store, corpus, q);
  store.reset();
  o.retention_age_ns = kNanosPerDay + 12 * kNanosPerHour;  // keep kDay0 + 12h onwards
  store = MustOpen(o);
  ASSERT_TRUE(store->EnforceRetention().ok());
  std::vector<StoredEvent> kept;
  for (const auto& e : corpus) {
    if (e.timestamp_ns >= kDay0 + 12 * kNanosPerHour) kept.push_back(e);
  }
  for (const auto& q : {daily, hourly}) ExpectUserRollupsMatch(*store, kept, q);
}

TEST(EmbeddedStoreUserRollupTest, RejectsStepsThatAreNotWholeHours) {
  TempDir dir;
  ManualClock clock(kDay0);
  auto store = MustOpen(Options(dir.path(), &clock));
  UserRollupQuery q;
  q.start_ns = kDay0;
  q.end_ns = kDay0 + kNanosPerDay;
  q.step_ns = 90 * kNanosPerMinute;
  EXPECT_EQ(store->QueryUserRollups(q).status().code(), StatusCode::kInvalidArgument);
}

TEST(EmbeddedStoreUserRollupTest, ASegmentWrittenWithoutTheUserColumnReadsAsNoUserData) {
  StoredEvent e = MakeStoredEvent(kDay0 + 5, "m", 10);
  e.user = "u";
  RollupTable minutes(kNanosPerMinute), hours(kNanosPerHour);
  minutes.Add(e);
  hours.Add(e);
  SegmentInfo info;
  info.partition_start_ns = kDay0;
  const StoredEvent* rows[] = {&e};
  const std::string old_format = BuildSegment(info, rows, minutes, hours);
  auto reader = SegmentReader::OpenBytes(old_format, {});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_FALSE((*reader)->has_user_rollups());
  UserRollupTable users(kNanosPerHour);
  EXPECT_TRUE((*reader)->ReadUserRollups(&users).ok());
  EXPECT_TRUE(users.empty());

  UserRollupTable written(kNanosPerHour);
  written.Add(e);
  const std::string with_users = BuildSegment(info, rows, minutes, hours, 3, &written);
  reader = SegmentReader::OpenBytes(with_users, {});
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  UserRollupTable daily(kNanosPerDay);
  ASSERT_TRUE((*reader)->ReadUserRollups(&daily).ok());
  ASSERT_EQ(daily.size(), 1u);
  EXPECT_EQ(daily.cells().begin()->first.start, kDay0);
  EXPECT_EQ(daily.cells().begin()->first.user, "u");
  EXPECT_EQ(daily.cells().begin()->second.requests, 1u);
}

}  // namespace
}  // namespace inferscope
