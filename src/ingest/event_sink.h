#ifndef INFERSCOPE_INGEST_EVENT_SINK_H_
#define INFERSCOPE_INGEST_EVENT_SINK_H_

#include "core/event.h"

namespace inferscope {

// Receives parsed events. The Event and every view in it are valid only during the call
// (see core/event.h); a sink copies what it keeps. Called from one thread at a time.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void OnEvent(const Event& event) = 0;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_EVENT_SINK_H_
