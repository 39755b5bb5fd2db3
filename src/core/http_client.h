#ifndef INFERSCOPE_CORE_HTTP_CLIENT_H_
#define INFERSCOPE_CORE_HTTP_CLIENT_H_

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace inferscope {

// One HTTP request as the engine's clients (Prometheus API, remote_write, alert sinks) build
// it. `url` is absolute: http[s]://host[:port]/path[?query].
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type;  // sent as Content-Type when body is not empty
  // Whole-exchange limit (connect + send + receive).
  std::chrono::milliseconds timeout{10'000};
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // First header with this name (case-insensitive), or "" when absent.
  std::string_view Header(std::string_view name) const;
};

// TLS and auth settings shared by every request of one client.
struct HttpClientOptions {
  // PEM bundle to verify servers against; empty = the system's default store.
  std::string ca_file;
  // Skips certificate verification (self-signed test servers only).
  bool insecure_skip_verify = false;
  // Added to every request unless it sets its own Authorization header.
  std::string bearer_token;
  std::string basic_user;
  std::string basic_password;
};

// The seam for outbound HTTP: production code gets an HttplibClient, tests may inject their
// own. Send() returns a response for every HTTP status (4xx/5xx are not errors at this
// level); a transport failure (refused, timeout, TLS) is Unavailable, a malformed URL
// InvalidArgument. Implementations are thread-safe.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

// HTTP header names compare case-insensitively (RFC 9110).
bool HeaderNameEquals(std::string_view a, std::string_view b);

// The parts of an absolute http(s) URL.
struct ParsedUrl {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets for IPv6 literals
  int port = 0;        // defaulted from the scheme when absent
  std::string path;    // "/..." including the query; "/" when absent
};

// InvalidArgument with the reason for anything but http/https URLs with a host.
Result<ParsedUrl> ParseHttpUrl(std::string_view url);

}  // namespace inferscope

#endif  // INFERSCOPE_CORE_HTTP_CLIENT_H_
