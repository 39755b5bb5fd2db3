#include "detect/anomaly_kind.h"

#include <gtest/gtest.h>

namespace inferscope {
namespace {

TEST(AnomalyKindTest, NamesRoundTrip) {
  for (int k = 0; k <= static_cast<int>(AnomalyKind::kQualityDrop); ++k) {
    auto kind = static_cast<AnomalyKind>(k);
    std::string_view name = AnomalyKindName(kind);
    EXPECT_NE(name, "unknown");
    EXPECT_EQ(AnomalyKindByName(name), kind) << name;
  }
  EXPECT_FALSE(AnomalyKindByName("nope").has_value());
  EXPECT_EQ(SeverityName(Severity::kCritical), "critical");
}

}  // namespace
}  // namespace inferscope
