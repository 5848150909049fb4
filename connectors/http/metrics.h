#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace ledger::http {

//! A latency histogram with fixed buckets, in microseconds, rendered in seconds.
struct LatencyHistogram {
  static constexpr std::array<int64_t, 10> kBucketsUs = {500,     1'000,   5'000,     10'000,    50'000,
                                                         100'000, 500'000, 1'000'000, 5'000'000, 30'000'000};
  std::array<uint64_t, kBucketsUs.size()> counts{};  //!< per bucket, not cumulative
  uint64_t count = 0;
  int64_t sum_us = 0;

  void observe(int64_t latency_us);
};

//! What `ledger serve` counts, rendered in the Prometheus text format (version 0.0.4).
class Metrics {
 public:
  //! One projection pass: events applied, rejected and duplicated, and how long it took.
  void add_projection(uint64_t applied, uint64_t duplicates, int64_t latency_us);
  //! Events the projector rejected, by reason code.
  void add_projector_rejections(const std::map<std::string, uint64_t>& by_reason);
  //! Events refused at the API before reaching the log, by reason code.
  void add_refused(const std::string& reason, uint64_t count = 1);
  //! Events appended through the API.
  void add_appended(uint64_t count);
  //! One HTTP request, by route pattern, method and status.
  void observe_http(const std::string& route, const std::string& method, int status, int64_t latency_us);

  //! Every metric; `lag` is the log's end minus the projected offset of each partition.
  std::string render(const std::vector<uint64_t>& lag) const;

 private:
  mutable std::mutex mutex_;
  uint64_t applied_ = 0;
  uint64_t duplicates_ = 0;
  uint64_t appended_ = 0;
  std::map<std::string, uint64_t> rejected_;
  std::map<std::string, uint64_t> refused_;
  LatencyHistogram batch_latency_;
  std::map<std::tuple<std::string, std::string>, LatencyHistogram> http_latency_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> http_requests_;
};

}  // namespace ledger::http
