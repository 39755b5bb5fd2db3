#ifndef INFERSCOPE_API_ANOMALY_RECORD_CODEC_H_
#define INFERSCOPE_API_ANOMALY_RECORD_CODEC_H_

#include "detect/anomaly.h"
#include "store/metadata_store.h"

namespace inferscope {

// Anomalies as the metadata store keeps them (enums by their stable names, labels as a JSON
// object) and back. FromAnomalyRecord maps unknown names to the defaults (outlier, low,
// pending, above) rather than failing: a newer version's kinds stay listable.
AnomalyRecord ToAnomalyRecord(const Anomaly& anomaly);
Anomaly FromAnomalyRecord(const AnomalyRecord& record);

}  // namespace inferscope

#endif  // INFERSCOPE_API_ANOMALY_RECORD_CODEC_H_
