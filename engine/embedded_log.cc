#include "engine/embedded_log.h"

// Keys of the `events` column family:
//
//   event_key  := u32be(partition) u64be(offset)   -> the event's canonical FlatBuffer bytes
//
// Offsets within a partition are dense and start at 0, like a Kafka partition's.

#include <rocksdb/iterator.h>

#include <memory>

#include "engine/fault_point.h"
#include "engine/key_encoding.h"
#include "engine/meta_keys.h"
#include "engine/partitioner.h"

namespace ledger {
namespace {

std::string event_key(uint32_t partition, uint64_t offset) {
  std::string key;
  key.reserve(12);
  put_u32_be(key, partition);
  put_u64_be(key, offset);
  return key;
}

}  // namespace

Result<std::unique_ptr<EmbeddedLog>> EmbeddedLog::open(Store& store, uint32_t partition_count) {
  auto stored = store.get(store.meta(), meta_keys::kPartitions);
  if (!stored) return stored.status();
  uint32_t count = partition_count;
  if (stored->has_value()) {
    if ((*stored)->size() != 4) return Status::corruption("meta: 'partitions' is not 4 bytes");
    uint32_t existing = get_be<uint32_t>(**stored, 0);
    if (partition_count != 0 && partition_count != existing) {
      return Status::invalid_argument("partitions: the store at " + store.dir() + " has " +
                                      std::to_string(existing) + " partitions, not " +
                                      std::to_string(partition_count) + "; the count is fixed at creation");
    }
    count = existing;
  } else {
    if (count == 0) count = kDefaultPartitionCount;
    if (count > kMaxPartitionCount) {
      return Status::invalid_argument("partitions: " + std::to_string(count) + " is more than the limit " +
                                      std::to_string(kMaxPartitionCount));
    }
    std::string value;
    put_u32_be(value, count);
    std::string version;
    put_u32_be(version, meta_keys::kCurrentSchemaVersion);
    rocksdb::WriteBatch batch;
    batch.Put(store.meta(), meta_keys::kPartitions, value);
    batch.Put(store.meta(), meta_keys::kSchemaVersion, version);
    if (Status written = store.write(batch, true); !written) return written;
  }
  std::unique_ptr<EmbeddedLog> log(new EmbeddedLog(store, count));
  if (Status recovered = log->recover_end_offsets(); !recovered) return recovered;
  return log;
}

Status EmbeddedLog::recover_end_offsets() {
  next_offsets_.assign(partition_count_, 0);
  std::unique_ptr<rocksdb::Iterator> it(store_.db()->NewIterator(rocksdb::ReadOptions(), store_.events()));
  for (uint32_t partition = 0; partition < partition_count_; ++partition) {
    std::string upper = event_key(partition + 1, 0);
    it->SeekForPrev(rocksdb::Slice(upper));
    if (it->Valid() && it->key().compare(rocksdb::Slice(upper)) == 0) it->Prev();
    if (it->Valid() && it->key().size() == 12 && get_be<uint32_t>(it->key().ToStringView(), 0) == partition) {
      next_offsets_[partition] = get_be<uint64_t>(it->key().ToStringView(), 4) + 1;
    }
  }
  return from_rocksdb(it->status(), "recovering the end of the embedded log");
}

Status EmbeddedLog::append(std::span<const AppendRequest> requests, std::vector<LogPosition>* positions) {
  if (requests.size() > kMaxAppendEvents) {
    return Status::invalid_argument("append: " + std::to_string(requests.size()) + " events is more than " +
                                    std::to_string(kMaxAppendEvents) + " in one batch");
  }
  std::lock_guard lock(append_mutex_);
  std::vector<uint64_t> next = next_offsets_;
  if (positions) positions->clear();
  // Each request's partition first (all of them for a broadcast), then the records partition by
  // partition: in key order, RocksDB's memtable inserts follow one another down the skiplist
  // instead of jumping between partitions (a third of an append's instructions in request order).
  std::vector<std::vector<size_t>> by_partition(partition_count_);
  for (size_t index = 0; index < requests.size(); ++index) {
    const AppendRequest& request = requests[index];
    if (request.bytes.size() > kMaxEventBytes) {
      return Status::invalid_argument("event: " + std::to_string(request.bytes.size()) +
                                      " bytes is more than the limit " + std::to_string(kMaxEventBytes));
    }
    uint32_t first = request.broadcast ? 0 : partition_for(request.account, partition_count_);
    uint32_t last = request.broadcast ? partition_count_ - 1 : first;
    if (positions) positions->push_back({first, next[first]});
    for (uint32_t partition = first; partition <= last; ++partition) {
      by_partition[partition].push_back(index);
      ++next[partition];
    }
  }
  rocksdb::WriteBatch batch;
  for (uint32_t partition = 0; partition < partition_count_; ++partition) {
    uint64_t offset = next_offsets_[partition];
    for (size_t index : by_partition[partition]) {
      const std::string_view bytes = requests[index].bytes;
      batch.Put(store_.events(), event_key(partition, offset++), rocksdb::Slice(bytes.data(), bytes.size()));
      if (Status fault = fault_point("log.append.mid_batch"); !fault) return fault;
    }
  }
  if (Status fault = fault_point("log.append.before_write"); !fault) return fault;
  if (Status written = store_.write(batch, /*sync=*/true); !written) return written;
  // The batch is durable from here on, whatever the caller hears: the end offsets follow it even
  // when the point fails, so that a later append never writes over it.
  Status before_visible = fault_point("log.append.before_visible");
  next_offsets_ = std::move(next);
  if (!before_visible) return before_visible;
  if (Status fault = fault_point("log.append.after_write"); !fault) return fault;
  return Status::ok();
}

Status EmbeddedLog::append_copy(uint32_t partition, const LogBatch& batch) {
  if (batch.empty()) return Status::ok();
  std::lock_guard lock(append_mutex_);
  if (partition >= partition_count_) {
    return Status::invalid_argument("partition: " + std::to_string(partition) + " is out of range");
  }
  if (batch.offset(0) != next_offsets_[partition]) {
    return Status::invalid_argument("copy: partition " + std::to_string(partition) + " ends at " +
                                    std::to_string(next_offsets_[partition]) + ", not " +
                                    std::to_string(batch.offset(0)));
  }
  rocksdb::WriteBatch write_batch;
  for (size_t i = 0; i < batch.size(); ++i) {
    std::string_view bytes = batch.bytes(i);
    write_batch.Put(store_.events(), event_key(partition, batch.offset(i)),
                    rocksdb::Slice(bytes.data(), bytes.size()));
  }
  if (Status written = store_.write(write_batch, /*sync=*/true); !written) return written;
  next_offsets_[partition] = batch.offset(batch.size() - 1) + 1;
  return Status::ok();
}

Status EmbeddedLog::read(uint32_t partition, uint64_t from_offset, size_t max_events, LogBatch& out) {
  out.clear();
  if (partition >= partition_count_) {
    return Status::invalid_argument("partition: " + std::to_string(partition) + " is out of range");
  }
  rocksdb::ReadOptions options;
  options.verify_checksums = true;
  std::string upper = event_key(partition + 1, 0);
  rocksdb::Slice upper_slice(upper);
  options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(store_.db()->NewIterator(options, store_.events()));
  uint64_t expected = from_offset;
  for (it->Seek(event_key(partition, from_offset)); it->Valid() && out.size() < max_events; it->Next()) {
    uint64_t offset = get_be<uint64_t>(it->key().ToStringView(), 4);
    if (offset != expected) {
      return Status::corruption("events: partition " + std::to_string(partition) + " has a gap: offset " +
                                std::to_string(expected) + " is missing before " + std::to_string(offset));
    }
    out.add(offset, it->value().ToStringView());
    ++expected;
  }
  return from_rocksdb(it->status(), "reading the embedded log, partition " + std::to_string(partition));
}

Result<uint64_t> EmbeddedLog::end_offset(uint32_t partition) {
  std::lock_guard lock(append_mutex_);
  if (partition >= partition_count_) {
    return Status::invalid_argument("partition: " + std::to_string(partition) + " is out of range");
  }
  return next_offsets_[partition];
}

}  // namespace ledger
