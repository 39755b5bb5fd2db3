#include "alert/alerting_config.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace inferscope {
namespace {

TEST(AlertingConfigTest, ReadsEverySinkTypeAndTheOutboxSettings) {
  ::setenv("INFERSCOPE_TEST_AM_TOKEN", "t0ken", 1);
  auto config = ParseAlertingConfig(
      "outbox: /tmp/x/outbox.db\n"
      "announce_window: 30m\n"
      "max_attempts: 7\n"
      "backoff: {initial: 2s, max: 1m}\n"
      "sinks:\n"
      "  - name: am\n"
      "    type: alertmanager\n"
      "    url: http://127.0.0.1:9093\n"
      "    timeout: 3s\n"
      "    resend_interval: 2m\n"
      "    labels: {env: prod}\n"
      "    token: ${INFERSCOPE_TEST_AM_TOKEN}\n"
      "  - name: chat\n"
      "    type: slack\n"
      "    url: https://hooks.slack.example/services/T/B/X\n"
      "    channel: '#oncall'\n"
      "  - type: webhook\n"
      "    url: http://127.0.0.1:9999/hook\n"
      "    headers: {X-Tenant: ml}\n",
      "serve.yaml", "/default/outbox.db");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->outbox_path, "/tmp/x/outbox.db");
  EXPECT_EQ(config->dispatcher.announce_window_ns, 30 * kNanosPerMinute);
  EXPECT_EQ(config->outbox.max_attempts, 7);
  EXPECT_EQ(config->outbox.backoff.initial_ns, 2 * kNanosPerSecond);
  EXPECT_EQ(config->outbox.backoff.max_ns, kNanosPerMinute);
  ASSERT_EQ(config->sinks.size(), 3u);
  EXPECT_EQ(config->sinks[0].type, "alertmanager");
  EXPECT_EQ(config->sinks[0].sink.timeout, std::chrono::milliseconds(3000));
  EXPECT_EQ(config->sinks[0].sink.bearer_token, "t0ken");
  EXPECT_EQ(config->sinks[0].alertmanager.resend_interval_ns, 2 * kNanosPerMinute);
  ASSERT_EQ(config->sinks[0].alertmanager.extra_labels.size(), 1u);
  EXPECT_EQ(config->sinks[1].slack.channel, "#oncall");
  EXPECT_EQ(config->sinks[2].sink.name, "webhook");  // defaults to the type
  ASSERT_EQ(config->sinks[2].sink.headers.size(), 1u);
  EXPECT_EQ(config->sinks[2].sink.headers[0].second, "ml");
}

TEST(AlertingConfigTest, ErrorsNameTheKeyPath) {
  auto unknown = ParseAlertingConfig(
      "sinks:\n  - type: webhook\n    url: http://x/\n    retries: 3\n", "s.yaml", "o.db");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("s.yaml:alerting.sinks[0].retries: unknown key"),
            std::string::npos)
      << unknown.status().message();

  auto env = ParseAlertingConfig(
      "sinks:\n  - type: webhook\n    url: http://x/\n    token: ${INFERSCOPE_TEST_UNSET_VAR}\n",
      "s.yaml", "o.db");
  ASSERT_FALSE(env.ok());
  EXPECT_NE(env.status().message().find("INFERSCOPE_TEST_UNSET_VAR is not set"), std::string::npos);

  auto bad_type =
      ParseAlertingConfig("sinks:\n  - type: pager\n    url: http://x/\n", "s.yaml", "o.db");
  EXPECT_FALSE(bad_type.ok());

  auto duration = ParseAlertingConfig("max_age: soon\n", "s.yaml", "o.db");
  ASSERT_FALSE(duration.ok());
  EXPECT_NE(duration.status().message().find("alerting.max_age"), std::string::npos);
}

TEST(AlertingConfigTest, EmptySectionMeansNoSinks) {
  auto config = ParseAlertingConfig("", "s.yaml", "/d/outbox.db");
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config->sinks.empty());
  EXPECT_EQ(config->outbox_path, "/d/outbox.db");
}

}  // namespace
}  // namespace inferscope
