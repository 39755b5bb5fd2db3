#include "alert/alert_event.h"

#include <gtest/gtest.h>

namespace inferscope {
namespace {

TEST(AlertEventTest, TransitionNamesRoundTrip) {
  for (AlertTransition t : {AlertTransition::kFiring, AlertTransition::kResolved}) {
    EXPECT_EQ(AlertTransitionByName(AlertTransitionName(t)), t);
  }
  EXPECT_FALSE(AlertTransitionByName("pending").has_value());
}

TEST(AlertEventTest, DeliveryKeyNamesAnomalyEpisodeAndTransition) {
  EXPECT_EQ(AlertDeliveryKey("a-00ff", 3, AlertTransition::kResolved), "a-00ff/3/resolved");
}

}  // namespace
}  // namespace inferscope
