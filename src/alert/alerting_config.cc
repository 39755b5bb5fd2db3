#include "alert/alerting_config.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <set>

#include "core/time_format.h"

namespace inferscope {
namespace {

class Reader {
 public:
  explicit Reader(std::string_view source) : source_(source) {}

  Status Error(const std::string& path, const std::string& what) const {
    return Status::InvalidArgument(std::string(source_) + ":" + path + ": " + what);
  }

  Result<std::string> String(const YAML::Node& node, const std::string& path) const {
    if (!node.IsScalar()) return Error(path, "expected a single value");
    std::string raw = node.Scalar();
    std::string out;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '$' && i + 1 < raw.size() && raw[i + 1] == '{') {
        size_t close = raw.find('}', i + 2);
        if (close == std::string::npos) return Error(path, "unterminated ${...}");
        std::string name = raw.substr(i + 2, close - i - 2);
        const char* value = std::getenv(name.c_str());
        if (value == nullptr) return Error(path, "environment variable " + name + " is not set");
        out += value;
        i = close;
      } else {
        out += raw[i];
      }
    }
    return out;
  }

  Result<int64_t> Duration(const YAML::Node& node, const std::string& path) const {
    INFERSCOPE_ASSIGN_OR_RETURN(std::string text, String(node, path));
    auto d = ParseDuration(text);
    if (!d.ok() || *d <= 0)
      return Error(path, "expected a duration like 5s or 1m, got '" + text + "'");
    return *d;
  }

  Result<int> Int(const YAML::Node& node, const std::string& path) const {
    INFERSCOPE_ASSIGN_OR_RETURN(std::string text, String(node, path));
    try {
      size_t used = 0;
      int v = std::stoi(text, &used);
      if (used == text.size() && v > 0) return v;
    } catch (const std::exception&) {
    }
    return Error(path, "expected a positive whole number, got '" + text + "'");
  }

  // Status + out-parameter: GCC 12 at -O2 warns (maybe-uninitialized) on Result<bool> here.
  Status Bool(const YAML::Node& node, const std::string& path, bool* out) const {
    auto text = String(node, path);
    if (!text.ok()) return text.status();
    if (*text == "true" || *text == "yes") {
      *out = true;
    } else if (*text == "false" || *text == "no") {
      *out = false;
    } else {
      return Error(path, "expected true or false, got '" + *text + "'");
    }
    return Status::Ok();
  }

  Result<std::vector<std::pair<std::string, std::string>>> Map(const YAML::Node& node,
                                                               const std::string& path) const {
    if (!node.IsMap()) return Error(path, "expected a mapping of names to values");
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& item : node) {
      std::string key = item.first.as<std::string>();
      INFERSCOPE_ASSIGN_OR_RETURN(std::string value, String(item.second, path + "." + key));
      out.emplace_back(key, value);
    }
    return out;
  }

 private:
  std::string_view source_;
};

Result<AlertSinkSpec> ReadSink(const Reader& r, const YAML::Node& node, const std::string& path) {
  if (!node.IsMap()) return r.Error(path, "expected a mapping (name, type, url, ...)");
  AlertSinkSpec spec;
  for (const auto& item : node) {
    std::string key = item.first.as<std::string>();
    std::string p = path + "." + key;
    const YAML::Node& v = item.second;
    if (key == "name") {
      INFERSCOPE_ASSIGN_OR_RETURN(spec.sink.name, r.String(v, p));
    } else if (key == "type") {
      INFERSCOPE_ASSIGN_OR_RETURN(spec.type, r.String(v, p));
    } else if (key == "url") {
      INFERSCOPE_ASSIGN_OR_RETURN(spec.sink.url, r.String(v, p));
    } else if (key == "timeout") {
      INFERSCOPE_ASSIGN_OR_RETURN(int64_t ns, r.Duration(v, p));
      spec.sink.timeout = std::chrono::milliseconds(ns / kNanosPerMilli);
    } else if (key == "headers") {
      INFERSCOPE_ASSIGN_OR_RETURN(spec.sink.headers, r.Map(v, p));
    } else if (key == "token") {
      INFERSCOPE_ASSIGN_OR_RETURN(spec.sink.bearer_token, r.String(v, p));
    } else if (key == "resend_interval") {
      INFERSCOPE_ASSIGN_OR_RETURN(spec.alertmanager.resend_interval_ns, r.Duration(v, p));
    } else if (key == "alertname_per_kind") {
      INFERSCOPE_RETURN_IF_ERROR(r.Bool(v, p, &spec.alertmanager.alertname_per_kind));
    } else if (key == "generator_url") {
      INFERSCOPE_ASSIGN_OR_RETURN(spec.alertmanager.generator_url_prefix, r.String(v, p));
    } else if (key == "labels") {
      INFERSCOPE_ASSIGN_OR_RETURN(auto labels, r.Map(v, p));
      for (auto& [name, value] : labels) spec.alertmanager.extra_labels.emplace_back(name, value);
    } else if (key == "channel") {
      INFERSCOPE_ASSIGN_OR_RETURN(spec.slack.channel, r.String(v, p));
    } else if (key == "username") {
      INFERSCOPE_ASSIGN_OR_RETURN(spec.slack.username, r.String(v, p));
    } else {
      return r.Error(p, "unknown key");
    }
  }
  if (spec.type.empty()) return r.Error(path, "type is required (alertmanager, slack, webhook)");
  if (spec.sink.name.empty()) spec.sink.name = spec.type;
  return spec;
}

}  // namespace

Result<AlertingConfig> ParseAlertingConfig(std::string_view yaml, std::string_view source,
                                           const std::string& default_outbox_path) {
  AlertingConfig config;
  config.outbox_path = default_outbox_path;
  Reader r(source);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return r.Error("alerting", e.msg);
  }
  if (root.IsNull()) return config;
  if (!root.IsMap()) return r.Error("alerting", "expected a mapping");
  try {
    for (const auto& item : root) {
      std::string key = item.first.as<std::string>();
      std::string p = "alerting." + key;
      const YAML::Node& v = item.second;
      if (key == "outbox") {
        INFERSCOPE_ASSIGN_OR_RETURN(config.outbox_path, r.String(v, p));
      } else if (key == "announce_window") {
        INFERSCOPE_ASSIGN_OR_RETURN(config.dispatcher.announce_window_ns, r.Duration(v, p));
      } else if (key == "poll_interval") {
        INFERSCOPE_ASSIGN_OR_RETURN(config.dispatcher.poll_interval_ns, r.Duration(v, p));
      } else if (key == "max_attempts") {
        INFERSCOPE_ASSIGN_OR_RETURN(config.outbox.max_attempts, r.Int(v, p));
      } else if (key == "max_age") {
        INFERSCOPE_ASSIGN_OR_RETURN(config.outbox.max_age_ns, r.Duration(v, p));
      } else if (key == "keep_done") {
        INFERSCOPE_ASSIGN_OR_RETURN(config.outbox.keep_done_ns, r.Duration(v, p));
      } else if (key == "backoff") {
        if (!v.IsMap()) return r.Error(p, "expected {initial, max}");
        for (const auto& b : v) {
          std::string bk = b.first.as<std::string>();
          if (bk == "initial") {
            INFERSCOPE_ASSIGN_OR_RETURN(config.outbox.backoff.initial_ns,
                                        r.Duration(b.second, p + ".initial"));
          } else if (bk == "max") {
            INFERSCOPE_ASSIGN_OR_RETURN(config.outbox.backoff.max_ns,
                                        r.Duration(b.second, p + ".max"));
          } else {
            return r.Error(p + "." + bk, "unknown key");
          }
        }
      } else if (key == "sinks") {
        if (!v.IsSequence()) return r.Error(p, "expected a list of sinks");
        for (size_t i = 0; i < v.size(); ++i) {
          INFERSCOPE_ASSIGN_OR_RETURN(AlertSinkSpec spec,
                                      ReadSink(r, v[i], p + "[" + std::to_string(i) + "]"));
          config.sinks.push_back(std::move(spec));
        }
      } else {
        return r.Error(p, "unknown key");
      }
    }
  } catch (const YAML::Exception& e) {
    return r.Error("alerting", e.msg);
  }
  // Validate by building (names unique, URLs and options valid).
  auto sinks = MakeAlertSinks(config.sinks);
  if (!sinks.ok()) {
    return Status::InvalidArgument(std::string(source) +
                                   ": alerting.sinks: " + sinks.status().message());
  }
  return config;
}

}  // namespace inferscope
