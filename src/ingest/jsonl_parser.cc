#include "ingest/jsonl_parser.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "core/time_format.h"

// Design (format: docs/log-format.md).
//
// Fast path: simdjson's iterate_many over the whole buffer. iterate_many sees a stream of
// JSON documents, not lines, so every document is checked to be exactly one line: it must
// start at the first non-blank byte of the next unread line, and the next structural
// character after it must lie beyond that line's '\n' with only blanks in between. Only
// records that pass every check are emitted from the fast path.
//
// Slow path: one line at a time with a second parser (parser.iterate on the line). It is
// the single source of truth for rejects: any record the fast path would reject, any
// document it cannot place on one line, and any stream error, is handed to it. After a
// stream error the slow path runs for a while (a budget that grows while errors keep
// coming) and then the fast path restarts at the next line, so one bad line costs little
// and a file of garbage does not restart the stream for every line.

namespace inferscope {
namespace {

namespace od = simdjson::ondemand;

// Window of iterate_many's stage 1. Lines longer than this fall back to the slow path.
constexpr size_t kBatchBytes = 1 << 20;
constexpr size_t kMinSlowBudget = 64 << 10;
constexpr size_t kMaxSlowBudget = size_t{64} << 20;
// A fast run shorter than this before failing again counts as "errors keep coming".
constexpr size_t kShortFastRun = 1 << 20;

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

struct FieldSpec {
  std::string_view name;  // as written in the record (or the --map path), for messages
  uint8_t target;
  uint8_t priority;
  bool latency_alias;  // the `latency` alias, in FieldMapping::latency_unit
};

constexpr FieldSpec F(std::string_view name, uint8_t target, uint8_t prio = kCanonical) {
  return FieldSpec{name, target, prio, false};
}
constexpr uint8_t N(EventField f) { return static_cast<uint8_t>(f); }

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

// True when the raw key (bytes after the opening quote) is exactly `name`. Reads at most
// name.size() + 1 bytes: safe for our short names thanks to the buffer's padding.
inline bool KeyIs(const char* key, std::string_view name) {
  return std::memcmp(key, name.data(), name.size()) == 0 && key[name.size()] == '"';
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

std::string_view* StringMember(Event& e, uint8_t target) {
  switch (target) {
    case kRequestId:
      return &e.request_id;
    case kModel:
      return &e.model;
    case kCacheTier:
      return &e.cache_tier;
    case kTaskType:
      return &e.task_type;
    case kUser:
      return &e.user;
    case kService:
      return &e.service;
    case kTraceId:
      return &e.trace_id;
    case kSpanId:
      return &e.span_id;
    case kParentSpanId:
      return &e.parent_span_id;
    default:
      return nullptr;
  }
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
    std::string_view k(key, RawKeyLength(key));
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
        if (auto e = v.get_double().get(d)) return Malformed(e);
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
    bool iso = s.size() >= 10 && s[4] == '-';
    if (!iso && !s.empty()) {
      const char* end = s.data() + s.size();
      int64_t i = 0;
      auto [ip, iec] = std::from_chars(s.data(), end, i);
      if (iec == std::errc() && ip == end) {
        if (!IntEpochToNs(i, out)) return Reject(spec, "timestamp out of range");
        return Verdict::kOk;
      }
      double d = 0;
      auto [dp, dec] = std::from_chars(s.data(), end, d, std::chars_format::fixed);
      if (dec == std::errc() && dp == end) {
        Result<TimestampNs> r = EpochNumberToNs(d);
        if (!r.ok()) return Reject(spec, "{}", r.status().message());
        *out = *r;
        return Verdict::kOk;
      }
    }
    Result<TimestampNs> r = ParseIso8601(s);
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
        if (auto e = v.get_double().get(d)) return Malformed(e);
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
      if (auto e = v.get_double().get(*out)) return Malformed(e);
      if (*out != 0.0 && *out != 1.0)
        return Reject(spec, "expected a boolean or 0/1, got {}", *out);
      return Verdict::kOk;
    }
    if (type != od::json_type::number) return WrongType(spec, "a number", type);
    double d;
    if (auto e = v.get_double().get(d)) return Malformed(e);
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

  JsonlParserOptions options;
  od::parser stream_parser;
  od::parser line_parser;
  double latency_scale = 1000.0;
  std::vector<MapNode> map_nodes;
  std::vector<uint32_t> map_roots;

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
  size_t slow_budget = kMinSlowBudget;
  while (c.pos < len) {
    size_t fast_start = c.pos;
    im.FastRun(data, len, c);
    if (c.pos >= len) break;
    slow_budget = c.pos - fast_start < kShortFastRun ? std::min(slow_budget * 2, kMaxSlowBudget)
                                                     : kMinSlowBudget;
    size_t stop = c.pos + slow_budget;
    do {
      im.SlowLine(data, len, Impl::LineEnd(data, len, c.pos), c);
    } while (c.pos < len && c.pos < stop);
  }
  im.last_newlines = c.line - first_line;
  im.sink = nullptr;
  im.rejects = nullptr;
  return im.counts;
}

}  // namespace inferscope
