#ifndef INFERSCOPE_INGEST_FILTERING_SINK_H_
#define INFERSCOPE_INGEST_FILTERING_SINK_H_

#include <cstdint>
#include <vector>

#include "ingest/event_filter.h"
#include "ingest/event_sink.h"

namespace inferscope {

// Passes the events matching a filter to every downstream sink, in order, and counts the
// ones it drops. Does not own the filter or the sinks; both must outlive it.
class FilteringSink final : public EventSink {
 public:
  FilteringSink(const EventFilter& filter, std::vector<EventSink*> downstream)
      : filter_(filter), downstream_(std::move(downstream)) {}

  void OnEvent(const Event& event) override {
    if (!filter_.Matches(event)) {
      ++dropped_;
      return;
    }
    for (EventSink* sink : downstream_) sink->OnEvent(event);
  }

  uint64_t dropped() const { return dropped_; }

 private:
  const EventFilter& filter_;
  std::vector<EventSink*> downstream_;
  uint64_t dropped_ = 0;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_FILTERING_SINK_H_
