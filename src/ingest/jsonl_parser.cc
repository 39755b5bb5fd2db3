#include "ingest/jsonl_parser.h"

#include <emmintrin.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "core/time_format.h"
#include "ingest/json_number.h"
#include "ingest/ondemand_double.h"

// Design (format: docs/log-format.md).
//
// Line scanner (ScanRun): a hand-written, strict reader for the common line, a flat object
// whose keys and our fields' values carry no escapes. It takes a line only when it is sure
// simdjson would accept it with the same Event (it checks UTF-8 inside strings and accepts
// only ASCII JSON grammar outside them); for anything else, and for every record the
// parser would reject, it hands the line to the slow path below. Lines without their '\n'
// (the buffer's last) go to simdjson too, so the scanner never reads more than 16 bytes
// past a line's '\n'. fuzz/jsonl_parser_fuzz.cc checks it against simdjson.
//
// Stream path (FastRun): simdjson's iterate_many over the rest of the buffer, for what
// the scanner leaves. iterate_many sees a stream of JSON documents, not lines, so every
// document is checked to be exactly one line: it must start at the first non-blank byte of
// the next unread line, and the next structural character after it must lie beyond that
// line's '\n' with only blanks in between. Only records that pass every check are emitted
// from the stream path.
//
// Slow path (SlowLine): one line at a time with a second parser (parser.iterate on the
// line). It is the single source of truth for rejects: any record the other paths would
// reject, any document the stream cannot place on one line, and any stream error, is
// handed to it. After a stream error the slow path runs for a while (a budget that grows
// while errors keep coming) and then the stream restarts at the next line, so one bad line
// costs little and a file of garbage does not restart the stream for every line.

namespace inferscope {
namespace {

namespace od = simdjson::ondemand;

// Window of iterate_many's stage 1. Lines longer than this fall back to the slow path.
constexpr size_t kBatchBytes = 1 << 20;
constexpr size_t kMinSlowBudget = 64 << 10;
constexpr size_t kMaxSlowBudget = size_t{64} << 20;
// A fast run shorter than this before failing again counts as "errors keep coming".
constexpr size_t kShortFastRun = 1 << 20;
// Line scanner: nesting it follows in unknown values; a line it hands to simdjson costs
// kBailCost, a line it takes pays back 1, and at kMaxBailScore the next kBatchBytes go
// through the simdjson stream instead (input the scanner rarely takes).
constexpr int kMaxSkipDepth = 32;
constexpr uint32_t kBailCost = 16;
constexpr uint32_t kMaxBailScore = 512;

// Our fields. The first kEventFieldCount values are the numeric EventFields, in order.
enum Target : uint8_t {
  kTimestamp = kEventFieldCount,
  kStatus,
  kRequestId,
  kModel,
  kCacheTier,
  kTaskType,
  kUser,
  kService,
  kTraceId,
  kSpanId,
  kParentSpanId,
  kTargetCount,
};

// Where a value came from, lowest wins least: a --map entry beats our canonical name,
// which beats an alias. Equal priority: the later field in the record wins.
enum Priority : uint8_t { kNone = 0, kAlias, kCanonical, kUserMap };

constexpr uint8_t N(EventField f) { return static_cast<uint8_t>(f); }

// Targets that an alias can also set: the only ones whose source priority the line scanner
// tracks (it never sees a --map value: records with a --map key go to simdjson).
constexpr bool HasAliases(uint8_t target) {
  return target == kTimestamp || target == kModel || target == N(EventField::kLatencyMs);
}

// Numeric targets whose only check is "not negative" and that have no alias (most of them):
// the line scanner's shortest path.
constexpr bool IsPlainNumber(uint8_t target) {
  return target < kEventFieldCount && !HasAliases(target) && target != N(EventField::kCacheHit) &&
         target != N(EventField::kGpuUtil) && target != N(EventField::kBatchFillRatio) &&
         target != N(EventField::kQualityScore);
}

struct FieldSpec {
  std::string_view name;  // as written in the record (or the --map path), for messages
  uint8_t target;
  uint8_t priority;
  bool latency_alias;  // the `latency` alias, in FieldMapping::latency_unit
  bool ranked = HasAliases(target);
  bool plain = IsPlainNumber(target);
};

constexpr FieldSpec F(std::string_view name, uint8_t target, uint8_t prio = kCanonical) {
  return FieldSpec{name, target, prio, false};
}

constexpr FieldSpec kTimestampSpec = F("timestamp", kTimestamp);
constexpr FieldSpec kTsSpec = F("ts", kTimestamp, kAlias);
constexpr FieldSpec kTimeSpec = F("time", kTimestamp, kAlias);
constexpr FieldSpec kTaskTypeSpec = F("task_type", kTaskType);
constexpr FieldSpec kTraceIdSpec = F("trace_id", kTraceId);
constexpr FieldSpec kTtftSpec = F("ttft_ms", N(EventField::kTtftMs));
constexpr FieldSpec kRequestIdSpec = F("request_id", kRequestId);
constexpr FieldSpec kModelSpec = F("model", kModel);
constexpr FieldSpec kModelNameSpec = F("model_name", kModel, kAlias);
constexpr FieldSpec kMemorySpec = F("memory_used_gb", N(EventField::kMemoryUsedGb));
constexpr FieldSpec kLatencyMsSpec = F("latency_ms", N(EventField::kLatencyMs));
constexpr FieldSpec kLatencySpec{"latency", N(EventField::kLatencyMs), kAlias, true};
constexpr FieldSpec kDurationSpec = F("duration_ms", N(EventField::kLatencyMs), kAlias);
constexpr FieldSpec kBatchSizeSpec = F("batch_size", N(EventField::kBatchSize));
constexpr FieldSpec kBatchFillSpec = F("batch_fill_ratio", N(EventField::kBatchFillRatio));
constexpr FieldSpec kStatusSpec = F("status", kStatus);
constexpr FieldSpec kServiceSpec = F("service", kService);
constexpr FieldSpec kSpanIdSpec = F("span_id", kSpanId);
constexpr FieldSpec kGpuSpec = F("gpu_util", N(EventField::kGpuUtil));
constexpr FieldSpec kInputSpec = F("input_tokens", N(EventField::kInputTokens));
constexpr FieldSpec kOutputSpec = F("output_tokens", N(EventField::kOutputTokens));
constexpr FieldSpec kCostSpec = F("cost_usd", N(EventField::kCostUsd));
constexpr FieldSpec kCacheHitSpec = F("cache_hit", N(EventField::kCacheHit));
constexpr FieldSpec kCacheTierSpec = F("cache_tier", kCacheTier);
constexpr FieldSpec kQueueSpec = F("queue_depth", N(EventField::kQueueDepth));
constexpr FieldSpec kQualitySpec = F("quality_score", N(EventField::kQualityScore));
constexpr FieldSpec kUserSpec = F("user", kUser);
constexpr FieldSpec kParentSpanSpec = F("parent_span_id", kParentSpanId);

// The scanner's range check of a numeric field's value (ReadNumber words the rejects):
// nothing negative but quality_score, gpu_util a percentage, batch_fill_ratio a ratio.
// cache_hit (0 or 1) is checked apart.
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kMinValue[kEventFieldCount] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -kInf};
constexpr double kMaxValue[kEventFieldCount] = {kInf, kInf, kInf, kInf, kInf, kInf,
                                                1,    100,  kInf, kInf, 1,    kInf};
static_assert(static_cast<int>(EventField::kQualityScore) == 11 &&
              static_cast<int>(EventField::kGpuUtil) == 7 &&
              static_cast<int>(EventField::kBatchFillRatio) == 6);

// True when the raw key (bytes after the opening quote) is exactly `name`. Reads at most
// sizeof(name) bytes: safe for our short names thanks to the buffer's padding. The length
// is a constant, so the compare is a couple of loads, not a memcmp call.
template <size_t N>
inline bool KeyIs(const char* key, const char (&name)[N]) {
  return std::memcmp(key, name, N - 1) == 0 && key[N - 1] == '"';
}

// Dispatch on the first byte, then compare a handful of candidates.
const FieldSpec* LookupBuiltin(const char* key) {
  switch (key[0]) {
    case 't':
      if (KeyIs(key, "timestamp")) return &kTimestampSpec;
      if (KeyIs(key, "ts")) return &kTsSpec;
      if (KeyIs(key, "time")) return &kTimeSpec;
      if (KeyIs(key, "task_type")) return &kTaskTypeSpec;
      if (KeyIs(key, "trace_id")) return &kTraceIdSpec;
      if (KeyIs(key, "ttft_ms")) return &kTtftSpec;
      return nullptr;
    case 'r':
      return KeyIs(key, "request_id") ? &kRequestIdSpec : nullptr;
    case 'm':
      if (KeyIs(key, "model")) return &kModelSpec;
      if (KeyIs(key, "model_name")) return &kModelNameSpec;
      if (KeyIs(key, "memory_used_gb")) return &kMemorySpec;
      return nullptr;
    case 'l':
      if (KeyIs(key, "latency_ms")) return &kLatencyMsSpec;
      if (KeyIs(key, "latency")) return &kLatencySpec;
      return nullptr;
    case 'd':
      return KeyIs(key, "duration_ms") ? &kDurationSpec : nullptr;
    case 'b':
      if (KeyIs(key, "batch_size")) return &kBatchSizeSpec;
      if (KeyIs(key, "batch_fill_ratio")) return &kBatchFillSpec;
      return nullptr;
    case 's':
      if (KeyIs(key, "status")) return &kStatusSpec;
      if (KeyIs(key, "service")) return &kServiceSpec;
      if (KeyIs(key, "span_id")) return &kSpanIdSpec;
      return nullptr;
    case 'g':
      return KeyIs(key, "gpu_util") ? &kGpuSpec : nullptr;
    case 'i':
      return KeyIs(key, "input_tokens") ? &kInputSpec : nullptr;
    case 'o':
      return KeyIs(key, "output_tokens") ? &kOutputSpec : nullptr;
    case 'c':
      if (KeyIs(key, "cost_usd")) return &kCostSpec;
      if (KeyIs(key, "cache_hit")) return &kCacheHitSpec;
      if (KeyIs(key, "cache_tier")) return &kCacheTierSpec;
      return nullptr;
    case 'q':
      if (KeyIs(key, "queue_depth")) return &kQueueSpec;
      if (KeyIs(key, "quality_score")) return &kQualitySpec;
      return nullptr;
    case 'u':
      return KeyIs(key, "user") ? &kUserSpec : nullptr;
    case 'p':
      return KeyIs(key, "parent_span_id") ? &kParentSpanSpec : nullptr;
    default:
      return nullptr;
  }
}

uint8_t TargetFromName(std::string_view name) {
  for (int f = 0; f < kEventFieldCount; ++f) {
    if (EventFieldName(static_cast<EventField>(f)) == name) return static_cast<uint8_t>(f);
  }
  if (name == "timestamp") return kTimestamp;
  if (name == "status") return kStatus;
  if (name == "request_id") return kRequestId;
  if (name == "model") return kModel;
  if (name == "cache_tier") return kCacheTier;
  if (name == "task_type") return kTaskType;
  if (name == "user") return kUser;
  if (name == "service") return kService;
  if (name == "trace_id") return kTraceId;
  if (name == "span_id") return kSpanId;
  if (name == "parent_span_id") return kParentSpanId;
  return kTargetCount;
}

// Event's string members by target, kRequestId first (the order of Target).
constexpr std::string_view Event::*kStringMembers[] = {
    &Event::request_id, &Event::model,    &Event::cache_tier, &Event::task_type,     &Event::user,
    &Event::service,    &Event::trace_id, &Event::span_id,    &Event::parent_span_id};
static_assert(kParentSpanId - kRequestId + 1 == std::size(kStringMembers));

// The string member for a string target (kRequestId..kParentSpanId).
inline std::string_view* StringMember(Event& e, uint8_t target) {
  return &(e.*kStringMembers[target - kRequestId]);
}

inline bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

bool AllBlank(const char* p, const char* end) {
  for (; p < end; ++p) {
    if (!IsBlank(*p) && *p != '\n') return false;
  }
  return true;
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (IsBlank(s.back()) || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

const char* TypeName(od::json_type t) {
  switch (t) {
    case od::json_type::array:
      return "an array";
    case od::json_type::object:
      return "an object";
    case od::json_type::number:
      return "a number";
    case od::json_type::string:
      return "a string";
    case od::json_type::boolean:
      return "a boolean";
    case od::json_type::null:
      return "null";
  }
  return "an unknown value";
}

// True when p[0, n) holds a backslash. Reads whole 8-byte words, up to 7 bytes past the
// end: always inside the record or the buffer's padding.
inline bool HasBackslash(const char* p, size_t n) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  for (size_t i = 0; i < n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    uint64_t x = w ^ (kOnes * '\\');
    uint64_t hit = (x - kOnes) & ~x & kHighs;  // high bit set in bytes equal to '\\'
    if (n - i < 8) hit &= (uint64_t{1} << (8 * (n - i))) - 1;
    if (hit != 0) return true;
  }
  return false;
}

// Length of a raw key (bytes after its opening quote up to the closing one).
size_t RawKeyLength(const char* key) {
  size_t n = 0;
  while (key[n] != '"') n += key[n] == '\\' ? 2 : 1;
  return n;
}

// Epoch integer to ns with the magnitude rule of EpochNumberToNs, exactly (no double
// rounding for ns and us values).
bool IntEpochToNs(int64_t v, TimestampNs* out) {
  uint64_t a = v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  int64_t mult = a < 100'000'000'000ULL           ? kNanosPerSecond
                 : a < 100'000'000'000'000ULL     ? kNanosPerMilli
                 : a < 100'000'000'000'000'000ULL ? kNanosPerMicro
                                                  : 1;
  return !__builtin_mul_overflow(v, mult, out);
}

// A string timestamp: ISO-8601, or a numeric string read as an epoch number.
Result<TimestampNs> TimestampFromString(std::string_view s) {
  bool iso = s.size() >= 10 && s[4] == '-';
  if (!iso && !s.empty()) {
    const char* end = s.data() + s.size();
    int64_t i = 0;
    auto [ip, iec] = std::from_chars(s.data(), end, i);
    if (iec == std::errc() && ip == end) {
      TimestampNs ns = 0;
      if (!IntEpochToNs(i, &ns)) return Status::InvalidArgument("timestamp out of range");
      return ns;
    }
    double d = 0;
    auto [dp, dec] = std::from_chars(s.data(), end, d, std::chars_format::fixed);
    if (dec == std::errc() && dp == end) return EpochNumberToNs(d);
  }
  return ParseIso8601(s);
}

bool EqualsLower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

EventStatus StatusFromCode(int64_t code) {
  if (code == 408 || code == 504) return EventStatus::kTimeout;
  return code >= 0 && code < 400 ? EventStatus::kOk : EventStatus::kError;
}

EventStatus StatusFromText(std::string_view s) {
  if (s.size() == 2 && s[0] == 'o' && s[1] == 'k') return EventStatus::kOk;  // the common case
  if (!s.empty() && s[0] >= '0' && s[0] <= '9') {
    int64_t code = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), code);
    if (ec == std::errc() && ptr == s.data() + s.size()) return StatusFromCode(code);
    // "2xx" / "3xx" style classes.
    if (s.size() == 3 && EqualsLower(s.substr(1), "xx")) {
      return s[0] == '2' || s[0] == '3' ? EventStatus::kOk : EventStatus::kError;
    }
    return EventStatus::kError;
  }
  switch (s.size()) {
    case 2:
      return EqualsLower(s, "ok") ? EventStatus::kOk : EventStatus::kError;
    case 7:
      if (EqualsLower(s, "success")) return EventStatus::kOk;
      if (EqualsLower(s, "timeout")) return EventStatus::kTimeout;
      return EventStatus::kError;
    case 8:
      if (EqualsLower(s, "complete")) return EventStatus::kOk;
      if (EqualsLower(s, "timedout")) return EventStatus::kTimeout;
      return EventStatus::kError;
    case 9:
      if (EqualsLower(s, "succeeded") || EqualsLower(s, "completed")) return EventStatus::kOk;
      if (EqualsLower(s, "timed_out") || EqualsLower(s, "timed out")) {
        return EventStatus::kTimeout;
      }
      return EventStatus::kError;
    case 10:
      return EqualsLower(s, "successful") ? EventStatus::kOk : EventStatus::kError;
    case 17:
      return EqualsLower(s, "deadline_exceeded") ? EventStatus::kTimeout : EventStatus::kError;
    default:
      return EventStatus::kError;
  }
}

// --- the line scanner's helpers (see "Line scanner" in the design note) -----------------

inline bool IsDigit(char c) { return static_cast<unsigned char>(c - '0') < 10; }

inline const char* SkipBlanks(const char* p) {
  while (IsBlank(*p)) ++p;
  return p;
}

// p: just past a string's opening quote. Returns its closing quote, or nullptr when a
// backslash or a control byte (< 0x20, '\n' included) comes first, or when the string is
// not valid UTF-8 (the scanner takes only ASCII outside strings, so this checks the
// line). Reads 16-byte blocks: never more than 15 bytes past the line's '\n'.
[[gnu::always_inline]] inline const char* ScanPlainString(const char* p) {
  const char* start = p;
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i max_control = _mm_set1_epi8(0x1f);
  unsigned non_ascii = 0;
  for (;;) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    auto quotes = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)));
    __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, max_control), v);
    auto special = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, backslash), control)));
    auto high = static_cast<unsigned>(_mm_movemask_epi8(v));
    if ((quotes | special) != 0) {
      unsigned before = (quotes & (0u - quotes)) - 1;  // bytes before the first quote
      if ((special & before) != 0 || quotes == 0) return nullptr;
      const char* end = p + __builtin_ctz(quotes);
      if ((non_ascii | (high & before)) != 0 &&
          !simdjson::validate_utf8(start, static_cast<size_t>(end - start))) {
        return nullptr;
      }
      return end;
    }
    non_ascii |= high;
    p += 16;
  }
}

// p: just past a string's opening quote. Like ScanPlainString but steps over valid
// escapes (\" \\ \/ \b \f \n \r \t \uXXXX). For values we only skip.
const char* ScanEscapedString(const char* p) {
  if (const char* q = ScanPlainString(p); q != nullptr) return q;
  const char* start = p;
  for (;;) {
    while (*p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20) ++p;
    if (*p == '"') {
      return simdjson::validate_utf8(start, static_cast<size_t>(p - start)) ? p : nullptr;
    }
    if (*p != '\\') return nullptr;
    char e = p[1];
    if (e == 'u') {
      for (int i = 2; i < 6; ++i) {
        char h = static_cast<char>(p[i] | 0x20);
        if (!IsDigit(p[i]) && (h < 'a' || h > 'f')) return nullptr;
      }
      p += 6;
    } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
               e == 't') {
      p += 2;
    } else {
      return nullptr;
    }
  }
}

// True when key[0, N - 1) is `name` (the length was checked by the caller).
template <size_t N>
inline bool KeyEq(const char* key, const char (&name)[N]) {
  return std::memcmp(key, name, N - 1) == 0;
}

// Our field named by the raw key [key, key + n), or nullptr. Compares with constant-size
// loads after a switch on the length.
const FieldSpec* LookupKey(const char* key, size_t n) {
  switch (n) {
    case 2:
      if (KeyEq(key, "ts")) return &kTsSpec;
      return nullptr;
    case 4:
      if (KeyEq(key, "time")) return &kTimeSpec;
      if (KeyEq(key, "user")) return &kUserSpec;
      return nullptr;
    case 5:
      if (KeyEq(key, "model")) return &kModelSpec;
      return nullptr;
    case 6:
      if (KeyEq(key, "status")) return &kStatusSpec;
      return nullptr;
    case 7:
      if (KeyEq(key, "latency")) return &kLatencySpec;
      if (KeyEq(key, "ttft_ms")) return &kTtftSpec;
      if (KeyEq(key, "service")) return &kServiceSpec;
      if (KeyEq(key, "span_id")) return &kSpanIdSpec;
      return nullptr;
    case 8:
      if (KeyEq(key, "trace_id")) return &kTraceIdSpec;
      if (KeyEq(key, "gpu_util")) return &kGpuSpec;
      if (KeyEq(key, "cost_usd")) return &kCostSpec;
      return nullptr;
    case 9:
      if (KeyEq(key, "timestamp")) return &kTimestampSpec;
      if (KeyEq(key, "task_type")) return &kTaskTypeSpec;
      if (KeyEq(key, "cache_hit")) return &kCacheHitSpec;
      return nullptr;
    case 10:
      if (KeyEq(key, "request_id")) return &kRequestIdSpec;
      if (KeyEq(key, "latency_ms")) return &kLatencyMsSpec;
      if (KeyEq(key, "batch_size")) return &kBatchSizeSpec;
      if (KeyEq(key, "cache_tier")) return &kCacheTierSpec;
      if (KeyEq(key, "model_name")) return &kModelNameSpec;
      return nullptr;
    case 11:
      if (KeyEq(key, "duration_ms")) return &kDurationSpec;
      if (KeyEq(key, "queue_depth")) return &kQueueSpec;
      return nullptr;
    case 12:
      if (KeyEq(key, "input_tokens")) return &kInputSpec;
      return nullptr;
    case 13:
      if (KeyEq(key, "output_tokens")) return &kOutputSpec;
      if (KeyEq(key, "quality_score")) return &kQualitySpec;
      return nullptr;
    case 14:
      if (KeyEq(key, "memory_used_gb")) return &kMemorySpec;
      if (KeyEq(key, "parent_span_id")) return &kParentSpanSpec;
      return nullptr;
    case 16:
      if (KeyEq(key, "batch_fill_ratio")) return &kBatchFillSpec;
      return nullptr;
    default:
      return nullptr;
  }
}

// Outcome of reading a record or one of its values.
enum class Verdict : uint8_t { kOk, kReject, kMalformed };

struct MapNode {
  std::string name;       // one path component
  std::string path_text;  // the full dotted path up to here, for messages
  uint8_t target = kTargetCount;
  std::vector<uint32_t> children;
};

}  // namespace

struct JsonlParser::Impl {
  explicit Impl(JsonlParserOptions opts) : options(std::move(opts)) {
    stream_parser.threaded = false;  // one core per parser; callers parallelise by chunk
    latency_scale = options.mapping.latency_unit() == LatencyUnit::kSeconds ? 1000.0 : 1.0;
    for (const FieldMapping::Entry& entry : options.mapping.entries()) AddMapping(entry);
  }

  void AddMapping(const FieldMapping::Entry& entry) {
    uint32_t parent = UINT32_MAX;  // UINT32_MAX: the top level (map_roots)
    std::string path_text;
    for (size_t i = 0; i < entry.path.size(); ++i) {
      if (i) path_text += '.';
      path_text += entry.path[i];
      auto level = [&]() -> std::vector<uint32_t>& {
        return parent == UINT32_MAX ? map_roots : map_nodes[parent].children;
      };
      uint32_t found = UINT32_MAX;
      for (uint32_t idx : level()) {
        if (map_nodes[idx].name == entry.path[i]) found = idx;
      }
      if (found == UINT32_MAX) {
        found = static_cast<uint32_t>(map_nodes.size());
        map_nodes.push_back(MapNode{entry.path[i], path_text, kTargetCount, {}});
        level().push_back(found);
      }
      if (i + 1 == entry.path.size()) map_nodes[found].target = TargetFromName(entry.target);
      parent = found;
    }
  }

  uint32_t MatchMapped(const std::vector<uint32_t>& level, const char* key) const {
    if (level.empty()) return UINT32_MAX;
    return MatchMapped(level, std::string_view(key, RawKeyLength(key)));
  }

  uint32_t MatchMapped(const std::vector<uint32_t>& level, std::string_view k) const {
    for (uint32_t idx : level) {
      if (map_nodes[idx].name == k) return idx;
    }
    return UINT32_MAX;
  }

  // --- value readers -------------------------------------------------------------------

  Verdict Malformed(simdjson::error_code e) {
    json_error = e;
    return Verdict::kMalformed;
  }

  template <typename... Args>
  Verdict Reject(const FieldSpec& spec, fmt::format_string<Args...> f, Args&&... args) {
    reason.clear();
    fmt::format_to(std::back_inserter(reason), "field '{}': ", spec.name);
    fmt::format_to(std::back_inserter(reason), f, std::forward<Args>(args)...);
    return Verdict::kReject;
  }

  Verdict WrongType(const FieldSpec& spec, const char* expected, od::json_type got) {
    return Reject(spec, "expected {}, got {}", expected, TypeName(got));
  }

  // Validates a null literal (ondemand does not check values it is not asked for).
  Verdict CheckNull(od::value& v) {
    bool is_null = false;
    if (auto e = v.is_null().get(is_null)) return Malformed(e);
    return is_null ? Verdict::kOk : Malformed(simdjson::N_ATOM_ERROR);
  }

  // A string as a view into the input when it has no escapes, else unescaped by simdjson
  // into its per-document string buffer (valid for the current record). Returned by value
  // (registers, not memory: this is the hottest call). On error: a null view, json_error set.
  std::string_view ReadString(od::value& v) {
    std::string_view raw = TrimRight(v.raw_json_token());
    if (raw.size() < 2 || raw.back() != '"') {
      json_error = simdjson::STRING_ERROR;
      return {};
    }
    std::string_view inner(raw.data() + 1, raw.size() - 2);
    if (!HasBackslash(inner.data(), inner.size())) return inner;
    std::string_view out;
    if (auto e = v.get_string().get(out)) {
      json_error = e;
      return {};
    }
    return out.data() != nullptr ? out : std::string_view("", 0);
  }

  Verdict ReadTimestamp(const FieldSpec& spec, od::value& v, od::json_type type, TimestampNs* out) {
    if (type == od::json_type::number) {
      od::number_type nt;
      // A number simdjson cannot classify goes the double way (and fails there if malformed).
      if (v.get_number_type().get(nt)) nt = od::number_type::floating_point_number;
      if (nt == od::number_type::floating_point_number) {
        double d;
        if (auto e = GetOnDemandDouble(v, &d)) return Malformed(e);
        Result<TimestampNs> r = EpochNumberToNs(d);
        if (!r.ok()) return Reject(spec, "{}", r.status().message());
        *out = *r;
        return Verdict::kOk;
      }
      int64_t i = 0;
      uint64_t u = 0;
      bool integral =
          nt == od::number_type::unsigned_integer ? !v.get_uint64().get(u) : !v.get_int64().get(i);
      if (!integral) {
        // Past 64 bits: out of range for sure.
        return Reject(spec, "timestamp out of range");
      }
      if (nt == od::number_type::unsigned_integer) {
        if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          return Reject(spec, "timestamp out of range");
        }
        i = static_cast<int64_t>(u);
      }
      if (!IntEpochToNs(i, out)) return Reject(spec, "timestamp out of range");
      return Verdict::kOk;
    }
    if (type != od::json_type::string) {
      return WrongType(spec, "an ISO-8601 string or an epoch number", type);
    }
    std::string_view s = ReadString(v);
    if (s.data() == nullptr) return Verdict::kMalformed;
    Result<TimestampNs> r = TimestampFromString(s);
    if (!r.ok()) return Reject(spec, "{}", r.status().message());
    *out = *r;
    return Verdict::kOk;
  }

  Verdict ReadStatus(const FieldSpec& spec, od::value& v, od::json_type type, EventStatus* status,
                     std::string_view* text) {
    switch (type) {
      case od::json_type::string:
        *text = ReadString(v);
        if (text->data() == nullptr) return Verdict::kMalformed;
        *status = StatusFromText(*text);
        return Verdict::kOk;
      case od::json_type::number: {
        double d;
        if (auto e = GetOnDemandDouble(v, &d)) return Malformed(e);
        *text = TrimRight(v.raw_json_token());
        if (d != static_cast<double>(static_cast<int64_t>(d)) || d < 0 || d > 999) {
          return Reject(spec, "expected an HTTP status code, got {}", *text);
        }
        *status = StatusFromCode(static_cast<int64_t>(d));
        return Verdict::kOk;
      }
      case od::json_type::boolean: {
        bool b;
        if (auto e = v.get_bool().get(b)) return Malformed(e);
        *status = b ? EventStatus::kOk : EventStatus::kError;
        *text = b ? "true" : "false";
        return Verdict::kOk;
      }
      default:
        return WrongType(spec, "a string, a number or a boolean", type);
    }
  }

  Verdict ReadNumber(const FieldSpec& spec, od::value& v, od::json_type type, double* out) {
    EventField f = static_cast<EventField>(spec.target);
    if (f == EventField::kCacheHit) {
      if (type == od::json_type::boolean) {
        bool b;
        if (auto e = v.get_bool().get(b)) return Malformed(e);
        *out = b ? 1.0 : 0.0;
        return Verdict::kOk;
      }
      if (type != od::json_type::number) return WrongType(spec, "a boolean or 0/1", type);
      if (auto e = GetOnDemandDouble(v, out)) return Malformed(e);
      if (*out != 0.0 && *out != 1.0)
        return Reject(spec, "expected a boolean or 0/1, got {}", *out);
      return Verdict::kOk;
    }
    if (type != od::json_type::number) return WrongType(spec, "a number", type);
    double d;
    if (auto e = GetOnDemandDouble(v, &d)) return Malformed(e);
    if (d < 0 && f != EventField::kQualityScore) {
      return Reject(spec, "must not be negative, got {}", d);
    }
    if (f == EventField::kGpuUtil && d > 100) {
      return Reject(spec, "expected a percentage in [0, 100], got {}", d);
    }
    if (f == EventField::kBatchFillRatio && d > 1) {
      return Reject(spec, "expected a ratio in [0, 1], got {}", d);
    }
    *out = spec.latency_alias ? d * latency_scale : d;
    return Verdict::kOk;
  }

  // Reads one recognised field into `event`, honouring source priorities.
  Verdict ReadField(const FieldSpec& spec, od::value& v) {
    od::json_type type;
    if (auto e = v.type().get(type)) return Malformed(e);
    if (type == od::json_type::null) return CheckNull(v);  // null: absent
    bool take = spec.priority >= priority[spec.target];
    if (spec.target < kEventFieldCount) {
      double d;
      if (Verdict r = ReadNumber(spec, v, type, &d); r != Verdict::kOk) return r;
      if (take) event.Set(static_cast<EventField>(spec.target), d);
    } else if (spec.target == kTimestamp) {
      TimestampNs ts = 0;
      if (Verdict r = ReadTimestamp(spec, v, type, &ts); r != Verdict::kOk) return r;
      if (take) event.timestamp_ns = ts;
    } else if (spec.target == kStatus) {
      EventStatus st = EventStatus::kOk;
      std::string_view text;
      if (Verdict r = ReadStatus(spec, v, type, &st, &text); r != Verdict::kOk) return r;
      if (take) {
        event.status = st;
        event.status_text = text;
      }
    } else {
      if (type != od::json_type::string) return WrongType(spec, "a string", type);
      std::string_view s = ReadString(v);
      if (s.data() == nullptr) return Verdict::kMalformed;
      if (take) *StringMember(event, spec.target) = s;
    }
    if (take) priority[spec.target] = spec.priority;
    return Verdict::kOk;
  }

  Verdict ReadMapped(uint32_t node_idx, od::value& v) {
    const MapNode& node = map_nodes[node_idx];
    if (node.target != kTargetCount) {
      FieldSpec spec{node.path_text, node.target, kUserMap, false};
      return ReadField(spec, v);
    }
    od::json_type type;
    if (auto e = v.type().get(type)) return Malformed(e);
    if (type != od::json_type::object) return Verdict::kOk;  // path absent in this record
    od::object obj;
    if (auto e = v.get_object().get(obj)) return Malformed(e);
    for (auto field_result : obj) {
      // value_unsafe(), not get(): get() copies the field through memory, and the
      // store-to-load stall of that copy cost a fifth of the parse time.
      if (auto e = field_result.error()) return Malformed(e);
      od::field& field = field_result.value_unsafe();
      uint32_t child = MatchMapped(map_nodes[node_idx].children, field.key().raw());
      if (child == UINT32_MAX) continue;
      if (Verdict r = ReadMapped(child, field.value()); r != Verdict::kOk) return r;
    }
    return Verdict::kOk;
  }

  Verdict KeepAttribute(const char* key, od::value& v) {
    od::json_type type;
    if (auto e = v.type().get(type)) return Malformed(e);
    std::string_view raw;
    if (type == od::json_type::object) {
      od::object obj;
      if (auto e = v.get_object().get(obj)) return Malformed(e);
      if (auto e = obj.raw_json().get(raw)) return Malformed(e);
    } else if (type == od::json_type::array) {
      od::array arr;
      if (auto e = v.get_array().get(arr)) return Malformed(e);
      if (auto e = arr.raw_json().get(raw)) return Malformed(e);
    } else {
      raw = v.raw_json_token();
    }
    event.attributes.emplace_back(std::string_view(key, RawKeyLength(key)), TrimRight(raw));
    return Verdict::kOk;
  }

  // Reads a whole record into `event`. On kReject `reason` says why; on kMalformed
  // `json_error` holds simdjson's error.
  Verdict ReadRecord(od::object& obj) {
    event.Reset();
    std::memset(priority, 0, sizeof(priority));
    for (auto field_result : obj) {
      // value_unsafe(), not get(): get() copies the field through memory, and the
      // store-to-load stall of that copy cost a fifth of the parse time.
      if (auto e = field_result.error()) return Malformed(e);
      od::field& field = field_result.value_unsafe();
      const char* key = field.key().raw();
      if (!map_roots.empty()) {
        uint32_t node = MatchMapped(map_roots, key);
        if (node != UINT32_MAX) {
          if (Verdict r = ReadMapped(node, field.value()); r != Verdict::kOk) return r;
          continue;
        }
      }
      const FieldSpec* spec = LookupBuiltin(key);
      if (spec != nullptr) {
        if (Verdict r = ReadField(*spec, field.value()); r != Verdict::kOk) return r;
      } else if (options.keep_attributes) {
        if (Verdict r = KeepAttribute(key, field.value()); r != Verdict::kOk) return r;
      }
    }
    if (priority[kTimestamp] == kNone) {
      reason = "missing required field 'timestamp'";
      return Verdict::kReject;
    }
    if (priority[kModel] == kNone) {
      reason = "missing required field 'model'";
      return Verdict::kReject;
    }
    if (event.model.empty()) {
      reason = "field 'model': must not be empty";
      return Verdict::kReject;
    }
    return Verdict::kOk;
  }

  // --- driving ---------------------------------------------------------------------------

  struct Cursor {
    size_t pos = 0;     // start of the next unread line
    uint64_t line = 0;  // its 1-based number
  };

  // Moves `c` over blank lines; returns the offset of the first non-blank byte of the line
  // at c.pos (or len).
  static size_t SkipBlankLines(const char* data, size_t len, Cursor& c) {
    size_t p = c.pos;
    while (p < len) {
      char ch = data[p];
      if (ch == '\n') {
        ++c.line;
        c.pos = ++p;
      } else if (IsBlank(ch)) {
        ++p;
      } else {
        break;
      }
    }
    return p;
  }

  static size_t LineEnd(const char* data, size_t len, size_t from) {
    const void* nl = std::memchr(data + from, '\n', len - from);
    return nl ? static_cast<size_t>(static_cast<const char*>(nl) - data) : len;
  }

  void Advance(Cursor& c, size_t line_end, size_t len) {
    c.pos = line_end < len ? line_end + 1 : len;
    if (line_end < len) ++c.line;
  }

  // Parses the line [c.pos, line_end) on its own and reports it. Advances c past it.
  void SlowLine(const char* data, size_t len, size_t line_end, Cursor& c) {
    const char* line = data + c.pos;
    size_t n = line_end - c.pos;
    uint64_t line_no = c.line;
    Advance(c, line_end, len);
    if (AllBlank(line, line + n)) return;
    ++counts.lines;
    size_t avail = len + kJsonlPadding - static_cast<size_t>(line - data);
    od::document doc;
    Verdict v;
    auto e = line_parser.iterate(line, n, avail).get(doc);
    od::object obj;
    if (e) {
      v = Malformed(e);
    } else if ((e = doc.get_object().get(obj))) {
      od::json_type type;
      if (e == simdjson::INCORRECT_TYPE && !doc.type().get(type)) {
        // Name the type only for a real JSON value ("nope" peeks like null). Judged from
        // the line's bytes alone: simdjson's root-atom checks depend on what follows.
        std::string_view t = TrimRight(std::string_view(line, n));
        while (!t.empty() && IsBlank(t.front())) t.remove_prefix(1);
        bool real = type == od::json_type::array || type == od::json_type::string;
        if (type == od::json_type::null) real = t == "null";
        if (type == od::json_type::boolean) real = t == "true" || t == "false";
        if (type == od::json_type::number) {
          double d;
          auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), d);
          real = ec == std::errc() && ptr == t.data() + t.size();
        }
        reason = real ? fmt::format("expected a JSON object, got {}", TypeName(type))
                      : std::string("malformed JSON: expected a JSON object");
        v = Verdict::kReject;
      } else {
        v = Malformed(e);
      }
    } else {
      v = ReadRecord(obj);
      const char* trailing = nullptr;
      if (v == Verdict::kOk && !doc.current_location().get(trailing)) {
        reason = "malformed JSON: trailing content after the record's closing brace";
        AppendColumn(doc, line, n);
        v = Verdict::kReject;
      }
    }
    if (v == Verdict::kMalformed) {
      reason = "malformed JSON: ";
      reason += simdjson::error_message(json_error);
      if (e == simdjson::SUCCESS) AppendColumn(doc, line, n);
      v = Verdict::kReject;
    }
    if (v == Verdict::kOk) {
      ++counts.accepted;
      sink->OnEvent(event);
    } else {
      ++counts.rejected;
      rejects->Add(source, line_no, reason);
    }
  }

  void AppendColumn(od::document& doc, const char* line, size_t n) {
    const char* at = nullptr;
    if (doc.current_location().get(at) || at < line || at > line + n) {
      fmt::format_to(std::back_inserter(reason), " (at end of line)");
      return;
    }
    fmt::format_to(std::back_inserter(reason), " (column {})", at - line + 1);
  }

  // Runs iterate_many from c.pos. Returns when the buffer is done (c.pos == len) or when the
  // stream cannot go on; then c.pos is the start of the first line not yet handled.
  void FastRun(const char* data, size_t len, Cursor& c) {
    const size_t base = c.pos;
    od::document_stream stream;
    if (stream_parser.iterate_many(data + base, len - base, kBatchBytes).get(stream)) return;
    for (auto it = stream.begin(); it != stream.end(); ++it) {
      size_t p = SkipBlankLines(data, len, c);
      if (p >= len || base + it.current_index() != p) return;
      od::document_reference doc;
      od::object obj;
      if ((*it).get(doc) || doc.get_object().get(obj)) return;
      Verdict v = ReadRecord(obj);
      if (v == Verdict::kMalformed) return;
      size_t line_end = LineEnd(data, len, p);
      const char* next = nullptr;
      if (v == Verdict::kReject || doc.current_location().get(next)) {
        // A reject, or the last document of a batch (nothing after it to check the line
        // against): the slow path decides.
        SlowLine(data, len, line_end, c);
        continue;
      }
      size_t nx = static_cast<size_t>(next - data);
      if (nx <= line_end || !AllBlank(data + line_end + 1, next)) return;
      ++counts.lines;
      ++counts.accepted;
      sink->OnEvent(event);
      Advance(c, line_end, len);
    }
    if (SkipBlankLines(data, len, c) >= len) c.pos = len;
  }

  // --- line scanner ------------------------------------------------------------------------

  // ParseIso8601 for the shape logs nearly always use, "YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z",
  // with the minute's start cached (consecutive records share it): a record compares its
  // first 16 bytes and reads only the seconds and the fraction. Same result; false for any
  // other shape or any error: then ParseIso8601 decides. Reads up to 8 bytes past the 'Z'
  // (the string's closing quote and the line or the buffer's padding).
  bool FastIso8601(std::string_view s, TimestampNs* out) {
    const size_t n = s.size();
    if (n < 20 || s[16] != ':' || s[n - 1] != 'Z') return false;
    if (std::memcmp(s.data(), cached_minute, sizeof(cached_minute)) != 0 && !CacheMinute(s)) {
      return false;
    }
    const unsigned s1 = static_cast<unsigned char>(s[17]) - unsigned{'0'};
    const unsigned s2 = static_cast<unsigned char>(s[18]) - unsigned{'0'};
    if (s1 > 9 || s2 > 9 || s1 * 10 + s2 > 60) return false;
    int64_t frac_ns = 0;
    if (n > 20) {
      const size_t digits = n - 21;
      if ((s[19] != '.' && s[19] != ',') || digits == 0 || digits > 9) return false;
      if (digits <= 8) {
        uint64_t w;
        std::memcpy(&w, s.data() + 20, 8);
        const uint64_t flags = json_number_detail::NonDigitFlags(w);
        // All `digits` bytes must be digits (the 'Z' ends them).
        const size_t run = flags == 0 ? 8 : static_cast<size_t>(__builtin_ctzll(flags)) / 8;
        if (run < digits) return false;
        frac_ns =
            static_cast<int64_t>(json_number_detail::DigitsValue(w, static_cast<unsigned>(digits)) *
                                 json_number_detail::kPowersOf10[9 - digits]);
      } else {
        for (size_t i = 20; i < n - 1; ++i) {
          unsigned d = static_cast<unsigned>(static_cast<unsigned char>(s[i])) - '0';
          if (d > 9) return false;
          frac_ns = frac_ns * 10 + d;
        }
      }
    }
    *out = cached_minute_ns + int64_t{s1 * 10 + s2} * kNanosPerSecond + frac_ns;
    return true;
  }

  // Checks and caches the minute "YYYY-MM-DDTHH:MM" that s starts with (s has >= 20 bytes).
  [[gnu::noinline]] bool CacheMinute(std::string_view s) {
    if (s[10] != 'T' || s[13] != ':') return false;
    auto two = [&s](size_t i) {
      unsigned a = static_cast<unsigned>(static_cast<unsigned char>(s[i])) - '0';
      unsigned b = static_cast<unsigned>(static_cast<unsigned char>(s[i + 1])) - '0';
      return a > 9 || b > 9 ? 100u : a * 10 + b;
    };
    const unsigned hh = two(11), mm = two(14);
    if (hh > 23 || mm > 59) return false;
    Result<TimestampNs> midnight = ParseIso8601(s.substr(0, 10));
    if (!midnight.ok()) return false;
    std::memcpy(cached_minute, s.data(), sizeof(cached_minute));
    cached_minute_ns = *midnight + int64_t{hh * 3600 + mm * 60} * kNanosPerSecond;
    return true;
  }

  // Reads one recognised field's value at p into `event`, like ReadField. Returns the end
  // of the value, or nullptr to hand the line to simdjson: anything unusual, and every
  // value ReadField would reject (simdjson words the reasons). The common shapes (a number,
  // a string) are tried first; null (absent) and booleans only after they fail.
  [[gnu::always_inline]] const char* ScanField(const FieldSpec& spec, const char* p) {
    const char* end;
    if (spec.target < kEventFieldCount) {
      const auto f = static_cast<EventField>(spec.target);
      JsonNumber t = JsonNumber::Scan(p);
      double d = t.value;
      end = t.end;
      if (end == nullptr) [[unlikely]] {
        return ScanNonNumber(spec, p);
      }
      if (spec.plain) [[likely]] {
        if (d < 0) return nullptr;
        event.Set(f, d);  // no alias: always taken, and no priority to record
        return end;
      }
      if (f == EventField::kCacheHit) [[unlikely]] {
        if (d != 0.0 && d != 1.0) return nullptr;
      } else {
        // Not negative (but for quality_score), gpu_util <= 100, batch_fill_ratio <= 1.
        if (!(d >= kMinValue[spec.target] && d <= kMaxValue[spec.target])) return nullptr;
        if (spec.latency_alias) d *= latency_scale;
      }
      if (Take(spec)) event.Set(f, d);
      return end;
    }
    if (spec.target > kStatus) {
      if (*p != '"') [[unlikely]] {
        return std::memcmp(p, "null", 4) == 0 ? p + 4 : nullptr;  // null: absent
      }
      if ((end = ScanPlainString(p + 1)) == nullptr) return nullptr;
      if (Take(spec)) {
        *StringMember(event, spec.target) =
            std::string_view(p + 1, static_cast<size_t>(end - p - 1));
      }
      return end + 1;
    }
    if (spec.target == kTimestamp) {
      const char c = *p;
      if (c == 'n') return std::memcmp(p, "null", 4) == 0 ? p + 4 : nullptr;  // absent
      TimestampNs ts = 0;
      if (c == '"') {
        end = ScanPlainString(p + 1);
        if (end == nullptr) return nullptr;
        std::string_view text(p + 1, static_cast<size_t>(end - p - 1));
        if (!FastIso8601(text, &ts)) {
          Result<TimestampNs> r = TimestampFromString(text);
          if (!r.ok()) return nullptr;
          ts = *r;
        }
        ++end;
      } else {
        JsonNumber t = JsonNumber::Scan(p);
        if (t.end == nullptr) return nullptr;
        if (t.integral) {
          if (!IntEpochToNs(t.integer, &ts)) return nullptr;
        } else {
          if (!t.is_float) return nullptr;  // an integer past 18 digits: simdjson decides
          Result<TimestampNs> r = EpochNumberToNs(t.value);
          if (!r.ok()) return nullptr;
          ts = *r;
        }
        end = t.end;
      }
      if (Take(spec)) event.timestamp_ns = ts;
      return end;
    }
    // kStatus: a string, a boolean or an HTTP status code.
    const char c = *p;
    if (c == 'n') return std::memcmp(p, "null", 4) == 0 ? p + 4 : nullptr;  // absent
    EventStatus st = EventStatus::kOk;
    std::string_view text;
    if (c == '"') {
      end = ScanPlainString(p + 1);
      if (end == nullptr) return nullptr;
      text = std::string_view(p + 1, static_cast<size_t>(end - p - 1));
      // "ok", the common case, without a call.
      if (end - p != 3 || p[1] != 'o' || p[2] != 'k') st = StatusFromText(text);
      ++end;
    } else if (c == 't' || c == 'f') {
      bool b = false;
      if ((end = ScanBool(p, &b)) == nullptr) return nullptr;
      st = b ? EventStatus::kOk : EventStatus::kError;
      text = b ? "true" : "false";
    } else {
      JsonNumber t = JsonNumber::Scan(p);
      if (t.end == nullptr) return nullptr;
      double d = t.value;
      if (d < 0 || d > 999 || d != static_cast<double>(static_cast<int64_t>(d))) return nullptr;
      st = StatusFromCode(static_cast<int64_t>(d));
      end = t.end;
      text = std::string_view(p, static_cast<size_t>(end - p));
    }
    if (Take(spec)) {
      event.status = st;
      event.status_text = text;
    }
    return end;
  }

  // Whether the scanner takes a value of `spec` that it has read and checked; records its
  // priority if so. Only targets with aliases rank their sources: every other value the
  // scanner sees has canonical priority, so the later one always wins.
  [[gnu::always_inline]] bool Take(const FieldSpec& spec) {
    if (!spec.ranked) return true;
    if (spec.priority < priority[spec.target]) return false;
    priority[spec.target] = spec.priority;
    return true;
  }

  // A numeric field's value at p that is not a number: null (absent), or a boolean for
  // cache_hit; nullptr for anything else.
  [[gnu::noinline]] const char* ScanNonNumber(const FieldSpec& spec, const char* p) {
    if (*p == 'n') return std::memcmp(p, "null", 4) == 0 ? p + 4 : nullptr;
    const auto f = static_cast<EventField>(spec.target);
    bool b = false;
    const char* end = nullptr;
    if (f != EventField::kCacheHit || (end = ScanBool(p, &b)) == nullptr) return nullptr;
    // cache_hit has no alias: always taken.
    event.Set(f, b ? 1.0 : 0.0);
    return end;
  }

  static const char* ScanBool(const char* p, bool* b) {
    if (std::memcmp(p, "true", 4) == 0) {
      *b = true;
      return p + 4;
    }
    if (std::memcmp(p, "false", 5) == 0) {
      *b = false;
      return p + 5;
    }
    return nullptr;
  }

  // Skips an unknown field's value, strictly by the JSON grammar (stricter than simdjson,
  // which only balances brackets there). Returns its end, or nullptr.
  static const char* SkipValue(const char* p, int depth) {
    switch (*p) {
      case '"': {
        const char* e = ScanEscapedString(p + 1);
        return e != nullptr ? e + 1 : nullptr;
      }
      case 't':
        return std::memcmp(p, "true", 4) == 0 ? p + 4 : nullptr;
      case 'f':
        return std::memcmp(p, "false", 5) == 0 ? p + 5 : nullptr;
      case 'n':
        return std::memcmp(p, "null", 4) == 0 ? p + 4 : nullptr;
      case '{':
      case '[': {
        if (depth >= kMaxSkipDepth) return nullptr;
        const bool object = *p == '{';
        const char close = object ? '}' : ']';
        p = SkipBlanks(p + 1);
        if (*p == close) return p + 1;
        for (;;) {
          if (object) {
            if (*p != '"' || (p = ScanEscapedString(p + 1)) == nullptr) return nullptr;
            p = SkipBlanks(p + 1);
            if (*p != ':') return nullptr;
            p = SkipBlanks(p + 1);
          }
          if ((p = SkipValue(p, depth + 1)) == nullptr) return nullptr;
          p = SkipBlanks(p);
          if (*p == close) return p + 1;
          if (*p != ',') return nullptr;
          p = SkipBlanks(p + 1);
        }
      }
      default:
        return JsonNumber::Skip(p);
    }
  }

  // Scans the record at p, the first non-blank byte of a line that ends with '\n'. Returns
  // that '\n' with `event` complete, or nullptr to hand the line to simdjson.
  const char* ScanRecord(const char* p) {
    if (*p != '{') return nullptr;
    ResetEvent();
    p = SkipBlanks(p + 1);
    if (*p != '"') return nullptr;       // "{}" too: it lacks the required fields
    uint8_t* next = first_keys;          // the two keys predicted at this position
    KnownKey* const table = known_keys;  // one base register for every entry's fields
    for (;;) {
      const char* key = p + 1;
      const FieldSpec* spec;
      size_t key_len;
      KnownKey* known = table + next[0];
      if (known->Matches(key) || (known = table + next[1])->Matches(key)) {
        spec = known->spec;
        key_len = known->key_len;
        p = key + key_len + 2;
        next = known->next;
      } else {
        const char* key_end = ScanPlainString(key);
        if (key_end == nullptr) return nullptr;
        key_len = static_cast<size_t>(key_end - key);
        p = SkipBlanks(key_end + 1);
        if (*p != ':') return nullptr;
        ++p;
        if (!map_roots.empty() &&
            MatchMapped(map_roots, std::string_view(key, key_len)) != UINT32_MAX) {
          return nullptr;
        }
        spec = LookupKey(key, key_len);
        next = Learn(next, key, key_len, key_end[1] == ':', spec);
      }
      p = SkipBlanks(p);
      if (spec != nullptr) {
        p = ScanField(*spec, p);
      } else {
        const char* value = p;
        p = SkipValue(p, 0);
        if (p != nullptr && options.keep_attributes) {
          event.attributes.emplace_back(std::string_view(key, key_len),
                                        std::string_view(value, static_cast<size_t>(p - value)));
        }
      }
      if (p == nullptr) return nullptr;
      // Compact records have no blanks between tokens: test for the expected `,"` first.
      uint16_t separator;
      std::memcpy(&separator, p, 2);
      if (separator == (uint16_t{','} | uint16_t{'"'} << 8)) [[likely]] {
        ++p;
        continue;
      }
      p = SkipBlanks(p);
      if (*p != ',') break;
      p = SkipBlanks(p + 1);
      if (*p != '"') return nullptr;
    }
    if (*p != '}') return nullptr;
    p = SkipBlanks(p + 1);
    if (*p != '\n') return nullptr;
    if (priority[kTimestamp] == kNone || priority[kModel] == kNone || event.model.empty()) {
      return nullptr;
    }
    return p;
  }

  // Event::Reset, inline: it runs for every record.
  void ResetEvent() {
    event.timestamp_ns = 0;
    event.status = EventStatus::kOk;
    event.request_id = event.model = event.status_text = event.cache_tier = {};
    event.task_type = event.user = event.service = event.trace_id = {};
    event.span_id = event.parent_span_id = {};
    event.attributes.clear();
    // Every field, not just the present ones: the compiler folds this into one store.
    for (int f = 0; f < kEventFieldCount; ++f) event.Clear(static_cast<EventField>(f));
    std::memset(priority, 0, sizeof(priority));
  }

  // The line scanner over [c.pos, end), `end` just past a '\n'. A line it does not take
  // goes to SlowLine; while many lines do, stretches go to the simdjson stream instead.
  void ScanRun(const char* data, size_t len, size_t end, Cursor& c) {
    uint32_t bail_score = 0;
    while (c.pos < end) {
      const char* p = SkipBlanks(data + c.pos);
      if (*p == '\n') {
        ++c.line;
        c.pos = static_cast<size_t>(p - data) + 1;
        continue;
      }
      if (const char* nl = ScanRecord(p); nl != nullptr) {
        ++counts.lines;
        ++counts.accepted;
        sink->OnEvent(event);
        ++c.line;
        c.pos = static_cast<size_t>(nl - data) + 1;
        bail_score -= bail_score != 0;
        continue;
      }
      SlowLine(data, len, LineEnd(data, len, c.pos), c);
      bail_score += kBailCost;
      if (bail_score >= kMaxBailScore && c.pos < end) {
        size_t stop = c.pos + kBatchBytes < end ? LineEnd(data, len, c.pos + kBatchBytes) + 1 : end;
        SimdjsonRun(data, stop, c);
        bail_score = 0;
      }
    }
  }

  // The simdjson stream over [c.pos, len), with the slow path after errors.
  void SimdjsonRun(const char* data, size_t len, Cursor& c) {
    size_t slow_budget = kMinSlowBudget;
    while (c.pos < len) {
      size_t fast_start = c.pos;
      FastRun(data, len, c);
      if (c.pos >= len) break;
      slow_budget = c.pos - fast_start < kShortFastRun ? std::min(slow_budget * 2, kMaxSlowBudget)
                                                       : kMinSlowBudget;
      size_t stop = c.pos + slow_budget;
      do {
        SlowLine(data, len, LineEnd(data, len, c.pos), c);
      } while (c.pos < len && c.pos < stop);
    }
  }

  JsonlParserOptions options;
  od::parser stream_parser;
  od::parser line_parser;
  double latency_scale = 1000.0;
  std::vector<MapNode> map_nodes;
  std::vector<uint32_t> map_roots;

  // Records of one log nearly always list their keys in one of a few orders (one per kind
  // of record: per model, with or without error fields, ...). Every key seen (up to
  // kMaxKnownKeys) gets an entry that remembers the two keys that most recently followed it;
  // the scanner checks those two predictions with a 16-byte compare each (of the `"key":`
  // bytes; two for keys of 15 to 30 bytes) instead of scanning the key and looking it up.
  // `first_keys` predicts a record's first key. Keys with --map roots are never learnt (their
  // records bail).
  // 64 bytes (a cache line), so that indexing the table is a shift.
  struct alignas(64) KnownKey {
    char bytes[32] = {};  // key, '"', ':'
    // Bits of `bytes` in use: of the first 16 (lo) and of the next 16 (hi). The empty slot's
    // lo is bit 16, which no 16-byte compare sets: it matches nothing.
    uint32_t lo = 1u << 16;
    uint32_t hi = 0;
    uint8_t key_len = 0;
    const FieldSpec* spec = nullptr;     // nullptr: not one of ours
    uint8_t next[2] = {kNoKey, kNoKey};  // most recent successor first

    // True when `key` (just past its opening quote) reads exactly key, '"', ':'. Reads 16
    // bytes, and 16 more for a key longer than 14 bytes whose first 16 matched (at most 31
    // bytes past the line's '\n': within the buffer's padding).
    [[gnu::always_inline]] bool Matches(const char* key) const {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key));
      __m128i want = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes));
      auto eq = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, want)));
      if ((eq & lo) != lo) return false;
      if (hi == 0) [[likely]] {
        return true;
      }
      v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key + 16));
      want = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + 16));
      eq = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, want)));
      return (eq & hi) == hi;
    }
  };
  static constexpr size_t kMaxKnownKeys = 63;
  static constexpr uint8_t kNoKey = kMaxKnownKeys;  // the last slot stays empty

  // A key the predictions `pred` (first_keys or a known key's next) missed: finds or adds its
  // entry and makes it the most recent prediction there. Returns the predictions for the
  // key after it (the empty slot's when the key cannot be learnt: longer than 30 bytes,
  // blanks before its colon, or the table is full).
  uint8_t* Learn(uint8_t* pred, const char* key, size_t len, bool colon_follows,
                 const FieldSpec* spec) {
    uint8_t id = kNoKey;
    if (colon_follows && len + 2 <= sizeof(KnownKey::bytes)) {
      for (uint8_t i = 0; i < known_key_count; ++i) {
        if (known_keys[i].key_len == len && std::memcmp(known_keys[i].bytes, key, len) == 0) {
          id = i;
          break;
        }
      }
      if (id == kNoKey && known_key_count < kMaxKnownKeys) {
        id = known_key_count++;
        KnownKey& k = known_keys[id];
        std::memcpy(k.bytes, key, len + 2);
        const uint32_t mask = len + 2 == 32 ? ~0u : (1u << (len + 2)) - 1;
        k.lo = mask & 0xFFFF;
        k.hi = mask >> 16;
        k.key_len = static_cast<uint8_t>(len);
        k.spec = spec;
      }
    }
    if (id != kNoKey && pred[0] != id) {
      pred[1] = pred[0];
      pred[0] = id;
    }
    return known_keys[id].next;
  }

  KnownKey known_keys[kMaxKnownKeys + 1];
  uint8_t known_key_count = 0;
  uint8_t first_keys[2] = {kNoKey, kNoKey};

  // FastIso8601's cache: the last minute seen, "YYYY-MM-DDTHH:MM" (all zero bytes before the
  // first: no match), and its start.
  char cached_minute[16] = {};
  TimestampNs cached_minute_ns = 0;

  // Per-record state.
  Event event;
  uint8_t priority[kTargetCount] = {};
  std::string reason;
  simdjson::error_code json_error = simdjson::SUCCESS;

  // Per-call state.
  Counts counts;
  EventSink* sink = nullptr;
  RejectLog* rejects = nullptr;
  std::string_view source;
  uint64_t last_newlines = 0;
};

JsonlParser::JsonlParser(JsonlParserOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

JsonlParser::~JsonlParser() = default;

uint64_t JsonlParser::newlines_in_last_buffer() const { return impl_->last_newlines; }

JsonlParser::Counts JsonlParser::ParseBuffer(const char* data, size_t len, std::string_view source,
                                             uint64_t first_line, EventSink& sink,
                                             RejectLog& rejects) {
  Impl& im = *impl_;
  im.counts = Counts{};
  im.sink = &sink;
  im.rejects = &rejects;
  im.source = source;
  Impl::Cursor c{0, first_line};
  // The scanner reads only lines that end with '\n' (an unterminated last line goes to
  // simdjson), so it never looks past the line's '\n' by more than a block of 16 bytes.
  if (im.options.line_scanner && len > 0) {
    const void* last_nl = memrchr(data, '\n', len);
    if (last_nl != nullptr) {
      im.ScanRun(data, len, static_cast<size_t>(static_cast<const char*>(last_nl) - data) + 1, c);
    }
  }
  im.SimdjsonRun(data, len, c);
  im.last_newlines = c.line - first_line;
  im.sink = nullptr;
  im.rejects = nullptr;
  return im.counts;
}

}  // namespace inferscope
