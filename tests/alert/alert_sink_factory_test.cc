#include "alert/alert_sink_factory.h"

#include <gtest/gtest.h>

namespace inferscope {
namespace {

AlertSinkSpec Spec(std::string type, std::string name, std::string url = "http://127.0.0.1:9/") {
  AlertSinkSpec spec;
  spec.type = std::move(type);
  spec.sink.name = std::move(name);
  spec.sink.url = std::move(url);
  return spec;
}

TEST(AlertSinkFactoryTest, BuildsEachTypeByName) {
  auto sinks =
      MakeAlertSinks({Spec("alertmanager", "am"), Spec("slack", "chat"), Spec("webhook", "hook")});
  ASSERT_TRUE(sinks.ok()) << sinks.status().ToString();
  ASSERT_EQ(sinks->size(), 3u);
  EXPECT_EQ((*sinks)[0]->type(), "alertmanager");
  EXPECT_EQ((*sinks)[0]->resend_interval_ns(), kNanosPerMinute);
  EXPECT_EQ((*sinks)[1]->type(), "slack");
  EXPECT_EQ((*sinks)[1]->resend_interval_ns(), 0);
  EXPECT_EQ((*sinks)[2]->type(), "webhook");
  EXPECT_EQ((*sinks)[2]->name(), "hook");
}

TEST(AlertSinkFactoryTest, UnknownTypesDuplicateNamesAndBadOptionsAreErrors) {
  auto unknown = MakeAlertSink(Spec("pagerduty", "pd"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(),
            "alert sink 'pd': type must be alertmanager, slack or webhook, got 'pagerduty'");
  auto twice = MakeAlertSinks({Spec("webhook", "x"), Spec("slack", "x")});
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().message(), "alerting.sinks: two sinks are named 'x'");
  auto bad = Spec("alertmanager", "am");
  bad.alertmanager.resend_interval_ns = 10 * kNanosPerMinute;
  EXPECT_EQ(MakeAlertSink(bad).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace inferscope
