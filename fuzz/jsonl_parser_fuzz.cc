// Fuzzes JsonlParser::ParseBuffer three ways and checks that they agree exactly (events
// field by field, rejected line numbers and reasons, line counts):
//   1. the whole buffer with the line scanner (the hand-written fast path);
//   2. the whole buffer with simdjson only (the stream fast path);
//   3. each line as its own buffer with simdjson only.
// 1 == 2 checks the line scanner against simdjson; 2 == 3 checks the stream path against
// the line-by-line path.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/jsonl_parser.h"

namespace {

using inferscope::Event;
using inferscope::EventField;

// Touches every field (so ASan sees every view) and writes the event down exactly (doubles
// by their bits, so -0.0 and 0.0 differ).
class RecordingSink : public inferscope::EventSink {
 public:
  void OnEvent(const Event& e) override {
    std::string r;
    auto add = [&r](std::string_view s) {
      r += std::to_string(s.size());
      r += ':';
      r.append(s.data(), s.size());
    };
    auto add_bits = [&r](const void* p) {
      char bits[8];
      std::memcpy(bits, p, 8);
      r.append(bits, 8);
    };
    add_bits(&e.timestamp_ns);
    r += static_cast<char>(e.status);
    for (std::string_view s : {e.request_id, e.model, e.status_text, e.cache_tier, e.task_type,
                               e.user, e.service, e.trace_id, e.span_id, e.parent_span_id}) {
      add(s);
    }
    r += '|';
    for (const auto& [k, v] : e.attributes) {
      add(k);
      add(v);
    }
    r += '|';
    for (int f = 0; f < inferscope::kEventFieldCount; ++f) {
      auto field = static_cast<EventField>(f);
      r += e.Has(field) ? '1' : '0';
      if (e.Has(field)) {
        double v = e.Get(field);
        add_bits(&v);
      }
    }
    events.push_back(std::move(r));
  }
  std::vector<std::string> events;
};

struct Outcome {
  RecordingSink sink;
  inferscope::RejectLog rejects{SIZE_MAX};
  uint64_t lines = 0;
  uint64_t newlines = 0;
};

void Parse(inferscope::JsonlParser& parser, std::string_view text, uint64_t first_line,
           char padding, Outcome& out) {
  std::string padded(text);
  padded.append(inferscope::kJsonlPadding, padding);
  inferscope::JsonlParser::Counts c =
      parser.ParseBuffer(padded.data(), text.size(), "fuzz", first_line, out.sink, out.rejects);
  out.lines += c.lines;
  out.newlines += parser.newlines_in_last_buffer();
}

void ExpectSame(const Outcome& a, const Outcome& b) {
  if (a.sink.events != b.sink.events || a.lines != b.lines || a.newlines != b.newlines ||
      a.rejects.first().size() != b.rejects.first().size()) {
    __builtin_trap();
  }
  for (size_t i = 0; i < a.rejects.first().size(); ++i) {
    if (a.rejects.first()[i].line != b.rejects.first()[i].line ||
        a.rejects.first()[i].reason != b.rejects.first()[i].reason) {
      __builtin_trap();
    }
  }
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
  // The padding's content must not matter; vary it with the input.
  const char padding = size > 0 && (data[size - 1] & 1) ? '1' : '"';

  inferscope::JsonlParser scanner_parser(options);
  Outcome scanned;
  Parse(scanner_parser, text, 1, padding, scanned);

  options.line_scanner = false;
  inferscope::JsonlParser whole_parser(options), line_parser(options);
  Outcome whole;
  Parse(whole_parser, text, 1, padding, whole);

  Outcome by_line;
  uint64_t line_no = 1;
  for (size_t pos = 0; pos <= size;) {
    const void* nl = std::memchr(text.data() + pos, '\n', size - pos);
    size_t end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - text.data()) : size;
    Parse(line_parser, text.substr(pos, end - pos), line_no, padding, by_line);
    if (!nl) break;
    pos = end + 1;
    ++line_no;
  }
  by_line.newlines = line_no - 1;

  ExpectSame(scanned, whole);
  ExpectSame(whole, by_line);
  return 0;
}
