#include "ingest/prometheus/prometheus_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "ingest/prometheus/query_range_splitter.h"

namespace inferscope {
namespace {

constexpr size_t kBodySnippetBytes = 200;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// The first bytes of a body for an error message, on one line.
std::string Snippet(std::string_view body) {
  std::string out(body.substr(0, std::min(body.size(), kBodySnippetBytes)));
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (body.size() > kBodySnippetBytes) out += "...";
  return out;
}

Status WithCode(StatusCode code, std::string message) { return Status(code, std::move(message)); }

}  // namespace

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3 / 2);
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string FormatPrometheusSeconds(TimestampNs t) {
  const int64_t ms = FloorDiv(t, kNanosPerMilli);
  // |ms| fits: int64 ns / 1e6.
  const uint64_t magnitude = ms < 0 ? static_cast<uint64_t>(-ms) : static_cast<uint64_t>(ms);
  std::string out = ms < 0 ? "-" : "";
  out += std::to_string(magnitude / 1000);
  if (uint64_t frac = magnitude % 1000; frac != 0) {
    out += fmt::format(".{:03d}", frac);
    while (out.back() == '0') out.pop_back();
  }
  return out;
}

PrometheusClient::PrometheusClient(HttpClient& http, PrometheusClientOptions options,
                                   const Clock& clock, SleepFunction sleep)
    : http_(http), options_(std::move(options)), clock_(clock), sleep_(std::move(sleep)) {
  while (!options_.base_url.empty() && options_.base_url.back() == '/') {
    options_.base_url.pop_back();
  }
  if (!sleep_) sleep_ = SleepThread;
}

Status PrometheusClient::Call(std::string_view endpoint,
                              const std::vector<std::pair<std::string, std::string>>& params,
                              PrometheusResponseParser& parser, PrometheusQueryResult* out,
                              PrometheusQueryStats* stats) const {
  std::string form;
  for (const auto& [key, value] : params) {
    if (!form.empty()) form += '&';
    form += key;
    form += '=';
    form += PercentEncode(value);
  }
  const std::string url = options_.base_url + std::string(endpoint);
  bool post = options_.method == PrometheusHttpMethod::kPost ||
              (options_.method == PrometheusHttpMethod::kAuto &&
               url.size() + 1 + form.size() > options_.max_get_url_bytes);
  HttpRequest request;
  request.headers = options_.headers;
  request.headers.emplace_back("Accept", "application/json");
  request.timeout = options_.timeout + options_.http_grace;
  if (post) {
    request.method = "POST";
    request.url = url;
    request.body = std::move(form);
    request.content_type = "application/x-www-form-urlencoded";
  } else {
    request.method = "GET";
    request.url = url + "?" + form;
  }

  const int max_attempts = std::max(1, options_.retry.max_attempts);
  const int64_t started = clock_.MonotonicNs();
  std::string last_failure;
  for (int attempt = 1;; ++attempt) {
    int64_t t0 = clock_.MonotonicNs();
    Result<HttpResponse> sent = http_.Send(request);
    stats->http_ns += clock_.MonotonicNs() - t0;
    ++stats->requests;
    int64_t retry_after_ns = 0;
    if (!sent.ok()) {
      if (sent.status().code() != StatusCode::kUnavailable) {
        return sent.status().WithContext(fmt::format("Prometheus API {}", url));
      }
      last_failure = sent.status().message();
    } else {
      const HttpResponse& response = sent.value();
      stats->response_bytes += static_cast<int64_t>(response.body.size());
      int64_t p0 = clock_.MonotonicNs();
      Result<PrometheusQueryResult> parsed = parser.Parse(response.body);
      stats->parse_ns += clock_.MonotonicNs() - p0;
      const bool success_status = response.status >= 200 && response.status <= 299;
      if (success_status && parsed.ok()) {
        *out = std::move(parsed).value();
        return Status::Ok();
      }
      Status error;
      if (!parsed.ok() && parsed.status().code() != StatusCode::kDataLoss) {
        // The server's own error envelope: the clearest message there is.
        error = parsed.status().WithContext(
            fmt::format("Prometheus API {} (HTTP {})", url, response.status));
      } else if (success_status) {
        return parsed.status().WithContext(fmt::format("Prometheus API {}", url));
      } else {
        StatusCode code = StatusCode::kInvalidArgument;
        std::string what;
        if (response.status == 401 || response.status == 403) {
          what = "authentication failed: check the bearer token or basic auth; ";
        } else if (response.status == 404) {
          code = StatusCode::kNotFound;
          what = "no Prometheus API here (check the base URL); ";
        } else if (IsRetryableHttpStatus(response.status)) {
          code = StatusCode::kUnavailable;
        }
        error = WithCode(code, fmt::format("Prometheus API {}: {}HTTP {}: {}", url, what,
                                           response.status, Snippet(response.body)));
      }
      if (!IsRetryableHttpStatus(response.status)) return error;
      last_failure = error.message();
      retry_after_ns = ParseRetryAfterNs(response.Header("Retry-After"));
    }
    // Retryable failure.
    if (attempt >= max_attempts) {
      return Status::Unavailable(
          fmt::format("cannot query Prometheus at {}: {} (gave up after {} attempt{})", url,
                      last_failure, attempt, attempt == 1 ? "" : "s"));
    }
    int64_t delay = options_.retry.DelayNs(attempt + 1, retry_after_ns);
    if (clock_.MonotonicNs() - started + delay > options_.retry.total_budget_ns) {
      return Status::Unavailable(fmt::format(
          "cannot query Prometheus at {}: {} (gave up after {} attempt{}: retry budget of {} s "
          "spent)",
          url, last_failure, attempt, attempt == 1 ? "" : "s",
          options_.retry.total_budget_ns / kNanosPerSecond));
    }
    sleep_(delay);
    ++stats->retries;
  }
}

Result<PrometheusQueryResponse> PrometheusClient::Query(std::string_view expr,
                                                        TimestampNs time) const {
  PrometheusResponseParser parser;
  PrometheusQueryResponse response;
  std::vector<std::pair<std::string, std::string>> params = {
      {"query", std::string(expr)},
      {"time", FormatPrometheusSeconds(time)},
      {"timeout", FormatPrometheusSeconds(options_.timeout.count() * kNanosPerMilli)},
  };
  INFERSCOPE_RETURN_IF_ERROR(
      Call("/api/v1/query", params, parser, &response.result, &response.stats));
  return response;
}

Result<PrometheusQueryResponse> PrometheusClient::QueryRange(std::string_view expr,
                                                             TimestampNs start, TimestampNs end,
                                                             int64_t step_ns) const {
  if (step_ns < kNanosPerMilli || step_ns % kNanosPerMilli != 0) {
    return Status::InvalidArgument(fmt::format(
        "query_range step must be a whole number of milliseconds >= 1 ms, got {} ns", step_ns));
  }
  // Millisecond resolution: the first point at or after start, the last at or before end.
  start = -FloorDiv(-start, kNanosPerMilli) * kNanosPerMilli;
  end = FloorDiv(end, kNanosPerMilli) * kNanosPerMilli;
  INFERSCOPE_ASSIGN_OR_RETURN(
      std::vector<QueryRangePiece> pieces,
      SplitQueryRange(start, end, step_ns, options_.max_points_per_request));

  PrometheusResponseParser parser;
  PrometheusQueryResponse response;
  response.result.type = PrometheusResultType::kMatrix;
  std::vector<PrometheusSeries>& all = response.result.series;
  std::unordered_map<SeriesKey, size_t, SeriesKeyHash> index;
  const std::string step = FormatPrometheusSeconds(step_ns);
  const std::string timeout = FormatPrometheusSeconds(options_.timeout.count() * kNanosPerMilli);
  for (const QueryRangePiece& piece : pieces) {
    std::vector<std::pair<std::string, std::string>> params = {
        {"query", std::string(expr)},
        {"start", FormatPrometheusSeconds(piece.start)},
        {"end", FormatPrometheusSeconds(piece.end)},
        {"step", step},
        {"timeout", timeout},
    };
    PrometheusQueryResult part;
    INFERSCOPE_RETURN_IF_ERROR(Call("/api/v1/query_range", params, parser, &part, &response.stats));
    ++response.stats.pieces;
    if (part.type != PrometheusResultType::kMatrix) {
      return Status::DataLoss(
          fmt::format("Prometheus API {}/api/v1/query_range answered a {} result, not a matrix",
                      options_.base_url, PrometheusResultTypeName(part.type)));
    }
    for (PrometheusSeries& series : part.series) {
      auto [it, inserted] = index.try_emplace(series.key, all.size());
      if (inserted) {
        all.push_back(std::move(series));
        continue;
      }
      // Pieces do not overlap, but a server that aligns ranges itself (or a stale-marker
      // edge) may repeat a boundary point: keep time strictly ascending.
      std::vector<Sample>& samples = all[it->second].samples;
      for (const Sample& sample : series.samples) {
        if (samples.empty() || sample.timestamp_ns > samples.back().timestamp_ns) {
          samples.push_back(sample);
        }
      }
    }
    for (std::string& warning : part.warnings) {
      if (std::find(response.result.warnings.begin(), response.result.warnings.end(), warning) ==
          response.result.warnings.end()) {
        response.result.warnings.push_back(std::move(warning));
      }
    }
  }
  std::sort(all.begin(), all.end(),
            [](const PrometheusSeries& a, const PrometheusSeries& b) { return a.key < b.key; });
  return response;
}

}  // namespace inferscope
