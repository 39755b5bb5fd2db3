#ifndef INFERSCOPE_STATS_TOP_K_H_
#define INFERSCOPE_STATS_TOP_K_H_

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace inferscope {

// Keeps the k items with the largest scores seen so far (a min-heap of size k).
// Push is O(log k); WouldAccept is O(1) so hot paths can skip building an item that would be
// dropped. Ties keep the earlier item. Memory: k items. Not thread-safe.
template <typename T>
class TopK {
 public:
  explicit TopK(size_t k) : k_(k) { heap_.reserve(k); }

  bool WouldAccept(double score) const {
    return k_ > 0 && (heap_.size() < k_ || score > heap_.front().first);
  }

  void Push(double score, T item) {
    if (!WouldAccept(score)) return;
    if (heap_.size() == k_) {
      std::pop_heap(heap_.begin(), heap_.end(), Greater);
      heap_.pop_back();
    }
    heap_.emplace_back(score, std::move(item));
    std::push_heap(heap_.begin(), heap_.end(), Greater);
  }

  // Merges another TopK's items (keeping the k largest overall).
  void Merge(const TopK& other) {
    for (const auto& [s, item] : other.heap_) Push(s, item);
  }

  // Items, largest score first.
  std::vector<std::pair<double, T>> SortedDescending() const {
    auto out = heap_;
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    return out;
  }

  size_t size() const { return heap_.size(); }

 private:
  static bool Greater(const std::pair<double, T>& a, const std::pair<double, T>& b) {
    return a.first > b.first;
  }
  size_t k_;
  std::vector<std::pair<double, T>> heap_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_STATS_TOP_K_H_
