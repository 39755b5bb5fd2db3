#ifndef INFERSCOPE_DETECT_SERIES_DETECTOR_H_
#define INFERSCOPE_DETECT_SERIES_DETECTOR_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace inferscope {

// Which side of the expected value a deviation is on, or which sides a detector watches.
enum class Direction : int8_t { kBelow = -1, kBoth = 0, kAbove = 1 };

// What a detector says about one point of one series.
struct DetectorOutput {
  // Anomaly score in [0, 1]: 0 = normal, 1 = certainly anomalous. Comparable across
  // detectors (each maps its native statistic onto this scale; see docs/detectors.md).
  double score = 0;
  // The value the detector expected and its band; NaN when it has no opinion yet.
  double expected = std::numeric_limits<double>::quiet_NaN();
  double lower = std::numeric_limits<double>::quiet_NaN();
  double upper = std::numeric_limits<double>::quiet_NaN();
  // Side of the deviation (kBoth when score is 0).
  Direction direction = Direction::kBoth;
  // True while the detector has no baseline yet; it must then report score 0.
  bool learning = true;
};

// Appends / reads a detector's state as bytes for checkpoints (format: docs/format/
// detector-state.md). Little-endian fixed-width values; a reader past the end reports
// DataLoss rather than reading garbage.
class StateWriter {
 public:
  explicit StateWriter(std::string* out) : out_(out) {}
  void U8(uint8_t v);
  void U32(uint32_t v);
  void U64(uint64_t v);
  void I64(int64_t v);
  void F64(double v);
  void F32(float v);
  void Bytes(const void* data, size_t n);
  // A U32 length, then the bytes.
  void String(std::string_view s);

 private:
  std::string* out_;
};

class StateReader {
 public:
  StateReader(const char* data, size_t size) : p_(data), end_(data + size) {}
  Status U8(uint8_t* v);
  Status U32(uint32_t* v);
  Status U64(uint64_t* v);
  Status I64(int64_t* v);
  Status F64(double* v);
  Status F32(float* v);
  Status Bytes(void* data, size_t n);
  // Reads what StateWriter::String wrote; DataLoss when the length runs past the end.
  Status String(std::string* s);
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }

 private:
  const char* p_;
  const char* end_;
};

// A streaming detector for one univariate series, fed points in time order.
//
// Contract: Update is O(1) or O(log n) and allocation-free after construction; memory per
// instance is fixed and reported by StateBytes (goal: the default ensemble <= 4 KiB per
// series). Strictly causal: the output for a point depends only on it and earlier points.
// Points with a NaN value are skipped (output: score 0, learning unchanged).
// Not thread-safe; one instance per series.
class SeriesDetector {
 public:
  virtual ~SeriesDetector() = default;

  virtual DetectorOutput Update(TimestampNs ts, double value) = 0;

  // Stable name used in configs, outputs and checkpoints ("robust_z", "cusum", ...).
  virtual std::string_view name() const = 0;
  // Bytes of state this instance holds (object plus owned buffers).
  virtual size_t StateBytes() const = 0;
  // Checkpointing: Save appends the state, Load restores it into an instance built with
  // the same configuration (a mismatch is InvalidArgument/DataLoss, never a crash).
  virtual void Save(StateWriter& out) const = 0;
  virtual Status Load(StateReader& in) = 0;
  // A fresh instance with the same configuration and no state.
  virtual std::unique_ptr<SeriesDetector> CloneEmpty() const = 0;
};

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_SERIES_DETECTOR_H_
