#include "alert/alert_sink.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "alert/webhook_sink.h"
#include "alert_test_support.h"
#include "ingest/httplib_client.h"

namespace inferscope {
namespace {

using testing::FreeLocalPort;
using testing::RecordingServer;

std::unique_ptr<WebhookSink> MakeSink(const std::string& url) {
  AlertSinkOptions options;
  options.name = "hook";
  options.url = url;
  options.timeout = std::chrono::milliseconds(2000);
  auto made = WebhookSink::Create(options);
  EXPECT_TRUE(made.ok()) << made.status().ToString();
  return made.ok() ? std::move(made).value() : nullptr;
}

TEST(AlertSinkTest, TwoHundredsAreDeliveredServerErrorsRetriedClientErrorsPermanent) {
  RecordingServer server;
  ASSERT_TRUE(server.started());
  auto sink = MakeSink(server.Url("/x"));
  ASSERT_TRUE(sink);
  HttplibClient client;
  const std::pair<int, DeliveryOutcome> cases[] = {
      {200, DeliveryOutcome::kDelivered},
      {202, DeliveryOutcome::kDelivered},
      {500, DeliveryOutcome::kRetry},
      {503, DeliveryOutcome::kRetry},
      {429, DeliveryOutcome::kRetry},
      {408, DeliveryOutcome::kRetry},
      {400, DeliveryOutcome::kPermanentFailure},
      {401, DeliveryOutcome::kPermanentFailure},
      {404, DeliveryOutcome::kPermanentFailure},
      {410, DeliveryOutcome::kPermanentFailure},
  };
  for (const auto& [status, outcome] : cases) {
    server.set_status(status);
    DeliveryResult result = sink->Deliver(client, "{}", "k");
    EXPECT_EQ(result.outcome, outcome) << status << ": " << result.detail;
    EXPECT_EQ(result.detail.rfind("HTTP " + std::to_string(status), 0), 0u) << result.detail;
  }
}

TEST(AlertSinkTest, RetryAfterSecondsAreReportedWithA429) {
  RecordingServer server;
  ASSERT_TRUE(server.started());
  auto sink = MakeSink(server.Url("/x"));
  ASSERT_TRUE(sink);
  HttplibClient client;
  server.set_status(429, "17");
  DeliveryResult result = sink->Deliver(client, "{}", "k");
  EXPECT_EQ(result.outcome, DeliveryOutcome::kRetry);
  EXPECT_EQ(result.retry_after_ns, 17 * kNanosPerSecond);
  server.set_status(503, "Wed, 21 Oct 2015 07:28:00 GMT");
  EXPECT_EQ(sink->Deliver(client, "{}", "k").retry_after_ns, 0);
}

TEST(AlertSinkTest, NothingListeningIsARetryableTransportError) {
  auto sink = MakeSink("http://127.0.0.1:" + std::to_string(FreeLocalPort()) + "/x");
  ASSERT_TRUE(sink);
  HttplibClient client;
  DeliveryResult result = sink->Deliver(client, "{}", "k");
  EXPECT_EQ(result.outcome, DeliveryOutcome::kRetry);
  EXPECT_NE(result.detail.find("unavailable"), std::string::npos) << result.detail;
}

TEST(AlertSinkTest, AReceiverSlowerThanTheTimeoutIsARetryNotAHang) {
  httplib::Server slow;
  slow.Post("/x", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    res.set_content("late", "text/plain");
  });
  const int port = slow.bind_to_any_port("127.0.0.1");
  std::thread thread([&] { slow.listen_after_bind(); });
  ASSERT_TRUE(testing::WaitForPort(port, std::chrono::seconds(5)));
  AlertSinkOptions options{"slow",
                           "http://127.0.0.1:" + std::to_string(port) + "/x",
                           {},
                           "",
                           std::chrono::milliseconds(300)};
  auto sink = WebhookSink::Create(options);
  ASSERT_TRUE(sink.ok());
  HttplibClient client;
  const auto start = std::chrono::steady_clock::now();
  DeliveryResult result = (*sink)->Deliver(client, "{}", "k");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(result.outcome, DeliveryOutcome::kRetry) << result.detail;
  EXPECT_LT(elapsed, std::chrono::milliseconds(1200));
  slow.stop();
  thread.join();
}

TEST(AlertSinkTest, ValidationNamesTheProblem) {
  AlertSinkOptions o{"ok-name.1", "http://h/x", {}, "", std::chrono::seconds(1)};
  EXPECT_TRUE(ValidateAlertSinkOptions(o).ok());
  o.name = "";
  EXPECT_EQ(ValidateAlertSinkOptions(o).code(), StatusCode::kInvalidArgument);
  o.name = "has space";
  EXPECT_NE(ValidateAlertSinkOptions(o).message().find("has space"), std::string::npos);
  o.name = "n";
  o.url = "hooks.example/x";
  EXPECT_NE(ValidateAlertSinkOptions(o).message().find("alert sink 'n': url"), std::string::npos);
  o.url = "http://h/x";
  o.timeout = std::chrono::milliseconds(0);
  EXPECT_FALSE(ValidateAlertSinkOptions(o).ok());
}

TEST(AlertSinkTest, AnExplicitAuthorizationHeaderWinsOverTheToken) {
  AlertSinkOptions o{
      "n", "http://h/x", {{"authorization", "Basic abc"}}, "tok", std::chrono::seconds(1)};
  auto sink = WebhookSink::Create(o);
  ASSERT_TRUE(sink.ok());
  HttpRequest r = (*sink)->BuildRequest("{}", "key");
  int auth = 0;
  for (const auto& [k, v] : r.headers) auth += HeaderNameEquals(k, "Authorization");
  EXPECT_EQ(auth, 1);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.timeout, std::chrono::milliseconds(1000));
}

}  // namespace
}  // namespace inferscope
