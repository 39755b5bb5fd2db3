#include "insight/investigation_accumulator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace inferscope {
namespace {

constexpr TimestampNs kFrom = 1'767'225'600LL * kNanosPerSecond;
constexpr TimestampNs kTo = kFrom + 10 * kNanosPerMinute;

// Event i: half in the baseline (the 10 minutes before kFrom), half in the window, where
// "bob" and queue depth take over. Values are multiples of 1/4, so sums are exact in any
// order and the merged report can be compared for equality.
Event MakeEvent(int i, std::string* user_storage) {
  Event e;
  const bool in_window = i % 2 == 1;
  e.timestamp_ns = (in_window ? kFrom : kFrom - 10 * kNanosPerMinute) + i * kNanosPerSecond;
  e.model = "m1";
  *user_storage = in_window && i % 3 != 0 ? "bob" : "alice";
  e.user = *user_storage;
  e.task_type = i % 4 == 0 ? "chat" : "summarize";
  e.status = i % 11 == 0 ? EventStatus::kError : EventStatus::kOk;
  e.Set(EventField::kLatencyMs, 100 + (in_window ? 300 : 0) + i % 7);
  e.Set(EventField::kQueueDepth, in_window ? 12 : 2);
  e.Set(EventField::kCostUsd, 0.25 * (i % 5));
  return e;
}

TEST(InvestigationAccumulatorTest, MergeOfTwoPartsEqualsOnePass) {
  InvestigationAccumulator whole(kFrom, kTo, 0), first(kFrom, kTo, 0), second(kFrom, kTo, 0);
  std::string user;
  for (int i = 0; i < 400; ++i) {
    const Event e = MakeEvent(i, &user);
    whole.Add(e);
    (i < 170 ? first : second).Add(e);
  }
  first.Merge(second);
  const Investigation want = whole.Finish("*");
  const Investigation got = first.Finish("*");
  ASSERT_EQ(got.metrics.size(), want.metrics.size());
  for (size_t i = 0; i < want.metrics.size(); ++i) {
    EXPECT_EQ(got.metrics[i].name, want.metrics[i].name);
    for (auto [g, w] : {std::pair{got.metrics[i].baseline, want.metrics[i].baseline},
                        std::pair{got.metrics[i].window, want.metrics[i].window}}) {
      if (std::isnan(w)) {
        EXPECT_TRUE(std::isnan(g)) << want.metrics[i].name;
      } else {
        EXPECT_DOUBLE_EQ(g, w) << want.metrics[i].name;
      }
    }
  }
  EXPECT_EQ(got.findings, want.findings);
  // The user shift is in the findings, so the dimension tallies were merged.
  bool names_bob = false;
  for (const std::string& f : got.findings) names_bob |= f.find("bob") != std::string::npos;
  EXPECT_TRUE(names_bob);
}

TEST(InvestigationAccumulatorTest, MergeIgnoresAnAccumulatorOverOtherWindows) {
  InvestigationAccumulator a(kFrom, kTo, 0), b(kFrom + 1, kTo, 0);
  std::string user;
  b.Add(MakeEvent(1, &user));
  a.Merge(b);
  EXPECT_EQ(a.Finish("*").findings.front(), "No requests in the investigated window.");
}

}  // namespace
}  // namespace inferscope
