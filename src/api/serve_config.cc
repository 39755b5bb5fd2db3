#include "api/serve_config.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <functional>

#include "core/json_writer.h"
#include "core/time_format.h"
#include "store/fsync_policy.h"

namespace inferscope {
namespace {

constexpr std::string_view kEnvPrefix = "INFERSCOPE_";

Result<uint64_t> ParseBytes(std::string_view text) {
  uint64_t number = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || ptr == text.data()) {
    return Status::InvalidArgument("expected a size like 20971520, 20MiB or 10GB, got '" +
                                   std::string(text) + "'");
  }
  std::string_view unit = text.substr(static_cast<size_t>(ptr - text.data()));
  static const std::pair<std::string_view, uint64_t> kUnits[] = {{"", 1},
                                                                 {"B", 1},
                                                                 {"KB", 1000},
                                                                 {"MB", 1000'000},
                                                                 {"GB", 1000'000'000},
                                                                 {"KiB", 1ull << 10},
                                                                 {"MiB", 1ull << 20},
                                                                 {"GiB", 1ull << 30},
                                                                 {"TB", 1000'000'000'000},
                                                                 {"TiB", 1ull << 40}};
  for (const auto& [name, factor] : kUnits) {
    if (unit == name) {
      if (factor != 0 && number > UINT64_MAX / factor) break;
      return number * factor;
    }
  }
  return Status::InvalidArgument("expected a size like 20971520, 20MiB or 10GB, got '" +
                                 std::string(text) + "'");
}

Result<int64_t> ParseDurationOrZero(std::string_view text) {
  if (text == "0") return int64_t{0};
  return ParseDuration(text);
}

Status ValidateFsync(std::string_view value) {
  auto policy = ParseFsyncPolicy(value);
  if (policy.ok()) return Status::Ok();
  return Status::InvalidArgument("expected always, never or interval=<duration>, got '" +
                                 std::string(value) + "'");
}

Status SplitHostPort(std::string_view listen, std::string* host, int* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::InvalidArgument("expected host:port, got '" + std::string(listen) + "'");
  }
  std::string_view h = listen.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  std::string_view p = listen.substr(colon + 1);
  int value = -1;
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (ec != std::errc() || ptr != p.data() + p.size() || value < 0 || value > 65535) {
    return Status::InvalidArgument("bad port in '" + std::string(listen) + "'");
  }
  *host = std::string(h);
  *port = value;
  return Status::Ok();
}

// Walks a YAML mapping, calling `set(path, scalar, where)` per leaf. The `alerting` subtree
// is kept whole.
Status Flatten(
    const YAML::Node& node, const std::string& prefix, std::string_view source, ServeConfig* config,
    const std::function<Status(const std::string&, std::string_view, const std::string&)>& set) {
  for (const auto& item : node) {
    std::string key = item.first.as<std::string>();
    std::string path = prefix.empty() ? key : prefix + "." + key;
    const YAML::Mark mark = item.first.Mark();
    std::string where = std::string(source) + ":" + std::to_string(mark.line + 1) + ":" +
                        std::to_string(mark.column + 1);
    const YAML::Node& value = item.second;
    if (path == "alerting") {
      YAML::Emitter emitter;
      emitter << value;
      config->alerting_yaml = emitter.c_str();
      continue;
    }
    if (value.IsMap()) {
      INFERSCOPE_RETURN_IF_ERROR(Flatten(value, path, source, config, set));
    } else if (value.IsScalar()) {
      INFERSCOPE_RETURN_IF_ERROR(set(path, value.Scalar(), where));
    } else if (value.IsNull()) {
      INFERSCOPE_RETURN_IF_ERROR(set(path, "", where));
    } else {
      return Status::InvalidArgument(where + ": " + path + ": expected a single value");
    }
  }
  return Status::Ok();
}

}  // namespace

std::string ServeConfig::host() const {
  std::string h;
  int p = 0;
  (void)SplitHostPort(listen, &h, &p);
  return h;
}

int ServeConfig::port() const {
  std::string h;
  int p = 0;
  (void)SplitHostPort(listen, &h, &p);
  return p;
}

std::string ServeConfig::ToRedactedJson() const {
  auto redact = [](const std::string& secret) {
    return secret.empty() ? std::string() : std::string("<redacted>");
  };
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("listen").String(listen);
  w.Key("data_dir").String(data_dir);
  w.Key("max_body_bytes").Uint(max_body_bytes);
  w.Key("auth").BeginObject();
  w.Key("ingest_token").String(redact(ingest_token));
  w.Key("api_token").String(redact(api_token));
  w.EndObject();
  w.Key("tls").BeginObject();
  w.Key("cert_file").String(tls_cert_file);
  w.Key("key_file").String(tls_key_file);
  w.EndObject();
  w.Key("store").BeginObject();
  w.Key("fsync").String(fsync);
  w.Key("retention_age")
      .String(retention_age_ns == 0 ? "0" : FormatDurationHuman(retention_age_ns));
  w.Key("retention_bytes").Uint(retention_bytes);
  w.Key("max_unflushed_bytes").Uint(max_unflushed_bytes);
  w.Key("stall_timeout").String(FormatDurationHuman(stall_timeout_ns));
  w.Key("max_users_per_model_hour").Uint(max_users_per_model_hour);
  w.Key("user_cache_bytes").Uint(user_cache_bytes);
  w.EndObject();
  w.Key("metrics").BeginObject();
  w.Key("prefix").String(metrics_prefix);
  w.EndObject();
  w.Key("detection").BeginObject();
  w.Key("bucket").String(FormatDurationHuman(bucket_ns));
  w.Key("detector_config").String(detector_config);
  w.EndObject();
  w.Key("shutdown_timeout").String(FormatDurationHuman(shutdown_timeout_ns));
  w.Key("worker_threads").Int(worker_threads);
  w.Key("alerting_configured").Bool(!alerting_yaml.empty());
  w.EndObject();
  return out;
}

std::string ServeConfigKey::EnvName() const {
  std::string out(kEnvPrefix);
  for (char c : path) out += c == '.' ? '_' : static_cast<char>(std::toupper(c));
  return out;
}

std::string ServeConfigKey::FlagName() const {
  std::string out;
  for (char c : path) out += (c == '.' || c == '_') ? '-' : c;
  return out;
}

const std::vector<ServeConfigKey>& ServeConfigLoader::Keys() {
  static const std::vector<ServeConfigKey> keys = {
      {"listen", "host:port to listen on (default 127.0.0.1:8080)"},
      {"data_dir", "directory of the embedded store (default ./inferscope-data)"},
      {"max_body_bytes", "request body limit, e.g. 20MiB (413 above it)"},
      {"auth.ingest_token", "bearer token required on /v1/* (empty = none)", true},
      {"auth.api_token", "bearer token required on /api/v1/* and /metrics (empty = none)", true},
      {"tls.cert_file", "PEM certificate; serve HTTPS (needs tls.key_file)"},
      {"tls.key_file", "PEM private key for tls.cert_file"},
      {"store.fsync", "WAL durability: always | interval=<duration> | never"},
      {"store.retention_age", "drop data older than this, e.g. 30d (0 = keep)"},
      {"store.retention_bytes", "drop oldest data above this size, e.g. 10GiB (0 = no limit)"},
      {"store.max_unflushed_bytes",
       "appends wait while this much is not yet in segments, e.g. 256MiB (0 = no limit)"},
      {"store.stall_timeout", "how long a waiting append waits before 503 (default 5s)"},
      {"store.max_users_per_model_hour",
       "per-user rollups: users kept per hour and model, the rest as (other) (default 1000)"},
      {"store.user_cache_bytes",
       "memory for per-user rollup hours read back from segments (default 256MiB)"},
      {"metrics.prefix", "prefix of the /metrics families (default inferscope_)"},
      {"detection.bucket", "rollup and detection bucket width (default 1m)"},
      {"detection.detector_config", "detector YAML file (docs/detectors.md)"},
      {"shutdown_timeout", "bound on draining at SIGTERM (default 10s)"},
      {"worker_threads", "HTTP worker threads (default 8)"},
  };
  return keys;
}

Status ServeConfigLoader::Set(const std::string& path, std::string_view value,
                              const std::string& where) {
  auto fail = [&](const Status& st) {
    return Status::InvalidArgument(where + ": " + path + ": " + st.message());
  };
  std::string v(value);
  if (path == "listen") {
    std::string h;
    int p = 0;
    Status st = SplitHostPort(v, &h, &p);
    if (!st.ok()) return fail(st);
    config_.listen = v;
  } else if (path == "data_dir") {
    if (v.empty()) return fail(Status::InvalidArgument("must not be empty"));
    config_.data_dir = v;
  } else if (path == "max_body_bytes") {
    auto bytes = ParseBytes(v);
    if (!bytes.ok()) return fail(bytes.status());
    if (*bytes < 1024) return fail(Status::InvalidArgument("must be at least 1KiB"));
    config_.max_body_bytes = *bytes;
  } else if (path == "auth.ingest_token") {
    config_.ingest_token = v;
  } else if (path == "auth.api_token") {
    config_.api_token = v;
  } else if (path == "tls.cert_file") {
    config_.tls_cert_file = v;
  } else if (path == "tls.key_file") {
    config_.tls_key_file = v;
  } else if (path == "store.fsync") {
    Status st = ValidateFsync(v);
    if (!st.ok()) return fail(st);
    config_.fsync = v;
  } else if (path == "store.retention_age") {
    auto d = ParseDurationOrZero(v);
    if (!d.ok()) return fail(d.status());
    config_.retention_age_ns = *d;
  } else if (path == "store.retention_bytes") {
    auto bytes = ParseBytes(v);
    if (!bytes.ok()) return fail(bytes.status());
    config_.retention_bytes = *bytes;
  } else if (path == "store.max_unflushed_bytes") {
    auto bytes = ParseBytes(v);
    if (!bytes.ok()) return fail(bytes.status());
    if (*bytes != 0 && *bytes < (1u << 20)) {
      return fail(Status::InvalidArgument("must be 0 (no limit) or at least 1MiB"));
    }
    config_.max_unflushed_bytes = *bytes;
  } else if (path == "store.stall_timeout") {
    auto d = ParseDuration(v);
    if (!d.ok()) return fail(d.status());
    if (*d <= 0) return fail(Status::InvalidArgument("must be positive"));
    config_.stall_timeout_ns = *d;
  } else if (path == "store.user_cache_bytes") {
    auto bytes = ParseBytes(v);
    if (!bytes.ok()) return fail(bytes.status());
    config_.user_cache_bytes = *bytes;
  } else if (path == "store.max_users_per_model_hour") {
    uint64_t n = 0;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || ptr != v.data() + v.size() || n < 1 || n > 1'000'000) {
      return fail(Status::InvalidArgument("expected a number from 1 to 1000000, got '" + v + "'"));
    }
    config_.max_users_per_model_hour = n;
  } else if (path == "metrics.prefix") {
    bool valid = !v.empty() && !(v[0] >= '0' && v[0] <= '9');
    for (char c : v) {
      valid = valid && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == ':');
    }
    if (!valid) return fail(Status::InvalidArgument("not a valid metric name prefix: '" + v + "'"));
    config_.metrics_prefix = v;
  } else if (path == "detection.bucket") {
    auto d = ParseDuration(v);
    if (!d.ok()) return fail(d.status());
    if (*d < 1'000'000'000) return fail(Status::InvalidArgument("must be at least 1s"));
    config_.bucket_ns = *d;
  } else if (path == "detection.detector_config") {
    config_.detector_config = v;
  } else if (path == "shutdown_timeout") {
    auto d = ParseDuration(v);
    if (!d.ok()) return fail(d.status());
    config_.shutdown_timeout_ns = *d;
  } else if (path == "worker_threads") {
    int n = 0;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || ptr != v.data() + v.size() || n < 1 || n > 256) {
      return fail(Status::InvalidArgument("expected a number from 1 to 256, got '" + v + "'"));
    }
    config_.worker_threads = n;
  } else {
    return Status::InvalidArgument(where + ": unknown key '" + path + "'");
  }
  return Status::Ok();
}

Status ServeConfigLoader::LoadFile(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return Status::NotFound("cannot read config file " + path);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(path + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  if (root.IsNull()) return Status::Ok();
  if (!root.IsMap()) return Status::InvalidArgument(path + ": expected a mapping at the top");
  try {
    return Flatten(root, "", path, &config_,
                   [this](const std::string& p, std::string_view v, const std::string& w) {
                     return Set(p, v, w);
                   });
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(path + ": " + e.msg);
  }
}

Status ServeConfigLoader::LoadYaml(std::string_view yaml, std::string_view source) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string(source) + ":" + std::to_string(e.mark.line + 1) +
                                   ":" + std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  if (root.IsNull()) return Status::Ok();
  if (!root.IsMap()) {
    return Status::InvalidArgument(std::string(source) + ": expected a mapping at the top");
  }
  try {
    return Flatten(root, "", source, &config_,
                   [this](const std::string& p, std::string_view v, const std::string& w) {
                     return Set(p, v, w);
                   });
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(std::string(source) + ": " + e.msg);
  }
}

Status ServeConfigLoader::LoadEnvironment(const std::vector<std::string>& environment) {
  for (const ServeConfigKey& key : Keys()) {
    std::string prefix = key.EnvName() + "=";
    for (const std::string& entry : environment) {
      if (entry.compare(0, prefix.size(), prefix) == 0) {
        INFERSCOPE_RETURN_IF_ERROR(
            Set(key.path, std::string_view(entry).substr(prefix.size()), "$" + key.EnvName()));
      }
    }
  }
  return Status::Ok();
}

Status ServeConfigLoader::SetFlag(std::string_view flag_name, std::string_view value) {
  for (const ServeConfigKey& key : Keys()) {
    if (key.FlagName() == flag_name) return Set(key.path, value, "--" + std::string(flag_name));
  }
  return Status::InvalidArgument("unknown flag --" + std::string(flag_name));
}

Result<ServeConfig> ServeConfigLoader::Finish() const {
  if (config_.tls_cert_file.empty() != config_.tls_key_file.empty()) {
    return Status::InvalidArgument(
        "tls.cert_file and tls.key_file must be given together (both or neither)");
  }
  return config_;
}

}  // namespace inferscope
