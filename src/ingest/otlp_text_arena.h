#ifndef INFERSCOPE_INGEST_OTLP_TEXT_ARENA_H_
#define INFERSCOPE_INGEST_OTLP_TEXT_ARENA_H_

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace inferscope {

// Owns copies of short strings for the OTLP parsers (canonical JSON text of attribute
// values, lowercase hex ids, prefixed keys), so that Events can hold views of them.
//
// A view returned by Copy() stays valid until Reset() or destruction: the arena never moves
// what it has handed out (it grows by adding blocks). Reset() keeps the first block, so a
// parser reusing one arena per span allocates only when a span needs more than a block.
// Not thread-safe.
class OtlpTextArena {
 public:
  OtlpTextArena() = default;
  OtlpTextArena(const OtlpTextArena&) = delete;
  OtlpTextArena& operator=(const OtlpTextArena&) = delete;

  // Copies `text` into the arena and returns a view of the copy.
  std::string_view Copy(std::string_view text);

  // Forgets every copy (their views dangle from now on).
  void Reset();

  // Bytes handed out since the last Reset().
  size_t used() const { return used_; }

 private:
  static constexpr size_t kBlockBytes = 16 * 1024;
  struct Block {
    std::unique_ptr<char[]> data;
    size_t size = 0;
    size_t capacity = 0;
  };
  std::vector<Block> blocks_;
  size_t used_ = 0;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_OTLP_TEXT_ARENA_H_
