#include "bench/zipf_sampler.h"

#include <algorithm>
#include <cmath>

namespace ledger::bench {

ZipfSampler::ZipfSampler(uint32_t n, double exponent) : cumulative_(n == 0 ? 1 : n) {
  double total = 0;
  for (size_t i = 0; i < cumulative_.size(); ++i) {
    total += 1.0 / std::pow(static_cast<double>(i + 1), exponent);
    cumulative_[i] = total;
  }
  for (double& weight : cumulative_) weight /= total;
  cumulative_.back() = 1.0;
}

uint32_t ZipfSampler::rank(uint64_t uniform_bits) const {
  // 53 random bits give a double in [0, 1) that is the same on every platform.
  const double u = static_cast<double>(uniform_bits >> 11) * 0x1.0p-53;
  auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), u);
  if (it == cumulative_.end()) --it;
  return static_cast<uint32_t>(it - cumulative_.begin());
}

}  // namespace ledger::bench
