#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace ledger {

//! Calls `work(i)` once for every i in [0, count), on up to `threads` threads (the caller's
//! among them), each taking the next index as it finishes one: partitions of uneven length
//! keep every thread busy. Returns when every call has returned. `work` must be safe to run
//! on different indexes at once.
inline void parallel_for(size_t count, size_t threads, const std::function<void(size_t)>& work) {
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t index = next++; index < count; index = next++) work(index);
  };
  const size_t thread_count = std::max<size_t>(1, std::min(threads, count));
  std::vector<std::thread> helpers;
  for (size_t i = 1; i < thread_count; ++i) helpers.emplace_back(worker);
  worker();
  for (auto& helper : helpers) helper.join();
}

}  // namespace ledger
