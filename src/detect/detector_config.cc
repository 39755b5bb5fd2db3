#include "detect/detector_config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "detect/detector_common.h"
#include "detect/detector_factory.h"
#include "detect/multivariate_detector.h"

namespace inferscope {
namespace {

// Reads nodes and turns every problem into "path:line:col: key: what".
class ConfigReader {
 public:
  explicit ConfigReader(std::string_view path) : path_(path) {}

  Status Error(const YAML::Node& node, std::string_view key, std::string_view what) const {
    const YAML::Mark mark = node.Mark();
    if (mark.is_null()) return Status::InvalidArgument(fmt::format("{}: {}: {}", path_, key, what));
    return Status::InvalidArgument(
        fmt::format("{}:{}:{}: {}: {}", path_, mark.line + 1, mark.column + 1, key, what));
  }

  Status Map(const YAML::Node& node, std::string_view key) const {
    if (!node.IsMap()) return Error(node, key, "expected a mapping");
    return Status::Ok();
  }

  Status Scalar(const YAML::Node& node, std::string_view key, std::string* out) const {
    if (!node.IsScalar()) return Error(node, key, "expected a single value");
    *out = node.Scalar();
    return Status::Ok();
  }

  Status Number(const YAML::Node& node, std::string_view key, double* out) const {
    std::string text;
    INFERSCOPE_RETURN_IF_ERROR(Scalar(node, key, &text));
    double v = 0;
    if (!YAML::convert<double>::decode(node, v) || !std::isfinite(v)) {
      return Error(node, key, fmt::format("'{}' is not a number", text));
    }
    *out = v;
    return Status::Ok();
  }

  Status NonNegative(const YAML::Node& node, std::string_view key, double* out) const {
    INFERSCOPE_RETURN_IF_ERROR(Number(node, key, out));
    if (*out < 0) return Error(node, key, "must be >= 0");
    return Status::Ok();
  }

  Status Count(const YAML::Node& node, std::string_view key, uint64_t* out) const {
    std::string text;
    INFERSCOPE_RETURN_IF_ERROR(Scalar(node, key, &text));
    uint64_t v = 0;
    if (text.empty() || text[0] == '-' || !YAML::convert<uint64_t>::decode(node, v)) {
      return Error(node, key, fmt::format("'{}' is not a count", text));
    }
    *out = v;
    return Status::Ok();
  }

  Status Bool(const YAML::Node& node, std::string_view key, bool* out) const {
    std::string text;
    INFERSCOPE_RETURN_IF_ERROR(Scalar(node, key, &text));
    if (!YAML::convert<bool>::decode(node, *out)) {
      return Error(node, key, fmt::format("'{}' is not true or false", text));
    }
    return Status::Ok();
  }

  Status Duration(const YAML::Node& node, std::string_view key, int64_t* out) const {
    std::string text;
    INFERSCOPE_RETURN_IF_ERROR(Scalar(node, key, &text));
    Result<int64_t> d = ParseDurationNs(text);
    if (!d.ok()) return Error(node, key, d.status().message());
    if (*d < 0) return Error(node, key, "must be >= 0");
    *out = *d;
    return Status::Ok();
  }

  Status Threshold(const YAML::Node& node, std::string_view key, double* out) const {
    INFERSCOPE_RETURN_IF_ERROR(Number(node, key, out));
    if (*out <= 0 || *out > 1) return Error(node, key, "must be in (0, 1]");
    return Status::Ok();
  }

 private:
  std::string path_;
};

std::string KeyOf(const YAML::Node& key) { return key.IsScalar() ? key.Scalar() : "?"; }

Status ReadTracker(const ConfigReader& r, const YAML::Node& node, AnomalyTracker::Options* t) {
  INFERSCOPE_RETURN_IF_ERROR(r.Map(node, "tracker"));
  for (const auto& item : node) {
    const std::string name = KeyOf(item.first);
    const std::string key = "tracker." + name;
    const YAML::Node& v = item.second;
    if (name == "pending_for") {
      INFERSCOPE_RETURN_IF_ERROR(r.Duration(v, key, &t->pending_for_ns));
    } else if (name == "resolve_after") {
      INFERSCOPE_RETURN_IF_ERROR(r.Duration(v, key, &t->resolve_after_ns));
    } else if (name == "cooldown") {
      INFERSCOPE_RETURN_IF_ERROR(r.Duration(v, key, &t->cooldown_ns));
    } else if (name == "fire_threshold") {
      INFERSCOPE_RETURN_IF_ERROR(r.Threshold(v, key, &t->fire_threshold));
    } else if (name == "resolve_threshold") {
      INFERSCOPE_RETURN_IF_ERROR(r.Threshold(v, key, &t->resolve_threshold));
    } else {
      return r.Error(item.first, key,
                     "unknown key (expected pending_for, resolve_after, cooldown, "
                     "fire_threshold or resolve_threshold)");
    }
  }
  if (t->resolve_threshold > t->fire_threshold) {
    return r.Error(node, "tracker", "resolve_threshold must not exceed fire_threshold");
  }
  return Status::Ok();
}

Status ReadMetric(const ConfigReader& r, const std::string& name, const YAML::Node& key_node,
                  const YAML::Node& node, std::vector<MetricSpec>* specs) {
  const std::string where = "metrics." + name;
  if (node.IsNull()) return Status::Ok();  // "latency_p95_ms:" alone: keep as is
  INFERSCOPE_RETURN_IF_ERROR(r.Map(node, where));
  const bool multivariate = name == kMultivariateMetric;
  auto it = std::find_if(specs->begin(), specs->end(),
                         [&](const MetricSpec& s) { return s.metric == name; });
  MetricSpec spec;
  const bool in_base = it != specs->end();
  if (in_base) {
    spec = *it;
  } else if (multivariate) {
    spec = MultivariateMetricSpec();
  } else if (const MetricExtractor* e = FindMetricExtractor(name)) {
    spec.metric = name;
    spec.kind = e->kind;
    spec.extract = e->extract;
    spec.gate = e->gate;
    spec.min_requests = 5;
  } else {
    std::string known;
    for (std::string_view n : MetricExtractorNames()) known += std::string(n) + ", ";
    return r.Error(key_node, where,
                   fmt::format("unknown metric (known: {}{})", known, kMultivariateMetric));
  }

  bool enabled = true;
  bool has_detectors = false;
  YAML::Node detectors_node;
  for (const auto& item : node) {
    const std::string k = KeyOf(item.first);
    const std::string key = where + "." + k;
    const YAML::Node& v = item.second;
    if (k == "enabled") {
      INFERSCOPE_RETURN_IF_ERROR(r.Bool(v, key, &enabled));
    } else if (k == "detectors") {
      if (!v.IsSequence() || v.size() == 0) {
        return r.Error(v, key, "expected a non-empty list of detector spec lines");
      }
      spec.detectors.clear();
      for (size_t i = 0; i < v.size(); ++i) {
        std::string line;
        const std::string item_key = fmt::format("{}[{}]", key, i);
        INFERSCOPE_RETURN_IF_ERROR(r.Scalar(v[i], item_key, &line));
        if (multivariate) {
          if (v.size() != 1) return r.Error(v, key, "multivariate takes one isolation_forest line");
          Result<MultivariateOptions> o = ParseMultivariateSpec(line);
          if (!o.ok()) return r.Error(v[i], item_key, o.status().message());
          std::string_view rest = line;
          const size_t s = rest.find_first_not_of(" \t");
          rest.remove_prefix(s == std::string_view::npos ? rest.size() : s);
          if (rest.substr(0, 16) != "isolation_forest") line = "isolation_forest " + line;
        } else {
          Result<std::unique_ptr<SeriesDetector>> d = ParseDetectorSpec(line);
          if (!d.ok()) return r.Error(v[i], item_key, d.status().message());
        }
        spec.detectors.push_back(line);
      }
      has_detectors = true;
      detectors_node = v;
    } else if (k == "options" && multivariate) {
      std::string options;
      INFERSCOPE_RETURN_IF_ERROR(r.Scalar(v, key, &options));
      Result<MultivariateOptions> o = ParseMultivariateSpec(options);
      if (!o.ok()) return r.Error(v, key, o.status().message());
      spec.detectors = {"isolation_forest " + options};
    } else if (k == "direction" && !multivariate) {
      std::string text;
      INFERSCOPE_RETURN_IF_ERROR(r.Scalar(v, key, &text));
      std::optional<Direction> d = DirectionByName(text);
      if (!d) return r.Error(v, key, fmt::format("'{}' is not above, below or both", text));
      spec.ensemble.direction = *d;
    } else if (k == "min_abs_deviation" && !multivariate) {
      INFERSCOPE_RETURN_IF_ERROR(r.NonNegative(v, key, &spec.ensemble.min_abs_deviation));
    } else if (k == "min_rel_deviation" && !multivariate) {
      INFERSCOPE_RETURN_IF_ERROR(r.NonNegative(v, key, &spec.ensemble.min_rel_deviation));
    } else if (k == "min_requests") {
      INFERSCOPE_RETURN_IF_ERROR(r.Count(v, key, &spec.min_requests));
    } else if (k == "min_events" && !multivariate) {
      INFERSCOPE_RETURN_IF_ERROR(r.NonNegative(v, key, &spec.min_events));
    } else if (k == "per_model") {
      INFERSCOPE_RETURN_IF_ERROR(r.Bool(v, key, &spec.per_model));
    } else if (k == "fleet") {
      INFERSCOPE_RETURN_IF_ERROR(r.Bool(v, key, &spec.fleet));
    } else if (k == "kind") {
      std::string text;
      INFERSCOPE_RETURN_IF_ERROR(r.Scalar(v, key, &text));
      std::optional<AnomalyKind> kind = AnomalyKindByName(text);
      if (!kind) return r.Error(v, key, fmt::format("'{}' is not an anomaly kind", text));
      spec.kind = *kind;
    } else if (k == "gate" && !multivariate) {
      std::string text;
      INFERSCOPE_RETURN_IF_ERROR(r.Scalar(v, key, &text));
      if (text == "none") {
        spec.gate = nullptr;
      } else if (text == "queue") {
        spec.gate = FindMetricExtractor("gpu_util")->gate;
      } else {
        return r.Error(v, key, fmt::format("'{}' is not queue or none", text));
      }
    } else {
      return r.Error(item.first, key,
                     multivariate ? "unknown key (expected enabled, options, detectors, "
                                    "min_requests, per_model, fleet or kind)"
                                  : "unknown key (expected enabled, detectors, direction, "
                                    "min_abs_deviation, min_rel_deviation, min_requests, "
                                    "min_events, per_model, fleet, kind or gate)");
    }
  }
  if (!enabled) {
    if (in_base) specs->erase(it);
    return Status::Ok();
  }
  if (!in_base && !multivariate && !has_detectors) {
    return r.Error(node, where, "a metric that is not in the base needs detectors");
  }
  if (!multivariate) {
    // The ensemble as a whole (e.g. several lines that are each fine).
    auto ensemble = EnsembleDetector::FromSpecs(spec.detectors, spec.ensemble);
    if (!ensemble.ok()) {
      return r.Error(has_detectors ? detectors_node : node, where + ".detectors",
                     ensemble.status().message());
    }
  }
  if (!spec.per_model && !spec.fleet) {
    return r.Error(node, where, "watched nowhere: per_model and fleet are both false");
  }
  if (in_base) {
    *it = std::move(spec);
  } else {
    specs->push_back(std::move(spec));
  }
  return Status::Ok();
}

}  // namespace

Result<DetectorConfig> ParseDetectorConfig(std::string_view yaml, std::string_view path) {
  ConfigReader r(path);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        fmt::format("{}:{}:{}: {}", path, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  DetectorConfig config;
  config.specs = DefaultMetricSpecs();
  if (root.IsNull()) return config;  // an empty file: the defaults
  INFERSCOPE_RETURN_IF_ERROR(r.Map(root, "(top level)"));
  try {
    // The base first, wherever it is written: the rest overrides it.
    if (const YAML::Node base = root["base"]) {
      std::string text;
      INFERSCOPE_RETURN_IF_ERROR(r.Scalar(base, "base", &text));
      if (text == "default") {
      } else if (text == "naive") {
        config.specs = NaiveMetricSpecs();
        config.tracker = NaiveTrackerOptions();
      } else if (text == "none") {
        config.specs.clear();
      } else {
        return r.Error(base, "base", fmt::format("'{}' is not default, naive or none", text));
      }
    }
    for (const auto& item : root) {
      const std::string name = KeyOf(item.first);
      if (name == "base") continue;
      if (name == "tracker") {
        INFERSCOPE_RETURN_IF_ERROR(ReadTracker(r, item.second, &config.tracker));
      } else if (name == "metrics") {
        const YAML::Node& metrics = item.second;
        if (metrics.IsNull()) continue;
        INFERSCOPE_RETURN_IF_ERROR(r.Map(metrics, "metrics"));
        for (const auto& m : metrics) {
          INFERSCOPE_RETURN_IF_ERROR(
              ReadMetric(r, KeyOf(m.first), m.first, m.second, &config.specs));
        }
      } else {
        return r.Error(item.first, name, "unknown key (expected base, tracker or metrics)");
      }
    }
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(
        fmt::format("{}:{}:{}: {}", path, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  return config;
}

Result<DetectorConfig> LoadDetectorConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(fmt::format("cannot open detector config {}", path));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IoError(fmt::format("cannot read detector config {}", path));
  return ParseDetectorConfig(text.str(), path);
}

}  // namespace inferscope
