#ifndef INFERSCOPE_STATS_BUCKET_STATS_H_
#define INFERSCOPE_STATS_BUCKET_STATS_H_

#include <bit>
#include <cstdint>
#include <utility>

#if defined(__SSE4_1__)
#include <smmintrin.h>
#endif

#include "core/event.h"
#include "core/status.h"
#include "stats/dd_sketch.h"

namespace inferscope {

// Aggregates of the events of one key (e.g. one model) in one time bucket: counters, a sum
// and a count per numeric field (so averages ignore records lacking the field), and two
// sketches for percentiles: end-to-end latency and time to first token (TTFT). Mergeable,
// so coarser windows and fleet-wide ("*") series are merges of finer / per-model buckets.
//
// Size: ~580 bytes (of which ~210 per empty sketch) plus the sketches' bins: 1-4 KB each
// for a minute of a busy model (~2 KB each at 4 requests/s with the demo's spread), none
// for a model whose events carry no TTFT. Not thread-safe.
struct BucketStats {
  uint64_t requests = 0;
  uint64_t errors = 0;  // status != ok (includes timeouts)
  uint64_t timeouts = 0;
  double sum[kEventFieldCount] = {};
  uint32_t present[kEventFieldCount] = {};  // records carrying each field
  // Values of the events carrying kLatencyMs, and of those carrying kTtftMs (streaming
  // requests, typically).
  DDSketch latency_ms;
  DDSketch ttft_ms;
  static_assert(static_cast<int>(EventField::kLatencyMs) == 0);
  static_assert(static_cast<int>(EventField::kTtftMs) == 1);

  // Inline and branch-free: every field is added (absent ones add +0.0 and count 0), with
  // the presence bits expanded into SSE lane masks where SSE4.1 is there (x86-64-v2), a
  // fixed unrolled loop otherwise; the same IEEE additions either way.
  void Add(const Event& event) {
    ++requests;
    errors += event.status != EventStatus::kOk ? 1 : 0;
    timeouts += event.status == EventStatus::kTimeout ? 1 : 0;
    const uint32_t mask = event.present_mask();
#if defined(__SSE4_1__)
    static_assert(kEventFieldCount % 4 == 0);
    const __m128i mask32 = _mm_set1_epi32(static_cast<int>(mask));
    // Unrolled, so that the lane bits are constants rather than shifts computed per event.
#pragma GCC unroll 16
    for (int f = 0; f < kEventFieldCount; f += 4) {
      const __m128i bits = _mm_set_epi32(8 << f, 4 << f, 2 << f, 1 << f);
      const __m128i has = _mm_cmpeq_epi32(_mm_and_si128(mask32, bits), bits);  // -1: present
      auto* dst = reinterpret_cast<__m128i*>(present + f);
      _mm_storeu_si128(dst, _mm_sub_epi32(_mm_loadu_si128(dst), has));
    }
    const __m128i mask64 = _mm_set1_epi64x(mask);
#pragma GCC unroll 16
    for (int f = 0; f < kEventFieldCount; f += 2) {
      const __m128i bits = _mm_set_epi64x(int64_t{2} << f, int64_t{1} << f);
      const __m128d has = _mm_castsi128_pd(_mm_cmpeq_epi64(_mm_and_si128(mask64, bits), bits));
      const __m128d v = _mm_set_pd(event.Get(static_cast<EventField>(f + 1)),
                                   event.Get(static_cast<EventField>(f)));
      _mm_storeu_pd(sum + f, _mm_add_pd(_mm_loadu_pd(sum + f), _mm_and_pd(v, has)));
    }
#else
#pragma GCC unroll 16
    for (int f = 0; f < kEventFieldCount; ++f) {
      const uint32_t has = (mask >> f) & 1u;
      // An absent field adds +0.0 (the bits masked off, whatever the slot holds), which
      // leaves a sum unchanged: it is never -0.0, as it starts at +0.0.
      const uint64_t bits =
          std::bit_cast<uint64_t>(event.Get(static_cast<EventField>(f))) & (uint64_t{0} - has);
      sum[f] += std::bit_cast<double>(bits);
      present[f] += has;
    }
#endif
    if ((mask & 1u) != 0) latency_ms.Add(event.Get(EventField::kLatencyMs));
    // A branch, not a mask: whether events carry TTFT depends on the model (streaming or
    // not), so it is predicted right on runs of one model's events.
    if ((mask & 2u) != 0) ttft_ms.Add(event.Get(EventField::kTtftMs));
  }
  void Merge(const BucketStats& other);
  // Merge without the sketches (counters and sums only): for aggregates that never read
  // percentiles, at a fraction of the cost.
  void MergeCounters(const BucketStats& other);
  // Merge without the TTFT sketch (counters, sums and latency percentiles): for aggregates
  // that read latency percentiles only, such as trend windows.
  void MergeWithoutTtft(const BucketStats& other);

  // Mean of a field over the records carrying it; NaN when none did.
  double Mean(EventField field) const;
  double Sum(EventField field) const { return sum[static_cast<int>(field)]; }
  uint32_t Present(EventField field) const { return present[static_cast<int>(field)]; }

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
