#include "api/http_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <charconv>
#include <chrono>

#include "api/error_envelope.h"
#include "core/http_client.h"

namespace inferscope {
namespace {

// Compares secrets without an early exit, so timing does not reveal a matching prefix.
bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  }
  return diff == 0;
}

// Matches "/api/v1/anomalies/{id}" against a path: literal segments must be equal, a
// {placeholder} takes one non-empty segment.
bool MatchPattern(std::string_view pattern, std::string_view path) {
  while (!pattern.empty() && !path.empty()) {
    if (pattern.front() == '{') {
      size_t close = pattern.find('}');
      size_t seg_end = path.find('/');
      if (seg_end == 0) return false;
      pattern = pattern.substr(close + 1);
      path = seg_end == std::string_view::npos ? std::string_view() : path.substr(seg_end);
      continue;
    }
    if (pattern.front() != path.front()) return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
  }
  return pattern.empty() && path.empty();
}

// The regex cpp-httplib routes by: each {placeholder} becomes one captured segment.
std::string PatternToRegex(std::string_view pattern) {
  std::string out;
  while (!pattern.empty()) {
    if (pattern.front() == '{') {
      out += "([^/]+)";
      pattern = pattern.substr(pattern.find('}') + 1);
      continue;
    }
    char c = pattern.front();
    if (std::string_view(".^$|()[]*+?\\").find(c) != std::string_view::npos) out += '\\';
    out += c;
    pattern.remove_prefix(1);
  }
  return out;
}

// Where the pre-routing handler keeps Content-Encoding away from cpp-httplib.
constexpr char kHiddenEncodingHeader[] = "X-Inferscope-Content-Encoding";

struct RouteEntry {
  std::string method;
  std::string pattern;
  AuthScope scope;
  std::string name;
};

}  // namespace

std::string_view ApiRequest::Header(std::string_view name) const {
  if (headers == nullptr) return {};
  for (const auto& [key, value] : *headers) {
    if (HeaderNameEquals(key, name)) return value;
  }
  return {};
}

const std::string* ApiRequest::Query(const std::string& name) const {
  auto it = query.find(name);
  return it == query.end() ? nullptr : &it->second;
}

void ApiResponse::Json(int http_status, std::string json) {
  status = http_status;
  content_type = "application/json";
  body = std::move(json);
}

void ApiResponse::Error(const Status& st) { Json(HttpStatusFor(st.code()), ErrorEnvelope(st)); }

void ApiResponse::Error(int http_status, std::string_view code, std::string_view message) {
  Json(http_status, ErrorEnvelope(code, message));
}

struct HttpServer::Impl {
  HttpServerOptions options;
  ServerMetrics* metrics = nullptr;
  std::unique_ptr<httplib::Server> server;
  std::vector<RouteEntry> routes;
  std::thread thread;
  std::atomic<bool> running{false};

  const RouteEntry* FindRoute(const std::string& path, const std::string* method) const {
    for (const RouteEntry& r : routes) {
      if ((method == nullptr || r.method == *method) && MatchPattern(r.pattern, path)) {
        return &r;
      }
    }
    return nullptr;
  }

  const std::string& TokenFor(AuthScope scope) const {
    static const std::string kNone;
    switch (scope) {
      case AuthScope::kIngest:
        return options.ingest_token;
      case AuthScope::kApi:
        return options.api_token;
      case AuthScope::kPublic:
        break;
    }
    return kNone;
  }

  void Observe(const std::string& name, int status, std::chrono::steady_clock::time_point t0) {
    if (metrics == nullptr) return;
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    metrics->ObserveRequest(name, status, seconds);
  }
};

HttpServer::HttpServer(HttpServerOptions options, ServerMetrics* metrics)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->metrics = metrics;
  const HttpServerOptions& o = impl_->options;
  if (!o.tls_cert_file.empty()) {
    impl_->server =
        std::make_unique<httplib::SSLServer>(o.tls_cert_file.c_str(), o.tls_key_file.c_str());
  } else {
    impl_->server = std::make_unique<httplib::Server>();
  }
  httplib::Server& server = *impl_->server;
  int threads = o.worker_threads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_payload_max_length(o.max_body_bytes);
  // SO_REUSEADDR only: cpp-httplib's default also sets SO_REUSEPORT, which would let a
  // second server silently share the port instead of failing to start.
  server.set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server.set_keep_alive_max_count(1000);
  // cpp-httplib sends headers and body in two writes; without TCP_NODELAY Nagle holds the
  // body until the client's delayed ACK, adding ~40 ms to every small answer
  // (bench/README.md, serve section).
  server.set_tcp_nodelay(true);
  // Bounds how long an idle keep-alive connection or a stalled client can hold a worker
  // (and so delay a drain at shutdown).
  server.set_keep_alive_timeout(2);
  server.set_read_timeout(5, 0);
  server.set_write_timeout(30, 0);

  Impl* impl = impl_.get();
  // Auth runs before the body is read, so an unauthorised client cannot make the server
  // buffer a large body.
  server.set_pre_routing_handler([impl](const httplib::Request& req, httplib::Response& res) {
    // cpp-httplib would inflate gzip/deflate/br request bodies itself, with no limit on the
    // inflated size (a 20 MiB zip bomb becomes gigabytes). Hide the header from it, so the
    // body arrives as sent, and let handlers decode it with a bound (they see the header
    // under its real name again). The request object is httplib's mutable local; only its
    // const view is passed here.
    auto& mutable_req = const_cast<httplib::Request&>(req);
    auto encoding = mutable_req.headers.find("Content-Encoding");
    if (encoding != mutable_req.headers.end()) {
      std::string value = encoding->second;
      mutable_req.headers.erase(encoding);
      mutable_req.headers.emplace(kHiddenEncodingHeader, value);
    }
    const RouteEntry* route = impl->FindRoute(req.path, nullptr);
    if (route == nullptr) return httplib::Server::HandlerResponse::Unhandled;
    const std::string& token = impl->TokenFor(route->scope);
    if (token.empty()) return httplib::Server::HandlerResponse::Unhandled;
    std::string auth = req.get_header_value("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (auth.size() > kBearer.size() &&
        std::string_view(auth).substr(0, kBearer.size()) == kBearer &&
        ConstantTimeEquals(std::string_view(auth).substr(kBearer.size()), token)) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    res.status = 401;
    res.set_header("WWW-Authenticate", "Bearer");
    res.set_content(ErrorEnvelope("unauthorized", "missing or wrong bearer token"),
                    "application/json");
    if (impl->metrics != nullptr) impl->metrics->ObserveRequest(route->name, 401, 0);
    return httplib::Server::HandlerResponse::Handled;
  });
  // Every error without a body (404, 405, 413, ...) gets the JSON envelope.
  server.set_error_handler([impl](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 404 && impl->FindRoute(req.path, nullptr) != nullptr) {
      res.status = 405;
    }
    std::string message;
    switch (res.status) {
      case 404:
        message = "no such endpoint: " + req.path;
        break;
      case 405:
        message = "method " + req.method + " not allowed on " + req.path;
        break;
      case 413:
        message = "request body larger than the limit of " +
                  std::to_string(impl->options.max_body_bytes) + " bytes";
        break;
      default:
        message = "HTTP " + std::to_string(res.status);
    }
    res.set_content(ErrorEnvelope(ErrorCodeForHttpStatus(res.status), message), "application/json");
    if (impl->metrics != nullptr) {
      const RouteEntry* route = impl->FindRoute(req.path, nullptr);
      impl->metrics->ObserveRequest(route != nullptr ? route->name : "unmatched", res.status, 0);
    }
  });
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unexpected error";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        res.status = 500;
        res.set_content(ErrorEnvelope("internal", what), "application/json");
      });
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Route(std::string_view method, std::string pattern, AuthScope scope,
                       std::string name, ApiHandler handler) {
  impl_->routes.push_back({std::string(method), pattern, scope, name});
  auto dispatch = [impl = impl_.get(), name, handler = std::move(handler)](
                      const httplib::Request& req, httplib::Response& res, std::string_view body,
                      std::chrono::steady_clock::time_point t0) {
    std::vector<std::pair<std::string, std::string>> headers;
    headers.reserve(req.headers.size());
    for (const auto& [key, value] : req.headers) {
      headers.emplace_back(HeaderNameEquals(key, kHiddenEncodingHeader) ? "Content-Encoding" : key,
                           value);
    }
    ApiRequest request;
    request.method = req.method;
    request.path = req.path;
    for (size_t i = 1; i < req.matches.size(); ++i) request.path_params.push_back(req.matches[i]);
    request.query.insert(req.params.begin(), req.params.end());
    request.headers = &headers;
    request.body = body;
    ApiResponse response;
    handler(request, response);
    res.status = response.status;
    for (auto& [key, value] : response.headers) res.set_header(key.c_str(), value);
    res.set_content(std::move(response.body), response.content_type.c_str());
    impl->Observe(name, res.status, t0);
  };
  httplib::Server& server = *impl_->server;
  std::string regex = PatternToRegex(pattern);
  if (method == "POST" || method == "PUT") {
    // The body is read here rather than by cpp-httplib, which grows its string as bytes
    // arrive: one buffer sized from Content-Length, then kApiBodyPadding zero bytes after
    // the body, so parsers that read past the end (simdjson, the JSON-lines scanner) work on
    // it in place. The size limit is still cpp-httplib's (413 before any byte is kept).
    auto with_body = [dispatch = std::move(dispatch)](const httplib::Request& req,
                                                      httplib::Response& res,
                                                      const httplib::ContentReader& reader) {
      const auto t0 = std::chrono::steady_clock::now();
      std::string body;
      uint64_t length = 0;
      const std::string declared = req.get_header_value("Content-Length");
      auto [ptr, ec] = std::from_chars(declared.data(), declared.data() + declared.size(), length);
      if (ec == std::errc() && ptr == declared.data() + declared.size()) {
        body.reserve(length + kApiBodyPadding);
      }
      const bool complete = reader([&](const char* data, size_t n) {
        body.append(data, n);
        return true;
      });
      if (!complete) return;  // cpp-httplib answers (413, 400) through the error handler
      const size_t size = body.size();
      body.append(kApiBodyPadding, '\0');
      dispatch(req, res, std::string_view(body.data(), size), t0);
    };
    if (method == "POST") {
      server.Post(regex, std::move(with_body));
    } else {
      server.Put(regex, std::move(with_body));
    }
    return;
  }
  auto without_body = [dispatch = std::move(dispatch)](const httplib::Request& req,
                                                       httplib::Response& res) {
    dispatch(req, res, req.body, std::chrono::steady_clock::now());
  };
  if (method == "GET") {
    server.Get(regex, std::move(without_body));
  } else if (method == "DELETE") {
    server.Delete(regex, std::move(without_body));
  }
}

Status HttpServer::Start() {
  httplib::Server& server = *impl_->server;
  if (!server.is_valid()) {
    return Status::InvalidArgument("cannot load TLS certificate/key from " +
                                   impl_->options.tls_cert_file + " / " +
                                   impl_->options.tls_key_file);
  }
  const HttpServerOptions& o = impl_->options;
  if (o.port == 0) {
    port_ = server.bind_to_any_port(o.host);
    if (port_ <= 0) return Status::Unavailable("cannot bind " + o.host + ":0");
  } else {
    if (!server.bind_to_port(o.host, o.port)) {
      return Status::Unavailable("cannot listen on " + o.host + ":" + std::to_string(o.port) +
                                 " (address in use or not local?)");
    }
    port_ = o.port;
  }
  impl_->running = true;
  impl_->thread = std::thread([this] { impl_->server->listen_after_bind(); });
  // stop() is a no-op until the listen loop runs; wait for it so that a Stop() right after
  // Start() cannot miss it and leave the thread listening forever.
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Status::Ok();
}

void HttpServer::Stop() {
  if (!impl_ || !impl_->running.exchange(false)) return;
  // stop() closes the listening socket; listen_after_bind() then shuts the worker pool
  // down, which finishes the requests already being handled before it returns.
  impl_->server->stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace inferscope
