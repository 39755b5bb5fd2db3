#include "ingest/httplib_client.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "support/child_process.h"

namespace inferscope {
namespace {

// A real HTTP server on 127.0.0.1 for the client to talk to.
class HttplibClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/hello", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("hi", "text/plain");
    });
    server_.Get("/missing", [](const httplib::Request&, httplib::Response& res) {
      res.status = 404;
      res.set_content("{\"status\":\"error\"}", "application/json");
    });
    server_.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_header("X-Seen-Type", req.get_header_value("Content-Type"));
      res.set_header("X-Seen-Auth", req.get_header_value("Authorization"));
      res.set_content(req.body, "application/octet-stream");
    });
    server_.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      res.set_content("late", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    ASSERT_TRUE(inferscope::testing::WaitForPort(port_, std::chrono::seconds(5)));
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

TEST_F(HttplibClientTest, ReturnsStatusAndBody) {
  HttplibClient client;
  HttpRequest request;
  request.url = Url("/hello");
  auto response = client.Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hi");
  EXPECT_EQ(response->Header("content-type"), "text/plain");
}

TEST_F(HttplibClientTest, PassesErrorStatusesThroughAsResponses) {
  HttplibClient client;
  HttpRequest request;
  request.url = Url("/missing");
  auto response = client.Send(request);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->body, "{\"status\":\"error\"}");
}

TEST_F(HttplibClientTest, PostsBodyWithContentTypeAndBearerToken) {
  HttpClientOptions options;
  options.bearer_token = "s3cret";
  HttplibClient client(options);
  HttpRequest request;
  request.method = "POST";
  request.url = Url("/echo");
  request.body = std::string("\x00\x01payload", 9);
  request.content_type = "application/x-protobuf";
  auto response = client.Send(request);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->body, request.body);
  EXPECT_EQ(response->Header("X-Seen-Type"), "application/x-protobuf");
  EXPECT_EQ(response->Header("X-Seen-Auth"), "Bearer s3cret");
}

TEST_F(HttplibClientTest, RequestAuthorizationHeaderWinsOverClientDefault) {
  HttpClientOptions options;
  options.bearer_token = "default";
  HttplibClient client(options);
  HttpRequest request;
  request.method = "POST";
  request.url = Url("/echo");
  request.headers = {{"authorization", "Basic dTpw"}};
  auto response = client.Send(request);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->Header("X-Seen-Auth"), "Basic dTpw");
}

TEST_F(HttplibClientTest, TimesOutAsUnavailable) {
  HttplibClient client;
  HttpRequest request;
  request.url = Url("/slow");
  request.timeout = std::chrono::milliseconds(200);
  auto response = client.Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
}

TEST(HttplibClientStandaloneTest, RefusedConnectionIsUnavailable) {
  int port = inferscope::testing::FreeLocalPort();
  HttplibClient client;
  HttpRequest request;
  request.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  request.timeout = std::chrono::milliseconds(500);
  auto response = client.Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(response.status().message().find("127.0.0.1"), std::string::npos);
}

TEST(HttplibClientStandaloneTest, MalformedUrlIsInvalidArgument) {
  HttplibClient client;
  HttpRequest request;
  request.url = "localhost:9090/api";
  auto response = client.Send(request);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace inferscope
