#include "ingest/event_filter.h"

#include <gtest/gtest.h>

namespace inferscope {
namespace {

Event MakeEvent(std::string_view model, TimestampNs ts, double latency) {
  Event e;
  e.model = model;
  e.timestamp_ns = ts;
  e.Set(EventField::kLatencyMs, latency);
  return e;
}

TEST(FieldConditionTest, ParsesEveryOperator) {
  struct Case {
    const char* text;
    FieldCondition::Op op;
  } cases[] = {{"latency_ms<5", FieldCondition::Op::kLess},
               {"latency_ms<=5", FieldCondition::Op::kLessEqual},
               {"latency_ms>5", FieldCondition::Op::kGreater},
               {"latency_ms >= 5", FieldCondition::Op::kGreaterEqual},
               {"latency_ms==5", FieldCondition::Op::kEqual},
               {"latency_ms=5", FieldCondition::Op::kEqual},
               {"latency_ms!=5", FieldCondition::Op::kNotEqual}};
  for (const auto& c : cases) {
    Result<FieldCondition> r = FieldCondition::Parse(c.text);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.status().ToString();
    EXPECT_EQ(r->op, c.op) << c.text;
    EXPECT_EQ(r->field, EventField::kLatencyMs);
    EXPECT_EQ(r->value, 5);
  }
}

TEST(FieldConditionTest, RejectsUnknownFieldsBadNumbersAndMissingOperators) {
  for (const char* bad : {"latency>5", "latency_ms", ">5", "latency_ms>", "latency_ms>abc",
                          "latency_ms>5x", "latency_ms<>5", "latency_ms>nan"}) {
    Result<FieldCondition> r = FieldCondition::Parse(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    }
  }
  Result<FieldCondition> r = FieldCondition::Parse("latency>5");
  EXPECT_NE(r.status().message().find("output_tokens"), std::string::npos)
      << "lists the valid fields";
}

TEST(FieldConditionTest, AnEventLackingTheFieldDoesNotMatch) {
  FieldCondition c = *FieldCondition::Parse("gpu_util<50");
  Event e = MakeEvent("m", 0, 1);
  EXPECT_FALSE(c.Matches(e));
  e.Set(EventField::kGpuUtil, 10);
  EXPECT_TRUE(c.Matches(e));
}

TEST(EventFilterTest, TimeRangeIsHalfOpen) {
  EventFilter f;
  f.from_ns = 100;
  f.to_ns = 200;
  EXPECT_FALSE(f.Matches(MakeEvent("m", 99, 1)));
  EXPECT_TRUE(f.Matches(MakeEvent("m", 100, 1)));
  EXPECT_TRUE(f.Matches(MakeEvent("m", 199, 1)));
  EXPECT_FALSE(f.Matches(MakeEvent("m", 200, 1)));
}

TEST(EventFilterTest, AllConditionsMustHold) {
  EventFilter f;
  f.models = {"a", "b"};
  f.statuses = {EventStatus::kError};
  f.conditions = {*FieldCondition::Parse("latency_ms>10")};
  Event e = MakeEvent("a", 0, 20);
  EXPECT_FALSE(f.Matches(e));  // status ok
  e.status = EventStatus::kError;
  EXPECT_TRUE(f.Matches(e));
  e.model = "c";
  EXPECT_FALSE(f.Matches(e));
  e.model = "b";
  e.Set(EventField::kLatencyMs, 5);
  EXPECT_FALSE(f.Matches(e));
  EXPECT_TRUE(EventFilter{}.Matches(e));
  EXPECT_TRUE(EventFilter{}.Empty());
  EXPECT_FALSE(f.Empty());
}

TEST(EventFilterTest, ParsesStatusNames) {
  EXPECT_EQ(*ParseEventStatus("timeout"), EventStatus::kTimeout);
  EXPECT_FALSE(ParseEventStatus("failed").ok());
  EXPECT_EQ(EventFieldByName("queue_depth"), EventField::kQueueDepth);
  EXPECT_FALSE(EventFieldByName("nope").has_value());
}

}  // namespace
}  // namespace inferscope
