#include "engine/view_state.h"

#include <rocksdb/iterator.h>

#include <algorithm>
#include <cstring>

#include "engine/counters_merge.h"
#include "engine/key_encoding.h"

namespace ledger {

std::string_view ViewState::full_key(ColumnFamily cf, std::string_view key) {
  scratch_.resize(4 + key.size());
  store_be<uint32_t>(scratch_.data(), cf->GetID());
  if (!key.empty()) std::memcpy(scratch_.data() + 4, key.data(), key.size());
  return scratch_;
}

ViewState::Row* ViewState::load(ColumnFamily cf, std::string_view key) {
  std::string_view full = full_key(cf, key);
  auto found = rows_.find(full);
  if (found != rows_.end()) {
    Row& held = found->second;
    if (held.prefetched) {
      held.prefetched = false;
      held.reads = reads_when_loaded(held);
    } else if (held.reads < kReadsCounted) {
      ++held.reads;
    }
    return &held;
  }
  Row row;
  row.cf = cf;
  if (status_) {
    auto stored = store_.get(cf, key);
    if (stored) {
      if (stored->has_value()) row.value = std::make_shared<const std::string>(std::move(**stored));
    } else {
      status_ = stored.status();
    }
  }
  row.reads = reads_when_loaded(row);
  return &hold(full, std::move(row))->second;  // the store read leaves scratch_ alone
}

void ViewState::prefetch(ColumnFamily cf, const std::vector<std::string_view>& keys) {
  if (!status_ || keys.empty()) return;
  // Read whole: the rows held already are rare (an id sent twice in a batch), and looking
  // each key up first costs more than reading those few again and keeping what is held.
  std::vector<std::string_view> wanted(keys);
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  std::vector<std::optional<std::string>> values;
  if (Status read = store_.multi_get(cf, wanted, values); !read) {
    status_ = read;
    return;
  }
  for (size_t index = 0; index < wanted.size(); ++index) {
    Row row;
    row.cf = cf;
    if (values[index]) row.value = std::make_shared<const std::string>(std::move(*values[index]));
    row.prefetched = true;  // reads stays kReadsWriteOnly: dropped at the flush unless asked for
    hold(full_key(cf, wanted[index]), std::move(row));  // a row held already stays as it is
  }
}

ViewState::Rows::iterator ViewState::hold(std::string_view full, Row row) {
  const size_t bytes = full.size() + (row.value ? row.value->size() : 0) + kRowOverheadBytes;
  auto [entry, added] = rows_.emplace(std::string(full), std::move(row));
  if (added) bytes_ += bytes;
  return entry;
}

size_t ViewState::row_bytes(const Rows::value_type& entry) {
  const Row& row = entry.second;
  const size_t value_bytes = row.value ? row.value->size() : 0;
  return entry.first.size() + value_bytes * (row.decoded ? 3 : 1) + kRowOverheadBytes;
}

const std::string& ViewState::materialize(Row& row) {
  if (row.encode) {
    row.value = std::make_shared<const std::string>(row.encode(row.decoded.get()));
    row.encode = nullptr;
  }
  return *row.value;
}

std::optional<std::string_view> ViewState::get(ColumnFamily cf, std::string_view key) {
  Row* row = load(cf, key);
  if (!status_ || !row->present()) return std::nullopt;
  return std::string_view(materialize(*row));
}

ViewState::Rows::value_type& ViewState::write_entry(ColumnFamily cf, std::string_view key) {
  std::string_view full = full_key(cf, key);
  auto found = rows_.find(full);
  if (found != rows_.end()) {
    rewrite(*found, false);
    return *found;
  }
  Row fresh;
  fresh.cf = cf;
  found = hold(full, std::move(fresh));
  rewrite(*found, true);
  return *found;
}

ViewState::Row& ViewState::rewrite(Rows::value_type& entry, bool fresh) {
  Row& row = entry.second;
  if (fresh) {
    undo_.push_back({&entry, std::nullopt});
  } else {
    undo_.push_back({&entry, row});
  }
  if (row.decoded) retired_.push_back(std::move(row.decoded));
  row.decoded.reset();
  row.decoded_type = nullptr;
  row.encode = nullptr;
  if (!row.dirty) dirty_.push_back(&entry);
  row.dirty = true;
  return row;
}

void ViewState::put(ColumnFamily cf, std::string_view key, std::string_view value) {
  write(cf, key).value = std::make_shared<const std::string>(value);
  bytes_ += value.size();  // a rewrite counts again until the flush recounts
}

void ViewState::put(ColumnFamily cf, std::string_view key, std::string&& value) {
  bytes_ += value.size();  // a rewrite counts again until the flush recounts
  write(cf, key).value = std::make_shared<const std::string>(std::move(value));
}

void ViewState::erase(ColumnFamily cf, std::string_view key) {
  write(cf, key).value.reset();
}

std::string ViewState::encode_page(const void* page) {
  const auto& appended = *static_cast<const AppendedPage*>(page);
  return appended.bytes->substr(0, appended.size);
}

void ViewState::append(ColumnFamily cf, std::string_view group, uint32_t number, std::string_view record) {
  auto open = open_pages_.find(full_key(cf, group));
  if (open == open_pages_.end()) open = open_pages_.emplace(full_key(cf, group), nullptr).first;
  // The batch's page of the group, if it is still there, this record follows it, and it has room.
  const AppendedPage* page = nullptr;
  if (Rows::value_type* entry = open->second;
      entry && entry->second.present() && entry->second.decoded_type == &typeid(AppendedPage)) {
    page = static_cast<const AppendedPage*>(entry->second.decoded.get());
    if (page->next_number != number || page->size + record.size() > kPageBytesMax) page = nullptr;
  }
  std::shared_ptr<std::string> bytes;
  size_t size = 0;
  Row* row = nullptr;
  if (page) {
    bytes = page->bytes;  // kept alive: rewrite() retires the decoded page
    size = page->size;
    row = &rewrite(*open->second, false);
  } else {
    std::string key(group);
    put_u32_be(key, number);
    open->second = &write_entry(cf, key);
    row = &open->second->second;
    bytes = std::make_shared<std::string>();
  }
  bytes->resize(size);  // an undone append left its record past the version being extended
  bytes->append(record);
  row->decoded = std::make_shared<const AppendedPage>(AppendedPage{bytes, bytes->size(), number + 1});
  row->decoded_type = &typeid(AppendedPage);
  row->encode = &encode_page;
  bytes_ += record.size();
}

void ViewState::forget_page(const Rows::value_type& entry) {
  // A page's full key is its group's full key and four bytes of number.
  if (entry.first.size() < 4) return;
  auto open = open_pages_.find(std::string_view(entry.first).substr(0, entry.first.size() - 4));
  if (open != open_pages_.end() && open->second == &entry) open_pages_.erase(open);
}

void ViewState::scan(ColumnFamily cf, std::string_view prefix,
                     const std::function<bool(std::string_view, std::string_view)>& visit,
                     std::string_view after) {
  // This batch's rows under the prefix, copied and sorted first: the visitor may write rows.
  const std::string full_prefix(full_key(cf, prefix));
  std::vector<std::pair<std::string, std::shared_ptr<const std::string>>> held;
  for (auto& [key, row] : rows_) {
    if (!key.starts_with(full_prefix)) continue;
    if (!after.empty() && std::string_view(key).substr(4) <= after) continue;
    if (row.encode) materialize(row);
    held.emplace_back(key.substr(4), row.value);
  }
  std::sort(held.begin(), held.end());
  rocksdb::ReadOptions options;
  options.verify_checksums = true;
  std::unique_ptr<rocksdb::Iterator> stored(store_.db()->NewIterator(options, cf));
  if (after.empty()) {
    stored->Seek(rocksdb::Slice(prefix.data(), prefix.size()));
  } else {
    stored->Seek(rocksdb::Slice(after.data(), after.size()));
    if (stored->Valid() && stored->key().ToStringView() == after) stored->Next();
  }
  auto stored_valid = [&] { return stored->Valid() && stored->key().ToStringView().starts_with(prefix); };
  size_t next_held = 0;
  bool go_on = true;
  while (go_on && (stored_valid() || next_held < held.size())) {
    const bool take_held =
        next_held < held.size() && (!stored_valid() || held[next_held].first <= stored->key().ToStringView());
    if (take_held) {
      const auto& [key, value] = held[next_held++];
      if (stored_valid() && key == stored->key().ToStringView()) stored->Next();  // this batch's row wins
      if (value) go_on = visit(key, *value);
      continue;
    }
    const std::string key = stored->key().ToString();
    const std::string value = stored->value().ToString();
    stored->Next();
    go_on = visit(key, value);
  }
  if (status_ && !stored->status().ok())
    status_ = from_rocksdb(stored->status(), "scanning " + cf->GetName());
}

void ViewState::merge(ColumnFamily cf, std::string_view key, std::string_view operand) {
  event_merges_.push_back({cf, std::string(full_key(cf, key)), std::string(operand)});
}

void ViewState::fold_event_merges() {
  for (auto& merge : event_merges_) {
    auto entry = batch_merges_.find(merge.full);
    if (entry == batch_merges_.end())
      entry = batch_merges_.emplace(std::move(merge.full), RowMerges{merge.cf, {}}).first;
    RowMerges& row = entry->second;
    if (row.operands.empty() || !add_counters(row.operands.back(), merge.operand)) {
      row.operands.push_back(std::move(merge.operand));
    }
  }
  event_merges_.clear();
}

void ViewState::rollback_event() {
  suspension_.reset();
  event_merges_.clear();
  for (auto undo = undo_.rbegin(); undo != undo_.rend(); ++undo) {
    if (undo->previous) {
      undo->entry->second = std::move(*undo->previous);
    } else {
      const std::string key = undo->entry->first;  // erase() must not read the key it frees
      forget_page(*undo->entry);
      rows_.erase(key);
    }
  }
  undo_.clear();
  // The rows this event dirtied first are listed from dirty_at_begin_ on, and are now clean or
  // gone; every row still dirty was dirty before the event, and is listed before.
  dirty_.resize(dirty_at_begin_);
}

void ViewState::flush_into(rocksdb::WriteBatch& batch) {
  // In key order (column family, then key): the same batch bytes for the same log, and sorted
  // inserts walk RocksDB's memtable skiplist with far fewer cache misses (measured: the
  // memtable inserts of a batch in first-write order cost twice as many instructions).
  std::sort(dirty_.begin(), dirty_.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  for (auto* entry : dirty_) {
    const std::string_view key = std::string_view(entry->first).substr(4);
    Row& row = entry->second;
    if (row.present()) {
      batch.Put(row.cf, key, materialize(row));
    } else {
      batch.Delete(row.cf, key);
    }
    row.dirty = false;
  }
  fold_event_merges();
  for (const auto& [full, row] : batch_merges_) {
    const std::string_view key = std::string_view(full).substr(4);
    for (const auto& operand : row.operands) batch.Merge(row.cf, key, operand);
  }
  dirty_.clear();
  batch_merges_.clear();
  undo_.clear();
  retired_.clear();
  open_pages_.clear();
  dirty_at_begin_ = 0;
  evict();
}

void ViewState::evict() {
  // Rows written and never read (new event ids, new lines) are not worth keeping. The others
  // stay as a clean cache for the partition's next batch, up to the bound; past it, the rows
  // read least since the last flush go first, down to three quarters of the bound, so that
  // the next batches have room before the next eviction.
  bytes_ = 0;
  std::erase_if(rows_, [&](const auto& entry) {
    if (entry.second.reads == kReadsWriteOnly) return true;
    bytes_ += row_bytes(entry);
    return false;
  });
  if (bytes_ > cached_bytes_max_) {
    const size_t keep_bytes_max = cached_bytes_max_ / 4 * 3;
    for (uint8_t reads = kReadsHeld; reads <= kReadsCounted && bytes_ > keep_bytes_max; ++reads) {
      std::erase_if(rows_, [&](const auto& entry) {
        if (entry.second.reads != reads || bytes_ <= keep_bytes_max) return false;
        bytes_ -= row_bytes(entry);
        return true;
      });
    }
  }
  for (auto& [key, row] : rows_) {
    row.reads = kReadsHeld;
    row.prefetched = false;
  }
}

void ViewState::clear() {
  rows_.clear();
  bytes_ = 0;
  dirty_.clear();
  undo_.clear();
  retired_.clear();
  event_merges_.clear();
  batch_merges_.clear();
  open_pages_.clear();
  dirty_at_begin_ = 0;
  suspension_.reset();
  status_ = Status::ok();
}

}  // namespace ledger
