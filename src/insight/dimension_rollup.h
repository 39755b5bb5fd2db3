#ifndef INFERSCOPE_INSIGHT_DIMENSION_ROLLUP_H_
#define INFERSCOPE_INSIGHT_DIMENSION_ROLLUP_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "insight/share_shift.h"

namespace inferscope {

// The categorical dimensions whose share of requests and cost anomalies are explained by.
inline constexpr int kDimensionCount = 4;
inline constexpr std::array<std::string_view, kDimensionCount> kDimensionNames = {
    "user", "task_type", "cache_tier", "service"};

// Interns the values of one dimension as small ids. Bounded: past `max_values` distinct
// values, new values all map to kOverflow (counted as "other"). Memory: the value strings
// plus 8 bytes per hash slot (at most half full). Not thread-safe.
class ValueDictionary {
 public:
  static constexpr uint32_t kNone = 0xFFFFFFFF;      // no value (empty string)
  static constexpr uint32_t kOverflow = 0xFFFFFFFE;  // past max_values

  explicit ValueDictionary(size_t max_values = 65536) : max_values_(max_values) {}

  // Inline fast path: one hash, usually one probe, a 32-bit tag check and one compare.
  [[gnu::always_inline]] uint32_t Intern(std::string_view value) {
    if (value.empty()) return kNone;
    const uint64_t h = Hash(value);
    if (!slots_.empty()) [[likely]] {
      const size_t mask = slots_.size() - 1;
      const auto tag = static_cast<uint32_t>(h >> 32);
      for (size_t i = h & mask;; i = (i + 1) & mask) {
        const Slot s = slots_[i];
        if (s.id_plus_one == 0) break;
        if (s.tag == tag && Equal(names_[s.id_plus_one - 1], value)) return s.id_plus_one - 1;
      }
    }
    return InternSlow(value, h);
  }
  std::string_view Name(uint32_t id) const { return names_[id]; }
  size_t size() const { return names_.size(); }

  // Interns every value of `other` here, in its id order; returns, per id of `other`, the id
  // here (kOverflow for values past this dictionary's bound).
  std::vector<uint32_t> MergeFrom(const ValueDictionary& other);
  // `id` of a dictionary merged with MergeFrom, translated; kNone and kOverflow stay.
  static uint32_t Remap(const std::vector<uint32_t>& map, uint32_t id) {
    return id < map.size() ? map[id] : id;
  }

  // Short values (user ids, task types, tiers) hash from their first and last 4 or 8
  // bytes, longer ones in full; then MurmurHash3's fmix64 finaliser, so every input bit
  // reaches the low bits the table uses ("user-012" and "user-013" do not collide).
  [[gnu::always_inline]] static uint64_t Hash(std::string_view s) {
    const size_t n = s.size();
    const char* p = s.data();
    uint64_t h;
    if (n >= 8) {
      h = Load64(p) * 0x9E3779B97F4A7C15ULL ^ Load64(p + n - 8) * 0xC2B2AE3D27D4EB4FULL;
      if (n > 16) [[unlikely]] {
        h ^= LongHash(s);
      }
    } else if (n >= 4) {
      h = (uint64_t{Load32(p)} << 32 | Load32(p + n - 4)) * 0x9E3779B97F4A7C15ULL;
    } else {
      h = 0;
      for (size_t i = 0; i < n; ++i) h = h << 8 | static_cast<unsigned char>(p[i]);
      h *= 0x9E3779B97F4A7C15ULL;
    }
    h ^= n;
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    return h ^ (h >> 33);
  }

 private:
  struct Slot {
    uint32_t tag = 0;          // high half of the value's hash
    uint32_t id_plus_one = 0;  // 0 when free
  };
  static uint64_t Load64(const char* p) {
    uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static uint32_t Load32(const char* p) {
    uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  // Values are short: compared with a few overlapping word loads instead of a memcmp call.
  [[gnu::always_inline]] static bool Equal(std::string_view a, std::string_view b) {
    const size_t n = a.size();
    if (n != b.size()) return false;
    const char* x = a.data();
    const char* y = b.data();
    if (n >= 8) {
      if (Load64(x) != Load64(y) || Load64(x + n - 8) != Load64(y + n - 8)) return false;
      return n <= 16 || std::memcmp(x + 8, y + 8, n - 16) == 0;
    }
    if (n >= 4) return Load32(x) == Load32(y) && Load32(x + n - 4) == Load32(y + n - 4);
    for (size_t i = 0; i < n; ++i) {
      if (x[i] != y[i]) return false;
    }
    return true;
  }
  static uint64_t LongHash(std::string_view s);
  uint32_t InternSlow(std::string_view value, uint64_t hash);
  void Insert(uint32_t id, uint64_t hash);

  size_t max_values_;
  std::vector<std::string> names_;
  std::vector<Slot> slots_;  // open addressing, linear probing, at most half full
};
using DimensionDictionaries = std::array<ValueDictionary, kDimensionCount>;
// Per dimension, ids of one set of dictionaries -> ids of another (ValueDictionary::MergeFrom).
using DimensionIdMaps = std::array<std::vector<uint32_t>, kDimensionCount>;

// Per time bucket, for each dimension, the (sampled) requests and cost of at most kSlots
// values; the rest is lumped as "other". When a new value finds the slots full, the value
// with the fewest requests moves to "other" and the newcomer takes its slot (so values that
// recur, the heavy hitters, keep theirs).
struct DimensionBucket {
  static constexpr int kSlots = 8;
  struct Slot {
    uint32_t id = 0;
    uint32_t requests = 0;
    double cost = 0;
  };
  struct Dimension {
    std::array<Slot, kSlots> slots;
    uint32_t used = 0;
    uint32_t other_requests = 0;
    double other_cost = 0;
    void Add(uint32_t id, uint32_t n, double c) {
      for (uint32_t i = 0; i < used; ++i) {
        if (slots[i].id == id) {
          slots[i].requests += n;
          slots[i].cost += c;
          return;
        }
      }
      AddNew(id, n, c);
    }
    void AddNew(uint32_t id, uint32_t n, double c);
  };
  uint32_t requests = 0;  // sampled requests in the bucket (with or without values)
  double cost = 0;
  std::array<Dimension, kDimensionCount> dims;

  void Merge(const DimensionBucket& other);
  // The same, with `other`'s value ids translated through `maps`.
  void Merge(const DimensionBucket& other, const DimensionIdMaps& maps);
};

// Sums of buckets over a period, by dimension: sampled requests and cost per value id.
struct DimensionTotals {
  uint64_t requests = 0;
  double cost = 0;
  std::array<std::unordered_map<uint32_t, ShareCount>, kDimensionCount> values;
  std::array<ShareCount, kDimensionCount> other;  // values not kept per bucket
};

// Time-bucketed DimensionBuckets for one model, fed a sample of its events. Buckets exist
// only where sampled events fell; past `max_buckets` the width doubles and neighbours merge
// (as TimeRollup). Memory: at most max_buckets x (kBytesPerBucket + hash-node overhead).
class DimensionRollup {
 public:
  static constexpr size_t kBytesPerBucket = sizeof(DimensionBucket);

  explicit DimensionRollup(int64_t width_ns, size_t max_buckets = 100'000);

  // `ids`: one per dimension, ValueDictionary::kNone when the event has no value.
  void Add(TimestampNs ts, const std::array<uint32_t, kDimensionCount>& ids, double cost) {
    if (ts < last_start_ || ts >= last_end_) [[unlikely]] {
      SetLast(ts);
    }
    DimensionBucket& b = *last_;
    ++b.requests;
    b.cost += cost;
    for (int d = 0; d < kDimensionCount; ++d) b.dims[d].Add(ids[d], 1, cost);
  }
  // Coarsens to a width that is a multiple of the current one (no-op if smaller or equal).
  void Coarsen(int64_t new_width_ns);
  // Adds another rollup's buckets (the coarser width wins), its value ids translated through
  // `maps` (from ValueDictionary::MergeFrom of the dictionaries it was fed with). Counts and
  // cost totals per bucket add exactly; which values keep a slot may differ from one rollup
  // fed every event (a slot is lost by the least-counted value at the time).
  void Merge(const DimensionRollup& other, const DimensionIdMaps& maps);
  // Adds the buckets starting in [from, to) to `out`.
  void Collect(TimestampNs from, TimestampNs to, DimensionTotals* out) const;

  int64_t width_ns() const { return width_ns_; }
  size_t bucket_count() const { return buckets_.size(); }

 private:
  int64_t width_ns_;
  size_t max_buckets_;
  std::unordered_map<int64_t, DimensionBucket> buckets_;
  void SetLast(TimestampNs ts);

  // The time range [last_start_, last_end_) of *last_; empty when there is none.
  TimestampNs last_start_ = INT64_MAX;
  TimestampNs last_end_ = INT64_MIN;
  DimensionBucket* last_ = nullptr;
};

// Share shifts between two periods for every dimension, largest first, value ids resolved
// through `dictionaries`. "other" mass counts in the totals but is never itself a finding.
std::vector<ShareShift> DimensionShareShifts(const DimensionTotals& window,
                                             const DimensionTotals& baseline,
                                             const DimensionDictionaries& dictionaries,
                                             const ShareShiftOptions& options = {});

}  // namespace inferscope

#endif  // INFERSCOPE_INSIGHT_DIMENSION_ROLLUP_H_
