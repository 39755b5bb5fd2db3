#ifndef INFERSCOPE_STATS_TOP_K_H_
#define INFERSCOPE_STATS_TOP_K_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace inferscope {

// Keeps the k items with the largest scores seen so far (a min-heap of size k).
//
// Items are ranked by score, then by their position in the input (`order`, lower first), a
// strict total order: ties keep the earlier item, whatever the arrival order, so the kept
// set is exactly the k best by (score desc, order asc). That is what makes Merge exact:
// TopKs fed disjoint parts of an input, with orders that follow the input, merge into the
// TopK a single pass would have built. Push without an order numbers items in arrival order
// (after the largest order seen). Push is O(log k); WouldAccept is O(1) so hot paths can skip
// building an item that would be dropped. Memory: k items. Not thread-safe.
template <typename T>
class TopK {
 public:
  explicit TopK(size_t k) : k_(k) { heap_.reserve(k); }

  // Whether an item later in the input than every kept one would be kept.
  bool WouldAccept(double score) const {
    return k_ > 0 && (heap_.size() < k_ || score > heap_.front().score);
  }

  void Push(double score, T item) { Push(score, next_order_, std::move(item)); }

  // `order`: the item's position in the input; the lower one wins a tie on score.
  void Push(double score, uint64_t order, T item) {
    if (order >= next_order_) next_order_ = order + 1;
    if (k_ == 0) return;
    Entry e{score, order, std::move(item)};
    if (heap_.size() == k_) {
      if (!Better(e, heap_.front())) return;
      std::pop_heap(heap_.begin(), heap_.end(), Better);
      heap_.pop_back();
    }
    heap_.push_back(std::move(e));
    std::push_heap(heap_.begin(), heap_.end(), Better);
  }

  // Merges another TopK's items (keeping the k best overall by score, then order), their
  // orders shifted by `order_offset`: when `other` was fed the part of the input after the
  // `order_offset` items this one was numbered over, the result is what one TopK fed both
  // parts would hold.
  void Merge(const TopK& other, uint64_t order_offset = 0) {
    for (const Entry& e : other.heap_) Push(e.score, e.order + order_offset, e.item);
  }
  void Merge(TopK&& other, uint64_t order_offset = 0) {
    for (Entry& e : other.heap_) Push(e.score, e.order + order_offset, std::move(e.item));
    other.heap_.clear();
  }

  // Items, largest score first (ties: earlier order first).
  std::vector<std::pair<double, T>> SortedDescending() const {
    std::vector<const Entry*> sorted;
    sorted.reserve(heap_.size());
    for (const Entry& e : heap_) sorted.push_back(&e);
    std::sort(sorted.begin(), sorted.end(),
              [](const Entry* a, const Entry* b) { return Better(*a, *b); });
    std::vector<std::pair<double, T>> out;
    out.reserve(sorted.size());
    for (const Entry* e : sorted) out.emplace_back(e->score, e->item);
    return out;
  }

  size_t size() const { return heap_.size(); }

 private:
  struct Entry {
    double score;
    uint64_t order;
    T item;
  };
  // The heap's front is the worst kept item: the one every other is Better than.
  static bool Better(const Entry& a, const Entry& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.order < b.order;
  }
  size_t k_;
  uint64_t next_order_ = 0;
  std::vector<Entry> heap_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_STATS_TOP_K_H_
