#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"

namespace ledger {

//! A column family of the store, owned by the Store.
using ColumnFamily = rocksdb::ColumnFamilyHandle*;

//! How the store is opened. Every RocksDB option the engine relies on is set from here,
//! explicitly, and logged at open.
struct StoreOptions {
  bool create_if_missing = true;
  //! Column families beyond the engine's own (meta, events, dedup): one or more per view.
  std::vector<std::string> view_column_families;
  size_t block_cache_bytes = 64 << 20;
  size_t write_buffer_bytes = 64 << 20;
  //! All memtables of all column families together; past it RocksDB flushes the largest. With
  //! the block cache, this bounds the store's memory whatever the number of events.
  size_t memtables_bytes_max = 256 << 20;
  bool log_options = true;
};

//! The RocksDB database behind the log and the views. Column families per concern:
//!   meta    engine settings and each partition's consumed offset (key grammar in meta_keys.h)
//!   events  the embedded log (key grammar in embedded_log.cc)
//!   dedup   applied and rejected event ids (key grammar in projector.cc)
//!   <view>  one or more per view, registered by the views
class Store {
 public:
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  //! Opens or creates the store in `dir`. A damaged store fails with a Corruption status
  //! naming the file; a store held by another process fails with Busy.
  static Result<std::unique_ptr<Store>> open(const std::string& dir, const StoreOptions& options);

  const std::string& dir() const { return dir_; }
  rocksdb::DB* db() const { return db_.get(); }
  ColumnFamily meta() const { return meta_; }
  ColumnFamily events() const { return events_; }
  ColumnFamily dedup() const { return dedup_; }
  //! The named column family, or nullptr when it does not exist.
  ColumnFamily column_family(std::string_view name) const;
  //! The view column families, sorted by name (the digest walks them in this order).
  std::vector<ColumnFamily> view_column_families() const;

  //! Writes `batch` atomically; `sync` makes it durable before returning.
  Status write(rocksdb::WriteBatch& batch, bool sync);
  //! Writes `batch` atomically, of rows that can be made again from what is durable (the
  //! views, the event ids and the offsets they reflect, derived from the log): without the
  //! WAL. A crash loses such writes back to the last flush, all column families together
  //! (atomic flush), and the projector makes them again from the offsets that survived.
  Status write_rebuildable(rocksdb::WriteBatch& batch);
  //! Reads one value; nullopt when absent.
  Result<std::optional<std::string>> get(ColumnFamily cf, std::string_view key,
                                         const rocksdb::Snapshot* snapshot = nullptr) const;
  //! Reads the values at `keys`, sorted ascending, in one MultiGet: RocksDB walks each table's
  //! filters and index once for many keys instead of once a key. `values[i]` is nullopt when
  //! `keys[i]` is absent.
  Status multi_get(ColumnFamily cf, const std::vector<std::string_view>& keys,
                   std::vector<std::optional<std::string>>& values) const;
  //! Closes without flushing the memtables, as a crash does: the recent appends are in the WAL
  //! only, and the projection's writes since the last flush are lost (write_rebuildable()); for
  //! tests of recovery. A clean close flushes by default.
  void keep_wal_at_close();

 private:
  Store() = default;

  std::string dir_;
  bool flush_at_close_ = true;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::map<std::string, ColumnFamily, std::less<>> by_name_;
  std::vector<std::string> view_names_;
  ColumnFamily meta_ = nullptr;
  ColumnFamily events_ = nullptr;
  ColumnFamily dedup_ = nullptr;
};

//! Maps a RocksDB status to ours, keeping the kind (NoSpace, Corruption, Busy) and naming `what`.
Status from_rocksdb(const rocksdb::Status& status, std::string_view what);

}  // namespace ledger
