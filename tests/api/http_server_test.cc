#include "api/http_server.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>

#include "ingest/httplib_client.h"

namespace inferscope {
namespace {

class HttpServerTest : public ::testing::Test {
 protected:
  void StartServer(HttpServerOptions options) {
    options.port = 0;
    server_ = std::make_unique<HttpServer>(options, &metrics_);
    server_->Route("GET", "/healthz", AuthScope::kPublic, "healthz",
                   [](const ApiRequest&, ApiResponse& res) { res.Json(200, "{\"ok\":true}"); });
    server_->Route("GET", "/api/v1/anomalies/{id}", AuthScope::kApi, "anomaly",
                   [](const ApiRequest& req, ApiResponse& res) {
                     const std::string* pretty = req.Query("pretty");
                     res.Json(200, "{\"id\":\"" + req.path_params.at(0) + "\",\"pretty\":" +
                                       (pretty != nullptr ? *pretty : std::string("null")) + "}");
                   });
    server_->Route("POST", "/v1/events", AuthScope::kIngest, "events",
                   [](const ApiRequest& req, ApiResponse& res) {
                     res.Json(200, "{\"bytes\":" + std::to_string(req.body.size()) +
                                       ",\"type\":\"" + std::string(req.Header("content-type")) +
                                       "\"}");
                   });
    // Echoes the body, and says whether kApiBodyPadding zero bytes follow it.
    server_->Route("POST", "/echo", AuthScope::kPublic, "echo",
                   [](const ApiRequest& req, ApiResponse& res) {
                     bool zeros = true;
                     for (size_t i = 0; i < kApiBodyPadding; ++i) {
                       zeros = zeros && req.body.data()[req.body.size() + i] == '\0';
                     }
                     res.status = 200;
                     res.content_type = zeros ? "text/x-padded" : "text/x-unpadded";
                     res.body = std::string(req.body);
                   });
    server_->Route("GET", "/boom", AuthScope::kPublic, "boom",
                   [](const ApiRequest&, ApiResponse&) { throw std::runtime_error("kaput"); });
    ASSERT_TRUE(server_->Start().ok());
    scheme_ = options.tls_cert_file.empty() ? "http" : "https";
  }

  HttpResponse Send(std::string method, std::string path, std::string body = "",
                    std::string token = "") {
    HttpClientOptions options;
    options.insecure_skip_verify = true;
    options.bearer_token = token;
    HttplibClient client(options);
    HttpRequest req;
    req.method = method;
    req.url = scheme_ + "://127.0.0.1:" + std::to_string(server_->port()) + path;
    req.body = body;
    req.content_type = "application/x-ndjson";
    auto res = client.Send(req);
    EXPECT_TRUE(res.ok()) << res.status().ToString();
    return res.ok() ? *res : HttpResponse{};
  }

  ServerMetrics metrics_;
  std::unique_ptr<HttpServer> server_;
  std::string scheme_;
};

TEST_F(HttpServerTest, RoutesWithPathAndQueryParameters) {
  StartServer({});
  HttpResponse res = Send("GET", "/api/v1/anomalies/a-17?pretty=1");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "{\"id\":\"a-17\",\"pretty\":1}");
  EXPECT_EQ(res.Header("Content-Type"), "application/json");
}

TEST_F(HttpServerTest, UnknownPathAndWrongMethodAnswerTheJsonEnvelope) {
  StartServer({});
  HttpResponse missing = Send("GET", "/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body,
            "{\"error\":{\"code\":\"not_found\",\"message\":\"no such endpoint: /nope\"}}");
  HttpResponse wrong = Send("DELETE", "/healthz");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_NE(wrong.body.find("\"code\":\"method_not_allowed\""), std::string::npos) << wrong.body;
}

TEST_F(HttpServerTest, BodiesOverTheLimitGet413AndTheServerKeepsServing) {
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  StartServer(options);
  HttpResponse ok = Send("POST", "/v1/events", std::string(1000, 'x'));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "{\"bytes\":1000,\"type\":\"application/x-ndjson\"}");
  HttpResponse big = Send("POST", "/v1/events", std::string(5000, 'x'));
  EXPECT_EQ(big.status, 413);
  EXPECT_NE(big.body.find("\"code\":\"payload_too_large\""), std::string::npos) << big.body;
  EXPECT_EQ(Send("GET", "/healthz").status, 200);
}

TEST_F(HttpServerTest, PostBodiesArriveWholeAndFollowedByZeroPadding) {
  StartServer({});
  std::string body;
  for (int i = 0; i < 200'000; ++i) body.push_back(static_cast<char>('a' + i % 26));
  for (const std::string& sent : {body, std::string(), std::string("x")}) {
    HttpResponse res = Send("POST", "/echo", sent);
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.body, sent);
    EXPECT_EQ(res.Header("Content-Type"), "text/x-padded") << sent.size() << " bytes";
  }
}

TEST_F(HttpServerTest, TokensAreCheckedPerScope) {
  HttpServerOptions options;
  options.ingest_token = "in-secret";
  options.api_token = "api-secret";
  StartServer(options);
  EXPECT_EQ(Send("GET", "/healthz").status, 200);  // public
  HttpResponse denied = Send("POST", "/v1/events", "x");
  EXPECT_EQ(denied.status, 401);
  EXPECT_EQ(denied.Header("WWW-Authenticate"), "Bearer");
  EXPECT_NE(denied.body.find("\"code\":\"unauthorized\""), std::string::npos);
  EXPECT_EQ(Send("POST", "/v1/events", "x", "api-secret").status, 401);  // wrong scope
  EXPECT_EQ(Send("POST", "/v1/events", "x", "in-secret").status, 200);
  EXPECT_EQ(Send("GET", "/api/v1/anomalies/1", "", "in-secret").status, 401);
  EXPECT_EQ(Send("GET", "/api/v1/anomalies/1", "", "api-secret").status, 200);
  EXPECT_EQ(Send("GET", "/api/v1/anomalies/1", "", "api-secre").status, 401);
}

TEST_F(HttpServerTest, HandlerExceptionsBecome500WithTheEnvelope) {
  StartServer({});
  HttpResponse res = Send("GET", "/boom");
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(res.body, "{\"error\":{\"code\":\"internal\",\"message\":\"kaput\"}}");
  EXPECT_EQ(Send("GET", "/healthz").status, 200);
}

TEST_F(HttpServerTest, CountsRequestsPerHandlerAndStatus) {
  StartServer({});
  Send("GET", "/healthz");
  Send("GET", "/healthz");
  Send("GET", "/nope");
  std::string out;
  metrics_.Render(&out);
  EXPECT_NE(out.find("inferscope_http_requests_total{handler=\"healthz\",code=\"200\"} 2"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("inferscope_http_requests_total{handler=\"unmatched\",code=\"404\"} 1"),
            std::string::npos);
  EXPECT_NE(out.find("inferscope_http_request_duration_seconds_count{handler=\"healthz\"} 2"),
            std::string::npos);
}

TEST_F(HttpServerTest, ServesHttpsWithTheGivenCertificate) {
  std::string dir = ::testing::TempDir();
  std::string cert = dir + "/inferscope_test_cert.pem";
  std::string key = dir + "/inferscope_test_key.pem";
  std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout " + key +
      " -out " + cert + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << "openssl is needed to make a test certificate";
  HttpServerOptions options;
  options.tls_cert_file = cert;
  options.tls_key_file = key;
  StartServer(options);
  HttpResponse res = Send("GET", "/healthz");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "{\"ok\":true}");
}

TEST(HttpServerStandaloneTest, BadTlsFilesAndTakenPortsAreClearErrors) {
  HttpServerOptions tls;
  tls.port = 0;
  tls.tls_cert_file = "/nonexistent/cert.pem";
  tls.tls_key_file = "/nonexistent/key.pem";
  HttpServer bad_tls(tls, nullptr);
  Status st = bad_tls.Start();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("/nonexistent/cert.pem"), std::string::npos);

  HttpServerOptions first;
  first.port = 0;
  HttpServer a(first, nullptr);
  ASSERT_TRUE(a.Start().ok());
  HttpServerOptions second;
  second.port = a.port();
  HttpServer b(second, nullptr);
  Status taken = b.Start();
  EXPECT_EQ(taken.code(), StatusCode::kUnavailable);
  EXPECT_NE(taken.message().find(std::to_string(a.port())), std::string::npos);
}

}  // namespace
}  // namespace inferscope
