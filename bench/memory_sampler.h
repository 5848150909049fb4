#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "engine/engine.h"

namespace ledger::bench {

//! The largest value seen of each part of a phase's memory, in bytes. Each is its own maximum:
//! they need not have happened at the same moment, so they do not add up to the peak RSS.
struct MemoryPeaks {
  uint64_t resident = 0;            //!< the process's resident set (/proc/self/statm)
  uint64_t projector_rows = 0;      //!< Projector::held_bytes(), estimated
  uint64_t block_cache = 0;         //!< rocksdb.block-cache-usage (data, index and filter blocks)
  uint64_t block_cache_pinned = 0;  //!< rocksdb.block-cache-pinned-usage
  uint64_t memtables = 0;           //!< rocksdb.cur-size-all-mem-tables, all column families
  uint64_t table_readers = 0;       //!< rocksdb.estimate-table-readers-mem (outside the cache)
  uint64_t allocated = 0;           //!< jemalloc stats.allocated (0 without jemalloc)
  uint64_t allocator_resident = 0;  //!< jemalloc stats.resident
  size_t samples = 0;
};

//! One line naming each peak in MiB.
std::string describe(const MemoryPeaks& peaks);

//! Samples an engine's memory every `period` on its own thread, from construction until stop()
//! (or destruction), keeping the largest value of each part. For the benchmarks' memory
//! column: it tells which bound the peak RSS comes from.
class MemorySampler {
 public:
  explicit MemorySampler(Engine& engine, std::chrono::milliseconds period = std::chrono::milliseconds(200));
  ~MemorySampler();
  MemorySampler(const MemorySampler&) = delete;
  MemorySampler& operator=(const MemorySampler&) = delete;

  //! Takes one last sample, ends the thread and returns the peaks.
  MemoryPeaks stop();

 private:
  void sample();

  Engine& engine_;
  std::chrono::milliseconds period_;
  MemoryPeaks peaks_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ledger::bench
