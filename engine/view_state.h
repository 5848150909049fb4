#pragma once

#include <rocksdb/write_batch.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/status.h"
#include "engine/store.h"

namespace ledger {

//! The in-memory state of one projection batch: every row the batch read or wrote, over the
//! store. Views read their own writes; a rejected event's writes are undone; at the end the
//! written rows go into the batch's single WriteBatch.
//!
//! A read error (a checksum mismatch, say) is sticky: get() answers nullopt from then on and
//! status() tells the projector, which discards the whole batch.
class ViewState {
 public:
  explicit ViewState(const Store& store) : store_(store) {}

  //! The row at `key`: this batch's write if any, else the store's. The view is valid until
  //! the next put() or erase() of the same key.
  std::optional<std::string_view> get(ColumnFamily cf, std::string_view key);
  void put(ColumnFamily cf, std::string_view key, std::string_view value);
  void erase(ColumnFamily cf, std::string_view key);
  //! Adds a counters operand (engine/counters_merge.h) to `key`. Write-only: get() does not
  //! see pending merges, so counter rows are for queries, never read back by a view.
  void merge(ColumnFamily cf, std::string_view key, std::string_view operand);

  //! Calls `visit(key, value)` for every row whose key starts with `prefix`, in key order, as
  //! this batch sees them (its writes over the store's rows), until it returns false. The
  //! visitor may put() and get(), but rows it adds under the prefix are not visited.
  void scan(ColumnFamily cf, std::string_view prefix,
            const std::function<bool(std::string_view key, std::string_view value)>& visit);

  //! Marks the start of one event's writes.
  void begin_event() {
    undo_.clear();
    merges_at_begin_ = merges_.size();
  }
  //! Undoes every write since begin_event().
  void rollback_event();

  //! Moves every written row into `batch`, in key order, and forgets the batch's rows.
  void flush_into(rocksdb::WriteBatch& batch);
  //! Forgets everything (after a failed batch).
  void clear();

  const Status& status() const { return status_; }
  //! Rows held (read or written).
  size_t size() const { return rows_.size(); }

 private:
  using Key = std::pair<uint32_t, std::string>;
  struct Row {
    std::optional<std::string> value;
    bool dirty = false;
  };
  struct Undo {
    Key key;
    std::optional<Row> previous;  //!< nullopt: the row was not held before
  };

  Row* load(ColumnFamily cf, std::string_view key);
  void remember(const Key& key);

  const Store& store_;
  std::map<Key, Row> rows_;
  std::map<uint32_t, ColumnFamily> families_;
  std::vector<Undo> undo_;
  struct Merge {
    uint32_t cf_id;
    std::string key;
    std::string operand;
  };
  std::vector<Merge> merges_;  //!< in the order they were made
  size_t merges_at_begin_ = 0;
  Status status_;
};

}  // namespace ledger
