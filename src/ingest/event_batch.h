#ifndef INFERSCOPE_INGEST_EVENT_BATCH_H_
#define INFERSCOPE_INGEST_EVENT_BATCH_H_

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "core/event.h"
#include "ingest/event_sink.h"

namespace inferscope {

// An EventSink that keeps every Event it is handed, copying their strings (and attributes)
// into its own arena, so the batch outlives the parser's buffers. Used by the server to
// collect one request's events before storing them as one durable write.
//
// Memory: the events plus their string bytes, in 64 KiB arena blocks (larger strings get
// a block of their own). Views in the kept Events stay valid until Clear() or destruction;
// the batch is movable but not copyable. Not thread-safe.
class EventBatch final : public EventSink {
 public:
  EventBatch() = default;
  EventBatch(EventBatch&&) = default;
  EventBatch& operator=(EventBatch&&) = default;

  void OnEvent(const Event& event) override;

  std::span<const Event> events() const { return events_; }
  size_t size() const { return events_.size(); }
  // Bytes held by the string arena.
  size_t arena_bytes() const { return arena_bytes_; }
  void Clear();

 private:
  std::string_view Copy(std::string_view text);

  std::vector<Event> events_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* cursor_ = nullptr;
  size_t left_ = 0;
  size_t arena_bytes_ = 0;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_EVENT_BATCH_H_
