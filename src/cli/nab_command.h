#ifndef INFERSCOPE_CLI_NAB_COMMAND_H_
#define INFERSCOPE_CLI_NAB_COMMAND_H_

#include <string>

namespace CLI {
class App;
}

namespace inferscope {

struct NabFlags {
  std::string data;  // NAB-layout corpus folder
  std::string out;   // results folder
  bool no_score = false;
};

CLI::App* AddNabCommand(CLI::App& app, NabFlags& flags);
int RunNab(const NabFlags& flags);

}  // namespace inferscope

#endif  // INFERSCOPE_CLI_NAB_COMMAND_H_
