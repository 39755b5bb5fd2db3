#include "demo/incident_labels_json.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>

namespace inferscope {
namespace {

TEST(IncidentLabelsJsonTest, WritesGeneratorAndIncidentsAsIso8601) {
  DemoOptions options;
  options.seed = 7;
  options.requests_per_s = 12.5;
  options.duration_ns = 2 * kNanosPerDay;
  IncidentLabel label;
  label.kind = IncidentKind::kErrorBurst;
  label.model = "llama-3-8b";
  label.start_ns = options.start_ns + 10 * kNanosPerHour;
  label.end_ns = label.start_ns + 20 * kNanosPerMinute;
  label.description = "error rate raised to 25% \"quoted\"";
  const std::string json = IncidentLabelsToJson({label}, options);

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(uint64_t(doc["generator"]["seed"]), 7u);
  EXPECT_EQ(std::string_view(doc["generator"]["start"]), "2026-01-05T00:00:00Z");
  EXPECT_EQ(std::string_view(doc["generator"]["end"]), "2026-01-07T00:00:00Z");
  EXPECT_EQ(double(doc["generator"]["rps"]), 12.5);
  simdjson::dom::array incidents = doc["incidents"];
  ASSERT_EQ(incidents.size(), 1u);
  simdjson::dom::element inc = incidents.at(0);
  EXPECT_EQ(std::string_view(inc["kind"]), "error_burst");
  EXPECT_EQ(std::string_view(inc["model"]), "llama-3-8b");
  EXPECT_EQ(std::string_view(inc["start"]), "2026-01-05T10:00:00Z");
  EXPECT_EQ(std::string_view(inc["end"]), "2026-01-05T10:20:00Z");
  EXPECT_EQ(std::string_view(inc["description"]), label.description);
}

TEST(IncidentLabelsJsonTest, NoIncidentsIsAnEmptyArray) {
  const std::string json = IncidentLabelsToJson({}, DemoOptions{});
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(simdjson::dom::array(doc["incidents"]).size(), 0u);
}

}  // namespace
}  // namespace inferscope
