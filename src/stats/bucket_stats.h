#ifndef INFERSCOPE_STATS_BUCKET_STATS_H_
#define INFERSCOPE_STATS_BUCKET_STATS_H_

#include <cstdint>
#include <utility>

#include "core/event.h"
#include "core/status.h"
#include "stats/dd_sketch.h"
#include "stats/event_counters.h"

namespace inferscope {

// Aggregates of the events of one key (e.g. one model) in one time bucket: the counters of
// EventCounters (counts, and a sum and a count per numeric field), and two sketches for
// percentiles: end-to-end latency and time to first token (TTFT). Mergeable,
// so coarser windows and fleet-wide ("*") series are merges of finer / per-model buckets.
//
// Size: ~580 bytes (of which ~210 per empty sketch) plus the sketches' bins: 1-4 KB each
// for a minute of a busy model (~2 KB each at 4 requests/s with the demo's spread), none
// for a model whose events carry no TTFT. Not thread-safe.
struct BucketStats : EventCounters {
  // Values of the events carrying kLatencyMs, and of those carrying kTtftMs (streaming
  // requests, typically).
  DDSketch latency_ms;
  DDSketch ttft_ms;
  static_assert(static_cast<int>(EventField::kLatencyMs) == 0);
  static_assert(static_cast<int>(EventField::kTtftMs) == 1);

  // The counters (EventCounters::Add, branch-free), then the sketches.
  void Add(const Event& event) {
    EventCounters::Add(event);
    const uint32_t mask = event.present_mask();
    if ((mask & 1u) != 0) latency_ms.Add(event.Get(EventField::kLatencyMs));
    // A branch, not a mask: whether events carry TTFT depends on the model (streaming or
    // not), so it is predicted right on runs of one model's events.
    if ((mask & 2u) != 0) ttft_ms.Add(event.Get(EventField::kTtftMs));
  }
  void Merge(const BucketStats& other);
  // Merge without the sketches (counters and sums only): for aggregates that never read
  // percentiles, at a fraction of the cost.
  void MergeCounters(const EventCounters& other) { EventCounters::Merge(other); }
  // Merge without the TTFT sketch (counters, sums and latency percentiles): for aggregates
  // that read latency percentiles only, such as trend windows.
  void MergeWithoutTtft(const BucketStats& other);

  // Serialisation (format: docs/format/segment.md, "BucketStats"), Writer/Reader as in
  // DDSketch::Save/Load. Save writes layout version 2 (the TTFT sketch after the latency
  // sketch); Load reads versions 1 (no TTFT sketch: loads as empty) and 2. Load validates
  // (field count, counters, the sketches) and leaves this bucket unchanged on error
  // (DataLoss).
  static constexpr uint8_t kLayoutVersion = 2;
  template <typename Writer>
  void Save(Writer& w) const {
    w.U8(kLayoutVersion);
    w.U64(requests);
    w.U64(errors);
    w.U64(timeouts);
    w.U32(static_cast<uint32_t>(kEventFieldCount));
    for (int f = 0; f < kEventFieldCount; ++f) {
      w.F64(sum[f]);
      w.U32(present[f]);
    }
    latency_ms.Save(w);
    ttft_ms.Save(w);
  }
  template <typename Reader>
  Status Load(Reader& r) {
    BucketStats b;
    uint8_t version = 0;
    uint32_t fields = 0;
    if (Status st = r.U8(&version); !st.ok()) return st;
    if (version != 1 && version != 2) {
      return Status::DataLoss("BucketStats: unknown layout version");
    }
    if (Status st = r.U64(&b.requests); !st.ok()) return st;
    if (Status st = r.U64(&b.errors); !st.ok()) return st;
    if (Status st = r.U64(&b.timeouts); !st.ok()) return st;
    if (Status st = r.U32(&fields); !st.ok()) return st;
    if (fields != static_cast<uint32_t>(kEventFieldCount)) {
      return Status::DataLoss("BucketStats: field count differs from this build's");
    }
    for (int f = 0; f < kEventFieldCount; ++f) {
      if (Status st = r.F64(&b.sum[f]); !st.ok()) return st;
      if (Status st = r.U32(&b.present[f]); !st.ok()) return st;
    }
    if (b.errors > b.requests || b.timeouts > b.errors) {
      return Status::DataLoss("BucketStats: errors/timeouts exceed requests");
    }
    if (Status st = b.latency_ms.Load(r); !st.ok()) return st;
    if (version >= 2) {
      if (Status st = b.ttft_ms.Load(r); !st.ok()) return st;
    }
    *this = std::move(b);
    return Status::Ok();
  }
};

}  // namespace inferscope

#endif  // INFERSCOPE_STATS_BUCKET_STATS_H_
