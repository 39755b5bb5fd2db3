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
    std::string_view ts;
    int64_t input_tokens = 0;
    // One pass over the fields: keyed lookups are slow in unoptimised sanitizer builds.
    for (auto field : obj) {
      const std::string_view key = field.key;
      const simdjson::dom::element v = field.value;
      if (key == "timestamp") {
        ts = v.get_string().value();
      } else if (key == "model") {
        r.model = std::string(v.get_string().value());
      } else if (key == "status") {
        r.status = std::string(v.get_string().value());
      } else if (key == "user") {
        r.user = std::atoi(v.get_c_str().value() + 5);
      } else if (key == "latency_ms") {
        r.latency = v.get_double().value();
      } else if (key == "cost_usd") {
        r.cost = v.get_double().value();
      } else if (key == "queue_depth") {
        r.queue = v.get_int64().value();
      } else if (key == "output_tokens") {
        r.output_tokens = v.get_int64().value();
      } else if (key == "input_tokens") {
        input_tokens = v.get_int64().value();
      } else if (key == "cache_hit") {
        r.cache_hit = v.get_bool().value();
      } else if (key == "gpu_util") {
        r.gpu = v.get_double().value();
      } else if (key == "batch_fill_ratio") {
        r.fill = v.get_double().value();
      } else if (key == "batch_size") {
        r.batch = v.get_int64().value();
      } else if (key == "error_type") {
        r.has_error_type = true;
      }
    }
    auto parsed = ParseIso8601(ts);
    EXPECT_TRUE(parsed.ok()) << ts;
    r.t = parsed.ok() ? *parsed : 0;
    const std::hash<std::string_view> hash;
    r.key = hash(ts) ^ (hash(r.model) * 31) ^ (static_cast<size_t>(r.user) * 1000003) ^
            (static_cast<size_t>(input_tokens) * 0x9E3779B97F4A7C15ULL);
    const size_t line_end = text.find('\n', line_start);
    const std::string_view line(text.data() + line_start, line_end - line_start);
    const size_t id_pos = line.find("\"request_id\"");
    const size_t id_end = line.find(',', id_pos);
    r.content = hash(line.substr(0, id_pos)) * 31 + hash(line.substr(id_end));
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

// Timestamps straight from the text (every line starts {"timestamp":"...Z"), which is much
// cheaper than a JSON parse in sanitizer builds.
std::vector<TimestampNs> Timestamps(const std::string& text) {
  std::vector<TimestampNs> out;
  constexpr std::string_view kPrefix = "{\"timestamp\":\"";
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    const std::string_view line(text.data() + start, end - start);
    EXPECT_EQ(line.substr(0, kPrefix.size()), kPrefix);
    auto t = ParseIso8601(line.substr(kPrefix.size(), 24));
    EXPECT_TRUE(t.ok()) << line;
    out.push_back(t.ok() ? *t : 0);
    start = end + 1;
  }
  return out;
}

const IncidentLabel& LabelOf(const std::vector<IncidentLabel>& labels, IncidentKind kind) {
  for (const IncidentLabel& l : labels) {
    if (l.kind == kind) return l;
  }
  static const IncidentLabel kMissing;
  ADD_FAILURE() << "no label for " << IncidentKindName(kind);
  return kMissing;
}

// Stats of the label's model in a part of its window (fractions of it), with the incident
// and without it: the same requests at the same time of day.
std::pair<WindowStats, WindowStats> InAndBase(const std::vector<Record>& with,
                                              const std::vector<Record>& without,
                                              const IncidentLabel& l, double from = 0,
                                              double to = 1) {
  const double length = static_cast<double>(l.end_ns - l.start_ns);
  const TimestampNs a = l.start_ns + static_cast<int64_t>(from * length);
  const TimestampNs b = l.start_ns + static_cast<int64_t>(to * length);
  return {Stats(with, l.model, a, b), Stats(without, l.model, a, b)};
}

TEST(TrafficGeneratorTest, EveryLineIsJsonWithTheRequiredKeysInOrder) {
  DemoOptions options;
  options.duration_ns = 2 * kNanosPerHour;
  options.requests_per_s = 20;
  const Output out = Generate(options);
  ASSERT_GT(out.lines, 20000u);
  ASSERT_EQ(static_cast<uint64_t>(std::count(out.text.begin(), out.text.end(), '\n')), out.lines);
  ASSERT_EQ(Parse(out.text).size(), out.lines);
  static const std::vector<std::string_view> kOrder = {
      "timestamp",  "request_id",       "model",        "status",         "error_type",
      "latency_ms", "ttft_ms",          "input_tokens", "output_tokens",  "cost_usd",
      "batch_size", "batch_fill_ratio", "gpu_util",     "memory_used_gb", "queue_depth",
      "cache_hit",  "cache_tier",       "task_type",    "user",           "service"};
  simdjson::dom::parser parser;
  size_t start = 0;
  size_t errors = 0, hosted_lines = 0;
  while (start < out.text.size()) {
    const size_t end = out.text.find('\n', start);
    const std::string_view line(out.text.data() + start, end - start);
    start = end + 1;
    simdjson::dom::object obj;
    ASSERT_EQ(parser.parse(line).get_object().get(obj), simdjson::SUCCESS) << line;
    size_t next = 0;
    size_t keys = 0;
    std::string_view status, model;
    for (auto field : obj) {
      ++keys;
      auto it = std::find(kOrder.begin() + next, kOrder.end(), field.key);
      ASSERT_NE(it, kOrder.end()) << "unknown or out-of-order key " << field.key << ": " << line;
      next = it - kOrder.begin() + 1;
      if (field.key == "status") status = field.value.get_string().value();
      if (field.key == "model") model = field.value.get_string().value();
    }
    const bool ok = status == "ok";
    const bool hosted = model == "gpt-4o-mini";
    errors += !ok;
    hosted_lines += hosted;
    // Errors carry error_type and no ttft_ms; the hosted API has no batch/GPU fields.
    EXPECT_EQ(keys, 19u - (hosted ? 4 : 0)) << line;
    EXPECT_TRUE(ok || status == "error" || status == "timeout") << line;
  }
  EXPECT_GT(errors, 10u);
  EXPECT_GT(hosted_lines, 1000u);
}

TEST(TrafficGeneratorTest, ADayHasTheRequestedMeanRateAndADailyCycle) {
  DemoOptions options;  // one day at 5 req/s from 2026-01-05T00:00:00Z
  const Output out = Generate(options);
  const std::vector<TimestampNs> ts = Timestamps(out.text);
  ASSERT_EQ(ts.size(), out.lines);
  TimestampNs previous = options.start_ns;
  std::vector<int> per_hour(24);
  for (TimestampNs t : ts) {
    ASSERT_GE(t, previous);
    ASSERT_LT(t, options.start_ns + options.duration_ns);
    previous = t;
    ++per_hour[(t - options.start_ns) / kNanosPerHour];
  }
  EXPECT_NEAR(static_cast<double>(out.lines) / 86400.0, 5.0, 0.25);
  const int peak = *std::max_element(per_hour.begin(), per_hour.end());
  const int trough = *std::min_element(per_hour.begin(), per_hour.end());
  EXPECT_GT(peak, 2 * trough);
  EXPECT_LT(peak, 4 * trough);
}

TEST(TrafficGeneratorTest, BaselineLooksLikeAHealthyFleet) {
  DemoOptions options;
  options.start_ns += 10 * kNanosPerHour;
  options.duration_ns = 6 * kNanosPerHour;
  const std::vector<Record> records = Parse(Generate(options).text);
  ASSERT_GT(records.size(), 100000u);
  const auto s = Stats(records, "*", options.start_ns, options.start_ns + options.duration_ns);
  EXPECT_GT(s.error_rate, 0.001);
  EXPECT_LT(s.error_rate, 0.008);
  EXPECT_NEAR(s.hit_rate, 0.30, 0.02);
  size_t queue_small = 0, busiest_user = 0;
  std::map<std::string, std::vector<double>> latencies;
  for (const Record& r : records) {
    queue_small += r.queue <= 3;
    busiest_user += r.user == 12;  // UserPopulation rank 0
    if (r.status == "ok") latencies[r.model].push_back(r.latency);
  }
  const double n = static_cast<double>(records.size());
  EXPECT_GT(queue_small / n, 0.85);
  EXPECT_GT(busiest_user / n, 0.15);
  ASSERT_EQ(latencies.size(), 5u);
  for (auto& [model, xs] : latencies) {
    // A heavy tail without any incident: p99.9 far above the median.
    const double median = Median(xs);
    std::sort(xs.begin(), xs.end());
    EXPECT_GT(xs[xs.size() * 999 / 1000], 4 * median) << model;
  }
  EXPECT_GT(Median(latencies["llama-3-70b"]), 2 * Median(latencies["llama-3-8b"]));
  EXPECT_LT(Median(latencies["bge-embed"]), 100);
}

// One test, because generating and parsing two days is the expensive part and ctest runs
// every test in its own process.
TEST(TrafficGeneratorTest, InjectedIncidentsShowInTheirWindowsAndNowhereElse) {
  DemoOptions options;
  options.requests_per_s = 3;
  const Output base_out = Generate(options);
  options.incidents.assign(AllIncidentKinds().begin(), AllIncidentKinds().end());
  const Output inc_out = Generate(options);
  const std::vector<IncidentLabel>& labels = inc_out.labels;
  ASSERT_EQ(labels.size(), 8u);
  for (size_t i = 1; i < labels.size(); ++i) {
    EXPECT_GE(labels[i].start_ns, labels[i - 1].end_ns);
  }
  const std::vector<Record> without = Parse(base_out.text);
  const std::vector<Record> with = Parse(inc_out.text);

  {
    SCOPED_TRACE("before the first incident the output is byte-identical");
    const TimestampNs first = labels.front().start_ns;
    EXPECT_GE(first, options.start_ns + options.duration_ns / 5);
    size_t lines = 0;
    for (const Record& r : without) lines += r.t < first;
    size_t offset = 0;
    for (size_t i = 0; i < lines; ++i) offset = base_out.text.find('\n', offset) + 1;
    ASSERT_GT(lines, 1000u);
    EXPECT_EQ(base_out.text.compare(0, offset, inc_out.text, 0, offset), 0);
  }
  {
    SCOPED_TRACE("outside the labelled windows no request is changed");
    std::unordered_map<size_t, size_t> base;  // key -> content
    for (const Record& r : without) base.emplace(r.key, r.content);
    size_t changed = 0, compared = 0;
    for (const Record& r : with) {
      bool inside = false;
      for (const IncidentLabel& l : labels) {
        inside |= r.t >= l.start_ns && r.t < l.end_ns && (l.model == "*" || l.model == r.model);
      }
      auto it = base.find(r.key);
      if (inside || it == base.end()) continue;
      ++compared;
      changed += it->second != r.content;
    }
    EXPECT_GT(compared, with.size() * 3 / 4);
    EXPECT_EQ(changed, 0u);
  }
  auto in_and_base = [&](IncidentKind kind, double from = 0, double to = 1) {
    return InAndBase(with, without, LabelOf(labels, kind), from, to);
  };
  {
    SCOPED_TRACE("latency_spike");
    const auto [in, base] = in_and_base(IncidentKind::kLatencySpike);
    ASSERT_GT(in.n, 50u);
    EXPECT_GE(in.median_latency, 3 * base.median_latency);
  }
  {
    SCOPED_TRACE("error_burst");
    const auto [in, base] = in_and_base(IncidentKind::kErrorBurst);
    ASSERT_GT(in.n, 50u);
    EXPECT_GE(in.error_rate, 0.10);
    EXPECT_LT(base.error_rate, 0.03);
  }
  {
    SCOPED_TRACE("gpu_underutil");
    const auto [in, base] = in_and_base(IncidentKind::kGpuUnderutil);
    ASSERT_GT(in.n, 50u);
    EXPECT_LT(in.mean_gpu, 30);
    EXPECT_GT(in.mean_queue, 5);
    EXPECT_GT(base.mean_gpu, 35);
    EXPECT_LT(base.mean_queue, 3);
  }
  {
    SCOPED_TRACE("poor_batching");
    const auto [in, base] = in_and_base(IncidentKind::kPoorBatching);
    ASSERT_GT(in.n, 50u);
    EXPECT_LT(in.mean_fill, 0.25);
    EXPECT_GT(base.mean_fill, 0.3);
    EXPECT_GT(in.median_latency, 1.2 * base.median_latency);
  }
  {
    SCOPED_TRACE("cost_spike");
    const IncidentLabel& l = LabelOf(labels, IncidentKind::kCostSpike);
    const auto [in, base] = in_and_base(IncidentKind::kCostSpike);
    ASSERT_GT(in.n, 50u);
    EXPECT_GT(in.mean_cost, 1.5 * base.mean_cost);
    // The runaway user's own requests cost several times more.
    auto user_cost = [&](const std::vector<Record>& records) {
      double cost = 0;
      size_t n = 0;
      for (const Record& r : records) {
        if (r.user == 12 && r.model == l.model && r.t >= l.start_ns && r.t < l.end_ns) {
          cost += r.cost;
          ++n;
        }
      }
      EXPECT_GT(n, 10u);
      return cost / static_cast<double>(std::max<size_t>(n, 1));
    };
    EXPECT_GT(user_cost(with), 4 * user_cost(without));
  }
  {
    SCOPED_TRACE("cache_degradation");
    const auto [in, base] = in_and_base(IncidentKind::kCacheDegradation);
    ASSERT_GT(in.n, 50u);
    EXPECT_LT(in.hit_rate, 0.06);
    EXPECT_GT(base.hit_rate, 0.2);
    EXPECT_GT(in.median_latency, base.median_latency);
  }
  {
    SCOPED_TRACE("latency_drift");
    const auto [early, early_base] = in_and_base(IncidentKind::kLatencyDrift, 0, 0.1);
    const auto [late, late_base] = in_and_base(IncidentKind::kLatencyDrift, 0.6, 0.8);
    ASSERT_GT(early.n, 30u);
    ASSERT_GT(late.n, 30u);
    EXPECT_LT(early.median_latency, 1.3 * early_base.median_latency);
    EXPECT_GT(late.median_latency, 1.8 * late_base.median_latency);
  }
  {
    SCOPED_TRACE("traffic_drop");
    const auto [in, base] = in_and_base(IncidentKind::kTrafficDrop);
    ASSERT_GT(base.n, 100u);
    EXPECT_LT(in.n, base.n / 4);
    EXPECT_GT(in.n, base.n / 20);
  }
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
  options.duration_ns = 2 * kNanosPerMinute;
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
