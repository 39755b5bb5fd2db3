#include "ingest/event_batch.h"

#include <cstring>

namespace inferscope {
namespace {
constexpr size_t kBlockBytes = 64 << 10;
}  // namespace

std::string_view EventBatch::Copy(std::string_view text) {
  if (text.empty()) return {};
  if (text.size() > left_) {
    size_t size = text.size() > kBlockBytes / 4 ? text.size() : kBlockBytes;
    blocks_.push_back(std::make_unique<char[]>(size));
    arena_bytes_ += size;
    if (size == text.size()) {
      // A large string gets its own block; the current block stays in use.
      std::memcpy(blocks_.back().get(), text.data(), text.size());
      return {blocks_.back().get(), text.size()};
    }
    cursor_ = blocks_.back().get();
    left_ = size;
  }
  std::memcpy(cursor_, text.data(), text.size());
  std::string_view out(cursor_, text.size());
  cursor_ += text.size();
  left_ -= text.size();
  return out;
}

void EventBatch::OnEvent(const Event& event) {
  events_.push_back(event);
  Event& e = events_.back();
  for (std::string_view* field :
       {&e.request_id, &e.model, &e.status_text, &e.cache_tier, &e.task_type, &e.user, &e.service,
        &e.trace_id, &e.span_id, &e.parent_span_id}) {
    *field = Copy(*field);
  }
  for (auto& [key, value] : e.attributes) {
    key = Copy(key);
    value = Copy(value);
  }
}

void EventBatch::Clear() {
  events_.clear();
  blocks_.clear();
  cursor_ = nullptr;
  left_ = 0;
  arena_bytes_ = 0;
}

}  // namespace inferscope
