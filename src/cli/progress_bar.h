#ifndef INFERSCOPE_CLI_PROGRESS_BAR_H_
#define INFERSCOPE_CLI_PROGRESS_BAR_H_

#include <cstdint>
#include <cstdio>
#include <string>

#include "core/clock.h"

namespace inferscope {

// A one-line progress bar on a terminal: percentage, bytes, throughput, ETA. Draws at most
// ten times a second and only when `enabled` (the CLI enables it when stderr is a TTY).
// Update is cheap when nothing is drawn. Not thread-safe.
class ProgressBar {
 public:
  ProgressBar(std::FILE* out, bool enabled, const Clock& clock = SystemClock::Instance());
  ~ProgressBar();

  // done/total in bytes; total 0 = unknown (shows bytes and rate only).
  void Update(uint64_t done, uint64_t total);
  // Erases the bar.
  void Finish();

 private:
  std::FILE* out_;
  bool enabled_;
  const Clock& clock_;
  int64_t start_ns_;
  int64_t last_draw_ns_ = 0;
  bool drawn_ = false;
};

// "1.2 GB", "640 MB", "12 kB", "512 B" (decimal units).
std::string FormatDecimalBytes(double bytes);

}  // namespace inferscope

#endif  // INFERSCOPE_CLI_PROGRESS_BAR_H_
