#ifndef INFERSCOPE_STATS_CORRELATION_MATRIX_H_
#define INFERSCOPE_STATS_CORRELATION_MATRIX_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace inferscope {

// Pearson and Spearman correlation between k numeric variables, fed one row at a time.
//
// A row is k doubles where NaN (or ±inf) means "absent"; each pair uses the rows where both are
// present (pairwise-complete). Pearson is exact over all rows: per pair it keeps count,
// means and co-moments (numerically stable updates), O(k²) per row, no allocation.
// Spearman needs ranks, so it is computed on a uniform reservoir sample of at most
// `reservoir_rows` rows (Algorithm R with a fixed-seed generator, so results are
// deterministic); ties get average ranks. Memory: O(k² + reservoir_rows · k).
// Not thread-safe.
class CorrelationMatrix {
 public:
  CorrelationMatrix(int variables, int reservoir_rows = 50'000, uint64_t seed = 42);

  // `row` points at `variables` doubles.
  void AddRow(const double* row);

  int variables() const { return k_; }
  uint64_t rows() const { return rows_; }
  uint64_t sampled_rows() const { return sample_.size() / static_cast<size_t>(k_); }

  // k×k row-major; diagonal 1 where the variable has variance; NaN where a pair has fewer
  // than 3 joint observations or a zero variance.
  std::vector<double> Pearson() const;
  std::vector<double> Spearman() const;

 private:
  struct PairMoments {
    uint64_t n = 0;
    double mean_x = 0, mean_y = 0, m2_x = 0, m2_y = 0, c_xy = 0;
  };
  int k_;
  int reservoir_rows_;
  uint64_t rows_ = 0;
  uint64_t rng_state_;
  std::vector<PairMoments> pairs_;  // upper triangle incl. diagonal, k*(k+1)/2
  std::vector<double> sample_;      // reservoir, row-major
};

}  // namespace inferscope

#endif  // INFERSCOPE_STATS_CORRELATION_MATRIX_H_
