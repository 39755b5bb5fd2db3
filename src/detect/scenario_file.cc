#include "detect/scenario_file.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <numbers>
#include <random>
#include <sstream>

#include "detect/detector_common.h"
#include "detect/detector_factory.h"

namespace inferscope {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr size_t kMaxPoints = 10'000'000;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

Result<double> Number(std::string_view s) {
  s = Trim(s);
  if (s == "nan") return kNaN;
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return Status::InvalidArgument(fmt::format("'{}' is not a number", s));
  }
  return v;
}

Result<size_t> Index(std::string_view s) {
  s = Trim(s);
  size_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return Status::InvalidArgument(fmt::format("'{}' is not a point index", s));
  }
  return v;
}

struct Range {
  size_t begin;
  size_t end;  // inclusive; SIZE_MAX = to the end
};

// "a..b", "a..", or "a".
Result<Range> ParseRange(std::string_view s) {
  s = Trim(s);
  const size_t dots = s.find("..");
  if (dots == std::string_view::npos) {
    INFERSCOPE_ASSIGN_OR_RETURN(size_t i, Index(s));
    return Range{i, i};
  }
  INFERSCOPE_ASSIGN_OR_RETURN(size_t a, Index(s.substr(0, dots)));
  const std::string_view rest = Trim(s.substr(dots + 2));
  if (rest.empty()) return Range{a, SIZE_MAX};
  INFERSCOPE_ASSIGN_OR_RETURN(size_t b, Index(rest));
  if (b < a) return Status::InvalidArgument("range '" + std::string(s) + "' is backwards");
  return Range{a, b};
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    const size_t at = s.find(sep);
    out.push_back(Trim(s.substr(0, at)));
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + 1);
  }
  return out;
}

// Splits "a then b then c" into segments.
std::vector<std::string_view> SplitSegments(std::string_view s) {
  std::vector<std::string_view> out;
  while (true) {
    const size_t at = s.find(" then ");
    std::string_view seg = Trim(s.substr(0, at));
    if (!seg.empty()) out.push_back(seg);
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + 6);
  }
  return out;
}

// Gaussian noise from mt19937_64 (whose output the standard fixes) by Box-Muller, so a
// scenario is the same series on every platform.
class Gaussian {
 public:
  explicit Gaussian(uint64_t seed) : gen_(seed) {}
  double Next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    constexpr double kScale = 1.0 / 9007199254740992.0;  // 2^-53
    const double u1 = (static_cast<double>(gen_() >> 11) + 1.0) * kScale;
    const double u2 = static_cast<double>(gen_() >> 11) * kScale;
    const double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2 * std::numbers::pi * u2);
    has_spare_ = true;
    return r * std::cos(2 * std::numbers::pi * u2);
  }

 private:
  std::mt19937_64 gen_;
  double spare_ = 0;
  bool has_spare_ = false;
};

struct Args {
  std::vector<std::string_view> positional;
  std::vector<std::pair<std::string_view, std::string_view>> named;

  const std::string_view* Find(std::string_view key) const {
    for (const auto& [k, v] : named) {
      if (k == key) return &v;
    }
    return nullptr;
  }
  Result<double> Get(std::string_view key, double fallback) const {
    const std::string_view* v = Find(key);
    if (v == nullptr) return fallback;
    return Number(*v);
  }
  Result<double> Require(std::string_view key) const {
    const std::string_view* v = Find(key);
    if (v == nullptr) return Status::InvalidArgument("missing " + std::string(key) + "=");
    return Number(*v);
  }
};

Status CheckKeys(const Args& args, std::initializer_list<std::string_view> allowed,
                 std::string_view fn) {
  for (const auto& [k, v] : args.named) {
    bool ok = false;
    for (std::string_view a : allowed) ok = ok || a == k;
    if (!ok) {
      return Status::InvalidArgument(std::string(fn) + "() has no argument '" + std::string(k) +
                                     "'");
    }
  }
  return Status::Ok();
}

Result<size_t> Count(const Args& args) {
  INFERSCOPE_ASSIGN_OR_RETURN(double n, args.Require("n"));
  if (!(n >= 0) || n > static_cast<double>(kMaxPoints) || n != std::floor(n)) {
    return Status::InvalidArgument("n must be a whole number in [0, 10M]");
  }
  return static_cast<size_t>(n);
}

Status ApplySegment(std::string_view seg, size_t index, std::vector<double>* values) {
  const size_t open = seg.find('(');
  if (open == std::string_view::npos || seg.back() != ')') {
    return Status::InvalidArgument("segment '" + std::string(seg) + "' is not name(args)");
  }
  const std::string_view fn = Trim(seg.substr(0, open));
  Args args;
  const std::string_view inner = Trim(seg.substr(open + 1, seg.size() - open - 2));
  if (!inner.empty()) {
    for (std::string_view a : Split(inner, ',')) {
      const size_t eq = a.find('=');
      if (eq == std::string_view::npos) {
        args.positional.push_back(a);
      } else {
        args.named.emplace_back(Trim(a.substr(0, eq)), Trim(a.substr(eq + 1)));
      }
    }
  }

  if (fn == "set" || fn == "add") {
    INFERSCOPE_RETURN_IF_ERROR(CheckKeys(args, {}, fn));
    if (args.positional.size() != 2) {
      return Status::InvalidArgument(std::string(fn) + "() takes (range, value)");
    }
    INFERSCOPE_ASSIGN_OR_RETURN(Range r, ParseRange(args.positional[0]));
    INFERSCOPE_ASSIGN_OR_RETURN(double v, Number(args.positional[1]));
    if (r.end == SIZE_MAX && values->empty()) {
      return Status::InvalidArgument(std::string(fn) + "() on an empty series");
    }
    const size_t end = r.end == SIZE_MAX ? values->size() - 1 : r.end;
    // set() may append: set(300..309, v) right after 300 points adds ten points.
    if (fn == "set" && r.begin <= values->size() && end >= values->size()) {
      if (end >= kMaxPoints) return Status::InvalidArgument("series is too long");
      values->resize(end + 1, v);
    }
    if (end >= values->size()) {
      return Status::InvalidArgument(std::string(fn) + "() range is past the end of the series");
    }
    for (size_t i = r.begin; i <= end; ++i) (*values)[i] = fn == "set" ? v : (*values)[i] + v;
    return Status::Ok();
  }
  if (fn == "values") {
    INFERSCOPE_RETURN_IF_ERROR(CheckKeys(args, {}, fn));
    for (std::string_view p : args.positional) {
      INFERSCOPE_ASSIGN_OR_RETURN(double v, Number(p));
      values->push_back(v);
    }
    return Status::Ok();
  }
  if (!args.positional.empty()) {
    return Status::InvalidArgument(std::string(fn) + "() takes key=value arguments only");
  }
  INFERSCOPE_ASSIGN_OR_RETURN(double sd, args.Get("sd", 0));
  INFERSCOPE_ASSIGN_OR_RETURN(double seed, args.Get("seed", static_cast<double>(index + 1)));
  Gaussian noise(static_cast<uint64_t>(seed));
  auto emit = [&](double base) { values->push_back(sd > 0 ? base + sd * noise.Next() : base); };
  if (values->size() > kMaxPoints) return Status::InvalidArgument("series is too long");

  if (fn == "constant") {
    INFERSCOPE_RETURN_IF_ERROR(CheckKeys(args, {"value", "n", "sd", "seed"}, fn));
    INFERSCOPE_ASSIGN_OR_RETURN(double v, args.Require("value"));
    INFERSCOPE_ASSIGN_OR_RETURN(size_t n, Count(args));
    for (size_t i = 0; i < n; ++i) emit(v);
    return Status::Ok();
  }
  if (fn == "noise") {
    INFERSCOPE_RETURN_IF_ERROR(CheckKeys(args, {"mean", "sd", "n", "seed"}, fn));
    INFERSCOPE_ASSIGN_OR_RETURN(double mean, args.Require("mean"));
    INFERSCOPE_ASSIGN_OR_RETURN(size_t n, Count(args));
    for (size_t i = 0; i < n; ++i) emit(mean);
    return Status::Ok();
  }
  if (fn == "ramp") {
    INFERSCOPE_RETURN_IF_ERROR(CheckKeys(args, {"from", "to", "n", "sd", "seed"}, fn));
    INFERSCOPE_ASSIGN_OR_RETURN(double from, args.Require("from"));
    INFERSCOPE_ASSIGN_OR_RETURN(double to, args.Require("to"));
    INFERSCOPE_ASSIGN_OR_RETURN(size_t n, Count(args));
    for (size_t i = 0; i < n; ++i) {
      emit(n == 1 ? from
                  : from + (to - from) * static_cast<double>(i) / static_cast<double>(n - 1));
    }
    return Status::Ok();
  }
  if (fn == "sine") {
    INFERSCOPE_RETURN_IF_ERROR(
        CheckKeys(args, {"mean", "amp", "period", "n", "phase", "sd", "seed"}, fn));
    INFERSCOPE_ASSIGN_OR_RETURN(double mean, args.Require("mean"));
    INFERSCOPE_ASSIGN_OR_RETURN(double amp, args.Require("amp"));
    INFERSCOPE_ASSIGN_OR_RETURN(double period, args.Require("period"));
    INFERSCOPE_ASSIGN_OR_RETURN(double phase, args.Get("phase", 0));
    INFERSCOPE_ASSIGN_OR_RETURN(size_t n, Count(args));
    if (!(period > 0)) return Status::InvalidArgument("sine() period must be > 0");
    for (size_t i = 0; i < n; ++i) {
      const double g = static_cast<double>(values->size()) + phase;
      emit(mean + amp * std::sin(2 * std::numbers::pi * g / period));
    }
    return Status::Ok();
  }
  if (fn == "nan") {
    INFERSCOPE_RETURN_IF_ERROR(CheckKeys(args, {"n"}, fn));
    INFERSCOPE_ASSIGN_OR_RETURN(size_t n, Count(args));
    values->insert(values->end(), n, kNaN);
    return Status::Ok();
  }
  return Status::InvalidArgument("unknown series function '" + std::string(fn) + "'");
}

Result<ScenarioExpectation> ParseExpectation(std::string_view text) {
  std::vector<std::string_view> words;
  for (std::string_view w : Split(text, ' ')) {
    if (!w.empty()) words.push_back(w);
  }
  ScenarioExpectation e;
  e.text = std::string(text);
  if (words.empty()) return Status::InvalidArgument("empty expectation");
  const std::string_view what = words[0];
  if (what == "fire_between" && words.size() == 3) {
    e.kind = ScenarioExpectation::Kind::kFireBetween;
    INFERSCOPE_ASSIGN_OR_RETURN(e.begin, Index(words[1]));
    INFERSCOPE_ASSIGN_OR_RETURN(e.end, Index(words[2]));
    if (e.end < e.begin) return Status::InvalidArgument("fire_between range is backwards");
    return e;
  }
  if (what == "quiet" && words.size() == 2) {
    e.kind = ScenarioExpectation::Kind::kQuiet;
    INFERSCOPE_ASSIGN_OR_RETURN(Range r, ParseRange(words[1]));
    e.begin = r.begin;
    e.end = r.end;
    return e;
  }
  if (what == "learning_until" && words.size() == 2) {
    e.kind = ScenarioExpectation::Kind::kLearningUntil;
    INFERSCOPE_ASSIGN_OR_RETURN(e.begin, Index(words[1]));
    return e;
  }
  if (what == "max_score_in" && words.size() == 3) {
    e.kind = ScenarioExpectation::Kind::kMaxScoreIn;
    INFERSCOPE_ASSIGN_OR_RETURN(Range r, ParseRange(words[1]));
    e.begin = r.begin;
    e.end = r.end;
    INFERSCOPE_ASSIGN_OR_RETURN(e.value, Number(words[2]));
    return e;
  }
  if (what == "incidents" && words.size() == 2) {
    e.kind = ScenarioExpectation::Kind::kIncidents;
    INFERSCOPE_ASSIGN_OR_RETURN(e.begin, Index(words[1]));
    return e;
  }
  if (what == "incident" && words.size() == 2) {
    e.kind = ScenarioExpectation::Kind::kIncident;
    INFERSCOPE_ASSIGN_OR_RETURN(Range r, ParseRange(words[1]));
    e.begin = r.begin;
    e.end = r.end;
    return e;
  }
  if (what == "fired_at" && words.size() == 2) {
    e.kind = ScenarioExpectation::Kind::kFiredAt;
    INFERSCOPE_ASSIGN_OR_RETURN(e.begin, Index(words[1]));
    return e;
  }
  return Status::InvalidArgument(
      "expectation must be one of: fire_between A B | quiet A..B | learning_until N | "
      "max_score_in A..B X | incidents N | incident A..B | fired_at N");
}

Status ParseTracker(std::string_view text, AnomalyTracker::Options* o) {
  for (std::string_view w : Split(text, ' ')) {
    if (w.empty()) continue;
    const size_t eq = w.find('=');
    if (eq == std::string_view::npos) return Status::InvalidArgument("tracker: expected key=value");
    const std::string_view key = w.substr(0, eq), value = w.substr(eq + 1);
    if (key == "fire" || key == "resolve") {
      INFERSCOPE_ASSIGN_OR_RETURN(double v, Number(value));
      (key == "fire" ? o->fire_threshold : o->resolve_threshold) = v;
      continue;
    }
    int64_t* target = key == "pending_for"     ? &o->pending_for_ns
                      : key == "resolve_after" ? &o->resolve_after_ns
                      : key == "cooldown"      ? &o->cooldown_ns
                                               : nullptr;
    if (target == nullptr) {
      return Status::InvalidArgument("tracker: unknown option '" + std::string(key) + "'");
    }
    if (value == "0") {
      *target = 0;
      continue;
    }
    INFERSCOPE_ASSIGN_OR_RETURN(*target, ParseDurationNs(value));
  }
  return Status::Ok();
}

std::string Fmt(double v) {
  std::ostringstream os;
  os.precision(4);
  os << v;
  return os.str();
}

}  // namespace

Result<Scenario> ParseScenario(std::string_view text, std::string_view path) {
  Scenario s;
  s.path = std::string(path);
  int line_no = 0;
  size_t segments = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    auto fail = [&](const Status& st) {
      return Status::InvalidArgument(s.path + ":" + std::to_string(line_no) + ": " + st.message());
    };
    const size_t hash = line.find('#');
    if (hash != std::string_view::npos) {
      if (s.description.empty() && Trim(line.substr(0, hash)).empty()) {
        s.description = std::string(Trim(line.substr(hash + 1)));
      }
      line = line.substr(0, hash);
    }
    line = Trim(line);
    if (line.empty()) continue;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return fail(Status::InvalidArgument("expected 'directive: ...'"));
    }
    const std::string_view key = Trim(line.substr(0, colon));
    const std::string_view value = Trim(line.substr(colon + 1));
    if (key == "detector") {
      if (!s.detector_spec.empty()) return fail(Status::InvalidArgument("a second detector:"));
      Result<std::unique_ptr<SeriesDetector>> d = ParseDetectorSpec(value);
      if (!d.ok()) return fail(d.status());
      s.detector_spec = std::string(value);
      s.detector_line = line_no;
    } else if (key == "step" || key == "start") {
      int64_t ns = 0;
      if (key == "start" && value == "0") {
        ns = 0;
      } else {
        Result<int64_t> d = ParseDurationNs(value);
        if (!d.ok()) return fail(d.status());
        ns = *d;
      }
      (key == "step" ? s.step_ns : s.start_ns) = ns;
    } else if (key == "tracker") {
      Status st = ParseTracker(value, &s.tracker);
      if (!st.ok()) return fail(st);
    } else if (key == "series") {
      for (std::string_view seg : SplitSegments(value)) {
        Status st = ApplySegment(seg, segments++, &s.values);
        if (!st.ok()) return fail(st);
      }
    } else if (key == "labels") {
      for (std::string_view word : Split(value, ' ')) {
        if (word.empty()) continue;
        const size_t eq = word.find('=');
        if (eq == std::string_view::npos || eq == 0) {
          return fail(
              Status::InvalidArgument("label '" + std::string(word) + "' is not name=value"));
        }
        s.labels.emplace_back(std::string(word.substr(0, eq)), std::string(word.substr(eq + 1)));
      }
    } else if (key == "ensemble") {
      for (std::string_view word : Split(value, ' ')) {
        if (word.empty()) continue;
        const size_t eq = word.find('=');
        const std::string_view k = word.substr(0, eq);
        const std::string_view v = eq == std::string_view::npos ? "" : word.substr(eq + 1);
        if (k == "direction") {
          std::optional<Direction> d = DirectionByName(v);
          if (!d)
            return fail(Status::InvalidArgument("ensemble direction '" + std::string(v) + "'"));
          s.ensemble.direction = *d;
        } else if (k == "min_abs_deviation" || k == "min_rel_deviation") {
          Result<double> d = Number(v);
          if (!d.ok()) return fail(d.status());
          (k == "min_abs_deviation" ? s.ensemble.min_abs_deviation : s.ensemble.min_rel_deviation) =
              *d;
        } else {
          return fail(Status::InvalidArgument("unknown ensemble option '" + std::string(k) + "'"));
        }
      }
    } else if (key == "expect") {
      Result<ScenarioExpectation> e = ParseExpectation(value);
      if (!e.ok()) return fail(e.status());
      e->line = line_no;
      s.expectations.push_back(std::move(*e));
    } else {
      return fail(Status::InvalidArgument("unknown directive '" + std::string(key) + "'"));
    }
  }
  if (s.detector_spec.empty()) {
    return Status::InvalidArgument(s.path + ": no detector: line");
  }
  if (s.values.empty()) return Status::InvalidArgument(s.path + ": no series: points");
  return s;
}

Result<Scenario> LoadScenarioFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  return ParseScenario(buf.str(), path);
}

std::vector<DetectorOutput> RunScenario(const Scenario& scenario, SeriesDetector& detector) {
  std::vector<DetectorOutput> out;
  out.reserve(scenario.values.size());
  for (size_t i = 0; i < scenario.values.size(); ++i) {
    out.push_back(detector.Update(scenario.TimeOf(i), scenario.values[i]));
  }
  return out;
}

std::vector<std::string> CheckScenario(const Scenario& scenario,
                                       std::span<const DetectorOutput> outputs,
                                       const std::vector<Anomaly>* given_incidents) {
  std::vector<std::string> failures;
  const size_t n = outputs.size();
  auto where = [&](int line) { return scenario.path + ":" + std::to_string(line) + ": "; };
  for (size_t i = 0; i < n; ++i) {
    const DetectorOutput& o = outputs[i];
    std::string bad;
    if (!(o.score >= 0 && o.score <= 1)) bad = "score " + Fmt(o.score) + " outside [0, 1]";
    if (o.learning && o.score != 0) bad = "score " + Fmt(o.score) + " while learning";
    if (i < scenario.values.size() && std::isnan(scenario.values[i]) && o.score != 0) {
      bad = "score " + Fmt(o.score) + " for a NaN point";
    }
    if (!bad.empty()) {
      failures.push_back(where(scenario.detector_line) + "invariant broken at point " +
                         std::to_string(i) + ": " + bad);
      break;
    }
  }
  // Lifecycle expectations: the outputs through an AnomalyTracker.
  std::vector<Anomaly> incidents;
  bool tracked = false;
  auto index_of = [&](TimestampNs ts) {
    return static_cast<size_t>((ts - scenario.start_ns) / scenario.step_ns);
  };
  for (const ScenarioExpectation& e : scenario.expectations) {
    using K = ScenarioExpectation::Kind;
    if (e.kind != K::kIncidents && e.kind != K::kIncident && e.kind != K::kFiredAt) continue;
    if (!tracked && given_incidents != nullptr) {
      incidents = *given_incidents;
      tracked = true;
    }
    if (!tracked) {
      AnomalyTracker tracker(scenario.tracker);
      for (size_t i = 0; i < n && i < scenario.values.size(); ++i) {
        if (std::isnan(scenario.values[i])) continue;
        AnomalyTracker::Point p;
        p.ts = scenario.TimeOf(i);
        p.value = scenario.values[i];
        p.output = outputs[i];
        tracker.Observe("scenario", "value", AnomalyKind::kSpike, "detector", p);
      }
      incidents = tracker.Incidents();
      tracked = true;
    }
    const std::string head = where(e.line) + "expect " + e.text + ": ";
    std::string seen;
    for (const Anomaly& a : incidents) {
      seen += " [" + std::to_string(index_of(a.start_ns)) + ".." +
              (a.state == AnomalyState::kResolved ? std::to_string(index_of(a.end_ns)) : "") +
              " fired at " + std::to_string(index_of(a.fired_ns)) + "]";
    }
    if (seen.empty()) seen = " none";
    bool ok = false;
    if (e.kind == K::kIncidents) {
      ok = incidents.size() == e.begin;
    } else {
      for (const Anomaly& a : incidents) {
        if (e.kind == K::kFiredAt) {
          ok |= index_of(a.fired_ns) == e.begin;
        } else {
          const bool open_ended = e.end == SIZE_MAX;
          ok |= index_of(a.start_ns) == e.begin &&
                (open_ended ? a.state == AnomalyState::kFiring
                            : a.state == AnomalyState::kResolved && index_of(a.end_ns) == e.end);
        }
      }
    }
    if (!ok) failures.push_back(head + "incidents seen:" + seen);
  }

  for (const ScenarioExpectation& e : scenario.expectations) {
    const std::string head = where(e.line) + "expect " + e.text + ": ";
    if (e.kind == ScenarioExpectation::Kind::kIncidents ||
        e.kind == ScenarioExpectation::Kind::kIncident ||
        e.kind == ScenarioExpectation::Kind::kFiredAt) {
      continue;
    }
    if (e.kind == ScenarioExpectation::Kind::kLearningUntil) {
      std::string bad;
      for (size_t i = 0; i < std::min(e.begin, n) && bad.empty(); ++i) {
        if (!outputs[i].learning) bad = "point " + std::to_string(i) + " is not learning";
      }
      if (bad.empty() && e.begin < n && outputs[e.begin].learning) {
        bad = "point " + std::to_string(e.begin) + " is still learning";
      }
      if (bad.empty() && e.begin >= n) bad = "the series has only " + std::to_string(n) + " points";
      if (!bad.empty()) failures.push_back(head + bad);
      continue;
    }
    const size_t end = e.end == SIZE_MAX ? (n == 0 ? 0 : n - 1) : e.end;
    if (e.begin >= n || end >= n) {
      failures.push_back(head + "range is past the end of the series (" + std::to_string(n) +
                         " points)");
      continue;
    }
    size_t first_fire = SIZE_MAX;
    size_t fires = 0;
    size_t argmax = e.begin;
    for (size_t i = e.begin; i <= end; ++i) {
      if (outputs[i].score >= kFireScore) {
        ++fires;
        if (first_fire == SIZE_MAX) first_fire = i;
      }
      if (outputs[i].score > outputs[argmax].score) argmax = i;
    }
    const std::string max_text =
        "max score " + Fmt(outputs[argmax].score) + " at point " + std::to_string(argmax);
    switch (e.kind) {
      case ScenarioExpectation::Kind::kFireBetween:
        if (first_fire == SIZE_MAX) {
          std::string next = "it never fires after";
          for (size_t i = end + 1; i < n; ++i) {
            if (outputs[i].score >= kFireScore) {
              next = "first fire after is at point " + std::to_string(i) + " (score " +
                     Fmt(outputs[i].score) + ")";
              break;
            }
          }
          failures.push_back(head + "no score >= 0.5 in the range; " + max_text + "; " + next);
        }
        break;
      case ScenarioExpectation::Kind::kQuiet:
        if (fires > 0) {
          failures.push_back(head + std::to_string(fires) + " point(s) fire, first at " +
                             std::to_string(first_fire) + " (score " +
                             Fmt(outputs[first_fire].score) + ", value " +
                             Fmt(scenario.values[first_fire]) + ", expected " +
                             Fmt(outputs[first_fire].expected) + "); " + max_text);
        }
        break;
      case ScenarioExpectation::Kind::kMaxScoreIn:
        if (outputs[argmax].score > e.value) failures.push_back(head + max_text);
        break;
      case ScenarioExpectation::Kind::kLearningUntil:
      case ScenarioExpectation::Kind::kIncidents:
      case ScenarioExpectation::Kind::kIncident:
      case ScenarioExpectation::Kind::kFiredAt:
        break;
    }
  }
  return failures;
}

}  // namespace inferscope
