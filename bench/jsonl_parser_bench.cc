// JSON-lines parser throughput, in the same binary on the same bytes: the line scanner
// (label "line scanner", arg 1), the simdjson-only parser (label "simdjson only", arg 0),
// and a plain simdjson iterate_many walk that visits every field of every record.
//
//   jsonl_parser_bench --benchmark_counters_tabular=true
//
// bytes_per_second is input bytes; compare BM_JsonlParser* with BM_SimdjsonIterateMany.

#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "ingest/jsonl_parser.h"

namespace inferscope {
namespace {

// ~370-byte request-log lines, like a gateway would write (all but a few optional fields).
std::string MakeLines(size_t target_bytes) {
  static const char* kModels[] = {"llama-3-70b-instruct", "mistral-7b", "gpt-4o-mini", "qwen2-72b"};
  static const char* kStatus[] = {"ok", "ok", "ok", "ok", "ok", "ok", "error", "timeout"};
  std::string out;
  out.reserve(target_bytes + 512);
  uint64_t x = 0x9e3779b97f4a7c15ULL;
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (uint64_t i = 0; out.size() < target_bytes; ++i) {
    uint64_t r = next();
    char line[1024];
    int n = std::snprintf(
        line, sizeof(line),
        R"({"timestamp":"2024-05-01T12:%02d:%02d.%03dZ","request_id":"req-%08llx",)"
        R"("model":"%s","latency_ms":%.1f,"batch_size":%d,"status":"%s","gpu_util":%.1f,)"
        R"("memory_used_gb":%.2f,"input_tokens":%d,"output_tokens":%d,"cost_usd":%.6f,)"
        R"("ttft_ms":%.1f,"queue_depth":%d,"batch_fill_ratio":%.2f,"cache_hit":%s,)"
        R"("cache_tier":"l%d","user":"user-%03d","service":"gateway",)"
        R"("trace_id":"%016llx"})"
        "\n",
        static_cast<int>(i / 60 % 60), static_cast<int>(i % 60), static_cast<int>(r % 1000),
        static_cast<unsigned long long>(i), kModels[r % 4],
        50.0 + static_cast<double>(r % 5000) / 3, static_cast<int>(1 + r % 32),
        kStatus[(r >> 8) % 8], static_cast<double>(r % 1000) / 10,
        static_cast<double>(r % 8000) / 100, static_cast<int>(r % 4096),
        static_cast<int>((r >> 12) % 1024), static_cast<double>(r % 10000) / 1e6,
        static_cast<double>(r % 900) / 3, static_cast<int>(r % 17),
        static_cast<double>(r % 100) / 100, (r >> 20) & 1 ? "true" : "false",
        static_cast<int>(r % 3), static_cast<int>(r % 500),
        static_cast<unsigned long long>(next()));
    out.append(line, static_cast<size_t>(n));
  }
  return out;
}

std::string Padded(std::string s) {
  s.append(kJsonlPadding, ' ');
  return s;
}

const std::string& Data() {
  static const std::string data = Padded(MakeLines(64 << 20));
  return data;
}
size_t DataLen() { return Data().size() - kJsonlPadding; }

class NoopSink : public EventSink {
 public:
  void OnEvent(const Event& e) override {
    benchmark::DoNotOptimize(e.timestamp_ns);
    ++count;
  }
  uint64_t count = 0;
};

JsonlParserOptions Options(const benchmark::State& state) {
  JsonlParserOptions options;
  options.line_scanner = state.range(0) != 0;
  return options;
}

void Run(benchmark::State& state, const std::string& data, bool expect_clean) {
  JsonlParser parser(Options(state));
  NoopSink sink;
  RejectLog rejects;
  const size_t len = data.size() - kJsonlPadding;
  for (auto _ : state) {
    JsonlParser::Counts c = parser.ParseBuffer(data.data(), len, "bench", 1, sink, rejects);
    if (expect_clean && c.rejected != 0) state.SkipWithError("unexpected rejects");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * len));
  state.SetLabel(state.range(0) != 0 ? "line scanner" : "simdjson only");
  state.counters["avg_line_bytes"] = static_cast<double>(len) *
                                     static_cast<double>(state.iterations()) /
                                     static_cast<double>(std::max<uint64_t>(sink.count, 1));
}

// Arg 1: the hand-written line scanner (simdjson for what it does not take); arg 0:
// simdjson for every line.
void BM_JsonlParserNoopSink(benchmark::State& state) { Run(state, Data(), true); }
BENCHMARK(BM_JsonlParserNoopSink)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond);

// One bad line every ~100k lines: the fast path falls back and restarts.
void BM_JsonlParserWithRareBadLines(benchmark::State& state) {
  static const std::string data = [] {
    std::string s = MakeLines(64 << 20);
    for (size_t pos = 0, n = 0; (pos = s.find('\n', pos + 1)) != std::string::npos;) {
      if (++n % 100000 == 0) s[pos - 1] = ',';  // corrupt the closing brace
    }
    return Padded(std::move(s));
  }();
  Run(state, data, false);
}
BENCHMARK(BM_JsonlParserWithRareBadLines)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond);

// Every line has an escaped string in one of our fields, which the line scanner leaves to
// simdjson: its worst case, where it hands stretches of the buffer to the simdjson stream.
void BM_JsonlParserEscapedStrings(benchmark::State& state) {
  static const std::string data = [] {
    std::string s = MakeLines(64 << 20);
    const std::string from = R"("service":"gateway")", to = R"("service":"gate\"way")";
    std::string out;
    out.reserve(s.size() + s.size() / 256);
    for (size_t pos = 0;;) {
      size_t at = s.find(from, pos);
      out.append(s, pos, at == std::string::npos ? std::string::npos : at - pos);
      if (at == std::string::npos) break;
      out += to;
      pos = at + from.size();
    }
    return Padded(std::move(out));
  }();
  Run(state, data, true);
}
BENCHMARK(BM_JsonlParserEscapedStrings)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond);

// The ceiling: simdjson on-demand iterate_many, every field of every record visited and its
// value decoded by type, no line checks, no validation, no Event.
void BM_SimdjsonIterateManyBaseline(benchmark::State& state) {
  simdjson::ondemand::parser parser;
  parser.threaded = false;
  for (auto _ : state) {
    simdjson::ondemand::document_stream stream;
    if (parser.iterate_many(Data().data(), DataLen(), 1 << 20).get(stream)) {
      state.SkipWithError("iterate_many failed");
      break;
    }
    uint64_t sum = 0;
    for (auto doc : stream) {
      simdjson::ondemand::object obj;
      if (doc.get_object().get(obj)) break;
      for (auto field : obj) {
        simdjson::ondemand::raw_json_string key;
        if (field.key().get(key)) break;
        sum += static_cast<unsigned char>(key.raw()[0]);
        simdjson::ondemand::value v;
        if (field.value().get(v)) break;
        switch (v.type()) {
          case simdjson::ondemand::json_type::number:
            sum += static_cast<uint64_t>(double(v.get_double()));
            break;
          case simdjson::ondemand::json_type::string:
            sum += std::string_view(v.get_string()).size();
            break;
          case simdjson::ondemand::json_type::boolean:
            sum += bool(v.get_bool());
            break;
          default:
            break;
        }
      }
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * DataLen()));
  // Stage 1 is dispatched at run time inside libsimdjson; the on-demand walk is compiled
  // into this binary for the builtin kernel named here.
  state.SetLabel(SIMDJSON_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION));
}
BENCHMARK(BM_SimdjsonIterateManyBaseline)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace inferscope
