#include "detect/nab_scorer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace inferscope {
namespace {

constexpr double kNeverFires = std::numeric_limits<double>::infinity();
constexpr size_t kNoRow = static_cast<size_t>(-1);

// Profile-independent facts about each row of one file, as NAB's calcSweepScore derives them.
struct FileRows {
  size_t probation = 0;              // rows [0, probation) are not scored
  std::vector<int32_t> window;       // per row: index of the window it lies in, or -1
  std::vector<double> unweighted;    // per row: scaled sigmoid of its position (see docs/nab.md)
  std::vector<size_t> first_scored;  // per window: first scored row inside it, or kNoRow
};

struct Layout {
  std::vector<FileRows> files;
};

// Maps the windows of a series to rows and computes every row's unweighted value:
//   in a window [l, r] of w rows:  σ(-(r - i + 1) / w)
//   after window [l, r]:           σ(|r - i| / (w - 1))     (σ = -1 when w == 1)
//   before the first window:       -1
Result<FileRows> AnnotateFile(const NabSeries& s, size_t probation) {
  const size_t n = s.timestamps.size();
  FileRows f;
  f.probation = probation;
  f.window.assign(n, -1);
  f.unweighted.assign(n, -1.0);

  struct Span {
    size_t left, right;
  };
  std::vector<Span> spans;
  spans.reserve(s.windows.size());
  // NAB locates a window by timestamp equality in row order (sweeper.py: timestamps.index)
  // and its data has repeated and out-of-order timestamps (DST changes), so search rows in
  // order rather than bisecting. Edges that are not timestamps of the file fall back to the
  // rows inside [start, end].
  const std::vector<TimestampNs>& ts = s.timestamps;
  for (const NabWindow& w : s.windows) {
    auto left = static_cast<size_t>(std::find(ts.begin(), ts.end(), w.first) - ts.begin());
    if (left == n) {
      left = static_cast<size_t>(
          std::find_if(ts.begin(), ts.end(), [&](TimestampNs t) { return t >= w.first; }) -
          ts.begin());
    }
    size_t right = n;
    for (size_t j = left; j < n; ++j) {
      if (ts[j] == w.second) {
        right = j;
        break;
      }
    }
    if (right == n) {
      right = left;
      while (right < n && ts[right] <= w.second) ++right;
      --right;  // wraps to kNoRow when no row is inside
    }
    if (left >= n || right == kNoRow || right < left) {
      return Status::InvalidArgument(fmt::format("{}: a window contains no rows", s.relative_path));
    }
    Span span{left, right};
    if (!spans.empty() && span.left <= spans.back().right) {
      return Status::InvalidArgument(
          fmt::format("{}: windows must be sorted by start and must not overlap", s.relative_path));
    }
    spans.push_back(span);
  }

  size_t next = 0;  // next window not yet entered
  const Span* prev = nullptr;
  for (size_t i = 0; i < n; ++i) {
    if (next < spans.size() && i == spans[next].left) {
      // Entering window `next`; rows until its right edge belong to it.
      const Span& sp = spans[next];
      const double width = static_cast<double>(sp.right - sp.left + 1);
      for (size_t j = sp.left; j <= sp.right; ++j) {
        const double position = -static_cast<double>(sp.right - j + 1) / width;
        f.window[j] = static_cast<int32_t>(next);
        f.unweighted[j] = NabScorer::ScaledSigmoid(position);
      }
      f.first_scored.push_back(
          std::max(sp.left, probation) <= sp.right ? std::max(sp.left, probation) : kNoRow);
      prev = &sp;
      i = sp.right;
      ++next;
      continue;
    }
    if (prev != nullptr) {
      const size_t width = prev->right - prev->left + 1;
      // NAB divides by zero here (a one-row window followed by rows); such a window has no
      // extent to be "close" to, so every later row counts as far away.
      f.unweighted[i] = width <= 1 ? -1.0
                                   : NabScorer::ScaledSigmoid(static_cast<double>(i - prev->right) /
                                                              static_cast<double>(width - 1));
    }
  }
  return f;
}

Status CheckScores(const std::vector<NabSeries>& corpus,
                   const std::vector<std::vector<double>>& scores) {
  if (scores.size() != corpus.size()) {
    return Status::InvalidArgument(
        fmt::format("{} score vectors for a corpus of {} files", scores.size(), corpus.size()));
  }
  for (size_t k = 0; k < corpus.size(); ++k) {
    if (scores[k].size() != corpus[k].timestamps.size()) {
      return Status::InvalidArgument(fmt::format("{}: {} scores for {} rows",
                                                 corpus[k].relative_path, scores[k].size(),
                                                 corpus[k].timestamps.size()));
    }
    for (size_t i = 0; i < scores[k].size(); ++i) {
      if (!std::isfinite(scores[k][i])) {
        return Status::InvalidArgument(
            fmt::format("{}: row {} has a non-finite score", corpus[k].relative_path, i));
      }
    }
  }
  return Status::Ok();
}

// What a scored row is worth when it fires, under a profile (NAB's sweepScore).
double Weighted(const FileRows& f, size_t i, const NabProfile& p) {
  static const double kMaxTp = NabScorer::ScaledSigmoid(-1.0);
  if (f.window[i] >= 0) return f.unweighted[i] * p.tp_weight / kMaxTp;
  return f.unweighted[i] * p.fp_weight;
}

NabFileResult EvaluateFile(const NabSeries& s, const FileRows& f, const std::vector<double>& sc,
                           const NabProfile& p, double threshold) {
  NabFileResult r;
  r.relative_path = s.relative_path;
  const size_t num_windows = f.first_scored.size();
  std::vector<double> best(num_windows, -std::numeric_limits<double>::infinity());
  double fp_sum = 0;
  for (size_t i = f.probation; i < sc.size(); ++i) {
    const bool fires = sc[i] >= threshold;
    const int32_t w = f.window[i];
    if (w >= 0) {
      if (fires) {
        ++r.tp_rows;
        best[static_cast<size_t>(w)] = std::max(best[static_cast<size_t>(w)], Weighted(f, i, p));
      } else {
        ++r.fn_rows;
      }
    } else if (fires) {
      ++r.fp;
      fp_sum += Weighted(f, i, p);
    } else {
      ++r.tn_rows;
    }
  }
  double score = fp_sum;
  for (size_t w = 0; w < num_windows; ++w) {
    if (f.first_scored[w] == kNoRow) continue;  // entirely in probation: not scored
    ++r.windows;
    if (std::isfinite(best[w])) {
      ++r.tp;
      score += best[w];
    } else {
      ++r.fn;
      score -= p.fn_weight;
    }
  }
  r.score = score;
  return r;
}

NabResult Evaluate(const std::vector<NabSeries>& corpus, const Layout& layout,
                   const std::vector<std::vector<double>>& scores, const NabProfile& profile,
                   double threshold) {
  NabResult res;
  res.profile = profile;
  res.threshold = threshold;
  for (size_t k = 0; k < corpus.size(); ++k) {
    NabFileResult fr = EvaluateFile(corpus[k], layout.files[k], scores[k], profile, threshold);
    res.raw += fr.score;
    res.windows += fr.windows;
    res.tp += fr.tp;
    res.fn += fr.fn;
    res.fp += fr.fp;
    res.files.push_back(std::move(fr));
  }
  return res;
}

// Null and perfect baselines, then the normalised score.
void Normalize(const std::vector<NabSeries>& corpus, const Layout& layout,
               const NabProfile& profile, NabResult* res) {
  std::vector<std::vector<double>> never(corpus.size());
  std::vector<std::vector<double>> perfect(corpus.size());
  for (size_t k = 0; k < corpus.size(); ++k) {
    never[k].assign(corpus[k].timestamps.size(), 0.0);
    perfect[k].assign(corpus[k].timestamps.size(), 0.0);
    for (size_t row : layout.files[k].first_scored) {
      if (row != kNoRow) perfect[k][row] = 1.0;
    }
  }
  res->null_score = Evaluate(corpus, layout, never, profile, kNeverFires).raw;
  res->perfect = Evaluate(corpus, layout, perfect, profile, 1.0).raw;
  const double span = res->perfect - res->null_score;
  res->normalized = span > 0 ? 100.0 * (res->raw - res->null_score) / span : 0.0;
}

Result<Layout> BuildLayout(const NabScorer& scorer, const std::vector<NabSeries>& corpus) {
  Layout layout;
  layout.files.reserve(corpus.size());
  for (const NabSeries& s : corpus) {
    if (s.values.size() != s.timestamps.size() && !s.values.empty()) {
      return Status::InvalidArgument(fmt::format("{}: {} values for {} timestamps", s.relative_path,
                                                 s.values.size(), s.timestamps.size()));
    }
    INFERSCOPE_ASSIGN_OR_RETURN(FileRows f,
                                AnnotateFile(s, scorer.ProbationLength(s.timestamps.size())));
    layout.files.push_back(std::move(f));
  }
  return layout;
}

// The threshold NAB's sweep picks: every distinct score is a candidate (plus "never fires"),
// visited from the highest down while the corpus score is updated incrementally. Ties go to
// the higher threshold, as NAB's stable sort of the candidates does.
double BestThreshold(const std::vector<NabSeries>& corpus, const Layout& layout,
                     const std::vector<std::vector<double>>& scores, const NabProfile& p) {
  struct Point {
    double score;
    double value;    // weighted worth when firing
    int64_t window;  // global window id, or -1
  };
  std::vector<Point> points;
  std::vector<double> window_best;  // per global window: best firing worth so far, or -fn
  double total = 0;
  for (size_t k = 0; k < corpus.size(); ++k) {
    const FileRows& f = layout.files[k];
    const int64_t base = static_cast<int64_t>(window_best.size());
    for (size_t row : f.first_scored) {
      window_best.push_back(-p.fn_weight);
      if (row != kNoRow) total -= p.fn_weight;
    }
    for (size_t i = f.probation; i < scores[k].size(); ++i) {
      const int64_t w = f.window[i] >= 0 ? base + f.window[i] : -1;
      points.push_back({scores[k][i], Weighted(f, i, p), w});
    }
  }
  std::sort(points.begin(), points.end(),
            [](const Point& a, const Point& b) { return a.score > b.score; });

  double best_total = total;
  double best_threshold = kNeverFires;
  for (size_t i = 0; i < points.size();) {
    const double threshold = points[i].score;
    for (; i < points.size() && points[i].score == threshold; ++i) {
      const Point& pt = points[i];
      if (pt.window < 0) {
        total += pt.value;
      } else if (double& b = window_best[static_cast<size_t>(pt.window)]; pt.value > b) {
        total += pt.value - b;
        b = pt.value;
      }
    }
    if (total > best_total) {
      best_total = total;
      best_threshold = threshold;
    }
  }
  return best_threshold;
}

}  // namespace

std::vector<NabProfile> NabScorer::StandardProfiles() {
  return {{"standard", 1.0, 1.0, 0.11},
          {"reward_low_FP_rate", 1.0, 1.0, 0.22},
          {"reward_low_FN_rate", 1.0, 2.0, 0.11}};
}

double NabScorer::ScaledSigmoid(double position) {
  if (position > 3.0) return -1.0;
  return 2.0 / (1.0 + std::exp(5.0 * position)) - 1.0;
}

size_t NabScorer::ProbationLength(size_t n) const {
  const double len =
      std::min(std::floor(probation_percent_ * static_cast<double>(n)), probation_percent_ * 5000);
  return len <= 0 ? 0 : static_cast<size_t>(std::ceil(len));
}

Result<std::vector<NabResult>> NabScorer::Score(
    const std::vector<NabSeries>& corpus, const std::vector<std::vector<double>>& scores) const {
  INFERSCOPE_RETURN_IF_ERROR(CheckScores(corpus, scores));
  INFERSCOPE_ASSIGN_OR_RETURN(Layout layout, BuildLayout(*this, corpus));
  std::vector<NabResult> out;
  for (const NabProfile& p : StandardProfiles()) {
    NabResult res = Evaluate(corpus, layout, scores, p, BestThreshold(corpus, layout, scores, p));
    Normalize(corpus, layout, p, &res);
    out.push_back(std::move(res));
  }
  return out;
}

Result<NabResult> NabScorer::ScoreProfile(const std::vector<NabSeries>& corpus,
                                          const std::vector<std::vector<double>>& scores,
                                          const NabProfile& profile) const {
  INFERSCOPE_RETURN_IF_ERROR(CheckScores(corpus, scores));
  INFERSCOPE_ASSIGN_OR_RETURN(Layout layout, BuildLayout(*this, corpus));
  NabResult res =
      Evaluate(corpus, layout, scores, profile, BestThreshold(corpus, layout, scores, profile));
  Normalize(corpus, layout, profile, &res);
  return res;
}

Result<NabResult> NabScorer::ScoreAtThreshold(const std::vector<NabSeries>& corpus,
                                              const std::vector<std::vector<double>>& scores,
                                              const NabProfile& profile, double threshold) const {
  INFERSCOPE_RETURN_IF_ERROR(CheckScores(corpus, scores));
  INFERSCOPE_ASSIGN_OR_RETURN(Layout layout, BuildLayout(*this, corpus));
  NabResult res = Evaluate(corpus, layout, scores, profile, threshold);
  Normalize(corpus, layout, profile, &res);
  return res;
}

}  // namespace inferscope
