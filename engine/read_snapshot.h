#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"
#include "engine/store.h"

namespace ledger {

//! A consistent read of the store for queries: every get and scan sees one RocksDB snapshot,
//! and offsets() says which log offsets that snapshot reflects. Reads never block writes.
class ReadSnapshot {
 public:
  ReadSnapshot(const Store& store, uint32_t partition_count);
  ~ReadSnapshot();
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

  Result<std::optional<std::string>> get(ColumnFamily cf, std::string_view key) const;
  //! Calls `visit(key, value)` for each row whose key starts with `prefix`, in key order,
  //! until it returns false. The value is 8-byte aligned (ready for FlatBuffers) and valid
  //! only during the call.
  Status scan(ColumnFamily cf, std::string_view prefix,
              const std::function<bool(std::string_view key, std::string_view value)>& visit) const;
  //! Calls `visit(key, value)` for each row from the first key at or after `from` to the end of
  //! `cf`, in key order, until it returns false; the value as in scan().
  Status scan_from(ColumnFamily cf, std::string_view from,
                   const std::function<bool(std::string_view key, std::string_view value)>& visit) const;
  //! The greatest key of `cf` at or before `bound`; nullopt when every key is past it.
  Result<std::optional<std::string>> last_key_at_or_before(ColumnFamily cf, std::string_view bound) const;
  //! The next offset to project of every partition, as of the snapshot.
  Result<std::vector<uint64_t>> offsets() const;

 private:
  const Store& store_;
  uint32_t partition_count_;
  const rocksdb::Snapshot* snapshot_;

  //! Visits the rows from `from` up to `upper` (excluded; empty: to the end of `cf`).
  Status scan_between(ColumnFamily cf, std::string_view from, const std::string& upper,
                      const std::function<bool(std::string_view key, std::string_view value)>& visit) const;
};

}  // namespace ledger
