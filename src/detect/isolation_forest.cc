#include "detect/isolation_forest.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace inferscope {
namespace {

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double Uniform(uint64_t& state) { return static_cast<double>(SplitMix64(state) >> 11) * 0x1.0p-53; }

}  // namespace

Status IsolationForestOptions::Validate() const {
  if (trees < 1 || trees > 4096)
    return Status::InvalidArgument("isolation forest: trees in 1..4096");
  if (sample_size < 2 || sample_size > 65536) {
    return Status::InvalidArgument("isolation forest: sample_size in 2..65536");
  }
  return Status::Ok();
}

IsolationForest::IsolationForest(IsolationForestOptions options) : options_(options) {}

double IsolationForest::AveragePathLength(double n) {
  if (n <= 1) return 0;
  if (n == 2) return 1;
  constexpr double kEulerGamma = 0.5772156649015329;
  return 2.0 * (std::log(n - 1) + kEulerGamma) - 2.0 * (n - 1) / n;
}

int IsolationForest::Build(std::vector<Node>& nodes, std::vector<const double*>& rows, size_t begin,
                           size_t end, int depth, int max_depth, uint64_t& rng) {
  const int at = static_cast<int>(nodes.size());
  nodes.emplace_back();
  const size_t n = end - begin;
  if (n <= 1 || depth >= max_depth) {
    nodes[at].right = static_cast<int32_t>(n);
    return at;
  }
  // Pick a dimension with spread among the rows (try a few times), then a uniform split.
  for (int attempt = 0; attempt < 2 * dims_; ++attempt) {
    const int d = static_cast<int>(SplitMix64(rng) % static_cast<uint64_t>(dims_));
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (size_t i = begin; i < end; ++i) {
      lo = std::min(lo, rows[i][d]);
      hi = std::max(hi, rows[i][d]);
    }
    if (!(hi > lo)) continue;
    const double split = lo + Uniform(rng) * (hi - lo);
    auto mid = std::partition(rows.begin() + static_cast<long>(begin),
                              rows.begin() + static_cast<long>(end),
                              [&](const double* r) { return r[d] < split; });
    const size_t m = static_cast<size_t>(mid - rows.begin());
    if (m == begin || m == end) continue;
    nodes[at].dim = d;
    nodes[at].split = static_cast<float>(split);
    nodes[at].lo = static_cast<float>(lo);
    nodes[at].hi = static_cast<float>(hi);
    Build(nodes, rows, begin, m, depth + 1, max_depth, rng);
    nodes[at].right = Build(nodes, rows, m, end, depth + 1, max_depth, rng);
    return at;
  }
  nodes[at].right = static_cast<int32_t>(n);  // all rows identical: a leaf
  return at;
}

Status IsolationForest::Fit(std::span<const double> rows, int dims) {
  INFERSCOPE_RETURN_IF_ERROR(options_.Validate());
  if (dims < 1 || rows.size() % static_cast<size_t>(dims) != 0) {
    return Status::InvalidArgument("isolation forest: rows are not a multiple of dims");
  }
  std::vector<const double*> usable;
  for (size_t i = 0; i < rows.size(); i += static_cast<size_t>(dims)) {
    bool ok = true;
    for (int d = 0; d < dims; ++d) ok &= std::isfinite(rows[i + static_cast<size_t>(d)]);
    if (ok) usable.push_back(rows.data() + i);
  }
  if (usable.size() < 2)
    return Status::InvalidArgument("isolation forest: fewer than 2 usable rows");
  dims_ = dims;
  trees_.clear();
  uint64_t rng = options_.seed;
  const size_t psi = std::min<size_t>(usable.size(), static_cast<size_t>(options_.sample_size));
  psi_ = static_cast<double>(psi);
  leaf_path_.resize(psi + 1);
  for (size_t n = 0; n <= psi; ++n) leaf_path_[n] = AveragePathLength(static_cast<double>(n));
  const int max_depth = static_cast<int>(std::ceil(std::log2(static_cast<double>(psi))));
  std::vector<const double*> sample(psi);
  for (int t = 0; t < options_.trees; ++t) {
    // Sample psi rows without replacement (partial Fisher-Yates over a copy of the indices).
    std::vector<const double*> pool = usable;
    for (size_t i = 0; i < psi; ++i) {
      size_t j = i + static_cast<size_t>(SplitMix64(rng) % (pool.size() - i));
      std::swap(pool[i], pool[j]);
      sample[i] = pool[i];
    }
    std::vector<Node> nodes;
    nodes.reserve(2 * psi);
    Build(nodes, sample, 0, psi, 0, max_depth, rng);
    trees_.push_back(std::move(nodes));
  }
  return Status::Ok();
}

double IsolationForest::PathLength(const std::vector<Node>& nodes, int at,
                                   std::span<const double> row, int depth) const {
  // Iterative down the one branch a value takes; `weight` is the probability of still
  // being on the path (range-aware scoring ends it early with some probability), `total`
  // the expected length accumulated from the paths that ended. NaN recurses into both.
  double total = 0, weight = 1;
  while (true) {
    const Node& node = nodes[static_cast<size_t>(at)];
    if (node.dim < 0) return total + weight * (depth + leaf_path_[static_cast<size_t>(node.right)]);
    const double v = row[static_cast<size_t>(node.dim)];
    if (std::isnan(v)) {
      return total + weight * 0.5 *
                         (PathLength(nodes, at + 1, row, depth + 1) +
                          PathLength(nodes, node.right, row, depth + 1));
    }
    if (options_.range_aware && (v < node.lo || v > node.hi)) {
      const double outside = v < node.lo ? node.lo - v : v - node.hi;
      const double widened = std::max<double>(node.hi, v) - std::min<double>(node.lo, v);
      const double p = widened > 0 ? outside / widened : 0;
      total += weight * p * (depth + 1);
      weight *= 1 - p;
    }
    at = v < node.split ? at + 1 : node.right;
    ++depth;
  }
}

double IsolationForest::Score(std::span<const double> row) const {
  if (trees_.empty() || row.size() != static_cast<size_t>(dims_)) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  double total = 0;
  for (const auto& nodes : trees_) total += PathLength(nodes, 0, row, 0);
  const double mean = total / static_cast<double>(trees_.size());
  // Normalised by the sample size the trees were grown from (fewer rows than sample_size
  // give shallower trees, and c(psi) must match them).
  return std::exp2(-mean / AveragePathLength(psi_));
}

size_t IsolationForest::NodeBytes() const {
  size_t n = 0;
  for (const auto& t : trees_) n += t.capacity() * sizeof(Node);
  n += leaf_path_.capacity() * sizeof(double);
  return n;
}

}  // namespace inferscope
