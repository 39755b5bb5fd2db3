// Embedded store benchmarks (issue #4): WAL append throughput per fsync policy, segment scan
// speed, and rollup query latency over 30 days of per-minute rollups (50 req/s, 5 models).
//
//   build-rel/bin/store_bench --benchmark_filter=Append
//   build-rel/bin/store_bench --benchmark_filter=Rollup   (first run builds the 30-day data
//                                                          set in $TMPDIR, ~1 min)
//   build-rel/bin/store_bench --benchmark_filter=UserRollup (per-user rollups, 30 days)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "store/embedded_store.h"
#include "store/manifest.h"
#include "store/segment_reader.h"
#include "store/segment_writer.h"

namespace inferscope {
namespace {

constexpr TimestampNs kStart =
    1'700'000'000 * kNanosPerSecond - 1'700'000'000 % 86400 * kNanosPerSecond;
const char* const kModels[] = {"llama-3-70b", "gpt-4o", "mistral-7b", "qwen-72b", "phi-3"};

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / name).string();
}

// Events like a gateway's: ~150 bytes of strings, six numeric fields.
std::vector<StoredEvent> MakeEvents(size_t n, uint32_t seed, TimestampNs start, int64_t spacing) {
  std::mt19937 rng(seed);
  std::lognormal_distribution<double> lat(5.5, 0.6);
  std::vector<StoredEvent> out(n);
  for (size_t i = 0; i < n; ++i) {
    StoredEvent& e = out[i];
    e.timestamp_ns = start + static_cast<int64_t>(i) * spacing;
    e.model = kModels[rng() % 5];
    e.status = rng() % 50 == 0 ? EventStatus::kError : EventStatus::kOk;
    e.status_text = e.status == EventStatus::kOk ? "200" : "500";
    e.request_id = "req-" + std::to_string(seed) + "-" + std::to_string(i);
    e.task_type = rng() % 2 ? "chat" : "completion";
    e.cache_tier = rng() % 3 ? "hbm" : "dram";
    e.user = "user-" + std::to_string(rng() % 500);
    e.service = "gateway";
    e.trace_id = "4bf92f3577b34da6a3ce929d0e0e" + std::to_string(1000 + rng() % 9000);
    const double l = lat(rng);
    e.Set(EventField::kLatencyMs, l);
    e.Set(EventField::kTtftMs, l * 0.2);
    e.Set(EventField::kInputTokens, static_cast<double>(rng() % 2000));
    e.Set(EventField::kOutputTokens, static_cast<double>(rng() % 500));
    e.Set(EventField::kCostUsd, 0.0001 * (rng() % 100));
    e.Set(EventField::kQueueDepth, static_cast<double>(rng() % 16));
  }
  return out;
}

// --- WAL append throughput --------------------------------------------------------------

void BM_Append(benchmark::State& state) {
  const auto policy = static_cast<FsyncPolicy::Mode>(state.range(0));
  const auto batch = static_cast<size_t>(state.range(1));
  static std::unique_ptr<EmbeddedStore> store;
  static std::string dir;
  if (state.thread_index() == 0) {
    dir = TempPath("inferscope-bench-append");
    std::filesystem::remove_all(dir);
    EmbeddedStoreOptions o;
    o.data_dir = dir;
    o.wal.fsync = {policy, 10 * kNanosPerMilli};
    o.flush_bytes = UINT64_MAX;
    o.flush_interval_ns = INT64_MAX;
    auto s = EmbeddedStore::Open(o);
    if (!s.ok()) state.SkipWithError(s.status().ToString().c_str());
    store = std::move(*s);
  }
  const auto events =
      MakeEvents(batch, 1 + static_cast<uint32_t>(state.thread_index()), kStart, kNanosPerMilli);
  std::vector<Event> views;
  for (const auto& e : events) views.push_back(e.View());
  for (auto _ : state) {
    if (!store->Append(views).ok()) state.SkipWithError("append failed");
    if (state.thread_index() == 0 && store->stats().memtable_events > 2'000'000) {
      state.PauseTiming();
      (void)store->Flush();  // keeps memory bounded; not part of the append cost
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(batch));
  if (state.thread_index() == 0) {
    state.counters["wal_bytes_per_event"] =
        static_cast<double>(store->stats().wal_bytes) /
        std::max<double>(1, static_cast<double>(store->stats().memtable_events));
    store.reset();
    std::filesystem::remove_all(dir);
  }
}
BENCHMARK(BM_Append)
    ->ArgNames({"policy", "batch"})  // policy: 0 always, 1 interval=10ms, 2 never
    ->Args({0, 1000})
    ->Args({0, 10000})
    ->Args({1, 1000})
    ->Args({1, 10000})
    ->Args({2, 1000})
    ->Args({2, 10000})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
// Group commit: four appenders share each fdatasync.
BENCHMARK(BM_Append)
    ->ArgNames({"policy", "batch"})
    ->Args({0, 1000})
    ->Threads(4)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// --- Flush (memtable -> segments) --------------------------------------------------------

// What the background flush must keep up with: 400k events (~60 MB of WAL payloads, about
// what a 64 MB flush threshold holds) appended as four clients' interleaved 5k batches, so
// timestamps are only roughly ordered, spanning two hour partitions; then one Flush() is
// timed (decode, sort, columns, zstd, fsync, manifest). Items = events flushed.
void BM_Flush(benchmark::State& state) {
  constexpr size_t kBatch = 5000;
  constexpr int kClients = 4;
  const size_t total = static_cast<size_t>(state.range(0));
  std::vector<std::vector<StoredEvent>> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.push_back(MakeEvents(total / kClients, 11 + static_cast<uint32_t>(c),
                                 kStart + kNanosPerHour / 2 + c * kNanosPerMilli,
                                 kClients * 5 * kNanosPerMilli));
  }
  const std::string dir = TempPath("inferscope-bench-flush");
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(dir);
    EmbeddedStoreOptions o;
    o.data_dir = dir;
    o.wal.fsync = {FsyncPolicy::Mode::kNever, 0};
    o.flush_bytes = UINT64_MAX;
    o.flush_interval_ns = INT64_MAX;
    auto store = EmbeddedStore::Open(o);
    if (!store.ok()) state.SkipWithError(store.status().ToString().c_str());
    for (size_t begin = 0; begin < total / kClients; begin += kBatch) {
      for (const auto& events : clients) {
        const size_t n = std::min(kBatch, events.size() - begin);
        if (!(*store)->AppendStored({events.data() + begin, n}).ok()) {
          state.SkipWithError("append failed");
        }
      }
    }
    state.ResumeTiming();
    if (!(*store)->Flush().ok()) state.SkipWithError("flush failed");
    state.PauseTiming();
    store->reset();
    state.ResumeTiming();
  }
  std::filesystem::remove_all(dir);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(total));
}
BENCHMARK(BM_Flush)->Arg(400'000)->Unit(benchmark::kMillisecond)->UseRealTime();

// --- Segment scan ------------------------------------------------------------------------

// One hour partition of 180k events (50 req/s), decoded from its segment file.
void BM_SegmentDecode(benchmark::State& state) {
  const auto events = MakeEvents(180'000, 7, kStart, 20 * kNanosPerMilli);
  std::vector<const StoredEvent*> ptrs;
  RollupTable minutes;
  for (const auto& e : events) {
    ptrs.push_back(&e);
    minutes.Add(e);
  }
  RollupTable hours(kNanosPerHour);
  hours.MergeFrom(minutes);
  SegmentInfo info;
  info.partition_start_ns = kStart;
  const std::string bytes = BuildSegment(info, ptrs, minutes, hours);
  std::vector<StoredEvent> out;
  for (auto _ : state) {
    auto r = SegmentReader::OpenBytes(bytes, {});
    out.clear();
    if (!(*r)->ReadEvents(&out).ok()) state.SkipWithError("decode failed");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(events.size()));
  state.counters["file_bytes_per_event"] = static_cast<double>(bytes.size()) / events.size();
}
BENCHMARK(BM_SegmentDecode)->Unit(benchmark::kMillisecond);

// A filtered scan (trace search: one model, latency >= 2 s, newest first, 100 per page)
// over 6 hours of flushed segments (1.08 M events).
void BM_Scan(benchmark::State& state) {
  const std::string dir = TempPath("inferscope-bench-scan");
  std::filesystem::remove_all(dir);
  EmbeddedStoreOptions o;
  o.data_dir = dir;
  o.wal.fsync = FsyncPolicy::Never();
  auto store = EmbeddedStore::Open(o);
  for (int h = 0; h < 6; ++h) {
    auto events = MakeEvents(180'000, 100 + h, kStart + h * kNanosPerHour, 20 * kNanosPerMilli);
    (void)(*store)->AppendStored(events);
    (void)(*store)->Flush();
  }
  ScanRequest req;
  req.filter.model = "gpt-4o";
  req.filter.min_latency_ms = static_cast<double>(state.range(0));
  req.limit = 100;
  req.order = ScanOrder::kNewestFirst;
  size_t found = 0;
  for (auto _ : state) {
    auto page = (*store)->Scan(req);
    found = page.ok() ? page->events.size() : 0;
  }
  state.counters["events_returned"] = static_cast<double>(found);
  store->reset();
  std::filesystem::remove_all(dir);
}
// 2000 ms: rare, the scan reads every segment; 300 ms: common, the newest segment suffices.
BENCHMARK(BM_Scan)->Arg(2000)->Arg(300)->Unit(benchmark::kMillisecond);

// Paging oldest-first through 200k unflushed events (200 appends of 1,000, in time order)
// with the API's cursor, `range(0)` events per page; the baseline in the same run is one page
// holding everything (range 0 = 0), a single decode of the memtable. Each page used to decode
// every memtable batch (200 pages x 200 batches); batches now carry their time range and a
// page decodes only those that can hold it.
void BM_ScanMemtablePages(benchmark::State& state) {
  const std::string dir = TempPath("inferscope-bench-scan-memtable");
  std::filesystem::remove_all(dir);
  EmbeddedStoreOptions o;
  o.data_dir = dir;
  o.wal.fsync = FsyncPolicy::Never();
  o.flush_bytes = UINT64_MAX;
  auto store = EmbeddedStore::Open(o);
  constexpr size_t kBatches = 200, kPerBatch = 1000;
  for (size_t b = 0; b < kBatches; ++b) {
    const auto events =
        MakeEvents(kPerBatch, 300 + static_cast<uint32_t>(b),
                   kStart + static_cast<int64_t>(b * kPerBatch) * kNanosPerMilli, kNanosPerMilli);
    (void)(*store)->AppendStored(events);
  }
  const size_t page = state.range(0) == 0 ? kBatches * kPerBatch : size_t(state.range(0));
  size_t pages = 0, events = 0;
  for (auto _ : state) {
    ScanRequest req;
    req.limit = page;
    pages = events = 0;
    while (true) {
      auto p = (*store)->Scan(req);
      if (!p.ok()) break;
      ++pages;
      events += p->events.size();
      if (p->next_cursor.empty()) break;
      req.cursor = p->next_cursor;
    }
  }
  state.counters["pages"] = static_cast<double>(pages);
  state.counters["events"] = static_cast<double>(events);
  store->reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_ScanMemtablePages)->Arg(0)->Arg(1000)->Unit(benchmark::kMillisecond);

// --- Rollup queries over 30 days --------------------------------------------------------

constexpr int kDays = 30;
constexpr int kEventsPerKeyMinute = 300;  // 50 req/s over 5 models x 2 task types

// Writes one segment file of the hour partition `hour` into dir/segments and lists it in
// `manifest` (written by the caller once all are there).
void AddSegment(const std::string& dir, const std::string& bytes, TimestampNs hour,
                Manifest* manifest) {
  SegmentMeta meta;
  meta.id = manifest->next_segment_id++;
  meta.partition_start_ns = hour;
  meta.bytes = bytes.size();
  (void)WriteSegmentFile(dir + "/segments/" + SegmentFileName(meta.id), bytes);
  manifest->segments.push_back(meta);
}

// Writes 30 days of hourly segments holding only rollups (the query path never reads raw
// events): 720 segments x 60 minutes x 10 keys, each minute cell a BucketStats of 300 events.
// Built once per machine; reused while the manifest is there.
std::string RollupDataDir() {
  const std::string dir = TempPath("inferscope-bench-rollups-30d");
  if (std::filesystem::exists(dir + "/segments/MANIFEST")) return dir;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/segments");
  std::mt19937 rng(42);
  std::lognormal_distribution<double> lat(5.5, 0.6);
  Manifest manifest;
  for (int h = 0; h < kDays * 24; ++h) {
    const TimestampNs hour = kStart + h * kNanosPerHour;
    RollupTable minutes;
    for (int m = 0; m < 60; ++m) {
      for (const char* model : kModels) {
        for (const char* task : {"chat", "completion"}) {
          BucketStats b;
          Event e;
          for (int i = 0; i < kEventsPerKeyMinute; ++i) {
            e.status = rng() % 50 == 0 ? EventStatus::kError : EventStatus::kOk;
            e.Set(EventField::kLatencyMs, lat(rng));
            e.Set(EventField::kInputTokens, 500);
            e.Set(EventField::kCostUsd, 0.001);
            b.Add(e);
          }
          minutes.Merge(hour + m * kNanosPerMinute, RollupKey{model, task, "hbm"}, b);
        }
      }
    }
    RollupTable hours(kNanosPerHour);
    hours.MergeFrom(minutes);
    SegmentInfo info;
    info.partition_start_ns = hour;
    AddSegment(dir, BuildSegment(info, {}, minutes, hours), hour, &manifest);
  }
  (void)WriteManifest(dir + "/segments", manifest);
  return dir;
}

// Opens the store of `dir` into *store once (timing it into *open_ms); null if that failed.
EmbeddedStore* OpenOnce(const std::string& dir, std::unique_ptr<EmbeddedStore>* store,
                        double* open_ms) {
  if (!*store) {
    EmbeddedStoreOptions o;
    o.data_dir = dir;
    const auto t0 = std::chrono::steady_clock::now();
    auto s = EmbeddedStore::Open(o);
    *open_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (s.ok()) *store = std::move(*s);
  }
  return store->get();
}

EmbeddedStore* RollupStore(double* open_ms) {
  static std::unique_ptr<EmbeddedStore> store;
  static double opened_in = 0;
  EmbeddedStore* s = OpenOnce(RollupDataDir(), &store, &opened_in);
  *open_ms = opened_in;
  return s;
}

// INFERSCOPE_BENCH_KEEP_SKETCHES=1: rows carry full sketches (the old API path).
bool KeepSketches() {
  const char* v = std::getenv("INFERSCOPE_BENCH_KEEP_SKETCHES");
  return v != nullptr && std::string(v) == "1";
}

enum RollupCase {
  kSummary30dPerModel,      // step 0, by model
  kSummary30dUnaligned,     // start/end mid-hour: minute edges read from disk
  kTrend30dDailyFleet,      // step 1 day, all models merged
  kTrend24hHourlyPerModel,  // the dashboard's default chart
  kSummary30dPerModelTask,  // full-key hour tier
  kLastHourPerMinute,       // step 1 min over the last hour, by model
  kTrend30dHourlyPerModel,  // the heaviest trend chart: 720 hours x 5 models
};

// Runs `query` (returns its row count) once per benchmark iteration and reports the
// latency distribution (p50_us, p99_us), the rows and the store's open time as counters.
template <typename Query>
void TimeQueries(benchmark::State& state, double open_ms, const Query& query) {
  std::vector<double> us;
  size_t rows = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    rows = query();
    us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(us.begin(), us.end());
  state.counters["p50_us"] = us[us.size() / 2];
  state.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
  state.counters["rows"] = static_cast<double>(rows);
  state.counters["open_ms"] = open_ms;
}

void BM_RollupQuery(benchmark::State& state) {
  double open_ms = 0;
  EmbeddedStore* store = RollupStore(&open_ms);
  if (store == nullptr) {
    state.SkipWithError("open failed");
    return;
  }
  const TimestampNs end = kStart + kDays * kNanosPerDay;
  RollupQuery q;
  q.start_ns = kStart;
  q.end_ns = end;
  switch (static_cast<RollupCase>(state.range(0))) {
    case kSummary30dPerModel:
      break;
    case kSummary30dUnaligned:
      q.start_ns += 17 * kNanosPerMinute;
      q.end_ns -= 23 * kNanosPerMinute;
      break;
    case kTrend30dDailyFleet:
      q.step_ns = kNanosPerDay;
      q.by_model = false;
      break;
    case kTrend24hHourlyPerModel:
      q.start_ns = end - kNanosPerDay;
      q.step_ns = kNanosPerHour;
      break;
    case kSummary30dPerModelTask:
      q.by_task_type = true;
      break;
    case kLastHourPerMinute:
      q.start_ns = end - kNanosPerHour;
      q.step_ns = kNanosPerMinute;
      break;
    case kTrend30dHourlyPerModel:
      q.step_ns = kNanosPerHour;
      break;
  }
  // What an API handler asks for: p50 and p99 per row, computed by the store (sketches are
  // not copied out); with INFERSCOPE_BENCH_KEEP_SKETCHES=1 the rows carry their merged sketches
  // instead and the quantiles are read from them (the API's path before
  // RollupQuery::quantiles).
  if (KeepSketches()) {
    q.keep_sketches = true;
  } else {
    q.keep_sketches = false;
    q.quantiles = {0.5, 0.99};
  }
  TimeQueries(state, open_ms, [&] {
    auto r = store->QueryRollups(q);
    double sink = 0;
    if (!r.ok()) return size_t{0};
    for (const auto& row : *r) {
      sink += q.keep_sketches
                  ? row.stats.latency_ms.Quantile(0.5) + row.stats.latency_ms.Quantile(0.99)
                  : row.quantiles[0] + row.quantiles[1];
    }
    benchmark::DoNotOptimize(sink);
    return r->size();
  });
}
BENCHMARK(BM_RollupQuery)
    ->ArgName("case")
    ->DenseRange(kSummary30dPerModel, kTrend30dHourlyPerModel)
    ->Unit(benchmark::kMicrosecond);

// --- Per-user rollup queries over 30 days ---------------------------------------------------

constexpr int kUsers = 250;

// 30 days of hourly segments holding only per-user rollups: per hour, 5 models x 250 users
// with Zipf-like request counts (the demo's population), the fields a gateway logs.
std::string UserDataDir() {
  const std::string dir = TempPath("inferscope-bench-users-30d");
  if (std::filesystem::exists(dir + "/segments/MANIFEST")) return dir;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/segments");
  std::mt19937 rng(7);
  Manifest manifest;
  for (int h = 0; h < kDays * 24; ++h) {
    const TimestampNs hour = kStart + h * kNanosPerHour;
    UserRollupTable users(kNanosPerHour);
    for (const char* model : kModels) {
      for (int u = 0; u < kUsers; ++u) {
        UserCounters c;
        c.requests = 1 + 36000 / static_cast<uint64_t>((u + 1) * 5);
        c.errors = c.requests / 50;
        for (EventField f :
             {EventField::kLatencyMs, EventField::kTtftMs, EventField::kInputTokens,
              EventField::kOutputTokens, EventField::kCostUsd, EventField::kQueueDepth}) {
          c.present[static_cast<int>(f)] = static_cast<uint32_t>(c.requests);
          c.sum[static_cast<int>(f)] = static_cast<double>(c.requests) * (1 + rng() % 1000);
        }
        users.Merge(hour, model, "user-" + std::to_string(u), c);
      }
    }
    SegmentInfo info;
    info.partition_start_ns = hour;
    AddSegment(
        dir,
        BuildSegment(info, {}, RollupTable(kNanosPerMinute), RollupTable(kNanosPerHour), 3, &users),
        hour, &manifest);
  }
  (void)WriteManifest(dir + "/segments", manifest);
  return dir;
}

enum UserCase {
  kUsers30dDaily,          // the day tier only
  kUsersLastDayHourly,     // 24 hours read back from segments (cached)
  kUsers30dHourlyByModel,  // 720 hours, every cell (all packed in the default cache)
  kUsers30dHourlyTop10     // what trends?group_by=model,user asks: the ranking over the range,
                           // then the top 10 keys' hours with the rest merged as "(other)"
};

void BM_UserRollupQuery(benchmark::State& state) {
  static std::unique_ptr<EmbeddedStore> store;
  static double open_ms = 0;
  if (OpenOnce(UserDataDir(), &store, &open_ms) == nullptr) {
    state.SkipWithError("open failed");
    return;
  }
  const TimestampNs end = kStart + kDays * kNanosPerDay;
  UserRollupQuery q;
  q.start_ns = kStart;
  q.end_ns = end;
  switch (static_cast<UserCase>(state.range(0))) {
    case kUsers30dDaily:
      q.step_ns = kNanosPerDay;
      break;
    case kUsersLastDayHourly:
      q.start_ns = end - kNanosPerDay;
      q.step_ns = kNanosPerHour;
      break;
    case kUsers30dHourlyByModel:
      q.step_ns = kNanosPerHour;
      q.by_model = true;
      break;
    case kUsers30dHourlyTop10:
      q.by_model = true;
      TimeQueries(state, open_ms, [&] {
        UserRollupQuery ranking = q;  // one bucket
        auto totals = store->QueryUserRollups(ranking);
        if (!totals.ok()) return size_t{0};
        std::vector<const UserRollupRow*> top;
        for (const UserRollupRow& row : *totals) top.push_back(&row);
        const size_t n = std::min<size_t>(10, top.size());
        std::partial_sort(top.begin(), top.begin() + static_cast<std::ptrdiff_t>(n), top.end(),
                          [](const auto* a, const auto* b) {
                            return a->counters.requests > b->counters.requests;
                          });
        UserRollupQuery hourly = q;
        hourly.step_ns = kNanosPerHour;
        hourly.only.emplace();
        for (size_t i = 0; i < n; ++i) hourly.only->emplace_back(top[i]->model, top[i]->user);
        hourly.merge_rest = true;
        auto r = store->QueryUserRollups(hourly);
        benchmark::DoNotOptimize(r);
        return r.ok() ? r->size() : size_t{0};
      });
      return;
  }
  TimeQueries(state, open_ms, [&] {
    auto r = store->QueryUserRollups(q);
    benchmark::DoNotOptimize(r);
    return r.ok() ? r->size() : size_t{0};
  });
}
BENCHMARK(BM_UserRollupQuery)
    ->ArgName("case")
    ->DenseRange(kUsers30dDaily, kUsers30dHourlyTop10)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace inferscope
