#include "demo/incident.h"

#include <gtest/gtest.h>

namespace inferscope {
namespace {

TEST(IncidentTest, NamesAreSnakeCase) {
  EXPECT_EQ(IncidentKindName(IncidentKind::kLatencySpike), "latency_spike");
}

}  // namespace
}  // namespace inferscope
