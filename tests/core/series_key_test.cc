#include "core/series_key.h"

#include <gtest/gtest.h>

#include <unordered_set>

namespace inferscope {
namespace {

TEST(SeriesKeyTest, SortsLabelsSoOrderDoesNotMatter) {
  SeriesKey a("latency_p95_ms", {{"model", "m"}, {"task", "chat"}});
  SeriesKey b("latency_p95_ms", {{"task", "chat"}, {"model", "m"}});
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.Hash(), b.Hash());
  EXPECT_EQ(a.labels()[0].first, "model");
  std::unordered_set<SeriesKey, SeriesKeyHash> set{a, b};
  EXPECT_EQ(set.size(), 1u);
}

TEST(SeriesKeyTest, DiffersByMetricOrLabelValue) {
  SeriesKey a("m1", {{"model", "x"}});
  EXPECT_NE(a, SeriesKey("m2", {{"model", "x"}}));
  EXPECT_NE(a, SeriesKey("m1", {{"model", "y"}}));
  EXPECT_TRUE(SeriesKey("a", {}) < SeriesKey("b", {}));
  EXPECT_TRUE(SeriesKey("a", {{"k", "1"}}) < SeriesKey("a", {{"k", "2"}}));
}

TEST(SeriesKeyTest, LooksUpLabels) {
  SeriesKey k("req", {{"model", "m"}});
  EXPECT_EQ(k.Label("model"), "m");
  EXPECT_EQ(k.Label("user"), "");
  EXPECT_EQ(k.metric(), "req");
}

TEST(SeriesKeyTest, RendersPrometheusTextWithEscaping) {
  EXPECT_EQ(SeriesKey("up", {}).ToString(), "up");
  EXPECT_EQ(SeriesKey("req", {{"b", "2"}, {"a", "1"}}).ToString(), R"(req{a="1",b="2"})");
  EXPECT_EQ(SeriesKey("req", {{"a", "x\"y\\z\nw"}}).ToString(), R"(req{a="x\"y\\z\nw"})");
}

TEST(SampleTest, ComparesByTimeAndValue) {
  EXPECT_EQ((Sample{1, 2.0}), (Sample{1, 2.0}));
  EXPECT_NE((Sample{1, 2.0}), (Sample{1, 3.0}));
}

}  // namespace
}  // namespace inferscope
