#ifndef INFERSCOPE_DEMO_USER_POPULATION_H_
#define INFERSCOPE_DEMO_USER_POPULATION_H_

#include <array>
#include <cstdint>

#include "demo/random.h"

namespace inferscope {

// The callers of the demo fleet: kUserCount users whose request shares follow Zipf's law
// (exponent 1.1), so a few users dominate, as in real API traffic. Users are identified by
// rank (0 = the busiest); the id in the logs ("user-017") is a fixed permutation of the
// rank, so the busiest user is not "user-001". Immutable after construction; thread-safe.
class UserPopulation {
 public:
  static constexpr int kUserCount = 250;

  UserPopulation();

  // A rank drawn with Zipf probabilities.
  int SampleRank(Rng& rng) const;
  // Fraction of all requests that come from the user of this rank.
  double Share(int rank) const;
  // The number in the user's id, 1..kUserCount ("user-%03d").
  static int IdForRank(int rank) { return (rank * 37 + 11) % kUserCount + 1; }

 private:
  std::array<double, kUserCount> cdf_{};
};

}  // namespace inferscope

#endif  // INFERSCOPE_DEMO_USER_POPULATION_H_
