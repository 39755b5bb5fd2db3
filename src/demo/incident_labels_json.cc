#include "demo/incident_labels_json.h"

#include "core/json_writer.h"
#include "core/time_format.h"

namespace inferscope {
namespace {

// Seconds precision unless the time has a fraction (label windows are whole seconds).
std::string Iso(TimestampNs t) { return FormatIso8601(t, t % kNanosPerSecond != 0); }

}  // namespace

std::string IncidentLabelsToJson(const std::vector<IncidentLabel>& labels,
                                 const DemoOptions& options) {
  std::string out;
  JsonWriter w(&out, 2);
  w.BeginObject();
  w.Key("generator").BeginObject();
  w.Key("seed").Uint(options.seed);
  w.Key("start").String(Iso(options.start_ns));
  w.Key("end").String(Iso(options.start_ns + options.duration_ns));
  w.Key("rps").Number(options.requests_per_s);
  w.EndObject();
  w.Key("incidents").BeginArray();
  for (const IncidentLabel& label : labels) {
    w.BeginObject();
    w.Key("kind").String(IncidentKindName(label.kind));
    w.Key("model").String(label.model);
    w.Key("start").String(Iso(label.start_ns));
    w.Key("end").String(Iso(label.end_ns));
    w.Key("description").String(label.description);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  out += '\n';
  return out;
}

}  // namespace inferscope
