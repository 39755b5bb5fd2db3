#ifndef INFERSCOPE_CLI_APP_H_
#define INFERSCOPE_CLI_APP_H_

namespace inferscope {

// Parses the command line and runs the subcommand. Returns the process exit code:
// 0 success, 1 failure (or --strict with rejected records), 2 usage / input errors
// (bad flag, missing file, empty input).
int RunApp(int argc, char** argv);

}  // namespace inferscope

#endif  // INFERSCOPE_CLI_APP_H_
