#include "store/name_pool.h"

#include <cassert>

namespace inferscope {

uint32_t NamePool::Intern(std::string_view name) {
  auto it = index_.find(name);
  if (it == index_.end()) {
    uint32_t id;
    if (free_.empty()) {
      id = static_cast<uint32_t>(entries_.size());
      entries_.emplace_back();
    } else {
      id = free_.back();
      free_.pop_back();
    }
    entries_[id].name.assign(name);
    it = index_.emplace(std::string(name), id).first;
  }
  ++entries_[it->second].refs;
  return it->second;
}

void NamePool::Release(uint32_t id) {
  Entry& entry = entries_[id];
  assert(entry.refs > 0);
  if (--entry.refs != 0) return;
  index_.erase(entry.name);
  entry.name.clear();
  entry.name.shrink_to_fit();
  free_.push_back(id);
  ++generation_;
}

uint32_t NamePool::Find(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? kNotFound : it->second;
}

size_t NamePool::MemoryBytes() const {
  size_t bytes = entries_.capacity() * sizeof(Entry) + free_.capacity() * sizeof(uint32_t) +
                 index_.bucket_count() * sizeof(void*);
  for (const auto& [name, id] : index_) {
    // A hash node (name, id, next pointer, cached hash) and the two copies' heap parts.
    bytes += sizeof(std::string) + 3 * sizeof(void*) + 2 * (name.size() > 15 ? name.size() : 0);
  }
  return bytes;
}

}  // namespace inferscope
