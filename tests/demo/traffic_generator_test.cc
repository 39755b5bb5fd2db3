#include "demo/traffic_generator.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/time_format.h"
#include "demo/incident_labels_json.h"

namespace inferscope {
namespace {

struct Output {
  std::string text;
  std::vector<IncidentLabel> labels;
  uint64_t lines = 0;
};

Output Generate(const DemoOptions& options) {
  Output out;
  char* data = nullptr;
  size_t size = 0;
  std::FILE* f = open_memstream(&data, &size);
  EXPECT_NE(f, nullptr);
  TrafficGenerator generator(options);
  auto labels = generator.Write(f);
  std::fclose(f);
  EXPECT_TRUE(labels.ok()) << labels.status().ToString();
  if (labels.ok()) out.labels = *labels;
  out.text.assign(data, size);
  std::free(data);
  out.lines = generator.lines_written();
  return out;
}

// One parsed line, reduced to what the checks look at.
struct Record {
  TimestampNs t = 0;
  std::string model;
  std::string status;
  int user = 0;
  double latency = 0;
  double cost = 0;
  double gpu = -1;
  double fill = -1;
  int64_t batch = -1;
  int64_t queue = 0;
  int64_t output_tokens = 0;
  bool cache_hit = false;
  bool has_error_type = false;
  size_t key = 0;      // identifies the request across runs: time, model, user, input tokens
  size_t content = 0;  // hash of the line without its request_id
};

std::vector<Record> Parse(const std::string& text) {
  std::vector<Record> records;
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::document_stream stream;
  EXPECT_EQ(parser.parse_many(padded).get(stream), simdjson::SUCCESS);
  size_t line_start = 0;
  for (auto doc : stream) {
    simdjson::dom::object obj;
    EXPECT_EQ(doc.get_object().get(obj), simdjson::SUCCESS);
    if (obj.size() == 0) {
      ADD_FAILURE() << "line " << records.size() + 1 << " is not a JSON object";
      break;
    }
    Record r;
    std::string_view ts = obj["timestamp"];
    auto parsed = ParseIso8601(ts);
    EXPECT_TRUE(parsed.ok()) << ts;
    r.t = parsed.ok() ? *parsed : 0;
    r.model = std::string(std::string_view(obj["model"]));
    r.status = std::string(std::string_view(obj["status"]));
    r.user = std::atoi(std::string(std::string_view(obj["user"])).substr(5).c_str());
    r.latency = double(obj["latency_ms"]);
    r.cost = double(obj["cost_usd"]);
    r.queue = int64_t(obj["queue_depth"]);
    r.output_tokens = int64_t(obj["output_tokens"]);
    r.cache_hit = bool(obj["cache_hit"]);
    double d;
    if (obj["gpu_util"].get(d) == simdjson::SUCCESS) r.gpu = d;
    if (obj["batch_fill_ratio"].get(d) == simdjson::SUCCESS) r.fill = d;
    int64_t i;
    if (obj["batch_size"].get(i) == simdjson::SUCCESS) r.batch = i;
    r.has_error_type = obj["error_type"].error() == simdjson::SUCCESS;
    r.key = std::hash<std::string>()(std::string(ts) + r.model + std::to_string(r.user) + "/" +
                                     std::to_string(int64_t(obj["input_tokens"])));
    const size_t line_end = text.find('\n', line_start);
    const std::string_view line(text.data() + line_start, line_end - line_start);
    const size_t id_pos = line.find("\"request_id\"");
    const size_t id_end = line.find(',', id_pos);
    r.content = std::hash<std::string>()(std::string(line.substr(0, id_pos)) +
                                         std::string(line.substr(id_end)));
    line_start = line_end + 1;
    records.push_back(std::move(r));
  }
  return records;
}

double Median(std::vector<double> xs) {
  if (xs.empty()) return 0;
  std::nth_element(xs.begin(), xs.begin() + xs.size() / 2, xs.end());
  return xs[xs.size() / 2];
}

// Statistics of one model's (or, for "*", all) records in [from, to).
struct WindowStats {
  size_t n = 0;
  double median_latency = 0;
  double error_rate = 0;
  double mean_gpu = 0;
  double mean_queue = 0;
  double mean_fill = 0;
  double mean_cost = 0;
  double hit_rate = 0;
};

WindowStats Stats(const std::vector<Record>& records, std::string_view model, TimestampNs from,
                  TimestampNs to) {
  WindowStats s;
  std::vector<double> latencies;
  double errors = 0, gpu = 0, queue = 0, fill = 0, cost = 0, hits = 0;
  for (const Record& r : records) {
    if (r.t < from || r.t >= to || (model != "*" && r.model != model)) continue;
    ++s.n;
    if (r.status == "ok") latencies.push_back(r.latency);
    errors += r.status != "ok";
    gpu += r.gpu;
    queue += static_cast<double>(r.queue);
    fill += r.fill;
    cost += r.cost;
    hits += r.cache_hit;
  }
  if (s.n == 0) return s;
  const double n = static_cast<double>(s.n);
  s.median_latency = Median(latencies);
  s.error_rate = errors / n;
  s.mean_gpu = gpu / n;
  s.mean_queue = queue / n;
  s.mean_fill = fill / n;
  s.mean_cost = cost / n;
  s.hit_rate = hits / n;
  return s;
}

DemoOptions DayOptions(bool with_incidents) {
  DemoOptions options;
  options.seed = 1;
  options.requests_per_s = 5;
  if (with_incidents)
    options.incidents.assign(AllIncidentKinds().begin(), AllIncidentKinds().end());
  return options;
}

// One day at 5 req/s, with and without every incident, generated once for the suite.
class TrafficGeneratorDayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    baseline_ = new Output(Generate(DayOptions(false)));
    incidents_ = new Output(Generate(DayOptions(true)));
    baseline_records_ = new std::vector<Record>(Parse(baseline_->text));
    incident_records_ = new std::vector<Record>(Parse(incidents_->text));
  }
  static void TearDownTestSuite() {
    delete baseline_;
    delete incidents_;
    delete baseline_records_;
    delete incident_records_;
  }
  static const IncidentLabel& Label(IncidentKind kind) {
    for (const IncidentLabel& l : incidents_->labels) {
      if (l.kind == kind) return l;
    }
    static const IncidentLabel kMissing;
    ADD_FAILURE() << "no label for " << IncidentKindName(kind);
    return kMissing;
  }
  // Stats in the label's window (optionally a sub-range given as fractions of it), with the
  // incident and without it: same requests, same time of day.
  static std::pair<WindowStats, WindowStats> InAndBase(const IncidentLabel& l, double from = 0,
                                                       double to = 1) {
    const double length = static_cast<double>(l.end_ns - l.start_ns);
    const TimestampNs a = l.start_ns + static_cast<int64_t>(from * length);
    const TimestampNs b = l.start_ns + static_cast<int64_t>(to * length);
    return {Stats(*incident_records_, l.model, a, b), Stats(*baseline_records_, l.model, a, b)};
  }

  static Output* baseline_;
  static Output* incidents_;
  static std::vector<Record>* baseline_records_;
  static std::vector<Record>* incident_records_;
};

Output* TrafficGeneratorDayTest::baseline_ = nullptr;
Output* TrafficGeneratorDayTest::incidents_ = nullptr;
std::vector<Record>* TrafficGeneratorDayTest::baseline_records_ = nullptr;
std::vector<Record>* TrafficGeneratorDayTest::incident_records_ = nullptr;

TEST_F(TrafficGeneratorDayTest, EveryLineIsJsonWithTheRequiredKeysInOrder) {
  ASSERT_EQ(baseline_records_->size(), baseline_->lines);
  ASSERT_EQ(static_cast<uint64_t>(std::count(baseline_->text.begin(), baseline_->text.end(), '\n')),
            baseline_->lines);
  static const std::vector<std::string_view> kOrder = {
      "timestamp",  "request_id",       "model",        "status",         "error_type",
      "latency_ms", "ttft_ms",          "input_tokens", "output_tokens",  "cost_usd",
      "batch_size", "batch_fill_ratio", "gpu_util",     "memory_used_gb", "queue_depth",
      "cache_hit",  "cache_tier",       "task_type",    "user",           "service"};
  simdjson::dom::parser parser;
  size_t start = 0;
  int checked = 0;
  bool saw_error = false, saw_hosted = false;
  while (start < baseline_->text.size() && checked < 20000) {
    const size_t end = baseline_->text.find('\n', start);
    const std::string_view line(baseline_->text.data() + start, end - start);
    start = end + 1;
    ++checked;
    simdjson::dom::object obj;
    ASSERT_EQ(parser.parse(line).get_object().get(obj), simdjson::SUCCESS) << line;
    size_t next = 0;
    std::vector<std::string_view> keys;
    for (auto field : obj) {
      keys.push_back(field.key);
      auto it = std::find(kOrder.begin() + next, kOrder.end(), field.key);
      ASSERT_NE(it, kOrder.end()) << "unknown or out-of-order key " << field.key << ": " << line;
      next = it - kOrder.begin() + 1;
    }
    const std::string_view status = obj["status"];
    const bool hosted = obj["model"].get_string().value() == "gpt-4o-mini";
    saw_error |= status != "ok";
    saw_hosted |= hosted;
    const size_t required =
        20 - (status == "ok" ? 1 : 0) - (status == "ok" ? 0 : 1) - (hosted ? 4 : 0);
    EXPECT_EQ(keys.size(), required) << line;
    EXPECT_EQ(status == "ok", obj["error_type"].error() != simdjson::SUCCESS) << line;
  }
  EXPECT_TRUE(saw_error);
  EXPECT_TRUE(saw_hosted);
}

TEST_F(TrafficGeneratorDayTest, TimestampsAreNonDecreasingAndInsideTheSpan) {
  const DemoOptions options = DayOptions(false);
  TimestampNs previous = options.start_ns;
  for (const Record& r : *incident_records_) {
    ASSERT_GE(r.t, previous);
    ASSERT_LT(r.t, options.start_ns + options.duration_ns);
    previous = r.t;
  }
}

TEST_F(TrafficGeneratorDayTest, MeanRateMatchesTheRequestedRate) {
  const double rate = static_cast<double>(baseline_->lines) / 86400.0;
  EXPECT_NEAR(rate, 5.0, 0.25);
}

TEST_F(TrafficGeneratorDayTest, PeakHourIsMoreThanTwiceTheTroughHour) {
  std::vector<int> per_hour(24);
  for (const Record& r : *baseline_records_) {
    ++per_hour[(r.t - kDefaultDemoStartNs) / kNanosPerHour];
  }
  const int peak = *std::max_element(per_hour.begin(), per_hour.end());
  const int trough = *std::min_element(per_hour.begin(), per_hour.end());
  EXPECT_GT(peak, 2 * trough);
  EXPECT_LT(peak, 4 * trough);
}

TEST_F(TrafficGeneratorDayTest, BaselineLooksLikeAHealthyFleet) {
  const auto s =
      Stats(*baseline_records_, "*", kDefaultDemoStartNs, kDefaultDemoStartNs + kNanosPerDay);
  EXPECT_GT(s.error_rate, 0.001);
  EXPECT_LT(s.error_rate, 0.008);
  EXPECT_NEAR(s.hit_rate, 0.30, 0.02);
  size_t queue_small = 0, slow = 0, users_top = 0;
  std::map<std::string, std::vector<double>> latencies;
  for (const Record& r : *baseline_records_) {
    queue_small += r.queue <= 3;
    users_top += r.user == 12;  // the busiest user's id (UserPopulation rank 0)
    if (r.status == "ok") latencies[r.model].push_back(r.latency);
  }
  const double n = static_cast<double>(baseline_records_->size());
  EXPECT_GT(queue_small / n, 0.85);
  EXPECT_GT(users_top / n, 0.15);
  ASSERT_EQ(latencies.size(), 5u);
  for (auto& [model, xs] : latencies) {
    // A heavy tail: p99.9 far above the median, without any incident.
    const double median = Median(xs);
    std::sort(xs.begin(), xs.end());
    EXPECT_GT(xs[xs.size() * 999 / 1000], 4 * median) << model;
    (void)slow;
  }
  EXPECT_GT(Median(latencies["llama-3-70b"]), 2 * Median(latencies["llama-3-8b"]));
  EXPECT_LT(Median(latencies["bge-embed"]), 100);
}

TEST_F(TrafficGeneratorDayTest, OutputBeforeTheFirstIncidentIsUnchangedByIncidents) {
  ASSERT_FALSE(incidents_->labels.empty());
  const TimestampNs first = incidents_->labels.front().start_ns;
  EXPECT_GE(first, kDefaultDemoStartNs + kNanosPerDay / 5);
  size_t lines = 0;
  for (const Record& r : *baseline_records_) lines += r.t < first;
  size_t offset = 0;
  for (size_t i = 0; i < lines; ++i) offset = baseline_->text.find('\n', offset) + 1;
  ASSERT_GT(lines, 1000u);
  EXPECT_EQ(baseline_->text.compare(0, offset, incidents_->text, 0, offset), 0);
}

TEST_F(TrafficGeneratorDayTest, OnlyRequestsInsideALabelWindowAreChanged) {
  std::unordered_map<size_t, size_t> base;  // key -> content
  for (const Record& r : *baseline_records_) base.emplace(r.key, r.content);
  size_t changed_outside = 0, compared_outside = 0;
  for (const Record& r : *incident_records_) {
    bool inside = false;
    for (const IncidentLabel& l : incidents_->labels) {
      inside |= r.t >= l.start_ns && r.t < l.end_ns && (l.model == "*" || l.model == r.model);
    }
    auto it = base.find(r.key);
    if (inside || it == base.end()) continue;
    ++compared_outside;
    changed_outside += it->second != r.content;
  }
  EXPECT_GT(compared_outside, 300000u);
  EXPECT_EQ(changed_outside, 0u);
}

TEST_F(TrafficGeneratorDayTest, LabelsCoverEveryKindOnceInTimeOrder) {
  ASSERT_EQ(incidents_->labels.size(), 8u);
  for (size_t i = 1; i < incidents_->labels.size(); ++i) {
    EXPECT_GE(incidents_->labels[i].start_ns, incidents_->labels[i - 1].end_ns);
  }
  for (IncidentKind kind : AllIncidentKinds()) EXPECT_FALSE(Label(kind).description.empty());
}

TEST_F(TrafficGeneratorDayTest, LatencySpikeMultipliesLatencyInItsWindow) {
  const auto [in, base] = InAndBase(Label(IncidentKind::kLatencySpike));
  ASSERT_GT(in.n, 100u);
  EXPECT_GE(in.median_latency, 3 * base.median_latency);
}

TEST_F(TrafficGeneratorDayTest, ErrorBurstRaisesTheErrorRate) {
  const auto [in, base] = InAndBase(Label(IncidentKind::kErrorBurst));
  ASSERT_GT(in.n, 100u);
  EXPECT_GE(in.error_rate, 0.10);
  EXPECT_LT(base.error_rate, 0.02);
}

TEST_F(TrafficGeneratorDayTest, GpuUnderutilDropsGpuWhileTheQueueGrows) {
  const auto [in, base] = InAndBase(Label(IncidentKind::kGpuUnderutil));
  ASSERT_GT(in.n, 100u);
  EXPECT_LT(in.mean_gpu, 30);
  EXPECT_GT(in.mean_queue, 5);
  EXPECT_GT(base.mean_gpu, 35);
  EXPECT_LT(base.mean_queue, 3);
}

TEST_F(TrafficGeneratorDayTest, PoorBatchingEmptiesBatchesAndSlowsRequests) {
  const auto [in, base] = InAndBase(Label(IncidentKind::kPoorBatching));
  ASSERT_GT(in.n, 100u);
  EXPECT_LT(in.mean_fill, 0.25);
  EXPECT_GT(base.mean_fill, 0.3);
  EXPECT_GT(in.median_latency, 1.2 * base.median_latency);
}

TEST_F(TrafficGeneratorDayTest, CostSpikeRaisesCostPerRequest) {
  const IncidentLabel& l = Label(IncidentKind::kCostSpike);
  const auto [in, base] = InAndBase(l);
  ASSERT_GT(in.n, 100u);
  EXPECT_GT(in.mean_cost, 1.5 * base.mean_cost);
  // The runaway user's own requests cost several times more.
  double user_in = 0, user_base = 0;
  size_t n_in = 0, n_base = 0;
  for (const Record& r : *incident_records_) {
    if (r.user == 12 && r.model == l.model && r.t >= l.start_ns && r.t < l.end_ns) {
      user_in += r.cost;
      ++n_in;
    }
  }
  for (const Record& r : *baseline_records_) {
    if (r.user == 12 && r.model == l.model && r.t >= l.start_ns && r.t < l.end_ns) {
      user_base += r.cost;
      ++n_base;
    }
  }
  ASSERT_GT(n_in, 20u);
  EXPECT_GT(user_in / n_in, 4 * user_base / n_base);
}

TEST_F(TrafficGeneratorDayTest, CacheDegradationDropsTheHitRate) {
  const auto [in, base] = InAndBase(Label(IncidentKind::kCacheDegradation));
  ASSERT_GT(in.n, 100u);
  EXPECT_LT(in.hit_rate, 0.06);
  EXPECT_GT(base.hit_rate, 0.2);
  EXPECT_GT(in.median_latency, base.median_latency);
}

TEST_F(TrafficGeneratorDayTest, LatencyDriftRisesSlowlyThenRecovers) {
  const IncidentLabel& l = Label(IncidentKind::kLatencyDrift);
  const auto [early, early_base] = InAndBase(l, 0, 0.1);
  const auto [late, late_base] = InAndBase(l, 0.6, 0.8);
  ASSERT_GT(early.n, 50u);
  ASSERT_GT(late.n, 50u);
  EXPECT_LT(early.median_latency, 1.3 * early_base.median_latency);
  EXPECT_GT(late.median_latency, 1.8 * late_base.median_latency);
}

TEST_F(TrafficGeneratorDayTest, TrafficDropRemovesMostRequests) {
  const auto [in, base] = InAndBase(Label(IncidentKind::kTrafficDrop));
  ASSERT_GT(base.n, 100u);
  EXPECT_LT(in.n, base.n / 4);
  EXPECT_GT(in.n, base.n / 20);
}

TEST(TrafficGeneratorTest, SameOptionsGiveByteIdenticalOutput) {
  DemoOptions options;
  options.duration_ns = 2 * kNanosPerHour;
  options.incidents = {IncidentKind::kErrorBurst, IncidentKind::kTrafficDrop};
  const Output a = Generate(options);
  const Output b = Generate(options);
  EXPECT_GT(a.lines, 10000u);
  EXPECT_EQ(a.text, b.text);
  EXPECT_EQ(IncidentLabelsToJson(a.labels, options), IncidentLabelsToJson(b.labels, options));
}

TEST(TrafficGeneratorTest, DifferentSeedGivesDifferentOutput) {
  DemoOptions options;
  options.duration_ns = kNanosPerHour;
  const Output a = Generate(options);
  options.seed = 2;
  const Output b = Generate(options);
  EXPECT_NE(a.text, b.text);
}

TEST(TrafficGeneratorTest, UsesTheGivenModels) {
  DemoOptions options;
  options.duration_ns = 30 * kNanosPerMinute;
  options.models = {"qwen2-72b", "my-embed"};
  const Output out = Generate(options);
  const auto records = Parse(out.text);
  ASSERT_FALSE(records.empty());
  for (const Record& r : records) ASSERT_TRUE(r.model == "qwen2-72b" || r.model == "my-embed");
}

TEST(TrafficGeneratorTest, RejectsBadOptions) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  DemoOptions options;
  options.requests_per_s = 0;
  EXPECT_EQ(TrafficGenerator(options).Write(f).status().code(), StatusCode::kInvalidArgument);
  options = DemoOptions{};
  options.duration_ns = 0;
  EXPECT_EQ(TrafficGenerator(options).Write(f).status().code(), StatusCode::kInvalidArgument);
  options = DemoOptions{};
  options.models = {"bad name"};
  EXPECT_EQ(TrafficGenerator(options).Write(f).status().code(), StatusCode::kInvalidArgument);
  options = DemoOptions{};
  options.duration_ns = 10 * kNanosPerMinute;
  options.incidents = {IncidentKind::kLatencyDrift};
  EXPECT_EQ(TrafficGenerator(options).Write(f).status().code(), StatusCode::kInvalidArgument);
  std::fclose(f);
}

TEST(TrafficGeneratorTest, ReportsAFailedWrite) {
  std::FILE* f = std::fopen("/dev/full", "w");
  if (f == nullptr) GTEST_SKIP() << "/dev/full not available";
  DemoOptions options;
  options.duration_ns = kNanosPerHour;
  auto labels = TrafficGenerator(options).Write(f);
  std::fclose(f);
  ASSERT_FALSE(labels.ok());
  EXPECT_EQ(labels.status().code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace inferscope
