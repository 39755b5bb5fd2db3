#include "cli/nab_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <filesystem>

#include "cli/output_file.h"
#include "core/json_writer.h"
#include "detect/nab_corpus.h"
#include "detect/nab_detector.h"
#include "detect/nab_scorer.h"

namespace inferscope {
namespace {

int Fail(const Status& status) {
  fmt::print(stderr, "inferscope nab: {}\n", status.message());
  return ExitCodeFor(status);
}

// "realKnownCause/nyc_taxi.csv" -> "realKnownCause/inferscope_nyc_taxi.csv"
std::string ResultPath(const std::string& relative_path) {
  std::filesystem::path p(relative_path);
  return (p.parent_path() / ("inferscope_" + p.filename().string())).string();
}

}  // namespace

CLI::App* AddNabCommand(CLI::App& app, NabFlags& f) {
  CLI::App* cmd = app.add_subcommand(
      "nab",
      "Run the default detector on a NAB-layout corpus, strictly causally, write "
      "OUT/<category>/inferscope_<file>.csv and print NAB's normalised scores");
  cmd->add_option("--data", f.data, "Corpus folder (<category>/<file>.csv + windows.json)")
      ->required();
  cmd->add_option("--out", f.out, "Results folder")->required();
  cmd->add_flag("--no-score", f.no_score, "Only write the results, do not score them");
  return cmd;
}

int RunNab(const NabFlags& f) {
  Result<std::vector<NabSeries>> corpus = LoadNabCorpus(f.data);
  if (!corpus.ok()) return Fail(corpus.status());
  std::vector<std::vector<double>> all_scores;
  for (const NabSeries& series : *corpus) {
    std::unique_ptr<SeriesDetector> detector = MakeDefaultUnivariateDetector();
    if (detector == nullptr) return Fail(Status::Internal("default detector failed to build"));
    std::vector<double> scores;
    scores.reserve(series.values.size());
    for (size_t i = 0; i < series.values.size(); ++i) {
      DetectorOutput out = detector->Update(series.timestamps[i], series.values[i]);
      scores.push_back(std::isfinite(out.score) ? out.score : 0.0);
    }
    std::string path = (std::filesystem::path(f.out) / ResultPath(series.relative_path)).string();
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    if (ec) return Fail(Status::IoError(fmt::format("cannot create {}: {}", path, ec.message())));
    Status st = WriteOutput(path, FormatNabScoresCsv(series, scores));
    if (!st.ok()) return Fail(st);
    all_scores.push_back(std::move(scores));
  }
  fmt::print(stderr, "wrote {} result files under {}\n", corpus->size(), f.out);
  if (f.no_score) return 0;

  Result<std::vector<NabResult>> results = NabScorer().Score(*corpus, all_scores);
  if (!results.ok()) return Fail(results.status());
  std::string json;
  JsonWriter w(&json, 2);
  w.BeginObject().Key("detector").String("inferscope default").Key("profiles").BeginArray();
  fmt::print("{:<22} {:>10} {:>10} {:>5} {:>5} {:>5}\n", "profile", "score", "threshold", "tp",
             "fp", "fn");
  for (const NabResult& r : *results) {
    fmt::print("{:<22} {:>10.1f} {:>10.4f} {:>5} {:>5} {:>5}\n", r.profile.name, r.normalized,
               r.threshold, r.tp, r.fp, r.fn);
    w.BeginObject()
        .Key("profile")
        .String(r.profile.name)
        .Key("normalized")
        .Number(r.normalized)
        .Key("threshold")
        .Number(std::isfinite(r.threshold) ? r.threshold : 1e308)
        .Key("raw")
        .Number(r.raw)
        .Key("tp")
        .Int(r.tp)
        .Key("fp")
        .Int(r.fp)
        .Key("fn")
        .Int(r.fn)
        .EndObject();
  }
  w.EndArray().EndObject();
  json.push_back('\n');
  Status st = WriteOutput((std::filesystem::path(f.out) / "scores.json").string(), json);
  if (!st.ok()) return Fail(st);
  return 0;
}

}  // namespace inferscope
