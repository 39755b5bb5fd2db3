#ifndef INFERSCOPE_STATS_CORRELATION_MATRIX_H_
#define INFERSCOPE_STATS_CORRELATION_MATRIX_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace inferscope {

// Pearson and Spearman correlation between k numeric variables, fed one row at a time.
//
// A row is k doubles where NaN (or ±inf) means "absent"; each pair uses the rows where both are
// present (pairwise-complete).
//
// Pearson is exact over all rows. Rows are grouped by presence mask (which columns are
// present); real logs have a handful of distinct masks. Each mask keeps dense sums of the
// present values and of their pairwise products, taken relative to a per-mask reference
// value per column (a shift, so the raw-sum formula does not cancel catastrophically for
// large means). Every kBlockRows rows of a mask the sums are folded into centred moments
// (Chan et al.'s pairwise update) and the reference moves to the running mean, so rounding
// error stays at the level of a two-pass computation. Pearson() merges, per pair, the masks
// that contain both columns. After kMaxMasks distinct masks, or when k > 64, rows with a new
// mask take a per-pair Welford update instead (slower; same result up to rounding). AddRow is
// O(k²), rows of a mask are buffered four at a time, and nothing is allocated
// except when a new mask first appears.
//
// Spearman needs ranks, so it is computed on a uniform reservoir sample of at most
// `reservoir_rows` rows (Algorithm R with a fixed-seed generator and integer arithmetic only,
// so results are deterministic on every platform); ties get average ranks. Each column is
// sorted once; pairs whose columns are present in different sampled rows are re-ranked on
// their joint rows from that order, without sorting again.
//
// Merge combines matrices fed disjoint sets of rows (one per thread): Pearson moments merge
// with Chan et al.'s formula (equal to one matrix fed every row up to rounding). The two
// reservoirs merge into a uniform sample of the union: when both inputs together have at most
// reservoir_rows rows every row is kept (Spearman is then exactly the single-pass value);
// otherwise the number taken from each side is drawn from the hypergeometric distribution
// (R draws without replacement from nA + nB rows), and that many rows are picked uniformly
// from each side's reservoir, with this matrix's fixed-seed generator, so a merge in a fixed
// order is deterministic. The merged sample differs from the one a single pass would draw,
// so Spearman then agrees with it within sampling error, not bit for bit.
//
// Memory: O(kMaxMasks · k² + reservoir_rows · k) doubles. Not thread-safe.
class CorrelationMatrix {
 public:
  // Distinct presence masks with dense accumulators; further masks use the per-pair path.
  static constexpr int kMaxMasks = 64;
  // Rows summed relative to a fixed reference before they are folded into centred moments.
  static constexpr uint32_t kBlockRows = 1024;

  CorrelationMatrix(int variables, int reservoir_rows = 50'000, uint64_t seed = 42);

  // `row` points at `variables` doubles.
  void AddRow(const double* row);

  // Adds the rows `other` was fed (same variables and reservoir size, else a no-op that
  // returns false). AddRow may follow: sampling continues with Algorithm L's weight set to
  // its expected value R / (rows + 1) (its relative spread is 1/sqrt(R)).
  bool Merge(const CorrelationMatrix& other);

  int variables() const { return k_; }
  uint64_t rows() const { return rows_; }
  uint64_t sampled_rows() const { return sample_.size() / static_cast<size_t>(k_); }

  // k×k row-major; diagonal 1 where the variable has variance; NaN where a pair has fewer
  // than 3 joint observations or a zero variance.
  std::vector<double> Pearson() const;
  std::vector<double> Spearman() const;

 private:
  // Central moments of one pair; means are relative to anchor_ of each column.
  struct PairMoments {
    uint64_t n = 0;
    double mean_x = 0, mean_y = 0, m2_x = 0, m2_y = 0, c_xy = 0;
  };

  // Rows of one mask are buffered and added to the sums four at a time, which quarters the
  // loads and stores of the product matrix per row.
  static constexpr int kPendingRows = 4;
  static_assert(kBlockRows % kPendingRows == 0);

  // Dense accumulator for the rows sharing one presence mask; its m present columns are kept
  // in ascending order. A row is stored as `stride` doubles d = x · scale − ref: the m present
  // values minus their reference, then a constant 1 at index m (scale 0, ref −1), so that
  // column m of the product matrix holds the plain sums Σ d for free, then 0 padding up to an
  // even length, so the product loop works on whole SSE pairs. `cross` has m rows of stride;
  // its entries [r][c] with c >= r are meaningful, m2 likewise. One allocation:
  // ref | scale | mean | cross | m2 | pending.
  struct MaskAccumulator {
    uint64_t mask = 0;
    int m = 0;
    int stride = 0;
    bool leading = false;      // the present columns are 0..m-1, so row needs no gather
    int pending_n = 0;         // rows in `pending`, not yet in `cross`
    uint32_t block_n = 0;      // rows in `cross`
    uint64_t n = 0;            // rows folded into mean and m2
    uint8_t columns[66] = {};  // m present columns, then the stride padding (any valid column)
    std::vector<double> data;

    double* ref() { return data.data(); }            // shift of the current block
    double* scale() { return ref() + stride; }       // 1 for present columns, else 0
    double* mean() { return scale() + stride; }      // mean of folded rows, minus ref
    double* cross() { return mean() + stride; }      // Σ d_r · d_c over the block
    double* m2() { return cross() + m * stride; }    // centred co-moments of folded rows
    double* pending() { return m2() + m * stride; }  // kPendingRows rows of d
    const double* ref() const { return data.data(); }
    const double* scale() const { return ref() + stride; }
    const double* mean() const { return scale() + stride; }
    const double* cross() const { return mean() + stride; }
    const double* m2() const { return cross() + m * stride; }
    const double* pending() const { return m2() + m * stride; }
  };

  MaskAccumulator* FindOrAddMask(uint64_t mask, const double* row);
  static void AddToMask(MaskAccumulator& a, const double* __restrict row);
  static void FoldBlock(MaskAccumulator& a);
  static void Merge(PairMoments& into, const PairMoments& from);
  // The accumulator's rows folded into (n, mean relative to ref(), m2), pending rows included.
  static uint64_t Folded(const MaskAccumulator& a, std::vector<double>* mean,
                         std::vector<double>* m2);
  static void MergeMask(MaskAccumulator& into, const MaskAccumulator& from);
  // Adds a mask's folded moments into per-pair moments relative to `anchor`.
  static void AddMaskToPairs(const MaskAccumulator& a, const std::vector<double>& anchor, int k,
                             std::vector<PairMoments>* pairs);
  void MergeReservoir(const CorrelationMatrix& other);
  void AddRowPairwise(const double* row);
  void Sample(const double* row, size_t slot);  // slot == sampled_rows() appends

  int k_;
  int reservoir_rows_;
  uint64_t rows_ = 0;
  uint64_t rng_state_;
  // Reservoir sampling by Li's Algorithm L: instead of a random draw per row, draw how many
  // rows to skip until the next replacement (O(reservoir x log(rows / reservoir)) draws in
  // all). next_replace_ is the 1-based row number of the next replacement; w_ the current
  // acceptance weight.
  uint64_t next_replace_ = 0;
  double w_ = 0;
  void ScheduleNextReplacement();
  size_t last_mask_ = 0;                // index into masks_ of the previous row's mask
  std::vector<MaskAccumulator> masks_;  // at most kMaxMasks, in order of first appearance
  std::vector<double> anchor_;          // k: first finite value seen per column
  std::vector<uint8_t> anchored_;       // k
  std::vector<PairMoments> pairs_;      // fallback rows, upper triangle incl. diagonal, k*(k+1)/2
  std::vector<double> sample_;          // reservoir, row-major
};

}  // namespace inferscope

#endif  // INFERSCOPE_STATS_CORRELATION_MATRIX_H_
