#pragma once

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

  //! Appends `batch`, read from another log's `partition`, at exactly its offsets: the first
  //! must be this partition's end. Used to copy a log (replay into a new store).
  Status append_copy(uint32_t partition, const LogBatch& batch);

  //! The largest event the log accepts, in bytes.
  static constexpr size_t kMaxEventBytes = 64 * 1024;
  //! The most events one append call takes.
  static constexpr size_t kMaxAppendEvents = 1 << 16;

 private:
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
