// Fuzzes OtlpJsonTraceParser: no crash, leak or sanitizer report on any body; every Event
// holds the invariants CheckingSink checks; counts agree with what reached the sink; a
// refused body hands nothing to the sink; parsing the same body again with a reused parser
// gives the same result. The first byte picks tight or default limits so the limit paths
// are reached with small inputs.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/otlp_json_trace_parser.h"
#include "otlp_fuzz_support.h"

using inferscope::fuzz::Check;
using inferscope::fuzz::CheckingSink;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  inferscope::OtlpLimits limits;
  if (size > 0 && (data[0] & 1)) {
    limits.max_attribute_bytes = 64;
    limits.max_attributes = 4;
    limits.max_value_depth = 2;
    limits.keep_rejects = 2;
  }
  inferscope::OtlpJsonTraceParser parser(limits);
  CheckingSink first, second;
  auto a = parser.Parse(body, first);
  auto b = parser.Parse(body, second);
  Check(a.ok() == b.ok());
  Check(first.events == second.events);
  if (!a.ok()) {
    Check(first.events.empty());
    return 0;
  }
  Check(a->accepted == first.events.size());
  Check(a->accepted == b->accepted && a->rejected == b->rejected);
  Check(a->first_rejects.size() == std::min<uint64_t>(a->rejected, limits.keep_rejects));
  Check(a->PartialSuccessMessage() == b->PartialSuccessMessage());
  Check(a->rejected == 0 || !a->PartialSuccessMessage().empty());
  return 0;
}
