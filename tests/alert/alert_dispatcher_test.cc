#include "alert/alert_dispatcher.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <set>

#include "alert/alertmanager_sink.h"
#include "alert/slack_sink.h"
#include "alert/webhook_sink.h"
#include "alert_test_support.h"
#include "ingest/httplib_client.h"

namespace inferscope {
namespace {

using testing::AlertmanagerProcess;
using testing::FreeLocalPort;
using testing::MakeAnomaly;
using testing::ReceivedRequest;
using testing::RecordingServer;
using testing::Resolved;
using testing::TempDir;

constexpr TimestampNs kT0 = 1'790'000'000LL * kNanosPerSecond;

std::unique_ptr<AlertSink> Webhook(const std::string& name, const std::string& url) {
  auto sink = WebhookSink::Create(AlertSinkOptions{name, url, {}, "", std::chrono::seconds(2)});
  EXPECT_TRUE(sink.ok()) << sink.status().ToString();
  return sink.ok() ? std::move(sink).value() : nullptr;
}

std::unique_ptr<AlertSink> Alertmanager(const std::string& url) {
  auto sink =
      AlertmanagerSink::Create(AlertSinkOptions{"am", url, {}, "", std::chrono::seconds(2)}, {});
  EXPECT_TRUE(sink.ok()) << sink.status().ToString();
  return sink.ok() ? std::move(sink).value() : nullptr;
}

// A dispatcher over an outbox file in `dir`, a fixed jitter draw (0.5) and a captured log.
class DispatcherHarness {
 public:
  DispatcherHarness(const TempDir& dir, ManualClock* clock) : dir_(dir), clock_(clock) {}

  std::unique_ptr<AlertDispatcher> Make(std::vector<std::unique_ptr<AlertSink>> sinks) {
    AlertOutbox::Options outbox_options;
    outbox_options.backoff = BackoffPolicy{2 * kNanosPerSecond, 60 * kNanosPerSecond};
    outbox_options.max_attempts = 10;
    outbox_options.max_age_ns = kNanosPerHour;
    auto outbox = AlertOutbox::Open(dir_.File("outbox.db"), outbox_options, [] { return 0.5; });
    EXPECT_TRUE(outbox.ok()) << outbox.status().ToString();
    if (!outbox.ok()) return nullptr;
    AlertDispatcher::Options options;
    options.log = [this](std::string_view line) { log_.emplace_back(line); };
    auto d = AlertDispatcher::Create(std::move(sinks), std::move(outbox).value(), &http_, clock_,
                                     options);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? std::move(d).value() : nullptr;
  }
  const std::vector<std::string>& log() const { return log_; }

 private:
  const TempDir& dir_;
  ManualClock* clock_;
  HttplibClient http_;
  std::vector<std::string> log_;
};

std::string Field(const std::string& json, const char* key) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(json);
  return std::string(std::string_view(doc[key].get_string()));
}

TEST(AlertDispatcherTest, EachTransitionIsEnqueuedOnceForEverySinkAndDeliveredInOrder) {
  TempDir dir;
  RecordingServer a_hook, b_hook;
  ASSERT_TRUE(a_hook.started() && b_hook.started());
  ManualClock clock(kT0);
  DispatcherHarness h(dir, &clock);
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(Webhook("a", a_hook.Url("/a")));
  sinks.push_back(Webhook("b", b_hook.Url("/b")));
  auto d = h.Make(std::move(sinks));
  ASSERT_TRUE(d);

  Anomaly firing = MakeAnomaly(kT0 - 5 * kNanosPerMinute);
  Anomaly pending = MakeAnomaly(kT0, "mistral-7b");
  pending.state = AnomalyState::kPending;
  EXPECT_EQ(*d->Submit(std::vector<Anomaly>{firing, pending}), 1u);
  EXPECT_EQ(*d->Submit(std::vector<Anomaly>{firing, pending}), 0u);  // the engine repeats itself
  clock.Advance(kNanosPerMinute);
  Anomaly resolved = Resolved(firing, kT0);
  EXPECT_EQ(*d->Submit(std::vector<Anomaly>{resolved}), 1u);
  EXPECT_EQ(*d->Submit(std::vector<Anomaly>{resolved}), 0u);

  auto stats = d->Pump(clock.Now());
  EXPECT_EQ(stats.delivered, 4u);
  EXPECT_EQ(stats.retried, 0u);
  d->Pump(clock.Now() + kNanosPerHour);  // nothing left to send
  for (RecordingServer* hook : {&a_hook, &b_hook}) {
    auto got = hook->received();
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(Field(got[0].body, "status"), "firing");
    EXPECT_EQ(Field(got[0].body, "id"), firing.id);
    EXPECT_EQ(got[0].idempotency_key, firing.id + "/1/firing");
    EXPECT_EQ(Field(got[1].body, "status"), "resolved");
    EXPECT_EQ(got[1].idempotency_key, firing.id + "/1/resolved");
  }
}

TEST(AlertDispatcherTest, AReopenedIncidentFiresAgainAsANewEpisode) {
  TempDir dir;
  RecordingServer hook;
  ASSERT_TRUE(hook.started());
  ManualClock clock(kT0);
  DispatcherHarness h(dir, &clock);
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(Webhook("hook", hook.Url("/h")));
  auto d = h.Make(std::move(sinks));
  ASSERT_TRUE(d);
  Anomaly a = MakeAnomaly(kT0 - 10 * kNanosPerMinute);
  ASSERT_EQ(*d->Submit(std::vector<Anomaly>{a}), 1u);
  ASSERT_EQ(*d->Submit(std::vector<Anomaly>{Resolved(a, kT0 - 5 * kNanosPerMinute)}), 1u);
  ASSERT_EQ(*d->Submit(std::vector<Anomaly>{a}), 1u);  // flapping: same id firing again
  ASSERT_EQ(*d->Submit(std::vector<Anomaly>{a}), 0u);
  d->Pump(clock.Now());
  auto got = hook.received();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].idempotency_key, a.id + "/1/firing");
  EXPECT_EQ(got[1].idempotency_key, a.id + "/1/resolved");
  EXPECT_EQ(got[2].idempotency_key, a.id + "/2/firing");
}

TEST(AlertDispatcherTest, AResolvedIncidentNeverSeenFiringIsAnnouncedOnlyWhenRecent) {
  TempDir dir;
  RecordingServer hook;
  ASSERT_TRUE(hook.started());
  ManualClock clock(kT0);
  DispatcherHarness h(dir, &clock);
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(Webhook("hook", hook.Url("/h")));
  auto d = h.Make(std::move(sinks));
  ASSERT_TRUE(d);
  Anomaly recent = Resolved(MakeAnomaly(kT0 - 20 * kNanosPerMinute), kT0 - 10 * kNanosPerMinute);
  Anomaly old =
      Resolved(MakeAnomaly(kT0 - 5 * kNanosPerHour, "old-model"), kT0 - 4 * kNanosPerHour);
  EXPECT_EQ(*d->Submit(std::vector<Anomaly>{old, recent}), 2u);  // firing + resolved of `recent`
  d->Pump(clock.Now());
  auto got = hook.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].idempotency_key, recent.id + "/1/firing");
  EXPECT_EQ(Field(got[0].body, "state"), "firing");
  EXPECT_EQ(got[1].idempotency_key, recent.id + "/1/resolved");
}

// Fault test: the receiver is down, the item is retried with backoff, the receiver comes back
// on the same port, and each transition arrives exactly once, in order.
TEST(AlertDispatcherTest, AReceiverThatWasDownGetsEachTransitionExactlyOnceWhenBack) {
  TempDir dir;
  const int port = FreeLocalPort();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  ManualClock clock(kT0);
  DispatcherHarness h(dir, &clock);
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(Webhook("hook", url));
  auto d = h.Make(std::move(sinks));
  ASSERT_TRUE(d);

  Anomaly a = MakeAnomaly(kT0 - 5 * kNanosPerMinute);
  ASSERT_EQ(*d->Submit(std::vector<Anomaly>{a}), 1u);
  auto stats = d->Pump(clock.Now());
  EXPECT_EQ(stats.retried, 1u);
  EXPECT_EQ(stats.delivered, 0u);
  // Backoff 2 s ceiling x 0.5 draw = 1 s: nothing is attempted before then.
  clock.Advance(999 * kNanosPerMilli);
  stats = d->Pump(clock.Now());
  EXPECT_EQ(stats.retried + stats.delivered, 0u);
  clock.Advance(kNanosPerMilli);
  EXPECT_EQ(d->Pump(clock.Now()).retried, 1u);  // second failure: next in 2 s
  ASSERT_EQ(*d->Submit(std::vector<Anomaly>{Resolved(a, kT0)}), 1u);
  clock.Advance(kNanosPerSecond);
  EXPECT_EQ(d->Pump(clock.Now()).retried, 0u);  // still backing off; resolved waits behind

  RecordingServer hook(port);
  ASSERT_TRUE(hook.started());
  clock.Advance(kNanosPerSecond);
  stats = d->Pump(clock.Now());
  EXPECT_EQ(stats.delivered, 2u);
  for (int i = 0; i < 3; ++i) {
    clock.Advance(kNanosPerMinute);
    EXPECT_EQ(d->Pump(clock.Now()).delivered, 0u);
  }
  auto got = hook.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].idempotency_key, a.id + "/1/firing");
  EXPECT_EQ(got[1].idempotency_key, a.id + "/1/resolved");
  EXPECT_TRUE(h.log().empty());
}

// Restart test: the transition enqueued while the receiver was down is delivered by the next
// process; the engine re-reporting the same incidents after each restart sends nothing again.
TEST(AlertDispatcherTest, PendingDeliveriesSurviveARestartAndDeliveredOnesAreNeverResent) {
  TempDir dir;
  const int port = FreeLocalPort();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  ManualClock clock(kT0);
  Anomaly a = MakeAnomaly(kT0 - 5 * kNanosPerMinute);
  Anomaly b = MakeAnomaly(kT0 - 4 * kNanosPerMinute, "mistral-7b");
  {
    DispatcherHarness h(dir, &clock);
    std::vector<std::unique_ptr<AlertSink>> sinks;
    sinks.push_back(Webhook("hook", url));
    auto d = h.Make(std::move(sinks));
    ASSERT_TRUE(d);
    ASSERT_EQ(*d->Submit(std::vector<Anomaly>{a, b}), 2u);
    EXPECT_EQ(d->Pump(clock.Now()).retried, 1u);
  }  // the process goes away with both items pending

  RecordingServer hook(port);
  ASSERT_TRUE(hook.started());
  clock.Advance(10 * kNanosPerSecond);
  {
    DispatcherHarness h(dir, &clock);
    std::vector<std::unique_ptr<AlertSink>> sinks;
    sinks.push_back(Webhook("hook", url));
    auto d = h.Make(std::move(sinks));
    ASSERT_TRUE(d);
    EXPECT_EQ(*d->Submit(std::vector<Anomaly>{a, b}), 0u);  // already enqueued before
    EXPECT_EQ(d->Pump(clock.Now()).delivered, 2u);
  }
  clock.Advance(kNanosPerMinute);
  {
    DispatcherHarness h(dir, &clock);
    std::vector<std::unique_ptr<AlertSink>> sinks;
    sinks.push_back(Webhook("hook", url));
    auto d = h.Make(std::move(sinks));
    ASSERT_TRUE(d);
    EXPECT_EQ(*d->Submit(std::vector<Anomaly>{a, b}), 0u);
    EXPECT_EQ(d->Pump(clock.Now()).delivered, 0u);
    // The transition that does happen later is still sent.
    EXPECT_EQ(*d->Submit(std::vector<Anomaly>{Resolved(a, kT0), b}), 1u);
    EXPECT_EQ(d->Pump(clock.Now()).delivered, 1u);
  }
  auto got = hook.received();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].idempotency_key, a.id + "/1/firing");
  EXPECT_EQ(got[1].idempotency_key, b.id + "/1/firing");
  EXPECT_EQ(got[2].idempotency_key, a.id + "/1/resolved");
}

TEST(AlertDispatcherTest, ARejectedItemIsDroppedWithALoggedReasonAndTheNextOneProceeds) {
  TempDir dir;
  RecordingServer hook;
  ASSERT_TRUE(hook.started());
  hook.set_status(400);
  ManualClock clock(kT0);
  DispatcherHarness h(dir, &clock);
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(Webhook("hook", hook.Url("/h")));
  auto d = h.Make(std::move(sinks));
  ASSERT_TRUE(d);
  Anomaly a = MakeAnomaly(kT0 - 5 * kNanosPerMinute);
  Anomaly b = MakeAnomaly(kT0 - 4 * kNanosPerMinute, "mistral-7b");
  ASSERT_EQ(*d->Submit(std::vector<Anomaly>{a, b}), 2u);
  auto stats = d->Pump(clock.Now());
  EXPECT_EQ(stats.dropped, 2u);
  EXPECT_EQ(hook.received().size(), 2u);
  ASSERT_EQ(h.log().size(), 2u);
  EXPECT_EQ(h.log()[0], "dropped " + a.id + "/1/firing for sink 'hook': rejected: HTTP 400: nope");
  d->Pump(clock.Now() + kNanosPerHour);
  EXPECT_EQ(hook.received().size(), 2u);  // never retried
}

TEST(AlertDispatcherTest, AnItemUndeliveredForMaxAgeIsDroppedWithALoggedReason) {
  TempDir dir;
  const std::string url = "http://127.0.0.1:" + std::to_string(FreeLocalPort()) + "/hook";
  ManualClock clock(kT0);
  DispatcherHarness h(dir, &clock);
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(Webhook("hook", url));
  auto d = h.Make(std::move(sinks));
  ASSERT_TRUE(d);
  Anomaly a = MakeAnomaly(kT0 - 5 * kNanosPerMinute);
  ASSERT_EQ(*d->Submit(std::vector<Anomaly>{a}), 1u);
  EXPECT_EQ(d->Pump(clock.Now()).retried, 1u);
  auto stats = d->Pump(kT0 + kNanosPerHour + 1);  // outbox max_age is 1 h
  EXPECT_EQ(stats.dropped, 1u);
  EXPECT_EQ(stats.retried, 0u);
  ASSERT_EQ(h.log().size(), 1u);
  EXPECT_NE(h.log()[0].find("dropped " + a.id +
                            "/1/firing for sink 'hook': not delivered within "
                            "max_age (1 attempts); last error: unavailable"),
            std::string::npos)
      << h.log()[0];
}

// The re-post schedule, seen by a recorder standing in for Alertmanager's API endpoint.
TEST(AlertDispatcherTest, FiringAlertsAreRepostedToAlertmanagerEveryMinuteUntilResolved) {
  TempDir dir;
  RecordingServer api;
  ASSERT_TRUE(api.started());
  ManualClock clock(kT0);
  DispatcherHarness h(dir, &clock);
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(Alertmanager(api.Url("")));
  auto d = h.Make(std::move(sinks));
  ASSERT_TRUE(d);
  Anomaly a = MakeAnomaly(kT0 - 5 * kNanosPerMinute);
  ASSERT_EQ(*d->Submit(std::vector<Anomaly>{a}), 1u);
  EXPECT_EQ(d->Pump(kT0).delivered, 1u);
  EXPECT_EQ(d->Pump(kT0 + 59 * kNanosPerSecond).resent, 0u);
  EXPECT_EQ(d->Pump(kT0 + 60 * kNanosPerSecond).resent, 1u);
  EXPECT_EQ(d->Pump(kT0 + 90 * kNanosPerSecond).resent, 0u);
  EXPECT_EQ(d->Pump(kT0 + 120 * kNanosPerSecond).resent, 1u);
  clock.Set(kT0 + 150 * kNanosPerSecond);
  ASSERT_EQ(*d->Submit(std::vector<Anomaly>{Resolved(a, kT0)}), 1u);
  auto stats = d->Pump(kT0 + 180 * kNanosPerSecond);
  EXPECT_EQ(stats.delivered, 1u);
  EXPECT_EQ(stats.resent, 0u);
  EXPECT_EQ(d->Pump(kT0 + 600 * kNanosPerSecond).resent, 0u);
  auto got = api.received();
  ASSERT_EQ(got.size(), 4u);
  for (const ReceivedRequest& r : got) EXPECT_EQ(r.path, "/api/v2/alerts");
  EXPECT_EQ(got[1].body, got[0].body);  // the same alert, refreshed
  EXPECT_EQ(got[3].body.find("endsAt"), got[3].body.rfind("endsAt"));
  EXPECT_NE(got[3].body.find("endsAt"), std::string::npos);
  EXPECT_EQ(got[0].body.find("endsAt"), std::string::npos);
}

TEST(AlertDispatcherTest, AFailedRepostIsTriedAgainAfterTheInitialBackoff) {
  TempDir dir;
  RecordingServer api;
  ASSERT_TRUE(api.started());
  ManualClock clock(kT0);
  DispatcherHarness h(dir, &clock);
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(Alertmanager(api.Url("")));
  auto d = h.Make(std::move(sinks));
  ASSERT_TRUE(d);
  std::vector<Anomaly> firing = {MakeAnomaly(kT0 - kNanosPerMinute),
                                 MakeAnomaly(kT0 - kNanosPerMinute, "mistral-7b")};
  ASSERT_EQ(*d->Submit(firing), 2u);
  EXPECT_EQ(d->Pump(kT0).delivered, 2u);
  api.set_status(503);
  auto stats = d->Pump(kT0 + kNanosPerMinute);
  EXPECT_EQ(stats.resend_failed, 1u);  // the receiver is failing: the second one is not tried
  EXPECT_EQ(stats.resent, 0u);
  api.set_status(200);
  EXPECT_EQ(d->Pump(kT0 + kNanosPerMinute + kNanosPerSecond).resent, 1u);      // the one not tried
  EXPECT_EQ(d->Pump(kT0 + kNanosPerMinute + 2 * kNanosPerSecond).resent, 1u);  // backoff 2 s
  EXPECT_EQ(d->Pump(kT0 + kNanosPerMinute + 30 * kNanosPerSecond).resent, 0u);
  EXPECT_EQ(api.received().size(), 5u);
}

TEST(AlertDispatcherTest, AnIncidentTheEngineNoLongerReportsIsNotReposted) {
  TempDir dir;
  RecordingServer api;
  ASSERT_TRUE(api.started());
  ManualClock clock(kT0);
  DispatcherHarness h(dir, &clock);
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(Alertmanager(api.Url("")));
  auto d = h.Make(std::move(sinks));
  ASSERT_TRUE(d);
  ASSERT_EQ(*d->Submit(std::vector<Anomaly>{MakeAnomaly(kT0 - kNanosPerMinute)}), 1u);
  EXPECT_EQ(d->Pump(kT0).delivered, 1u);
  ASSERT_EQ(*d->Submit(std::vector<Anomaly>{}), 0u);
  EXPECT_EQ(d->Pump(kT0 + 5 * kNanosPerMinute).resent, 0u);
  EXPECT_EQ(api.received().size(), 1u);
}

TEST(AlertDispatcherTest, RejectsDuplicateSinkNames) {
  TempDir dir;
  ManualClock clock(kT0);
  HttplibClient http;
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(Webhook("same", "http://127.0.0.1:1/a"));
  sinks.push_back(Webhook("same", "http://127.0.0.1:1/b"));
  auto outbox = AlertOutbox::Open(dir.File("o.db"), {});
  ASSERT_TRUE(outbox.ok());
  auto d = AlertDispatcher::Create(std::move(sinks), std::move(outbox).value(), &http, &clock, {});
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
}

TEST(AlertDispatcherTest, TheBackgroundThreadDeliversWithoutExplicitPumps) {
  TempDir dir;
  RecordingServer hook;
  ASSERT_TRUE(hook.started());
  ManualClock clock(kT0);
  DispatcherHarness h(dir, &clock);
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(Webhook("hook", hook.Url("/h")));
  auto d = h.Make(std::move(sinks));
  ASSERT_TRUE(d);
  d->Start();
  ASSERT_EQ(*d->Submit(std::vector<Anomaly>{MakeAnomaly(kT0 - kNanosPerMinute)}), 1u);
  EXPECT_TRUE(hook.WaitFor(1, std::chrono::seconds(10)));
  d->Stop();
  EXPECT_EQ(hook.received().size(), 1u);
}

TEST(AlertDispatcherTest, SubmitsRacingTheBackgroundThreadDeliverEachTransitionOnce) {
  TempDir dir;
  RecordingServer hook;
  ASSERT_TRUE(hook.started());
  ManualClock clock(kT0);
  DispatcherHarness h(dir, &clock);
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(Webhook("hook", hook.Url("/h")));
  auto d = h.Make(std::move(sinks));
  ASSERT_TRUE(d);
  d->Start();
  std::vector<Anomaly> list;
  for (int i = 0; i < 20; ++i) {
    list.push_back(MakeAnomaly(kT0 - kNanosPerMinute, "model-" + std::to_string(i)));
    ASSERT_TRUE(d->Submit(list).ok());     // the growing list, as the engine reports it
    if (i % 5 == 4) d->Pump(clock.Now());  // explicit rounds race the thread's
  }
  ASSERT_TRUE(hook.WaitFor(20, std::chrono::seconds(20)));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  d->Stop();
  auto got = hook.received();
  ASSERT_EQ(got.size(), 20u);
  std::set<std::string> keys;
  for (const auto& r : got) keys.insert(r.idempotency_key);
  EXPECT_EQ(keys.size(), 20u);
}

// The engine's own lifecycle: an AnomalyTracker fires, resolves, re-opens (flapping, same id)
// and resolves again; submitting its incident list after every point yields exactly those
// four transitions.
TEST(AlertDispatcherTest, FollowsAnAnomalyTrackersLifecycleIncludingAReopening) {
  TempDir dir;
  RecordingServer hook;
  ASSERT_TRUE(hook.started());
  ManualClock clock(kT0);
  DispatcherHarness h(dir, &clock);
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(Webhook("hook", hook.Url("/h")));
  auto d = h.Make(std::move(sinks));
  ASSERT_TRUE(d);

  AnomalyTracker tracker;  // pending 2 min, resolve after 5 quiet min, cooldown 15 min
  auto bad = [](int minute) { return (minute <= 4) || (minute >= 11 && minute <= 13); };
  for (int minute = 0; minute <= 20; ++minute) {
    AnomalyTracker::Point p;
    p.ts = kT0 + minute * kNanosPerMinute;
    p.value = bad(minute) ? 2000 : 1000;
    p.output.learning = false;
    p.output.expected = 1000;
    p.output.score = bad(minute) ? 0.9 : 0.0;
    p.output.direction = Direction::kAbove;
    tracker.Observe("llama-3-70b", "latency_p95_ms", AnomalyKind::kLatencySpike, "robust_z", p);
    clock.Set(p.ts);
    ASSERT_TRUE(d->Submit(tracker.Incidents()).ok());
    d->Pump(clock.Now());
  }
  auto incidents = tracker.Incidents();
  ASSERT_EQ(incidents.size(), 1u);
  const std::string id = incidents[0].id;
  auto got = hook.received();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].idempotency_key, id + "/1/firing");
  EXPECT_EQ(got[1].idempotency_key, id + "/1/resolved");
  EXPECT_EQ(got[2].idempotency_key, id + "/2/firing");
  EXPECT_EQ(got[3].idempotency_key, id + "/2/resolved");
  EXPECT_EQ(Field(got[1].body, "end"), FormatIso8601(kT0 + 4 * kNanosPerMinute, true));
  EXPECT_EQ(Field(got[3].body, "end"), FormatIso8601(kT0 + 13 * kNanosPerMinute, true));
}

// With the real Alertmanager: it is down when the incident fires (nothing listens on its
// port), comes up later on that port, receives the alert from the outbox, keeps it alive
// through re-posts, and notifies the webhook receiver of firing and then resolved.
TEST(AlertDispatcherTest, RealAlertmanagerStartedLateReceivesTheAlertAndItsResolution) {
  TempDir dir;
  RecordingServer receiver;
  ASSERT_TRUE(receiver.started());
  const int am_port = FreeLocalPort();
  const TimestampNs now = SystemClock::Instance().Now();
  ManualClock clock(now);
  DispatcherHarness h(dir, &clock);
  std::vector<std::unique_ptr<AlertSink>> sinks;
  sinks.push_back(Alertmanager("http://127.0.0.1:" + std::to_string(am_port)));
  auto d = h.Make(std::move(sinks));
  ASSERT_TRUE(d);

  Anomaly a = MakeAnomaly(now - 10 * kNanosPerMinute);
  ASSERT_EQ(*d->Submit(std::vector<Anomaly>{a}), 1u);
  EXPECT_EQ(d->Pump(clock.Now()).retried, 1u);

  AlertmanagerProcess am;
  ASSERT_TRUE(am.Start(dir, am_port, receiver.Url("/hook")));
  clock.Advance(2 * kNanosPerSecond);
  EXPECT_EQ(d->Pump(clock.Now()).delivered, 1u);
  auto firing = [](const ReceivedRequest& r) {
    return r.body.find("\"status\":\"firing\"") != std::string::npos;
  };
  std::string body = receiver.WaitForMatch(firing, std::chrono::seconds(20));
  ASSERT_FALSE(body.empty()) << "alertmanager never notified the firing alert";
  simdjson::dom::parser parser;
  simdjson::dom::object alert = parser.parse(body)["alerts"].get_array().at(0).get_object();
  EXPECT_EQ(std::string_view(alert["labels"]["model"].get_string()), "llama-3-70b");
  EXPECT_EQ(std::string_view(alert["annotations"]["anomaly_id"].get_string()), a.id);

  clock.Advance(kNanosPerMinute);
  EXPECT_EQ(d->Pump(clock.Now()).resent, 1u);  // accepted by the real API

  ASSERT_EQ(*d->Submit(std::vector<Anomaly>{Resolved(a, now - kNanosPerMinute)}), 1u);
  EXPECT_EQ(d->Pump(clock.Now()).delivered, 1u);
  auto resolved = [](const ReceivedRequest& r) {
    return r.body.find("\"status\":\"resolved\"") != std::string::npos;
  };
  ASSERT_FALSE(receiver.WaitForMatch(resolved, std::chrono::seconds(20)).empty())
      << "alertmanager never notified the resolution";
  am.Stop();
}

}  // namespace
}  // namespace inferscope
