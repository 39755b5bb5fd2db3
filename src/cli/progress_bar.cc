#include "cli/progress_bar.h"

#include <fmt/format.h>

#include <algorithm>

namespace inferscope {

std::string FormatDecimalBytes(double bytes) {
  if (bytes >= 1e9) return fmt::format("{:.1f} GB", bytes / 1e9);
  if (bytes >= 1e6) return fmt::format("{:.0f} MB", bytes / 1e6);
  if (bytes >= 1e3) return fmt::format("{:.0f} kB", bytes / 1e3);
  return fmt::format("{:.0f} B", bytes);
}

ProgressBar::ProgressBar(std::FILE* out, bool enabled, const Clock& clock)
    : out_(out), enabled_(enabled), clock_(clock), start_ns_(clock.MonotonicNs()) {}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  int64_t now = clock_.MonotonicNs();
  if (drawn_ && now - last_draw_ns_ < 100 * kNanosPerMilli) return;
  last_draw_ns_ = now;
  drawn_ = true;
  double secs = static_cast<double>(now - start_ns_) / 1e9;
  double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
  std::string line;
  if (total > 0) {
    double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
    constexpr int kWidth = 30;
    int filled = static_cast<int>(frac * kWidth);
    double eta = rate > 0 ? static_cast<double>(total - std::min(done, total)) / rate : 0;
    line = fmt::format("\r[{}{}] {:3.0f}%  {} / {}  {}/s  ETA {:.0f}s ", std::string(filled, '#'),
                       std::string(kWidth - filled, ' '), frac * 100, FormatDecimalBytes(done),
                       FormatDecimalBytes(total), FormatDecimalBytes(rate), eta);
  } else {
    line = fmt::format("\r{} read  {}/s ", FormatDecimalBytes(done), FormatDecimalBytes(rate));
  }
  std::fputs(line.c_str(), out_);
  std::fflush(out_);
}

void ProgressBar::Finish() {
  if (!enabled_ || !drawn_) return;
  std::fputs("\r\033[K", out_);
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace inferscope
