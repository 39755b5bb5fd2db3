// Runs every tests/detect/scenarios/*.scenario file as its own test case
// (ScenarioFiles/ScenarioTest.Passes/<file stem>). The language is in detect/scenario_file.h.
// Each scenario is also replayed through a checkpoint: the first half, Save, Load into
// CloneEmpty(), the rest; the outputs must be identical to the uninterrupted run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "detect/detector_factory.h"
#include "detect/scenario_file.h"

namespace inferscope {
namespace {

std::vector<std::string> ScenarioFiles() {
  std::vector<std::string> files;
  const std::filesystem::path dir =
      std::filesystem::path(INFERSCOPE_SOURCE_DIR) / "tests/detect/scenarios";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".scenario") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string TestName(const testing::TestParamInfo<std::string>& info) {
  std::string name = std::filesystem::path(info.param).stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

bool SameOutput(const DetectorOutput& a, const DetectorOutput& b) {
  auto same = [](double x, double y) {
    return std::memcmp(&x, &y, sizeof(double)) == 0 || (std::isnan(x) && std::isnan(y));
  };
  return same(a.score, b.score) && same(a.expected, b.expected) && same(a.lower, b.lower) &&
         same(a.upper, b.upper) && a.direction == b.direction && a.learning == b.learning;
}

class ScenarioTest : public testing::TestWithParam<std::string> {};

TEST_P(ScenarioTest, Passes) {
  Result<Scenario> scenario = LoadScenarioFile(GetParam());
  ASSERT_TRUE(scenario.ok()) << scenario.status().ToString();
  Result<std::unique_ptr<SeriesDetector>> detector = ParseDetectorSpec(scenario->detector_spec);
  ASSERT_TRUE(detector.ok()) << scenario->path << ":" << scenario->detector_line << ": "
                             << detector.status().ToString();
  const std::vector<DetectorOutput> outputs = RunScenario(*scenario, **detector);
  for (const std::string& failure : CheckScenario(*scenario, outputs)) {
    ADD_FAILURE() << failure << "\n  (" << scenario->description << ")";
  }

  // Checkpoint half way and resume in a fresh instance.
  Result<std::unique_ptr<SeriesDetector>> first = ParseDetectorSpec(scenario->detector_spec);
  ASSERT_TRUE(first.ok());
  const size_t half = scenario->values.size() / 2;
  for (size_t i = 0; i < half; ++i) {
    (void)(*first)->Update(scenario->TimeOf(i), scenario->values[i]);
  }
  std::string state;
  StateWriter writer(&state);
  (*first)->Save(writer);
  std::unique_ptr<SeriesDetector> resumed = (*first)->CloneEmpty();
  StateReader reader(state.data(), state.size());
  ASSERT_TRUE(resumed->Load(reader).ok()) << scenario->path << ": Load of its own Save failed";
  EXPECT_EQ(reader.remaining(), 0u) << scenario->path << ": Load left bytes unread";
  for (size_t i = half; i < scenario->values.size(); ++i) {
    const DetectorOutput o = resumed->Update(scenario->TimeOf(i), scenario->values[i]);
    if (!SameOutput(o, outputs[i])) {
      ADD_FAILURE() << scenario->path << ": after a checkpoint at point " << half
                    << " the output at point " << i << " differs (score " << o.score << " vs "
                    << outputs[i].score << ")";
      break;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(ScenarioFiles, ScenarioTest, testing::ValuesIn(ScenarioFiles()), TestName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ScenarioTest);

}  // namespace
}  // namespace inferscope
