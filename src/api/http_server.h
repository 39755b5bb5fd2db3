#ifndef INFERSCOPE_API_HTTP_SERVER_H_
#define INFERSCOPE_API_HTTP_SERVER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "api/server_metrics.h"
#include "core/status.h"

namespace inferscope {

// Zero bytes that follow the body of every POST and PUT request (ApiRequest::body), so
// parsers that read a little past the end can parse it in place.
inline constexpr size_t kApiBodyPadding = 64;

// One HTTP request as handlers see it. Views point into the server's request object and are
// valid only during the handler call. For POST and PUT, kApiBodyPadding readable zero bytes
// follow `body`.
struct ApiRequest {
  std::string_view method;
  std::string_view path;
  std::vector<std::string> path_params;  // the route's {placeholder} segments, in order
  std::multimap<std::string, std::string> query;
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;
  std::string_view body;

  // First header with this name (case-insensitive), "" when absent.
  std::string_view Header(std::string_view name) const;
  // Value of a query parameter, or nullptr.
  const std::string* Query(const std::string& name) const;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  void Json(int http_status, std::string json);
  // The JSON error envelope with the status HttpStatusFor(status.code()).
  void Error(const Status& status);
  void Error(int http_status, std::string_view code, std::string_view message);
};

using ApiHandler = std::function<void(const ApiRequest&, ApiResponse&)>;

// Which bearer token a route requires (none when the configured token is empty).
enum class AuthScope { kPublic, kIngest, kApi };

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 = any free port (see HttpServer::port())
  std::string tls_cert_file;
  std::string tls_key_file;
  uint64_t max_body_bytes = 20ull << 20;
  int worker_threads = 8;
  std::string ingest_token;
  std::string api_token;
};

// The HTTP front of `inferscope serve`: routes, bearer-token auth per scope, the body limit
// (413 before the body is read when Content-Length is too large), the JSON error envelope
// for every error the server itself produces (404, 405, 413, 401, handler exceptions), and
// per-handler request metrics. Handlers run on a pool of worker threads and must be
// thread-safe. cpp-httplib stays behind this class.
class HttpServer {
 public:
  // `metrics` may be null; otherwise it must outlive the server.
  HttpServer(HttpServerOptions options, ServerMetrics* metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Registers a handler; call before Start. `pattern` is a path whose {placeholder}
  // segments match one path segment each ("/api/v1/anomalies/{id}"), delivered in
  // ApiRequest::path_params. `name` labels the request metrics.
  void Route(std::string_view method, std::string pattern, AuthScope scope, std::string name,
             ApiHandler handler);

  // Binds (failing with Unavailable when the address is taken or the TLS files are bad) and
  // starts serving on a background thread.
  Status Start();
  // The bound port (useful with port 0).
  int port() const { return port_; }
  // Stops accepting connections and waits for in-flight requests to finish.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace inferscope

#endif  // INFERSCOPE_API_HTTP_SERVER_H_
