#ifndef INFERSCOPE_API_QUERY_API_H_
#define INFERSCOPE_API_QUERY_API_H_

#include "api/http_server.h"
#include "core/clock.h"
#include "store/event_store.h"

namespace inferscope {

// The analytics endpoints of /api/v1 (docs/serve.md): summary, percentiles, trends, models
// and events. Aggregates read the store's per-minute rollups only, so their cost grows with
// the time range in minutes, not with the number of raw events; `events` pages through raw
// events. Times are RFC 3339 or unix seconds (`from`, `to`), or `window` (a duration
// back from now); the default window is the last hour.
//
// Handlers are thread-safe (the store is). `store` and `clock` are not owned and must
// outlive the API.
class QueryApi {
 public:
  QueryApi(EventStore* store, const Clock* clock) : store_(store), clock_(clock) {}

  // Registers GET /api/v1/{summary,percentiles,trends,models,events}.
  void Register(HttpServer& server);

  void Summary(const ApiRequest& request, ApiResponse& response) const;
  void Percentiles(const ApiRequest& request, ApiResponse& response) const;
  void Trends(const ApiRequest& request, ApiResponse& response) const;
  void Models(const ApiRequest& request, ApiResponse& response) const;
  void Events(const ApiRequest& request, ApiResponse& response) const;

 private:
  EventStore* store_;
  const Clock* clock_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_API_QUERY_API_H_
