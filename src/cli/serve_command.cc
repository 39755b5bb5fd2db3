#include "cli/serve_command.h"

#include <fmt/format.h>
#include <malloc.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <thread>

#include "api/serve_app.h"
#include "api/serve_config.h"

extern char** environ;

namespace inferscope {

CLI::App* AddServeCommand(CLI::App& app, ServeFlags& flags) {
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Run the server: OTLP/HTTP and JSON-lines ingest, embedded store, live detection, REST "
      "API and /metrics");
  cmd->add_option("--config", flags.config_file, "YAML configuration file (docs/serve.md)");
  for (const ServeConfigKey& key : ServeConfigLoader::Keys()) {
    std::string name = key.FlagName();
    cmd->add_option_function<std::string>(
        "--" + name, [&flags, name](const std::string& value) { flags.values[name] = value; },
        key.help + " [env " + key.EnvName() + "]");
  }
  return cmd;
}

int RunServe(const ServeFlags& flags) {
  ServeConfigLoader loader;
  Status st;
  if (!flags.config_file.empty()) st = loader.LoadFile(flags.config_file);
  if (st.ok()) {
    std::vector<std::string> environment;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) environment.emplace_back(*e);
    st = loader.LoadEnvironment(environment);
  }
  for (const auto& [name, value] : flags.values) {
    if (!st.ok()) break;
    st = loader.SetFlag(name, value);
  }
  auto config = st.ok() ? loader.Finish() : Result<ServeConfig>(st);
  if (!config.ok()) {
    fmt::print(stderr, "inferscope serve: {}\n", config.status().message());
    return 2;
  }

  // A server allocates and frees result sets of megabytes per query (a 30-day hourly trend
  // builds ~4 MB of rows). glibc's defaults serve such blocks with mmap and return them to the
  // kernel on free, so every query page-faults its memory in again (measured: half the CPU
  // of that query). Keep freed memory in the heap instead, up to these bounds: RSS then
  // stays near its high-water mark rather than dropping between requests.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);

  // Block the signals in every thread; one thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  ServeApp app(*config);
  Status started = app.Start();
  if (!started.ok()) {
    fmt::print(stderr, "inferscope serve: {}\n", started.message());
    return ExitCodeFor(started);
  }
  fmt::print(stderr, "inferscope serve: listening on {}://{}:{} (data in {})\n",
             config->tls_cert_file.empty() ? "http" : "https", config->host(), app.port(),
             config->data_dir);

  int received = 0;
  sigwait(&signals, &received);
  fmt::print(stderr, "inferscope serve: {} received; draining\n",
             received == SIGTERM ? "SIGTERM" : "SIGINT");
  // A second signal, or the timeout, ends the process without waiting further.
  static std::atomic<bool> done{false};
  std::thread watchdog([signals, timeout = config->shutdown_timeout_ns] {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::nanoseconds(timeout);
    while (!done) {
      struct timespec tick {
        0, 100'000'000
      };
      if (sigtimedwait(&signals, nullptr, &tick) > 0) {
        fmt::print(stderr, "inferscope serve: second signal; exiting now\n");
        std::_Exit(1);
      }
      if (std::chrono::steady_clock::now() > deadline && !done) {
        fmt::print(stderr, "inferscope serve: shutdown took too long; exiting now\n");
        std::_Exit(1);
      }
    }
  });
  Status stopped = app.Shutdown();
  done = true;
  watchdog.join();
  if (!stopped.ok()) {
    fmt::print(stderr, "inferscope serve: shutdown: {}\n", stopped.message());
    return 1;
  }
  fmt::print(stderr, "inferscope serve: stopped cleanly\n");
  return 0;
}

}  // namespace inferscope
