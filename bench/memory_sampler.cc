#include "bench/memory_sampler.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>

#include <fmt/format.h>
#include <rocksdb/db.h>

//! jemalloc's control interface, when the program links it (ledger_link_allocator); a weak
//! reference stays null in the sanitizer builds, which keep their own allocator.
extern "C" int mallctl(const char* name, void* old_value, size_t* old_size, void* new_value, size_t new_size)
    __attribute__((weak));

namespace ledger::bench {
namespace {

uint64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size_pages = 0;
  uint64_t resident_pages = 0;
  statm >> size_pages >> resident_pages;
  return resident_pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

//! A property summed over the column families (memtables, table readers).
uint64_t summed_property(rocksdb::DB& db, const std::string& name) {
  uint64_t value = 0;
  db.GetAggregatedIntProperty(name, &value);
  return value;
}

//! A property of what the column families share (the block cache): counted once.
uint64_t shared_property(rocksdb::DB& db, const std::string& name) {
  uint64_t value = 0;
  db.GetIntProperty(name, &value);
  return value;
}

//! Makes jemalloc recount its statistics (it caches them until the epoch advances).
void refresh_jemalloc_stats() {
  if (mallctl == nullptr) return;
  uint64_t epoch = 1;
  size_t epoch_size = sizeof epoch;
  mallctl("epoch", &epoch, &epoch_size, &epoch, epoch_size);
}

//! A jemalloc statistic as of the last refresh_jemalloc_stats(); 0 without jemalloc.
uint64_t jemalloc_stat(const char* name) {
  if (mallctl == nullptr) return 0;
  size_t value = 0;
  size_t value_size = sizeof value;
  if (mallctl(name, &value, &value_size, nullptr, 0) != 0) return 0;
  return value;
}

void keep_max(uint64_t& peak, uint64_t value) {
  peak = std::max(peak, value);
}

}  // namespace

std::string describe(const MemoryPeaks& peaks) {
  auto mib = [](uint64_t bytes) { return static_cast<double>(bytes) / (1 << 20); };
  std::string line = fmt::format(
      "peaks over {} samples (MiB): resident {:.0f}, projector rows {:.0f}, block cache {:.0f} "
      "(pinned {:.0f}), memtables {:.0f}, table readers {:.0f}",
      peaks.samples, mib(peaks.resident), mib(peaks.projector_rows), mib(peaks.block_cache),
      mib(peaks.block_cache_pinned), mib(peaks.memtables), mib(peaks.table_readers));
  if (peaks.allocator_resident != 0) {
    line += fmt::format(", jemalloc allocated {:.0f} resident {:.0f}", mib(peaks.allocated),
                        mib(peaks.allocator_resident));
  }
  return line;
}

MemorySampler::MemorySampler(Engine& engine, std::chrono::milliseconds period)
    : engine_(engine), period_(period) {
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      sample();
      wake_.wait_for(lock, period_, [this] { return stopping_; });
    }
  });
}

MemorySampler::~MemorySampler() {
  stop();
}

MemoryPeaks MemorySampler::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      stopping_ = true;
      sample();
    }
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  return peaks_;
}

void MemorySampler::sample() {
  rocksdb::DB& db = *engine_.store().db();
  keep_max(peaks_.resident, resident_bytes());
  keep_max(peaks_.projector_rows, engine_.projector().held_bytes());
  keep_max(peaks_.block_cache, shared_property(db, "rocksdb.block-cache-usage"));
  keep_max(peaks_.block_cache_pinned, shared_property(db, "rocksdb.block-cache-pinned-usage"));
  keep_max(peaks_.memtables, summed_property(db, "rocksdb.cur-size-all-mem-tables"));
  keep_max(peaks_.table_readers, summed_property(db, "rocksdb.estimate-table-readers-mem"));
  refresh_jemalloc_stats();
  keep_max(peaks_.allocated, jemalloc_stat("stats.allocated"));
  keep_max(peaks_.allocator_resident, jemalloc_stat("stats.resident"));
  ++peaks_.samples;
}

}  // namespace ledger::bench
