#include "ingest/prometheus/remote_write_client.h"

#include <fmt/format.h>
#include <snappy.h>

#include <algorithm>
#include <queue>

#include "prometheus/remote.pb.h"

namespace inferscope {
namespace {

constexpr size_t kMessageSnippetBytes = 300;

std::string Snippet(std::string_view body) {
  std::string out(body.substr(0, std::min(body.size(), kMessageSnippetBytes)));
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (body.size() > kMessageSnippetBytes) out += "...";
  return out.empty() ? std::string("(empty body)") : out;
}

bool IsNameChar(char c, bool first, bool colon) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (colon && c == ':') return true;
  return !first && c >= '0' && c <= '9';
}

bool IsValidName(std::string_view name, bool colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i], i == 0, colon)) return false;
  }
  return true;
}

// A series prepared for sending: its labels in wire order.
struct Prepared {
  std::vector<std::pair<std::string, std::string>> labels;
  const std::vector<Sample>* samples = nullptr;
  size_t end = 0;  // samples [0, end) are not in the future
};

}  // namespace

bool IsValidPrometheusLabelName(std::string_view name) { return IsValidName(name, false); }
bool IsValidPrometheusMetricName(std::string_view name) { return IsValidName(name, true); }

RemoteWriteClient::RemoteWriteClient(HttpClient& http, RemoteWriteOptions options,
                                     const Clock& clock, SleepFunction sleep)
    : http_(http), options_(std::move(options)), clock_(clock), sleep_(std::move(sleep)) {
  if (!sleep_) sleep_ = SleepThread;
  if (options_.max_samples_per_request == 0) options_.max_samples_per_request = 1;
}

Result<RemoteWriteStats> RemoteWriteClient::Write(
    const std::vector<PrometheusSeries>& series) const {
  RemoteWriteStats stats;
  const TimestampNs now = clock_.Now();
  std::vector<Prepared> prepared;
  prepared.reserve(series.size());
  for (const PrometheusSeries& s : series) {
    const std::string& metric = s.key.metric();
    if (!IsValidPrometheusMetricName(metric)) {
      return Status::InvalidArgument(fmt::format(
          "remote_write: series {}: metric name \"{}\" is not a valid Prometheus metric name",
          s.key.ToString(), metric));
    }
    Prepared p;
    p.labels.reserve(s.key.labels().size() + 1);
    p.labels.emplace_back("__name__", metric);
    for (const auto& [name, value] : s.key.labels()) {
      if (name == "__name__" || !IsValidPrometheusLabelName(name)) {
        return Status::InvalidArgument(fmt::format(
            "remote_write: series {}: label name \"{}\" is not valid", s.key.ToString(), name));
      }
      if (!value.empty()) p.labels.emplace_back(name, value);
    }
    // Byte order, as the spec requires ("__name__" is not necessarily first: 'A' < '_').
    std::sort(p.labels.begin(), p.labels.end());
    for (size_t i = 1; i < s.samples.size(); ++i) {
      if (s.samples[i].timestamp_ns <= s.samples[i - 1].timestamp_ns) {
        return Status::InvalidArgument(fmt::format(
            "remote_write: series {}: samples are not strictly ascending in time (index {})",
            s.key.ToString(), i));
      }
    }
    p.samples = &s.samples;
    p.end = static_cast<size_t>(
        std::upper_bound(s.samples.begin(), s.samples.end(), now,
                         [](TimestampNs t, const Sample& x) { return t < x.timestamp_ns; }) -
        s.samples.begin());
    stats.samples_skipped_future += static_cast<int64_t>(s.samples.size() - p.end);
    if (p.end > 0) ++stats.series;
    prepared.push_back(std::move(p));
  }

  // k-way merge by timestamp: memory stays O(series), not O(samples).
  using Cursor = std::pair<TimestampNs, size_t>;  // (next timestamp, series index)
  std::priority_queue<Cursor, std::vector<Cursor>, std::greater<>> heap;
  std::vector<size_t> next(prepared.size(), 0);
  for (size_t i = 0; i < prepared.size(); ++i) {
    if (prepared[i].end > 0) heap.emplace((*prepared[i].samples)[0].timestamp_ns, i);
  }
  // slot[i]: index of series i's TimeSeries in the request being built, or -1.
  std::vector<int> slot(prepared.size(), -1);
  std::vector<size_t> touched;
  prometheus::WriteRequest request;
  std::string body;
  std::string compressed;
  int request_number = 0;
  while (!heap.empty()) {
    request.Clear();
    for (size_t i : touched) slot[i] = -1;
    touched.clear();
    size_t in_request = 0;
    while (!heap.empty() && in_request < options_.max_samples_per_request) {
      auto [ts, i] = heap.top();
      heap.pop();
      if (slot[i] < 0) {
        slot[i] = request.timeseries_size();
        touched.push_back(i);
        prometheus::TimeSeries* out = request.add_timeseries();
        for (const auto& [name, value] : prepared[i].labels) {
          prometheus::Label* label = out->add_labels();
          label->set_name(name);
          label->set_value(value);
        }
      }
      const Sample& sample = (*prepared[i].samples)[next[i]];
      prometheus::Sample* wire = request.mutable_timeseries(slot[i])->add_samples();
      wire->set_value(sample.value);
      // Remote write carries milliseconds.
      wire->set_timestamp(sample.timestamp_ns / kNanosPerMilli);
      ++in_request;
      if (++next[i] < prepared[i].end) {
        heap.emplace((*prepared[i].samples)[next[i]].timestamp_ns, i);
      }
    }
    body.clear();
    if (!request.SerializeToString(&body)) {
      return Status::Internal("remote_write: WriteRequest serialization failed");
    }
    compressed.clear();
    snappy::Compress(body.data(), body.size(), &compressed);
    ++request_number;
    Status sent = Send(compressed, &stats);
    if (!sent.ok()) {
      return sent.WithContext(fmt::format("remote_write request {} ({} samples; {} sent before it)",
                                          request_number, in_request, stats.samples_sent));
    }
    stats.samples_sent += static_cast<int64_t>(in_request);
  }
  return stats;
}

Status RemoteWriteClient::Send(const std::string& body, RemoteWriteStats* stats) const {
  HttpRequest request;
  request.method = "POST";
  request.url = options_.url;
  request.body = body;
  request.content_type = "application/x-protobuf";
  request.timeout = options_.timeout;
  request.headers = options_.headers;
  request.headers.emplace_back("Content-Encoding", "snappy");
  request.headers.emplace_back("X-Prometheus-Remote-Write-Version", "0.1.0");
  request.headers.emplace_back("User-Agent", "inferscope");

  const int max_attempts = std::max(1, options_.retry.max_attempts);
  const int64_t started = clock_.MonotonicNs();
  std::string last_failure;
  for (int attempt = 1;; ++attempt) {
    Result<HttpResponse> sent = http_.Send(request);
    ++stats->requests;
    stats->bytes_sent += static_cast<int64_t>(body.size());
    int64_t retry_after_ns = 0;
    if (!sent.ok()) {
      if (sent.status().code() != StatusCode::kUnavailable) return sent.status();
      last_failure = sent.status().message();
    } else {
      const HttpResponse& response = sent.value();
      if (response.status >= 200 && response.status <= 299) return Status::Ok();
      std::string message = fmt::format("{} answered HTTP {}: {}", options_.url, response.status,
                                        Snippet(response.body));
      if (!IsRetryableHttpStatus(response.status)) {
        if (response.status == 404) {
          return Status::NotFound(
              message +
              " (is the receiver enabled? Prometheus needs --web.enable-remote-write-receiver)");
        }
        return Status::InvalidArgument(std::move(message));
      }
      last_failure = std::move(message);
      retry_after_ns = ParseRetryAfterNs(response.Header("Retry-After"));
    }
    if (attempt >= max_attempts) {
      return Status::Unavailable(fmt::format("{} (gave up after {} attempt{})", last_failure,
                                             attempt, attempt == 1 ? "" : "s"));
    }
    int64_t delay = options_.retry.DelayNs(attempt + 1, retry_after_ns);
    if (clock_.MonotonicNs() - started + delay > options_.retry.total_budget_ns) {
      return Status::Unavailable(fmt::format("{} (gave up after {} attempt{}: retry budget spent)",
                                             last_failure, attempt, attempt == 1 ? "" : "s"));
    }
    sleep_(delay);
    ++stats->retries;
  }
}

}  // namespace inferscope
