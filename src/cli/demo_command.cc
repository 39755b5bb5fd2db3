#include "cli/demo_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cli/output_file.h"
#include "core/time_format.h"
#include "demo/incident.h"
#include "demo/incident_labels_json.h"
#include "demo/traffic_generator.h"

namespace inferscope {
namespace {

int Fail(const Status& status) {
  fmt::print(stderr, "inferscope demo: {}\n", status.message());
  return ExitCodeFor(status);
}

}  // namespace

CLI::App* AddDemoCommand(CLI::App& app, DemoFlags& f) {
  CLI::App* cmd = app.add_subcommand(
      "demo",
      "Generate realistic, deterministic inference traffic as JSON lines, optionally "
      "with injected, labelled incidents");
  cmd->add_option("--start", f.start, "First timestamp (ISO-8601 or epoch; default 2026-01-05)");
  cmd->add_option("--duration", f.duration, "How much traffic: 1h, 2d, ...")->capture_default_str();
  cmd->add_option("--rps", f.rps, "Mean requests per second (diurnal)")->capture_default_str();
  cmd->add_option("--seed", f.seed, "Random seed; same seed, same output")->capture_default_str();
  cmd->add_option("--incidents", f.incidents,
                  "Incidents to inject: all, none, or a comma list of latency_spike, "
                  "error_burst, gpu_underutil, poor_batching, cost_spike, cache_degradation, "
                  "latency_drift, traffic_drop")
      ->capture_default_str();
  cmd->add_option("--models", f.models, "Model names (comma-separated; default: built-in set)")
      ->delimiter(',');
  cmd->add_option("-o,--out", f.out, "Write JSON lines here (default stdout)");
  cmd->add_option("--labels", f.labels, "Write the injected incidents' labels (JSON) here");
  return cmd;
}

int RunDemo(const DemoFlags& f) {
  DemoOptions opts;
  if (!f.start.empty()) {
    Result<TimestampNs> start = ParseUserTime(f.start);
    if (!start.ok()) return Fail(start.status());
    opts.start_ns = *start;
  }
  Result<int64_t> duration = ParseDuration(f.duration);
  if (!duration.ok()) return Fail(duration.status());
  opts.duration_ns = *duration;
  if (!(f.rps > 0) || f.rps > 1e6) {
    return Fail(Status::InvalidArgument("--rps must be in (0, 1000000]"));
  }
  opts.requests_per_s = f.rps;
  opts.seed = f.seed;
  opts.models = f.models;
  Result<std::vector<IncidentKind>> kinds = ParseIncidentKinds(f.incidents);
  if (!kinds.ok()) return Fail(kinds.status());
  opts.incidents = *kinds;

  const bool to_stdout = f.out.empty() || f.out == "-";
  std::FILE* out = to_stdout ? stdout : std::fopen(f.out.c_str(), "wb");
  if (out == nullptr) {
    return Fail(Status::IoError(fmt::format("cannot write {}: {}", f.out, std::strerror(errno))));
  }
  TrafficGenerator generator(opts);
  Result<std::vector<IncidentLabel>> labels = generator.Write(out);
  bool closed = to_stdout ? std::fflush(out) == 0 : std::fclose(out) == 0;
  if (!labels.ok()) return Fail(labels.status());
  if (!closed) {
    return Fail(Status::IoError(fmt::format("writing {} failed", to_stdout ? "stdout" : f.out)));
  }
  if (!f.labels.empty()) {
    Status st = WriteOutput(f.labels, IncidentLabelsToJson(*labels, opts));
    if (!st.ok()) return Fail(st);
  }
  if (!to_stdout) {
    fmt::print(stderr, "wrote {} requests to {}{}\n", generator.lines_written(), f.out,
               labels->empty() ? "" : fmt::format(" with {} incidents", labels->size()));
  }
  return 0;
}

}  // namespace inferscope
