#ifndef INFERSCOPE_CLI_DEMO_COMMAND_H_
#define INFERSCOPE_CLI_DEMO_COMMAND_H_

#include <cstdint>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace inferscope {

struct DemoFlags {
  std::string start;  // ISO-8601 or epoch; default: the generator's fixed start
  std::string duration = "1d";
  double rps = 5;
  uint64_t seed = 1;
  std::string incidents = "none";
  std::vector<std::string> models;
  std::string out;     // default stdout
  std::string labels;  // labels JSON path
};

CLI::App* AddDemoCommand(CLI::App& app, DemoFlags& flags);
int RunDemo(const DemoFlags& flags);

}  // namespace inferscope

#endif  // INFERSCOPE_CLI_DEMO_COMMAND_H_
