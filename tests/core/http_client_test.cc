#include "core/http_client.h"

#include <gtest/gtest.h>

namespace inferscope {
namespace {

TEST(ParseHttpUrlTest, SplitsSchemeHostPortAndPath) {
  auto url = ParseHttpUrl("http://127.0.0.1:9090/api/v1/query_range?query=up");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(url->scheme, "http");
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 9090);
  EXPECT_EQ(url->path, "/api/v1/query_range?query=up");
}

TEST(ParseHttpUrlTest, DefaultsPortAndPathFromScheme) {
  auto url = ParseHttpUrl("https://prometheus.example");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->path, "/");
  auto plain = ParseHttpUrl("HTTP://host?x=1");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(plain->path, "/?x=1");
}

TEST(ParseHttpUrlTest, AcceptsBracketedIpv6Hosts) {
  auto url = ParseHttpUrl("http://[::1]:8080/metrics");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 8080);
}

TEST(ParseHttpUrlTest, RejectsWhatItCannotConnectTo) {
  for (const char* bad :
       {"127.0.0.1:9090", "ftp://host/", "http://", "http://host:0/", "http://host:99999/",
        "http://host:12ab/", "http://u:p@host/", "http://[::1/"}) {
    auto url = ParseHttpUrl(bad);
    EXPECT_FALSE(url.ok()) << bad;
    EXPECT_EQ(url.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(HttpResponseTest, FindsHeadersCaseInsensitively) {
  HttpResponse response;
  response.headers = {{"Content-Type", "application/json"}, {"retry-after", "5"}};
  EXPECT_EQ(response.Header("content-type"), "application/json");
  EXPECT_EQ(response.Header("Retry-After"), "5");
  EXPECT_EQ(response.Header("X-Missing"), "");
}

}  // namespace
}  // namespace inferscope
