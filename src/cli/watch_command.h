#ifndef INFERSCOPE_CLI_WATCH_COMMAND_H_
#define INFERSCOPE_CLI_WATCH_COMMAND_H_

#include <string>

namespace CLI {
class App;
}

namespace inferscope {

// `inferscope watch --config inferscope.yaml [--once]` (docs/watch.md).
struct WatchFlags {
  std::string config;
  bool once = false;        // one poll, deliver alerts once, exit (tests, cron)
  std::string format = "";  // with --once: print the anomalies as table or json
};

CLI::App* AddWatchCommand(CLI::App& app, WatchFlags& flags);
int RunWatch(const WatchFlags& flags);

}  // namespace inferscope

#endif  // INFERSCOPE_CLI_WATCH_COMMAND_H_
