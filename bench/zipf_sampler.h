#pragma once

#include <cstdint>
#include <vector>

namespace ledger::bench {

//! Draws ranks 0..n-1 with probability proportional to 1/(rank+1)^exponent, from a uniform
//! 64-bit value. Holds the cumulative weights (8 bytes per rank), so memory is bounded by the
//! number of accounts, never by the number of events drawn.
class ZipfSampler {
 public:
  ZipfSampler(uint32_t n, double exponent);

  //! The rank for a uniform 64-bit draw.
  uint32_t rank(uint64_t uniform_bits) const;

 private:
  std::vector<double> cumulative_;  //!< cumulative weight up to and including each rank, total 1
};

//! SplitMix64: a stateless mix, so a decision ("does account a pay on day d?") is a pure
//! function of its inputs and a counting pass and a writing pass agree without sharing state.
inline uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace ledger::bench
