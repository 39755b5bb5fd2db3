#ifndef INFERSCOPE_DEMO_RANDOM_H_
#define INFERSCOPE_DEMO_RANDOM_H_

#include <cmath>
#include <cstdint>

namespace inferscope {

// One step of splitmix64: a good 64-bit mixer, used to seed Rng and to derive independent
// streams from (seed, index) pairs.
inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Mixes two 64-bit values into one well-distributed value.
inline uint64_t MixSeed(uint64_t a, uint64_t b) {
  uint64_t s = a ^ (b * 0xD1B54A32D192ED03ULL);
  SplitMix64(s);
  return SplitMix64(s);
}

// A small, fast, deterministic PRNG (xoshiro256**) with the distributions the demo needs,
// implemented here rather than with std::*_distribution so that the same seed gives the
// same numbers with every standard library. Not thread-safe; cheap to construct (one per
// request is fine).
class Rng {
 public:
  explicit Rng(uint64_t seed);

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1), 53 bits of precision.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [0, n); n > 0 and well below 2^53.
  uint64_t UniformInt(uint64_t n) {
    const uint64_t k = static_cast<uint64_t>(Uniform() * static_cast<double>(n));
    return k < n ? k : n - 1;
  }
  bool Bernoulli(double p) { return Uniform() < p; }
  // Exponential with mean 1 (multiply by the mean you want).
  double Exponential() { return -std::log1p(-Uniform()); }
  // Standard normal (Box–Muller; one of the pair is discarded so that every call consumes
  // the same number of draws).
  double Normal();
  // Lognormal with the given median and log-space standard deviation sigma.
  double LogNormal(double median, double sigma) { return median * std::exp(sigma * Normal()); }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace inferscope

#endif  // INFERSCOPE_DEMO_RANDOM_H_
