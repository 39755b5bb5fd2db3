#ifndef INFERSCOPE_API_ANOMALY_API_H_
#define INFERSCOPE_API_ANOMALY_API_H_

#include "api/http_server.h"
#include "core/clock.h"
#include "store/metadata_store.h"

namespace inferscope {

// The anomaly endpoints of /api/v1 (docs/serve.md), read from the metadata store:
//   GET    anomalies            filters model, metric, severity (minimum), state, since, limit
//   GET    anomalies/{id}
//   DELETE anomalies?older_than_hours=N
//   GET    insights             one per anomaly: what, why, what to do
//   GET    recommendations      the actions of the open anomalies, most severe first
// Anomalies use the shared schema (docs/analyze-output.md#anomalies). Thread-safe;
// `metadata` and `clock` are not owned.
class AnomalyApi {
 public:
  AnomalyApi(MetadataStore* metadata, const Clock* clock) : metadata_(metadata), clock_(clock) {}
  void Register(HttpServer& server);

  void List(const ApiRequest& request, ApiResponse& response) const;
  void Get(const ApiRequest& request, ApiResponse& response) const;
  void Delete(const ApiRequest& request, ApiResponse& response) const;
  void Insights(const ApiRequest& request, ApiResponse& response) const;
  void Recommendations(const ApiRequest& request, ApiResponse& response) const;

 private:
  MetadataStore* metadata_;
  const Clock* clock_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_API_ANOMALY_API_H_
