#include "cli/watch_config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/time_format.h"

namespace inferscope {
namespace {

// Reads typed values and names the place of any error.
class Reader {
 public:
  explicit Reader(std::string_view source) : source_(source) {}

  Status Error(const YAML::Node& node, std::string_view path, std::string_view message) const {
    const int line = node.Mark().line >= 0 ? node.Mark().line + 1 : 0;
    return Status::InvalidArgument(fmt::format("{}:{}: {}: {}", source_, line, path, message));
  }
  Result<std::string> String(const YAML::Node& n, std::string_view path) const {
    if (!n.IsScalar()) return Error(n, path, "expected a string");
    return n.as<std::string>();
  }
  Result<double> Number(const YAML::Node& n, std::string_view path) const {
    if (!n.IsScalar()) return Error(n, path, "expected a number");
    const std::string s = n.as<std::string>();
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size()) return Error(n, path, "expected a number");
    return v;
  }
  Result<bool> Bool(const YAML::Node& n, std::string_view path) const {
    const std::string s = n.IsScalar() ? n.as<std::string>() : "";
    if (s == "true") return true;
    if (s == "false") return false;
    return Error(n, path, "expected true or false");
  }
  Result<int64_t> Duration(const YAML::Node& n, std::string_view path) const {
    INFERSCOPE_ASSIGN_OR_RETURN(std::string s, String(n, path));
    // "0", "0s", "0m": zero is a valid delay or pending period; ParseDuration wants > 0.
    if (!s.empty() && s.find_first_not_of('0') != 0 &&
        (s.find_first_not_of('0') == std::string::npos ||
         std::isalpha(static_cast<unsigned char>(s[s.find_first_not_of('0')])))) {
      return int64_t{0};
    }
    auto d = ParseDuration(s);
    if (!d.ok()) return Error(n, path, d.status().message());
    return *d;
  }
  Result<std::vector<std::string>> Strings(const YAML::Node& n, std::string_view path) const {
    std::vector<std::string> out;
    if (n.IsScalar()) {
      out.push_back(n.as<std::string>());
      return out;
    }
    if (!n.IsSequence()) return Error(n, path, "expected a list of strings");
    for (size_t i = 0; i < n.size(); ++i) {
      INFERSCOPE_ASSIGN_OR_RETURN(std::string s, String(n[i], fmt::format("{}[{}]", path, i)));
      out.push_back(std::move(s));
    }
    return out;
  }
  Result<std::vector<std::pair<std::string, std::string>>> Map(const YAML::Node& n,
                                                               std::string_view path) const {
    if (!n.IsMap()) return Error(n, path, "expected a mapping of name: value");
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& kv : n) {
      const std::string key = kv.first.as<std::string>();
      INFERSCOPE_ASSIGN_OR_RETURN(std::string v,
                                  String(kv.second, fmt::format("{}.{}", path, key)));
      out.emplace_back(key, std::move(v));
    }
    return out;
  }

 private:
  std::string source_;
};

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(fmt::format("cannot read {}", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The keys of one query (in a config or a preset). `preset_queries` resolves `preset:`.
Status ReadQuery(const Reader& r, const YAML::Node& n, const std::string& path,
                 const std::vector<std::string>* preset_dirs, WatchQuery* q) {
  if (!n.IsMap()) return r.Error(n, path, "expected a mapping");
  // A preset reference first, so the query's own keys override the preset's.
  if (n["preset"]) {
    if (preset_dirs == nullptr) return r.Error(n, path + ".preset", "not allowed in a preset");
    INFERSCOPE_ASSIGN_OR_RETURN(std::string ref, r.String(n["preset"], path + ".preset"));
    const size_t slash = ref.find('/');
    if (slash == std::string::npos) {
      return r.Error(n["preset"], path + ".preset",
                     "expected <preset>/<query>, e.g. vllm/ttft_p95");
    }
    const std::string file = ref.substr(0, slash) + ".yaml";
    Result<WatchPreset> preset = Status::NotFound("");
    for (const std::string& dir : *preset_dirs) {
      const std::string candidate = (std::filesystem::path(dir) / file).string();
      if (std::filesystem::exists(candidate)) {
        preset = LoadWatchPreset(candidate);
        break;
      }
    }
    if (!preset.ok()) {
      return r.Error(
          n["preset"], path + ".preset",
          preset.status().message().empty()
              ? fmt::format("preset file {} not found in {}", file, fmt::join(*preset_dirs, ", "))
              : preset.status().message());
    }
    const std::string wanted = ref.substr(slash + 1);
    bool found = false;
    for (const WatchQuery& pq : preset->queries) {
      if (pq.name != wanted) continue;
      *q = pq;
      INFERSCOPE_ASSIGN_OR_RETURN(q->expr, ExpandMetricAliases(pq.expr, preset->aliases));
      found = true;
    }
    if (!found) return r.Error(n["preset"], path + ".preset", "no such query in the preset");
  }
  for (const auto& kv : n) {
    const std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    const std::string p = path + "." + key;
    if (key == "preset") continue;
    if (key == "name") {
      INFERSCOPE_ASSIGN_OR_RETURN(q->name, r.String(v, p));
    } else if (key == "expr") {
      INFERSCOPE_ASSIGN_OR_RETURN(q->expr, r.String(v, p));
    } else if (key == "detectors") {
      INFERSCOPE_ASSIGN_OR_RETURN(q->detect.detectors, r.Strings(v, p));
    } else if (key == "direction") {
      INFERSCOPE_ASSIGN_OR_RETURN(q->detect.direction, r.String(v, p));
    } else if (key == "min_deviation") {
      INFERSCOPE_ASSIGN_OR_RETURN(q->detect.min_deviation, r.Number(v, p));
    } else if (key == "min_rel_deviation") {
      INFERSCOPE_ASSIGN_OR_RETURN(q->detect.min_rel_deviation, r.Number(v, p));
    } else if (key == "kind") {
      INFERSCOPE_ASSIGN_OR_RETURN(q->detect.kind, r.String(v, p));
    } else if (key == "labels") {
      INFERSCOPE_ASSIGN_OR_RETURN(auto labels, r.Map(v, p));
      for (auto& l : labels) q->labels.push_back(std::move(l));
    } else if (key == "description") {
      // documentation only
    } else {
      return r.Error(v, p, "unknown key");
    }
  }
  if (q->name.empty()) return r.Error(n, path, "a query needs a name");
  if (q->expr.empty()) return r.Error(n, path, "a query needs expr (or preset)");
  q->detect.name = q->name;
  return Status::Ok();
}

}  // namespace

Result<std::string> ExpandMetricAliases(
    std::string_view expr, const std::map<std::string, std::vector<std::string>>& aliases) {
  // Split into literal text and placeholder names.
  std::vector<std::string> literals{""};
  std::vector<std::string> names;
  size_t pos = 0;
  while (pos < expr.size()) {
    const size_t open = expr.find("{{", pos);
    if (open == std::string_view::npos) {
      literals.back() += expr.substr(pos);
      break;
    }
    const size_t close = expr.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return Status::InvalidArgument(
          fmt::format("unterminated {{{{ at offset {} in '{}'", open, expr));
    }
    literals.back() += expr.substr(pos, open - pos);
    std::string name(expr.substr(open + 2, close - open - 2));
    while (!name.empty() && name.front() == ' ') name.erase(name.begin());
    while (!name.empty() && name.back() == ' ') name.pop_back();
    names.push_back(std::move(name));
    literals.emplace_back();
    pos = close + 2;
  }
  size_t copies = 1;
  for (const std::string& n : names) {
    auto it = aliases.find(n);
    if (it != aliases.end()) copies = std::max(copies, it->second.size() + 1);
  }
  std::vector<std::string> parts;
  for (size_t k = 0; k < copies; ++k) {
    std::string text = literals[0];
    for (size_t i = 0; i < names.size(); ++i) {
      auto it = aliases.find(names[i]);
      if (k == 0 || it == aliases.end() || it->second.empty()) {
        text += names[i];
      } else {
        text += it->second[std::min(k - 1, it->second.size() - 1)];
      }
      text += literals[i + 1];
    }
    parts.push_back(std::move(text));
  }
  if (parts.size() == 1) return parts[0];
  std::string out;
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) out += " or ";
    out += "(" + parts[k] + ")";
  }
  return out;
}

Result<WatchPreset> LoadWatchPreset(const std::string& path) {
  INFERSCOPE_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  Reader r(path);
  try {
    YAML::Node root = YAML::Load(text);
    if (!root.IsMap()) return r.Error(root, "preset", "expected a mapping");
    WatchPreset p;
    for (const auto& kv : root) {
      const std::string key = kv.first.as<std::string>();
      const YAML::Node& v = kv.second;
      if (key == "preset") {
        INFERSCOPE_ASSIGN_OR_RETURN(p.name, r.String(v, key));
      } else if (key == "description") {
      } else if (key == "aliases") {
        if (!v.IsMap()) return r.Error(v, key, "expected metric: [other names]");
        for (const auto& a : v) {
          const std::string canonical = a.first.as<std::string>();
          INFERSCOPE_ASSIGN_OR_RETURN(p.aliases[canonical],
                                      r.Strings(a.second, "aliases." + canonical));
        }
      } else if (key == "queries") {
        if (!v.IsSequence()) return r.Error(v, key, "expected a list");
        for (size_t i = 0; i < v.size(); ++i) {
          WatchQuery q;
          INFERSCOPE_RETURN_IF_ERROR(
              ReadQuery(r, v[i], fmt::format("queries[{}]", i), nullptr, &q));
          p.queries.push_back(std::move(q));
        }
      } else {
        return r.Error(v, key, "unknown key");
      }
    }
    return p;
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(fmt::format("{}: {}", path, e.what()));
  }
}

Result<WatchConfig> ParseWatchConfig(std::string_view yaml, std::string_view source,
                                     const std::vector<std::string>& preset_dirs_in) {
  Reader r(source);
  WatchConfig c;
  c.source = std::string(source);
  std::vector<std::string> preset_dirs = preset_dirs_in;
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    if (!root.IsMap()) return r.Error(root, "config", "expected a mapping");
    if (root["presets_dir"]) {
      INFERSCOPE_ASSIGN_OR_RETURN(std::string dir, r.String(root["presets_dir"], "presets_dir"));
      std::filesystem::path p(dir);
      if (p.is_relative()) p = std::filesystem::path(source).parent_path() / p;
      preset_dirs.insert(preset_dirs.begin(), p.string());
    }
    for (const auto& kv : root) {
      const std::string key = kv.first.as<std::string>();
      const YAML::Node& v = kv.second;
      if (key == "presets_dir") continue;
      if (key == "prometheus") {
        if (!v.IsMap()) return r.Error(v, key, "expected a mapping with url");
        for (const auto& p : v) {
          const std::string k = p.first.as<std::string>();
          const std::string path = "prometheus." + k;
          if (k == "url") {
            INFERSCOPE_ASSIGN_OR_RETURN(c.prometheus_url, r.String(p.second, path));
          } else if (k == "bearer_token_file") {
            INFERSCOPE_ASSIGN_OR_RETURN(c.access.bearer_token_file, r.String(p.second, path));
          } else if (k == "basic_auth") {
            INFERSCOPE_ASSIGN_OR_RETURN(c.access.basic_auth, r.String(p.second, path));
          } else if (k == "ca_file") {
            INFERSCOPE_ASSIGN_OR_RETURN(c.access.ca_file, r.String(p.second, path));
          } else if (k == "insecure_skip_verify") {
            INFERSCOPE_ASSIGN_OR_RETURN(c.access.insecure_skip_verify, r.Bool(p.second, path));
          } else if (k == "timeout") {
            INFERSCOPE_ASSIGN_OR_RETURN(c.timeout_ns, r.Duration(p.second, path));
          } else {
            return r.Error(p.second, path, "unknown key");
          }
        }
      } else if (key == "poll_interval") {
        INFERSCOPE_ASSIGN_OR_RETURN(c.poll_interval_ns, r.Duration(v, key));
      } else if (key == "lookback") {
        INFERSCOPE_ASSIGN_OR_RETURN(c.lookback_ns, r.Duration(v, key));
      } else if (key == "step") {
        INFERSCOPE_ASSIGN_OR_RETURN(c.step_ns, r.Duration(v, key));
      } else if (key == "delay") {
        INFERSCOPE_ASSIGN_OR_RETURN(c.delay_ns, r.Duration(v, key));
      } else if (key == "for") {
        INFERSCOPE_ASSIGN_OR_RETURN(c.pending_for_ns, r.Duration(v, key));
      } else if (key == "checkpoint") {
        INFERSCOPE_ASSIGN_OR_RETURN(c.checkpoint, r.String(v, key));
      } else if (key == "remote_write") {
        if (!v.IsMap() || !v["url"]) return r.Error(v, key, "expected a mapping with url");
        for (const auto& p : v) {
          const std::string k = p.first.as<std::string>();
          if (k == "url") {
            INFERSCOPE_ASSIGN_OR_RETURN(c.remote_write_url, r.String(p.second, "remote_write.url"));
          } else if (k == "max_age") {
            INFERSCOPE_ASSIGN_OR_RETURN(c.remote_write_max_age_ns,
                                        r.Duration(p.second, "remote_write.max_age"));
          } else {
            return r.Error(p.second, "remote_write." + k, "unknown key");
          }
        }
      } else if (key == "presets") {
        // Every query of each named preset.
        INFERSCOPE_ASSIGN_OR_RETURN(std::vector<std::string> names, r.Strings(v, key));
        for (const std::string& name : names) {
          std::string file;
          for (const std::string& dir : preset_dirs) {
            const std::string candidate = (std::filesystem::path(dir) / (name + ".yaml")).string();
            if (std::filesystem::exists(candidate)) {
              file = candidate;
              break;
            }
          }
          if (file.empty()) {
            return r.Error(
                v, key,
                fmt::format("preset {} not found in {}", name, fmt::join(preset_dirs, ", ")));
          }
          INFERSCOPE_ASSIGN_OR_RETURN(WatchPreset preset, LoadWatchPreset(file));
          for (WatchQuery q : preset.queries) {
            INFERSCOPE_ASSIGN_OR_RETURN(q.expr, ExpandMetricAliases(q.expr, preset.aliases));
            q.name = name + "_" + q.name;
            q.detect.name = q.name;
            c.queries.push_back(std::move(q));
          }
        }
      } else if (key == "queries") {
        if (!v.IsSequence()) return r.Error(v, key, "expected a list of queries");
        for (size_t i = 0; i < v.size(); ++i) {
          WatchQuery q;
          INFERSCOPE_RETURN_IF_ERROR(
              ReadQuery(r, v[i], fmt::format("queries[{}]", i), &preset_dirs, &q));
          c.queries.push_back(std::move(q));
        }
      } else if (key == "alerting") {
        YAML::Emitter e;
        e << v;
        c.alerting_yaml = e.c_str();
      } else {
        return r.Error(v, key, "unknown key");
      }
    }
    if (c.prometheus_url.empty()) return r.Error(root, "prometheus.url", "is required");
    if (c.queries.empty()) return r.Error(root, "queries", "at least one query is required");
    if (c.poll_interval_ns <= 0 || c.step_ns <= 0 || c.lookback_ns < c.step_ns) {
      return r.Error(root, "poll_interval/step/lookback",
                     "must be positive, and lookback at least one step");
    }
    std::set<std::string> names;
    for (const WatchQuery& q : c.queries) {
      if (!names.insert(q.name).second) {
        return r.Error(root, "queries", fmt::format("two queries are named '{}'", q.name));
      }
    }
    return c;
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(fmt::format("{}: {}", source, e.what()));
  }
}

Result<WatchConfig> LoadWatchConfig(const std::string& path) {
  INFERSCOPE_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  std::vector<std::string> dirs = {(std::filesystem::path(path).parent_path() / "presets").string(),
                                   "presets"};
  if (const char* env = std::getenv("INFERSCOPE_PRESETS"); env != nullptr && *env != '\0') {
    dirs.emplace_back(env);
  }
  return ParseWatchConfig(text, path, dirs);
}

}  // namespace inferscope
