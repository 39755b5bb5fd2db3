#include "alert/webhook_sink.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "alert_test_support.h"
#include "core/json_writer.h"
#include "ingest/httplib_client.h"
#include "insight/anomaly_json.h"

namespace inferscope {
namespace {

using testing::MakeAnomaly;
using testing::RecordingServer;
using testing::Resolved;

constexpr TimestampNs kStart = 1'790'000'000LL * kNanosPerSecond;

std::unique_ptr<WebhookSink> MakeSink(const std::string& url, std::string token = "") {
  AlertSinkOptions sink;
  sink.name = "hook";
  sink.url = url;
  sink.bearer_token = std::move(token);
  sink.headers = {{"X-Tenant", "team-a"}};
  auto made = WebhookSink::Create(sink);
  EXPECT_TRUE(made.ok()) << made.status().ToString();
  return made.ok() ? std::move(made).value() : nullptr;
}

TEST(WebhookSinkTest, BodyIsTheSharedAnomalyObjectPlusStatus) {
  auto sink = MakeSink("http://hooks.example/alert");
  ASSERT_TRUE(sink);
  Anomaly a = Resolved(MakeAnomaly(kStart), kStart + 9 * kNanosPerMinute);
  AlertLabels labels = {{"instance", "gpu-3"}};
  std::string body =
      sink->Render(AlertEvent{AlertTransition::kResolved, 2, a, labels, Severity::kHigh});

  std::string shared;
  JsonWriter w(&shared);
  WriteAnomalyJson(w, a, labels);
  simdjson::dom::parser p1, p2;
  simdjson::dom::object ours = p1.parse(body).get_object();
  simdjson::dom::object reference = p2.parse(shared).get_object();
  EXPECT_EQ(ours.size(), reference.size() + 1);
  for (auto field : reference) {
    simdjson::dom::element mine;
    ASSERT_EQ(ours[field.key].get(mine), simdjson::SUCCESS) << field.key;
    EXPECT_EQ(simdjson::to_string(mine), simdjson::to_string(field.value)) << field.key;
  }
  EXPECT_EQ(std::string_view(ours["status"].get_string()), "resolved");
  EXPECT_EQ(std::string_view(ours["labels"]["instance"].get_string()), "gpu-3");
}

TEST(WebhookSinkTest, PostsWithTokenHeadersAndIdempotencyKey) {
  RecordingServer hook;
  ASSERT_TRUE(hook.started());
  auto sink = MakeSink(hook.Url("/alert"), "s3cret");
  ASSERT_TRUE(sink);
  HttplibClient client;
  Anomaly a = MakeAnomaly(kStart);
  std::string body = sink->Render(AlertEvent{AlertTransition::kFiring, 1, a, {}, a.severity});
  HttpRequest request = sink->BuildRequest(body, "a-1/1/firing");
  bool has_tenant = false;
  for (const auto& [k, v] : request.headers) has_tenant |= (k == "X-Tenant" && v == "team-a");
  EXPECT_TRUE(has_tenant);
  DeliveryResult result = sink->Deliver(client, body, "a-1/1/firing");
  ASSERT_EQ(result.outcome, DeliveryOutcome::kDelivered) << result.detail;
  auto received = hook.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].authorization, "Bearer s3cret");
  EXPECT_EQ(received[0].idempotency_key, "a-1/1/firing");
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(received[0].body);
  EXPECT_EQ(std::string_view(doc["status"].get_string()), "firing");
  EXPECT_EQ(std::string_view(doc["id"].get_string()), a.id);
  EXPECT_TRUE(doc["end"].is_null());
}

}  // namespace
}  // namespace inferscope
