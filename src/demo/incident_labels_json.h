#ifndef INFERSCOPE_DEMO_INCIDENT_LABELS_JSON_H_
#define INFERSCOPE_DEMO_INCIDENT_LABELS_JSON_H_

#include <string>
#include <vector>

#include "demo/demo_options.h"
#include "demo/incident.h"

namespace inferscope {

// The ground-truth file of a demo run, pretty-printed JSON (docs/demo.md):
//   {"generator": {"seed": 1, "start": "2026-01-05T00:00:00Z", "end": "...", "rps": 5},
//    "incidents": [{"kind": "latency_spike", "model": "llama-3-8b", "start": "...",
//                   "end": "...", "description": "..."}]}
// Times are ISO-8601 UTC; "end" is exclusive; model "*" means fleet-wide.
std::string IncidentLabelsToJson(const std::vector<IncidentLabel>& labels,
                                 const DemoOptions& options);

}  // namespace inferscope

#endif  // INFERSCOPE_DEMO_INCIDENT_LABELS_JSON_H_
