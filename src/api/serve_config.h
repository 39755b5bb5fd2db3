#ifndef INFERSCOPE_API_SERVE_CONFIG_H_
#define INFERSCOPE_API_SERVE_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace inferscope {

// The effective configuration of `inferscope serve` (docs/serve.md has every key).
//
// Sources, later ones win: built-in defaults < YAML file (--config) < INFERSCOPE_* environment
// variables < command-line flags. Each key has one spelling per source, derived from its
// dotted YAML path: `auth.ingest_token` is `INFERSCOPE_AUTH_INGEST_TOKEN` and
// `--auth-ingest-token`.
struct ServeConfig {
  std::string listen = "127.0.0.1:8080";  // host:port; 127.0.0.1 unless told otherwise
  std::string data_dir = "./inferscope-data";
  uint64_t max_body_bytes = 20ull << 20;  // request body limit (413 above it)
  std::string ingest_token;               // bearer token for /v1/*; empty = no auth
  std::string api_token;                  // bearer token for /api/v1/* and /metrics
  std::string tls_cert_file;              // PEM; both or neither with tls_key_file
  std::string tls_key_file;
  std::string fsync = "always";                             // always | interval=<duration> | never
  int64_t retention_age_ns = 30ll * 86400 * 1'000'000'000;  // 0 = keep forever
  uint64_t retention_bytes = 0;                             // 0 = no size limit
  // Write stall: appends wait while this many bytes are not yet flushed into segments, for
  // up to stall_timeout_ns, then fail with 503 (EmbeddedStoreOptions); 0 = no limit.
  uint64_t max_unflushed_bytes = 256ull << 20;
  int64_t stall_timeout_ns = 5ll * 1'000'000'000;
  // Per-user rollups (docs/serve.md, "Per-user trends"): users kept per (hour, model) in a
  // segment, the rest merged as "(other)"; hours of them kept decoded in memory.
  uint64_t max_users_per_model_hour = 1000;
  uint64_t user_cache_bytes = uint64_t{256} << 20;
  std::string metrics_prefix = "inferscope_";
  int64_t bucket_ns = 60ll * 1'000'000'000;  // rollup and detection bucket
  std::string detector_config;               // detector YAML (docs/detectors.md); "" = defaults
  int64_t shutdown_timeout_ns = 10ll * 1'000'000'000;
  int worker_threads = 8;  // HTTP worker threads
  // The `alerting:` subtree as YAML text, parsed by the alerting subsystem (docs/alerting.md).
  std::string alerting_yaml;

  // Host and port of `listen`.
  std::string host() const;
  int port() const;

  // The configuration as JSON with secrets (tokens) replaced by "<redacted>"
  // (GET /api/v1/config).
  std::string ToRedactedJson() const;
};

// One configurable key, for flag registration and documentation.
struct ServeConfigKey {
  std::string path;  // dotted YAML path, "auth.ingest_token"
  std::string help;
  bool secret = false;
  std::string EnvName() const;   // "INFERSCOPE_AUTH_INGEST_TOKEN"
  std::string FlagName() const;  // "auth-ingest-token" (without dashes in front)
};

// Builds a ServeConfig from its sources. Every error names its source and key (and the YAML
// line and column), e.g. "config.yaml:4:3: store.fsync: expected always, never or
// interval=<duration>, got 'sometimes'".
class ServeConfigLoader {
 public:
  static const std::vector<ServeConfigKey>& Keys();

  // Reads the YAML file; unknown keys are errors (a typo must not be silently ignored).
  Status LoadFile(const std::string& path);
  // Same, from text (`source` names it in messages).
  Status LoadYaml(std::string_view yaml, std::string_view source);
  // Applies every INFERSCOPE_<KEY> variable found in `environ`-style "NAME=value" entries.
  Status LoadEnvironment(const std::vector<std::string>& environment);
  // Applies one flag by its FlagName().
  Status SetFlag(std::string_view flag_name, std::string_view value);

  // Validates the combination (TLS pair, listen address) and returns the config.
  Result<ServeConfig> Finish() const;

 private:
  Status Set(const std::string& path, std::string_view value, const std::string& where);
  ServeConfig config_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_API_SERVE_CONFIG_H_
