#ifndef INFERSCOPE_STATS_EVENT_COUNTERS_H_
#define INFERSCOPE_STATS_EVENT_COUNTERS_H_

#include <bit>
#include <cstdint>

#if defined(__SSE4_1__)
#include <smmintrin.h>
#endif

#include "core/event.h"

namespace inferscope {

// The additive aggregates of a set of events: how many, how many failed or timed out, and
// per numeric field the sum and the count of events carrying it (so averages ignore events
// lacking the field). Mergeable by addition. The counting half of BucketStats (which adds
// sketches), and on its own what the store keeps per user (store/user_counters.h).
// 168 bytes. Not thread-safe.
struct EventCounters {
  uint64_t requests = 0;
  uint64_t errors = 0;  // status != ok (includes timeouts)
  uint64_t timeouts = 0;
  double sum[kEventFieldCount] = {};
  uint32_t present[kEventFieldCount] = {};  // records carrying each field

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
  }

  void Merge(const EventCounters& other) {
    requests += other.requests;
    errors += other.errors;
    timeouts += other.timeouts;
    for (int f = 0; f < kEventFieldCount; ++f) {
      sum[f] += other.sum[f];
      present[f] += other.present[f];
    }
  }

  // Takes out `part`, the counters of a subset of the events counted here (the rest of a
  // total once some members are shown apart). Counts clamp at zero should `part` not be a
  // subset; a field no event is left carrying gets sum 0, not a rounding residue.
  void Subtract(const EventCounters& part);

  // Mean of a field over the records carrying it; NaN when none did.
  double Mean(EventField field) const;
  double Sum(EventField field) const { return sum[static_cast<int>(field)]; }
  uint32_t Present(EventField field) const { return present[static_cast<int>(field)]; }
};

}  // namespace inferscope

#endif  // INFERSCOPE_STATS_EVENT_COUNTERS_H_
