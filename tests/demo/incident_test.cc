#include "demo/incident.h"

#include <gtest/gtest.h>

namespace inferscope {
namespace {

TEST(IncidentTest, NamesAreStableSnakeCase) {
  EXPECT_EQ(IncidentKindName(IncidentKind::kLatencySpike), "latency_spike");
  EXPECT_EQ(IncidentKindName(IncidentKind::kErrorBurst), "error_burst");
  EXPECT_EQ(IncidentKindName(IncidentKind::kGpuUnderutil), "gpu_underutil");
  EXPECT_EQ(IncidentKindName(IncidentKind::kPoorBatching), "poor_batching");
  EXPECT_EQ(IncidentKindName(IncidentKind::kCostSpike), "cost_spike");
  EXPECT_EQ(IncidentKindName(IncidentKind::kCacheDegradation), "cache_degradation");
  EXPECT_EQ(IncidentKindName(IncidentKind::kLatencyDrift), "latency_drift");
  EXPECT_EQ(IncidentKindName(IncidentKind::kTrafficDrop), "traffic_drop");
}

TEST(IncidentTest, AllListsEveryKindOnce) { EXPECT_EQ(AllIncidentKinds().size(), 8u); }

TEST(IncidentTest, ParsesAllAndNone) {
  auto all = ParseIncidentKinds("all");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 8u);
  auto none = ParseIncidentKinds("none");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto empty = ParseIncidentKinds("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(IncidentTest, ParsesCommaListInOrderIgnoringSpacesAndRepeats) {
  auto kinds = ParseIncidentKinds("error_burst, latency_spike ,error_burst");
  ASSERT_TRUE(kinds.ok()) << kinds.status().ToString();
  ASSERT_EQ(kinds->size(), 2u);
  EXPECT_EQ((*kinds)[0], IncidentKind::kErrorBurst);
  EXPECT_EQ((*kinds)[1], IncidentKind::kLatencySpike);
}

TEST(IncidentTest, RejectsUnknownNameListingValidOnes) {
  auto kinds = ParseIncidentKinds("latency_spike,gpu_meltdown");
  ASSERT_FALSE(kinds.ok());
  EXPECT_EQ(kinds.status().code(), StatusCode::kInvalidArgument);
  const std::string msg = kinds.status().message();
  EXPECT_NE(msg.find("gpu_meltdown"), std::string::npos);
  EXPECT_NE(msg.find("traffic_drop"), std::string::npos);
  EXPECT_NE(msg.find("all"), std::string::npos);
}

TEST(IncidentTest, RejectsEmptyItemInList) {
  EXPECT_FALSE(ParseIncidentKinds("latency_spike,,error_burst").ok());
  EXPECT_FALSE(ParseIncidentKinds("all,latency_spike").ok());
}

}  // namespace
}  // namespace inferscope
