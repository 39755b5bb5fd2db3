#include "cli/watch_config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "alert/alerting_config.h"
#include "cli_runner.h"

namespace inferscope {
namespace {

const std::vector<std::string> kPresetDirs = {std::string(INFERSCOPE_SOURCE_DIR) + "/presets"};

TEST(WatchConfigTest, PlaceholderWithoutAliasesIsReplacedByTheName) {
  auto e = ExpandMetricAliases("sum(rate({{a_total}}[5m]))", {});
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ(*e, "sum(rate(a_total[5m]))");
}

TEST(WatchConfigTest, AliasedMetricIsQueriedUnderEveryNameJoinedWithOr) {
  auto e = ExpandMetricAliases("max by (model_name) ({{vllm:kv_cache_usage_perc}})",
                               {{"vllm:kv_cache_usage_perc", {"vllm:gpu_cache_usage_perc"}}});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*e,
            "(max by (model_name) (vllm:kv_cache_usage_perc)) or "
            "(max by (model_name) (vllm:gpu_cache_usage_perc))");
}

TEST(WatchConfigTest, EveryPlaceholderOfOneCopyUsesTheSameGeneration) {
  auto e = ExpandMetricAliases("{{a}} / {{b}} + {{c}}", {{"a", {"a0"}}, {"b", {"b0", "b1"}}});
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(*e, "(a / b + c) or (a0 / b0 + c) or (a0 / b1 + c)");
}

TEST(WatchConfigTest, UnterminatedPlaceholderIsRejected) {
  auto e = ExpandMetricAliases("rate({{x[5m])", {});
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("unterminated"), std::string::npos);
}

TEST(WatchConfigTest, FullConfigIsRead) {
  auto c = ParseWatchConfig(R"(
prometheus:
  url: http://prom:9090
  ca_file: /etc/ca.pem
  timeout: 10s
poll_interval: 30s
lookback: 2h
step: 30s
delay: 0s
for: 0
checkpoint: /var/lib/inferscope/watch.ckpt
remote_write: {url: http://prom:9090/api/v1/write, max_age: 3h}
queries:
  - name: p95
    expr: histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m])))
    detectors: ["robust_z window=30 threshold=5"]
    direction: above
    min_deviation: 0.1
    min_rel_deviation: 0.2
    kind: latency_spike
    labels: {team: ml, env: prod}
alerting:
  sinks:
    - name: hook
      type: webhook
      url: http://127.0.0.1:9/x
)",
                            "w.yaml", kPresetDirs);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->prometheus_url, "http://prom:9090");
  EXPECT_EQ(c->access.ca_file, "/etc/ca.pem");
  EXPECT_EQ(c->timeout_ns, 10 * kNanosPerSecond);
  EXPECT_EQ(c->poll_interval_ns, 30 * kNanosPerSecond);
  EXPECT_EQ(c->lookback_ns, 2 * kNanosPerHour);
  EXPECT_EQ(c->step_ns, 30 * kNanosPerSecond);
  EXPECT_EQ(c->delay_ns, 0);
  EXPECT_EQ(c->pending_for_ns, 0);
  EXPECT_EQ(c->remote_write_url, "http://prom:9090/api/v1/write");
  EXPECT_EQ(c->remote_write_max_age_ns, 3 * kNanosPerHour);
  ASSERT_EQ(c->queries.size(), 1u);
  const WatchQuery& q = c->queries[0];
  EXPECT_EQ(q.name, "p95");
  EXPECT_EQ(q.detect.name, "p95");
  EXPECT_EQ(q.detect.detectors, std::vector<std::string>{"robust_z window=30 threshold=5"});
  EXPECT_EQ(q.detect.direction, "above");
  EXPECT_DOUBLE_EQ(q.detect.min_deviation, 0.1);
  EXPECT_DOUBLE_EQ(q.detect.min_rel_deviation, 0.2);
  EXPECT_EQ(q.detect.kind, "latency_spike");
  EXPECT_EQ(q.labels.size(), 2u);
  // The alerting section reaches the alert subsystem's own parser intact.
  auto alerting = ParseAlertingConfig(c->alerting_yaml, "w.yaml", "/tmp/outbox.db");
  ASSERT_TRUE(alerting.ok()) << alerting.status().message() << "\n" << c->alerting_yaml;
  ASSERT_EQ(alerting->sinks.size(), 1u);
  EXPECT_EQ(alerting->sinks[0].type, "webhook");
}

TEST(WatchConfigTest, PresetReferenceExpandsAliasesAndKeepsOverrides) {
  auto c = ParseWatchConfig(R"(
prometheus: {url: http://p:9090}
queries:
  - preset: vllm/inter_token_latency_p95
    min_rel_deviation: 0.5
    labels: {team: serving}
)",
                            "w.yaml", kPresetDirs);
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->queries.size(), 1u);
  const WatchQuery& q = c->queries[0];
  EXPECT_EQ(q.name, "inter_token_latency_p95");
  EXPECT_EQ(q.expr,
            "(histogram_quantile(0.95, sum by (le, model_name) "
            "(rate(vllm:inter_token_latency_seconds_bucket[5m])))) or "
            "(histogram_quantile(0.95, sum by (le, model_name) "
            "(rate(vllm:time_per_output_token_seconds_bucket[5m]))))");
  EXPECT_EQ(q.detect.direction, "above");             // from the preset
  EXPECT_DOUBLE_EQ(q.detect.min_rel_deviation, 0.5);  // overridden
  ASSERT_EQ(q.labels.size(), 1u);
}

TEST(WatchConfigTest, PresetsKeyAddsEveryQueryOfThePresetWithPrefixedNames) {
  auto c = ParseWatchConfig("prometheus: {url: http://p:9090}\npresets: [dcgm, vllm]\n", "w.yaml",
                            kPresetDirs);
  ASSERT_TRUE(c.ok()) << c.status().message();
  std::vector<std::string> names;
  for (const WatchQuery& q : c->queries) names.push_back(q.name);
  EXPECT_NE(std::find(names.begin(), names.end(), "dcgm_gpu_utilization"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "vllm_ttft_p95"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "vllm_kv_cache_usage"), names.end());
}

TEST(WatchConfigTest, MistakesNameTheFileLineAndKey) {
  auto unknown = ParseWatchConfig(
      "prometheus: {url: http://p}\nqueries:\n  - name: a\n    expr: x\n"
      "    treshold: 3\n",
      "w.yaml", kPresetDirs);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), "w.yaml:5: queries[0].treshold: unknown key");
  auto dup = ParseWatchConfig(
      "prometheus: {url: http://p}\nqueries:\n  - {name: a, expr: x}\n  - {name: a, expr: y}\n",
      "w.yaml", kPresetDirs);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("two queries are named 'a'"), std::string::npos);
  auto no_url = ParseWatchConfig("queries:\n  - {name: a, expr: x}\n", "w.yaml", kPresetDirs);
  ASSERT_FALSE(no_url.ok());
  EXPECT_NE(no_url.status().message().find("prometheus.url"), std::string::npos);
  auto missing =
      ParseWatchConfig("prometheus: {url: http://p}\nqueries:\n  - {preset: vllm/no_such_query}\n",
                       "w.yaml", kPresetDirs);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no such query"), std::string::npos);
}

// Every preset query, expanded, must be valid PromQL: promtool parses it as a recording rule.
TEST(WatchConfigTest, EveryPresetQueryIsValidPromQL) {
  testing::TempDir tmp;
  std::string rules = "groups:\n  - name: presets\n    rules:\n";
  int n = 0;
  for (const char* preset : {"vllm", "triton", "tgi", "dcgm"}) {
    auto p = LoadWatchPreset(kPresetDirs[0] + "/" + preset + ".yaml");
    ASSERT_TRUE(p.ok()) << p.status().message();
    EXPECT_EQ(p->name, preset);
    EXPECT_GE(p->queries.size(), 4u) << preset;
    for (const WatchQuery& q : p->queries) {
      auto expr = ExpandMetricAliases(q.expr, p->aliases);
      ASSERT_TRUE(expr.ok());
      EXPECT_EQ(expr->find("{{"), std::string::npos) << *expr;
      rules +=
          "      - record: preset_" + std::to_string(n++) + "\n        expr: '" + *expr + "'\n";
    }
  }
  const std::string file = tmp / "rules.yml";
  testing::WriteFile(file, rules);
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/promtool")) << "run scripts/install-deps.sh";
  const std::string cmd =
      "/usr/bin/promtool check rules '" + file + "' > '" + (tmp / "out") + "' 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << testing::ReadFile(tmp / "out") << rules;
}

}  // namespace
}  // namespace inferscope
