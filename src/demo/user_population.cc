#include "demo/user_population.h"

#include <algorithm>
#include <cmath>

namespace inferscope {

UserPopulation::UserPopulation() {
  double total = 0;
  for (int rank = 0; rank < kUserCount; ++rank) {
    total += std::pow(rank + 1.0, -1.1);
    cdf_[rank] = total;
  }
  for (double& c : cdf_) c /= total;
  cdf_.back() = 1.0;
}

int UserPopulation::SampleRank(Rng& rng) const {
  const double u = rng.Uniform();
  const auto it = std::upper_bound(cdf_.begin(), cdf_.end(), u);
  return it == cdf_.end() ? kUserCount - 1 : static_cast<int>(it - cdf_.begin());
}

double UserPopulation::Share(int rank) const {
  return rank == 0 ? cdf_[0] : cdf_[rank] - cdf_[rank - 1];
}

}  // namespace inferscope
