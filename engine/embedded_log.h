#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "engine/log.h"
#include "engine/store.h"

namespace ledger {

//! The default log: durable, partitioned like a topic, in the store's `events` column family.
//! Appends are group-committed: one WriteBatch and one fsync per append call.
class EmbeddedLog final : public Log {
 public:
  //! Opens the log in `store`. The partition count is fixed when the store is created;
  //! `partition_count` must match it afterwards (0 = take the stored one).
  static Result<std::unique_ptr<EmbeddedLog>> open(Store& store, uint32_t partition_count);

  uint32_t partition_count() const override { return partition_count_; }
  Status append(std::span<const AppendRequest> requests, std::vector<LogPosition>* positions) override;
  Status read(uint32_t partition, uint64_t from_offset, size_t max_events, LogBatch& out) override;
  Result<uint64_t> end_offset(uint32_t partition) override;

  //! Copies every event of `source`, a log with as many partitions in another store, into
  //! this log, which must be empty (replay into a new store). The events are read with their
  //! checksums verified and checked to be dense from offset 0 up to each partition's end, then
  //! written as table files and ingested at once, durably: no WAL, memtable or compaction of
  //! the copy. On failure this log stays empty.
  Status copy_from(EmbeddedLog& source);

  //! The largest event the log accepts, in bytes.
  static constexpr size_t kMaxEventBytes = 64 * 1024;
  //! The most events one append call takes.
  static constexpr size_t kMaxAppendEvents = 1 << 16;

 private:
  //! Calls `put(key, value)` for every event of `partition` up to its end, in order, checking
  //! the offsets are dense and the blocks' checksums.
  Status export_partition(uint32_t partition,
                          const std::function<Status(const rocksdb::Slice&, const rocksdb::Slice&)>& put);

  EmbeddedLog(Store& store, uint32_t partition_count) : store_(store), partition_count_(partition_count) {}
  Status recover_end_offsets();

  Store& store_;
  const uint32_t partition_count_;
  std::mutex append_mutex_;
  std::vector<uint64_t> next_offsets_;  //!< guarded by append_mutex_
};

//! Partition count used when a new store is created without one.
inline constexpr uint32_t kDefaultPartitionCount = 8;
//! Upper bound on partitions.
inline constexpr uint32_t kMaxPartitionCount = 1024;

}  // namespace ledger
