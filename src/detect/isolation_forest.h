#ifndef INFERSCOPE_DETECT_ISOLATION_FOREST_H_
#define INFERSCOPE_DETECT_ISOLATION_FOREST_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"

namespace inferscope {

struct IsolationForestOptions {
  int trees = 64;         // ensemble size
  int sample_size = 128;  // rows per tree (psi); the height limit is ceil(log2(psi))
  uint64_t seed = 1;      // deterministic: same rows and seed, same forest
  // Range-aware scoring (the "range check" of SCiForest, Liu, Ting & Zhou 2010): a row
  // outside the training range [lo, hi] of a node's split feature is taken as isolated at that
  // node with the probability that a split drawn uniformly over the range widened to include
  // it would separate it, p = distance outside / widened range; otherwise it goes on as
  // usual. Without it, every row beyond the training range scores like the most extreme
  // training row, however far out it is. Off = the original algorithm.
  bool range_aware = false;

  Status Validate() const;
};

// Isolation forest (Liu, Ting & Zhou, ICDM 2008) over d-dimensional rows: anomalies are
// isolated by fewer random axis-parallel splits. Score(x) = 2^(-E[h(x)] / c(psi)), where h is
// the path length (plus c(size) at an unsplit leaf) and c(n) = 2 H(n-1) - 2 (n-1) / n is the
// average path of an unsuccessful BST search: ~0.5 or less for ordinary rows, towards 1 for
// anomalies. Rows containing NaN are not used for training; NaN features of a scored row
// follow both branches (the mean path is taken).
//
// Memory: trees x (2 psi - 1) nodes of 20 bytes (64 x 255 x 20 = 326 KB by default): one
// forest per model, not per series. Fit is O(trees x psi log psi); Score O(trees x log psi).
// Not thread-safe while fitting; Score is const and thread-safe.
class IsolationForest {
 public:
  explicit IsolationForest(IsolationForestOptions options = {});

  // rows: n x dims, row-major. Needs at least 2 usable rows.
  Status Fit(std::span<const double> rows, int dims);
  bool fitted() const { return !trees_.empty(); }
  int dims() const { return dims_; }

  double Score(std::span<const double> row) const;

  // Bytes held by the fitted trees (nodes), 0 before Fit.
  size_t NodeBytes() const;

  // Average path length of an unsuccessful search in a BST of n nodes (c(n) above).
  static double AveragePathLength(double n);

 private:
  struct Node {
    int32_t dim = -1;  // -1 = leaf
    float split = 0;
    int32_t right = 0;     // left child is the next node; leaf: number of rows in it
    float lo = 0, hi = 0;  // range of the split feature among the node's training rows
  };
  int Build(std::vector<Node>& nodes, std::vector<const double*>& rows, size_t begin, size_t end,
            int depth, int max_depth, uint64_t& rng);
  double PathLength(const std::vector<Node>& nodes, int at, std::span<const double> row,
                    int depth) const;

  IsolationForestOptions options_;
  int dims_ = 0;
  double psi_ = 0;                 // rows per tree actually used by the last Fit (<= sample_size)
  std::vector<double> leaf_path_;  // AveragePathLength(n) for n = 0..psi (leaf sizes)
  std::vector<std::vector<Node>> trees_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_ISOLATION_FOREST_H_
