// Fuzzes JsonlParser::ParseBuffer and checks it against itself: parsing the whole buffer
// (simdjson's stream fast path) must accept and reject exactly what parsing each line as
// its own buffer does, with the same line numbers.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/jsonl_parser.h"

namespace {

using inferscope::Event;
using inferscope::EventField;

// Touches every field (so ASan sees every view) and fingerprints the event.
class FingerprintSink : public inferscope::EventSink {
 public:
  void OnEvent(const Event& e) override {
    size_t h = std::hash<int64_t>()(e.timestamp_ns) ^ static_cast<size_t>(e.status);
    for (std::string_view s : {e.request_id, e.model, e.status_text, e.cache_tier, e.task_type,
                               e.user, e.service, e.trace_id, e.span_id, e.parent_span_id}) {
      h = h * 31 + std::hash<std::string_view>()(s);
    }
    for (const auto& [k, v] : e.attributes) {
      h = h * 31 + std::hash<std::string_view>()(k) + std::hash<std::string_view>()(v);
    }
    for (int f = 0; f < inferscope::kEventFieldCount; ++f) {
      auto field = static_cast<EventField>(f);
      if (e.Has(field)) h = h * 31 + std::hash<double>()(e.Get(field)) + static_cast<size_t>(f);
    }
    prints.push_back(h);
  }
  std::vector<size_t> prints;
};

struct Outcome {
  std::vector<size_t> prints;
  std::vector<uint64_t> reject_lines;
  uint64_t lines = 0;
};

void Parse(inferscope::JsonlParser& parser, std::string_view text, uint64_t first_line,
           FingerprintSink& sink, inferscope::RejectLog& rejects, uint64_t* lines) {
  std::string padded(text);
  padded.append(inferscope::kJsonlPadding, '\0');
  inferscope::JsonlParser::Counts c =
      parser.ParseBuffer(padded.data(), text.size(), "fuzz", first_line, sink, rejects);
  *lines += c.lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  inferscope::JsonlParserOptions options;
  options.keep_attributes = size > 0 && data[0] == ' ';
  if (size > 1 && data[1] == ' ') {
    options.mapping =
        inferscope::FieldMapping::FromSpecs({"input_tokens=usage.prompt", "model=a.b.c"}).value();
  }
  inferscope::JsonlParser whole_parser(options), line_parser(options);

  FingerprintSink whole_sink;
  inferscope::RejectLog whole_rejects(SIZE_MAX);
  uint64_t whole_lines = 0;
  Parse(whole_parser, text, 1, whole_sink, whole_rejects, &whole_lines);

  FingerprintSink line_sink;
  inferscope::RejectLog line_rejects(SIZE_MAX);
  uint64_t line_lines = 0;
  uint64_t line_no = 1;
  for (size_t pos = 0; pos <= size;) {
    const void* nl = std::memchr(text.data() + pos, '\n', size - pos);
    size_t end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - text.data()) : size;
    Parse(line_parser, text.substr(pos, end - pos), line_no, line_sink, line_rejects, &line_lines);
    if (!nl) break;
    pos = end + 1;
    ++line_no;
  }
  if (whole_parser.newlines_in_last_buffer() != line_no - 1) __builtin_trap();

  if (whole_sink.prints != line_sink.prints || whole_lines != line_lines ||
      whole_rejects.first().size() != line_rejects.first().size()) {
    __builtin_trap();
  }
  for (size_t i = 0; i < whole_rejects.first().size(); ++i) {
    if (whole_rejects.first()[i].line != line_rejects.first()[i].line ||
        whole_rejects.first()[i].reason != line_rejects.first()[i].reason) {
      __builtin_trap();
    }
  }
  return 0;
}
