#ifndef INFERSCOPE_DETECT_NAB_SCORER_H_
#define INFERSCOPE_DETECT_NAB_SCORER_H_

#include <cstddef>
#include <string>
#include <vector>

#include "core/result.h"
#include "detect/nab_corpus.h"

namespace inferscope {

// Weights of a NAB application profile.
struct NabProfile {
  std::string name;
  double tp_weight = 1.0;
  double fn_weight = 1.0;
  double fp_weight = 0.11;
};

// Score of one file at a fixed threshold.
struct NabFileResult {
  std::string relative_path;
  double score = 0;  // NAB raw score of this file
  int windows = 0;   // windows with at least one scored (post-probation) row
  int tp = 0;        // of those, windows with a detection
  int fn = 0;        // windows without one (each costs fn_weight)
  int fp = 0;        // scored rows outside every window that fire
  int tp_rows = 0;   // NAB's row counts: scored in-window rows that fire ...
  int fn_rows = 0;   // ... in-window rows that do not ...
  int tn_rows = 0;   // ... out-of-window rows that do not
};

// Corpus score for one profile.
struct NabResult {
  NabProfile profile;
  double threshold = 0;   // detection = score >= threshold; +inf means "never fires"
  double raw = 0;         // sum of the files' scores
  double null_score = 0;  // raw score of a detector that never fires
  double perfect = 0;     // raw score of a detector firing at each window's first scored row
  double normalized = 0;  // 100 (raw - null) / (perfect - null); 0 when perfect == null
  int windows = 0, tp = 0, fn = 0, fp = 0;  // totals of the files' counts
  std::vector<NabFileResult> files;         // corpus order
};

// Scores a detector's per-row anomaly scores on a NAB corpus the way NAB v1.1 does
// (nab/sweeper.py + runner.normalize); see docs/nab.md for the rules and the few places where
// NAB's code is undefined and a choice was made. Stateless apart from its settings;
// thread-safe for concurrent const use.
class NabScorer {
 public:
  // probation_percent: share of each file's first rows that is not scored (NAB: 0.15).
  explicit NabScorer(double probation_percent = 0.15) : probation_percent_(probation_percent) {}

  // standard (tp 1, fn 1, fp 0.11), reward_low_FP_rate (1, 1, 0.22),
  // reward_low_FN_rate (1, 2, 0.11).
  static std::vector<NabProfile> StandardProfiles();

  // NAB's scaled sigmoid: 2 / (1 + e^{5p}) - 1, and -1 for p > 3.
  static double ScaledSigmoid(double position);

  // Rows not scored at the start of a file of n rows: min(floor(pct·n), pct·5000).
  size_t ProbationLength(size_t n) const;

  // For every profile of StandardProfiles(): the threshold maximising the corpus score (one
  // threshold for all files, ties to the higher threshold), and the scores at it.
  // scores[k] holds one finite score per row of corpus[k]. O(N log N) in the total rows N.
  Result<std::vector<NabResult>> Score(const std::vector<NabSeries>& corpus,
                                       const std::vector<std::vector<double>>& scores) const;

  // Same, for one profile.
  Result<NabResult> ScoreProfile(const std::vector<NabSeries>& corpus,
                                 const std::vector<std::vector<double>>& scores,
                                 const NabProfile& profile) const;

  // Scores at a given threshold (no optimisation): a row is a detection when its score is
  // >= threshold.
  Result<NabResult> ScoreAtThreshold(const std::vector<NabSeries>& corpus,
                                     const std::vector<std::vector<double>>& scores,
                                     const NabProfile& profile, double threshold) const;

 private:
  double probation_percent_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_NAB_SCORER_H_
