#include "alert/alert_sink.h"

#include <fmt/format.h>

#include <charconv>

namespace inferscope {
namespace {

constexpr size_t kDetailBodyChars = 200;
constexpr int64_t kMaxRetryAfterNs = 3600LL * 1'000'000'000;

// Retry-After in its delta-seconds form; the HTTP-date form is rare for webhooks and ignored.
int64_t ParseRetryAfterNs(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  int64_t seconds = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc() || ptr != value.data() + value.size() || seconds < 0) return 0;
  if (seconds > kMaxRetryAfterNs / 1'000'000'000) return kMaxRetryAfterNs;
  return seconds * 1'000'000'000;
}

bool RetryableStatus(int status) {
  return status == 408 || status == 425 || status == 429 || status >= 500;
}

}  // namespace

HttpRequest AlertSink::BuildRequest(std::string body, std::string_view delivery_key) const {
  HttpRequest request;
  request.method = "POST";
  request.url = endpoint();
  request.body = std::move(body);
  request.content_type = std::string(content_type());
  request.timeout = options_.timeout;
  bool has_auth = false;
  for (const auto& header : options_.headers) {
    if (HeaderNameEquals(header.first, "Authorization")) has_auth = true;
    request.headers.push_back(header);
  }
  if (!has_auth && !options_.bearer_token.empty()) {
    request.headers.emplace_back("Authorization", "Bearer " + options_.bearer_token);
  }
  if (!delivery_key.empty()) request.headers.emplace_back("Idempotency-Key", delivery_key);
  return request;
}

DeliveryResult AlertSink::Classify(const Result<HttpResponse>& response) const {
  DeliveryResult result;
  if (!response.ok()) {
    result.outcome = response.status().code() == StatusCode::kInvalidArgument
                         ? DeliveryOutcome::kPermanentFailure
                         : DeliveryOutcome::kRetry;
    result.detail = response.status().ToString();
    return result;
  }
  const HttpResponse& r = *response;
  if (r.status >= 200 && r.status < 300) {
    result.outcome = DeliveryOutcome::kDelivered;
    result.detail = fmt::format("HTTP {}", r.status);
    return result;
  }
  std::string body = r.body.substr(0, kDetailBodyChars);
  for (char& c : body) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  result.detail = fmt::format("HTTP {}: {}", r.status, body);
  if (RetryableStatus(r.status)) {
    result.outcome = DeliveryOutcome::kRetry;
    result.retry_after_ns = ParseRetryAfterNs(r.Header("Retry-After"));
  } else {
    result.outcome = DeliveryOutcome::kPermanentFailure;
  }
  return result;
}

DeliveryResult AlertSink::Deliver(HttpClient& client, std::string body,
                                  std::string_view delivery_key) const {
  return Classify(client.Send(BuildRequest(std::move(body), delivery_key)));
}

Status ValidateAlertSinkOptions(const AlertSinkOptions& options) {
  if (options.name.empty()) return Status::InvalidArgument("alert sink: name is empty");
  for (char c : options.name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) {
      return Status::InvalidArgument(fmt::format(
          "alert sink '{}': name may hold only letters, digits, '_', '-' and '.'", options.name));
    }
  }
  auto url = ParseHttpUrl(options.url);
  if (!url.ok()) {
    return url.status().WithContext(fmt::format("alert sink '{}': url", options.name));
  }
  if (options.timeout.count() <= 0) {
    return Status::InvalidArgument(
        fmt::format("alert sink '{}': timeout must be > 0", options.name));
  }
  return Status::Ok();
}

}  // namespace inferscope
