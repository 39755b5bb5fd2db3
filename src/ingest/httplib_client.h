#ifndef INFERSCOPE_INGEST_HTTPLIB_CLIENT_H_
#define INFERSCOPE_INGEST_HTTPLIB_CLIENT_H_

#include "core/http_client.h"

namespace inferscope {

// HttpClient over cpp-httplib (HTTP/1.1, TLS through OpenSSL). Each Send opens its own
// connection, so concurrent Sends from several threads are safe; responses with
// Content-Encoding gzip are decompressed. Redirects are not followed (an API that redirects is
// misconfigured and the caller should see the 3xx).
class HttplibClient final : public HttpClient {
 public:
  explicit HttplibClient(HttpClientOptions options = {}) : options_(std::move(options)) {}
  Result<HttpResponse> Send(const HttpRequest& request) override;

 private:
  HttpClientOptions options_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_HTTPLIB_CLIENT_H_
