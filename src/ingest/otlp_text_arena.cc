#include "ingest/otlp_text_arena.h"

#include <algorithm>
#include <cstring>

namespace inferscope {

std::string_view OtlpTextArena::Copy(std::string_view text) {
  if (text.empty()) return {};
  if (blocks_.empty() || blocks_.back().capacity - blocks_.back().size < text.size()) {
    Block b;
    b.capacity = std::max(kBlockBytes, text.size());
    b.data = std::make_unique<char[]>(b.capacity);
    blocks_.push_back(std::move(b));
  }
  Block& b = blocks_.back();
  char* dst = b.data.get() + b.size;
  std::memcpy(dst, text.data(), text.size());
  b.size += text.size();
  used_ += text.size();
  return {dst, text.size()};
}

void OtlpTextArena::Reset() {
  if (blocks_.size() > 1) {
    // Keep one standard block; an oversized first block is dropped too so that one huge
    // value does not pin its memory for the parser's lifetime.
    blocks_.resize(1);
  }
  if (!blocks_.empty() && blocks_[0].capacity > kBlockBytes) blocks_.clear();
  if (!blocks_.empty()) blocks_[0].size = 0;
  used_ = 0;
}

}  // namespace inferscope
