#include "alert/slack_sink.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "alert_test_support.h"
#include "ingest/httplib_client.h"

namespace inferscope {
namespace {

using testing::MakeAnomaly;
using testing::RecordingServer;
using testing::Resolved;

constexpr TimestampNs kStart = 1'790'000'000LL * kNanosPerSecond;

std::unique_ptr<SlackSink> MakeSink(const std::string& url) {
  AlertSinkOptions sink;
  sink.name = "slack";
  sink.url = url;
  auto made = SlackSink::Create(sink);
  EXPECT_TRUE(made.ok()) << made.status().ToString();
  return made.ok() ? std::move(made).value() : nullptr;
}

// All text of all blocks, joined, to check what a reader sees.
std::string BlockText(simdjson::dom::array blocks) {
  std::string all;
  for (simdjson::dom::element block : blocks) {
    simdjson::dom::element text;
    if (block["text"]["text"].get(text) == simdjson::SUCCESS) {
      all += std::string(std::string_view(text.get_string())) + "\n";
    }
    simdjson::dom::array list;
    if (block["fields"].get(list) == simdjson::SUCCESS ||
        block["elements"].get(list) == simdjson::SUCCESS) {
      for (simdjson::dom::element f : list) {
        all += std::string(std::string_view(f["text"].get_string())) + "\n";
      }
    }
  }
  return all;
}

TEST(SlackSinkTest, FiringMessageReadsAsTitleSummaryCauseAndRecommendation) {
  auto sink = MakeSink("https://hooks.slack.com/services/T0/B0/x");
  ASSERT_TRUE(sink);
  Anomaly a = MakeAnomaly(kStart);
  simdjson::dom::parser parser;
  simdjson::dom::element doc =
      parser.parse(sink->Render(AlertEvent{AlertTransition::kFiring, 1, a, {}, a.severity}));
  EXPECT_EQ(std::string_view(doc["text"].get_string()),
            "[FIRING] Latency spike on llama-3-70b (high): " + a.summary);
  simdjson::dom::array blocks = doc["blocks"].get_array();
  EXPECT_EQ(std::string_view(blocks.at(0)["type"].get_string()), "header");
  EXPECT_EQ(std::string_view(blocks.at(0)["text"]["text"].get_string()),
            "[FIRING] Latency spike on llama-3-70b (high)");
  std::string text = BlockText(blocks);
  EXPECT_NE(text.find(a.summary), std::string::npos) << text;
  EXPECT_NE(text.find("*Likely cause*\n" + a.cause), std::string::npos) << text;
  EXPECT_NE(text.find("*Recommendation*\n" + a.recommendation), std::string::npos) << text;
  EXPECT_NE(text.find("*Observed*\n2,140.0 ms (expected 1,080.0 ms)"), std::string::npos) << text;
  EXPECT_NE(text.find("*Requests affected*\n5,321"), std::string::npos) << text;
  EXPECT_NE(text.find(a.id), std::string::npos) << text;
  EXPECT_EQ(text.find("incident"), std::string::npos) << "not grouped: no incident shown";
  a.incident = "i-00000000000000ff";
  doc = parser.parse(sink->Render(AlertEvent{AlertTransition::kFiring, 1, a, {}, a.severity}));
  text = BlockText(doc["blocks"].get_array());
  EXPECT_NE(text.find(a.id + " (incident i-00000000000000ff)"), std::string::npos) << text;
}

TEST(SlackSinkTest, ResolvedMessageSaysResolvedAndHowLongItLasted) {
  auto sink = MakeSink("https://hooks.slack.com/services/T0/B0/x");
  ASSERT_TRUE(sink);
  Anomaly a = Resolved(MakeAnomaly(kStart), kStart + 12 * kNanosPerMinute);
  simdjson::dom::parser parser;
  simdjson::dom::element doc =
      parser.parse(sink->Render(AlertEvent{AlertTransition::kResolved, 1, a, {}, Severity::kHigh}));
  EXPECT_EQ(std::string_view(doc["text"].get_string()).rfind("[RESOLVED] Latency spike", 0), 0u);
  std::string text = BlockText(doc["blocks"].get_array());
  EXPECT_NE(text.find("*Duration*\n12 min"), std::string::npos) << text;
}

TEST(SlackSinkTest, EscapesMarkupAndCutsLongTextToSlackLimits) {
  auto sink = MakeSink("https://hooks.slack.com/services/T0/B0/x");
  ASSERT_TRUE(sink);
  Anomaly a = MakeAnomaly(kStart, "<gpt & co>");
  a.cause = std::string(5000, 'c');
  simdjson::dom::parser parser;
  simdjson::dom::element doc =
      parser.parse(sink->Render(AlertEvent{AlertTransition::kFiring, 1, a, {}, a.severity}));
  EXPECT_NE(std::string_view(doc["text"].get_string()).find("&lt;gpt &amp; co&gt;"),
            std::string_view::npos);
  for (simdjson::dom::element block : doc["blocks"].get_array()) {
    simdjson::dom::element text;
    if (block["text"]["text"].get(text) != simdjson::SUCCESS) continue;
    const size_t limit = std::string_view(block["type"].get_string()) == "header" ? 150 : 3000;
    EXPECT_LE(std::string_view(text.get_string()).size(), limit);
  }
  EXPECT_EQ(EscapeSlackText("a<b>&c"), "a&lt;b&gt;&amp;c");
}

// Slack's incoming webhook is an HTTP endpoint; the test's server stands in for it.
TEST(SlackSinkTest, PostsTheMessageAsJsonToTheWebhook) {
  RecordingServer slack;
  ASSERT_TRUE(slack.started());
  auto sink = MakeSink(slack.Url("/services/T0/B0/x"));
  ASSERT_TRUE(sink);
  HttplibClient client;
  Anomaly a = MakeAnomaly(kStart);
  std::string body = sink->Render(AlertEvent{AlertTransition::kFiring, 1, a, {}, a.severity});
  DeliveryResult result = sink->Deliver(client, body, "a-1/1/firing");
  EXPECT_EQ(result.outcome, DeliveryOutcome::kDelivered) << result.detail;
  auto received = slack.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].path, "/services/T0/B0/x");
  EXPECT_EQ(received[0].content_type, "application/json");
  EXPECT_EQ(received[0].body, body);
}

}  // namespace
}  // namespace inferscope
