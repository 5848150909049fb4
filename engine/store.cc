#include "engine/store.h"

#include "engine/counters_merge.h"

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_buffer_manager.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>

namespace ledger {
namespace {

constexpr std::string_view kMeta = "meta";
constexpr std::string_view kEvents = "events";
constexpr std::string_view kDedup = "dedup";

//! RocksDB's own log lines, to spdlog instead of a LOG file in the data folder. The LOG file
//! shares the data's disk: when that disk fills, RocksDB 7.8's file logger asserts on its next
//! line after a failed write (WritableFileWriter "Writer has previous error"), which aborts a
//! process that should only report NoSpace.
class SpdlogRocksdbLogger final : public rocksdb::Logger {
 public:
  SpdlogRocksdbLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override { Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap); }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel()) return;
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    // The log's table files of a replayed store were ingested (EmbeddedLog::copy_from), and
    // RocksDB 7.8 keeps no unique ID of an ingested file in the MANIFEST to check it against:
    // expected, so not a warning. Their blocks' checksums are still verified.
    if (std::strstr(line, "opened without unique ID to verify") != nullptr) {
      spdlog::debug("rocksdb: {}", line);
      return;
    }
    if (level >= rocksdb::InfoLogLevel::ERROR_LEVEL) {
      spdlog::error("rocksdb: {}", line);
    } else {
      spdlog::warn("rocksdb: {}", line);
    }
  }
};

rocksdb::ColumnFamilyOptions column_family_options(std::string_view name, const StoreOptions& options,
                                                   const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.checksum = rocksdb::kXXH3;
  table.format_version = 5;
  table.cache_index_and_filter_blocks = true;
  // Filters and indexes in 4 KiB partitions under a small top level: a big table's full filter
  // (1.2 MB for a million keys) is larger than a shard of the 64 MiB cache (1 MiB), so it was
  // read again from the file and checksummed on every lookup; partitions are cached like data
  // blocks, and only the top levels stay pinned. 10M events projected in 397 s instead of 600.
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.metadata_block_size = 4096;
  // 16 KiB data blocks: RocksDB sets up an LZ4 stream (a 16 KiB memset) for every block it
  // compresses, which cost as much as the compression itself with 4 KiB blocks.
  table.block_size = 16 * 1024;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_top_level_index_and_filter = true;

  rocksdb::ColumnFamilyOptions cf;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.write_buffer_size = options.write_buffer_bytes;
  // Room for two memtables waiting for their flush beside the one written: with atomic flush
  // every column family waits for the slowest, and at two writes stopped ("Stopping writes
  // because we have 2 immutable memtables") during projection. The write buffer manager still
  // bounds all memtables together (memtables_bytes_max).
  cf.max_write_buffer_number = 3;
  cf.compression = rocksdb::kLZ4Compression;
  // The log is the history, written once and kept: ZSTD at its bottom level. Everything else
  // is derived from it and rewritten by compaction as it changes; ZSTD there cost 14% of a
  // projection's CPU for a quarter of the views' bytes (3M events projected in 97 s and 446 MB
  // of views, in 88 s and 588 MB with LZ4).
  cf.bottommost_compression = name == kEvents ? rocksdb::kZSTD : rocksdb::kLZ4Compression;
  cf.level_compaction_dynamic_level_bytes = true;
  if (name == kDedup) {
    // Nearly every dedup lookup misses (a new event id): a bloom filter over the memtable
    // answers it without walking the skiplist.
    cf.memtable_whole_key_filtering = true;
    cf.memtable_prefix_bloom_size_ratio = 0.02;
  }
  // Counter rows (engine/counters_merge.h) are added to with Merge; other rows never merge.
  cf.merge_operator = counters_merge_operator();
  return cf;
}

rocksdb::DBOptions db_options(const StoreOptions& options) {
  rocksdb::DBOptions db;
  db.create_if_missing = options.create_if_missing;
  db.create_missing_column_families = true;
  // Stop at open on any checksum mismatch instead of projecting garbage.
  db.paranoid_checks = true;
  // Acknowledged appends are synced; a torn tail can only hold unacknowledged writes, which
  // point-in-time recovery drops while keeping every write before it.
  db.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  // A MANIFEST that lost its tail would silently drop table files; recording the WALs in it
  // makes such a store fail to open instead.
  db.track_and_verify_wals_in_manifest = true;
  db.max_background_jobs = 2;
  db.bytes_per_sync = 1 << 20;
  db.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  db.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(options.memtables_bytes_max);
  db.max_total_wal_size = 2 * options.memtables_bytes_max;
  db.info_log = std::make_shared<SpdlogRocksdbLogger>();
  db.keep_log_file_num = 4;
  // Projection writes skip the WAL (Store::write_rebuildable): all column families are flushed
  // together, so that the views, the event ids and the offsets they reflect always reach the
  // table files as of one same moment, whatever a crash loses of the memtables.
  db.atomic_flush = true;
  return db;
}

void log_options(const std::string& dir, const StoreOptions& options) {
  spdlog::info(
      "store {}: paranoid_checks=true wal_recovery_mode=kPointInTimeRecovery "
      "track_and_verify_wals_in_manifest=true sync=per-append-batch "
      "projection_writes=no-wal atomic_flush=true block_size=16384 max_write_buffer_number=3 "
      "bloom_bits_per_key=10 partitioned_filters_and_index=4096 dedup_memtable_bloom=0.02 checksum=xxh3 "
      "compression=lz4 bottommost=zstd(events),lz4(others) "
      "block_cache_bytes={} "
      "write_buffer_bytes={} memtables_bytes_max={} max_total_wal_size={} max_background_jobs=2",
      dir, options.block_cache_bytes, options.write_buffer_bytes, options.memtables_bytes_max,
      2 * options.memtables_bytes_max);
}

}  // namespace

Status from_rocksdb(const rocksdb::Status& status, std::string_view what) {
  if (status.ok()) return Status::ok();
  std::string message = std::string(what) + ": " + status.ToString();
  if (status.IsNoSpace()) return Status::no_space(std::move(message));
  if (status.IsCorruption()) return Status::corruption(std::move(message));
  if (status.IsNotFound()) return Status::not_found(std::move(message));
  if (status.IsInvalidArgument()) return Status::invalid_argument(std::move(message));
  if (status.IsIOError() && status.ToString().find("lock") != std::string::npos) {
    return Status::busy(std::move(message));
  }
  return Status::io_error(std::move(message));
}

Store::~Store() {
  if (!db_) return;
  // A clean close flushes the memtables, so that the next open (every CLI command is one) does
  // not rebuild them from the WAL. A crash skips this, and recovery replays the WAL instead.
  rocksdb::FlushOptions flush;
  flush.allow_write_stall = true;
  if (flush_at_close_) {
    if (rocksdb::Status flushed = db_->Flush(flush, handles_); !flushed.ok())
      spdlog::warn("store: flush at close failed: {}", flushed.ToString());
  }
  for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  db_->Close();
}

Result<std::unique_ptr<Store>> Store::open(const std::string& dir, const StoreOptions& options) {
  std::set<std::string> names = {std::string(rocksdb::kDefaultColumnFamilyName), std::string(kMeta),
                                 std::string(kEvents), std::string(kDedup)};
  for (const auto& name : options.view_column_families) names.insert(name);
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &existing).ok()) {
    names.insert(existing.begin(), existing.end());
  }

  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : names) {
    descriptors.emplace_back(name, column_family_options(name, options, cache));
  }

  // RocksDB lists the folder before it creates it, and logs an error ("Error when reading ...
  // dir NotFound") for what is the normal first open of a new store: make the folder first.
  if (options.create_if_missing) {
    std::error_code made;
    std::filesystem::create_directories(dir, made);
    if (made) {
      std::string message = "creating store folder " + dir + ": " + made.message();
      if (made == std::errc::no_space_on_device) return Status::no_space(std::move(message));
      return Status::io_error(std::move(message));
    }
  }
  std::unique_ptr<Store> store(new Store());
  store->dir_ = dir;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened = rocksdb::DB::Open(db_options(options), dir, descriptors, &store->handles_, &raw);
  if (!opened.ok()) return from_rocksdb(opened, "opening store " + dir);
  store->db_.reset(raw);

  for (auto* handle : store->handles_) {
    store->by_name_.emplace(handle->GetName(), handle);
    bool engine_owned = handle->GetName() == kMeta || handle->GetName() == kEvents ||
                        handle->GetName() == kDedup || handle->GetName() == rocksdb::kDefaultColumnFamilyName;
    if (!engine_owned) store->view_names_.push_back(handle->GetName());
  }
  std::sort(store->view_names_.begin(), store->view_names_.end());
  store->meta_ = store->column_family(kMeta);
  store->events_ = store->column_family(kEvents);
  store->dedup_ = store->column_family(kDedup);
  if (options.log_options) log_options(dir, options);
  return store;
}

void Store::keep_wal_at_close() {
  flush_at_close_ = false;
  // RocksDB itself flushes at close what the WAL does not hold, unless told not to.
  if (rocksdb::Status set = db_->SetDBOptions({{"avoid_flush_during_shutdown", "true"}}); !set.ok())
    spdlog::warn("store: avoid_flush_during_shutdown: {}", set.ToString());
}

ColumnFamily Store::column_family(std::string_view name) const {
  auto found = by_name_.find(name);
  return found == by_name_.end() ? nullptr : found->second;
}

std::vector<ColumnFamily> Store::view_column_families() const {
  std::vector<ColumnFamily> result;
  for (const auto& name : view_names_) result.push_back(column_family(name));
  return result;
}

Status Store::write(rocksdb::WriteBatch& batch, bool sync) {
  rocksdb::WriteOptions write_options;
  write_options.sync = sync;
  return from_rocksdb(db_->Write(write_options, &batch), "writing to store " + dir_);
}

Status Store::write_rebuildable(rocksdb::WriteBatch& batch) {
  rocksdb::WriteOptions write_options;
  write_options.disableWAL = true;
  return from_rocksdb(db_->Write(write_options, &batch), "writing to store " + dir_);
}

Result<std::optional<std::string>> Store::get(ColumnFamily cf, std::string_view key,
                                              const rocksdb::Snapshot* snapshot) const {
  rocksdb::ReadOptions read_options;
  read_options.verify_checksums = true;
  read_options.snapshot = snapshot;
  std::string value;
  rocksdb::Status status = db_->Get(read_options, cf, rocksdb::Slice(key.data(), key.size()), &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  if (!status.ok()) return from_rocksdb(status, "reading " + cf->GetName());
  return std::optional<std::string>(std::move(value));
}

Status Store::multi_get(ColumnFamily cf, const std::vector<std::string_view>& keys,
                        std::vector<std::optional<std::string>>& values) const {
  values.clear();
  values.resize(keys.size());
  if (keys.empty()) return Status::ok();
  rocksdb::ReadOptions read_options;
  read_options.verify_checksums = true;
  std::vector<rocksdb::Slice> slices;
  slices.reserve(keys.size());
  for (std::string_view key : keys) slices.emplace_back(key.data(), key.size());
  std::vector<rocksdb::PinnableSlice> found(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->MultiGet(read_options, cf, keys.size(), slices.data(), found.data(), statuses.data(),
                /*sorted_input=*/true);
  for (size_t index = 0; index < keys.size(); ++index) {
    if (statuses[index].IsNotFound()) continue;
    if (!statuses[index].ok()) return from_rocksdb(statuses[index], "reading " + cf->GetName());
    values[index].emplace(found[index].data(), found[index].size());
  }
  return Status::ok();
}

}  // namespace ledger
