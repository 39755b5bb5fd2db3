#ifndef INFERSCOPE_CLI_SERVE_COMMAND_H_
#define INFERSCOPE_CLI_SERVE_COMMAND_H_

#include <map>
#include <string>

namespace CLI {
class App;
}

namespace inferscope {

struct ServeFlags {
  std::string config_file;
  // Every ServeConfigLoader key given as a flag: flag name -> value.
  std::map<std::string, std::string> values;
};

// `inferscope serve [--config FILE] [--listen HOST:PORT] [--data-dir DIR] [--<key> VALUE]...`
// One flag per configuration key (docs/serve.md). Runs until SIGTERM or SIGINT, then drains
// and exits 0 (1 when shutting down failed, 2 for a bad configuration).
CLI::App* AddServeCommand(CLI::App& app, ServeFlags& flags);
int RunServe(const ServeFlags& flags);

}  // namespace inferscope

#endif  // INFERSCOPE_CLI_SERVE_COMMAND_H_
