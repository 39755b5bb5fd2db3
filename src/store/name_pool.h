#ifndef INFERSCOPE_STORE_NAME_POOL_H_
#define INFERSCOPE_STORE_NAME_POOL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace inferscope {

// Reference-counted interned strings with small integer ids: tables that share a pool name
// their keys by id, so that a key looked up once is found in each table by comparing
// integers. A name lives while it has references; its id is then reused. Not thread-safe.
class NamePool {
 public:
  static constexpr uint32_t kNotFound = UINT32_MAX;

  // The id of `name`, adding one reference (and the name, if absent).
  uint32_t Intern(std::string_view name);
  // Drops one reference of a live id; the name goes when none is left.
  void Release(uint32_t id);
  // The id of `name` if it is live, else kNotFound; adds no reference.
  uint32_t Find(std::string_view name) const;
  // The name of a live id.
  const std::string& Name(uint32_t id) const { return entries_[id].name; }
  // One past the largest id ever handed out (for tables indexed by id).
  size_t id_limit() const { return entries_.size(); }
  size_t live() const { return index_.size(); }
  // Changes whenever a name goes (its id may then be reused for another name): ids looked
  // up earlier are still those names while the generation is unchanged.
  uint64_t generation() const { return generation_; }
  // Heap bytes held, approximately (for memory budgets).
  size_t MemoryBytes() const;

 private:
  struct Entry {
    std::string name;
    uint64_t refs = 0;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  uint64_t generation_ = 0;
  std::vector<Entry> entries_;
  std::vector<uint32_t> free_;
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> index_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_STORE_NAME_POOL_H_
