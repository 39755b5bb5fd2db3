#include "alert/alert_outbox.h"

#include <gtest/gtest.h>

#include <fstream>

#include "alert_test_support.h"

namespace inferscope {
namespace {

using testing::TempDir;

OutboxEntry Entry(const std::string& sink, const std::string& id, int episode = 1,
                  AlertTransition t = AlertTransition::kFiring, std::string body = "{}") {
  OutboxEntry e;
  e.sink = sink;
  e.anomaly_id = id;
  e.episode = episode;
  e.transition = t;
  e.alert_severity = Severity::kHigh;
  e.body = std::move(body);
  return e;
}

AlertOutbox::Options SmallOptions() {
  AlertOutbox::Options o;
  o.backoff = BackoffPolicy{kNanosPerSecond, 8 * kNanosPerSecond};
  o.max_attempts = 5;
  o.max_age_ns = kNanosPerHour;
  o.keep_done_ns = kNanosPerDay;
  return o;
}

std::unique_ptr<AlertOutbox> OpenOrDie(const std::string& path,
                                       AlertOutbox::Options options = SmallOptions()) {
  auto outbox = AlertOutbox::Open(path, options, [] { return 0.5; });
  EXPECT_TRUE(outbox.ok()) << outbox.status().ToString();
  return outbox.ok() ? std::move(outbox).value() : nullptr;
}

TEST(AlertOutboxTest, EnqueueingTheSameTransitionTwiceStoresOneRow) {
  TempDir dir;
  auto outbox = OpenOrDie(dir.File("outbox.db"));
  ASSERT_TRUE(outbox);
  auto first = outbox->Enqueue({Entry("am", "a-1", 1, AlertTransition::kFiring, "first")}, 100);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, 1u);
  auto again = outbox->Enqueue({Entry("am", "a-1", 1, AlertTransition::kFiring, "second")}, 200);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);
  auto items = outbox->Items(true);
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ((*items)[0].body, "first");  // the first rendering is what gets sent
  EXPECT_EQ((*items)[0].created_ns, 100);
}

TEST(AlertOutboxTest, OtherSinksEpisodesAndTransitionsAreSeparateRows) {
  TempDir dir;
  auto outbox = OpenOrDie(dir.File("outbox.db"));
  ASSERT_TRUE(outbox);
  auto added = outbox->Enqueue(
      {Entry("am", "a-1"), Entry("slack", "a-1"), Entry("am", "a-1", 1, AlertTransition::kResolved),
       Entry("am", "a-1", 2), Entry("am", "a-1")},
      0);
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(*added, 4u);
  auto pending = outbox->Pending("am", 10);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 3u);
  EXPECT_EQ((*pending)[0].DeliveryKey(), "a-1/1/firing");
  EXPECT_EQ((*pending)[1].DeliveryKey(), "a-1/1/resolved");
  EXPECT_EQ((*pending)[2].DeliveryKey(), "a-1/2/firing");
  EXPECT_LT((*pending)[0].seq, (*pending)[1].seq);
}

TEST(AlertOutboxTest, DeliveredItemsAreNotPendingAndCannotBeDeliveredTwice) {
  TempDir dir;
  auto outbox = OpenOrDie(dir.File("outbox.db"));
  ASSERT_TRUE(outbox);
  ASSERT_TRUE(outbox->Enqueue({Entry("am", "a-1")}, 0).ok());
  auto pending = outbox->Pending("am", 10);
  ASSERT_TRUE(pending.ok() && pending->size() == 1);
  ASSERT_TRUE(outbox->MarkDelivered((*pending)[0].seq, 42).ok());
  EXPECT_TRUE(outbox->Pending("am", 10)->empty());
  EXPECT_EQ(outbox->MarkDelivered((*pending)[0].seq, 43).code(), StatusCode::kNotFound);
  EXPECT_EQ(*outbox->Enqueue({Entry("am", "a-1")}, 50), 0u);  // still remembered
  auto found = outbox->Find("am", "a-1", 1, AlertTransition::kFiring);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->state, OutboxState::kDelivered);
  EXPECT_EQ((*found)->done_ns, 42);
}

TEST(AlertOutboxTest, FailedAttemptsBackOffExponentiallyWithTheInjectedJitter) {
  TempDir dir;
  auto options = SmallOptions();
  options.max_attempts = 10;
  auto outbox = OpenOrDie(dir.File("outbox.db"), options);
  ASSERT_TRUE(outbox);
  ASSERT_TRUE(outbox->Enqueue({Entry("am", "a-1")}, 0).ok());
  const int64_t seq = (*outbox->Pending("am", 1))[0].seq;
  // Random draw fixed at 0.5; ceilings 1, 2, 4, 8, 8 s -> delays 0.5, 1, 2, 4, 4 s.
  const int64_t expected_delays_ms[] = {500, 1000, 2000, 4000, 4000};
  TimestampNs now = 10 * kNanosPerSecond;
  for (int i = 0; i < 5; ++i) {
    auto state = outbox->MarkFailed(seq, now, "connection refused");
    ASSERT_TRUE(state.ok());
    EXPECT_EQ(*state, OutboxState::kPending);
    auto item = (*outbox->Pending("am", 1))[0];
    EXPECT_EQ(item.attempts, i + 1);
    EXPECT_EQ(item.next_attempt_ns - now, expected_delays_ms[i] * kNanosPerMilli)
        << "failure " << i + 1;
    EXPECT_EQ(item.last_error, "connection refused");
    now = item.next_attempt_ns;
  }
}

TEST(AlertOutboxTest, RetryAfterIsAFloorUnderTheBackoff) {
  TempDir dir;
  auto outbox = OpenOrDie(dir.File("outbox.db"));
  ASSERT_TRUE(outbox);
  ASSERT_TRUE(outbox->Enqueue({Entry("slack", "a-1")}, 0).ok());
  const int64_t seq = (*outbox->Pending("slack", 1))[0].seq;
  ASSERT_TRUE(outbox->MarkFailed(seq, 0, "HTTP 429", 30 * kNanosPerSecond).ok());
  EXPECT_EQ((*outbox->Pending("slack", 1))[0].next_attempt_ns, 30 * kNanosPerSecond);
}

TEST(AlertOutboxTest, GivesUpAfterMaxAttemptsAndKeepsTheReason) {
  TempDir dir;
  auto outbox = OpenOrDie(dir.File("outbox.db"));  // max_attempts 5
  ASSERT_TRUE(outbox);
  ASSERT_TRUE(outbox->Enqueue({Entry("am", "a-1")}, 0).ok());
  const int64_t seq = (*outbox->Pending("am", 1))[0].seq;
  for (int i = 1; i <= 4; ++i)
    EXPECT_EQ(*outbox->MarkFailed(seq, i, "HTTP 503"), OutboxState::kPending);
  EXPECT_EQ(*outbox->MarkFailed(seq, 5, "HTTP 503"), OutboxState::kDropped);
  EXPECT_TRUE(outbox->Pending("am", 10)->empty());
  auto item = *outbox->Find("am", "a-1", 1, AlertTransition::kFiring);
  ASSERT_TRUE(item.has_value());
  EXPECT_EQ(item->state, OutboxState::kDropped);
  EXPECT_EQ(item->attempts, 5);
  EXPECT_EQ(item->last_error, "gave up after 5 attempts; last error: HTTP 503");
}

TEST(AlertOutboxTest, ExpiresPendingItemsOlderThanMaxAge) {
  TempDir dir;
  auto outbox = OpenOrDie(dir.File("outbox.db"));  // max age 1 h
  ASSERT_TRUE(outbox);
  ASSERT_TRUE(outbox->Enqueue({Entry("am", "old")}, 0).ok());
  ASSERT_TRUE(outbox->Enqueue({Entry("am", "new")}, 30 * kNanosPerMinute).ok());
  auto expired = outbox->ExpireOld(kNanosPerHour + 1);
  ASSERT_TRUE(expired.ok());
  ASSERT_EQ(expired->size(), 1u);
  EXPECT_EQ((*expired)[0].anomaly_id, "old");
  EXPECT_EQ((*expired)[0].last_error,
            "not delivered within max_age (0 attempts); last error: none");
  auto pending = outbox->Pending("am", 10);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].anomaly_id, "new");
}

TEST(AlertOutboxTest, ReopeningKeepsPendingItemsAndDeliveredOnesStayDelivered) {
  TempDir dir;
  const std::string path = dir.File("outbox.db");
  {
    auto outbox = OpenOrDie(path);
    ASSERT_TRUE(outbox);
    ASSERT_TRUE(outbox
                    ->Enqueue({Entry("am", "a-1", 1, AlertTransition::kFiring, "one"),
                               Entry("am", "a-2", 1, AlertTransition::kFiring, "two")},
                              7)
                    .ok());
    const int64_t seq = (*outbox->Pending("am", 1))[0].seq;
    ASSERT_TRUE(outbox->MarkDelivered(seq, 8).ok());
    ASSERT_TRUE(outbox->MarkFailed((*outbox->Pending("am", 1))[0].seq, 9, "refused").ok());
  }
  auto outbox = OpenOrDie(path);
  ASSERT_TRUE(outbox);
  auto pending = outbox->Pending("am", 10);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].anomaly_id, "a-2");
  EXPECT_EQ((*pending)[0].body, "two");
  EXPECT_EQ((*pending)[0].attempts, 1);
  EXPECT_EQ((*pending)[0].next_attempt_ns, 9 + kNanosPerSecond / 2);
  EXPECT_EQ(*outbox->Enqueue({Entry("am", "a-1")}, 10), 0u);
}

TEST(AlertOutboxTest, ASecondOutboxCannotOpenTheSameFile) {
  TempDir dir;
  const std::string path = dir.File("outbox.db");
  auto first = OpenOrDie(path);
  ASSERT_TRUE(first);
  auto second = AlertOutbox::Open(path, SmallOptions());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kIoError);
  EXPECT_NE(second.status().message().find("in use"), std::string::npos)
      << second.status().ToString();
  first.reset();
  EXPECT_TRUE(AlertOutbox::Open(path, SmallOptions()).ok());
}

TEST(AlertOutboxTest, RejectsAFileThatIsNotAnOutbox) {
  TempDir dir;
  const std::string path = dir.File("garbage.db");
  std::ofstream(path) << std::string(8192, 'x');
  auto outbox = AlertOutbox::Open(path, SmallOptions());
  ASSERT_FALSE(outbox.ok());
  EXPECT_EQ(outbox.status().code(), StatusCode::kDataLoss) << outbox.status().ToString();
}

TEST(AlertOutboxTest, PruneDeletesOnlyFinishedRowsPastKeepDone) {
  TempDir dir;
  auto outbox = OpenOrDie(dir.File("outbox.db"));  // keep_done 1 day
  ASSERT_TRUE(outbox);
  ASSERT_TRUE(
      outbox->Enqueue({Entry("am", "done"), Entry("am", "dropped"), Entry("am", "waiting")}, 0)
          .ok());
  auto pending = *outbox->Pending("am", 10);
  ASSERT_TRUE(outbox->MarkDelivered(pending[0].seq, kNanosPerHour).ok());
  ASSERT_TRUE(outbox->MarkDropped(pending[1].seq, 2 * kNanosPerHour, "HTTP 400").ok());
  EXPECT_EQ(*outbox->Prune(kNanosPerDay + kNanosPerHour + 1), 1u);
  auto items = *outbox->Items();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].anomaly_id, "dropped");
  EXPECT_EQ(items[0].last_error, "HTTP 400");
  EXPECT_EQ(items[1].anomaly_id, "waiting");
  EXPECT_EQ(*outbox->Prune(10 * kNanosPerDay), 1u);  // the pending one stays
  EXPECT_EQ(outbox->Items()->size(), 1u);
}

}  // namespace
}  // namespace inferscope
