// CorrelationMatrix on the analyze hot path (k = 11 fields per record): ns per AddRow with
// every value present, with ~10% of rows missing a field or two (3 presence masks, as in real
// logs), and with every value independently missing 10% of the time (hundreds of masks, so
// most rows pass the mask cap and take the per-pair path); and the fixed cost of Spearman()
// and Pearson() on a full 50k-row reservoir. Each is measured against Baseline, the previous
// implementation (per-pair Welford updates; one std::sort per column or pair in Spearman).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include "stats/correlation_matrix.h"

namespace inferscope {
namespace {

constexpr int kVariables = 11;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The implementation before presence masks and per-column ranking, kept as the baseline.
class Baseline {
 public:
  Baseline(int variables, int reservoir_rows = 50'000, uint64_t seed = 42)
      : k_(std::max(variables, 1)),
        reservoir_rows_(std::max(reservoir_rows, 0)),
        rng_state_(seed),
        pairs_(static_cast<size_t>(k_) * static_cast<size_t>(k_ + 1) / 2) {}

  void AddRow(const double* row) {
    ++rows_;
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
      const uint64_t j = SplitMix64(rng_state_) % rows_;
      if (j >= static_cast<uint64_t>(reservoir_rows_)) return;
      slot = static_cast<size_t>(j);
    }
    double* dst = sample_.data() + slot * k;
    for (size_t i = 0; i < k; ++i) dst[i] = std::isfinite(row[i]) ? row[i] : kNaN;
  }

  uint64_t sampled_rows() const { return sample_.size() / static_cast<size_t>(k_); }

  std::vector<double> Pearson() const {
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

  std::vector<double> Spearman() const {
    const auto k = static_cast<size_t>(k_);
    const size_t m = sampled_rows();
    std::vector<double> out(k * k, kNaN);
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

 private:
  struct PairMoments {
    uint64_t n = 0;
    double mean_x = 0, mean_y = 0, m2_x = 0, m2_y = 0, c_xy = 0;
  };

  static uint64_t SplitMix64(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  static void AverageRanks(const std::vector<double>& v, std::vector<double>& ranks,
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

  static double PearsonOf(const std::vector<double>& x, const std::vector<double>& y) {
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

  int k_;
  int reservoir_rows_;
  uint64_t rows_ = 0;
  uint64_t rng_state_;
  std::vector<PairMoments> pairs_;
  std::vector<double> sample_;
};

enum Missing : int64_t {
  kAllPresent = 0,
  kFewMasks = 1,     // 5% of rows lack ttft, 5% lack the batch fields: 3 masks
  kIndependent = 2,  // every value missing with probability 0.1
};

// `count` rows of the analyzer's fields (latency_ms, ttft_ms, input_tokens, output_tokens,
// cost_usd, batch_size, batch_fill_ratio, gpu_util, memory_used_gb, queue_depth, cache_hit),
// row-major, loosely correlated through a shared load factor.
std::vector<double> Records(size_t count, Missing missing, uint64_t seed = 1) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> n(0, 1);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> rows(count * kVariables);
  for (size_t t = 0; t < count; ++t) {
    double* r = rows.data() + t * kVariables;
    const double load = n(gen);
    const double in = std::round(std::exp(6 + n(gen)));
    const double out = std::round(std::exp(5 + 0.8 * n(gen)));
    r[0] = std::exp(5 + 0.4 * load + 0.5 * n(gen)) + out * 2;
    r[1] = std::exp(3.5 + 0.5 * load + 0.4 * n(gen));
    r[2] = in;
    r[3] = out;
    r[4] = (in * 0.5 + out * 1.5) * 1e-6;
    r[5] = std::round(std::clamp(16 + 8 * load + 4 * n(gen), 1.0, 64.0));
    r[6] = r[5] / 64;
    r[7] = std::clamp(0.7 + 0.1 * load + 0.05 * n(gen), 0.0, 1.0);
    r[8] = 40 + 10 * r[6] + n(gen);
    r[9] = std::round(std::max(0.0, 5 + 4 * load + 2 * n(gen)));
    r[10] = u(gen) < 0.3 ? 1.0 : 0.0;
    if (missing == kFewMasks) {
      const double p = u(gen);
      if (p < 0.05) {
        r[1] = kNaN;
      } else if (p < 0.10) {
        r[5] = r[6] = kNaN;
      }
    } else if (missing == kIndependent) {
      for (int c = 0; c < kVariables; ++c) {
        if (u(gen) < 0.1) r[c] = kNaN;
      }
    }
  }
  return rows;
}

// ns per AddRow: each iteration adds one row, after a warm-up that fills the reservoir so the
// steady state (Algorithm R draws, no copies) is measured.
template <typename Matrix>
void BM_AddRow(benchmark::State& state) {
  const auto missing = static_cast<Missing>(state.range(0));
  constexpr size_t kRows = 4096;  // ~360 KB: stays in L2, as a parsed record would
  const std::vector<double> rows = Records(kRows, missing);
  const std::vector<double> warmup = Records(60'000, missing, 2);
  Matrix m(kVariables);
  for (size_t t = 0; t < 60'000; ++t) m.AddRow(warmup.data() + t * kVariables);
  size_t t = 0;
  for (auto _ : state) {
    m.AddRow(rows.data() + t * kVariables);
    t = (t + 1) % kRows;
  }
  benchmark::DoNotOptimize(m.Pearson());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AddRow<Baseline>)
    ->ArgName("missing")
    ->Arg(kAllPresent)
    ->Arg(kFewMasks)
    ->Arg(kIndependent);
BENCHMARK(BM_AddRow<CorrelationMatrix>)
    ->ArgName("missing")
    ->Arg(kAllPresent)
    ->Arg(kFewMasks)
    ->Arg(kIndependent);

// Spearman() on a full 50k × 11 reservoir.
template <typename Matrix>
void BM_Spearman(benchmark::State& state) {
  const auto missing = static_cast<Missing>(state.range(0));
  const std::vector<double> rows = Records(50'000, missing);
  Matrix m(kVariables);
  for (size_t t = 0; t < 50'000; ++t) m.AddRow(rows.data() + t * kVariables);
  for (auto _ : state) benchmark::DoNotOptimize(m.Spearman());
}
BENCHMARK(BM_Spearman<Baseline>)
    ->ArgName("missing")
    ->Arg(kAllPresent)
    ->Arg(kFewMasks)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Spearman<CorrelationMatrix>)
    ->ArgName("missing")
    ->Arg(kAllPresent)
    ->Arg(kFewMasks)
    ->Unit(benchmark::kMillisecond);

// Pearson() after 200k rows: merging mask accumulators is a fixed cost too.
template <typename Matrix>
void BM_Pearson(benchmark::State& state) {
  const auto missing = static_cast<Missing>(state.range(0));
  const std::vector<double> rows = Records(200'000, missing);
  Matrix m(kVariables);
  for (size_t t = 0; t < 200'000; ++t) m.AddRow(rows.data() + t * kVariables);
  for (auto _ : state) benchmark::DoNotOptimize(m.Pearson());
}
BENCHMARK(BM_Pearson<Baseline>)->ArgName("missing")->Arg(kFewMasks)->Arg(kIndependent);
BENCHMARK(BM_Pearson<CorrelationMatrix>)->ArgName("missing")->Arg(kFewMasks)->Arg(kIndependent);

}  // namespace
}  // namespace inferscope
