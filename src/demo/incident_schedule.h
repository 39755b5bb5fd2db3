#ifndef INFERSCOPE_DEMO_INCIDENT_SCHEDULE_H_
#define INFERSCOPE_DEMO_INCIDENT_SCHEDULE_H_

#include <vector>

#include "core/result.h"
#include "demo/demo_options.h"
#include "demo/incident.h"
#include "demo/model_profile.h"

namespace inferscope {

// One incident placed in time, with the parameters the generator applies inside its window.
// What `magnitude` and `secondary` mean depends on the kind:
//   latency_spike      magnitude = latency factor (3-6)
//   error_burst        magnitude = error rate (0.15-0.40)
//   gpu_underutil      magnitude = gpu_util level in percent (10-25), secondary = queue depth
//                      reached (10-40)
//   poor_batching      magnitude = batch fill ratio (0.05-0.2), secondary = latency factor
//   cost_spike         magnitude = output-token factor for the busiest user
//                      (10-30); their input tokens grow by magnitude / 3
//   cache_degradation  magnitude = cache hit rate (about 0.02), secondary = latency factor
//   latency_drift      magnitude = peak latency factor (2.2-2.8)
//   traffic_drop       magnitude = fraction of traffic kept (0.10-0.20)
struct ScheduledIncident {
  IncidentLabel label;
  int model_index = -1;  // index into the profiles, or -1 for fleet-wide
  double magnitude = 1;
  double secondary = 1;
  int user_rank = -1;  // cost_spike only: the user whose requests explode (UserPopulation rank)

  bool Covers(TimestampNs t) const { return t >= label.start_ns && t < label.end_ns; }
  bool Affects(TimestampNs t, int model) const {
    return Covers(t) && (model_index < 0 || model_index == model);
  }
};

// Places options.incidents in [start + 20% of the span, end): each gets a seeded duration
// (10-40 min; latency_drift 3-6 h), a seeded model that can show it (GPU kinds only on
// self-hosted models, cost_spike not on embedding models; traffic_drop fleet-wide half the
// time) and seeded magnitudes. cost_spike hits the busiest user. Windows are whole seconds and at
// least 30 min apart, in a seeded order; on a short span everything is scaled down to fit. Returned
// in time order. Fails when the span is too short (an incident would last under 2 min) or no model
// can show a requested kind.
Result<std::vector<ScheduledIncident>> ScheduleIncidents(const DemoOptions& options,
                                                         const std::vector<ModelProfile>& models);

}  // namespace inferscope

#endif  // INFERSCOPE_DEMO_INCIDENT_SCHEDULE_H_
