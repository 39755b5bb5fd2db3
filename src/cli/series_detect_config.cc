#include "cli/series_detect_config.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "detect/anomaly_kind.h"
#include "insight/series_anomaly_explainer.h"

namespace inferscope {
namespace {

Result<std::string> ReadSecret(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(fmt::format("cannot read the {} file {}", what, path));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  if (s.empty()) return Status::InvalidArgument(fmt::format("the {} file {} is empty", what, path));
  return s;
}

}  // namespace

Result<HttpClientOptions> MakeHttpClientOptions(const PrometheusAccessConfig& access) {
  HttpClientOptions o;
  o.ca_file = access.ca_file;
  o.insecure_skip_verify = access.insecure_skip_verify;
  if (!access.bearer_token_file.empty() && !access.basic_auth.empty()) {
    return Status::InvalidArgument("give either a bearer token file or basic auth, not both");
  }
  if (!access.bearer_token_file.empty()) {
    INFERSCOPE_ASSIGN_OR_RETURN(o.bearer_token,
                                ReadSecret(access.bearer_token_file, "bearer token"));
  }
  if (!access.basic_auth.empty()) {
    const size_t colon = access.basic_auth.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == access.basic_auth.size()) {
      return Status::InvalidArgument(
          "basic auth must be USER:PASSWORD_FILE (the password is read from the file)");
    }
    o.basic_user = access.basic_auth.substr(0, colon);
    INFERSCOPE_ASSIGN_OR_RETURN(o.basic_password,
                                ReadSecret(access.basic_auth.substr(colon + 1), "password"));
  }
  return o;
}

std::vector<std::string> DefaultSeriesDetectors() {
  return {"robust_z window=60 threshold=6 min_points=20", "cusum window=60 k=1 h=12 min_points=30"};
}

Result<SeriesSpec> MakeSeriesSpec(const SeriesDetectConfig& c, std::string_view hint) {
  SeriesSpec s;
  s.name = c.name.empty() ? "query" : c.name;
  s.detectors = c.detectors.empty() ? DefaultSeriesDetectors() : c.detectors;
  if (c.direction == "above") {
    s.ensemble.direction = Direction::kAbove;
  } else if (c.direction == "below") {
    s.ensemble.direction = Direction::kBelow;
  } else if (c.direction == "both" || c.direction.empty()) {
    s.ensemble.direction = Direction::kBoth;
  } else {
    return Status::InvalidArgument(
        fmt::format("invalid direction '{}': expected above, below or both", c.direction));
  }
  if (!(c.min_deviation >= 0) || !(c.min_rel_deviation >= 0)) {
    return Status::InvalidArgument("minimum deviations must be >= 0");
  }
  s.ensemble.min_abs_deviation = c.min_deviation;
  s.ensemble.min_rel_deviation = c.min_rel_deviation;
  if (!c.kind.empty()) {
    auto kind = AnomalyKindByName(c.kind);
    if (!kind) return Status::InvalidArgument(fmt::format("unknown anomaly kind '{}'", c.kind));
    s.kind = *kind;
  } else {
    switch (GuessSeriesMetricFamily(hint)) {
      case SeriesMetricFamily::kLatency:
        s.kind = AnomalyKind::kLatencySpike;
        break;
      case SeriesMetricFamily::kErrors:
        s.kind = AnomalyKind::kErrorBurst;
        break;
      default:
        s.kind = AnomalyKind::kOutlier;
    }
  }
  return s;
}

}  // namespace inferscope
