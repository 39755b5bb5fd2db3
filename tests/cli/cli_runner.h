#ifndef INFERSCOPE_TESTS_CLI_CLI_RUNNER_H_
#define INFERSCOPE_TESTS_CLI_CLI_RUNNER_H_

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace inferscope::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

// A fresh temporary directory, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "inferscope-cli-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs the real inferscope binary through /bin/sh with `args` (already shell-quoted as
// needed), capturing stdout, stderr and the exit code. Working directory: the source root.
inline CliResult RunCli(const std::string& args, const std::string& stdin_file = "") {
  TempDir tmp;
  std::string cmd = std::string("cd '") + INFERSCOPE_SOURCE_DIR + "' && '" + INFERSCOPE_BINARY +
                    "' " + args + " > '" + (tmp / "out") + "' 2> '" + (tmp / "err") + "'";
  if (!stdin_file.empty()) cmd += " < '" + stdin_file + "'";
  int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(tmp / "out");
  r.err = ReadFile(tmp / "err");
  return r;
}

}  // namespace inferscope::testing

#endif  // INFERSCOPE_TESTS_CLI_CLI_RUNNER_H_
