#include "ingest/httplib_client.h"

#include <httplib.h>

#include <memory>

namespace inferscope {
namespace {

void SetTimeouts(httplib::ClientImpl& client, std::chrono::milliseconds timeout) {
  auto sec = static_cast<time_t>(timeout.count() / 1000);
  auto usec = static_cast<time_t>((timeout.count() % 1000) * 1000);
  client.set_connection_timeout(sec, usec);
  client.set_read_timeout(sec, usec);
  client.set_write_timeout(sec, usec);
}

}  // namespace

Result<HttpResponse> HttplibClient::Send(const HttpRequest& request) {
  INFERSCOPE_ASSIGN_OR_RETURN(ParsedUrl url, ParseHttpUrl(request.url));
  std::unique_ptr<httplib::ClientImpl> client;
  if (url.scheme == "https") {
    auto ssl = std::make_unique<httplib::SSLClient>(url.host, url.port);
    ssl->enable_server_certificate_verification(!options_.insecure_skip_verify);
    if (!options_.ca_file.empty()) ssl->set_ca_cert_path(options_.ca_file);
    client = std::move(ssl);
  } else {
    client = std::make_unique<httplib::ClientImpl>(url.host, url.port);
  }
  SetTimeouts(*client, request.timeout);
  client->set_keep_alive(false);
  client->set_decompress(true);

  httplib::Request req;
  req.method = request.method;
  req.path = url.path;
  bool has_auth = false;
  for (const auto& [key, value] : request.headers) {
    if (HeaderNameEquals(key, "Authorization")) has_auth = true;
    req.headers.emplace(key, value);
  }
  if (!has_auth) {
    if (!options_.bearer_token.empty()) {
      req.headers.emplace("Authorization", "Bearer " + options_.bearer_token);
    } else if (!options_.basic_user.empty()) {
      client->set_basic_auth(options_.basic_user, options_.basic_password);
    }
  }
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
    req.body = request.body;
    req.headers.emplace("Content-Type", request.content_type.empty()
                                            ? std::string("application/octet-stream")
                                            : request.content_type);
  }

  httplib::Result res = client->send(req);
  if (!res) {
    return Status::Unavailable(request.method + " " + request.url + ": " +
                               httplib::to_string(res.error()));
  }
  HttpResponse out;
  out.status = res->status;
  out.body = std::move(res->body);
  out.headers.reserve(res->headers.size());
  for (const auto& [key, value] : res->headers) out.headers.emplace_back(key, value);
  return out;
}

}  // namespace inferscope
