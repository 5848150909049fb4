#pragma once

#include <rocksdb/write_batch.h>
#include <xxhash.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <typeinfo>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/status.h"
#include "engine/store.h"

namespace ledger {

//! The in-memory state of one partition's projection: every row its batches read or wrote, over
//! the store. Views read their own writes; a rejected event's writes are undone; at the end of a
//! batch the written rows go into the batch's single WriteBatch.
//!
//! Rows stay cached after a flush, so the next batch of the same partition finds its hot
//! accounts without a store read, up to about `cached_bytes_max` bytes (keys, values and their
//! decoded forms, estimated). A flush drops the rows written and never read (new event ids,
//! new lines); past the bound, it drops the coldest of the others first (those not read since
//! the flush before, then those read once, and so on) until three quarters of the bound are
//! left. Only the partition's own projector writes its rows, which keeps the cache true.
//! Decoded forms of rows (decoded()) are cached beside the bytes. over_budget() tells the
//! projector when a batch's own rows pass the bound, so that it commits early: with the
//! partition count, this bounds the projector's memory whatever the number of accounts or the
//! length of the log.
//!
//! A read error (a checksum mismatch, say) is sticky: get() answers nullopt from then on and
//! status() tells the projector, which discards the whole batch and the cache.
class ViewState {
 public:
  static constexpr size_t kDefaultCachedBytesMax = 16 << 20;
  //! The bytes of records a page (append()) takes; one record alone may pass it.
  static constexpr size_t kPageBytesMax = 64 << 10;
  //! What a held row costs beside its key and bytes, estimated: the map node with its hash and
  //! key string (96), the Row (64), the value's shared string with its control block (48), and
  //! malloc's headers.
  static constexpr size_t kRowOverheadBytes = 224;

  explicit ViewState(const Store& store, size_t cached_bytes_max = kDefaultCachedBytesMax)
      : store_(store), cached_bytes_max_(cached_bytes_max) {}

  //! The row at `key`: this batch's write if any, else the store's. The view is valid until
  //! the next put() or erase() of the same key.
  std::optional<std::string_view> get(ColumnFamily cf, std::string_view key);
  //! The row at `key` decoded by `decode` (bytes -> std::optional<T>), computed once and kept
  //! until the row changes; nullptr when the row is absent or `decode` refuses it. The pointer
  //! stays valid until the end of the current event even if the row changes meanwhile.
  template <typename T, typename Decode>
  const T* decoded(ColumnFamily cf, std::string_view key, Decode&& decode);
  //! Reads the rows at `keys` in one store read (a MultiGet), for the get()s to come: a
  //! batch's new event ids, looked up together, cost 1,180 instructions a key instead of
  //! 1,950 at 100k events, and less again once the store has more table files. A row held
  //! already keeps its value. A row fetched so counts as read only when a get() asks for it;
  //! one never asked for is dropped at the next flush.
  void prefetch(ColumnFamily cf, const std::vector<std::string_view>& keys);
  void put(ColumnFamily cf, std::string_view key, std::string_view value);
  //! put() of bytes the caller gives up (an encoded row): kept without a copy.
  void put(ColumnFamily cf, std::string_view key, std::string&& value);
  void put(ColumnFamily cf, std::string_view key, const char* value) {
    put(cf, key, std::string_view(value));
  }
  //! put() of `value` in decoded form only: `Encode` makes its bytes when something asks for
  //! them (get(), scan(), the flush), so a row rewritten by every event of a batch is encoded
  //! once per batch instead of once per event.
  template <typename T, std::string (*Encode)(const T&), typename Value>
  void put_encoded_later(ColumnFamily cf, std::string_view key, Value&& value);
  void erase(ColumnFamily cf, std::string_view key);
  //! Appends `record` to this batch's page of `group`: a row whose key is `group` followed by
  //! u32be(n), n being the `number` of the first record the batch appended to the group, and
  //! whose value is the batch's records of the group, concatenated. Records are numbered by the
  //! caller, one more each time; a record whose number does not follow the page's last (the
  //! first of the batch, or after the page was erased) starts a new page. So a group's rows, in
  //! key order, hold its records in order, one row per batch instead of one per record. Pages
  //! are write-only until the flush, like new rows: get() and scan() see them, and erase()
  //! drops one. Undone with the event, as every write. A page takes no record past
  //! kPageBytesMax (the next starts a page), so that a busy group's row stays small enough to
  //! read whole.
  void append(ColumnFamily cf, std::string_view group, uint32_t number, std::string_view record);
  //! Adds a counters operand (engine/counters_merge.h) to `key`. Write-only: get() does not
  //! see pending merges, so counter rows are for queries, never read back by a view. A batch's
  //! operands of one row are added together before the flush, which writes one merge a row
  //! (a day's billing summary takes an operand from nearly every event).
  void merge(ColumnFamily cf, std::string_view key, std::string_view operand);

  //! Calls `visit(key, value)` for every row whose key starts with `prefix` (and, when `after`
  //! is not empty, sorts after `after`), in key order, as this batch sees them (its writes over
  //! the store's rows), until it returns false. The visitor may put() and get(), but rows it
  //! adds under the prefix are not visited.
  void scan(ColumnFamily cf, std::string_view prefix,
            const std::function<bool(std::string_view key, std::string_view value)>& visit,
            std::string_view after = {});

  //! Asks the projector to commit every row written so far and to call the view's apply()
  //! again with `cursor` as EventContext::resume, so that an event touching more rows than a
  //! commit should hold (a billing run over every account) keeps the projector's memory within
  //! its bound. The view returns from apply() right after, without a rejection: what was
  //! committed cannot be undone, so a view suspends only an event it has decided to apply.
  void suspend(std::string cursor) { suspension_ = std::move(cursor); }
  //! The cursor suspend() was given during this event, taken (nullopt: it was not suspended).
  std::optional<std::string> take_suspension() { return std::exchange(suspension_, std::nullopt); }

  //! Marks the start of one event's writes.
  void begin_event() {
    suspension_.reset();
    undo_.clear();
    retired_.clear();
    fold_event_merges();
    dirty_at_begin_ = dirty_.size();
  }
  //! Undoes every write since begin_event().
  void rollback_event();

  //! Moves every written row into `batch` and keeps the rows as a clean cache.
  void flush_into(rocksdb::WriteBatch& batch);
  //! Forgets everything, the cache included (after a failed batch).
  void clear();

  const Status& status() const { return status_; }
  //! Rows held (read, written or cached).
  size_t size() const { return rows_.size(); }
  //! Estimated bytes held: recounted at each flush, then grown by each row added and each put().
  size_t bytes() const { return bytes_; }
  //! Whether this batch's rows, over the cache kept from earlier batches, passed the bound
  //! (twice the cache's, the cache being at most its bound after a flush), so that the batch
  //! should be committed now.
  bool over_budget() const { return bytes_ > 2 * cached_bytes_max_; }

 private:
  //! Makes bytes from a decoded row (put_encoded_later()).
  using Encoder = std::string (*)(const void* decoded);
  static constexpr uint8_t kReadsWriteOnly = 0;
  static constexpr uint8_t kReadsHeld = 1;
  static constexpr uint8_t kReadsLoaded = 2;
  static constexpr uint8_t kReadsCounted = 4;
  struct Row {
    ColumnFamily cf = nullptr;
    //! The row's bytes, shared so that an undo record costs no copy; null when the row is
    //! absent, or while `encode` is set.
    std::shared_ptr<const std::string> value;
    std::shared_ptr<const void> decoded;  //!< the row decoded, of type *decoded_type
    const std::type_info* decoded_type = nullptr;
    Encoder encode = nullptr;  //!< set: `value` is still to be made from `decoded`
    bool dirty = false;
    //! How much the row was read since the last flush, up to kReadsCounted: kReadsWriteOnly
    //! for a row written and never read (or found absent, and not read again), kReadsHeld for
    //! one cached and not read since, and one more for each read after (a load is a read).
    //! The coldest go first.
    uint8_t reads = kReadsWriteOnly;
    //! Fetched by prefetch() and not asked for since: its first get() counts as its load.
    bool prefetched = false;
    bool present() const { return value != nullptr || encode != nullptr; }
  };
  struct KeyHash {
    using is_transparent = void;
    //! XXH3: about a third of std::hash's instructions on these short keys. Not noexcept on
    //! purpose: libstdc++ then keeps each node's hash, so a lookup compares hashes before keys
    //! and walking a bucket never hashes the other nodes' keys again.
    size_t operator()(std::string_view key) const { return XXH3_64bits(key.data(), key.size()); }
  };
  using Rows = std::unordered_map<std::string, Row, KeyHash, std::equal_to<>>;
  //! The decoded form of a page (append()). The versions of one page share its bytes, each
  //! seeing the first `size` of them, so that appending copies only the record, and an undo
  //! returns to an earlier version: the next append cuts the bytes back to it.
  struct AppendedPage {
    std::shared_ptr<std::string> bytes;
    size_t size = 0;
    uint32_t next_number = 0;  //!< the number the next record must have to join this page
  };
  static std::string encode_page(const void* page);
  struct Undo {
    Rows::value_type* entry;      //!< element pointers of an unordered_map survive rehashing
    std::optional<Row> previous;  //!< nullopt: the row was not held before
  };
  //! Estimated bytes of one held row; a decoded form is counted as twice the encoded bytes.
  static size_t row_bytes(const Rows::value_type& entry);
  //! What a row's first read makes of its read count: a key found absent is most often a new
  //! event id about to be written, not worth keeping unless it is read again.
  static uint8_t reads_when_loaded(const Row& row) { return row.present() ? kReadsLoaded : kReadsWriteOnly; }
  //! Encodes a row written by put_encoded_later(), once.
  static const std::string& materialize(Row& row);

  //! cf id (4 bytes, big-endian) then the key: one flat string per row.
  std::string_view full_key(ColumnFamily cf, std::string_view key);
  Row* load(ColumnFamily cf, std::string_view key);
  Row& write(ColumnFamily cf, std::string_view key) { return write_entry(cf, key).second; }
  Rows::value_type& write_entry(ColumnFamily cf, std::string_view key);
  //! Records `entry` for the undo and marks it written, its decoded form dropped.
  Row& rewrite(Rows::value_type& entry, bool fresh);
  //! Forgets `entry` as its group's open page, if it is one (before the row is erased).
  void forget_page(const Rows::value_type& entry);
  //! Drops cold rows when the cache is over its bound (only between batches: no row is dirty).
  void evict();
  //! Adds a row to rows_ and counts its bytes; a key held already keeps its row.
  Rows::iterator hold(std::string_view full, Row row);
  //! Adds the operands of the event done (event_merges_) to the batch's (batch_merges_).
  void fold_event_merges();

  const Store& store_;
  size_t cached_bytes_max_;
  Rows rows_;
  size_t bytes_ = 0;  //!< bytes(), estimated
  //! Rows written since the last flush, in first-write order (element pointers of an
  //! unordered_map survive rehashing).
  std::vector<Rows::value_type*> dirty_;
  size_t dirty_at_begin_ = 0;
  std::string scratch_;  //!< full_key()'s buffer
  std::vector<Undo> undo_;
  std::vector<std::shared_ptr<const void>> retired_;  //!< decoded rows replaced during this event
  struct Merge {
    ColumnFamily cf;
    std::string full;  //!< the row's full key (full_key())
    std::string operand;
  };
  std::vector<Merge> event_merges_;  //!< the current event's, in the order they were made
  struct RowMerges {
    ColumnFamily cf = nullptr;
    //! Summed; one more only when the sum would wrap around, which the store then refuses when
    //! it merges them: summing never refuses what the operands one by one would not.
    std::vector<std::string> operands;
  };
  //! The operands of the batch's events before the current one, by full key (in key order,
  //! as the flush writes them).
  std::map<std::string, RowMerges, std::less<>> batch_merges_;
  std::optional<std::string> suspension_;
  //! This batch's page of each group (append()), by the group's full key; forgotten at each
  //! flush, and when an undone event erases the page it made (element pointers of an
  //! unordered_map survive rehashing, not erasing).
  std::unordered_map<std::string, Rows::value_type*, KeyHash, std::equal_to<>> open_pages_;
  Status status_;
};

template <typename T, typename Decode>
const T* ViewState::decoded(ColumnFamily cf, std::string_view key, Decode&& decode) {
  Row* row = load(cf, key);
  if (!status_ || !row->present()) return nullptr;
  if (row->decoded && row->decoded_type == &typeid(T)) return static_cast<const T*>(row->decoded.get());
  std::optional<T> value = decode(std::string_view(materialize(*row)));
  if (!value) return nullptr;
  auto holder = std::make_shared<const T>(std::move(*value));
  if (row->decoded) retired_.push_back(std::move(row->decoded));
  row->decoded = holder;
  row->decoded_type = &typeid(T);
  return holder.get();
}

template <typename T, std::string (*Encode)(const T&), typename Value>
void ViewState::put_encoded_later(ColumnFamily cf, std::string_view key, Value&& value) {
  Row& row = write(cf, key);
  row.decoded = std::make_shared<const T>(std::forward<Value>(value));
  row.decoded_type = &typeid(T);
  row.encode = [](const void* decoded) { return Encode(*static_cast<const T*>(decoded)); };
}

}  // namespace ledger
