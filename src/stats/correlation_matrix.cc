#include "stats/correlation_matrix.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>

namespace inferscope {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// 1-based ranks of `v`, ties sharing the average of the ranks they span.
void AverageRanks(const std::vector<double>& v, std::vector<double>& ranks,
                  std::vector<uint32_t>& order) {
  const size_t n = v.size();
  order.resize(n);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return v[a] < v[b]; });
  ranks.resize(n);
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j + 1 < n && v[order[j + 1]] == v[order[i]]) ++j;
    const double rank = static_cast<double>(i + j) / 2 + 1;
    for (size_t t = i; t <= j; ++t) ranks[order[t]] = rank;
    i = j + 1;
  }
}

// Two-pass Pearson of equally long vectors; NaN when n < 3 or a variance is zero.
double PearsonOf(const std::vector<double>& x, const std::vector<double>& y) {
  const size_t n = x.size();
  if (n < 3) return kNaN;
  double mx = 0, my = 0;
  for (size_t i = 0; i < n; ++i) {
    mx += x[i];
    my += y[i];
  }
  mx /= static_cast<double>(n);
  my /= static_cast<double>(n);
  double sxx = 0, syy = 0, sxy = 0;
  for (size_t i = 0; i < n; ++i) {
    const double dx = x[i] - mx;
    const double dy = y[i] - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  if (!(sxx > 0) || !(syy > 0)) return kNaN;
  return std::clamp(sxy / (std::sqrt(sxx) * std::sqrt(syy)), -1.0, 1.0);
}

}  // namespace

CorrelationMatrix::CorrelationMatrix(int variables, int reservoir_rows, uint64_t seed)
    : k_(std::max(variables, 1)),
      reservoir_rows_(std::max(reservoir_rows, 0)),
      rng_state_(seed),
      pairs_(static_cast<size_t>(k_) * static_cast<size_t>(k_ + 1) / 2) {
  assert(variables >= 1);
}

void CorrelationMatrix::AddRow(const double* row) {
  ++rows_;
  // Pairs sharing a count share 1/n; with no missing values that is one division per row.
  uint64_t last_n = 0;
  double inv_n = 0;
  PairMoments* p = pairs_.data();
  for (int i = 0; i < k_; ++i) {
    const double x = row[i];
    if (!std::isfinite(x)) {
      p += k_ - i;
      continue;
    }
    for (int j = i; j < k_; ++j, ++p) {
      const double y = row[j];
      if (!std::isfinite(y)) continue;
      const uint64_t n = ++p->n;
      if (n != last_n) {
        last_n = n;
        inv_n = 1.0 / static_cast<double>(n);
      }
      // Welford's update extended to the co-moment (stable for large means).
      const double dx = x - p->mean_x;
      const double dy = y - p->mean_y;
      p->mean_x += dx * inv_n;
      p->mean_y += dy * inv_n;
      p->m2_x += dx * (x - p->mean_x);
      p->m2_y += dy * (y - p->mean_y);
      p->c_xy += dx * (y - p->mean_y);
    }
  }

  if (reservoir_rows_ == 0) return;
  const auto k = static_cast<size_t>(k_);
  size_t slot;
  if (rows_ <= static_cast<uint64_t>(reservoir_rows_)) {
    slot = sample_.size() / k;
    sample_.resize(sample_.size() + k);
  } else {
    // Algorithm R: keep row number rows_ with probability reservoir_rows / rows_.
    const uint64_t j = SplitMix64(rng_state_) % rows_;
    if (j >= static_cast<uint64_t>(reservoir_rows_)) return;
    slot = static_cast<size_t>(j);
  }
  double* dst = sample_.data() + slot * k;
  for (size_t i = 0; i < k; ++i) dst[i] = std::isfinite(row[i]) ? row[i] : kNaN;
}

std::vector<double> CorrelationMatrix::Pearson() const {
  const auto k = static_cast<size_t>(k_);
  std::vector<double> out(k * k, kNaN);
  const PairMoments* p = pairs_.data();
  for (size_t i = 0; i < k; ++i) {
    for (size_t j = i; j < k; ++j, ++p) {
      double r = kNaN;
      if (p->n >= 3 && p->m2_x > 0 && p->m2_y > 0) {
        r = i == j ? 1.0
                   : std::clamp(p->c_xy / (std::sqrt(p->m2_x) * std::sqrt(p->m2_y)), -1.0, 1.0);
      }
      out[i * k + j] = r;
      out[j * k + i] = r;
    }
  }
  return out;
}

std::vector<double> CorrelationMatrix::Spearman() const {
  const auto k = static_cast<size_t>(k_);
  const size_t m = sampled_rows();
  std::vector<double> out(k * k, kNaN);

  // Columns without missing values in the sample are ranked once; pairs involving a column
  // with gaps are re-ranked on their jointly present rows.
  std::vector<std::vector<double>> column_ranks(k);
  std::vector<bool> complete(k, true);
  std::vector<double> xs, ys, rx, ry;
  std::vector<uint32_t> order;
  for (size_t c = 0; c < k; ++c) {
    xs.clear();
    for (size_t r = 0; r < m; ++r) {
      const double v = sample_[r * k + c];
      if (std::isnan(v)) {
        complete[c] = false;
      } else {
        xs.push_back(v);
      }
    }
    if (complete[c]) AverageRanks(xs, column_ranks[c], order);
    // Diagonal: 1 when the column has >= 3 values that are not all equal.
    if (xs.size() >= 3 &&
        *std::min_element(xs.begin(), xs.end()) != *std::max_element(xs.begin(), xs.end())) {
      out[c * k + c] = 1.0;
    }
  }

  for (size_t i = 0; i < k; ++i) {
    for (size_t j = i + 1; j < k; ++j) {
      double r;
      if (complete[i] && complete[j]) {
        r = PearsonOf(column_ranks[i], column_ranks[j]);
      } else {
        xs.clear();
        ys.clear();
        for (size_t row = 0; row < m; ++row) {
          const double x = sample_[row * k + i];
          const double y = sample_[row * k + j];
          if (std::isnan(x) || std::isnan(y)) continue;
          xs.push_back(x);
          ys.push_back(y);
        }
        AverageRanks(xs, rx, order);
        AverageRanks(ys, ry, order);
        r = PearsonOf(rx, ry);
      }
      out[i * k + j] = r;
      out[j * k + i] = r;
    }
  }
  return out;
}

}  // namespace inferscope
