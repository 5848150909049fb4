#include "engine/embedded_log.h"

// Keys of the `events` column family:
//
//   event_key  := u32be(partition) u64be(offset)   -> the event's canonical FlatBuffer bytes
//
// Offsets within a partition are dense and start at 0, like a Kafka partition's.

#include <rocksdb/iterator.h>
#include <rocksdb/sst_file_writer.h>

#include <fmt/format.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <thread>

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

//! One partition of a log written, in key order, into table files of the `events` column
//! family, to be ingested. Partitions are written apart so that no two files overlap.
class PartitionTableFiles {
 public:
  PartitionTableFiles(const rocksdb::Options& options, ColumnFamily events, std::filesystem::path folder,
                      uint32_t partition)
      : options_(options), events_(events), folder_(std::move(folder)), partition_(partition) {}

  Status put(const rocksdb::Slice& key, const rocksdb::Slice& value) {
    if (!writer_) {
      writer_ = std::make_unique<rocksdb::SstFileWriter>(rocksdb::EnvOptions(), options_, events_);
      files_.push_back((folder_ / fmt::format("events-{}-{}.sst", partition_, files_.size())).string());
      if (Status opened = from_rocksdb(writer_->Open(files_.back()), "copy: " + files_.back()); !opened) {
        return opened;
      }
    }
    if (Status put = from_rocksdb(writer_->Put(key, value), "copy: " + files_.back()); !put) return put;
    return writer_->FileSize() >= kFileBytes ? finish() : Status::ok();
  }

  Status finish() {
    if (!writer_) return Status::ok();
    Status finished = from_rocksdb(writer_->Finish(), "copy: " + files_.back());
    writer_.reset();
    return finished;
  }

  const std::vector<std::string>& files() const { return files_; }

 private:
  //! Table files of about this size.
  static constexpr uint64_t kFileBytes = 256 << 20;

  const rocksdb::Options& options_;
  ColumnFamily events_;
  std::filesystem::path folder_;
  uint32_t partition_;
  std::unique_ptr<rocksdb::SstFileWriter> writer_;
  std::vector<std::string> files_;
};

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

Status EmbeddedLog::copy_from(EmbeddedLog& source) {
  if (&source.store_ == &store_) return Status::invalid_argument("copy: a log cannot be copied into itself");
  if (source.partition_count() != partition_count_) {
    return Status::invalid_argument("copy: the source log has " + std::to_string(source.partition_count()) +
                                    " partitions, this one " + std::to_string(partition_count_));
  }
  std::lock_guard lock(append_mutex_);
  for (uint32_t partition = 0; partition < partition_count_; ++partition) {
    if (next_offsets_[partition] != 0) {
      return Status::invalid_argument("copy: partition " + std::to_string(partition) + " already holds " +
                                      std::to_string(next_offsets_[partition]) +
                                      " events; a log is copied into an empty one");
    }
  }
  const std::filesystem::path folder = std::filesystem::path(store_.dir()) / "log-import";
  std::error_code error;
  std::filesystem::remove_all(folder, error);
  if (!std::filesystem::create_directories(folder, error)) {
    return Status::io_error("copy: cannot create " + folder.string() + ": " + error.message());
  }
  // Partitions are read, checked and compressed on two threads: most of a copy is ZSTD.
  const rocksdb::Options options = store_.db()->GetOptions(store_.events());
  std::vector<std::unique_ptr<PartitionTableFiles>> written(partition_count_);
  std::vector<Status> statuses(partition_count_);
  std::atomic<uint32_t> next_partition{0};
  auto worker = [&] {
    for (uint32_t partition = next_partition++; partition < partition_count_; partition = next_partition++) {
      written[partition] = std::make_unique<PartitionTableFiles>(options, store_.events(), folder, partition);
      PartitionTableFiles& files = *written[partition];
      statuses[partition] = source.export_partition(
          partition,
          [&](const rocksdb::Slice& key, const rocksdb::Slice& value) { return files.put(key, value); });
      if (statuses[partition]) statuses[partition] = files.finish();
    }
  };
  std::thread helper(worker);
  worker();
  helper.join();
  Status copied = Status::ok();
  std::vector<std::string> files;
  for (uint32_t partition = 0; partition < partition_count_ && copied; ++partition) {
    copied = statuses[partition];
    for (const auto& file : written[partition]->files()) files.push_back(file);
  }
  if (copied && !files.empty()) {
    rocksdb::IngestExternalFileOptions ingest;
    ingest.move_files = true;
    copied = from_rocksdb(store_.db()->IngestExternalFile(store_.events(), files, ingest),
                          "copy: ingesting the log's table files");
  }
  std::filesystem::remove_all(folder, error);
  if (!copied) return copied;
  return recover_end_offsets();
}

Status EmbeddedLog::export_partition(
    uint32_t partition, const std::function<Status(const rocksdb::Slice&, const rocksdb::Slice&)>& put) {
  auto end = end_offset(partition);
  if (!end) return end.status();
  rocksdb::ReadOptions options;
  options.verify_checksums = true;
  options.fill_cache = false;
  options.readahead_size = 2 << 20;
  const std::string upper = event_key(partition, *end);
  const rocksdb::Slice upper_slice(upper);
  options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(store_.db()->NewIterator(options, store_.events()));
  uint64_t expected = 0;
  for (it->Seek(event_key(partition, 0)); it->Valid(); it->Next()) {
    const std::string_view key = it->key().ToStringView();
    if (key.size() != 12 || get_be<uint64_t>(key, 4) != expected) {
      return Status::corruption("events: partition " + std::to_string(partition) + " has a gap: offset " +
                                std::to_string(expected) + " is missing");
    }
    if (Status put_status = put(it->key(), it->value()); !put_status) return put_status;
    ++expected;
  }
  if (Status read =
          from_rocksdb(it->status(), "reading the embedded log, partition " + std::to_string(partition));
      !read) {
    return read;
  }
  if (expected != *end) {
    return Status::corruption("events: partition " + std::to_string(partition) + " ends at offset " +
                              std::to_string(expected) + " but should reach " + std::to_string(*end));
  }
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
