#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace ledger::bench {

//! Latencies of one query kind, in nanoseconds, and their percentiles (nearest rank).
class LatencyStats {
 public:
  void add(int64_t latency_ns) { samples_ns_.push_back(latency_ns); }
  size_t count() const { return samples_ns_.size(); }
  //! The p-th percentile (0 < p <= 100), in nanoseconds; 0 without samples.
  int64_t percentile_ns(double p) {
    if (samples_ns_.empty()) return 0;
    std::sort(samples_ns_.begin(), samples_ns_.end());
    auto rank = static_cast<size_t>(p / 100.0 * static_cast<double>(samples_ns_.size()) + 0.999999);
    rank = std::clamp<size_t>(rank, 1, samples_ns_.size());
    return samples_ns_[rank - 1];
  }
  int64_t max_ns() {
    return samples_ns_.empty() ? 0 : *std::max_element(samples_ns_.begin(), samples_ns_.end());
  }

 private:
  std::vector<int64_t> samples_ns_;
};

}  // namespace ledger::bench
