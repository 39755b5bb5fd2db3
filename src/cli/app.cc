#include "cli/app.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "cli/analyze_command.h"
#include "cli/demo_command.h"
#include "cli/detect_command.h"
#include "cli/nab_command.h"
#include "cli/serve_command.h"
#include "cli/watch_command.h"

#ifndef INFERSCOPE_VERSION
#define INFERSCOPE_VERSION "0.1.0"
#endif

namespace inferscope {

int RunApp(int argc, char** argv) {
  CLI::App app{
      "inferscope: watches ML/LLM inference services and says, in plain words, what is wrong, "
      "since when, why and what to do."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("inferscope ") + INFERSCOPE_VERSION);

  AnalyzeFlags analyze_flags;
  CLI::App* analyze = AddAnalyzeCommand(app, analyze_flags);
  DemoFlags demo_flags;
  CLI::App* demo = AddDemoCommand(app, demo_flags);
  NabFlags nab_flags;
  CLI::App* nab = AddNabCommand(app, nab_flags);
  ServeFlags serve_flags;
  CLI::App* serve = AddServeCommand(app, serve_flags);
  DetectFlags detect_flags;
  CLI::App* detect = AddDetectCommand(app, detect_flags);
  TestdataWriteFlags testdata_flags;
  CLI::App* testdata = AddTestdataWriteCommand(app, testdata_flags);
  WatchFlags watch_flags;
  CLI::App* watch = AddWatchCommand(app, watch_flags);
  CLI::App* version = app.add_subcommand("version", "Print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  if (analyze->parsed()) return RunAnalyze(analyze_flags);
  if (demo->parsed()) return RunDemo(demo_flags);
  if (nab->parsed()) return RunNab(nab_flags);
  if (serve->parsed()) return RunServe(serve_flags);
  if (detect->parsed()) return RunDetect(detect_flags);
  if (testdata->parsed()) return RunTestdataWrite(testdata_flags);
  if (watch->parsed()) return RunWatch(watch_flags);
  if (version->parsed()) {
    fmt::print("inferscope {}\n", INFERSCOPE_VERSION);
    return 0;
  }
  return 2;
}

}  // namespace inferscope
